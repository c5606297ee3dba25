/* libdtb — line charts (time series, spectra) with a legend.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "axes.h"
#include "plot.h"

/* Ten colours that stay apart for colour-blind readers (Tableau 10). */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/* One series as polylines, broken wherever a point cannot be shown. */
dtb_status dtb__plot_series_runs(dtb__svg *s, const dtb__frame *f, const dtb__series *d,
                                 const char *colour, double width)
{
    double *px = dtb__malloc_array(d->n ? d->n : 1, sizeof *px);
    double *py = dtb__malloc_array(d->n ? d->n : 1, sizeof *py);
    if (!px || !py) {
        free(px);
        free(py);
        return DTB_ENOMEM;
    }
    size_t run = 0;
    for (size_t i = 0; i <= d->n; i++) {
        double x = i < d->n ? dtb__frame_px(f, d->x[i]) : NAN;
        double y = i < d->n ? dtb__frame_py(f, d->y[i]) : NAN;
        if (isfinite(x) && isfinite(y)) {
            px[run] = x;
            py[run++] = y;
            continue;
        }
        if (run > 1)
            dtb__svg_polyline(s, px, py, run, colour, width);
        run = 0;
    }
    free(px);
    free(py);
    return DTB_OK;
}

dtb_status dtb__plot_lines(const char *path, const dtb__line_plot *p)
{
    dtb__frame f = {80, 50, 640, 380, {0, 0, 0}, {0, 0, 0}};
    dtb__axis_empty(&f.x, 0);
    dtb__axis_empty(&f.y, p->log_y);
    for (size_t k = 0; k < p->n_series; k++)
        for (size_t i = 0; i < p->series[k].n; i++) {
            if (!isfinite(p->series[k].y[i]))
                continue;
            dtb__axis_include(&f.x, p->series[k].x[i]);
            dtb__axis_include(&f.y, p->series[k].y[i]);
        }
    dtb__axis_finish(&f.x);
    dtb__axis_finish(&f.y);
    dtb__svg s;
    dtb_status st = dtb__svg_open(&s, path, 900, 480);
    if (st)
        return st;
    dtb__frame_draw(&s, &f, p->title, p->x_label, p->y_label);
    for (size_t k = 0; !st && k < p->n_series; k++)
        st = dtb__plot_series_runs(&s, &f, &p->series[k], palette[k % 10], 1.2);
    for (size_t k = 0; k < p->n_series && k < 24; k++) {
        double y = f.y0 + 10 + 16 * (double)k;
        dtb__svg_line(&s, f.x0 + f.w + 15, y, f.x0 + f.w + 35, y, palette[k % 10], 2.5);
        dtb__svg_text(&s, f.x0 + f.w + 40, y + 4, 11, "start", 0,
                      p->series[k].name ? p->series[k].name : "");
    }
    dtb_status cst = dtb__svg_close(&s);
    return st ? st : cst;
}
