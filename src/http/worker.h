/* worker: per worker-thread state of the HTTP server - a few arenas reused request after
 * request, and the application's thread_exit hook run when the thread ends. Internal to
 * src/http. */
#ifndef PFORTE_HTTP_WORKER_H
#define PFORTE_HTTP_WORKER_H
#include "core/arena.h"

/* Size of an arena's first block, kept across requests: most pages fit in it. */
#define WORKER_ARENA_BLOCK (32 * 1024)
/* A page that needed more (a request's page with its activity: about 300 KB for 50 entries)
 * has its arena keep one block of that size, up to this, for the next request (arena_keep).
 * Freeing its blocks after every request made glibc give the pages back to the kernel and
 * fault them in again at the next one (madvise, page faults: half the time of the page). */
#define WORKER_ARENA_KEEP (512 * 1024)

/* Remembers the hook (may be NULL) that each worker thread runs when it exits; call before
 * any worker thread starts. */
void worker_setup(void (*thread_exit)(void));
/* An empty arena for one request, from the calling thread's cache when it has one. */
Arena *worker_arena_take(void);
/* Resets a and keeps it for the calling thread's next request (or frees it). */
void worker_arena_give(Arena *a);

#endif
