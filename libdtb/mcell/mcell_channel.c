/* libdtb — the standard HH rate forms of NeuroML2 (NeuroML2CoreTypes
 * Channels.xml: HHExpRate, HHSigmoidRate, HHExpLinearRate) and the q10
 * settings (q10Fixed, q10ExpTemp), evaluated as the ComponentTypes define
 * them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "mcell.h"
#include "mcell_lems_rate.h"

double dtb__mc_rate_eval(const dtb__mc_rate *r, double v)
{
    double x = (v - r->midpoint) / r->scale;
    switch (r->form) {
    case DTB__MC_RATE_EXP:
        return r->rate * exp(x);
    case DTB__MC_RATE_SIGMOID:
        return r->rate / (1 + exp(-x));
    case DTB__MC_RATE_EXPLINEAR:
        /* The Case x .eq. 0 of the ComponentType, and its limit near 0 (the
         * quotient loses digits there; NEURON's vtrap switches at 1e-6). */
        if (fabs(x) < 1e-6)
            return r->rate * (1 + x / 2);
        return r->rate * x / (1 - exp(-x));
    case DTB__MC_RATE_LEMS: {
        /* LEMS is in SI: v in V, r in 1/s */
        double v_si = v * 1e-3, r_si;
        dtb__mc_lems_rate_eval(r->lems, 1, &v_si, &r_si);
        return r_si * r->lems_to_layer;
    }
    case DTB__MC_TIME_FIXED:
        return r->rate;
    }
    return NAN;
}

double dtb__mc_gate_rate_scale(const dtb__mc_gate *g, double celsius)
{
    /* gateHHrates: rateScale = the product of q10Settings[*]/q10 */
    double scale = 1;
    for (size_t k = 0; k < g->n_q10; k++) {
        const dtb__mc_q10 *q = &g->q10[k];
        scale *= q->depends_on_temperature ? pow(q->factor, (celsius - q->exp_temp) / 10) : q->fixed;
    }
    return scale;
}

void dtb__mc_gate_inf_tau(const dtb__mc_gate *g, double v, double *inf, double *tau)
{
    double a = 0, b = 0;
    if (g->kind != DTB__MC_GATE_TAU_INF) {
        a = dtb__mc_rate_eval(&g->forward, v);
        b = dtb__mc_rate_eval(&g->reverse, v);
    }
    int steady = g->kind == DTB__MC_GATE_RATES_INF || g->kind == DTB__MC_GATE_TAU_INF;
    int course = g->kind == DTB__MC_GATE_RATES_TAU || g->kind == DTB__MC_GATE_TAU_INF;
    *inf = steady ? dtb__mc_rate_eval(&g->steady, v) : a / (a + b);
    *tau = course ? dtb__mc_rate_eval(&g->time_course, v) : 1 / (a + b);
}
