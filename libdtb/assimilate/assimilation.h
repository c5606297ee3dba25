/* libdtb internal — the assimilation object (dtb_assimilate.h): its
 * settings, what prepare works out from them, the members and the results.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   assimilate.c        the object, its settings and checks, the getters
 *   assimilate_run.c    the members (a simulation each, run on the explore
 *                       layer's job runner) and the filter's cycle
 *   assimilate_files.c  estimates.csv, forecast.csv and their figures
 *   assimilate_distance.c  the distances between regions localisation uses */
#ifndef DTB_ASSIMILATION_H
#define DTB_ASSIMILATION_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_assimilate.h"
#include "dtb/dtb_atlas.h"
#include "dtb/dtb_model.h"

/* An --estimate NAME[@REGIONS]=LO:HI as given. */
typedef struct dtb__estimate {
    char *name;               /* as written */
    char *param;              /* the model parameter */
    char *regions;            /* the region list, NULL: global */
    double lo, hi;
    double pull;              /* hierarchical: the pull of the region values towards their
                                 shared hyper-parameter per sample; 0: not hierarchical */
} dtb__estimate;

/* par_region of a hierarchical estimate's hyper-parameter: in the filter,
 * not in any simulation. */
#define DTB__HYPER (-2)

struct dtb_assimilation {
    dtb_experiment *exp;      /* the twin, as given */
    dtb__estimate *est;
    size_t n_est;
    char *data_path;
    char *observer;           /* --observe spec of the members' observer */
    /* worked out by prepare */
    int prepared;
    dtb_assimilate_options opts;   /* defaults filled in */
    dtb_experiment *base;     /* exp with defaults expanded, observers and outputs removed */
    dtb_atlas *atlas;
    dtb_model *model;
    uint64_t seed;
    double dt, period;        /* s */
    int64_t steps;            /* steps per sample */
    double *data;             /* n_samples x n_obs */
    size_t n_samples, n_obs;
    double *obs_var;          /* n_obs: error variances */
    char **obs_names;         /* n_obs: the observer's column names */
    /* the estimated parameters: one per region of a NAME@REGIONS */
    size_t n_par;
    char **par_name;          /* NAME or NAME@k */
    size_t *par_est;          /* its estimate */
    int64_t *par_region;      /* -1: every region; DTB__HYPER: a hyper-parameter */
    size_t n_regions, n_states;
    double *distance;         /* n_regions^2 (mm or hops) with localisation, else NULL */
    /* results */
    size_t n_done;
    double *times;            /* n_samples */
    double *means, *sds;      /* n_samples x n_par */
    double *forecast;         /* n_samples x n_obs */
    int ran;
    volatile int stop;
};

/* assimilate_distance.c: a->distance (n_regions^2) when localising, with
 * the checks that the atlas has what the distance needs */
dtb_status dtb__assimilation_distances(dtb_assimilation *a);

/* assimilate_run.c */
dtb_status dtb__assimilation_check_member(dtb_assimilation *a);
dtb_status dtb__assimilation_cycle_all(dtb_assimilation *a);

/* assimilate_files.c: the folder made and its files checked (none may be
 * an input), then the files of the samples done */
dtb_status dtb__assimilation_prepare_dir(const dtb_assimilation *a, const char *dir);
dtb_status dtb__assimilation_write_files(const dtb_assimilation *a, const char *dir);

#endif
