/* libdtb — reading an atlas: accessors, look-ups and matrix copies.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Getters never modify the atlas and never set the error slot except where
 * they return a dtb_status: the accessor conventions of dtb_atlas.h (NULL,
 * -1, 0, NaN or UNKNOWN for a bad handle or index) are the whole answer.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "atlas_impl.h"
#include "atlas_internal.h"
#include "base/base.h"
#include "dtb/dtb_atlas.h"

const char *dtb_atlas_name(const dtb_atlas *atlas) { return atlas ? atlas->name : NULL; }

const char *dtb_atlas_description(const dtb_atlas *atlas) { return atlas ? atlas->description : NULL; }

int32_t dtb_atlas_is_synthetic(const dtb_atlas *atlas) { return atlas ? atlas->synthetic : 0; }

int64_t dtb_atlas_region_count(const dtb_atlas *atlas) { return atlas ? atlas->n : -1; }

int64_t dtb__atlas_count_edges(const dtb_atlas *a)
{
    size_t cells = dtb__atlas_cells(a);
    int64_t edges = 0;
    for (size_t i = 0; i < cells; i++)
        edges += a->weights[i] != 0.0;
    return edges;
}

int64_t dtb_atlas_edge_count(const dtb_atlas *atlas) { return atlas ? dtb__atlas_count_edges(atlas) : -1; }

int32_t dtb_atlas_has_tract_lengths(const dtb_atlas *atlas) { return atlas && atlas->lengths ? 1 : 0; }

int32_t dtb_atlas_has_centres(const dtb_atlas *atlas) { return atlas && atlas->centres ? 1 : 0; }

const char *dtb_atlas_region_label(const dtb_atlas *atlas, int64_t region)
{
    return atlas && dtb__atlas_has_region(atlas, region) ? atlas->labels[region] : NULL;
}

const char *dtb_atlas_region_lobe(const dtb_atlas *atlas, int64_t region)
{
    if (!atlas || !dtb__atlas_has_region(atlas, region))
        return NULL;
    return atlas->lobes && atlas->lobes[region] ? atlas->lobes[region] : "";
}

const char *dtb_atlas_region_gyrus(const dtb_atlas *atlas, int64_t region)
{
    if (!atlas || !dtb__atlas_has_region(atlas, region))
        return NULL;
    return atlas->gyri && atlas->gyri[region] ? atlas->gyri[region] : "";
}

dtb_hemisphere dtb_atlas_region_hemisphere(const dtb_atlas *atlas, int64_t region)
{
    if (!atlas || !dtb__atlas_has_region(atlas, region))
        return DTB_HEMISPHERE_UNKNOWN;
    return atlas->hemispheres[region];
}

dtb_status dtb_atlas_find_region(const dtb_atlas *atlas, const char *label, int64_t *region_out)
{
    if (!atlas || !label || !region_out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_find_region: %s is NULL",
                          !atlas ? "atlas" : !label ? "label" : "region_out");
    for (int64_t k = 0; k < atlas->n; k++) {
        if (strcmp(atlas->labels[k], label) == 0) {
            *region_out = k;
            return DTB_OK;
        }
    }
    return dtb__error(DTB_ENOTFOUND, "atlas '%s' has no region labelled '%s'", atlas->name, label);
}

dtb_status dtb_atlas_region_centre(const dtb_atlas *atlas, int64_t region, double xyz_out[3])
{
    if (!atlas || !xyz_out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_region_centre: %s is NULL", !atlas ? "atlas" : "xyz_out");
    if (!dtb__atlas_has_region(atlas, region))
        return dtb__error(DTB_EINVAL, "dtb_atlas_region_centre: region %" PRId64
                          " is out of range (atlas '%s' has %" PRId64 " regions)",
                          region, atlas->name, atlas->n);
    if (!atlas->centres)
        return dtb__error(DTB_ENOTFOUND, "atlas '%s' has no region centres", atlas->name);
    memcpy(xyz_out, atlas->centres + 3 * region, 3 * sizeof *xyz_out);
    return DTB_OK;
}

/* The two-call idiom shared by both matrix copies. */
static dtb_status copy_matrix(const char *fn, const dtb_atlas *atlas, const double *matrix,
                              double *buf, size_t capacity, size_t *needed_out)
{
    size_t needed = dtb__atlas_cells(atlas);
    if (needed_out)
        *needed_out = needed;
    if (!buf)
        return DTB_OK;
    if (capacity < needed)
        return dtb__error(DTB_EBUFSIZE, "%s: buffer holds %zu values, atlas '%s' needs %zu (%" PRId64
                          " x %" PRId64 ")", fn, capacity, atlas->name, needed, atlas->n, atlas->n);
    memcpy(buf, matrix, needed * sizeof *buf);
    return DTB_OK;
}

dtb_status dtb_atlas_copy_weights(const dtb_atlas *atlas, double *buf, size_t capacity,
                                  size_t *needed_out)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_copy_weights: atlas is NULL");
    return copy_matrix("dtb_atlas_copy_weights", atlas, atlas->weights, buf, capacity, needed_out);
}

dtb_status dtb_atlas_copy_tract_lengths(const dtb_atlas *atlas, double *buf, size_t capacity,
                                        size_t *needed_out)
{
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_copy_tract_lengths: atlas is NULL");
    if (!atlas->lengths) {
        if (needed_out)
            *needed_out = 0;
        return dtb__error(DTB_ENOTFOUND, "dtb_atlas_copy_tract_lengths: atlas '%s' has no tract lengths",
                          atlas->name);
    }
    return copy_matrix("dtb_atlas_copy_tract_lengths", atlas, atlas->lengths, buf, capacity, needed_out);
}

static double entry(const dtb_atlas *atlas, const double *matrix, int64_t target, int64_t source)
{
    if (!matrix || !dtb__atlas_has_region(atlas, target) || !dtb__atlas_has_region(atlas, source))
        return NAN;
    return matrix[target * atlas->n + source];
}

double dtb_atlas_weight(const dtb_atlas *atlas, int64_t target, int64_t source)
{
    return atlas ? entry(atlas, atlas->weights, target, source) : NAN;
}

double dtb_atlas_tract_length(const dtb_atlas *atlas, int64_t target, int64_t source)
{
    return atlas ? entry(atlas, atlas->lengths, target, source) : NAN;
}

/* Read-only views for other layers (atlas_internal.h). */

int64_t dtb__atlas_n(const dtb_atlas *atlas) { return atlas ? atlas->n : -1; }

const double *dtb__atlas_weights(const dtb_atlas *atlas) { return atlas ? atlas->weights : NULL; }

const double *dtb__atlas_lengths(const dtb_atlas *atlas) { return atlas ? atlas->lengths : NULL; }

const double *dtb__atlas_centres(const dtb_atlas *atlas) { return atlas ? atlas->centres : NULL; }
