/* libdtb — sensor projections: gain matrix x region activity (+ noise).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "projection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_leadfield.h"
#include "io/npy.h"
#include "io/text_matrix.h"

/* The gain matrix of a file: .npy (2-D) or a text/CSV table. */
static dtb_status read_gain(dtb__projection *p, const char *path)
{
    size_t rows, cols;
    double *data;
    if (dtb__has_suffix(path, ".npy")) {
        dtb__npy_array a = {0};
        dtb_status st = dtb__npy_read(path, &a);
        if (st)
            return dtb__error_context(st, "gain matrix");
        if (a.ndim != 2) {
            dtb__npy_array_free(&a);
            return dtb__error(DTB_EPARSE, "gain matrix %s: a %d-D array; expected 2-D (sensors x "
                                          "regions)", path, a.ndim);
        }
        rows = (size_t)a.shape[0];
        cols = (size_t)a.shape[1];
        data = a.data;
    } else {
        dtb__matrix m = {0};
        dtb_status st = dtb__matrix_read(path, 0, &m, NULL, NULL);
        if (st)
            return dtb__error_context(st, "gain matrix");
        rows = m.rows;
        cols = m.cols;
        data = m.data;
    }
    if (cols != p->n_regions) {
        free(data);
        return dtb__error(DTB_EINVAL, "gain matrix %s: %zu x %zu, but the atlas has %zu regions; "
                                      "a gain matrix has one row per sensor and one column per "
                                      "region%s", path, rows, cols, p->n_regions,
                          rows == p->n_regions ? " (is it transposed?)" : "");
    }
    for (size_t k = 0; k < rows * cols; k++)
        if (!isfinite(data[k])) {
            free(data);
            return dtb__error(DTB_EINVAL, "gain matrix %s: value at row %zu, column %zu is not "
                                          "finite", path, k / cols, k % cols);
        }
    p->gain = data;
    p->n_sensors = rows;
    return DTB_OK;
}

dtb_status dtb__projection_init(dtb__projection *p, const dtb_observer_options *o, size_t n_regions,
                                const double *centres, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->n_regions = n_regions;
    p->noise = o ? o->noise : 0;
    if (!(p->noise >= 0) || !isfinite(p->noise))
        return dtb__error(DTB_EINVAL, "projection: observation noise must be >= 0 (got %g)", p->noise);
    dtb__rng_seed(&p->rng, seed);
    if (o && o->gain) {
        if (o->gain_path)
            return dtb__error(DTB_EINVAL, "projection: give a gain matrix or a gain file, not both");
        if (o->gain_rows < 1 || o->gain_rows > ((int64_t)1 << 24))
            return dtb__error(DTB_EINVAL, "projection: gain_rows is %lld", (long long)o->gain_rows);
        p->n_sensors = (size_t)o->gain_rows;
        p->gain = dtb__malloc_array(p->n_sensors * n_regions, sizeof *p->gain);
        if (!p->gain)
            return DTB_ENOMEM;
        memcpy(p->gain, o->gain, p->n_sensors * n_regions * sizeof *p->gain);
        return DTB_OK;
    }
    if (o && o->gain_path)
        return read_gain(p, o->gain_path);
    if (!centres)
        return dtb__error(DTB_EINVAL, "projection: the atlas has no region centres, so there is no "
                                      "built-in EEG lead field; give a gain matrix (sensors x "
                                      "regions)");
    int32_t head = o ? o->head_model : DTB_HEAD_DEFAULT;
    if (head < 0 || head > DTB_HEAD_THREE_SHELL)
        return dtb__error(DTB_EINVAL, "projection: unknown head model %d", (int)head);
    size_t needed;
    dtb_status st = dtb_leadfield_eeg(NULL, 0, &needed, centres, (int64_t)n_regions,
                                      (dtb_head_model)head);
    if (st)
        return st;
    p->gain = dtb__malloc_array(needed, sizeof *p->gain);
    if (!p->gain)
        return DTB_ENOMEM;
    p->n_sensors = (size_t)dtb_leadfield_sensor_count();
    p->builtin = 1;
    return dtb_leadfield_eeg(p->gain, needed, NULL, centres, (int64_t)n_regions,
                             (dtb_head_model)head);
}

void dtb__projection_free(dtb__projection *p)
{
    free(p->gain);
    memset(p, 0, sizeof *p);
}

void dtb__projection_apply(dtb__projection *p, const double *in, double *out)
{
    for (size_t s = 0; s < p->n_sensors; s++) {
        const double *g = p->gain + s * p->n_regions;
        double y = 0;
        for (size_t k = 0; k < p->n_regions; k++)
            y += g[k] * in[k];
        out[s] = p->noise > 0 ? y + p->noise * dtb__rng_normal(&p->rng) : y;
    }
}
