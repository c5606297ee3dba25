/* A custom spiking-network driver: build an E/I network of adaptive
 * exponential cells with conductance synapses through the C API, step it
 * yourself, and close a loop between steps: every millisecond the
 * excitatory population rate is measured and the external Poisson drive
 * is adjusted (an integral controller) to hold the rate at a target.
 *
 *   cc spiking_driver.c $(pkg-config --cflags --libs dtb) -o spiking_driver
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

#define CHECK(call)                                                  \
    do {                                                             \
        if ((call) != DTB_OK) {                                      \
            fprintf(stderr, "spiking_driver: %s\n", dtb_last_error_message()); \
            return 1;                                                \
        }                                                            \
    } while (0)

int main(void)
{
    const double dt = 1e-4, target_hz = 8.0;
    dtb_spiking_net *net = NULL;
    int64_t e, i, e_ampa, e_gaba, i_ampa, i_gaba, drive;
    CHECK(dtb_spiking_create(&net, dt, 2026));
    CHECK(dtb_spiking_add_population(net, "E", "adex", 800, &e));
    CHECK(dtb_spiking_add_population(net, "I", "lif", 200, &i));
    /* heterogeneous cells: thresholds and leak spread across the population */
    CHECK(dtb_spiking_set_param(net, e, "V_T", DTB_DIST_NORMAL, -50.4, 1.0));
    CHECK(dtb_spiking_set_param(net, i, "tau_m", DTB_DIST_UNIFORM, 8.0, 12.0));
    CHECK(dtb_spiking_set_state(net, e, "V", DTB_DIST_UNIFORM, -70.0, -55.0));
    CHECK(dtb_spiking_set_state(net, i, "V", DTB_DIST_UNIFORM, -70.0, -55.0));
    /* AMPA-like (bi-exponential, 0.5 / 3 ms, E 0 mV) and GABA-A-like
     * (1 / 8 ms, -80 mV) conductances on both populations */
    CHECK(dtb_spiking_add_receptor(net, e, "ampa", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CONDUCTANCE,
                                   0.5e-3, 3e-3, 0.0, &e_ampa));
    CHECK(dtb_spiking_add_receptor(net, e, "gaba", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CONDUCTANCE,
                                   1e-3, 8e-3, -80.0, &e_gaba));
    CHECK(dtb_spiking_add_receptor(net, i, "ampa", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CONDUCTANCE,
                                   0.5e-3, 3e-3, 0.0, &i_ampa));
    CHECK(dtb_spiking_add_receptor(net, i, "gaba", DTB_SYNAPSE_BIEXP, DTB_SYNAPSE_CONDUCTANCE,
                                   1e-3, 8e-3, -80.0, &i_gaba));
    /* fixed in-degree, weights in nS, delays 1-3 ms drawn per synapse */
    dtb_spiking_connect_options c = DTB_SPIKING_CONNECT_OPTIONS_INIT;
    c.rule = DTB_CONNECT_FIXED_INDEGREE;
    c.delay_dist = DTB_DIST_UNIFORM;
    c.delay_a = 1e-3;
    c.delay_b = 3e-3;
    c.indegree = 80;
    c.weight_a = 0.3;
    CHECK(dtb_spiking_connect(net, e, e, e_ampa, &c, NULL));
    CHECK(dtb_spiking_connect(net, e, i, i_ampa, &c, NULL));
    c.indegree = 20;
    c.weight_a = 4.0;
    CHECK(dtb_spiking_connect(net, i, e, e_gaba, &c, NULL));
    CHECK(dtb_spiking_connect(net, i, i, i_gaba, &c, NULL));
    /* the controlled external drive: independent Poisson trains into E */
    double rate_in = 2000.0;
    CHECK(dtb_spiking_add_poisson(net, e, e_ampa, rate_in, 1.0, &drive));
    CHECK(dtb_spiking_add_poisson(net, i, i_ampa, 1000.0, 1.0, NULL));
    CHECK(dtb_spiking_record(net, e, 1));
    printf("network: %lld E adex + %lld I lif cells, %lld synapses\n",
           (long long)dtb_spiking_population_size(net, e), (long long)dtb_spiking_population_size(net, i),
           (long long)dtb_spiking_synapse_count(net));

    /* the loop: 1 ms of network, then measure and adjust */
    const int steps_per_ms = 10, ms = 2000;
    double smoothed = 0.0, late_sum = 0.0;
    int64_t before = 0;
    for (int k = 0; k < ms; k++) {
        CHECK(dtb_spiking_step(net, steps_per_ms));
        int64_t now = dtb_spiking_spike_count(net, e);
        double rate = (double)(now - before) / 800.0 / 1e-3;   /* Hz in this ms */
        before = now;
        smoothed += (rate - smoothed) * 0.05;                   /* ~20 ms average */
        rate_in += 2.0 * (target_hz - smoothed);                /* integral control */
        if (rate_in < 0.0)
            rate_in = 0.0;
        CHECK(dtb_spiking_set_poisson_rate(net, drive, rate_in));
        if (k % 250 == 249)
            printf("t = %4d ms: E rate %6.2f Hz (target %.0f), drive %7.1f Hz per cell\n", k + 1,
                   smoothed, target_hz, rate_in);
        if (k >= ms - 500)
            late_sum += rate;
    }
    double late = late_sum / 500.0, cv;
    int64_t cells;
    CHECK(dtb_spiking_cv_isi(net, e, 3, &cv, &cells));
    printf("last 500 ms: E rate %.2f Hz; ISI CV %.2f over %lld cells\n", late, cv, (long long)cells);
    dtb_spiking_free(net);
    /* the controller must have brought the rate near the target */
    if (fabs(late - target_hz) > 2.0) {
        fprintf(stderr, "spiking_driver: the rate %.2f Hz missed the target %.0f Hz\n", late,
                target_hz);
        return 1;
    }
    return 0;
}
