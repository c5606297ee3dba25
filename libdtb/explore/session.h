/* libdtb internal — what sweeps and fits share around their runs: the run
 * options, the MPI roles, the results folder (its settings record, resume
 * checks, provenance) and rows of numbers as text (session.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SESSION_H
#define DTB_SESSION_H

#include "explore.h"

typedef struct dtb__session {
    dtb_explore_options opts;     /* defaults filled in */
    dtb__runner runner;
    int rank, size;               /* MPI rank and size (0, 1 without MPI) */
    volatile int stop;            /* set by the progress callback's answer */
    const char *kind;             /* "sweep" or "fit" */
    char *settings_path;          /* out_dir/<kind>.settings */
    char **settings;              /* this run's settings, one "name value" line each */
    size_t n_settings;
    double t_start;
    int has_experiment;           /* out_dir/experiment.xml written (a reservoir of an
                                     atlas has none) */
} dtb__session;

/* Check the options, join MPI when asked. */
dtb_status dtb__session_open(dtb__session *s, const char *kind, const dtb_explore_options *o);
void dtb__session_close(dtb__session *s);
/* Is this rank the one that writes and holds results (rank 0)? */
static inline int dtb__session_leads(const dtb__session *s) { return s->rank == 0; }

/* This run's settings: the experiment's (as given) and the exploration's
 * own lines ("vary G=0.1:1:5", "score fc=FILE", ...). */
dtb_status dtb__session_add_setting(dtb__session *s, const char *name, const char *value);
dtb_status dtb__session_add_experiment(dtb__session *s, const dtb_experiment *exp);
/* The settings a sweep and a fit share: the scores as given, the
 * transient, the empirical BOLD, same-seed. */
dtb_status dtb__session_add_problem(dtb__session *s, const dtb__problem *p);

/* Make out_dir ready: a new folder gets the settings record and the
 * experiment; a folder with a results table must have been made by the
 * same settings (else DTB_EINVAL naming the first difference), and then
 * *resume = 1. Nothing is written when it fails. */
dtb_status dtb__session_prepare_dir(dtb__session *s, const dtb_experiment *exp, const char *table,
                                    int *resume);

/* provenance.json, written atomically last: what the folder holds. */
dtb_status dtb__session_write_provenance(dtb__session *s, const dtb__problem *p, const char *table,
                                         int64_t rows, int64_t total, dtb_status run_status,
                                         const char *extra_json);

/* Numbers as the table writes them: the shortest text that reads back
 * exactly, "nan" for NaN. */
void dtb__number_text(char *buf, size_t size, double v);

#endif
