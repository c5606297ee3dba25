/* libdtb internal — stimuli (see include/dtb/dtb_stimulus.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_STIMULUS_INTERNAL_H
#define DTB_STIMULUS_INTERNAL_H

#include "base/base.h"
#include "base/rng.h"
#include "dtb/dtb_atlas.h"
#include "dtb/dtb_stimulus.h"

typedef enum dtb__stim_kind {
    DTB__STIM_PULSE, DTB__STIM_PULSE_TRAIN, DTB__STIM_BIPHASIC, DTB__STIM_STEP, DTB__STIM_RAMP,
    DTB__STIM_SINE, DTB__STIM_GAUSSIAN, DTB__STIM_ALPHA, DTB__STIM_POISSON, DTB__STIM_NOISE,
    DTB__STIM_TABLE, DTB__STIM_WAVEFORM, DTB__STIM_CALLBACK
} dtb__stim_kind;

#define DTB__STIM_MAX_PARAMS 7

/* A user callback shared by every copy of a stimulus: destroy runs once,
 * when the last copy goes. */
typedef struct dtb__stim_callback {
    dtb__refcount ref;
    dtb_stimulus_fn fn;
    void *user_data;
    dtb_destroy_fn destroy;
    double *state;                     /* what the callback's value depends on, kept by its
                                          owner (a controller): saved and restored with the
                                          stimulus in checkpoints; NULL: none */
    size_t n_state;
} dtb__stim_callback;

typedef struct dtb__stim_shape {
    dtb__stim_kind kind;
    double p[DTB__STIM_MAX_PARAMS];    /* in the order of the shape's parameter table */
    double *data;                      /* TABLE: 3 per row; WAVEFORM: 2 per sample */
    size_t n_data;                     /* rows / samples */
    dtb__stim_callback *cb;            /* CALLBACK */
    double pulse_until;                /* POISSON: end of the current pulse (state) */
} dtb__stim_shape;

typedef enum dtb__stim_space {
    DTB__SPACE_ALL, DTB__SPACE_REGIONS, DTB__SPACE_LABELS, DTB__SPACE_WEIGHTS, DTB__SPACE_GAUSSIAN
} dtb__stim_space;

struct dtb_stimulus {
    char *target;
    dtb__stim_shape *shapes;
    size_t n_shapes;
    dtb__stim_space space;
    int64_t *regions; size_t n_regions;
    double *weights; size_t n_weights;
    char *labels;
    double centre[3], radius;
    double start, stop;
    uint64_t seed;
    dtb__rng rng;                       /* random shapes (state) */
};

/* The state of the stimulus' last shape, a callback (state: n_state doubles
 * its owner keeps alive as long as the callback): checkpoints save and
 * restore it with the stimulus. DTB_EINVAL if the last shape is not a
 * callback. */
dtb_status dtb__stimulus_callback_state(dtb_stimulus *stim, double *state, size_t n_state);
/* Deep copy (callbacks shared by reference). */
dtb_status dtb__stimulus_copy(const dtb_stimulus *src, dtb_stimulus **out);
/* One weight per atlas region from the spatial pattern. */
dtb_status dtb__stimulus_weights(const dtb_stimulus *stim, const dtb_atlas *atlas,
                                 const char *const *labels, const double *centres, int64_t n,
                                 double *weights);
/* Value for the step starting at time t with step dt (advances the random
 * shapes' state). */
double dtb__stimulus_step_value(dtb_stimulus *stim, double t, double dt);

#endif
