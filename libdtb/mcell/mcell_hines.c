/* libdtb — Hines' elimination: the tree-structured linear system of a
 * cable in O(n), with every node numbered after its parent (Hines 1984;
 * NEURON's triang/bksub).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "mcell.h"

void dtb__mc_hines_solve(size_t n, const int64_t *parent, double *diag, const double *off,
                         double *rhs)
{
    /* Leaves to the root: eliminate each node's coupling to its parent. */
    for (size_t i = n; i-- > 1;) {
        size_t p = (size_t)parent[i];
        double f = off[i] / diag[i];
        diag[p] -= f * off[i];
        rhs[p] -= f * rhs[i];
    }
    /* Root to the leaves. */
    rhs[0] /= diag[0];
    for (size_t i = 1; i < n; i++)
        rhs[i] = (rhs[i] - off[i] * rhs[parent[i]]) / diag[i];
}
