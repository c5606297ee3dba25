/* Test helper: the rate of a spiking region inside the bn246 twin.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "twin_region.h"

double twin_region_rate(double a, twin_region_add add, const void *ud, int steps, int settle)
{
    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    assert_int_equal(dtb_atlas_load(&atlas, "bn246", NULL), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = 5;
    o.integrator = DTB_INTEGRATOR_EULER;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_param(sim, "G", 0.1), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", a), DTB_OK);
    add(sim, ud);
    double sum = 0;
    for (int k = 0; k < steps; k++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        if (k >= settle)
            sum += dtb_sim_spiking_rate(sim, 0);
    }
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return sum / (steps - settle);
}

void twin_region_add_builtin(dtb_sim *sim, const void *cell)
{
    dtb_spiking_region_options so = DTB_SPIKING_REGION_OPTIONS_INIT;
    so.n = 400;
    assert_int_equal(dtb_sim_add_spiking_region(sim, 0, (const char *)cell, &so), DTB_OK);
}
