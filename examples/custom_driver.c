/* A custom simulation driver: step the simulation yourself and read the
 * state and the coupling input between steps, here to stop as soon as
 * every region's V has crossed zero once (a simple event detector).
 *
 *   cc custom_driver.c $(pkg-config --cflags --libs dtb) -o custom_driver
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

int main(void)
{
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246") ||
        dtb_model_create_builtin(&model, "generic_2d_oscillator")) {
        fprintf(stderr, "%s\n", dtb_last_error_message());
        return 1;
    }
    /* An oscillating regime (TVB's "Table 4" parameters). */
    dtb_model_set_param(model, "a", 1.05);
    dtb_model_set_param(model, "b", -1.0);
    dtb_model_set_param(model, "d", 0.1);
    dtb_model_set_param(model, "beta", 0.2);
    dtb_model_set_param(model, "gamma", -1.0);
    dtb_model_set_param(model, "e", 0.0);
    dtb_model_set_param(model, "g", 1.0);
    dtb_model_set_param(model, "f", 1.0 / 3.0);
    dtb_model_set_param(model, "tau", 1.25);
    if (dtb_sim_create(&sim, atlas, model, NULL)) {
        fprintf(stderr, "%s\n", dtb_last_error_message());
        return 1;
    }
    int64_t n = dtb_sim_region_count(sim);
    size_t len;
    dtb_sim_get_state(sim, NULL, 0, &len);
    double *x = malloc(len * sizeof *x), *prev = malloc(len * sizeof *prev);
    double *c = malloc((size_t)n * sizeof *c);
    char *crossed = calloc((size_t)n, 1);
    int64_t n_crossed = 0;
    dtb_sim_get_state(sim, prev, len, NULL);
    while (n_crossed < n && dtb_sim_time(sim) < 2.0) {
        if (dtb_sim_step(sim, 1)) {
            fprintf(stderr, "%s\n", dtb_last_error_message());
            break;
        }
        dtb_sim_get_state(sim, x, len, NULL);
        for (int64_t k = 0; k < n; k++) {
            if (!crossed[k] && prev[k] < 0 && x[k] >= 0) {   /* V is state 0 */
                crossed[k] = 1;
                n_crossed++;
            }
        }
        double *t = prev;
        prev = x;
        x = t;
    }
    dtb_sim_get_coupling_input(sim, c, (size_t)n, NULL);
    printf("%lld of %lld regions crossed V = 0 upwards by t = %.1f ms (%lld steps); "
           "coupling input of region 0 now %.6g\n",
           (long long)n_crossed, (long long)n, 1e3 * dtb_sim_time(sim),
           (long long)dtb_sim_step_index(sim), c[0]);
    free(x);
    free(prev);
    free(c);
    free(crossed);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return n_crossed > 0 ? 0 : 1;
}
