/* libdtb — spike rasters: one tick per spike, time across, units down.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>

#include "axes.h"
#include "plot.h"

dtb_status dtb__plot_raster(const char *path, const dtb__raster *r)
{
    dtb__frame f = {80, 50, 740, 380, {0, 0, 0}, {0, 0, 0}};
    dtb__axis_empty(&f.x, 0);
    dtb__axis_empty(&f.y, 0);
    for (size_t i = 0; i < r->n; i++)
        dtb__axis_include(&f.x, r->t[i]);
    dtb__axis_include(&f.y, 0);
    dtb__axis_include(&f.y, r->n_units ? (double)r->n_units - 1 : 1);
    dtb__axis_finish(&f.x);
    dtb__axis_finish(&f.y);
    dtb__svg s;
    dtb_status st = dtb__svg_open(&s, path, 900, 480);
    if (st)
        return st;
    dtb__frame_draw(&s, &f, r->title, "time (s)", "unit");
    const double tick = fmax(1, fmin(6, f.h / (double)(r->n_units ? r->n_units : 1)));
    fputs("<path stroke=\"#222\" stroke-width=\"1\" d=\"", s.f);
    for (size_t i = 0; i < r->n; i++) {
        double x = dtb__frame_px(&f, r->t[i]), y = dtb__frame_py(&f, r->unit[i]);
        if (!isfinite(x) || !isfinite(y))
            continue;
        fputc('M', s.f);
        dtb__svg_num(&s, x);
        fputc(' ', s.f);
        dtb__svg_num(&s, y - tick / 2);
        fputc('v', s.f);
        dtb__svg_num(&s, tick);
    }
    fputs("\"/>\n", s.f);
    return dtb__svg_close(&s);
}
