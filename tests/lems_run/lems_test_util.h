/* Helpers for the LEMS engine tests: run a file and keep chosen columns,
 * read reference traces, compare them. */
#ifndef DTB_LEMS_TEST_UTIL_H
#define DTB_LEMS_TEST_UTIL_H

#include <stddef.h>

#include "dtb/dtb.h"
#include "lems_run/lems_run.h"

typedef struct trace {
    double *v;           /* rows x (1 + cols): time, then the columns */
    size_t rows, cols;
    double dt;
} trace;

/* Run the Simulation of a shared file (relative to shared/data/neuroml)
 * with the NeuroML core types on the include path, recording `paths`, in
 * the simultaneous (pylems) order with forward Euler. Fails the test on
 * any error. */
void run_shared(const char *relative, const char *const *paths, size_t n, trace *out);
/* The same with these options (NULL: pylems order, forward Euler). */
void run_shared_with(const char *relative, const char *const *paths, size_t n, const dtb__lr_options *opts,
                     trace *out);
/* The same for a document in memory. */
dtb_status run_memory(const char *xml, const char *const *paths, size_t n, trace *out);
dtb_status run_memory_with(const char *xml, const char *const *paths, size_t n, const dtb__lr_options *opts,
                           trace *out);
/* The same for a document read by the caller. */
dtb_status run_doc_with(dtb__lems_doc *doc, const char *const *paths, size_t n, const dtb__lr_options *opts,
                        trace *out);
void trace_free(trace *t);

/* A reference trace (.npy, relative to shared/data/reference/lems). */
void read_reference(const char *relative, trace *out);

static inline double trace_at(const trace *t, size_t row, size_t col) { return t->v[row * (t->cols + 1) + col]; }

/* max |mine[row + shift] - ref[row]| / max |ref| over column `col` (1-based
 * in both; time is column 0). Fails the test unless the two traces cover
 * the same run (see the rule in the .c file); a NaN on either side gives
 * an infinite difference. */
double rel_diff(const trace *mine, size_t mine_col, const trace *ref, size_t ref_col, long shift);

/* Times (labels) of the rows where the column drops by more than `drop`
 * from the previous row: the resets of a spiking cell. */
size_t reset_times(const trace *t, size_t col, double drop, double *times, size_t max);

#endif
