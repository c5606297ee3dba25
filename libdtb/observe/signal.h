/* libdtb internal — the signal an observer samples from the simulation's
 * state: raw, subsampled, averaged, BOLD or projected onto sensors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SIGNAL_H
#define DTB_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "balloon.h"
#include "projection.h"
#include "volterra.h"

typedef struct dtb__signal {
    dtb_observer_kind kind;   /* RAW, SUBSAMPLE, TAVG, BOLD or PROJECTION */
    double dt;                /* simulation step, s */
    int64_t istep;            /* steps per sample */
    size_t n_in;              /* values per step: variables x regions */
    size_t n_out;             /* values per sample */
    double *acc;              /* TAVG, PROJECTION: running sum, n_in */
    int64_t acc_count;
    double *out;              /* the last sample, n_out */
    dtb__balloon balloon;     /* BOLD, Balloon-Windkessel sets */
    dtb__volterra volterra;   /* BOLD, TVB's Volterra monitor */
    int use_volterra;
    dtb__projection projection;
} dtb__signal;

/* Everything a signal needs to be set up. */
typedef struct dtb__signal_spec {
    dtb_observer_kind kind;
    double period;                 /* seconds, 0 = the kind's default */
    double dt;
    size_t n_vars, n_regions;
    const dtb_observer_options *opts;   /* bold_model, gain, noise, ... (may be NULL) */
    const double *centres;         /* region centres or NULL */
    uint64_t seed;                 /* projection noise */
} dtb__signal_spec;

dtb_status dtb__signal_init(dtb__signal *s, const dtb__signal_spec *spec);
void dtb__signal_free(dtb__signal *s);
/* The values after step `step` (n_in, variable-major). Sets *emitted to 1
 * and *t to the sample's time when a sample is ready in s->out. */
dtb_status dtb__signal_push(dtb__signal *s, int64_t step, const double *in, int *emitted, double *t);

/* Steps per period, checking that period is a whole number of steps. */
dtb_status dtb__period_steps(double period, double dt, int64_t *istep);

#endif
