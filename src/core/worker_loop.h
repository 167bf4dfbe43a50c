/* worker_loop: the start/stop/wait/wake plumbing of a background thread that repeats one
 * step until asked to stop (the outbox worker, the SLA worker). The step itself and what it
 * logs belong to its owner; this never touches the database or knows what the step does.
 * The thread runs at a lower CPU priority (WORKER_LOOP_NICE) than the request threads. */
#ifndef PFORTE_CORE_WORKER_LOOP_H
#define PFORTE_CORE_WORKER_LOOP_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct WorkerLoop {
    const char *name;          /* for the log line event=<name>_start_failed */
    void *(*main)(void *arg);  /* the thread; loops while !worker_loop_should_stop() */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    bool running, stopping, wake_pending;
} WorkerLoop;

/* How much nicer every worker loop's thread is than the thread that started it. */
#define WORKER_LOOP_NICE 5

/* A static WorkerLoop: `static WorkerLoop w = WORKER_LOOP_INIT("sla_worker", main);` */
#define WORKER_LOOP_INIT(name_, main_)                                                       \
    {                                                                                        \
        .name = (name_), .main = (main_), .lock = PTHREAD_MUTEX_INITIALIZER,                 \
        .cond = PTHREAD_COND_INITIALIZER                                                     \
    }

/* Names thread t "pf-" + name, cut to the 15 characters the kernel keeps (top -H, ps -L and
 * gdb show it). */
void thread_name(pthread_t t, const char *name);

/* Starts the thread with arg = w (no-op when it runs already); logs when it cannot. */
void worker_loop_start(WorkerLoop *w);
/* Asks the thread to end and waits for it. No-op when not running. */
void worker_loop_stop(WorkerLoop *w);
/* True once worker_loop_stop() has asked the thread to end. */
bool worker_loop_should_stop(WorkerLoop *w);
/* Sleeps up to ms milliseconds (monotonic clock) unless woken or stopped; consumes a
 * pending wake. */
void worker_loop_wait(WorkerLoop *w, int64_t ms);
/* Cuts the current or next worker_loop_wait() short. Callable from any thread. */
void worker_loop_wake(WorkerLoop *w);

#endif
