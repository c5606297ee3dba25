/* libdtb — virtual surgery on connectivity: lesions and scaled connections.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "atlas_impl.h"
#include "atlas_internal.h"
#include "base/base.h"

static dtb_status check_regions(const int64_t *regions, size_t count, int64_t n, const char *what)
{
    if (count && !regions)
        return dtb__error(DTB_EINVAL, "%s regions: NULL array", what);
    for (size_t i = 0; i < count; i++)
        if (regions[i] < 0 || regions[i] >= n)
            return dtb__error(DTB_EINVAL, "%s region %lld is out of range (%lld regions)", what,
                              (long long)regions[i], (long long)n);
    return DTB_OK;
}

dtb_status dtb__weights_lesion_region(double *weights, int64_t n, int64_t region)
{
    if (region < 0 || region >= n)
        return dtb__error(DTB_EINVAL, "lesion: region %lld is out of range (%lld regions)",
                          (long long)region, (long long)n);
    for (int64_t j = 0; j < n; j++) {
        weights[region * n + j] = 0.0;
        weights[j * n + region] = 0.0;
    }
    return DTB_OK;
}

dtb_status dtb__weights_scale(double *weights, int64_t n, const int64_t *sources, size_t n_sources,
                              const int64_t *targets, size_t n_targets, double factor)
{
    if (!isfinite(factor) || factor < 0)
        return dtb__error(DTB_EINVAL, "scaling connections: factor %g must be finite and >= 0", factor);
    dtb_status st = check_regions(sources, n_sources, n, "source");
    if (!st)
        st = check_regions(targets, n_targets, n, "target");
    if (st)
        return st;
    for (size_t t = 0; t < n_targets; t++)
        for (size_t s = 0; s < n_sources; s++)
            weights[targets[t] * n + sources[s]] *= factor;
    return DTB_OK;
}

dtb_status dtb_atlas_lesion_region(dtb_atlas *atlas, int64_t region)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_lesion_region: atlas is NULL");
    return dtb__weights_lesion_region(atlas->weights, atlas->n, region);
}

dtb_status dtb_atlas_scale_connections(dtb_atlas *atlas, const int64_t *sources, size_t n_sources,
                                       const int64_t *targets, size_t n_targets, double factor)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_scale_connections: atlas is NULL");
    return dtb__weights_scale(atlas->weights, atlas->n, sources, n_sources, targets, n_targets, factor);
}
