/* Helpers shared by the CMocka tests. */
#ifndef DTB_TEST_UTIL_H
#define DTB_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dtb/dtb.h"

/* The larger of two numbers, NaN if either is: an error accumulated with
 * it stays NaN, and `assert_true(err < tol)` fails, where fmax() drops a
 * NaN and `if (d > worst)` never takes one. Every accumulated difference
 * in the tests goes through it. */
static inline double nan_max(double a, double b) { return isnan(a) || isnan(b) ? NAN : a > b ? a : b; }
static inline double nan_min(double a, double b) { return isnan(a) || isnan(b) ? NAN : a < b ? a : b; }

/* Path of a file in the shared data folder (../shared/data/...), in a static
 * buffer that the next call overwrites. Fails the test if it does not exist. */
const char *shared_path(const char *relative);

/* A fresh empty temporary directory for this test (removed at exit). */
const char *test_tmpdir(void);

/* An atlas of n unconnected regions (zero weights and lengths). */
dtb_atlas *test_isolated_atlas(int64_t n);

/* Read a whole file into a malloc'd NUL-terminated string (NULL on error). */
char *read_text_file(const char *path, size_t *len_out);

/* Run one shell command (printf-style) in test_tmpdir(): its stdout and
 * stderr (the first size - 1 bytes) into out, NUL-terminated. Returns the
 * exit status, or -1 if it did not exit (a signal). The one way the tests
 * run the dtb program: `test_run(out, sizeof out, "'%s' run ...", DTB_EXE)`. */
int test_run(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int test_vrun(char *out, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* The output (stdout and stderr) of the last test_sh. */
extern char test_output[1 << 16];
/* test_run into test_output: the way the command-line tests run a shell
 * command (`test_sh("'%s' run ...", DTB_EXE)`). */
int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The path of `name` in test_tmpdir(), in a static buffer that the next
 * call overwrites; and whether that file or folder exists. */
const char *test_tmp(const char *name);
int test_exists(const char *name);

/* Assert that the last libdtb error message contains `needle`. */
#define assert_error_contains(needle) assert_error_contains_impl((needle), __FILE__, __LINE__)
void assert_error_contains_impl(const char *needle, const char *file, int line);

#endif
