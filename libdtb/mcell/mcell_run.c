/* libdtb — running a discretised cell: NEURON's fixed step, with
 * secondorder=0 (backward Euler) or 2 (Crank-Nicolson). Each step of dt
 * from t:
 *   1. at t + dt/2 (where NEURON evaluates its BREAKPOINTs, IClamp's too)
 *      the membrane currents of the gates' present states, linearised in v
 *      (exactly: an HH current is linear in v at fixed gates), the clamps'
 *      currents and the axial currents give the right-hand side;
 *   2. (C/dt + G) dv = rhs solved on the tree (Hines), v += dv (backward
 *      Euler in v); or Crank-Nicolson as NEURON does it: (2C/dt + G) dv =
 *      rhs, v += 2 dv (dv is then the change to t + dt/2, where the
 *      currents were linearised, and v(t + dt) its linear extrapolation);
 *   3. the gates advance at the new v as NEURON's cnexp does:
 *      x += (1 - exp(-dt (alpha + beta))) (x_inf - x).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/fast_exp.h"
#include "mcell.h"
#include "mcell_lems_rate.h"

static void init_states(dtb__mc_model *m, const dtb__mc_desc *d)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        m->v[i] = d->v_init;
    for (size_t k = 0; k < m->n_placements; k++) {
        dtb__mc_placement *p = &m->placements[k];
        const dtb__mc_channel *ch = &d->channels[d->densities[p->density].channel];
        for (size_t g = 0; g < ch->n_gates; g++)
            for (size_t j = 0; j < p->n; j++) {
                double tau;
                dtb__mc_gate_inf_tau(&ch->gates[g], m->v[p->node[j]], &p->state[g][j], &tau);
            }
    }
}

static double open_fraction(const dtb__mc_channel *ch, double *const *state, size_t j)
{
    double f = 1;
    for (size_t g = 0; g < ch->n_gates; g++) {
        double x = state[g][j];
        for (int i = 0; i < ch->gates[g].instances; i++)
            f *= x;
    }
    return f;
}

static void membrane_currents(dtb__mc_model *m, const dtb__mc_desc *d)
{
    for (size_t k = 0; k < m->n_placements; k++) {
        const dtb__mc_placement *p = &m->placements[k];
        const dtb__mc_density *den = &d->densities[p->density];
        const dtb__mc_channel *ch = &d->channels[den->channel];
        for (size_t j = 0; j < p->n; j++) {
            int64_t i = p->node[j];
            double g = p->gbar[j] * open_fraction(ch, p->state, j);
            m->rhs[i] -= g * (m->v[i] - den->erev);
            m->diag[i] += g;
        }
    }
}

/* Work arrays of the gate update, each as long as the largest placement. */
typedef struct gate_work {
    double *v, *x, *e, *alpha, *beta;
} gate_work;

/* r at v[0..n) into out, with x and e as scratch: the rate forms of
 * mcell_channel.c over a block, so that the exponentials run as vector
 * code (dtb__exp_block: the same value for every element and path). */
static void rate_block(const dtb__mc_rate *r, size_t n, const double *v, double *x, double *e,
                       double *out)
{
    if (r->form == DTB__MC_RATE_LEMS) {   /* its program, in SI: v in V, r in 1/s, t in s */
        for (size_t j = 0; j < n; j++)
            x[j] = v[j] * 1e-3;
        dtb__mc_lems_rate_eval(r->lems, n, x, out);
        for (size_t j = 0; j < n; j++)
            out[j] *= r->lems_to_layer;
        return;
    }
    if (r->form == DTB__MC_TIME_FIXED) {
        for (size_t j = 0; j < n; j++)
            out[j] = r->rate;
        return;
    }
    for (size_t j = 0; j < n; j++)
        x[j] = (v[j] - r->midpoint) / r->scale;
    switch (r->form) {
    case DTB__MC_RATE_EXP:
        dtb__exp_block(n, e, x);
        for (size_t j = 0; j < n; j++)
            out[j] = r->rate * e[j];
        break;
    case DTB__MC_RATE_SIGMOID:
        for (size_t j = 0; j < n; j++)
            out[j] = -x[j];
        dtb__exp_block(n, e, out);
        for (size_t j = 0; j < n; j++)
            out[j] = r->rate / (1 + e[j]);
        break;
    case DTB__MC_RATE_EXPLINEAR:
        for (size_t j = 0; j < n; j++)
            out[j] = -x[j];
        dtb__exp_block(n, e, out);
        for (size_t j = 0; j < n; j++)
            out[j] = fabs(x[j]) < 1e-6 ? r->rate * (1 + x[j] / 2) : r->rate * x[j] / (1 - e[j]);
        break;
    case DTB__MC_RATE_LEMS:
    case DTB__MC_TIME_FIXED:
        break;
    }
}

/* Each gate at the new v, as cnexp: x += (1 - exp(-dt q / tau)) (inf - x)
 * with q the gate's rateScale (NeuroML divides tau by it). For
 * gateHHrates, inf = a/(a+b) and 1/tau = a + b, NEURON's hh exactly. */
static void advance_gates(dtb__mc_model *m, const dtb__mc_desc *d, double dt, double celsius,
                          gate_work *w)
{
    for (size_t k = 0; k < m->n_placements; k++) {
        dtb__mc_placement *p = &m->placements[k];
        const dtb__mc_channel *ch = &d->channels[d->densities[p->density].channel];
        size_t n = p->n;
        for (size_t j = 0; j < n; j++)
            w->v[j] = m->v[p->node[j]];
        for (size_t g = 0; g < ch->n_gates; g++) {
            const dtb__mc_gate *gate = &ch->gates[g];
            double scaled_dt = dt * dtb__mc_gate_rate_scale(gate, celsius);
            /* alpha <- inf, beta <- 1/tau */
            if (gate->kind != DTB__MC_GATE_TAU_INF) {
                rate_block(&gate->forward, n, w->v, w->x, w->e, w->alpha);
                rate_block(&gate->reverse, n, w->v, w->x, w->e, w->beta);
                for (size_t j = 0; j < n; j++) {
                    double sum = w->alpha[j] + w->beta[j];
                    w->alpha[j] /= sum;
                    w->beta[j] = sum;
                }
            }
            if (gate->kind == DTB__MC_GATE_RATES_INF || gate->kind == DTB__MC_GATE_TAU_INF)
                rate_block(&gate->steady, n, w->v, w->x, w->e, w->alpha);
            if (gate->kind == DTB__MC_GATE_RATES_TAU || gate->kind == DTB__MC_GATE_TAU_INF) {
                rate_block(&gate->time_course, n, w->v, w->x, w->e, w->beta);
                for (size_t j = 0; j < n; j++)
                    w->beta[j] = 1 / w->beta[j];
            }
            for (size_t j = 0; j < n; j++)
                w->x[j] = -scaled_dt * w->beta[j];
            dtb__exp_block(n, w->e, w->x);
            double *x = p->state[g];
            for (size_t j = 0; j < n; j++)
                x[j] += (1 - w->e[j]) * (w->alpha[j] - x[j]);
        }
    }
}

static dtb_status detect_spike(dtb__mc_spikes *sp, double before, double after, double t)
{
    if (!(before < sp->threshold && after >= sp->threshold))
        return DTB_OK;
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 64;
        double *p = dtb__realloc_array(sp->times, cap, sizeof *p);
        if (!p)
            return DTB_ENOMEM;
        sp->times = p;
        sp->cap = cap;
    }
    sp->times[sp->n++] = t;
    return DTB_OK;
}

static double probe_value(const dtb__mc_model *m, const dtb__mc_probe *pr)
{
    if (pr->placement < 0)
        return m->v[pr->node];
    return m->placements[pr->placement].state[pr->gate][pr->slot];
}

dtb_status dtb__mc_run(dtb__mc_model *m, const dtb__mc_desc *d, const dtb__mc_clamp *clamps,
                       size_t n_clamps, const dtb__mc_probe *probes, size_t n_probes,
                       double dt, size_t n_steps, int crank_nicolson, double celsius,
                       dtb__mc_spikes *spikes, double **out)
{
    double cap_factor = crank_nicolson ? 2 / dt : 1 / dt, v_factor = crank_nicolson ? 2 : 1;
    size_t n = m->n_nodes;
    size_t longest = 1;
    for (size_t k = 0; k < m->n_placements; k++)
        longest = m->placements[k].n > longest ? m->placements[k].n : longest;
    double *off = dtb__malloc_array(n, sizeof *off);
    double *work = dtb__malloc_array(5 * longest, sizeof *work);
    if (!off || !work) {
        free(off);
        free(work);
        return DTB_ENOMEM;
    }
    gate_work w = {work, work + longest, work + 2 * longest, work + 3 * longest, work + 4 * longest};
    for (size_t i = 0; i < n; i++)
        off[i] = -m->g_axial[i];
    init_states(m, d);
    for (size_t p = 0; p < n_probes; p++)
        out[p][0] = probe_value(m, &probes[p]);
    dtb_status st = DTB_OK;
    for (size_t step = 0; step < n_steps && !st; step++) {
        double t_mid = ((double)step + 0.5) * dt;
        for (size_t i = 0; i < n; i++) {
            m->rhs[i] = 0;
            m->diag[i] = m->cap[i] * cap_factor;
        }
        for (size_t c = 0; c < n_clamps; c++)
            if (t_mid >= clamps[c].delay && t_mid < clamps[c].delay + clamps[c].duration)
                m->rhs[clamps[c].node] += clamps[c].amplitude;
        membrane_currents(m, d);
        for (size_t i = 1; i < n; i++) {
            size_t p = (size_t)m->parent[i];
            double ia = m->g_axial[i] * (m->v[p] - m->v[i]);   /* into node i */
            m->rhs[i] += ia;
            m->rhs[p] -= ia;
            m->diag[i] += m->g_axial[i];
            m->diag[p] += m->g_axial[i];
        }
        dtb__mc_hines_solve(n, m->parent, m->diag, off, m->rhs);
        double v_before = spikes ? m->v[spikes->node] : 0;
        for (size_t i = 0; i < n; i++)
            m->v[i] += v_factor * m->rhs[i];
        if (!isfinite(m->v[0]))
            st = dtb__error(DTB_ENUMERIC, "the membrane potential is not finite at t = %g ms "
                            "(dt too large?)", ((double)step + 1) * dt);
        advance_gates(m, d, dt, celsius, &w);
        if (!st && spikes)
            st = detect_spike(spikes, v_before, m->v[spikes->node], ((double)step + 1) * dt);
        for (size_t p = 0; p < n_probes; p++)
            out[p][step + 1] = probe_value(m, &probes[p]);
    }
    free(off);
    free(work);
    return st;
}
