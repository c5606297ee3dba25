/* libdtb — where a stimulus acts: regions, labels, weights, a Gaussian.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_internal.h"
#include "stimulus.h"

/* The last spatial pattern set wins: forget the previous one. */
static void clear_space(dtb_stimulus *stim)
{
    free(stim->regions);
    free(stim->weights);
    free(stim->labels);
    stim->regions = NULL;
    stim->weights = NULL;
    stim->labels = NULL;
    stim->n_regions = stim->n_weights = 0;
}

dtb_status dtb_stimulus_set_regions(dtb_stimulus *stim, const int64_t *regions, size_t n_regions)
{
    if (!stim || !regions || !n_regions)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_regions: needs at least one region");
    for (size_t i = 0; i < n_regions; i++)
        if (regions[i] < 0)
            return dtb__error(DTB_EINVAL, "dtb_stimulus_set_regions: region %lld is negative",
                              (long long)regions[i]);
    int64_t *copy = dtb__malloc_array(n_regions, sizeof *copy);
    if (!copy)
        return DTB_ENOMEM;
    memcpy(copy, regions, n_regions * sizeof *copy);
    clear_space(stim);
    stim->regions = copy;
    stim->n_regions = n_regions;
    stim->space = DTB__SPACE_REGIONS;
    return DTB_OK;
}

dtb_status dtb_stimulus_set_labels(dtb_stimulus *stim, const char *patterns)
{
    if (!stim || !patterns || !*patterns)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_labels: no pattern");
    char *copy = dtb__strdup(patterns);
    if (!copy)
        return DTB_ENOMEM;
    clear_space(stim);
    stim->labels = copy;
    stim->space = DTB__SPACE_LABELS;
    return DTB_OK;
}

dtb_status dtb_stimulus_set_weights(dtb_stimulus *stim, const double *weights, size_t n_regions)
{
    if (!stim || !weights || !n_regions)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_weights: no weights");
    for (size_t i = 0; i < n_regions; i++)
        if (!isfinite(weights[i]))
            return dtb__error(DTB_EINVAL, "dtb_stimulus_set_weights: weight %zu is not finite", i);
    double *copy = dtb__malloc_array(n_regions, sizeof *copy);
    if (!copy)
        return DTB_ENOMEM;
    memcpy(copy, weights, n_regions * sizeof *copy);
    clear_space(stim);
    stim->weights = copy;
    stim->n_weights = n_regions;
    stim->space = DTB__SPACE_WEIGHTS;
    return DTB_OK;
}

dtb_status dtb_stimulus_set_gaussian(dtb_stimulus *stim, const double centre_mm[3], double radius_mm)
{
    if (!stim || !centre_mm || !isfinite(centre_mm[0]) || !isfinite(centre_mm[1]) ||
        !isfinite(centre_mm[2]) || !(radius_mm > 0) || !isfinite(radius_mm))
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_gaussian: needs a finite centre and a "
                                      "radius > 0 (mm)");
    clear_space(stim);
    memcpy(stim->centre, centre_mm, sizeof stim->centre);
    stim->radius = radius_mm;
    stim->space = DTB__SPACE_GAUSSIAN;
    return DTB_OK;
}

static dtb_status weights_from_labels(const char *patterns, const char *const *labels, int64_t n,
                                      double *weights)
{
    unsigned char *hit = dtb__calloc((size_t)n + 1, 1);
    if (!hit)
        return DTB_ENOMEM;
    dtb_status st = dtb__region_list_match(patterns, labels, n, "stimulus regions", hit);
    for (int64_t k = 0; !st && k < n; k++)
        weights[k] = hit[k] ? 1.0 : 0.0;
    free(hit);
    return st;
}

dtb_status dtb__stimulus_weights(const dtb_stimulus *s, const dtb_atlas *atlas,
                                 const char *const *labels, const double *centres, int64_t n,
                                 double *weights)
{
    (void)atlas;
    switch (s->space) {
    case DTB__SPACE_ALL:
        for (int64_t k = 0; k < n; k++)
            weights[k] = 1.0;
        return DTB_OK;
    case DTB__SPACE_REGIONS:
        memset(weights, 0, (size_t)n * sizeof *weights);
        for (size_t i = 0; i < s->n_regions; i++) {
            if (s->regions[i] >= n)
                return dtb__error(DTB_EINVAL, "stimulus region %lld is out of range (the atlas has "
                                              "%lld regions)", (long long)s->regions[i], (long long)n);
            weights[s->regions[i]] = 1.0;
        }
        return DTB_OK;
    case DTB__SPACE_WEIGHTS:
        if (s->n_weights != (size_t)n)
            return dtb__error(DTB_EINVAL, "stimulus: %zu weights given, the atlas has %lld regions",
                              s->n_weights, (long long)n);
        memcpy(weights, s->weights, (size_t)n * sizeof *weights);
        return DTB_OK;
    case DTB__SPACE_LABELS:
        memset(weights, 0, (size_t)n * sizeof *weights);
        return weights_from_labels(s->labels, labels, n, weights);
    case DTB__SPACE_GAUSSIAN:
        if (!centres)
            return dtb__error(DTB_EINVAL, "stimulus: a Gaussian pattern needs region centres; the "
                                          "atlas has none");
        for (int64_t k = 0; k < n; k++) {
            double d2 = 0;
            for (int c = 0; c < 3; c++)
                d2 += (centres[3 * k + c] - s->centre[c]) * (centres[3 * k + c] - s->centre[c]);
            weights[k] = exp(-0.5 * d2 / (s->radius * s->radius));
        }
        return DTB_OK;
    }
    return DTB_OK;
}
