/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "atlas_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

void join_path(char out[TEST_PATH_MAX], const char *dir, const char *name)
{
    int len = snprintf(out, TEST_PATH_MAX, "%s/%s", dir, name);
    assert_true(len > 0 && len < TEST_PATH_MAX);
}

void make_folder(char out[TEST_PATH_MAX], const char *name)
{
    join_path(out, test_tmpdir(), name);
    assert_int_equal(mkdir(out, 0700), 0);
}

void write_file(const char *dir, const char *name, const char *content, char *out_path)
{
    char path[TEST_PATH_MAX];
    join_path(path, dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t len = strlen(content);
    assert_int_equal(fwrite(content, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    if (out_path)
        memcpy(out_path, path, strlen(path) + 1);
}

double *read_square_matrix(const char *path, size_t *n_out)
{
    char *text = read_text_file(path, NULL);
    if (!text)
        return NULL;
    for (char *p = text; *p; p++)
        if (*p == ',')
            *p = ' ';
    size_t cap = 1024, count = 0, rows = 0;
    double *values = malloc(cap * sizeof *values);
    char *line = text;
    while (values && line && *line) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *p = line, *end;
        size_t before = count;
        for (double v = strtod(p, &end); end != p; v = strtod(p, &end)) {
            if (count == cap) {
                double *bigger = realloc(values, 2 * cap * sizeof *values);
                if (!bigger) {
                    free(values);
                    values = NULL;
                    break;
                }
                values = bigger;
                cap *= 2;
            }
            values[count++] = v;
            p = end;
        }
        rows += count > before;
        line = next;
    }
    free(text);
    if (values && rows * rows != count) {
        free(values);
        return NULL;
    }
    *n_out = rows;
    return values;
}
