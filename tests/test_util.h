/* Helpers shared by the CMocka tests. */
#ifndef DTB_TEST_UTIL_H
#define DTB_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Path of a file in the shared data folder (../shared/data/...), in a static
 * buffer that the next call overwrites. Fails the test if it does not exist. */
const char *shared_path(const char *relative);

/* A fresh empty temporary directory for this test (removed at exit). */
const char *test_tmpdir(void);

/* Read a whole file into a malloc'd NUL-terminated string (NULL on error). */
char *read_text_file(const char *path, size_t *len_out);

/* Assert that the last libdtb error message contains `needle`. */
#define assert_error_contains(needle) assert_error_contains_impl((needle), __FILE__, __LINE__)
void assert_error_contains_impl(const char *needle, const char *file, int line);

#endif
