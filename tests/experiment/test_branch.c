/* Branching twins (issue 14, item 6): an experiment with the setting
 * "from" starts a new results folder at a checkpoint's time and state.
 * With the checkpointed run's own settings it continues that run bit for
 * bit (delays, noise); an intervention changes it only from its time on;
 * the provenance names the checkpoint by its SHA-256; a branch on another
 * atlas or model, dt, integrator or speed is refused naming what differs,
 * leaving nothing behind; a resume into a new folder says to branch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/sha256.h"
#include "dtb/dtb.h"
#include "io/npy.h"
#include "test_util.h"

static const char *tmp(const char *name)
{
    static char buf[8][4096];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", test_tmpdir(), name);
    return buf[i];
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void add_ok(dtb_experiment *e, const char *name, const char *value)
{
    dtb_status st = dtb_experiment_add(e, name, value);
    if (st)
        fail_msg("%s=%s: %s", name, value ? value : "", dtb_last_error_message());
}

static void run_ok(const dtb_experiment *e, const char *out)
{
    dtb_status st = dtb_experiment_run(e, tmp(out), NULL, NULL);
    if (st)
        fail_msg("run into %s: %s", out, dtb_last_error_message());
}

/* The default twin (delays at 3 m/s, sigma noise) for 40 ms, the raw
 * state of every step. */
static dtb_experiment *twin(void)
{
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    add_ok(e, "duration", "40ms");
    add_ok(e, "observe", "raw");
    add_ok(e, "format", "npy");
    return e;
}

static dtb__npy_array raw(const char *folder)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.npy", tmp(folder));
    dtb__npy_array a;
    assert_int_equal(dtb__npy_read(path, &a), DTB_OK);
    assert_int_equal(a.ndim, 2);
    return a;
}

/* Rows of `branch` against the last rows of `whole`: the index of the
 * first row that differs in any bit, or -1. */
static int64_t first_difference(const dtb__npy_array *whole, const dtb__npy_array *branch)
{
    assert_int_equal(whole->shape[1], branch->shape[1]);
    assert_true(branch->shape[0] <= whole->shape[0]);
    const int64_t cols = whole->shape[1], skip = whole->shape[0] - branch->shape[0];
    for (int64_t r = 0; r < branch->shape[0]; r++)
        if (memcmp(whole->data + (skip + r) * cols, branch->data + r * cols,
                   (size_t)cols * sizeof(double)))
            return r;
    return -1;
}

/* One state, the uninterrupted run and the checkpoint it wrote at 20 ms. */
static void make_state(void)
{
    dtb_experiment *e = twin();
    add_ok(e, "checkpoint-at", "20ms");
    add_ok(e, "checkpoint", tmp("state.ckpt"));
    run_ok(e, "whole");
    dtb_experiment_free(e);
}

static void test_branch_continues_bit_for_bit(void **state)
{
    (void)state;
    make_state();
    dtb_experiment *e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    run_ok(e, "same");
    dtb__npy_array whole = raw("whole"), same = raw("same");
    assert_int_equal(whole.shape[0], 400);
    assert_int_equal(same.shape[0], 200);   /* 20 ms to 40 ms */
    assert_true(fabs(same.data[0] - 0.0201) < 1e-12);   /* t of its first row */
    assert_int_equal(first_difference(&whole, &same), -1);
    dtb__npy_array_free(&same);

    /* reseed: the noise is drawn anew from the branch's start */
    add_ok(e, "reseed", NULL);
    run_ok(e, "reseeded");
    dtb__npy_array re = raw("reseeded");
    assert_int_equal(first_difference(&whole, &re), 0);
    dtb__npy_array_free(&re);
    dtb__npy_array_free(&whole);
    dtb_experiment_free(e);
}

/* The state a branch carries over beyond the state variables: a coloured
 * noise's Ornstein-Uhlenbeck process, a Poisson stimulus's random stream
 * (one in common; the branch adds another), and a lesion timed before the
 * branch time, which the branch applies from its start (a checkpoint holds
 * no weights for a branch). */
static dtb_experiment *stateful(void)
{
    dtb_experiment *e = twin();
    add_ok(e, "noise-kind", "coloured:tau=5ms");
    add_ok(e, "noise", "S_e=1e-4");
    add_ok(e, "stimulus", "poisson:rate=200,width=2ms,amplitude=0.3:regions=0+5:into=I_ext:seed=3");
    add_ok(e, "lesion", "region=A8m_R:at=10ms");
    return e;
}

static void test_branch_carries_noise_stimuli_lesions(void **state)
{
    (void)state;
    dtb_experiment *e = stateful();
    add_ok(e, "checkpoint-at", "20ms");
    add_ok(e, "checkpoint", tmp("stateful.ckpt"));
    run_ok(e, "stateful-whole");
    dtb_experiment_free(e);
    e = stateful();
    add_ok(e, "from", tmp("stateful.ckpt"));
    run_ok(e, "stateful-same");
    dtb__npy_array whole = raw("stateful-whole"), same = raw("stateful-same");
    assert_int_equal(first_difference(&whole, &same), -1);
    dtb__npy_array_free(&same);
    char *prov = read_text_file(tmp("stateful-same/provenance.json"), NULL);
    assert_non_null(strstr(prov, "lesion of region 1 'A8m_R'"));
    free(prov);
    /* another Poisson stimulus, from 30 ms: the first keeps its stream */
    add_ok(e, "stimulus", "poisson:rate=200,width=2ms,amplitude=0.3,onset=30ms:regions=9:"
                          "into=I_ext:seed=4");
    run_ok(e, "stateful-more");
    dtb__npy_array more = raw("stateful-more");
    /* its first pulse is drawn at or after its onset (row 100): 157 with seed 4 */
    int64_t first = first_difference(&whole, &more);
    assert_true(first >= 100);
    assert_int_equal(first, 157);
    dtb__npy_array_free(&more);
    dtb__npy_array_free(&whole);
    dtb_experiment_free(e);
}

/* A stimulus at 30 ms: the branch is the continued run up to it, another
 * one after; a lesion acts from the branch's first step. */
static void test_branch_interventions(void **state)
{
    (void)state;
    dtb__npy_array whole = raw("whole");
    dtb_experiment *e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    add_ok(e, "stimulus", "pulse:onset=30ms,width=5ms,amplitude=0.5:regions=0+1:into=I_ext");
    run_ok(e, "stimulated");
    dtb__npy_array s = raw("stimulated");
    /* row r holds the state after the step from 20 ms + r dt: the first
     * step with the pulse starts at 30 ms, row 100 */
    assert_int_equal(first_difference(&whole, &s), 100);
    dtb__npy_array_free(&s);
    dtb_experiment_free(e);

    e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    add_ok(e, "lesion", "region=A8m_L");
    run_ok(e, "lesioned");
    s = raw("lesioned");
    assert_int_equal(first_difference(&whole, &s), 0);
    dtb__npy_array_free(&s);
    dtb_experiment_free(e);

    /* a parameter change: the branch's own value from its start */
    e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    add_ok(e, "set", "G=0.3");
    run_ok(e, "stronger");
    s = raw("stronger");
    assert_int_equal(first_difference(&whole, &s), 0);
    dtb__npy_array_free(&s);
    dtb__npy_array_free(&whole);
    dtb_experiment_free(e);
}

static void test_branch_provenance(void **state)
{
    (void)state;
    char hex[65], want[200];
    assert_int_equal(dtb__sha256_file(tmp("state.ckpt"), hex), DTB_OK);
    char *prov = read_text_file(tmp("stimulated/provenance.json"), NULL);
    assert_non_null(prov);
    snprintf(want, sizeof want, "\"sha256\": \"%s\", \"time_s\": 0.02}", hex);
    assert_non_null(strstr(prov, "\"branched_from\": {\"checkpoint\": "));
    assert_non_null(strstr(prov, want));
    snprintf(want, sizeof want, "branched from checkpoint %s (sha256 %s)", tmp("state.ckpt"), hex);
    assert_non_null(strstr(prov, want));
    assert_non_null(strstr(prov, "\"resumed_from\": null"));
    free(prov);
    prov = read_text_file(tmp("whole/provenance.json"), NULL);
    assert_non_null(strstr(prov, "\"branched_from\": null"));
    free(prov);
}

/* What a branch must keep, each refused naming it, nothing written. */
static void refused(const char *name, const char *value, const char *needle)
{
    dtb_experiment *e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    if (name)
        add_ok(e, name, value);
    if (name && !strcmp(name, "checkpoint-at"))
        add_ok(e, "checkpoint", tmp("refused.ckpt"));
    assert_int_equal(dtb_experiment_run(e, tmp("refused"), NULL, NULL), DTB_EINVAL);
    assert_error_contains(needle);
    assert_false(exists(tmp("refused")));
    dtb_experiment_free(e);
}

static void test_branch_mismatches(void **state)
{
    (void)state;
    refused("atlas", "bn246", "atlas: 'bn246-opendtb' there, 'bn246' here");
    refused("model", "wilson_cowan", "model: 'reduced_wong_wang_exc_inh' there, 'wilson_cowan' here");
    refused("dt", "0.05ms", "its step dt is 0.0001 s, this simulation's 5e-05 s");
    refused("integrator", "heun", "integrated with euler, this simulation with heun");
    refused("speed", "6", "the speed or the tract lengths differ");
    refused("duration", "20ms", "the checkpoint is at 0.02 s, not before the end of the branch");
    refused("checkpoint-at", "10ms", "checkpoint-at: 0.01 s is before the branch starts");
    /* naming the default atlas is the same atlas */
    dtb_experiment *e = twin();
    add_ok(e, "from", tmp("state.ckpt"));
    add_ok(e, "atlas", "bn246-opendtb");
    add_ok(e, "duration", "21ms");
    run_ok(e, "named");
    dtb_experiment_free(e);
    /* a checkpoint saved through the API (no settings recorded): the
     * simulation's own checks still name the model */
    dtb_atlas *a;
    dtb_model *m;
    dtb_sim *sim;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246-opendtb"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&m, "wilson_cowan"), DTB_OK);
    assert_int_equal(dtb_sim_create(&sim, a, m, NULL), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 3), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(sim, tmp("api.ckpt")), DTB_OK);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
    e = twin();
    add_ok(e, "from", tmp("api.ckpt"));
    assert_int_equal(dtb_experiment_run(e, tmp("refused"), NULL, NULL), DTB_EINVAL);
    assert_error_contains("it is of model 'wilson_cowan', this simulation runs "
                          "'reduced_wong_wang_exc_inh'");
    assert_false(exists(tmp("refused")));
    dtb_experiment_free(e);
}

/* --resume keeps its meaning: it continues the run's own files; into a
 * folder without them it is refused, pointing to branching. */
static void test_resume_is_not_a_branch(void **state)
{
    (void)state;
    dtb_experiment *e = twin();
    add_ok(e, "resume", tmp("state.ckpt"));
    assert_int_equal(dtb_experiment_run(e, tmp("elsewhere"), NULL, NULL), DTB_EINVAL);
    assert_error_contains("branch from it (setting 'from' instead of 'resume')");
    assert_false(exists(tmp("elsewhere")));
    dtb_experiment_free(e);
}

/* The same through dtb_sim_branch_from_checkpoint: a simulation set up
 * like the checkpointed one continues it bit for bit; reseeded, it does
 * not; another model, a stepped simulation and unknown flags are refused
 * and leave it usable. */
static dtb_sim *g2d(const dtb_atlas *atlas, const char *model_name)
{
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, model_name), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 9;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    dtb_model_free(m);
    assert_int_equal(dtb_sim_set_noise(sim, -1, 1e-4), DTB_OK);
    return sim;
}

static double *state_of(dtb_sim *sim, size_t *n)
{
    assert_int_equal(dtb_sim_get_state(sim, NULL, 0, n), DTB_OK);
    double *x = malloc(*n * sizeof *x);
    assert_int_equal(dtb_sim_get_state(sim, x, *n, NULL), DTB_OK);
    return x;
}

static void test_branch_api(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    dtb_sim *a = g2d(atlas, "generic_2d_oscillator");
    assert_int_equal(dtb_sim_step(a, 150), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(a, tmp("api_g2d.ckpt")), DTB_OK);
    assert_int_equal(dtb_sim_step(a, 150), DTB_OK);
    size_t n;
    double *want = state_of(a, &n);

    dtb_sim *b = g2d(atlas, "generic_2d_oscillator");
    assert_int_equal(dtb_sim_branch_from_checkpoint(b, tmp("api_g2d.ckpt"), 0), DTB_OK);
    assert_int_equal(dtb_sim_step_index(b), 150);
    const char *note = dtb_sim_provenance_entry(b, dtb_sim_provenance_count(b) - 1);
    assert_non_null(strstr(note, "branched from checkpoint"));
    assert_non_null(strstr(note, "(sha256 "));
    assert_int_equal(dtb_sim_step(b, 150), DTB_OK);
    size_t nb;
    double *got = state_of(b, &nb);
    assert_int_equal(n, nb);
    assert_memory_equal(want, got, n * sizeof *want);
    free(got);
    /* stepped: a branch is made from a fresh simulation */
    assert_int_equal(dtb_sim_branch_from_checkpoint(b, tmp("api_g2d.ckpt"), 0), DTB_ESTATE);
    assert_error_contains("has already been stepped");
    dtb_sim_free(b);

    b = g2d(atlas, "generic_2d_oscillator");
    assert_int_equal(dtb_sim_branch_from_checkpoint(b, tmp("api_g2d.ckpt"), 0x8), DTB_EINVAL);
    assert_error_contains("unknown flags 0x8");
    assert_int_equal(dtb_sim_branch_from_checkpoint(b, tmp("api_g2d.ckpt"), DTB_SIM_BRANCH_RESEED),
                     DTB_OK);
    assert_int_equal(dtb_sim_step(b, 150), DTB_OK);
    got = state_of(b, &nb);
    assert_true(memcmp(want, got, n * sizeof *want) != 0);
    free(got);
    dtb_sim_free(b);

    b = g2d(atlas, "wilson_cowan");
    assert_int_equal(dtb_sim_branch_from_checkpoint(b, tmp("api_g2d.ckpt"), 0), DTB_EINVAL);
    assert_error_contains("it is of model 'generic_2d_oscillator', this simulation runs 'wilson_cowan'");
    assert_int_equal(dtb_sim_step_index(b), 0);
    assert_int_equal(dtb_sim_step(b, 2), DTB_OK);   /* still usable */
    dtb_sim_free(b);
    assert_int_equal(dtb_sim_branch_from_checkpoint(NULL, tmp("api_g2d.ckpt"), 0), DTB_EINVAL);

    free(want);
    dtb_sim_free(a);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branch_continues_bit_for_bit),
        cmocka_unit_test(test_branch_interventions),
        cmocka_unit_test(test_branch_carries_noise_stimuli_lesions),
        cmocka_unit_test(test_branch_provenance),
        cmocka_unit_test(test_branch_mismatches),
        cmocka_unit_test(test_resume_is_not_a_branch),
        cmocka_unit_test(test_branch_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
