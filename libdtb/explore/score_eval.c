/* libdtb — scores on a running simulation: the observers they read, and
 * their values at the end of the run.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scores that read the same observer spec share one observer ("probe").
 * Matrix observers (fc, fcd, psd) keep their own running result; the
 * signal of metastability goes to memory (a BOLD signal is small); the
 * rates and the stability check sum the signal as it comes, so that a long
 * run costs no memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_analysis.h"
#include "dtb/dtb_observer.h"
#include "observe/observe_spec.h"
#include "score_eval.h"

/* Running sums of a signal after the transient, and its first sample. */
typedef struct accumulator {
    double skip;
    size_t n_cols;
    double *sum, *first;
    int64_t count;
    int has_first;
} accumulator;

static int32_t accumulate(double t, const double *v, size_t n, void *ud)
{
    accumulator *a = ud;
    if (!a->has_first) {
        memcpy(a->first, v, n * sizeof *v);
        a->has_first = 1;
    }
    if (t >= a->skip) {
        for (size_t i = 0; i < n; i++)
            a->sum[i] += v[i];
        a->count++;
    }
    return 0;
}

static void accumulator_free(void *ud)
{
    accumulator *a = ud;
    if (!a)
        return;
    free(a->sum);
    free(a->first);
    free(a);
}

static int uses_accumulator(dtb__score_kind k)
{
    return k == DTB__SCORE_MEAN_RATE || k == DTB__SCORE_MAX_RATE || k == DTB__SCORE_STABLE;
}

void dtb__score_run_free(dtb__score_run *run)
{
    for (size_t i = 0; i < run->n_probes; i++)
        dtb_observer_free(run->probes[i].obs);
    free(run->probes);
    free(run->probe_of);
    memset(run, 0, sizeof *run);
}

static dtb_status attach_probe(dtb_sim *sim, const dtb__score *s, double transient,
                               dtb__probe *probe)
{
    dtb__observe_spec spec;
    dtb_status st = dtb__observe_spec_parse(s->observer, &spec);
    if (st)
        return dtb__error_context(st, "score %s", s->name);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    dtb__observe_spec_options(&spec, &o);
    o.sink = DTB_SINK_MEMORY;
    accumulator *acc = NULL;
    if (uses_accumulator(s->kind)) {
        /* its sums are sized once the observer knows its columns */
        acc = dtb__calloc(1, sizeof *acc);
        if (!acc) {
            dtb__observe_spec_free(&spec);
            return DTB_ENOMEM;
        }
        acc->skip = transient;
        o.sink = DTB_SINK_CALLBACK;
        o.callback = accumulate;
        o.user_data = acc;
        o.destroy = accumulator_free;
    }
    st = dtb_observer_create(&probe->obs, sim, &o);
    dtb__observe_spec_free(&spec);
    if (st) {
        if (acc && !probe->obs)
            accumulator_free(acc);   /* the observer frees it once it exists */
        return dtb__error_context(st, "score %s", s->name);
    }
    probe->acc = acc;
    if (acc) {
        acc->n_cols = (size_t)dtb_observer_column_count(probe->obs);
        acc->sum = dtb__calloc(acc->n_cols + 1, sizeof *acc->sum);
        acc->first = dtb__calloc(acc->n_cols + 1, sizeof *acc->first);
        if (!acc->sum || !acc->first)
            return DTB_ENOMEM;   /* the observer (and acc) go with the run */
    }
    return DTB_OK;
}

dtb_status dtb__scores_attach(const dtb__score *scores, size_t n_scores, double transient,
                              dtb_sim *sim, dtb__score_run *run)
{
    memset(run, 0, sizeof *run);
    run->probes = dtb__calloc(n_scores ? n_scores : 1, sizeof *run->probes);
    run->probe_of = dtb__calloc(n_scores ? n_scores : 1, sizeof *run->probe_of);
    if (!run->probes || !run->probe_of) {
        dtb__score_run_free(run);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < n_scores; i++) {
        size_t j = 0;
        /* share a probe of the same spec (and the same way of keeping it) */
        for (; j < run->n_probes; j++)
            if (strcmp(run->probes[j].spec, scores[i].observer) == 0 &&
                (run->probes[j].acc != NULL) == uses_accumulator(scores[i].kind))
                break;
        if (j == run->n_probes) {
            run->probes[j].spec = scores[i].observer;
            dtb_status st = attach_probe(sim, &scores[i], transient, &run->probes[j]);
            run->n_probes++;
            if (st) {
                dtb__score_run_free(run);
                return st;
            }
        }
        run->probe_of[i] = j;
    }
    return DTB_OK;
}

/* --- values --- */

static double *matrix_result(const dtb_observer *obs, int64_t *rows, int64_t *cols)
{
    if (dtb_observer_result(obs, NULL, 0, rows, cols) || *rows <= 0 || *cols <= 0)
        return NULL;
    double *m = malloc((size_t)(*rows * *cols) * sizeof *m);
    if (m && dtb_observer_result(obs, m, (size_t)(*rows * *cols), NULL, NULL)) {
        free(m);
        return NULL;
    }
    return m;
}

static double fc_score(const dtb__score *s, const dtb_observer *obs)
{
    int64_t rows, cols;
    double *fc = matrix_result(obs, &rows, &cols);
    double v = NAN;
    if (fc && (size_t)rows == s->emp_n) {
        const size_t n = s->emp_n;
        if (s->kind == DTB__SCORE_FC) {
            if (dtb_analysis_fc_fit(&v, fc, s->emp, n))
                v = NAN;
        } else {
            double sum = 0;
            size_t count = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++, count++) {
                    double d = fc[i * n + j] - s->emp[i * n + j];
                    sum += d * d;
                }
            v = count ? sqrt(sum / (double)count) : NAN;
        }
    }
    free(fc);
    return v;
}

static double fcd_score(const dtb__score *s, const dtb_observer *obs)
{
    int64_t rows, cols;
    double *fcd = matrix_result(obs, &rows, &cols);
    double v = NAN;
    if (fcd && rows >= 2) {
        size_t n = (size_t)rows, m = 0;
        double *ut = malloc(n * (n - 1) / 2 * sizeof *ut);
        for (size_t i = 0; ut && i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                ut[m++] = fcd[i * n + j];
        if (ut && dtb_analysis_ks_distance(&v, ut, m, s->emp, s->emp_n))
            v = NAN;
        free(ut);
    }
    free(fcd);
    return v;
}

/* The frequency of the largest mean power above 0 Hz. */
static double psd_peak(const dtb_observer *obs)
{
    int64_t rows, cols;
    double *psd = matrix_result(obs, &rows, &cols);
    double best_f = NAN, best_p = -INFINITY;
    for (int64_t r = 1; psd && r < rows; r++) {
        double p = 0;
        for (int64_t c = 1; c < cols; c++)
            p += psd[r * cols + c];
        if (p > best_p) {
            best_p = p;
            best_f = psd[r * cols];
        }
    }
    free(psd);
    return best_f;
}

static double metastability(const dtb__score *s, dtb_observer *obs, double transient)
{
    const int64_t pending = dtb_observer_pending(obs);
    const int64_t cols = dtb_observer_column_count(obs);
    if (pending < 4 || cols < 2)
        return NAN;
    double *t = malloc((size_t)pending * sizeof *t);
    double *x = malloc((size_t)(pending * cols) * sizeof *x);
    size_t n_read = 0;
    double v = NAN;
    if (t && x && !dtb_observer_read(obs, t, x, (size_t)pending, &n_read) && n_read >= 4) {
        size_t first = 0;
        while (first < n_read && t[first] < transient)
            first++;
        size_t n = n_read - first;
        double *sig = x + first * (size_t)cols;
        double dt = n_read >= 2 ? t[1] - t[0] : 0;
        int ok = n >= 4;
        if (ok && s->band_hi > 0)
            ok = !dtb_analysis_bandpass(sig, sig, n, (size_t)cols, dt, s->band_lo, s->band_hi, 0);
        if (ok && !dtb_analysis_hilbert_phase(sig, sig, n, (size_t)cols) &&
            dtb_analysis_metastability(&v, NULL, sig, n, (size_t)cols))
            v = NAN;
        if (!ok)
            v = NAN;
    }
    dtb_clear_error();
    free(t);
    free(x);
    return v;
}

/* The mean over the run (after the transient) and at its start, over
 * columns; the largest column mean. */
static void rates(const accumulator *a, double *mean, double *max, double *start)
{
    *mean = *max = *start = NAN;
    if (!a || !a->count || !a->n_cols)
        return;
    double sum = 0, best = -INFINITY, s0 = 0;
    for (size_t i = 0; i < a->n_cols; i++) {
        double m = a->sum[i] / (double)a->count;
        sum += m;
        best = m > best ? m : best;
        s0 += a->first[i];
    }
    *mean = sum / (double)a->n_cols;
    *max = best;
    *start = s0 / (double)a->n_cols;
}

/* Stayed within a factor of its start: both positive and their ratio at
 * most f, or (a start of zero or below) a change of at most (f - 1) |start|. */
static double stable(double mean, double start, double f)
{
    if (isnan(mean) || isnan(start))
        return NAN;
    if (mean > 0 && start > 0)
        return (mean > start ? mean / start : start / mean) <= f ? 1.0 : 0.0;
    return fabs(mean - start) <= (f - 1) * fabs(start) ? 1.0 : 0.0;
}

void dtb__scores_compute(const dtb__score *scores, size_t n_scores, double transient,
                         dtb__score_run *run, double *values)
{
    for (size_t i = 0; i < n_scores; i++) {
        const dtb__score *s = &scores[i];
        dtb__probe *probe = &run->probes[run->probe_of[i]];
        double mean, max, start;
        switch (s->kind) {
        case DTB__SCORE_FC:
        case DTB__SCORE_FC_RMSE: values[i] = fc_score(s, probe->obs); break;
        case DTB__SCORE_FCD_KS: values[i] = fcd_score(s, probe->obs); break;
        case DTB__SCORE_PSD_PEAK: values[i] = psd_peak(probe->obs); break;
        case DTB__SCORE_METASTABILITY:
            /* the samples are read once; a second score of the same probe
             * gets the value computed for the first */
            if (!probe->done) {
                probe->value = metastability(s, probe->obs, transient);
                probe->done = 1;
            }
            values[i] = probe->value;
            break;
        default:
            rates(probe->acc, &mean, &max, &start);
            values[i] = s->kind == DTB__SCORE_MEAN_RATE  ? mean
                        : s->kind == DTB__SCORE_MAX_RATE ? max
                                                         : stable(mean, start, s->factor);
            break;
        }
    }
    dtb_clear_error();
}
