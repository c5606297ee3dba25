/* libdtb internal — a minimal SVG writer: the primitives the figures use,
 * escaped text, locale-independent numbers, errors checked once at close.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SVG_H
#define DTB_SVG_H

#include <stdio.h>

#include "base/base.h"
#include "io/atomic_file.h"

/* A figure is written whole or not at all (io/atomic_file.h): a kill or a
 * full disk while it is drawn leaves the previous figure, never half. */
typedef struct dtb__svg {
    FILE *f;                      /* file.f, for the primitives */
    dtb__atomic_file file;
    const char *path;
    dtb__locale_guard locale;
} dtb__svg;

dtb_status dtb__svg_open(dtb__svg *s, const char *path, double width, double height);
/* Close the document; DTB_EIO if anything failed to be written. */
dtb_status dtb__svg_close(dtb__svg *s);

/* anchor: "start", "middle" or "end"; rotate in degrees (0: none). */
void dtb__svg_text(dtb__svg *s, double x, double y, double size, const char *anchor, double rotate,
                   const char *text);
void dtb__svg_line(dtb__svg *s, double x1, double y1, double x2, double y2, const char *stroke,
                   double width);
void dtb__svg_rect(dtb__svg *s, double x, double y, double w, double h, const char *fill,
                   const char *stroke);
/* A polyline through n points (already in picture coordinates). */
void dtb__svg_polyline(dtb__svg *s, const double *px, const double *py, size_t n,
                       const char *stroke, double width);
/* Raw markup (for paths built by a figure). */
void dtb__svg_raw(dtb__svg *s, const char *markup);
/* A number as the SVG attributes take it: at most 2 decimals, C locale. */
void dtb__svg_num(dtb__svg *s, double v);

#endif
