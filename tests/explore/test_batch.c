/* Lockstep batches (sim/sim_batch.c, network/gather_lanes.c): K simulations
 * stepped together give, member by member, the same bits as each stepped
 * alone — on every gather path (far edges, near edges, dense delay-free
 * symmetric and not), every coupling kind (raw and pre-transformed
 * channels, functions of the target's own value), with members that differ
 * in parameters, coupling, noise, seed, stimuli and integrator, and with a
 * member that fails on the way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "sim/sim.h"
#include "sim/sim_batch.h"
#include "test_util.h"

typedef struct member_setup {
    const char *model;
    double speed;                /* 0: 3 m/s */
    int32_t coupling;            /* dtb_coupling_kind, 0: linear */
    const char *cparam;          /* coupling parameter to set, NULL: none */
    double cvalue;
    const char *param;           /* model parameter to set, NULL: none */
    double value;
    double noise;
    uint64_t seed;
    int32_t integrator;
    int per_region;              /* give `param` a different value in every region */
    int stimulus;                /* add a pulse train on the first state variable */
} member_setup;

static dtb_atlas *atlas_of(const char *name, int asymmetric)
{
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_load(&a, name, NULL), DTB_OK);
    if (asymmetric)   /* a directed edge breaks the symmetric dense path */
        assert_int_equal(dtb_atlas_set_weight(a, 0, 5, 3.5 + dtb_atlas_weight(a, 0, 5)), DTB_OK);
    return a;
}

static dtb_sim *make(const dtb_atlas *atlas, const member_setup *m, dtb_observer **obs)
{
    dtb_model *model = NULL;
    assert_int_equal(dtb_model_create_builtin(&model, m->model), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = m->speed;
    o.coupling = m->coupling;
    o.seed = m->seed;
    o.integrator = m->integrator;
    dtb_sim *sim = NULL;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    dtb_model_free(model);
    if (m->cparam)
        assert_int_equal(dtb_sim_set_coupling_param(sim, m->cparam, m->cvalue), DTB_OK);
    if (m->param && !m->per_region)
        assert_int_equal(dtb_sim_set_param(sim, m->param, m->value), DTB_OK);
    if (m->param && m->per_region) {
        size_t n = (size_t)dtb_sim_region_count(sim);
        double *v = malloc(n * sizeof *v);
        for (size_t k = 0; k < n; k++)
            v[k] = m->value * (1.0 + 0.01 * (double)(k % 7));
        assert_int_equal(dtb_sim_set_param_regions(sim, m->param, v, n), DTB_OK);
        free(v);
    }
    if (m->noise > 0)
        assert_int_equal(dtb_sim_set_noise(sim, -1, m->noise), DTB_OK);
    if (m->stimulus) {
        dtb_stimulus *s = NULL;
        assert_int_equal(dtb_stimulus_create(&s, "V"), DTB_OK);
        static const char *const names[] = {"onset", "width", "period", "amplitude"};
        const double values[] = {0.002, 0.001, 0.004, 0.5};
        assert_int_equal(dtb_stimulus_add(s, "pulse_train", names, values, 4), DTB_OK);
        int64_t regions[2] = {1, 3};
        assert_int_equal(dtb_stimulus_set_regions(s, regions, 2), DTB_OK);
        assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
        dtb_stimulus_free(s);
    }
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_TAVG;
    oo.period = 1e-3;
    assert_int_equal(dtb_observer_create(obs, sim, &oo), DTB_OK);
    return sim;
}

static size_t state_len(const dtb_sim *sim)
{
    size_t n = 0;
    dtb_sim_get_state(sim, NULL, 0, &n);
    return n;
}

/* Step K members alone and in a batch; every member's state, history use
 * (the states of later steps) and observer samples agree bit for bit. */
static size_t check_batch(const char *atlas_name, int asymmetric, const member_setup *m, size_t K,
                          int64_t steps)
{
    size_t failed = 0;
    dtb_atlas *atlas = atlas_of(atlas_name, asymmetric);
    dtb_sim *alone[8], *batched[8];
    dtb_observer *oa[8], *ob[8];
    dtb_status st_alone[8];
    for (size_t p = 0; p < K; p++) {
        alone[p] = make(atlas, &m[p], &oa[p]);
        batched[p] = make(atlas, &m[p], &ob[p]);
        st_alone[p] = dtb_sim_step(alone[p], steps);
        failed += st_alone[p] != DTB_OK;
        dtb_clear_error();
    }
    dtb__batch *b = NULL;
    assert_int_equal(dtb__batch_create(&b, batched, K), DTB_OK);
    /* in two calls: the batch keeps its far-edge block across them */
    assert_int_equal(dtb__batch_run_steps(b, steps / 3, NULL), DTB_OK);
    assert_int_equal(dtb__batch_run_steps(b, steps, NULL), DTB_OK);
    for (size_t p = 0; p < K; p++) {
        assert_int_equal(dtb__batch_member_status(b, p), st_alone[p]);
        assert_int_equal(dtb_sim_step_index(batched[p]), dtb_sim_step_index(alone[p]));
    }
    dtb__batch_free(b);
    for (size_t p = 0; p < K; p++) {
        size_t len = state_len(alone[p]);
        double *xa = malloc(len * sizeof *xa), *xb = malloc(len * sizeof *xb);
        assert_int_equal(dtb_sim_get_state(alone[p], xa, len, NULL), DTB_OK);
        assert_int_equal(dtb_sim_get_state(batched[p], xb, len, NULL), DTB_OK);
        if (!st_alone[p])
            assert_memory_equal(xa, xb, len * sizeof *xa);
        /* the samples recorded on the way */
        int64_t na = dtb_observer_pending(oa[p]), nb = dtb_observer_pending(ob[p]);
        assert_int_equal(na, nb);
        size_t cols = (size_t)dtb_observer_column_count(oa[p]);
        double *sa = malloc((size_t)na * cols * sizeof *sa + 1), *sb = malloc((size_t)na * cols * sizeof *sb + 1);
        size_t ra, rb;
        assert_int_equal(dtb_observer_read(oa[p], NULL, sa, (size_t)na, &ra), DTB_OK);
        assert_int_equal(dtb_observer_read(ob[p], NULL, sb, (size_t)na, &rb), DTB_OK);
        assert_memory_equal(sa, sb, ra * cols * sizeof *sa);
        free(sa);
        free(sb);
        /* after the batch the member goes on alone from its history */
        if (!st_alone[p]) {
            assert_int_equal(dtb_sim_step(alone[p], 37), DTB_OK);
            assert_int_equal(dtb_sim_step(batched[p], 37), DTB_OK);
            assert_int_equal(dtb_sim_get_state(alone[p], xa, len, NULL), DTB_OK);
            assert_int_equal(dtb_sim_get_state(batched[p], xb, len, NULL), DTB_OK);
            assert_memory_equal(xa, xb, len * sizeof *xa);
        }
        free(xa);
        free(xb);
        dtb_observer_free(oa[p]);
        dtb_observer_free(ob[p]);
        dtb_sim_free(alone[p]);
        dtb_sim_free(batched[p]);
    }
    dtb_atlas_free(atlas);
    return failed;
}

#define G2D "generic_2d_oscillator"

/* bn246 with delays: every edge far; members differ in everything a
 * sweep varies. */
static void test_far_edges(void **state)
{
    (void)state;
    const member_setup m[5] = {
        {G2D, 0, 0, "a", 0.0152, "a", 1.05, 1e-4, 1, 0, 0, 0},
        {G2D, 0, 0, "a", 0.02, "a", 0.9, 1e-4, 2, 0, 0, 0},
        {G2D, 0, 0, "a", 0.0152, "a", 1.05, 0, 3, DTB_INTEGRATOR_RK4, 1, 0},
        {G2D, 0, 0, "b", 0.01, "d", 0.05, 2e-4, 4, DTB_INTEGRATOR_EULER, 0, 1},
        {G2D, 0, 0, "a", 0.03, NULL, 0, 1e-3, 5, 0, 0, 0},
    };
    check_batch("bn246", 0, m, 5, 300);
}

/* Fast conduction on tvb76: near edges (delays under a block) and far ones. */
static void test_near_and_far_edges(void **state)
{
    (void)state;
    const member_setup m[3] = {
        {G2D, 60, 0, "a", 0.0152, "a", 1.05, 1e-4, 1, 0, 0, 0},
        {G2D, 60, 0, "a", 0.05, "a", 0.8, 1e-4, 2, 0, 0, 1},
        {G2D, 60, 0, NULL, 0, "tau", 1.5, 0, 3, 0, 1, 0},
    };
    check_batch(shared_path("atlases/tvb76"), 0, m, 3, 250);
}

/* No delays: the dense symmetric path, and the plain dense one. */
static void test_dense_paths(void **state)
{
    (void)state;
    const member_setup m[4] = {
        {G2D, INFINITY, 0, "a", 0.0152, "a", 1.05, 1e-4, 1, 0, 0, 0},
        {G2D, INFINITY, 0, "a", 0.02, "a", 1.0, 1e-4, 2, 0, 0, 0},
        {G2D, INFINITY, 0, "a", 0.01, NULL, 0, 0, 3, 0, 0, 1},
        {G2D, INFINITY, 0, "a", 0.015, "a", 0.95, 1e-3, 4, 0, 1, 0},
    };
    check_batch("bn246", 0, m, 4, 120);
    check_batch("bn246", 1, m, 4, 120);
}

/* Coupling functions with pre-transformed channels and functions of the
 * target's own value. */
static void test_coupling_kinds(void **state)
{
    (void)state;
    const char *tvb76 = shared_path("atlases/tvb76");
    const member_setup diff[3] = {
        {G2D, 0, DTB_COUPLING_DIFFERENCE, "a", 0.1, NULL, 0, 1e-4, 1, 0, 0, 0},
        {G2D, 0, DTB_COUPLING_DIFFERENCE, "a", 0.05, "a", 1.1, 1e-4, 2, 0, 0, 0},
        {G2D, 0, DTB_COUPLING_DIFFERENCE, "a", 0.2, NULL, 0, 0, 3, 0, 0, 0},
    };
    check_batch(tvb76, 0, diff, 3, 200);
    const member_setup kur[3] = {
        {"kuramoto", 0, DTB_COUPLING_KURAMOTO, "a", 0.5, NULL, 0, 1e-3, 1, 0, 0, 0},
        {"kuramoto", 0, DTB_COUPLING_KURAMOTO, "a", 1.0, "omega", 1.2, 1e-3, 2, 0, 1, 0},
        {"kuramoto", 0, DTB_COUPLING_KURAMOTO, "a", 2.0, NULL, 0, 0, 3, 0, 0, 0},
    };
    check_batch(tvb76, 0, kur, 3, 200);
    const member_setup tanh_c[2] = {
        {G2D, 0, DTB_COUPLING_HYPERBOLIC_TANGENT, "a", 0.01, NULL, 0, 1e-4, 1, 0, 0, 0},
        {G2D, 0, DTB_COUPLING_HYPERBOLIC_TANGENT, "a", 0.02, NULL, 0, 1e-4, 2, 0, 0, 0},
    };
    check_batch(tvb76, 0, tanh_c, 2, 200);
    const member_setup sig[2] = {
        {G2D, 0, DTB_COUPLING_SIGMOIDAL, "a", 1.0, NULL, 0, 1e-4, 1, 0, 0, 0},
        {G2D, 0, DTB_COUPLING_SIGMOIDAL, "midpoint", 0.2, NULL, 0, 1e-4, 2, 0, 0, 0},
    };
    check_batch(tvb76, 0, sig, 2, 200);
    const member_setup jr[2] = {
        {"jansen_rit", 0, DTB_COUPLING_SIGMOIDAL_JANSEN_RIT, "a", 1.0, NULL, 0, 1e-5, 1, 0, 0, 0},
        {"jansen_rit", 0, DTB_COUPLING_SIGMOIDAL_JANSEN_RIT, "a", 2.0, NULL, 0, 1e-5, 2, 0, 0, 0},
    };
    check_batch(tvb76, 0, jr, 2, 200);
}

/* A member that blows up stops with the error it has alone; the others
 * are not disturbed. */
static void test_failing_member(void **state)
{
    (void)state;
    const member_setup m[3] = {
        {G2D, 0, 0, "a", 0.0152, NULL, 0, 1e-4, 1, DTB_INTEGRATOR_EULER, 0, 0},
        {G2D, 0, 0, "a", 1e6, "tau", 1e-3, 0, 2, DTB_INTEGRATOR_EULER, 0, 0},
        {G2D, 0, 0, "a", 0.02, NULL, 0, 1e-4, 3, DTB_INTEGRATOR_EULER, 0, 0},
    };
    assert_int_equal(check_batch(shared_path("atlases/tvb76"), 0, m, 3, 400), 1);
}

/* What cannot share a batch is refused, and a batched member cannot be
 * stepped alone. */
static void test_compatibility(void **state)
{
    (void)state;
    dtb_atlas *atlas = atlas_of(shared_path("atlases/tvb76"), 0);
    const member_setup a = {G2D, 0, 0, NULL, 0, NULL, 0, 0, 1, 0, 0, 0};
    member_setup slow = a;
    slow.speed = 10;
    dtb_observer *o1, *o2, *o3;
    dtb_sim *s1 = make(atlas, &a, &o1), *s2 = make(atlas, &slow, &o2), *s3 = make(atlas, &a, &o3);
    assert_false(dtb__batch_compatible(s1, s2));
    assert_true(dtb__batch_compatible(s1, s3));
    dtb_sim *pair[2] = {s1, s2};
    dtb__batch *b = NULL;
    assert_int_equal(dtb__batch_create(&b, pair, 2), DTB_EINVAL);
    assert_int_equal(dtb_sim_step(s3, 3), DTB_OK);
    assert_false(dtb__batch_compatible(s1, s3));   /* another step */
    pair[1] = s1;
    dtb_sim *one[1] = {s1};
    assert_int_equal(dtb__batch_create(&b, one, 1), DTB_OK);
    assert_int_equal(dtb_sim_step(s1, 1), DTB_ESTATE);
    dtb__batch_free(b);
    assert_int_equal(dtb_sim_step(s1, 1), DTB_OK);
    dtb_observer_free(o1);
    dtb_observer_free(o2);
    dtb_observer_free(o3);
    dtb_sim_free(s1);
    dtb_sim_free(s2);
    dtb_sim_free(s3);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_far_edges),
        cmocka_unit_test(test_near_and_far_edges),
        cmocka_unit_test(test_dense_paths),
        cmocka_unit_test(test_coupling_kinds),
        cmocka_unit_test(test_failing_member),
        cmocka_unit_test(test_compatibility),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
