/* libdtb internal — observer specifications as text, the vocabulary of
 * dtb run --observe and of experiment files: KIND[:KEY=VALUE]...
 * (raw, subsample, tavg, bold, eeg, meg, seeg, fc, fcd, psd, spikes, rate;
 * see dtb(1)).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_OBSERVE_SPEC_H
#define DTB_OBSERVE_SPEC_H

#include "dtb/dtb_observer.h"

typedef struct dtb__observe_spec {
    dtb_observer_kind kind;
    char name[16];              /* file name stem: raw, tavg, bold, eeg, fc, ... */
    double period;              /* seconds, 0 = default (TR for bold) */
    char *vars;                 /* NULL = variables of interest */
    dtb_observer_kind source;   /* fc, fcd, psd: the analysed signal (0 = tavg) */
    dtb_bold_model bold_model;
    char *gain;                 /* projections: gain matrix file */
    dtb_head_model head;
    double noise;               /* projections: observation noise */
    double window, step;        /* fcd window / psd segment, and their step (s) */
    dtb_fcd_method fcd_method;
    dtb_fcd_compare fcd_compare;
    double threshold;           /* spikes, rate */
    double skip;                /* fc, fcd, psd: ignore the source before this time (s) */
} dtb__observe_spec;

/* Read one specification; errors (DTB_EINVAL) name the option and the text. */
dtb_status dtb__observe_spec_parse(const char *text, dtb__observe_spec *out);
void dtb__observe_spec_free(dtb__observe_spec *s);
/* The observer options it stands for (strings borrowed from the spec);
 * the sink is left to the caller. */
void dtb__observe_spec_options(const dtb__observe_spec *s, dtb_observer_options *o);

#endif
