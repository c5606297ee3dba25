/* Virtual surgery and treatment: lesions (a lesioned region's outgoing
 * influence is exactly zero), scaled connections (the same as editing the
 * atlas before the run), conduction speed changes, scheduled parameter
 * changes, and their provenance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

enum { N = 4 };
static const double W[N * N] = {0.0, 0.5, 0.2, 0.0,
                                0.3, 0.0, 0.4, 0.1,
                                0.6, 0.2, 0.0, 0.3,
                                0.1, 0.7, 0.5, 0.0};
static const double L[N * N] = {0, 3, 5, 2,
                                3, 0, 4, 6,
                                5, 4, 0, 1,
                                2, 6, 1, 0};

static dtb_sim *make_sim(const double *weights)
{
    dtb_atlas *a;
    const char *labels[N] = {"R0", "R1", "R2", "R3"};
    assert_int_equal(dtb_atlas_create_from_arrays(&a, N, weights, L, NULL, labels), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = 1.0;
    o.seed = 3;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 0.2), DTB_OK);
    dtb_model_free(m);
    dtb_atlas_free(a);
    return sim;
}

static void state_of(dtb_sim *sim, double *x) { assert_int_equal(dtb_sim_get_state(sim, x, 2 * N, NULL), DTB_OK); }

static void test_lesion_removes_influence(void **state)
{
    (void)state;
    dtb_sim *a = make_sim(W), *b = make_sim(W);
    assert_int_equal(dtb_sim_step(a, 50), DTB_OK);
    assert_int_equal(dtb_sim_step(b, 50), DTB_OK);
    assert_int_equal(dtb_sim_lesion_region(a, 1), DTB_OK);
    assert_int_equal(dtb_sim_lesion_region(b, 1), DTB_OK);
    /* perturb the lesioned region in b only: nobody else may notice */
    double x[2 * N];
    state_of(b, x);
    x[1] += 1.0;
    x[N + 1] -= 0.5;
    assert_int_equal(dtb_sim_set_state(b, x, 2 * N), DTB_OK);
    assert_int_equal(dtb_sim_step(a, 200), DTB_OK);
    assert_int_equal(dtb_sim_step(b, 200), DTB_OK);
    double xa[2 * N], xb[2 * N];
    state_of(a, xa);
    state_of(b, xb);
    for (int k = 0; k < N; k++) {
        if (k == 1)
            continue;
        assert_true(xa[k] == xb[k]);
        assert_true(xa[N + k] == xb[N + k]);
    }
    assert_true(xa[1] != xb[1]);
    /* and its coupling input is zero */
    double c[N];
    assert_int_equal(dtb_sim_get_coupling_input(a, c, N, NULL), DTB_OK);
    assert_true(c[1] == 0.0);
    /* entry 0 is the coupling the simulation was created with */
    assert_int_equal(dtb_sim_provenance_count(a), 2);
    assert_non_null(strstr(dtb_sim_provenance_entry(a, 0), "t=0 s (step 0): coupling linear"));
    assert_non_null(strstr(dtb_sim_provenance_entry(a, 1), "lesion of region 1 'R1'"));
    assert_non_null(strstr(dtb_sim_provenance_entry(a, 1), "t=0.005 s"));
    assert_int_equal(dtb_sim_lesion_region(a, 9), DTB_EINVAL);
    assert_int_equal(dtb_sim_provenance_count(a), 2);
    dtb_sim_free(a);
    dtb_sim_free(b);
}

/* Scaling connections in a running simulation from its start equals
 * editing the atlas before creating it. */
static void test_scale_equals_atlas_edit(void **state)
{
    (void)state;
    double edited[N * N];
    memcpy(edited, W, sizeof edited);
    const int64_t src[] = {2, 3}, tgt[] = {0, 1};
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, N, edited, L, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_scale_connections(a, src, 2, tgt, 2, 0.25), DTB_OK);
    assert_int_equal(dtb_atlas_copy_weights(a, edited, N * N, NULL), DTB_OK);
    assert_true(edited[0 * N + 2] == 0.05 && edited[1 * N + 3] == 0.025 && edited[2 * N + 0] == 0.6);
    assert_int_equal(dtb_atlas_lesion_region(a, 3), DTB_OK);
    assert_true(dtb_atlas_weight(a, 3, 1) == 0.0 && dtb_atlas_weight(a, 2, 3) == 0.0);
    assert_int_equal(dtb_atlas_scale_connections(a, src, 2, tgt, 2, -1), DTB_EINVAL);
    dtb_atlas_free(a);
    memcpy(edited, W, sizeof edited);
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++)
            edited[tgt[t] * N + src[s]] *= 0.25;
    dtb_sim *pre = make_sim(edited), *live = make_sim(W);
    assert_int_equal(dtb_sim_scale_connections(live, src, 2, tgt, 2, 0.25), DTB_OK);
    assert_int_equal(dtb_sim_step(pre, 300), DTB_OK);
    assert_int_equal(dtb_sim_step(live, 300), DTB_OK);
    double x[2 * N], y[2 * N];
    state_of(pre, x);
    state_of(live, y);
    assert_memory_equal(x, y, sizeof x);
    dtb_sim_free(pre);
    dtb_sim_free(live);
}

static void test_speed_change(void **state)
{
    (void)state;
    dtb_sim *sim = make_sim(W);
    assert_int_equal(dtb_sim_horizon(sim), 61);   /* 6 mm at 1 m/s = 6 ms */
    assert_int_equal(dtb_sim_step(sim, 100), DTB_OK);
    assert_int_equal(dtb_sim_set_speed(sim, 2.0), DTB_OK);
    assert_int_equal(dtb_sim_horizon(sim), 31);
    int64_t d[N * N];
    assert_int_equal(dtb_sim_get_delays(sim, d, N * N, NULL), DTB_OK);
    assert_int_equal(d[1 * N + 3], 30);
    assert_int_equal(dtb_sim_step(sim, 100), DTB_OK);
    assert_int_equal(dtb_sim_set_speed(sim, INFINITY), DTB_OK);
    assert_int_equal(dtb_sim_horizon(sim), 1);
    assert_int_equal(dtb_sim_step(sim, 50), DTB_OK);
    assert_int_equal(dtb_sim_set_speed(sim, 0.5), DTB_OK);   /* longer than ever: padded */
    assert_int_equal(dtb_sim_horizon(sim), 121);
    assert_int_equal(dtb_sim_step(sim, 200), DTB_OK);
    double x[2 * N];
    state_of(sim, x);
    for (int i = 0; i < 2 * N; i++)
        assert_true(isfinite(x[i]));
    assert_int_equal(dtb_sim_set_speed(sim, -1), DTB_EINVAL);
    assert_int_equal(dtb_sim_provenance_count(sim), 4);   /* the coupling, three speeds */
    dtb_sim_free(sim);
}

/* A scheduled change equals setting the parameter by hand before that step. */
static void test_scheduled_param(void **state)
{
    (void)state;
    dtb_sim *a = make_sim(W), *b = make_sim(W);
    double values[N] = {-1.5, -2.0, -2.5, -3.0};
    assert_int_equal(dtb_sim_schedule_param(a, 0.0075, "a", values, N), DTB_OK);
    double one = 0.5;
    assert_int_equal(dtb_sim_schedule_param(a, 0.003, "I", &one, 1), DTB_OK);   /* earlier, added later */
    assert_int_equal(dtb_sim_step(b, 30), DTB_OK);
    assert_int_equal(dtb_sim_set_param(b, "I", 0.5), DTB_OK);
    assert_int_equal(dtb_sim_step(b, 45), DTB_OK);
    assert_int_equal(dtb_sim_set_param_regions(b, "a", values, N), DTB_OK);
    assert_int_equal(dtb_sim_step(b, 100), DTB_OK);
    assert_int_equal(dtb_sim_step(a, 175), DTB_OK);
    double x[2 * N], y[2 * N];
    state_of(a, x);
    state_of(b, y);
    assert_memory_equal(x, y, sizeof x);
    assert_int_equal(dtb_sim_provenance_count(a), 3);
    assert_non_null(strstr(dtb_sim_provenance_entry(a, 1), "'I' set to 0.5"));
    assert_non_null(strstr(dtb_sim_provenance_entry(a, 2), "'a' set per region"));
    assert_int_equal(dtb_sim_schedule_param(a, 1.0, "zz", &one, 1), DTB_ENOTFOUND);
    assert_int_equal(dtb_sim_schedule_param(a, 1.0, "a", values, 2), DTB_EINVAL);
    assert_null(dtb_sim_provenance_entry(a, 5));
    dtb_sim_free(a);
    dtb_sim_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesion_removes_influence),
        cmocka_unit_test(test_scale_equals_atlas_edit),
        cmocka_unit_test(test_speed_change),
        cmocka_unit_test(test_scheduled_param),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
