/* libdtb — the benchmark networks of Brette et al. (2007): Vogels-Abbott
 * CUBA and COBA (benchmarks 1 and 2) and COBAHH (benchmark 3).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parameters are those of the benchmarks as Brian2 runs them (its
 * CUBA example and the COBA and COBAHH benchmark scripts): the same
 * equations, so that rates, irregularity and speed can be compared with
 * Brian2's figures. */
#include <math.h>
#include <string.h>

#include "spiking.h"

typedef struct bench_spec {
    const char *name;
    int conductance;
    double E_L, I_e;           /* mV, nA (with R_m 100 MOhm: 0.2 nA = 20 mV) */
    double w_e, w_i;           /* nA (current) or nS (conductance), for 4000 cells */
    double v_a, v_b;           /* initial V */
    dtb_distribution v_dist;
} bench_spec;

static const bench_spec specs[] = {
    /* CUBA: dv/dt = (ge + gi - (v - E_L)) / tau_m with ge += 1.62 mV, gi -= 9 mV:
     * current synapses of 0.0162 nA and -0.09 nA on R_m = 100 MOhm */
    {"cuba", 0, -49.0, 0.0, 0.0162, -0.09, -60.0, -50.0, DTB_DIST_UNIFORM},
    /* COBA: ge += 0.6, gi += 6.7 in units of g_L = 10 nS: 6 nS and 67 nS */
    {"coba", 1, -60.0, 0.2, 6.0, 67.0, -55.0, 5.0, DTB_DIST_NORMAL},
};

/* The benchmarks' wiring: every pair of the E (0) and I (1) populations at
 * 2 % probability, autapses allowed as Brian2's connect(p=...) allows
 * them, weight w_e from E and w_i from I into the receptor of the same
 * name. */
static dtb_status connect_ei(dtb_spiking_net *net, double w_e, double w_i)
{
    dtb_status st = DTB_OK;
    for (int pre = 0; !st && pre < 2; pre++) {
        for (int post = 0; !st && post < 2; post++) {
            dtb_spiking_connect_options o;
            dtb_spiking_connect_options_init(&o, DTB_SPIKING_CONNECT_OPTIONS_VERSION);
            o.rule = DTB_CONNECT_FIXED_PROBABILITY;
            o.p = 0.02;
            o.flags = DTB_CONNECT_FLAG_AUTAPSES;
            o.weight_a = pre == 0 ? w_e : w_i;
            st = dtb_spiking_connect(net, pre, post, pre, &o, NULL);
        }
    }
    return st;
}

static dtb_status build(dtb_spiking_net *net, const bench_spec *b, int64_t n)
{
    const int64_t ne = (int64_t)llround(0.8 * (double)n), ni = n - ne;
    const char *names[2] = {"E", "I"};
    const int64_t sizes[2] = {ne, ni};
    const double scale = 4000.0 / (double)n;
    dtb_status st = DTB_OK;
    for (int k = 0; !st && k < 2; k++) {
        int64_t pop;
        st = dtb_spiking_add_population(net, names[k], "lif", sizes[k], &pop);
        const char *pn[] = {"tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref", "I_e"};
        const double pv[] = {20.0, 100.0, b->E_L, -50.0, -60.0, 5.0, b->I_e};
        for (size_t q = 0; !st && q < 7; q++)
            st = dtb_spiking_set_param(net, pop, pn[q], DTB_DIST_CONSTANT, pv[q], 0.0);
        dtb_synapse_mode mode = b->conductance ? DTB_SYNAPSE_CONDUCTANCE : DTB_SYNAPSE_CURRENT;
        if (!st)
            st = dtb_spiking_add_receptor(net, pop, "e", DTB_SYNAPSE_EXP, mode, 0.0, 5e-3, 0.0, NULL);
        if (!st)
            st = dtb_spiking_add_receptor(net, pop, "i", DTB_SYNAPSE_EXP, mode, 0.0, 10e-3, -80.0, NULL);
        if (!st)
            st = dtb_spiking_set_state(net, pop, "V", b->v_dist, b->v_a, b->v_b);
        if (!st)
            st = dtb_spiking_record(net, pop, 1);
        /* Brian2's scripts: exact integration for CUBA (ours: the LIF default),
         * forward Euler for COBA */
        if (!st && b->conductance)
            st = dtb_spiking_set_method(net, pop, DTB_SPIKING_METHOD_EULER);
    }
    return st ? st : connect_ei(net, b->w_e * scale, b->w_i * scale);
}

/* COBAHH, as Brian2's COBAHH example: traub_miles cells (exponential
 * Euler), conductance synapses 6 nS (tau 5 ms, E 0 mV) and 67 nS (tau 10 ms,
 * E -80 mV), 2 % random connectivity, no external input; V from
 * N(E_L - 5 mV, 5 mV), the excitatory conductance from N(40, 15) nS, the
 * inhibitory one from N(200, 120) nS, the gates m, h, n at 0 (Brian2's
 * default: the script does not set them). */
static dtb_status build_cobahh(dtb_spiking_net *net, int64_t n)
{
    const int64_t ne = (int64_t)llround(0.8 * (double)n), ni = n - ne;
    const char *names[2] = {"E", "I"};
    const int64_t sizes[2] = {ne, ni};
    const double scale = 4000.0 / (double)n;
    dtb_status st = DTB_OK;
    for (int k = 0; !st && k < 2; k++) {
        int64_t pop;
        st = dtb_spiking_add_population(net, names[k], "traub_miles", sizes[k], &pop);
        if (!st)
            st = dtb_spiking_add_receptor(net, pop, "e", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE,
                                          0.0, 5e-3, 0.0, NULL);
        if (!st)
            st = dtb_spiking_add_receptor(net, pop, "i", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE,
                                          0.0, 10e-3, -80.0, NULL);
        if (!st)
            st = dtb_spiking_set_state(net, pop, "V", DTB_DIST_NORMAL, -65.0, 5.0);
        if (!st)
            st = dtb_spiking_set_state(net, pop, "e", DTB_DIST_NORMAL, 40.0, 15.0);
        if (!st)
            st = dtb_spiking_set_state(net, pop, "i", DTB_DIST_NORMAL, 200.0, 120.0);
        const char *gates[3] = {"m", "h", "n"};
        for (int g = 0; !st && g < 3; g++)
            st = dtb_spiking_set_state(net, pop, gates[g], DTB_DIST_CONSTANT, 0.0, 0.0);
        if (!st)
            st = dtb_spiking_record(net, pop, 1);
    }
    return st ? st : connect_ei(net, 6.0 * scale, 67.0 * scale);
}

dtb_status dtb_spiking_create_benchmark(dtb_spiking_net **out, const char *name, int64_t n,
                                        uint64_t seed)
{
    const char *fn = "dtb_spiking_create_benchmark";
    if (!out || !name)
        return dtb__error(DTB_EINVAL, "%s: out and name must not be NULL", fn);
    *out = NULL;
    const bench_spec *b = NULL;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].name, name) == 0)
            b = &specs[i];
    const int cobahh = strcmp(name, "cobahh") == 0;
    if (!b && !cobahh)
        return dtb__error(DTB_ENOTFOUND, "%s: unknown benchmark '%s' (known: cuba, coba, cobahh)",
                          fn, name);
    if (n < 10 || n > 10000000)
        return dtb__error(DTB_EINVAL, "%s: %lld cells; the benchmark needs 10 to 10^7", fn,
                          (long long)n);
    dtb_spiking_net *net;
    dtb_status st = dtb_spiking_create(&net, 1e-4, seed);
    if (st)
        return st;
    if ((st = cobahh ? build_cobahh(net, n) : build(net, b, n))) {
        dtb_spiking_free(net);
        return dtb__error_context(st, "%s: building '%s'", fn, name);
    }
    *out = net;
    return DTB_OK;
}
