/* libdtb — the colour bar beside a figure whose colours mean values (heat
 * maps, brain figures).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>

#include "colormap.h"
#include "svg.h"

#define LEVELS 64

void dtb__colour_range(const double *v, size_t n, double vmin, double vmax, int diverging,
                       double *lo, double *hi)
{
    *lo = vmin;
    *hi = vmax;
    if (*lo != 0 || *hi != 0)
        return;
    double mn = INFINITY, mx = -INFINITY;
    for (size_t k = 0; v && k < n; k++)
        if (isfinite(v[k])) {
            mn = fmin(mn, v[k]);
            mx = fmax(mx, v[k]);
        }
    if (!(mn <= mx))
        mn = mx = 0;
    if (diverging) {
        double a = fmax(fabs(mn), fabs(mx));
        mn = -a;
        mx = a;
    }
    if (mx - mn < 1e-300) {
        mn -= 1;
        mx += 1;
    }
    *lo = mn;
    *hi = mx;
}

void dtb__colour_bar(dtb__svg *s, double x, double y, double height, double lo, double hi,
                     int diverging, const char *label)
{
    for (int l = 0; l < LEVELS; l++) {
        char colour[8];
        dtb__colormap((l + 0.5) / LEVELS, diverging, colour);
        dtb__svg_rect(s, x, y + height * (1 - (l + 1.0) / LEVELS), 16, height / LEVELS + 0.5, colour,
                      NULL);
    }
    dtb__svg_rect(s, x, y, 16, height, "none", "#333");
    char buf[32];
    for (int i = 0; i <= 2; i++) {
        double v = lo + (hi - lo) * i / 2;
        snprintf(buf, sizeof buf, "%.3g", fabs(v) < 1e-12 * (hi - lo) ? 0.0 : v);
        dtb__svg_text(s, x + 22, y + height * (1 - i / 2.0) + 4, 11, "start", 0, buf);
    }
    if (label)
        dtb__svg_text(s, x + 8, y - 10, 11, "middle", 0, label);
}
