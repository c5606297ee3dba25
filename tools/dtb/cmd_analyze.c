/* dtb analyze — the dynamics of one node of a model: fixed points and
 * their stability, continuation of an equilibrium branch with its folds and
 * Hopf points (dtb_dynamics(3)).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: dtb analyze fixed-points --model M [--set NAME=VALUE ...] [--input C] --out DIR\n"
           "       dtb analyze continue --model M [--set NAME=VALUE ...] --param NAME=LO:HI\n"
           "                            [--input C] [--max-points N] --out DIR\n"
           "       dtb analyze phase-plane --model M [--set ...] [--input C] --x V:LO:HI --y W:LO:HI\n"
           "                         [--at STATE=VALUE ...] --out DIR\n"
           "       dtb analyze network --atlas A --model M [--set ...] [--coupling KIND[:a=A[,b=B]]]\n"
           "                           [--speed V] --param coupling.PARAM=LO:HI --out DIR\n"
           "\n"
           "The dynamics of one node of a model (a built-in name or a LEMS/NeuroML file), with\n"
           "its parameters (--set, in the units 'dtb models' shows) and a constant coupling\n"
           "input C on every coupling input (default 0). Its Jacobian is exact (symbolic).\n"
           "\n"
           "  fixed-points  the fixed points found by Newton's method from 64 starts in the states'\n"
           "            ranges: DIR/fixed_points.csv (each state variable, kind, then the real\n"
           "            and imaginary part of each eigenvalue: re1, im1, ...)\n"
           "  continue  the equilibrium branch through the node's fixed point at NAME's\n"
           "            current value (or at LO when that is outside [LO, HI]; the stable one\n"
           "            first), followed in both directions by pseudo-arclength continuation;\n"
           "            NAME is a parameter or a coupling input. Writes DIR/branch.csv (NAME,\n"
           "            each state variable, stable (1/0), max_re), DIR/points.csv (kind: fold\n"
           "            or hopf, NAME, each state variable) and DIR/bifurcation.svg (the first\n"
           "            variable of interest against NAME, stable and unstable parts).\n"
           "  phase-plane   the phase plane of state variables V and W: DIR/phase_plane.svg with\n"
           "            the field of their rates, their nullclines, trajectories and the fixed\n"
           "            points (filled: stable); the other states are held at their ranges'\n"
           "            middles unless --at sets them (a slice of a larger model).\n"
           "  network   the network of the atlas' regions (one node each, the coupling the model\n"
           "            states unless --coupling: linear, scaling or difference) without delays:\n"
           "            its fixed point followed from PARAM = LO upwards, and the value at which\n"
           "            it loses stability (exact Jacobian, dense eigenvalues). Writes\n"
           "            DIR/critical.csv and DIR/eigenvalues.csv (the 10 leading eigenvalues\n"
           "            at LO and at the critical value); the last line printed is\n"
           "            'critical: coupling.PARAM=VALUE' (nan: stable up to HI). --speed is\n"
           "            accepted and does not change it: delays do not move the fixed point.\n"
           "\n"
           "Manual: dtb(1), dtb_dynamics(3), dtb-dynamics(7).\n");
}

typedef struct analyze_args {
    const char *what, *model, *out, *param, *atlas, *coupling;
    const char **sets, **ats;
    size_t n_sets, n_ats;
    const char *xspec, *yspec;
    double input, lo, hi;
    int64_t max_points;
} analyze_args;

static int parse_range(const char *text, analyze_args *a)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return cli_usage_error("analyze: --param '%s': expected NAME=LO:HI", text);
    char *name = cli_format("%.*s", (int)(eq - text), text);
    const char *colon = strchr(eq + 1, ':');
    if (!name)
        return cli_usage_error("analyze: out of memory");
    a->param = name;
    char *lo = colon ? cli_format("%.*s", (int)(colon - eq - 1), eq + 1) : NULL;
    int ok = lo && cli_parse_number(lo, &a->lo) && cli_parse_number(colon + 1, &a->hi) &&
             isfinite(a->lo) && isfinite(a->hi) && a->lo < a->hi;
    free(lo);
    if (!ok)
        return cli_usage_error("analyze: --param '%s': expected NAME=LO:HI with finite LO < HI", text);
    return 0;
}

static int parse_args(int argc, char **argv, analyze_args *a, int *help)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        *help = 1;
        return argc < 2 ? cli_usage_error("analyze: missing what (fixed or continue; try --help)") : 0;
    }
    a->what = argv[1];
    /* the names; the short ones stay as aliases */
    if (!strcmp(a->what, "fixed-points"))
        a->what = "fixed";
    else if (!strcmp(a->what, "phase-plane"))
        a->what = "phase";
    if (strcmp(a->what, "fixed") != 0 && strcmp(a->what, "continue") != 0 &&
        strcmp(a->what, "network") != 0 && strcmp(a->what, "phase") != 0)
        return cli_usage_error("analyze: unknown analysis '%s' (fixed-points, continue, phase-plane, "
                               "network)", a->what);
    const int phase = !strcmp(a->what, "phase");
    const int network = !strcmp(a->what, "network");
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    a->ats = calloc((size_t)argc, sizeof *a->ats);
    if (!a->sets || !a->ats)
        return cli_usage_error("analyze: out of memory");
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            *help = 1;
            return 0;
        }
        if (i + 1 >= argc)
            return cli_usage_error("analyze: %s needs a value", opt);
        const char *v = argv[++i];
        if (!strcmp(opt, "--model"))
            a->model = v;
        else if (!strcmp(opt, "--out"))
            a->out = v;
        else if (!strcmp(opt, "--set"))
            a->sets[a->n_sets++] = v;
        else if (!strcmp(opt, "--input")) {
            if (!cli_parse_number(v, &a->input) || !isfinite(a->input))
                return cli_usage_error("analyze: --input '%s' is not a finite number", v);
        } else if (phase && !strcmp(opt, "--x")) {
            a->xspec = v;
        } else if (phase && !strcmp(opt, "--y")) {
            a->yspec = v;
        } else if (phase && !strcmp(opt, "--at")) {
            a->ats[a->n_ats++] = v;
        } else if (network && !strcmp(opt, "--atlas")) {
            a->atlas = v;
        } else if (network && !strcmp(opt, "--coupling")) {
            a->coupling = v;
        } else if (network && !strcmp(opt, "--speed")) {
            double speed;
            if (!cli_parse_speed(v, &speed) || !(speed > 0))
                return cli_usage_error("analyze: --speed '%s' is not a speed in m/s", v);
        } else if (!strcmp(opt, "--param") && strcmp(a->what, "fixed") != 0 && !phase) {
            int rc = parse_range(v, a);
            if (rc)
                return rc;
        } else if (!strcmp(opt, "--max-points") && !strcmp(a->what, "continue")) {
            if (!cli_parse_int64(v, &a->max_points) || a->max_points < 1 || a->max_points > 100000000)
                return cli_usage_error("analyze: --max-points '%s': a whole number in 1..1e8", v);
        } else
            return cli_usage_error("analyze %s: unknown option '%s' (try --help)", a->what, opt);
    }
    if (!a->model)
        return cli_usage_error("analyze: --model is required");
    if (!a->out)
        return cli_usage_error("analyze: --out DIR is required");
    if (phase && (!a->xspec || !a->yspec))
        return cli_usage_error("analyze phase: --x V:LO:HI and --y W:LO:HI are required");
    if (strcmp(a->what, "fixed") != 0 && !phase && !a->param)
        return cli_usage_error("analyze %s: --param NAME=LO:HI is required", a->what);
    if (network && strncmp(a->param, "coupling.", 9) != 0)
        return cli_usage_error("analyze network: --param '%s': expected coupling.PARAM=LO:HI", a->param);
    return 0;
}

/* The model with --set applied, as a node with the input on every
 * coupling input. */
static int make_node(const analyze_args *a, dtb_model **model, dtb_dynamics **d)
{
    if (dtb_model_load(model, a->model, NULL))
        return cli_usage_error("analyze: %s", dtb_last_error_message());
    for (size_t k = 0; k < a->n_sets; k++) {
        const char *eq = strchr(a->sets[k], '=');
        char *name = eq ? cli_format("%.*s", (int)(eq - a->sets[k]), a->sets[k]) : NULL;
        dtb_status st = name ? dtb_model_set_param_string(*model, name, eq + 1) : DTB_EINVAL;
        free(name);
        if (st)
            return cli_usage_error("analyze: --set '%s': %s", a->sets[k],
                                   eq ? dtb_last_error_message() : "expected NAME=VALUE");
    }
    if (dtb_dynamics_create(d, *model))
        return cli_usage_error("analyze: %s", dtb_last_error_message());
    size_t nc = (size_t)dtb_model_coupling_count(*model);
    double *in = calloc(nc + 1, sizeof *in);
    for (size_t i = 0; in && i < nc; i++)
        in[i] = a->input;
    dtb_status st = in ? dtb_dynamics_set_input(*d, in, nc) : DTB_ENOMEM;
    free(in);
    if (st)
        return cli_usage_error("analyze: --input: %s", dtb_last_error_message());
    return 0;
}

static void print_states(FILE *f, const dtb_model *m)
{
    for (int64_t v = 0; v < dtb_model_state_count(m); v++)
        fprintf(f, ",%s", dtb_model_state_name(m, v));
}

static void print_values(FILE *f, const double *x, size_t n)
{
    for (size_t v = 0; v < n; v++)
        fprintf(f, ",%.17g", x[v]);
}

static int analyze_fixed(const analyze_args *a, const dtb_model *m, dtb_dynamics *d)
{
    int64_t n = 0;
    if (dtb_dynamics_find_fixed_points(d, NULL, &n)) {
        cli_error("analyze: %s", dtb_last_error_message());
        return EXIT_RUNTIME;
    }
    const size_t ns = (size_t)dtb_dynamics_state_count(d);
    double *x = calloc(3 * ns + 1, sizeof *x), *re = x + ns, *im = x + 2 * ns;
    out_file o;
    int rc = x ? out_file_open(&o, "analyze", a->out, "fixed_points.csv") : cli_usage_error("analyze: out of memory");
    if (rc) {
        free(x);
        return rc;
    }
    fputs("index", o.f);
    print_states(o.f, m);
    fputs(",kind", o.f);
    for (size_t k = 1; k <= ns; k++)
        fprintf(o.f, ",re%zu,im%zu", k, k);
    fputc('\n', o.f);
    for (int64_t i = 0; i < n; i++) {
        dtb_fixed_point_kind kind;
        dtb_dynamics_fixed_point(d, i, x, ns, re, im, ns, &kind);
        fprintf(o.f, "%lld", (long long)i);
        print_values(o.f, x, ns);
        fprintf(o.f, ",%s", dtb_fixed_point_kind_name(kind));
        for (size_t k = 0; k < ns; k++)
            fprintf(o.f, ",%.17g,%.17g", re[k], im[k]);
        fputc('\n', o.f);
        printf("fixed point %lld: %s\n", (long long)i, dtb_fixed_point_kind_name(kind));
    }
    free(x);
    rc = out_file_close(&o);
    if (!rc)
        printf("fixed points: %lld (%s/fixed_points.csv)\n", (long long)n, a->out);
    return rc;
}

/* The start of the branch: the node's fixed points at the parameter's
 * value, the first stable one (else the first). */
static int branch_start(dtb_dynamics *d, double *x, size_t ns)
{
    int64_t n = 0;
    if (dtb_dynamics_find_fixed_points(d, NULL, &n))
        return -1;
    int64_t pick = -1;
    for (int64_t i = 0; i < n && pick < 0; i++) {
        dtb_fixed_point_kind kind;
        dtb_dynamics_fixed_point(d, i, NULL, 0, NULL, NULL, 0, &kind);
        if (kind == DTB_FIXED_POINT_STABLE_NODE || kind == DTB_FIXED_POINT_STABLE_FOCUS)
            pick = i;
    }
    if (pick < 0 && n > 0)
        pick = 0;
    if (pick < 0)
        return 0;
    dtb_dynamics_fixed_point(d, pick, x, ns, NULL, NULL, 0, NULL);
    return 1;
}

/* The first variable of interest that is a state (else state 0). */
static size_t plotted_state(const dtb_model *m)
{
    for (int64_t k = 0; k < dtb_model_voi_count(m); k++) {
        int64_t v = dtb_model_voi_state(m, k);
        if (v >= 0 && v < dtb_model_state_count(m))
            return (size_t)v;
    }
    return 0;
}

static int write_branch(const analyze_args *a, const dtb_model *m, const dtb_branch *b, size_t ns)
{
    out_file o;
    int rc = out_file_open(&o, "analyze", a->out, "branch.csv");
    if (rc)
        return rc;
    const int64_t np = dtb_branch_point_count(b);
    const size_t pv = plotted_state(m);
    double *x = calloc(ns + 1, sizeof *x), *mu = calloc((size_t)np + 1, sizeof *mu);
    double *y = calloc(2 * (size_t)np + 1, sizeof *y);
    if (!x || !mu || !y) {
        fclose(o.f);
        unlink(o.tmp);
        free(x);
        free(mu);
        free(y);
        return cli_usage_error("analyze: out of memory");
    }
    fprintf(o.f, "%s", a->param);
    print_states(o.f, m);
    fputs(",stable,max_re\n", o.f);
    for (int64_t i = 0; i < np; i++) {
        int32_t stable;
        double max_re;
        dtb_branch_point(b, i, &mu[i], x, ns, &stable, &max_re);
        fprintf(o.f, "%.17g", mu[i]);
        print_values(o.f, x, ns);
        fprintf(o.f, ",%d,%.17g\n", stable, max_re);
        y[i] = stable ? x[pv] : NAN;
        y[np + i] = stable ? NAN : x[pv];
    }
    rc = out_file_close(&o);
    if (!rc) {
        char *svg = cli_format("%s/bifurcation.svg", a->out);
        const char *names[2] = {"stable", "unstable"};
        dtb_plot_options po;
        dtb_plot_options_init(&po, DTB_PLOT_OPTIONS_VERSION);
        po.title = dtb_model_name(m);
        po.x_label = a->param;
        po.y_label = dtb_model_state_name(m, (int64_t)pv);
        if (!svg || dtb_plot_lines(svg, mu, y, (size_t)np, 2, names, &po)) {
            cli_error("analyze: %s: %s", svg ? svg : "bifurcation.svg", dtb_last_error_message());
            rc = EXIT_RUNTIME;
        }
        free(svg);
    }
    free(x);
    free(mu);
    free(y);
    return rc;
}

static int write_points(const analyze_args *a, const dtb_model *m, const dtb_branch *b, size_t ns)
{
    out_file o;
    int rc = out_file_open(&o, "analyze", a->out, "points.csv");
    if (rc)
        return rc;
    double *x = calloc(ns + 1, sizeof *x);
    fprintf(o.f, "kind,%s", a->param);
    print_states(o.f, m);
    fputc('\n', o.f);
    for (int64_t i = 0; x && i < dtb_branch_special_count(b); i++) {
        dtb_bifurcation_kind kind;
        double mu;
        dtb_branch_special(b, i, &kind, &mu, x, ns);
        fprintf(o.f, "%s,%.17g", dtb_bifurcation_kind_name(kind), mu);
        print_values(o.f, x, ns);
        fputc('\n', o.f);
        printf("%s: %s=%.10g\n", dtb_bifurcation_kind_name(kind), a->param, mu);
    }
    free(x);
    return out_file_close(&o);
}

static int analyze_continue(const analyze_args *a, const dtb_model *m, dtb_dynamics *d)
{
    const size_t ns = (size_t)dtb_dynamics_state_count(d);
    double now = NAN;
    int is_input = dtb_dynamics_get_param(d, a->param, &now) != DTB_OK;
    if (is_input) {
        /* a coupling input: the --input value */
        int known = 0;
        for (int64_t i = 0; i < dtb_model_coupling_count(m); i++)
            known |= !strcmp(dtb_model_coupling_input(m, i), a->param);
        if (!known)
            return cli_usage_error("analyze: --param '%s': model '%s' has no such parameter or "
                                   "coupling input", a->param, dtb_model_name(m));
        now = a->input;
    }
    if (!(now >= a->lo && now <= a->hi)) {
        now = a->lo;
        if (!is_input)
            dtb_dynamics_set_param(d, a->param, now);
        else
            return cli_usage_error("analyze: --input %g is outside --param's range", a->input);
    }
    double *x = calloc(ns + 1, sizeof *x);
    if (!x)
        return cli_usage_error("analyze: out of memory");
    int found = branch_start(d, x, ns);
    if (found <= 0) {
        free(x);
        cli_error("analyze: no fixed point at %s=%g%s%s", a->param, now, found < 0 ? ": " : "",
                  found < 0 ? dtb_last_error_message() : "");
        return EXIT_RUNTIME;
    }
    dtb_continuation_options co;
    dtb_continuation_options_init(&co, DTB_CONTINUATION_OPTIONS_VERSION);
    co.max_points = a->max_points;
    dtb_branch *b = NULL;
    dtb_status st = dtb_dynamics_continue(d, a->param, a->lo, a->hi, x, ns, &co, &b);
    free(x);
    if (st) {
        cli_error("analyze: %s", dtb_last_error_message());
        return EXIT_RUNTIME;
    }
    int rc = write_branch(a, m, b, ns);
    if (!rc)
        rc = write_points(a, m, b, ns);
    if (!rc)
        printf("branch: %lld points, %lld special; ends: %s; %s (%s)\n",
               (long long)dtb_branch_point_count(b), (long long)dtb_branch_special_count(b),
               dtb_branch_end_reason(b, 0), dtb_branch_end_reason(b, 1), a->out);
    dtb_branch_free(b);
    return rc;
}

/* "NAME:LO:HI" into the name (malloc'd) and the range. */
static int parse_axis(const char *spec, const char *flag, char **name, double *lo, double *hi)
{
    const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char *l = c2 ? cli_format("%.*s", (int)(c2 - c1 - 1), c1 + 1) : NULL;
    int ok = l && cli_parse_number(l, lo) && cli_parse_number(c2 + 1, hi) && isfinite(*lo) &&
             isfinite(*hi) && *lo < *hi;
    free(l);
    *name = ok ? cli_format("%.*s", (int)(c1 - spec), spec) : NULL;
    if (!*name)
        return cli_usage_error("analyze phase: %s '%s': expected STATE:LO:HI with finite LO < HI",
                               flag, spec);
    return 0;
}

static int analyze_phase(const analyze_args *a, const dtb_model *m, dtb_dynamics *d)
{
    char *xn = NULL, *yn = NULL;
    double xlo, xhi, ylo, yhi;
    int rc = parse_axis(a->xspec, "--x", &xn, &xlo, &xhi);
    if (!rc)
        rc = parse_axis(a->yspec, "--y", &yn, &ylo, &yhi);
    const size_t ns = (size_t)dtb_model_state_count(m);
    double *x = rc ? NULL : calloc(ns + 1, sizeof *x);
    if (!rc && !x)
        rc = cli_usage_error("analyze: out of memory");
    for (size_t v = 0; !rc && v < ns; v++) {
        double lo, hi;
        dtb_model_state_range(m, (int64_t)v, &lo, &hi);
        x[v] = isfinite(lo) && isfinite(hi) ? 0.5 * (lo + hi) : isfinite(lo) ? lo : isfinite(hi) ? hi : 0.0;
    }
    for (size_t k = 0; !rc && k < a->n_ats; k++) {
        const char *eq = strchr(a->ats[k], '=');
        char *name = eq ? cli_format("%.*s", (int)(eq - a->ats[k]), a->ats[k]) : NULL;
        int64_t idx = -1;
        double v;
        if (!name || dtb_model_find_state(m, name, &idx) || !cli_parse_number(eq + 1, &v) || !isfinite(v))
            rc = cli_usage_error("analyze phase: --at '%s': expected STATE=VALUE with a state of '%s'",
                                 a->ats[k], dtb_model_name(m));
        else
            x[idx] = v;
        free(name);
    }
    char *svg = rc ? NULL : cli_format("%s/phase_plane.svg", a->out);
    if (!rc && (!svg || dtb_dynamics_phase_plane(d, xn, yn, xlo, xhi, ylo, yhi, x, ns, svg))) {
        dtb_status st = dtb_last_error_code();
        cli_error("analyze phase: %s", dtb_last_error_message());
        rc = st == DTB_ENOTFOUND || st == DTB_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (!rc)
        printf("phase plane: %s\n", svg);
    free(svg);
    free(x);
    free(xn);
    free(yn);
    return rc;
}

/* The coupling: the model's stated one unless --coupling KIND[:a=A[,b=B]]. */
typedef struct coupling_choice {
    dtb_coupling_kind kind;
    const char *names[8];
    double values[8];
    char *owned[8];
    size_t n;
} coupling_choice;

static int choose_coupling(const analyze_args *a, const dtb_model *m, coupling_choice *c)
{
    c->kind = dtb_model_default_coupling(m) > 0 ? (dtb_coupling_kind)dtb_model_default_coupling(m)
                                                : DTB_COUPLING_LINEAR;
    if (dtb_model_default_coupling(m) > 0)
        for (int64_t k = 0; k < dtb_model_default_coupling_param_count(m) && c->n < 8; k++) {
            c->names[c->n] = dtb_model_default_coupling_param_name(m, k);
            dtb_model_get_default_coupling_param(m, c->names[c->n], &c->values[c->n]);
            c->n++;
        }
    if (!a->coupling)
        return 0;
    const char *colon = strchr(a->coupling, ':');
    size_t len = colon ? (size_t)(colon - a->coupling) : strlen(a->coupling);
    static const struct { const char *name; dtb_coupling_kind kind; } known[] = {
        {"linear", DTB_COUPLING_LINEAR}, {"scaling", DTB_COUPLING_SCALING},
        {"difference", DTB_COUPLING_DIFFERENCE}};
    int found = 0;
    for (size_t k = 0; k < 3 && !found; k++)
        if (strlen(known[k].name) == len && !strncmp(a->coupling, known[k].name, len)) {
            found = 1;
            if (known[k].kind != c->kind)
                c->n = 0;   /* the model's values belong to another kind */
            c->kind = known[k].kind;
        }
    if (!found)
        return cli_usage_error("analyze network: --coupling '%s': linear, scaling or difference "
                               "(the network's Jacobian is built for these)", a->coupling);
    for (const char *p = colon ? colon + 1 : NULL; p && *p;) {
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (!eq || eq > end || c->n >= 8)
            return cli_usage_error("analyze network: --coupling '%s': expected NAME=VALUE pairs",
                                   a->coupling);
        char *name = cli_format("%.*s", (int)(eq - p), p), *val = cli_format("%.*s", (int)(end - eq - 1), eq + 1);
        double v;
        int ok = name && val && cli_parse_number(val, &v) && isfinite(v);
        free(val);
        if (!ok) {
            free(name);
            return cli_usage_error("analyze network: --coupling '%s': bad value", a->coupling);
        }
        size_t slot = c->n;
        for (size_t k = 0; k < c->n; k++)
            if (!strcmp(c->names[k], name))
                slot = k;
        c->owned[slot] = name;
        c->names[slot] = name;
        c->values[slot] = v;
        if (slot == c->n)
            c->n++;
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int analyze_network(const analyze_args *a, const dtb_model *m, dtb_dynamics *d)
{
    dtb_atlas *atlas = NULL;
    if (dtb_atlas_load(&atlas, a->atlas ? a->atlas : "bn246", NULL))
        return cli_usage_error("analyze network: --atlas: %s", dtb_last_error_message());
    coupling_choice c = {0};
    int rc = choose_coupling(a, m, &c);
    const char *param = a->param + strlen("coupling.");
    double crit = NAN;
    if (!rc && dtb_dynamics_network_critical(d, atlas, c.kind, c.names, c.values, c.n, param, a->lo,
                                             a->hi, &crit)) {
        dtb_status st = dtb_last_error_code();
        cli_error("analyze network: %s", dtb_last_error_message());
        rc = st == DTB_ENOTFOUND || st == DTB_EINVAL || st == DTB_EUNSUPPORTED ? EXIT_USAGE : EXIT_RUNTIME;
    }
    out_file o;
    if (!rc && !(rc = out_file_open(&o, "analyze", a->out, "eigenvalues.csv"))) {
        /* the leading eigenvalues at LO and at the critical value */
        fprintf(o.f, "%s,rank,re,im\n", a->param);
        const double at[2] = {a->lo, crit};
        double re[10], im[10];
        for (int k = 0; k < 2 && !rc; k++) {
            if (isnan(at[k]))
                continue;
            double *vals = NULL;
            const char **names = calloc(c.n + 1, sizeof *names);
            vals = calloc(c.n + 1, sizeof *vals);
            size_t n = c.n, got = 0;
            int replaced = 0;
            for (size_t i = 0; names && vals && i < c.n; i++) {
                names[i] = c.names[i];
                vals[i] = !strcmp(c.names[i], param) ? (replaced = 1, at[k]) : c.values[i];
            }
            if (names && vals && !replaced) {
                names[n] = param;
                vals[n++] = at[k];
            }
            if (!names || !vals)
                rc = cli_usage_error("analyze: out of memory");
            else if (dtb_dynamics_network_eigenvalues(d, atlas, c.kind, names, vals, n, re, im, 10, &got))
                /* at a fold the fixed point is degenerate: say so, go on */
                printf("eigenvalues at %s=%g: %s\n", a->param, at[k], dtb_last_error_message());
            for (size_t i = 0; !rc && i < got; i++)
                fprintf(o.f, "%.17g,%zu,%.17g,%.17g\n", at[k], i + 1, re[i], im[i]);
            free(names);
            free(vals);
        }
        int crc = out_file_close(&o);
        rc = rc ? rc : crc;
    }
    if (!rc && !(rc = out_file_open(&o, "analyze", a->out, "critical.csv"))) {
        fprintf(o.f, "param,critical\n%s,%.17g\n", a->param, crit);
        rc = out_file_close(&o);
    }
    if (!rc) {
        printf("network: %lld regions of %s, %s coupling, no delays\n",
               (long long)dtb_atlas_region_count(atlas), dtb_model_name(m), dtb_coupling_kind_name(c.kind));
        if (isnan(crit))
            printf("stable up to %s=%g\n", a->param, a->hi);
        printf("critical: %s=%.10g\n", a->param, crit);
    }
    for (size_t k = 0; k < 8; k++)
        free(c.owned[k]);
    dtb_atlas_free(atlas);
    return rc;
}

int cmd_analyze(int argc, char **argv)
{
    analyze_args a = {0};
    int help = 0;
    int rc = parse_args(argc, argv, &a, &help);
    if (help && !rc)
        print_help();
    dtb_model *m = NULL;
    dtb_dynamics *d = NULL;
    if (!rc && !help)
        rc = make_node(&a, &m, &d);
    if (!rc && !help)
        rc = out_dir_make("analyze", a.out);
    if (!rc && !help)
        rc = !strcmp(a.what, "fixed")      ? analyze_fixed(&a, m, d)
             : !strcmp(a.what, "continue") ? analyze_continue(&a, m, d)
             : !strcmp(a.what, "phase")    ? analyze_phase(&a, m, d)
                                           : analyze_network(&a, m, d);
    dtb_dynamics_free(d);
    dtb_model_free(m);
    free(a.sets);
    free(a.ats);
    free((char *)a.param);
    return rc;
}
