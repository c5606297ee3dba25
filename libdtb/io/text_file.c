/* libdtb — whole text files, data lines and fields (see text_file.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"

static dtb_status read_stream(FILE *f, const char *path, size_t size_hint, char **data_out,
                              size_t *len_out)
{
    /* Room for the expected bytes, one probe byte that meets the end of
     * the file, and the NUL: a regular file takes one allocation. The loop
     * only grows the buffer for pipes and files that grow while read. */
    size_t cap = size_hint + 2, len = 0;
    char *data = dtb__malloc(cap);
    if (!data)
        return DTB_ENOMEM;
    for (;;) {
        if (len + 1 == cap) {
            char *bigger = dtb__realloc_array(data, cap * 2, 1);
            if (!bigger) {
                free(data);
                return DTB_ENOMEM;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                int err = errno;
                free(data);
                return dtb__error(DTB_EIO, "%s: cannot read: %s", path, strerror(err));
            }
            break;
        }
    }
    data[len] = '\0';
    *data_out = data;
    *len_out = len;
    return DTB_OK;
}

dtb_status dtb__text_file_read(const char *path, dtb__text_file *out)
{
    out->data = NULL;
    out->len = 0;
    out->path = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        if (err == ENOENT)
            return dtb__error(DTB_ENOTFOUND, "%s: no such file", path);
        return dtb__error(DTB_EIO, "%s: cannot open: %s", path, strerror(err));
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        return dtb__error(DTB_EIO, "%s: is a folder, not a file", path);
    }
    size_t hint = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 4096;
    char *data = NULL;
    size_t len = 0;
    dtb_status s = read_stream(f, path, hint, &data, &len);
    fclose(f);
    if (s != DTB_OK)
        return s;

    const char *nul = memchr(data, '\0', len);
    if (nul) {
        size_t line = 1;
        for (const char *p = data; p < nul; p++)
            line += *p == '\n';
        free(data);
        return dtb__error(DTB_EPARSE, "%s:%zu: NUL byte in a text file (is it a binary file?)",
                          path, line);
    }
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
    if (field->len >= 2 && field->start[0] == '"' && field->start[field->len - 1] == '"') {
        field->start++;
        field->len -= 2;
        field->column++;
    }
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
        const char *stop = memchr(p, c->delim, (size_t)(end - p));
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
