/* libdtb — experiments: everything a run needs, as one document.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment is an ordered list of settings in the vocabulary of
 * `dtb run` (dtb(1)): each setting is the name of one of its options
 * without the leading dashes ("atlas", "model", "set", "coupling",
 * "stimulus", "lesion", "observe", "duration", ...) and its value, written
 * exactly as on the command line ("G=0.1", "linear:a=1",
 * "pulse:onset=100ms,width=50ms,amplitude=0.1:regions=A8m_L:into=I_ext").
 * Options that take no value ("fic", "tvb-float32-coupling") have the
 * value "". Repeatable options (set, include, observe, stimulus, lesion,
 * noise) accumulate; for the others the last value given wins.
 *
 * On disk an experiment is an XML document (dtb-experiment(5)):
 *
 *   <experiment version="1">
 *     <model>reduced_wong_wang_exc_inh</model>
 *     <set>G=0.1</set>
 *     <stimulus>pulse:onset=100ms,width=50ms,amplitude=0.1:regions=A8m_L:into=I_ext</stimulus>
 *     <lesion>region=A8m_R</lesion>
 *     <observe>tavg:period=1ms</observe>
 *     <fic/>
 *   </experiment>
 *
 * Relative file names inside an experiment file are relative to the
 * file's folder: loading resolves them, saving writes them relative to the
 * new file's folder, so an experiment and its inputs move together.
 *
 * Every value is checked when it is added (syntax, units, names of
 * integrators and couplings, ...); what needs the atlas or the model
 * (region labels, parameter names) is checked when the experiment is
 * built. Errors name the setting and, for files, the line. */
#ifndef DTB_EXPERIMENT_H
#define DTB_EXPERIMENT_H

#include "dtb_common.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_experiment dtb_experiment;

/* An empty experiment (every setting at its default: the default twin). */
DTB_API dtb_status dtb_experiment_create(dtb_experiment **out);
/* Read an experiment file. On failure *out is NULL and the error names
 * the file, the line and the element. */
DTB_API dtb_status dtb_experiment_load(dtb_experiment **out, const char *path);
/* The same from a buffer; relative file names are relative to base_dir
 * (NULL: the current directory); name is used in messages (may be NULL). */
DTB_API dtb_status dtb_experiment_load_memory(dtb_experiment **out, const char *xml, size_t len,
                                              const char *name, const char *base_dir);
/* Deep copy. */
DTB_API dtb_status dtb_experiment_clone(dtb_experiment **out, const dtb_experiment *exp);
DTB_API void dtb_experiment_free(dtb_experiment *exp);

/* Add a setting (see above); value NULL or "" for options without one.
 * DTB_ENOTFOUND for an unknown name, DTB_EINVAL for a bad value; the
 * experiment is unchanged then. */
DTB_API dtb_status dtb_experiment_add(dtb_experiment *exp, const char *name, const char *value);
/* Remove every setting of that name (no error if there is none). */
DTB_API dtb_status dtb_experiment_remove(dtb_experiment *exp, const char *name);

/* The settings in order (-1 / NULL on bad arguments; strings borrowed,
 * valid until the experiment changes). */
DTB_API int64_t dtb_experiment_setting_count(const dtb_experiment *exp);
DTB_API const char *dtb_experiment_setting_name(const dtb_experiment *exp, int64_t index);
DTB_API const char *dtb_experiment_setting_value(const dtb_experiment *exp, int64_t index);
/* The value of the last setting of that name, or NULL if there is none. */
DTB_API const char *dtb_experiment_get(const dtb_experiment *exp, const char *name);

/* Write the experiment as XML (relative file names rewritten relative to
 * the folder of path). */
DTB_API dtb_status dtb_experiment_save(const dtb_experiment *exp, const char *path);

/* Simulated seconds the experiment runs (its duration; 1 s by default);
 * NaN for NULL. */
DTB_API double dtb_experiment_duration(const dtb_experiment *exp);

/* Build the simulation an experiment describes: atlas, model and
 * parameters, coupling, integrator, noise, seed, initial state, feedback
 * inhibition control, stimuli, the lesions and edits at time 0, and its
 * observers writing into out_dir (NULL: the experiment's "out" setting,
 * else "dtb-out"; created if needed), resumed from its checkpoint if it
 * names one. Lesions at later times and the checkpoint are applied by
 * dtb_experiment_run, not here. On failure nothing is left behind. The
 * caller frees *sim_out (which keeps its observers). */
DTB_API dtb_status dtb_experiment_build(const dtb_experiment *exp, const char *out_dir,
                                        dtb_sim **sim_out);

/* Build and run to the end: lesions and edits at their times, the
 * checkpoint when asked, observers' files completed, and in out_dir a
 * provenance record (provenance.json: libdtb's version, the seed, the
 * SHA-256 of every input file, every intervention with its time, the
 * outputs) and the experiment itself (experiment.xml). progress may be
 * NULL (see dtb_sim_run; its fraction covers the whole run). */
DTB_API dtb_status dtb_experiment_run(const dtb_experiment *exp, const char *out_dir,
                                      dtb_progress_fn progress, void *user_data);

DTB_END_DECLS

#endif /* DTB_EXPERIMENT_H */
