/* dtb — the libdtb command-line program: shared declarations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_CLI_H
#define DTB_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "dtb/dtb.h"

/* Exit statuses. */
#define EXIT_USAGE 2        /* bad flags, unknown names, unreadable inputs */
#define EXIT_RUNTIME 1      /* the run itself failed (numerical blow-up, I/O) */
#define EXIT_INTERRUPTED 130

/* Print "dtb: message" to stderr (one line, control characters shown as
 * \xNN) and return EXIT_USAGE; cli_error prints the same way. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text helpers (cli_text.c). cli_format: a malloc'd printf (NULL when out
 * of memory); cli_parse_int64: a whole decimal integer, spaces around it
 * allowed (1 on success). */
char *cli_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_has_suffix(const char *text, const char *suffix);
int cli_parse_int64(const char *text, int64_t *out);

/* Parse a time such as "0.1ms", "2s", "1000" (bare numbers are
 * milliseconds). Returns 1 and seconds on success. */
int cli_parse_time(const char *text, double *seconds);
/* Parse a speed "3", "3m/s", "inf" in m/s. */
int cli_parse_speed(const char *text, double *m_per_s);
/* Parse a plain number. */
int cli_parse_number(const char *text, double *out);

/* dtb run: the experiment its options describe, and the options that
 * are the program's own. */
typedef struct run_args {
    dtb_experiment *exp;
    int quiet;
    const char *save_experiment;   /* --save-experiment FILE */
} run_args;

/* Parse `dtb run` arguments (argv[0] is "run"). Returns 0, or an exit
 * status after printing the error. *help is set when --help was asked. */
int run_args_parse(int argc, char **argv, run_args *a, int *help);
/* The same with a command's own options (sweep, fit): handle(name, value,
 * ud) is called for each (value NULL for those without one) and returns 0
 * or an exit status. extra ends with a NULL name. */
typedef struct extra_option {
    const char *name;
    int takes_value;
} extra_option;
int run_args_parse_with(int argc, char **argv, run_args *a, int *help, const extra_option *extra,
                        int (*handle)(const char *name, const char *value, void *ud), void *ud);
void run_args_free(run_args *a);

int cmd_run(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_lems(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_reservoir(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_cell(int argc, char **argv);
int cmd_assimilate(int argc, char **argv);

/* Result files (out_file.c), written whole or not at all: into
 * DIR/.NAME.tmp, then renamed when closed. Each returns 0 or an exit
 * status after printing "dtb: CMD: cannot ...". */
typedef struct out_file {
    FILE *f;
    char *tmp, *path;
    const char *cmd;
} out_file;
int out_file_open(out_file *o, const char *cmd, const char *dir, const char *name);
int out_file_close(out_file *o);
/* mkdir DIR unless it exists. */
int out_dir_make(const char *cmd, const char *dir);

/* Signals (signals.c): SIGINT (every time), SIGTERM and SIGHUP call
 * stop(target) once a target is set; SIGXFSZ is ignored (a file-size limit
 * becomes a write error). Install before building, so that a signal during
 * the build is not lost: it stops the run as soon as the target is set. */
void cli_signals_install(void);
void cli_signals_target(void (*stop)(void *), void *target);
/* The last signal that came (0: none). */
int cli_signal_seen(void);

/* A numeric table (table.c): dtb_matrix_read's values, row-major, in a
 * malloc'd array. On failure the table is empty and the library's message
 * says why (DTB_ENOMEM has none). */
typedef struct table {
    double *data;
    size_t rows, cols;
} table;
dtb_status table_read(const char *path, uint32_t flags, dtb_matrix_header header, table *t);
void table_free(table *t);

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
