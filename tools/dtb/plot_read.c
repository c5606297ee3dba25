/* dtb plot — reading CSV and NPY outputs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "plot_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void plot_table_free(plot_table *t)
{
    for (size_t i = 0; t->names && i < t->cols; i++)
        free(t->names[i]);
    free(t->names);
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------ row sources */

/* Rows of a CSV file (after its header) or of a float64 NPY file, one at a
 * time. */
typedef struct row_source {
    FILE *f;
    int npy;
    size_t cols;
    long npy_rows, npy_read;
    char *line;
    size_t line_cap;
    double *row;
    const char *path;
    size_t line_no;
} row_source;

static int fail(const char *path, const char *what)
{
    return cli_usage_error("plot: %s: %s", path, what);
}

/* NPY header: '<f8', C order, 2-D; the row count and column count. */
static int npy_header(row_source *r)
{
    unsigned char pre[10];
    if (fread(pre, 1, 10, r->f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return fail(r->path, "not an NPY file");
    size_t len = pre[8] | (size_t)pre[9] << 8;
    if (pre[6] != 1) {
        unsigned char more[2];
        if (fread(more, 1, 2, r->f) != 2)
            return fail(r->path, "truncated NPY header");
        len |= (size_t)more[0] << 16 | (size_t)more[1] << 24;
    }
    char *dict = malloc(len + 1);
    if (!dict || fread(dict, 1, len, r->f) != len) {
        free(dict);
        return fail(r->path, "truncated NPY header");
    }
    dict[len] = '\0';
    long rows = -1, cols = 1;
    const char *shape = strstr(dict, "'shape':");
    int ok = strstr(dict, "'<f8'") && strstr(dict, "'fortran_order': False") && shape &&
             sscanf(strchr(shape, '(') + 1, "%ld , %ld", &rows, &cols) >= 1 && rows >= 0;
    free(dict);
    if (!ok)
        return fail(r->path, "plot reads 2-D float64 NPY files in C order");
    r->npy_rows = rows;
    r->cols = (size_t)cols;
    return 0;
}

/* Split a CSV line into names (header) or numbers. */
static size_t count_fields(const char *line)
{
    size_t n = 1;
    for (const char *p = line; *p; p++)
        n += *p == ',';
    return n;
}

static int csv_header(row_source *r, char ***names)
{
    ssize_t got = getline(&r->line, &r->line_cap, r->f);
    if (got <= 0)
        return fail(r->path, "empty file");
    r->line_no = 1;
    r->line[strcspn(r->line, "\r\n")] = '\0';
    r->cols = count_fields(r->line);
    if (!names)
        return 0;
    *names = calloc(r->cols, sizeof **names);
    if (!*names)
        return cli_usage_error("out of memory");
    char *p = r->line;
    for (size_t c = 0; c < r->cols; c++) {
        size_t len = strcspn(p, ",");
        /* Quoted labels ("a,b") are rare; their quotes are kept. */
        (*names)[c] = strndup(p, len);
        if (!(*names)[c])
            return cli_usage_error("out of memory");
        p += len + (p[len] == ',');
    }
    return 0;
}

static int source_open(row_source *r, const char *path, char ***names)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->npy = cli_has_suffix(path, ".npy");
    r->f = fopen(path, "rb");
    if (!r->f)
        return cli_usage_error("plot: cannot open %s: %s", path, strerror(errno));
    int rc = r->npy ? npy_header(r) : csv_header(r, names);
    if (!rc && !(r->row = malloc((r->cols + 1) * sizeof *r->row)))
        rc = cli_usage_error("out of memory");
    return rc;
}

static void source_close(row_source *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
    free(r->row);
}

/* Next row into r->row: 1, or 0 at the end, or -1 (error printed). */
static int source_next(row_source *r)
{
    if (r->npy) {
        if (r->npy_read == r->npy_rows)
            return 0;
        if (fread(r->row, sizeof *r->row, r->cols, r->f) != r->cols) {
            fail(r->path, "truncated NPY data");
            return -1;
        }
        r->npy_read++;
        return 1;
    }
    ssize_t got;
    do {
        got = getline(&r->line, &r->line_cap, r->f);
        r->line_no++;
        if (got <= 0)
            return 0;
    } while (r->line[strspn(r->line, " \t\r\n")] == '\0');
    char *p = r->line;
    for (size_t c = 0; c < r->cols; c++) {
        char *end;
        r->row[c] = strtod(p, &end);
        if (end == p) {
            cli_usage_error("plot: %s:%zu: field %zu is not a number", r->path, r->line_no, c + 1);
            return -1;
        }
        p = end + strspn(end, " \t");
        if (c + 1 < r->cols && *p++ != ',') {
            cli_usage_error("plot: %s:%zu: %zu fields expected", r->path, r->line_no, r->cols);
            return -1;
        }
    }
    return 1;
}

/* ------------------------------------------------ readers */

int plot_read_header(const char *path, plot_table *t)
{
    memset(t, 0, sizeof *t);
    row_source r;
    int rc = source_open(&r, path, &t->names);
    t->cols = r.cols;
    t->rows = r.npy ? (size_t)r.npy_rows : 0;
    source_close(&r);
    if (rc)
        plot_table_free(t);
    return rc;
}

int plot_read_matrix(const char *path, plot_table *t)
{
    memset(t, 0, sizeof *t);
    row_source r;
    int rc = source_open(&r, path, &t->names);
    t->cols = r.cols;
    size_t cap = 0;
    while (!rc) {
        int got = source_next(&r);
        if (got <= 0) {
            rc = got < 0 ? EXIT_USAGE : 0;
            break;
        }
        if (t->rows == cap) {
            cap = cap ? 2 * cap : 64;
            double *d = realloc(t->data, cap * t->cols * sizeof *d);
            if (!d) {
                rc = cli_usage_error("out of memory");
                break;
            }
            t->data = d;
        }
        memcpy(t->data + t->rows++ * t->cols, r.row, t->cols * sizeof *r.row);
    }
    source_close(&r);
    if (rc)
        plot_table_free(t);
    return rc;
}

/* Buckets of `size` rows: time of the first row, min and max per column. */
typedef struct thinner {
    size_t n_cols, max, n, size, in_bucket;
    double *t, *lo, *hi;      /* [max], [max][n_cols] x 2 */
} thinner;

static void thinner_push(thinner *th, double t, const double *v)
{
    if (th->in_bucket == 0) {
        if (th->n == th->max) {
            /* Full: merge neighbours, buckets twice as long. */
            for (size_t b = 0; b < th->max / 2; b++) {
                th->t[b] = th->t[2 * b];
                for (size_t c = 0; c < th->n_cols; c++) {
                    th->lo[b * th->n_cols + c] = fmin(th->lo[2 * b * th->n_cols + c],
                                                      th->lo[(2 * b + 1) * th->n_cols + c]);
                    th->hi[b * th->n_cols + c] = fmax(th->hi[2 * b * th->n_cols + c],
                                                      th->hi[(2 * b + 1) * th->n_cols + c]);
                }
            }
            th->n = th->max / 2;
            th->size *= 2;
        }
        th->t[th->n] = t;
        for (size_t c = 0; c < th->n_cols; c++)
            th->lo[th->n * th->n_cols + c] = th->hi[th->n * th->n_cols + c] = v[c];
        th->n++;
    } else {
        for (size_t c = 0; c < th->n_cols; c++) {
            th->lo[(th->n - 1) * th->n_cols + c] = fmin(th->lo[(th->n - 1) * th->n_cols + c], v[c]);
            th->hi[(th->n - 1) * th->n_cols + c] = fmax(th->hi[(th->n - 1) * th->n_cols + c], v[c]);
        }
    }
    th->in_bucket = (th->in_bucket + 1) % th->size;
}

int plot_read_series(const char *path, const size_t *cols, size_t n_cols, size_t max_points,
                     plot_table *t)
{
    memset(t, 0, sizeof *t);
    row_source r;
    int rc = source_open(&r, path, NULL);
    for (size_t c = 0; !rc && c < n_cols; c++)
        if (cols[c] >= r.cols)
            rc = fail(path, "column out of range");
    max_points += max_points % 2;
    thinner th = {n_cols, max_points, 0, 1, 0, malloc(max_points * sizeof(double)),
                  malloc(max_points * n_cols * sizeof(double)),
                  malloc(max_points * n_cols * sizeof(double))};
    double *v = malloc((n_cols + 1) * sizeof *v);
    if (!rc && (!th.t || !th.lo || !th.hi || !v))
        rc = cli_usage_error("out of memory");
    while (!rc) {
        int got = source_next(&r);
        if (got <= 0) {
            rc = got < 0 ? EXIT_USAGE : 0;
            break;
        }
        for (size_t c = 0; c < n_cols; c++)
            v[c] = r.row[cols[c]];
        thinner_push(&th, r.row[0], v);
    }
    source_close(&r);
    /* Rows: (t, lo...) and, for buckets of more than one row, (t, hi...). */
    const size_t per = th.size > 1 ? 2 : 1;
    t->cols = 1 + n_cols;
    t->data = rc ? NULL : malloc((th.n * per + 1) * t->cols * sizeof *t->data);
    if (!rc && !t->data)
        rc = cli_usage_error("out of memory");
    for (size_t b = 0; !rc && b < th.n; b++)
        for (size_t k = 0; k < per; k++) {
            double *row = t->data + t->rows++ * t->cols;
            row[0] = th.t[b];
            memcpy(row + 1, (k ? th.hi : th.lo) + b * n_cols, n_cols * sizeof *row);
        }
    free(th.t);
    free(th.lo);
    free(th.hi);
    free(v);
    if (rc)
        plot_table_free(t);
    return rc;
}
