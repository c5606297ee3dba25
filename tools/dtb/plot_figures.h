/* dtb plot — one figure per output file, by the kind its name tells.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_PLOT_FIGURES_H
#define DTB_PLOT_FIGURES_H

#include "dtb/dtb.h"

typedef struct figure_request {
    const char *path;          /* output file */
    const char *svg;           /* figure to write */
    const char *kind;          /* file stem without "-N": bold, fc, psd, ... */
    const char *regions;       /* --regions / --plot-regions, or NULL */
    const dtb_atlas *atlas;    /* for region labels, or NULL */
} figure_request;

/* Returns 0, or prints the error and returns an exit status. */
int figure_series(const figure_request *r);
int figure_psd(const figure_request *r);
int figure_matrix(const figure_request *r);
int figure_spikes(const figure_request *r);
/* --brain: the file's regions on glass-brain views (plot_brain.c). */
int figure_brain(const figure_request *r);

#endif
