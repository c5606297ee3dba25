/* SPDX-License-Identifier: GPL-3.0-or-later
 * Unit tests of the plain-text readers: text_file (lines, fields) and
 * text_matrix (numeric tables with their error messages). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "dtb/dtb.h"
#include "io/text_file.h"
#include "io/text_matrix.h"

/* Write `content` (len bytes) to a file in the test folder; returns its path
 * in a static buffer. */
static const char *write_bytes(const char *name, const char *content, size_t len)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *content)
{
    return write_bytes(name, content, strlen(content));
}

static void assert_matrix(const dtb__matrix *m, size_t rows, size_t cols, const double *expected)
{
    assert_int_equal(m->rows, rows);
    assert_int_equal(m->cols, cols);
    for (size_t i = 0; i < rows * cols; i++)
        assert_true(m->data[i] == expected[i]);
}

static void test_whitespace_with_comments_crlf_bom(void **state)
{
    (void)state;
    const char *path = write_text("ws.txt", "\xEF\xBB\xBF# a comment\r\n"
                                            "\r\n"
                                            "  1 2.5\t-3e-1 \r\n"
                                            "   # indented comment\r\n"
                                            "4 0 6");
    dtb__matrix m;
    assert_int_equal(dtb__matrix_read(path, 0, &m, NULL, NULL), DTB_OK);
    const double expected[] = {1, 2.5, -0.3, 4, 0, 6};
    assert_matrix(&m, 2, 3, expected);
    dtb__matrix_free(&m);
    assert_null(m.data);
}

static void test_delimiters(void **state)
{
    (void)state;
    const double expected[] = {1, 2, 3, 4};
    const char *files[][2] = {
        {"comma.csv", "1,2\n3, 4\n"},
        {"semicolon.csv", "1;2\n3 ; 4\n"},
        {"tab.tsv", "1\t2\n3\t4\n"},
        {"quoted.csv", "\"1\",\"2\"\n\"3\",\"4\"\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        dtb__matrix m;
        assert_int_equal(dtb__matrix_read(write_text(files[i][0], files[i][1]), 0, &m, NULL, NULL),
                         DTB_OK);
        assert_matrix(&m, 2, 2, expected);
        dtb__matrix_free(&m);
    }
}

static void test_header(void **state)
{
    (void)state;
    const char *path = write_text("header.csv", "# units: mm\nx,y,\"z\"\n1,2,3\n");
    dtb__matrix m;
    char **names;
    size_t n;
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, &names, &n), DTB_OK);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "x");
    assert_string_equal(names[2], "z");
    const double expected[] = {1, 2, 3};
    assert_matrix(&m, 1, 3, expected);
    dtb__strings_free(names, n);
    dtb__matrix_free(&m);

    /* Header wider than the rows. */
    path = write_text("header_bad.csv", "a,b,c\n1,2\n");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, &names, &n), DTB_EPARSE);
    assert_null(names);
    assert_null(m.data);
    assert_error_contains("header_bad.csv:2: row has 2 values but the header on line 1 names 3");
}

static void test_nonfinite(void **state)
{
    (void)state;
    const char *path = write_text("nan.txt", "1 2\n3 nan\n");
    dtb__matrix m;
    assert_int_equal(dtb__matrix_read(path, 0, &m, NULL, NULL), DTB_EPARSE);
    assert_null(m.data);
    assert_error_contains("nan.txt:2:3: value 2 'nan' is not finite");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_ALLOW_NONFINITE, &m, NULL, NULL), DTB_OK);
    assert_true(isnan(m.data[3]));
    dtb__matrix_free(&m);

    path = write_text("overflow.txt", "1e999\n");
    assert_int_equal(dtb__matrix_read(path, 0, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("overflow.txt:1:1: value 1 '1e999' is not finite");
}

static void test_parse_errors(void **state)
{
    (void)state;
    dtb__matrix m;
    struct {
        const char *name, *content, *message;
    } cases[] = {
        {"ragged.txt", "1 2 3\n4 5 6\n7 8\n", "ragged.txt:3: row has 2 values, expected 3 like the first row (line 1)"},
        {"long_row.txt", "1 2\n3 4 5\n", "long_row.txt:2: row has 3 values, expected 2"},
        {"token.txt", "1 2\n3 abc\n", "token.txt:2:3: value 2 'abc' is not a number"},
        {"decimal_comma.csv", "1;2,5\n", "decimal_comma.csv:1:3: value 2 '2,5' is not a number"},
        {"empty_field.csv", "1,,3\n", "empty_field.csv:1:3: value 2 is empty"},
        {"trailing.csv", "1,2,\n", "trailing.csv:1:5: value 3 is empty"},
        {"empty.txt", "", "empty.txt:1: no data"},
        {"comments.txt", "# one\n# two\n\n", "comments.txt:3: no data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(dtb__matrix_read(write_text(cases[i].name, cases[i].content), 0, &m, NULL, NULL),
                         DTB_EPARSE);
        assert_null(m.data);
        assert_error_contains(cases[i].message);
    }
    const char *path = write_text("only_header.csv", "a,b\n");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("only_header.csv:1: no data: the file is empty or holds only a header");
}

static void test_shape(void **state)
{
    (void)state;
    dtb__matrix m;
    const char *path = write_text("wide.txt", "1 2 3\n4 5 6\n");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_SQUARE, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("wide.txt:2: the matrix ends after 2 rows but has 3 columns; it must be square");
    path = write_text("tall.txt", "1 2\n3 4\n5 6\n7 8\n");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_SQUARE, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("tall.txt:3: one row too many");
    path = write_text("small.txt", "1 2\n3 4\n");
    assert_int_equal(dtb__matrix_read_shaped(path, 0, 3, 3, "one per region", &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("small.txt:1: row has 2 values, expected 3 (one per region)");
    assert_int_equal(dtb__matrix_read_shaped(path, 0, 3, 2, "one per region", &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("small.txt:2: the table ends after 2 rows, expected 3 (one per region)");
    assert_int_equal(dtb__matrix_read_shaped(path, 0, 1, 2, NULL, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("small.txt:2: one row too many: expected 1 rows");
    assert_int_equal(dtb__matrix_read_shaped(path, DTB__MATRIX_SQUARE, 2, 2, NULL, &m, NULL, NULL), DTB_OK);
    dtb__matrix_free(&m);

    path = write_text("negative.txt", "0 1\n-1 0\n");
    assert_int_equal(dtb__matrix_read(path, DTB__MATRIX_NONNEGATIVE, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("negative.txt:2:1: value 1 '-1' is negative");
}

static void test_files(void **state)
{
    (void)state;
    dtb__matrix m;
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/does-not-exist.txt", test_tmpdir());
    assert_int_equal(dtb__matrix_read(missing, 0, &m, NULL, NULL), DTB_ENOTFOUND);
    assert_error_contains("does-not-exist.txt: no such file");
    assert_int_equal(dtb__matrix_read(test_tmpdir(), 0, &m, NULL, NULL), DTB_EIO);
    assert_error_contains("is a folder");
    const char *path = write_bytes("binary.txt", "1 2\n3\0 4\n", 9);
    assert_int_equal(dtb__matrix_read(path, 0, &m, NULL, NULL), DTB_EPARSE);
    assert_error_contains("binary.txt:2: NUL byte");
    assert_int_equal(dtb__matrix_read(NULL, 0, &m, NULL, NULL), DTB_EINVAL);
    assert_int_equal(dtb__matrix_read(path, 0, NULL, NULL, NULL), DTB_EINVAL);
}

static void test_lines_and_fields(void **state)
{
    (void)state;
    const char *path = write_text("lines.txt", "\n# c\r\n a , \"b c\" ,\r\nlast");
    dtb__text_file f;
    assert_int_equal(dtb__text_file_read(path, &f), DTB_OK);
    assert_int_equal(dtb__text_last_line(&f), 4);
    dtb__line_cursor c = {0, 0};
    dtb__text_line line;
    assert_true(dtb__text_next_line(&f, &c, &line));
    assert_int_equal(line.number, 3);
    assert_int_equal(line.len, 12); /* without the CR */
    assert_int_equal(dtb__text_detect_delimiter(&line), ',');
    assert_int_equal(dtb__fields_count(&line, ','), 3);
    dtb__field_cursor fc;
    dtb__field field;
    dtb__fields_begin(&fc, &line, ',');
    assert_true(dtb__fields_next(&fc, &line, &field));
    assert_int_equal(field.len, 1);
    assert_int_equal(field.column, 2);
    assert_true(dtb__fields_next(&fc, &line, &field));
    assert_int_equal(field.len, 3);
    assert_memory_equal(field.start, "b c", 3);
    assert_true(dtb__fields_next(&fc, &line, &field));
    assert_int_equal(field.len, 0);
    assert_false(dtb__fields_next(&fc, &line, &field));
    assert_true(dtb__text_next_line(&f, &c, &line));
    assert_int_equal(line.number, 4);
    assert_int_equal(dtb__text_detect_delimiter(&line), ' ');
    assert_false(dtb__text_next_line(&f, &c, &line));
    dtb__text_file_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whitespace_with_comments_crlf_bom),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_lines_and_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
