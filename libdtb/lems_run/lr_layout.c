/* libdtb — laying out a built instance tree: one group per ComponentType
 * with every variable as a [count][n] array, derived parameters, initial
 * regimes, and the wiring of selects and requirements as gathers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

static dtb_status make_groups(dtb__lr_sim *sim)
{
    sim->groups = dtb__calloc(sim->n_all ? sim->n_all : 1, sizeof *sim->groups);
    if (!sim->groups)
        return DTB_ENOMEM;
    for (size_t i = 0; i < sim->n_all; i++) {
        lr_inst *li = sim->all[i];
        size_t g = 0;
        while (g < sim->n_groups && sim->groups[g].type != li->type)
            g++;
        lr_group *grp = &sim->groups[g];
        if (g == sim->n_groups) {
            sim->n_groups++;
            grp->type = li->type;
        }
        if (grp->n == grp->cap) {
            size_t cap = grp->cap ? 2 * grp->cap : 8;
            lr_inst **v = dtb__realloc_array(grp->inst, cap, sizeof *v);
            if (!v)
                return DTB_ENOMEM;
            grp->inst = v;
            grp->cap = cap;
        }
        li->group = g;
        li->gi = grp->n;
        grp->inst[grp->n++] = li;
    }
    return DTB_OK;
}

typedef struct dparam_scope {
    const lr_group *g;
    size_t i;
    const unsigned char *done;
} dparam_scope;

static int lookup_dparam_input(const char *name, double *value, void *ud)
{
    const dparam_scope *s = ud;
    const lr_group *g = s->g;
    const dtb__lems_comptype *t = g->type;
    long k;
    if ((k = dtb__lems_find_quantity(t->params, t->n_params, name)) >= 0) {
        *value = g->arr[LR_PARAM][(size_t)k * g->n + s->i];
        return 1;
    }
    if ((k = dtb__lems_find_equation(t->derived_params, t->n_derived_params, name)) >= 0 && s->done[k]) {
        *value = g->arr[LR_DPARAM][(size_t)k * g->n + s->i];
        return 1;
    }
    for (size_t c = 0; c < t->n_constants; c++)
        if (strcmp(t->constants[c].name, name) == 0) {
            *value = t->constants[c].value;
            return 1;
        }
    return 0;
}

/* Derived parameters, once per instance, each after those it uses. */
static dtb_status derived_params(lr_group *g)
{
    const dtb__lems_comptype *t = g->type;
    size_t n = t->n_derived_params;
    if (!n)
        return DTB_OK;
    unsigned char *done = dtb__calloc(n, 1);
    if (!done)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    for (size_t i = 0; !st && i < g->n; i++) {
        memset(done, 0, n);
        size_t left = n;
        while (!st && left) {
            size_t progress = 0;
            for (size_t k = 0; k < n; k++) {
                if (done[k])
                    continue;
                dparam_scope s = {g, i, done};
                double v;
                if (dtb__expr_eval_scalar(t->derived_params[k].value, lookup_dparam_input, &s, &v))
                    continue;
                g->arr[LR_DPARAM][k * g->n + i] = v;
                done[k] = 1;
                left--;
                progress++;
            }
            if (!progress)
                st = dtb__lr_inst_error(g->inst[i], DTB_EPARSE,
                                        "cannot compute the DerivedParameters of '%s' (a parameter is "
                                        "not set, or they refer to each other)", t->name);
        }
    }
    dtb_clear_error();
    free(done);
    return st;
}

static int all_equal(const double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!(v[i] == v[0]) && !(isnan(v[i]) && isnan(v[0])))
            return 0;
    return 1;
}

static dtb_status fill_group(lr_group *g)
{
    const dtb__lems_comptype *t = g->type;
    g->count[LR_STATE] = t->n_state_vars;
    g->count[LR_DV] = t->n_derived_vars;
    g->count[LR_PARAM] = t->n_params;
    g->count[LR_CONST] = t->n_constants;
    g->count[LR_DPARAM] = t->n_derived_params;
    g->count[LR_PROP] = t->n_properties;
    g->count[LR_REQ] = t->n_requirements;
    for (int k = 0; k < LR_NKINDS; k++) {
        g->arr[k] = dtb__calloc(g->count[k] * g->n + 1, sizeof(double));
        g->uniform[k] = dtb__calloc(g->count[k] + 1, 1);
        if (!g->arr[k] || !g->uniform[k])
            return DTB_ENOMEM;
    }
    g->state_new = dtb__calloc(g->count[LR_STATE] * g->n + 1, sizeof(double));
    g->state_rows = dtb__malloc_array(g->count[LR_STATE] + 1, sizeof *g->state_rows);
    if (!g->state_new || !g->state_rows)
        return DTB_ENOMEM;
    for (size_t s = 0; s < g->count[LR_STATE]; s++)
        g->state_rows[s] = g->arr[LR_STATE] + s * g->n;
    for (size_t i = 0; i < g->n; i++) {
        const lr_inst *li = g->inst[i];
        for (size_t k = 0; k < t->n_params; k++)
            g->arr[LR_PARAM][k * g->n + i] = li->params[k];
        for (size_t k = 0; k < t->n_constants; k++)
            g->arr[LR_CONST][k * g->n + i] = t->constants[k].value;
        for (size_t k = 0; k < t->n_properties; k++)
            g->arr[LR_PROP][k * g->n + i] = li->props[k];
        for (size_t k = 0; k < t->n_requirements; k++)
            g->arr[LR_REQ][k * g->n + i] = NAN;
    }
    dtb_status st = derived_params(g);
    if (st)
        return st;
    for (int k = 0; k < LR_NKINDS; k++)
        for (size_t v = 0; v < g->count[k]; v++)
            g->uniform[k][v] = all_equal(g->arr[k] + v * g->n, g->n);
    if (t->n_regimes) {
        g->regime = dtb__calloc(g->n, sizeof *g->regime);
        g->entered = dtb__calloc(g->n, 1);
        if (!g->regime || !g->entered)
            return DTB_ENOMEM;
        double initial = 0;
        for (size_t r = 0; r < t->n_regimes; r++)
            if (t->regimes[r].initial)
                initial = (double)r;
        for (size_t i = 0; i < g->n; i++)
            g->regime[i] = initial;
    }
    for (size_t v = 0; v < t->n_derived_vars; v++)
        g->time_shadowed |= strcmp(t->derived_vars[v].name, "t") == 0;
    lr_var dummy;
    g->time_shadowed |= dtb__lr_type_var(t, "t", &dummy);
    return DTB_OK;
}

/* ------------------------------------------------------------- gathers */

typedef struct src_list {
    const double **src;
    size_t n, cap;
    size_t *deps;
    size_t n_deps, cap_deps;
} src_list;

static dtb_status add_source(dtb__lr_sim *sim, src_list *l, const lr_inst *owner, lr_var var)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        const double **s = dtb__realloc_array(l->src, cap, sizeof *s);
        if (!s)
            return DTB_ENOMEM;
        l->src = s;
        l->cap = cap;
    }
    l->src[l->n++] = dtb__lr_var_ptr(sim, owner, var);
    if (var.kind != LR_DV && var.kind != LR_REQ)
        return DTB_OK;
    const lr_group *og = &sim->groups[owner->group];
    size_t node = og->node0 + (var.kind == LR_DV ? var.index : og->count[LR_DV] + var.index);
    for (size_t i = 0; i < l->n_deps; i++)
        if (l->deps[i] == node)
            return DTB_OK;
    if (l->n_deps == l->cap_deps) {
        size_t cap = l->cap_deps ? 2 * l->cap_deps : 4;
        size_t *d = dtb__realloc_array(l->deps, cap, sizeof *d);
        if (!d)
            return DTB_ENOMEM;
        l->deps = d;
        l->cap_deps = cap;
    }
    l->deps[l->n_deps++] = node;
    return DTB_OK;
}

/* The sources of select `path` for instance li. */
static dtb_status select_sources(dtb__lr_sim *sim, const lr_inst *li, const dtb__lems_equation *e,
                                 src_list *l)
{
    const char *slash = strrchr(e->select, '/');
    const char *var_name = slash ? slash + 1 : e->select;
    lr_inst **found = NULL;
    size_t n = 0;
    dtb_status st = DTB_OK;
    if (slash) {
        char *prefix = dtb__strndup(e->select, (size_t)(slash - e->select));
        st = prefix ? dtb__lr_resolve_instances(li, prefix, 1, &found, &n) : DTB_ENOMEM;
        free(prefix);
    } else {
        found = dtb__malloc(sizeof *found);
        st = found ? DTB_OK : DTB_ENOMEM;
        if (found) {
            found[0] = (lr_inst *)li;
            n = 1;
        }
    }
    if (!st && e->reduce == DTB__LEMS_REDUCE_NONE && n > 1)
        st = dtb__lr_inst_error(li, DTB_EINVAL, "select '%s' of '%s' finds %zu values but has no "
                                                "reduce", e->select, e->name, n);
    if (!st && e->reduce == DTB__LEMS_REDUCE_NONE && n == 0 && e->required)
        st = dtb__lr_inst_error(li, DTB_ENOTFOUND, "select '%s' of '%s' finds nothing (mark it "
                                                   "required=\"false\" if that is allowed)",
                                e->select, e->name);
    for (size_t i = 0; !st && i < n; i++) {
        const lr_inst *owner;
        lr_var var;
        if (!dtb__lr_find_var(found[i], var_name, &owner, &var))
            st = dtb__lr_inst_error(li, DTB_ENOTFOUND, "select '%s' of '%s': '%s' (a '%s') has no "
                                                       "variable '%s'",
                                    e->select, e->name, found[i]->name, found[i]->type->name, var_name);
        else
            st = add_source(sim, l, owner, var);
    }
    free(found);
    return st;
}

typedef struct uses_ctx {
    const char *name;
} uses_ctx;

static int is_name(const char *name, void *ud) { return strcmp(name, ((uses_ctx *)ud)->name) == 0; }

/* 1 if any expression of t's Dynamics reads `name`. */
static int dynamics_use(const dtb__lems_comptype *t, const char *name)
{
    uses_ctx u = {name};
    for (size_t i = 0; i < t->n_derived_vars; i++)
        if (dtb__expr_visit_symbols(t->derived_vars[i].value, is_name, &u))
            return 1;
    for (size_t i = 0; i < t->n_time_derivs; i++)
        if (dtb__expr_visit_symbols(t->time_derivs[i].value, is_name, &u))
            return 1;
    const dtb__lems_handler *hs[2] = {t->handlers, NULL};
    size_t ns[2] = {t->n_handlers, 0};
    for (size_t r = 0; r <= t->n_regimes; r++) {
        if (r > 0) {
            const dtb__lems_regime *g = &t->regimes[r - 1];
            for (size_t i = 0; i < g->n_time_derivs; i++)
                if (dtb__expr_visit_symbols(g->time_derivs[i].value, is_name, &u))
                    return 1;
            hs[0] = g->handlers;
            ns[0] = g->n_handlers;
        }
        for (size_t i = 0; i < ns[0]; i++) {
            const dtb__lems_handler *h = &hs[0][i];
            if (dtb__expr_visit_symbols(h->test, is_name, &u))
                return 1;
            for (size_t a = 0; a < h->n_assigns; a++)
                if (dtb__expr_visit_symbols(h->assigns[a].value, is_name, &u))
                    return 1;
        }
    }
    return 0;
}

static dtb_status make_gather(dtb__lr_sim *sim, lr_group *g, lr_vkind kind, size_t index)
{
    const dtb__lems_comptype *t = g->type;
    lr_gather *ga = &g->gathers[g->n_gathers++];
    ga->kind = kind;
    ga->index = index;
    ga->offsets = dtb__calloc(g->n + 1, sizeof *ga->offsets);
    if (!ga->offsets)
        return DTB_ENOMEM;
    src_list l = {0};
    dtb_status st = DTB_OK;
    const char *req = kind == LR_REQ ? t->requirements[index].name : NULL;
    int used = req ? dynamics_use(t, req) : 1;
    int chained = sim->order == DTB__LR_ORDER_JLEMS && sim->method == DTB__LR_EULER;
    if (kind == LR_DV)
        ga->reduce = t->derived_vars[index].reduce;
    for (size_t i = 0; !st && i < g->n; i++) {
        ga->offsets[i] = l.n;
        if (kind == LR_DV) {
            st = select_sources(sim, g->inst[i], &t->derived_vars[index], &l);
            continue;
        }
        const lr_inst *owner;
        lr_var var;
        /* jLEMS' order: jLEMS reads a requirement from the nearest ancestor
         * that has the name, also as its own requirement's copy, which
         * that ancestor refreshes when it advances, after its children: a
         * value passed down k such levels arrives k steps late (HH gates) */
        int found = chained ? dtb__lr_find_nearest(g->inst[i], req, &owner, &var)
                            : dtb__lr_find_provider(g->inst[i], req, &owner, &var);
        if (found && chained && var.kind == LR_REQ &&
            !dtb__lr_find_provider(g->inst[i], req, &(const lr_inst *){NULL}, &(lr_var){0}))
            found = 0;   /* the ancestors only pass on what nobody provides */
        if (found)
            st = add_source(sim, &l, owner, var);
        else if (used)
            st = dtb__lr_inst_error(g->inst[i], DTB_ENOTFOUND,
                                    "Requirement '%s' of '%s' is not satisfied: no enclosing "
                                    "component has a variable '%s'", req, t->name, req);
    }
    ga->offsets[g->n] = l.n;
    ga->src = l.src;
    ga->deps = l.deps;
    ga->n_deps = l.n_deps;
    return st;
}

static dtb_status make_gathers(dtb__lr_sim *sim)
{
    size_t node = 0;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        g->node0 = node;
        node += g->count[LR_DV] + g->count[LR_REQ];
    }
    sim->n_nodes = node;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        const dtb__lems_comptype *t = g->type;
        size_t n_sel = 0;
        for (size_t d = 0; d < t->n_derived_vars; d++)
            n_sel += t->derived_vars[d].select != NULL;
        g->gathers = dtb__calloc(n_sel + t->n_requirements + 1, sizeof *g->gathers);
        if (!g->gathers)
            return DTB_ENOMEM;
        for (size_t d = 0; d < t->n_derived_vars; d++) {
            if (!t->derived_vars[d].select)
                continue;
            dtb_status st = make_gather(sim, g, LR_DV, d);
            if (st)
                return st;
        }
        for (size_t r = 0; r < t->n_requirements; r++) {
            dtb_status st = make_gather(sim, g, LR_REQ, r);
            if (st)
                return st;
        }
    }
    return DTB_OK;
}

dtb_status dtb__lr_layout(dtb__lr_sim *sim)
{
    dtb_status st = make_groups(sim);
    for (size_t g = 0; !st && g < sim->n_groups; g++)
        st = fill_group(&sim->groups[g]);
    if (!st)
        st = make_gathers(sim);
    for (size_t i = 0; !st && i < sim->n_all; i++) {
        lr_inst *li = sim->all[i];
        for (size_t c = 0; c < li->n_conns; c++)
            li->conns[c].delay_steps = (int64_t)llround(li->conns[c].delay / sim->dt);
    }
    size_t most = 1;
    for (size_t g = 0; g < sim->n_groups; g++)
        most = sim->groups[g].n > most ? sim->groups[g].n : most;
    if (!st) {
        sim->index_buf = dtb__malloc_array(most, sizeof *sim->index_buf);
        st = sim->index_buf ? DTB_OK : DTB_ENOMEM;
    }
    sim->laid_out = !st;
    return st;
}
