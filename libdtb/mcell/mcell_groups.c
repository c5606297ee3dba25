/* libdtb — segment groups resolved to the segments they hold: <member>,
 * <include segmentGroup> (recursively; an include cycle is an error),
 * <path> (the segments from one to another along the tree, both ends
 * included) and <subTree> (from a segment: it and everything below; to a
 * segment: it and its ancestors to the root, NeuroML's definition).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mcell.h"

int64_t dtb__mc_group_find(const dtb__mc_desc *d, const char *id)
{
    for (size_t i = 0; i < d->n_groups; i++)
        if (strcmp(d->groups[i].id, id) == 0)
            return (int64_t)i;
    return -1;
}

static int is_ancestor(const dtb__mc_desc *d, int64_t a, int64_t s)
{
    for (int64_t k = s; k >= 0; k = d->segments[k].parent)
        if (k == a)
            return 1;
    return 0;
}

static dtb_status segment_of(const dtb__mc_desc *d, const dtb__mc_group *g, int64_t id, int line,
                             int64_t *out)
{
    *out = dtb__mc_segment_find(d, id);
    if (*out < 0)
        return dtb__error(DTB_EPARSE, "%s:%d: <segmentGroup id='%s'>: segment %lld does not exist",
                          d->file, line, g->id, (long long)id);
    return DTB_OK;
}

static dtb_status add_path(const dtb__mc_desc *d, dtb__mc_group *g, size_t k)
{
    int64_t from, to = -1;
    dtb_status st = segment_of(d, g, g->paths[k][0], g->path_lines[k], &from);
    if (!st && g->path_kinds[k] == 0)
        st = segment_of(d, g, g->paths[k][1], g->path_lines[k], &to);
    if (st)
        return st;
    switch (g->path_kinds[k]) {
    case 0:   /* path: from must be an ancestor of to (or the reverse) */
        if (!is_ancestor(d, from, to)) {
            int64_t t = from;
            from = to;
            to = t;
        }
        if (!is_ancestor(d, from, to))
            return dtb__error(DTB_EPARSE, "%s:%d: <segmentGroup id='%s'>: <path>: segments %lld "
                              "and %lld are not on one path from the root", d->file,
                              g->path_lines[k], g->id, (long long)g->paths[k][0],
                              (long long)g->paths[k][1]);
        for (int64_t s = to; s >= 0; s = d->segments[s].parent) {
            g->has[s] = 1;
            if (s == from)
                break;
        }
        break;
    case 1:   /* subTree from: the segment and everything below it */
        for (size_t s = 0; s < d->n_segments; s++)
            if (is_ancestor(d, from, (int64_t)s))
                g->has[s] = 1;
        break;
    default:  /* subTree to: the segment and its ancestors */
        for (int64_t s = from; s >= 0; s = d->segments[s].parent)
            g->has[s] = 1;
        break;
    }
    return DTB_OK;
}

static dtb_status resolve(dtb__mc_desc *d, size_t gi)
{
    dtb__mc_group *g = &d->groups[gi];
    if (g->resolved == 2)
        return DTB_OK;
    if (g->resolved == 1)
        return dtb__error(DTB_EPARSE, "%s:%d: <segmentGroup id='%s'>: it includes itself "
                          "(through <include>s)", d->file, g->line, g->id);
    g->resolved = 1;
    g->has = dtb__calloc(d->n_segments, 1);
    if (!g->has)
        return DTB_ENOMEM;
    for (size_t k = 0; k < g->n_member_ids; k++) {
        int64_t s;
        dtb_status st = segment_of(d, g, g->member_ids[k], g->line, &s);
        if (st)
            return st;
        g->has[s] = 1;
    }
    for (size_t k = 0; k < g->n_paths; k++) {
        dtb_status st = add_path(d, g, k);
        if (st)
            return st;
    }
    for (size_t k = 0; k < g->n_includes; k++) {
        int64_t inc = dtb__mc_group_find(d, g->includes[k]);
        if (inc < 0)
            return dtb__error(DTB_EPARSE, "%s:%d: <include segmentGroup='%s'>: no such segment "
                              "group", d->file, g->include_lines[k], g->includes[k]);
        dtb_status st = resolve(d, (size_t)inc);
        if (st)
            return st;
        g = &d->groups[gi];
        for (size_t s = 0; s < d->n_segments; s++)
            g->has[s] |= d->groups[inc].has[s];
    }
    g->resolved = 2;
    return DTB_OK;
}

dtb_status dtb__mc_groups_resolve(dtb__mc_desc *d)
{
    for (size_t i = 0; i < d->n_groups; i++) {
        dtb_status st = resolve(d, i);
        if (st)
            return st;
    }
    return DTB_OK;
}
