/* libdtb tests — relative file names given to dtb_atlas_load are resolved
 * against the working directory, as documented in dtb_atlas(3) (issue 14
 * item 4), never against the atlas folder.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_relative_paths_follow_the_working_directory(void **state)
{
    (void)state;
    char old[4096];
    assert_non_null(getcwd(old, sizeof old));
    assert_int_equal(chdir(test_tmpdir()), 0);
    assert_int_equal(mkdir("atlas", 0755), 0);
    write_file("atlas/weights.txt", "0 1\n1 0\n");
    write_file("atlas/inside.txt", "0 10\n10 0\n");   /* only in the folder */
    write_file("outside.txt", "0 20\n20 0\n");        /* only in the working directory */

    dtb_atlas_load_options o;
    assert_int_equal(dtb_atlas_load_options_init(&o, DTB_ATLAS_LOAD_OPTIONS_VERSION), DTB_OK);
    o.tract_lengths_path = "outside.txt";
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_load(&a, "atlas", &o), DTB_OK);
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 20.0);
    dtb_atlas_free(a);

    /* a name that exists only inside the folder is not found there */
    o.tract_lengths_path = "inside.txt";
    a = (dtb_atlas *)1;
    assert_int_not_equal(dtb_atlas_load(&a, "atlas", &o), DTB_OK);
    assert_null(a);
    assert_error_contains("inside.txt");
    o.tract_lengths_path = "atlas/inside.txt";
    assert_int_equal(dtb_atlas_load(&a, "atlas", &o), DTB_OK);
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 10.0);
    dtb_atlas_free(a);
    assert_int_equal(chdir(old), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relative_paths_follow_the_working_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
