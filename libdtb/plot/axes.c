/* libdtb — chart frames and ticks.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "axes.h"

#include <math.h>
#include <stdio.h>

void dtb__axis_empty(dtb__axis *a, int log)
{
    a->lo = INFINITY;
    a->hi = -INFINITY;
    a->log = log;
}

void dtb__axis_include(dtb__axis *a, double v)
{
    if (a->log) {
        if (!(v > 0) || !isfinite(v))
            return;
        v = log10(v);
    }
    if (!isfinite(v))
        return;
    a->lo = fmin(a->lo, v);
    a->hi = fmax(a->hi, v);
}

/* A step of 1, 2 or 5 times a power of ten, about range / 5. */
static double nice_step(double range)
{
    double raw = range / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void dtb__axis_finish(dtb__axis *a)
{
    if (!(a->lo <= a->hi)) {
        a->lo = 0;
        a->hi = 1;
    }
    if (a->hi - a->lo < 1e-12 * fmax(1, fabs(a->hi))) {
        double pad = a->log ? 0.5 : fmax(fabs(a->hi) * 0.1, 1e-9);
        a->lo -= pad;
        a->hi += pad;
    }
    if (a->log) {
        a->lo = floor(a->lo);
        a->hi = ceil(a->hi);
        return;
    }
    double step = nice_step(a->hi - a->lo);
    a->lo = floor(a->lo / step + 1e-9) * step;
    a->hi = ceil(a->hi / step - 1e-9) * step;
}

double dtb__frame_px(const dtb__frame *f, double x)
{
    if (f->x.log)
        x = x > 0 ? log10(x) : NAN;
    return f->x0 + (x - f->x.lo) / (f->x.hi - f->x.lo) * f->w;
}

double dtb__frame_py(const dtb__frame *f, double y)
{
    if (f->y.log)
        y = y > 0 ? log10(y) : NAN;
    return f->y0 + f->h - (y - f->y.lo) / (f->y.hi - f->y.lo) * f->h;
}

static void tick_label(char *buf, size_t size, double v, int log)
{
    if (log)
        snprintf(buf, size, "1e%d", (int)lround(v));
    else
        snprintf(buf, size, "%.4g", fabs(v) < 1e-12 ? 0.0 : v);
}

/* Tick positions of an axis in data units (log10 units on a log axis). */
static size_t ticks(const dtb__axis *a, double *out, size_t max)
{
    double step = a->log ? fmax(1, ceil((a->hi - a->lo) / 8)) : nice_step(a->hi - a->lo);
    /* Ticks at whole multiples of the step, whatever the range's ends. */
    double first = ceil(a->lo / step - 1e-9) * step;
    size_t n = 0;
    for (double v = first; v <= a->hi + 1e-9 * step && n < max; v += step)
        out[n++] = fabs(v) < 1e-9 * step ? 0 : v;
    return n;
}

void dtb__frame_draw(dtb__svg *s, const dtb__frame *f, const char *title, const char *x_label,
                     const char *y_label)
{
    double tv[64];
    char buf[32];
    size_t n = ticks(&f->x, tv, 64);
    for (size_t i = 0; i < n; i++) {
        double px = f->x0 + (tv[i] - f->x.lo) / (f->x.hi - f->x.lo) * f->w;
        dtb__svg_line(s, px, f->y0, px, f->y0 + f->h, "#e6e6e6", 1);
        dtb__svg_line(s, px, f->y0 + f->h, px, f->y0 + f->h + 5, "#333", 1);
        tick_label(buf, sizeof buf, tv[i], f->x.log);
        dtb__svg_text(s, px, f->y0 + f->h + 18, 11, "middle", 0, buf);
    }
    n = ticks(&f->y, tv, 64);
    for (size_t i = 0; i < n; i++) {
        double py = f->y0 + f->h - (tv[i] - f->y.lo) / (f->y.hi - f->y.lo) * f->h;
        dtb__svg_line(s, f->x0, py, f->x0 + f->w, py, "#e6e6e6", 1);
        dtb__svg_line(s, f->x0 - 5, py, f->x0, py, "#333", 1);
        tick_label(buf, sizeof buf, tv[i], f->y.log);
        dtb__svg_text(s, f->x0 - 8, py + 4, 11, "end", 0, buf);
    }
    dtb__svg_rect(s, f->x0, f->y0, f->w, f->h, "none", "#333");
    if (title)
        dtb__svg_text(s, f->x0 + f->w / 2, f->y0 - 14, 15, "middle", 0, title);
    if (x_label)
        dtb__svg_text(s, f->x0 + f->w / 2, f->y0 + f->h + 40, 12, "middle", 0, x_label);
    if (y_label)
        dtb__svg_text(s, f->x0 - 58, f->y0 + f->h / 2, 12, "middle", -90, y_label);
}
