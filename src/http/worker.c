/* worker: each libmicrohttpd worker thread keeps a small stack of reset arenas, so a request
 * normally costs no malloc at all. A thread interleaves several connections, so one arena
 * per thread would not do: every request in flight owns its own. When a thread that served
 * requests exits, a pthread key destructor runs the app's thread_exit hook in that thread
 * (libmicrohttpd has no per-thread exit callback). */
#include "http/worker.h"
#include "core/mem.h"
#include <pthread.h>
#include <stdlib.h>

#define WORKER_MAX_CACHED 4

typedef struct ArenaSlot {
    Arena arena; /* first member: an Arena* is its ArenaSlot* */
    struct ArenaSlot *next;
} ArenaSlot;

typedef struct WorkerState {
    ArenaSlot *free;
    int free_count;
} WorkerState;

static pthread_key_t worker_key;
static pthread_once_t worker_key_once = PTHREAD_ONCE_INIT;
static void (*worker_exit_hook)(void);

static void worker_state_destroy(void *p)
{
    WorkerState *state = p;
    if (worker_exit_hook)
        worker_exit_hook();
    while (state->free) {
        ArenaSlot *next = state->free->next;
        arena_free(&state->free->arena);
        free(state->free);
        state->free = next;
    }
    free(state);
}

static void worker_key_create(void)
{
    pthread_key_create(&worker_key, worker_state_destroy);
}

void worker_setup(void (*thread_exit)(void))
{
    pthread_once(&worker_key_once, worker_key_create);
    worker_exit_hook = thread_exit;
}

static WorkerState *worker_state(void)
{
    pthread_once(&worker_key_once, worker_key_create);
    WorkerState *state = pthread_getspecific(worker_key);
    if (!state) {
        state = xcalloc(1, sizeof *state);
        pthread_setspecific(worker_key, state);
    }
    return state;
}

Arena *worker_arena_take(void)
{
    WorkerState *state = worker_state();
    ArenaSlot *slot = state->free;
    if (slot) {
        state->free = slot->next;
        state->free_count--;
        return &slot->arena;
    }
    slot = xcalloc(1, sizeof *slot);
    arena_init(&slot->arena, WORKER_ARENA_BLOCK);
    arena_keep(&slot->arena, WORKER_ARENA_KEEP);
    return &slot->arena;
}

void worker_arena_give(Arena *a)
{
    ArenaSlot *slot = (ArenaSlot *)a;
    WorkerState *state = pthread_getspecific(worker_key);
    if (!state || state->free_count >= WORKER_MAX_CACHED) {
        arena_free(a);
        free(slot);
        return;
    }
    arena_reset(a);
    slot->next = state->free;
    state->free = slot;
    state->free_count++;
}
