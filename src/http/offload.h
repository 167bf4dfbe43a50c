/* offload: a small pool of threads for the routes marked slow (password hashing). The
 * connection is suspended while its handler runs there, so the HTTP workers keep serving
 * everybody else's pages during a burst of logins. Internal to src/http. */
#ifndef PFORTE_HTTP_OFFLOAD_H
#define PFORTE_HTTP_OFFLOAD_H
#include <stdbool.h>

/* Requests waiting for a slow worker beyond this many are answered 503 at once. */
#define OFFLOAD_QUEUE_MAX 32

typedef void (*OffloadRun)(void *job); /* runs on a pool thread */

/* Starts workers threads that call run(job) for each submitted job and thread_exit (may be
 * NULL) when they end. */
bool offload_start(int workers, OffloadRun run, void (*thread_exit)(void));
/* Reserves a place in the queue; false when OFFLOAD_QUEUE_MAX jobs wait already. */
bool offload_reserve(void);
/* Queues a job for which a place was reserved. */
void offload_submit(void *job);
/* Lets queued jobs finish, then stops and joins the threads. */
void offload_stop(void);

#endif
