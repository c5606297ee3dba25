/* Today's numbers, bit for bit: SHA-256 checksums of fixed outputs of
 * every built-in model, integrator, noise kind, coupling function,
 * observer, stimulus shape, the spiking networks and the LEMS engine,
 * against tests/data/golden/checksums.txt.
 *
 * The README's bit-exact claims (checkpoints, batches, threads, AVX2 or
 * not: "the same bits") and the promise of the kernel redesign ("the same
 * numbers, bit for bit where they are today") hold only if something
 * notices a change of one bit. Each line of checksums.txt is such an
 * output; a line changes only in a commit that changes the numbers on
 * purpose and says why. After such a change:
 *
 *   DTB_GOLDEN_UPDATE=1 build/tests/golden/test_golden   (rewrites the file)
 *
 * The checksums are of this platform (x86-64, gcc 12, glibc 2.36: the C
 * library's log, pow, sin, tanh, ... enter some models). Checked: the
 * dense coupling sum's final reduction in another order (gather.c's
 * finish_row adding its eight partial sums pairwise the other way, an ulp
 * here and there) changes coupling/linear-nodelay and fails this test,
 * while every reference test (TVB, OpenDTB from the API and the CLI, the
 * integrator companion) still passes.
 *
 * The same file, built with -DDTB_GOLDEN_BASELINE and linked with the
 * library's target_clones files built without their AVX2 copies
 * (tests/avx2), is the test of "the same bits with and without AVX2": both
 * builds must match the same file, so a change that makes the SIMD copies
 * compute other bits than the baseline cannot be recorded into it on one
 * kind of CPU without failing on the other. Checked: lif_step cloned for
 * "fma" instead of "avx2" with -ffp-contract=fast in spiking_cells.c (fused
 * multiply-adds in the SIMD copy only), checksums.txt rewritten with it on
 * this AVX2/FMA CPU: golden passes, golden_baseline fails on
 * spiking/cuba-4000, spiking/coba-4000 and spiking/cell-lif. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lems_run/lems_test_util.h"
#include "base/clones.h"
#include "base/sha256.h"
#include "sim/sim_batch.h"
#include "dtb/dtb.h"
#include "test_util.h"

#define MAX_LINES 256

typedef struct line {
    char name[96];
    char hex[65];
} line;

static line got[MAX_LINES];
static size_t n_got;

static void record(const char *name, dtb__sha256 *s)
{
    assert_true(n_got < MAX_LINES);
    snprintf(got[n_got].name, sizeof got[n_got].name, "%s", name);
    dtb__sha256_hex(s, got[n_got].hex);
    n_got++;
}

static void hash_doubles(dtb__sha256 *s, const double *v, size_t n)
{
    dtb__sha256_update(s, v, n * sizeof *v);
}

/* ------------------------------------------------------------ regions */

typedef struct run_spec {
    const char *model;
    dtb_integrator integrator;
    dtb_coupling_kind coupling;
    uint32_t flags;
    int noise_kind;       /* -1: deterministic */
    double noise;         /* D */
    double speed;         /* m/s */
    int64_t steps;
    double dt;            /* s; 0: 0.1 ms */
} run_spec;

static dtb_atlas *tvb76(void)
{
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_load(&a, shared_path("atlases/tvb76"), NULL), DTB_OK);
    return a;
}

/* A deterministic initial state in the middle tenth of each variable's
 * range (the defaults draw from the whole range, from which SupHopf,
 * KIonEx, Coombes-Byrne and GSK-SF diverge at dt 0.1 ms). */
static void set_initial(dtb_sim *sim, const dtb_model *m)
{
    int64_t nv = dtb_model_state_count(m), n = dtb_sim_region_count(sim);
    double *x = malloc((size_t)(nv * n) * sizeof *x);
    for (int64_t v = 0; v < nv; v++) {
        double lo = 0, hi = 0;
        assert_int_equal(dtb_model_state_range(m, v, &lo, &hi), DTB_OK);
        for (int64_t k = 0; k < n; k++)
            x[v * n + k] = lo + (hi - lo) * (0.45 + 0.1 * (double)((k * 7 + v * 3) % 11) / 10.0);
    }
    assert_int_equal(dtb_sim_set_initial_state(sim, x, (size_t)(nv * n)), DTB_OK);
    free(x);
    /* where the model's description says to start near its cycle */
    static const struct {
        const char *model, *state;
        double value;
    } near_cycle[] = {{"coombes_byrne", "r", 1.0}, {"coombes_byrne", "V", 0.0}};
    for (size_t i = 0; i < sizeof near_cycle / sizeof near_cycle[0]; i++) {
        int64_t v = -1;
        if (strcmp(dtb_model_name(m), near_cycle[i].model) != 0)
            continue;
        assert_int_equal(dtb_model_find_state(m, near_cycle[i].state, &v), DTB_OK);
        assert_int_equal(dtb_sim_set_initial_value(sim, v, near_cycle[i].value), DTB_OK);
    }
}

static dtb_sim *make_sim(const run_spec *r, dtb_atlas *atlas, dtb_model **model_out)
{
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, r->model), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = r->dt > 0 ? r->dt : 1e-4;
    so.speed = r->speed;
    so.integrator = r->integrator;
    so.coupling = r->coupling;
    so.flags = r->flags;
    so.seed = 42;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &so), DTB_OK);
    set_initial(sim, m);
    if (r->noise_kind >= 0) {
        assert_int_equal(dtb_sim_set_noise_kind(sim, (dtb_noise_kind)r->noise_kind,
                                                r->noise_kind == DTB_NOISE_COLOURED ? 5e-3 : 0.0), DTB_OK);
        assert_int_equal(dtb_sim_set_noise(sim, -1, r->noise), DTB_OK);
    }
    *model_out = m;
    return sim;
}

/* The whole state every 50 steps. */
static void hash_run(const char *name, const run_spec *r)
{
    dtb_atlas *atlas = tvb76();
    dtb_model *m;
    dtb_sim *sim = make_sim(r, atlas, &m);
    size_t need = 0;
    assert_int_equal(dtb_sim_get_state(sim, NULL, 0, &need), DTB_OK);
    double *x = malloc(need * sizeof *x);
    dtb__sha256 s;
    dtb__sha256_init(&s);
    int finite = 1;
    for (int64_t k = 0; k < r->steps; k += 50) {
        dtb_status st = dtb_sim_step(sim, 50);
        if (st)
            print_message("  %s: %s\n", name, dtb_last_error_message());
        assert_int_equal(st, DTB_OK);
        assert_int_equal(dtb_sim_get_state(sim, x, need, &need), DTB_OK);
        hash_doubles(&s, x, need);
        for (size_t i = 0; i < need; i++)
            finite &= isfinite(x[i]) != 0;
    }
    /* a NaN would be pinned as faithfully as a number: say so */
    if (!finite)
        print_message("  %s: the state is not finite\n", name);
    assert_true(finite);
    record(name, &s);
    free(x);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void golden_models(void)
{
    for (int64_t i = 0; i < dtb_model_builtin_count(); i++) {
        const char *model = dtb_model_builtin_name(i);
        char name[96];
        /* GSK-SF's bursts need dt <= 0.02 ms with Heun (its description) */
        double dt = strcmp(model, "gast_schmidt_knosche_sf") == 0 ? 1e-5 : 1e-4;
        run_spec r = {model, DTB_INTEGRATOR_HEUN, DTB_COUPLING_LINEAR, 0, -1, 0, 3.0, 500, dt};
        snprintf(name, sizeof name, "model/%s/heun", model);
        hash_run(name, &r);
        r.noise_kind = DTB_NOISE_ADDITIVE;
        r.noise = 1e-6;
        snprintf(name, sizeof name, "model/%s/heun-noise", model);
        hash_run(name, &r);
    }
}

static void golden_integrators(void)
{
    static const dtb_integrator kinds[] = {
        DTB_INTEGRATOR_EULER, DTB_INTEGRATOR_HEUN, DTB_INTEGRATOR_RK4,
        DTB_INTEGRATOR_GSL_RK2, DTB_INTEGRATOR_GSL_RK4, DTB_INTEGRATOR_GSL_RKF45,
        DTB_INTEGRATOR_GSL_RKCK, DTB_INTEGRATOR_GSL_RK8PD, DTB_INTEGRATOR_GSL_MSADAMS,
        DTB_INTEGRATOR_GSL_MSBDF, DTB_INTEGRATOR_GSL_BSIMP, DTB_INTEGRATOR_GSL_RK1IMP,
        DTB_INTEGRATOR_GSL_RK2IMP, DTB_INTEGRATOR_GSL_RK4IMP};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char name[96];
        run_spec r = {"generic_2d_oscillator", kinds[i], DTB_COUPLING_LINEAR, 0, -1, 0, 3.0, 300, 0};
        snprintf(name, sizeof name, "integrator/%s", dtb_integrator_name(kinds[i]));
        hash_run(name, &r);
    }
    static const char *const noise[] = {"additive", "sigma", "multiplicative", "coloured"};
    static const dtb_integrator fixed[] = {DTB_INTEGRATOR_EULER, DTB_INTEGRATOR_HEUN,
                                           DTB_INTEGRATOR_RK4};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < 3; i++) {
            char name[96];
            run_spec r = {"generic_2d_oscillator", fixed[i], DTB_COUPLING_LINEAR, 0, k, 1e-3, 3.0, 300, 0};
            snprintf(name, sizeof name, "noise/%s/%s", noise[k], dtb_integrator_name(fixed[i]));
            hash_run(name, &r);
        }
    }
}

static void golden_couplings(void)
{
    static const struct {
        const char *name, *model;
        dtb_coupling_kind kind;
        uint32_t flags;
        double speed;
    } c[] = {
        {"linear", "generic_2d_oscillator", DTB_COUPLING_LINEAR, 0, 3.0},
        {"linear-nodelay", "generic_2d_oscillator", DTB_COUPLING_LINEAR, 0, INFINITY},
        {"linear-float32", "generic_2d_oscillator", DTB_COUPLING_LINEAR,
         DTB_SIM_FLAG_TVB_FLOAT32_COUPLING, 3.0},
        {"linear-float32-nodelay", "generic_2d_oscillator", DTB_COUPLING_LINEAR,
         DTB_SIM_FLAG_TVB_FLOAT32_COUPLING, INFINITY},
        {"scaling", "generic_2d_oscillator", DTB_COUPLING_SCALING, 0, 3.0},
        {"difference", "generic_2d_oscillator", DTB_COUPLING_DIFFERENCE, 0, 3.0},
        {"kuramoto", "kuramoto", DTB_COUPLING_KURAMOTO, 0, 3.0},
        {"hyperbolic_tangent", "generic_2d_oscillator", DTB_COUPLING_HYPERBOLIC_TANGENT, 0, 3.0},
        {"sigmoidal", "generic_2d_oscillator", DTB_COUPLING_SIGMOIDAL, 0, 3.0},
        {"sigmoidal_jansen_rit", "jansen_rit", DTB_COUPLING_SIGMOIDAL_JANSEN_RIT, 0, 3.0},
        {"pre_sigmoidal", "generic_2d_oscillator", DTB_COUPLING_PRE_SIGMOIDAL, 0, 3.0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char name[96];
        run_spec r = {c[i].model, DTB_INTEGRATOR_HEUN, c[i].kind, c[i].flags, -1, 0, c[i].speed, 300, 0};
        snprintf(name, sizeof name, "coupling/%s", c[i].name);
        hash_run(name, &r);
    }
}

/* ------------------------------------------- networks and batches */

/* The coupling sums the other tests do not reach on tvb76: the built-in
 * bn246 and bn246-opendtb (dense and symmetric: their upper triangle only) without delays and
 * with them, and lockstep batches (network/gather_lanes.c), whose members
 * differ in seed and noise. These are among the functions compiled for
 * AVX2 and the baseline (base/clones.h), which tests/avx2 compares. */
static dtb_sim *network_sim(dtb_atlas *atlas, double speed, uint64_t seed, double noise,
                            dtb_model **model_out)
{
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-4;
    so.speed = speed;
    so.integrator = DTB_INTEGRATOR_HEUN;
    so.coupling = DTB_COUPLING_LINEAR;
    so.seed = seed;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &so), DTB_OK);
    set_initial(sim, m);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 0.0152), DTB_OK);
    assert_int_equal(dtb_sim_set_noise(sim, -1, noise), DTB_OK);
    *model_out = m;
    return sim;
}

static void hash_state(dtb__sha256 *s, dtb_sim *sim)
{
    size_t need = 0;
    assert_int_equal(dtb_sim_get_state(sim, NULL, 0, &need), DTB_OK);
    double *x = malloc(need * sizeof *x);
    assert_int_equal(dtb_sim_get_state(sim, x, need, &need), DTB_OK);
    int finite = 1;
    for (size_t i = 0; i < need; i++)
        finite &= isfinite(x[i]) != 0;
    assert_true(finite);
    hash_doubles(s, x, need);
    free(x);
}

static void golden_networks(void)
{
    /* bn246-opendtb (the default twin's measured SC, also dense and
     * symmetric) since issue 14: lines of its own, none of the others'
     * changed */
    dtb_atlas *atlases[3] = {tvb76(), NULL, NULL};
    assert_int_equal(dtb_atlas_create_builtin(&atlases[1], "bn246"), DTB_OK);
    assert_int_equal(dtb_atlas_create_builtin(&atlases[2], "bn246-opendtb"), DTB_OK);
    static const double speeds[2] = {INFINITY, 3.0};
    for (int a = 0; a < 3; a++) {
        for (int d = 0; d < 2; d++) {
            char name[96];
            /* one simulation alone */
            dtb_model *m;
            dtb_sim *sim = network_sim(atlases[a], speeds[d], 7, 1e-5, &m);
            dtb__sha256 s;
            dtb__sha256_init(&s);
            for (int k = 0; k < 6; k++) {
                assert_int_equal(dtb_sim_step(sim, 50), DTB_OK);
                hash_state(&s, sim);
            }
            snprintf(name, sizeof name, "network/%s-%s", dtb_atlas_name(atlases[a]),
                     d ? "delay" : "nodelay");
            record(name, &s);
            dtb_sim_free(sim);
            dtb_model_free(m);
            /* a lockstep batch of three with other seeds and noise */
            enum { K = 3 };
            dtb_sim *sims[K];
            dtb_model *models[K];
            for (int k = 0; k < K; k++)
                sims[k] = network_sim(atlases[a], speeds[d], 11 + (uint64_t)k, 1e-5 * (k + 1),
                                      &models[k]);
            dtb__batch *b;
            assert_int_equal(dtb__batch_create(&b, sims, K), DTB_OK);
            dtb__sha256_init(&s);
            for (int k = 1; k <= 6; k++) {
                assert_int_equal(dtb__batch_run_steps(b, 50 * k, NULL), DTB_OK);
                for (size_t j = 0; j < K; j++) {
                    assert_int_equal(dtb__batch_member_status(b, j), DTB_OK);
                    hash_state(&s, sims[j]);
                }
            }
            dtb__batch_free(b);
            snprintf(name, sizeof name, "batch/%s-%s-k3", dtb_atlas_name(atlases[a]),
                     d ? "delay" : "nodelay");
            record(name, &s);
            for (int k = 0; k < K; k++) {
                dtb_sim_free(sims[k]);
                dtb_model_free(models[k]);
            }
        }
    }
    for (int a = 0; a < 3; a++)
        dtb_atlas_free(atlases[a]);
}

/* ---------------------------------------------------------- observers */

static void hash_observer(dtb__sha256 *s, dtb_observer *o)
{
    if (dtb_observer_kind_of(o) >= DTB_OBSERVER_FC && dtb_observer_kind_of(o) <= DTB_OBSERVER_PSD) {
        int64_t rows = 0, cols = 0;
        assert_int_equal(dtb_observer_result(o, NULL, 0, &rows, &cols), DTB_OK);
        double *v = malloc((size_t)(rows * cols + 1) * sizeof *v);
        assert_int_equal(dtb_observer_result(o, v, (size_t)(rows * cols), NULL, NULL), DTB_OK);
        hash_doubles(s, v, (size_t)(rows * cols));
        free(v);
        return;
    }
    int64_t n = dtb_observer_pending(o), cols = dtb_observer_column_count(o);
    assert_true(n > 0);
    double *t = malloc((size_t)n * sizeof *t), *v = malloc((size_t)(n * cols) * sizeof *v);
    size_t read = 0;
    assert_int_equal(dtb_observer_read(o, t, v, (size_t)n, &read), DTB_OK);
    hash_doubles(s, t, read);
    hash_doubles(s, v, read * (size_t)cols);
    free(t);
    free(v);
}

static void golden_observers(void)
{
    static const struct {
        const char *name;
        dtb_observer_kind kind;
        int32_t bold;
        double period;
    } o[] = {
        {"raw", DTB_OBSERVER_RAW, 0, 0},
        {"subsample", DTB_OBSERVER_SUBSAMPLE, 0, 1e-3},
        {"tavg", DTB_OBSERVER_TAVG, 0, 1e-3},
        {"bold-friston2000", DTB_OBSERVER_BOLD, DTB_BOLD_FRISTON2000, 0.1},
        {"bold-friston2003", DTB_OBSERVER_BOLD, DTB_BOLD_FRISTON2003, 0.1},
        {"bold-stephan2007", DTB_OBSERVER_BOLD, DTB_BOLD_STEPHAN2007, 0.1},
        {"bold-opendtb", DTB_OBSERVER_BOLD, DTB_BOLD_OPENDTB, 0.1},
        {"bold-tvb-volterra", DTB_OBSERVER_BOLD, DTB_BOLD_TVB_VOLTERRA, 0.1},
        {"projection-eeg", DTB_OBSERVER_PROJECTION, 0, 1e-3},
        {"fc", DTB_OBSERVER_FC, 0, 0},
        {"fcd", DTB_OBSERVER_FCD, 0, 0},
        {"psd", DTB_OBSERVER_PSD, 0, 0},
    };
    const size_t n_obs = sizeof o / sizeof o[0];
    dtb_atlas *atlas = tvb76();
    run_spec r = {"generic_2d_oscillator", DTB_INTEGRATOR_HEUN, DTB_COUPLING_LINEAR, 0,
                  DTB_NOISE_ADDITIVE, 1e-4, 3.0, 0, 0};
    dtb_model *m;
    dtb_sim *sim = make_sim(&r, atlas, &m);
    assert_int_equal(dtb_model_set_param(m, "a", 1.05), DTB_OK);
    dtb_observer *obs[16];
    for (size_t i = 0; i < n_obs; i++) {
        dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
        oo.kind = o[i].kind;
        oo.period = o[i].period;
        oo.bold_model = o[i].bold;
        oo.variables = "V,W";
        if (o[i].kind >= DTB_OBSERVER_FC)
            oo.source = DTB_OBSERVER_TAVG;
        if (o[i].kind == DTB_OBSERVER_FCD)
            oo.window = 0.2;
        if (o[i].kind == DTB_OBSERVER_PSD)
            oo.window = 0.128;
        if (o[i].kind == DTB_OBSERVER_PROJECTION)
            oo.variables = "V";
        assert_int_equal(dtb_observer_create(&obs[i], sim, &oo), DTB_OK);
    }
    assert_int_equal(dtb_sim_run(sim, 1.0, NULL, NULL), DTB_OK);
    for (size_t i = 0; i < n_obs; i++) {
        char name[96];
        dtb__sha256 s;
        dtb__sha256_init(&s);
        hash_observer(&s, obs[i]);
        snprintf(name, sizeof name, "observer/%s", o[i].name);
        record(name, &s);
        dtb_observer_free(obs[i]);
    }
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

/* ----------------------------------------------------------- stimuli */

static void golden_stimuli(void)
{
    static const struct {
        const char *shape;
        const char *names[4];
        double values[4];
        size_t n;
    } st[] = {
        {"pulse", {"onset", "width", "amplitude"}, {5e-3, 2e-3, 0.5}, 3},
        {"pulse_train", {"onset", "width", "period", "amplitude"}, {1e-3, 1e-3, 4e-3, 0.3}, 4},
        {"biphasic", {"onset", "width", "period", "amplitude"}, {1e-3, 1e-3, 5e-3, 0.3}, 4},
        {"step", {"onset", "amplitude"}, {3e-3, 0.2}, 2},
        {"ramp", {"onset", "duration", "amplitude"}, {1e-3, 10e-3, 0.4}, 3},
        {"sine", {"frequency", "amplitude", "phase"}, {40.0, 0.3, 0.5}, 3},
        {"gaussian", {"mean", "sigma", "amplitude"}, {10e-3, 3e-3, 0.5}, 3},
        {"alpha", {"onset", "tau", "amplitude"}, {2e-3, 3e-3, 0.5}, 3},
        {"poisson", {"rate", "width", "amplitude"}, {200.0, 1e-3, 0.5}, 3},
        {"noise", {"sigma"}, {0.1}, 1},
    };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        dtb_atlas *atlas = tvb76();
        run_spec r = {"generic_2d_oscillator", DTB_INTEGRATOR_HEUN, DTB_COUPLING_LINEAR, 0, -1, 0,
                      3.0, 0, 0};
        dtb_model *m;
        dtb_sim *sim = make_sim(&r, atlas, &m);
        dtb_stimulus *stim;
        assert_int_equal(dtb_stimulus_create(&stim, "V"), DTB_OK);
        assert_int_equal(dtb_stimulus_add(stim, st[i].shape, st[i].names, st[i].values, st[i].n),
                         DTB_OK);
        assert_int_equal(dtb_stimulus_set_seed(stim, 5), DTB_OK);
        assert_int_equal(dtb_sim_add_stimulus(sim, stim), DTB_OK);
        dtb_stimulus_free(stim);
        size_t need = 0;
        assert_int_equal(dtb_sim_get_state(sim, NULL, 0, &need), DTB_OK);
        double *x = malloc(need * sizeof *x);
        dtb__sha256 s;
        dtb__sha256_init(&s);
        for (int k = 0; k < 6; k++) {
            assert_int_equal(dtb_sim_step(sim, 50), DTB_OK);
            assert_int_equal(dtb_sim_get_state(sim, x, need, &need), DTB_OK);
            hash_doubles(&s, x, need);
        }
        char name[96];
        snprintf(name, sizeof name, "stimulus/%s", st[i].shape);
        record(name, &s);
        free(x);
        dtb_sim_free(sim);
        dtb_model_free(m);
        dtb_atlas_free(atlas);
    }
}

/* ----------------------------------------------------------- spiking */

static void hash_spikes(dtb__sha256 *s, dtb_spiking_net *net)
{
    for (int64_t p = 0; p < dtb_spiking_population_count(net); p++) {
        size_t n = 0;
        assert_int_equal(dtb_spiking_get_spikes(net, p, NULL, NULL, 0, &n), DTB_OK);
        int64_t *cells = malloc((n + 1) * sizeof *cells);
        double *t = malloc((n + 1) * sizeof *t);
        assert_int_equal(dtb_spiking_get_spikes(net, p, cells, t, n, &n), DTB_OK);
        dtb__sha256_update(s, cells, n * sizeof *cells);
        hash_doubles(s, t, n);
        free(cells);
        free(t);
    }
}

static void golden_spiking(void)
{
    static const char *const bench[] = {"cuba", "coba", "cobahh"};
    for (int b = 0; b < 3; b++) {
        dtb_spiking_net *net;
        assert_int_equal(dtb_spiking_create_benchmark(&net, bench[b], 4000, 12345), DTB_OK);
        assert_int_equal(dtb_spiking_run(net, 0.3), DTB_OK);
        dtb__sha256 s;
        dtb__sha256_init(&s);
        hash_spikes(&s, net);
        size_t need = 0;
        double v[4000];
        assert_int_equal(dtb_spiking_get_state_values(net, 0, "V", v, 4000, &need), DTB_OK);
        hash_doubles(&s, v, need);
        char name[96];
        snprintf(name, sizeof name, "spiking/%s-4000", bench[b]);
        record(name, &s);
        dtb_spiking_free(net);
    }
    /* every cell model under a bias, its state traced */
    for (int64_t c = 0; c < dtb_spiking_cell_model_count(); c++) {
        const char *model = dtb_spiking_cell_model_name(c);
        dtb_spiking_net *net;
        int64_t pop, rec;
        assert_int_equal(dtb_spiking_create(&net, 2.5e-5, 3), DTB_OK);
        assert_int_equal(dtb_spiking_add_population(net, "p", model, 20, &pop), DTB_OK);
        assert_int_equal(dtb_spiking_add_receptor(net, pop, "e", DTB_SYNAPSE_EXP,
                                                  DTB_SYNAPSE_CONDUCTANCE, 0, 5e-3, 0, &rec), DTB_OK);
        int64_t in;
        assert_int_equal(dtb_spiking_add_poisson(net, pop, rec, 2000.0, 5.0, &in), DTB_OK);
        assert_int_equal(dtb_spiking_record(net, pop, 1), DTB_OK);
        dtb__sha256 s;
        dtb__sha256_init(&s);
        const char *state = dtb_spiking_cell_state_name(model, 0);
        double v[20];
        size_t need = 0;
        for (int k = 0; k < 20; k++) {
            assert_int_equal(dtb_spiking_step(net, 200), DTB_OK);
            assert_int_equal(dtb_spiking_get_state_values(net, pop, state, v, 20, &need), DTB_OK);
            hash_doubles(&s, v, need);
        }
        hash_spikes(&s, net);
        char name[96];
        snprintf(name, sizeof name, "spiking/cell-%s", model);
        record(name, &s);
        dtb_spiking_free(net);
    }
}

/* -------------------------------------------------------------- LEMS */

static void golden_lems(void)
{
    static const struct {
        const char *name, *file;
        const char *cols[4];
        size_t n;
    } l[] = {
        {"lems/hh_Ex1", "NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml",
         {"hhpop[0]/v", "hhpop[0]/naChans/na/m/q", "hhpop[0]/naChans/na/h/q", "hhpop[0]/kChans/k/n/q"}, 4},
        {"lems/adex_Ex8", "NeuroML2/LEMSexamples/LEMS_NML2_Ex8_AdEx.xml",
         {"adExPop1[0]/v", "adExPop1[0]/w", "adExPop4[0]/v", "adExPop4[0]/w"}, 4},
        {"lems/jansen_rit", "OSB-TheVirtualBrainShowcase/TVB_LEMS/LEMS_TestJR.xml",
         {"Pop1[0]/y0", "Pop1[0]/y1", "Pop1[0]/y4", "Pop1[0]/y5"}, 4},
        {"lems/net_Ex3", "NeuroML2/LEMSexamples/LEMS_NML2_Ex3_Net.xml",
         {"hh1pop[0]/v", "hh2pop[0]/v", "hh2pop[0]/syn1exp/g", "hh2pop[2]/synalpha/g"}, 4},
    };
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++) {
        trace t;
        run_shared(l[i].file, l[i].cols, l[i].n, &t);
        dtb__sha256 s;
        dtb__sha256_init(&s);
        hash_doubles(&s, t.v, t.rows * (t.cols + 1));
        record(l[i].name, &s);
        trace_free(&t);
    }
}

/* ------------------------------------------------------------ compare */

static const char *golden_path(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/golden/checksums.txt", DTB_TEST_DATA);
    return path;
}

static void write_file(void)
{
    FILE *f = fopen(golden_path(), "w");
    assert_non_null(f);
    fprintf(f, "# SHA-256 of fixed outputs of libdtb (tests/golden/test_golden.c): today's numbers,\n"
               "# bit for bit, on x86-64 with gcc 12 and glibc 2.36. Change a line only in a commit that\n"
               "# changes those numbers on purpose and says why (DTB_GOLDEN_UPDATE=1 rewrites this file).\n");
    for (size_t i = 0; i < n_got; i++)
        fprintf(f, "%-48s %s\n", got[i].name, got[i].hex);
    fclose(f);
    print_message("wrote %s (%zu lines)\n", golden_path(), n_got);
}

static void test_golden(void **state)
{
    (void)state;
    golden_models();
    golden_integrators();
    golden_couplings();
    golden_networks();
    golden_observers();
    golden_stimuli();
    golden_spiking();
    golden_lems();
    const char *update = getenv("DTB_GOLDEN_UPDATE");
    if (update && strcmp(update, "1") == 0) {
        write_file();
        return;
    }
    char *text = read_text_file(golden_path(), NULL);
    if (!text)
        print_message("no %s: DTB_GOLDEN_UPDATE=1 writes it\n", golden_path());
    assert_non_null(text);
    size_t bad = 0, seen = 0;
    for (char *p = text; p && *p;) {
        char *end = strchr(p, '\n');
        if (end)
            *end = '\0';
        char name[96], hex[65];
        if (*p != '#' && sscanf(p, "%95s %64s", name, hex) == 2) {
            seen++;
            size_t i = 0;
            while (i < n_got && strcmp(got[i].name, name) != 0)
                i++;
            if (i == n_got) {
                print_message("  %s: in the file, no longer computed\n", name);
                bad++;
            } else if (strcmp(got[i].hex, hex) != 0) {
                print_message("  %s: changed (was %.16s..., now %.16s...)\n", name, hex, got[i].hex);
                bad++;
            }
        }
        p = end ? end + 1 : NULL;
    }
    if (seen != n_got) {
        print_message("  %zu outputs computed, %zu in the file\n", n_got, seen);
        bad++;
    }
    free(text);
    if (bad)
        print_message("%zu output(s) differ from %s. If the change is on purpose, rerun with "
                      "DTB_GOLDEN_UPDATE=1 and commit the file saying why.\n", bad, golden_path());
    else
        print_message("%zu outputs, every one bit for bit as recorded\n", n_got);
    assert_int_equal(bad, 0);
}

/* Which copies of the target_clones functions this run uses; the baseline
 * build (tests/avx2) says nothing unless the normal build runs the AVX2
 * copies here, so there a CPU without AVX2 or a build without clones is a
 * visible skip, not a pass. */
static void test_which_copies(void **state)
{
    (void)state;
#if defined(__x86_64__) && defined(__GNUC__)
    const int avx2 = __builtin_cpu_supports("avx2") != 0;
#else
    const int avx2 = 0;
#endif
#ifdef DTB_GOLDEN_BASELINE
    if (!DTB__HAVE_CLONES) {
        print_message("this build makes no AVX2 copies (not gcc on x86-64 Linux, or "
                      "ThreadSanitizer): nothing to compare the baseline with\n");
        skip();
    }
    if (!avx2) {
        print_message("this CPU has no AVX2: the normal build runs the baseline copies too, "
                      "so matching its checksums says nothing\n");
        skip();
    }
    print_message("baseline x86-64 copies only (DTB_NO_TARGET_CLONES); the normal build's golden "
                  "test runs the AVX2 copies on this CPU\n");
#else
    print_message("target_clones functions: %s copies\n",
                  DTB__HAVE_CLONES && avx2 ? "AVX2" : "baseline");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_copies),
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
