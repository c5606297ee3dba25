/* libdtb — where a stimulus acts: regions, labels, weights, a Gaussian.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stimulus.h"

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
    free(stim->regions);
    free(stim->weights);
    free(stim->labels);
    stim->weights = NULL;
    stim->labels = NULL;
    stim->n_weights = 0;
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
    free(stim->regions);
    free(stim->weights);
    free(stim->labels);
    stim->regions = NULL;
    stim->weights = NULL;
    stim->n_regions = stim->n_weights = 0;
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
    free(stim->regions);
    free(stim->weights);
    free(stim->labels);
    stim->regions = NULL;
    stim->labels = NULL;
    stim->n_regions = 0;
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
    free(stim->regions);
    free(stim->weights);
    free(stim->labels);
    stim->regions = NULL;
    stim->weights = NULL;
    stim->labels = NULL;
    stim->n_regions = stim->n_weights = 0;
    memcpy(stim->centre, centre_mm, sizeof stim->centre);
    stim->radius = radius_mm;
    stim->space = DTB__SPACE_GAUSSIAN;
    return DTB_OK;
}

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* "A8m_*+3+A9l_L": each part a glob over labels, or a 0-based index. */
static dtb_status weights_from_labels(const char *patterns, const char *const *labels, int64_t n,
                                      double *weights)
{
    const char *p = patterns;
    while (1) {
        size_t len = strcspn(p, "+");
        char part[256];
        if (!len || len >= sizeof part)
            return dtb__error(DTB_EINVAL, "stimulus regions '%s': empty or over-long part", patterns);
        memcpy(part, p, len);
        part[len] = '\0';
        int64_t matched = 0;
        if (all_digits(part, len)) {
            int64_t k = strtoll(part, NULL, 10);
            if (k >= n)
                return dtb__error(DTB_EINVAL, "stimulus regions: index %lld is out of range (the "
                                              "atlas has %lld regions)", (long long)k, (long long)n);
            weights[k] = 1.0;
            matched = 1;
        } else {
            for (int64_t k = 0; k < n; k++)
                if (fnmatch(part, labels[k], 0) == 0) {
                    weights[k] = 1.0;
                    matched++;
                }
        }
        if (!matched)
            return dtb__error(DTB_ENOTFOUND, "stimulus regions: '%s' matches no region label", part);
        p += len;
        if (!*p)
            break;
        p++;
    }
    return DTB_OK;
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
