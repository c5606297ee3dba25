/* libdtb — a built-in EEG lead field: the scalp potentials of region dipoles
 * in a spherical head, so that EEG can be simulated on any atlas with
 * region centres and no forward-model files.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The approximation, in full (dtb_leadfield(3) discusses it):
 *   - every region is one current dipole of 1 A.m at its centre (MNI mm),
 *     pointing radially out of the head sphere (regions have no orientation;
 *     radial is the average orientation of cortical columns over a gyrus);
 *   - the head is a sphere centred on the mean of the region centres, of
 *     radius 90 mm, or larger so that every source lies within 0.8 of it;
 *   - HOMOGENEOUS: one medium of 0.33 S/m; THREE_SHELL: brain, skull and
 *     scalp shells at 0.87, 0.92 and 1 of the radius with 0.33, 0.0042 and
 *     0.33 S/m (Rush & Driscoll's 1:80 skull ratio), solved exactly by the
 *     Legendre series of concentric spheres;
 *   - 21 electrodes of the 10-20 system placed on the sphere (F3, F4, P3,
 *     P4 at great-circle midpoints), average reference.
 * Gains are in volts per A.m. */
#ifndef DTB_LEADFIELD_H
#define DTB_LEADFIELD_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef enum dtb_head_model {
    DTB_HEAD_DEFAULT = 0,       /* THREE_SHELL */
    DTB_HEAD_HOMOGENEOUS = 1,
    DTB_HEAD_THREE_SHELL = 2,
    DTB_HEAD_FORCE32_ = 0x7FFFFFFF
} dtb_head_model;

/* The built-in electrodes: their number (21) and names ("Fp1", ..., "O2";
 * static; NULL out of range). */
DTB_API int64_t dtb_leadfield_sensor_count(void);
DTB_API const char *dtb_leadfield_sensor_name(int64_t sensor);

/* The gain matrix, electrodes x regions (row-major, 21 x n_regions), from
 * region centres (n_regions x 3, MNI mm). Two-call idiom on
 * 21 * n_regions doubles. */
DTB_API dtb_status dtb_leadfield_eeg(double *gain, size_t capacity, size_t *needed_out,
                                     const double *centres, int64_t n_regions,
                                     dtb_head_model head);

DTB_END_DECLS

#endif /* DTB_LEADFIELD_H */
