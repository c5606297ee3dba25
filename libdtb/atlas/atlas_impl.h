/* libdtb internal — the atlas struct and helpers shared by the atlas files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the files of libdtb/atlas include this. Other layers read an atlas through
 * atlas_internal.h (read-only, no copies) or the public API.
 */
#ifndef DTB_ATLAS_IMPL_H
#define DTB_ATLAS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_atlas.h"

/* Every array has one entry per region (n), matrices n*n row-major with
 * rows = targets. Everything is owned by the atlas; optional parts are NULL
 * when absent. */
struct dtb_atlas {
    char *name;                   /* "bn246", folder or file name */
    char *description;            /* provenance, citation, what was derived */
    int32_t synthetic;            /* 1 if the connectivity was generated */
    int64_t n;                    /* number of regions, >= 1 */
    char **labels;                /* n strings, always present */
    char **lobes;                 /* n strings, or NULL when unknown */
    char **gyri;                  /* n strings, or NULL when unknown */
    dtb_hemisphere *hemispheres;  /* n, always present (UNKNOWN allowed) */
    double *centres;              /* n*3 (x, y, z in mm), or NULL */
    double *weights;              /* n*n, always present */
    double *lengths;              /* n*n mm, or NULL */
};

/* Largest region count: n*n doubles must be addressable. */
#define DTB__ATLAS_MAX_REGIONS ((int64_t)1 << 24)

/* A new atlas with n regions: labels (all NULL) and hemispheres (UNKNOWN)
 * allocated, and the weights: `weights` (n*n, malloc'd) is taken over when
 * non-NULL — even on failure — else zeros are allocated. Everything else
 * is NULL. */
dtb_status dtb__atlas_new(dtb_atlas **out, int64_t n, double *weights);

/* n*n as size_t (n already validated). */
static inline size_t dtb__atlas_cells(const dtb_atlas *a) { return (size_t)a->n * (size_t)a->n; }

/* 1 if `region` is a valid index of `a` (a non-NULL). */
static inline int dtb__atlas_has_region(const dtb_atlas *a, int64_t region)
{
    return region >= 0 && region < a->n;
}

/* Give every region without a label its 0-based index as text ("0", "1", ...). */
dtb_status dtb__atlas_fill_index_labels(dtb_atlas *a);

/* Set every UNKNOWN hemisphere from the region's label. */
void dtb__atlas_infer_hemispheres(dtb_atlas *a);

/* Hemisphere named by a label, as TVB and common atlases spell it: a token
 * L/R/lh/rh/left/right between separators ("A8m_L", "RM-TCpol_R",
 * "r_lateralorbitofrontal", "ctx-lh-insula", "Left-Amygdala"), else a
 * lower-case r/l glued to an upper-case letter ("rA1", "lAMYG") or a
 * leading Left/Right glued to one ("LeftAmygdala"). Conflicting tokens give
 * UNKNOWN. */
dtb_hemisphere dtb__hemisphere_from_label(const char *label);

/* Hemisphere named by a single word (L, R, lh, rh, left, right; any case). */
dtb_hemisphere dtb__hemisphere_from_word(const char *word, size_t len);

/* Euclidean distance in mm between the centres of regions k and j. */
double dtb__atlas_centre_distance(const dtb_atlas *a, int64_t k, int64_t j);

/* lengths = factor * centre distance (diagonal 0). Requires centres. */
dtb_status dtb__atlas_lengths_from_centres(dtb_atlas *a, double factor);

/* Number of non-zero weights. */
int64_t dtb__atlas_count_edges(const dtb_atlas *a);

/* Built-in atlases. */
dtb_status dtb__atlas_create_bn246(dtb_atlas **out);
dtb_status dtb__atlas_create_bn246_opendtb(dtb_atlas **out);

/* The Brainnetome region table (labels, hemispheres, lobes, gyri, MNI
 * centres) into an atlas of DTB__BN246_REGIONS regions. */
dtb_status dtb__atlas_bn246_regions(dtb_atlas *a);

#endif /* DTB_ATLAS_IMPL_H */
