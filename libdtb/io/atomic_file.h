/* libdtb internal — files written whole or not at all, and the results
 * folder's record of the run that writes it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A record file (provenance.json, experiment.xml, a checkpoint, a matrix
 * result, spikes_spiking.csv) is written to a hidden temporary name in its
 * own folder, flushed to the disk and renamed over the real name: the real
 * name always holds the old file or the new one, whole, whatever happens
 * while it is written (a kill, a full disk, a file-size limit).
 *
 * A results folder is a transaction (dtb(1), FILES):
 *   1. everything is checked before the folder is touched;
 *   2. provenance.json is replaced by one saying "state": "running" before
 *      any result file is opened: the previous run's record cannot outlive
 *      its files, and a run that dies without a word (SIGKILL, power) leaves
 *      a folder marked incomplete;
 *   3. result files take whole rows only (rowfile.h);
 *   4. provenance.json is written last, stating the rows each file holds.
 */
#ifndef DTB_ATOMIC_FILE_H
#define DTB_ATOMIC_FILE_H

#include <stdio.h>

#include "dtb/dtb_common.h"

typedef struct dtb__atomic_file {
    FILE *f;        /* write here */
    char *path;     /* the real name (a symbolic link's target) */
    char *tmp;      /* the temporary one beside it; NULL: written directly */
} dtb__atomic_file;

/* A path that exists and is a device, a pipe or a socket (/dev/null,
 * /dev/stdout, a FIFO): written to directly, never renamed over (as root,
 * that would replace the device node with a file). A folder is refused. A
 * symbolic link's target is replaced, the link stays. */
dtb_status dtb__atomic_open(dtb__atomic_file *a, const char *path);
/* The rules above for writers of their own (io/npy results): is path to
 * be written directly? and the file a rename must replace (malloc'd). */
int dtb__atomic_direct(const char *path);
char *dtb__atomic_target(const char *path);
/* Flush, sync, close, rename over the real name. On failure the temporary
 * file is removed and the real name keeps what it held. Always frees. */
dtb_status dtb__atomic_commit(dtb__atomic_file *a);
/* Give up: remove the temporary file, free. */
void dtb__atomic_abort(dtb__atomic_file *a);

/* Step 2 above: provenance.json in dir says a run of `kind` ("run",
 * "sweep", "fit") is in progress, by this process, writing these files
 * (names in the folder; n may be 0). */
dtb_status dtb__results_mark_running(const char *dir, const char *kind,
                                     const char *const *outputs, size_t n);

/* The fields every provenance record starts with: libdtb's version, when
 * it was written, and the state: "running", "completed", "stopped" (a
 * signal, a callback, a request) or "failed" (an error: it is named). */
void dtb__provenance_head(FILE *f, const char *state, dtb_status stopped_by);

#endif
