/* SPDX-License-Identifier: GPL-3.0-or-later
 * Helpers for the atlas tests: scratch folders and files, and an
 * independent reader for the matrices the library loads. */
#ifndef DTB_ATLAS_TEST_UTIL_H
#define DTB_ATLAS_TEST_UTIL_H

#include <stddef.h>

#define TEST_PATH_MAX 4096

/* A new empty folder test_tmpdir()/name; its path goes to out. */
void make_folder(char out[TEST_PATH_MAX], const char *name);

/* Write `content` to dir/name (binary mode: bytes as given); the file's
 * path goes to out_path when non-NULL. */
void write_file(const char *dir, const char *name, const char *content, char *out_path);

/* dir/name into out. */
void join_path(char out[TEST_PATH_MAX], const char *dir, const char *name);

/* Read a matrix with the C library alone (strtod over each line; commas
 * count as blanks), to check the loader against. *n_out is the row count;
 * rows must all hold n_out values. malloc'd, NULL on failure. */
double *read_square_matrix(const char *path, size_t *n_out);

#endif
