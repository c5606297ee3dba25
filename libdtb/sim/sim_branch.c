/* libdtb — branching: a simulation continues from another run's checkpoint.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Virtual surgery compares interventions made from one and the same state.
 * A branch is a simulation built as for a fresh run — its own parameters,
 * weights (lesions), coupling, noise intensities, stimuli and observers —
 * that takes from a checkpoint only where the dynamics are:
 *   the time (step), the state, the delay history and the coupling input,
 *   the noise stream (RNG; unless DTB_SIM_BRANCH_RESEED) and a coloured
 *   noise's Ornstein-Uhlenbeck state (when both use coloured noise),
 *   the random streams of the stimuli the two have in common (the first
 *   ones, in order, with the same target and number of shapes), and the
 *   spiking regions' networks.
 * Everything else is the branch's. So a branch with the checkpointed run's
 * own settings continues that run bit for bit, and one with an
 * intervention differs from it only after the branch time.
 *
 * What must match, each refused with a message naming it: the model, the
 * region count, the state variables, dt, the integrator, the float32
 * coupling mode, and the delay history's length (conduction speed and
 * tract lengths: a history of other delays cannot be continued), and the
 * number of spiking regions. Nothing is changed before all of it is
 * checked. The checkpoint's fields (sim_checkpoint.c) say what a branch
 * takes and what it reads past. */
#include <string.h>

#include "base/sha256.h"
#include "sim.h"

dtb_status dtb__sim_branch(dtb_sim *sim, const char *path, uint32_t flags, char sha256_out[65])
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb_sim_branch_from_checkpoint: NULL argument");
    if (flags & ~(uint32_t)DTB_SIM_BRANCH_RESEED)
        return dtb__error(DTB_EINVAL, "branching from %s: unknown flags 0x%x", path,
                          (unsigned)(flags & ~(uint32_t)DTB_SIM_BRANCH_RESEED));
    if (sim->running || sim->in_batch)
        return dtb__error(DTB_ESTATE, "branching from %s: the simulation is running (or stepped "
                                      "by a lockstep batch)", path);
    if (sim->started || sim->step)
        return dtb__error(DTB_ESTATE, "branching from %s: the simulation has already been stepped "
                                      "(to step %lld); branch a new one", path, (long long)sim->step);
    char hex[65];
    dtb_status st = dtb__sha256_file(path, hex);
    if (st)
        return st;
    st = dtb__checkpoint_apply(sim, path, 1, (flags & DTB_SIM_BRANCH_RESEED) != 0);
    if (!st)
        /* the note carries the time (step) it is made at: the branch's start */
        st = dtb__sim_note(sim, "branched from checkpoint %s (sha256 %s)%s", path, hex,
                           flags & DTB_SIM_BRANCH_RESEED ? ", noise reseeded" : "");
    if (!st && sha256_out)
        memcpy(sha256_out, hex, 65);
    return st;
}

dtb_status dtb_sim_branch_from_checkpoint(dtb_sim *sim, const char *path, uint32_t flags)
{
    return dtb__sim_branch(sim, path, flags, NULL);
}
