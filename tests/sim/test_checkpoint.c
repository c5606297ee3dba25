/* Checkpoints: a run interrupted, saved and resumed in a new process-like
 * setting gives bit-identical output files and state to a run that was
 * never interrupted — with noise, delays, random stimuli, a scheduled
 * change, a lesion, a user coupling, a partial averaging window and an
 * adaptive GSL stepper. Bad files give clear errors and change nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

typedef struct run {
    dtb_sim *sim;
    dtb_observer *csv, *npy;
} run;

static char *tmp(const char *name)
{
    static char buf[8][1024];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", test_tmpdir(), name);
    return buf[i];
}

static run make_run(const char *prefix, dtb_integrator integ, uint32_t obs_flags)
{
    run r;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 5;
    o.speed = 10.0;
    o.integrator = integ;
    assert_int_equal(dtb_sim_create(&r.sim, a, m, &o), DTB_OK);
    dtb_model_free(m);
    dtb_atlas_free(a);
    assert_int_equal(dtb_sim_set_noise(r.sim, -1, 1e-4), DTB_OK);
    const char *pn[] = {"a"};
    const double pv[] = {0.01};
    assert_int_equal(dtb_sim_set_coupling_expressions(r.sim, "tanh(x_j)", "a * gx", pn, pv, 1), DTB_OK);
    dtb_stimulus *s;
    assert_int_equal(dtb_stimulus_create(&s, "V"), DTB_OK);
    const char *sn[] = {"rate", "width", "amplitude"};
    const double sv[] = {200.0, 0.002, 0.5};
    assert_int_equal(dtb_stimulus_add(s, "poisson", sn, sv, 3), DTB_OK);
    const char *nn[] = {"sigma"};
    const double nv[] = {0.05};
    assert_int_equal(dtb_stimulus_add(s, "noise", nn, nv, 1), DTB_OK);
    assert_int_equal(dtb_stimulus_set_labels(s, "A8m_*"), DTB_OK);
    assert_int_equal(dtb_stimulus_set_seed(s, 9), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(r.sim, s), DTB_OK);
    dtb_stimulus_free(s);
    double I = 0.2;
    assert_int_equal(dtb_sim_schedule_param(r.sim, 0.012, "I", &I, 1), DTB_OK);
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_TAVG;
    oo.period = 1e-3;
    oo.variables = "V,W";
    oo.sink = DTB_SINK_CSV;
    oo.flags = obs_flags;
    char path[256];
    snprintf(path, sizeof path, "%s.csv", prefix);
    oo.path = tmp(path);
    assert_int_equal(dtb_observer_create(&r.csv, r.sim, &oo), DTB_OK);
    oo.kind = DTB_OBSERVER_RAW;
    oo.period = 0;   /* raw records every step and takes no period */
    oo.sink = DTB_SINK_NPY;
    snprintf(path, sizeof path, "%s.npy", prefix);
    oo.path = tmp(path);
    assert_int_equal(dtb_observer_create(&r.npy, r.sim, &oo), DTB_OK);
    return r;
}

static void free_run(run *r)
{
    dtb_observer_free(r->csv);
    dtb_observer_free(r->npy);
    dtb_sim_free(r->sim);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = read_text_file(a, &la), *y = read_text_file(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

/* The reference lesions at the same moment as the interrupted run. */
static void resume_case(dtb_integrator integ, const char *tag)
{
    char ref[64], res[64], ck[64];
    snprintf(ref, sizeof ref, "ref_%s", tag);
    snprintf(res, sizeof res, "res_%s", tag);
    snprintf(ck, sizeof ck, "%s.ckpt", tag);
    run a = make_run(ref, integ, 0);
    assert_int_equal(dtb_sim_run_to(a.sim, 0.01035, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_lesion_region(a.sim, 7), DTB_OK);
    assert_int_equal(dtb_sim_run_to(a.sim, 0.025, NULL, NULL), DTB_OK);
    run b = make_run(res, integ, 0);
    assert_int_equal(dtb_sim_run_to(b.sim, 0.01035, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_lesion_region(b.sim, 7), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(b.sim, tmp(ck)), DTB_OK);
    assert_int_equal(dtb_sim_run_to(b.sim, 0.013, NULL, NULL), DTB_OK);   /* then "crashes" */
    free_run(&b);
    run c = make_run(res, integ, DTB_OBSERVER_FLAG_APPEND);
    assert_int_equal(dtb_sim_load_checkpoint(c.sim, tmp(ck)), DTB_OK);
    assert_int_equal(dtb_sim_run_to(c.sim, 0.025, NULL, NULL), DTB_OK);
    size_t n;
    dtb_sim_get_state(a.sim, NULL, 0, &n);
    double *xa = malloc(n * sizeof *xa), *xc = malloc(n * sizeof *xc);
    dtb_sim_get_state(a.sim, xa, n, NULL);
    dtb_sim_get_state(c.sim, xc, n, NULL);
    assert_memory_equal(xa, xc, n * sizeof *xa);
    free(xa);
    free(xc);
    free_run(&a);
    free_run(&c);
    char fa[128], fc[128];
    snprintf(fa, sizeof fa, "%s.csv", ref);
    snprintf(fc, sizeof fc, "%s.csv", res);
    char pa[1024], pc[1024];
    snprintf(pa, sizeof pa, "%s", tmp(fa));
    snprintf(pc, sizeof pc, "%s", tmp(fc));
    assert_same_file(pa, pc);
    snprintf(fa, sizeof fa, "%s.npy", ref);
    snprintf(fc, sizeof fc, "%s.npy", res);
    snprintf(pa, sizeof pa, "%s", tmp(fa));
    snprintf(pc, sizeof pc, "%s", tmp(fc));
    assert_same_file(pa, pc);
}

static void test_resume_heun(void **state)
{
    (void)state;
    resume_case(DTB_INTEGRATOR_HEUN, "heun");
}

static void test_resume_gsl(void **state)
{
    (void)state;
    resume_case(DTB_INTEGRATOR_GSL_RKF45, "rkf45");
}

/* Every observer kind carries state across a checkpoint: BOLD (both
 * Balloon-Windkessel and TVB's Volterra), EEG with observation noise, FC,
 * FCD, PSD, spikes and rates. Their files after an interrupted and resumed
 * run equal those of a run never interrupted. */
static const char *const every_kind[] = {
    "bold", "volterra", "eeg", "fc", "fcd", "psd", "spikes", "rate",
};

static dtb_sim *kinds_run(const char *prefix, uint32_t flags)
{
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 11;
    o.speed = 10.0;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    dtb_model_free(m);
    dtb_atlas_free(a);
    assert_int_equal(dtb_sim_set_noise(sim, -1, 1e-3), DTB_OK);
    for (size_t i = 0; i < sizeof every_kind / sizeof every_kind[0]; i++) {
        dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
        oo.sink = DTB_SINK_CSV;
        oo.flags = flags;
        oo.variables = "V";
        const char *k = every_kind[i];
        if (!strcmp(k, "bold") || !strcmp(k, "volterra")) {
            oo.kind = DTB_OBSERVER_BOLD;
            oo.period = 0.004;
            oo.bold_model = !strcmp(k, "bold") ? DTB_BOLD_FRISTON2003 : DTB_BOLD_TVB_VOLTERRA;
        } else if (!strcmp(k, "eeg")) {
            oo.kind = DTB_OBSERVER_PROJECTION;
            oo.noise = 0.5;
        } else if (!strcmp(k, "fc")) {
            oo.kind = DTB_OBSERVER_FC;
        } else if (!strcmp(k, "fcd")) {
            oo.kind = DTB_OBSERVER_FCD;
            oo.window = 0.004;
            oo.window_step = 0.002;
        } else if (!strcmp(k, "psd")) {
            oo.kind = DTB_OBSERVER_PSD;
            oo.window = 0.008;
        } else {
            oo.kind = !strcmp(k, "spikes") ? DTB_OBSERVER_SPIKES : DTB_OBSERVER_RATE;
            oo.threshold = 0.0;
            oo.period = !strcmp(k, "rate") ? 0.002 : 0.0;
        }
        char name[128];
        snprintf(name, sizeof name, "%s_%s.csv", prefix, k);
        oo.path = tmp(name);
        dtb_observer *obs;
        if (dtb_observer_create(&obs, sim, &oo) != DTB_OK)
            fail_msg("%s: %s", k, dtb_last_error_message());
        dtb_observer_free(obs);   /* the simulation keeps it */
    }
    return sim;
}

static void test_resume_every_observer_kind(void **state)
{
    (void)state;
    dtb_sim *a = kinds_run("kref", 0);
    assert_int_equal(dtb_sim_run_to(a, 0.03, NULL, NULL), DTB_OK);
    dtb_sim_free(a);   /* flushes every file */
    dtb_sim *b = kinds_run("kres", 0);
    assert_int_equal(dtb_sim_run_to(b, 0.0131, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(b, tmp("kinds.ckpt")), DTB_OK);
    assert_int_equal(dtb_sim_run_to(b, 0.017, NULL, NULL), DTB_OK);   /* then "crashes" */
    dtb_sim_free(b);
    dtb_sim *c = kinds_run("kres", DTB_OBSERVER_FLAG_APPEND);
    assert_int_equal(dtb_sim_load_checkpoint(c, tmp("kinds.ckpt")), DTB_OK);
    assert_int_equal(dtb_sim_run_to(c, 0.03, NULL, NULL), DTB_OK);
    dtb_sim_free(c);
    for (size_t i = 0; i < sizeof every_kind / sizeof every_kind[0]; i++) {
        char fa[128], fc[128], pa[1024], pc[1024];
        snprintf(fa, sizeof fa, "kref_%s.csv", every_kind[i]);
        snprintf(fc, sizeof fc, "kres_%s.csv", every_kind[i]);
        snprintf(pa, sizeof pa, "%s", tmp(fa));
        snprintf(pc, sizeof pc, "%s", tmp(fc));
        print_message("checkpoint: %s\n", every_kind[i]);
        assert_same_file(pa, pc);
    }
    /* a different set of observers is refused, naming what differs */
    dtb_sim *d = kinds_run("kbad", 0);
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    dtb_observer *extra;
    assert_int_equal(dtb_observer_create(&extra, d, &oo), DTB_OK);
    dtb_observer_free(extra);
    assert_int_not_equal(dtb_sim_load_checkpoint(d, tmp("kinds.ckpt")), DTB_OK);
    dtb_sim_free(d);
}

/* A checkpoint under each noise kind (the OU process of COLOURED is state
 * of its own): run 300 steps straight, or 120, save, load into a fresh
 * simulation created with the defaults (ADDITIVE, no noise) and run 180
 * more; the final states must be identical bit for bit. Each kind other
 * than ADDITIVE must give a run different from ADDITIVE's, so that the
 * comparison is not between two additive runs. Checked: restoring the
 * kind as ADDITIVE fails at SIGMA, dropping the OU state on load (it is
 * then redrawn) fails at COLOURED. */
/* bn246 x generic_2d_oscillator with delays; `kind` with tau 2 ms and
 * per-region intensities when configure is set, else left at the defaults
 * (ADDITIVE, no noise) for a checkpoint to restore. */
static dtb_sim *noise_sim(dtb_noise_kind kind, int configure)
{
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 21;
    o.speed = 10.0;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    dtb_model_free(m);
    dtb_atlas_free(a);
    if (configure) {
        double D[246];
        for (int k = 0; k < 246; k++)
            D[k] = 1e-4 * (1 + (double)(k % 7));
        assert_int_equal(dtb_sim_set_noise_kind(sim, kind, kind == DTB_NOISE_COLOURED ? 2e-3 : 0.0), DTB_OK);
        assert_int_equal(dtb_sim_set_noise_regions(sim, -1, D, 246), DTB_OK);
    }
    return sim;
}

static void test_resume_every_noise_kind(void **state)
{
    (void)state;
    const size_t len = 2 * 246;
    double *ref = malloc(len * sizeof *ref), *res = malloc(len * sizeof *res);
    double *additive = malloc(len * sizeof *additive);
    const dtb_noise_kind kinds[] = {DTB_NOISE_ADDITIVE, DTB_NOISE_SIGMA, DTB_NOISE_MULTIPLICATIVE,
                                    DTB_NOISE_COLOURED};
    const char *names[] = {"additive", "sigma", "multiplicative", "coloured"};
    for (size_t i = 0; i < 4; i++) {
        char ck[64];
        snprintf(ck, sizeof ck, "noise_%s.ckpt", names[i]);
        dtb_sim *sim = noise_sim(kinds[i], 1);            /* never interrupted */
        assert_int_equal(dtb_sim_step(sim, 300), DTB_OK);
        assert_int_equal(dtb_sim_get_state(sim, ref, len, NULL), DTB_OK);
        dtb_sim_free(sim);
        sim = noise_sim(kinds[i], 1);                     /* interrupted */
        assert_int_equal(dtb_sim_step(sim, 120), DTB_OK);
        assert_int_equal(dtb_sim_save_checkpoint(sim, tmp(ck)), DTB_OK);
        assert_int_equal(dtb_sim_step(sim, 30), DTB_OK);   /* then "crashes" */
        dtb_sim_free(sim);
        sim = noise_sim(kinds[i], 0);                     /* resumed */
        assert_int_equal(dtb_sim_load_checkpoint(sim, tmp(ck)), DTB_OK);
        assert_int_equal(dtb_sim_step(sim, 180), DTB_OK);
        assert_int_equal(dtb_sim_get_state(sim, res, len, NULL), DTB_OK);
        dtb_sim_free(sim);
        double worst = 0;
        for (size_t j = 0; j < len; j++)
            worst = nan_max(worst, fabs(ref[j] - res[j]));
        print_message("  %s: the resumed run differs by %g\n", names[i], worst);
        assert_memory_equal(ref, res, len * sizeof *ref);
        if (i == 0)
            memcpy(additive, ref, len * sizeof *ref);
        else
            assert_memory_not_equal(ref, additive, len * sizeof *ref);
    }
    free(ref);
    free(res);
    free(additive);
}

static void test_bad_checkpoints(void **state)
{
    (void)state;
    run r = make_run("bad", DTB_INTEGRATOR_HEUN, 0);
    assert_int_equal(dtb_sim_run_to(r.sim, 0.002, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(r.sim, tmp("good.ckpt")), DTB_OK);
    size_t len;
    char *data = read_text_file(tmp("good.ckpt"), &len);
    assert_non_null(data);
    size_t n;
    dtb_sim_get_state(r.sim, NULL, 0, &n);
    double *before = malloc(n * sizeof *before), *after = malloc(n * sizeof *after);
    dtb_sim_get_state(r.sim, before, n, NULL);
    /* truncated */
    FILE *f = fopen(tmp("cut.ckpt"), "wb");
    fwrite(data, 1, len / 2, f);
    fclose(f);
    assert_int_equal(dtb_sim_load_checkpoint(r.sim, tmp("cut.ckpt")), DTB_EPARSE);
    assert_error_contains("cut.ckpt");
    /* one flipped byte */
    data[len / 3] ^= 0x20;
    f = fopen(tmp("flip.ckpt"), "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    assert_int_equal(dtb_sim_load_checkpoint(r.sim, tmp("flip.ckpt")), DTB_EPARSE);
    assert_error_contains("checksum");
    /* foreign and missing files */
    assert_int_equal(dtb_sim_load_checkpoint(r.sim, DTB_TEST_DATA "/models/decay.xml"), DTB_EPARSE);
    assert_error_contains("not a libdtb checkpoint");
    assert_int_equal(dtb_sim_load_checkpoint(r.sim, tmp("nothing.ckpt")), DTB_ENOTFOUND);
    dtb_sim_get_state(r.sim, after, n, NULL);
    assert_memory_equal(before, after, n * sizeof *before);
    assert_true(fabs(dtb_sim_time(r.sim) - 0.002) < 1e-12);
    /* another model */
    dtb_atlas *a;
    dtb_model *m;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&m, "wilson_cowan"), DTB_OK);
    dtb_sim *other;
    assert_int_equal(dtb_sim_create(&other, a, m, NULL), DTB_OK);
    assert_int_equal(dtb_sim_load_checkpoint(other, tmp("good.ckpt")), DTB_EINVAL);
    assert_error_contains("different simulation");
    dtb_sim_free(other);
    dtb_model_free(m);
    dtb_atlas_free(a);
    free(before);
    free(after);
    free(data);
    free_run(&r);
}

/* Observers are checked with the rest before anything changes: a file
 * too short to resume (created afresh, not appended to), or another set
 * of observers, leaves the simulation at its start and usable. Checked:
 * the library before the checkpoint walker, which restored observers last
 * and unchecked, fails here (the short file left it at step 40). */
static void test_observer_mismatch_changes_nothing(void **state)
{
    (void)state;
    run a = make_run("obs_a", DTB_INTEGRATOR_HEUN, 0);
    assert_int_equal(dtb_sim_run_to(a.sim, 0.004, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(a.sim, tmp("obs.ckpt")), DTB_OK);
    free_run(&a);
    for (int k = 0; k < 2; k++) {
        run b = make_run(k ? "obs_a" : "obs_b", DTB_INTEGRATOR_HEUN, k ? DTB_OBSERVER_FLAG_APPEND : 0);
        if (k) {
            dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
            dtb_observer *extra;
            assert_int_equal(dtb_observer_create(&extra, b.sim, &oo), DTB_OK);
            dtb_observer_free(extra);
        }
        size_t n;
        dtb_sim_get_state(b.sim, NULL, 0, &n);
        double *before = malloc(n * sizeof *before), *after = malloc(n * sizeof *after);
        dtb_sim_get_state(b.sim, before, n, NULL);
        assert_int_equal(dtb_sim_load_checkpoint(b.sim, tmp("obs.ckpt")), k ? DTB_EINVAL : DTB_ESTATE);
        assert_error_contains(k ? "it has 2 observers, this simulation 3" : "DTB_OBSERVER_FLAG_APPEND");
        assert_int_equal(dtb_sim_step_index(b.sim), 0);
        dtb_sim_get_state(b.sim, after, n, NULL);
        assert_memory_equal(before, after, n * sizeof *before);
        assert_int_equal(dtb_sim_step(b.sim, 3), DTB_OK);
        free(before);
        free(after);
        free_run(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_heun),
        cmocka_unit_test(test_resume_gsl),
        cmocka_unit_test(test_resume_every_observer_kind),
        cmocka_unit_test(test_resume_every_noise_kind),
        cmocka_unit_test(test_bad_checkpoints),
        cmocka_unit_test(test_observer_mismatch_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
