/* libdtb — whole text files, data lines and fields (see text_file.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "text_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

dtb_status dtb__text_file_read(const char *path, dtb__text_file *out)
{
    out->data = NULL;
    out->len = 0;
    out->path = path;
    char *data = NULL;
    size_t len = 0;
    dtb_status s = dtb__read_input(path, 1, &data, &len);
    if (s != DTB_OK)
        return s;
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= 3 && memcmp(data, bom, 3) == 0) {
        memmove(data, data + 3, len - 3 + 1);
        len -= 3;
    }
    out->data = data;
    out->len = len;
    return DTB_OK;
}

void dtb__text_file_free(dtb__text_file *f)
{
    if (!f)
        return;
    free(f->data);
    f->data = NULL;
    f->len = 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

int dtb__text_next_line(const dtb__text_file *f, dtb__line_cursor *c, dtb__text_line *line)
{
    while (c->pos < f->len) {
        const char *start = f->data + c->pos;
        const char *nl = memchr(start, '\n', f->len - c->pos);
        size_t len = nl ? (size_t)(nl - start) : f->len - c->pos;
        c->pos += len + (nl ? 1 : 0);
        c->line++;
        if (len > 0 && start[len - 1] == '\r')
            len--;
        size_t i = 0;
        while (i < len && is_blank(start[i]))
            i++;
        if (i == len || start[i] == '#')
            continue;
        line->start = start;
        line->len = len;
        line->number = c->line;
        return 1;
    }
    return 0;
}

size_t dtb__text_last_line(const dtb__text_file *f)
{
    size_t lines = 0;
    for (size_t i = 0; i < f->len; i++)
        lines += f->data[i] == '\n';
    /* Text after the last line end is one more (unterminated) line. */
    if (f->len > 0 && f->data[f->len - 1] != '\n')
        lines++;
    return lines ? lines : 1;
}

char dtb__text_detect_delimiter(const dtb__text_line *line)
{
    /* ';' first: a line holding both is a decimal-comma CSV, whose commas
     * are then reported as malformed numbers instead of splitting them. */
    if (memchr(line->start, ';', line->len))
        return ';';
    if (memchr(line->start, ',', line->len))
        return ',';
    return ' ';
}

void dtb__fields_begin(dtb__field_cursor *c, const dtb__text_line *line, char delim)
{
    c->p = line->start;
    c->end = line->start + line->len;
    c->delim = delim;
    c->done = 0;
}

static void strip_quotes(dtb__field *field)
{
    field->quoted = 0;
    if (field->len >= 2 && field->start[0] == '"' && field->start[field->len - 1] == '"') {
        field->start++;
        field->len -= 2;
        field->column++;
        field->quoted = 1;
    }
}

/* The end of a delimited field from p: the next delimiter, but one inside
 * double quotes (RFC 4180: "a, b" and "say ""hi""") does not count. */
static const char *field_stop(const char *p, const char *end, char delim)
{
    const char *q = p;
    while (q < end && is_blank(*q))
        q++;
    if (q < end && *q == '"') {
        for (q++; q < end; q++) {
            if (*q == '"' && q + 1 < end && q[1] == '"')
                q++;
            else if (*q == '"')
                break;
        }
        if (q < end)
            return memchr(q, delim, (size_t)(end - q));
    }
    return memchr(p, delim, (size_t)(end - p));
}

int dtb__fields_next(dtb__field_cursor *c, const dtb__text_line *line, dtb__field *field)
{
    if (c->done)
        return 0;
    const char *p = c->p, *end = c->end;
    if (c->delim == ' ') {
        while (p < end && is_blank(*p))
            p++;
        if (p == end) {
            c->done = 1;
            return 0;
        }
        const char *start = p;
        while (p < end && !is_blank(*p))
            p++;
        field->start = start;
        field->len = (size_t)(p - start);
    } else {
        /* Delimited: every delimiter ends a field, so "a,,b" has an empty
         * second field and "a," an empty last one. */
        const char *stop = field_stop(p, end, c->delim);
        const char *field_end = stop ? stop : end;
        const char *start = p;
        while (start < field_end && is_blank(*start))
            start++;
        const char *last = field_end;
        while (last > start && is_blank(last[-1]))
            last--;
        field->start = start;
        field->len = (size_t)(last - start);
        if (stop) {
            p = stop + 1;
        } else {
            p = end;
            c->done = 1;
        }
    }
    c->p = p;
    field->column = (size_t)(field->start - line->start) + 1;
    strip_quotes(field);
    return 1;
}

char *dtb__field_dup(const dtb__field *field)
{
    char *out = dtb__malloc(field->len + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < field->len; i++) {
        out[n++] = field->start[i];
        if (field->quoted && field->start[i] == '"' && i + 1 < field->len &&
            field->start[i + 1] == '"')
            i++;   /* "" inside quotes is one quote */
    }
    out[n] = '\0';
    return out;
}

dtb_status dtb__field_text(const char *path, const dtb__text_line *line, const dtb__field *field,
                           const char *what, char **out)
{
    *out = NULL;
    for (size_t i = 0; i < field->len; i++) {
        unsigned char ch = (unsigned char)field->start[i];
        if (ch < 0x20 || ch == 0x7f)
            /* a label is shown on terminals and in figures: an escape
             * sequence in it would be run by the terminal, not shown */
            return dtb__error(DTB_EPARSE, "%s:%zu:%zu: %s holds a control character (byte 0x%02x)",
                              path, line->number, field->column + i, what, ch);
    }
    *out = dtb__field_dup(field);
    return *out ? DTB_OK : DTB_ENOMEM;
}

size_t dtb__fields_count(const dtb__text_line *line, char delim)
{
    dtb__field_cursor c;
    dtb__field f;
    size_t n = 0;
    dtb__fields_begin(&c, line, delim);
    while (dtb__fields_next(&c, line, &f))
        n++;
    return n;
}

int dtb__field_to_double(const dtb__field *field, double *out)
{
    if (field->len == 0)
        return 0;
    if (field->len == 1 && field->start[0] == '0') {
        *out = 0.0; /* most entries of a sparse connectome */
        return 1;
    }
    /* strtod stops at the byte after a field (separator, quote, line end),
     * so the field needs no NUL terminator. */
    char *end;
    double v = dtb__strtod(field->start, &end);
    if (end != field->start + field->len)
        return 0;
    *out = v;
    return 1;
}
