#define _GNU_SOURCE
#include "test_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dtb/dtb.h"

const char *shared_path(const char *relative)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", DTB_SHARED_DATA, relative);
    struct stat st;
    if (stat(buf, &st) != 0) {
        print_error("shared data not found: %s (set -Dshared_data=DIR)\n", buf);
        fail();
    }
    return buf;
}

static char tmpdir[4096];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static void rm_tmpdir(void)
{
    if (tmpdir[0])
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/dtb-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            print_error("mkdtemp failed\n");
            fail();
        }
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

char *read_text_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf) {
        buf[len] = '\0';
        if (len_out)
            *len_out = len;
    }
    return buf;
}

void assert_error_contains_impl(const char *needle, const char *file, int line)
{
    const char *msg = dtb_last_error_message();
    if (!strstr(msg, needle)) {
        print_error("%s:%d: error message \"%s\" does not contain \"%s\"\n", file, line, msg, needle);
        fail();
    }
}

dtb_atlas *test_isolated_atlas(int64_t n)
{
    double *w = calloc((size_t)(n * n), sizeof *w);
    double *len = calloc((size_t)(n * n), sizeof *len);
    assert_non_null(w);
    assert_non_null(len);
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, len, NULL, NULL), DTB_OK);
    free(w);
    free(len);
    return a;
}

int test_vrun(char *out, size_t size, const char *fmt, va_list ap)
{
    char body[8192], cmd[8192 + 4096 + 64]; /* body, test_tmpdir() and the wrapping */
    vsnprintf(body, sizeof body, fmt, ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s 2>&1", test_tmpdir(), body);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_run(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int status = test_vrun(out, size, fmt, ap);
    va_end(ap);
    return status;
}

char test_output[1 << 16];

int test_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int status = test_vrun(test_output, sizeof test_output, fmt, ap);
    va_end(ap);
    return status;
}

const char *test_tmp(const char *name)
{
    static char buf[8192];   /* test_tmpdir() (up to 4096) + name */
    snprintf(buf, sizeof buf, "%s/%s", test_tmpdir(), name);
    return buf;
}

int test_exists(const char *name)
{
    struct stat st;
    return stat(test_tmp(name), &st) == 0;
}
