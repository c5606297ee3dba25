/* libdtb internal — lockstep batches: K simulations of one network stepped
 * together (sim_batch.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The members may differ in everything but the network: parameters (also
 * per region), coupling parameters, noise and seed, stimuli, observers,
 * integrator. What they share — regions, weights, delays, dt, the coupling
 * kind, the step they are at — lets one interleaved history serve all of
 * them: every history read and coupling sum is done once for K lanes
 * (network/gather_lanes.c). Each member's numbers are bit for bit those of
 * stepping it alone. */
#ifndef DTB_SIM_BATCH_H
#define DTB_SIM_BATCH_H

#include <stddef.h>

#include "dtb/dtb_sim.h"

#define DTB__BATCH_MAX 64

typedef struct dtb__batch dtb__batch;

/* Can b be stepped in one batch with a? (Same regions, weights, delays,
 * dt, coupling kind and channels, step index; neither in TVB's float32
 * coupling mode; neither in another batch.) */
int dtb__batch_compatible(const dtb_sim *a, const dtb_sim *b);

/* Make a batch of k >= 1 compatible simulations (each compatible with the
 * first). While the batch lives its members' histories live in it: step
 * them only through the batch. */
dtb_status dtb__batch_create(dtb__batch **out, dtb_sim *const *sims, size_t k);

/* Step every member still running until it has done `target` steps. A
 * member that fails (non-finite state, an observer's error, a stop
 * request) stops there with its status and message, as it would alone;
 * the others go on. Returns DTB_ECANCELLED as soon as *stop (may be NULL)
 * becomes non-zero, else DTB_OK. */
dtb_status dtb__batch_run_steps(dtb__batch *b, int64_t target, const volatile int *stop);

dtb_status dtb__batch_member_status(const dtb__batch *b, size_t member);
const char *dtb__batch_member_message(const dtb__batch *b, size_t member);

/* Give every member its history back (so that it can go on alone) and
 * free the batch. NULL is accepted. */
void dtb__batch_free(dtb__batch *b);

#endif
