/* libdtb — changing the weights: single edges, scaling, normalisations.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function checks its whole input before writing, so a failed call
 * leaves the weights exactly as they were. The diagonal takes part in every
 * normalisation like any other entry (self-connections are kept as given).
 */
#include <inttypes.h>
#include <math.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "dtb/dtb_atlas.h"

dtb_status dtb_atlas_set_weight(dtb_atlas *atlas, int64_t target, int64_t source, double weight)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_set_weight: atlas is NULL");
    if (!dtb__atlas_has_region(atlas, target) || !dtb__atlas_has_region(atlas, source))
        return dtb__error(DTB_EINVAL, "dtb_atlas_set_weight: %s region %" PRId64
                          " is out of range (atlas '%s' has %" PRId64 " regions)",
                          dtb__atlas_has_region(atlas, target) ? "source" : "target",
                          dtb__atlas_has_region(atlas, target) ? source : target, atlas->name, atlas->n);
    if (!isfinite(weight))
        return dtb__error(DTB_EINVAL, "dtb_atlas_set_weight: weight %g (target %" PRId64
                          ", source %" PRId64 ") is not finite", weight, target, source);
    atlas->weights[target * atlas->n + source] = weight;
    return DTB_OK;
}

static void divide_all(dtb_atlas *a, double divisor)
{
    size_t cells = dtb__atlas_cells(a);
    for (size_t i = 0; i < cells; i++)
        a->weights[i] /= divisor;
}

dtb_status dtb_atlas_scale_weights(dtb_atlas *atlas, double factor)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_scale_weights: atlas is NULL");
    if (!isfinite(factor))
        return dtb__error(DTB_EINVAL, "dtb_atlas_scale_weights: factor %g is not finite", factor);
    size_t cells = dtb__atlas_cells(atlas);
    /* Check first so an overflow to infinity leaves the atlas unchanged. */
    for (size_t i = 0; i < cells; i++)
        if (!isfinite(atlas->weights[i] * factor))
            return dtb__error(DTB_ENUMERIC, "dtb_atlas_scale_weights: weight %g (target %zu, source %zu) "
                              "times %g overflows", atlas->weights[i], i / (size_t)atlas->n,
                              i % (size_t)atlas->n, factor);
    for (size_t i = 0; i < cells; i++)
        atlas->weights[i] *= factor;
    return DTB_OK;
}

static double row_abs_sum(const dtb_atlas *a, int64_t k)
{
    const double *row = a->weights + k * a->n;
    double sum = 0.0;
    for (int64_t j = 0; j < a->n; j++)
        sum += fabs(row[j]);
    return sum;
}

/* w / max|w|. All-zero weights stay zero. */
static void norm_max(dtb_atlas *a)
{
    size_t cells = dtb__atlas_cells(a);
    double max = 0.0;
    for (size_t i = 0; i < cells; i++)
        if (fabs(a->weights[i]) > max)
            max = fabs(a->weights[i]);
    if (max > 0.0)
        divide_all(a, max);
}

/* w / max_k sum_j |w_kj|: the largest total input becomes 1. */
static void norm_region(dtb_atlas *a)
{
    double max = 0.0;
    for (int64_t k = 0; k < a->n; k++) {
        double sum = row_abs_sum(a, k);
        if (sum > max)
            max = sum;
    }
    if (max > 0.0)
        divide_all(a, max);
}

/* Each row by its own sum of |w|: every target's total input becomes 1. */
static void norm_row_sum(dtb_atlas *a)
{
    for (int64_t k = 0; k < a->n; k++) {
        double sum = row_abs_sum(a, k);
        if (sum == 0.0)
            continue;
        double *row = a->weights + k * a->n;
        for (int64_t j = 0; j < a->n; j++)
            row[j] /= sum;
    }
}

static dtb_status norm_log1p(dtb_atlas *a)
{
    size_t cells = dtb__atlas_cells(a);
    for (size_t i = 0; i < cells; i++)
        if (a->weights[i] < 0.0)
            return dtb__error(DTB_EINVAL, "dtb_atlas_normalize_weights: log1p needs weights >= 0, but the "
                              "weight from region %zu to region %zu of atlas '%s' is %g",
                              i % (size_t)a->n, i / (size_t)a->n, a->name, a->weights[i]);
    for (size_t i = 0; i < cells; i++)
        a->weights[i] = log1p(a->weights[i]);
    return DTB_OK;
}

dtb_status dtb_atlas_normalize_weights(dtb_atlas *atlas, dtb_weight_norm norm)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_normalize_weights: atlas is NULL");
    switch (norm) {
    case DTB_WEIGHT_NORM_NONE:
        return DTB_OK;
    case DTB_WEIGHT_NORM_MAX:
        norm_max(atlas);
        return DTB_OK;
    case DTB_WEIGHT_NORM_REGION:
        norm_region(atlas);
        return DTB_OK;
    case DTB_WEIGHT_NORM_ROW_SUM:
        norm_row_sum(atlas);
        return DTB_OK;
    case DTB_WEIGHT_NORM_LOG1P:
        return norm_log1p(atlas);
    default:
        return dtb__error(DTB_EINVAL, "dtb_atlas_normalize_weights: unknown normalisation %d", (int)norm);
    }
}
