/* search_index: keeps SQLite's full-text index up with new requests. A new request is not
 * indexed in the transaction that creates it (FTS5 wrote an index segment per request there,
 * inside the one writer's turn); a thread of `pforte serve` adds the requests created since
 * its last pass every SEARCH_INDEX_POLL_MS, up to SEARCH_INDEX_BATCH in one transaction, and
 * every search catches up first, so a search always finds every request created before it.
 * Comments and edits still update the index in their own transaction. On PostgreSQL all of
 * this is a no-op: it indexes in the creating transaction. */
#ifndef PFORTE_DOMAIN_SEARCH_INDEX_H
#define PFORTE_DOMAIN_SEARCH_INDEX_H
#include "store/db.h"

#define SEARCH_INDEX_BATCH 250   /* requests per transaction */
#define SEARCH_INDEX_POLL_MS 500 /* how often the thread looks */

/* Indexes every request created so far, batch by batch (nothing to do costs one read). DB_OK
 * or the first error, which is logged; what was indexed before it stays. A search calls it
 * first and then runs on the index as it is, whatever it returned. */
DbResult search_index_catch_up(Db *db);

/* Starts the thread (no-op when it runs); it opens its own connection with db_thread(). */
void search_index_worker_start(void);
/* Asks the thread to end after the batch in progress and waits for it. */
void search_index_worker_stop(void);

#endif
