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
 * every expression node of that group that becomes ready. Groups that one
 * stage completes go first, so most types need a single stage. Values thus
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

/* How many of group g's remaining nodes one stage would complete now:
 * its ready gathers, then the expressions that become ready. The nodes
 * are marked in `mark` (1 = in the stage); *left_after = what remains. */
static size_t stage_reach(const dtb__lr_sim *sim, node *nodes, size_t g, unsigned char *mark,
                          size_t *left_after)
{
    const lr_group *grp = &sim->groups[g];
    size_t lo = grp->node0, hi = grp->node0 + grp->count[LR_DV] + grp->count[LR_REQ];
    size_t n = 0, remaining = 0;
    for (size_t i = lo; i < hi; i++) {
        mark[i - lo] = 0;
        remaining += !nodes[i].done;
    }
    for (size_t i = lo; i < hi; i++)
        if (nodes[i].gather >= 0 && ready(nodes, &nodes[i]))
            mark[i - lo] = 1, n++;
    /* Expressions: ready once their dependencies are done or in the stage. */
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = lo; i < hi; i++) {
            if (mark[i - lo] || nodes[i].done || nodes[i].gather >= 0)
                continue;
            int ok = 1;
            for (size_t d = 0; d < nodes[i].n_deps && ok; d++) {
                size_t dep = nodes[i].deps[d];
                ok = nodes[dep].done || (dep >= lo && dep < hi && mark[dep - lo]);
            }
            if (ok) {
                mark[i - lo] = 1;
                n++;
                progress = 1;
            }
        }
    }
    *left_after = remaining - n;
    return n;
}

/* Stages, fewest first: a group whose remaining nodes one stage completes
 * goes before one that would need to come back later (a cell whose
 * synaptic input is ready but whose channel currents are not waits until
 * both are); without such a group, the one that progresses most. */
static dtb_status plan(dtb__lr_sim *sim, node *nodes)
{
    size_t left = sim->n_nodes, widest = 1;
    for (size_t g = 0; g < sim->n_groups; g++) {
        size_t w = sim->groups[g].count[LR_DV] + sim->groups[g].count[LR_REQ];
        widest = w > widest ? w : widest;
    }
    unsigned char *mark = dtb__calloc(widest, 1), *best_mark = dtb__calloc(widest, 1);
    dtb_status st = mark && best_mark ? DTB_OK : DTB_ENOMEM;
    while (!st && left) {
        size_t best = sim->n_groups, best_n = 0;
        int best_completes = 0;
        for (size_t g = 0; g < sim->n_groups; g++) {
            size_t after;
            size_t n = stage_reach(sim, nodes, g, mark, &after);
            if (!n)
                continue;
            int completes = after == 0;
            if (best == sim->n_groups || (completes && !best_completes) ||
                (completes == best_completes && n > best_n && !completes)) {
                best = g;
                best_n = n;
                best_completes = completes;
                memcpy(best_mark, mark, widest);
            }
        }
        if (best == sim->n_groups) {
            st = cycle_error(sim, nodes);
            break;
        }
        lr_stage *s = dtb__realloc_array(sim->stages, sim->n_stages + 1, sizeof *s);
        if (!s) {
            st = DTB_ENOMEM;
            break;
        }
        sim->stages = s;
        s = &sim->stages[sim->n_stages++];
        memset(s, 0, sizeof *s);
        s->group = best;
        const lr_group *grp = &sim->groups[best];
        size_t lo = grp->node0, hi = lo + grp->count[LR_DV] + grp->count[LR_REQ];
        /* Gathers first (they depend on earlier stages only)... */
        for (size_t i = lo; !st && i < hi; i++)
            if (best_mark[i - lo] && nodes[i].gather >= 0) {
                nodes[i].done = 1;
                left--;
                st = push_index(&s->gathers, &s->n_gathers, (size_t)nodes[i].gather);
            }
        /* ...then the expressions, each after what it uses. */
        for (int progress = 1; !st && progress;) {
            progress = 0;
            for (size_t i = lo; !st && i < hi; i++) {
                if (!best_mark[i - lo] || nodes[i].done || !ready(nodes, &nodes[i]))
                    continue;
                nodes[i].done = 1;
                left--;
                progress = 1;
                st = push_index(&s->dvs, &s->n_dvs, nodes[i].index);
            }
        }
    }
    free(mark);
    free(best_mark);
    return st;
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
