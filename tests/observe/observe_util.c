#include "observe_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

dtb_atlas *isolated_atlas(int64_t n)
{
    double *w = calloc((size_t)(n * n), sizeof *w);
    double *len = calloc((size_t)(n * n), sizeof *len);
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, len, NULL, NULL), DTB_OK);
    free(w);
    free(len);
    return a;
}

static void set_regions(dtb_sim *sim, const char *name, const double *v)
{
    if (v)
        assert_int_equal(dtb_sim_set_param_regions(sim, name, v, (size_t)dtb_sim_region_count(sim)),
                         DTB_OK);
}

dtb_sim *driven_sim(dtb_atlas *atlas, double dt, const double *f, const double *base,
                    const double *amp, const double *phase)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/driven.xml", OBSERVE_DATA);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, path, NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.dt = dt;
    o.integrator = DTB_INTEGRATOR_EULER;
    o.speed = INFINITY;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    dtb_model_free(m);
    set_regions(sim, "f", f);
    set_regions(sim, "base", base);
    set_regions(sim, "amp", amp);
    if (phase)
        assert_int_equal(dtb_sim_set_initial_state(sim, phase, (size_t)dtb_sim_region_count(sim)),
                         DTB_OK);
    return sim;
}

dtb_observer *memory_observer(dtb_sim *sim, dtb_observer_kind kind, double period)
{
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = kind;
    o.period = period;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    return obs;
}

size_t read_all(dtb_observer *obs, double **times, double **values)
{
    size_t n = (size_t)dtb_observer_pending(obs), got;
    size_t cols = (size_t)dtb_observer_column_count(obs);
    *times = malloc((n + 1) * sizeof **times);
    *values = malloc((n * cols + 1) * sizeof **values);
    assert_int_equal(dtb_observer_read(obs, *times, *values, n, &got), DTB_OK);
    assert_int_equal(got, n);
    return n;
}
