/* libdtb — "grid": every point of a full grid of m points per axis, ends included, with
 * m = floor(budget^(1/dim)) (at least 2), evaluated in chunks; the best point is reported.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Point k (k = 0 .. m-1) on axis i is lo + (k / (m - 1)) * (hi - lo), and exactly hi for
 * k = m - 1. Points go out in row-major order (the last axis varies fastest). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "optim_impl.h"

/* Candidates per call of eval: enough to keep the caller's threads busy, small enough that a
 * chunk of a 20-parameter grid takes only 160 kB. */
#define GRID_CHUNK 1024

/* m^dim <= budget, without overflow. */
static int grid_fits(int64_t m, size_t dim, int64_t budget)
{
    int64_t p = 1;
    for (size_t i = 0; i < dim; i++) {
        if (p > budget / m)
            return 0;
        p *= m;
    }
    return 1;
}

int64_t dtb__optim_grid_points(int64_t budget, size_t dim)
{
    if (budget < 2 || dim == 0 || !grid_fits(2, dim, budget))
        return 0;
    /* pow gives a guess that can be one off (1000^(1/3) = 9.999...); the integer checks
     * around it decide */
    double guess = floor(pow((double)budget, 1.0 / (double)dim));
    int64_t m = guess >= 2 && guess < 9.0e18 ? (int64_t)guess : 2;
    while (m > 2 && !grid_fits(m, dim, budget))
        m--;
    while (m < budget && grid_fits(m + 1, dim, budget))
        m++;
    return m;
}

/* Advance the row-major counter; the last axis is the fastest. */
static void grid_next(int64_t *idx, size_t dim, int64_t m)
{
    for (size_t i = dim; i-- > 0;) {
        if (++idx[i] < m)
            return;
        idx[i] = 0;
    }
}

dtb_status dtb__optim_grid(dtb__optim_run *r)
{
    const size_t dim = r->dim;
    const int64_t m = dtb__optim_grid_points(r->budget, dim);   /* >= 2: options checked */
    int64_t total = 1;
    for (size_t i = 0; i < dim; i++)
        total *= m;
    const size_t chunk = total < GRID_CHUNK ? (size_t)total : GRID_CHUNK;
    int64_t *idx = dtb__calloc(dim, sizeof *idx);
    double *u = dtb__malloc_array(chunk, dim * sizeof *u);
    double *f = dtb__malloc_array(chunk, sizeof *f);
    dtb_status st = DTB_OK;
    if (!idx || !u || !f) {
        st = dtb__error(DTB_ENOMEM, "optimiser 'grid': out of memory for a chunk of %zu points",
                        chunk);
        goto done;
    }
    r->stop_reason = "complete";
    for (int64_t done = 0; done < total;) {
        size_t n = total - done < (int64_t)chunk ? (size_t)(total - done) : chunk;
        for (size_t k = 0; k < n; k++) {
            for (size_t i = 0; i < dim; i++)
                u[k * dim + i] = idx[i] == m - 1 ? 1.0 : (double)idx[i] / (double)(m - 1);
            grid_next(idx, dim, m);
        }
        if ((st = dtb__optim_eval_batch(r, u, n, f)))
            break;
        done += (int64_t)n;
        if (r->target_hit) {
            r->stop_reason = "ftarget";
            break;
        }
    }
done:
    free(idx);
    free(u);
    free(f);
    return st;
}
