/* libdtb — numeric tables from text files (see text_matrix.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read in one go and parsed in place: fields are never copied,
 * numbers are converted with the C-locale strtod straight from the buffer
 * (dtb__field_to_double). A 998 x 998 matrix (2 MB) takes a few tens of
 * milliseconds.
 */
#include "text_matrix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "text_file.h"

/* Longest excerpt of a bad token quoted in a message. */
#define TOKEN_EXCERPT 40

typedef struct matrix_reader {
    const dtb__text_file *file;
    unsigned flags;
    size_t want_rows, want_cols;   /* 0 = any */
    const char *reason;            /* why that shape, or NULL */
    char delim;
    size_t first_line;             /* line of the first data row */
    double *data;
    size_t rows, cols, cap;        /* cap counts doubles */
    char **header;
    size_t n_header;
    size_t header_line;
} matrix_reader;

static int excerpt_len(size_t len) { return (int)(len < TOKEN_EXCERPT ? len : TOKEN_EXCERPT); }

/* " (reason)" or "" — appended to shape messages. */
static const char *reason_open(const matrix_reader *r) { return r->reason ? " (" : ""; }
static const char *reason_text(const matrix_reader *r) { return r->reason ? r->reason : ""; }
static const char *reason_close(const matrix_reader *r) { return r->reason ? ")" : ""; }

static dtb_status value_error(const matrix_reader *r, const dtb__text_line *line,
                              const dtb__field *f, size_t index, const char *what)
{
    return dtb__error(DTB_EPARSE, "%s:%zu:%zu: value %zu '%.*s' %s", r->file->path, line->number,
                      f->column, index, excerpt_len(f->len), f->start, what);
}

static dtb_status parse_value(const matrix_reader *r, const dtb__text_line *line,
                              const dtb__field *f, size_t index, double *out)
{
    if (f->len == 0)
        return dtb__error(DTB_EPARSE, "%s:%zu:%zu: value %zu is empty", r->file->path,
                          line->number, f->column, index);
    double v;
    if (!dtb__field_to_double(f, &v))
        return value_error(r, line, f, index, "is not a number");
    if (!isfinite(v) && !(r->flags & DTB__MATRIX_ALLOW_NONFINITE))
        return value_error(r, line, f, index, "is not finite (NaN and infinity are not allowed)");
    if (v < 0 && (r->flags & DTB__MATRIX_NONNEGATIVE))
        return value_error(r, line, f, index, "is negative (values here must be >= 0)");
    *out = v;
    return DTB_OK;
}

static dtb_status reserve(matrix_reader *r, size_t extra)
{
    if (r->rows * r->cols + extra <= r->cap && r->data)
        return DTB_OK;
    size_t cap = r->cap ? r->cap : 64;
    while (cap < r->rows * r->cols + extra)
        cap *= 2;
    double *bigger = dtb__realloc_array(r->data, cap, sizeof *bigger);
    if (!bigger)
        return DTB_ENOMEM;
    r->data = bigger;
    r->cap = cap;
    return DTB_OK;
}

/* After the first row: room for the whole table in one allocation. Every
 * value takes at least one byte, so the rest of the file bounds the count. */
static dtb_status reserve_for_table(matrix_reader *r, const dtb__line_cursor *c)
{
    size_t rest_lines = 1, rest_bytes = r->file->len - c->pos;
    const char *p = r->file->data + c->pos, *end = r->file->data + r->file->len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        rest_lines++;
        p++;
    }
    size_t by_lines = rest_lines <= SIZE_MAX / r->cols ? rest_lines * r->cols : SIZE_MAX;
    size_t more = by_lines < rest_bytes ? by_lines : rest_bytes;
    if (r->want_rows && (r->want_rows - 1) * r->cols < more)
        more = (r->want_rows - 1) * r->cols;
    return reserve(r, more);
}

static dtb_status read_header(matrix_reader *r, const dtb__text_line *line)
{
    size_t n = dtb__fields_count(line, r->delim);
    char **names = dtb__calloc(n, sizeof *names);
    if (!names)
        return DTB_ENOMEM;
    dtb__field_cursor c;
    dtb__field f;
    size_t k = 0;
    dtb__fields_begin(&c, line, r->delim);
    while (k < n && dtb__fields_next(&c, line, &f)) {
        dtb_status st = dtb__field_text(r->file->path, line, &f, "the column name", &names[k]);
        if (st) {
            dtb__strings_free(names, k);
            return st;
        }
        k++;
    }
    r->header = names;
    r->n_header = n;
    r->header_line = line->number;
    return DTB_OK;
}

static dtb_status check_first_row_width(const matrix_reader *r, const dtb__text_line *line)
{
    if (r->want_cols && r->cols != r->want_cols)
        return dtb__error(DTB_EPARSE, "%s:%zu: row has %zu values, expected %zu%s%s%s",
                          r->file->path, line->number, r->cols, r->want_cols, reason_open(r),
                          reason_text(r), reason_close(r));
    if (r->header && r->n_header != r->cols)
        return dtb__error(DTB_EPARSE, "%s:%zu: row has %zu values but the header on line %zu names %zu columns",
                          r->file->path, line->number, r->cols, r->header_line, r->n_header);
    return DTB_OK;
}

static dtb_status ragged_error(const matrix_reader *r, const dtb__text_line *line)
{
    return dtb__error(DTB_EPARSE, "%s:%zu: row has %zu values, expected %zu like the first row (line %zu)",
                      r->file->path, line->number, dtb__fields_count(line, r->delim), r->cols,
                      r->first_line);
}

static dtb_status too_many_rows(const matrix_reader *r, const dtb__text_line *line)
{
    if (r->reason || !(r->flags & DTB__MATRIX_SQUARE))
        return dtb__error(DTB_EPARSE, "%s:%zu: one row too many: expected %zu rows%s%s%s",
                          r->file->path, line->number, r->want_rows, reason_open(r),
                          reason_text(r), reason_close(r));
    return dtb__error(DTB_EPARSE,
                      "%s:%zu: one row too many: the rows have %zu values, so a square matrix has %zu rows",
                      r->file->path, line->number, r->cols, r->cols);
}

static dtb_status parse_row(matrix_reader *r, const dtb__text_line *line)
{
    int first = r->rows == 0 && r->cols == 0;
    if (!first && r->want_rows && r->rows == r->want_rows)
        return too_many_rows(r, line);
    dtb_status s;
    if (!first && (s = reserve(r, r->cols)) != DTB_OK)
        return s;
    size_t base = r->rows * r->cols;
    dtb__field_cursor c;
    dtb__field f;
    size_t k = 0;
    dtb__fields_begin(&c, line, r->delim);
    while (dtb__fields_next(&c, line, &f)) {
        if (!first && k == r->cols)
            return ragged_error(r, line);
        if (first && (s = reserve(r, k + 1)) != DTB_OK)
            return s;
        if ((s = parse_value(r, line, &f, k + 1, &r->data[base + k])) != DTB_OK)
            return s;
        k++;
    }
    if (first) {
        r->cols = k;
        r->first_line = line->number;
        if ((r->flags & DTB__MATRIX_SQUARE) && !r->want_rows)
            r->want_rows = k;
        return check_first_row_width(r, line);
    }
    if (k != r->cols)
        return ragged_error(r, line);
    return DTB_OK;
}

static dtb_status check_row_count(const matrix_reader *r)
{
    if (r->rows > 0 && (!r->want_rows || r->rows == r->want_rows))
        return DTB_OK;
    size_t last = dtb__text_last_line(r->file);
    if (r->rows == 0)
        return dtb__error(DTB_EPARSE, "%s:%zu: no data: the file is empty or holds only %s",
                          r->file->path, last, r->header ? "a header" : "comments and blank lines");
    if (r->reason || !(r->flags & DTB__MATRIX_SQUARE))
        return dtb__error(DTB_EPARSE, "%s:%zu: the table ends after %zu rows, expected %zu%s%s%s",
                          r->file->path, last, r->rows, r->want_rows, reason_open(r),
                          reason_text(r), reason_close(r));
    return dtb__error(DTB_EPARSE,
                      "%s:%zu: the matrix ends after %zu rows but has %zu columns; it must be square",
                      r->file->path, last, r->rows, r->cols);
}

static dtb_status read_table(matrix_reader *r)
{
    dtb__line_cursor c = {0, 0};
    dtb__text_line line;
    dtb_status s;
    int want_header = (r->flags & DTB__MATRIX_HEADER) != 0;
    while (dtb__text_next_line(r->file, &c, &line)) {
        if (!r->delim)
            r->delim = dtb__text_detect_delimiter(&line);
        if (want_header) {
            want_header = 0;
            if ((s = read_header(r, &line)) != DTB_OK)
                return s;
            continue;
        }
        if ((s = parse_row(r, &line)) != DTB_OK)
            return s;
        if (r->rows++ == 0 && (s = reserve_for_table(r, &c)) != DTB_OK)
            return s;
    }
    return check_row_count(r);
}

dtb_status dtb__matrix_read_shaped(const char *path, unsigned flags, size_t rows, size_t cols,
                                   const char *reason, dtb__matrix *out, char ***header,
                                   size_t *n_header)
{
    if (header)
        *header = NULL;
    if (n_header)
        *n_header = 0;
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb__matrix_read: out is NULL");
    out->data = NULL;
    out->rows = out->cols = 0;
    if (!path)
        return dtb__error(DTB_EINVAL, "dtb__matrix_read: path is NULL");

    dtb__text_file file;
    dtb_status s = dtb__text_file_read(path, &file);
    if (s != DTB_OK)
        return s;
    matrix_reader r = {0};
    r.file = &file;
    r.flags = flags;
    r.want_rows = rows;
    r.want_cols = cols;
    r.reason = reason;
    s = read_table(&r);
    dtb__text_file_free(&file);
    if (s != DTB_OK) {
        free(r.data);
        dtb__strings_free(r.header, r.n_header);
        return s;
    }
    /* Give back the over-estimate of reserve_for_table. */
    double *fitted = realloc(r.data, r.rows * r.cols * sizeof *fitted);
    out->data = fitted ? fitted : r.data;
    out->rows = r.rows;
    out->cols = r.cols;
    if (header && n_header) {
        *header = r.header;
        *n_header = r.n_header;
    } else {
        dtb__strings_free(r.header, r.n_header);
    }
    return DTB_OK;
}

dtb_status dtb__matrix_read(const char *path, unsigned flags, dtb__matrix *out, char ***header,
                            size_t *n_header)
{
    return dtb__matrix_read_shaped(path, flags, 0, 0, NULL, out, header, n_header);
}

void dtb__matrix_free(dtb__matrix *m)
{
    if (!m)
        return;
    free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
}

void dtb__strings_free(char **strings, size_t n)
{
    if (!strings)
        return;
    for (size_t i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}
