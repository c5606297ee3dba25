/* libdtb — sweeps and fits on MPI ranks: the only file that includes
 * mpi.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rank 0 holds the job queue: its own threads take jobs from it, and its
 * main thread hands jobs out to the other ranks as they ask for work and
 * receives their results (dynamic scheduling: a slow point never holds up
 * a rank that is free). Only the main threads call MPI
 * (MPI_THREAD_FUNNELED is enough). The messages travel on a duplicate of
 * the caller's communicator, so that they never meet the caller's own.
 *
 *   worker -> 0   REQUEST   how many jobs it can take
 *   0 -> worker   JOBS      count, then per job: queue index, id, seed, values
 *   worker -> 0   RESULT    queue index, id, status, seconds, scores, message
 *   0 -> worker   STOP      no more work: the worker returns
 *
 * A rank that dies ends the MPI job (Open MPI's default); rank 0 writes a
 * results row as soon as it has one, so the table keeps every finished
 * point and a rerun resumes. */
#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "explore.h"
#include "runner.h"

enum { TAG_REQUEST = 7101, TAG_JOBS, TAG_RESULT, TAG_STOP };

struct dtb__mpi_state {
    MPI_Comm comm;            /* our duplicate */
    int rank, size;
    int *waiting;             /* rank 0: ranks whose request is not answered yet */
    int *wants;               /* ... and how many jobs each asked for */
    size_t n_waiting;
    int *released;            /* rank 0: STOP already sent */
};

int dtb__mpi_built(void) { return 1; }

static void finalize_at_exit(void)
{
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

static dtb_status mpi_error(int code, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        len = 0;
    text[len] = '\0';
    return dtb__error(DTB_EIO, "MPI: %s failed: %s", what, len ? text : "unknown error");
}

dtb_status dtb__mpi_session(int64_t comm_f, dtb__mpi_state **out)
{
    *out = NULL;
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        if (rc != MPI_SUCCESS)
            return mpi_error(rc, "MPI_Init_thread");
        atexit(finalize_at_exit);
    }
    struct dtb__mpi_state *s = dtb__calloc(1, sizeof *s);
    if (!s)
        return DTB_ENOMEM;
    MPI_Comm user = comm_f ? MPI_Comm_f2c((MPI_Fint)comm_f) : MPI_COMM_WORLD;
    int rc = MPI_Comm_dup(user, &s->comm);
    if (rc != MPI_SUCCESS) {
        free(s);
        return mpi_error(rc, "MPI_Comm_dup");
    }
    MPI_Comm_set_errhandler(s->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(s->comm, &s->rank);
    MPI_Comm_size(s->comm, &s->size);
    s->waiting = dtb__calloc((size_t)s->size, sizeof *s->waiting);
    s->wants = dtb__calloc((size_t)s->size, sizeof *s->wants);
    s->released = dtb__calloc((size_t)s->size, sizeof *s->released);
    if (!s->waiting || !s->wants || !s->released) {
        dtb__mpi_session_free(s);
        return DTB_ENOMEM;
    }
    *out = s;
    return DTB_OK;
}

void dtb__mpi_session_free(struct dtb__mpi_state *s)
{
    if (!s)
        return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Comm_free(&s->comm);
    free(s->waiting);
    free(s->wants);
    free(s->released);
    free(s);
}

int dtb__mpi_session_rank(const struct dtb__mpi_state *s) { return s->rank; }
int dtb__mpi_session_size(const struct dtb__mpi_state *s) { return s->size; }

/* --- messages --- */

typedef struct job_head {
    int64_t index, id;
    uint64_t seed;
} job_head;

typedef struct result_head {
    int64_t index, id;
    int32_t status, pad;
    double seconds;
} result_head;

static size_t job_bytes(size_t n_knobs) { return sizeof(job_head) + n_knobs * sizeof(double); }
static size_t result_bytes(size_t n_scores)
{
    return sizeof(result_head) + n_scores * sizeof(double) + DTB__MESSAGE_MAX;
}

static void pack_result(unsigned char *buf, size_t index, const dtb__job_result *r, size_t ns)
{
    result_head h = {(int64_t)index, r->id, (int32_t)r->status, 0, r->seconds};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, r->scores, ns * sizeof(double));
    memcpy(buf + sizeof h + ns * sizeof(double), r->message, DTB__MESSAGE_MAX);
}

/* --- workers --- */

dtb_status dtb__mpi_serve(const dtb__executor *x, const dtb__runner *r)
{
    struct dtb__mpi_state *s = r->mpi;
    const size_t nk = x->n_values, ns = x->n_scores;
    const int capacity = (r->batch ? r->batch : 8) * r->threads;
    const size_t jb = job_bytes(nk), rb = result_bytes(ns);
    unsigned char *in = dtb__malloc(sizeof(int64_t) + (size_t)capacity * jb);
    unsigned char *out = dtb__malloc(rb);
    dtb__job *jobs = dtb__calloc((size_t)capacity, sizeof *jobs);
    dtb__job_result *results = dtb__calloc((size_t)capacity, sizeof *results);
    double *values = dtb__calloc((size_t)capacity * (nk ? nk : 1), sizeof *values);
    double *scores = dtb__calloc((size_t)capacity * (ns ? ns : 1), sizeof *scores);
    int64_t *index = dtb__calloc((size_t)capacity, sizeof *index);
    dtb_status st = in && out && jobs && results && values && scores && index ? DTB_OK : DTB_ENOMEM;
    /* a worker that could not prepare answers every job with why */
    const dtb_status prep = x->ready;
    char prep_message[DTB__MESSAGE_MAX];
    snprintf(prep_message, sizeof prep_message, "rank %d: %s", s->rank, dtb_last_error_message());
    dtb__runner local = *r;
    local.use_mpi = 0;
    local.on_result = NULL;
    while (!st) {
        int rc = MPI_Send(&capacity, 1, MPI_INT, 0, TAG_REQUEST, s->comm);
        MPI_Status ms;
        if (!rc)
            rc = MPI_Probe(0, MPI_ANY_TAG, s->comm, &ms);
        if (rc) {
            st = mpi_error(rc, "waiting for work from rank 0");
            break;
        }
        if (ms.MPI_TAG == TAG_STOP) {
            MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, s->comm, MPI_STATUS_IGNORE);
            break;
        }
        int bytes = 0;
        MPI_Get_count(&ms, MPI_BYTE, &bytes);
        rc = MPI_Recv(in, bytes, MPI_BYTE, 0, TAG_JOBS, s->comm, MPI_STATUS_IGNORE);
        if (rc) {
            st = mpi_error(rc, "receiving jobs");
            break;
        }
        int64_t n;
        memcpy(&n, in, sizeof n);
        if (n < 1 || n > capacity) {
            st = dtb__error(DTB_EIO, "MPI: a message of %lld jobs from rank 0", (long long)n);
            break;
        }
        for (int64_t i = 0; i < n; i++) {
            job_head h;
            const unsigned char *b = in + sizeof n + (size_t)i * jb;
            memcpy(&h, b, sizeof h);
            memcpy(values + (size_t)i * nk, b + sizeof h, nk * sizeof(double));
            index[i] = h.index;
            jobs[i] = (dtb__job){h.id, h.seed, values + (size_t)i * nk};
            results[i].scores = scores + (size_t)i * (ns ? ns : 1);
        }
        if (prep) {
            for (int64_t i = 0; i < n; i++) {
                results[i].id = jobs[i].id;
                results[i].status = prep;
                snprintf(results[i].message, DTB__MESSAGE_MAX, "%s", prep_message);
                for (size_t k = 0; k < ns; k++)
                    results[i].scores[k] = NAN;
            }
        } else {
            dtb_status js = dtb__run_jobs(x, jobs, (size_t)n, &local, results);
            if (js)
                for (int64_t i = 0; i < n; i++) {
                    results[i].status = js;
                    snprintf(results[i].message, DTB__MESSAGE_MAX, "rank %d: %s", s->rank,
                             dtb_last_error_message());
                }
        }
        for (int64_t i = 0; i < n && !st; i++) {
            pack_result(out, (size_t)index[i], &results[i], ns);
            rc = MPI_Send(out, (int)rb, MPI_BYTE, 0, TAG_RESULT, s->comm);
            if (rc)
                st = mpi_error(rc, "sending a result to rank 0");
        }
    }
    free(in);
    free(out);
    free(jobs);
    free(results);
    free(values);
    free(scores);
    free(index);
    return st;
}

/* --- rank 0 --- */

void dtb__mpi_release(const dtb__runner *r)
{
    struct dtb__mpi_state *s = r->mpi;
    if (!s)
        return;
    for (int w = 1; w < s->size; w++)
        if (!s->released[w]) {
            MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, s->comm);
            s->released[w] = 1;
        }
    s->n_waiting = 0;
}

typedef struct local_ctx {
    dtb__queue *q;
    int threads;
} local_ctx;

static void *local_work(void *arg)
{
    local_ctx *c = arg;
    dtb__queue_run_threads(c->q, c->threads);
    return NULL;
}

/* Answer the waiting ranks with jobs while there are some. */
static dtb_status hand_out(dtb__queue *q, struct dtb__mpi_state *s, unsigned char *buf)
{
    const size_t nk = q->exec->n_values, jb = job_bytes(nk);
    size_t kept = 0;
    dtb_status st = DTB_OK;
    for (size_t i = 0; i < s->n_waiting; i++) {
        int w = s->waiting[i];
        size_t first = 0, n = st ? 0 : dtb__queue_take(q, (size_t)s->wants[w], &first);
        if (!n) {
            s->waiting[kept++] = w;   /* answered when work comes, or at release */
            continue;
        }
        int64_t count = (int64_t)n;
        memcpy(buf, &count, sizeof count);
        for (size_t j = 0; j < n; j++) {
            const dtb__job *job = &q->jobs[first + j];
            job_head h = {(int64_t)(first + j), job->id, job->seed};
            unsigned char *b = buf + sizeof count + j * jb;
            memcpy(b, &h, sizeof h);
            memcpy(b + sizeof h, job->values, nk * sizeof(double));
        }
        int rc = MPI_Send(buf, (int)(sizeof count + n * jb), MPI_BYTE, w, TAG_JOBS, s->comm);
        if (rc)
            st = mpi_error(rc, "sending jobs");
    }
    s->n_waiting = kept;
    return st;
}

static dtb_status receive(dtb__queue *q, struct dtb__mpi_state *s, MPI_Status *ms,
                          unsigned char *buf, size_t rb)
{
    const size_t ns = q->exec->n_scores;
    if (ms->MPI_TAG == TAG_REQUEST) {
        int want = 0;
        int rc = MPI_Recv(&want, 1, MPI_INT, ms->MPI_SOURCE, TAG_REQUEST, s->comm, MPI_STATUS_IGNORE);
        if (rc)
            return mpi_error(rc, "receiving a request");
        s->wants[ms->MPI_SOURCE] = want < 1 ? 1 : want;
        s->waiting[s->n_waiting++] = ms->MPI_SOURCE;
        return DTB_OK;
    }
    if (ms->MPI_TAG != TAG_RESULT)
        return dtb__error(DTB_EIO, "MPI: unexpected message (tag %d) from rank %d", ms->MPI_TAG,
                          ms->MPI_SOURCE);
    int rc = MPI_Recv(buf, (int)rb, MPI_BYTE, ms->MPI_SOURCE, TAG_RESULT, s->comm, MPI_STATUS_IGNORE);
    if (rc)
        return mpi_error(rc, "receiving a result");
    result_head h;
    memcpy(&h, buf, sizeof h);
    if (h.index < 0 || (size_t)h.index >= q->n_jobs)
        return dtb__error(DTB_EIO, "MPI: a result for job %lld from rank %d", (long long)h.index,
                          ms->MPI_SOURCE);
    dtb__job_result *r = &q->results[h.index];
    r->id = h.id;
    r->status = (dtb_status)h.status;
    r->seconds = h.seconds;
    memcpy(r->scores, buf + sizeof h, ns * sizeof(double));
    memcpy(r->message, buf + sizeof h + ns * sizeof(double), DTB__MESSAGE_MAX);
    r->message[DTB__MESSAGE_MAX - 1] = '\0';
    if (r->status == DTB_ECANCELLED) {
        /* The rank was stopped before it ran this job (another rank died,
         * or a signal): the job is not done, and a row saying so would
         * make a resumed run skip it. A stop anywhere stops the run. */
        pthread_mutex_lock(&q->lock);
        q->stop_all = 1;
        *q->stop = 1;
        pthread_mutex_unlock(&q->lock);
        return DTB_OK;
    }
    dtb__queue_report(q, r);
    return DTB_OK;
}

dtb_status dtb__mpi_dispatch(dtb__queue *q)
{
    struct dtb__mpi_state *s = q->runner->mpi;
    const size_t nk = q->exec->n_values, ns = q->exec->n_scores;
    const size_t rb = result_bytes(ns);
    unsigned char *result_buf = dtb__malloc(rb);
    unsigned char *jobs_buf = NULL;
    size_t jobs_cap = 0;
    if (!result_buf)
        return DTB_ENOMEM;
    q->consumers = (size_t)q->runner->threads + (size_t)(s->size - 1);
    /* this rank's own threads work on the same queue meanwhile */
    local_ctx lc = {q, q->runner->threads};
    pthread_t local;
    int local_running = pthread_create(&local, NULL, local_work, &lc) == 0;
    dtb_status st = DTB_OK;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int stopped = q->stop_all, all_in = q->n_done >= q->n_jobs;
        pthread_mutex_unlock(&q->lock);
        if (stopped || all_in)
            break;
        /* room for the largest request */
        size_t want = 1;
        for (size_t i = 0; i < s->n_waiting; i++)
            want = (size_t)s->wants[s->waiting[i]] > want ? (size_t)s->wants[s->waiting[i]] : want;
        if (want > jobs_cap) {
            unsigned char *grown = realloc(jobs_buf, sizeof(int64_t) + want * job_bytes(nk));
            if (!grown) {
                st = DTB_ENOMEM;
                break;
            }
            jobs_buf = grown;
            jobs_cap = want;
        }
        st = hand_out(q, s, jobs_buf);
        if (st)
            break;
        int flag = 0;
        MPI_Status ms;
        int rc = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, s->comm, &flag, &ms);
        if (rc) {
            st = mpi_error(rc, "waiting for the other ranks");
            break;
        }
        if (flag) {
            st = receive(q, s, &ms, result_buf, rb);
            if (st)
                break;
            continue;
        }
        /* nothing in: sleep instead of spinning, the cores are for the jobs */
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (st) {
        pthread_mutex_lock(&q->lock);
        q->stop_all = 1;
        *q->stop = 1;
        if (!q->error) {
            q->error = st;
            dtb__strbuf_append(&q->message, dtb_last_error_message());
        }
        pthread_mutex_unlock(&q->lock);
    }
    if (local_running)
        pthread_join(local, NULL);
    else
        dtb__queue_run_threads(q, q->runner->threads);
    free(jobs_buf);
    free(result_buf);
    return DTB_OK;
}
