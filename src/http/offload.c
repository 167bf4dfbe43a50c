/* offload: a fixed pool of threads fed from a bounded FIFO of jobs. */
#include "http/offload.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/worker_loop.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

typedef struct Job {
    void *job;
    struct Job *next;
} Job;

struct Offload {
    const char *name;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    Job *head, *tail;
    int reserved; /* reserved or queued jobs not yet taken */
    int queue_max;
    bool stopping;
    pthread_t *threads;
    int thread_count;
    OffloadRun run;
    void (*thread_exit)(void);
};

static void *offload_main(void *arg)
{
    Offload *o = arg;
    for (;;) {
        pthread_mutex_lock(&o->lock);
        while (!o->head && !(o->stopping && o->reserved == 0))
            pthread_cond_wait(&o->changed, &o->lock);
        if (!o->head) {
            pthread_mutex_unlock(&o->lock);
            break;
        }
        Job *j = o->head;
        o->head = j->next;
        if (!o->head)
            o->tail = NULL;
        o->reserved--;
        pthread_mutex_unlock(&o->lock);
        o->run(j->job);
        free(j);
    }
    if (o->thread_exit)
        o->thread_exit();
    return NULL;
}

Offload *offload_start(const char *name, int workers, int queue_max, OffloadRun run,
                       void (*thread_exit)(void))
{
    Offload *o = xcalloc(1, sizeof *o);
    o->name = name;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->changed, NULL);
    o->queue_max = queue_max;
    o->run = run;
    o->thread_exit = thread_exit;
    o->threads = xcalloc((size_t)workers, sizeof *o->threads);
    /* the pool never takes the stop signals: the main thread waits for them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (o->thread_count = 0; o->thread_count < workers; o->thread_count++)
        if (pthread_create(&o->threads[o->thread_count], NULL, offload_main, o) != 0)
            break;
        else
            thread_name(o->threads[o->thread_count], name);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (o->thread_count == 0) {
        log_error("event=offload_start_failed pool=%s", name);
        offload_stop(o);
        return NULL;
    }
    return o;
}

bool offload_reserve(Offload *o)
{
    pthread_mutex_lock(&o->lock);
    bool ok = !o->stopping && o->reserved < o->queue_max;
    if (ok)
        o->reserved++;
    pthread_mutex_unlock(&o->lock);
    return ok;
}

void offload_submit(Offload *o, void *job)
{
    Job *j = xmalloc(sizeof *j);
    j->job = job;
    j->next = NULL;
    pthread_mutex_lock(&o->lock);
    if (o->tail)
        o->tail->next = j;
    else
        o->head = j;
    o->tail = j;
    pthread_cond_signal(&o->changed);
    pthread_mutex_unlock(&o->lock);
}

void offload_stop(Offload *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->lock);
    o->stopping = true;
    pthread_cond_broadcast(&o->changed);
    pthread_mutex_unlock(&o->lock);
    for (int i = 0; i < o->thread_count; i++)
        pthread_join(o->threads[i], NULL);
    free(o->threads);
    pthread_cond_destroy(&o->changed);
    pthread_mutex_destroy(&o->lock);
    free(o);
}
