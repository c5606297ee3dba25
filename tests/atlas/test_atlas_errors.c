/* SPDX-License-Identifier: GPL-3.0-or-later
 * dtb_atlas_load on malformed input: every loader error path returns its
 * status, no atlas (*out == NULL), and a message naming the file and line. */
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "atlas_test_util.h"
#include "dtb/dtb.h"

#define W3 "0 1 2\n1 0 3\n2 3 0\n" /* a valid 3-region weight matrix */

/* A folder of atlas files; NULL means the file is absent. */
typedef struct bad_folder {
    const char *name;
    const char *weights, *lengths, *centres, *labels;
    const char *centres_file, *labels_file;   /* NULL: the TVB names */
    dtb_status code;
    const char *message;
} bad_folder;

static const bad_folder bad_folders[] = {
    /* weights */
    {"ragged", "1 2 3\n4 5\n6 7 8\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:2: row has 2 values, expected 3 like the first row (line 1)"},
    {"text_token", "0 1\n1 zero\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:2:3: value 2 'zero' is not a number"},
    {"nan_weight", "0 NaN\n1 0\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:1:3: value 2 'NaN' is not finite"},
    {"wide", "1 2 3\n4 5 6\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:2: the matrix ends after 2 rows but has 3 columns; it must be square"},
    {"tall", "1 2\n3 4\n5 6\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:3: one row too many: the rows have 2 values, so a square matrix has 2 rows"},
    {"empty_weights", "", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:1: no data: the file is empty"},
    {"comment_weights", "# nothing yet\n\n", NULL, NULL, NULL, NULL, NULL, DTB_EPARSE,
     "weights.txt:2: no data: the file is empty or holds only comments"},
    {"no_weights", NULL, NULL, "a 1 2 3\n", NULL, NULL, NULL, DTB_ENOTFOUND,
     "no_weights: no weights.txt or weights.csv in the folder (the weight matrix is required)"},
    /* tract lengths */
    {"inf_length", W3, "0 inf 1\n1 0 1\n1 1 0\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:1:3: value 2 'inf' is not finite"},
    {"negative_length", W3, "0 1 1\n-1 0 1\n1 1 0\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:2:1: value 1 '-1' is negative"},
    {"narrow_lengths", W3, "0 1\n1 0\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:1: row has 2 values, expected 3 (one per region of weights.txt)"},
    {"short_lengths", W3, "0 1 1\n1 0 1\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:2: the table ends after 2 rows, expected 3 (one per region of weights.txt)"},
    {"long_lengths", W3, "0 1 1\n1 0 1\n1 1 0\n1 1 1\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:4: one row too many: expected 3 rows (one per region of weights.txt)"},
    {"empty_lengths", W3, "\n", NULL, NULL, NULL, NULL, DTB_EPARSE,
     "tract_lengths.txt:1: no data"},
    /* labels */
    {"few_labels", W3, NULL, NULL, "a\nb\n", NULL, NULL, DTB_EPARSE,
     "region_labels.txt:2: the file ends after 2 labels, expected 3 (one per region of weights.txt)"},
    {"many_labels", W3, NULL, NULL, "a\nb\nc\nd\n", NULL, NULL, DTB_EPARSE,
     "region_labels.txt:4:1: label 4 'd' is one too many: expected 3 (one per region of weights.txt)"},
    {"csv_labels", W3, NULL, NULL, "a,b\n", NULL, "region_labels.csv", DTB_EPARSE,
     "region_labels.csv:1: 2 labels on the line, expected 3 (one per region of weights.txt)"},
    {"empty_csv_label", W3, NULL, NULL, "a,,c\n", NULL, "region_labels.csv", DTB_EPARSE,
     "region_labels.csv:1:3: label 2 is empty"},
    {"empty_labels", W3, NULL, NULL, "", NULL, NULL, DTB_EPARSE,
     "region_labels.txt:1: no labels"},
    /* centres */
    {"centres_columns", W3, NULL, "a 1 2 3\nb 1 2\nc 1 2 3\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:2: expected 'label x y z' (at least 4 fields), found 3 fields"},
    {"centres_first_line", W3, NULL, "a 1 2\nb 1 2 3\nc 1 2 3\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:1: expected 'label x y z' (at least 4 fields), found 3 fields"},
    {"centres_xyz", W3, NULL, "1 2 3\n4 5 6\nc 7 8 9\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:3: expected 'x y z' (3 fields), found 4 fields"},
    {"few_centres", W3, NULL, "a 1 2 3\nb 1 2 3\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:2: the file ends after 2 regions, expected 3 (one per region of weights.txt)"},
    {"many_centres", W3, NULL, "a 1 2 3\nb 1 2 3\nc 1 2 3\nd 1 2 3\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:4: one region too many: expected 3 (one per region of weights.txt)"},
    {"centres_text", W3, NULL, "a 1 b 3\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:1:5: y coordinate 'b' is not a number"},
    {"centres_nan", W3, NULL, "a 1 2 nan\n", NULL, NULL, NULL, DTB_EPARSE,
     "centres.txt:1:7: z coordinate 'nan' is not finite"},
    {"centres_header", W3, NULL, "label,x,y,z\na,1,2,3\nb,1,2\nc,1,2,3\n", NULL, "centres.csv", NULL,
     DTB_EPARSE, "centres.csv:3: row has 3 fields, expected 4 like the header (line 1)"},
    {"centres_only_header", W3, NULL, "label,x,y,z\n", NULL, "centres.csv", NULL, DTB_EPARSE,
     "centres.csv:1: no regions: the file is empty or holds only a header"},
    {"empty_centres", W3, NULL, "", NULL, NULL, NULL, DTB_EPARSE, "centres.txt:1: no regions"},
};

static void expect_load_error(const char *path, const dtb_atlas_load_options *opts, dtb_status code,
                              const char *message)
{
    int sentinel;
    dtb_atlas *a = (dtb_atlas *)&sentinel;
    dtb_status s = dtb_atlas_load(&a, path, opts);
    if (s != code)
        print_error("%s: status %d, expected %d (%s)\n", path, s, code, dtb_last_error_message());
    assert_int_equal(s, code);
    assert_null(a);
    assert_error_contains(message);
    assert_int_equal(dtb_last_error_code(), code);
}

/* One bad folder (the test's state): build it, load it, check the error. */
static void test_bad_folder(void **state)
{
    const bad_folder *c = *state;
    char dir[TEST_PATH_MAX], context[TEST_PATH_MAX + 32];
    make_folder(dir, c->name);
    if (c->weights)
        write_file(dir, "weights.txt", c->weights, NULL);
    if (c->lengths)
        write_file(dir, "tract_lengths.txt", c->lengths, NULL);
    if (c->centres)
        write_file(dir, c->centres_file ? c->centres_file : "centres.txt", c->centres, NULL);
    if (c->labels)
        write_file(dir, c->labels_file ? c->labels_file : "region_labels.txt", c->labels, NULL);
    expect_load_error(dir, NULL, c->code, c->message);
    /* The message also says which atlas was being loaded. */
    snprintf(context, sizeof context, "loading atlas '%s': ", dir);
    assert_error_contains(context);
}

static void test_missing_paths(void **state)
{
    (void)state;
    char missing[TEST_PATH_MAX];
    join_path(missing, test_tmpdir(), "no_such_atlas");
    expect_load_error(missing, NULL, DTB_ENOTFOUND, "no such folder, file or built-in atlas");
    assert_error_contains("no_such_atlas");

    /* An explicit file that does not exist. */
    char dir[TEST_PATH_MAX], lengths[TEST_PATH_MAX];
    make_folder(dir, "explicit_missing");
    write_file(dir, "weights.txt", W3, NULL);
    join_path(lengths, dir, "lengths_elsewhere.txt");
    dtb_atlas_load_options opts = DTB_ATLAS_LOAD_OPTIONS_INIT;
    opts.tract_lengths_path = lengths;
    expect_load_error(dir, &opts, DTB_ENOTFOUND, "lengths_elsewhere.txt: no such file");

    /* A folder given where a file is expected. */
    opts.tract_lengths_path = NULL;
    opts.labels_path = dir;
    expect_load_error(dir, &opts, DTB_EIO, "explicit_missing: is a folder, not a file");
}

static void test_single_file_errors(void **state)
{
    (void)state;
    char dir[TEST_PATH_MAX], file[TEST_PATH_MAX], labels[TEST_PATH_MAX];
    make_folder(dir, "single");
    write_file(dir, "matrix.csv", "0,1,2\n1,0\n2,3,0\n", file);
    expect_load_error(file, NULL, DTB_EPARSE, "matrix.csv:2: row has 2 values, expected 3");

    write_file(dir, "good.csv", "0,1\n1,0\n", file);
    write_file(dir, "labels.csv", "a,b,c\n", labels);
    dtb_atlas_load_options opts = DTB_ATLAS_LOAD_OPTIONS_INIT;
    opts.labels_path = labels;
    expect_load_error(file, &opts, DTB_EPARSE,
                      "labels.csv:1:5: label 3 'c' is one too many: expected 2 (one per region of good.csv)");
}

/* A folder written on Windows: UTF-8 BOMs and CRLF line ends everywhere. */
static void test_bom_crlf_folder_loads(void **state)
{
    (void)state;
    char dir[TEST_PATH_MAX];
    make_folder(dir, "windows");
    write_file(dir, "weights.txt", "\xEF\xBB\xBF# exported\r\n0 1.5\r\n2 0\r\n", NULL);
    write_file(dir, "tract_lengths.txt", "\xEF\xBB\xBF" "0 10\r\n10 0\r\n", NULL);
    write_file(dir, "centres.txt", "\xEF\xBB\xBFrX 1 2 3\r\nlY 4 5 6\r\n", NULL);
    write_file(dir, "region_labels.txt", "\xEF\xBB\xBFrAlpha\r\nlBeta\r\n", NULL);
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_load(&a, dir, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_region_count(a), 2);
    assert_true(dtb_atlas_weight(a, 0, 1) == 1.5);
    assert_true(dtb_atlas_weight(a, 1, 0) == 2.0);
    assert_true(dtb_atlas_tract_length(a, 1, 0) == 10.0);
    assert_string_equal(dtb_atlas_region_label(a, 0), "rAlpha");
    assert_string_equal(dtb_atlas_region_label(a, 1), "lBeta");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_RIGHT);
    double c[3];
    assert_int_equal(dtb_atlas_region_centre(a, 1, c), DTB_OK);
    assert_true(c[0] == 4 && c[1] == 5 && c[2] == 6);
    dtb_atlas_free(a);

    /* The same as semicolon CSV with quoted labels on one line. */
    make_folder(dir, "windows_csv");
    write_file(dir, "weights.csv", "\xEF\xBB\xBF" "0;1.5\r\n2;0\r\n", NULL);
    write_file(dir, "region_labels.csv", "\xEF\xBB\xBF\"rAlpha\";\"lBeta\"\r\n", NULL);
    assert_int_equal(dtb_atlas_load(&a, dir, NULL), DTB_OK);
    assert_true(dtb_atlas_weight(a, 0, 1) == 1.5);
    assert_string_equal(dtb_atlas_region_label(a, 1), "lBeta");
    dtb_atlas_free(a);
}

#define BAD_FOLDERS (sizeof bad_folders / sizeof bad_folders[0])

int main(void)
{
    /* One named test per bad folder, then the others. */
    static struct CMUnitTest tests[BAD_FOLDERS + 4];
    size_t n = 0;
    for (size_t i = 0; i < BAD_FOLDERS; i++) {
        struct CMUnitTest t = {bad_folders[i].name, test_bad_folder, NULL, NULL, (void *)&bad_folders[i]};
        tests[n++] = t;
    }
    const struct CMUnitTest others[] = {
        cmocka_unit_test(test_missing_paths),
        cmocka_unit_test(test_single_file_errors),
        cmocka_unit_test(test_bom_crlf_folder_loads),
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        tests[n++] = others[i];
    /* The function behind cmocka_run_group_tests(), which needs a fixed array. */
    return _cmocka_run_group_tests("atlas_errors", tests, n, NULL, NULL);
}
