/* libdtb — running many jobs: threads of this process and, with MPI, the
 * other ranks (explore_mpi.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The jobs form a queue; each thread takes the next `batch` of them, runs
 * them (one lockstep batch where they can share one) and reports every
 * result through one lock, in the order they finish. A job's numbers
 * depend only on the job, never on the thread, rank or order that ran
 * it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "explore.h"
#include "runner.h"

/* Take up to max jobs: their first index in *first; 0 when none are left. */
size_t dtb__queue_take(dtb__queue *q, size_t max, size_t *first)
{
    pthread_mutex_lock(&q->lock);
    size_t n = 0;
    if (!q->stop_all && q->next < q->n_jobs) {
        /* a fair share of what is left, so that no worker idles at the end
         * while another holds a full batch */
        size_t left = q->n_jobs - q->next;
        size_t share = (left + q->consumers - 1) / (q->consumers ? q->consumers : 1);
        n = share < max ? share : max;
        n = n ? n : 1;
        *first = q->next;
        q->next += n;
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

void dtb__queue_report(dtb__queue *q, const dtb__job_result *r)
{
    pthread_mutex_lock(&q->lock);
    q->n_done++;
    if (!q->stop_all && q->runner->on_result && q->runner->on_result(r, q->runner->user_data)) {
        q->stop_all = 1;
        *q->stop = 1;
    }
    pthread_mutex_unlock(&q->lock);
}

static void record_error(dtb__queue *q, dtb_status st)
{
    pthread_mutex_lock(&q->lock);
    if (!q->error) {
        q->error = st;
        dtb__strbuf_free(&q->message);
        dtb__strbuf_append(&q->message, dtb_last_error_message());
    }
    q->stop_all = 1;
    *q->stop = 1;
    pthread_mutex_unlock(&q->lock);
}

int dtb__queue_work_once(dtb__queue *q)
{
    size_t first;
    const size_t per_take = q->runner->batch ? (size_t)q->runner->batch : 8;
    size_t n = dtb__queue_take(q, per_take, &first);
    if (!n)
        return 0;
    dtb_status st = q->exec->run(q->exec->ctx, q->jobs + first, n, q->results + first,
                                 (size_t)q->runner->batch, q->stop);
    if (st == DTB_ECANCELLED) {
        pthread_mutex_lock(&q->lock);
        q->stop_all = 1;
        pthread_mutex_unlock(&q->lock);
        return 0;
    }
    if (st) {
        record_error(q, st);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        dtb__queue_report(q, &q->results[first + i]);
    return 1;
}

static void *worker(void *arg)
{
    dtb__queue *q = arg;
    while (dtb__queue_work_once(q))
        ;
    return NULL;
}

dtb_status dtb__queue_init(dtb__queue *q, const dtb__executor *x, const dtb__job *jobs,
                           size_t n_jobs, const dtb__runner *r, dtb__job_result *results)
{
    memset(q, 0, sizeof *q);
    if (pthread_mutex_init(&q->lock, NULL))
        return dtb__error(DTB_ERROR, "cannot create a mutex");
    q->exec = x;
    q->jobs = jobs;
    q->n_jobs = n_jobs;
    q->runner = r;
    q->results = results;
    q->consumers = (size_t)(r->threads > 0 ? r->threads : 1);
    /* the caller's stop request reaches the jobs through the same flag */
    q->stop = r->stop ? r->stop : &q->own_stop;
    return DTB_OK;
}

void dtb__queue_destroy(dtb__queue *q)
{
    pthread_mutex_destroy(&q->lock);
    dtb__strbuf_free(&q->message);
}

/* Run the queue on `threads` threads (this one included). */
void dtb__queue_run_threads(dtb__queue *q, int threads)
{
    pthread_t *tid = threads > 1 ? dtb__calloc((size_t)threads - 1, sizeof *tid) : NULL;
    int started = 0;
    for (int t = 1; tid && t < threads; t++) {
        if (pthread_create(&tid[started], NULL, worker, q) != 0)
            break;   /* fewer threads: the ones there take the work */
        started++;
    }
    worker(q);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
}

dtb_status dtb__queue_finish(dtb__queue *q)
{
    if (q->error)
        return dtb__error(q->error, "%s", q->message.data ? q->message.data : "");
    if (q->n_done < q->n_jobs)
        return dtb__error(DTB_ECANCELLED, "stopped after %zu of %zu runs", q->n_done, q->n_jobs);
    return DTB_OK;
}

dtb_status dtb__run_jobs(const dtb__executor *x, const dtb__job *jobs, size_t n_jobs,
                         const dtb__runner *r, dtb__job_result *results)
{
    if (r->threads < 1 || r->batch < 0)
        return dtb__error(DTB_EINVAL, "jobs must be at least 1, batch at least 0");
    dtb__queue q;
    dtb_status st = dtb__queue_init(&q, x, jobs, n_jobs, r, results);
    if (st)
        return st;
    if (r->use_mpi)
        st = dtb__mpi_dispatch(&q);
    else
        dtb__queue_run_threads(&q, r->threads);
    if (!st)
        st = dtb__queue_finish(&q);
    dtb__queue_destroy(&q);
    return st;
}
