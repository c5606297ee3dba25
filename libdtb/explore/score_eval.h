/* libdtb internal — scores on a running simulation (score_eval.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SCORE_EVAL_H
#define DTB_SCORE_EVAL_H

#include "dtb/dtb_observer.h"
#include "explore.h"

/* One observer that one or more scores read. */
typedef struct dtb__probe {
    const char *spec;         /* borrowed from the score */
    dtb_observer *obs;
    struct accumulator *acc;  /* owned by the observer (its destroy callback) */
    double value;             /* metastability: computed once */
    int done;
} dtb__probe;

typedef struct dtb__score_run {
    dtb__probe *probes;
    size_t n_probes;
    size_t *probe_of;         /* per score: its probe */
} dtb__score_run;

/* Attach the observers of the scores to sim (before its first step). */
dtb_status dtb__scores_attach(const dtb__score *scores, size_t n_scores, double transient,
                              dtb_sim *sim, dtb__score_run *run);
/* The scores' values after the run (NaN where a score is undefined: a
 * constant signal, too few samples, a size that does not match). */
void dtb__scores_compute(const dtb__score *scores, size_t n_scores, double transient,
                         dtb__score_run *run, double *values);
void dtb__score_run_free(dtb__score_run *run);

#endif
