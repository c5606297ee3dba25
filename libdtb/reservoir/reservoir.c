/* libdtb — dtb_reservoir: a connectome (an echo-state network, or a
 * simulation) as a computing reservoir, scored on a task against its null
 * connectomes (dtb_reservoir.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run is one job per network (the connectome, then each null); a job
 * builds its network once (null k is dtb_atlas_rewire with the seed derived
 * from the reservoir's seed and k) and scores every alpha on it. The jobs
 * go through the explore runner: threads, and MPI ranks like a sweep's
 * points. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "atlas/atlas_impl.h"
#include "atlas/atlas_internal.h"
#include "base/base.h"
#include "experiment/experiment_build.h"
#include "explore/explore.h"
#include "explore/session.h"
#include "io/text_matrix.h"
#include "plot/plot.h"
#include "reservoir_object.h"

#define REQUIRE(r, fn) \
    do { \
        if (!(r)) \
            return dtb__error(DTB_EINVAL, "%s: reservoir is NULL", fn); \
    } while (0)

static void clear_results(dtb_reservoir *r)
{
    free(r->alphas);
    free(r->scores);
    r->alphas = r->scores = NULL;
    r->n_alphas = 0;
}

static void unprepare(dtb_reservoir *r)
{
    free(r->in);
    free(r->out);
    r->in = r->out = NULL;
    r->n_in = r->n_out = 0;
    if (r->task_name) {
        dtb__task_free(&r->task);
        r->task_ready = 0;
    }
    clear_results(r);
}

static dtb_reservoir *new_reservoir(void)
{
    dtb_reservoir *r = dtb__calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->task_name = dtb__strdup("memory-capacity");
    if (!r->task_name) {
        free(r);
        return NULL;
    }
    r->null_model = DTB_NULL_STRENGTH;
    r->seed = 42;
    return r;
}

dtb_status dtb_reservoir_create(dtb_reservoir **out, const dtb_atlas *atlas)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_create: out is NULL");
    *out = NULL;
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_create: atlas is NULL");
    dtb_reservoir *r = new_reservoir();
    if (!r)
        return DTB_ENOMEM;
    dtb_status st = dtb_atlas_clone(&r->atlas, atlas);
    if (st) {
        dtb_reservoir_free(r);
        return st;
    }
    *out = r;
    return DTB_OK;
}

dtb_status dtb_reservoir_create_sim(dtb_reservoir **out, const dtb_experiment *exp,
                                    const char *into, double scale, const char *observe,
                                    double period)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_create_sim: out is NULL");
    *out = NULL;
    if (!exp || !into || !*into || !observe || !*observe)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_create_sim: the experiment, the input's "
                                      "target and the readout's observer are needed");
    if (!isfinite(scale) || !isfinite(period) || !(period > 0))
        return dtb__error(DTB_EINVAL, "dtb_reservoir_create_sim: scale %g and period %g s must be "
                                      "finite, the period > 0", scale, period);
    dtb_reservoir *r = new_reservoir();
    if (!r)
        return DTB_ENOMEM;
    r->kind = DTB__RES_SIM;
    r->scale = scale;
    r->period = period;
    dtb_experiment *full = NULL;
    dtb_status st = dtb_experiment_clone(&r->exp, exp);
    if (!st && (!(r->into = dtb__strdup(into)) || !(r->observe = dtb__strdup(observe))))
        st = DTB_ENOMEM;
    if (!st)
        st = dtb__experiment_with_defaults(exp, &full);
    if (!st) {
        /* the run's own files and lengths are the reservoir's to set */
        static const char *const drop[] = {"observe", "out", "duration", "empirical-fc", "plot",
                                           "checkpoint", "checkpoint-at", "resume"};
        for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
            dtb_experiment_remove(full, drop[i]);
        dtb_experiment_free(r->exp);
        r->exp = full;
        full = NULL;
        st = dtb__experiment_load_inputs(r->exp, &r->atlas, &r->model);
    }
    dtb_experiment_free(full);
    if (st) {
        dtb_reservoir_free(r);
        return st;
    }
    *out = r;
    return DTB_OK;
}

void dtb_reservoir_free(dtb_reservoir *r)
{
    if (!r)
        return;
    unprepare(r);
    dtb__task_free(&r->task);
    dtb_atlas_free(r->atlas);
    dtb_experiment_free(r->exp);
    dtb_model_free(r->model);
    free(r->into);
    free(r->observe);
    free(r->input_spec);
    free(r->output_spec);
    free(r->task_name);
    free(r);
}

dtb_status dtb_reservoir_set_activation(dtb_reservoir *r, const char *name)
{
    REQUIRE(r, "dtb_reservoir_set_activation");
    static const struct { const char *name; dtb__activation f; } acts[] = {
        {"tanh", DTB__ACT_TANH}, {"identity", DTB__ACT_IDENTITY}, {"sigmoid", DTB__ACT_SIGMOID}};
    for (size_t i = 0; name && i < 3; i++)
        if (!strcmp(name, acts[i].name)) {
            r->activation = acts[i].f;
            clear_results(r);
            return DTB_OK;
        }
    return dtb__error(DTB_EINVAL, "activation: unknown '%s' (tanh, identity, sigmoid)",
                      name ? name : "");
}

static dtb_status replace(char **field, const char *value)
{
    char *copy = value ? dtb__strdup(value) : NULL;
    if (value && !copy)
        return DTB_ENOMEM;
    free(*field);
    *field = copy;
    return DTB_OK;
}

dtb_status dtb_reservoir_set_task(dtb_reservoir *r, const char *name, int64_t steps, int64_t delays)
{
    REQUIRE(r, "dtb_reservoir_set_task");
    int known = 0;
    for (const char *const *n = dtb__task_names(); *n && name; n++)
        known |= !strcmp(*n, name);
    if (!known)
        return dtb__error(DTB_EINVAL, "task: unknown '%s' (memory-capacity, narma10, sine-square, "
                                      "decision, go-nogo, dms)", name ? name : "");
    if (steps < 0 || (steps && steps < 200) || delays < 0)
        return dtb__error(DTB_EINVAL, "task %s: %lld steps (0 or at least 200), %lld delays", name,
                          (long long)steps, (long long)delays);
    unprepare(r);
    dtb__task_free(&r->task);   /* the caller's data too, if that was the task */
    r->task_ready = 0;
    dtb_status st = replace(&r->task_name, name);
    r->steps = steps;
    r->delays = delays;
    return st;
}

dtb_status dtb_reservoir_set_task_data(dtb_reservoir *r, const double *u, size_t T, size_t C,
                                       const double *y, size_t Q, int32_t n_classes)
{
    REQUIRE(r, "dtb_reservoir_set_task_data");
    if (!u || !y || T < 200 || !C || !Q || C > 1000 || Q > 10000 || n_classes < 0 ||
        (n_classes && (Q != 1 || n_classes < 2)))
        return dtb__error(DTB_EINVAL, "task data: %zu steps (at least 200) of %zu inputs and %zu "
                                      "targets%s", T, C, Q,
                          n_classes ? " (classification: one target column, 2 or more classes)" : "");
    for (size_t i = 0; i < T * C; i++)
        if (!isfinite(u[i]))
            return dtb__error(DTB_EINVAL, "task data: input row %zu, column %zu is not finite", i / C,
                              i % C);
    for (size_t i = 0; i < T * Q; i++)
        if (!isfinite(y[i]) || (n_classes && (y[i] != floor(y[i]) || y[i] < -1 || y[i] >= n_classes)))
            return dtb__error(DTB_EINVAL, "task data: target row %zu, column %zu is %s", i / Q, i % Q,
                              n_classes ? "not a class from -1 (none) to classes - 1" : "not finite");
    unprepare(r);
    dtb__task_free(&r->task);
    free(r->task_name);
    r->task_name = NULL;
    dtb__task_data *t = &r->task;
    t->kind = n_classes ? DTB__TASK_CLASSIFICATION : DTB__TASK_REGRESSION;
    t->n_classes = n_classes;
    t->T = T;
    t->C = C;
    t->Q = Q;
    t->u = dtb__malloc_array(T * C, sizeof *t->u);
    t->y = dtb__malloc_array(T * Q, sizeof *t->y);
    t->scored = dtb__malloc_array(T, 1);
    if (!t->u || !t->y || !t->scored) {
        dtb__task_free(t);
        return DTB_ENOMEM;
    }
    memcpy(t->u, u, T * C * sizeof *u);
    memcpy(t->y, y, T * Q * sizeof *y);
    /* the first 10 % is the washout; classification scores decisions only */
    for (size_t s = 0; s < T; s++)
        t->scored[s] = s >= T / 10 && (!n_classes || y[s] >= 0);
    r->task_ready = 1;
    return DTB_OK;
}

dtb_status dtb_reservoir_set_readout(dtb_reservoir *r, const char *kind)
{
    REQUIRE(r, "dtb_reservoir_set_readout");
    if (!kind || (strcmp(kind, "ridge") && strcmp(kind, "logistic")))
        return dtb__error(DTB_EINVAL, "readout: unknown '%s' (ridge, logistic)", kind ? kind : "");
    r->logistic = !strcmp(kind, "logistic");
    clear_results(r);
    return DTB_OK;
}

dtb_status dtb_reservoir_set_nulls(dtb_reservoir *r, dtb_null_model model, int64_t count)
{
    REQUIRE(r, "dtb_reservoir_set_nulls");
    if (model < DTB_NULL_DEGREE || model > DTB_NULL_SPATIAL || count < 0 || count > 1000000)
        return dtb__error(DTB_EINVAL, "nulls: model %d, %lld nulls (0 to 10^6)", (int)model,
                          (long long)count);
    r->null_model = model;
    r->n_nulls = count;
    clear_results(r);
    return DTB_OK;
}

dtb_status dtb_reservoir_set_seed(dtb_reservoir *r, uint64_t seed)
{
    REQUIRE(r, "dtb_reservoir_set_seed");
    r->seed = seed;
    unprepare(r);
    return DTB_OK;
}

/* ----------------------------------------------------------- preparing */

static dtb_status regions(const dtb_reservoir *r, const char *spec, const char *what,
                          const unsigned char *exclude, int64_t **out, size_t *n_out)
{
    const int64_t n = r->atlas->n;
    unsigned char *hit = dtb__calloc((size_t)n, 1);
    int64_t *idx = dtb__malloc_array((size_t)n, sizeof *idx);
    dtb_status st = hit && idx ? DTB_OK : DTB_ENOMEM;
    if (!st && spec)
        st = dtb__atlas_region_list(r->atlas, spec, what, hit);
    else if (!st && !exclude)
        hit[0] = 1;   /* default input: the first region */
    else if (!st)
        for (int64_t k = 0; k < n; k++)
            hit[k] = !exclude[k];   /* default output: every region but the inputs */
    size_t m = 0;
    for (int64_t k = 0; !st && k < n; k++)
        if (hit[k])
            idx[m++] = k;
    if (!st && !m)
        st = dtb__error(DTB_EINVAL, "%s: no regions", what);
    free(hit);
    if (st) {
        free(idx);
        return st;
    }
    *out = idx;
    *n_out = m;
    return DTB_OK;
}

/* Both lists: the inputs, then the outputs (by default every region but
 * the inputs). On failure nothing is allocated. */
static dtb_status resolve_regions(const dtb_reservoir *r, const char *input, const char *output,
                                  int64_t **in, size_t *n_in, int64_t **out, size_t *n_out)
{
    *in = *out = NULL;
    dtb_status st = regions(r, input, "input regions", NULL, in, n_in);
    unsigned char *is_in = st ? NULL : dtb__calloc((size_t)r->atlas->n, 1);
    if (!st && !is_in)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < *n_in; i++)
        is_in[(*in)[i]] = 1;
    if (!st)
        st = regions(r, output, "output regions", is_in, out, n_out);
    free(is_in);
    if (st) {
        free(*in);
        *in = NULL;
    }
    return st;
}

/* Checked now against the atlas, so that a wrong list fails here and the
 * reservoir keeps its previous regions. */
dtb_status dtb_reservoir_set_regions(dtb_reservoir *r, const char *input, const char *output)
{
    REQUIRE(r, "dtb_reservoir_set_regions");
    int64_t *in = NULL, *out = NULL;
    size_t n_in = 0, n_out = 0;
    dtb_status st = resolve_regions(r, input, output, &in, &n_in, &out, &n_out);
    free(in);
    free(out);
    if (st)
        return st;
    char *in_copy = NULL, *out_copy = NULL;
    if ((input && !(in_copy = dtb__strdup(input))) || (output && !(out_copy = dtb__strdup(output)))) {
        free(in_copy);
        return DTB_ENOMEM;
    }
    free(r->input_spec);
    free(r->output_spec);
    r->input_spec = in_copy;
    r->output_spec = out_copy;
    unprepare(r);
    return DTB_OK;
}

static dtb_status prepare(dtb_reservoir *r)
{
    if (r->in && r->task_ready)
        return DTB_OK;
    free(r->in);
    free(r->out);
    r->in = r->out = NULL;
    dtb_status st = resolve_regions(r, r->input_spec, r->output_spec, &r->in, &r->n_in, &r->out,
                                    &r->n_out);
    if (!st && r->task_name && !r->task_ready) {
        dtb__task_params p = {r->steps, 0, r->delays, r->seed, r->n_out};
        st = dtb__task_make(r->task_name, &p, &r->task);
        r->task_ready = !st;
    }
    if (st) {
        free(r->in);
        free(r->out);
        r->in = r->out = NULL;
    }
    return st;
}

/* Network k: -1 the atlas (borrowed), else null k (the caller frees it). */
static dtb_status network(const dtb_reservoir *r, int64_t k, const dtb_atlas **net, dtb_atlas **own)
{
    *own = NULL;
    if (k < 0) {
        *net = r->atlas;
        return DTB_OK;
    }
    dtb_status st = dtb_atlas_rewire(own, r->atlas, r->null_model,
                                     dtb__derive_seed(r->seed, (uint64_t)k), 0);
    *net = *own;
    return st;
}

/* The readout's features of a network at alpha: the states of the output
 * regions (a simulation: of every observed variable). w_hat: the ESN's
 * normalised weights (NULL for a simulation). */
static dtb_status features(const dtb_reservoir *r, const dtb_atlas *net, const double *w_hat,
                           double alpha, const double *u, size_t T, size_t C, double **F, size_t *p)
{
    const size_t n = (size_t)r->atlas->n;
    double *X = NULL;
    size_t cols = n;
    dtb_status st = DTB_OK;
    if (r->kind == DTB__RES_ESN) {
        X = dtb__malloc_array(T * n, sizeof *X);
        if (!X)
            return DTB_ENOMEM;
        dtb__esn_run(w_hat, n, alpha, r->activation, r->in, r->n_in, u, T, C, X);
    } else {
        st = dtb__sim_reservoir_states(r, net, alpha, u, T, C, &X, &cols);
        if (st)
            return st;
    }
    const size_t vars = cols / n;
    *p = vars * r->n_out;
    *F = dtb__malloc_array(T * *p + 1, sizeof **F);
    if (!*F) {
        free(X);
        return DTB_ENOMEM;
    }
    for (size_t t = 0; t < T; t++)
        for (size_t v = 0; v < vars; v++)
            for (size_t i = 0; i < r->n_out; i++)
                (*F)[t * *p + v * r->n_out + i] = X[t * cols + v * n + (size_t)r->out[i]];
    free(X);
    return DTB_OK;
}

/* The score of a network at alpha (its w_hat given, for an ESN). */
static dtb_status score_network(const dtb_reservoir *r, const dtb_atlas *net, const double *w_hat,
                                double alpha, const char *readout_path, double *score)
{
    double *F = NULL;
    size_t p = 0;
    dtb_status st = features(r, net, w_hat, alpha, r->task.u, r->task.T, r->task.C, &F, &p);
    dtb__readout ro;
    int fitted = 0;
    if (!st) {
        st = dtb__readout_fit(&r->task, F, p, r->logistic, &ro, score);
        fitted = !st;
    }
    if (!st && readout_path) {
        char about[256];
        snprintf(about, sizeof about, "task=%s alpha=%.17g network=%s readout=%s",
                 r->task_name ? r->task_name : "data", alpha, net == r->atlas ? "atlas" : dtb_atlas_name(net),
                 r->logistic ? "logistic" : "ridge");
        st = dtb__readout_save(&ro, readout_path, about);
    }
    if (fitted)   /* saved or not */
        dtb__readout_free(&ro);
    free(F);
    return st;
}

static dtb_status normalised(const dtb_reservoir *r, const dtb_atlas *net, double **w_hat)
{
    *w_hat = NULL;
    if (r->kind != DTB__RES_ESN)
        return DTB_OK;
    const size_t n = (size_t)net->n;
    *w_hat = dtb__malloc_array(n * n, sizeof **w_hat);
    if (!*w_hat)
        return DTB_ENOMEM;
    dtb_status st = dtb__spectral_normalise(net->weights, n, *w_hat, NULL);
    if (st) {
        free(*w_hat);
        *w_hat = NULL;
    }
    return st;
}

static dtb_status check_alpha(double alpha)
{
    return isfinite(alpha) && alpha >= 0 ? DTB_OK
                                         : dtb__error(DTB_EINVAL, "alpha: %g is not a number >= 0",
                                                      alpha);
}

static dtb_status check_network(const dtb_reservoir *r, int64_t k)
{
    if (k >= -1 && k < r->n_nulls)
        return DTB_OK;
    if (!r->n_nulls)
        return dtb__error(DTB_EINVAL, "network %lld: -1 (the atlas); no nulls are set "
                                      "(dtb_reservoir_set_nulls)", (long long)k);
    return dtb__error(DTB_EINVAL, "network %lld: -1 (the atlas) or a null from 0 to %lld",
                      (long long)k, (long long)r->n_nulls - 1);
}

dtb_status dtb_reservoir_score(dtb_reservoir *r, double alpha, int64_t k, const char *readout_path,
                               double *score_out)
{
    REQUIRE(r, "dtb_reservoir_score");
    if (!score_out)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_score: score_out is NULL");
    *score_out = NAN;
    dtb_status st = check_alpha(alpha);
    if (!st)
        st = check_network(r, k);
    if (!st)
        st = prepare(r);
    const dtb_atlas *net = NULL;
    dtb_atlas *own = NULL;
    double *w_hat = NULL;
    if (!st)
        st = network(r, k, &net, &own);
    if (!st)
        st = normalised(r, net, &w_hat);
    if (!st)
        st = score_network(r, net, w_hat, alpha, readout_path, score_out);
    free(w_hat);
    dtb_atlas_free(own);
    return st;
}

dtb_status dtb_reservoir_states(dtb_reservoir *r, double alpha, int64_t k, const double *u, size_t T,
                                size_t C, double *buf, size_t capacity, size_t *needed_out)
{
    REQUIRE(r, "dtb_reservoir_states");
    if (!u || !T || !C)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_states: no input (u NULL or empty)");
    if (T > (size_t)100000000 || C > (size_t)1000000 || T > SIZE_MAX / C / (size_t)r->atlas->n)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_states: %zu steps x %zu channels is too many",
                          T, C);
    for (size_t i = 0; i < T * C; i++)
        if (!isfinite(u[i]))
            return dtb__error(DTB_EINVAL, "dtb_reservoir_states: input row %zu is not finite", i / C);
    dtb_status st = check_alpha(alpha);
    if (!st)
        st = check_network(r, k);
    if (!st)
        st = prepare(r);
    const dtb_atlas *net = NULL;
    dtb_atlas *own = NULL;
    double *w_hat = NULL, *X = NULL;
    size_t cols = (size_t)r->atlas->n;
    if (!st)
        st = network(r, k, &net, &own);
    if (!st)
        st = normalised(r, net, &w_hat);
    if (!st && r->kind == DTB__RES_ESN) {
        if (!(X = dtb__malloc_array(T * cols, sizeof *X)))
            st = DTB_ENOMEM;
        else
            dtb__esn_run(w_hat, cols, alpha, r->activation, r->in, r->n_in, u, T, C, X);
    } else if (!st)
        st = dtb__sim_reservoir_states(r, net, alpha, u, T, C, &X, &cols);
    if (!st)
        st = dtb__copy_out("dtb_reservoir_states", X, T * cols, sizeof *buf, buf, capacity,
                           needed_out);
    free(X);
    free(w_hat);
    dtb_atlas_free(own);
    return st;
}

dtb_status dtb_readout_predict(const char *path, const double *states, size_t T, size_t n_features,
                               double *buf, size_t capacity, size_t *needed_out)
{
    if (!path || !states || !T)
        return dtb__error(DTB_EINVAL, "dtb_readout_predict: path or states missing");
    dtb__readout ro;
    dtb_status st = dtb__readout_load(path, &ro);
    if (st)
        return st;
    if (ro.p != n_features)
        st = dtb__error(DTB_EINVAL, "dtb_readout_predict: %s reads %zu features, the states have %zu",
                        path, ro.p, n_features);
    double *y = st ? NULL : dtb__malloc_array(T * ro.q, sizeof *y);
    if (!st && !y)
        st = DTB_ENOMEM;
    if (!st) {
        dtb__readout_apply(&ro, states, T, y);
        st = dtb__copy_out("dtb_readout_predict", y, T * ro.q, sizeof *buf, buf, capacity,
                           needed_out);
    }
    free(y);
    dtb__readout_free(&ro);
    return st;
}

/* --------------------------------------------------------------- runs */

/* One job: network values[0] at every alpha. */
static dtb_status run_jobs(void *ctx, const dtb__job *jobs, size_t n, dtb__job_result *results,
                           size_t batch_max, const volatile int *stop)
{
    (void)batch_max;
    const dtb_reservoir *r = ctx;
    for (size_t j = 0; j < n; j++) {
        if (stop && *stop)
            return dtb__error(DTB_ECANCELLED, "stopped");
        dtb__job_result *res = &results[j];
        res->id = jobs[j].id;
        res->status = DTB_OK;
        res->message[0] = '\0';
        res->seconds = 0;
        const int64_t k = (int64_t)jobs[j].values[0];
        const dtb_atlas *net = NULL;
        dtb_atlas *own = NULL;
        double *w_hat = NULL;
        dtb_status st = network(r, k, &net, &own);
        if (!st)
            st = normalised(r, net, &w_hat);
        for (size_t a = 0; a < r->n_alphas; a++)
            res->scores[a] = NAN;
        for (size_t a = 0; !st && a < r->n_alphas; a++) {
            if (stop && *stop)
                st = dtb__error(DTB_ECANCELLED, "stopped");
            else
                st = score_network(r, net, w_hat, r->alphas[a], NULL, &res->scores[a]);
        }
        if (st == DTB_ECANCELLED) {
            free(w_hat);
            dtb_atlas_free(own);
            return st;
        }
        if (st) {
            res->status = st;
            snprintf(res->message, sizeof res->message, "%s", dtb_last_error_message());
        }
        free(w_hat);
        dtb_atlas_free(own);
    }
    return DTB_OK;
}

void dtb_reservoir_request_stop(dtb_reservoir *r)
{
    if (r)
        r->stop = 1;
}

typedef struct run_ctx {
    dtb_reservoir *r;
    dtb__session *s;
    dtb__table table;
    int has_table;
    int64_t done, total;
    dtb_status write_error;
    char write_message[512];   /* its message (the run's own "stopped" follows it) */
    dtb_status job_error;      /* the first network that failed stops the run */
    char job_message[512];
} run_ctx;

static int on_result(const dtb__job_result *res, void *ud)
{
    run_ctx *c = ud;
    dtb_reservoir *r = c->r;
    const int64_t k = res->id;   /* -1 .. n_nulls - 1 */
    for (size_t a = 0; a < r->n_alphas; a++) {
        r->scores[a * (size_t)(1 + r->n_nulls) + (size_t)(k + 1)] = res->scores[a];
        if (c->has_table && !c->write_error && !res->status) {
            dtb__row row = {0};
            dtb__row_number(&row, r->alphas[a]);
            if (k < 0)
                dtb__row_text(&row, "empirical");
            else
                dtb__row_int(&row, k);
            dtb__row_number(&row, res->scores[a]);
            if ((c->write_error = dtb__table_write(&c->table, &row)))
                snprintf(c->write_message, sizeof c->write_message, "%s",
                         dtb_last_error_message());
        }
    }
    c->done++;
    if (res->status && !c->job_error) {
        /* A network that cannot be built or scored (a null model the
         * connectome does not admit, a diverging simulation) fails the
         * same way for the rest: stop and say why rather than fill the
         * table with NaN. */
        c->job_error = res->status;
        if (k < 0)
            snprintf(c->job_message, sizeof c->job_message, "the connectome: %s", res->message);
        else
            snprintf(c->job_message, sizeof c->job_message, "null %lld: %s", (long long)k,
                     res->message);
    }
    if (c->write_error || c->job_error)
        return 1;
    const dtb_explore_options *o = &c->s->opts;
    return o->progress && o->progress(c->done, c->total, o->user_data) ? 1 : 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double dtb_reservoir_result(const dtb_reservoir *r, size_t a, int64_t k)
{
    if (!r || a >= r->n_alphas || k < -1 || k >= r->n_nulls)
        return NAN;
    return r->scores[a * (size_t)(1 + r->n_nulls) + (size_t)(k + 1)];
}

double dtb_reservoir_percentile(const dtb_reservoir *r, size_t a)
{
    if (!r || a >= r->n_alphas || !r->n_nulls)
        return NAN;
    const double *row = r->scores + a * (size_t)(1 + r->n_nulls);
    const double e = row[0];
    if (isnan(e))
        return NAN;
    double below = 0;
    int64_t counted = 0;
    for (int64_t k = 0; k < r->n_nulls; k++) {
        double v = row[k + 1];
        if (isnan(v))
            continue;
        counted++;
        below += v < e ? 1.0 : v == e ? 0.5 : 0.0;
    }
    return counted ? 100.0 * below / (double)counted : NAN;
}

/* reservoir.svg: the atlas' curve over its nulls' 5-95 % band and median. */
static dtb_status write_figure(const dtb_reservoir *r, const char *dir)
{
    const size_t na = r->n_alphas, nn = (size_t)r->n_nulls;
    double *emp = dtb__malloc_array(na, sizeof *emp), *lo = dtb__malloc_array(na, sizeof *lo);
    double *hi = dtb__malloc_array(na, sizeof *hi), *med = dtb__malloc_array(na, sizeof *med);
    double *v = dtb__malloc_array(nn + 1, sizeof *v);
    char *path = dtb__asprintf("%s/reservoir.svg", dir);
    dtb_status st = emp && lo && hi && med && v && path ? DTB_OK : DTB_ENOMEM;
    for (size_t a = 0; !st && a < na; a++) {
        emp[a] = dtb_reservoir_result(r, a, -1);
        size_t m = 0;
        for (size_t k = 0; k < nn; k++) {
            double x = dtb_reservoir_result(r, a, (int64_t)k);
            if (!isnan(x))
                v[m++] = x;
        }
        qsort(v, m, sizeof *v, cmp_double);
        lo[a] = m ? v[(size_t)(0.05 * (double)(m - 1))] : NAN;
        hi[a] = m ? v[(size_t)ceil(0.95 * (double)(m - 1))] : NAN;
        med[a] = m ? v[(m - 1) / 2] : NAN;
    }
    char title[256];
    snprintf(title, sizeof title, "%s: the connectome (%s) against %lld nulls",
             r->task_name ? r->task_name : "task", dtb_atlas_name(r->atlas), (long long)r->n_nulls);
    dtb__series series[4] = {{"connectome", r->alphas, emp, na}, {"nulls: median", r->alphas, med, na},
                             {"nulls: 5 %", r->alphas, lo, na}, {"nulls: 95 %", r->alphas, hi, na}};
    dtb__line_plot plot = {title, "alpha", "score", series, nn ? 4 : 1, 0};
    if (!st)
        st = dtb__plot_lines(path, &plot);
    free(emp);
    free(lo);
    free(hi);
    free(med);
    free(v);
    free(path);
    return st;
}

static dtb_status describe(const dtb_reservoir *r, dtb__session *s)
{
    char num[64];
    dtb_status st = DTB_OK;
    if (r->kind == DTB__RES_SIM) {
        st = dtb__session_add_experiment(s, r->exp);
        if (!st)
            st = dtb__session_add_setting(s, "into", r->into);
        if (!st)
            st = dtb__session_add_setting(s, "observe", r->observe);
        dtb__number_text(num, sizeof num, r->period);
        if (!st)
            st = dtb__session_add_setting(s, "period", num);
        dtb__number_text(num, sizeof num, r->scale);
        if (!st)
            st = dtb__session_add_setting(s, "scale", num);
    } else {
        st = dtb__session_add_setting(s, "atlas", dtb_atlas_name(r->atlas));
        static const char *const acts[] = {"tanh", "identity", "sigmoid"};
        if (!st)
            st = dtb__session_add_setting(s, "activation", acts[r->activation]);
    }
    if (!st)
        st = dtb__session_add_setting(s, "task", r->task_name ? r->task_name : "data");
    snprintf(num, sizeof num, "%lld %lld", (long long)r->steps, (long long)r->delays);
    if (!st)
        st = dtb__session_add_setting(s, "steps-delays", num);
    if (!st)
        st = dtb__session_add_setting(s, "input-regions", r->input_spec ? r->input_spec : "");
    if (!st)
        st = dtb__session_add_setting(s, "output-regions", r->output_spec ? r->output_spec : "");
    snprintf(num, sizeof num, "%d %lld", (int)r->null_model, (long long)r->n_nulls);
    if (!st)
        st = dtb__session_add_setting(s, "nulls", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)r->seed);
    if (!st)
        st = dtb__session_add_setting(s, "seed", num);
    for (size_t a = 0; !st && a < r->n_alphas; a++) {
        dtb__number_text(num, sizeof num, r->alphas[a]);
        st = dtb__session_add_setting(s, "alpha", num);
    }
    if (!st)
        st = dtb__session_add_setting(s, "readout", r->logistic ? "logistic" : "ridge");
    return st;
}

static const char *const columns[] = {"alpha", "network", "score"};

/* The rows a folder holds: every network whose alphas are all there is
 * done. */
static dtb_status load_rows(dtb_reservoir *r, const char *path, unsigned char *done)
{
    char **cells = NULL;
    size_t rows = 0, whole = 0;
    dtb_status st = dtb__table_read_expected(path, "reservoir", columns, 3, &cells, &rows, &whole);
    const size_t per = (size_t)(1 + r->n_nulls);
    size_t *count = st ? NULL : dtb__calloc(per, sizeof *count);
    if (!st && !count)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < rows; i++) {
        double alpha, score = NAN;
        int64_t k = -1;
        char **row = cells + i * 3;
        size_t a = 0;
        int ok = dtb__parse_double(row[0], &alpha) &&
                 (!strcmp(row[1], "empirical") || (dtb__parse_int64(row[1], &k) && k >= 0 &&
                                                   k < r->n_nulls));
        while (ok && a < r->n_alphas && r->alphas[a] != alpha)
            a++;
        if (!ok || a == r->n_alphas) {
            st = dtb__error(DTB_EPARSE, "%s:%zu: not a row of this run", path, i + 2);
            break;
        }
        if (strcmp(row[2], "nan"))
            dtb__parse_double(row[2], &score);
        r->scores[a * per + (size_t)(k + 1)] = score;
        count[k + 1]++;
    }
    for (size_t k = 0; !st && k < per; k++)
        done[k] = count[k] >= r->n_alphas;
    dtb__strings_free(cells, rows * 3);
    free(count);
    if (!st && truncate(path, (off_t)whole) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot cut its last, incomplete line: %s", path,
                        strerror(errno));
    return st;
}

static dtb_status run_leader(dtb_reservoir *r, dtb__session *s, const dtb__executor *x)
{
    const size_t per = (size_t)(1 + r->n_nulls);
    unsigned char *done = dtb__calloc(per, 1);
    dtb__job *jobs = dtb__calloc(per, sizeof *jobs);
    dtb__job_result *results = dtb__calloc(per, sizeof *results);
    double *values = dtb__calloc(per, sizeof *values);
    double *scores = dtb__calloc(per * r->n_alphas, sizeof *scores);
    run_ctx c = {0};
    c.r = r;
    c.s = s;
    dtb_status st = done && jobs && results && values && scores ? DTB_OK : DTB_ENOMEM;
    char *table_path = NULL;
    int resume = 0;
    if (!st && s->opts.out_dir) {
        st = describe(r, s);
        if (!st)
            st = dtb__session_prepare_dir(s, r->exp ? r->exp : NULL, "reservoir.csv", &resume);
        table_path = st ? NULL : dtb__asprintf("%s/reservoir.csv", s->opts.out_dir);
        if (!st && !table_path)
            st = DTB_ENOMEM;
        if (!st && resume)
            st = load_rows(r, table_path, done);
        if (!st)
            st = dtb__table_open(&c.table, table_path, columns, 3, resume);
        c.has_table = !st;
    }
    size_t n_jobs = 0;
    for (size_t k = 0; !st && k < per; k++) {
        if (done[k])
            continue;
        values[n_jobs] = (double)k - 1;
        jobs[n_jobs] = (dtb__job){(int64_t)k - 1, 0, &values[n_jobs]};
        results[n_jobs].scores = scores + n_jobs * r->n_alphas;
        n_jobs++;
    }
    c.total = (int64_t)per;
    c.done = (int64_t)(per - n_jobs);
    if (!st && n_jobs) {
        s->runner.on_result = on_result;
        s->runner.user_data = &c;
        st = dtb__run_jobs(x, jobs, n_jobs, &s->runner, results);
        if (c.write_error)
            st = dtb__error(c.write_error, "%s", c.write_message);
        else if (c.job_error)
            st = dtb__error(c.job_error, "dtb_reservoir_run: %s", c.job_message);
    }
    char saved[512];
    snprintf(saved, sizeof saved, "%s", st ? dtb_last_error_message() : "");
    if (c.has_table) {
        /* the rows on disk (one per network and alpha), which a failed
         * write may make fewer than the networks done */
        int64_t rows = dtb__table_rows(&c.table);
        dtb_status cs = dtb__table_close(&c.table);
        if (!st && cs) {
            st = cs;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        dtb_status fs = write_figure(r, s->opts.out_dir);
        if (!st && fs) {
            st = fs;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        dtb__problem none = {0};
        none.base_seed = r->seed;
        char extra[160];
        snprintf(extra, sizeof extra, "  \"networks\": %lld,\n  \"alphas\": %zu,\n"
                                      "  \"figure\": \"reservoir.svg\"",
                 (long long)per, r->n_alphas);
        dtb__session_write_provenance(s, &none, "reservoir.csv", rows,
                                      (int64_t)(per * r->n_alphas), st, extra);
    }
    if (st)
        dtb__error(st, "%s", saved[0] ? saved : dtb_status_string(st));
    free(table_path);
    free(done);
    free(jobs);
    free(results);
    free(values);
    free(scores);
    return st;
}

dtb_status dtb_reservoir_run(dtb_reservoir *r, const double *alphas, size_t n_alphas,
                             const dtb_explore_options *opts)
{
    REQUIRE(r, "dtb_reservoir_run");
    if (!alphas || !n_alphas || n_alphas > 100000)
        return dtb__error(DTB_EINVAL, "dtb_reservoir_run: 1 to 10^5 alphas");
    for (size_t a = 0; a < n_alphas; a++) {
        dtb_status st = check_alpha(alphas[a]);
        if (st)
            return st;
    }
    clear_results(r);
    r->alphas = dtb__malloc_array(n_alphas, sizeof *r->alphas);
    r->scores = dtb__malloc_array(n_alphas * (size_t)(1 + r->n_nulls), sizeof *r->scores);
    if (!r->alphas || !r->scores) {
        clear_results(r);
        return DTB_ENOMEM;
    }
    memcpy(r->alphas, alphas, n_alphas * sizeof *alphas);
    r->n_alphas = n_alphas;
    for (size_t i = 0; i < n_alphas * (size_t)(1 + r->n_nulls); i++)
        r->scores[i] = NAN;
    r->stop = 0;
    dtb__session s;
    dtb_status st = dtb__session_open(&s, "reservoir", opts);
    s.runner.stop = &r->stop;
    /* Networks are never batched: one per hand-out, so that each is
     * reported (progress, the table, a stop request) as it ends. */
    s.runner.batch = 1;
    if (!st)
        st = prepare(r);
    const dtb__executor x = {r, 1, n_alphas, run_jobs,
                             st ? (dtb_last_error_code() ? dtb_last_error_code() : DTB_ERROR) : DTB_OK};
    if (!dtb__session_leads(&s))
        st = dtb__mpi_serve(&x, &s.runner);
    else {
        if (!st)
            st = run_leader(r, &s, &x);
        if (s.runner.use_mpi)
            dtb__mpi_release(&s.runner);
    }
    dtb__session_close(&s);
    return st;
}
