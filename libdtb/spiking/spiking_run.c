/* libdtb — the spiking step loop, inputs and spike records.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One step m (from m dt to (m + 1) dt):
 *   1. external inputs due at step m go into ring slot m;
 *   2. per population, each receptor takes its slot-m input and adds its
 *      value to the step's drive (or, for the LIF with current receptors,
 *      its exact effect on V over the step), then decays;
 *   3. the cell kernel advances the cells and lists those that fired;
 *   4. each spike walks its projection rows: weight into slot m + 1 + d. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clones.h"
#include "spiking.h"

#define DTB__SPK_HOT DTB__CLONES

/* ------------------------------------------------------------ inputs */

dtb_status dtb_spiking_add_poisson(dtb_spiking_net *net, int64_t pop, int64_t receptor,
                                   double rate_hz, double weight, int64_t *index_out)
{
    const char *fn = "dtb_spiking_add_poisson";
    dtb_status st = dtb__spk_receptor_check(net, pop, receptor, fn);
    if (st)
        return st;
    if (!isfinite(rate_hz) || rate_hz < 0)
        return dtb__error(DTB_EINVAL, "%s: the rate must be finite and >= 0 Hz (got %g)", fn, rate_hz);
    if (!isfinite(weight))
        return dtb__error(DTB_EINVAL, "%s: the weight %g is not finite", fn, weight);
    dtb__poisson *grown = dtb__realloc_array(net->poisson, net->n_poisson + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    net->poisson = grown;
    dtb__poisson *in = &net->poisson[net->n_poisson];
    const int64_t n = net->pops[pop].n;
    in->budget = dtb__malloc_array((size_t)n, sizeof *in->budget);
    if (!in->budget)
        return DTB_ENOMEM;
    /* each cell's train: unit-rate exponential gaps, consumed at rate dt */
    for (int64_t i = 0; i < n; i++)
        in->budget[i] = -log1p(-dtb__rng_uniform(&net->rng));
    in->pop = pop;
    in->receptor = receptor;
    in->rate_hz = rate_hz;
    const dtb__receptor *rc = &net->pops[pop].rec[receptor];
    in->weight = weight * (rc->kind == DTB_SYNAPSE_BIEXP ? rc->norm : 1.0);
    if (index_out)
        *index_out = (int64_t)net->n_poisson;
    net->n_poisson++;
    return DTB_OK;
}

dtb_status dtb_spiking_set_poisson_rate(dtb_spiking_net *net, int64_t input, double rate_hz)
{
    if (!net)
        return dtb__error(DTB_EINVAL, "dtb_spiking_set_poisson_rate: net is NULL");
    if (input < 0 || (size_t)input >= net->n_poisson)
        return dtb__error(DTB_EINVAL, "dtb_spiking_set_poisson_rate: input %lld does not exist "
                                      "(the network has %zu Poisson inputs)", (long long)input,
                          net->n_poisson);
    if (!isfinite(rate_hz) || rate_hz < 0)
        return dtb__error(DTB_EINVAL, "dtb_spiking_set_poisson_rate: the rate must be finite and "
                                      ">= 0 Hz (got %g)", rate_hz);
    net->poisson[input].rate_hz = rate_hz;
    return DTB_OK;
}

dtb_status dtb_spiking_add_spike_train(dtb_spiking_net *net, int64_t pop, int64_t cell,
                                       int64_t receptor, const double *times, size_t n_times,
                                       double weight)
{
    const char *fn = "dtb_spiking_add_spike_train";
    dtb_status st = dtb__spk_receptor_check(net, pop, receptor, fn);
    if (st)
        return st;
    if (cell < 0 || cell >= net->pops[pop].n)
        return dtb__error(DTB_EINVAL, "%s: cell %lld is not in population '%s' (%lld cells)", fn,
                          (long long)cell, net->pops[pop].name, (long long)net->pops[pop].n);
    if (n_times && !times)
        return dtb__error(DTB_EINVAL, "%s: times is NULL", fn);
    if (!isfinite(weight))
        return dtb__error(DTB_EINVAL, "%s: the weight %g is not finite", fn, weight);
    for (size_t i = 0; i < n_times; i++) {
        if (!isfinite(times[i]) || times[i] < 0 || times[i] > 1e9)
            return dtb__error(DTB_EINVAL, "%s: time %zu (%g s) must be finite and >= 0", fn, i,
                              times[i]);
        if (i && times[i] < times[i - 1])
            return dtb__error(DTB_EINVAL, "%s: the times must ascend (time %zu, %g s, comes before "
                                          "%g s)", fn, i, times[i], times[i - 1]);
    }
    dtb__spike_train *grown = dtb__realloc_array(net->trains, net->n_trains + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    net->trains = grown;
    dtb__spike_train *tr = &net->trains[net->n_trains];
    memset(tr, 0, sizeof *tr);
    tr->steps = dtb__malloc_array(n_times ? n_times : 1, sizeof *tr->steps);
    if (!tr->steps)
        return DTB_ENOMEM;
    /* delivered before the first step starting at or after the time */
    for (size_t i = 0; i < n_times; i++)
        tr->steps[i] = (int64_t)ceil(times[i] / net->dt - 1e-9);
    tr->n = n_times;
    /* events already in the past are skipped */
    while (tr->next < tr->n && tr->steps[tr->next] < net->step)
        tr->next++;
    tr->pop = pop;
    tr->cell = cell;
    tr->receptor = receptor;
    const dtb__receptor *rc = &net->pops[pop].rec[receptor];
    tr->weight = weight * (rc->kind == DTB_SYNAPSE_BIEXP ? rc->norm : 1.0);
    net->n_trains++;
    return DTB_OK;
}

/* --------------------------------------------------------- recording */

dtb_status dtb_spiking_record(dtb_spiking_net *net, int64_t pop, int32_t on)
{
    dtb_status st = dtb__spk_pop_check(net, pop, "dtb_spiking_record");
    if (st)
        return st;
    net->pops[pop].recording = on != 0;
    return DTB_OK;
}

static dtb_status record(dtb__spk_pop *p, int64_t step)
{
    if (p->n_rec_spikes + p->n_spiked > p->cap_rec_spikes) {
        size_t cap = p->cap_rec_spikes ? p->cap_rec_spikes : 4096;
        while (cap < p->n_rec_spikes + p->n_spiked)
            cap *= 2;
        int64_t *s = dtb__realloc_array(p->rec_steps, cap, sizeof *s);
        if (!s)
            return DTB_ENOMEM;
        p->rec_steps = s;
        int32_t *c = dtb__realloc_array(p->rec_cells, cap, sizeof *c);
        if (!c)
            return DTB_ENOMEM;
        p->rec_cells = c;
        p->cap_rec_spikes = cap;
    }
    for (size_t k = 0; k < p->n_spiked; k++) {
        p->rec_steps[p->n_rec_spikes] = step;
        p->rec_cells[p->n_rec_spikes++] = p->spiked[k];
    }
    return DTB_OK;
}

dtb_status dtb_spiking_get_spikes(const dtb_spiking_net *net, int64_t pop, int64_t *cells,
                                  double *times, size_t capacity, size_t *needed_out)
{
    dtb_status st = dtb__spk_pop_check(net, pop, "dtb_spiking_get_spikes");
    if (st)
        return st;
    const dtb__spk_pop *p = &net->pops[pop];
    if (needed_out)
        *needed_out = p->n_rec_spikes;
    if (!cells && !times)
        return DTB_OK;
    if (capacity < p->n_rec_spikes)
        return dtb__error(DTB_EBUFSIZE, "dtb_spiking_get_spikes: the buffers hold %zu spikes, %zu "
                                        "needed", capacity, p->n_rec_spikes);
    for (size_t k = 0; k < p->n_rec_spikes; k++) {
        if (cells)
            cells[k] = p->rec_cells[k];
        if (times)
            times[k] = (double)p->rec_steps[k] * net->dt;
    }
    return DTB_OK;
}

/* ----------------------------------------------------------- stepping */

dtb_status dtb__spk_prepare(dtb_spiking_net *net)
{
    for (size_t q = 0; q < net->n_pops; q++) {
        dtb__spk_pop *p = &net->pops[q];
        if (p->prepared)
            continue;
        p->has_conductance = p->has_current = 0;
        for (size_t r = 0; r < p->n_rec; r++) {
            dtb__receptor *rc = &p->rec[r];
            if (rc->mode == DTB_SYNAPSE_CONDUCTANCE)
                p->has_conductance = 1;
            else if (rc->kind != DTB_SYNAPSE_DELTA)
                p->has_current = 1;
            rc->decay = rc->tau_decay > 0 ? exp(-net->h / rc->tau_decay) : 0.0;
            rc->rise_decay = rc->tau_rise > 0 ? exp(-net->h / rc->tau_rise) : 0.0;
        }
        p->derived_per_cell = 0;
        if (p->model->prepare) {
            dtb_status st = p->model->prepare(p, net->h);
            if (st)
                return st;
        } else {
            for (size_t k = 0; k < p->model->n_params; k++)
                if (!p->uniform[k])
                    p->derived_per_cell = 1;
        }
        p->prepared = 1;
    }
    return DTB_OK;
}

static void deliver_inputs(dtb_spiking_net *net, int64_t slot)
{
    for (size_t k = 0; k < net->n_poisson; k++) {
        dtb__poisson *in = &net->poisson[k];
        if (in->rate_hz <= 0)
            continue;
        dtb__spk_pop *p = &net->pops[in->pop];
        double *buf = p->rec[in->receptor].ring[slot];
        const double use = in->rate_hz * net->dt;
        double *b = in->budget;
        for (int64_t i = 0; i < p->n; i++) {
            b[i] -= use;
            while (b[i] <= 0) {
                buf[i] += in->weight;
                b[i] += -log1p(-dtb__rng_uniform(&net->rng));
            }
        }
    }
    for (size_t k = 0; k < net->n_trains; k++) {
        dtb__spike_train *tr = &net->trains[k];
        double *buf = net->pops[tr->pop].rec[tr->receptor].ring[slot];
        while (tr->next < tr->n && tr->steps[tr->next] <= net->step) {
            buf[tr->cell] += tr->weight;
            tr->next++;
        }
    }
}

/* The loops of the common receptors (EXP, one value per cell) as
 * functions of restrict parameters, so that gcc vectorises them without
 * run-time alias checks. assign: the first receptor writing the drive
 * array sets it (saving a clearing pass). */
DTB__SPK_HOT static void exp_current_loop(int64_t n, double *restrict s, double *restrict in,
                                          double *restrict cur, double k, double ds, int assign)
{
    if (assign)
        for (int64_t i = 0; i < n; i++) {
            double v = s[i] + in[i];
            in[i] = 0.0;
            cur[i] = k * v;
            s[i] = v * ds;
        }
    else
        for (int64_t i = 0; i < n; i++) {
            double v = s[i] + in[i];
            in[i] = 0.0;
            cur[i] += k * v;
            s[i] = v * ds;
        }
}

DTB__SPK_HOT static void exp_conductance_loop(int64_t n, double *restrict s, double *restrict in,
                                              double *restrict gs, double *restrict ge,
                                              double k, double ke, double ds, int assign)
{
    if (assign)
        for (int64_t i = 0; i < n; i++) {
            double v = s[i] + in[i];
            in[i] = 0.0;
            gs[i] = k * v;
            ge[i] = ke * v;
            s[i] = v * ds;
        }
    else
        for (int64_t i = 0; i < n; i++) {
            double v = s[i] + in[i];
            in[i] = 0.0;
            gs[i] += k * v;
            ge[i] += ke * v;
            s[i] = v * ds;
        }
}

/* Receptor rc of population p takes its input and adds to the drive.
 * *cur_clear / *g_clear: the current / conductance drive arrays still
 * hold the last step's values (this receptor is the first to write). */
static void receptor_pass(dtb__spk_pop *p, dtb__receptor *rc, double *restrict in, double scale,
                          int *cur_clear, int *g_clear)
{
    const int64_t n = p->n;
    const size_t bytes = (size_t)n * sizeof(double);
    double *restrict s = rc->s, *restrict r = rc->r, *restrict cur = p->cur;
    const double ds = rc->decay, dr = rc->rise_decay;
    if (rc->kind == DTB_SYNAPSE_DELTA) {
        /* a jump of w mV of the membrane potential, in the cell's voltage
         * unit (LEMS cells from files hold it in V) */
        double *restrict V = p->state[p->model->v_state];
        const double k = p->model->delta_scale;
        for (int64_t i = 0; i < n; i++) {
            V[i] += k * in[i];
            in[i] = 0.0;
        }
        return;
    }
    const int biexp = rc->kind == DTB_SYNAPSE_BIEXP;
    const int cond = rc->mode == DTB_SYNAPSE_CONDUCTANCE;
    const int exact = !cond && p->model->exact_current_input && !p->has_conductance
                      && p->method != DTB_SPIKING_METHOD_EULER;
    const int pc = p->derived_per_cell;
    if (!biexp && !cond && (!exact || !pc)) {
        exp_current_loop(n, s, in, cur, exact ? rc->coef_s[0] : 1.0, ds, *cur_clear);
        *cur_clear = 0;
        return;
    }
    if (!biexp && cond) {
        exp_conductance_loop(n, s, in, p->gsum, p->gE, scale, scale * rc->e_rev, ds, *g_clear);
        *g_clear = 0;
        return;
    }
    if (cond && *g_clear) {
        memset(p->gsum, 0, bytes);
        memset(p->gE, 0, bytes);
        *g_clear = 0;
    }
    if (!cond && *cur_clear) {
        memset(cur, 0, bytes);
        *cur_clear = 0;
    }
    if (exact) {
        const double *cs = rc->coef_s, *cr = rc->coef_r;
        for (int64_t i = 0; i < n; i++) {
            double v = s[i] + in[i], w = biexp ? r[i] + in[i] : 0.0;
            in[i] = 0.0;
            cur[i] += (pc ? cs[i] : cs[0]) * v - (pc ? cr[i] : cr[0]) * w;
            s[i] = v * ds;
            r[i] = w * dr;
        }
        return;
    }
    double *restrict target = cond ? p->gsum : cur;
    const double k = cond ? scale : 1.0;
    const double ke = k * rc->e_rev;
    double *restrict gE = p->gE;
    for (int64_t i = 0; i < n; i++) {
        double v = s[i] + in[i], w = biexp ? r[i] + in[i] : 0.0;
        in[i] = 0.0;
        double value = v - w;
        target[i] += k * value;
        if (cond)
            gE[i] += ke * value;
        s[i] = v * ds;
        r[i] = w * dr;
    }
}

static void propagate(dtb_spiking_net *net, const dtb__spk_projection *pj, int64_t m)
{
    const dtb__spk_pop *src = &net->pops[pj->pre];
    dtb__receptor *rc = &net->pops[pj->post].rec[pj->receptor];
    const int64_t R = net->ring_len;
    if (!pj->delay && !pj->weight) {
        /* one weight, one delay: a single target buffer */
        double *restrict buf = rc->ring[(m + 1 + pj->delay_all) % R];
        const double w = pj->weight_all;
        for (size_t k = 0; k < src->n_spiked; k++) {
            const int32_t c = src->spiked[k];
            for (int64_t e = pj->row[c]; e < pj->row[c + 1]; e++)
                buf[pj->target[e]] += w;
        }
        return;
    }
    for (size_t k = 0; k < src->n_spiked; k++) {
        const int32_t c = src->spiked[k];
        for (int64_t e = pj->row[c]; e < pj->row[c + 1]; e++) {
            int64_t d = pj->delay ? pj->delay[e] : pj->delay_all;
            double w = pj->weight ? pj->weight[e] : pj->weight_all;
            rc->ring[(m + 1 + d) % R][pj->target[e]] += w;
        }
    }
}

static dtb_status check_finite(const dtb_spiking_net *net, const dtb__spk_pop *p)
{
    const int v = p->model->v_state >= 0 ? p->model->v_state : 0;
    const size_t i = dtb__first_nonfinite(p->state[v], (size_t)p->n);
    if (DTB__LIKELY(i == (size_t)p->n))
        return DTB_OK;
    return dtb__error(DTB_ENUMERIC, "population '%s', cell %zu: '%s' became %g by t = %g s; "
                                    "reduce dt or the input",
                      p->name, i, p->model->states[v], p->state[v][i], (double)net->step * net->dt);
}

static dtb_status step_once(dtb_spiking_net *net)
{
    const int64_t m = net->step;
    const int64_t slot = m % net->ring_len;
    net->started = 1;
    deliver_inputs(net, slot);
    for (size_t q = 0; q < net->n_pops; q++) {
        dtb__spk_pop *p = &net->pops[q];
        /* the drive arrays are cleared by the first receptor writing each,
         * or here when none does */
        int cur_clear = 1, g_clear = 1;
        for (size_t r = 0; r < p->n_rec; r++)
            receptor_pass(p, &p->rec[r], p->rec[r].ring[slot], p->model->conductance_scale,
                          &cur_clear, &g_clear);
        const size_t bytes = (size_t)p->n * sizeof(double);
        if (cur_clear && !p->cur_zero) {
            memset(p->cur, 0, bytes);
            p->cur_zero = 1;
        } else if (!cur_clear) {
            p->cur_zero = 0;
        }
        if (g_clear && !p->g_zero) {
            memset(p->gsum, 0, bytes);
            memset(p->gE, 0, bytes);
            p->g_zero = 1;
        } else if (!g_clear) {
            p->g_zero = 0;
        }
        dtb__syn_drive d = {p->cur, p->gsum, p->gE};
        p->t_now = (double)m * net->dt;
        p->n_spiked = p->model->update(p, net->h, &d, p->spiked);
        p->n_spikes_total += (int64_t)p->n_spiked;
        if (p->recording && p->n_spiked) {
            dtb_status st = record(p, m + 1);
            if (st)
                return st;
        }
    }
    for (size_t k = 0; k < net->n_projs; k++)
        if (net->pops[net->projs[k].pre].n_spiked)
            propagate(net, &net->projs[k], m);
    net->step = m + 1;
    return DTB_OK;
}

/* A NaN or infinite membrane potential stays so (every kernel propagates
 * it), so the check runs every 64 steps and at the end of a call. */
static dtb_status check_all_finite(const dtb_spiking_net *net)
{
    for (size_t q = 0; q < net->n_pops; q++) {
        dtb_status st = check_finite(net, &net->pops[q]);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb_spiking_step(dtb_spiking_net *net, int64_t n_steps)
{
    if (!net)
        return dtb__error(DTB_EINVAL, "dtb_spiking_step: net is NULL");
    if (n_steps < 0)
        return dtb__error(DTB_EINVAL, "dtb_spiking_step: n_steps is negative (%lld)", (long long)n_steps);
    if (net->n_pops == 0 && n_steps > 0)
        return dtb__error(DTB_ESTATE, "dtb_spiking_step: the network has no population");
    dtb_status st = dtb__spk_prepare(net);
    for (int64_t i = 0; !st && i < n_steps; i++) {
        st = step_once(net);
        if (!st && (net->step % 64 == 0 || i + 1 == n_steps))
            st = check_all_finite(net);
    }
    return st;
}

dtb_status dtb__spk_step_checked(dtb_spiking_net *net)
{
    dtb_status st = dtb__spk_prepare(net);
    if (!st)
        st = step_once(net);
    if (!st && net->step % 64 == 0)
        st = check_all_finite(net);
    return st;
}

dtb_status dtb_spiking_run(dtb_spiking_net *net, double duration)
{
    if (!net)
        return dtb__error(DTB_EINVAL, "dtb_spiking_run: net is NULL");
    if (!isfinite(duration) || duration < 0 || duration / net->dt > 9e15)
        return dtb__error(DTB_EINVAL, "dtb_spiking_run: the duration must be finite and >= 0 s "
                                      "(got %g)", duration);
    return dtb_spiking_step(net, (int64_t)rint(duration / net->dt));
}

dtb_status dtb_spiking_cv_isi(const dtb_spiking_net *net, int64_t pop, int64_t min_spikes,
                              double *mean_cv_out, int64_t *n_cells_out)
{
    const char *fn = "dtb_spiking_cv_isi";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    if (!mean_cv_out)
        return dtb__error(DTB_EINVAL, "%s: mean_cv_out is NULL", fn);
    if (min_spikes < 3)
        return dtb__error(DTB_EINVAL, "%s: min_spikes must be >= 3 (two intervals), got %lld", fn,
                          (long long)min_spikes);
    const dtb__spk_pop *p = &net->pops[pop];
    const size_t n = (size_t)p->n, ns = p->n_rec_spikes;
    /* group the spikes by cell (counting sort keeps each cell's in time order) */
    int64_t *start = dtb__calloc(n + 1, sizeof *start);
    int64_t *steps = dtb__malloc_array(ns ? ns : 1, sizeof *steps);
    if (!start || !steps) {
        free(start);
        free(steps);
        return DTB_ENOMEM;
    }
    for (size_t k = 0; k < ns; k++)
        start[p->rec_cells[k] + 1]++;
    for (size_t c = 0; c < n; c++)
        start[c + 1] += start[c];
    int64_t *fill = dtb__malloc_array(n + 1, sizeof *fill);
    if (!fill) {
        free(start);
        free(steps);
        return DTB_ENOMEM;
    }
    memcpy(fill, start, (n + 1) * sizeof *fill);
    for (size_t k = 0; k < ns; k++)
        steps[fill[p->rec_cells[k]]++] = p->rec_steps[k];
    double sum_cv = 0.0;
    int64_t cells = 0;
    for (size_t c = 0; c < n; c++) {
        int64_t a = start[c], b = start[c + 1];
        if (b - a < min_spikes)
            continue;
        double mean = (double)(steps[b - 1] - steps[a]) / (double)(b - a - 1), var = 0.0;
        for (int64_t k = a + 1; k < b; k++) {
            double d = (double)(steps[k] - steps[k - 1]) - mean;
            var += d * d;
        }
        var /= (double)(b - a - 1);
        sum_cv += sqrt(var) / mean;
        cells++;
    }
    free(start);
    free(steps);
    free(fill);
    *mean_cv_out = cells ? sum_cv / (double)cells : NAN;
    if (n_cells_out)
        *n_cells_out = cells;
    return DTB_OK;
}
