/* The default digital twin through the C API: OpenDTB's default twin (the
 * reduced Wong-Wang excitatory-inhibitory model, global coupling G = 0.1,
 * Euler at 0.1 ms, noise sigma 0.01 on S_e and 0.001 on S_i, initial state
 * 0) on OpenDTB's connectome, the built-in bn246-opendtb atlas, with its
 * conduction delays at 3 m/s; 1 s
 * simulated, a 1 ms temporal average kept in memory. It is the simulation
 * `dtb run` performs with no arguments.
 *
 *   cc default_twin.c $(pkg-config --cflags --libs dtb) -o default_twin
 */
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, dtb_last_error_message());
    return 1;
}

int main(void)
{
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    dtb_observer *tavg = NULL;
    int rc = 0;

    if (dtb_atlas_create_builtin(&atlas, "bn246-opendtb"))
        return fail("atlas");
    if (dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh") ||
        dtb_model_set_param(model, "G", 0.1)) {
        rc = fail("model");
        goto out;
    }

    dtb_sim_options opts = DTB_SIM_OPTIONS_INIT;   /* dt 0.1 ms, 3 m/s, linear */
    opts.integrator = DTB_INTEGRATOR_EULER;
    opts.seed = 42;
    if (dtb_sim_create(&sim, atlas, model, &opts)) {
        rc = fail("sim");
        goto out;
    }
    /* Linear coupling a = 1 (the model scales it by G itself); OpenDTB's
     * noise convention, sigma sqrt(dt) z; states start at 0. */
    int64_t s_e, s_i;
    if (dtb_model_find_state(model, "S_e", &s_e) || dtb_model_find_state(model, "S_i", &s_i) ||
        dtb_sim_set_coupling_param(sim, "a", 1.0) ||
        dtb_sim_set_noise_kind(sim, DTB_NOISE_SIGMA, 0.0) || dtb_sim_set_noise(sim, s_e, 0.01) ||
        dtb_sim_set_noise(sim, s_i, 0.001) || dtb_sim_set_initial_value(sim, s_e, 0.0) ||
        dtb_sim_set_initial_value(sim, s_i, 0.0)) {
        rc = fail("sim settings");
        goto out;
    }
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;   /* tavg 1 ms, into memory */
    if (dtb_observer_create(&tavg, sim, &oo)) {
        rc = fail("observer");
        goto out;
    }
    if (dtb_sim_run(sim, 1.0, NULL, NULL)) {
        rc = fail("run");
        goto out;
    }

    int64_t cols = dtb_observer_column_count(tavg);
    int64_t n = dtb_observer_pending(tavg);
    double *times = malloc((size_t)n * sizeof *times);
    double *values = malloc((size_t)(n * cols) * sizeof *values);
    size_t got = 0;
    if (!times || !values || dtb_observer_read(tavg, times, values, (size_t)n, &got)) {
        rc = fail("read");
    } else {
        double last = values[(got - 1) * (size_t)cols];
        printf("%s on %s: %zu samples of %lld columns, t = %.4f s .. %.4f s, last %s = %.6f\n",
               dtb_model_name(model), dtb_atlas_name(atlas), got, (long long)cols, times[0],
               times[got - 1], dtb_observer_column_name(tavg, 0), last);
    }
    free(times);
    free(values);
out:
    dtb_observer_free(tavg);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return rc;
}
