/* libdtb — the instant of a Dynamics block (khandler.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "khandler.h"

static int in_regime(const dtb__khandler *h, const double *regime, size_t e)
{
    return h->regime < 0 || (regime && (long)regime[e] == h->regime);
}

size_t dtb__khandler_select(dtb__khandler *h, const double *test, const size_t *idx, size_t count,
                            const double *regime)
{
    size_t n = 0;
    if (!idx && h->regime < 0) {
        for (size_t m = 0; m < count; m++)
            if (test[m] != 0.0)
                h->fired[n++] = m;
    } else {
        for (size_t m = 0; m < count; m++) {
            size_t e = idx ? idx[m] : m;
            if (test[m] != 0.0 && in_regime(h, regime, e))
                h->fired[n++] = e;
        }
    }
    return h->n_fired = n;
}

size_t dtb__khandler_select_entered(dtb__khandler *h, const size_t *moved, size_t n_moved,
                                    const double *regime)
{
    size_t n = 0;
    for (size_t m = 0; m < n_moved; m++)
        if (in_regime(h, regime, moved[m]))
            h->fired[n++] = moved[m];
    return h->n_fired = n;
}

int dtb__khandler_assign(const dtb__khandler *h, double *const *state)
{
    int changed = 0;
    for (size_t a = 0; a < h->n_assigns; a++) {
        double *x = state[h->assign_state[a]];
        const double *v = h->vals[a];
        for (size_t m = 0; m < h->n_fired; m++) {
            size_t e = h->fired[m];
            double value = v[h->vals_compact ? m : e];
            changed |= !(x[e] == value);
            x[e] = value;
        }
    }
    return changed;
}

void dtb__khandler_move(const dtb__khandler *h, double *regime, unsigned char *entered,
                        size_t *moved, size_t *n_moved)
{
    if (h->transition < 0)
        return;
    for (size_t m = 0; m < h->n_fired; m++) {
        size_t e = h->fired[m];
        if (entered[e])
            continue;
        entered[e] = 1;
        regime[e] = (double)h->transition;
        moved[(*n_moved)++] = e;
    }
}

void dtb__khandler_unmark(unsigned char *entered, const size_t *moved, size_t n_moved)
{
    for (size_t m = 0; m < n_moved; m++)
        entered[moved[m]] = 0;
}
