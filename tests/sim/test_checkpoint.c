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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_heun),
        cmocka_unit_test(test_resume_gsl),
        cmocka_unit_test(test_bad_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
