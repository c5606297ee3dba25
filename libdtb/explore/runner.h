/* libdtb internal — the job queue shared by the threads of a process and,
 * on rank 0, by the MPI dispatcher (runner.c, explore_mpi.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_RUNNER_H
#define DTB_RUNNER_H

#include <pthread.h>

#include "base/base.h"
#include "explore.h"

typedef struct dtb__queue {
    pthread_mutex_t lock;
    const dtb__executor *exec;
    const dtb__job *jobs;
    size_t n_jobs;
    size_t next;              /* the next job not yet taken */
    size_t n_done;            /* results reported */
    size_t consumers;         /* threads (and ranks) taking jobs */
    const dtb__runner *runner;
    dtb__job_result *results;
    volatile int *stop;       /* the caller's flag, or own_stop */
    volatile int own_stop;
    int stop_all;             /* no more jobs are handed out */
    dtb_status error;         /* the first failure of the machinery (not of a job) */
    dtb__strbuf message;
} dtb__queue;

dtb_status dtb__queue_init(dtb__queue *q, const dtb__executor *x, const dtb__job *jobs,
                           size_t n_jobs, const dtb__runner *r, dtb__job_result *results);
void dtb__queue_destroy(dtb__queue *q);
/* Take up to max jobs (their first index in *first); 0 when none are left. */
size_t dtb__queue_take(dtb__queue *q, size_t max, size_t *first);
/* A job's result is in: count it and pass it on (serialised). */
void dtb__queue_report(dtb__queue *q, const dtb__job_result *r);
/* Take and run one batch of jobs on this thread; 0 when there is no more. */
int dtb__queue_work_once(dtb__queue *q);
/* Run the queue to its end on `threads` threads (this one included). */
void dtb__queue_run_threads(dtb__queue *q, int threads);
/* DTB_OK when every job reported, else why not. */
dtb_status dtb__queue_finish(dtb__queue *q);

/* MPI (explore_mpi.c): rank 0 runs the queue with the other ranks. */
dtb_status dtb__mpi_dispatch(dtb__queue *q);

#endif
