/* libdtb — phase planes: a vector field, nullclines (the zero contours of
 * two rates, by marching squares on the grid), trajectories and fixed
 * points, over one x-y frame.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>

#include "axes.h"
#include "plot.h"

/* Where a value crosses zero between two grid nodes (fraction from a). */
static double cross(double a, double b) { return a / (a - b); }

/* The zero contour of field v (nx x ny, v[j * nx + i] at x[i], y[j]) as
 * segments. Each cell's edges where v changes sign give crossing points;
 * two make a segment, four (a saddle cell) two segments paired by the
 * cell centre's sign. */
static void contour(dtb__svg *s, const dtb__frame *f, const dtb__phase_plot *p, const double *v,
                    const char *colour)
{
    for (size_t j = 0; j + 1 < p->ny; j++)
        for (size_t i = 0; i + 1 < p->nx; i++) {
            const double c[4] = {v[j * p->nx + i], v[j * p->nx + i + 1], v[(j + 1) * p->nx + i + 1],
                                 v[(j + 1) * p->nx + i]};
            const double cx[4] = {p->x[i], p->x[i + 1], p->x[i + 1], p->x[i]};
            const double cy[4] = {p->y[j], p->y[j], p->y[j + 1], p->y[j + 1]};
            double px[4], py[4];
            int n = 0, ok = 1;
            for (int e = 0; e < 4; e++)
                ok &= isfinite(c[e]);
            for (int e = 0; ok && e < 4; e++) {
                int e2 = (e + 1) % 4;
                if ((c[e] < 0) == (c[e2] < 0))
                    continue;
                double t = cross(c[e], c[e2]);
                px[n] = dtb__frame_px(f, cx[e] + t * (cx[e2] - cx[e]));
                py[n] = dtb__frame_py(f, cy[e] + t * (cy[e2] - cy[e]));
                n++;
            }
            if (n == 2)
                dtb__svg_line(s, px[0], py[0], px[1], py[1], colour, 1.6);
            else if (n == 4) {
                double centre = 0.25 * (c[0] + c[1] + c[2] + c[3]);
                int pair = (centre < 0) == (c[0] < 0);
                dtb__svg_line(s, px[0], py[0], px[pair ? 3 : 1], py[pair ? 3 : 1], colour, 1.6);
                dtb__svg_line(s, px[pair ? 1 : 2], py[pair ? 1 : 2], px[pair ? 2 : 3], py[pair ? 2 : 3],
                              colour, 1.6);
            }
        }
}

/* Arrows of equal length along the field's direction at every other node. */
static void field(dtb__svg *s, const dtb__frame *f, const dtb__phase_plot *p)
{
    const double len = 0.35 * f->w / (double)(p->nx > 1 ? p->nx - 1 : 1) * 2;
    for (size_t j = 0; j < p->ny; j += 2)
        for (size_t i = 0; i < p->nx; i += 2) {
            double u = p->u[j * p->nx + i], v = p->v[j * p->nx + i];
            double x0 = dtb__frame_px(f, p->x[i]), y0 = dtb__frame_py(f, p->y[j]);
            /* the direction in picture coordinates (y grows downwards) */
            double du = u * f->w / (f->x.hi - f->x.lo), dv = -v * f->h / (f->y.hi - f->y.lo);
            double m = hypot(du, dv);
            if (!isfinite(m) || m == 0.0 || !isfinite(x0) || !isfinite(y0))
                continue;
            double ex = x0 + len * du / m, ey = y0 + len * dv / m;
            dtb__svg_line(s, x0, y0, ex, ey, "#9a9a9a", 0.8);
            double ax = -du / m, ay = -dv / m;   /* the head: two short strokes back */
            for (int side = -1; side <= 1; side += 2) {
                double hx = ex + 0.3 * len * (ax * 0.94 - side * ay * 0.34);
                double hy = ey + 0.3 * len * (ay * 0.94 + side * ax * 0.34);
                dtb__svg_line(s, ex, ey, hx, hy, "#9a9a9a", 0.8);
            }
        }
}

dtb_status dtb__plot_phase(const char *path, const dtb__phase_plot *p)
{
    dtb__frame f = {80, 50, 560, 560, {0, 0, 0}, {0, 0, 0}};
    dtb__axis_empty(&f.x, 0);
    dtb__axis_empty(&f.y, 0);
    dtb__axis_include(&f.x, p->x[0]);
    dtb__axis_include(&f.x, p->x[p->nx - 1]);
    dtb__axis_include(&f.y, p->y[0]);
    dtb__axis_include(&f.y, p->y[p->ny - 1]);
    f.x.lo = p->x[0];
    f.x.hi = p->x[p->nx - 1];
    f.y.lo = p->y[0];
    f.y.hi = p->y[p->ny - 1];
    dtb__svg s;
    dtb_status st = dtb__svg_open(&s, path, 880, 660);
    if (st)
        return st;
    dtb__frame_draw(&s, &f, p->title, p->x_label, p->y_label);
    field(&s, &f, p);
    contour(&s, &f, p, p->u, "#4e79a7");
    contour(&s, &f, p, p->v, "#f28e2b");
    for (size_t k = 0; k < p->n_traj; k++) {
        dtb__series one = {NULL, p->traj_x + k * p->traj_len, p->traj_y + k * p->traj_len, p->traj_len};
        dtb__plot_series_runs(&s, &f, &one, "#59a14f", 1.0);
    }
    for (size_t k = 0; k < p->n_fixed; k++) {
        double x = dtb__frame_px(&f, p->fixed_x[k]), y = dtb__frame_py(&f, p->fixed_y[k]);
        if (!isfinite(x) || !isfinite(y))
            continue;
        char mark[160];
        snprintf(mark, sizeof mark, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"5\" fill=\"%s\" stroke=\"#000\"/>\n",
                 x, y, p->fixed_stable[k] ? "#000" : "#fff");
        dtb__svg_raw(&s, mark);
    }
    char nx[96], ny[96];
    snprintf(nx, sizeof nx, "d%s/dt = 0", p->x_label ? p->x_label : "x");
    snprintf(ny, sizeof ny, "d%s/dt = 0", p->y_label ? p->y_label : "y");
    const char *const legend[4] = {nx, ny, "trajectories", "fixed points (filled: stable)"};
    static const char *const colours[4] = {"#4e79a7", "#f28e2b", "#59a14f", "#000"};
    for (int k = 0; k < 4; k++) {
        double y = f.y0 + 10 + 16 * k;
        dtb__svg_line(&s, f.x0 + f.w + 15, y, f.x0 + f.w + 35, y, colours[k], 2.5);
        dtb__svg_text(&s, f.x0 + f.w + 40, y + 4, 11, "start", 0, legend[k]);
    }
    dtb_status cst = dtb__svg_close(&s);
    return cst;
}
