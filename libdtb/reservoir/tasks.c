/* libdtb — reservoir tasks: seeded generators of input and target
 * sequences.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   memory-capacity  u ~ U[-1, 1] i.i.d.; targets u(t - k), k = 1..K
 *                    (Jaeger 2001); default 4000 steps, washout 200
 *   narma10          u ~ U[0, 0.5]; y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i<10}
 *                    y(t-i) + 1.5 u(t-9) u(t) + 0.1 (Atiya & Parlos 2000)
 *   sine-square      u = sin(2 pi t / 25); target the square wave sign(u)
 *   decision         trials of 20 steps: fixation 5, evidence 10 (two
 *                    channels 0.5 +- coherence x s + noise 0.1, coherence
 *                    0.05 .. 0.4, s = +-1), decision 5: which channel was
 *                    larger (NeuroGym's perceptual decision making)
 *   go-nogo          trials of 20: fixation 5, cue 3 (go on channel 0, no-go
 *                    on channel 1), delay 7, response 5: go or not
 *   dms              trials of 25: fixation 3, sample 4 (channel 0 or 1),
 *                    delay 8, test 4, decision 6: match or not
 * Classification targets are scored at the decision steps only; the first
 * two trials are a washout. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/rng.h"
#include "reservoir.h"

static const char *const names[] = {"memory-capacity", "narma10", "sine-square", "decision",
                                    "go-nogo", "dms", NULL};

const char *const *dtb__task_names(void) { return names; }

void dtb__task_free(dtb__task_data *t)
{
    free(t->u);
    free(t->y);
    free(t->scored);
    memset(t, 0, sizeof *t);
}

static dtb_status alloc(dtb__task_data *t, size_t T, size_t C, size_t Q)
{
    t->T = T;
    t->C = C;
    t->Q = Q;
    t->u = dtb__calloc(T * C, sizeof *t->u);
    t->y = dtb__calloc(T * Q, sizeof *t->y);
    t->scored = dtb__calloc(T, 1);
    if (!t->u || !t->y || !t->scored) {
        dtb__task_free(t);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

static double uniform(dtb__rng *r, double lo, double hi) { return lo + (hi - lo) * dtb__rng_uniform(r); }

static dtb_status memory_capacity(const dtb__task_params *p, dtb__task_data *t, dtb__rng *r)
{
    size_t T = p->steps ? (size_t)p->steps : 4000, washout = p->washout ? (size_t)p->washout : 200;
    size_t K = p->delays ? (size_t)p->delays : (p->n_outputs ? 2 * p->n_outputs : 100);
    if (!p->delays && K > 100)
        K = 100;
    if (K > 400 || K >= T / 2)
        return dtb__error(DTB_EINVAL, "memory-capacity: %zu delays for %zu steps (at most 400, and "
                                      "fewer than half the steps)", K, T);
    dtb_status st = alloc(t, T, 1, K);
    if (st)
        return st;
    t->kind = DTB__TASK_REGRESSION;
    t->sum_r2 = 1;
    for (size_t s = 0; s < T; s++)
        t->u[s] = uniform(r, -1, 1);
    for (size_t s = 0; s < T; s++) {
        for (size_t k = 1; k <= K; k++)
            t->y[s * K + k - 1] = s >= k ? t->u[s - k] : 0.0;
        t->scored[s] = s >= washout && s >= K;
    }
    return DTB_OK;
}

static dtb_status narma10(const dtb__task_params *p, dtb__task_data *t, dtb__rng *r)
{
    size_t T = p->steps ? (size_t)p->steps : 4000, washout = p->washout ? (size_t)p->washout : 200;
    dtb_status st = alloc(t, T, 1, 1);
    if (st)
        return st;
    t->kind = DTB__TASK_REGRESSION;
    for (size_t s = 0; s < T; s++)
        t->u[s] = uniform(r, 0, 0.5);
    for (size_t s = 0; s + 1 < T; s++) {
        double sum = 0;
        for (size_t i = 0; i < 10 && i <= s; i++)
            sum += t->y[s - i];
        double u9 = s >= 9 ? t->u[s - 9] : 0.0;
        t->y[s + 1] = 0.3 * t->y[s] + 0.05 * t->y[s] * sum + 1.5 * u9 * t->u[s] + 0.1;
    }
    for (size_t s = 0; s < T; s++) {
        if (!isfinite(t->y[s]) || fabs(t->y[s]) > 1e6) {   /* NARMA-10 can diverge for some inputs */
            dtb__task_free(t);
            return dtb__error(DTB_ENUMERIC, "narma10: the series diverges at step %zu for seed "
                                            "%llu; try another seed", s,
                              (unsigned long long)p->seed);
        }
        t->scored[s] = s >= washout;
    }
    return DTB_OK;
}

static dtb_status sine_square(const dtb__task_params *p, dtb__task_data *t)
{
    size_t T = p->steps ? (size_t)p->steps : 2000, washout = p->washout ? (size_t)p->washout : 100;
    dtb_status st = alloc(t, T, 1, 1);
    if (st)
        return st;
    t->kind = DTB__TASK_REGRESSION;
    const double pi = 3.14159265358979323846;
    for (size_t s = 0; s < T; s++) {
        t->u[s] = sin(2 * pi * (double)s / 25.0);
        t->y[s] = t->u[s] > 0 ? 1.0 : t->u[s] < 0 ? -1.0 : 0.0;
        t->scored[s] = s >= washout;
    }
    return DTB_OK;
}

/* Trial tasks: every trial lays its inputs and its class at decision steps. */
typedef enum trial_kind { DECISION, GO_NOGO, DMS } trial_kind;

static dtb_status trials(trial_kind kind, const dtb__task_params *p, dtb__task_data *t, dtb__rng *r)
{
    const size_t L = kind == DMS ? 25 : 20;
    size_t T = p->steps ? (size_t)p->steps : 200 * L;
    size_t n_trials = T / L;
    if (n_trials < 10)
        return dtb__error(DTB_EINVAL, "task: %zu steps hold fewer than 10 trials of %zu steps", T, L);
    T = n_trials * L;
    dtb_status st = alloc(t, T, 2, 1);
    if (st)
        return st;
    t->kind = DTB__TASK_CLASSIFICATION;
    t->n_classes = 2;
    static const double coherences[4] = {0.05, 0.1, 0.2, 0.4};
    for (size_t s = 0; s < T; s++)
        t->y[s] = -1;
    for (size_t k = 0; k < n_trials; k++) {
        double *u = t->u + k * L * 2, *y = t->y + k * L;
        unsigned char *scored = t->scored + k * L;
        size_t decide_from = 0;
        int cls = 0;
        if (kind == DECISION) {
            int s = dtb__rng_uniform(r) < 0.5 ? 1 : -1;
            double c = coherences[(size_t)(dtb__rng_uniform(r) * 4) % 4];
            for (size_t i = 5; i < 15; i++) {
                u[i * 2] = 0.5 + c * s + 0.1 * dtb__rng_normal(r);
                u[i * 2 + 1] = 0.5 - c * s + 0.1 * dtb__rng_normal(r);
            }
            cls = s > 0 ? 0 : 1;
            decide_from = 15;
        } else if (kind == GO_NOGO) {
            int go = dtb__rng_uniform(r) < 0.5;
            for (size_t i = 5; i < 8; i++)
                u[i * 2 + (go ? 0 : 1)] = 1.0;
            cls = go;
            decide_from = 15;
        } else {
            int sample = dtb__rng_uniform(r) < 0.5, test = dtb__rng_uniform(r) < 0.5;
            for (size_t i = 3; i < 7; i++)
                u[i * 2 + (size_t)sample] = 1.0;
            for (size_t i = 15; i < 19; i++)
                u[i * 2 + (size_t)test] = 1.0;
            cls = sample == test;
            decide_from = 19;
        }
        for (size_t i = decide_from; i < L; i++) {
            y[i] = cls;
            scored[i] = k >= 2;
        }
    }
    return DTB_OK;
}

dtb_status dtb__task_make(const char *name, const dtb__task_params *p, dtb__task_data *out)
{
    memset(out, 0, sizeof *out);
    if (p->steps && p->steps < 200)
        return dtb__error(DTB_EINVAL, "task %s: %lld steps; at least 200", name ? name : "",
                          (long long)p->steps);
    if (p->steps > 100000000)
        return dtb__error(DTB_EINVAL, "task %s: %lld steps is more than 10^8", name ? name : "",
                          (long long)p->steps);
    if (p->washout < 0 || p->delays < 0)
        return dtb__error(DTB_EINVAL, "task %s: negative washout or delays", name ? name : "");
    dtb__rng r;
    dtb__rng_seed(&r, p->seed);
    if (!name || !strcmp(name, "memory-capacity"))
        return memory_capacity(p, out, &r);
    if (!strcmp(name, "narma10"))
        return narma10(p, out, &r);
    if (!strcmp(name, "sine-square"))
        return sine_square(p, out);
    if (!strcmp(name, "decision"))
        return trials(DECISION, p, out, &r);
    if (!strcmp(name, "go-nogo"))
        return trials(GO_NOGO, p, out, &r);
    if (!strcmp(name, "dms"))
        return trials(DMS, p, out, &r);
    return dtb__error(DTB_EINVAL, "task: unknown '%s' (memory-capacity, narma10, sine-square, "
                                  "decision, go-nogo, dms)", name);
}
