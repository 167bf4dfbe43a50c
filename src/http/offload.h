/* offload: pools of threads for routes that should not run on an HTTP worker - password
 * hashing (CPU-heavy) and request writes (they wait for the database's write turn). The
 * connection is suspended while its handler runs in the pool, so the HTTP workers keep
 * serving everybody else's pages. Internal to src/http. */
#ifndef PFORTE_HTTP_OFFLOAD_H
#define PFORTE_HTTP_OFFLOAD_H
#include <stdbool.h>

typedef struct Offload Offload;
typedef void (*OffloadRun)(void *job); /* runs on a pool thread */

/* Starts a pool of `workers` threads that call run(job) for each submitted job and
 * thread_exit (may be NULL) when they end. Requests beyond queue_max waiting ones are
 * refused by offload_reserve. NULL when no thread could be started (logged). */
Offload *offload_start(const char *name, int workers, int queue_max, OffloadRun run,
                       void (*thread_exit)(void));
/* Reserves a place in the queue; false when queue_max jobs wait already. */
bool offload_reserve(Offload *o);
/* Queues a job for which a place was reserved. */
void offload_submit(Offload *o, void *job);
/* Lets queued jobs finish, then stops and joins the threads and frees the pool. */
void offload_stop(Offload *o);

#endif
