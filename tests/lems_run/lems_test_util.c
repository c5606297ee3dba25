#include "lems_test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"
#include "lems/lems.h"
#include "lems_run/lems_run.h"
#include "test_util.h"

typedef struct collect {
    trace *t;
    size_t cap;
    size_t first;
} collect;

static int keep_row(double time, const double *values, void *ud)
{
    collect *c = ud;
    trace *t = c->t;
    size_t w = t->cols + 1;
    if ((t->rows + 1) * w > c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096 * w;
        t->v = realloc(t->v, c->cap * sizeof *t->v);
        if (!t->v)
            return 1;
    }
    double *row = t->v + t->rows * w;
    row[0] = time;
    memcpy(row + 1, values + c->first, t->cols * sizeof *row);
    t->rows++;
    return 0;
}

/* The tests written before the update order became an option check the
 * simultaneous (pylems) order; the jLEMS ones say so. */
static const dtb__lr_options pylems_order = {.order = DTB__LR_ORDER_PYLEMS};

dtb_status run_doc_with(dtb__lems_doc *doc, const char *const *paths, size_t n, const dtb__lr_options *opts,
                        trace *out)
{
    memset(out, 0, sizeof *out);
    dtb__lr_sim *sim;
    dtb_status st = dtb__lr_create(doc, opts ? opts : &pylems_order, &sim);
    if (st)
        return st;
    collect c = {out, 0, dtb__lr_column_count(sim)};
    for (size_t i = 0; !st && i < n; i++)
        st = dtb__lr_add_column(sim, paths[i], NULL);
    out->cols = n;
    out->dt = dtb__lr_dt(sim);
    if (!st)
        st = dtb__lr_run(sim, keep_row, &c);
    dtb__lr_free(sim);
    return st;
}

void run_shared(const char *relative, const char *const *paths, size_t n, trace *out)
{
    run_shared_with(relative, paths, n, NULL, out);
}

void run_shared_with(const char *relative, const char *const *paths, size_t n, const dtb__lr_options *opts,
                     trace *out)
{
    char file[4096], core[4096], rel[4096];
    snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    snprintf(rel, sizeof rel, "neuroml/%s", relative);
    snprintf(file, sizeof file, "%s", shared_path(rel));
    const char *dirs[] = {core};
    dtb__lems_read_options o = {dirs, 1};
    dtb__lems_doc doc;
    dtb_status st = dtb__lems_read_file(&doc, file, &o);
    if (!st) {
        st = run_doc_with(&doc, paths, n, opts, out);
        dtb__lems_doc_free(&doc);
    }
    if (st)
        print_error("%s: %s\n", relative, dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
}

dtb_status run_memory(const char *xml, const char *const *paths, size_t n, trace *out)
{
    return run_memory_with(xml, paths, n, NULL, out);
}

dtb_status run_memory_with(const char *xml, const char *const *paths, size_t n, const dtb__lr_options *opts,
                           trace *out)
{
    dtb__lems_doc doc;
    memset(out, 0, sizeof *out);
    dtb_status st = dtb__lems_read_memory(&doc, xml, strlen(xml), "test.xml", NULL);
    if (st)
        return st;
    st = run_doc_with(&doc, paths, n, opts, out);
    dtb__lems_doc_free(&doc);
    return st;
}

void trace_free(trace *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

void read_reference(const char *relative, trace *out)
{
    char path[4096];
    snprintf(path, sizeof path, "reference/lems/%s", relative);
    dtb__npy_array a;
    assert_int_equal(dtb__npy_read(shared_path(path), &a), DTB_OK);
    assert_int_equal(a.ndim, 2);
    out->v = a.data;
    out->rows = (size_t)a.shape[0];
    out->cols = (size_t)a.shape[1] - 1;
    out->dt = out->rows > 1 ? out->v[out->cols + 1] - out->v[0] : 0;
}

double rel_diff(const trace *mine, size_t mine_col, const trace *ref, size_t ref_col, long shift)
{
    double maxd = 0, maxr = 0;
    size_t compared = 0, missing = 0;
    for (size_t k = 0; k < ref->rows; k++) {
        long m = (long)k + shift;
        if (m < 0)
            continue;
        if ((size_t)m >= mine->rows) {
            missing++;
            continue;
        }
        double a = trace_at(mine, (size_t)m, mine_col), b = trace_at(ref, k, ref_col);
        /* NaN on either side is an infinite difference (fmax and `>` would
         * pass it over) */
        double d = isnan(a) || isnan(b) ? INFINITY : fabs(a - b);
        maxd = d > maxd || isnan(d) ? d : maxd;
        maxr = fabs(b) > maxr ? fabs(b) : maxr;
        compared++;
    }
    /* Both traces whole: every reference row has its libdtb row, except the
     * `shift` last ones of a reference whose rows are a step ahead (pylems
     * rows hold the state after their step, and pylems may take one step
     * more than the duration, its time being summed in floating point),
     * and libdtb has no rows the reference lacks, but for the initial state
     * pylems does not record. A cut-short run fails here. */
    size_t spare = shift > 0 ? (size_t)shift : 0;
    if (missing > spare || compared + spare + 1 < mine->rows || compared == 0) {
        print_error("trace lengths: libdtb %zu rows, reference %zu rows (row shift %ld): "
                    "%zu compared, %zu reference rows without a libdtb row\n",
                    mine->rows, ref->rows, shift, compared, missing);
        fail();
    }
    return maxr > 0 ? maxd / maxr : maxd;
}

size_t reset_times(const trace *t, size_t col, double drop, double *times, size_t max)
{
    size_t n = 0;
    for (size_t k = 1; k < t->rows; k++)
        if (trace_at(t, k - 1, col) - trace_at(t, k, col) > drop && n < max)
            times[n++] = trace_at(t, k, 0);
    return n;
}
