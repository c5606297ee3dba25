/* libdtb internal — building and running an experiment. The dtb program
 * uses these directly (for its progress bar, summary and figures);
 * dtb_experiment_build / dtb_experiment_run wrap them for the API.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPERIMENT_BUILD_H
#define DTB_EXPERIMENT_BUILD_H

#include <stddef.h>

#include "dtb/dtb_atlas.h"
#include "dtb/dtb_experiment.h"
#include "dtb/dtb_model.h"
#include "dtb/dtb_observer.h"
#include "dtb/dtb_sim.h"
#include "experiment_parse.h"

typedef struct dtb__output {
    dtb_observer *obs;
    char *path;
    int existed;   /* the file was there before the build (a resumed run's) */
    int opened;    /* this build made (or continued) the file */
} dtb__output;

/* Something that happens during the run at a time: a lesion or edit with
 * at > 0, or the checkpoint. */
typedef struct dtb__timed {
    double t;
    int is_checkpoint;
    dtb__lesion_spec lesion;
} dtb__timed;

typedef struct dtb__built {
    dtb_atlas *atlas;
    dtb_model *model;
    dtb_sim *sim;
    dtb__output *outputs;
    size_t n_outputs;
    dtb__timed *timed;        /* sorted by time */
    size_t n_timed;
    double duration;          /* the end of the run, simulated seconds */
    char *out_dir;
    char *checkpoint_path;    /* NULL: none */
    char *resume_path;        /* NULL: a fresh run */
    char *from_path;          /* the checkpoint this run branched from (NULL: none) */
    char from_sha256[65];     /* its SHA-256, hex */
    double from_time;         /* the time it starts at, s */
    int default_twin;         /* no model was named */
    int noisy;                /* some noise intensity > 0 */
    uint64_t seed;
    int64_t n_spiking_spikes; /* spikes_spiking.csv's rows; -1: not written */
    int no_outputs;           /* built without observers or output folder: nothing to write */
    char **made_dirs;         /* output folders this build created (removed on failure) */
    size_t n_made_dirs;
    int marked;               /* the folder's records say this run is in progress */
} dtb__built;

/* How to build (dtb__experiment_build_with); zero means the default. */
typedef struct dtb__build_options {
    const char *out_dir;       /* NULL: the experiment's "out", else "dtb-out" */
    int no_outputs;            /* no observers of the experiment's own and no output folder
                                  (a sweep's points attach the observers their scores need) */
    const dtb_atlas *atlas;    /* the atlas the experiment names, loaded already: copied
                                  instead of loading it again */
    const dtb_model *model;    /* the same for the model (before the experiment's sets) */
    /* one more file the caller will write (dtb run --save-experiment), checked
       with the run's own write targets: the setting's name and the path */
    const char *extra_setting, *extra_path;
} dtb__build_options;

dtb_status dtb__experiment_build_with(const dtb_experiment *exp, const dtb__build_options *o,
                                      dtb__built *b);

/* The atlas and the model an experiment names (for sharing between the
 * builds of many points; see dtb__build_options). */
dtb_status dtb__experiment_load_inputs(const dtb_experiment *exp, dtb_atlas **atlas,
                                       dtb_model **model);

/* The experiment with the default twin's settings added where it says
 * nothing about them (see dtb(1)): what a build actually runs. */
dtb_status dtb__experiment_with_defaults(const dtb_experiment *exp, dtb_experiment **out);

/* Everything up to the first step: atlas, model, simulation, interventions
 * at time 0, observers writing into out_dir (NULL: the experiment's "out",
 * else "dtb-out"), the checkpoint to resume from loaded. On failure nothing
 * is left behind: no files, no folders. */
dtb_status dtb__experiment_build(const dtb_experiment *exp, const char *out_dir, dtb__built *b);

/* Run to the end: timed interventions and the checkpoint on the way;
 * files flushed; the provenance record and the equivalent experiment
 * written into the output folder. */
dtb_status dtb__experiment_execute(dtb__built *b, const dtb_experiment *exp,
                                   dtb_progress_fn progress, void *user_data);

/* The same in two parts: run the steps (timed interventions and the
 * checkpoint on the way), then flush the files and write the provenance
 * record for a run that ended with status st (its error message is kept). */
dtb_status dtb__experiment_advance(dtb__built *b, dtb_progress_fn progress, void *user_data);
dtb_status dtb__experiment_finish(dtb__built *b, const dtb_experiment *exp, dtb_status st);

void dtb__built_free(dtb__built *b);

/* Before the output folder is touched (experiment_limits.c): the step
 * count and the outputs' size (unless no-limits), and the files the run
 * will write — none may be an input or another output, the folders of the
 * checkpoint and the extra target must exist. DTB_EINVAL naming the rule. */
dtb_status dtb__experiment_check_limits(const dtb_experiment *exp, const dtb__built *b,
                                        double t_start);
dtb_status dtb__experiment_check_targets(const dtb_experiment *exp, const dtb__built *b,
                                         const char *extra_setting, const char *extra_path);
/* A file a command writes beside an experiment (dtb reservoir
 * --save-states, --save-readout): its folder must exist, and it must be
 * none of the experiment's inputs (exp may be NULL) nor of `others` (the
 * command's own inputs and outputs, n of them; NULL entries skipped, a
 * folder counts with its atlas files). DTB_EINVAL naming both. */
dtb_status dtb__experiment_check_write(const dtb_experiment *exp, const char *setting,
                                       const char *path, const char *const *others, size_t n);

/* Resumes (experiment_resume.c): the note a checkpoint of this experiment
 * carries (its settings, inputs by their SHA-256), and the check of a
 * checkpoint's note against it (DTB_EINVAL naming every difference). */
dtb_status dtb__experiment_resume_note(const dtb_experiment *exp, char **note);
dtb_status dtb__experiment_check_resume(const char *note, const char *checkpoint_path);
/* A branch (setting "from") keeps the atlas and the model of the run that
 * saved the checkpoint: their settings in the two notes are compared
 * (DTB_EINVAL naming every difference; a checkpoint without a note passes,
 * the simulation's own checks remain). */
dtb_status dtb__experiment_check_branch(const char *note, const char *checkpoint_path);

/* One lesion or edit on a simulation, now (recorded in its provenance by
 * the simulation itself); tracts are cut or scaled in both directions. */
dtb_status dtb__experiment_apply_lesion(dtb_sim *sim, const dtb_atlas *atlas,
                                       const dtb__lesion_spec *l);
/* After a failed build or run: remove the files and folders it made. */
void dtb__built_remove_outputs(dtb__built *b);

#endif
