/* libdtb — compiling a group's expressions: derived-variable stages, the
 * Euler update, the OnCondition tests and the assignments of every handler.
 * Every program of a group declares the same inputs (time, parameters,
 * constants, derived parameters and properties as scalars when all
 * instances share the value, states, requirements and derived variables
 * as vectors), so any expression of the type compiles against them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

#define REGIME_INPUT "__regime"
#define DT_INPUT "__dt"

static const char *var_name(const dtb__lems_comptype *t, lr_vkind kind, size_t i)
{
    switch (kind) {
    case LR_STATE: return t->state_vars[i].name;
    case LR_DV: return t->derived_vars[i].name;
    case LR_PARAM: return t->params[i].name;
    case LR_CONST: return t->constants[i].name;
    case LR_DPARAM: return t->derived_params[i].name;
    case LR_PROP: return t->properties[i].name;
    case LR_REQ: return t->requirements[i].name;
    default: return "?";
    }
}

/* A program being built: the group's input table and the builder. */
typedef struct lr_build {
    dtb__ktable t;
    dtb__prog_builder *pb;
} lr_build;

/* Parameters, constants, derived parameters and properties are set per
 * instance in LEMS, so each is shared only where every instance of the
 * group has the same value. */
static const dtb__krole role_of[LR_NKINDS] = {
    [LR_STATE] = DTB__K_STATE, [LR_DV] = DTB__K_DERIVED, [LR_PARAM] = DTB__K_PARAM,
    [LR_CONST] = DTB__K_PARAM, [LR_DPARAM] = DTB__K_PARAM, [LR_PROP] = DTB__K_PARAM,
    [LR_REQ] = DTB__K_INPUT,
};

/* The input table of group g: time, the step (for the Euler update),
 * parameters, constants, derived parameters and properties — shared where
 * every instance has the same value —, states, requirements and derived
 * variables, the regime. Derived variables flagged in `defined` are
 * computed by the program itself. */
static dtb_status group_table(const dtb__lr_sim *sim, const lr_group *g, const unsigned char *defined,
                              int with_dt, dtb__ktable *t)
{
    dtb__ktable_init(t);
    int ok = 1;
    if (!g->time_shadowed)
        ok = dtb__ktable_add(t, "t", DTB__K_TIME, 0) >= 0;
    if (ok && with_dt)
        ok = dtb__ktable_add_value(t, DT_INPUT, DTB__K_CONST, sim->dt) >= 0;
    static const lr_vkind order[] = {LR_PARAM, LR_CONST, LR_DPARAM, LR_PROP, LR_STATE, LR_REQ, LR_DV};
    for (size_t o = 0; ok && o < sizeof order / sizeof order[0]; o++) {
        lr_vkind k = order[o];
        for (size_t i = 0; ok && i < g->count[k]; i++) {
            const char *name = var_name(g->type, k, i);
            const double *values = g->arr[k] + i * g->n;
            if (k == LR_DV && defined && defined[i])
                continue;
            int shared = role_of[k] == DTB__K_PARAM && g->uniform[k][i];
            ok = (shared ? dtb__ktable_add_value(t, name, role_of[k], values[0])
                         : dtb__ktable_add_array(t, name, role_of[k], values)) >= 0;
        }
    }
    if (ok && g->regime)
        ok = dtb__ktable_add_array(t, REGIME_INPUT, DTB__K_REGIME, g->regime) >= 0;
    if (ok)
        return DTB_OK;
    dtb__ktable_free(t);
    return dtb__error(DTB_ENOMEM, "out of memory");
}

/* Start building a program of group g into p. */
static dtb_status begin(const dtb__lr_sim *sim, const lr_group *g, lr_build *b, lr_prog *p,
                        const unsigned char *defined, int with_dt)
{
    b->pb = NULL;
    dtb_status st = group_table(sim, g, defined, with_dt, &b->t);
    if (st)
        return st;
    b->pb = dtb__kprog_begin(p, &b->t, NULL);
    if (b->pb)
        return DTB_OK;
    dtb__ktable_free(&b->t);
    return dtb__error_context(dtb_last_error_code(), "ComponentType '%s'", g->type->name);
}

/* Finish (or, after an error st, abandon) the program. */
static dtb_status finish(lr_build *b, lr_prog *p, dtb_status st)
{
    if (!b->pb)
        return st;
    if (st) {
        dtb__pb_free(b->pb);
        dtb__kprog_free(p);
    } else {
        st = dtb__kprog_finish(p, &b->t, b->pb);
    }
    dtb__ktable_free(&b->t);
    b->pb = NULL;
    return st;
}

static char *what_of(const char *kind, const char *name, dtb__lems_where at)
{
    return dtb__asprintf("%s '%s' (%s:%d)", kind, name, at.file ? at.file : "<memory>", at.line);
}

/* ------------------------------------------------------------- stages */

static dtb_status compile_stage(dtb__lr_sim *sim, lr_stage *s)
{
    if (!s->n_dvs)
        return DTB_OK;
    lr_group *g = &sim->groups[s->group];
    const dtb__lems_comptype *t = g->type;
    unsigned char *defined = dtb__calloc(g->count[LR_DV] + 1, 1);
    if (!defined)
        return DTB_ENOMEM;
    for (size_t k = 0; k < s->n_dvs; k++)
        defined[s->dvs[k]] = 1;
    lr_build b;
    dtb_status st = begin(sim, g, &b, &s->prog, defined, 0);
    for (size_t k = 0; !st && k < s->n_dvs; k++) {
        const dtb__lems_equation *e = &t->derived_vars[s->dvs[k]];
        char *what = what_of("DerivedVariable", e->name, e->at);
        st = what ? dtb__pb_define(b.pb, e->name, e->value, what) : DTB_ENOMEM;
        free(what);
    }
    for (size_t k = 0; !st && k < s->n_dvs; k++)
        if (dtb__pb_output_name(b.pb, t->derived_vars[s->dvs[k]].name, t->derived_vars[s->dvs[k]].name) < 0)
            st = dtb_last_error_code();
    st = finish(&b, &s->prog, st);
    for (size_t k = 0; !st && k < s->n_dvs; k++)
        s->prog.outputs[k] = g->arr[LR_DV] + s->dvs[k] * g->n;
    s->has_prog = !st;
    free(defined);
    return st;
}

/* -------------------------------------------------------------- Euler */

/* s + dt * f, or s where f is NULL. */
static dtb__expr *euler(const char *s, const dtb__lems_equation *td)
{
    if (!td)
        return dtb__expr_sym(s);
    return dtb__expr_binary(DTB__EX_ADD, dtb__expr_sym(s),
                            dtb__expr_binary(DTB__EX_MUL, dtb__expr_sym(DT_INPUT),
                                             dtb__expr_clone(td->value)));
}

static dtb__expr *euler_of(const dtb__lems_equation *td, void *state)
{
    return euler(state, td);
}

/* The new value of state s: per regime, that regime's TimeDerivative or
 * else the Dynamics' own; without either the value stays. NULL with *none
 * when s never changes by integration. */
static dtb__expr *new_state(const dtb__lems_comptype *t, const char *s, int *none)
{
    return dtb__lems_by_regime(t, s, REGIME_INPUT, euler_of, (void *)s, none);
}

static dtb_status compile_rate(dtb__lr_sim *sim, lr_group *g)
{
    const dtb__lems_comptype *t = g->type;
    size_t *rs = dtb__malloc_array(t->n_state_vars + 1, sizeof *rs);
    if (!rs)
        return DTB_ENOMEM;
    g->rate_state = rs;
    lr_build b;
    dtb_status st = begin(sim, g, &b, &g->rate, NULL, 1);
    size_t n_out = 0;
    for (size_t s = 0; !st && s < t->n_state_vars; s++) {
        int none;
        dtb__expr *e = new_state(t, t->state_vars[s].name, &none);
        if (none)
            continue;
        if (!e) {
            st = DTB_ENOMEM;
            break;
        }
        char *what = what_of("TimeDerivative of", t->state_vars[s].name, t->state_vars[s].at);
        if (!what || dtb__pb_output(b.pb, e, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        else
            rs[n_out++] = s;
        free(what);
        dtb__expr_free(e);
    }
    g->n_rate_state = n_out;
    if (!n_out && !st) {
        /* nothing integrates: no program */
        dtb__pb_free(b.pb);
        dtb__kprog_free(&g->rate);
        dtb__ktable_free(&b.t);
        g->has_rate = 0;
        return DTB_OK;
    }
    st = finish(&b, &g->rate, st);
    for (size_t k = 0; !st && k < n_out; k++)
        g->rate.outputs[k] = g->state_new + rs[k] * g->n;
    g->has_rate = !st;
    return st;
}

/* dx/dt alone, for the RK and adaptive methods: the TimeDerivative that
 * applies in the instance's regime, 0 where none does. The states are
 * those of the Euler update, in the same order. */
static dtb__expr *rate_of(const dtb__lems_equation *td, void *ud)
{
    (void)ud;
    return td ? dtb__expr_clone(td->value) : dtb__expr_num(0.0);
}

static dtb_status compile_deriv(dtb__lr_sim *sim, lr_group *g)
{
    const dtb__lems_comptype *t = g->type;
    g->dstate = dtb__calloc(g->n_rate_state * g->n + 1, sizeof *g->dstate);
    if (!g->dstate)
        return DTB_ENOMEM;
    lr_build b;
    dtb_status st = begin(sim, g, &b, &g->deriv, NULL, 0);
    for (size_t k = 0; !st && k < g->n_rate_state; k++) {
        const char *name = t->state_vars[g->rate_state[k]].name;
        int none;
        dtb__expr *e = dtb__lems_by_regime(t, name, REGIME_INPUT, rate_of, NULL, &none);
        char *what = e ? what_of("TimeDerivative of", name, t->state_vars[g->rate_state[k]].at) : NULL;
        if (!what || dtb__pb_output(b.pb, e, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        free(what);
        dtb__expr_free(e);
    }
    st = finish(&b, &g->deriv, st);
    for (size_t k = 0; !st && k < g->n_rate_state; k++)
        g->deriv.outputs[k] = g->dstate + k * g->n;
    return st;
}

/* ----------------------------------------------------------- handlers */

static long port_of(const dtb__lems_comptype *t, const char *name)
{
    return dtb__lems_find_decl(t->event_ports, t->n_event_ports, name);
}

typedef struct reads_ctx {
    const dtb__lems_comptype *t;
} reads_ctx;

static int reads_derived(const char *name, void *ud)
{
    lr_var v;
    return dtb__lr_type_var(((reads_ctx *)ud)->t, name, &v) && (v.kind == LR_DV || v.kind == LR_REQ);
}

/* 1 if the handler's test or assignments read a derived variable or a
 * requirement: those must be current before handlers run. */
static int handler_reads_derived(const dtb__lems_comptype *t, const dtb__lems_handler *h)
{
    reads_ctx c = {t};
    if (dtb__expr_visit_symbols(h->test, reads_derived, &c))
        return 1;
    for (size_t a = 0; a < h->n_assigns; a++)
        if (dtb__expr_visit_symbols(h->assigns[a].value, reads_derived, &c))
            return 1;
    return 0;
}

static dtb_status compile_handler(dtb__lr_sim *sim, lr_group *g, const dtb__lems_handler *h, long regime,
                                  lr_handler *out)
{
    /* OnStart has derived variables computed before it anyway. */
    if (h->kind != DTB__LEMS_ON_START)
        sim->handlers_read_derived |= handler_reads_derived(g->type, h);
    const dtb__lems_comptype *t = g->type;
    out->h = h;
    out->k.regime = regime;
    out->k.transition = dtb__lems_regime_index(t, h->transition);
    out->k.n_assigns = h->n_assigns;
    out->k.vals_compact = 1;
    out->port = h->port ? (size_t)port_of(t, h->port) : 0;
    size_t *assign_state = dtb__calloc(h->n_assigns + 1, sizeof *assign_state);
    out->k.assign_state = assign_state;
    out->event_ports = dtb__calloc(h->n_event_outs + 1, sizeof *out->event_ports);
    if (!assign_state || !out->event_ports)
        return DTB_ENOMEM;
    for (size_t e = 0; e < h->n_event_outs; e++)
        out->event_ports[e] = (size_t)port_of(t, h->event_outs[e].name);
    lr_build b;
    dtb_status st = begin(sim, g, &b, &out->prog, NULL, 0);
    for (size_t a = 0; !st && a < h->n_assigns; a++) {
        const dtb__lems_assignment *as = &h->assigns[a];
        assign_state[a] = (size_t)dtb__lems_find_quantity(t->state_vars, t->n_state_vars, as->variable);
        char *what = what_of("StateAssignment of", as->variable, as->at);
        if (!what || dtb__pb_output(b.pb, as->value, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        free(what);
    }
    return finish(&b, &out->prog, st);
}

static dtb_status push_handler(lr_handler **arr, size_t *n)
{
    lr_handler *a = dtb__realloc_array(*arr, *n + 1, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    memset(&a[*n], 0, sizeof *a);
    *arr = a;
    (*n)++;
    return DTB_OK;
}

typedef struct group_ctx {
    dtb__lr_sim *sim;
    lr_group *g;
} group_ctx;

/* One handler into its group's list of OnConditions, OnEvents or OnEntrys
 * (OnStart: see compile_start). */
static dtb_status compile_listed(const dtb__lems_handler *h, long regime, void *ud)
{
    lr_group *g = ((group_ctx *)ud)->g;
    lr_handler **arr;
    size_t *count;
    switch (h->kind) {
    case DTB__LEMS_ON_CONDITION: arr = &g->conds; count = &g->n_conds; break;
    case DTB__LEMS_ON_EVENT: arr = &g->events; count = &g->n_events; break;
    case DTB__LEMS_ON_ENTRY: arr = &g->entries; count = &g->n_entries; break;
    default: return DTB_OK;
    }
    dtb_status st = push_handler(arr, count);
    return st ? st : compile_handler(((group_ctx *)ud)->sim, g, h, regime, &(*arr)[*count - 1]);
}

/* All OnStart blocks as one handler (their assignments in document order). */
static dtb_status compile_start(dtb__lr_sim *sim, lr_group *g)
{
    const dtb__lems_comptype *t = g->type;
    size_t n = 0;
    for (size_t i = 0; i < t->n_handlers; i++)
        n += t->handlers[i].kind == DTB__LEMS_ON_START ? t->handlers[i].n_assigns : 0;
    if (!n)
        return DTB_OK;
    dtb__lems_handler merged = {0};
    merged.kind = DTB__LEMS_ON_START;
    merged.assigns = dtb__calloc(n, sizeof *merged.assigns);
    if (!merged.assigns)
        return DTB_ENOMEM;
    for (size_t i = 0; i < t->n_handlers; i++)
        if (t->handlers[i].kind == DTB__LEMS_ON_START)
            for (size_t a = 0; a < t->handlers[i].n_assigns; a++)
                merged.assigns[merged.n_assigns++] = t->handlers[i].assigns[a];  /* shallow */
    dtb_status st = compile_handler(sim, g, &merged, -1, &g->start);
    g->has_start = 1;
    /* The compiled program and the assignment targets hold everything
     * needed later; the merged list only lived for compiling. */
    g->start.h = NULL;
    free(merged.assigns);
    return st;
}

static dtb_status compile_conditions(dtb__lr_sim *sim, lr_group *g)
{
    if (!g->n_conds)
        return DTB_OK;
    g->cond_out = dtb__calloc(g->n_conds * g->n, sizeof *g->cond_out);
    if (!g->cond_out)
        return DTB_ENOMEM;
    lr_build b;
    dtb_status st = begin(sim, g, &b, &g->cond, NULL, 0);
    for (size_t c = 0; !st && c < g->n_conds; c++) {
        const dtb__lems_handler *h = g->conds[c].h;
        char *what = what_of("OnCondition", h->test_text ? h->test_text : "?", h->at);
        if (!what || dtb__pb_output(b.pb, h->test, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        free(what);
    }
    st = finish(&b, &g->cond, st);
    for (size_t c = 0; !st && c < g->n_conds; c++)
        g->cond.outputs[c] = g->cond_out + c * g->n;
    return st;
}

dtb_status dtb__lr_compile(dtb__lr_sim *sim)
{
    dtb_status st = DTB_OK;
    for (size_t s = 0; !st && s < sim->n_stages; s++)
        st = compile_stage(sim, &sim->stages[s]);
    for (size_t gi = 0; !st && gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        const dtb__lems_comptype *t = g->type;
        group_ctx x = {sim, g};
        st = compile_rate(sim, g);
        if (!st && g->has_rate && sim->method != DTB__LR_EULER)
            st = compile_deriv(sim, g);
        if (!st)
            st = dtb__lems_each_handler(t, compile_listed, &x);
        if (!st)
            st = compile_start(sim, g);
        if (!st)
            st = compile_conditions(sim, g);
    }
    return st;
}

/* ---------------------------------------------------------- evaluation */

static double uniform(void *ud) { return dtb__rng_uniform(ud); }

dtb_status dtb__lr_eval(dtb__lr_sim *sim, lr_group *g, lr_prog *p, const size_t *idx, size_t k,
                        double *const *out)
{
    if (idx)
        return dtb__kprog_eval_subset(p, sim->t, idx, k, out, &sim->compact, uniform, &sim->rng);
    dtb__kprog_eval_into(p, sim->t, g->n, out ? out : p->outputs, uniform, &sim->rng);
    return DTB_OK;
}
