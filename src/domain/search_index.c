/* search_index (domain): the batches that bring new requests into SQLite's full-text index,
 * and the thread that runs them. */
#include "domain/search_index.h"
#include "core/log.h"
#include "core/worker_loop.h"
#include "store/activity.h"

/* More batches than a day of requests could need: a bound, not a limit anyone reaches. */
#define CATCH_UP_MAX_BATCHES 100000

DbResult search_index_catch_up(Db *db)
{
    DbResult r = DB_OK;
    for (int i = 0; i < CATCH_UP_MAX_BATCHES && store_search_behind(db); i++) {
        int indexed = 0;
        r = store_search_catch_up(db, SEARCH_INDEX_BATCH, &indexed);
        if (r != DB_OK)
            break;
    }
    return r;
}

void search_index_before_search(Db *db)
{
    DbResult r = search_index_catch_up(db);
    if (r != DB_OK)
        log_warn("event=search_catch_up_failed result=%d", (int)r);
}

static void *worker_main(void *arg);
static WorkerLoop worker = WORKER_LOOP_INIT("search_index_worker", worker_main);

static void *worker_main(void *arg)
{
    (void)arg;
    while (!worker_loop_should_stop(&worker)) {
        Db *db = db_thread();
        int indexed = 0;
        DbResult r = DB_OK;
        /* one batch at a time, so a stop request is seen between batches */
        while (db && r == DB_OK && !worker_loop_should_stop(&worker) && store_search_behind(db)) {
            r = store_search_catch_up(db, SEARCH_INDEX_BATCH, &indexed);
            if (r != DB_OK)
                log_warn("event=search_catch_up_failed result=%d", (int)r);
        }
        worker_loop_wait(&worker, SEARCH_INDEX_POLL_MS);
    }
    db_thread_close();
    return NULL;
}

void search_index_worker_start(void)
{
    worker_loop_start(&worker);
}

void search_index_worker_stop(void)
{
    worker_loop_stop(&worker);
}
