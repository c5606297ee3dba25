/* libdtb — ordering the derived-variable phase.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nodes are (group, derived variable) and (group, requirement) pairs. A
 * select or a requirement is a gather node: it depends on the derived
 * variables and requirements its sources are (states and parameters are
 * already known). An expression derived variable depends on the derived
 * variables and requirements of its own group it names. Kahn's algorithm,
 * with the ready nodes taken one group at a time, cuts the order into
 * stages: a stage runs one group's ready gathers, then one program with
 * every expression node of that group that becomes ready. Values thus
 * flow child -> parent (selects) and parent -> child (requirements) within
 * one instant, whatever the tree looks like; a real cycle is an error
 * naming its variables. */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

typedef struct node {
    size_t group;
    int is_req;
    size_t index;              /* DV or requirement index */
    long gather;               /* gather index in the group, -1 for an expression DV */
    size_t *deps; size_t n_deps;
    int done;
} node;

typedef struct dep_ctx {
    const lr_group *g;
    node *nodes;
    size_t self;
    size_t *deps; size_t n, cap;
    int failed;
} dep_ctx;

static int add_local_dep(const char *name, void *ud)
{
    dep_ctx *c = ud;
    lr_var v;
    if (!dtb__lr_type_var(c->g->type, name, &v) || (v.kind != LR_DV && v.kind != LR_REQ))
        return 0;
    size_t dep = c->g->node0 + (v.kind == LR_DV ? v.index : c->g->count[LR_DV] + v.index);
    for (size_t i = 0; i < c->n; i++)
        if (c->deps[i] == dep)
            return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        size_t *d = dtb__realloc_array(c->deps, cap, sizeof *d);
        if (!d) {
            c->failed = 1;
            return 1;
        }
        c->deps = d;
        c->cap = cap;
    }
    c->deps[c->n++] = dep;
    return 0;
}

static dtb_status make_nodes(dtb__lr_sim *sim, node *nodes)
{
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        const lr_group *g = &sim->groups[gi];
        for (size_t k = 0; k < g->count[LR_DV] + g->count[LR_REQ]; k++) {
            node *nd = &nodes[g->node0 + k];
            nd->group = gi;
            nd->is_req = k >= g->count[LR_DV];
            nd->index = nd->is_req ? k - g->count[LR_DV] : k;
            nd->gather = -1;
        }
        for (size_t a = 0; a < g->n_gathers; a++) {
            const lr_gather *ga = &g->gathers[a];
            size_t id = g->node0 + (ga->kind == LR_DV ? ga->index : g->count[LR_DV] + ga->index);
            nodes[id].gather = (long)a;
            nodes[id].deps = dtb__malloc_array(ga->n_deps + 1, sizeof *nodes[id].deps);
            if (!nodes[id].deps)
                return DTB_ENOMEM;
            if (ga->n_deps)
                memcpy(nodes[id].deps, ga->deps, ga->n_deps * sizeof *ga->deps);
            nodes[id].n_deps = ga->n_deps;
        }
        for (size_t d = 0; d < g->count[LR_DV]; d++) {
            node *nd = &nodes[g->node0 + d];
            if (nd->gather >= 0)
                continue;
            dep_ctx c = {g, nodes, g->node0 + d, NULL, 0, 0, 0};
            dtb__expr_visit_symbols(g->type->derived_vars[d].value, add_local_dep, &c);
            if (c.failed) {
                free(c.deps);
                return DTB_ENOMEM;
            }
            nd->deps = c.deps;
            nd->n_deps = c.n;
        }
    }
    return DTB_OK;
}

static int ready(const node *nodes, const node *nd)
{
    if (nd->done)
        return 0;
    for (size_t i = 0; i < nd->n_deps; i++)
        if (!nodes[nd->deps[i]].done)
            return 0;
    return 1;
}

static const char *node_name(const dtb__lr_sim *sim, const node *nd)
{
    const dtb__lems_comptype *t = sim->groups[nd->group].type;
    return nd->is_req ? t->requirements[nd->index].name : t->derived_vars[nd->index].name;
}

static dtb_status cycle_error(const dtb__lr_sim *sim, const node *nodes)
{
    dtb__strbuf b = {0};
    size_t shown = 0;
    for (size_t i = 0; i < sim->n_nodes && shown < 8; i++)
        if (!nodes[i].done) {
            dtb__strbuf_printf(&b, "%s%s.%s", shown ? ", " : "", sim->groups[nodes[i].group].type->name,
                               node_name(sim, &nodes[i]));
            shown++;
        }
    dtb_status st = dtb__error(DTB_EPARSE, "circular definitions among derived variables and "
                                           "requirements: %s", b.data ? b.data : "?");
    dtb__strbuf_free(&b);
    return st;
}

static dtb_status push_index(size_t **arr, size_t *n, size_t v)
{
    size_t *a = dtb__realloc_array(*arr, *n + 1, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    a[(*n)++] = v;
    *arr = a;
    return DTB_OK;
}

static dtb_status plan(dtb__lr_sim *sim, node *nodes)
{
    size_t left = sim->n_nodes;
    while (left) {
        size_t first = sim->n_nodes;
        for (size_t i = 0; i < sim->n_nodes && first == sim->n_nodes; i++)
            if (ready(nodes, &nodes[i]))
                first = i;
        if (first == sim->n_nodes)
            return cycle_error(sim, nodes);
        lr_stage *s = dtb__realloc_array(sim->stages, sim->n_stages + 1, sizeof *s);
        if (!s)
            return DTB_ENOMEM;
        sim->stages = s;
        s = &sim->stages[sim->n_stages++];
        memset(s, 0, sizeof *s);
        size_t g = nodes[first].group;
        s->group = g;
        const lr_group *grp = &sim->groups[g];
        size_t lo = grp->node0, hi = grp->node0 + grp->count[LR_DV] + grp->count[LR_REQ];
        /* The group's ready gathers (all depend on earlier stages only)... */
        size_t n_ready = 0;
        size_t *ready_now = dtb__malloc_array(hi - lo + 1, sizeof *ready_now);
        if (!ready_now)
            return DTB_ENOMEM;
        for (size_t i = lo; i < hi; i++)
            if (nodes[i].gather >= 0 && ready(nodes, &nodes[i]))
                ready_now[n_ready++] = i;
        dtb_status st = DTB_OK;
        for (size_t k = 0; !st && k < n_ready; k++) {
            nodes[ready_now[k]].done = 1;
            left--;
            st = push_index(&s->gathers, &s->n_gathers, (size_t)nodes[ready_now[k]].gather);
        }
        free(ready_now);
        /* ...then every expression that becomes ready, in order. */
        for (int progress = 1; !st && progress;) {
            progress = 0;
            for (size_t i = lo; !st && i < hi; i++) {
                if (nodes[i].gather >= 0 || !ready(nodes, &nodes[i]))
                    continue;
                nodes[i].done = 1;
                left--;
                progress = 1;
                st = push_index(&s->dvs, &s->n_dvs, nodes[i].index);
            }
        }
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_plan_stages(dtb__lr_sim *sim)
{
    node *nodes = dtb__calloc(sim->n_nodes + 1, sizeof *nodes);
    if (!nodes)
        return DTB_ENOMEM;
    dtb_status st = make_nodes(sim, nodes);
    if (!st)
        st = plan(sim, nodes);
    for (size_t i = 0; i < sim->n_nodes; i++)
        free(nodes[i].deps);
    free(nodes);
    return st;
}
