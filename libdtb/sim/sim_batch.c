/* libdtb — lockstep batches (sim_batch.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One step of the batch is one step of every running member, in three
 * parts (sim_run.c): each member's prologue; the coupling sums of all
 * members at once from the interleaved history, then each member's own
 * coupling function ("post", with its own parameters); each member's
 * epilogue (stimuli, noise, integrator, observers), after which its new
 * state enters its lane of the history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/network.h"
#include "sim.h"
#include "sim_batch.h"

#define MESSAGE_MAX 512

struct dtb__batch {
    size_t K;
    dtb_sim *sims[DTB__BATCH_MAX];
    dtb_status status[DTB__BATCH_MAX];
    char message[DTB__BATCH_MAX][MESSAGE_MAX];
    int64_t n, H;
    size_t n_cvar, n_channels;
    size_t slots;              /* DTB__LANES_SLOTS(H) */
    size_t ring_len;           /* doubles per region and channel: slots * K */
    double *raw;               /* [n_cvar][n][slots][K] */
    double *pre;               /* [n_channels][n][slots][K], NULL when the channels are raw */
    const double **channels;   /* n_channels rings */
    dtb__gather_lanes gather;
    double *slot_raw, *slot_pre;   /* one member's values of one slot */
    double *sums;              /* one member's sums, [channel][n] */
};

int dtb__batch_compatible(const dtb_sim *a, const dtb_sim *b)
{
    const size_t nn = (size_t)a->n * (size_t)a->n;
    if (a->n != b->n || a->n_cvar != b->n_cvar || a->net.horizon != b->net.horizon ||
        a->dt != b->dt || a->step != b->step || a->coupling.kind != b->coupling.kind ||
        a->hist.n_channels != b->hist.n_channels || !a->hist.pre_ring != !b->hist.pre_ring ||
        ((a->flags | b->flags) & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) || a->in_batch ||
        b->in_batch)
        return 0;
    /* the network is made from the weights and the delays, nothing else */
    return memcmp(a->weights, b->weights, nn * sizeof *a->weights) == 0 &&
           memcmp(a->net.delay, b->net.delay, nn * sizeof *a->net.delay) == 0;
}

/* Copy between a member's own doubled rings (slot s at s and s + H) and
 * its lane (slot t at t and at the guard slots t + H, t + 2H, ... < S). */
static void exchange(dtb__batch *b, size_t p, int to_lanes)
{
    dtb_sim *sim = b->sims[p];
    const size_t n = (size_t)b->n, H = (size_t)b->H, len = 2 * H, K = b->K, S = b->slots;
    for (int pass = 0; pass < 2; pass++) {
        double *own = pass ? sim->hist.pre_ring : sim->hist.ring;
        double *lanes = pass ? b->pre : b->raw;
        size_t rows = (pass ? b->n_channels : b->n_cvar) * n;
        if (!own || !lanes)
            continue;
        for (size_t r = 0; r < rows; r++) {
            double *o = own + r * len;
            double *l = lanes + r * S * K + p;
            if (to_lanes)
                for (size_t t = 0; t < S; t++)
                    l[t * K] = o[t % H];
            else
                for (size_t t = 0; t < H; t++)
                    o[t] = o[t + H] = l[t * K];
        }
    }
}

/* One value into a lane's slot pos and its guard copies. */
static inline void put(double *lane, size_t pos, size_t H, size_t S, size_t K, double v)
{
    for (size_t t = pos; t < S; t += H)
        lane[t * K] = v;
}

/* The member's new state into its lane of slot `step mod H`, raw values
 * and channels, as dtb__history_push does alone. */
static void push_lane(dtb__batch *b, size_t p)
{
    dtb_sim *sim = b->sims[p];
    const size_t n = (size_t)b->n, K = b->K, H = (size_t)b->H, S = b->slots;
    const size_t pos = (size_t)(sim->step % b->H);
    for (size_t cv = 0; cv < b->n_cvar; cv++)
        memcpy(b->slot_raw + cv * n, sim->x + (size_t)sim->hist.cvar_state[cv] * n, n * sizeof *sim->x);
    for (size_t cv = 0; cv < b->n_cvar; cv++)
        for (size_t k = 0; k < n; k++)
            put(b->raw + (cv * n + k) * S * K + p, pos, H, S, K, b->slot_raw[cv * n + k]);
    if (b->pre) {
        dtb__coupling_pre(&sim->coupling, b->n_cvar, n, b->slot_raw, b->slot_pre);
        for (size_t ch = 0; ch < b->n_channels; ch++)
            for (size_t k = 0; k < n; k++)
                put(b->pre + (ch * n + k) * S * K + p, pos, H, S, K, b->slot_pre[ch * n + k]);
    }
}

void dtb__batch_free(dtb__batch *b)
{
    if (!b)
        return;
    for (size_t p = 0; p < b->K; p++) {
        if (!b->sims[p])
            continue;
        if (b->raw)
            exchange(b, p, 0);
        dtb__gather_cache_invalidate(&b->sims[p]->gather);
        b->sims[p]->in_batch = 0;
    }
    free(b->raw);
    free(b->pre);
    free(b->channels);
    dtb__gather_lanes_free(&b->gather);
    free(b->slot_raw);
    free(b->slot_pre);
    free(b->sums);
    free(b);
}

dtb_status dtb__batch_create(dtb__batch **out, dtb_sim *const *sims, size_t k)
{
    *out = NULL;
    if (k < 1 || k > DTB__BATCH_MAX)
        return dtb__error(DTB_EINVAL, "a batch holds 1 to %d simulations (%zu given)", DTB__BATCH_MAX, k);
    for (size_t p = 0; p < k; p++)
        if (!sims[p] || (p && !dtb__batch_compatible(sims[0], sims[p])) || (!p && sims[0]->in_batch) ||
            (sims[p]->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING))
            return dtb__error(DTB_EINVAL, "simulation %zu cannot join the batch (another network, "
                                          "dt, coupling kind or step, or TVB's float32 mode)", p);
    dtb__batch *b = dtb__calloc(1, sizeof *b);
    if (!b)
        return DTB_ENOMEM;
    const dtb_sim *s0 = sims[0];
    b->K = k;
    b->n = s0->n;
    b->H = s0->net.horizon;
    b->n_cvar = s0->n_cvar;
    b->n_channels = s0->n_cvar ? s0->hist.n_channels : 0;
    b->slots = (size_t)DTB__LANES_SLOTS(b->H);
    b->ring_len = b->slots * k;
    const size_t n = (size_t)b->n, per = n * b->ring_len;
    dtb_status st = DTB_OK;
    if (b->n_cvar) {
        b->raw = dtb__malloc_array(b->n_cvar * per, sizeof *b->raw);
        if (s0->hist.pre_ring)
            b->pre = dtb__malloc_array(b->n_channels * per, sizeof *b->pre);
        b->channels = dtb__calloc(b->n_channels, sizeof *b->channels);
        b->slot_raw = dtb__calloc(b->n_cvar * n, sizeof *b->slot_raw);
        b->slot_pre = dtb__calloc(b->n_channels * n + 1, sizeof *b->slot_pre);
        b->sums = dtb__calloc(b->n_channels * n, sizeof *b->sums);
        if (!b->raw || (s0->hist.pre_ring && !b->pre) || !b->channels || !b->slot_raw ||
            !b->slot_pre || !b->sums)
            st = DTB_ENOMEM;
        if (!st)
            st = dtb__gather_lanes_init(&b->gather, &s0->net, b->n_channels, k);
        for (size_t ch = 0; !st && ch < b->n_channels; ch++)
            b->channels[ch] = (b->pre ? b->pre : b->raw) + ch * per;
    }
    if (st) {
        dtb__batch_free(b);
        return st;
    }
    for (size_t p = 0; p < k; p++) {
        b->sims[p] = sims[p];
        if (b->raw)
            exchange(b, p, 1);
        sims[p]->in_batch = 1;
    }
    *out = b;
    return DTB_OK;
}

static void fail_member(dtb__batch *b, size_t p, dtb_status st)
{
    b->status[p] = st;
    snprintf(b->message[p], MESSAGE_MAX, "%s", dtb_last_error_message());
}

dtb_status dtb__batch_member_status(const dtb__batch *b, size_t member)
{
    return b && member < b->K ? b->status[member] : DTB_EINVAL;
}

const char *dtb__batch_member_message(const dtb__batch *b, size_t member)
{
    return b && member < b->K ? b->message[member] : "";
}

/* The coupling input of member p from the batch's sums. */
static void member_coupling(dtb__batch *b, size_t p, int64_t m)
{
    dtb_sim *sim = b->sims[p];
    const size_t n = (size_t)b->n, K = b->K;
    for (size_t ch = 0; ch < b->n_channels; ch++)
        for (size_t k = 0; k < n; k++)
            b->sums[ch * n + k] = b->gather.sums[(ch * n + k) * K + p];
    const size_t now = (size_t)(m % b->H) * K + p;
    const dtb__coupling_current cur = {b->raw + now, b->ring_len, n * b->ring_len,
                                       b->channels[0] + now};
    dtb__coupling_post(&sim->coupling, &sim->net, b->n_cvar, b->sums, &cur, sim->coupling_in,
                       sim->coupling_scratch);
}

dtb_status dtb__batch_run_steps(dtb__batch *b, int64_t target, const volatile int *stop)
{
    size_t running = 0;
    for (size_t p = 0; p < b->K; p++)
        running += !b->status[p] && b->sims[p]->step < target;
    while (running) {
        if (stop && *stop)
            return dtb__error(DTB_ECANCELLED, "stopped");
        int64_t m = -1;
        for (size_t p = 0; p < b->K; p++) {
            dtb_sim *sim = b->sims[p];
            if (b->status[p] || sim->step >= target)
                continue;
            m = sim->step;
            dtb_status st = DTB_OK;
            if (atomic_load_explicit(&sim->stop_requested, memory_order_relaxed)) {
                atomic_store(&sim->stop_requested, 0);
                st = dtb__error(DTB_ECANCELLED, "stopped on request at t = %g s (step %lld)",
                                (double)sim->step * sim->dt, (long long)sim->step);
            }
            if (!st)
                st = dtb__sim_step_prologue(sim);
            if (st)
                fail_member(b, p, st);
        }
        if (m < 0)
            break;
        if (b->n_cvar)
            dtb__gather_lanes_run(&b->sims[0]->net, b->channels, b->H, &b->gather, m);
        running = 0;
        for (size_t p = 0; p < b->K; p++) {
            dtb_sim *sim = b->sims[p];
            if (b->status[p] || sim->step >= target)
                continue;
            if (b->n_cvar)
                member_coupling(b, p, m);
            dtb_status st = dtb__sim_step_epilogue(sim, 0);
            if (sim->step == m + 1 && b->n_cvar)
                push_lane(b, p);
            if (st)
                fail_member(b, p, st);
            else
                running += sim->step < target;
        }
    }
    return DTB_OK;
}
