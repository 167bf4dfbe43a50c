/* search_index (domain): the batches that bring new requests into SQLite's full-text index,
 * and the thread that runs them. */
#include "domain/search_index.h"
#include "core/log.h"
#include "core/worker_loop.h"
#include "store/activity.h"

/* More batches than a day of requests could need: a bound, not a limit anyone reaches. */
#define CATCH_UP_MAX_BATCHES 100000

static void *worker_main(void *arg);
static WorkerLoop worker = WORKER_LOOP_INIT("search_index_worker", worker_main);

/* Batches until the index holds every request or, with a loop, until it is asked to stop
 * (checked between batches). DB_OK or the first error. */
static DbResult catch_up(Db *db, WorkerLoop *loop)
{
    DbResult r = DB_OK;
    for (int i = 0; i < CATCH_UP_MAX_BATCHES && r == DB_OK &&
                    !(loop && worker_loop_should_stop(loop)) && store_search_behind(db);
         i++)
        r = store_search_catch_up(db, SEARCH_INDEX_BATCH);
    if (r != DB_OK)
        log_warn("event=search_catch_up_failed result=%d", (int)r);
    return r;
}

DbResult search_index_catch_up(Db *db)
{
    return catch_up(db, NULL);
}

static void *worker_main(void *arg)
{
    (void)arg;
    while (!worker_loop_should_stop(&worker)) {
        Db *db = db_thread();
        if (db)
            catch_up(db, &worker);
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
