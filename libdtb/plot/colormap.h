/* libdtb internal — colour maps of the heat maps.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_COLORMAP_H
#define DTB_COLORMAP_H

#include <stddef.h>

/* "#rrggbb" for u in [0, 1] (clamped; NaN is grey): diverging blue-white-red
 * (ColorBrewer RdBu, reversed) or sequential (viridis). */
void dtb__colormap(double u, int diverging, char out[8]);

/* The colour range of n values: [vmin, vmax] when either is non-zero, else
 * the finite values' range (symmetric about 0 when diverging; widened by 1
 * each way when empty or flat) (colour_bar.c). */
void dtb__colour_range(const double *v, size_t n, double vmin, double vmax, int diverging,
                       double *lo, double *hi);

struct dtb__svg;
/* A vertical colour bar 16 px wide at (x, y), `height` tall, for values
 * lo (bottom) .. hi (top), with three ticks and `label` (may be NULL)
 * above it (colour_bar.c). */
void dtb__colour_bar(struct dtb__svg *s, double x, double y, double height, double lo, double hi,
                     int diverging, const char *label);

#endif
