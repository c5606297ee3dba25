/* dtb lems / dtb check — shared argument handling: the LEMS file, include
 * folders, loading.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems_cli.h"

void lems_args_free(lems_args *a)
{
    free(a->include_dirs);
    memset(a, 0, sizeof *a);
}

int lems_args_take_include(lems_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *dir = NULL;
    if (strcmp(arg, "-I") == 0 || strcmp(arg, "--include") == 0) {
        if (*i + 1 >= argc)
            return cli_usage_error("%s needs a folder", arg);
        dir = argv[++*i];
    } else if (strncmp(arg, "-I", 2) == 0) {
        dir = arg + 2;
    } else {
        return -1;
    }
    const char **d = realloc(a->include_dirs, (a->n_include_dirs + 1) * sizeof *d);
    if (!d)
        return cli_usage_error("out of memory");
    d[a->n_include_dirs++] = dir;
    a->include_dirs = d;
    return 0;
}

int lems_load(const lems_args *a, dtb_lems_document **doc)
{
    if (dtb_lems_document_load(doc, a->file, a->include_dirs, a->n_include_dirs)) {
        cli_error("%s", dtb_last_error_message());
        return EXIT_USAGE;
    }
    /* what jLEMS and pylems accept but is sloppy: always said (on stderr) */
    size_t need = 0;
    if (dtb_lems_document_warnings(*doc, NULL, 0, &need) == DTB_OK && need > 1) {
        char *text = malloc(need);
        if (text && dtb_lems_document_warnings(*doc, text, need, NULL) == DTB_OK)
            for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                fprintf(stderr, "dtb: warning: %s\n", line);
        free(text);
    }
    return 0;
}
