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
 * checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "observe/observer.h"
#include "sim.h"
#include "sim_checkpoint.h"
#include "spiking/spiking.h"

static dtb_status differs(const char *path, const char *fmt, ...) DTB__PRINTF(2, 3);

/* What differs, named, and what a branch keeps. */
static dtb_status differs(const char *path, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return dtb__error(DTB_EINVAL, "%s: cannot branch from this checkpoint: %s (a branch keeps the "
                                  "model, regions, step, integrator and delays of the run it "
                                  "branches from)", path, what);
}

static dtb_status truncated(const char *path)
{
    return dtb__error(DTB_EPARSE, "%s: truncated or damaged checkpoint", path);
}

/* The fingerprint, field by field, with the mismatch named. */
static dtb_status check_fingerprint(const dtb_sim *sim, dtb__reader *r, const char *path)
{
    const dtb__model_core *c = sim->core;
    const char *name;
    size_t len;
    int64_t n;
    uint64_t ns, np, ncv;
    dtb__read_strview(r, &name, &len);
    dtb__read_i64(r, &n);
    dtb__read_u64(r, &ns);
    dtb__read_u64(r, &np);
    dtb__read_u64(r, &ncv);
    if (r->bad)
        return truncated(path);
    if (len != strlen(c->name) || memcmp(name, c->name, len)) {
        return differs(path, "it is of model '%.*s', this simulation runs '%s'",
                       (int)(len < 200 ? len : 200), name, c->name);
    }
    if (n != sim->n)
        return differs(path, "it has %lld regions, this simulation's atlas %lld", (long long)n,
                       (long long)sim->n);
    if (ns != sim->n_states || np != c->n_params || ncv != sim->n_cvar)
        return differs(path, "the state layout of model '%s' differs (another version of it)",
                       c->name);
    for (size_t p = 0; p < c->n_params; p++)
        if (!dtb__read_str_is(r, c->params[p].name))
            return r->bad ? truncated(path)
                          : differs(path, "the parameters of model '%s' differ (another version "
                                          "of it)", c->name);
    for (size_t v = 0; v < sim->n_states; v++)
        if (!dtb__read_str_is(r, c->states[v].name))
            return r->bad ? truncated(path)
                          : differs(path, "the state variables of model '%s' differ", c->name);
    double dt;
    uint32_t integ, flags;
    dtb__read_f64(r, &dt);
    dtb__read_u32(r, &integ);
    dtb__read_u32(r, &flags);
    if (r->bad)
        return truncated(path);
    if (dt != sim->dt)
        return differs(path, "its step dt is %.10g s, this simulation's %.10g s", dt, sim->dt);
    if (integ != (uint32_t)sim->integ.kind) {
        const char *there = dtb_integrator_name((dtb_integrator)integ);
        return differs(path, "it was integrated with %s, this simulation with %s",
                       there ? there : "an unknown integrator",
                       dtb_integrator_name(sim->integ.kind));
    }
    const uint32_t f32 = DTB_SIM_FLAG_TVB_FLOAT32_COUPLING;
    if ((flags & f32) != (sim->flags & f32))
        return differs(path, "TVB's float32 coupling is %s there and %s here",
                       flags & f32 ? "on" : "off", sim->flags & f32 ? "on" : "off");
    return DTB_OK;
}

/* The stimuli, schedule, provenance and spiking record after the state:
 * the stimuli's streams kept for those the branch has in common with the
 * run it branches from; the schedule and provenance are the branch's own. */
static dtb_status read_extras(dtb_sim *sim, dtb__reader *r, const char *path, dtb__ckpt_loaded *l,
                              size_t *n_common)
{
    uint64_t n_stims;
    dtb__read_u64(r, &n_stims);
    if (r->bad || n_stims > (r->len - r->pos) / 8)
        return truncated(path);
    l->stim_rng = dtb__calloc(sim->n_stims ? sim->n_stims : 1, sizeof *l->stim_rng);
    l->stim_pulse = dtb__calloc(sim->n_stims ? sim->n_stims : 1, sizeof *l->stim_pulse);
    if (!l->stim_rng || !l->stim_pulse)
        return DTB_ENOMEM;
    *n_common = 0;
    int common = 1;
    for (uint64_t i = 0; i < n_stims; i++) {
        const int mine = i < sim->n_stims;
        int same_target = mine ? dtb__read_str_is(r, sim->stims[i].stim->target)
                               : (dtb__read_str_is(r, ""), 0);
        uint64_t rng[4], n_shapes;
        for (int k = 0; k < 4; k++)
            dtb__read_u64(r, &rng[k]);
        dtb__read_u64(r, &n_shapes);
        if (r->bad)
            return truncated(path);
        double *pulse = dtb__checkpoint_read_array(r, (size_t)n_shapes);
        if (!pulse)
            return r->bad ? truncated(path) : DTB_ENOMEM;
        common &= mine && same_target && n_shapes == sim->stims[i].stim->n_shapes;
        if (common) {
            memcpy(l->stim_rng[i], rng, sizeof rng);
            l->stim_pulse[i] = pulse;
            *n_common = (size_t)i + 1;
        } else
            free(pulse);
    }
    dtb__read_u64(r, &l->n_scheduled);
    dtb__read_u64(r, &l->next_scheduled);
    uint64_t n_prov;
    dtb__read_u64(r, &n_prov);
    if (r->bad || n_prov > (r->len - r->pos) / 8)
        return truncated(path);
    for (uint64_t i = 0; i < n_prov; i++) {
        const char *s;
        size_t len;
        if (!dtb__read_strview(r, &s, &len))
            return truncated(path);
    }
    uint64_t n_spk;
    dtb__read_u64(r, &n_spk);
    if (r->bad)
        return truncated(path);
    if (n_spk != sim->n_spk)
        return differs(path, "it has %llu spiking regions, this simulation %zu",
                       (unsigned long long)n_spk, sim->n_spk);
    if (n_spk) {
        if (!(l->spiking_rates = dtb__checkpoint_read_array(r, n_spk)))
            return truncated(path);
        l->spiking_at = r->pos;
        dtb_status sst = dtb__spk_check(sim->spk_net, r);
        if (sst)
            return dtb__error_context(sst, "%s", path);
    }
    return DTB_OK;
}

/* Install the dynamics; only fails for lack of memory, before any change. */
static dtb_status apply(dtb_sim *sim, dtb__ckpt_loaded *l, dtb__reader *r, uint32_t flags,
                        size_t n_common)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n;
    dtb__history hist;
    dtb_status st = dtb__history_init(&hist, sim->n, l->horizon, sim->n_cvar, sim->core->coupling_state);
    if (st)
        return st;
    memcpy(hist.ring, l->ring, sim->n_cvar * n * 2 * (size_t)l->horizon * sizeof *hist.ring);
    /* the channels of the branch's own coupling, from the raw values */
    st = dtb__history_prepare(&hist, &sim->coupling, (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
    if (st) {
        dtb__history_free(&hist);
        return st;
    }
    dtb__history_free(&sim->hist);
    sim->hist = hist;
    dtb__gather_cache_invalidate(&sim->gather);
    sim->step = l->step;
    sim->started = (int)l->started;
    if (!(flags & DTB_SIM_BRANCH_RESEED))
        memcpy(sim->rng.s, l->rng, sizeof sim->rng.s);
    memcpy(sim->x, l->x, len * sizeof *sim->x);
    memcpy(sim->coupling_in, l->coupling_in, sim->n_cvar * n * sizeof *sim->coupling_in);
    if (sim->noise_kind == DTB_NOISE_COLOURED && l->noise_kind == DTB_NOISE_COLOURED && l->ou) {
        free(sim->ou);
        sim->ou = l->ou;
        l->ou = NULL;
    }
    dtb__integrator_set_inner_step(&sim->integ, l->inner_step);
    for (size_t i = 0; i < n_common; i++) {
        dtb_stimulus *s = sim->stims[i].stim;
        memcpy(s->rng.s, l->stim_rng[i], sizeof s->rng.s);
        for (size_t k = 0; k < s->n_shapes; k++)
            s->shapes[k].pulse_until = l->stim_pulse[i][k];
    }
    for (size_t i = 0; i < sim->n_spk; i++)
        sim->spk[i].rate = l->spiking_rates[i];
    if (sim->n_spk) {
        r->pos = l->spiking_at;
        dtb__spk_restore(sim->spk_net, r);
    }
    /* a scheduled change due before the branch time acts at its first step */
    sim->next_scheduled = 0;
    return DTB_OK;
}

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
    unsigned char *data = NULL;
    dtb__reader r;
    const char *note;
    size_t note_len;
    st = dtb__checkpoint_open_header(path, &data, &r, &note, &note_len);
    if (st)
        return st;
    dtb__ckpt_loaded l = {0};
    size_t n_common = 0;
    st = check_fingerprint(sim, &r, path);
    if (!st)
        st = dtb__checkpoint_read_state(sim, &r, path, &l);
    if (!st && l.horizon != sim->hist.horizon)
        st = differs(path, "its delay history spans %lld steps (conduction speed %g m/s), this "
                           "simulation's %lld (%g m/s): the speed or the tract lengths differ",
                     (long long)l.horizon, l.speed, (long long)sim->hist.horizon, sim->speed);
    if (!st)
        st = read_extras(sim, &r, path, &l, &n_common);
    if (!st)
        st = apply(sim, &l, &r, flags, n_common);
    if (!st)
        /* the note carries the time (step) it is made at: the branch's start */
        st = dtb__sim_note(sim, "branched from checkpoint %s (sha256 %s)%s", path, hex,
                           flags & DTB_SIM_BRANCH_RESEED ? ", noise reseeded" : "");
    dtb__checkpoint_loaded_free(&l, sim->n_stims);
    free(data);
    if (!st && sha256_out)
        memcpy(sha256_out, hex, 65);
    return st;
}

dtb_status dtb_sim_branch_from_checkpoint(dtb_sim *sim, const char *path, uint32_t flags)
{
    return dtb__sim_branch(sim, path, flags, NULL);
}
