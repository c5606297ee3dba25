/* libdtb — spike rasters: time across, units down. Spikes are placed on
 * the figure's pixel grid first (a unit per row, or a pixel row per group
 * of units when there are more units than pixels), and each row's run of
 * occupied pixels is drawn as one mark: a tick for a lone spike, a band
 * for a burst. So the file stays small however many spikes there are
 * (millions of threshold crossings of a noisy signal would otherwise make
 * a path too long for SVG readers).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
    const size_t units = r->n_units ? r->n_units : 1;
    const size_t cols = (size_t)ceil(f.w) + 1;
    const size_t rows = units <= (size_t)f.h ? units : (size_t)f.h;
    unsigned char *hit = calloc(rows * cols, 1);
    if (!hit) {
        dtb__svg_close(&s);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        double x = dtb__frame_px(&f, r->t[i]) - f.x0, u = r->unit[i];
        if (!isfinite(x) || !isfinite(u) || u < 0 || u > (double)(units - 1) + 0.5 || x < -0.5)
            continue;
        size_t c = (size_t)llround(x), row = (size_t)llround(u) * rows / units;
        if (c < cols && row < rows)
            hit[row * cols + c] = 1;
    }
    /* row centres: the unit's own position, or the middle of its pixel row */
    const double tick = fmax(1, fmin(6, f.h / (double)rows));
    fputs("<path stroke=\"#222\" stroke-width=\"1\" d=\"", s.f);
    for (size_t row = 0; row < rows; row++) {
        double unit_mid = ((double)row + 0.5) * (double)units / (double)rows - 0.5;
        double y = dtb__frame_py(&f, rows == units ? (double)row : unit_mid);
        for (size_t c = 0; c < cols; c++) {
            if (!hit[row * cols + c])
                continue;
            size_t end = c;
            while (end + 1 < cols && hit[row * cols + end + 1])
                end++;
            fputc('M', s.f);
            dtb__svg_num(&s, f.x0 + (double)c);
            fputc(' ', s.f);
            dtb__svg_num(&s, y - tick / 2);
            if (end > c) {   /* a burst: the band it covers */
                fputc('h', s.f);
                dtb__svg_num(&s, (double)(end - c));
                fputc('v', s.f);
                dtb__svg_num(&s, tick);
                fputc('h', s.f);
                dtb__svg_num(&s, -(double)(end - c));
                fputc('z', s.f);
            } else {
                fputc('v', s.f);
                dtb__svg_num(&s, tick);
            }
            c = end;
        }
    }
    fputs("\"/>\n", s.f);
    free(hit);
    return dtb__svg_close(&s);
}
