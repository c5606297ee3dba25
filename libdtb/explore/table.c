/* libdtb — results tables (sweep.csv, fit.csv): files of whole rows
 * (io/rowfile.h), each row written as its point finishes, so that a killed
 * run or a full disk leaves whole rows; read back to resume.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "explore.h"
#include "io/rowfile.h"

/* RFC 4180: quote fields holding a comma, a quote or a line end. */
static void put_field(dtb__strbuf *b, const char *f)
{
    if (!f)
        f = "";
    if (!strpbrk(f, ",\"\r\n")) {
        dtb__strbuf_append(b, f);
        return;
    }
    dtb__strbuf_append(b, "\"");
    for (const char *p = f; *p; p++) {
        if (*p == '"')
            dtb__strbuf_append(b, "\"\"");
        else if (*p == '\r' || *p == '\n')
            dtb__strbuf_append(b, " ");
        else
            dtb__strbuf_appendn(b, p, 1);
    }
    dtb__strbuf_append(b, "\"");
}

/* One line of fields, quoted where they need it. */
static char *format_line(const dtb__table *t, const char *const *fields)
{
    dtb__strbuf b = {0};
    for (size_t i = 0; i < t->n_cols; i++) {
        if (i)
            dtb__strbuf_append(&b, ",");
        put_field(&b, fields[i]);
    }
    dtb__strbuf_append(&b, "\n");
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

dtb_status dtb__table_open(dtb__table *t, const char *path, const char *const *cols, size_t n_cols,
                           int append)
{
    memset(t, 0, sizeof *t);
    t->n_cols = n_cols;
    t->path = dtb__strdup(path);
    t->rows = dtb__calloc(1, sizeof *t->rows);
    char *header = t->path && t->rows ? format_line(t, cols) : NULL;
    dtb_status st = header ? DTB_OK : DTB_ENOMEM;
    if (!st)
        st = append ? dtb__rowfile_continue(t->rows, path, header, 0)
                    : dtb__rowfile_create(t->rows, path, header, 0);
    free(header);
    if (st) {
        free(t->rows);
        free(t->path);
        memset(t, 0, sizeof *t);
    }
    return st;
}

dtb_status dtb__table_row(dtb__table *t, const char *const *fields)
{
    if (!t->rows)
        return dtb__error(DTB_ESTATE, "table is not open");
    char *line = format_line(t, fields);
    if (!line)
        return DTB_ENOMEM;
    /* written as soon as the point is done: a kill loses no finished
     * point, and a full disk cuts the file back to its last whole row */
    dtb_status st = dtb__rowfile_put(t->rows, line, strlen(line));
    free(line);
    if (!st)
        st = dtb__rowfile_end_row(t->rows);
    return st ? st : dtb__rowfile_commit(t->rows);
}

int64_t dtb__table_rows(const dtb__table *t) { return t->rows ? t->rows->rows : 0; }

dtb_status dtb__table_close(dtb__table *t)
{
    dtb_status st = t->rows ? dtb__rowfile_close(t->rows) : DTB_OK;
    free(t->rows);
    free(t->path);
    memset(t, 0, sizeof *t);
    return st;
}

/* Fields of one CSV record (RFC 4180 quoting) appended to *out; *p moves
 * past the line end. Returns 0, 1 when the line has no end (a cut last
 * line), or -1 on memory. */
static int read_record(const char **p, const char *end, char ***out, size_t *n)
{
    const char *s = *p;
    for (;;) {
        dtb__strbuf f = {0};
        dtb__strbuf_append(&f, "");
        if (s < end && *s == '"') {
            s++;
            while (s < end) {
                if (*s == '"' && s + 1 < end && s[1] == '"') {
                    dtb__strbuf_appendn(&f, "\"", 1);
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else
                    dtb__strbuf_appendn(&f, s++, 1);
            }
        }
        while (s < end && *s != ',' && *s != '\n' && *s != '\r')
            dtb__strbuf_appendn(&f, s++, 1);
        char **grown = f.failed ? NULL : dtb__realloc_array(*out, *n + 1, sizeof *grown);
        if (!grown) {
            dtb__strbuf_free(&f);
            return -1;
        }
        *out = grown;
        grown[(*n)++] = f.data;
        if (s >= end)
            return 1;
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
        *p = s;
        return 0;
    }
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

dtb_status dtb__table_read(const char *path, char ***header, size_t *n_cols, char ***cells,
                           size_t *n_rows, size_t *whole)
{
    *header = NULL;
    *cells = NULL;
    *n_cols = *n_rows = 0;
    size_t size = 0;
    char *text = NULL;
    dtb_status st = dtb__read_input(path, 1, &text, &size);
    if (st)
        return st;
    const char *p = text, *end = text + size;
    char **h = NULL, **c = NULL;
    size_t cols = 0, count = 0;
    int r = size ? read_record(&p, end, &h, &cols) : 1;
    if (r != 0 || !cols)
        st = r < 0 ? DTB_ENOMEM : dtb__error(DTB_EPARSE, "%s: no whole header line", path);
    while (!st && p < end) {
        size_t before = count;
        r = read_record(&p, end, &c, &count);
        if (r < 0)
            st = DTB_ENOMEM;
        else if (r > 0) {
            /* a cut last line is not a row */
            for (size_t i = before; i < count; i++)
                free(c[i]);
            count = before;
            break;
        } else if (count - before != cols)
            st = dtb__error(DTB_EPARSE, "%s:%zu: %zu fields, the header has %zu", path,
                            before / cols + 2, count - before, cols);
    }
    if (whole)
        *whole = (size_t)(p - text);
    free(text);
    if (st) {
        free_strings(h, cols);
        free_strings(c, count);
        return st;
    }
    *header = h;
    *n_cols = cols;
    *cells = c;
    *n_rows = count / cols;
    return DTB_OK;
}

/* ------------------------------------------------------------------ rows */

static void add_field(dtb__row *r, char *text)
{
    if (!text || r->failed) {
        free(text);
        r->failed = 1;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **grown = dtb__realloc_array(r->fields, cap, sizeof *grown);
        if (!grown) {
            free(text);
            r->failed = 1;
            return;
        }
        r->fields = grown;
        r->cap = cap;
    }
    r->fields[r->n++] = text;
}

void dtb__row_int(dtb__row *r, int64_t v) { add_field(r, dtb__asprintf("%lld", (long long)v)); }

void dtb__row_number(dtb__row *r, double v)
{
    char buf[40];
    if (isnan(v))
        snprintf(buf, sizeof buf, "nan");
    else
        dtb__format_double(buf, sizeof buf, v);
    add_field(r, dtb__strdup(buf));
}

void dtb__row_numbers(dtb__row *r, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__row_number(r, v[i]);
}

void dtb__row_text(dtb__row *r, const char *text) { add_field(r, dtb__strdup(text ? text : "")); }

void dtb__row_seconds(dtb__row *r, double seconds)
{
    char buf[40];
    dtb__snprintf_c(buf, sizeof buf, "%.3f", seconds);
    add_field(r, dtb__strdup(buf));
}

void dtb__row_free(dtb__row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->fields[i]);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

dtb_status dtb__table_write(dtb__table *t, dtb__row *r)
{
    dtb_status st = r->failed ? DTB_ENOMEM
                    : r->n != t->n_cols
                        ? dtb__error(DTB_ERROR, "%s: a row of %zu fields for %zu columns", t->path,
                                     r->n, t->n_cols)
                        : dtb__table_row(t, (const char *const *)r->fields);
    dtb__row_free(r);
    return st;
}

dtb_status dtb__table_read_expected(const char *path, const char *what, const char *const *cols,
                                    size_t n_cols, char ***cells, size_t *n_rows, size_t *whole)
{
    char **header = NULL;
    size_t hc = 0;
    *cells = NULL;
    *n_rows = 0;
    dtb_status st = dtb__table_read(path, &header, &hc, cells, n_rows, whole);
    if (st)
        return st;
    if (hc != n_cols)
        st = dtb__error(DTB_EINVAL, "%s: %zu columns, this %s has %zu", path, hc, what, n_cols);
    for (size_t i = 0; !st && i < n_cols; i++)
        if (strcmp(header[i], cols[i]) != 0)
            st = dtb__error(DTB_EINVAL, "%s: column %zu is '%s', this %s's is '%s'", path, i + 1,
                            header[i], what, cols[i]);
    free_strings(header, hc);
    if (st) {
        free_strings(*cells, *n_rows * hc);
        *cells = NULL;
        *n_rows = 0;
    }
    return st;
}
