/* libdtb — the members of an assimilation and the filter's cycle.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A member is a simulation of the twin built in memory (no files) with its
 * own seed, and an observer whose samples are what the member predicts for
 * the recording. Between samples the members advance on the explore
 * layer's job runner (one job: one member runs one sample period), so that
 * threads are handed out in one place in the library; the analysis runs on
 * the calling thread with its own generator, so that no number depends on
 * the threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/rng.h"
#include "experiment/experiment_build.h"
#include "explore/explore.h"
#include "observe/observe_spec.h"
#include "observe/observer.h"

#include "assimilation.h"
#include "enkf.h"

/* The filter's own draws: a stream apart from every member's seed. */
#define FILTER_STREAM 0xA55131A7Eull
/* The least inflow, volume and deoxyhaemoglobin (of their resting 1) an
 * analysis may leave in a BOLD observer: the Balloon-Windkessel equations
 * need them positive (and the flow signal s is bounded below so that it
 * does not empty the inflow within a TR). */
#define HAEMO_FLOOR 0.05

typedef struct member {
    dtb__built b;
    dtb_observer *obs;
    double *pred;             /* n_obs: its prediction of the current sample */
    double t;                 /* the sample's time (the observer's) */
    int built;
} member;

static void member_free(member *m)
{
    if (m->obs)
        dtb_observer_free(m->obs);
    if (m->built)
        dtb__built_free(&m->b);
    free(m->pred);
    memset(m, 0, sizeof *m);
}

static double default_period(dtb_observer_kind kind)
{
    return kind == DTB_OBSERVER_BOLD ? 2.0 : 1e-3;
}

/* Build a member with this seed (has_seed 0: the experiment's own): the
 * simulation and its observer. */
static dtb_status member_build(const dtb_assimilation *a, int has_seed, uint64_t seed, member *m)
{
    memset(m, 0, sizeof *m);
    dtb_experiment *e;
    dtb_status st = dtb_experiment_clone(&e, a->base);
    if (st)
        return st;
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)seed);
    if (has_seed)
        st = dtb_experiment_add(e, "seed", num);
    if (!st) {
        dtb__build_options o = {.no_outputs = 1, .atlas = a->atlas, .model = a->model};
        st = dtb__experiment_build_with(e, &o, &m->b);
        m->built = !st;
    }
    dtb_experiment_free(e);
    dtb__observe_spec spec;
    if (!st && !(st = dtb__observe_spec_parse(a->observer, &spec))) {
        dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
        dtb__observe_spec_options(&spec, &oo);
        oo.sink = DTB_SINK_MEMORY;
        st = dtb_observer_create(&m->obs, m->b.sim, &oo);
        if (st)
            dtb__error_context(st, "observer '%s'", a->observer);
        dtb__observe_spec_free(&spec);
    }
    if (!st && a->n_obs && !(m->pred = dtb__calloc(a->n_obs, sizeof *m->pred)))
        st = DTB_ENOMEM;
    if (st)
        member_free(m);
    return st;
}

/* Give the member's simulation the parameter values theta (one per
 * estimated parameter). */
static dtb_status member_apply(const dtb_assimilation *a, member *m, const double *theta,
                               double *scratch)
{
    for (size_t e = 0; e < a->n_est; e++) {
        const char *param = a->est[e].param;
        dtb_status st;
        if (!a->est[e].regions) {
            for (size_t j = 0; j < a->n_par; j++)
                if (a->par_est[j] == e && a->par_region[j] == -1)
                    if ((st = dtb_sim_set_param(m->b.sim, param, theta[j])))
                        return st;
            continue;
        }
        size_t need;
        st = dtb_sim_get_param_regions(m->b.sim, param, scratch, a->n_regions, &need);
        if (st)
            return st;
        for (size_t j = 0; j < a->n_par; j++)
            if (a->par_est[j] == e && a->par_region[j] >= 0)   /* not the hyper-parameter */
                scratch[a->par_region[j]] = theta[j];
        if ((st = dtb_sim_set_param_regions(m->b.sim, param, scratch, a->n_regions)))
            return st;
    }
    return DTB_OK;
}

/* Run one sample period and take the member's prediction. */
static dtb_status member_advance(const dtb_assimilation *a, member *m)
{
    dtb_status st = dtb_sim_step(m->b.sim, a->steps);
    if (st)
        return st;
    const int64_t pending = dtb_observer_pending(m->obs);
    if (pending != 1)
        return dtb__error(DTB_ERROR, "observer '%s' gave %lld samples in one period of %g s",
                          a->observer, (long long)pending, a->period);
    size_t got;
    return dtb_observer_read(m->obs, &m->t, m->pred, 1, &got);
}

dtb_status dtb__assimilation_check_member(dtb_assimilation *a)
{
    member m;
    dtb__observe_spec spec;
    dtb_status st = dtb__observe_spec_parse(a->observer, &spec);
    if (st)
        return st;
    a->period = spec.period > 0 ? spec.period : default_period(spec.kind);
    dtb__observe_spec_free(&spec);
    if ((st = member_build(a, a->opts.seed != 0, a->opts.seed, &m)))
        return st;
    a->seed = a->opts.seed ? a->opts.seed : m.b.seed;
    a->dt = dtb_sim_dt(m.b.sim);
    a->n_regions = (size_t)dtb_sim_region_count(m.b.sim);
    a->n_states = (size_t)dtb_sim_state_count(m.b.sim);
    const double ratio = a->period / a->dt;
    a->steps = (int64_t)llround(ratio);
    if (a->steps < 1 || fabs(ratio - (double)a->steps) > 1e-9 * ratio) {
        member_free(&m);
        return dtb__error(DTB_EINVAL, "observer '%s': its period (TR) %g s is not a whole "
                          "number of steps of dt = %g s", a->observer, a->period, a->dt);
    }
    a->n_obs = (size_t)dtb_observer_column_count(m.obs);
    a->obs_names = dtb__calloc(a->n_obs, sizeof *a->obs_names);
    if (!a->obs_names)
        st = DTB_ENOMEM;
    for (size_t c = 0; !st && c < a->n_obs; c++)
        if (!(a->obs_names[c] = dtb__strdup(dtb_observer_column_name(m.obs, (int64_t)c))))
            st = DTB_ENOMEM;
    /* every estimated parameter exists and takes its bounds' middle */
    double *theta = dtb__calloc(a->n_par + 1, sizeof *theta);
    double *scratch = dtb__calloc(a->n_regions, sizeof *scratch);
    if (!st && (!theta || !scratch))
        st = DTB_ENOMEM;
    for (size_t j = 0; !st && j < a->n_par; j++)
        theta[j] = 0.5 * (a->est[a->par_est[j]].lo + a->est[a->par_est[j]].hi);
    for (size_t e = 0; !st && e < a->n_est; e++) {
        size_t need;
        if (dtb_sim_get_param_regions(m.b.sim, a->est[e].param, NULL, 0, &need) == DTB_ENOTFOUND)
            st = dtb__error(DTB_ENOTFOUND, "estimate '%s': the model has no parameter '%s'",
                            a->est[e].name, a->est[e].param);
    }
    if (!st && (st = member_apply(a, &m, theta, scratch)))
        dtb__error_context(st, "estimate");
    free(theta);
    free(scratch);
    member_free(&m);
    return st;
}

/* ------------------------------------------------------------ the cycle */

typedef struct cycle {
    dtb_assimilation *a;
    member *members;
    double t0;                /* the spin-up's end: t = 0 of the recording */
    dtb__pred_stats stats;    /* DTB_ASSIMILATE_FLAG_ZSCORE: of the raw predictions */
} cycle;

/* The runner's executor: a job is a member running one sample period. */
static dtb_status run_members(void *ctx, const dtb__job *jobs, size_t n, dtb__job_result *res,
                              size_t batch_max, const volatile int *stop)
{
    (void)batch_max;
    cycle *c = ctx;
    for (size_t i = 0; i < n; i++) {
        if (*stop)
            return DTB_ECANCELLED;
        res[i].id = jobs[i].id;
        res[i].status = member_advance(c->a, &c->members[jobs[i].id]);
        res[i].message[0] = 0;
        if (res[i].status)
            snprintf(res[i].message, sizeof res[i].message, "%s", dtb_last_error_message());
    }
    return DTB_OK;
}

static dtb_status advance_all(cycle *c, dtb__job *jobs, dtb__job_result *res)
{
    dtb_assimilation *a = c->a;
    const dtb__executor x = {c, 0, 0, run_members, DTB_OK};
    dtb__runner r = {.threads = a->opts.jobs, .batch = 1, .stop = &a->stop};
    dtb_status st = dtb__run_jobs(&x, jobs, (size_t)a->opts.members, &r, res);
    if (st)
        return st;
    for (int32_t k = 0; k < a->opts.members; k++)
        if (res[k].status)
            return dtb__error(res[k].status, "member %d: %s", (int)k, res[k].message);
    return DTB_OK;
}

typedef struct filter {
    size_t rows;              /* parameters, then (UPDATE_STATE) the states, then the BOLD
                                 observers' haemodynamic states */
    size_t haemo_units;       /* units of each BOLD observer (0: none corrected) */
    double *X;                /* rows x M */
    double *HX;               /* n_obs x M */
    double *theta;            /* M x n_par: the members' parameter values */
    double *state;            /* n_states * n_regions scratch */
    double *scratch;          /* n_regions */
    int64_t *state_site, *obs_site;
    dtb__rng rng;
} filter;

static void filter_free(filter *f)
{
    free(f->X);
    free(f->HX);
    free(f->theta);
    free(f->state);
    free(f->scratch);
    free(f->state_site);
    free(f->obs_site);
}

static dtb_status filter_init(const dtb_assimilation *a, filter *f, member *first)
{
    memset(f, 0, sizeof *f);
    const size_t M = (size_t)a->opts.members, S = a->n_states * a->n_regions;
    const int update_state = (a->opts.flags & DTB_ASSIMILATE_FLAG_UPDATE_STATE) != 0;
    if (update_state)
        dtb__observer_haemodynamics(first->obs, &f->haemo_units);
    f->rows = a->n_par + (update_state ? S + 4 * f->haemo_units : 0);
    f->X = dtb__calloc(f->rows * M, sizeof *f->X);
    f->HX = dtb__calloc(a->n_obs * M, sizeof *f->HX);
    f->theta = dtb__calloc(M * a->n_par, sizeof *f->theta);
    f->state = dtb__calloc(S, sizeof *f->state);
    f->scratch = dtb__calloc(a->n_regions, sizeof *f->scratch);
    f->state_site = dtb__calloc(f->rows, sizeof *f->state_site);
    f->obs_site = dtb__calloc(a->n_obs, sizeof *f->obs_site);
    if (!f->X || !f->HX || !f->theta || !f->state || !f->scratch || !f->state_site ||
        !f->obs_site) {
        filter_free(f);
        return DTB_ENOMEM;
    }
    for (size_t j = 0; j < a->n_par; j++)   /* a hyper-parameter is global */
        f->state_site[j] = a->par_region[j] >= 0 ? a->par_region[j] : -1;
    for (size_t i = a->n_par; i < a->n_par + (update_state ? S : 0); i++)
        f->state_site[i] = (int64_t)((i - a->n_par) % a->n_regions);
    for (size_t h = 0; h < 4 * f->haemo_units; h++)   /* unit u of a variable's block */
        f->state_site[a->n_par + S + h] = (int64_t)((h % f->haemo_units) % a->n_regions);
    for (size_t c = 0; c < a->n_obs; c++)
        f->obs_site[c] = (int64_t)(c % a->n_regions);
    dtb__rng_seed(&f->rng, dtb__derive_seed(a->seed, FILTER_STREAM));
    /* the first ensemble: uniform within the bounds, member by member */
    for (size_t k = 0; k < M; k++)
        for (size_t j = 0; j < a->n_par; j++) {
            const dtb__estimate *e = &a->est[a->par_est[j]];
            double u;
            do
                u = dtb__rng_uniform(&f->rng);
            while (u == 0);
            f->X[j * M + k] = dtb__bounded_to_real(e->lo + (e->hi - e->lo) * u, e->lo, e->hi);
        }
    return DTB_OK;
}

/* theta of every member from its transformed parameters. */
static void filter_theta(const dtb_assimilation *a, filter *f)
{
    const size_t M = (size_t)a->opts.members;
    for (size_t k = 0; k < M; k++)
        for (size_t j = 0; j < a->n_par; j++) {
            const dtb__estimate *e = &a->est[a->par_est[j]];
            f->theta[k * a->n_par + j] = dtb__real_to_bounded(f->X[j * M + k], e->lo, e->hi);
        }
}

static void record(dtb_assimilation *a, const filter *f, const cycle *cy, size_t i)
{
    const size_t M = (size_t)a->opts.members;
    a->times[i] = cy->members[0].t - cy->t0;
    for (size_t c = 0; c < a->n_obs; c++) {
        double s = 0;
        for (size_t k = 0; k < M; k++)
            s += f->HX[c * M + k];
        a->forecast[i * a->n_obs + c] = s / (double)M;
    }
}

static void record_estimates(dtb_assimilation *a, filter *f, size_t i)
{
    const size_t M = (size_t)a->opts.members;
    filter_theta(a, f);
    for (size_t j = 0; j < a->n_par; j++) {
        double s = 0, ss = 0;
        for (size_t k = 0; k < M; k++)
            s += f->theta[k * a->n_par + j];
        const double mu = s / (double)M;
        for (size_t k = 0; k < M; k++)
            ss += (f->theta[k * a->n_par + j] - mu) * (f->theta[k * a->n_par + j] - mu);
        a->means[i * a->n_par + j] = mu;
        a->sds[i * a->n_par + j] = sqrt(ss / (double)(M - 1));
    }
}

/* Hierarchical estimates (Fudan's HMDA, in the filter's own terms): each
 * member's region values relax towards its hyper-parameter by the pull per
 * sample, an AR(1) around the shared value; the ensemble's covariances
 * then carry what every region's observations say about the
 * hyper-parameter and back. (The bounds are the estimate's, so the
 * transformed values share one scale.) */
static void pull_to_hyper(const dtb_assimilation *a, filter *f)
{
    const size_t M = (size_t)a->opts.members;
    for (size_t h = 0; h < a->n_par; h++) {
        if (a->par_region[h] != DTB__HYPER)
            continue;
        const double pull = a->est[a->par_est[h]].pull;
        for (size_t j = 0; j < a->n_par; j++)
            if (j != h && a->par_est[j] == a->par_est[h])
                for (size_t k = 0; k < M; k++)
                    f->X[j * M + k] += pull * (f->X[h * M + k] - f->X[j * M + k]);
    }
}

static dtb_status one_sample(dtb_assimilation *a, cycle *c, filter *f, dtb__job *jobs,
                             dtb__job_result *res, size_t i)
{
    const size_t M = (size_t)a->opts.members, S = a->n_states * a->n_regions;
    const int update_state = (a->opts.flags & DTB_ASSIMILATE_FLAG_UPDATE_STATE) != 0;
    dtb_status st;
    /* 1. the region values of hierarchical estimates pulled towards their
     * hyper-parameter, the parameters' random walk, then into the members */
    if (i > 0)
        pull_to_hyper(a, f);
    if (i > 0 && !(a->opts.flags & DTB_ASSIMILATE_FLAG_NO_DRIFT))
        for (size_t j = 0; j < a->n_par; j++)
            for (size_t k = 0; k < M; k++)
                f->X[j * M + k] += a->opts.drift * dtb__rng_normal(&f->rng);
    filter_theta(a, f);
    for (size_t k = 0; k < M; k++)
        if ((st = member_apply(a, &c->members[k], f->theta + k * a->n_par, f->scratch)))
            return dtb__error_context(st, "member %zu", k);
    /* 2. the forecast */
    if ((st = advance_all(c, jobs, res)))
        return st;
    for (size_t k = 0; k < M; k++)
        for (size_t o = 0; o < a->n_obs; o++)
            f->HX[o * M + k] = c->members[k].pred[o];
    if (a->opts.flags & DTB_ASSIMILATE_FLAG_ZSCORE) {
        dtb__pred_stats_add(&c->stats, f->HX, a->n_obs, M);
        dtb__pred_stats_standardise(&c->stats, f->HX, a->n_obs, M);
    }
    record(a, f, c, i);
    /* 3. the analysis */
    const size_t H = 4 * f->haemo_units;
    if (update_state)
        for (size_t k = 0; k < M; k++) {
            size_t need, units;
            if ((st = dtb_sim_get_state(c->members[k].b.sim, f->state, S, &need)))
                return st;
            for (size_t s = 0; s < S; s++)
                f->X[(a->n_par + s) * M + k] = f->state[s];
            const double *h = dtb__observer_haemodynamics(c->members[k].obs, &units);
            for (size_t j = 0; j < H; j++)
                f->X[(a->n_par + S + j) * M + k] = h[j];
        }
    dtb__enkf_config cfg = {
        .method = a->opts.method == DTB_ASSIMILATE_ENKF ? DTB__ENKF_STOCHASTIC : DTB__ENKF_ETKF,
        .inflation = a->opts.inflation,
        .distance = a->distance,
        .n_sites = a->n_regions,
        .state_site = f->state_site,
        .obs_site = f->obs_site,
        .radius = a->opts.localisation,
    };
    st = dtb__enkf_analyse(&cfg, f->X, f->rows, M, f->HX, a->data + i * a->n_obs, a->obs_var,
                           a->n_obs, &f->rng);
    if (st)
        return dtb__error_context(st, "sample %zu (t = %g s)", i, a->times[i]);
    /* 4. the analysed states back into the members */
    if (update_state)
        for (size_t k = 0; k < M; k++) {
            for (size_t s = 0; s < S; s++)
                f->state[s] = f->X[(a->n_par + s) * M + k];
            if ((st = dtb_sim_set_state(c->members[k].b.sim, f->state, S)))
                return dtb__error_context(st, "member %zu", k);
            size_t units;
            double *h = dtb__observer_haemodynamics(c->members[k].obs, &units);
            for (size_t j = 0; j < H; j++) {
                const double v = f->X[(a->n_par + S + j) * M + k];
                /* f, v and q kept positive (NaN is not hidden) */
                h[j] = j < f->haemo_units || !(v < HAEMO_FLOOR) ? v : HAEMO_FLOOR;
            }
            /* the flow-inducing signal s is f's rate: an analysed s that
             * would empty the inflow within one TR is held at the rate that
             * takes it to the floor (ds/dt pulls it back meanwhile) */
            for (size_t u = 0; u < f->haemo_units; u++) {
                const double least = -(h[units + u] - HAEMO_FLOOR) / a->period;
                if (h[u] < least)
                    h[u] = least;
            }
        }
    record_estimates(a, f, i);
    return DTB_OK;
}

/* DTB_ASSIMILATE_FLAG_ZSCORE: the members run the spin-up with the first
 * ensemble's parameters, their predictions only counted into the
 * statistics. */
static dtb_status spin_up(dtb_assimilation *a, cycle *c, filter *f, dtb__job *jobs,
                          dtb__job_result *res)
{
    const size_t M = (size_t)a->opts.members;
    const int64_t n = dtb__assimilation_spinup_samples(a);
    dtb_status st = DTB_OK;
    if (n == 0)
        return DTB_OK;
    filter_theta(a, f);
    for (size_t k = 0; k < M; k++)
        if ((st = member_apply(a, &c->members[k], f->theta + k * a->n_par, f->scratch)))
            return dtb__error_context(st, "member %zu", k);
    for (int64_t i = 0; i < n; i++) {
        if (a->stop)
            return dtb__error(DTB_ECANCELLED, "stopped in the spin-up");
        if ((st = advance_all(c, jobs, res)))
            return dtb__error_context(st, "spin-up");
        for (size_t k = 0; k < M; k++)
            for (size_t o = 0; o < a->n_obs; o++)
                f->HX[o * M + k] = c->members[k].pred[o];
        dtb__pred_stats_add(&c->stats, f->HX, a->n_obs, M);
    }
    c->t0 = (double)n * a->period;
    return DTB_OK;
}

dtb_status dtb__assimilation_cycle_all(dtb_assimilation *a)
{
    const size_t M = (size_t)a->opts.members;
    cycle c = {a, dtb__calloc(M, sizeof(member)), 0.0, {0.0, NULL, NULL}};
    dtb__job *jobs = dtb__calloc(M, sizeof *jobs);
    dtb__job_result *res = dtb__calloc(M, sizeof *res);
    filter f;
    int filter_ready = 0;
    dtb_status st = c.members && jobs && res ? DTB_OK : DTB_ENOMEM;
    for (size_t k = 0; !st && k < M; k++) {
        jobs[k].id = (int64_t)k;
        jobs[k].seed = dtb__derive_seed(a->seed, k);
        st = member_build(a, 1, jobs[k].seed, &c.members[k]);
        if (st)
            dtb__error_context(st, "member %zu", k);
    }
    if (!st && !(st = filter_init(a, &f, &c.members[0])))
        filter_ready = 1;
    if (!st)
        st = dtb__pred_stats_init(&c.stats, a->n_obs);
    if (!st)
        st = spin_up(a, &c, &f, jobs, res);
    for (size_t i = 0; !st && i < a->n_samples; i++) {
        if (a->stop) {
            st = dtb__error(DTB_ECANCELLED, "stopped after %zu of %zu samples", i, a->n_samples);
            break;
        }
        st = one_sample(a, &c, &f, jobs, res, i);
        if (st)
            break;
        a->n_done = i + 1;
        if (a->opts.progress &&
            a->opts.progress((int64_t)a->n_done, (int64_t)a->n_samples, a->opts.user_data))
            st = dtb__error(DTB_ECANCELLED, "stopped by the progress callback after %zu of %zu "
                            "samples", a->n_done, a->n_samples);
    }
    if (filter_ready)
        filter_free(&f);
    dtb__pred_stats_free(&c.stats);
    for (size_t k = 0; c.members && k < M; k++)
        member_free(&c.members[k]);
    free(c.members);
    free(jobs);
    free(res);
    return st;
}
