/* See scipy_reference.h. */
#include "scipy_reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

#define MAXS 12
#define MAXSET 32

typedef struct reference {
    char model[64];     /* "# model NAME", else the CSV's name */
    char set_name[MAXSET][32];
    double set_value[MAXSET];
    int n_set;
    double start[MAXS];
    int n_states;
    double sample_ms;   /* "# sample"; 1 ms if absent */
    double *t, *x;      /* rows, rows x n_states */
    int rows, cap;
} reference;

static void read_reference(const char *name, reference *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/models/%s.csv", DTB_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(r, 0, sizeof *r);
    r->sample_ms = 1.0;
    snprintf(r->model, sizeof r->model, "%s", name);
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# set ", 6) == 0) {
            assert_true(r->n_set < MAXSET);
            assert_int_equal(sscanf(line + 6, "%31s %lf", r->set_name[r->n_set],
                                    &r->set_value[r->n_set]), 2);
            r->n_set++;
        } else if (strncmp(line, "# start ", 8) == 0) {
            char *p = line + 8, *end;
            while (r->n_states < MAXS && (r->start[r->n_states] = strtod(p, &end), end != p)) {
                r->n_states++;
                p = end;
            }
        } else if (strncmp(line, "# model ", 8) == 0) {
            assert_int_equal(sscanf(line + 8, "%63s", r->model), 1);
        } else if (strncmp(line, "# sample ", 9) == 0) {
            r->sample_ms = strtod(line + 9, NULL);
        } else {
            assert_true(r->n_states > 0);
            if (r->rows == r->cap) {
                r->cap = r->cap ? 2 * r->cap : 512;
                r->t = realloc(r->t, (size_t)r->cap * sizeof *r->t);
                r->x = realloc(r->x, (size_t)r->cap * (size_t)r->n_states * sizeof *r->x);
                assert_non_null(r->t);
                assert_non_null(r->x);
            }
            char *p = line;
            r->t[r->rows] = strtod(p, &p);
            for (int k = 0; k < r->n_states; k++) {
                assert_int_equal(*p, ',');
                r->x[(size_t)r->rows * (size_t)r->n_states + (size_t)k] = strtod(p + 1, &p);
            }
            r->rows++;
        }
    }
    fclose(f);
    assert_true(r->sample_ms > 0);
}

double scipy_difference(const char *name, int rows, const char *mutate, double factor)
{
    reference r;
    read_reference(name, &r);
    const char *model = r.model;
    assert_int_equal(r.rows, rows);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, model), DTB_OK);
    assert_int_equal(dtb_model_state_count(m), r.n_states);
    for (int i = 0; i < r.n_set; i++) {
        dtb_status st = dtb_model_set_param(m, r.set_name[i], r.set_value[i]);
        if (st)
            print_message("  %s: %s\n", model, dtb_last_error_message());
        assert_int_equal(st, DTB_OK);
    }
    if (mutate) {
        double v;
        assert_int_equal(dtb_model_get_param(m, mutate, &v), DTB_OK);
        assert_true(v != 0);   /* else the mutation changes nothing */
        assert_int_equal(dtb_model_set_param(m, mutate, v * factor), DTB_OK);
    }
    const double w = 0.0;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 1, &w, NULL, NULL, NULL), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-5;   /* 0.01 ms */
    so.speed = INFINITY;
    so.integrator = DTB_INTEGRATOR_RK4;
    so.coupling = DTB_COUPLING_LINEAR;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &so), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_state(sim, r.start, (size_t)r.n_states), DTB_OK);
    const int64_t steps = llround(r.sample_ms / 0.01);
    assert_true(fabs((double)steps * 0.01 - r.sample_ms) < 1e-12);
    double scale[MAXS] = {0};
    for (int j = 0; j < r.rows; j++)
        for (int k = 0; k < r.n_states; k++)
            scale[k] = nan_max(scale[k], fabs(r.x[(size_t)j * (size_t)r.n_states + (size_t)k]));
    for (int k = 0; k < r.n_states; k++)
        if (scale[k] == 0)
            scale[k] = 1;   /* a variable that stays 0: absolute difference */
    double worst = 0, x[MAXS];
    size_t need = 0;
    for (int j = 0; j < r.rows; j++) {
        if (j > 0)
            assert_int_equal(dtb_sim_step(sim, steps), DTB_OK);
        assert_true(fabs(dtb_sim_time(sim) - r.t[j] * 1e-3) < 1e-9);
        assert_int_equal(dtb_sim_get_state(sim, x, MAXS, &need), DTB_OK);
        assert_int_equal(need, (size_t)r.n_states);
        for (int k = 0; k < r.n_states; k++)
            worst = nan_max(worst, fabs(x[k] - r.x[(size_t)j * (size_t)r.n_states + (size_t)k]) /
                                       scale[k]);
    }
    dtb_sim_free(sim);
    dtb_atlas_free(a);
    dtb_model_free(m);
    free(r.t);
    free(r.x);
    return worst;
}

void scipy_check(const char *name, int rows, double bound, const char *mutate)
{
    const char *model = name;
    double e = scipy_difference(name, rows, NULL, 1);
    double e_mut = scipy_difference(name, rows, mutate, 1 + 1e-5);
    print_message("  %-26s largest relative difference %.3g (bound %.2g); %s x (1 + 1e-5): %.3g\n",
                  model, e, bound, mutate, e_mut);
    if (!(e <= bound))
        fail_msg("%s: %.3g from the reference, bound %.2g", model, e, bound);
    if (!(e_mut > bound))
        fail_msg("%s: the mutation %s x (1 + 1e-5) passes (%.3g, bound %.2g)", model, mutate,
                 e_mut, bound);
}
