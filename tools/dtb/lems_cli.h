/* dtb lems / dtb check — shared declarations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_LEMS_CLI_H
#define DTB_LEMS_CLI_H

#include "cli.h"

typedef struct lems_args {
    const char *file;
    const char **include_dirs; size_t n_include_dirs;
} lems_args;

/* If argv[*i] is -I DIR, -IDIR or --include DIR, record DIR (advancing *i)
 * and return 0; -1 if it is another argument; an exit status on error. */
int lems_args_take_include(lems_args *a, int argc, char **argv, int *i);
void lems_args_free(lems_args *a);
/* Read a->file; on failure print the error and return EXIT_USAGE. */
int lems_load(const lems_args *a, dtb_lems_document **doc);

#endif
