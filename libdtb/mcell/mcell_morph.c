/* libdtb — the checks of a cell's morphology, before anything is built:
 * every parent exists, the segments form one tree (no cycle, one root),
 * no segment has zero length (but a spherical root, NeuroML's soma), and
 * the segments in an order with every parent before its children.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mcell.h"

int64_t dtb__mc_segment_find(const dtb__mc_desc *d, int64_t id)
{
    for (size_t i = 0; i < d->n_segments; i++)
        if (d->segments[i].id == id)
            return (int64_t)i;
    return -1;
}

static double distance(dtb__mc_point a, dtb__mc_point b)
{
    return sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

static dtb_status seg_error(const dtb__mc_desc *d, dtb_status code, const dtb__mc_segment *s,
                            const char *what)
{
    return dtb__error(code, "%s:%d: <segment id='%lld'>: %s", d->file, s->line, (long long)s->id,
                      what);
}

/* Colour walk up the parents: 1 on the walk in progress, 2 known to reach
 * the root. Meeting a 1 again is a cycle. */
static dtb_status check_cycles(const dtb__mc_desc *d, unsigned char *colour)
{
    for (size_t i = 0; i < d->n_segments; i++) {
        int64_t k = (int64_t)i;
        while (k >= 0 && colour[k] == 0) {
            colour[k] = 1;
            k = d->segments[k].parent;
        }
        if (k >= 0 && colour[k] == 1) {
            char what[160];
            snprintf(what, sizeof what, "its parents lead back to it: the morphology has a "
                     "cycle through segment %lld", (long long)d->segments[k].id);
            return seg_error(d, DTB_EPARSE, &d->segments[k], what);
        }
        for (k = (int64_t)i; k >= 0 && colour[k] == 1; k = d->segments[k].parent)
            colour[k] = 2;
    }
    return DTB_OK;
}

static size_t depth_of(const dtb__mc_desc *d, size_t i)
{
    size_t depth = 0;
    for (int64_t k = d->segments[i].parent; k >= 0; k = d->segments[k].parent)
        depth++;
    return depth;
}

void dtb__mc_segment_shape(const dtb__mc_segment *s, double *length, double *d0, double *d1)
{
    double l = distance(s->proximal, s->distal);
    if (l == 0 && s->parent < 0) {
        *length = s->distal.d;
        *d0 = *d1 = s->distal.d;
        return;
    }
    *length = l;
    *d0 = s->proximal.d;
    *d1 = s->distal.d;
}

dtb_status dtb__mc_morph_check(dtb__mc_desc *d)
{
    size_t n = d->n_segments;
    size_t root = n;
    for (size_t i = 0; i < n; i++) {
        dtb__mc_segment *s = &d->segments[i];
        if (s->parent_id < 0) {
            if (root < n) {
                char what[160];
                snprintf(what, sizeof what, "a second segment without a parent (the first is "
                         "segment %lld): a cell is one tree", (long long)d->segments[root].id);
                return seg_error(d, DTB_EPARSE, s, what);
            }
            root = i;
            continue;
        }
        s->parent = dtb__mc_segment_find(d, s->parent_id);
        if (s->parent < 0) {
            char what[120];
            snprintf(what, sizeof what, "its parent segment %lld does not exist",
                     (long long)s->parent_id);
            return seg_error(d, DTB_EPARSE, s, what);
        }
        if (s->parent == (int64_t)i)
            return seg_error(d, DTB_EPARSE, s, "it is its own parent: the morphology has a cycle");
    }
    unsigned char *colour = dtb__calloc(n, 1);
    if (!colour)
        return DTB_ENOMEM;
    dtb_status st = check_cycles(d, colour);
    free(colour);
    if (st)
        return st;
    if (root == n)
        return dtb__error(DTB_EPARSE, "%s: the morphology has no root segment", d->file);
    /* Parents first: by depth (a counting sort keeps the file's order
     * within a depth). */
    size_t *depth = dtb__malloc_array(n, sizeof *depth);
    size_t *count = dtb__calloc(n + 1, sizeof *count);
    d->order = dtb__malloc_array(n, sizeof *d->order);
    if (!depth || !count || !d->order) {
        free(depth);
        free(count);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        count[(depth[i] = depth_of(d, i)) + 1]++;
    for (size_t k = 1; k <= n; k++)
        count[k] += count[k - 1];
    for (size_t i = 0; i < n; i++)
        d->order[count[depth[i]]++] = i;
    free(depth);
    free(count);
    /* Proximal points from the parents, then the lengths. */
    for (size_t k = 0; k < n; k++) {
        dtb__mc_segment *s = &d->segments[d->order[k]];
        if (!s->has_proximal) {
            const dtb__mc_segment *p = &d->segments[s->parent];
            double f = s->fraction;
            s->proximal.x = p->proximal.x + f * (p->distal.x - p->proximal.x);
            s->proximal.y = p->proximal.y + f * (p->distal.y - p->proximal.y);
            s->proximal.z = p->proximal.z + f * (p->distal.z - p->proximal.z);
            s->proximal.d = p->proximal.d + f * (p->distal.d - p->proximal.d);
        }
        if (distance(s->proximal, s->distal) == 0 && s->parent >= 0)
            return seg_error(d, DTB_EPARSE, s, "zero length (proximal and distal are the same "
                             "point); only the root segment may be a sphere");
    }
    return DTB_OK;
}
