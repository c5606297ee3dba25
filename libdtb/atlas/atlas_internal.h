/* libdtb internal — read-only access to an atlas for other library layers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network layer builds coupling and delays straight from these arrays,
 * without the copies the public dtb_atlas_copy_* functions make. The
 * pointers are borrowed: valid while the atlas lives and is not modified
 * (dtb_atlas_set_weight / normalize / scale write into the weights array in
 * place). Matrices are n*n row-major, rows = targets: w[k*n + j] is the
 * weight from region j to region k.
 */
#ifndef DTB_ATLAS_INTERNAL_H
#define DTB_ATLAS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_atlas.h"

/* Number of regions, -1 for NULL. */
int64_t dtb__atlas_n(const dtb_atlas *atlas);

/* n*n weights (never NULL for a valid atlas; NULL for a NULL atlas). */
const double *dtb__atlas_weights(const dtb_atlas *atlas);

/* n*n tract lengths in mm, or NULL if the atlas has none. */
const double *dtb__atlas_lengths(const dtb_atlas *atlas);

/* n*3 centres (x, y, z in mm), or NULL if the atlas has none. */
const double *dtb__atlas_centres(const dtb_atlas *atlas);

/* Virtual surgery on an n*n weight matrix (rows = targets), shared by
 * atlases and running simulations. Validate first, then change: on error
 * the matrix is untouched. */
dtb_status dtb__weights_lesion_region(double *weights, int64_t n, int64_t region);
dtb_status dtb__weights_scale(double *weights, int64_t n, const int64_t *sources,
                              size_t n_sources, const int64_t *targets, size_t n_targets,
                              double factor);

/* A region list ("A8m_*+3+A9l_L": 0-based indices and label glob
 * patterns joined by '+') against n labels: hit[k] = 1 for every region it
 * names (hit is not cleared first). Every entry must name a region:
 * DTB_EINVAL for a bad list or index, DTB_ENOTFOUND for a pattern that
 * matches nothing; messages start with `what`. */
dtb_status dtb__region_list_match(const char *list, const char *const *labels, int64_t n,
                                  const char *what, unsigned char *hit);

/* The same against an atlas, which also understands lobe:GLOB,
 * gyrus:GLOB and hemisphere:left|right. */
dtb_status dtb__atlas_region_list(const dtb_atlas *atlas, const char *list, const char *what,
                                  unsigned char *hit);

#endif /* DTB_ATLAS_INTERNAL_H */
