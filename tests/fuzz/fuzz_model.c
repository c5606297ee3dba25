/* Fuzz harness: model descriptors (NeuroML2/LEMS XML) through the public
 * loader dtb_model_load_string(). A model that loads is also queried
 * (every getter) and simulated for a few steps on a two-region atlas, so
 * that binding and compiling its expressions is exercised too. Load
 * errors are expected; crashes, sanitizer reports and leaks are bugs.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <dtb/dtb.h>

#include "fuzz.h"

static dtb_atlas *pair;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const double w[4] = {0.0, 1.0, 0.5, 0.0};
    static const double lengths[4] = {0.0, 10.0, 10.0, 0.0};
    return dtb_atlas_create_from_arrays(&pair, 2, w, lengths, NULL, NULL) == DTB_OK ? 0 : 1;
}

static void query(const dtb_model *m)
{
    volatile size_t sink = 0;
    sink += (size_t)dtb_model_name(m) + (size_t)dtb_model_description(m) +
            (size_t)dtb_model_reference(m);
    (void)dtb_model_time_scale(m);
    for (int64_t i = -1, n = dtb_model_param_count(m); i <= n; i++) {
        sink += (size_t)dtb_model_param_name(m, i) + (size_t)dtb_model_param_unit(m, i) +
                (size_t)dtb_model_param_description(m, i);
        const char *name = dtb_model_param_name(m, i);
        double v;
        if (name && dtb_model_get_param(m, name, &v) == DTB_OK)
            sink += (size_t)isfinite(v);
    }
    for (int64_t i = -1, n = dtb_model_state_count(m); i <= n; i++) {
        double lo, hi;
        sink += (size_t)dtb_model_state_name(m, i);
        dtb_model_state_bounds(m, i, &lo, &hi);
        dtb_model_state_range(m, i, &lo, &hi);
    }
    for (int64_t i = -1, n = dtb_model_coupling_count(m); i <= n; i++)
        sink += (size_t)dtb_model_coupling_state(m, i) + (size_t)dtb_model_coupling_input(m, i);
    for (int64_t i = -1, n = dtb_model_derived_count(m); i <= n; i++)
        sink += (size_t)dtb_model_derived_name(m, i);
    for (int64_t i = -1, n = dtb_model_voi_count(m); i <= n; i++)
        sink += (size_t)dtb_model_voi_state(m, i) + (size_t)dtb_model_voi_name(m, i);
    (void)sink;
}

static void simulate(const dtb_model *m)
{
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.seed = 1;
    dtb_sim *sim = NULL;
    if (dtb_sim_create(&sim, pair, m, &so) != DTB_OK)
        return;
    dtb_observer *obs = NULL;
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_RAW;
    dtb_observer_create(&obs, sim, &oo);
    dtb_sim_set_noise(sim, -1, 1e-3);
    dtb_sim_step(sim, 4);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtb_model *m = NULL;
    if (dtb_model_load_string(&m, (const char *)data, size, "fuzz.xml", NULL) == DTB_OK) {
        query(m);
        simulate(m);
        dtb_model *copy = NULL;
        if (dtb_model_clone(&copy, m) == DTB_OK)
            dtb_model_free(copy);
        dtb_model_free(m);
    }
    return 0;
}
