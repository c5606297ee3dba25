/* libdtb — dtb_fit: the settings of an experiment that maximise an
 * objective of its scores (dtb_explore.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The optimiser (optim.h) works in the box of the free settings and asks
 * for batches of candidates (a CMA-ES generation, a grid chunk, one point
 * for NLopt); each batch runs through the same runner as a sweep (threads,
 * lockstep batches, MPI ranks). Candidate e with repeat r runs with the
 * seed derived from the base seed and e * R + r: the same candidates get
 * the same numbers whatever ran them, so a fit is reproducible, and a
 * rerun on its folder replays the evaluations fit.csv holds instead of
 * simulating them again, then goes on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "explore.h"
#include "io/text_matrix.h"
#include "optim.h"
#include "plot/plot.h"
#include "session.h"

typedef struct evaluation {
    double *values;           /* n_knobs */
    double *scores;           /* n_scores, averaged over the repeats */
    double objective;         /* NaN: failed, unstable or undefined */
    char *status;
    double seconds;
} evaluation;

struct dtb_fit {
    dtb__problem prob;
    double *lo, *hi;
    char *objective_text;
    dtb__objective *objective;
    char *method;
    int64_t budget;
    int32_t repeats;
    int prepared;
    volatile int stop;
    /* the run */
    evaluation *evals;
    int64_t n_evals, cap_evals;
    int64_t best;             /* index into evals, -1: none */
    /* replay of a folder's fit.csv */
    evaluation *replay;
    int64_t n_replay;
};

#define REQUIRE(f, fn) \
    do { \
        if (!(f)) \
            return dtb__error(DTB_EINVAL, "%s: fit is NULL", fn); \
    } while (0)

static void evaluation_free(evaluation *e)
{
    free(e->values);
    free(e->scores);
    free(e->status);
}

static void clear_run(dtb_fit *f)
{
    for (int64_t i = 0; i < f->n_evals; i++)
        evaluation_free(&f->evals[i]);
    free(f->evals);
    f->evals = NULL;
    f->n_evals = f->cap_evals = 0;
    f->best = -1;
    for (int64_t i = 0; i < f->n_replay; i++)
        evaluation_free(&f->replay[i]);
    free(f->replay);
    f->replay = NULL;
    f->n_replay = 0;
}

dtb_status dtb_fit_create(dtb_fit **out, const dtb_experiment *exp)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_fit_create: out is NULL");
    *out = NULL;
    dtb_fit *f = dtb__calloc(1, sizeof *f);
    if (!f)
        return DTB_ENOMEM;
    dtb_status st = dtb__problem_init(&f->prob, exp);
    if (st) {
        free(f);
        return st;
    }
    f->prob.points_prefix = "evaluations";
    f->budget = 200;
    f->repeats = 1;
    f->best = -1;
    *out = f;
    return DTB_OK;
}

void dtb_fit_free(dtb_fit *f)
{
    if (!f)
        return;
    clear_run(f);
    dtb__problem_free(&f->prob);
    dtb__objective_free(f->objective);
    free(f->objective_text);
    free(f->method);
    free(f->lo);
    free(f->hi);
    free(f);
}

static void changed(dtb_fit *f)
{
    f->prepared = 0;
    clear_run(f);
}

dtb_status dtb_fit_add_free(dtb_fit *f, const char *name, double lo, double hi)
{
    REQUIRE(f, "dtb_fit_add_free");
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return dtb__error(DTB_EINVAL, "free %s=%g:%g: LO must be below HI (both finite)",
                          name ? name : "", lo, hi);
    dtb__knob k;
    dtb_status st = dtb__knob_parse("free", name, &k);
    if (!st)
        st = dtb__knob_check_value("free", &k, lo);
    if (!st)
        st = dtb__knob_check_value("free", &k, hi);
    if (!st && k.kind == DTB__KNOB_SEED)
        st = dtb__error(DTB_EINVAL, "free seed: a seed is not fitted (use repeats to average seeds)");
    dtb__knob_free(&k);
    double *l = st ? NULL : dtb__realloc_array(f->lo, f->prob.n_knobs + 1, sizeof *l);
    if (l)
        f->lo = l;
    double *h = l ? dtb__realloc_array(f->hi, f->prob.n_knobs + 1, sizeof *h) : NULL;
    if (h)
        f->hi = h;
    if (!st && (!l || !h))
        st = DTB_ENOMEM;
    if (!st)
        st = dtb__problem_add_knob(&f->prob, "free", name, NULL);
    if (st)
        return st;
    f->lo[f->prob.n_knobs - 1] = lo;
    f->hi[f->prob.n_knobs - 1] = hi;
    changed(f);
    return DTB_OK;
}

dtb_status dtb_fit_add_score(dtb_fit *f, const char *spec)
{
    REQUIRE(f, "dtb_fit_add_score");
    dtb_status st = dtb__problem_add_score(&f->prob, spec);
    if (!st)
        changed(f);
    return st;
}

dtb_status dtb_fit_set_empirical_bold(dtb_fit *f, const char *path)
{
    REQUIRE(f, "dtb_fit_set_empirical_bold");
    dtb_status st = dtb__problem_set_empirical_bold(&f->prob, path);
    if (!st)
        changed(f);
    return st;
}

dtb_status dtb_fit_set_transient(dtb_fit *f, double seconds)
{
    REQUIRE(f, "dtb_fit_set_transient");
    dtb_status st = dtb__problem_set_transient(&f->prob, seconds);
    if (!st)
        changed(f);
    return st;
}

dtb_status dtb_fit_set_objective(dtb_fit *f, const char *expression)
{
    REQUIRE(f, "dtb_fit_set_objective");
    if (!expression || !*expression)
        return dtb__error(DTB_EINVAL, "objective: empty expression");
    char *copy = dtb__strdup(expression);
    if (!copy)
        return DTB_ENOMEM;
    free(f->objective_text);
    f->objective_text = copy;
    changed(f);
    return DTB_OK;
}

dtb_status dtb_fit_set_method(dtb_fit *f, const char *method)
{
    REQUIRE(f, "dtb_fit_set_method");
    if (!method || !dtb__optim_method_known(method)) {
        dtb__strbuf b = {0};
        const char *const *names = dtb__optim_method_names();
        for (size_t i = 0; names[i]; i++)
            dtb__strbuf_printf(&b, "%s%s", i ? ", " : "", names[i]);
        dtb_status st = dtb__error(DTB_EINVAL, "method: unknown '%s' (%s)", method ? method : "",
                                   b.data ? b.data : "");
        dtb__strbuf_free(&b);
        return st;
    }
    char *copy = dtb__strdup(method);
    if (!copy)
        return DTB_ENOMEM;
    free(f->method);
    f->method = copy;
    changed(f);
    return DTB_OK;
}

dtb_status dtb_fit_set_budget(dtb_fit *f, int64_t budget)
{
    REQUIRE(f, "dtb_fit_set_budget");
    if (budget < 1 || budget > INT64_MAX / 1024)
        return dtb__error(DTB_EINVAL, "budget: %lld is not a number of evaluations >= 1",
                          (long long)budget);
    f->budget = budget;
    changed(f);
    return DTB_OK;
}

dtb_status dtb_fit_set_repeats(dtb_fit *f, int32_t repeats)
{
    REQUIRE(f, "dtb_fit_set_repeats");
    if (repeats < 1 || repeats > 10000)
        return dtb__error(DTB_EINVAL, "repeats: %d is not a number of seeds from 1 to 10000",
                          (int)repeats);
    f->repeats = repeats;
    changed(f);
    return DTB_OK;
}

/* The default objective: the first score with a direction, signed. */
static char *default_objective(const dtb__problem *p)
{
    for (size_t i = 0; i < p->n_scores; i++) {
        int d = dtb__score_direction(p->scores[i].kind);
        if (d && p->scores[i].kind != DTB__SCORE_STABLE)
            return dtb__asprintf("%s%s", d < 0 ? "-" : "", p->scores[i].name);
    }
    return NULL;
}

dtb_status dtb_fit_prepare(dtb_fit *f)
{
    REQUIRE(f, "dtb_fit_prepare");
    if (f->prepared)
        return DTB_OK;
    if (!f->prob.n_knobs)
        return dtb__error(DTB_EINVAL, "free: nothing to fit (add a free setting)");
    if (!f->prob.n_scores)
        return dtb__error(DTB_EINVAL, "score: nothing to fit to (add a score)");
    if (!f->objective_text && !(f->objective_text = default_objective(&f->prob)))
        return dtb__error(DTB_EINVAL, "objective: no score here says which way is better (fc, "
                                      "fc-rmse, fcd-ks, metastability do); give an objective");
    dtb__objective_free(f->objective);
    f->objective = NULL;
    dtb_status st = dtb__objective_parse(f->objective_text, &f->prob, &f->objective);
    double *mid = st ? NULL : dtb__malloc_array(f->prob.n_knobs, sizeof *mid);
    if (!st && !mid)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < f->prob.n_knobs; i++)
        mid[i] = 0.5 * (f->lo[i] + f->hi[i]);
    if (!st)
        st = dtb__problem_prepare(&f->prob, mid);
    free(mid);
    f->prepared = !st;
    return st;
}

/* ------------------------------------------------------------ queries */

int64_t dtb_fit_free_count(const dtb_fit *f) { return f ? (int64_t)f->prob.n_knobs : -1; }

const char *dtb_fit_free_name(const dtb_fit *f, int64_t i)
{
    return f && i >= 0 && (size_t)i < f->prob.n_knobs ? f->prob.knobs[i].name : NULL;
}

int64_t dtb_fit_score_count(const dtb_fit *f) { return f ? (int64_t)f->prob.n_scores : -1; }

const char *dtb_fit_score_name(const dtb_fit *f, int64_t i)
{
    return f && i >= 0 && (size_t)i < f->prob.n_scores ? f->prob.scores[i].name : NULL;
}

int64_t dtb_fit_evaluation_count(const dtb_fit *f) { return f ? f->n_evals : -1; }

static dtb_status best_or_error(const dtb_fit *f, const char *fn)
{
    if (!f)
        return dtb__error(DTB_EINVAL, "%s: fit is NULL", fn);
    if (f->best < 0)
        return dtb__error(DTB_ESTATE, "%s: no candidate has a value yet (run the fit)", fn);
    return DTB_OK;
}

dtb_status dtb_fit_best_values(const dtb_fit *f, double *buf, size_t capacity, size_t *needed_out)
{
    dtb_status st = best_or_error(f, "dtb_fit_best_values");
    if (st)
        return st;
    return dtb__copy_out("dtb_fit_best_values", f->evals[f->best].values, f->prob.n_knobs,
                         sizeof *buf, buf, capacity, needed_out);
}

dtb_status dtb_fit_best_scores(const dtb_fit *f, double *buf, size_t capacity, size_t *needed_out)
{
    dtb_status st = best_or_error(f, "dtb_fit_best_scores");
    if (st)
        return st;
    return dtb__copy_out("dtb_fit_best_scores", f->evals[f->best].scores, f->prob.n_scores,
                         sizeof *buf, buf, capacity, needed_out);
}

double dtb_fit_best_objective(const dtb_fit *f)
{
    return f && f->best >= 0 ? f->evals[f->best].objective : NAN;
}

static uint64_t eval_seed(const dtb_fit *f, int64_t e, int32_t r)
{
    return dtb__problem_job_seed(&f->prob, e * (int64_t)f->repeats + r);
}

dtb_status dtb_fit_best_experiment(const dtb_fit *f, dtb_experiment **out)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_fit_best_experiment: out is NULL");
    *out = NULL;
    dtb_status st = best_or_error(f, "dtb_fit_best_experiment");
    if (st)
        return st;
    dtb__job j = {f->best, eval_seed(f, f->best, 0), f->evals[f->best].values};
    return dtb__problem_job_experiment(&f->prob, &j, out);
}

void dtb_fit_request_stop(dtb_fit *f)
{
    if (f)
        f->stop = 1;
}

/* ------------------------------------------------------------- the run */

typedef struct run_ctx {
    dtb_fit *f;
    dtb__session *s;
    dtb__table table;
    int has_table;
    int64_t generation;
} run_ctx;

static dtb_status write_row(run_ctx *c, int64_t e)
{
    const dtb_fit *f = c->f;
    const evaluation *ev = &f->evals[e];
    dtb__row r = {0};
    dtb__row_int(&r, e);
    dtb__row_int(&r, c->generation);
    dtb__row_numbers(&r, ev->values, f->prob.n_knobs);
    dtb__row_numbers(&r, ev->scores, f->prob.n_scores);
    dtb__row_number(&r, ev->objective);
    dtb__row_number(&r, f->evals[f->best >= 0 ? f->best : e].objective);
    dtb__row_text(&r, ev->status);
    dtb__row_seconds(&r, ev->seconds);
    return dtb__table_write(&c->table, &r);
}

/* Is the candidate unstable by a stable score? */
static int unstable(const dtb__problem *p, const double *scores)
{
    for (size_t i = 0; i < p->n_scores; i++)
        if (p->scores[i].kind == DTB__SCORE_STABLE && scores[i] == 0.0)
            return 1;
    return 0;
}

/* Record one evaluation (candidate) from its R results. */
static dtb_status record(run_ctx *c, const double *x, const dtb__job_result *res, const evaluation *replayed)
{
    dtb_fit *f = c->f;
    const size_t nk = f->prob.n_knobs, ns = f->prob.n_scores;
    if (f->n_evals == f->cap_evals) {
        int64_t cap = f->cap_evals ? 2 * f->cap_evals : 64;
        evaluation *grown = dtb__realloc_array(f->evals, (size_t)cap, sizeof *grown);
        if (!grown)
            return DTB_ENOMEM;
        f->evals = grown;
        f->cap_evals = cap;
    }
    evaluation *ev = &f->evals[f->n_evals];
    memset(ev, 0, sizeof *ev);
    ev->values = dtb__malloc_array(nk, sizeof *ev->values);
    ev->scores = dtb__malloc_array(ns ? ns : 1, sizeof *ev->scores);
    if (!ev->values || !ev->scores) {
        evaluation_free(ev);
        return DTB_ENOMEM;
    }
    memcpy(ev->values, x, nk * sizeof *x);
    if (replayed) {
        memcpy(ev->scores, replayed->scores, ns * sizeof *ev->scores);
        ev->objective = replayed->objective;
        ev->status = dtb__strdup(replayed->status);
        ev->seconds = replayed->seconds;
    } else {
        /* the mean over the repeats that ran; failed if none did */
        int ok = 0;
        const char *failure = NULL;
        ev->seconds = 0;
        for (size_t i = 0; i < ns; i++)
            ev->scores[i] = 0;
        for (int32_t r = 0; r < f->repeats; r++) {
            ev->seconds += res[r].seconds;
            if (res[r].status) {
                failure = failure ? failure : res[r].message;
                continue;
            }
            ok++;
            for (size_t i = 0; i < ns; i++)
                ev->scores[i] += res[r].scores[i];
        }
        for (size_t i = 0; i < ns; i++)
            ev->scores[i] = ok ? ev->scores[i] / ok : NAN;
        ev->objective = ok && !unstable(&f->prob, ev->scores)
                            ? dtb__objective_eval(f->objective, ev->scores) : NAN;
        ev->status = ok == f->repeats ? dtb__strdup("ok")
                     : ok             ? dtb__asprintf("%d of %d repeats failed: %s",
                                                      (int)(f->repeats - ok), (int)f->repeats, failure)
                                      : dtb__strdup(failure ? failure : "failed");
    }
    if (!ev->status) {
        evaluation_free(ev);
        return DTB_ENOMEM;
    }
    const int64_t e = f->n_evals++;
    if (!isnan(ev->objective) && (f->best < 0 || ev->objective > f->evals[f->best].objective))
        f->best = e;
    dtb_status st = c->has_table ? write_row(c, e) : DTB_OK;
    const dtb_explore_options *o = &c->s->opts;
    if (!st && o->progress && o->progress(f->n_evals, f->budget, o->user_data))
        st = dtb__error(DTB_ECANCELLED, "stopped by the progress callback");
    return st;
}

/* Does a replayed row hold this candidate? (Its values as the table wrote
 * them read back to the same doubles.) */
static const evaluation *replayed(const dtb_fit *f, int64_t e, const double *x)
{
    if (e >= f->n_replay)
        return NULL;
    const evaluation *r = &f->replay[e];
    return memcmp(r->values, x, f->prob.n_knobs * sizeof *x) == 0 ? r : NULL;
}

/* The optimiser's batches: minimise minus the objective. */
static dtb_status evaluate(void *ud, const double *x, size_t n, double *fx)
{
    run_ctx *c = ud;
    dtb_fit *f = c->f;
    const size_t nk = f->prob.n_knobs, ns = f->prob.n_scores, R = (size_t)f->repeats;
    const int64_t first = f->n_evals;
    /* the candidates the folder's table holds need no simulation */
    size_t n_new = 0;
    for (size_t i = 0; i < n; i++)
        n_new += !replayed(f, first + (int64_t)i, x + i * nk);
    dtb__job *jobs = dtb__calloc(n_new * R + 1, sizeof *jobs);
    dtb__job_result *res = dtb__calloc(n * R + 1, sizeof *res);
    double *scores = dtb__calloc((n * R + 1) * (ns ? ns : 1), sizeof *scores);
    size_t *job_of = dtb__calloc(n * R + 1, sizeof *job_of);
    if (!jobs || !res || !scores || !job_of) {
        free(jobs);
        free(res);
        free(scores);
        free(job_of);
        return DTB_ENOMEM;
    }
    size_t nj = 0;
    for (size_t i = 0; i < n; i++) {
        if (replayed(f, first + (int64_t)i, x + i * nk))
            continue;
        for (size_t r = 0; r < R; r++) {
            jobs[nj] = (dtb__job){(first + (int64_t)i) * (int64_t)R + (int64_t)r,
                                  eval_seed(f, first + (int64_t)i, (int32_t)r), x + i * nk};
            res[nj].scores = scores + nj * (ns ? ns : 1);
            job_of[i * R + r] = nj++;
        }
    }
    c->s->runner.on_result = NULL;
    const dtb__executor exec = dtb__problem_executor(&f->prob);
    dtb_status st = nj ? dtb__run_jobs(&exec, jobs, nj, &c->s->runner, res) : DTB_OK;
    dtb__job_result *mine = dtb__calloc(R, sizeof *mine);
    if (!st && !mine)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        const evaluation *rp = replayed(f, first + (int64_t)i, x + i * nk);
        for (size_t r = 0; !rp && r < R; r++)
            mine[r] = res[job_of[i * R + r]];
        st = record(c, x + i * nk, mine, rp);
        fx[i] = st ? NAN : -f->evals[f->n_evals - 1].objective;
    }
    c->generation++;
    free(mine);
    free(jobs);
    free(res);
    free(scores);
    free(job_of);
    return st;
}

static const char **columns(const dtb_fit *f, size_t *n)
{
    const size_t nk = f->prob.n_knobs, ns = f->prob.n_scores;
    *n = 6 + nk + ns;
    const char **cols = dtb__calloc(*n, sizeof *cols);
    if (!cols)
        return NULL;
    size_t c = 0;
    cols[c++] = "evaluation";
    cols[c++] = "generation";
    for (size_t i = 0; i < nk; i++)
        cols[c++] = f->prob.knobs[i].name;
    for (size_t i = 0; i < ns; i++)
        cols[c++] = f->prob.scores[i].name;
    cols[c++] = "objective";
    cols[c++] = "best";
    cols[c++] = "status";
    cols[c++] = "seconds";
    return cols;
}

/* fit.csv of an earlier run of the same settings: its evaluations. */
static dtb_status load_replay(dtb_fit *f, const char *path, const char *const *cols, size_t n_cols)
{
    char **cells = NULL;
    size_t rows = 0;
    dtb_status st = dtb__table_read_expected(path, "fit", cols, n_cols, &cells, &rows, NULL);
    const size_t nk = f->prob.n_knobs, ns = f->prob.n_scores;
    f->replay = st ? NULL : dtb__calloc(rows + 1, sizeof *f->replay);
    if (!st && !f->replay)
        st = DTB_ENOMEM;
    for (size_t r = 0; !st && r < rows; r++) {
        char **row = cells + r * n_cols;
        int64_t e;
        if (!dtb__parse_int64(row[0], &e) || e != (int64_t)r) {
            st = dtb__error(DTB_EPARSE, "%s:%zu: evaluation '%s' out of order", path, r + 2, row[0]);
            break;
        }
        evaluation *ev = &f->replay[r];
        ev->values = dtb__malloc_array(nk, sizeof *ev->values);
        ev->scores = dtb__malloc_array(ns ? ns : 1, sizeof *ev->scores);
        ev->status = dtb__strdup(row[4 + nk + ns]);
        f->n_replay = (int64_t)r + 1;
        if (!ev->values || !ev->scores || !ev->status) {
            st = DTB_ENOMEM;
            break;
        }
        for (size_t i = 0; i < nk; i++)
            dtb__parse_double(row[2 + i], &ev->values[i]);
        for (size_t i = 0; i < ns; i++) {
            ev->scores[i] = NAN;
            if (strcmp(row[2 + nk + i], "nan"))
                dtb__parse_double(row[2 + nk + i], &ev->scores[i]);
        }
        ev->objective = NAN;
        if (strcmp(row[2 + nk + ns], "nan"))
            dtb__parse_double(row[2 + nk + ns], &ev->objective);
        dtb__parse_double(row[5 + nk + ns], &ev->seconds);
    }
    dtb__strings_free(cells, rows * n_cols);
    return st;
}

static dtb_status describe(const dtb_fit *f, dtb__session *s)
{
    dtb_status st = dtb__session_add_experiment(s, f->prob.user);
    for (size_t i = 0; !st && i < f->prob.n_knobs; i++) {
        char lo[40], hi[40];
        dtb__number_text(lo, sizeof lo, f->lo[i]);
        dtb__number_text(hi, sizeof hi, f->hi[i]);
        char *v = dtb__asprintf("%s=%s:%s", f->prob.knobs[i].name, lo, hi);
        st = v ? dtb__session_add_setting(s, "free", v) : DTB_ENOMEM;
        free(v);
    }
    if (!st)
        st = dtb__session_add_problem(s, &f->prob);
    if (!st)
        st = dtb__session_add_setting(s, "objective", f->objective_text);
    if (!st)
        st = dtb__session_add_setting(s, "method", f->method ? f->method : "cmaes");
    char t[40];
    snprintf(t, sizeof t, "%lld", (long long)f->budget);
    if (!st)
        st = dtb__session_add_setting(s, "budget", t);
    snprintf(t, sizeof t, "%d", (int)f->repeats);
    if (!st)
        st = dtb__session_add_setting(s, "repeats", t);
    return st;
}

/* fit.svg: the objective of every evaluation and the best so far. */
static dtb_status write_figure(const dtb_fit *f, const char *dir)
{
    const size_t n = (size_t)f->n_evals;
    double *x = dtb__malloc_array(n + 1, sizeof *x), *y = dtb__malloc_array(n + 1, sizeof *y);
    double *b = dtb__malloc_array(n + 1, sizeof *b);
    char *path = dtb__asprintf("%s/fit.svg", dir);
    dtb_status st = x && y && b && path ? DTB_OK : DTB_ENOMEM;
    double best = NAN;
    for (size_t i = 0; !st && i < n; i++) {
        x[i] = (double)i;
        y[i] = f->evals[i].objective;
        if (!isnan(y[i]) && (isnan(best) || y[i] > best))
            best = y[i];
        b[i] = best;
    }
    char title[256];
    snprintf(title, sizeof title, "fit (%s): objective %s", f->method ? f->method : "cmaes",
             f->objective_text);
    dtb__series series[2] = {{"objective", x, y, n}, {"best so far", x, b, n}};
    dtb__line_plot plot = {title, "evaluation", "objective", series, 2, 0};
    if (!st)
        st = dtb__plot_lines(path, &plot);
    free(x);
    free(y);
    free(b);
    free(path);
    return st;
}

static dtb_status write_best(const dtb_fit *f, const char *dir)
{
    if (f->best < 0)
        return DTB_OK;
    dtb_experiment *exp = NULL;
    char *path = dtb__asprintf("%s/best.xml", dir);
    dtb_status st = path ? dtb_fit_best_experiment(f, &exp) : DTB_ENOMEM;
    if (!st)
        st = dtb_experiment_save(exp, path);
    dtb_experiment_free(exp);
    free(path);
    return st;
}

static dtb_status run_leader(dtb_fit *f, dtb__session *s)
{
    run_ctx c = {0};
    c.f = f;
    c.s = s;
    size_t n_cols = 0;
    const char **cols = columns(f, &n_cols);
    dtb_status st = cols ? DTB_OK : DTB_ENOMEM;
    int resume = 0;
    char *table_path = NULL;
    if (!st && s->opts.out_dir) {
        st = describe(f, s);
        if (!st)
            st = dtb__session_prepare_dir(s, f->prob.user, "fit.csv", &resume);
        table_path = st ? NULL : dtb__asprintf("%s/fit.csv", s->opts.out_dir);
        if (!st && !table_path)
            st = DTB_ENOMEM;
        if (!st && resume)
            st = load_replay(f, table_path, cols, n_cols);
        /* the table is written again from the start: replayed rows first */
        if (!st)
            st = dtb__table_open(&c.table, table_path, cols, n_cols, 0);
        c.has_table = !st;
        if (!st && (s->opts.flags & DTB_EXPLORE_FLAG_KEEP_OUTPUTS) &&
            !(f->prob.points_dir = dtb__asprintf("%s/evaluations", s->opts.out_dir)))
            st = DTB_ENOMEM;
    }
    dtb__optim_options oo;
    dtb__optim_options_init(&oo);
    oo.method = f->method;
    oo.dim = f->prob.n_knobs;
    oo.lo = f->lo;
    oo.hi = f->hi;
    oo.budget = f->budget;
    oo.seed = f->prob.base_seed;
    dtb__optim_result res = {0};
    if (!st)
        st = dtb__optim_minimize(&oo, evaluate, &c, &res);
    dtb__optim_result_free(&res);
    char saved[512];
    snprintf(saved, sizeof saved, "%s", st ? dtb_last_error_message() : "");
    if (c.has_table) {
        int64_t rows = dtb__table_rows(&c.table);   /* on disk */
        /* the first error is the one reported, with its own message */
        dtb_status cs = dtb__table_close(&c.table);
        if (!st && cs) {
            st = cs;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        dtb_status ws = write_best(f, s->opts.out_dir);
        if (!st && ws) {
            st = ws;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        dtb_status fs = write_figure(f, s->opts.out_dir);
        if (!st && fs) {
            st = fs;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        char extra[512];
        char obj[40];
        dtb__number_text(obj, sizeof obj, dtb_fit_best_objective(f));
        snprintf(extra, sizeof extra, "  \"best_objective\": %s,\n  \"best\": \"best.xml\",\n"
                                      "  \"figure\": \"fit.svg\"", isnan(dtb_fit_best_objective(f)) ? "null" : obj);
        dtb__session_write_provenance(s, &f->prob, "fit.csv", rows, f->budget, st, extra);
    }
    free(f->prob.points_dir);
    f->prob.points_dir = NULL;
    if (st)
        dtb__error(st, "%s", saved[0] ? saved : dtb_status_string(st));
    free(table_path);
    free(cols);
    return st;
}

dtb_status dtb_fit_run(dtb_fit *f, const dtb_explore_options *opts)
{
    REQUIRE(f, "dtb_fit_run");
    dtb__session s;
    f->stop = 0;
    dtb_status st = dtb__session_open(&s, "fit", opts);
    s.runner.stop = &f->stop;
    if (!st) {
        f->prob.same_seed = (s.opts.flags & DTB_EXPLORE_FLAG_SAME_SEED) != 0;
        f->prepared = f->prepared && f->prob.prepared;
        st = dtb_fit_prepare(f);
    }
    clear_run(f);
    if (!dtb__session_leads(&s)) {
        /* a worker rank serves rank 0, also when it could not prepare:
         * it answers every job with why, so that rank 0 hears of it */
        const dtb__executor exec = dtb__problem_executor(&f->prob);
        st = dtb__mpi_serve(&exec, &s.runner);
    } else {
        if (!st)
            st = run_leader(f, &s);
        if (s.runner.use_mpi)
            dtb__mpi_release(&s.runner);
    }
    dtb__session_close(&s);
    return st;
}
