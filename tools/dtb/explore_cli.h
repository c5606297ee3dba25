/* dtb sweep, dtb fit — what the two commands share: their own options,
 * the progress line, signals, MPI roles.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPLORE_CLI_H
#define DTB_EXPLORE_CLI_H

#include "cli.h"

#define EXPLORE_MAX_ITEMS 256

typedef struct explore_args {
    run_args run;
    const char *command;              /* "sweep" or "fit" */
    const char *items[EXPLORE_MAX_ITEMS];   /* --vary NAME=SPEC / --free NAME=LO:HI */
    size_t n_items;
    const char *scores[EXPLORE_MAX_ITEMS];
    size_t n_scores;
    const char *sample, *empirical_bold, *objective, *method;
    double transient;
    int64_t budget;
    int32_t repeats, jobs, batch;
    uint32_t flags;                   /* DTB_EXPLORE_FLAG_* */
    const char *mpi;                  /* auto, on, off */
} explore_args;

/* Parse; 0 or an exit status after printing the error; *help set when asked. */
int explore_args_parse(int argc, char **argv, const char *command, explore_args *a, int *help);
void explore_args_free(explore_args *a);
/* The run options from the arguments (MPI when launched under mpirun and
 * --mpi is auto, or --mpi on). */
int explore_options(const explore_args *a, dtb_explore_options *o);
/* Is this process rank 0 (or not under MPI)? Only it prints. */
int explore_is_leader(const explore_args *a);

/* Progress on stderr: runs done/total, rate, time left. */
typedef struct explore_progress {
    double start, last_draw;
    int enabled, drawn;
    const char *what;                 /* "points", "evaluations" */
} explore_progress;
void explore_progress_init(explore_progress *p, const char *what, int quiet);
int32_t explore_progress_fn(int64_t done, int64_t total, void *user_data);
void explore_progress_finish(explore_progress *p);

/* What a command (sweep, fit) plugs into explore_main. */
typedef struct explore_command {
    const char *name;                 /* "sweep", "fit" */
    const char *what;                 /* what the progress line counts */
    void (*help)(void);
    /* make the object from the arguments and check everything: 0 or an
     * exit status after printing the error */
    int (*build)(const explore_args *a, void **object);
    dtb_status (*run)(void *object, const dtb_explore_options *o);
    void (*stop)(void *object);       /* async-signal-safe */
    /* the summary (leader only); interrupted: the run was stopped */
    void (*report)(const void *object, const explore_args *a, double wall, int interrupted);
    void (*destroy)(void *object);
} explore_command;

/* Parse, build, run with a progress line and signals, report; the exit
 * status (0, 1 runtime, 2 usage, 130 interrupted). */
int explore_main(int argc, char **argv, const explore_command *cmd);

#endif
