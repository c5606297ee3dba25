/* dtb_matrix.h: tables from text and NumPy files, read as an embedder
 * reads them (the readers' own corner cases: tests/io). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#include "test_util.h"

static const char *write_file(const char *name, const void *bytes, size_t n)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

/* Read path and check its shape and values (row-major). */
static dtb_matrix *read_ok(const char *path, const dtb_matrix_read_options *o, int64_t rows,
                           int64_t cols, const double *want)
{
    dtb_matrix *m = NULL;
    dtb_status st = dtb_matrix_read(&m, path, o);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    assert_int_equal(dtb_matrix_rows(m), rows);
    assert_int_equal(dtb_matrix_cols(m), cols);
    size_t n = 0;
    assert_int_equal(dtb_matrix_copy_data(m, NULL, 0, &n), DTB_OK);
    assert_int_equal(n, (size_t)(rows * cols));
    double got[16];
    assert_int_equal(dtb_matrix_copy_data(m, got, 16, NULL), DTB_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(got[i] == want[i]);
    return m;
}

static void test_text_formats(void **state)
{
    (void)state;
    static const double want[] = {1, 0.5, -2, 3e-3, 4, 5};
    /* comma, tab and space separated, CRLF, a comment line: the same table */
    dtb_matrix_free(read_ok(write_text("a.csv", "1,0.5,-2\r\n# note\n3e-3,4,5\n"), NULL, 2, 3, want));
    dtb_matrix_free(read_ok(write_text("a.tsv", "1\t0.5\t-2\n3e-3\t4\t5\n"), NULL, 2, 3, want));
    dtb_matrix *m = read_ok(write_text("a.txt", "1 0.5 -2\n\n3e-3 4   5\n"), NULL, 2, 3, want);
    assert_null(dtb_matrix_column_label(m, 0));   /* no header */
    dtb_matrix_free(m);
}

static void test_headers(void **state)
{
    (void)state;
    static const double want[] = {1, 0.25, 0.25, 1};
    const char *path = write_text("fc.csv", "A8m_L,A8m_R\n1,0.25\n0.25,1\n");
    /* AUTO finds the labels; PRESENT says so; NONE refuses them */
    dtb_matrix *m = read_ok(path, NULL, 2, 2, want);
    assert_string_equal(dtb_matrix_column_label(m, 0), "A8m_L");
    assert_string_equal(dtb_matrix_column_label(m, 1), "A8m_R");
    assert_null(dtb_matrix_column_label(m, 2));
    assert_null(dtb_matrix_column_label(m, -1));
    dtb_matrix_free(m);
    dtb_matrix_read_options o;
    assert_int_equal(dtb_matrix_read_options_init(&o, DTB_MATRIX_READ_OPTIONS_VERSION), DTB_OK);
    o.header = DTB_MATRIX_HEADER_PRESENT;
    o.flags = DTB_MATRIX_FLAG_SQUARE;
    dtb_matrix_free(read_ok(path, &o, 2, 2, want));
    o.header = DTB_MATRIX_HEADER_NONE;
    m = (dtb_matrix *)1;
    assert_int_equal(dtb_matrix_read(&m, path, &o), DTB_EPARSE);
    assert_null(m);
    assert_error_contains("fc.csv:1");
}

static void test_npy(void **state)
{
    (void)state;
    static const double want[] = {1.5, -2, 1e300, 0, 7, 8};
    char path[4096];
    snprintf(path, sizeof path, "%s/x.npy", test_tmpdir());
    assert_int_equal(dtb_matrix_write_npy(path, want, 3, 2), DTB_OK);
    dtb_matrix_free(read_ok(path, NULL, 3, 2, want));
    /* a 1-D array is one column (a hand-made float64 header, shape (3,)) */
    char npy[128 + 24];
    memset(npy, ' ', 128);
    memcpy(npy, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    memcpy(npy + 10, dict, strlen(dict));
    npy[127] = '\n';
    memcpy(npy + 128, want, 24);
    dtb_matrix_free(read_ok(write_file("v.npy", npy, sizeof npy), NULL, 3, 1, want));
    /* SQUARE holds for .npy too */
    dtb_matrix_read_options o = DTB_MATRIX_READ_OPTIONS_INIT;
    o.flags = DTB_MATRIX_FLAG_SQUARE;
    dtb_matrix *m;
    assert_int_equal(dtb_matrix_read(&m, path, &o), DTB_EPARSE);
    assert_error_contains("3 x 2, not a square matrix");
    /* zero rows is a valid file to write, but no table to read */
    assert_int_equal(dtb_matrix_write_npy(path, NULL, 0, 4), DTB_OK);
    assert_int_equal(dtb_matrix_read(&m, path, NULL), DTB_EINVAL);
    assert_error_contains("an empty array (0 x 4)");
}

static void test_nonfinite(void **state)
{
    (void)state;
    const double nan_row[2] = {1, NAN};
    char path[4096];
    snprintf(path, sizeof path, "%s/nan.npy", test_tmpdir());
    assert_int_equal(dtb_matrix_write_npy(path, nan_row, 1, 2), DTB_OK);
    const char *text = write_text("nan.csv", "1,nan\n");
    dtb_matrix *m;
    assert_int_equal(dtb_matrix_read(&m, path, NULL), DTB_EPARSE);
    assert_error_contains("not finite");
    assert_int_equal(dtb_matrix_read(&m, text, NULL), DTB_EPARSE);
    dtb_matrix_read_options o = DTB_MATRIX_READ_OPTIONS_INIT;
    o.flags = DTB_MATRIX_FLAG_ALLOW_NONFINITE;
    o.header = DTB_MATRIX_HEADER_NONE;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(dtb_matrix_read(&m, k ? text : path, &o), DTB_OK);
        double got[2];
        assert_int_equal(dtb_matrix_copy_data(m, got, 2, NULL), DTB_OK);
        assert_true(got[0] == 1 && isnan(got[1]));
        dtb_matrix_free(m);
    }
}

static void test_errors(void **state)
{
    (void)state;
    dtb_matrix *m = (dtb_matrix *)1;
    char path[4096];
    snprintf(path, sizeof path, "%s/missing.csv", test_tmpdir());
    assert_int_equal(dtb_matrix_read(&m, path, NULL), DTB_ENOTFOUND);
    assert_null(m);
    assert_error_contains("missing.csv");
    assert_int_equal(dtb_matrix_read(&m, write_text("ragged.csv", "1,2\n3\n"), NULL), DTB_EPARSE);
    assert_error_contains("ragged.csv:2");
    assert_int_equal(dtb_matrix_read(NULL, path, NULL), DTB_EINVAL);
    assert_int_equal(dtb_matrix_read(&m, NULL, NULL), DTB_EINVAL);
    dtb_matrix_read_options o = DTB_MATRIX_READ_OPTIONS_INIT;
    o.version = 2;
    assert_int_equal(dtb_matrix_read(&m, path, &o), DTB_EINVAL);
    o.version = 1;
    o.flags = 0x80;
    assert_int_equal(dtb_matrix_read(&m, path, &o), DTB_EINVAL);
    assert_error_contains("0x80");
    o.flags = 0;
    o.header = 3;
    assert_int_equal(dtb_matrix_read(&m, path, &o), DTB_EINVAL);
    assert_error_contains("header");
    assert_int_equal(dtb_matrix_read_options_init(NULL, 1), DTB_EINVAL);
    assert_int_equal(dtb_matrix_read_options_init(&o, 0), DTB_EINVAL);
    /* the getters of NULL, a buffer too small */
    assert_int_equal(dtb_matrix_rows(NULL), -1);
    assert_int_equal(dtb_matrix_cols(NULL), -1);
    assert_null(dtb_matrix_column_label(NULL, 0));
    size_t n = 5;
    assert_int_equal(dtb_matrix_copy_data(NULL, NULL, 0, &n), DTB_EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(dtb_matrix_read(&m, write_text("two.csv", "1,2\n"), NULL), DTB_OK);
    double one;
    assert_int_equal(dtb_matrix_copy_data(m, &one, 1, &n), DTB_EBUFSIZE);
    assert_int_equal(n, 2);
    dtb_matrix_free(m);
    dtb_matrix_free(NULL);
    /* writing */
    assert_int_equal(dtb_matrix_write_npy(NULL, &one, 1, 1), DTB_EINVAL);
    assert_int_equal(dtb_matrix_write_npy(path, NULL, 1, 1), DTB_EINVAL);
    assert_int_equal(dtb_matrix_write_npy(path, &one, -1, 1), DTB_EINVAL);
    snprintf(path, sizeof path, "%s/no/such/folder/x.npy", test_tmpdir());
    assert_int_equal(dtb_matrix_write_npy(path, &one, 1, 1), DTB_EIO);
    assert_error_contains("no/such/folder/x.npy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_formats),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_npy),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
