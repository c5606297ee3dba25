/* libdtb internal — the assimilation object (dtb_assimilate.h): its
 * settings, what prepare works out from them, the members and the results.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   assimilate.c        the object, its settings and checks, the getters
 *   assimilate_run.c    the members (a simulation each, run on the explore
 *                       layer's job runner) and the filter's cycle
 *   assimilate_files.c  estimates.csv, forecast.csv and their figures
 *   assimilate_distance.c  the distances between regions localisation uses
 *   assimilate_scale.c  the z-scored observation model, the forecasts' skill */
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

/* DTB_ASSIMILATE_FLAG_ZSCORE: the simulated time the members run before
 * the recording's first sample (past a resting start's haemodynamic
 * transient), whose predictions only start the statistics. */
#define DTB__SPINUP_SECONDS 30.0

/* Running mean and sum of squared deviations of each column of the
 * ensemble's raw predictions. */
typedef struct dtb__pred_stats {
    double count;
    double *mean, *m2;        /* n_obs */
} dtb__pred_stats;

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
    double *skill;            /* n_obs + 2: each column's r, their mean, the FCs' r */
    int ran;
    volatile int stop;
};

/* assimilate_distance.c: a->distance (n_regions^2) when localising, with
 * the checks that the atlas has what the distance needs */
dtb_status dtb__assimilation_distances(dtb_assimilation *a);

/* assimilate_run.c */
dtb_status dtb__assimilation_check_member(dtb_assimilation *a);
dtb_status dtb__assimilation_cycle_all(dtb_assimilation *a);

/* assimilate_scale.c: the spin-up (samples; 0 without z-scoring), the
 * data z-scored in place, the predictions' statistics and their
 * standardisation (HX: n_obs x M), and a->skill from the samples done */
int64_t dtb__assimilation_spinup_samples(const dtb_assimilation *a);
dtb_status dtb__assimilation_zscore_data(dtb_assimilation *a, double *m, size_t rows);
dtb_status dtb__pred_stats_init(dtb__pred_stats *s, size_t n_obs);
void dtb__pred_stats_free(dtb__pred_stats *s);
void dtb__pred_stats_add(dtb__pred_stats *s, const double *HX, size_t n_obs, size_t M);
void dtb__pred_stats_standardise(const dtb__pred_stats *s, double *HX, size_t n_obs, size_t M);
dtb_status dtb__assimilation_skill(dtb_assimilation *a);

/* assimilate_files.c: the folder made and its files checked (none may be
 * an input); provenance.json saying "running" and the previous run's files
 * removed; then the files of the samples done and provenance.json with the
 * state (run_st: how the run ended) */
dtb_status dtb__assimilation_prepare_dir(const dtb_assimilation *a, const char *dir);
dtb_status dtb__assimilation_mark_running(const dtb_assimilation *a, const char *dir);
dtb_status dtb__assimilation_write_files(const dtb_assimilation *a, const char *dir,
                                         dtb_status run_st);

#endif
