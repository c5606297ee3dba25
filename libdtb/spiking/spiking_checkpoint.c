/* libdtb — the state of a spiking network in a checkpoint (the simulation's
 * checkpoint holds its spiking regions' network with it).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Saved: time, generator, and per population its parameters, state,
 * refractory counts, receptor values, pending input (the delay ring),
 * spike counts and recorded spikes, a LEMS cell's regimes; each Poisson
 * input's clock and each spike train's position. The structure itself
 * (populations, receptors, projections, inputs) is not saved: it must be
 * rebuilt the same way, and the record says so when it is not. Reading
 * checks the whole record against the network first (dtb__spk_check, which
 * also makes room for the recorded spikes: more capacity changes nothing
 * one can see), then installs it (dtb__spk_restore), which cannot fail. */
#include <stdlib.h>
#include <string.h>

#include "spiking.h"

void dtb__spk_save(const dtb_spiking_net *net, dtb__bytes *b)
{
    dtb__bytes_i64(b, net->step);
    dtb__bytes_u32(b, (uint32_t)net->started);
    for (int i = 0; i < 4; i++)
        dtb__bytes_u64(b, net->rng.s[i]);
    dtb__bytes_i64(b, net->ring_len);
    dtb__bytes_u64(b, net->n_pops);
    for (size_t q = 0; q < net->n_pops; q++) {
        const dtb__spk_pop *p = &net->pops[q];
        const size_t n = (size_t)p->n;
        dtb__bytes_str(b, p->name);
        dtb__bytes_i64(b, p->n);
        dtb__bytes_u64(b, p->model->n_params);
        dtb__bytes_u64(b, p->model->n_states);
        dtb__bytes_u64(b, p->n_rec);
        dtb__bytes_u32(b, (uint32_t)p->method);
        for (size_t k = 0; k < p->model->n_params; k++)
            dtb__bytes_f64s(b, p->param[k], n);
        for (size_t k = 0; k < p->model->n_states; k++) {
            dtb__bytes_f64s(b, p->state[k], n);
            dtb__bytes_u32(b, p->state_set[k]);
        }
        dtb__bytes_f64s(b, p->refractory, n);
        for (size_t r = 0; r < p->n_rec; r++) {
            dtb__bytes_f64s(b, p->rec[r].s, n);
            dtb__bytes_f64s(b, p->rec[r].r, n);
            for (int64_t k = 0; k < net->ring_len; k++)
                dtb__bytes_f64s(b, p->rec[r].ring[k], n);
        }
        dtb__bytes_i64(b, p->n_spikes_total);
        dtb__bytes_u64(b, p->n_spiked);
        for (size_t k = 0; k < p->n_spiked; k++)
            dtb__bytes_u32(b, (uint32_t)p->spiked[k]);
        dtb__bytes_u32(b, (uint32_t)p->recording);
        dtb__bytes_u64(b, p->n_rec_spikes);
        for (size_t k = 0; k < p->n_rec_spikes; k++) {
            dtb__bytes_i64(b, p->rec_steps[k]);
            dtb__bytes_u32(b, (uint32_t)p->rec_cells[k]);
        }
        dtb__bytes_u32(b, p->lems != NULL);
        if (p->lems)
            dtb__lems_cell_save(p->lems, b, n);
    }
    dtb__bytes_u64(b, net->n_projs);
    for (size_t k = 0; k < net->n_projs; k++)
        dtb__bytes_i64(b, net->projs[k].n_syn);
    dtb__bytes_u64(b, net->n_poisson);
    for (size_t k = 0; k < net->n_poisson; k++) {
        dtb__bytes_f64(b, net->poisson[k].rate_hz);
        dtb__bytes_f64s(b, net->poisson[k].budget, (size_t)net->pops[net->poisson[k].pop].n);
    }
    dtb__bytes_u64(b, net->n_trains);
    for (size_t k = 0; k < net->n_trains; k++)
        dtb__bytes_u64(b, net->trains[k].next);
}

/* Move past n doubles (checked). */
static void skip_f64s(dtb__reader *r, size_t n)
{
    if (r->bad || n > (r->len - r->pos) / 8) {
        r->bad = 1;
        return;
    }
    r->pos += 8 * n;
}

static dtb_status differs(const char *what)
{
    return dtb__error(DTB_EINVAL, "checkpoint: the spiking network was built differently (%s)", what);
}

dtb_status dtb__spk_check(dtb_spiking_net *net, dtb__reader *r)
{
    int64_t step, ring_len;
    uint32_t started;
    uint64_t u, n_pops;
    dtb__read_i64(r, &step);
    dtb__read_u32(r, &started);
    for (int i = 0; i < 4; i++)
        dtb__read_u64(r, &u);
    dtb__read_i64(r, &ring_len);
    dtb__read_u64(r, &n_pops);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "checkpoint: truncated spiking network");
    if (n_pops != net->n_pops || ring_len != net->ring_len || step < 0)
        return differs("populations or delays");
    for (size_t q = 0; q < net->n_pops; q++) {
        dtb__spk_pop *p = &net->pops[q];
        const size_t n = (size_t)p->n;
        int64_t size, total;
        uint64_t n_params, n_states, n_rec, n_spiked, n_rec_spikes;
        uint32_t method, flag;
        int same_name = dtb__read_str_is(r, p->name);
        dtb__read_i64(r, &size);
        dtb__read_u64(r, &n_params);
        dtb__read_u64(r, &n_states);
        dtb__read_u64(r, &n_rec);
        dtb__read_u32(r, &method);
        if (r->bad)
            return dtb__error(DTB_EPARSE, "checkpoint: truncated spiking network");
        if (!same_name || size != p->n || n_params != p->model->n_params
            || n_states != p->model->n_states || n_rec != p->n_rec || method > 1)
            return differs(p->name);
        skip_f64s(r, n_params * n);
        for (size_t k = 0; k < n_states; k++) {
            skip_f64s(r, n);
            dtb__read_u32(r, &flag);
        }
        skip_f64s(r, n);
        for (size_t k = 0; k < n_rec; k++)
            skip_f64s(r, (2 + (size_t)ring_len) * n);
        dtb__read_i64(r, &total);
        dtb__read_u64(r, &n_spiked);
        if (r->bad || n_spiked > n)
            return dtb__error(DTB_EPARSE, "checkpoint: damaged spiking network");
        for (size_t k = 0; k < n_spiked; k++) {
            dtb__read_u32(r, &flag);
            if (flag >= n)
                return dtb__error(DTB_EPARSE, "checkpoint: damaged spiking network");
        }
        dtb__read_u32(r, &flag);
        dtb__read_u64(r, &n_rec_spikes);
        if (r->bad || n_rec_spikes > (r->len - r->pos) / 12)
            return dtb__error(DTB_EPARSE, "checkpoint: damaged spiking network");
        if (n_rec_spikes > p->cap_rec_spikes) {
            int64_t *steps = dtb__realloc_array(p->rec_steps, n_rec_spikes, sizeof *steps);
            if (!steps)
                return DTB_ENOMEM;
            p->rec_steps = steps;
            int32_t *cells = dtb__realloc_array(p->rec_cells, n_rec_spikes, sizeof *cells);
            if (!cells)
                return DTB_ENOMEM;
            p->rec_cells = cells;
            p->cap_rec_spikes = n_rec_spikes;
        }
        for (size_t k = 0; k < n_rec_spikes; k++) {
            int64_t s;
            dtb__read_i64(r, &s);
            dtb__read_u32(r, &flag);
            if (flag >= n)
                return dtb__error(DTB_EPARSE, "checkpoint: damaged spiking network");
        }
        dtb__read_u32(r, &flag);
        if (r->bad || flag != (p->lems != NULL))
            return differs(p->name);
        if (p->lems) {
            dtb_status st = dtb__lems_cell_check(p->lems, r, n);
            if (st)
                return st;
        }
    }
    uint64_t n_projs, n_poisson, n_trains;
    dtb__read_u64(r, &n_projs);
    if (r->bad || n_projs != net->n_projs)
        return differs("projections");
    for (size_t k = 0; k < n_projs; k++) {
        int64_t n_syn;
        dtb__read_i64(r, &n_syn);
        if (r->bad || n_syn != net->projs[k].n_syn)
            return differs("projections");
    }
    dtb__read_u64(r, &n_poisson);
    if (r->bad || n_poisson != net->n_poisson)
        return differs("Poisson inputs");
    for (size_t k = 0; k < n_poisson; k++) {
        double rate;
        dtb__read_f64(r, &rate);
        skip_f64s(r, (size_t)net->pops[net->poisson[k].pop].n);
    }
    dtb__read_u64(r, &n_trains);
    if (r->bad || n_trains != net->n_trains)
        return differs("spike trains");
    for (size_t k = 0; k < n_trains; k++) {
        dtb__read_u64(r, &u);
        if (u > net->trains[k].n)
            return dtb__error(DTB_EPARSE, "checkpoint: damaged spiking network");
    }
    if (r->bad)
        return dtb__error(DTB_EPARSE, "checkpoint: truncated spiking network");
    return DTB_OK;
}

void dtb__spk_restore(dtb_spiking_net *net, dtb__reader *r)
{
    int64_t i64;
    uint32_t u32;
    uint64_t u64;
    dtb__read_i64(r, &net->step);
    dtb__read_u32(r, &u32);
    net->started = (int)u32;
    for (int i = 0; i < 4; i++)
        dtb__read_u64(r, &net->rng.s[i]);
    dtb__read_i64(r, &i64);   /* ring length, checked */
    dtb__read_u64(r, &u64);   /* populations, checked */
    for (size_t q = 0; q < net->n_pops; q++) {
        dtb__spk_pop *p = &net->pops[q];
        const size_t n = (size_t)p->n;
        const char *name;
        size_t name_len;
        dtb__read_strview(r, &name, &name_len);   /* checked */
        dtb__read_i64(r, &i64);
        dtb__read_u64(r, &u64);
        dtb__read_u64(r, &u64);
        dtb__read_u64(r, &u64);
        dtb__read_u32(r, &u32);
        p->method = (dtb_spiking_method)u32;
        for (size_t k = 0; k < p->model->n_params; k++) {
            dtb__read_f64s(r, p->param[k], n);
            int uniform = 1;
            for (size_t i = 1; uniform && i < n; i++)
                uniform = p->param[k][i] == p->param[k][0];
            p->uniform[k] = (unsigned char)uniform;
        }
        for (size_t k = 0; k < p->model->n_states; k++) {
            dtb__read_f64s(r, p->state[k], n);
            dtb__read_u32(r, &u32);
            p->state_set[k] = (unsigned char)u32;
        }
        dtb__read_f64s(r, p->refractory, n);
        for (size_t k = 0; k < p->n_rec; k++) {
            dtb__read_f64s(r, p->rec[k].s, n);
            dtb__read_f64s(r, p->rec[k].r, n);
            for (int64_t s = 0; s < net->ring_len; s++)
                dtb__read_f64s(r, p->rec[k].ring[s], n);
        }
        dtb__read_i64(r, &p->n_spikes_total);
        dtb__read_u64(r, &u64);
        p->n_spiked = (size_t)u64;
        for (size_t k = 0; k < p->n_spiked; k++) {
            dtb__read_u32(r, &u32);
            p->spiked[k] = (int32_t)u32;
        }
        dtb__read_u32(r, &u32);
        p->recording = (int)u32;
        dtb__read_u64(r, &u64);
        p->n_rec_spikes = (size_t)u64;
        for (size_t k = 0; k < p->n_rec_spikes; k++) {
            dtb__read_i64(r, &p->rec_steps[k]);
            dtb__read_u32(r, &u32);
            p->rec_cells[k] = (int32_t)u32;
        }
        dtb__read_u32(r, &u32);
        if (p->lems)
            dtb__lems_cell_restore(p->lems, r, n);
        p->prepared = 0;
        p->cur_zero = p->g_zero = 0;
    }
    dtb__read_u64(r, &u64);
    for (size_t k = 0; k < net->n_projs; k++)
        dtb__read_i64(r, &i64);
    dtb__read_u64(r, &u64);
    for (size_t k = 0; k < net->n_poisson; k++) {
        dtb__read_f64(r, &net->poisson[k].rate_hz);
        dtb__read_f64s(r, net->poisson[k].budget, (size_t)net->pops[net->poisson[k].pop].n);
    }
    dtb__read_u64(r, &u64);
    for (size_t k = 0; k < net->n_trains; k++) {
        dtb__read_u64(r, &u64);
        net->trains[k].next = (size_t)u64;
    }
}
