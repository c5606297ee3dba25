/* dtb models — list the built-in models, their parameters and defaults.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_model(const dtb_model *m)
{
    printf("%s\n  %s\n", dtb_model_name(m), dtb_model_description(m));
    if (*dtb_model_reference(m))
        printf("  Reference: %s\n", dtb_model_reference(m));
    printf("  Time unit: %g s. State variables:", dtb_model_time_scale(m));
    for (int64_t i = 0; i < dtb_model_state_count(m); i++) {
        double lo, hi;
        dtb_model_state_bounds(m, i, &lo, &hi);
        printf(" %s", dtb_model_state_name(m, i));
        if (isfinite(lo) || isfinite(hi))
            printf(" [bounded %g..%g]", lo, hi);
    }
    printf("\n  Coupling variables:");
    for (int64_t i = 0; i < dtb_model_coupling_count(m); i++)
        printf(" %s (input %s)", dtb_model_state_name(m, dtb_model_coupling_state(m, i)),
               dtb_model_coupling_input(m, i));
    if (dtb_model_default_coupling(m) > 0) {
        printf("\n  Published with %s coupling:",
               dtb_coupling_kind_name((dtb_coupling_kind)dtb_model_default_coupling(m)));
        for (int64_t i = 0; i < dtb_model_default_coupling_param_count(m); i++) {
            const char *name = dtb_model_default_coupling_param_name(m, i);
            double v = NAN;
            dtb_model_get_default_coupling_param(m, name, &v);
            printf(" %s=%g", name, v);
        }
        printf(" (what dtb run and dtb_sim_create use unless --coupling says otherwise)");
    } else
        printf("\n  Coupling: states none; runs use linear a=0.00390625 (TVB's default) unless "
               "--coupling says otherwise");
    printf("\n  Variables of interest:");
    for (int64_t i = 0; i < dtb_model_voi_count(m); i++)
        printf(" %s", dtb_model_voi_name(m, i));   /* also derived variables */
    printf("\n  Parameters (default, unit):\n");
    for (int64_t i = 0; i < dtb_model_param_count(m); i++) {
        const char *name = dtb_model_param_name(m, i);
        double v;
        dtb_model_get_param(m, name, &v);
        const char *unit = dtb_model_param_unit(m, i);
        printf("    %-14s %-10g %-6s %s\n", name, v, *unit ? unit : "-",
               dtb_model_param_description(m, i));
    }
}

int cmd_models(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: dtb models [NAME]\n\nList the built-in models (or one) with their "
                   "parameters, defaults, units and literature references.\n");
            return 0;
        }
    }
    if (argc > 2)
        return cli_usage_error("models: too many arguments");
    int first = 1;
    for (int64_t i = 0; i < dtb_model_builtin_count(); i++) {
        const char *name = dtb_model_builtin_name(i);
        if (argc == 2 && strcmp(argv[1], name) != 0)
            continue;
        dtb_model *m = NULL;
        if (dtb_model_create_builtin(&m, name))
            return cli_usage_error("model '%s': %s", name, dtb_last_error_message());
        if (!first)
            printf("\n");
        first = 0;
        print_model(m);
        dtb_model_free(m);
        if (argc == 2)
            return 0;
    }
    if (argc == 2)
        return cli_usage_error("unknown model '%s' (run 'dtb models' for the list)", argv[1]);
    return 0;
}
