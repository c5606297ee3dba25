/* Spiking networks through the public API: single cells against the
 * high-accuracy references in ../shared/data/reference/spiking, synapses
 * and delays against their closed forms, the Vogels-Abbott networks'
 * statistics, reproducibility, bad input, and the bridge into a
 * whole-brain simulation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"
#include "twin_region.h"

/* The seeded benchmark runs of today (seed 12345, 4000 cells, 1 s): spike
 * counts of E and I, synapses. Regression pins, not references: a commit
 * that changes them on purpose updates them and says why. */
#define PIN_CUBA_SYNAPSES 320442
#define PIN_CUBA_E 17848
#define PIN_CUBA_I 4483
#define PIN_COBA_SYNAPSES 320434
#define PIN_COBA_E 71576
#define PIN_COBA_I 16958
#define PIN_COBAHH_SYNAPSES 320714
#define PIN_COBAHH_E 128831
#define PIN_COBAHH_I 30597

/* Reference spike times (one column after a header). */
static size_t read_spikes(const char *name, double *t, size_t cap)
{
    char rel[128];
    snprintf(rel, sizeof rel, "reference/spiking/%s_spikes.csv", name);
    FILE *f = fopen(shared_path(rel), "r");
    assert_non_null(f);
    char line[128];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f));   /* header */
    while (n < cap && fgets(line, sizeof line, f))
        t[n++] = strtod(line, NULL) * 1e-3;
    fclose(f);
    return n;
}

/* Spike times of one recorded cell. */
static size_t spikes_of(dtb_spiking_net *net, int64_t pop, double *t, size_t cap)
{
    size_t n = 0;
    assert_int_equal(dtb_spiking_get_spikes(net, pop, NULL, NULL, 0, &n), DTB_OK);
    assert_true(n <= cap);
    int64_t *cells = calloc(n + 1, sizeof *cells);
    assert_int_equal(dtb_spiking_get_spikes(net, pop, cells, t, cap, &n), DTB_OK);
    free(cells);
    return n;
}

/* A fixed-step simulator that detects the threshold at the end of a step
 * is late by less than one step per spike, and the lags add up (the next
 * interval starts from the late reset): spike k may be up to (k + 1) dt
 * late, never early by more than the integration error. */
static void check_spike_times(const double *got, size_t n_got, const double *ref, size_t n_ref,
                              double dt, double early_tol, double bound)
{
    assert_int_equal(n_got, n_ref);
    double worst = 0;
    for (size_t k = 0; k < n_ref; k++) {
        double lag = got[k] - ref[k];
        if (lag < -early_tol || lag > (double)(k + 1) * dt + 1e-12)
            print_message("  spike %zu: %.9f s, reference %.9f s\n", k, got[k], ref[k]);
        worst = nan_max(worst, fabs(lag));
        assert_true(lag >= -early_tol);
        assert_true(lag <= (double)(k + 1) * dt + 1e-12);
    }
    print_message("  %zu spikes, largest difference %.3g ms (dt %.3g ms)\n", n_ref, worst * 1e3,
                  dt * 1e3);
    /* and the README's figure */
    assert_true(worst <= bound);
}

/* dtb_spiking_connect_options and its name before 0.2: one type, the same
 * defaults from both inits and the initializer, each init's messages
 * naming the struct as its caller wrote it. */
static void test_connect_options_names(void **state)
{
    (void)state;
    dtb_spiking_connect_options a, c = DTB_SPIKING_CONNECT_OPTIONS_INIT;
    dtb_connect_options b = DTB_CONNECT_OPTIONS_INIT;
    memset(&a, 0x5A, sizeof a);
    assert_int_equal(dtb_spiking_connect_options_init(&a, DTB_SPIKING_CONNECT_OPTIONS_VERSION),
                     DTB_OK);
    assert_int_equal(a.rule, DTB_CONNECT_ALL_TO_ALL);
    assert_true(a.weight_a == 1.0 && a.weight_b == 0.0 && a.delay_a == 0.0);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    assert_int_equal(dtb_connect_options_init(&b, DTB_CONNECT_OPTIONS_VERSION), DTB_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(dtb_spiking_connect_options_init(NULL, 1), DTB_EINVAL);
    assert_error_contains("dtb_spiking_connect_options_init: opts is NULL");
    assert_int_equal(dtb_spiking_connect_options_init(&a, 2), DTB_EINVAL);
    assert_error_contains("dtb_spiking_connect_options: version 2");
    assert_int_equal(dtb_connect_options_init(NULL, 1), DTB_EINVAL);
    assert_error_contains("dtb_connect_options_init: opts is NULL");
}

static void test_lif_reference(void **state)
{
    (void)state;
    const double dt = 1e-5;
    dtb_spiking_net *net;
    int64_t pop;
    assert_int_equal(dtb_spiking_create(&net, dt, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "cell", "lif", 1, &pop), DTB_OK);
    const char *names[] = {"tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref"};
    const double values[] = {20, 100, -70, -50, -65, 2};
    for (int i = 0; i < 6; i++)
        assert_int_equal(dtb_spiking_set_param(net, pop, names[i], DTB_DIST_CONSTANT, values[i], 0), DTB_OK);
    assert_int_equal(dtb_spiking_set_state(net, pop, "V", DTB_DIST_CONSTANT, -70, 0), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, pop, 1), DTB_OK);
    /* 0.25 nA on [10, 410) ms, set between steps */
    assert_int_equal(dtb_spiking_run(net, 0.010), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, 0.25, 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.400), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, 0.0, 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.090), DTB_OK);
    double ref[64], got[64];
    size_t nr = read_spikes("lif_refractory", ref, 64), ng = spikes_of(net, pop, got, 64);
    /* exact integration: never early; and within the README's 0.051 ms
     * (measured 0.0506 ms; the README said 0.05). Checked: V_reset lower
     * by 0.005 mV fails at spike 3, a refractory period one step longer at
     * spike 3. */
    check_spike_times(got, ng, ref, nr, dt, 1e-12, 0.051e-3);
    dtb_spiking_free(net);
}

/* The 2003 Izhikevich cell is sensitive: a reset one step late also
 * leaves u a step further on, so the lags grow faster than one step per
 * spike (Brian2 at dt = 1 us: 0.015 ms over the 22 resets). At 1 us the
 * total lag stays within the README's 0.016 ms (measured 0.0159 ms; the
 * bound was 0.03 ms). Checked: d (the reset of u) 8 -> 8.0005 fails it,
 * and so does v_peak 30 -> 30.5. */
static void test_izhikevich_reference(void **state)
{
    (void)state;
    const double dt = 1e-6;
    dtb_spiking_net *net;
    int64_t pop;
    assert_int_equal(dtb_spiking_create(&net, dt, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "rs", "izhikevich", 1, &pop), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, pop, 1), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.050), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, 10.0, 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.950), DTB_OK);
    double ref[64], got[64];
    size_t nr = read_spikes("izhikevich_rs", ref, 64), ng = spikes_of(net, pop, got, 64);
    assert_int_equal(ng, nr);
    double worst = 0;
    for (size_t k = 0; k < nr; k++) {
        double lag = got[k] - ref[k];
        worst = nan_max(worst, fabs(lag));
        assert_true(lag > -1e-6 && lag <= 0.016e-3);
    }
    print_message("  %zu spikes, largest difference %.4f ms (dt 0.001 ms)\n", nr, worst * 1e3);
    dtb_spiking_free(net);
}

/* The Traub-Miles cell of COBAHH against SciPy's integration of the
 * equations of Brette et al. (2007) (tests/data/reference/spiking/
 * gen_traub_miles.py: DOP853 at rtol 1e-11, crossings of -20 mV located by
 * root finding): 11 spikes in 300 ms, one before, nine during and one after
 * a 0.2 nA step. Exponential Euler is first order and the spike times
 * converge to the reference as dt -> 0: the last spike is 0.51 ms late at
 * dt = 1 us and 0.26 ms at 0.5 us, halving with dt. So the oracle is the
 * Richardson extrapolation 2 t(dt/2) - t(dt), which removes the first-order
 * term: within TM_BOUND of every reference spike (measured 0.0027 ms; the
 * bound is about 4 times that, not 10: the spike times are quantised to
 * the step, so the extrapolation carries up to 2 us of rounding). And each
 * run is checked to be late, by less at 0.5 us than at 1 us (convergence
 * from one side). Checked, each fails: alpha_h's 0.128 -> 0.13 (spike 10
 * off by 0.015 ms), g_K 6 -> 6.01 uS (spike 4), E_Na 50 -> 50.1 mV and
 * V_T -63 -> -63.05 mV (spike 0 early), the squid hh kernel's order (gates
 * advanced before V, which then sees the new gates: 13 spikes). */
#define TM_BOUND 0.01e-3
static size_t traub_miles_spikes(double dt, double *got, size_t cap)
{
    dtb_spiking_net *net;
    int64_t pop;
    assert_int_equal(dtb_spiking_create(&net, dt, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "tm", "traub_miles", 1, &pop), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, pop, 1), DTB_OK);
    /* the defaults are the reference's parameters; its start is the gates'
     * steady state at E_L (rounded to 5 digits in the defaults; exact here) */
    const double u = -60.0 + 63.0;
    const double am = 0.32 * (13.0 - u) / expm1((13.0 - u) / 4.0);
    const double bm = 0.28 * (u - 40.0) / expm1((u - 40.0) / 5.0);
    const double ah = 0.128 * exp((17.0 - u) / 18.0), bh = 4.0 / (1.0 + exp((40.0 - u) / 5.0));
    const double an = 0.032 * (15.0 - u) / expm1((15.0 - u) / 5.0);
    const double bn = 0.5 * exp((10.0 - u) / 40.0);
    assert_int_equal(dtb_spiking_set_state(net, pop, "V", DTB_DIST_CONSTANT, -60.0, 0), DTB_OK);
    assert_int_equal(dtb_spiking_set_state(net, pop, "m", DTB_DIST_CONSTANT, am / (am + bm), 0), DTB_OK);
    assert_int_equal(dtb_spiking_set_state(net, pop, "h", DTB_DIST_CONSTANT, ah / (ah + bh), 0), DTB_OK);
    assert_int_equal(dtb_spiking_set_state(net, pop, "n", DTB_DIST_CONSTANT, an / (an + bn), 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.020), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, 0.2, 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.200), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, 0.0, 0), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.080), DTB_OK);
    size_t n = spikes_of(net, pop, got, cap);
    dtb_spiking_free(net);
    return n;
}

static void test_traub_miles_reference(void **state)
{
    (void)state;
    double ref[64], t1[64], t2[64];
    size_t nr = 0;
    FILE *f = fopen(DTB_TEST_DATA "/reference/spiking/traub_miles_spikes.csv", "r");
    assert_non_null(f);
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));   /* header */
    while (nr < 64 && fgets(line, sizeof line, f))
        ref[nr++] = strtod(line, NULL) * 1e-3;
    fclose(f);
    assert_int_equal(nr, 11);
    size_t n1 = traub_miles_spikes(1e-6, t1, 64), n2 = traub_miles_spikes(0.5e-6, t2, 64);
    assert_int_equal(n1, nr);
    assert_int_equal(n2, nr);
    double worst = 0, late1 = 0;
    for (size_t k = 0; k < nr; k++) {
        const double x = 2.0 * t2[k] - t1[k], diff = fabs(x - ref[k]);
        if (!(diff <= TM_BOUND) || !(t2[k] - ref[k] < t1[k] - ref[k]) || !(t2[k] > ref[k]))
            print_message("  spike %zu: %.6f ms (dt 1 us), %.6f ms (0.5 us), extrapolated %.6f ms, "
                          "reference %.6f ms\n", k, t1[k] * 1e3, t2[k] * 1e3, x * 1e3, ref[k] * 1e3);
        worst = nan_max(worst, diff);
        late1 = nan_max(late1, t1[k] - ref[k]);
        assert_true(t2[k] > ref[k]);
        assert_true(t2[k] - ref[k] < t1[k] - ref[k]);
    }
    print_message("  %zu spikes; at dt 1 us up to %.4f ms late; extrapolated to dt -> 0: within "
                  "%.4f ms (bound %.3f ms)\n", nr, late1 * 1e3, worst * 1e3, TM_BOUND * 1e3);
    assert_true(worst <= TM_BOUND);
}

/* A spike train through a delta synapse with a delay: the jump lands on
 * the step the delay says; through an exponential current synapse the LIF
 * follows its closed form; a bi-exponential synapse peaks at its weight. */
static void test_synapses_and_delays(void **state)
{
    (void)state;
    const double dt = 1e-4;
    dtb_spiking_net *net;
    int64_t src, dst;
    assert_int_equal(dtb_spiking_create(&net, dt, 3), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "src", "lif", 1, &src), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "dst", "lif", 3, &dst), DTB_OK);
    /* dst never fires: threshold far away, no leak reversal offset */
    assert_int_equal(dtb_spiking_set_param(net, dst, "V_th", DTB_DIST_CONSTANT, 1e3, 0), DTB_OK);
    assert_int_equal(dtb_spiking_set_state(net, dst, "V", DTB_DIST_CONSTANT, -70, 0), DTB_OK);
    int64_t rd, re, rb;
    assert_int_equal(dtb_spiking_add_receptor(net, dst, "d", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT,
                                              0, 0, 0, &rd), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, dst, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT,
                                              0, 5e-3, 0, &re), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, dst, "b", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CURRENT,
                                              1e-3, 5e-3, 0, &rb), DTB_OK);
    /* the source fires once: a spike train of one event into a delta
     * synapse of 100 mV at 1 ms */
    int64_t rs;
    assert_int_equal(dtb_spiking_add_receptor(net, src, "kick", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT,
                                              0, 0, 0, &rs), DTB_OK);
    double t_kick = 1e-3;
    assert_int_equal(dtb_spiking_add_spike_train(net, src, 0, rs, &t_kick, 1, 100.0), DTB_OK);
    int64_t pre[] = {0}, post0[] = {0};
    double w[] = {2.0}, delay[] = {2e-3};
    assert_int_equal(dtb_spiking_connect_list(net, src, dst, rd, pre, post0, w, delay, 1), DTB_OK);
    int64_t post1[] = {1}, post2[] = {2};
    double w1[] = {0.1}, w2[] = {0.1};
    assert_int_equal(dtb_spiking_connect_list(net, src, dst, re, pre, post1, w1, NULL, 1), DTB_OK);
    assert_int_equal(dtb_spiking_connect_list(net, src, dst, rb, pre, post2, w2, NULL, 1), DTB_OK);
    assert_int_equal(dtb_spiking_synapse_count(net), 3);
    /* the kick is delivered before the step starting at 1 ms (step 10);
     * the source fires at the end of that step, t_s = 1.1 ms */
    double V[3];
    size_t need;
    int64_t fired_at = -1, jump_at = -1;
    double bi_peak = -70, exp_v = 0, bi_at_3ms = 0;
    for (int64_t k = 0; k < 400; k++) {
        assert_int_equal(dtb_spiking_step(net, 1), DTB_OK);
        if (fired_at < 0 && dtb_spiking_last_step_spikes(net, src) == 1)
            fired_at = k + 1;   /* end of step k */
        assert_int_equal(dtb_spiking_get_state_values(net, dst, "V", V, 3, &need), DTB_OK);
        if (jump_at < 0 && V[0] > -69.0)
            jump_at = k + 1;
        if (k + 1 == fired_at + 30) {
            /* closed form of the exp synapse on the LIF 3 ms after the spike:
             * R w tau_s/(tau_s - tau_m) (e^-t/tau_s - e^-t/tau_m) + E_L */
            double t = 3e-3, ts = 5e-3, tm = 20e-3;
            exp_v = -70 + 100 * 0.1 * ts / (ts - tm) * (exp(-t / ts) - exp(-t / tm));
            assert_true(fabs(V[1] - exp_v) < 1e-9);
            bi_at_3ms = V[2];
        }
        if (V[2] > bi_peak)
            bi_peak = V[2];
    }
    assert_int_equal(fired_at, 11);
    /* delay 2 ms = 20 steps: the jump is applied before step 11 + 20 and
     * shows at its end */
    assert_int_equal(jump_at, fired_at + 20 + 1);
    assert_true(exp_v != 0);
    /* the bi-exponential synapse (peak current 0.1 nA): its closed form on
     * the LIF, R w N (c_d(t) - c_r(t)), c_x(t) = tau_x / (tau_x - tau_m)
     * (e^-t/tau_x - e^-t/tau_m), N = 1 / (e^-tp/tau_d - e^-tp/tau_r) */
    const double td = 5e-3, tr = 1e-3, tm = 20e-3, t = 3e-3;
    const double tp = log(td / tr) * td * tr / (td - tr);
    const double N = 1.0 / (exp(-tp / td) - exp(-tp / tr));
    const double cd = td / (td - tm) * (exp(-t / td) - exp(-t / tm));
    const double cr = tr / (tr - tm) * (exp(-t / tr) - exp(-t / tm));
    print_message("  bi-exponential at 3 ms %.9f mV, closed form %.9f mV\n", bi_at_3ms,
                  -70 + 100 * 0.1 * N * (cd - cr));
    assert_true(fabs(bi_at_3ms - (-70 + 100 * 0.1 * N * (cd - cr))) < 1e-9);
    assert_true(bi_peak > bi_at_3ms - 1e-12);
    dtb_spiking_free(net);
}

/* ------------------------------------------ the Vogels-Abbott networks */

typedef struct bench_stats {
    int64_t spikes[2];     /* E, I */
    double rate, cv;       /* Hz over the 4000 cells; mean CV of the ISIs */
    int64_t synapses;
} bench_stats;

static bench_stats run_benchmark(const char *name, uint64_t seed)
{
    dtb_spiking_net *net;
    assert_int_equal(dtb_spiking_create_benchmark(&net, name, 4000, seed), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 1.0), DTB_OK);
    bench_stats b = {{0, 0}, 0, 0, dtb_spiking_synapse_count(net)};
    int64_t cells = 0;
    double cv_sum = 0;
    for (int64_t p = 0; p < 2; p++) {
        double c;
        int64_t n;
        b.spikes[p] = dtb_spiking_spike_count(net, p);
        assert_int_equal(dtb_spiking_cv_isi(net, p, 3, &c, &n), DTB_OK);
        cv_sum += c * (double)n;
        cells += n;
    }
    b.rate = (double)(b.spikes[0] + b.spikes[1]) / 4000.0;
    b.cv = cv_sum / (double)cells;
    /* about 2% of 4000 x 4000 */
    assert_true(fabs((double)b.synapses - 320000.0) < 3000.0);
    dtb_spiking_free(net);
    return b;
}

typedef struct sample {
    double mean, sd;       /* sd: of one seed (n - 1 in the denominator) */
    size_t n;
} sample;

static sample sample_of(const double *x, size_t n)
{
    sample s = {0, 0, n};
    for (size_t i = 0; i < n; i++)
        s.mean += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        s.sd += (x[i] - s.mean) * (x[i] - s.mean) / (double)(n - 1);
    s.sd = sqrt(s.sd);
    return s;
}

/* The NumPy runs of tests/data/reference/spiking/<name>.csv (one row per
 * seed): columns rate_hz (3) and mean_cv (6). */
static void read_numpy_runs(const char *name, sample *rate, sample *cv)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/spiking/%s.csv", DTB_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    double r[256], c[256];
    size_t n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strncmp(line, "seed,", 5) == 0)
            continue;
        double v[8];
        char *p = line;
        for (int k = 0; k < 8; k++) {
            v[k] = strtod(p, &p);
            p += *p == ',';
        }
        assert_true(n < 256);
        r[n] = v[2];
        c[n] = v[5];
        n++;
    }
    fclose(f);
    assert_true(n >= 16);
    *rate = sample_of(r, n);
    *cv = sample_of(c, n);
}

/* Brian2 2.5.1's run of CUBA (seed 12345, 4000 cells, 1 s): one field of
 * ../shared/data/reference/spiking/network_stats.json. */
static double brian2_cuba(const char *field)
{
    char *json = read_text_file(shared_path("reference/spiking/network_stats.json"), NULL);
    assert_non_null(json);
    const char *run = strstr(json, "\"cuba4000_seed12345\"");
    assert_non_null(run);
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", field);
    const char *at = strstr(run, key);
    assert_non_null(at);
    char *end;
    double v = strtod(at + strlen(key), &end);
    assert_true(end != at + strlen(key));
    free(json);
    return v;
}

/* Means over 16 seeds (1..16) of libdtb's network against (a) the
 * independent NumPy runs of the same network over their own 32 seeds: the
 * difference of two means, tolerance 3 sqrt(sd^2 / 16 + sd_np^2 / 32);
 * (b) for CUBA, Brian2's single run: one draw, tolerance 3 sd sqrt(1 + 1 / 16).
 * The spreads (sd) are those between seeds. Deterministic: the seeds are
 * fixed, so a pass or a failure repeats. */
static void compare_seeds(const char *name, int with_brian2)
{
    enum { SEEDS = 16 };
    double rate[SEEDS], cv[SEEDS];
    for (int k = 0; k < SEEDS; k++) {
        bench_stats b = run_benchmark(name, (uint64_t)(k + 1));
        rate[k] = b.rate;
        cv[k] = b.cv;
    }
    sample r = sample_of(rate, SEEDS), c = sample_of(cv, SEEDS), nr, nc;
    read_numpy_runs(name, &nr, &nc);
    double tol_r = 3 * sqrt(r.sd * r.sd / SEEDS + nr.sd * nr.sd / (double)nr.n);
    double tol_c = 3 * sqrt(c.sd * c.sd / SEEDS + nc.sd * nc.sd / (double)nc.n);
    print_message("  %s over %d seeds: %.3f +- %.3f Hz, CV %.4f +- %.4f; NumPy over %zu seeds: "
                  "%.3f +- %.3f Hz, CV %.4f +- %.4f; differences %.3f Hz (tolerance %.3f), "
                  "CV %.4f (%.4f)\n", name, SEEDS, r.mean, r.sd, c.mean, c.sd, nr.n, nr.mean,
                  nr.sd, nc.mean, nc.sd, r.mean - nr.mean, tol_r, c.mean - nc.mean, tol_c);
    int ok = fabs(r.mean - nr.mean) <= tol_r && fabs(c.mean - nc.mean) <= tol_c;
    if (with_brian2) {
        double b2_rate = brian2_cuba("rate_all_hz"), b2_cv = brian2_cuba("mean_cv_isi");
        double tb_r = 3 * r.sd * sqrt(1 + 1.0 / SEEDS), tb_c = 3 * c.sd * sqrt(1 + 1.0 / SEEDS);
        print_message("  %s against Brian2's run (%.4f Hz, CV %.4f): %.3f Hz (tolerance %.3f), "
                      "CV %.4f (%.4f)\n", name, b2_rate, b2_cv, r.mean - b2_rate, tb_r,
                      c.mean - b2_cv, tb_c);
        ok = ok && fabs(r.mean - b2_rate) <= tb_r && fabs(c.mean - b2_cv) <= tb_c;
    }
    assert_true(ok);
}

/* The seeded run pinned exactly: any change to the network, its
 * parameters, its random numbers or its integration changes a count. */
static void check_pins(const char *name, int64_t synapses, int64_t spikes_e, int64_t spikes_i)
{
    bench_stats b = run_benchmark(name, 12345);
    print_message("  %s, seed 12345: %lld synapses, %lld + %lld spikes, %.3f Hz, CV %.6f\n", name,
                  (long long)b.synapses, (long long)b.spikes[0], (long long)b.spikes[1], b.rate, b.cv);
    assert_int_equal(b.synapses, synapses);
    assert_int_equal(b.spikes[0], spikes_e);
    assert_int_equal(b.spikes[1], spikes_i);
}

/* CUBA (exact integration, as Brian2's example). The former ranges (4.5-7 Hz,
 * CV 0.42-0.65) passed each mutation below of libdtb/spiking/spiking_bench.c;
 * each now fails the pin, and the comparison over seeds with the NumPy runs
 * fails on its own (measured: difference of the 16-seed means, tolerance):
 *   w_e x 1.1        rate +0.296 Hz (0.214)
 *   w_i x 0.9        rate +0.364 Hz (0.200), CV -0.0189 (0.0083)
 *   w_i x 1.1        rate -0.402 Hz (0.197), CV +0.0168 (0.0095)
 *   t_ref 2 ms       CV +0.0424 (0.0102)  (the rate, +0.107 Hz, passes)
 *   tau_e 4 ms       rate -0.702 Hz (0.173)
 * Against Brian2's single run the tolerance is wider (one draw, 0.66 Hz):
 * of these only t_ref (CV) and tau_e (rate) fail there. */
static void test_cuba_pinned(void **state)
{
    (void)state;
    check_pins("cuba", PIN_CUBA_SYNAPSES, PIN_CUBA_E, PIN_CUBA_I);
}

static void test_cuba_seeds(void **state)
{
    (void)state;
    compare_seeds("cuba", 1);
}

/* COBA (forward Euler, as Brian2's benchmark script): pinned likewise,
 * then over seeds against the NumPy runs (tests/data/reference/spiking,
 * gen_vogels_abbott.py: 21.4 +- 1.3 Hz, CV 1.57 +- 0.04 over 32 seeds).
 * This test used to cite "an independent NumPy simulation: 22.6 Hz, CV
 * 1.55" that was not in the repository; the script and its runs now are.
 * Mutations that fail the comparison over seeds (difference, tolerance):
 *   w_e x 1.1        rate +1.906 Hz (0.993)
 *   w_i x 0.9        rate +1.634 Hz (1.139)
 *   w_i x 1.1        rate -1.717 Hz (1.013)
 *   t_ref 2 ms       rate +25.6 Hz (1.7), CV +0.94 (0.05)
 *   tau_e 4 ms       rate -4.55 Hz (0.87), CV -0.136 (0.035) */
static void test_coba_pinned(void **state)
{
    (void)state;
    check_pins("coba", PIN_COBA_SYNAPSES, PIN_COBA_E, PIN_COBA_I);
}

static void test_coba_seeds(void **state)
{
    (void)state;
    compare_seeds("coba", 0);
}

static void test_cobahh_pinned(void **state)
{
    (void)state;
    check_pins("cobahh", PIN_COBAHH_SYNAPSES, PIN_COBAHH_E, PIN_COBAHH_I);
}

/* The comparison over seeds runs in the normal build only: a sanitizer
 * build computes the same bits (the pinned seed-12345 counts, checked in
 * both, say so), and eight 1 s runs of COBAHH take minutes under ASan. */
#if !defined(__SANITIZE_ADDRESS__)
/* COBAHH (benchmark 3: Traub-Miles cells, as Brian2's COBAHH example):
 * pinned likewise, then over seeds against Brian2 itself: Brian2 2.5.1's
 * own runs of its COBAHH script over 8 seeds (tests/data/reference/spiking/
 * gen_cobahh_brian2.py, numpy target), the difference of the two 8-seed
 * means within 3 sqrt(sd^2 / 8 + sd_b2^2 / 8). This is what shows that the
 * network timed by bench_spiking's cobahh line is the workload of Brian2's
 * COBAHH figure. The cell itself is checked against SciPy
 * (test_traub_miles_reference). Measured: 34.56 +- 2.64 Hz, CV 1.951
 * against Brian2's 34.43 +- 2.20 Hz, CV 1.934. Checked: w_e 6 -> 6.6 nS in
 * spiking_bench.c fails the pin and the comparison (rate +5.16 Hz,
 * tolerance 4.60; CV +0.081, tolerance 0.078). A 10 % change is about
 * the smallest this spread can see; the pin sees any change. */
static void read_brian2_cobahh(sample *rate, sample *cv)
{
    FILE *f = fopen(DTB_TEST_DATA "/reference/spiking/cobahh_brian2.csv", "r");
    assert_non_null(f);
    double r[64], c[64];
    size_t n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "seed,", 5) == 0)
            continue;
        double v[6];
        char *p = line;
        for (int k = 0; k < 6; k++) {
            v[k] = strtod(p, &p);
            p += *p == ',';
        }
        assert_true(n < 64);
        r[n] = v[2];
        c[n] = v[3];
        n++;
    }
    fclose(f);
    assert_true(n >= 8);
    *rate = sample_of(r, n);
    *cv = sample_of(c, n);
}


static void test_cobahh_seeds(void **state)
{
    (void)state;
    enum { SEEDS = 8 };
    double rate[SEEDS], cv[SEEDS];
    for (int k = 0; k < SEEDS; k++) {
        bench_stats b = run_benchmark("cobahh", (uint64_t)(k + 1));
        rate[k] = b.rate;
        cv[k] = b.cv;
    }
    sample r = sample_of(rate, SEEDS), c = sample_of(cv, SEEDS), br, bc;
    read_brian2_cobahh(&br, &bc);
    double tol_r = 3 * sqrt(r.sd * r.sd / SEEDS + br.sd * br.sd / (double)br.n);
    double tol_c = 3 * sqrt(c.sd * c.sd / SEEDS + bc.sd * bc.sd / (double)bc.n);
    print_message("  cobahh over %d seeds: %.3f +- %.3f Hz, CV %.4f +- %.4f; Brian2 over %zu seeds: "
                  "%.3f +- %.3f Hz, CV %.4f +- %.4f; differences %.3f Hz (tolerance %.3f), "
                  "CV %.4f (%.4f)\n", SEEDS, r.mean, r.sd, c.mean, c.sd, br.n, br.mean, br.sd,
                  bc.mean, bc.sd, r.mean - br.mean, tol_r, c.mean - bc.mean, tol_c);
    assert_true(fabs(r.mean - br.mean) <= tol_r);
    assert_true(fabs(c.mean - bc.mean) <= tol_c);
}
#endif

/* The descriptive getters: the cell tables, names, sizes, time, values
 * in and out, a Poisson rate changed between steps. */
static void test_inspection(void **state)
{
    (void)state;
    assert_int_equal(dtb_spiking_cell_param_count("lif"), 7);
    assert_string_equal(dtb_spiking_cell_param_name("lif", 0), "tau_m");
    assert_string_equal(dtb_spiking_cell_param_unit("lif", 0), "ms");
    assert_true(dtb_spiking_cell_param_default("lif", 0) == 20.0);
    assert_null(dtb_spiking_cell_param_name("lif", 7));
    assert_true(isnan(dtb_spiking_cell_param_default("nosuch", 0)));
    assert_int_equal(dtb_spiking_cell_param_count("nosuch"), -1);
    assert_int_equal(dtb_spiking_cell_state_count("hh"), 4);
    assert_string_equal(dtb_spiking_cell_state_name("hh", 3), "n");
    assert_null(dtb_spiking_cell_state_name("hh", 4));
    /* eight built-in cells since qif and eif (one descriptor each) */
    assert_string_equal(dtb_spiking_cell_model_name(7), "eif");
    assert_null(dtb_spiking_cell_model_name(8));

    dtb_spiking_net *net;
    int64_t a, b, r;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 9), DTB_OK);
    assert_true(dtb_spiking_dt(net) == 1e-4);
    assert_int_equal(dtb_spiking_add_population(net, "a", "adex", 5, &a), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "b", "lif", 3, &b), DTB_OK);
    assert_int_equal(dtb_spiking_population_count(net), 2);
    assert_int_equal(dtb_spiking_population_index(net, "b"), b);
    assert_int_equal(dtb_spiking_population_index(net, "c"), -1);
    assert_int_equal(dtb_spiking_population_size(net, a), 5);
    assert_int_equal(dtb_spiking_population_size(net, 2), -1);
    const double bvals[3] = {0.1, 0.2, 0.3};
    double got[3];
    size_t need = 0;
    assert_int_equal(dtb_spiking_set_param_values(net, b, "I_e", bvals, 3), DTB_OK);
    assert_int_equal(dtb_spiking_set_param_values(net, b, "I_e", bvals, 2), DTB_EINVAL);
    assert_int_equal(dtb_spiking_get_param_values(net, b, "I_e", NULL, 0, &need), DTB_OK);
    assert_int_equal(need, 3);
    assert_int_equal(dtb_spiking_get_param_values(net, b, "I_e", got, 3, &need), DTB_OK);
    assert_memory_equal(got, bvals, sizeof got);
    const double v0[3] = {-60, -61, -62};
    assert_int_equal(dtb_spiking_set_state_values(net, b, "V", v0, 3), DTB_OK);
    const double bad[3] = {-60, NAN, -62};
    assert_int_equal(dtb_spiking_set_state_values(net, b, "V", bad, 3), DTB_EINVAL);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "V", got, 3, &need), DTB_OK);
    assert_memory_equal(got, v0, sizeof got);
    /* a Poisson input switched on between steps: no event before, some after */
    assert_int_equal(dtb_spiking_add_receptor(net, b, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT, 0,
                                              5e-3, 0, &r), DTB_OK);
    int64_t in;
    assert_int_equal(dtb_spiking_add_poisson(net, b, r, 0.0, 0.1, &in), DTB_OK);
    assert_int_equal(dtb_spiking_set_poisson_rate(net, in + 1, 5.0), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_poisson_rate(net, in, NAN), DTB_EINVAL);
    assert_int_equal(dtb_spiking_step(net, 100), DTB_OK);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "x", got, 3, &need), DTB_OK);
    assert_true(got[0] == 0 && got[1] == 0 && got[2] == 0);
    assert_int_equal(dtb_spiking_set_poisson_rate(net, in, 1000.0), DTB_OK);
    assert_int_equal(dtb_spiking_step(net, 100), DTB_OK);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "x", got, 3, &need), DTB_OK);
    assert_true(got[0] > 0 || got[1] > 0 || got[2] > 0);
    assert_true(fabs(dtb_spiking_time(net) - 0.02) < 1e-12);
    assert_true(isnan(dtb_spiking_time(NULL)));
    dtb_spiking_free(net);
}

static void test_reproducible(void **state)
{
    (void)state;
    int64_t counts[3];
    uint64_t seeds[3] = {7, 7, 8};
    for (int k = 0; k < 3; k++) {
        dtb_spiking_net *net;
        assert_int_equal(dtb_spiking_create_benchmark(&net, "cuba", 400, seeds[k]), DTB_OK);
        int64_t in;
        assert_int_equal(dtb_spiking_add_poisson(net, 0, 0, 50.0, 0.01, &in), DTB_OK);
        assert_int_equal(dtb_spiking_run(net, 0.2), DTB_OK);
        counts[k] = dtb_spiking_spike_count(net, 0) * 100000 + dtb_spiking_spike_count(net, 1);
        dtb_spiking_free(net);
    }
    assert_true(counts[0] == counts[1]);
    assert_true(counts[0] != counts[2]);
}

/* Every other cell model runs, fires under a bias and stays finite. */
static void test_cell_models(void **state)
{
    (void)state;
    assert_int_equal(dtb_spiking_cell_model_count(), 8);
    const char *bias[] = {"lif", "izhikevich", "izhikevich2007", "adex", "hh", "traub_miles", "qif",
                          "eif"};
    const double amount[] = {0.3, 10.0, 0.1, 1.0, 2.0, 0.2, 0.1, 1.0};
    for (int m = 0; m < 8; m++) {
        assert_string_equal(dtb_spiking_cell_model_name(m), bias[m]);
        assert_true(dtb_spiking_cell_param_count(bias[m]) > 0);
        dtb_spiking_net *net;
        int64_t pop;
        assert_int_equal(dtb_spiking_create(&net, 2.5e-5, 1), DTB_OK);
        assert_int_equal(dtb_spiking_add_population(net, "p", bias[m], 4, &pop), DTB_OK);
        assert_int_equal(dtb_spiking_set_param(net, pop, "I_e", DTB_DIST_CONSTANT, amount[m], 0), DTB_OK);
        int64_t r;
        assert_int_equal(dtb_spiking_add_receptor(net, pop, "ampa", DTB_SYNAPSE_BIEXP,
                                                  DTB_SYNAPSE_CONDUCTANCE, 0.5e-3, 2e-3, 0.0, &r), DTB_OK);
        assert_int_equal(dtb_spiking_add_poisson(net, pop, r, 100.0, 1.0, NULL), DTB_OK);
        assert_int_equal(dtb_spiking_run(net, 0.5), DTB_OK);
        print_message("  %s: %lld spikes in 0.5 s\n", bias[m], (long long)dtb_spiking_spike_count(net, pop));
        assert_true(dtb_spiking_spike_count(net, pop) >= 4);
        dtb_spiking_free(net);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    dtb_spiking_net *net;
    int64_t pop, r;
    assert_int_equal(dtb_spiking_create(&net, 0, 1), DTB_EINVAL);
    assert_int_equal(dtb_spiking_create(&net, NAN, 1), DTB_EINVAL);
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "p", "nosuch", 10, &pop), DTB_ENOTFOUND);
    assert_error_contains("nosuch");
    assert_int_equal(dtb_spiking_add_population(net, "p", "lif", 0, &pop), DTB_EINVAL);
    assert_int_equal(dtb_spiking_add_population(net, "p", "lif", 10, &pop), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "p", "lif", 10, NULL), DTB_EINVAL);
    assert_error_contains("exists already");
    assert_int_equal(dtb_spiking_set_param(net, pop, "tau_m", DTB_DIST_CONSTANT, -1, 0), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_param(net, pop, "tau_m", DTB_DIST_CONSTANT, NAN, 0), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_param(net, pop, "nope", DTB_DIST_CONSTANT, 1, 0), DTB_ENOTFOUND);
    assert_error_contains("tau_m");
    assert_int_equal(dtb_spiking_set_param(net, pop, "E_L", DTB_DIST_UNIFORM, 1, 0), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_param(net, pop, "E_L", DTB_DIST_NORMAL, -70, 2), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, pop, "g", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CONDUCTANCE,
                                              0, 0, 0, &r), DTB_EINVAL);
    assert_int_equal(dtb_spiking_add_receptor(net, pop, "g", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CURRENT,
                                              5e-3, 1e-3, 0, &r), DTB_EINVAL);
    assert_int_equal(dtb_spiking_add_receptor(net, pop, "V", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT,
                                              0, 1e-3, 0, &r), DTB_EINVAL);
    assert_int_equal(dtb_spiking_add_receptor(net, pop, "g", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE,
                                              0, 5e-3, 0, &r), DTB_OK);
    dtb_connect_options o;
    assert_int_equal(dtb_connect_options_init(&o, DTB_CONNECT_OPTIONS_VERSION), DTB_OK);
    o.rule = DTB_CONNECT_FIXED_INDEGREE;
    o.indegree = 10;   /* 9 others without autapses */
    assert_int_equal(dtb_spiking_connect(net, pop, pop, r, &o, NULL), DTB_EINVAL);
    assert_error_contains("in-degree");
    o.indegree = 9;
    o.delay_a = -1;
    assert_int_equal(dtb_spiking_connect(net, pop, pop, r, &o, NULL), DTB_EINVAL);
    o.delay_a = 1e-3;
    o.rule = DTB_CONNECT_FIXED_PROBABILITY;
    o.p = 1.5;
    assert_int_equal(dtb_spiking_connect(net, pop, pop, r, &o, NULL), DTB_EINVAL);
    o.rule = DTB_CONNECT_FIXED_INDEGREE;
    int64_t ns = 0;
    assert_int_equal(dtb_spiking_connect(net, pop, pop, r, &o, &ns), DTB_OK);
    assert_int_equal(ns, 90);
    assert_int_equal(dtb_spiking_connect(net, pop, pop, 5, &o, NULL), DTB_EINVAL);
    int64_t a[] = {0}, b[] = {10};
    double w[] = {1};
    assert_int_equal(dtb_spiking_connect_list(net, pop, pop, r, a, b, w, NULL, 1), DTB_EINVAL);
    double t[] = {0.2, 0.1};
    assert_int_equal(dtb_spiking_add_spike_train(net, pop, 0, r, t, 2, 1.0), DTB_EINVAL);
    assert_error_contains("ascend");
    assert_int_equal(dtb_spiking_add_poisson(net, pop, r, -1, 1.0, NULL), DTB_EINVAL);
    double buf[3];
    size_t need = 0;
    assert_int_equal(dtb_spiking_get_state_values(net, pop, "V", buf, 3, &need), DTB_EBUFSIZE);
    assert_int_equal(need, 10);
    /* a projection from a CSV file, and a malformed one */
    char path[512];
    snprintf(path, sizeof path, "%s/proj.csv", test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("pre,post,weight,delay\n0,1,0.5,0.001\n2,3,0.25,0\n", f);
    fclose(f);
    int64_t before = dtb_spiking_synapse_count(net);
    assert_int_equal(dtb_spiking_connect_file(net, pop, pop, r, path, NULL, 1.0), DTB_OK);
    assert_int_equal(dtb_spiking_synapse_count(net), before + 2);
    f = fopen(path, "w");
    fputs("pre,post\n0,1\n2,x\n", f);
    fclose(f);
    assert_int_equal(dtb_spiking_connect_file(net, pop, pop, r, path, NULL, 1.0), DTB_EPARSE);
    assert_error_contains("proj.csv:3");
    assert_int_equal(dtb_spiking_synapse_count(net), before + 2);
    assert_int_equal(dtb_spiking_connect_file(net, pop, pop, r, "/nonexistent.csv", NULL, 1.0),
                     DTB_ENOTFOUND);
    /* still usable after every refusal */
    assert_int_equal(dtb_spiking_run(net, 0.01), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "q", "lif", 10, NULL), DTB_ESTATE);
    assert_int_equal(dtb_spiking_step(net, -1), DTB_EINVAL);
    dtb_spiking_free(net);
    dtb_spiking_free(NULL);
}

/* The mean smoothed rate of a 400-cell region of a model (A8m_L of the
 * bn246 twin, linear coupling a), after a 100 ms settling time. */
static double hybrid_region_rate(const char *cell_model, double a)
{
    return twin_region_rate(a, twin_region_add_builtin, cell_model, 5000, 1000);
}

/* The bridge: a bn246 twin with a spiking region. Its rate leaves through
 * the coupling variable; stronger long-range input raises it. */
static double hybrid_rate(double a, int64_t *region_out)
{
    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    assert_int_equal(dtb_atlas_load(&atlas, "bn246", NULL), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 5;
    o.integrator = DTB_INTEGRATOR_EULER;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_param(sim, "G", 0.1), DTB_OK);
    /* linear coupling a sum_j w_kj S_e,j: a = 0 cuts the region's input */
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", a), DTB_OK);
    int64_t region = -1;
    assert_int_equal(dtb_atlas_find_region(atlas, "A8m_L", &region), DTB_OK);
    dtb_spiking_region_options so;
    assert_int_equal(dtb_spiking_region_options_init(&so, DTB_SPIKING_REGION_OPTIONS_VERSION), DTB_OK);
    so.n = 400;
    assert_int_equal(dtb_sim_add_spiking_region(sim, region, "lif", &so), DTB_OK);
    assert_int_equal(dtb_sim_add_spiking_region(sim, region, "lif", &so), DTB_EINVAL);
    assert_int_equal(dtb_sim_add_spiking_region(sim, 9999, "lif", &so), DTB_EINVAL);
    assert_int_equal(dtb_sim_add_spiking_region(sim, region + 1, "nosuch", &so), DTB_ENOTFOUND);
    assert_int_equal(dtb_sim_spiking_region_count(sim), 1);
    /* its network belongs to the simulation */
    assert_int_equal(dtb_spiking_add_population(dtb_sim_spiking_net(sim), "x", "lif", 3, NULL), DTB_ESTATE);
    double sum = 0;
    const int steps = 5000;
    for (int k = 0; k < steps; k++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        if (k >= 1000)
            sum += dtb_sim_spiking_rate(sim, 0);
    }
    {
        /* S_e of the region is lo + (hi - lo) r / (r + 10 Hz), range [0, 1] */
        int64_t ns = dtb_sim_state_count(sim), nr = dtb_sim_region_count(sim);
        double *x = malloc((size_t)(ns * nr) * sizeof *x);
        size_t need;
        assert_int_equal(dtb_sim_get_state(sim, x, (size_t)(ns * nr), &need), DTB_OK);
        double r = dtb_sim_spiking_rate(sim, 0);
        assert_true(fabs(x[region] - r / (r + 10.0)) < 1e-12);
        free(x);
        assert_int_equal(dtb_sim_save_checkpoint(sim, "/nonexistent/cp"), DTB_EIO);
    }
    int64_t reg, pe, pi;
    assert_int_equal(dtb_sim_spiking_region_info(sim, 0, &reg, &pe, &pi), DTB_OK);
    assert_int_equal(reg, region);
    assert_true(dtb_spiking_spike_count(dtb_sim_spiking_net(sim), pe) > 0);
    *region_out = region;
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return sum / (steps - 1000);
}

static void test_hybrid_follows_input(void **state)
{
    (void)state;
    /* every cell model's default region fires and follows its input */
    const char *models[] = {"lif", "izhikevich", "izhikevich2007", "adex", "hh"};
    for (int m = 0; m < 5; m++) {
        double quiet = hybrid_region_rate(models[m], 0.0), driven = hybrid_region_rate(models[m], 1.0);
        print_message("  %s region: %.2f Hz without input, %.2f Hz with it\n", models[m], quiet,
                      driven);
        assert_true(quiet > 0.5);
        assert_true(driven > quiet * 1.15);
    }
    /* the bridge's bookkeeping: info, states, ownership, refusals */
    int64_t region;
    double r0 = hybrid_rate(0.0, &region);
    assert_true(r0 > 1.0 && r0 < 20.0);
}

/* A region of LEMS/NeuroML cells (dtb_sim_add_spiking_region_lems): the
 * Izhikevich RS cell of a NeuroML file fires from its Poisson background,
 * follows the region's long-range input, and what such a cell lacks is
 * refused by name. */
static const char *core_types(void);

static const char *izh_one(void)
{
    static char file[1024];
    snprintf(file, sizeof file, "%s",
             shared_path("neuroml/OSB-IzhikevichModel/NeuroML2/Izh2007One.net.nml"));
    return file;
}

/* 200 RS cells of a NeuroML file as region 0 (160 excitatory). */
static void add_lems_region(dtb_sim *sim, const void *ud)
{
    (void)ud;
    const char *inc[1] = {core_types()};
    dtb_spiking_region_options so = DTB_SPIKING_REGION_OPTIONS_INIT;
    so.n = 200;
    so.background_hz = 2000;
    so.w_exc = 0.02;
    so.w_inh = 0.08;
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", inc, 1, &so), DTB_OK);
    int64_t reg, pe, pi;
    assert_int_equal(dtb_sim_spiking_region_info(sim, 0, &reg, &pe, &pi), DTB_OK);
    assert_int_equal(dtb_spiking_population_size(dtb_sim_spiking_net(sim), pe), 160);
}

static double lems_region_rate(double a)
{
    return twin_region_rate(a, add_lems_region, NULL, 3000, 1000);
}

static void test_lems_cell_region(void **state)
{
    (void)state;
    double quiet = lems_region_rate(0.0), driven = lems_region_rate(1.0);
    print_message("  NeuroML RS region: %.2f Hz without input, %.2f Hz with it\n", quiet, driven);
    assert_true(quiet > 0.5);
    assert_true(driven > quiet * 1.15);

    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    assert_int_equal(dtb_atlas_load(&atlas, "bn246", NULL), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh"), DTB_OK);
    assert_int_equal(dtb_sim_create(&sim, atlas, model, NULL), DTB_OK);
    const char *inc[1] = {core_types()};
    dtb_spiking_region_options so = DTB_SPIKING_REGION_OPTIONS_INIT;
    so.n = 20;
    /* no region defaults: the weights are the caller's */
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", inc, 1, NULL), DTB_EINVAL);
    assert_error_contains("w_exc and w_inh");
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", inc, 1, &so), DTB_EINVAL);
    so.w_exc = 0.02;
    so.w_inh = 0.08;
    so.flags = DTB_SPIKING_REGION_FLAG_CURRENT_INPUT;
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", inc, 1, &so), DTB_EINVAL);
    assert_error_contains("bias parameter");
    so.flags = 0;
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "Nope", inc, 1, &so),
                     DTB_ENOTFOUND);
    assert_error_contains("Nope");
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, NULL, "RS", inc, 1, &so), DTB_EINVAL);
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", NULL, 1, &so), DTB_EINVAL);
    /* a cell that takes no synaptic current could not be driven */
    char path[1024];
    snprintf(path, sizeof path, "%s/deaf.xml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<Lems>\n<Dimension name=\"time\" t=\"1\"/>\n"
          "<Dimension name=\"voltage\" m=\"1\" l=\"2\" t=\"-3\" i=\"-1\"/>\n"
          "<Unit symbol=\"ms\" dimension=\"time\" power=\"-3\"/>\n"
          "<ComponentType name=\"deaf\">\n"
          "  <Parameter name=\"tau\" dimension=\"time\"/>\n"
          "  <Dynamics>\n"
          "    <StateVariable name=\"v\" dimension=\"voltage\" exposure=\"v\"/>\n"
          "    <TimeDerivative variable=\"v\" value=\"-v / tau\"/>\n"
          "  </Dynamics>\n"
          "  <Exposure name=\"v\" dimension=\"voltage\"/>\n"
          "</ComponentType>\n"
          "<Component id=\"d\" type=\"deaf\" tau=\"10ms\"/>\n</Lems>\n", f);
    fclose(f);
    assert_int_equal(dtb_sim_add_spiking_region_lems(sim, 0, path, "d", NULL, 0, &so), DTB_EINVAL);
    assert_error_contains("receives no synaptic current");
    /* the refusals changed nothing: the region can still be made */
    assert_int_equal(dtb_sim_spiking_region_count(sim), 0);
    dtb_status again = dtb_sim_add_spiking_region_lems(sim, 0, izh_one(), "RS", inc, 1, &so);
    if (again)
        print_message("  %s\n", dtb_last_error_message());
    assert_int_equal(again, DTB_OK);
    assert_int_equal(dtb_sim_spiking_region_count(sim), 1);
    assert_int_equal(dtb_sim_step(sim, 10), DTB_OK);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);

    /* the experiment setting: cell=FILE#ID, the include folders of the run */
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "spiking", "A8m_L:cell=nohash.xml"), DTB_EINVAL);
    assert_error_contains("FILE.xml#ID");
    char spec[1400];
    snprintf(spec, sizeof spec, "A8m_L:model=lif,cell=%s#RS", izh_one());
    assert_int_equal(dtb_experiment_add(e, "spiking", spec), DTB_EINVAL);
    assert_error_contains("not both");
    snprintf(spec, sizeof spec, "A8m_L:cell=%s#RS,n=100,w_exc=0.02,w_inh=0.08,bg=3000", izh_one());
    assert_int_equal(dtb_experiment_add(e, "spiking", spec), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "include", core_types()), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "duration", "50ms"), DTB_OK);
    char out[512];
    snprintf(out, sizeof out, "%s/lems-region", test_tmpdir());
    assert_int_equal(dtb_experiment_run(e, out, NULL, NULL), DTB_OK);
    char spikes[600];
    snprintf(spikes, sizeof spikes, "%s/spikes_spiking.csv", out);
    f = fopen(spikes, "r");
    assert_non_null(f);
    int lines = 0;
    for (int ch; (ch = fgetc(f)) != EOF;)
        lines += ch == '\n';
    fclose(f);
    assert_true(lines > 10);
    dtb_experiment_free(e);
}

/* The experiment setting: a bad value is refused when added; a run with a
 * spiking region writes its files; checkpoint and resume reproduce them. */
static void test_experiment_setting(void **state)
{
    (void)state;
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_not_equal(dtb_experiment_add(e, "spiking", "A8m_L:model=nosuch"), DTB_OK);
    assert_error_contains("nosuch");
    assert_int_equal(dtb_experiment_add(e, "spiking", "A8m_L:n=ten"), DTB_EINVAL);
    assert_int_equal(dtb_experiment_add(e, "spiking", "A8m_L:colour=red"), DTB_EINVAL);
    assert_error_contains("colour");
    assert_int_equal(dtb_experiment_add(e, "spiking", "A8m_L:model=lif,n=200,tau=20ms"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "duration", "50ms"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "observe", "tavg"), DTB_OK);
    char out[512];
    snprintf(out, sizeof out, "%s/run", test_tmpdir());
    assert_int_equal(dtb_experiment_run(e, out, NULL, NULL), DTB_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/provenance.json", out);
    char *prov = read_text_file(path, NULL);
    assert_non_null(prov);
    assert_non_null(strstr(prov, "spiking network of 200 lif cells"));
    assert_non_null(strstr(prov, "\"spikes_spiking.csv\""));
    free(prov);
    snprintf(path, sizeof path, "%s/spikes_spiking.csv", out);
    char *spikes = read_text_file(path, NULL);
    assert_non_null(spikes);
    assert_true(strncmp(spikes, "t,region,label,population,cell\n", 31) == 0);
    free(spikes);
    /* checkpoint at 20 ms, resume to the end: the spikes file equals the
     * uninterrupted run's */
    char cp[600], whole[600], resumed[600];
    snprintf(cp, sizeof cp, "%s/cp.bin", test_tmpdir());
    snprintf(whole, sizeof whole, "%s/spikes_spiking.csv", out);
    char *full = read_text_file(whole, NULL);
    assert_non_null(full);
    dtb_experiment *half;
    assert_int_equal(dtb_experiment_clone(&half, e), DTB_OK);
    assert_int_equal(dtb_experiment_add(half, "checkpoint", cp), DTB_OK);
    assert_int_equal(dtb_experiment_add(half, "checkpoint-at", "20ms"), DTB_OK);
    snprintf(out, sizeof out, "%s/first", test_tmpdir());
    assert_int_equal(dtb_experiment_run(half, out, NULL, NULL), DTB_OK);
    dtb_experiment_free(half);
    assert_int_equal(dtb_experiment_add(e, "resume", cp), DTB_OK);
    snprintf(out, sizeof out, "%s/first", test_tmpdir());
    assert_int_equal(dtb_experiment_run(e, out, NULL, NULL), DTB_OK);
    snprintf(resumed, sizeof resumed, "%s/spikes_spiking.csv", out);
    char *again = read_text_file(resumed, NULL);
    assert_non_null(again);
    assert_string_equal(full, again);
    free(full);
    free(again);
    dtb_experiment_free(e);
}

/* NeuroML2 projections: the three cell-id forms, connectionWD's weight
 * and delay with units, choosing among several projections, and bad files
 * named with their line. */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_neuroml_projection(void **state)
{
    (void)state;
    dtb_spiking_net *net;
    int64_t a, b, r;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 2), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "a", "lif", 4, &a), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "b", "lif", 4, &b), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, b, "V_th", DTB_DIST_CONSTANT, 1e3, 0), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, b, "d", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT,
                                              0, 0, 0, &r), DTB_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/net.nml", test_tmpdir());
    write_file(path,
               "<neuroml xmlns=\"http://www.neuroml.org/schema/neuroml2\" id=\"n\">\n"
               " <network id=\"net\">\n"
               "  <projection id=\"other\" presynapticPopulation=\"a\" postsynapticPopulation=\"b\""
               " synapse=\"s\">\n"
               "   <connection id=\"0\" preCellId=\"../a/0/lif\" postCellId=\"../b/0/lif\"/>\n"
               "  </projection>\n"
               "  <projection id=\"ab\" presynapticPopulation=\"a\" postsynapticPopulation=\"b\""
               " synapse=\"s\">\n"
               "   <connection id=\"0\" preCellId=\"../a[1]\" postCellId=\"../b[2]\"/>\n"
               "   <connectionWD id=\"1\" preCellId=\"../a/1/lif\" postCellId=\"../b/3/lif\""
               " weight=\"4\" delay=\"2ms\"/>\n"
               "   <connectionWD id=\"2\" preCellId=\"2\" postCellId=\"1\" weight=\"1\""
               " delay=\"0.0005s\"/>\n"
               "  </projection>\n"
               " </network>\n"
               "</neuroml>\n");
    /* two projections: one must be named */
    assert_int_equal(dtb_spiking_connect_file(net, a, b, r, path, NULL, 2.0), DTB_EINVAL);
    assert_int_equal(dtb_spiking_connect_file(net, a, b, r, path, "nosuch", 2.0), DTB_ENOTFOUND);
    assert_int_equal(dtb_spiking_connect_file(net, a, b, r, path, "ab", 2.0), DTB_OK);
    assert_int_equal(dtb_spiking_synapse_count(net), 3);
    /* cell 1 of a fires at the end of step 0 (a kick of 100 mV): b[2] jumps
     * by the default weight at once, b[3] by 4 mV 2 ms (20 steps) later */
    int64_t kick;
    assert_int_equal(dtb_spiking_add_receptor(net, a, "k", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT,
                                              0, 0, 0, &kick), DTB_OK);
    double t0 = 0;
    assert_int_equal(dtb_spiking_add_spike_train(net, a, 1, kick, &t0, 1, 100.0), DTB_OK);
    double v[4];
    size_t need;
    assert_int_equal(dtb_spiking_step(net, 2), DTB_OK);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "V", v, 4, &need), DTB_OK);
    assert_true(v[2] > -70 + 1.99 && v[2] < -70 + 2.01);
    assert_true(v[3] < -69.99);
    assert_int_equal(dtb_spiking_step(net, 20), DTB_OK);
    assert_int_equal(dtb_spiking_get_state_values(net, b, "V", v, 4, &need), DTB_OK);
    assert_true(v[3] > -70 + 3.5);

    write_file(path, "<neuroml><projection id=\"p\">\n"
                     "<connection id=\"0\" preCellId=\"../a/x/lif\" postCellId=\"../b/0/lif\"/>\n"
                     "</projection></neuroml>\n");
    assert_int_equal(dtb_spiking_connect_file(net, a, b, r, path, NULL, 1.0), DTB_ESTATE);
    dtb_spiking_free(net);
    /* errors of the file itself, on a network still being built */
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 2), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "a", "lif", 4, &a), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, a, "d", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT,
                                              0, 0, 0, &r), DTB_OK);
    assert_int_equal(dtb_spiking_connect_file(net, a, a, r, path, NULL, 1.0), DTB_EPARSE);
    assert_error_contains("net.nml:2");
    write_file(path, "<neuroml><projection id=\"p\">\n"
                     "<connectionWD id=\"0\" preCellId=\"0\" postCellId=\"1\" weight=\"1\""
                     " delay=\"2mV\"/>\n</projection></neuroml>\n");
    assert_int_equal(dtb_spiking_connect_file(net, a, a, r, path, NULL, 1.0), DTB_EPARSE);
    assert_error_contains("2mV");
    write_file(path, "<neuroml><projection id=\"p\">\n"
                     "<connection id=\"0\" preCellId=\"0\" postCellId=\"9\"/>\n"
                     "</projection></neuroml>\n");
    assert_int_equal(dtb_spiking_connect_file(net, a, a, r, path, NULL, 1.0), DTB_EINVAL);
    write_file(path, "<neuroml><projection id=\"p\">\n<connection");
    assert_int_equal(dtb_spiking_connect_file(net, a, a, r, path, NULL, 1.0), DTB_EPARSE);
    assert_error_contains("malformed XML");
    assert_int_equal(dtb_spiking_synapse_count(net), 0);
    dtb_spiking_free(net);
}

/* Forward Euler against the default methods: the LIF's first spike under
 * a constant current within a few steps of the exact one, Izhikevich's
 * within a few steps of RK4's; hh refuses. */
static double first_spike(const char *model, const char *param, double value, int euler)
{
    dtb_spiking_net *net;
    int64_t pop;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "p", model, 1, &pop), DTB_OK);
    assert_int_equal(dtb_spiking_set_param(net, pop, param, DTB_DIST_CONSTANT, value, 0), DTB_OK);
    if (euler)
        assert_int_equal(dtb_spiking_set_method(net, pop, DTB_SPIKING_METHOD_EULER), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, pop, 1), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.2), DTB_OK);
    double t[64];
    size_t n = spikes_of(net, pop, t, 64);
    assert_true(n > 0);
    dtb_spiking_free(net);
    return t[0];
}

static void test_methods(void **state)
{
    (void)state;
    double exact = first_spike("lif", "I_e", 0.3, 0), euler = first_spike("lif", "I_e", 0.3, 1);
    double rk4 = first_spike("izhikevich", "I_e", 10.0, 0), izh_euler = first_spike("izhikevich", "I_e", 10.0, 1);
    print_message("  first spike: LIF exact %.4f ms, Euler %.4f ms; Izhikevich RK4 %.4f ms, Euler "
                  "%.4f ms\n", exact * 1e3, euler * 1e3, rk4 * 1e3, izh_euler * 1e3);
    assert_true(exact > 0 && euler > 0 && rk4 > 0 && izh_euler > 0);
    /* Euler's first-order error over ~20 ms of rise: a few steps, not more */
    assert_true(fabs(euler - exact) <= 5e-4);
    assert_true(fabs(izh_euler - rk4) <= 5e-4);
    dtb_spiking_net *net;
    int64_t pop;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_population(net, "h", "hh", 1, &pop), DTB_OK);
    assert_int_equal(dtb_spiking_set_method(net, pop, DTB_SPIKING_METHOD_EULER), DTB_EUNSUPPORTED);
    assert_int_equal(dtb_spiking_set_method(net, pop, (dtb_spiking_method)7), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_method(net, pop, DTB_SPIKING_METHOD_DEFAULT), DTB_OK);
    dtb_spiking_free(net);
}

/* LEMS/NeuroML cell types through the generic path. */
static const char *core_types(void)
{
    static char dir[1024];
    snprintf(dir, sizeof dir, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes/Cells.xml"));
    *strrchr(dir, '/') = '\0';
    return dir;
}

/* izhikevich2007Cell from a NeuroML file against the built-in
 * izhikevich2007 cell under forward Euler, both driven by the same slowly
 * decaying 100 pA current: the same equations give the same spikes. */
static size_t izh2007_spikes(int lems, double *t, size_t cap)
{
    const char *inc[1] = {core_types()};
    char file[1024];
    snprintf(file, sizeof file, "%s", shared_path("neuroml/OSB-IzhikevichModel/NeuroML2/Izh2007One.net.nml"));
    dtb_spiking_net *net;
    int64_t p, r;
    assert_int_equal(dtb_spiking_create(&net, 2.5e-6, 1), DTB_OK);
    if (lems) {
        assert_int_equal(dtb_spiking_add_lems_population(net, "rs", file, "RS", 1, inc, 1, &p), DTB_OK);
    } else {
        assert_int_equal(dtb_spiking_add_population(net, "rs", "izhikevich2007", 1, &p), DTB_OK);
        assert_int_equal(dtb_spiking_set_method(net, p, DTB_SPIKING_METHOD_EULER), DTB_OK);
    }
    assert_int_equal(dtb_spiking_add_receptor(net, p, "x", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT, 0,
                                              10.0, 0, &r), DTB_OK);
    double t0 = 0;
    assert_int_equal(dtb_spiking_add_spike_train(net, p, 0, r, &t0, 1, 0.1), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.52), DTB_OK);
    size_t n = spikes_of(net, p, t, cap);
    dtb_spiking_free(net);
    return n;
}

/* Two handlers fire at the same instant, each with a transition: the cell
 * enters the first one's regime (as the LEMS engine does), and that
 * regime's OnEntry runs. */
static void test_lems_first_transition(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/two_transitions.xml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<Lems>\n<Dimension name=\"time\" t=\"1\"/>\n"
          "<Dimension name=\"voltage\" m=\"1\" l=\"2\" t=\"-3\" i=\"-1\"/>\n"
          "<Unit symbol=\"ms\" dimension=\"time\" power=\"-3\"/>\n"
          "<ComponentType name=\"fork\">\n"
          "  <Parameter name=\"at\" dimension=\"time\"/>\n"
          "  <Dynamics>\n"
          "    <StateVariable name=\"v\" dimension=\"voltage\" exposure=\"v\"/>\n"
          "    <StateVariable name=\"x\" dimension=\"none\" exposure=\"x\"/>\n"
          "    <Regime name=\"A\" initial=\"true\">\n"
          "      <OnCondition test=\"t .gt. at\"><Transition regime=\"B\"/></OnCondition>\n"
          "      <OnCondition test=\"t .gt. at\"><Transition regime=\"C\"/></OnCondition>\n"
          "    </Regime>\n"
          "    <Regime name=\"B\"><OnEntry><StateAssignment variable=\"x\" value=\"1\"/></OnEntry></Regime>\n"
          "    <Regime name=\"C\"><OnEntry><StateAssignment variable=\"x\" value=\"2\"/></OnEntry></Regime>\n"
          "  </Dynamics>\n"
          "  <Exposure name=\"v\" dimension=\"voltage\"/>\n"
          "  <Exposure name=\"x\" dimension=\"none\"/>\n"
          "</ComponentType>\n"
          "<Component id=\"k\" type=\"fork\" at=\"1ms\"/>\n</Lems>\n", f);
    fclose(f);
    dtb_spiking_net *net;
    int64_t p;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_lems_population(net, "k", path, "k", 3, NULL, 0, &p), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.002), DTB_OK);
    double x[3];
    assert_int_equal(dtb_spiking_get_state_values(net, p, "x", x, 3, NULL), DTB_OK);
    for (int i = 0; i < 3; i++)
        assert_true(x[i] == 1.0);
    dtb_spiking_free(net);
}

/* Two handlers with an EventOut fire for the same cell at the same
 * instant: the cell spikes once (the spike list stays ascending and
 * unique), exactly as when only one of them has the EventOut. */
static size_t double_spike_run(int both, int64_t *cells, double *t, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/double_spike_%d.xml", test_tmpdir(), both);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "<Lems>\n<Dimension name=\"time\" t=\"1\"/>\n"
               "<Dimension name=\"per_time\" t=\"-1\"/>\n"
               "<Dimension name=\"voltage\" m=\"1\" l=\"2\" t=\"-3\" i=\"-1\"/>\n"
               "<Unit symbol=\"per_ms\" dimension=\"per_time\" power=\"3\"/>\n"
               "<ComponentType name=\"ramp\">\n"
               "  <Parameter name=\"rate\" dimension=\"per_time\"/>\n"
               "  <EventPort name=\"spike\" direction=\"out\"/>\n"
               "  <Dynamics>\n"
               "    <StateVariable name=\"v\" dimension=\"voltage\" exposure=\"v\"/>\n"
               "    <StateVariable name=\"x\" dimension=\"none\" exposure=\"x\"/>\n"
               "    <TimeDerivative variable=\"x\" value=\"rate\"/>\n"
               "    <OnCondition test=\"x .gt. 1\"><StateAssignment variable=\"x\" value=\"0\"/>"
               "<EventOut port=\"spike\"/></OnCondition>\n"
               "    <OnCondition test=\"x .gt. 1\">%s</OnCondition>\n"
               "  </Dynamics>\n"
               "  <Exposure name=\"v\" dimension=\"voltage\"/>\n"
               "  <Exposure name=\"x\" dimension=\"none\"/>\n"
               "</ComponentType>\n"
               "<Component id=\"r\" type=\"ramp\" rate=\"1per_ms\"/>\n</Lems>\n",
            both ? "<EventOut port=\"spike\"/>" : "");
    fclose(f);
    dtb_spiking_net *net;
    int64_t p;
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_lems_population(net, "r", path, "r", 3, NULL, 0, &p), DTB_OK);
    const double rate[3] = {3000, 1000, 2000};
    assert_int_equal(dtb_spiking_set_param_values(net, p, "rate", rate, 3), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.0105), DTB_OK);
    size_t n = 0;
    assert_int_equal(dtb_spiking_get_spikes(net, p, cells, t, cap, &n), DTB_OK);
    dtb_spiking_free(net);
    return n;
}

static void test_lems_two_spiking_handlers(void **state)
{
    (void)state;
    int64_t c1[128], c2[128];
    double t1[128], t2[128];
    size_t n1 = double_spike_run(0, c1, t1, 128), n2 = double_spike_run(1, c2, t2, 128);
    assert_true(n1 >= 50);
    assert_int_equal(n1, n2);
    for (size_t k = 0; k < n1; k++) {
        assert_int_equal(c1[k], c2[k]);
        assert_true(t1[k] == t2[k]);
        if (k && t2[k] == t2[k - 1])
            assert_true(c2[k] > c2[k - 1]);
    }
}

static void test_lems_cells(void **state)
{
    (void)state;
    double a[64], b[64];
    size_t na = izh2007_spikes(0, a, 64), nb = izh2007_spikes(1, b, 64);
    print_message("  izhikevich2007Cell (NeuroML) %zu spikes, built-in %zu\n", nb, na);
    assert_true(na >= 5);
    assert_int_equal(na, nb);
    for (size_t k = 0; k < na; k++)
        assert_true(fabs(a[k] - b[k]) <= 2.5e-6);

    /* iafRefCell: regimes (refractory, integrating) with OnEntry and
     * Transitions. Leak reversal -50 mV above threshold -55 mV: it fires
     * on its own every refract + tau ln((E - reset) / (E - thresh)) =
     * 5 + 20 ln 4 = 32.73 ms. */
    const char *inc[1] = {core_types()};
    char file[1024];
    snprintf(file, sizeof file, "%s", shared_path("neuroml/NeuroML2/examples/NML2_AbstractCells.nml"));
    dtb_spiking_net *net;
    int64_t p, r;
    assert_int_equal(dtb_spiking_create(&net, 1e-5, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_lems_population(net, "ref", file, "iafRef", 2, inc, 1, &p), DTB_OK);
    assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
    /* the user's initial value survives OnStart (v = leakReversal) */
    const double v0[2] = {-0.070, -0.050};
    assert_int_equal(dtb_spiking_set_state_values(net, p, "v", v0, 2), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.3), DTB_OK);
    int64_t cells[64];
    double t[64];
    size_t n;
    assert_int_equal(dtb_spiking_get_spikes(net, p, cells, t, 64, &n), DTB_OK);
    double last[2] = {-1, -1}, isi = 0;
    int n_isi = 0;
    for (size_t k = 0; k < n; k++) {
        if (last[cells[k]] >= 0) {
            isi += t[k] - last[cells[k]];
            n_isi++;
        }
        last[cells[k]] = t[k];
    }
    isi /= n_isi;
    print_message("  iafRefCell: %zu spikes, mean interval %.4f ms (closed form 32.726 ms)\n", n,
                  isi * 1e3);
    assert_true(fabs(isi - (5e-3 + 20e-3 * log(4.0))) < 0.05e-3);
    /* cell 1 started at threshold's far side (-50 mV): it fired at once;
     * cell 0 started at reset and needed a full rise */
    assert_int_equal(cells[0], 1);
    dtb_spiking_free(net);

    /* a ComponentType without values: every parameter must be set */
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_lems_population(net, "bare", file, "iafCell", 3, inc, 1, &p), DTB_OK);
    assert_int_equal(dtb_spiking_step(net, 1), DTB_EINVAL);
    assert_error_contains("has no value");
    const char *names[] = {"leakReversal", "thresh", "reset", "C", "leakConductance"};
    const double si[] = {-0.05, -0.055, -0.07, 0.2e-9, 0.01e-6};
    for (int k = 0; k < 5; k++)
        assert_int_equal(dtb_spiking_set_param(net, p, names[k], DTB_DIST_CONSTANT, si[k], 0), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, p, "d", DTB_SYNAPSE_DELTA, DTB_SYNAPSE_CURRENT, 0, 0,
                                              0, &r), DTB_OK);
    assert_int_equal(dtb_spiking_run(net, 0.1), DTB_OK);
    assert_true(dtb_spiking_spike_count(net, p) > 0);
    dtb_spiking_free(net);

    /* what the generic path refuses, naming the element */
    assert_int_equal(dtb_spiking_create(&net, 1e-4, 1), DTB_OK);
    assert_int_equal(dtb_spiking_add_lems_population(net, "x", file, "izBurst", 3, inc, 1, NULL),
                     DTB_EUNSUPPORTED);
    assert_error_contains("Cells.xml:");
    assert_int_equal(dtb_spiking_add_lems_population(net, "x", file, "nosuch", 3, inc, 1, NULL),
                     DTB_ENOTFOUND);
    assert_int_equal(dtb_spiking_add_lems_population(net, "x", "/nonexistent.nml", "a", 3, NULL, 0, NULL),
                     DTB_ENOTFOUND);
    assert_int_equal(dtb_spiking_add_lems_population(net, "fn", file, "fn1", 3, inc, 1, &p), DTB_OK);
    assert_int_equal(dtb_spiking_add_receptor(net, p, "g", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE, 0,
                                              5e-3, 0, &r), DTB_EINVAL);
    assert_int_equal(dtb_spiking_set_method(net, p, DTB_SPIKING_METHOD_EULER), DTB_EUNSUPPORTED);
    assert_int_equal(dtb_spiking_run(net, 0.01), DTB_OK);
    dtb_spiking_free(net);
}

/* Checkpoints hold the spiking regions: a run interrupted, saved, and
 * continued in a new simulation ends in exactly the uninterrupted state,
 * spikes, rates and coupling included. */
static dtb_sim *hybrid_sim(dtb_atlas *atlas, dtb_model *model)
{
    dtb_sim *sim;
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 11;
    o.integrator = DTB_INTEGRATOR_EULER;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 1.0), DTB_OK);
    assert_int_equal(dtb_sim_set_noise(sim, -1, 1e-4), DTB_OK);
    dtb_spiking_region_options so = DTB_SPIKING_REGION_OPTIONS_INIT;
    so.n = 150;
    so.background_hz = 20.0;
    assert_int_equal(dtb_sim_add_spiking_region(sim, 3, "lif", &so), DTB_OK);
    assert_int_equal(dtb_sim_add_spiking_region(sim, 7, "izhikevich", &so), DTB_OK);
    dtb_spiking_net *net = dtb_sim_spiking_net(sim);
    for (int64_t p = 0; p < dtb_spiking_population_count(net); p++)
        assert_int_equal(dtb_spiking_record(net, p, 1), DTB_OK);
    return sim;
}

static void test_hybrid_checkpoint(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    dtb_model *model;
    assert_int_equal(dtb_atlas_load(&atlas, shared_path("atlases/tvb76"), NULL), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh"), DTB_OK);
    char cp[600];
    snprintf(cp, sizeof cp, "%s/hybrid.ckpt", test_tmpdir());
    dtb_sim *a = hybrid_sim(atlas, model), *b = hybrid_sim(atlas, model);
    assert_int_equal(dtb_sim_step(a, 1200), DTB_OK);
    assert_int_equal(dtb_sim_step(b, 500), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(b, cp), DTB_OK);
    dtb_sim_free(b);
    dtb_sim *c = hybrid_sim(atlas, model);
    assert_int_equal(dtb_sim_load_checkpoint(c, cp), DTB_OK);
    assert_int_equal(dtb_sim_step(c, 700), DTB_OK);
    size_t need;
    int64_t len = dtb_sim_state_count(a) * dtb_sim_region_count(a);
    double *xa = malloc((size_t)len * sizeof *xa), *xc = malloc((size_t)len * sizeof *xc);
    assert_int_equal(dtb_sim_get_state(a, xa, (size_t)len, &need), DTB_OK);
    assert_int_equal(dtb_sim_get_state(c, xc, (size_t)len, &need), DTB_OK);
    assert_memory_equal(xa, xc, (size_t)len * sizeof *xa);
    for (int64_t q = 0; q < 2; q++)
        assert_true(dtb_sim_spiking_rate(a, q) == dtb_sim_spiking_rate(c, q));
    dtb_spiking_net *na = dtb_sim_spiking_net(a), *nc = dtb_sim_spiking_net(c);
    for (int64_t p = 0; p < dtb_spiking_population_count(na); p++) {
        size_t n1, n2;
        assert_int_equal(dtb_spiking_get_spikes(na, p, NULL, NULL, 0, &n1), DTB_OK);
        assert_int_equal(dtb_spiking_get_spikes(nc, p, NULL, NULL, 0, &n2), DTB_OK);
        assert_int_equal(n1, n2);
        assert_true(n1 > 0);
        int64_t *c1 = malloc(n1 * sizeof *c1), *c2 = malloc(n1 * sizeof *c2);
        double *t1 = malloc(n1 * sizeof *t1), *t2 = malloc(n1 * sizeof *t2);
        assert_int_equal(dtb_spiking_get_spikes(na, p, c1, t1, n1, &n1), DTB_OK);
        assert_int_equal(dtb_spiking_get_spikes(nc, p, c2, t2, n1, &n2), DTB_OK);
        assert_memory_equal(c1, c2, n1 * sizeof *c1);
        assert_memory_equal(t1, t2, n1 * sizeof *t1);
        free(c1);
        free(c2);
        free(t1);
        free(t2);
    }
    /* a simulation built with other spiking regions is refused, unchanged */
    dtb_sim *d;
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 11;
    o.integrator = DTB_INTEGRATOR_EULER;
    assert_int_equal(dtb_sim_create(&d, atlas, model, &o), DTB_OK);
    assert_int_equal(dtb_sim_add_spiking_region(d, 3, "lif", NULL), DTB_OK);
    assert_int_not_equal(dtb_sim_load_checkpoint(d, cp), DTB_OK);
    assert_int_equal(dtb_sim_step_index(d), 0);
    assert_int_equal(dtb_sim_step(d, 10), DTB_OK);
    dtb_sim_free(d);
    free(xa);
    free(xc);
    dtb_sim_free(a);
    dtb_sim_free(c);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lif_reference),
        cmocka_unit_test(test_izhikevich_reference),
        cmocka_unit_test(test_traub_miles_reference),
        cmocka_unit_test(test_synapses_and_delays),
        cmocka_unit_test(test_cuba_pinned),
        cmocka_unit_test(test_cuba_seeds),
        cmocka_unit_test(test_coba_pinned),
        cmocka_unit_test(test_coba_seeds),
        cmocka_unit_test(test_cobahh_pinned),
#if !defined(__SANITIZE_ADDRESS__)
        cmocka_unit_test(test_cobahh_seeds),
#endif
        cmocka_unit_test(test_inspection),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_cell_models),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hybrid_follows_input),
        cmocka_unit_test(test_lems_cell_region),
        cmocka_unit_test(test_experiment_setting),
        cmocka_unit_test(test_neuroml_projection),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_lems_cells),
        cmocka_unit_test(test_lems_first_transition),
        cmocka_unit_test(test_lems_two_spiking_handlers),
        cmocka_unit_test(test_hybrid_checkpoint),
        cmocka_unit_test(test_connect_options_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
