/* libdtb — running the jobs of a problem: build each point's simulation,
 * attach its scores, run it (alone, or K of them in one lockstep batch),
 * and compute the scores.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "experiment/experiment_build.h"
#include "explore.h"
#include "score_eval.h"
#include "sim/sim_batch.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The error of a job as one line. */
static void set_failure(dtb__job_result *r, dtb_status st)
{
    r->status = st;
    snprintf(r->message, sizeof r->message, "%s", dtb_last_error_message());
    if (!r->message[0])
        snprintf(r->message, sizeof r->message, "%s", dtb_status_string(st));
    for (char *c = r->message; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
}

static int32_t check_stop(double t, double fraction, void *ud)
{
    (void)t;
    (void)fraction;
    const volatile int *stop = ud;
    return stop && *stop;
}

/* One job's simulation, built with its scores attached. */
typedef struct prepared_job {
    dtb_experiment *exp;
    dtb__built b;
    dtb__score_run run;
    int built;
    double t0;
} prepared_job;

static dtb_status prepare_job(const dtb__problem *p, const dtb__job *job, prepared_job *pj)
{
    memset(pj, 0, sizeof *pj);
    pj->t0 = wall();
    char *dir = NULL;
    if (p->points_dir && !(dir = dtb__asprintf("%s/%04lld", p->points_dir, (long long)job->id)))
        return DTB_ENOMEM;
    dtb_status st = dtb__problem_job_experiment(p, job, &pj->exp);
    dtb__build_options o = {0};
    o.no_outputs = dir == NULL;
    o.out_dir = dir;
    o.atlas = p->atlas;
    o.model = p->model;
    if (!st)
        st = dtb__experiment_build_with(pj->exp, &o, &pj->b);
    free(dir);
    if (!st) {
        pj->built = 1;
        st = dtb__scores_attach(p->scores, p->n_scores, p->transient, pj->b.sim, &pj->run);
    }
    return st;
}

static void finish_job(const dtb__problem *p, prepared_job *pj, dtb_status st, dtb__job_result *r)
{
    for (size_t i = 0; i < p->n_scores; i++)
        r->scores[i] = NAN;
    if (st)
        set_failure(r, st);
    else
        dtb__scores_compute(p->scores, p->n_scores, p->transient, &pj->run, r->scores);
    r->seconds = wall() - pj->t0;
    dtb__score_run_free(&pj->run);
    if (pj->built)
        dtb__built_free(&pj->b);
    dtb_experiment_free(pj->exp);
    memset(pj, 0, sizeof *pj);
}

static void result_init(dtb__job_result *r, const dtb__job *job)
{
    r->id = job->id;
    r->status = DTB_OK;
    r->message[0] = '\0';
    r->seconds = 0;
}

/* Run prepared jobs alone, one after the other. */
static dtb_status run_alone(const dtb__problem *p, prepared_job *pj, dtb__job_result *r,
                            const volatile int *stop)
{
    dtb_status st = dtb__experiment_execute(&pj->b, pj->exp, check_stop, (void *)stop);
    if (st == DTB_ECANCELLED && stop && *stop)
        return st;
    finish_job(p, pj, st, r);
    return DTB_OK;
}

/* Finish a batch member: its steps are done, or it failed with st and
 * its message. */
static void finish_member(const dtb__problem *p, prepared_job *pj, dtb_status st,
                          const char *message, dtb__job_result *r)
{
    if (st)
        dtb__error(st, "%s", message);
    finish_job(p, pj, dtb__experiment_finish(&pj->b, pj->exp, st), r);
}

/* Can job c run in a batch led by job a? Lockstep needs one network and
 * one length of run, and no timed lesions or checkpoint. */
static int can_join(const prepared_job *a, const prepared_job *c)
{
    return !a->b.n_timed && !c->b.n_timed && a->b.duration == c->b.duration &&
           dtb__batch_compatible(a->b.sim, c->b.sim);
}

/* Lockstep batches are opt-in (--batch K). Measured on a quiet 2-core EPYC
 * VM (bench/bench_sweep, 16 points of 0.2 s, best of 3, December 2026):
 * bn246 with delays K = 2/4/8 ran at 0.79/0.73/0.58x the points per second
 * of K = 1, tvb76 K = 4/8 at 1.02/0.89x. Each point's delayed history is its
 * own, so the gather's memory traffic per point does not shrink with K,
 * while K histories crowd the caches; what batching shares (edge indices
 * and weights) is a small part of a step. So the default is one point at
 * a time. */
enum { DEFAULT_BATCH = 1 };

dtb_status dtb__problem_run(const dtb__problem *p, const dtb__job *jobs, size_t n_jobs,
                            dtb__job_result *results, size_t batch_max, const volatile int *stop)
{
    prepared_job *pj = dtb__calloc(n_jobs ? n_jobs : 1, sizeof *pj);
    unsigned char *pending = dtb__calloc(n_jobs ? n_jobs : 1, 1);
    if (!pj || !pending) {
        free(pj);
        free(pending);
        return DTB_ENOMEM;
    }
    /* build every job; a job that does not build is finished with its error */
    for (size_t i = 0; i < n_jobs; i++) {
        result_init(&results[i], &jobs[i]);
        dtb_status st = prepare_job(p, &jobs[i], &pj[i]);
        if (st)
            finish_job(p, &pj[i], st, &results[i]);
        else
            pending[i] = 1;
    }
    /* the built ones in batches: the first pending job and every later one
     * that can share its batch */
    dtb_status ret = DTB_OK;
    for (size_t lead = 0; lead < n_jobs && !ret; lead++) {
        if (!pending[lead])
            continue;
        if (stop && *stop) {
            ret = DTB_ECANCELLED;
            break;
        }
        size_t member[DTB__BATCH_MAX], k = 0;
        dtb_sim *sims[DTB__BATCH_MAX];
        size_t k_max = batch_max ? batch_max : DEFAULT_BATCH;
        if (k_max > DTB__BATCH_MAX)
            k_max = DTB__BATCH_MAX;
        for (size_t i = lead; i < n_jobs && k < k_max; i++)
            if (pending[i] && (i == lead || can_join(&pj[lead], &pj[i]))) {
                member[k] = i;
                sims[k++] = pj[i].b.sim;
                pending[i] = 0;
            }
        if (k == 1 || pj[lead].b.n_timed) {
            for (size_t m = 0; m < k && !ret; m++)
                ret = run_alone(p, &pj[member[m]], &results[member[m]], stop);
            continue;
        }
        dtb__batch *batch = NULL;
        const int64_t target = (int64_t)rint(pj[lead].b.duration / dtb_sim_dt(sims[0]));
        dtb_status st = dtb__batch_create(&batch, sims, k);
        if (!st)
            st = dtb__batch_run_steps(batch, target, stop);
        if (st == DTB_ECANCELLED) {
            dtb__batch_free(batch);
            ret = st;
            break;
        }
        if (st) {   /* the batch itself failed (memory): its members run alone */
            dtb__batch_free(batch);
            for (size_t m = 0; m < k && !ret; m++)
                ret = run_alone(p, &pj[member[m]], &results[member[m]], stop);
            continue;
        }
        /* the members' ends, then the batch gives their histories back
         * before they are finished */
        dtb_status status[DTB__BATCH_MAX];
        char(*messages)[DTB__MESSAGE_MAX] = dtb__calloc(k, sizeof *messages);
        for (size_t m = 0; m < k; m++) {
            status[m] = dtb__batch_member_status(batch, m);
            if (messages)
                snprintf(messages[m], DTB__MESSAGE_MAX, "%s", dtb__batch_member_message(batch, m));
        }
        dtb__batch_free(batch);
        for (size_t m = 0; m < k; m++)
            finish_member(p, &pj[member[m]], status[m], messages ? messages[m] : "",
                          &results[member[m]]);
        free(messages);
    }
    for (size_t i = 0; i < n_jobs; i++) {
        dtb__score_run_free(&pj[i].run);
        if (pj[i].built)
            dtb__built_free(&pj[i].b);
        dtb_experiment_free(pj[i].exp);
    }
    free(pj);
    free(pending);
    return ret;
}

static dtb_status run_problem(void *ctx, const dtb__job *jobs, size_t n, dtb__job_result *results,
                              size_t batch_max, const volatile int *stop)
{
    return dtb__problem_run(ctx, jobs, n, results, batch_max, stop);
}

dtb__executor dtb__problem_executor(const dtb__problem *p)
{
    dtb__executor x = {(void *)p, p->n_knobs, p->n_scores, run_problem,
                       p->prepared ? DTB_OK : (dtb_last_error_code() ? dtb_last_error_code()
                                                                     : DTB_ERROR)};
    return x;
}
