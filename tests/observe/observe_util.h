/* Helpers of the observer tests: simulations of the driven test model
 * (x = base + amp sin(2 pi f t + phase) in every region, known exactly). */
#ifndef OBSERVE_UTIL_H
#define OBSERVE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb.h"

/* n unconnected regions with centres spread on a circle (for the lead field). */
dtb_atlas *isolated_atlas(int64_t n);

/* The driven model on `atlas` with Euler steps of dt; per-region f (Hz),
 * base, amp and initial phase (NULL: the defaults 10 Hz, 1, 0.5, 0). */
dtb_sim *driven_sim(dtb_atlas *atlas, double dt, const double *f, const double *base,
                    const double *amp, const double *phase);

/* A memory observer of kind `kind` on variable x. */
dtb_observer *memory_observer(dtb_sim *sim, dtb_observer_kind kind, double period);

/* Read all pending samples: *times (n) and *values (n x columns), malloc'd. */
size_t read_all(dtb_observer *obs, double **times, double **values);

#endif
