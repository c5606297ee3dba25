/* libdtb — LEMS and NeuroML files: load and validate one, describe its
 * ComponentTypes, run its Simulation and write the files it asks for
 * (what `jnml FILE -nogui` does; dtb-lems(7) gives the semantics and the
 * differences from jLEMS and pylems).
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dtb_lems_document *doc;
 *   dtb_lems_simulation *sim;
 *   const char *dirs[] = {"NeuroML2/NeuroML2CoreTypes"};
 *   dtb_lems_document_load(&doc, "LEMS_HH.xml", dirs, 1);
 *   dtb_lems_simulation_create(&sim, doc, NULL);          // the document's Target
 *   dtb_lems_simulation_open_outputs(sim, "results");     // every file it names, under results/
 *   dtb_lems_simulation_run(sim, NULL, NULL);
 *   dtb_lems_simulation_free(sim);
 *   dtb_lems_document_free(doc);                          // in either order
 *
 * A simulation keeps its document alive. Files hold the time (s) in the
 * first column and each quantity in SI units, separated by spaces, one row
 * per step from t = 0 (numbers that read back exactly, in any locale); an
 * EventOutputFile holds one line per selected event: the time and the
 * selection's id (or the reverse with format="ID_TIME"). Rows reach the
 * files whole, however the run ends. */
#ifndef DTB_LEMS_H
#define DTB_LEMS_H

#include "dtb_common.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_lems_document dtb_lems_document;
typedef struct dtb_lems_simulation dtb_lems_simulation;

/* Read a LEMS or NeuroML file and what it includes, and check it: XML,
 * units, inheritance, every expression's symbols and dimensions, every
 * component's attributes and children. Included files are looked for
 * beside the including file, then in include_dirs (n_include_dirs folders;
 * NULL when 0). On failure *out is NULL and the error names the file, the
 * line and the element (DTB_ENOTFOUND, DTB_EIO, DTB_EPARSE). */
DTB_API dtb_status dtb_lems_document_load(dtb_lems_document **out, const char *path,
                                          const char *const *include_dirs,
                                          size_t n_include_dirs);
/* NULL is accepted. Simulations made from it keep it alive. */
DTB_API void dtb_lems_document_free(dtb_lems_document *doc);

/* dtb_lems_document_describe() flags */
/* List every ComponentType read, the included files' too (default: those
 * the loaded file declares or uses). */
#define DTB_LEMS_DESCRIBE_ALL 0x1u

/* The report `dtb check` prints, as UTF-8 text: a line with the counts of
 * files, ComponentTypes and components, the ComponentTypes with their
 * parameters, properties, state and derived variables, exposures,
 * requirements, event ports and regimes (and why one cannot run), then
 * the Simulations. snprintf-like: the text and its NUL go into buf when
 * capacity holds them (buf may be NULL with capacity 0), *needed_out (may
 * be NULL) receives strlen + 1, and a smaller capacity gives DTB_EBUFSIZE
 * and writes nothing. */
DTB_API dtb_status dtb_lems_document_describe(const dtb_lems_document *doc, uint32_t flags,
                                              char *buf, size_t capacity, size_t *needed_out);

/* What the loaded files do that jLEMS and pylems accept but that is
 * sloppy (dtb-lems(7) "Accepted with a warning"), one warning per line,
 * each "FILE:LINE: <Element ...>: what and how it was taken"; "" when there
 * is none. snprintf-like, as dtb_lems_document_describe(). */
DTB_API dtb_status dtb_lems_document_warnings(const dtb_lems_document *doc, char *buf, size_t capacity,
                                              size_t *needed_out);

/* dtb_lems_simulation_options.flags */
/* Use dtb_lems_simulation_options.seed (default: the Simulation's seed
 * attribute, else 0). */
#define DTB_LEMS_SIMULATION_FLAG_SEED 0x1u

/* dtb_lems_simulation_options.order: the order of a forward-Euler step's
 * updates (dtb-lems(7) "Update order"). */
/* jLEMS': the component tree children first, each instance's derived
 * variables, Euler update and OnConditions at once, at the time of the
 * step's end (the default). */
#define DTB_LEMS_ORDER_JLEMS 0u
/* pylems' (and libdtb 0.1's): every instance from the same state and
 * time, OnConditions after the step. */
#define DTB_LEMS_ORDER_PYLEMS 1u

/* dtb_lems_simulation_options.method */
#define DTB_LEMS_METHOD_EULER 0u   /* forward Euler (the reference interpreters') */
#define DTB_LEMS_METHOD_RK4 1u     /* classical 4th-order Runge-Kutta at the file's step */
#define DTB_LEMS_METHOD_RKF45 2u   /* GSL adaptive Runge-Kutta-Fehlberg 4(5) within each step */
#define DTB_LEMS_METHOD_RKCK 3u    /* GSL adaptive Runge-Kutta Cash-Karp 4(5) */
#define DTB_LEMS_METHOD_RK8PD 4u   /* GSL adaptive Runge-Kutta Prince-Dormand 8(9) */

#define DTB_LEMS_SIMULATION_OPTIONS_VERSION 2

/* Zero in any member means its default. Version 1 callers have no order,
 * method or tolerances: jLEMS' order, forward Euler. */
typedef struct dtb_lems_simulation_options {
    uint32_t version;          /* DTB_LEMS_SIMULATION_OPTIONS_VERSION */
    uint32_t flags;            /* DTB_LEMS_SIMULATION_FLAG_* */
    const char *simulation;    /* id of the Simulation component; NULL: the document's Target */
    uint64_t seed;             /* seed of random(), with DTB_LEMS_SIMULATION_FLAG_SEED */
    /* version 2 */
    uint32_t order;            /* DTB_LEMS_ORDER_*; applies to forward Euler (the other
                                  methods integrate every instance from one state) */
    uint32_t method;           /* DTB_LEMS_METHOD_* */
    double rtol;               /* adaptive methods' relative tolerance per step; 0: 1e-8 */
    double atol;               /* adaptive methods' absolute tolerance per step; 0: 1e-10 */
} dtb_lems_simulation_options;

#define DTB_LEMS_SIMULATION_OPTIONS_INIT { DTB_LEMS_SIMULATION_OPTIONS_VERSION, 0, NULL, 0, 0, 0, 0, 0 }

DTB_API dtb_status dtb_lems_simulation_options_init(dtb_lems_simulation_options *opts,
                                                    uint32_t version);

/* Build a Simulation's component tree, ready to run. Refused
 * (DTB_EUNSUPPORTED, DTB_EINVAL, naming the element) when it uses what the
 * engine does not run (Super, ...) or when a file it writes is not
 * inside the output folder (an absolute name or one with '..'). opts may
 * be NULL. */
DTB_API dtb_status dtb_lems_simulation_create(dtb_lems_simulation **out,
                                              const dtb_lems_document *doc,
                                              const dtb_lems_simulation_options *opts);
/* NULL is accepted. */
DTB_API void dtb_lems_simulation_free(dtb_lems_simulation *sim);

/* The step (s), the number of steps N (rows are written for t = 0 .. N dt)
 * and the number of component instances (NaN / -1 for NULL). */
DTB_API double dtb_lems_simulation_dt(const dtb_lems_simulation *sim);
DTB_API int64_t dtb_lems_simulation_step_count(const dtb_lems_simulation *sim);
DTB_API int64_t dtb_lems_simulation_instance_count(const dtb_lems_simulation *sim);

/* What the Simulation writes: its OutputFiles, Displays and
 * EventOutputFiles, in document order. */
typedef enum dtb_lems_output_kind {
    DTB_LEMS_OUTPUT_FILE = 1,       /* an OutputFile: time and OutputColumns */
    DTB_LEMS_OUTPUT_DISPLAY = 2,    /* a Display: time and its Lines (unscaled), as <id>.dat */
    DTB_LEMS_OUTPUT_EVENTS = 3,     /* an EventOutputFile */
    DTB_LEMS_OUTPUT_KIND_FORCE32_ = 0x7FFFFFFF
} dtb_lems_output_kind;

DTB_API int64_t dtb_lems_simulation_output_count(const dtb_lems_simulation *sim);
/* 0 for a bad handle or index. */
DTB_API dtb_lems_output_kind dtb_lems_simulation_output_kind(const dtb_lems_simulation *sim,
                                                             int64_t index);
/* The file's name relative to the output folder (borrowed, valid until the
 * simulation is freed); NULL for a bad handle or index. */
DTB_API const char *dtb_lems_simulation_output_file(const dtb_lems_simulation *sim, int64_t index);
/* The file's quantity columns, the time not counted (0 for events, -1 for
 * a bad handle or index). */
DTB_API int64_t dtb_lems_simulation_output_column_count(const dtb_lems_simulation *sim,
                                                        int64_t index);

/* Create (replace) every output file under out_dir (NULL: the current
 * folder), with out_dir and the folders the files' names hold. Once, before the run (DTB_ESTATE otherwise). DTB_EIO naming the file;
 * on failure no file stays open. */
DTB_API dtb_status dtb_lems_simulation_open_outputs(dtb_lems_simulation *sim, const char *out_dir);

/* Run to the end, writing a row to each open output file at every
 * recorded time and each selected event as it happens; the files are
 * closed at the end, however the run ends (DTB_EIO naming the first file
 * that could not be written; the run stops there). Without open outputs
 * the run writes nothing (to time it, or to test a model). progress, if
 * not NULL, is called after every row; non-zero stops the run with
 * DTB_ECANCELLED. Once per simulation (DTB_ESTATE after that). */
DTB_API dtb_status dtb_lems_simulation_run(dtb_lems_simulation *sim, dtb_progress_fn progress,
                                           void *user_data);
/* Stop a running dtb_lems_simulation_run at its next row (DTB_ECANCELLED):
 * callable from any thread and from a signal handler. */
DTB_API void dtb_lems_simulation_request_stop(dtb_lems_simulation *sim);
/* Rows recorded so far (-1 for NULL). */
DTB_API int64_t dtb_lems_simulation_row_count(const dtb_lems_simulation *sim);

DTB_END_DECLS

#endif /* DTB_LEMS_H */
