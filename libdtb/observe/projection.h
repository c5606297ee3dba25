/* libdtb internal — projections of region activity onto sensors: a gain
 * matrix (EEG, MEG, SEEG; from memory, a file or the built-in EEG lead
 * field) times the activity, plus optional observation noise.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_PROJECTION_H
#define DTB_PROJECTION_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "dtb/dtb_observer.h"

typedef struct dtb__projection {
    size_t n_sensors, n_regions;
    double *gain;          /* [n_sensors][n_regions] */
    int builtin;           /* the built-in lead field: sensors have names */
    double noise;          /* standard deviation of the observation noise */
    dtb__rng rng;
} dtb__projection;

/* From opts->gain / gain_rows, opts->gain_path (text or .npy), or the
 * built-in lead field from the region centres (NULL if the atlas has
 * none). */
dtb_status dtb__projection_init(dtb__projection *p, const dtb_observer_options *opts,
                                size_t n_regions, const double *centres, uint64_t seed);
void dtb__projection_free(dtb__projection *p);
/* out[n_sensors] = gain x in[n_regions] + noise. */
void dtb__projection_apply(dtb__projection *p, const double *in, double *out);

#endif
