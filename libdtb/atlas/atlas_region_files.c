/* libdtb — region tables (centres, optional label/hemisphere/lobe/gyrus
 * columns) and label lists, as atlas folders store them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "atlas_region_files.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "io/text_file.h"
#include "io/text_matrix.h"

#define NO_COLUMN SIZE_MAX
#define TOKEN_EXCERPT 40

enum { COL_X, COL_Y, COL_Z, COL_LABEL, COL_HEMISPHERE, COL_LOBE, COL_GYRUS, COL_COUNT };

/* Header names accepted for each column (case-insensitive). */
static const char *const column_names[COL_COUNT][7] = {
    [COL_X] = {"x", NULL},
    [COL_Y] = {"y", NULL},
    [COL_Z] = {"z", NULL},
    [COL_LABEL] = {"label", "labels", "name", "region", "region_label", "region_name", NULL},
    [COL_HEMISPHERE] = {"hemisphere", "hemi", "side", NULL},
    [COL_LOBE] = {"lobe", NULL},
    [COL_GYRUS] = {"gyrus", NULL},
};

typedef struct table_layout {
    size_t col[COL_COUNT];   /* field index of each column, or NO_COLUMN */
    size_t fields;           /* fields per row: exact, or the minimum if open */
    int open;                /* 1 if rows may have more fields (ignored) */
    size_t header_line;      /* 0 without a header */
    const char *shape;       /* for messages */
} table_layout;

typedef struct region_reader {
    const dtb__text_file *file;
    const char *reason;
    size_t n;
    char delim;
    table_layout layout;
    dtb__region_table *out;
    size_t rows;
} region_reader;

static const char *reason_sep(const char *reason) { return reason ? " (" : ""; }
static const char *reason_str(const char *reason) { return reason ? reason : ""; }
static const char *reason_end(const char *reason) { return reason ? ")" : ""; }
static int excerpt(size_t len) { return (int)(len < TOKEN_EXCERPT ? len : TOKEN_EXCERPT); }

static int field_is(const dtb__field *f, const char *name)
{
    size_t len = strlen(name);
    if (f->len != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = f->start[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[i])
            return 0;
    }
    return 1;
}

static void header_layout(const dtb__text_line *line, char delim, table_layout *layout)
{
    for (int c = 0; c < COL_COUNT; c++)
        layout->col[c] = NO_COLUMN;
    dtb__field_cursor cur;
    dtb__field f;
    size_t i = 0;
    dtb__fields_begin(&cur, line, delim);
    for (; dtb__fields_next(&cur, line, &f); i++)
        for (int c = 0; c < COL_COUNT; c++)
            for (int k = 0; column_names[c][k] && layout->col[c] == NO_COLUMN; k++)
                if (field_is(&f, column_names[c][k]))
                    layout->col[c] = i;
    layout->fields = i;
    layout->open = 0;
    layout->header_line = line->number;
    layout->shape = "the columns of the header";
}

/* Tell the three layouts apart from the first data line. Returns 1 if that
 * line is a header (and so holds no region). */
static int detect_layout(const dtb__text_line *line, char delim, table_layout *layout)
{
    header_layout(line, delim, layout);
    if (layout->col[COL_X] != NO_COLUMN && layout->col[COL_Y] != NO_COLUMN
        && layout->col[COL_Z] != NO_COLUMN)
        return 1;

    for (int c = 0; c < COL_COUNT; c++)
        layout->col[c] = NO_COLUMN;
    layout->header_line = 0;
    int numeric = 1;
    dtb__field_cursor cur;
    dtb__field f;
    double v;
    dtb__fields_begin(&cur, line, delim);
    while (dtb__fields_next(&cur, line, &f))
        numeric = numeric && dtb__field_to_double(&f, &v);
    if (numeric && dtb__fields_count(line, delim) == 3) {
        layout->col[COL_X] = 0, layout->col[COL_Y] = 1, layout->col[COL_Z] = 2;
        layout->fields = 3;
        layout->open = 0;
        layout->shape = "'x y z'";
    } else {
        layout->col[COL_LABEL] = 0;
        layout->col[COL_X] = 1, layout->col[COL_Y] = 2, layout->col[COL_Z] = 3;
        layout->fields = 4;
        layout->open = 1;
        layout->shape = "'label x y z'";
    }
    return 0;
}

static dtb_status allocate_table(region_reader *r)
{
    dtb__region_table *t = r->out;
    const size_t *col = r->layout.col;
    t->n = r->n;
    t->centres = dtb__calloc(3 * r->n, sizeof *t->centres);
    if (!t->centres)
        return DTB_ENOMEM;
    if (col[COL_LABEL] != NO_COLUMN && !(t->labels = dtb__calloc(r->n, sizeof *t->labels)))
        return DTB_ENOMEM;
    if (col[COL_HEMISPHERE] != NO_COLUMN && !(t->hemispheres = dtb__calloc(r->n, sizeof *t->hemispheres)))
        return DTB_ENOMEM;
    if (col[COL_LOBE] != NO_COLUMN && !(t->lobes = dtb__calloc(r->n, sizeof *t->lobes)))
        return DTB_ENOMEM;
    if (col[COL_GYRUS] != NO_COLUMN && !(t->gyri = dtb__calloc(r->n, sizeof *t->gyri)))
        return DTB_ENOMEM;
    return DTB_OK;
}

static dtb_status store_text(const region_reader *r, const dtb__text_line *line, char **slot,
                             const dtb__field *f, const char *what)
{
    return dtb__field_text(r->file->path, line, f, what, slot);
}

static dtb_status store_field(region_reader *r, const dtb__text_line *line, const dtb__field *f,
                              int column)
{
    dtb__region_table *t = r->out;
    size_t k = r->rows;
    switch (column) {
    case COL_X:
    case COL_Y:
    case COL_Z: {
        double v;
        if (!dtb__field_to_double(f, &v))
            return dtb__error(DTB_EPARSE, "%s:%zu:%zu: %c coordinate '%.*s' is not a number",
                              r->file->path, line->number, f->column, "xyz"[column - COL_X],
                              excerpt(f->len), f->start);
        if (!isfinite(v))
            return dtb__error(DTB_EPARSE, "%s:%zu:%zu: %c coordinate '%.*s' is not finite",
                              r->file->path, line->number, f->column, "xyz"[column - COL_X],
                              excerpt(f->len), f->start);
        t->centres[3 * k + (size_t)(column - COL_X)] = v;
        return DTB_OK;
    }
    case COL_LABEL:
        if (f->len == 0)
            return dtb__error(DTB_EPARSE, "%s:%zu:%zu: the label is empty", r->file->path,
                              line->number, f->column);
        return store_text(r, line, &t->labels[k], f, "the label");
    case COL_HEMISPHERE:
        t->hemispheres[k] = dtb__hemisphere_from_word(f->start, f->len);
        return DTB_OK;
    case COL_LOBE:
        return store_text(r, line, &t->lobes[k], f, "the lobe");
    default:
        return store_text(r, line, &t->gyri[k], f, "the gyrus");
    }
}

static dtb_status check_field_count(const region_reader *r, const dtb__text_line *line)
{
    const table_layout *l = &r->layout;
    size_t count = dtb__fields_count(line, r->delim);
    if (count == l->fields || (l->open && count > l->fields))
        return DTB_OK;
    if (l->header_line)
        return dtb__error(DTB_EPARSE, "%s:%zu: row has %zu fields, expected %zu like the header (line %zu)",
                          r->file->path, line->number, count, l->fields, l->header_line);
    return dtb__error(DTB_EPARSE, "%s:%zu: expected %s (%s%zu fields), found %zu field%s", r->file->path,
                      line->number, l->shape, l->open ? "at least " : "", l->fields, count,
                      count == 1 ? "" : "s");
}

static dtb_status read_row(region_reader *r, const dtb__text_line *line)
{
    if (r->rows == r->n)
        return dtb__error(DTB_EPARSE, "%s:%zu: one region too many: expected %zu%s%s%s", r->file->path,
                          line->number, r->n, reason_sep(r->reason), reason_str(r->reason),
                          reason_end(r->reason));
    dtb_status s = check_field_count(r, line);
    if (s != DTB_OK)
        return s;
    dtb__field_cursor cur;
    dtb__field f;
    dtb__fields_begin(&cur, line, r->delim);
    for (size_t i = 0; dtb__fields_next(&cur, line, &f); i++)
        for (int c = 0; c < COL_COUNT; c++)
            if (r->layout.col[c] == i && (s = store_field(r, line, &f, c)) != DTB_OK)
                return s;
    r->rows++;
    return DTB_OK;
}

static dtb_status read_regions(region_reader *r)
{
    dtb__line_cursor c = {0, 0};
    dtb__text_line line;
    dtb_status s;
    int first = 1;
    while (dtb__text_next_line(r->file, &c, &line)) {
        if (first) {
            first = 0;
            r->delim = dtb__text_detect_delimiter(&line);
            int is_header = detect_layout(&line, r->delim, &r->layout);
            if ((s = allocate_table(r)) != DTB_OK)
                return s;
            if (is_header)
                continue;
        }
        if ((s = read_row(r, &line)) != DTB_OK)
            return s;
    }
    if (r->rows == r->n)
        return DTB_OK;
    size_t last = dtb__text_last_line(r->file);
    if (r->rows == 0)
        return dtb__error(DTB_EPARSE, "%s:%zu: no regions: the file is empty or holds only %s",
                          r->file->path, last, first ? "comments and blank lines" : "a header");
    return dtb__error(DTB_EPARSE, "%s:%zu: the file ends after %zu regions, expected %zu%s%s%s",
                      r->file->path, last, r->rows, r->n, reason_sep(r->reason),
                      reason_str(r->reason), reason_end(r->reason));
}

void dtb__region_table_free(dtb__region_table *t)
{
    if (!t)
        return;
    free(t->centres);
    dtb__strings_free(t->labels, t->n);
    free(t->hemispheres);
    dtb__strings_free(t->lobes, t->n);
    dtb__strings_free(t->gyri, t->n);
    memset(t, 0, sizeof *t);
}

dtb_status dtb__region_table_read(const char *path, size_t n, const char *reason, dtb__region_table *out)
{
    memset(out, 0, sizeof *out);
    dtb__text_file file;
    dtb_status s = dtb__text_file_read(path, &file);
    if (s != DTB_OK)
        return s;
    region_reader r = {0};
    r.file = &file;
    r.reason = reason;
    r.n = n;
    r.out = out;
    s = read_regions(&r);
    dtb__text_file_free(&file);
    if (s != DTB_OK)
        dtb__region_table_free(out);
    return s;
}

/* ---- label lists ---- */

typedef struct label_reader {
    const dtb__text_file *file;
    const char *reason;
    size_t n, count;
    char **labels;
} label_reader;

static dtb_status add_label(label_reader *r, const dtb__text_line *line, const dtb__field *f)
{
    if (f->len == 0)
        return dtb__error(DTB_EPARSE, "%s:%zu:%zu: label %zu is empty", r->file->path, line->number,
                          f->column, r->count + 1);
    if (r->count == r->n)
        return dtb__error(DTB_EPARSE, "%s:%zu:%zu: label %zu '%.*s' is one too many: expected %zu%s%s%s",
                          r->file->path, line->number, f->column, r->count + 1, excerpt(f->len), f->start,
                          r->n, reason_sep(r->reason), reason_str(r->reason), reason_end(r->reason));
    dtb_status st = dtb__field_text(r->file->path, line, f, "the label", &r->labels[r->count]);
    if (st)
        return st;
    r->count++;
    return DTB_OK;
}

/* All labels on one line, split at commas, semicolons or blanks. */
static dtb_status labels_on_one_line(label_reader *r, const dtb__text_line *line)
{
    dtb__field_cursor cur;
    dtb__field f;
    dtb_status s;
    dtb__fields_begin(&cur, line, dtb__text_detect_delimiter(line));
    while (dtb__fields_next(&cur, line, &f))
        if ((s = add_label(r, line, &f)) != DTB_OK)
            return s;
    if (r->count < r->n)
        return dtb__error(DTB_EPARSE, "%s:%zu: %zu labels on the line, expected %zu%s%s%s", r->file->path,
                          line->number, r->count, r->n, reason_sep(r->reason), reason_str(r->reason),
                          reason_end(r->reason));
    return DTB_OK;
}

/* The whole line, trimmed and unquoted: a delimiter that cannot occur in a
 * line ('\n') makes the field cursor return exactly that. */
static dtb_status label_per_line(label_reader *r, const dtb__text_line *line)
{
    dtb__field_cursor cur;
    dtb__field f;
    dtb__fields_begin(&cur, line, '\n');
    dtb__fields_next(&cur, line, &f);
    return add_label(r, line, &f);
}

static dtb_status read_labels(label_reader *r)
{
    dtb__line_cursor c = {0, 0};
    dtb__text_line first, line;
    dtb_status s;
    if (!dtb__text_next_line(r->file, &c, &first))
        return dtb__error(DTB_EPARSE, "%s:%zu: no labels: the file is empty or holds only comments",
                          r->file->path, dtb__text_last_line(r->file));
    int more = dtb__text_next_line(r->file, &c, &line);
    if (!more && r->n > 1)
        return labels_on_one_line(r, &first);
    if ((s = label_per_line(r, &first)) != DTB_OK)
        return s;
    for (; more; more = dtb__text_next_line(r->file, &c, &line))
        if ((s = label_per_line(r, &line)) != DTB_OK)
            return s;
    if (r->count < r->n)
        return dtb__error(DTB_EPARSE, "%s:%zu: the file ends after %zu labels, expected %zu%s%s%s",
                          r->file->path, dtb__text_last_line(r->file), r->count, r->n,
                          reason_sep(r->reason), reason_str(r->reason), reason_end(r->reason));
    return DTB_OK;
}

dtb_status dtb__labels_read(const char *path, size_t n, const char *reason, char ***labels_out)
{
    *labels_out = NULL;
    dtb__text_file file;
    dtb_status s = dtb__text_file_read(path, &file);
    if (s != DTB_OK)
        return s;
    label_reader r = {&file, reason, n, 0, NULL};
    r.labels = dtb__calloc(n, sizeof *r.labels);
    s = r.labels ? read_labels(&r) : DTB_ENOMEM;
    dtb__text_file_free(&file);
    if (s != DTB_OK) {
        dtb__strings_free(r.labels, n);
        return s;
    }
    *labels_out = r.labels;
    return DTB_OK;
}
