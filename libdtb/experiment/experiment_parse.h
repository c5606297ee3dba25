/* libdtb internal — reading the values of experiment settings into
 * structures (used both to check a value when it is added and to build
 * the simulation). Every error names the setting and the offending text.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPERIMENT_PARSE_H
#define DTB_EXPERIMENT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_atlas.h"
#include "dtb/dtb_sim.h"
#include "dtb/dtb_stimulus.h"
#include "dtb/dtb_spiking.h"

/* "a=1,b=2": names and values as text. */
typedef struct dtb__pair {
    char *name, *value;
} dtb__pair;

typedef struct dtb__pairs {
    dtb__pair *items;
    size_t n;
} dtb__pairs;

dtb_status dtb__parse_pairs(const char *setting, const char *text, dtb__pairs *out);
void dtb__pairs_free(dtb__pairs *p);

dtb_status dtb__parse_integrator(const char *text, dtb_integrator *out);
dtb_status dtb__parse_noise_kind(const char *text, dtb_noise_kind *kind, double *tau);

/* KIND[:p=v,...] or FILE.xml[:p=v,...]: *file is NULL for a kind. */
typedef struct dtb__coupling_spec {
    dtb_coupling_kind kind;
    char *file;
    dtb__pairs params;
    double *values;      /* the numbers of params.items[i] */
} dtb__coupling_spec;
dtb_status dtb__parse_coupling(const char *text, dtb__coupling_spec *out);
void dtb__coupling_spec_free(dtb__coupling_spec *c);

/* KIND:k=v,...:regions=LIST:into=NAME[:seed=N]: the stimulus (shape
 * added, target set) and the region list, resolved later against the
 * atlas (NULL: every region). */
typedef struct dtb__stimulus_spec {
    dtb_stimulus *stim;
    char *regions;
} dtb__stimulus_spec;
dtb_status dtb__parse_stimulus(const char *text, dtb__stimulus_spec *out);
void dtb__stimulus_spec_free(dtb__stimulus_spec *s);

/* region=LIST | edge=LIST:LIST | scale=LIST:LIST:FACTOR, then optionally
 * :at=TIME (default 0: before the first step). */
typedef enum dtb__lesion_kind { DTB__LESION_REGION, DTB__LESION_EDGE, DTB__LESION_SCALE } dtb__lesion_kind;
typedef struct dtb__lesion_spec {
    dtb__lesion_kind kind;
    char *a, *b;      /* region lists (b NULL for REGION) */
    double factor;    /* SCALE; 0 for EDGE */
    double at;        /* seconds */
} dtb__lesion_spec;
dtb_status dtb__parse_lesion(const char *text, dtb__lesion_spec *out);
void dtb__lesion_spec_free(dtb__lesion_spec *l);

/* REGIONS[:k=v,...]: spiking regions (dtb_sim_add_spiking_region). Keys:
 * model, n, exc, k_exc, k_inh, w_exc, w_inh, bg (Hz), gain, weight,
 * tau (time), half (Hz), input (poisson or current). */
typedef struct dtb__spiking_spec {
    char *regions;
    char *model;      /* NULL: lif (or the cell below) */
    char *cell_path;  /* cell=FILE.xml#ID: a LEMS/NeuroML cell, or NULL */
    char *cell_id;
    dtb_spiking_region_options opts;
} dtb__spiking_spec;
dtb_status dtb__parse_spiking(const char *text, dtb__spiking_spec *out);
void dtb__spiking_spec_free(dtb__spiking_spec *s);

/* none, max, region, row-sum, log1p (dtb_weight_norm). */
dtb_status dtb__parse_normalize(const char *setting, const char *text, dtb_weight_norm *out);

/* set: NAME=VALUE (every region; VALUE a number with an optional unit), NAME@LIST=VALUE (the regions of LIST,
 * a region list as below; the others keep their values) or NAME=@FILE.csv
 * (one value per region from a table). */
typedef struct dtb__set_spec {
    char *name;
    char *regions;    /* NAME@LIST: the list; else NULL */
    char *file;       /* NAME=@FILE: the table; else NULL */
    char *value;      /* the value's text (with its unit), NULL with a file */
} dtb__set_spec;
dtb_status dtb__parse_set(const char *setting, const char *text, dtb__set_spec *out);
void dtb__set_spec_free(dtb__set_spec *s);

/* A region list: 0-based indices and label glob patterns joined by '+'
 * ("0+A8m_*+lPFtha_R"). Every entry must match at least one region.
 * *out (malloc'd, sorted, no duplicates) and *n_out. */
dtb_status dtb__resolve_regions(const dtb_atlas *atlas, const char *setting, const char *list,
                                int64_t **out, size_t *n_out);

#endif
