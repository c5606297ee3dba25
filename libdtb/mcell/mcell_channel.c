/* libdtb — the standard HH rate forms of NeuroML2 (NeuroML2CoreTypes
 * Channels.xml: HHExpRate, HHSigmoidRate, HHExpLinearRate), evaluated as
 * the ComponentTypes define them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "mcell.h"

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
    }
    return NAN;
}
