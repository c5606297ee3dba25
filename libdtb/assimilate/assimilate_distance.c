/* libdtb — the distances between regions that an assimilation's
 * localisation tapers by: Euclidean between region centres, along the
 * tracts (shortest paths through the connections), or in hops (the fewest
 * connections).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "assimilation.h"

static dtb_status centres(const dtb_assimilation *a, double *d)
{
    const size_t n = a->n_regions;
    if (!dtb_atlas_has_centres(a->atlas))
        return dtb__error(DTB_EINVAL, "localisation %g mm: the atlas has no region centres",
                          a->opts.localisation);
    double *c = dtb__calloc(n * 3, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    for (size_t k = 0; k < n; k++)
        dtb_atlas_region_centre(a->atlas, (int64_t)k, c + 3 * k);
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < n; j++) {
            const double dx = c[3 * k] - c[3 * j], dy = c[3 * k + 1] - c[3 * j + 1],
                         dz = c[3 * k + 2] - c[3 * j + 2];
            d[k * n + j] = sqrt(dx * dx + dy * dy + dz * dz);
        }
    free(c);
    return DTB_OK;
}

/* Shortest paths through the connections, either way (Floyd–Warshall;
 * O(n^3), a few milliseconds for 246 regions): each connection is as long
 * as its tract (hops: 1). Regions no path joins are infinitely far apart
 * (the taper is 0 there). */
static dtb_status paths(const dtb_assimilation *a, int hops, double *d)
{
    const size_t n = a->n_regions;
    double *w = dtb__calloc(n * n, sizeof *w), *len = dtb__calloc(n * n, sizeof *len);
    size_t need;
    dtb_status st = w && len ? DTB_OK : DTB_ENOMEM;
    if (!st)
        st = dtb_atlas_copy_weights(a->atlas, w, n * n, &need);
    if (!st && !hops && dtb_atlas_copy_tract_lengths(a->atlas, len, n * n, &need))
        st = dtb__error(DTB_EINVAL, "localisation %g mm along the tracts: the atlas has no "
                        "tract lengths", a->opts.localisation);
    for (size_t k = 0; !st && k < n; k++)
        for (size_t j = 0; j < n; j++) {
            /* rows are targets: k <- j and j <- k are one connection either way */
            const int kj = w[k * n + j] != 0, jk = w[j * n + k] != 0;
            double v = INFINITY;
            if (k == j)
                v = 0;
            else if (hops && (kj || jk))
                v = 1;
            else if (kj || jk)
                v = kj && jk ? fmin(len[k * n + j], len[j * n + k])
                             : kj ? len[k * n + j] : len[j * n + k];
            d[k * n + j] = v;
        }
    for (size_t m = 0; !st && m < n; m++)
        for (size_t k = 0; k < n; k++) {
            const double dkm = d[k * n + m];
            if (isinf(dkm))
                continue;
            for (size_t j = 0; j < n; j++)
                if (dkm + d[m * n + j] < d[k * n + j])
                    d[k * n + j] = dkm + d[m * n + j];
        }
    free(w);
    free(len);
    return st;
}

dtb_status dtb__assimilation_distances(dtb_assimilation *a)
{
    if (a->opts.localisation == 0)
        return DTB_OK;
    if (a->n_obs % a->n_regions)
        return dtb__error(DTB_EINVAL, "localisation %g: the observer '%s' gives %zu columns, "
                          "not one per region and variable", a->opts.localisation, a->observer,
                          a->n_obs);
    const size_t n = a->n_regions;
    double *d = dtb__calloc(n * n, sizeof *d);
    if (!d)
        return DTB_ENOMEM;
    dtb_status st = a->opts.distance == DTB_ASSIMILATE_DISTANCE_CENTRES
                        ? centres(a, d)
                        : paths(a, a->opts.distance == DTB_ASSIMILATE_DISTANCE_HOPS, d);
    if (st) {
        free(d);
        return st;
    }
    a->distance = d;
    return DTB_OK;
}
