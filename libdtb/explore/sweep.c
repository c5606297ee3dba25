/* libdtb — dtb_sweep: many simulations of one experiment, some settings
 * varied, each scored in-process (dtb_explore.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/base.h"
#include "explore.h"
#include "io/text_matrix.h"
#include "session.h"

struct dtb_sweep {
    dtb__problem prob;
    dtb__values *dims;        /* one per knob */
    char **specs;             /* the SPECs as given */
    dtb__sample sample;
    char *sample_text;
    /* the points and their results (after prepare) */
    double *points;           /* n_points x n_knobs */
    int64_t n_points;
    double *scores;           /* n_points x n_scores */
    char **status;            /* NULL: not run */
    double *seconds;
    int prepared;
    volatile int stop;        /* dtb_sweep_request_stop */
};

#define REQUIRE(sw, fn) \
    do { \
        if (!(sw)) \
            return dtb__error(DTB_EINVAL, "%s: sweep is NULL", fn); \
    } while (0)

dtb_status dtb_sweep_create(dtb_sweep **out, const dtb_experiment *exp)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_sweep_create: out is NULL");
    *out = NULL;
    dtb_sweep *sw = dtb__calloc(1, sizeof *sw);
    if (!sw)
        return DTB_ENOMEM;
    dtb_status st = dtb__problem_init(&sw->prob, exp);
    if (st) {
        free(sw);
        return st;
    }
    *out = sw;
    return DTB_OK;
}

static void clear_results(dtb_sweep *sw)
{
    for (int64_t i = 0; sw->status && i < sw->n_points; i++)
        free(sw->status[i]);
    free(sw->status);
    free(sw->points);
    free(sw->scores);
    free(sw->seconds);
    sw->status = NULL;
    sw->points = sw->scores = sw->seconds = NULL;
    sw->n_points = 0;
    sw->prepared = 0;
}

void dtb_sweep_free(dtb_sweep *sw)
{
    if (!sw)
        return;
    clear_results(sw);
    for (size_t i = 0; i < sw->prob.n_knobs; i++) {
        dtb__values_free(&sw->dims[i]);
        free(sw->specs[i]);
    }
    free(sw->dims);
    free(sw->specs);
    free(sw->sample_text);
    dtb__problem_free(&sw->prob);
    free(sw);
}

dtb_status dtb_sweep_vary(dtb_sweep *sw, const char *name, const char *spec)
{
    REQUIRE(sw, "dtb_sweep_vary");
    dtb__values v;
    dtb_status st = dtb__values_parse("vary", name ? name : "", spec, &v);
    if (st)
        return st;
    dtb__knob k;
    st = dtb__knob_parse("vary", name, &k);
    for (size_t i = 0; !st && i < v.n; i++)
        st = dtb__knob_check_value("vary", &k, v.v[i]);
    dtb__knob_free(&k);
    dtb__values *dims = st ? NULL : dtb__realloc_array(sw->dims, sw->prob.n_knobs + 1, sizeof *dims);
    char **specs = dims ? dtb__realloc_array(sw->specs, sw->prob.n_knobs + 1, sizeof *specs) : NULL;
    if (dims)
        sw->dims = dims;
    if (specs)
        sw->specs = specs;
    char *copy = specs ? dtb__strdup(spec) : NULL;
    if (!st && !copy)
        st = DTB_ENOMEM;
    if (!st)
        st = dtb__problem_add_knob(&sw->prob, "vary", name, NULL);
    if (st) {
        dtb__values_free(&v);
        free(copy);
        return st;
    }
    sw->dims[sw->prob.n_knobs - 1] = v;
    sw->specs[sw->prob.n_knobs - 1] = copy;
    clear_results(sw);
    return DTB_OK;
}

dtb_status dtb_sweep_set_sample(dtb_sweep *sw, const char *sample)
{
    REQUIRE(sw, "dtb_sweep_set_sample");
    dtb__sample s;
    dtb_status st = dtb__sample_parse(sample, &s);
    char *copy = st ? NULL : dtb__strdup(sample ? sample : "grid");
    if (!st && !copy)
        st = DTB_ENOMEM;
    if (st)
        return st;
    free(sw->sample_text);
    sw->sample_text = copy;
    sw->sample = s;
    clear_results(sw);
    return DTB_OK;
}

dtb_status dtb_sweep_add_score(dtb_sweep *sw, const char *spec)
{
    REQUIRE(sw, "dtb_sweep_add_score");
    dtb_status st = dtb__problem_add_score(&sw->prob, spec);
    if (!st)
        clear_results(sw);
    return st;
}

dtb_status dtb_sweep_set_empirical_bold(dtb_sweep *sw, const char *path)
{
    REQUIRE(sw, "dtb_sweep_set_empirical_bold");
    dtb_status st = dtb__problem_set_empirical_bold(&sw->prob, path);
    if (!st)
        clear_results(sw);
    return st;
}

dtb_status dtb_sweep_set_transient(dtb_sweep *sw, double seconds)
{
    REQUIRE(sw, "dtb_sweep_set_transient");
    dtb_status st = dtb__problem_set_transient(&sw->prob, seconds);
    if (!st)
        clear_results(sw);
    return st;
}

static dtb_status prepare(dtb_sweep *sw, int same_seed)
{
    if (sw->prepared && sw->prob.same_seed == same_seed)
        return DTB_OK;
    clear_results(sw);
    sw->prob.same_seed = same_seed;
    sw->prob.prepared = 0;
    dtb_status st = dtb__sample_points(&sw->sample, sw->dims, sw->prob.n_knobs, sw->prob.base_seed,
                                       &sw->points, &sw->n_points);
    if (st)
        return st;
    const size_t np = (size_t)sw->n_points, ns = sw->prob.n_scores;
    sw->scores = dtb__malloc_array(np * (ns ? ns : 1), sizeof *sw->scores);
    sw->status = dtb__calloc(np, sizeof *sw->status);
    sw->seconds = dtb__malloc_array(np, sizeof *sw->seconds);
    if (!sw->scores || !sw->status || !sw->seconds) {
        clear_results(sw);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < np * ns; i++)
        sw->scores[i] = NAN;
    for (size_t i = 0; i < np; i++)
        sw->seconds[i] = NAN;
    st = dtb__problem_prepare(&sw->prob, sw->points);
    if (st) {
        clear_results(sw);
        return st;
    }
    sw->prepared = 1;
    return DTB_OK;
}

dtb_status dtb_sweep_prepare(dtb_sweep *sw)
{
    REQUIRE(sw, "dtb_sweep_prepare");
    return prepare(sw, sw->prob.same_seed);
}

/* ------------------------------------------------------------ queries */

int64_t dtb_sweep_point_count(const dtb_sweep *sw) { return sw && sw->prepared ? sw->n_points : -1; }
int64_t dtb_sweep_variable_count(const dtb_sweep *sw) { return sw ? (int64_t)sw->prob.n_knobs : -1; }

const char *dtb_sweep_variable_name(const dtb_sweep *sw, int64_t i)
{
    return sw && i >= 0 && (size_t)i < sw->prob.n_knobs ? sw->prob.knobs[i].name : NULL;
}

int64_t dtb_sweep_score_count(const dtb_sweep *sw) { return sw ? (int64_t)sw->prob.n_scores : -1; }

const char *dtb_sweep_score_name(const dtb_sweep *sw, int64_t i)
{
    return sw && i >= 0 && (size_t)i < sw->prob.n_scores ? sw->prob.scores[i].name : NULL;
}

static dtb_status check_point(const dtb_sweep *sw, int64_t point, const char *fn)
{
    if (!sw)
        return dtb__error(DTB_EINVAL, "%s: sweep is NULL", fn);
    if (!sw->prepared)
        return dtb__error(DTB_ESTATE, "%s: the sweep is not prepared (dtb_sweep_prepare)", fn);
    if (point < 0 || point >= sw->n_points)
        return dtb__error(DTB_EINVAL, "%s: point %lld is out of range (%lld points)", fn,
                          (long long)point, (long long)sw->n_points);
    return DTB_OK;
}

dtb_status dtb_sweep_point_values(const dtb_sweep *sw, int64_t point, double *buf, size_t capacity,
                                  size_t *needed_out)
{
    dtb_status st = check_point(sw, point, "dtb_sweep_point_values");
    if (st)
        return st;
    return dtb__copy_out("dtb_sweep_point_values", sw->points + (size_t)point * sw->prob.n_knobs,
                         sw->prob.n_knobs, sizeof *buf, buf, capacity, needed_out);
}

dtb_status dtb_sweep_point_scores(const dtb_sweep *sw, int64_t point, double *buf, size_t capacity,
                                  size_t *needed_out)
{
    dtb_status st = check_point(sw, point, "dtb_sweep_point_scores");
    if (st)
        return st;
    return dtb__copy_out("dtb_sweep_point_scores", sw->scores + (size_t)point * sw->prob.n_scores,
                         sw->prob.n_scores, sizeof *buf, buf, capacity, needed_out);
}

const char *dtb_sweep_point_status(const dtb_sweep *sw, int64_t point)
{
    if (!sw || !sw->prepared || point < 0 || point >= sw->n_points)
        return NULL;
    return sw->status[point];
}

double dtb_sweep_point_seconds(const dtb_sweep *sw, int64_t point)
{
    if (!sw || !sw->prepared || point < 0 || point >= sw->n_points)
        return NAN;
    return sw->seconds[point];
}

static dtb__job job_of(const dtb_sweep *sw, int64_t point)
{
    dtb__job j = {point, dtb__problem_job_seed(&sw->prob, point),
                  sw->points + (size_t)point * sw->prob.n_knobs};
    return j;
}

dtb_status dtb_sweep_point_experiment(const dtb_sweep *sw, int64_t point, dtb_experiment **out)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_sweep_point_experiment: out is NULL");
    *out = NULL;
    dtb_status st = check_point(sw, point, "dtb_sweep_point_experiment");
    if (st)
        return st;
    dtb__job j = job_of(sw, point);
    return dtb__problem_job_experiment(&sw->prob, &j, out);
}

/* ---------------------------------------------------------------- run */

void dtb_sweep_request_stop(dtb_sweep *sw)
{
    if (sw)
        sw->stop = 1;
}

typedef struct run_ctx {
    dtb_sweep *sw;
    dtb__session *s;
    dtb__table table;
    int has_table;
    int64_t done, total;
    dtb_status write_error;
    char write_message[512];  /* its message (the run's own "stopped" follows it) */
} run_ctx;

static dtb_status write_row(run_ctx *c, int64_t point)
{
    const dtb_sweep *sw = c->sw;
    const size_t nk = sw->prob.n_knobs, ns = sw->prob.n_scores;
    dtb__row r = {0};
    dtb__row_int(&r, point);
    dtb__row_numbers(&r, sw->points + (size_t)point * nk, nk);
    dtb__row_numbers(&r, sw->scores + (size_t)point * ns, ns);
    dtb__row_text(&r, sw->status[point]);
    dtb__row_seconds(&r, sw->seconds[point]);
    return dtb__table_write(&c->table, &r);
}

static int on_result(const dtb__job_result *r, void *ud)
{
    run_ctx *c = ud;
    dtb_sweep *sw = c->sw;
    const size_t ns = sw->prob.n_scores;
    memcpy(sw->scores + (size_t)r->id * ns, r->scores, ns * sizeof *r->scores);
    free(sw->status[r->id]);
    sw->status[r->id] = dtb__strdup(r->status ? r->message : "ok");
    sw->seconds[r->id] = r->seconds;
    c->done++;
    if (c->has_table && !c->write_error && sw->status[r->id] &&
        (c->write_error = write_row(c, r->id)))
        snprintf(c->write_message, sizeof c->write_message, "%s", dtb_last_error_message());
    if (c->write_error)
        return 1;
    const dtb_explore_options *o = &c->s->opts;
    return o->progress && o->progress(c->done, c->total, o->user_data) ? 1 : 0;
}

static const char *const fixed_head[] = {"point"};
static const char *const fixed_tail[] = {"status", "seconds"};

/* The table's columns: point, the varied names, the scores, status, seconds. */
static const char **columns(const dtb_sweep *sw, size_t *n)
{
    const size_t nk = sw->prob.n_knobs, ns = sw->prob.n_scores;
    *n = 3 + nk + ns;
    const char **cols = dtb__calloc(*n, sizeof *cols);
    if (!cols)
        return NULL;
    size_t c = 0;
    cols[c++] = fixed_head[0];
    for (size_t i = 0; i < nk; i++)
        cols[c++] = sw->prob.knobs[i].name;
    for (size_t i = 0; i < ns; i++)
        cols[c++] = sw->prob.scores[i].name;
    cols[c++] = fixed_tail[0];
    cols[c++] = fixed_tail[1];
    return cols;
}

/* The rows a folder holds already: their results back into the sweep. */
static dtb_status load_rows(dtb_sweep *sw, const char *path, const char *const *cols, size_t n_cols,
                            unsigned char *done)
{
    char **cells = NULL;
    size_t rows = 0, whole = 0;
    dtb_status st = dtb__table_read_expected(path, "sweep", cols, n_cols, &cells, &rows, &whole);
    const size_t nk = sw->prob.n_knobs, ns = sw->prob.n_scores;
    for (size_t r = 0; !st && r < rows; r++) {
        char **row = cells + r * n_cols;
        int64_t point;
        if (!dtb__parse_int64(row[0], &point) || point < 0 || point >= sw->n_points) {
            st = dtb__error(DTB_EPARSE, "%s:%zu: '%s' is not a point of this sweep", path, r + 2,
                            row[0]);
            break;
        }
        for (size_t i = 0; i < ns; i++) {
            double v = NAN;
            if (strcmp(row[1 + nk + i], "nan") != 0)
                dtb__parse_double(row[1 + nk + i], &v);
            sw->scores[(size_t)point * ns + i] = v;
        }
        free(sw->status[point]);
        sw->status[point] = dtb__strdup(row[1 + nk + ns]);
        dtb__parse_double(row[2 + nk + ns], &sw->seconds[point]);
        done[point] = 1;
    }
    dtb__strings_free(cells, rows * n_cols);
    /* a row cut by a kill or a full disk goes: the next row starts a line */
    if (!st && truncate(path, (off_t)whole) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot cut its last, incomplete line: %s", path,
                        strerror(errno));
    return st;
}

/* The sweep's own settings, for the folder's record. */
static dtb_status describe(const dtb_sweep *sw, dtb__session *s)
{
    dtb_status st = dtb__session_add_experiment(s, sw->prob.user);
    for (size_t i = 0; !st && i < sw->prob.n_knobs; i++) {
        char *v = dtb__asprintf("%s=%s", sw->prob.knobs[i].name, sw->specs[i]);
        st = v ? dtb__session_add_setting(s, "vary", v) : DTB_ENOMEM;
        free(v);
    }
    if (!st)
        st = dtb__session_add_setting(s, "sample", sw->sample_text ? sw->sample_text : "grid");
    return st ? st : dtb__session_add_problem(s, &sw->prob);
}

static dtb_status run_leader(dtb_sweep *sw, dtb__session *s)
{
    const int64_t np = sw->n_points;
    unsigned char *done = dtb__calloc((size_t)np, 1);
    if (!done)
        return DTB_ENOMEM;
    run_ctx c = {0};
    c.sw = sw;
    c.s = s;
    size_t n_cols = 0;
    const char **cols = columns(sw, &n_cols);
    dtb_status st = cols ? DTB_OK : DTB_ENOMEM;
    char *table_path = NULL, *points_dir = NULL;
    int resume = 0;
    if (!st && s->opts.out_dir) {
        st = describe(sw, s);
        if (!st)
            st = dtb__session_prepare_dir(s, sw->prob.user, "sweep.csv", &resume);
        table_path = st ? NULL : dtb__asprintf("%s/sweep.csv", s->opts.out_dir);
        if (!st && !table_path)
            st = DTB_ENOMEM;
        if (!st && resume)
            st = load_rows(sw, table_path, cols, n_cols, done);
        if (!st)
            st = dtb__table_open(&c.table, table_path, cols, n_cols, resume);
        c.has_table = !st;
        if (!st && (s->opts.flags & DTB_EXPLORE_FLAG_KEEP_OUTPUTS) &&
            !(points_dir = dtb__asprintf("%s/points", s->opts.out_dir)))
            st = DTB_ENOMEM;
    } else {
        /* a rerun in memory runs every point again */
        for (int64_t i = 0; i < np; i++) {
            free(sw->status[i]);
            sw->status[i] = NULL;
        }
    }
    /* the jobs: every point not done */
    dtb__job *jobs = NULL;
    dtb__job_result *results = NULL;
    double *score_buf = NULL;
    size_t n_jobs = 0;
    const size_t ns = sw->prob.n_scores;
    if (!st) {
        jobs = dtb__calloc((size_t)np + 1, sizeof *jobs);
        results = dtb__calloc((size_t)np + 1, sizeof *results);
        score_buf = dtb__calloc(((size_t)np + 1) * (ns ? ns : 1), sizeof *score_buf);
        if (!jobs || !results || !score_buf)
            st = DTB_ENOMEM;
        for (int64_t i = 0; !st && i < np; i++) {
            if (done[i])
                continue;
            jobs[n_jobs] = job_of(sw, i);
            results[n_jobs].scores = score_buf + n_jobs * (ns ? ns : 1);
            n_jobs++;
        }
    }
    c.total = np;
    c.done = np - (int64_t)n_jobs;
    if (!st) {
        free(sw->prob.points_dir);
        sw->prob.points_dir = points_dir;
        points_dir = NULL;
        s->runner.on_result = on_result;
        s->runner.user_data = &c;
        const dtb__executor exec = dtb__problem_executor(&sw->prob);
        st = n_jobs ? dtb__run_jobs(&exec, jobs, n_jobs, &s->runner, results) : DTB_OK;
        if (c.write_error)
            st = dtb__error(c.write_error, "%s", c.write_message);
        free(sw->prob.points_dir);
        sw->prob.points_dir = NULL;
    }
    char saved[512];
    snprintf(saved, sizeof saved, "%s", st ? dtb_last_error_message() : "");
    if (c.has_table) {
        /* the rows on disk, which a failed write may make fewer than done */
        int64_t rows = dtb__table_rows(&c.table);
        dtb_status cs = dtb__table_close(&c.table);
        if (!st && cs) {
            st = cs;
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
        dtb__session_write_provenance(s, &sw->prob, "sweep.csv", rows, np, st, NULL);
    }
    if (st)
        dtb__error(st, "%s", saved[0] ? saved : dtb_status_string(st));
    free(points_dir);
    free(jobs);
    free(results);
    free(score_buf);
    free(table_path);
    free(cols);
    free(done);
    return st;
}

dtb_status dtb_sweep_run(dtb_sweep *sw, const dtb_explore_options *opts)
{
    REQUIRE(sw, "dtb_sweep_run");
    dtb__session s;
    sw->stop = 0;
    dtb_status st = dtb__session_open(&s, "sweep", opts);
    s.runner.stop = &sw->stop;
    if (!st)
        st = prepare(sw, (s.opts.flags & DTB_EXPLORE_FLAG_SAME_SEED) != 0);
    if (!dtb__session_leads(&s)) {
        /* a worker rank serves rank 0, also when it could not prepare:
         * it answers every job with why, so that rank 0 hears of it */
        const dtb__executor exec = dtb__problem_executor(&sw->prob);
        st = dtb__mpi_serve(&exec, &s.runner);
    } else {
        if (!st)
            st = run_leader(sw, &s);
        if (s.runner.use_mpi)
            dtb__mpi_release(&s.runner);
    }
    dtb__session_close(&s);
    return st;
}
