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

static void dim_text(const dtb__lems_doc *doc, dtb__dim d, int any, char *buf, size_t size)
{
    if (any) {
        snprintf(buf, size, "any");
        return;
    }
    for (size_t i = 0; i < doc->n_dims; i++)
        if (dtb__dim_eq(doc->dims[i].dim, d)) {
            snprintf(buf, size, "%s", doc->dims[i].name);
            return;
        }
    dtb__dim_format(d, buf, (unsigned)size);
}

static void print_quantities(const dtb__lems_doc *doc, const char *title, const dtb__lems_quantity *q,
                             size_t n)
{
    if (!n)
        return;
    printf("    %s:", title);
    for (size_t i = 0; i < n; i++) {
        char d[64];
        dim_text(doc, q[i].dim, q[i].any_dimension, d, sizeof d);
        printf("%s %s (%s)", i ? "," : "", q[i].name, d);
    }
    printf("\n");
}

static void print_type(const dtb__lems_doc *doc, const dtb__lems_comptype *t)
{
    printf("  %s%s%s  [%s:%d]\n", t->name, t->extends ? " extends " : "", t->extends ? t->extends : "",
           t->at.file, t->at.line);
    print_quantities(doc, "parameters", t->params, t->n_params);
    print_quantities(doc, "properties", t->properties, t->n_properties);
    print_quantities(doc, "state variables", t->state_vars, t->n_state_vars);
    if (t->n_derived_vars) {
        printf("    derived variables:");
        for (size_t i = 0; i < t->n_derived_vars; i++)
            printf("%s %s%s", i ? "," : "", t->derived_vars[i].name, t->derived_vars[i].select ? " (select)" : "");
        printf("\n");
    }
    print_quantities(doc, "exposures", t->exposures, t->n_exposures);
    print_quantities(doc, "requirements", t->requirements, t->n_requirements);
    if (t->n_event_ports) {
        printf("    event ports:");
        for (size_t i = 0; i < t->n_event_ports; i++)
            printf("%s %s (%s)", i ? "," : "", t->event_ports[i].name, t->event_ports[i].flag ? "in" : "out");
        printf("\n");
    }
    if (t->n_regimes) {
        printf("    regimes:");
        for (size_t i = 0; i < t->n_regimes; i++)
            printf("%s %s%s", i ? "," : "", t->regimes[i].name, t->regimes[i].initial ? " (initial)" : "");
        printf("\n");
    }
    if (t->defect)
        printf("    WARNING: cannot run: %s\n", t->defect);
}

static int uses_type(const dtb__lems_component *c, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].type, type) == 0 || uses_type(c[i].children, c[i].n_children, type))
            return 1;
    return 0;
}

static int main_file_uses(const dtb__lems_doc *doc, const char *type)
{
    for (size_t i = 0; i < doc->n_components; i++) {
        const dtb__lems_component *c = &doc->components[i];
        if (c->at.file == doc->files[0] && uses_type(c, 1, type))
            return 1;
    }
    return 0;
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
    dtb__lems_doc doc = {0};
    if (!rc)
        rc = lems_load(&a, &doc);
    if (rc) {
        lems_args_free(&a);
        return rc;
    }
    printf("%s: valid (%zu file%s, %zu ComponentTypes, %zu top-level components)\n", a.file,
           doc.n_files, doc.n_files == 1 ? "" : "s", doc.n_types, doc.n_components);
    printf("ComponentTypes%s:\n", all ? "" : " declared or used by this file");
    size_t shown = 0, warnings = 0;
    for (size_t i = 0; i < doc.n_types; i++) {
        const dtb__lems_comptype *t = &doc.resolved[i];
        warnings += t->defect != NULL;
        if (all || t->at.file == doc.files[0] || main_file_uses(&doc, t->name)) {
            print_type(&doc, t);
            shown++;
        }
    }
    if (!shown)
        printf("  (none)\n");
    for (size_t i = 0; i < doc.n_components; i++) {
        const dtb__lems_component *c = &doc.components[i];
        const dtb__lems_comptype *t = dtb__lems_resolved_type(&doc, c->type);
        for (size_t s = 0; t && s < t->n_simulation; s++)
            if (strcmp(t->simulation[s].kind, "Run") == 0)
                printf("Simulation %s%s\n", c->id ? c->id : "?",
                       doc.target && c->id && !strcmp(doc.target, c->id) ? " (the Target)" : "");
    }
    if (warnings && !all)
        printf("%zu ComponentType(s) of included files cannot run (see --all)\n", warnings);
    dtb__lems_doc_free(&doc);
    lems_args_free(&a);
    return 0;
}
