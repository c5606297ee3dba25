/* libdtb — the phase plane of two state variables of a node
 * (dtb_dynamics.h): the field of their rates on a grid, its nullclines,
 * trajectories from a few starts and the node's fixed points, as an SVG.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynamics.h"
#include "plot/plot.h"

#define GRID 41
#define TRAJ_STARTS 8
#define TRAJ_STEPS 600

static long state_of(const dtb_dynamics *d, const char *name)
{
    for (size_t v = 0; name && v < d->ns; v++)
        if (strcmp(d->core->states[v].name, name) == 0)
            return (long)v;
    return -1;
}

/* The rates of states ix, iy at the node's point with them set to x, y. */
static void rates_at(dtb_dynamics *d, size_t ix, size_t iy, double x, double y, double *u, double *v)
{
    d->x[ix] = x;
    d->x[iy] = y;
    memset(d->f, 0, d->ns * sizeof *d->f);
    dtb__kprog_eval(&d->rhs, 0.0, 1, NULL, NULL);
    *u = d->f[ix];
    *v = d->f[iy];
}

/* A trajectory of the whole node (RK4, the other states moving too),
 * projected on the plane; it stops (NaN) when it leaves twice the box. A
 * step of 1/100 of the box crossed at the field's median speed. */
static void trajectory(dtb_dynamics *d, size_t ix, size_t iy, const double *box, double h, double *tx,
                       double *ty, const double *start)
{
    const size_t ns = d->ns;
    double k[4][64], x0[64];
    memcpy(d->x, start, ns * sizeof *d->x);
    for (size_t s = 0; s < TRAJ_STEPS; s++) {
        tx[s] = d->x[ix];
        ty[s] = d->x[iy];
        const double wx = box[1] - box[0], wy = box[3] - box[2];
        if (!(tx[s] > box[0] - wx && tx[s] < box[1] + wx && ty[s] > box[2] - wy && ty[s] < box[3] + wy)) {
            for (; s < TRAJ_STEPS; s++)
                tx[s] = ty[s] = NAN;
            return;
        }
        memcpy(x0, d->x, ns * sizeof *x0);
        static const double c[4] = {0.0, 0.5, 0.5, 1.0};
        for (int st = 0; st < 4; st++) {
            for (size_t v = 0; v < ns; v++)
                d->x[v] = x0[v] + (st ? c[st] * h * k[st - 1][v] : 0.0);
            memset(d->f, 0, ns * sizeof *d->f);
            dtb__kprog_eval(&d->rhs, 0.0, 1, NULL, NULL);
            memcpy(k[st], d->f, ns * sizeof *d->f);
        }
        for (size_t v = 0; v < ns; v++)
            d->x[v] = x0[v] + h / 6.0 * (k[0][v] + 2 * k[1][v] + 2 * k[2][v] + k[3][v]);
    }
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

dtb_status dtb_dynamics_phase_plane(dtb_dynamics *d, const char *x_state, const char *y_state,
                                    double x_lo, double x_hi, double y_lo, double y_hi,
                                    const double *state, size_t n_state, const char *path)
{
    const char *fn = "dtb_dynamics_phase_plane";
    if (!d || !x_state || !y_state || !state || !path)
        return dtb__error(DTB_EINVAL, "%s: d, x_state, y_state, state and path must not be NULL", fn);
    long ix = state_of(d, x_state), iy = state_of(d, y_state);
    if (ix < 0 || iy < 0)
        return dtb__error(DTB_ENOTFOUND, "%s: model '%s' has no state variable '%s'", fn, d->core->name,
                          ix < 0 ? x_state : y_state);
    if (ix == iy)
        return dtb__error(DTB_EINVAL, "%s: x and y are the same state '%s'", fn, x_state);
    if (!(x_lo < x_hi) || !(y_lo < y_hi) || !isfinite(x_lo) || !isfinite(x_hi) || !isfinite(y_lo) ||
        !isfinite(y_hi))
        return dtb__error(DTB_EINVAL, "%s: the ranges must be finite and increasing", fn);
    if (n_state != d->ns)
        return dtb__error(DTB_EINVAL, "%s: state has %zu values; the model has %zu states", fn, n_state, d->ns);
    if (d->ns > 64)
        return dtb__error(DTB_EUNSUPPORTED, "%s: at most 64 states", fn);
    for (size_t v = 0; v < d->ns; v++)
        if (!isfinite(state[v]))
            return dtb__error(DTB_EINVAL, "%s: state[%zu] is not finite", fn, v);
    double *mem = dtb__malloc_array(2 * GRID + 3 * GRID * GRID + 2 * TRAJ_STARTS * TRAJ_STEPS + d->ns,
                                    sizeof *mem);
    if (!mem)
        return DTB_ENOMEM;
    double *gx = mem, *gy = gx + GRID, *u = gy + GRID, *v = u + GRID * GRID, *speed = v + GRID * GRID;
    double *tx = speed + GRID * GRID, *ty = tx + TRAJ_STARTS * TRAJ_STEPS, *saved = ty + TRAJ_STARTS * TRAJ_STEPS;
    memcpy(saved, d->x, d->ns * sizeof *saved);
    memcpy(d->x, state, d->ns * sizeof *d->x);
    for (int i = 0; i < GRID; i++) {
        gx[i] = x_lo + (x_hi - x_lo) * i / (GRID - 1);
        gy[i] = y_lo + (y_hi - y_lo) * i / (GRID - 1);
    }
    size_t n_speed = 0;
    for (int j = 0; j < GRID; j++)
        for (int i = 0; i < GRID; i++) {
            double *uu = &u[j * GRID + i], *vv = &v[j * GRID + i];
            rates_at(d, (size_t)ix, (size_t)iy, gx[i], gy[j], uu, vv);
            double sp = hypot(*uu / (x_hi - x_lo), *vv / (y_hi - y_lo));
            if (isfinite(sp) && sp > 0)
                speed[n_speed++] = sp;
        }
    qsort(speed, n_speed, sizeof *speed, by_value);
    const double median = n_speed ? speed[n_speed / 2] : 1.0;
    const double h = 0.01 / median, box[4] = {x_lo, x_hi, y_lo, y_hi};
    for (int k = 0; k < TRAJ_STARTS; k++) {
        double start[64];
        memcpy(start, state, d->ns * sizeof *start);
        /* the box's edge, at evenly spaced points around it */
        double t = (k + 0.5) / TRAJ_STARTS * 4.0, f = t - floor(t);
        int side = (int)t;
        start[ix] = side == 0 ? x_lo + f * (x_hi - x_lo) : side == 1 ? x_hi : side == 2 ? x_hi - f * (x_hi - x_lo) : x_lo;
        start[iy] = side == 0 ? y_lo : side == 1 ? y_lo + f * (y_hi - y_lo) : side == 2 ? y_hi : y_hi - f * (y_hi - y_lo);
        trajectory(d, (size_t)ix, (size_t)iy, box, h, tx + k * TRAJ_STEPS, ty + k * TRAJ_STEPS, start);
    }
    memcpy(d->x, saved, d->ns * sizeof *d->x);
    /* the node's fixed points (projected on the plane when it has more states) */
    int64_t n_fp = 0;
    dtb_status st = dtb_dynamics_find_fixed_points(d, NULL, &n_fp);
    double *fx = st ? NULL : dtb__malloc_array((size_t)n_fp + 1, sizeof *fx);
    double *fy = st ? NULL : dtb__malloc_array((size_t)n_fp + 1, sizeof *fy);
    int *stable = st ? NULL : dtb__malloc_array((size_t)n_fp + 1, sizeof *stable);
    if (!st && (!fx || !fy || !stable))
        st = DTB_ENOMEM;
    for (int64_t k = 0; !st && k < n_fp; k++) {
        fx[k] = d->fp_x[k * d->ns + ix];
        fy[k] = d->fp_x[k * d->ns + iy];
        stable[k] = d->fp_kind[k] == DTB_FIXED_POINT_STABLE_NODE || d->fp_kind[k] == DTB_FIXED_POINT_STABLE_FOCUS;
    }
    if (!st) {
        dtb__phase_plot p = {d->core->name, x_state, y_state, gx, gy, GRID, GRID, u, v,
                             tx, ty, TRAJ_STARTS, TRAJ_STEPS, fx, fy, stable, (size_t)n_fp};
        st = dtb__plot_phase(path, &p);
    }
    free(fx);
    free(fy);
    free(stable);
    free(mem);
    return st;
}
