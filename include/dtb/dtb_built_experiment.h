/* libdtb — a built experiment: the simulation an experiment describes,
 * with its atlas, model, observers and output files, before and after it
 * runs.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * dtb_experiment_run() builds and runs in one call; a driver that shows
 * progress, reports on the run or draws its files (dtb(1)'s `run` does all
 * three) builds first, looks at what was built, runs it, then reads the
 * results:
 *
 *   dtb_built_experiment *b;
 *   dtb_built_experiment_create(&b, exp, NULL);      // the output folder is made
 *   dtb_sim *sim = dtb_built_experiment_sim(b);      // borrowed from b
 *   dtb_built_experiment_run(b, progress, &state);   // files completed, provenance written
 *   for (int64_t i = 0; i < dtb_built_experiment_output_count(b); i++)
 *       puts(dtb_built_experiment_output_path(b, i));
 *   dtb_built_experiment_free(b);                    // the files stay
 *
 * Everything the accessors return is borrowed from the handle and stays
 * valid until it is freed. */
#ifndef DTB_BUILT_EXPERIMENT_H
#define DTB_BUILT_EXPERIMENT_H

#include "dtb_atlas.h"
#include "dtb_common.h"
#include "dtb_experiment.h"
#include "dtb_model.h"
#include "dtb_observer.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_built_experiment dtb_built_experiment;

#define DTB_BUILT_EXPERIMENT_OPTIONS_VERSION 1

/* Options of dtb_built_experiment_create(). Zero in any member means its
 * default. */
typedef struct dtb_built_experiment_options {
    uint32_t version;            /* DTB_BUILT_EXPERIMENT_OPTIONS_VERSION */
    uint32_t flags;              /* reserved, must be 0 */
    const char *out_dir;         /* NULL: the experiment's "out" setting, else "dtb-out" */
    /* One more file the caller will write beside the run's (dtb run
     * --save-experiment): checked with the run's own write targets before
     * anything is written (it must not be an input or an output; its
     * folder must exist). extra_setting names it in messages. Both NULL:
     * none. */
    const char *extra_setting;
    const char *extra_path;
} dtb_built_experiment_options;

#define DTB_BUILT_EXPERIMENT_OPTIONS_INIT { DTB_BUILT_EXPERIMENT_OPTIONS_VERSION, 0, NULL, NULL, NULL }

DTB_API dtb_status dtb_built_experiment_options_init(dtb_built_experiment_options *opts,
                                                     uint32_t version);

/* Build what dtb_experiment_build() builds (atlas, model, simulation,
 * interventions at time 0, observers writing into the output folder, the
 * checkpoint to resume from), after checking the limits and every file the
 * run will write. The experiment is copied. On failure *out is NULL and
 * nothing is left on disk. opts may be NULL. */
DTB_API dtb_status dtb_built_experiment_create(dtb_built_experiment **out,
                                               const dtb_experiment *exp,
                                               const dtb_built_experiment_options *opts);
/* Free the handle (and the simulation, observers, atlas and model it
 * holds); the files stay. NULL is accepted. */
DTB_API void dtb_built_experiment_free(dtb_built_experiment *built);
/* Free the handle and remove the files and folders its build made: for a
 * driver whose own checks refuse the run after the build. NULL is
 * accepted. */
DTB_API void dtb_built_experiment_discard(dtb_built_experiment *built);

/* Run to the end, as dtb_experiment_run() does: lesions and edits at their
 * times, the checkpoint, the files completed, provenance.json and
 * experiment.xml written into the output folder (also after a failed or
 * cancelled run: they record how far it got). progress may be NULL; its
 * fraction covers the whole run. Once per handle: DTB_ESTATE after that. */
DTB_API dtb_status dtb_built_experiment_run(dtb_built_experiment *built, dtb_progress_fn progress,
                                            void *user_data);

/* What was built (NULL for a NULL handle). The simulation may be stepped
 * and read, and dtb_sim_request_stop() may be called on it from another
 * thread or a signal handler while dtb_built_experiment_run() runs. */
DTB_API dtb_sim *dtb_built_experiment_sim(const dtb_built_experiment *built);
DTB_API const dtb_atlas *dtb_built_experiment_atlas(const dtb_built_experiment *built);
/* The model as built (the experiment's parameter settings applied). */
DTB_API const dtb_model *dtb_built_experiment_model(const dtb_built_experiment *built);

/* The output files, one per observer of the experiment, in the order of
 * its "observe" settings (-1 / NULL on bad arguments). */
DTB_API int64_t dtb_built_experiment_output_count(const dtb_built_experiment *built);
DTB_API const dtb_observer *dtb_built_experiment_output_observer(const dtb_built_experiment *built,
                                                                 int64_t index);
DTB_API const char *dtb_built_experiment_output_path(const dtb_built_experiment *built,
                                                     int64_t index);
/* The output folder. */
DTB_API const char *dtb_built_experiment_out_dir(const dtb_built_experiment *built);
/* The checkpoint the run writes at its end or time, or NULL if none. */
DTB_API const char *dtb_built_experiment_checkpoint_path(const dtb_built_experiment *built);
/* The simulated time the run ends at, in seconds (NaN for NULL). */
DTB_API double dtb_built_experiment_end_time(const dtb_built_experiment *built);
/* The seed the run uses (the experiment's, or the default one); 0 for NULL. */
DTB_API uint64_t dtb_built_experiment_seed(const dtb_built_experiment *built);
/* 1 if the experiment names no model (the default twin runs), 0 if it
 * does, -1 for NULL. */
DTB_API int32_t dtb_built_experiment_is_default_twin(const dtb_built_experiment *built);
/* 1 if some noise intensity is above 0, 0 if not, -1 for NULL. */
DTB_API int32_t dtb_built_experiment_is_noisy(const dtb_built_experiment *built);
/* After the run: the spikes of the spiking regions written to
 * spikes_spiking.csv; -1 when that file is not written (or NULL). */
DTB_API int64_t dtb_built_experiment_spiking_spike_count(const dtb_built_experiment *built);

/* A file a driver writes beside an experiment's results (dtb reservoir
 * --save-states): its folder must exist, and it must be none of the
 * experiment's inputs (exp may be NULL) nor of `others` (the driver's own
 * inputs and outputs, n_others of them; NULL entries are skipped; a folder
 * counts with its atlas files). setting names the file in messages.
 * DTB_EINVAL naming both paths. */
DTB_API dtb_status dtb_experiment_check_write(const dtb_experiment *exp, const char *setting,
                                              const char *path, const char *const *others,
                                              size_t n_others);

DTB_END_DECLS

#endif /* DTB_BUILT_EXPERIMENT_H */
