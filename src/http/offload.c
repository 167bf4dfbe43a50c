/* offload: a fixed pool of threads fed from a bounded FIFO of jobs. */
#include "http/offload.h"
#include "core/log.h"
#include "core/mem.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

typedef struct Job {
    void *job;
    struct Job *next;
} Job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static Job *head, *tail;
static int reserved; /* reserved or queued jobs not yet taken */
static bool stopping;
static pthread_t *threads;
static int thread_count;
static OffloadRun job_run;
static void (*job_thread_exit)(void);

static void *offload_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!head && !(stopping && reserved == 0))
            pthread_cond_wait(&changed, &lock);
        if (!head) {
            pthread_mutex_unlock(&lock);
            break;
        }
        Job *j = head;
        head = j->next;
        if (!head)
            tail = NULL;
        reserved--;
        pthread_mutex_unlock(&lock);
        job_run(j->job);
        free(j);
    }
    if (job_thread_exit)
        job_thread_exit();
    return NULL;
}

bool offload_start(int workers, OffloadRun run, void (*thread_exit)(void))
{
    job_run = run;
    job_thread_exit = thread_exit;
    stopping = false;
    threads = xcalloc((size_t)workers, sizeof *threads);
    /* the pool never takes the stop signals: the main thread waits for them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (thread_count = 0; thread_count < workers; thread_count++)
        if (pthread_create(&threads[thread_count], NULL, offload_main, NULL) != 0)
            break;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (thread_count == 0) {
        log_error("event=offload_start_failed");
        return false;
    }
    return true;
}

bool offload_reserve(void)
{
    pthread_mutex_lock(&lock);
    bool ok = !stopping && reserved < OFFLOAD_QUEUE_MAX;
    if (ok)
        reserved++;
    pthread_mutex_unlock(&lock);
    return ok;
}

void offload_submit(void *job)
{
    Job *j = xmalloc(sizeof *j);
    j->job = job;
    j->next = NULL;
    pthread_mutex_lock(&lock);
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
}

void offload_stop(void)
{
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < thread_count; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    threads = NULL;
    thread_count = 0;
}
