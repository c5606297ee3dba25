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

void dtb__lr_prog_free(lr_prog *p)
{
    dtb__prog_free(p->prog);
    dtb__prog_scratch_free(p->scratch);
    free(p->scalars);
    free(p->vectors);
    free(p->outputs);
    memset(p, 0, sizeof *p);
}

typedef struct inputs {
    dtb__prog_builder *pb;
    lr_prog *p;
    size_t cap_s, cap_v;
} inputs;

static dtb_status add_scalar(inputs *in, const char *name, double value, int *slot_out)
{
    int slot = dtb__pb_scalar_input(in->pb, name);
    if (slot < 0)
        return dtb_last_error_code();
    lr_prog *p = in->p;
    if ((size_t)slot >= in->cap_s) {
        size_t cap = in->cap_s ? 2 * in->cap_s : 16;
        double *s = dtb__realloc_array(p->scalars, cap, sizeof *s);
        if (!s)
            return DTB_ENOMEM;
        p->scalars = s;
        in->cap_s = cap;
    }
    p->scalars[slot] = value;
    p->n_scalars = (size_t)slot + 1;
    if (slot_out)
        *slot_out = slot;
    return DTB_OK;
}

static dtb_status add_vector(inputs *in, const char *name, const double *values)
{
    int slot = dtb__pb_vector_input(in->pb, name);
    if (slot < 0)
        return dtb_last_error_code();
    lr_prog *p = in->p;
    if ((size_t)slot >= in->cap_v) {
        size_t cap = in->cap_v ? 2 * in->cap_v : 16;
        const double **v = dtb__realloc_array(p->vectors, cap, sizeof *v);
        if (!v)
            return DTB_ENOMEM;
        p->vectors = v;
        in->cap_v = cap;
    }
    p->vectors[slot] = values;
    p->n_vectors = (size_t)slot + 1;
    return DTB_OK;
}

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

/* Declare every input of group g; derived variables flagged in `defined`
 * are computed by the program itself. */
static dtb_status declare(const dtb__lr_sim *sim, const lr_group *g, dtb__prog_builder *pb, lr_prog *p,
                          const unsigned char *defined, int with_dt)
{
    inputs in = {pb, p, 0, 0};
    p->t_slot = p->dt_slot = -1;
    dtb_status st = DTB_OK;
    if (!g->time_shadowed)
        st = add_scalar(&in, "t", 0.0, &p->t_slot);
    if (!st && with_dt)
        st = add_scalar(&in, DT_INPUT, sim->dt, &p->dt_slot);
    static const lr_vkind order[] = {LR_PARAM, LR_CONST, LR_DPARAM, LR_PROP, LR_STATE, LR_REQ, LR_DV};
    for (size_t o = 0; !st && o < sizeof order / sizeof order[0]; o++) {
        lr_vkind k = order[o];
        for (size_t i = 0; !st && i < g->count[k]; i++) {
            const char *name = var_name(g->type, k, i);
            const double *values = g->arr[k] + i * g->n;
            if (k == LR_DV && defined && defined[i])
                continue;
            int scalar = k == LR_PARAM || k == LR_CONST || k == LR_DPARAM || k == LR_PROP;
            if (scalar && g->uniform[k][i])
                st = add_scalar(&in, name, values[0], NULL);
            else
                st = add_vector(&in, name, values);
        }
    }
    if (!st && g->regime)
        st = add_vector(&in, REGIME_INPUT, g->regime);
    if (st)
        return dtb__error_context(st, "ComponentType '%s'", g->type->name);
    return DTB_OK;
}

static dtb_status finish(dtb__prog_builder *pb, lr_prog *p)
{
    dtb_status st = dtb__pb_finish(pb, &p->prog);
    if (!st && !(p->scratch = dtb__prog_scratch_new(p->prog)))
        st = DTB_ENOMEM;
    if (!st)
        p->n_outputs = (size_t)dtb__prog_n_outputs(p->prog);
    return st;
}

static dtb_status set_output(lr_prog *p, size_t k, double *array)
{
    if (!p->outputs) {
        p->outputs = dtb__calloc(k + 1, sizeof *p->outputs);
        if (!p->outputs)
            return DTB_ENOMEM;
    } else {
        double **o = dtb__realloc_array(p->outputs, k + 1, sizeof *o);
        if (!o)
            return DTB_ENOMEM;
        p->outputs = o;
    }
    p->outputs[k] = array;
    return DTB_OK;
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
    dtb__prog_builder *pb = dtb__pb_new();
    dtb_status st = defined && pb ? DTB_OK : DTB_ENOMEM;
    for (size_t k = 0; k < s->n_dvs && defined; k++)
        defined[s->dvs[k]] = 1;
    if (!st)
        st = declare(sim, g, pb, &s->prog, defined, 0);
    for (size_t k = 0; !st && k < s->n_dvs; k++) {
        const dtb__lems_equation *e = &t->derived_vars[s->dvs[k]];
        char *what = what_of("DerivedVariable", e->name, e->at);
        st = what ? dtb__pb_define(pb, e->name, e->value, what) : DTB_ENOMEM;
        free(what);
    }
    for (size_t k = 0; !st && k < s->n_dvs; k++) {
        const dtb__lems_equation *e = &t->derived_vars[s->dvs[k]];
        if (dtb__pb_output_name(pb, e->name, e->name) < 0)
            st = dtb_last_error_code();
        else
            st = set_output(&s->prog, k, g->arr[LR_DV] + s->dvs[k] * g->n);
    }
    if (!st)
        st = finish(pb, &s->prog);
    s->has_prog = !st;
    dtb__pb_free(pb);
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
    dtb__prog_builder *pb = dtb__pb_new();
    dtb_status st = pb ? declare(sim, g, pb, &g->rate, NULL, 1) : DTB_ENOMEM;
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
        if (!what || dtb__pb_output(pb, e, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        else
            st = set_output(&g->rate, n_out++, g->state_new + s * g->n);
        if (!st) {
            size_t *rs = dtb__realloc_array(g->rate_state, n_out, sizeof *rs);
            if (!rs)
                st = DTB_ENOMEM;
            else {
                rs[n_out - 1] = s;
                g->rate_state = rs;
                g->n_rate_state = n_out;
            }
        }
        free(what);
        dtb__expr_free(e);
    }
    if (!st && n_out)
        st = finish(pb, &g->rate);
    g->has_rate = !st && n_out;
    dtb__pb_free(pb);
    return st;
}

/* ----------------------------------------------------------- handlers */

static long regime_index(const dtb__lems_comptype *t, const char *name)
{
    for (size_t r = 0; r < t->n_regimes; r++)
        if (strcmp(t->regimes[r].name, name) == 0)
            return (long)r;
    return -1;
}

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
    out->regime = regime;
    out->transition = h->transition ? regime_index(t, h->transition) : -1;
    out->port = h->port ? (size_t)port_of(t, h->port) : 0;
    out->assign_state = dtb__calloc(h->n_assigns + 1, sizeof *out->assign_state);
    out->event_ports = dtb__calloc(h->n_event_outs + 1, sizeof *out->event_ports);
    if (!out->assign_state || !out->event_ports)
        return DTB_ENOMEM;
    for (size_t e = 0; e < h->n_event_outs; e++)
        out->event_ports[e] = (size_t)port_of(t, h->event_outs[e].name);
    dtb__prog_builder *pb = dtb__pb_new();
    dtb_status st = pb ? declare(sim, g, pb, &out->prog, NULL, 0) : DTB_ENOMEM;
    for (size_t a = 0; !st && a < h->n_assigns; a++) {
        const dtb__lems_assignment *as = &h->assigns[a];
        out->assign_state[a] = (size_t)dtb__lems_find_quantity(t->state_vars, t->n_state_vars, as->variable);
        char *what = what_of("StateAssignment of", as->variable, as->at);
        if (!what || dtb__pb_output(pb, as->value, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        free(what);
    }
    if (!st)
        st = finish(pb, &out->prog);
    dtb__pb_free(pb);
    return st;
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

static dtb_status compile_handler_list(dtb__lr_sim *sim, lr_group *g, const dtb__lems_handler *hs,
                                       size_t n, long regime)
{
    for (size_t i = 0; i < n; i++) {
        const dtb__lems_handler *h = &hs[i];
        lr_handler **arr;
        size_t *count;
        switch (h->kind) {
        case DTB__LEMS_ON_CONDITION: arr = &g->conds; count = &g->n_conds; break;
        case DTB__LEMS_ON_EVENT: arr = &g->events; count = &g->n_events; break;
        case DTB__LEMS_ON_ENTRY: arr = &g->entries; count = &g->n_entries; break;
        default: continue;   /* OnStart: see compile_start */
        }
        dtb_status st = push_handler(arr, count);
        if (!st)
            st = compile_handler(sim, g, h, regime, &(*arr)[*count - 1]);
        if (st)
            return st;
    }
    return DTB_OK;
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
    dtb__prog_builder *pb = dtb__pb_new();
    dtb_status st = pb && g->cond_out ? declare(sim, g, pb, &g->cond, NULL, 0) : DTB_ENOMEM;
    for (size_t c = 0; !st && c < g->n_conds; c++) {
        const dtb__lems_handler *h = g->conds[c].h;
        char *what = what_of("OnCondition", h->test_text ? h->test_text : "?", h->at);
        if (!what || dtb__pb_output(pb, h->test, what) < 0)
            st = what ? dtb_last_error_code() : DTB_ENOMEM;
        else
            st = set_output(&g->cond, c, g->cond_out + c * g->n);
        free(what);
    }
    if (!st)
        st = finish(pb, &g->cond);
    dtb__pb_free(pb);
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
        st = compile_rate(sim, g);
        if (!st)
            st = compile_handler_list(sim, g, t->handlers, t->n_handlers, -1);
        for (size_t r = 0; !st && r < t->n_regimes; r++)
            st = compile_handler_list(sim, g, t->regimes[r].handlers, t->regimes[r].n_handlers, (long)r);
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
    if (p->t_slot >= 0)
        p->scalars[p->t_slot] = sim->t;
    dtb__prog_env env = {p->scalars, p->vectors, out ? out : p->outputs, idx ? k : g->n, uniform, &sim->rng};
    if (!idx) {
        dtb__prog_eval(p->prog, &env, p->scratch);
        return DTB_OK;
    }
    /* A subset: gather the vector inputs of those instances first. */
    size_t need = p->n_vectors * k + p->n_vectors;
    if (need > sim->compact_cap) {
        double *c = dtb__realloc_array(sim->compact, need, sizeof *c);
        if (!c)
            return DTB_ENOMEM;
        sim->compact = c;
        sim->compact_cap = need;
    }
    if (p->n_vectors > sim->cvec_cap) {
        const double **v = (const double **)dtb__realloc_array((void *)sim->cvec, p->n_vectors, sizeof *v);
        if (!v)
            return DTB_ENOMEM;
        sim->cvec = v;
        sim->cvec_cap = p->n_vectors;
    }
    const double **vec = sim->cvec;
    for (size_t j = 0; j < p->n_vectors; j++) {
        double *dst = sim->compact + j * k;
        for (size_t m = 0; m < k; m++)
            dst[m] = p->vectors[j][idx[m]];
        vec[j] = dst;
    }
    env.vectors = vec;
    dtb__prog_eval(p->prog, &env, p->scratch);
    return DTB_OK;
}
