/* libdtb — the SVG writer under the figures.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <string.h>

dtb_status dtb__svg_open(dtb__svg *s, const char *path, double width, double height)
{
    s->path = path;
    s->f = NULL;
    dtb_status st = dtb__atomic_open(&s->file, path);
    if (st)
        return st;
    s->f = s->file.f;
    dtb__locale_push_c(&s->locale);
    fprintf(s->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\">\n"
                  "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
    return DTB_OK;
}

dtb_status dtb__svg_close(dtb__svg *s)
{
    fputs("</svg>\n", s->f);
    dtb__locale_pop(&s->locale);
    s->f = NULL;
    return dtb__atomic_commit(&s->file);
}

void dtb__svg_num(dtb__svg *s, double v)
{
    if (!isfinite(v))
        v = 0;
    double r = round(v * 100) / 100;
    if (r == floor(r))
        fprintf(s->f, "%.0f", r);
    else
        fprintf(s->f, "%.2f", r);
}

static void escaped(dtb__svg *s, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", s->f); break;
        case '>': fputs("&gt;", s->f); break;
        case '&': fputs("&amp;", s->f); break;
        case '"': fputs("&quot;", s->f); break;
        default:
            /* Control characters are not allowed in XML 1.0. */
            fputc((unsigned char)*p < 0x20 ? ' ' : *p, s->f);
        }
    }
}

void dtb__svg_text(dtb__svg *s, double x, double y, double size, const char *anchor, double rotate,
                   const char *text)
{
    fputs("<text x=\"", s->f);
    dtb__svg_num(s, x);
    fputs("\" y=\"", s->f);
    dtb__svg_num(s, y);
    fputs("\" font-size=\"", s->f);
    dtb__svg_num(s, size);
    fprintf(s->f, "\" text-anchor=\"%s\"", anchor);
    if (rotate != 0) {
        fputs(" transform=\"rotate(", s->f);
        dtb__svg_num(s, rotate);
        fputc(' ', s->f);
        dtb__svg_num(s, x);
        fputc(' ', s->f);
        dtb__svg_num(s, y);
        fputs(")\"", s->f);
    }
    fputc('>', s->f);
    escaped(s, text);
    fputs("</text>\n", s->f);
}

void dtb__svg_line(dtb__svg *s, double x1, double y1, double x2, double y2, const char *stroke,
                   double width)
{
    fputs("<line x1=\"", s->f);
    dtb__svg_num(s, x1);
    fputs("\" y1=\"", s->f);
    dtb__svg_num(s, y1);
    fputs("\" x2=\"", s->f);
    dtb__svg_num(s, x2);
    fputs("\" y2=\"", s->f);
    dtb__svg_num(s, y2);
    fprintf(s->f, "\" stroke=\"%s\" stroke-width=\"", stroke);
    dtb__svg_num(s, width);
    fputs("\"/>\n", s->f);
}

void dtb__svg_rect(dtb__svg *s, double x, double y, double w, double h, const char *fill,
                   const char *stroke)
{
    fputs("<rect x=\"", s->f);
    dtb__svg_num(s, x);
    fputs("\" y=\"", s->f);
    dtb__svg_num(s, y);
    fputs("\" width=\"", s->f);
    dtb__svg_num(s, w);
    fputs("\" height=\"", s->f);
    dtb__svg_num(s, h);
    fprintf(s->f, "\" fill=\"%s\"", fill);
    if (stroke)
        fprintf(s->f, " stroke=\"%s\"", stroke);
    fputs("/>\n", s->f);
}

void dtb__svg_polyline(dtb__svg *s, const double *px, const double *py, size_t n, const char *stroke,
                       double width)
{
    if (n == 0)
        return;
    fputs("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"", s->f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(' ', s->f);
        dtb__svg_num(s, px[i]);
        fputc(',', s->f);
        dtb__svg_num(s, py[i]);
    }
    fprintf(s->f, "\" stroke=\"%s\" stroke-width=\"", stroke);
    dtb__svg_num(s, width);
    fputs("\"/>\n", s->f);
}

void dtb__svg_raw(dtb__svg *s, const char *markup) { fputs(markup, s->f); }
