/* libdtb internal — spikes and population rates from threshold crossings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EVENTS_H
#define DTB_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

/* Where an event observer's samples go (the observer's sink). */
typedef dtb_status (*dtb__emit_fn)(void *ctx, double t, const double *values);

typedef struct dtb__events {
    int rate;              /* 0: SPIKES (one sample per crossing), 1: RATE */
    size_t n_vars, n_regions;
    double threshold, dt;
    int64_t istep;         /* RATE: steps per sample */
    double *prev;          /* [n_vars * n_regions] value after the previous step */
    int have_prev;
    int64_t *counts;       /* RATE: [n_vars] crossings in the current window */
    int64_t window_steps;  /* RATE: steps in the current window */
    double *out;           /* RATE: [n_vars] */
} dtb__events;

dtb_status dtb__events_init(dtb__events *e, int rate, size_t n_vars, size_t n_regions,
                            double threshold, double dt, int64_t istep);
void dtb__events_free(dtb__events *e);
dtb_status dtb__events_push(dtb__events *e, int64_t step, const double *in, dtb__emit_fn emit,
                            void *ctx);

#endif
