/* dtb check — load and validate a LEMS/NeuroML file; list its types.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems_cli.h"

static void print_help(void)
{
    printf("Usage: dtb check FILE.xml [-I DIR]... [--all]\n"
           "\n"
           "Load and validate a LEMS or NeuroML file (and what it includes): XML, units,\n"
           "inheritance, every expression's symbols and dimensions, every component's\n"
           "attributes and children. Print the ComponentTypes the file declares or uses, with\n"
           "their parameters, state variables, exposures and requirements, then its Simulations;\n"
           "or the first error, naming file, line and element.\n"
           "\n"
           "  -I, --include DIR   folder searched for included files (repeatable)\n"
           "  --all               list every ComponentType read, the included ones too\n"
           "  --help              show this help\n"
           "\n"
           "Exit status: 0 valid (warnings about unusable types of included files may be\n"
           "printed), 2 invalid or unreadable.\n");
}

int cmd_check(int argc, char **argv)
{
    lems_args a = {0};
    int all = 0, rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        int taken = lems_args_take_include(&a, argc, argv, &i);
        if (taken >= 0)
            rc = taken;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help();
            lems_args_free(&a);
            return 0;
        } else if (!strcmp(argv[i], "--all"))
            all = 1;
        else if (argv[i][0] == '-')
            rc = cli_usage_error("check: unknown option '%s' (try 'dtb check --help')", argv[i]);
        else if (a.file)
            rc = cli_usage_error("check: one file at a time");
        else
            a.file = argv[i];
    }
    if (!rc && !a.file)
        rc = cli_usage_error("check: missing FILE.xml (try 'dtb check --help')");
    dtb_lems_document *doc = NULL;
    if (!rc)
        rc = lems_load(&a, &doc);
    /* the report, in a buffer of the size the first call says */
    uint32_t flags = all ? DTB_LEMS_DESCRIBE_ALL : 0;
    size_t needed = 0;
    char *text = NULL;
    dtb_status st = rc ? DTB_OK : dtb_lems_document_describe(doc, flags, NULL, 0, &needed);
    if (!rc && !st && !(text = malloc(needed)))
        rc = cli_usage_error("out of memory");
    if (!rc && !st)
        st = dtb_lems_document_describe(doc, flags, text, needed, NULL);
    if (st) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    }
    if (!rc) {
        fputs(text, stdout);
        if (!all && strstr(text, "cannot run (the full description"))
            printf("(dtb check --all lists them)\n");
    }
    free(text);
    dtb_lems_document_free(doc);
    lems_args_free(&a);
    return rc;
}
