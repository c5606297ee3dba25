/* libdtb — brain figures: region values and the strongest connections
 * drawn on glass-brain projections (sagittal, coronal, axial) of the
 * atlas' MNI region centres, with a colour bar and the strongest regions
 * labelled.
 *
 * The brain's outline in each view is the convex hull of the projected
 * centres, each widened to a disc of OUTLINE_MM: it needs no template
 * image, so every atlas with centres gets a figure, and the outline is
 * exactly the extent of that atlas' regions (a glass brain, not an
 * anatomical drawing).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"
#include "plot.h"
#include "svg.h"

#define OUTLINE_MM 10.0
#define OUTLINE_STEPS 24
#define PX_PER_MM 2.1
#define GAP 40.0
#define TOP 64.0
#define PI 3.14159265358979323846

enum { SAGITTAL, CORONAL, AXIAL, N_VIEWS };

static const char *const view_names[N_VIEWS] = {"sagittal", "coronal", "axial"};
/* Orientation letters at the left and right ends of each view. */
static const char *const view_ends[N_VIEWS][2] = {{"P", "A"}, {"L", "R"}, {"L", "R"}};

/* Horizontal and vertical coordinates (mm) of a centre in a view; the
 * third is the depth, used to draw nearer regions last. */
static void project(int view, const double *c, double *u, double *v, double *depth)
{
    switch (view) {
    case SAGITTAL: *u = c[1]; *v = c[2]; *depth = c[0]; break;   /* seen from the right */
    case CORONAL: *u = c[0]; *v = c[2]; *depth = -c[1]; break;   /* seen from the front */
    default: *u = c[0]; *v = c[1]; *depth = c[2]; break;         /* seen from above */
    }
}

typedef struct view_box {
    double umin, umax, vmin, vmax;   /* mm */
    double x0, y0;                   /* picture position of (umin, vmax) */
} view_box;

static double px(const view_box *b, double u) { return b->x0 + (u - b->umin) * PX_PER_MM; }
static double py(const view_box *b, double v) { return b->y0 + (b->vmax - v) * PX_PER_MM; }

typedef struct pt {
    double u, v;
} pt;

static int pt_cmp(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->u != q->u)
        return p->u < q->u ? -1 : 1;
    return (p->v > q->v) - (p->v < q->v);
}

static double cross(pt o, pt a, pt b) { return (a.u - o.u) * (b.v - o.v) - (a.v - o.v) * (b.u - o.u); }

/* Convex hull (Andrew's monotone chain) of n points, in place: returns
 * the number of hull points, counter-clockwise, in p[0..h-1]. */
static size_t hull(pt *p, size_t n)
{
    if (n < 3)
        return n;
    qsort(p, n, sizeof *p, pt_cmp);
    pt *h = malloc(2 * n * sizeof *h);
    if (!h)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k++] = p[i];
    }
    for (size_t i = n - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k++] = p[i];
    }
    k--;   /* the last point repeats the first */
    memcpy(p, h, k * sizeof *p);
    free(h);
    return k;
}

/* The outline of one view (hull of the widened centres) and its extent. */
static dtb_status outline(const dtb__brain_plot *b, int view, pt **out, size_t *n_out, view_box *box)
{
    size_t n = b->n * OUTLINE_STEPS;
    pt *p = dtb__malloc_array(n, sizeof *p);
    if (!p)
        return DTB_ENOMEM;
    for (size_t i = 0; i < b->n; i++) {
        double u, v, d;
        project(view, &b->centres[3 * i], &u, &v, &d);
        for (int k = 0; k < OUTLINE_STEPS; k++) {
            double a = 2 * PI * k / OUTLINE_STEPS;
            p[i * OUTLINE_STEPS + k] = (pt){u + OUTLINE_MM * cos(a), v + OUTLINE_MM * sin(a)};
        }
    }
    size_t h = hull(p, n);
    if (!h) {
        free(p);
        return DTB_ENOMEM;
    }
    box->umin = box->vmin = INFINITY;
    box->umax = box->vmax = -INFINITY;
    for (size_t i = 0; i < h; i++) {
        box->umin = fmin(box->umin, p[i].u);
        box->umax = fmax(box->umax, p[i].u);
        box->vmin = fmin(box->vmin, p[i].v);
        box->vmax = fmax(box->vmax, p[i].v);
    }
    *out = p;
    *n_out = h;
    return DTB_OK;
}

static void draw_outline(dtb__svg *s, const view_box *box, const pt *p, size_t n)
{
    fputs("<path fill=\"#f4f4f4\" stroke=\"#9a9a9a\" stroke-width=\"1.2\" d=\"", s->f);
    for (size_t i = 0; i < n; i++) {
        fputc(i ? 'L' : 'M', s->f);
        dtb__svg_num(s, px(box, p[i].u));
        fputc(' ', s->f);
        dtb__svg_num(s, py(box, p[i].v));
    }
    fputs("Z\"/>\n", s->f);
}

/* --- the strongest edges: a min-heap of the k largest |w| --- */

typedef struct edge {
    double w;
    size_t i, j;
} edge;

static int weaker(const edge *a, const edge *b) { return fabs(a->w) < fabs(b->w); }

static void sift_down(edge *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && weaker(&h[l], &h[m]))
            m = l;
        if (r < n && weaker(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        edge t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void sift_up(edge *h, size_t i)
{
    while (i && weaker(&h[i], &h[(i - 1) / 2])) {
        edge t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static int stronger_first(const void *a, const void *b)
{
    double x = fabs(((const edge *)a)->w), y = fabs(((const edge *)b)->w);
    return (x < y) - (x > y);
}

/* The k strongest connections between distinct regions (for each pair the
 * larger of w_ij and w_ji in magnitude), strongest first; memory O(k)
 * whatever the number of regions. */
static dtb_status strongest_edges(const dtb__brain_plot *b, size_t k, edge **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!b->edges || !k)
        return DTB_OK;
    edge *h = dtb__malloc_array(k, sizeof *h);
    if (!h)
        return DTB_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        for (size_t j = i + 1; j < b->n; j++) {
            double a = b->edges[i * b->n + j], c = b->edges[j * b->n + i];
            double w = !isfinite(c) || (isfinite(a) && fabs(a) >= fabs(c)) ? a : c;
            if (!isfinite(w) || w == 0)
                continue;
            edge e = {w, i, j};
            if (n < k) {
                h[n] = e;
                sift_up(h, n++);
            } else if (weaker(&h[0], &e)) {
                h[0] = e;
                sift_down(h, n, 0);
            }
        }
    qsort(h, n, sizeof *h, stronger_first);
    *out = h;
    *n_out = n;
    return DTB_OK;
}

/* --- nodes --- */

typedef struct node_order {
    double depth;
    size_t i;
} node_order;

static int by_depth(const void *a, const void *b)
{
    const node_order *p = a, *q = b;
    if (p->depth != q->depth)
        return p->depth < q->depth ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static int by_magnitude(const void *a, const void *b)
{
    double x = ((const node_order *)a)->depth, y = ((const node_order *)b)->depth;
    if (x != y)
        return x > y ? -1 : 1;   /* largest first */
    return (((const node_order *)a)->i > ((const node_order *)b)->i) -
           (((const node_order *)a)->i < ((const node_order *)b)->i);
}

/* The regions to label: the largest |value| (or, without values, the
 * strongest total |edge| weight); marks[i] = 1 for them. */
static void choose_labels(const dtb__brain_plot *b, node_order *scratch, unsigned char *marks)
{
    memset(marks, 0, b->n);
    if (!b->labels || b->max_labels <= 0 || (!b->values && !b->edges))
        return;
    for (size_t i = 0; i < b->n; i++) {
        double m = 0;
        if (b->values)
            m = fabs(b->values[i]);
        else
            for (size_t j = 0; j < b->n; j++)
                if (j != i && isfinite(b->edges[i * b->n + j]))
                    m += fabs(b->edges[i * b->n + j]);
        scratch[i] = (node_order){isfinite(m) ? m : -1, i};
    }
    qsort(scratch, b->n, sizeof *scratch, by_magnitude);
    for (size_t k = 0; k < b->n && k < (size_t)b->max_labels; k++)
        if (scratch[k].depth > 0)
            marks[scratch[k].i] = 1;
}

static void draw_view(dtb__svg *s, const dtb__brain_plot *b, int view, const view_box *box,
                      const edge *edges, size_t n_edges, double emax, double lo, double hi,
                      node_order *order, const unsigned char *labelled)
{
    for (size_t k = n_edges; k-- > 0;) {   /* the strongest on top */
        const edge *e = &edges[k];
        double u1, v1, u2, v2, d;
        project(view, &b->centres[3 * e->i], &u1, &v1, &d);
        project(view, &b->centres[3 * e->j], &u2, &v2, &d);
        fprintf(s->f, "<line stroke=\"%s\" stroke-opacity=\"0.55\" stroke-width=\"",
                e->w > 0 ? "#b2182b" : "#2166ac");
        dtb__svg_num(s, 0.4 + 2.6 * fabs(e->w) / emax);
        fputs("\" x1=\"", s->f);
        dtb__svg_num(s, px(box, u1));
        fputs("\" y1=\"", s->f);
        dtb__svg_num(s, py(box, v1));
        fputs("\" x2=\"", s->f);
        dtb__svg_num(s, px(box, u2));
        fputs("\" y2=\"", s->f);
        dtb__svg_num(s, py(box, v2));
        fputs("\"/>\n", s->f);
    }
    for (size_t i = 0; i < b->n; i++) {
        double u, v, d;
        project(view, &b->centres[3 * i], &u, &v, &d);
        order[i] = (node_order){d, i};
    }
    qsort(order, b->n, sizeof *order, by_depth);
    for (size_t k = 0; k < b->n; k++) {
        size_t i = order[k].i;
        double u, v, d;
        project(view, &b->centres[3 * i], &u, &v, &d);
        char colour[8] = "#555555";
        if (b->values)
            dtb__colormap(isfinite(b->values[i]) ? (b->values[i] - lo) / (hi - lo) : NAN,
                          b->diverging, colour);
        fprintf(s->f, "<circle fill=\"%s\" stroke=\"#333\" stroke-width=\"0.4\" r=\"%s\" cx=\"",
                colour, labelled[i] ? "5.2" : "3.6");
        dtb__svg_num(s, px(box, u));
        fputs("\" cy=\"", s->f);
        dtb__svg_num(s, py(box, v));
        fputs("\"/>\n", s->f);
    }
    for (size_t i = 0; i < b->n; i++) {
        if (!labelled[i])
            continue;
        double u, v, d;
        project(view, &b->centres[3 * i], &u, &v, &d);
        dtb__svg_text(s, px(box, u) + 6, py(box, v) - 5, 9, "start", 0, b->labels[i]);
    }
    double w = (box->umax - box->umin) * PX_PER_MM;
    double bottom = py(box, box->vmin);
    dtb__svg_text(s, box->x0 + w / 2, bottom + 20, 12, "middle", 0, view_names[view]);
    dtb__svg_text(s, box->x0 - 4, py(box, (box->vmin + box->vmax) / 2), 11, "end", 0,
                  view_ends[view][0]);
    dtb__svg_text(s, box->x0 + w + 4, py(box, (box->vmin + box->vmax) / 2), 11, "start", 0,
                  view_ends[view][1]);
}

dtb_status dtb__plot_brain(const char *path, const dtb__brain_plot *b)
{
    pt *outlines[N_VIEWS] = {NULL};
    size_t n_outline[N_VIEWS] = {0};
    view_box box[N_VIEWS];
    edge *edges = NULL;
    size_t n_edges = 0;
    node_order *order = dtb__malloc_array(b->n ? b->n : 1, sizeof *order);
    unsigned char *labelled = dtb__calloc(b->n ? b->n : 1, 1);
    dtb_status st = order && labelled ? DTB_OK : DTB_ENOMEM;
    for (int v = 0; !st && v < N_VIEWS; v++)
        st = outline(b, v, &outlines[v], &n_outline[v], &box[v]);
    if (!st)
        st = strongest_edges(b, b->max_edges > 0 ? (size_t)b->max_edges : 0, &edges, &n_edges);
    dtb__svg s;
    if (!st) {
        double x = 40, height = 0;
        for (int v = 0; v < N_VIEWS; v++) {
            box[v].x0 = x;
            box[v].y0 = TOP;
            x += (box[v].umax - box[v].umin) * PX_PER_MM + GAP;
            height = fmax(height, (box[v].vmax - box[v].vmin) * PX_PER_MM);
        }
        /* views share one vertical scale; each is centred in the band */
        for (int v = 0; v < N_VIEWS; v++)
            box[v].y0 = TOP + (height - (box[v].vmax - box[v].vmin) * PX_PER_MM) / 2;
        st = dtb__svg_open(&s, path, x + (b->values ? 100 : 0), TOP + height + 70);
        if (!st) {
            double lo = 0, hi = 1, emax = n_edges ? fabs(edges[0].w) : 1;
            dtb__colour_range(b->values, b->values ? b->n : 0, b->vmin, b->vmax, b->diverging, &lo,
                              &hi);
            choose_labels(b, order, labelled);
            for (int v = 0; v < N_VIEWS; v++) {
                draw_outline(&s, &box[v], outlines[v], n_outline[v]);
                draw_view(&s, b, v, &box[v], edges, n_edges, emax, lo, hi, order, labelled);
            }
            if (b->title)
                dtb__svg_text(&s, x / 2, 30, 15, "middle", 0, b->title);
            char note[160];
            if (n_edges)
                snprintf(note, sizeof note, "%zu strongest connections (red positive, blue "
                         "negative; widest |w| = %.3g); region centres, MNI mm", n_edges, emax);
            else
                snprintf(note, sizeof note, "region centres, MNI mm");
            dtb__svg_text(&s, x / 2, TOP + height + 56, 11, "middle", 0, note);
            if (b->values)
                dtb__colour_bar(&s, x + 10, TOP + 20, fmin(260, fmax(120, height - 40)), lo, hi,
                                b->diverging, b->value_label);
            st = dtb__svg_close(&s);
        }
    }
    for (int v = 0; v < N_VIEWS; v++)
        free(outlines[v]);
    free(edges);
    free(order);
    free(labelled);
    return st;
}
