/* libdtb — heat maps of matrices (FC, FCD) with row and column labels and
 * a colour bar. The cells of each of 64 colour levels are one SVG path of
 * integer squares, which keeps a 246 x 246 FC near a megabyte.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"
#include "plot.h"
#include "svg.h"

#define LEVELS 64

/* Colour level of a value: 0..LEVELS-1, LEVELS for NaN. */
static int level_of(double v, double lo, double hi)
{
    if (isnan(v))
        return LEVELS;
    double u = (v - lo) / (hi - lo);
    int l = (int)floor(u * LEVELS);
    return l < 0 ? 0 : l >= LEVELS ? LEVELS - 1 : l;
}

static const char *label_of(const char *const *labels, size_t i, char *buf, size_t size)
{
    if (labels && labels[i])
        return labels[i];
    snprintf(buf, size, "%zu", i);
    return buf;
}

static double longest_label(const char *const *labels, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = labels && labels[i] ? strlen(labels[i]) : (size_t)snprintf(NULL, 0, "%zu", i);
        m = len > m ? len : m;
    }
    return (double)m;
}

static dtb_status draw_cells(dtb__svg *s, const dtb__heatmap *h, int x0, int y0, int c, double lo,
                             double hi)
{
    dtb__strbuf paths[LEVELS + 1];
    memset(paths, 0, sizeof paths);
    dtb__locale_guard g;
    dtb__locale_push_c(&g);
    for (size_t r = 0; r < h->rows; r++)
        for (size_t k = 0; k < h->cols; k++) {
            int l = level_of(h->m[r * h->cols + k], lo, hi);
            dtb__strbuf_printf(&paths[l], "M%d %dh%dv%dh-%dz", x0 + (int)k * c, y0 + (int)r * c, c,
                               c, c);
        }
    dtb__locale_pop(&g);
    dtb_status st = DTB_OK;
    for (int l = 0; l <= LEVELS; l++) {
        if (paths[l].failed)
            st = DTB_ENOMEM;
        if (!paths[l].data || st)
            continue;
        char colour[8];
        dtb__colormap(l == LEVELS ? NAN : (l + 0.5) / LEVELS, h->diverging, colour);
        fprintf(s->f, "<path fill=\"%s\" d=\"%s\"/>\n", colour, paths[l].data);
    }
    for (int l = 0; l <= LEVELS; l++)
        dtb__strbuf_free(&paths[l]);
    return st;
}

dtb_status dtb__plot_heatmap(const char *path, const dtb__heatmap *h)
{
    const size_t n = h->rows > h->cols ? h->rows : h->cols;
    const int c = n ? (int)fmax(1, fmin(24, round(980.0 / (double)n))) : 1;
    const double font = fmin(11, 0.9 * c);
    const int left = (int)(longest_label(h->row_labels, h->rows) * font * 0.6) + 30;
    const int bottom = (int)(longest_label(h->col_labels, h->cols) * font * 0.6) + 50;
    const int x0 = left, y0 = 50;
    const double W = x0 + (double)h->cols * c + 110, H = y0 + (double)h->rows * c + bottom;
    double lo, hi;
    dtb__colour_range(h->m, h->rows * h->cols, h->vmin, h->vmax, h->diverging, &lo, &hi);
    dtb__svg s;
    dtb_status st = dtb__svg_open(&s, path, W, H);
    if (st)
        return st;
    st = draw_cells(&s, h, x0, y0, c, lo, hi);
    char buf[32];
    /* Labels: every row and column when they fit at 2 px or more. */
    const size_t every = font >= 2 ? 1 : (size_t)ceil(2 / font);
    for (size_t r = 0; r < h->rows; r += every)
        dtb__svg_text(&s, x0 - 3, y0 + (r + 0.5) * c + font * 0.35, font, "end", 0,
                      label_of(h->row_labels, r, buf, sizeof buf));
    for (size_t k = 0; k < h->cols; k += every) {
        double x = x0 + (k + 0.5) * c + font * 0.35, y = y0 + (double)h->rows * c + 3;
        dtb__svg_text(&s, x, y, font, "end", -90, label_of(h->col_labels, k, buf, sizeof buf));
    }
    dtb__svg_rect(&s, x0, y0, (double)h->cols * c, (double)h->rows * c, "none", "#333");
    if (h->title)
        dtb__svg_text(&s, x0 + (double)h->cols * c / 2, 30, 15, "middle", 0, h->title);
    if (h->x_label)
        dtb__svg_text(&s, x0 + (double)h->cols * c / 2, H - 12, 12, "middle", 0, h->x_label);
    if (h->y_label)
        dtb__svg_text(&s, 14, y0 + (double)h->rows * c / 2, 12, "middle", -90, h->y_label);
    dtb__colour_bar(&s, x0 + (double)h->cols * c + 25, y0 + 20,
                    fmin(300, fmax(100, (double)h->rows * c - 40)), lo, hi, h->diverging,
                    h->value_label);
    dtb_status cst = dtb__svg_close(&s);
    return st ? st : cst;
}
