/* dtb — the libdtb command-line program: shared declarations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_CLI_H
#define DTB_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb.h"

/* Exit statuses. */
#define EXIT_USAGE 2        /* bad flags, unknown names, unreadable inputs */
#define EXIT_RUNTIME 1      /* the run itself failed (numerical blow-up, I/O) */
#define EXIT_INTERRUPTED 130

/* Print "dtb: message" to stderr (one line) and return EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a time such as "0.1ms", "2s", "1000" (bare numbers are
 * milliseconds). Returns 1 and seconds on success. */
int cli_parse_time(const char *text, double *seconds);
/* Parse a speed "3", "3m/s", "inf" in m/s. */
int cli_parse_speed(const char *text, double *m_per_s);
/* Parse a plain number. */
int cli_parse_number(const char *text, double *out);

typedef struct observe_spec {
    dtb_observer_kind kind;
    double period;          /* seconds, 0 = default (TR for bold) */
    char *vars;             /* NULL = variables of interest */
    char name[16];          /* file name stem: raw, tavg, bold, eeg, fc, ... */
    dtb_observer_kind source;   /* fc, fcd, psd: the analysed signal (0 = tavg) */
    dtb_bold_model bold_model;
    char *gain;             /* projections: gain matrix file */
    dtb_head_model head;
    double noise;           /* projections: observation noise */
    double window, step;    /* fcd window / psd segment, and their step (s) */
    dtb_fcd_method fcd_method;
    dtb_fcd_compare fcd_compare;
    double threshold;       /* spikes, rate */
    double skip;            /* fc, fcd, psd: ignore the source before this time (s) */
} observe_spec;

/* Parse one --observe SPEC into a->observe (observe_args.c). */
struct run_args;
int parse_observe(const char *text, struct run_args *a);
void observe_spec_free(observe_spec *s);

typedef struct name_value {
    char *name;
    char *value;
} name_value;

typedef struct run_args {
    const char *atlas;
    const char *model;
    const char *model_name;  /* RegionModel of a file, NULL = first */
    name_value *sets; size_t n_sets;
    dtb_coupling_kind coupling;
    char *coupling_file;     /* user-defined coupling XML, or NULL */
    name_value *coupling_params; size_t n_coupling_params;
    double speed;            /* 0 = default */
    double dt;               /* 0 = default */
    double duration;         /* seconds */
    dtb_integrator integrator;
    double rtol, atol;       /* 0 = default */
    double noise_all;        /* < 0: not given */
    dtb_noise_kind noise_kind;
    int noise_kind_given;
    int default_twin;        /* no --model: the default twin's settings apply */
    double noise_tau;        /* seconds, COLOURED */
    name_value *noise; size_t n_noise;
    uint64_t seed;
    name_value *init; size_t n_init;
    const char *init_file;
    observe_spec *observe; size_t n_observe;
    const char *out_dir;
    int npy;
    int quiet;
    int fic;                 /* --fic: feedback inhibition control before the run */
    int tvb_float32;
    char **include_dirs; size_t n_include_dirs;
    const char *empirical_fc;   /* --empirical-fc FILE */
    int plot;                   /* --plot */
    const char *plot_regions;   /* --plot-regions LIST */
} run_args;

/* Parse `dtb run` arguments (argv[0] is "run"). Returns 0, or an exit
 * status after printing the error. *help is set when --help was asked. */
int run_args_parse(int argc, char **argv, run_args *a, int *help);
void run_args_free(run_args *a);

int cmd_run(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_lems(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* --empirical-fc (fit.c): read an N x N matrix (CSV with or without a header
 * of labels, text, .npy); print how the simulated FC fits it. */
int empirical_fc_read(const char *path, double **fc, size_t *n);
void print_fc_fit(const dtb_observer *fc, const double *emp, size_t n, const char *path);

/* SVG figures of output files into out_dir (cmd_plot.c): regions is a list
 * of indices or labels of `atlas` (NULL: six spread over the columns).
 * Returns 0, or an exit status after printing the error. */
int plot_files(const char *const *paths, size_t n_paths, const char *out_dir, const char *regions,
               const dtb_atlas *atlas, int quiet);
/* A list of region indices, atlas labels or electrode names; 0 or an exit
 * status after naming the bad entry. */
int check_region_list(const char *list, const dtb_atlas *atlas, const char *flag);
void print_run_help(void);

/* Progress bar on stderr for runs longer than a second, on a terminal. */
typedef struct progress_state {
    double start_wall;
    double last_draw;
    double duration;
    int enabled;
    int drawn;
} progress_state;
void progress_init(progress_state *p, double duration, int quiet);
int32_t progress_callback(double t, double fraction, void *user_data);
void progress_finish(progress_state *p);
double wall_seconds(void);

#endif
