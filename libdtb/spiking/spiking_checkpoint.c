/* libdtb — the state of a spiking network in a checkpoint (the simulation's
 * checkpoint holds its spiking regions' network with it).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Saved: time, generator, and per population its parameters, state,
 * refractory counts, receptor values, pending input (the delay ring),
 * spike counts and recorded spikes, a LEMS cell's regimes; each Poisson
 * input's clock and each spike train's position. The structure itself
 * (populations, receptors, projections, inputs) is not saved: it must be
 * rebuilt the same way, and the record says so when it is not. Checking
 * makes room for the recorded spikes (more capacity changes nothing one can
 * see), so that the restore after it cannot fail. */
#include "spiking.h"

/* Room for n recorded spikes. */
static dtb_status reserve_recorded(dtb__spk_pop *p, size_t n)
{
    if (n <= p->cap_rec_spikes)
        return DTB_OK;
    int64_t *steps = dtb__realloc_array(p->rec_steps, n, sizeof *steps);
    if (!steps)
        return DTB_ENOMEM;
    p->rec_steps = steps;
    int32_t *cells = dtb__realloc_array(p->rec_cells, n, sizeof *cells);
    if (!cells)
        return DTB_ENOMEM;
    p->rec_cells = cells;
    p->cap_rec_spikes = n;
    return DTB_OK;
}

/* The spikes of the step and those recorded: cell indices below n. */
static void spike_fields(dtb__ckpt *w, dtb__spk_pop *p, size_t n)
{
    dtb__ckpt_i64(w, "spike count", &p->n_spikes_total);
    const uint64_t spiked = dtb__ckpt_take(w, "cells that spiked", p->n_spiked, n);
    for (size_t k = 0; k < spiked; k++)
        DTB__CKPT_INT(w, "cell that spiked", p->spiked[k], n - 1);
    if (dtb__ckpt_restoring(w))
        p->n_spiked = spiked;
    DTB__CKPT_INT(w, "recording", p->recording, 1);
    const uint64_t recorded = dtb__ckpt_count(w, "recorded spikes", p->n_rec_spikes, 16);
    if (dtb__ckpt_checking(w) && reserve_recorded(p, recorded))
        dtb__ckpt_fail(w, DTB_ENOMEM);
    for (size_t k = 0; k < recorded && dtb__ckpt_ok(w); k++) {
        dtb__ckpt_i64(w, "recorded spike", &p->rec_steps[k]);
        DTB__CKPT_INT(w, "recorded spike's cell", p->rec_cells[k], n - 1);
    }
    if (dtb__ckpt_restoring(w))
        p->n_rec_spikes = recorded;
}

static void population_fields(dtb__ckpt *w, const dtb_spiking_net *net, dtb__spk_pop *p)
{
    const size_t n = (size_t)p->n;
    dtb__ckpt_fixed_str(w, "population", p->name);
    const size_t scope = dtb__ckpt_enter(w, "population '%s': ", p->name);
    dtb__ckpt_fixed(w, "number of cells", n);
    dtb__ckpt_fixed(w, "number of parameters", p->model->n_params);
    dtb__ckpt_fixed(w, "number of state variables", p->model->n_states);
    dtb__ckpt_fixed(w, "number of receptors", p->n_rec);
    DTB__CKPT_INT(w, "method", p->method, DTB_SPIKING_METHOD_EULER);
    for (size_t k = 0; k < p->model->n_params; k++)
        dtb__ckpt_f64s(w, "parameters", p->param[k], n);
    for (size_t k = 0; k < p->model->n_states; k++) {
        dtb__ckpt_f64s(w, "state", p->state[k], n);
        DTB__CKPT_INT(w, "state set", p->state_set[k], 1);
    }
    dtb__ckpt_f64s(w, "refractory counts", p->refractory, n);
    for (size_t r = 0; r < p->n_rec; r++) {
        dtb__ckpt_f64s(w, "receptor", p->rec[r].s, n);
        dtb__ckpt_f64s(w, "receptor", p->rec[r].r, n);
        for (int64_t k = 0; k < net->ring_len; k++)
            dtb__ckpt_f64s(w, "pending input", p->rec[r].ring[k], n);
    }
    spike_fields(w, p, n);
    if (dtb__ckpt_fixed(w, "LEMS cell", p->lems != NULL) && p->lems)
        dtb__lems_cell_fields(w, p->lems, n);
    if (dtb__ckpt_restoring(w)) {
        /* what the cells derive from their parameters is computed again */
        for (size_t k = 0; k < p->model->n_params; k++) {
            int uniform = 1;
            for (size_t i = 1; uniform && i < n; i++)
                uniform = p->param[k][i] == p->param[k][0];
            p->uniform[k] = (unsigned char)uniform;
        }
        p->prepared = 0;
        p->cur_zero = p->g_zero = 0;
    }
    dtb__ckpt_leave(w, scope);
}

void dtb__spk_fields(dtb__ckpt *w, dtb_spiking_net *net)
{
    const size_t scope = dtb__ckpt_enter(w, "spiking network: ");
    DTB__CKPT_INT(w, "step", net->step, INT64_MAX);
    DTB__CKPT_INT(w, "started", net->started, 1);
    dtb__ckpt_u64s(w, "generator", net->rng.s, 4);
    dtb__ckpt_fixed(w, "delay ring", (uint64_t)net->ring_len);
    dtb__ckpt_fixed(w, "number of populations", net->n_pops);
    for (size_t q = 0; q < net->n_pops && dtb__ckpt_ok(w); q++)
        population_fields(w, net, &net->pops[q]);
    dtb__ckpt_fixed(w, "number of projections", net->n_projs);
    for (size_t k = 0; k < net->n_projs; k++)
        dtb__ckpt_fixed(w, "synapses of a projection", (uint64_t)net->projs[k].n_syn);
    dtb__ckpt_fixed(w, "number of Poisson inputs", net->n_poisson);
    for (size_t k = 0; k < net->n_poisson; k++) {
        dtb__ckpt_f64(w, "Poisson rate", &net->poisson[k].rate_hz);
        dtb__ckpt_f64s(w, "Poisson clocks", net->poisson[k].budget,
                       (size_t)net->pops[net->poisson[k].pop].n);
    }
    dtb__ckpt_fixed(w, "number of spike trains", net->n_trains);
    for (size_t k = 0; k < net->n_trains; k++)
        DTB__CKPT_INT(w, "spike train position", net->trains[k].next, net->trains[k].n);
    dtb__ckpt_leave(w, scope);
}
