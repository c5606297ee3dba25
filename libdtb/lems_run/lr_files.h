/* libdtb internal — the files a LEMS Simulation writes (its OutputFiles,
 * Displays and EventOutputFiles), fed by the run's row and event
 * callbacks (lems_run.h). Whole rows only (io/rowfile.h), whatever ends
 * the run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_LR_FILES_H
#define DTB_LR_FILES_H

#include <stddef.h>

#include "lems_run.h"

typedef struct dtb__lr_sink dtb__lr_sink;

typedef struct dtb__lr_files {
    dtb__lr_sink *sinks;
    size_t n_sinks;
    int failed;            /* a write failed: the run stops at its next row */
    char *error;           /* the first write error's message */
} dtb__lr_files;

/* An output's file name relative to the output folder: the OutputFile's or
 * EventOutputFile's fileName, a Display's id + ".dat" (malloc'd). */
char *dtb__lr_output_file_name(const dtb__lr_output *o);
/* DTB_EINVAL naming the first output whose name is absolute or holds '..'
 * (its file would land outside the output folder). */
dtb_status dtb__lr_check_output_names(const dtb__lr_sim *sim);

/* Create every output file under out_dir (NULL: the current folder) and
 * the folders their names hold; on failure none stays open. */
dtb_status dtb__lr_files_open(dtb__lr_files *f, const dtb__lr_sim *sim, const char *out_dir);
/* Callbacks for dtb__lr_on_event / dtb__lr_run (ud is the dtb__lr_files). */
void dtb__lr_files_event(size_t output, const char *id, double t, void *ud);
int dtb__lr_files_row(dtb__lr_files *f, double t, const double *values);
/* Close every file; the first error of a write or close (DTB_EIO), else
 * DTB_OK. Frees everything; f is empty afterwards. */
dtb_status dtb__lr_files_close(dtb__lr_files *f);

#endif
