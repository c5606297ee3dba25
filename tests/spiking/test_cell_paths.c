/* The built-in cells as descriptors: the registry, and each cell's fast
 * path (the hand-written kernel of spiking_cells.c) against its descriptor
 * run by the generic path (spiking_lems.c) on the same population and
 * input; the cells that are a descriptor only (qif, eif) against
 * independent solutions.
 *
 * Where both paths are forward Euler of the same equations written term
 * for term alike (izhikevich, izhikevich2007 under current input), the
 * state traces and spikes are the same bits. Where they are forward Euler
 * of the same equations whose floating-point operations differ (the LIF's
 * h / tau_m V vs h (V / tau_m); AdEx's exp, the C library's vs the
 * expression engine's, within an ulp; conductance input summed as
 * (I_e + (cur + gE - g V)) vs ((I_e + cur) + gE) - g V), they agree to
 * rounding: the traces within 1e-9 mV over the runs below, the same spike
 * steps. Where the fast path is another method (the LIF's exact
 * integration, RK4, Rush-Larsen), the difference shrinks at first order
 * in h: halving h halves it. Each comparison is shown to fail for a
 * parameter perturbed in one cell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spiking/builtin_cells.h"
#include "spiking/spiking.h"
#include "test_util.h"
#include "twin_region.h"

/* ------------------------------------------------------------ registry */

/* The cell tables as spiking_cells.c wrote them before the descriptors:
 * names, units, defaults, states and their initial values, conductance
 * scale, exact current input, Euler offered. The descriptors must give
 * the same. */
typedef struct old_table {
    const char *name;
    size_t n_params;
    dtb__cell_param params[12];
    size_t n_states;
    const char *states[4];
    double init[4];
    double conductance_scale;
    int exact, euler_ok;
} old_table;

static const old_table old_tables[] = {
    {"lif", 7,
     {{"tau_m", "ms", 20.0}, {"R_m", "MOhm", 100.0}, {"E_L", "mV", -70.0}, {"V_th", "mV", -50.0},
      {"V_reset", "mV", -60.0}, {"t_ref", "ms", 2.0}, {"I_e", "nA", 0.0}},
     1, {"V"}, {-70.0}, 1e-3, 1, 1},
    {"izhikevich", 6,
     {{"a", "1/ms", 0.02}, {"b", "1", 0.2}, {"c", "mV", -65.0}, {"d", "mV/ms", 8.0},
      {"v_peak", "mV", 30.0}, {"I_e", "mV/ms", 0.0}},
     2, {"v", "u"}, {-65.0, -13.0}, 1.0, 0, 1},
    {"izhikevich2007", 10,
     {{"C", "nF", 0.1}, {"k", "uS/mV", 0.0007}, {"vr", "mV", -60.0}, {"vt", "mV", -40.0},
      {"vpeak", "mV", 35.0}, {"a", "1/ms", 0.03}, {"b", "uS", -0.002}, {"c", "mV", -50.0},
      {"d", "nA", 0.1}, {"I_e", "nA", 0.0}},
     2, {"v", "u"}, {-60.0, 0.0}, 1e-3, 0, 1},
    {"adex", 12,
     {{"C", "nF", 0.281}, {"g_L", "uS", 0.03}, {"E_L", "mV", -70.6}, {"V_T", "mV", -50.4},
      {"Delta_T", "mV", 2.0}, {"tau_w", "ms", 144.0}, {"a", "uS", 0.004}, {"b", "nA", 0.0805},
      {"V_reset", "mV", -70.6}, {"V_peak", "mV", -40.4}, {"t_ref", "ms", 0.0}, {"I_e", "nA", 0.0}},
     2, {"V", "w"}, {-70.6, 0.0}, 1e-3, 0, 1},
    {"hh", 9,
     {{"C", "nF", 0.2}, {"g_Na", "uS", 24.0}, {"g_K", "uS", 7.2}, {"g_L", "uS", 0.06},
      {"E_Na", "mV", 50.0}, {"E_K", "mV", -77.0}, {"E_L", "mV", -54.387}, {"V_th", "mV", 0.0},
      {"I_e", "nA", 0.0}},
     4, {"V", "m", "h", "n"}, {-65.0, 0.05293, 0.59612, 0.31768}, 1e-3, 0, 0},
    {"traub_miles", 10,
     {{"C", "nF", 0.2}, {"g_L", "uS", 0.01}, {"E_L", "mV", -60.0}, {"g_Na", "uS", 20.0},
      {"E_Na", "mV", 50.0}, {"g_K", "uS", 6.0}, {"E_K", "mV", -90.0}, {"V_T", "mV", -63.0},
      {"V_th", "mV", -20.0}, {"I_e", "nA", 0.0}},
     4, {"V", "m", "h", "n"}, {-60.0, 0.02686, 0.99131, 0.06043}, 1e-3, 0, 0},
};

/* sim_spiking.c's region defaults before the descriptors: bias, w_exc, w_inh */
static const struct {
    const char *name;
    double bias, w_exc, w_inh;
} old_regions[] = {{"lif", 0.0, 0.0162, 0.09},  {"izhikevich", 5.0, 0.5, 2.0},
                   {"izhikevich2007", 0.07, 0.01, 0.04}, {"adex", 0.7, 0.05, 0.2},
                   {"hh", 0.8, 0.2, 0.8}};

static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(dtb__cell_registry_status(), DTB_OK);
    assert_int_equal(dtb__cell_count(), 8);
    static const char *const order[] = {"lif", "izhikevich", "izhikevich2007", "adex", "hh",
                                        "traub_miles", "qif", "eif"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(dtb__cell_entry_model(dtb__cell_at(i))->name, order[i]);
    assert_null(dtb__cell_at(8));
    assert_null(dtb__cell_find("nosuch"));
    for (size_t i = 0; i < sizeof old_tables / sizeof old_tables[0]; i++) {
        const old_table *o = &old_tables[i];
        const dtb__cell_entry *e = dtb__cell_find(o->name);
        assert_non_null(e);
        const dtb__cell_model *m = dtb__cell_entry_model(e);
        /* every built-in cell of before keeps its kernel */
        if (dtb__cell_entry_no_fast(e))
            print_message("  %s: %s\n", o->name, dtb__cell_entry_no_fast(e));
        assert_non_null(dtb__cell_entry_fast(e));
        assert_null(dtb__cell_entry_no_fast(e));
        assert_non_null(m->update);
        assert_int_equal(m->n_params, o->n_params);
        for (size_t k = 0; k < o->n_params; k++) {
            assert_string_equal(m->params[k].name, o->params[k].name);
            assert_string_equal(m->params[k].unit, o->params[k].unit);
            /* the same double, not merely close: "-70.6mV" is -70.6 */
            assert_true(m->params[k].value == o->params[k].value);
        }
        assert_int_equal(m->n_states, o->n_states);
        for (size_t s = 0; s < o->n_states; s++) {
            assert_string_equal(m->states[s], o->states[s]);
            assert_true(m->state_init[s] == o->init[s]);
        }
        assert_true(m->conductance_scale == o->conductance_scale);
        assert_int_equal(m->exact_current_input, o->exact);
        assert_int_equal(m->euler_ok, o->euler_ok);
        assert_int_equal(m->v_state, 0);
        assert_true(m->delta_scale == 1.0);
    }
    for (size_t i = 0; i < sizeof old_regions / sizeof old_regions[0]; i++) {
        const dtb__cell_region *r = dtb__cell_entry_region(dtb__cell_find(old_regions[i].name));
        assert_true(r->has);
        assert_string_equal(r->bias_param, "I_e");
        assert_true(r->bias == old_regions[i].bias);
        assert_true(r->w_exc == old_regions[i].w_exc);
        assert_true(r->w_inh == old_regions[i].w_inh);
        assert_non_null(r->draw_state);
    }
    assert_false(dtb__cell_entry_region(dtb__cell_find("traub_miles"))->has);
    /* the cells that are a descriptor only */
    for (int i = 6; i < 8; i++) {
        const dtb__cell_entry *e = dtb__cell_at((size_t)i);
        assert_null(dtb__cell_entry_fast(e));
        assert_null(dtb__cell_entry_model(e)->update);
        assert_true(dtb__cell_entry_region(e)->has);
    }
    /* the public getters read the registry */
    assert_int_equal(dtb_spiking_cell_model_count(), 8);
    assert_string_equal(dtb_spiking_cell_param_unit("qif", 1), "MOhm");
    assert_true(dtb_spiking_cell_param_default("eif", 3) == -50.4);
    assert_int_equal(dtb_spiking_cell_state_count("qif"), 1);   /* tLastSpike is bookkeeping */
    assert_int_equal(dtb_spiking_cell_state_count("lif"), 1);
}

/* A descriptor that no longer declares what the kernel reads, or says
 * other equations with the same names, keeps the generic path: the fast
 * path is chosen by name, declarations and the digest of the equations. */
static char *embedded_with(const char *name, const char *from, const char *to)
{
    const dtb__builtin_cell *b = NULL;
    for (size_t i = 0; i < dtb__n_builtin_cells; i++)
        if (strcmp(dtb__builtin_cells[i].name, name) == 0)
            b = &dtb__builtin_cells[i];
    assert_non_null(b);
    /* every occurrence */
    const size_t lf = strlen(from), lt = strlen(to);
    size_t n = 0;
    for (const char *at = strstr(b->xml, from); at; at = strstr(at + lf, from))
        n++;
    assert_true(n > 0);
    char *out = malloc(b->len + n * (lt + 1) + 1), *o = out;
    const char *in = b->xml;
    for (const char *at = strstr(in, from); at; at = strstr(in, from)) {
        memcpy(o, in, (size_t)(at - in));
        o += at - in;
        memcpy(o, to, lt);
        o += lt;
        in = at + lf;
    }
    strcpy(o, in);
    return out;
}

static void test_fast_path_match(void **state)
{
    (void)state;
    static const struct {
        const char *cell, *from, *to, *why;
    } cases[] = {
        /* a parameter renamed (its declaration and every use) */
        {"lif", "t_ref", "t_rfr", "parameter 5 is 't_rfr'"},
        {"hh", "g_Na", "gNa", "parameter 1 is 'gNa'"},
        /* a state variable no longer exposed */
        {"izhikevich2007", "name=\"u\" dimension=\"current\" exposure=\"u\"",
         "name=\"u\" dimension=\"current\"", "exposes 1 state"},
        /* the same names, other equations: a time derivative, a reset, a
         * threshold test */
        {"lif", "((E_L - V) + R_m * (I_e + iSyn)) / tau_m", "((E_L - V) + R_m * (I_e - iSyn)) / tau_m",
         "equations are not those"},
        {"lif", "variable=\"V\" value=\"V_reset\"", "variable=\"V\" value=\"V_reset + MVOLT\"",
         "equations are not those"},
        {"lif", "V .gt. V_th .and.", "V .geq. V_th .and.", "equations are not those"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *xml = embedded_with(cases[i].cell, cases[i].from, cases[i].to);
        dtb__cell_entry *e = NULL;
        dtb_status st = dtb__cell_entry_from_text(cases[i].cell, xml, strlen(xml), &e);
        if (st)
            print_message("  %s: %s\n", cases[i].cell, dtb_last_error_message());
        assert_int_equal(st, DTB_OK);
        assert_null(dtb__cell_entry_fast(e));
        print_message("  perturbed %s: no fast path (%s)\n", cases[i].cell, dtb__cell_entry_no_fast(e));
        assert_non_null(dtb__cell_entry_no_fast(e));
        assert_non_null(strstr(dtb__cell_entry_no_fast(e), cases[i].why));
        dtb__cell_entry_free(e);
        free(xml);
    }
    /* the unperturbed text takes it */
    const dtb__builtin_cell *lif = &dtb__builtin_cells[0];
    dtb__cell_entry *e = NULL;
    assert_int_equal(dtb__cell_entry_from_text("lif", lif->xml, lif->len, &e), DTB_OK);
    assert_non_null(dtb__cell_entry_fast(e));
    dtb__cell_entry_free(e);
    /* so does the same equation written with other spacing and parentheses */
    char *xml = embedded_with("lif", "((E_L - V) + R_m * (I_e + iSyn)) / tau_m",
                              "( (E_L-V) + (R_m*(I_e+iSyn)) )/tau_m");
    assert_int_equal(dtb__cell_entry_from_text("lif", xml, strlen(xml), &e), DTB_OK);
    if (dtb__cell_entry_no_fast(e))
        print_message("  respaced lif: %s\n", dtb__cell_entry_no_fast(e));
    assert_non_null(dtb__cell_entry_fast(e));
    dtb__cell_entry_free(e);
    free(xml);
}

/* ------------------------------------------------- fast against generic */

enum { IN_CURRENT, IN_CONDUCTANCE, IN_TRAIN };

typedef struct run_spec {
    const char *cell;
    double dt;                /* s */
    double duration;          /* s */
    int64_t n;
    int euler;                /* the fast path's forward Euler */
    int input;
    double bias_lo, bias_hi;  /* I_e per cell, uniform */
    double v_lo, v_hi;        /* initial membrane potential per cell, uniform (NAN: the default) */
    const char *other;        /* another parameter per cell, uniform in [other_lo, other_hi] */
    double other_lo, other_hi;
    const char *perturb;      /* multiply this parameter of cell 0 by 1 + perturb_by */
    double perturb_by;
    int perturb_all;          /* of every cell */
} run_spec;

typedef struct trace {
    size_t n_states, n_steps, n, every;
    double *x;                /* [sample][state][cell] */
    size_t n_spikes;
    int64_t *cells;
    double *times;
} trace;

static void trace_free(trace *t)
{
    free(t->x);
    free(t->cells);
    free(t->times);
    memset(t, 0, sizeof *t);
}

/* Run spec on the given path, sampling the cell table's states every
 * `every` steps. */
static void run(const run_spec *s, dtb__cell_path path, size_t every, trace *out)
{
    dtb_spiking_net *net;
    int64_t p, r;
    assert_int_equal(dtb_spiking_create(&net, s->dt, 77), DTB_OK);
    assert_int_equal(dtb__spk_add_population_path(net, "p", s->cell, s->n, path, &p), DTB_OK);
    assert_true((net->pops[p].lems != NULL) == (path == DTB__CELL_PATH_GENERIC));
    if (s->euler) {
        dtb_status st = dtb_spiking_set_method(net, p, DTB_SPIKING_METHOD_EULER);
        assert_int_equal(st, DTB_OK);
    }
    if (s->bias_hi > s->bias_lo)
        assert_int_equal(dtb_spiking_set_param(net, p, "I_e", DTB_DIST_UNIFORM, s->bias_lo, s->bias_hi),
                         DTB_OK);
    else
        assert_int_equal(dtb_spiking_set_param(net, p, "I_e", DTB_DIST_CONSTANT, s->bias_lo, 0), DTB_OK);
    if (s->other) {
        assert_int_equal(dtb_spiking_set_param(net, p, s->other, DTB_DIST_UNIFORM, s->other_lo,
                                               s->other_hi), DTB_OK);
        if (strcmp(s->other, "t_ref") == 0) {
            /* whole steps: the fast path rounds t_ref to the nearest step, the
             * descriptor waits until t_ref has passed (the same for these) */
            double *v = malloc((size_t)s->n * sizeof *v);
            size_t need;
            assert_int_equal(dtb_spiking_get_param_values(net, p, "t_ref", v, (size_t)s->n, &need),
                             DTB_OK);
            for (int64_t i = 0; i < s->n; i++)
                v[i] = rint(v[i] / (s->dt * 1e3)) * (s->dt * 1e3);
            assert_int_equal(dtb_spiking_set_param_values(net, p, "t_ref", v, (size_t)s->n), DTB_OK);
            free(v);
        }
    }
    const dtb__cell_model *m = dtb__cell_model_find(s->cell);
    if (!isnan(s->v_lo))
        assert_int_equal(dtb_spiking_set_state(net, p, m->states[0], DTB_DIST_UNIFORM, s->v_lo,
                                               s->v_hi), DTB_OK);
    if (s->perturb) {
        double *v = malloc((size_t)s->n * sizeof *v);
        size_t need;
        assert_int_equal(dtb_spiking_get_param_values(net, p, s->perturb, v, (size_t)s->n, &need),
                         DTB_OK);
        for (int64_t i = 0; i < (s->perturb_all ? s->n : 1); i++)
            v[i] *= 1.0 + s->perturb_by;
        assert_int_equal(dtb_spiking_set_param_values(net, p, s->perturb, v, (size_t)s->n), DTB_OK);
        free(v);
    }
    if (s->input == IN_CURRENT) {
        assert_int_equal(dtb_spiking_add_receptor(net, p, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT,
                                                  0, 3e-3, 0, &r), DTB_OK);
        const double w = strcmp(s->cell, "izhikevich") == 0 ? 3.0 : 0.05;
        assert_int_equal(dtb_spiking_add_poisson(net, p, r, 800.0, w, NULL), DTB_OK);
    } else if (s->input == IN_CONDUCTANCE) {
        assert_int_equal(dtb_spiking_add_receptor(net, p, "e", DTB_SYNAPSE_EXP,
                                                  DTB_SYNAPSE_CONDUCTANCE, 0, 5e-3, 0.0, &r), DTB_OK);
        assert_int_equal(dtb_spiking_add_poisson(net, p, r, 1000.0, 2.0, NULL), DTB_OK);
        assert_int_equal(dtb_spiking_add_receptor(net, p, "i", DTB_SYNAPSE_BIEXP,
                                                  DTB_SYNAPSE_CONDUCTANCE, 1e-3, 8e-3, -80.0, &r),
                         DTB_OK);
        assert_int_equal(dtb_spiking_add_poisson(net, p, r, 300.0, 2.0, NULL), DTB_OK);
    } else if (s->input == IN_TRAIN) {
        /* the same input at every dt: events at whole milliseconds */
        assert_int_equal(dtb_spiking_add_receptor(net, p, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT,
                                                  0, 3e-3, 0, &r), DTB_OK);
        const double times[] = {2e-3, 4e-3, 5e-3, 9e-3, 12e-3, 13e-3, 14e-3, 20e-3};
        const double w = strcmp(s->cell, "izhikevich") == 0 ? 4.0 : 0.08;
        for (int64_t c = 0; c < s->n; c++)
            assert_int_equal(dtb_spiking_add_spike_train(net, p, c, r, times, 8, w), DTB_OK);
    }
    assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
    const int64_t steps = (int64_t)llround(s->duration / s->dt);
    memset(out, 0, sizeof *out);
    out->n_states = m->n_states;
    out->n = (size_t)s->n;
    out->every = every;
    out->n_steps = (size_t)(steps / (int64_t)every);
    out->x = malloc(out->n_steps * out->n_states * out->n * sizeof *out->x);
    for (size_t k = 0; k < out->n_steps; k++) {
        assert_int_equal(dtb_spiking_step(net, (int64_t)every), DTB_OK);
        for (size_t q = 0; q < out->n_states; q++) {
            size_t need;
            assert_int_equal(dtb_spiking_get_state_values(net, p, m->states[q],
                                                          out->x + (k * out->n_states + q) * out->n,
                                                          out->n, &need), DTB_OK);
        }
    }
    assert_int_equal(dtb_spiking_get_spikes(net, p, NULL, NULL, 0, &out->n_spikes), DTB_OK);
    out->cells = malloc((out->n_spikes + 1) * sizeof *out->cells);
    out->times = malloc((out->n_spikes + 1) * sizeof *out->times);
    size_t need;
    assert_int_equal(dtb_spiking_get_spikes(net, p, out->cells, out->times, out->n_spikes, &need),
                     DTB_OK);
    dtb_spiking_free(net);
}

typedef struct comparison {
    int same_bits;            /* states and spikes, bit for bit */
    int same_spikes;          /* the same cells at the same steps */
    double max_diff;          /* largest |difference| of the first state (the membrane potential) */
    double max_diff_all;      /* of any state, relative to max(1, |value|) */
} comparison;

static comparison compare(const trace *a, const trace *b)
{
    comparison c = {1, 1, 0, 0};
    assert_int_equal(a->n_steps, b->n_steps);
    size_t len = a->n_steps * a->n_states * a->n;
    c.same_bits = memcmp(a->x, b->x, len * sizeof *a->x) == 0;
    c.same_spikes = a->n_spikes == b->n_spikes
                    && memcmp(a->cells, b->cells, a->n_spikes * sizeof *a->cells) == 0
                    && memcmp(a->times, b->times, a->n_spikes * sizeof *a->times) == 0;
    c.same_bits &= c.same_spikes;
    for (size_t k = 0; k < a->n_steps; k++)
        for (size_t q = 0; q < a->n_states; q++)
            for (size_t i = 0; i < a->n; i++) {
                size_t at = (k * a->n_states + q) * a->n + i;
                double d = fabs(a->x[at] - b->x[at]);
                if (q == 0)
                    c.max_diff = nan_max(c.max_diff, d);
                c.max_diff_all = nan_max(c.max_diff_all, d / (fabs(a->x[at]) > 1.0 ? fabs(a->x[at]) : 1.0));
            }
    return c;
}

/* Fast and generic on one spec; the perturbed generic run too. */
static void fast_vs_generic(const run_spec *s, comparison *same, comparison *perturbed)
{
    trace f, g, gp;
    run_spec plain = *s;
    plain.perturb = NULL;
    run(&plain, DTB__CELL_PATH_FAST, 1, &f);
    run(&plain, DTB__CELL_PATH_GENERIC, 1, &g);
    *same = compare(&f, &g);
    run_spec sp = *s;
    if (!sp.perturb) {
        sp.perturb = "I_e";
        sp.perturb_by = 1e-9;
    }
    run(&sp, DTB__CELL_PATH_GENERIC, 1, &gp);
    *perturbed = compare(&f, &gp);
    print_message("  %-15s %-11s %s: %zu spikes; %s, spikes %s, max |dV| %.3g (all %.3g); "
                  "perturbed %s x (1 + %g) in one cell: %s, max |dV| %.3g\n",
                  s->cell, s->input == IN_CURRENT ? "current" : "conductance",
                  s->euler ? "euler" : "default", f.n_spikes,
                  same->same_bits ? "same bits" : "bits differ",
                  same->same_spikes ? "same" : "DIFFER", same->max_diff, same->max_diff_all,
                  sp.perturb, sp.perturb_by, perturbed->same_bits ? "same bits" : "bits differ",
                  perturbed->max_diff);
    trace_free(&f);
    trace_free(&g);
    trace_free(&gp);
}

static const run_spec base_spec = {.dt = 1e-4, .duration = 0.3, .n = 16, .v_lo = NAN, .v_hi = NAN};

/* Forward Euler of the same equations, written alike: the same bits. */
static void test_same_bits(void **state)
{
    (void)state;
    static const struct {
        const char *cell;
        double bias_lo, bias_hi, v_lo, v_hi;
        const char *other;
        double other_lo, other_hi;
    } cells[] = {
        {"izhikevich", 2.0, 12.0, -70.0, -60.0, NULL, 0, 0},
        {"izhikevich", 4.0, 4.0, -70.0, -60.0, "a", 0.02, 0.1},     /* per-cell a */
        {"izhikevich2007", 0.05, 0.15, -65.0, -55.0, NULL, 0, 0},
        {"izhikevich2007", 0.1, 0.1, -65.0, -55.0, "k", 0.0006, 0.0008},
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        run_spec s = base_spec;
        s.cell = cells[i].cell;
        s.euler = 1;
        s.input = IN_CURRENT;
        s.bias_lo = cells[i].bias_lo;
        s.bias_hi = cells[i].bias_hi;
        s.v_lo = cells[i].v_lo;
        s.v_hi = cells[i].v_hi;
        s.other = cells[i].other;
        s.other_lo = cells[i].other_lo;
        s.other_hi = cells[i].other_hi;
        comparison same, perturbed;
        fast_vs_generic(&s, &same, &perturbed);
        assert_true(same.same_bits);
        assert_false(perturbed.same_bits);
    }
}

/* Forward Euler of the same equations whose floating-point operations
 * differ: the same spikes, traces within rounding. */
static void test_same_to_rounding(void **state)
{
    (void)state;
    static const struct {
        const char *cell;
        int input;
        double bias_lo, bias_hi, v_lo, v_hi;
        const char *other;
        double other_lo, other_hi;
    } cells[] = {
        {"lif", IN_CURRENT, 0.1, 0.3, -70.0, -55.0, NULL, 0, 0},
        {"lif", IN_CURRENT, 0.2, 0.2, -70.0, -55.0, "t_ref", 0.0, 5.0},   /* per-cell t_ref */
        {"lif", IN_CONDUCTANCE, 0.1, 0.3, -70.0, -55.0, NULL, 0, 0},
        {"adex", IN_CURRENT, 0.5, 1.0, -72.0, -65.0, NULL, 0, 0},
        {"adex", IN_CURRENT, 0.8, 0.8, -72.0, -65.0, "t_ref", 0.0, 3.0},
        {"adex", IN_CONDUCTANCE, 0.5, 1.0, -72.0, -65.0, NULL, 0, 0},
        {"izhikevich", IN_CONDUCTANCE, 2.0, 12.0, -70.0, -60.0, NULL, 0, 0},
        {"izhikevich2007", IN_CONDUCTANCE, 0.05, 0.15, -65.0, -55.0, NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        run_spec s = base_spec;
        s.cell = cells[i].cell;
        s.euler = 1;
        s.input = cells[i].input;
        s.bias_lo = cells[i].bias_lo;
        s.bias_hi = cells[i].bias_hi;
        s.v_lo = cells[i].v_lo;
        s.v_hi = cells[i].v_hi;
        s.other = cells[i].other;
        s.other_lo = cells[i].other_lo;
        s.other_hi = cells[i].other_hi;
        s.perturb = strcmp(s.cell, "lif") == 0 ? "tau_m" : strcmp(s.cell, "izhikevich") == 0 ? "a" : "C";
        s.perturb_by = 1e-6;
        comparison same, perturbed;
        fast_vs_generic(&s, &same, &perturbed);
        assert_true(same.same_spikes);
        assert_true(same.max_diff_all <= 1e-9);
        assert_false(perturbed.same_spikes && perturbed.max_diff_all <= 1e-9);
    }
}

/* The difference between two runs of one cell type sampled at the same
 * times: the largest |dV| before the first spike of either (a smooth
 * stretch: both first order there), and the first spike times. */
typedef struct order_diff {
    double dv;          /* mV, before the first spike */
    double dv_all;      /* mV, the whole run */
    double dt_spike;    /* s, largest difference of the first spike times of the cells */
    size_t n_spikes;
} order_diff;

static order_diff order_compare(const trace *a, const trace *b, double sample_dt)
{
    order_diff d = {0, 0, 0, a->n_spikes};
    double first = INFINITY;
    for (size_t k = 0; k < a->n_spikes; k++)
        first = nan_min(first, a->times[k]);
    for (size_t k = 0; k < b->n_spikes; k++)
        first = nan_min(first, b->times[k]);
    for (size_t k = 0; k < a->n_steps; k++)
        for (size_t i = 0; i < a->n; i++) {
            double x = fabs(a->x[k * a->n_states * a->n + i] - b->x[k * b->n_states * b->n + i]);
            d.dv_all = nan_max(d.dv_all, x);
            if ((double)(k + 1) * sample_dt < first - 1e-3)
                d.dv = nan_max(d.dv, x);
        }
    for (size_t i = 0; i < a->n; i++) {
        double ta = NAN, tb = NAN;
        for (size_t k = 0; k < a->n_spikes && isnan(ta); k++)
            if ((size_t)a->cells[k] == i)
                ta = a->times[k];
        for (size_t k = 0; k < b->n_spikes && isnan(tb); k++)
            if ((size_t)b->cells[k] == i)
                tb = b->times[k];
        if (!isnan(ta) || !isnan(tb))
            d.dt_spike = nan_max(d.dt_spike, fabs(ta - tb));
    }
    return d;
}

/* Fast (its own method) against generic (forward Euler) at h, h/2, h/4:
 * the difference halves with h. */
static void test_first_order(void **state)
{
    (void)state;
    static const struct {
        const char *cell;
        int input;
        double h, duration, bias_lo, bias_hi;
        const char *method, *perturb;   /* perturbed: by 1% in the generic runs */
    } cases[] = {
        {"lif", IN_TRAIN, 1e-4, 0.05, 0.19, 0.25, "exact", NULL},
        {"lif", IN_CONDUCTANCE, 1e-4, 0.05, 0.19, 0.25, "exponential Euler", NULL},
        {"izhikevich", IN_TRAIN, 1e-4, 0.05, 3.0, 6.0, "RK4", NULL},
        {"izhikevich2007", IN_TRAIN, 1e-4, 0.05, 0.06, 0.1, "RK4", NULL},
        {"adex", IN_TRAIN, 1e-4, 0.05, 0.6, 0.8, "RK4", NULL},
        {"hh", IN_TRAIN, 2e-5, 0.03, 0.3, 0.6, "Rush-Larsen", NULL},
        {"traub_miles", IN_TRAIN, 2e-5, 0.03, 0.1, 0.3, "exponential Euler", NULL},
        /* the comparison fails for a parameter 1% off in one cell */
        {"lif", IN_TRAIN, 1e-4, 0.05, 0.19, 0.25, "exact", "tau_m"},
        {"izhikevich", IN_TRAIN, 1e-4, 0.05, 3.0, 6.0, "RK4", "I_e"},
        {"hh", IN_TRAIN, 2e-5, 0.03, 0.3, 0.6, "Rush-Larsen", "g_K"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        order_diff d[3];
        for (int r = 0; r < 3; r++) {
            run_spec s = base_spec;
            s.cell = cases[i].cell;
            s.input = cases[i].input;
            s.n = 4;
            s.dt = cases[i].h / (double)(1 << r);
            s.duration = cases[i].duration;
            s.bias_lo = cases[i].bias_lo;
            s.bias_hi = cases[i].bias_hi;
            trace f, g;
            run(&s, DTB__CELL_PATH_FAST, (size_t)1 << r, &f);
            s.perturb = cases[i].perturb;
            s.perturb_by = 0.01;
            s.perturb_all = 1;
            run(&s, DTB__CELL_PATH_GENERIC, (size_t)1 << r, &g);
            d[r] = order_compare(&f, &g, cases[i].h);
            trace_free(&f);
            trace_free(&g);
        }
        print_message("  %-15s %-17s vs Euler%s%s%s, h = %g ms /1 /2 /4: max |dV| before the first "
                      "spike %.3g %.3g %.3g mV (ratios %.2f %.2f), whole run %.3g %.3g %.3g; first "
                      "spikes %.3g %.3g %.3g ms apart (%zu spikes)\n",
                      cases[i].cell, cases[i].method, cases[i].perturb ? " (" : "",
                      cases[i].perturb ? cases[i].perturb : "", cases[i].perturb ? " +1%)" : "",
                      cases[i].h * 1e3, d[0].dv, d[1].dv, d[2].dv, d[0].dv / d[1].dv,
                      d[1].dv / d[2].dv, d[0].dv_all, d[1].dv_all, d[2].dv_all, d[0].dt_spike * 1e3,
                      d[1].dt_spike * 1e3, d[2].dt_spike * 1e3, d[0].n_spikes);
        /* first order: each halving of h halves the difference (ratio 2,
         * within 15% to 20%), and the first spikes come closer in step */
        const int first_order = d[0].dv / d[1].dv >= 1.7 && d[0].dv / d[1].dv <= 2.4
                                && d[1].dv / d[2].dv >= 1.7 && d[1].dv / d[2].dv <= 2.4
                                && d[2].dt_spike <= d[0].dt_spike / 2.5 && d[0].n_spikes >= 3;
        if (cases[i].perturb)
            assert_false(first_order);
        else
            assert_true(first_order);
    }
}

/* ------------------------------------------- cells that are a descriptor */

/* Spike times (s) of a one-cell population. */
static size_t spikes_of_cell(dtb_spiking_net *net, int64_t pop, double *t, size_t cap)
{
    size_t n = 0;
    assert_int_equal(dtb_spiking_get_spikes(net, pop, NULL, NULL, 0, &n), DTB_OK);
    assert_true(n <= cap);
    int64_t *cells = calloc(n + 1, sizeof *cells);
    assert_int_equal(dtb_spiking_get_spikes(net, pop, cells, t, cap, &n), DTB_OK);
    free(cells);
    return n;
}

/* Mean interspike interval (s) of each of n cells: NAN below 3 spikes. */
static void mean_isi(const trace *t, size_t n, double *isi)
{
    for (size_t i = 0; i < n; i++) {
        double first = NAN, last = NAN;
        size_t count = 0;
        for (size_t k = 0; k < t->n_spikes; k++)
            if ((size_t)t->cells[k] == i) {
                if (!count)
                    first = t->times[k];
                last = t->times[k];
                count++;
            }
        isi[i] = count >= 3 ? (last - first) / (double)(count - 1) : NAN;
    }
}

/* The QIF's period in closed form (qif.xml), ms. */
static double qif_period(double i_e)
{
    const double tau = 20, R = 100, v_rest = -65, v_c = -50, v_peak = 20, v_reset = -70, t_ref = 2;
    const double d = (v_c - v_rest) / 2, vm = (v_c + v_rest) / 2;
    const double b = sqrt(2 * d * R * i_e - d * d);
    return 2 * d * tau / b * (atan((v_peak - vm) / b) - atan((v_reset - vm) / b)) + t_ref;
}

/* qif and eif under constant currents against their periods: SciPy's
 * (tests/data/reference/spiking/gen_eif_qif.py), and the QIF's closed
 * form. The generic path is forward Euler with the threshold seen at the
 * end of a step: the period is within a few steps and the error shrinks
 * at first order. */
static void test_qif_eif_periods(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/reference/spiking/eif_qif_periods.csv", DTB_TEST_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    struct {
        char cell[8];
        double i_e, period;
    } ref[16];
    size_t n_ref = 0;
    while (n_ref < 16 && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        *c1 = '\0';
        assert_true(strlen(line) < sizeof ref[n_ref].cell);
        memcpy(ref[n_ref].cell, line, strlen(line) + 1);
        ref[n_ref].i_e = strtod(c1 + 1, NULL);
        ref[n_ref].period = strtod(c2 + 1, NULL);
        n_ref++;
    }
    fclose(f);
    assert_int_equal(n_ref, 8);
    static const char *const cells[] = {"qif", "eif"};
    for (int c = 0; c < 2; c++) {
        double i_e[4], period[4];
        size_t m = 0;
        for (size_t k = 0; k < n_ref; k++)
            if (strcmp(ref[k].cell, cells[c]) == 0) {
                i_e[m] = ref[k].i_e;
                period[m++] = ref[k].period;
            }
        assert_int_equal(m, 4);
        if (c == 0)
            for (size_t k = 0; k < 4; k++) {
                /* the stored SciPy periods are the closed form's */
                assert_true(fabs(qif_period(i_e[k]) - period[k]) < 1e-9);
            }
        double worst[4];
        const double hs[4] = {1e-4, 5e-5, 2.5e-5, 1.25e-5};
        for (int r = 0; r < 4; r++) {
            dtb_spiking_net *net;
            int64_t p;
            assert_int_equal(dtb_spiking_create(&net, hs[r], 1), DTB_OK);
            assert_int_equal(dtb_spiking_add_population(net, "p", cells[c], 4, &p), DTB_OK);
            assert_non_null(net->pops[p].lems);   /* a descriptor only: the generic path */
            assert_int_equal(dtb_spiking_set_param_values(net, p, "I_e", i_e, 4), DTB_OK);
            assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
            assert_int_equal(dtb_spiking_run(net, c == 0 ? 1.0 : 0.4), DTB_OK);
            trace t = {0};
            assert_int_equal(dtb_spiking_get_spikes(net, p, NULL, NULL, 0, &t.n_spikes), DTB_OK);
            t.cells = malloc((t.n_spikes + 1) * sizeof *t.cells);
            t.times = malloc((t.n_spikes + 1) * sizeof *t.times);
            size_t need;
            assert_int_equal(dtb_spiking_get_spikes(net, p, t.cells, t.times, t.n_spikes, &need),
                             DTB_OK);
            double isi[4];
            mean_isi(&t, 4, isi);
            worst[r] = 0;
            for (int k = 0; k < 4; k++)
                worst[r] = nan_max(worst[r], fabs(isi[k] * 1e3 - period[k]));
            print_message("  %s dt %.4g ms: periods %.4f %.4f %.4f %.4f ms (reference %.4f %.4f %.4f "
                          "%.4f), largest error %.4f ms = %.2f steps\n", cells[c], hs[r] * 1e3,
                          isi[0] * 1e3, isi[1] * 1e3, isi[2] * 1e3, isi[3] * 1e3, period[0], period[1],
                          period[2], period[3], worst[r], worst[r] / (hs[r] * 1e3));
            /* within a few steps */
            assert_true(worst[r] <= 3.0 * hs[r] * 1e3);
            trace_free(&t);
            dtb_spiking_free(net);
        }
        /* first order: 8 times smaller steps, an error at least 4 times smaller */
        assert_true(worst[3] <= worst[0] / 4.0);
    }
}

/* A descriptor is a LEMS file: dtb_spiking_add_lems_population runs it in
 * SI from its defaults component, and gives the built-in cell's spikes. */
static void test_descriptor_is_lems(void **state)
{
    (void)state;
    const dtb__builtin_cell *b = NULL;
    for (size_t i = 0; i < dtb__n_builtin_cells; i++)
        if (strcmp(dtb__builtin_cells[i].name, "qif") == 0)
            b = &dtb__builtin_cells[i];
    assert_non_null(b);
    char path[1024];
    snprintf(path, sizeof path, "%s/qif.xml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(b->xml, 1, b->len, f);
    fclose(f);
    double t[2][64];
    size_t n[2];
    for (int k = 0; k < 2; k++) {
        dtb_spiking_net *net;
        int64_t p, r;
        assert_int_equal(dtb_spiking_create(&net, 2e-5, 1), DTB_OK);
        if (k == 0)
            assert_int_equal(dtb_spiking_add_population(net, "p", "qif", 1, &p), DTB_OK);
        else
            assert_int_equal(dtb_spiking_add_lems_population(net, "p", path, "qif_defaults", 1, NULL,
                                                             0, &p), DTB_OK);
        /* I_e in the cell's units (nA) or in SI (A) */
        assert_int_equal(dtb_spiking_set_param(net, p, "I_e", DTB_DIST_CONSTANT, k ? 0.1e-9 : 0.1, 0),
                         DTB_OK);
        assert_int_equal(dtb_spiking_add_receptor(net, p, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT, 0,
                                                  3e-3, 0, &r), DTB_OK);
        const double times[] = {0.01, 0.012, 0.05, 0.051, 0.052};
        assert_int_equal(dtb_spiking_add_spike_train(net, p, 0, r, times, 5, 0.2), DTB_OK);
        assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
        assert_int_equal(dtb_spiking_run(net, 0.5), DTB_OK);
        n[k] = spikes_of_cell(net, p, t[k], 64);
        dtb_spiking_free(net);
    }
    print_message("  qif built in: %zu spikes; its file through dtb_spiking_add_lems_population (SI): "
                  "%zu\n", n[0], n[1]);
    assert_true(n[0] >= 5);
    assert_int_equal(n[0], n[1]);
    for (size_t k = 0; k < n[0]; k++)
        assert_true(fabs(t[0][k] - t[1][k]) < 1e-9);
}

/* DTB_SPIKING_GENERIC=1 makes every built-in cell take the generic path. */
static void test_generic_switch(void **state)
{
    (void)state;
    dtb_spiking_net *net;
    int64_t a, b;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "a", "lif", 2, &a), DTB_OK);
    setenv("DTB_SPIKING_GENERIC", "1", 1);
    assert_int_equal(dtb_spiking_add_population(net, "b", "lif", 2, &b), DTB_OK);
    unsetenv("DTB_SPIKING_GENERIC");
    assert_null(net->pops[a].lems);
    assert_non_null(net->pops[b].lems);
    /* the generic path's bookkeeping is a state of its own; the table's are the same */
    size_t need;
    double v[2];
    assert_int_equal(dtb_spiking_get_state_values(net, b, "V", v, 2, &need), DTB_OK);
    assert_true(v[0] == -70.0);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "tLastSpike", v, 2, &need), DTB_OK);
    assert_int_equal(dtb_spiking_get_state_values(net, a, "tLastSpike", v, 2, &need), DTB_ENOTFOUND);
    /* a cell without a fast path refuses it by name */
    assert_int_equal(dtb__spk_add_population_path(net, "c", "qif", 2, DTB__CELL_PATH_FAST, NULL),
                     DTB_EUNSUPPORTED);
    assert_error_contains("qif");
    assert_int_equal(dtb_spiking_add_population(net, "d", "nosuch", 2, NULL), DTB_ENOTFOUND);
    assert_error_contains("lif, izhikevich, izhikevich2007, adex, hh, traub_miles, qif, eif");
    dtb_spiking_free(net);
}

/* The mean smoothed rate of a 400-cell region of a cell (A8m_L of the
 * bn246 twin) after a 100 ms settling time, as tests/spiking/test_spiking.c
 * measures the others. */
static double region_rate(const char *cell, double a)
{
    return twin_region_rate(a, twin_region_add_builtin, cell, 5000, 1000);
}

/* qif and eif as spiking regions: their <RegionDefaults> make a region
 * that fires and follows its input; a cell without region defaults is
 * refused, naming the cells that have them. */
static void test_regions(void **state)
{
    (void)state;
    static const char *const cells[] = {"qif", "eif"};
    for (int c = 0; c < 2; c++) {
        double quiet = region_rate(cells[c], 0.0), driven = region_rate(cells[c], 1.0);
        print_message("  %s region: %.2f Hz without input, %.2f Hz with it\n", cells[c], quiet, driven);
        assert_true(quiet > 0.5);
        assert_true(driven > quiet * 1.15);
    }
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_model *model;
    dtb_sim *sim;
    assert_int_equal(dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh"), DTB_OK);
    assert_int_equal(dtb_sim_create(&sim, atlas, model, NULL), DTB_OK);
    assert_int_equal(dtb_sim_add_spiking_region(sim, 0, "traub_miles", NULL), DTB_ENOTFOUND);
    assert_error_contains("region cells: lif, izhikevich, izhikevich2007, adex, hh, qif, eif");
    assert_int_equal(dtb_sim_add_spiking_region(sim, 0, "nosuch", NULL), DTB_ENOTFOUND);
    assert_error_contains("unknown cell model 'nosuch'");
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    /* the experiment setting names the cells of the registry */
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "spiking", "1:model=qif,n=100"), DTB_OK);
    assert_int_not_equal(dtb_experiment_add(e, "spiking", "2:model=nosuch"), DTB_OK);
    assert_error_contains("built in: lif, izhikevich, izhikevich2007, adex, hh, traub_miles, qif, eif");
    dtb_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_fast_path_match),
        cmocka_unit_test(test_same_bits),
        cmocka_unit_test(test_same_to_rounding),
        cmocka_unit_test(test_first_order),
        cmocka_unit_test(test_qif_eif_periods),
        cmocka_unit_test(test_descriptor_is_lems),
        cmocka_unit_test(test_generic_switch),
        cmocka_unit_test(test_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
