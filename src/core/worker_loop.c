/* worker_loop: one mutex and condition variable per worker guard its running/stopping/wake
 * flags; the thread never holds the lock while it runs its step. */
#include "core/worker_loop.h"
#include "core/log.h"
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void thread_name(pthread_t t, const char *name)
{
    char text[16];
    snprintf(text, sizeof text, "pf-%s", name);
    pthread_setname_np(t, text);
}

/* The thread runs at a lower CPU priority than the request threads (nice is a per-thread
 * value on Linux): when the CPUs are busy a request is served first and the background work
 * takes the rest. At nice 5 it still gets about a third of a request thread's share, so the
 * outbox and the SLA pass keep moving under steady load. */
static void *loop_thread(void *arg)
{
    WorkerLoop *w = arg;
    thread_name(pthread_self(), w->name);
    id_t self = (id_t)syscall(SYS_gettid);
    int nice = getpriority(PRIO_PROCESS, self) + WORKER_LOOP_NICE; /* inherited + ours */
    setpriority(PRIO_PROCESS, self, nice < 19 ? nice : 19);
    return w->main(w);
}

void worker_loop_start(WorkerLoop *w)
{
    pthread_mutex_lock(&w->lock);
    if (!w->running) {
        w->stopping = false;
        w->running = pthread_create(&w->thread, NULL, loop_thread, w) == 0;
        if (!w->running)
            log_error("event=%s_start_failed", w->name);
    }
    pthread_mutex_unlock(&w->lock);
}

void worker_loop_stop(WorkerLoop *w)
{
    pthread_mutex_lock(&w->lock);
    bool running = w->running;
    if (running) {
        w->stopping = true;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    if (!running)
        return;
    pthread_join(w->thread, NULL);
    pthread_mutex_lock(&w->lock);
    w->running = false;
    w->stopping = false;
    pthread_mutex_unlock(&w->lock);
}

bool worker_loop_should_stop(WorkerLoop *w)
{
    pthread_mutex_lock(&w->lock);
    bool stop = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

void worker_loop_wait(WorkerLoop *w, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->lock);
    while (!w->wake_pending && !w->stopping)
        if (pthread_cond_clockwait(&w->cond, &w->lock, CLOCK_MONOTONIC, &until) != 0)
            break;
    w->wake_pending = false;
    pthread_mutex_unlock(&w->lock);
}

void worker_loop_wake(WorkerLoop *w)
{
    pthread_mutex_lock(&w->lock);
    w->wake_pending = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}
