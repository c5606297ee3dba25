/* A virtual-lesion study: simulate the default twin, remove its strongest
 * hub, simulate again with the same noise, and see how functional
 * connectivity (FC) changed.
 *
 * The twin is the reduced Wong-Wang excitatory-inhibitory model on the
 * built-in bn246 atlas with its delays, balanced by feedback inhibition
 * control (so that both brains sit in the same regime) and driven by
 * noise, with a global coupling G = 0.45 close to where the balanced
 * state loses its stability: there the regions' fluctuations are slow and
 * correlated through the connectome (at weaker coupling the noise
 * dominates the FC and a lesion barely shows; the slow correlations need
 * some 15 s of simulated time to show, hence the default of 20 s). FC is the Pearson correlation of the regions' S_e averaged over
 * 10 ms windows, after a 2 s transient. The hub is the region with the
 * largest total connection weight. The study prints how similar the two
 * FC matrices are, what happened to the hub's own row, and the region
 * pairs whose FC changed most.
 *
 *   cc lesion_study.c $(pkg-config --cflags --libs dtb) -lm -o lesion_study
 *   ./lesion_study [SECONDS]      (simulated time of each run; default 20)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

#define TRANSIENT 2.0   /* s left out of the FC */
#define WINDOW 0.01     /* s per averaged sample */

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, dtb_last_error_message());
    return 1;
}

/* FC (n x n) of the twin, with region `lesioned` removed (-1: intact). */
static int simulate_fc(const dtb_atlas *atlas, int64_t lesioned, double seconds, double *fc)
{
    const size_t n = (size_t)dtb_atlas_region_count(atlas);
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    dtb_observer *tavg = NULL;
    double *samples = NULL;
    int rc = 0;
    int64_t s_e, s_i;
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;   /* dt 0.1 ms, delays at 3 m/s */
    so.integrator = DTB_INTEGRATOR_EULER;
    so.seed = 2026;                              /* the same noise in both runs */
    if (dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh") ||
        dtb_model_set_param(model, "G", 0.45) || dtb_model_find_state(model, "S_e", &s_e) ||
        dtb_model_find_state(model, "S_i", &s_i) || dtb_sim_create(&sim, atlas, model, &so) ||
        dtb_sim_set_coupling_param(sim, "a", 1.0) || dtb_sim_set_noise_kind(sim, DTB_NOISE_SIGMA, 0) ||
        dtb_sim_set_noise(sim, s_e, 0.01) || dtb_sim_set_noise(sim, s_i, 0.001)) {
        rc = fail("twin");
        goto out;
    }
    /* the lesion first, so that the balance is computed for the brain
     * that is simulated */
    if ((lesioned >= 0 && dtb_sim_lesion_region(sim, lesioned)) || dtb_sim_apply_fic(sim, -0.026)) {
        rc = fail("lesion and balance");
        goto out;
    }
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_TAVG;
    oo.period = WINDOW;
    oo.variables = "S_e";
    if (dtb_observer_create(&tavg, sim, &oo) || dtb_sim_run(sim, TRANSIENT, NULL, NULL)) {
        rc = fail("transient");
        goto out;
    }
    size_t got = 0;
    dtb_observer_read(tavg, NULL, NULL, (size_t)dtb_observer_pending(tavg), &got);   /* dropped */
    if (dtb_sim_run(sim, seconds - TRANSIENT, NULL, NULL)) {
        rc = fail("run");
        goto out;
    }
    size_t rows = (size_t)dtb_observer_pending(tavg);
    samples = malloc(rows * n * sizeof *samples);
    if (!samples || dtb_observer_read(tavg, NULL, samples, rows, &got) ||
        dtb_analysis_fc(fc, samples, got, n)) {
        rc = fail("FC");
        goto out;
    }
out:
    free(samples);
    dtb_observer_free(tavg);
    dtb_sim_free(sim);
    dtb_model_free(model);
    return rc;
}

static double mean_abs_offdiag_row(const double *fc, size_t n, size_t k)
{
    double s = 0;
    for (size_t j = 0; j < n; j++)
        if (j != k)
            s += fabs(fc[k * n + j]);
    return s / (double)(n - 1);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 20.0;
    if (!(seconds > TRANSIENT + 1.0)) {
        fprintf(stderr, "usage: %s [SECONDS > %g]\n", argv[0], TRANSIENT + 1.0);
        return 2;
    }
    dtb_atlas *atlas = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246"))
        return fail("atlas");
    const size_t n = (size_t)dtb_atlas_region_count(atlas);
    /* the hub: the largest total weight, in and out */
    int64_t hub = 0;
    double best = -1;
    for (size_t k = 0; k < n; k++) {
        double strength = 0;
        for (size_t j = 0; j < n; j++)
            strength += dtb_atlas_weight(atlas, (int64_t)k, (int64_t)j) +
                        dtb_atlas_weight(atlas, (int64_t)j, (int64_t)k);
        if (strength > best) {
            best = strength;
            hub = (int64_t)k;
        }
    }
    double *before = malloc(n * n * sizeof *before), *after = malloc(n * n * sizeof *after);
    if (!before || !after || simulate_fc(atlas, -1, seconds, before) ||
        simulate_fc(atlas, hub, seconds, after)) {
        free(before);
        free(after);
        dtb_atlas_free(atlas);
        return 1;
    }
    double r;
    dtb_analysis_fc_fit(&r, before, after, n);
    double mean_b = 0, mean_a = 0;
    size_t pairs = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t j = k + 1; j < n; j++, pairs++) {
            mean_b += before[k * n + j];
            mean_a += after[k * n + j];
        }
    printf("Virtual lesion of the hub %s (%s, total weight %.3f; bn246 with SYNTHETIC "
           "connectivity)\n", dtb_atlas_region_label(atlas, hub),
           dtb_atlas_region_lobe(atlas, hub), best);
    printf("reduced Wong-Wang E-I, G = 0.45, FIC, noise, %.0f s per run (FC of 10 ms means after "
           "%.0f s)\n", seconds, TRANSIENT);
    printf("  mean FC over region pairs: %.4f before, %.4f after\n", mean_b / (double)pairs,
           mean_a / (double)pairs);
    printf("  similarity of the two FC matrices (Pearson over pairs): %.4f\n", r);
    printf("  the hub's mean |FC| with the other regions: %.4f before, %.4f after\n",
           mean_abs_offdiag_row(before, n, (size_t)hub), mean_abs_offdiag_row(after, n, (size_t)hub));
    /* the five pairs that changed most */
    printf("  largest changes:\n");
    for (int top = 0; top < 5; top++) {
        size_t bk = 0, bj = 1;
        double bd = -1;
        for (size_t k = 0; k < n; k++)
            for (size_t j = k + 1; j < n; j++) {
                double d = fabs(after[k * n + j] - before[k * n + j]);
                if (d > bd) {
                    bd = d;
                    bk = k;
                    bj = j;
                }
            }
        printf("    %-10s - %-10s %+.4f (%.4f -> %.4f)\n", dtb_atlas_region_label(atlas, (int64_t)bk),
               dtb_atlas_region_label(atlas, (int64_t)bj), after[bk * n + bj] - before[bk * n + bj],
               before[bk * n + bj], after[bk * n + bj]);
        before[bk * n + bj] = after[bk * n + bj];   /* take it out of the next search */
    }
    free(before);
    free(after);
    dtb_atlas_free(atlas);
    return 0;
}
