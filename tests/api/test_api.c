/* The public API as an embedder sees it: linked with the shared library,
 * public headers only. Lifetimes in any free order, NULL handles, option
 * struct versions, error messages, two simulations on two threads. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#include "test_util.h"

static void test_free_order(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    dtb_observer *obs;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "kuramoto"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = INFINITY;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    /* the simulation copied what it needs */
    dtb_atlas_free(atlas);
    dtb_model_free(model);
    assert_int_equal(dtb_observer_create(&obs, sim, NULL), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 2e-3, NULL, NULL), DTB_OK);
    dtb_sim_free(sim);
    assert_int_equal(dtb_observer_pending(obs), 2);
    assert_int_equal(dtb_observer_column_count(obs), 246);
    double t[2];
    size_t n;
    assert_int_equal(dtb_observer_read(obs, t, NULL, 2, &n), DTB_OK);
    assert_int_equal(n, 2);
    dtb_observer_free(obs);
}

/* A callback that runs its own simulation again (re-entrancy): each kind
 * of call must be refused with DTB_ESTATE while the outer run goes on. */
typedef struct reentry {
    dtb_sim *sim;
    int calls;
    dtb_status run, run_to, step, load, observe;
} reentry;

static int32_t reenter(double t, double fraction, void *ud)
{
    (void)t;
    (void)fraction;
    reentry *r = ud;
    if (r->calls++)
        return 0;
    r->run = dtb_sim_run(r->sim, 1e-3, reenter, r);
    r->run_to = dtb_sim_run_to(r->sim, 1.0, NULL, NULL);
    r->step = dtb_sim_step(r->sim, 5);
    r->load = dtb_sim_load_checkpoint(r->sim, "no-such-checkpoint");
    dtb_observer *obs = NULL;
    r->observe = dtb_observer_create(&obs, r->sim, NULL);
    return 0;
}

static void test_reentrant_run(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "kuramoto"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = INFINITY;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    reentry r = {sim, 0, 0, 0, 0, 0, 0};
    assert_int_equal(dtb_sim_run(sim, 2e-3, reenter, &r), DTB_OK);
    assert_int_equal(r.run, DTB_ESTATE);
    assert_non_null(strstr(dtb_last_error_message(), "own callbacks"));
    assert_int_equal(r.run_to, DTB_ESTATE);
    assert_int_equal(r.step, DTB_ESTATE);
    assert_int_equal(r.load, DTB_ESTATE);
    assert_int_equal(r.observe, DTB_ESTATE);
    assert_int_equal(dtb_sim_step_index(sim), 20);   /* the outer run went on, alone */
    assert_int_equal(dtb_sim_run(sim, 1e-3, NULL, NULL), DTB_OK);   /* and it may run again */
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
}

static void test_null_and_misuse(void **state)
{
    (void)state;
    dtb_atlas_free(NULL);
    dtb_model_free(NULL);
    dtb_sim_free(NULL);
    dtb_observer_free(NULL);
    dtb_free(NULL);
    assert_int_equal(dtb_atlas_region_count(NULL), -1);
    assert_int_equal(dtb_sim_region_count(NULL), -1);
    assert_int_equal(dtb_observer_column_count(NULL), -1);
    assert_null(dtb_atlas_region_label(NULL, 0));
    assert_int_equal(dtb_atlas_load(NULL, "bn246", NULL), DTB_EINVAL);
    assert_int_equal(dtb_observer_create(NULL, NULL, NULL), DTB_EINVAL);
    dtb_observer *obs = (dtb_observer *)1;
    assert_int_equal(dtb_observer_create(&obs, NULL, NULL), DTB_EINVAL);
    assert_null(obs);
    assert_int_equal(dtb_sim_run(NULL, 1, NULL, NULL), DTB_EINVAL);
    assert_true(strlen(dtb_last_error_message()) > 0);
    assert_int_equal(dtb_last_error_code(), DTB_EINVAL);
    dtb_sim_request_stop(NULL);
    dtb_clear_error();
    assert_string_equal(dtb_last_error_message(), "");
    for (int s = 0; s >= -11; s--)
        assert_non_null(dtb_status_string((dtb_status)s));
}

static void test_option_versions(void **state)
{
    (void)state;
    dtb_sim_options so;
    dtb_observer_options oo;
    dtb_model_load_options mo;
    dtb_atlas_load_options ao;
    assert_int_equal(dtb_sim_options_init(&so, DTB_SIM_OPTIONS_VERSION), DTB_OK);
    assert_int_equal(so.version, DTB_SIM_OPTIONS_VERSION);
    assert_true(so.dt == 0 && so.speed == 0 && so.seed == 0);
    assert_int_equal(dtb_observer_options_init(&oo, DTB_OBSERVER_OPTIONS_VERSION), DTB_OK);
    assert_int_equal(dtb_model_load_options_init(&mo, DTB_MODEL_LOAD_OPTIONS_VERSION), DTB_OK);
    assert_int_equal(dtb_atlas_load_options_init(&ao, DTB_ATLAS_LOAD_OPTIONS_VERSION), DTB_OK);
    /* the analysis options: every member zero (= default) but the version,
     * over a struct full of garbage; a version from the future refused */
    dtb_psd_options po;
    dtb_fcd_options fo;
    memset(&po, 0xA5, sizeof po);
    memset(&fo, 0xA5, sizeof fo);
    assert_int_equal(dtb_psd_options_init(&po, DTB_PSD_OPTIONS_VERSION), DTB_OK);
    assert_int_equal(dtb_fcd_options_init(&fo, DTB_FCD_OPTIONS_VERSION), DTB_OK);
    assert_true(po.version == DTB_PSD_OPTIONS_VERSION && po.window == 0 && po.segment == 0 &&
                po.overlap == 0 && po.flags == 0 && po.reserved == 0);
    assert_true(fo.version == DTB_FCD_OPTIONS_VERSION && fo.method == 0 && fo.compare == 0 &&
                fo.order == 0 && fo.window == 0 && fo.step == 0 && fo.f_lo == 0 && fo.f_hi == 0);
    assert_int_equal(dtb_psd_options_init(&po, DTB_PSD_OPTIONS_VERSION + 1), DTB_EINVAL);
    assert_int_equal(dtb_fcd_options_init(&fo, 0), DTB_EINVAL);
    assert_int_equal(dtb_fcd_options_init(NULL, DTB_FCD_OPTIONS_VERSION), DTB_EINVAL);
    assert_int_equal(dtb_sim_options_init(&so, DTB_SIM_OPTIONS_VERSION + 1), DTB_EINVAL);
    assert_int_equal(dtb_observer_options_init(&oo, 0), DTB_EINVAL);
    assert_int_equal(dtb_sim_options_init(NULL, 1), DTB_EINVAL);
    /* a struct from a newer library version is refused, not misread */
    dtb_atlas *a;
    dtb_model *m;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&m, "kuramoto"), DTB_OK);
    so.version = DTB_SIM_OPTIONS_VERSION + 1;
    dtb_sim *sim = (dtb_sim *)1;
    assert_int_equal(dtb_sim_create(&sim, a, m, &so), DTB_EINVAL);
    assert_null(sim);
    assert_error_contains("dtb_sim_options");
    dtb_model_free(m);
    dtb_atlas_free(a);
    assert_true(dtb_version_number() == DTB_VERSION_NUMBER);
    assert_true(DTB_CHECK_VERSION(0, 1, 0));
}

/* Two simulations on two threads: same seed, same numbers, no interference
 * (also exercises the thread-local error slot). */
typedef struct job {
    double final[246];
    int ok;
    int fail_on_purpose;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    dtb_atlas *a = NULL;
    dtb_model *m = NULL;
    dtb_sim *sim = NULL;
    j->ok = 0;
    if (dtb_atlas_create_builtin(&a, "bn246") || dtb_model_create_builtin(&m, "generic_2d_oscillator"))
        goto out;
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 11;
    if (dtb_sim_create(&sim, a, m, &o) || dtb_sim_set_noise(sim, -1, 1e-4))
        goto out;
    if (j->fail_on_purpose && dtb_sim_set_param(sim, "not_a_param", 1) != DTB_ENOTFOUND)
        goto out;
    if (dtb_sim_run(sim, 0.05, NULL, NULL))
        goto out;
    size_t needed;
    dtb_sim_get_state(sim, NULL, 0, &needed);
    double *x = malloc(needed * sizeof *x);
    if (x && dtb_sim_get_state(sim, x, needed, NULL) == DTB_OK) {
        memcpy(j->final, x, sizeof j->final);
        /* the error of the other thread never shows up here */
        j->ok = j->fail_on_purpose ? strstr(dtb_last_error_message(), "not_a_param") != NULL
                                   : dtb_last_error_code() == DTB_OK;
    }
    free(x);
out:
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
    return NULL;
}

static void test_two_threads(void **state)
{
    (void)state;
    job a = {.fail_on_purpose = 1}, b = {.fail_on_purpose = 0};
    pthread_t ta, tb;
    dtb_clear_error();
    assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_true(a.ok);
    assert_true(b.ok);
    assert_memory_equal(a.final, b.final, sizeof a.final);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_order), cmocka_unit_test(test_null_and_misuse),
        cmocka_unit_test(test_reentrant_run),
        cmocka_unit_test(test_option_versions), cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
