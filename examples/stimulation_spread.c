/* Virtual stimulation: drive one region of the default twin with a pulse
 * train and watch the response spread through the connectome with the
 * conduction delays.
 *
 * The twin (reduced Wong-Wang E-I on the built-in bn246 atlas, G = 0.1,
 * 3 m/s, no noise so that the effect is visible against an unstimulated
 * copy) is simulated twice from the same state: once as it is, once with a
 * 40 Hz train of 2 ms pulses of 0.1 nA into I_ext of region A8m_L from
 * t = 50 ms. For the stimulated region and a few others it prints the
 * conduction delay from A8m_L and the first time the stimulated twin's S_e
 * differs from the unstimulated one: no region responds before its delay.
 *
 *   cc stimulation_spread.c $(pkg-config --cflags --libs dtb) -o stimulation_spread
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

#define ONSET 0.050       /* s */
#define DURATION 0.150    /* s */
#define THRESHOLD 1e-12   /* smallest difference in S_e counted as a response */

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, dtb_last_error_message());
    return 1;
}

/* Simulate the twin for DURATION, with or without the stimulus; S_e of
 * every region at every step into s_e[step * n + region]. */
static int simulate(const dtb_atlas *atlas, int stimulate, double *s_e, size_t n_steps)
{
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    dtb_observer *raw = NULL;
    dtb_stimulus *stim = NULL;
    double *times = NULL;
    int rc = 0;
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;   /* dt 0.1 ms, 3 m/s, linear coupling */
    so.integrator = DTB_INTEGRATOR_EULER;
    if (dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh") ||
        dtb_model_set_param(model, "G", 0.1) || dtb_sim_create(&sim, atlas, model, &so) ||
        dtb_sim_set_coupling_param(sim, "a", 1.0) || dtb_sim_set_initial_value(sim, 0, 0.1) ||
        dtb_sim_set_initial_value(sim, 1, 0.04)) {
        rc = fail("twin");
        goto out;
    }
    if (stimulate) {
        const char *names[] = {"onset", "width", "period", "amplitude"};
        const double values[] = {ONSET, 0.002, 0.025, 0.1};
        if (dtb_stimulus_create(&stim, "I_ext") || dtb_stimulus_add(stim, "pulse_train", names, values, 4) ||
            dtb_stimulus_set_labels(stim, "A8m_L") || dtb_sim_add_stimulus(sim, stim)) {
            rc = fail("stimulus");
            goto out;
        }
    }
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_RAW;
    oo.variables = "S_e";
    times = malloc(n_steps * sizeof *times);
    size_t got = 0;
    if (!times || dtb_observer_create(&raw, sim, &oo) || dtb_sim_run(sim, DURATION, NULL, NULL) ||
        dtb_observer_read(raw, times, s_e, n_steps, &got) || got != n_steps) {
        rc = fail("run");
        goto out;
    }
out:
    free(times);
    dtb_stimulus_free(stim);
    dtb_observer_free(raw);
    dtb_sim_free(sim);
    dtb_model_free(model);
    return rc;
}

int main(void)
{
    dtb_atlas *atlas = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246"))
        return fail("atlas");
    const size_t n = (size_t)dtb_atlas_region_count(atlas);
    const double dt = 1e-4, speed = 3.0;   /* the defaults: s, m/s (= mm/ms) */
    const size_t n_steps = (size_t)llround(DURATION / dt);
    double *base = malloc(n_steps * n * sizeof *base), *stim = malloc(n_steps * n * sizeof *stim);
    int64_t source = -1;
    int rc = !base || !stim || dtb_atlas_find_region(atlas, "A8m_L", &source);
    if (!rc)
        rc = simulate(atlas, 0, base, n_steps) || simulate(atlas, 1, stim, n_steps);
    if (rc) {
        free(base);
        free(stim);
        dtb_atlas_free(atlas);
        return 1;
    }
    /* the stimulated region, its mirror, and regions further away */
    const char *labels[] = {"A8m_L", "A8m_R", "A9l_L", "A4ul_L", "A39c_L", "V5/MT+_L",
                            "cCunG_L", "lPFtha_R"};
    printf("40 Hz pulse train into I_ext of A8m_L from t = %.0f ms (reduced Wong-Wang E-I, "
           "bn246, 3 m/s):\n", ONSET * 1e3);
    printf("%-10s %12s %14s %14s\n", "region", "delay (ms)", "response (ms)", "max |dS_e|");
    int early = 0;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        int64_t k;
        if (dtb_atlas_find_region(atlas, labels[i], &k))
            continue;   /* a label this atlas does not have */
        /* delays are rint(length / speed / dt) steps, as the simulation computes them */
        double delay = k == source ? 0.0
                                   : rint(dtb_atlas_tract_length(atlas, k, source) / speed / (dt * 1e3)) * dt;
        double first = -1, peak = 0;
        for (size_t s = 0; s < n_steps; s++) {
            double d = fabs(stim[s * n + (size_t)k] - base[s * n + (size_t)k]);
            if (d > THRESHOLD && first < 0)
                first = (double)(s + 1) * dt;   /* sample s is the state after step s + 1 */
            peak = fmax(peak, d);
        }
        if (first < 0)
            printf("%-10s %12.1f %14s %14.3g\n", labels[i], delay * 1e3, "none", peak);
        else
            printf("%-10s %12.1f %14.1f %14.3g\n", labels[i], delay * 1e3, (first - ONSET) * 1e3, peak);
        /* the stimulated region changes with the first stimulated step;
         * another one no earlier than its delay later (tract lengths grow
         * with distance, so no indirect route is shorter than the direct) */
        if (first >= 0 && first < ONSET + delay + dt - 1e-9)
            early = 1;
    }
    printf("response = first time after the onset that S_e differs from the unstimulated twin\n"
           "(the delay plus the step that feels it and the step that shows it)\n");
    if (early)
        printf("a region responded before its conduction delay: this is a bug\n");
    free(base);
    free(stim);
    dtb_atlas_free(atlas);
    return early;
}
