/* libdtb — the generic path: populations of a LEMS/NeuroML cell type.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A cell type whose behaviour is one <Dynamics> block (StateVariables with
 * TimeDerivatives, DerivedVariables, OnStart, OnCondition handlers with
 * StateAssignments and EventOuts, Regimes with their own TimeDerivatives,
 * OnEntry and Transitions) runs as a population: its equations are
 * compiled once into the bytecode of libdtb/expr and evaluated over all
 * cells at once, as the built-in cells' kernels are. Semantics follow the
 * LEMS interpreters (jLEMS, pylems): forward Euler in SI units; every
 * OnCondition is tested on the same values after the step, the
 * assignments of those that hold are computed from those values and
 * applied in document order, and an EventOut is a spike; a Transition
 * changes the cell's regime, whose OnEntry then runs on the new values.
 *
 * The synaptic input: a DerivedVariable of dimension current that selects
 * over the cell's synapses (NeuroML's iSyn = synapses[*]/i, reduce add) is
 * fed the population's receptor currents (nA -> A; conductances use the
 * cell's voltage state). OnEvent, Requirements, nested child
 * components and other selections are refused, naming the element: those
 * cells need the full engine ('dtb lems'). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lems/lems.h"
#include "spiking.h"

/* Where each program input comes from. */
typedef enum src_kind { SRC_T, SRC_PARAM, SRC_CONST, SRC_STATE, SRC_SYN, SRC_REGIME } src_kind;
typedef struct input_src {
    src_kind kind;
    size_t index;
} input_src;

typedef struct lems_handler {
    long regime;                      /* the regime it belongs to; -1: the Dynamics' */
    long transition;                  /* regime entered, or -1 */
    size_t test_out;                  /* output index of the test */
    size_t *assign_state, *assign_out;
    size_t n_assigns;
    int spikes;                       /* has an EventOut */
} lems_handler;

typedef struct lems_prog {
    dtb__prog *prog;
    dtb__prog_scratch *scratch;
    size_t n_outputs;
} lems_prog;

struct dtb__lems_cell {
    dtb__lems_doc doc;
    const dtb__lems_comptype *t;
    char *label;                      /* "file#cell", the model's name */
    dtb__cell_model model;            /* names borrowed from the document */
    size_t *syn_dv;                   /* derived variables fed with the synaptic current */
    size_t n_syn;
    /* programs and their bindings, rebuilt when the parameters' layout changes */
    lems_prog rate, events, start;
    size_t *rate_state;               /* state of each rate output */
    lems_handler *handlers;
    size_t n_handlers;
    size_t *start_state;              /* state of each OnStart output */
    lems_prog entry;                  /* every regime's OnEntry assignments */
    size_t *entry_state;              /* state of each OnEntry output */
    long *entry_regime;               /* regime of each OnEntry output */
    double *regime;                   /* [n] each cell's regime (a number: a program input) */
    unsigned char *entered;           /* [n] entered a regime this step */
    input_src *scalars_src, *vectors_src;
    size_t n_scalars, n_vectors;
    double *scalars;
    const double **vectors;
    double **outputs;                 /* [max outputs] arrays of n */
    size_t max_outputs;
    double *isyn;                     /* [n] A */
    int64_t n;
    int started;                      /* OnStart applied */
    /* the cell's units (dtb__lems_cell_adopt; SI for files): a step in ms
     * -> its time unit, seconds -> its time unit, nA -> its current unit,
     * its voltage unit -> mV; its constants in those units (NULL: the
     * type's, SI) */
    double h_to_dt, t_scale, i_scale, v_scale;
    double *constants;
};

static dtb_status lems_prepare(dtb__spk_pop *p, double h);
static size_t lems_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked);

#define REGIME_INPUT "__regime"

static const dtb__dim DIM_CURRENT = {{0, 0, 0, 1, 0, 0, 0}};
static const dtb__dim DIM_VOLTAGE = {{1, 2, -3, -1, 0, 0, 0}};

static void free_prog(lems_prog *p)
{
    dtb__prog_scratch_free(p->scratch);
    dtb__prog_free(p->prog);
    memset(p, 0, sizeof *p);
}

static void free_programs(dtb__lems_cell *c)
{
    free_prog(&c->rate);
    free_prog(&c->events);
    free_prog(&c->start);
    free_prog(&c->entry);
    free(c->entry_state);
    free(c->entry_regime);
    c->entry_state = NULL;
    c->entry_regime = NULL;
    for (size_t h = 0; h < c->n_handlers; h++) {
        free(c->handlers[h].assign_state);
        free(c->handlers[h].assign_out);
    }
    free(c->handlers);
    c->handlers = NULL;
    c->n_handlers = 0;
    free(c->rate_state);
    free(c->start_state);
    free(c->scalars_src);
    free(c->vectors_src);
    free(c->scalars);
    free(c->vectors);
    c->rate_state = c->start_state = NULL;
    c->scalars_src = c->vectors_src = NULL;
    c->scalars = NULL;
    c->vectors = NULL;
    if (c->outputs)
        for (size_t i = 0; i < c->max_outputs; i++)
            free(c->outputs[i]);
    free(c->outputs);
    c->outputs = NULL;
    c->max_outputs = 0;
}

void dtb__lems_cell_free(dtb__lems_cell *c)
{
    if (!c)
        return;
    free_programs(c);
    free(c->syn_dv);
    free(c->isyn);
    free(c->regime);
    free(c->entered);
    free(c->label);
    free(c->constants);
    dtb__lems_doc_free(&c->doc);
    free(c);
}

const dtb__cell_model *dtb__lems_cell_model(const dtb__lems_cell *c) { return &c->model; }

/* ------------------------------------------------------------ loading */

static dtb_status refuse(const dtb__lems_cell *c, const dtb__lems_where *at, const char *what)
{
    return dtb__error(DTB_EUNSUPPORTED, "%s:%d: cell type '%s' uses %s, which spiking populations "
                                        "do not run (run the file with 'dtb lems')",
                      at->file ? at->file : "?", at->line, c->t->name, what);
}

static dtb_status check_type(dtb__lems_cell *c, const dtb__lems_component *comp)
{
    const dtb__lems_comptype *t = c->t;
    if (t->defect)
        return dtb__error(t->defect_code, "cell type '%s' cannot be used: %s", t->name, t->defect);
    if (t->unsupported)
        return refuse(c, &t->unsupported_at, t->unsupported);
    if (!t->has_dynamics)
        return dtb__error(DTB_EPARSE, "%s:%d: cell type '%s' has no <Dynamics>", t->at.file,
                          t->at.line, t->name);
    for (size_t h = 0; h < t->n_handlers; h++)
        if (t->handlers[h].kind == DTB__LEMS_ON_EVENT)
            return refuse(c, &t->handlers[h].at, "<OnEvent>");
    for (size_t r = 0; r < t->n_regimes; r++)
        for (size_t h = 0; h < t->regimes[r].n_handlers; h++)
            if (t->regimes[r].handlers[h].kind == DTB__LEMS_ON_EVENT)
                return refuse(c, &t->regimes[r].handlers[h].at, "<OnEvent>");
    if (t->n_requirements)
        return refuse(c, &t->requirements[0].at, "a <Requirement>");
    if (comp && comp->n_children)
        return refuse(c, &comp->children[0].at, "nested components (a multi-component cell)");
    if (t->n_state_vars > DTB__CELL_MAX_STATES)
        return dtb__error(DTB_EUNSUPPORTED, "cell type '%s' has %zu state variables; spiking "
                                            "populations take at most %d", t->name,
                          t->n_state_vars, DTB__CELL_MAX_STATES);
    if (t->n_params > DTB__CELL_MAX_PARAMS)
        return dtb__error(DTB_EUNSUPPORTED, "cell type '%s' has %zu parameters; spiking populations "
                                            "take at most %d", t->name, t->n_params,
                          DTB__CELL_MAX_PARAMS);
    for (size_t d = 0; d < t->n_derived_vars; d++) {
        const dtb__lems_equation *e = &t->derived_vars[d];
        if (!e->select)
            continue;
        if (!dtb__dim_eq(e->dim, DIM_CURRENT))
            return refuse(c, &e->at, "a selection that is not a current");
        size_t *grown = dtb__realloc_array(c->syn_dv, c->n_syn + 1, sizeof *grown);
        if (!grown)
            return DTB_ENOMEM;
        c->syn_dv = grown;
        c->syn_dv[c->n_syn++] = d;
    }
    return DTB_OK;
}

/* The cell model table of the type: its parameters with the component's
 * values (SI; NaN where the component gives none) and its states. */
static dtb_status fill_model(dtb__lems_cell *c, const dtb__lems_component *comp)
{
    const dtb__lems_comptype *t = c->t;
    dtb__cell_model *m = &c->model;
    m->name = c->label;
    m->n_params = t->n_params;
    for (size_t k = 0; k < t->n_params; k++) {
        const dtb__lems_quantity *q = &t->params[k];
        const char *text = comp ? dtb__lems_component_attr(comp, q->name) : NULL;
        for (size_t f = 0; f < t->n_fixed; f++)
            if (strcmp(t->fixed[f].name, q->name) == 0)
                text = t->fixed[f].value;
        m->params[k].name = q->name;
        m->params[k].unit = q->dimension ? q->dimension : "none";
        m->params[k].value = NAN;
        if (!text)
            continue;
        dtb_status st = q->any_dimension
                            ? dtb__lems_any_quantity_to_si(&c->doc, text, q->name, &m->params[k].value)
                            : dtb__lems_quantity_to_si(&c->doc, text, q->dim, 0, 0, q->name,
                                                       &m->params[k].value);
        if (st)
            return dtb__error_context(st, "%s:%d: <%s id=\"%s\">", comp->at.file, comp->at.line,
                                      comp->tag ? comp->tag : t->name, comp->id ? comp->id : "");
    }
    m->n_states = t->n_state_vars;
    for (size_t s = 0; s < t->n_state_vars; s++) {
        m->states[s] = t->state_vars[s].name;
        m->state_init[s] = 0.0;
    }
    m->v_state = -1;
    for (size_t s = 0; s < t->n_state_vars && m->v_state < 0; s++)
        if (dtb__dim_eq(t->state_vars[s].dim, DIM_VOLTAGE))
            m->v_state = (int)s;
    m->conductance_scale = 1e-3;    /* nS -> uS, as the built-in cells: I (nA) = g (E - V) */
    m->exact_current_input = 0;
    m->euler_ok = 0;                /* Euler is the method already */
    m->prepare = lems_prepare;
    m->update = lems_update;
    m->delta_scale = 1e-3;          /* mV -> V */
    c->h_to_dt = 1e-3;
    c->t_scale = 1.0;
    c->i_scale = 1e-9;
    c->v_scale = 1e3;
    return DTB_OK;
}

dtb_status dtb__lems_cell_load(const char *path, const char *cell, const char *const *include_dirs,
                               size_t n_include_dirs, dtb__lems_cell **out)
{
    *out = NULL;
    dtb__lems_cell *c = dtb__calloc(1, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    dtb__lems_read_options ro = {include_dirs, n_include_dirs};
    dtb_status st = dtb__lems_read_file(&c->doc, path, &ro);
    if (st) {
        free(c);
        return st;
    }
    const dtb__lems_component *comp = dtb__lems_find_any_component(&c->doc, cell);
    c->t = dtb__lems_resolved_type(&c->doc, comp ? comp->type : cell);
    if (!c->t)
        st = dtb__error(DTB_ENOTFOUND, "%s: no component or ComponentType named '%s'", path, cell);
    if (!st && !(c->label = dtb__asprintf("%s#%s", path, cell)))
        st = DTB_ENOMEM;
    if (!st)
        st = check_type(c, comp);
    if (!st)
        st = fill_model(c, comp);
    if (st) {
        dtb__lems_cell_free(c);
        return st;
    }
    *out = c;
    return DTB_OK;
}

dtb_status dtb__lems_cell_adopt(dtb__lems_doc *doc, const char *type, const dtb__lems_cell_units *u,
                                dtb__lems_cell **out)
{
    *out = NULL;
    dtb__lems_cell *c = dtb__calloc(1, sizeof *c);
    if (!c) {
        dtb__lems_doc_free(doc);
        return DTB_ENOMEM;
    }
    c->doc = *doc;
    memset(doc, 0, sizeof *doc);
    c->t = dtb__lems_resolved_type(&c->doc, type);
    dtb_status st = c->t ? DTB_OK : dtb__error(DTB_ENOTFOUND, "cell '%s': no ComponentType '%s'",
                                               u->name, type);
    if (!st && !(c->label = dtb__strdup(u->name)))
        st = DTB_ENOMEM;
    if (!st)
        st = check_type(c, NULL);
    if (!st)
        st = fill_model(c, NULL);
    if (!st && c->t->n_constants
        && !(c->constants = dtb__malloc_array(c->t->n_constants, sizeof *c->constants)))
        st = DTB_ENOMEM;
    if (st) {
        dtb__lems_cell_free(c);
        return st;
    }
    dtb__cell_model *m = &c->model;
    for (size_t k = 0; k < m->n_params; k++) {
        m->params[k].value = u->params[k];
        m->params[k].unit = u->param_units[k];
    }
    for (size_t s = 0; s < m->n_states; s++)
        m->state_init[s] = u->state_init[s];
    for (size_t k = 0; k < c->t->n_constants; k++)
        c->constants[k] = u->constants[k];
    m->conductance_scale = u->conductance_scale;
    m->euler_ok = u->euler_ok;
    m->delta_scale = 1.0 / u->v_scale;
    c->h_to_dt = u->h_to_dt;
    c->t_scale = u->t_scale;
    c->i_scale = u->i_scale;
    c->v_scale = u->v_scale;
    *out = c;
    return DTB_OK;
}

/* ---------------------------------------------------------- compiling */

static dtb_status declare(dtb__lems_cell *c, const dtb__spk_pop *p, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    size_t ns = 1 + t->n_params + t->n_constants, nv = t->n_state_vars + t->n_params + c->n_syn + 1;
    c->scalars_src = dtb__malloc_array(ns, sizeof *c->scalars_src);
    c->vectors_src = dtb__malloc_array(nv, sizeof *c->vectors_src);
    c->scalars = dtb__calloc(ns, sizeof *c->scalars);
    c->vectors = dtb__calloc(nv, sizeof *c->vectors);
    if (!c->scalars_src || !c->vectors_src || !c->scalars || !c->vectors)
        return DTB_ENOMEM;
    c->n_scalars = c->n_vectors = 0;
#define ADD(fn, arr, cnt, name, k, i) \
    do { \
        if (fn(pb, name) < 0) \
            return dtb_last_error_code(); \
        c->arr[c->cnt++] = (input_src){k, i}; \
    } while (0)
    ADD(dtb__pb_scalar_input, scalars_src, n_scalars, "t", SRC_T, 0);
    for (size_t k = 0; k < t->n_params; k++) {
        if (p->uniform[k])
            ADD(dtb__pb_scalar_input, scalars_src, n_scalars, t->params[k].name, SRC_PARAM, k);
        else
            ADD(dtb__pb_vector_input, vectors_src, n_vectors, t->params[k].name, SRC_PARAM, k);
    }
    for (size_t k = 0; k < t->n_constants; k++)
        ADD(dtb__pb_scalar_input, scalars_src, n_scalars, t->constants[k].name, SRC_CONST, k);
    for (size_t s = 0; s < t->n_state_vars; s++)
        ADD(dtb__pb_vector_input, vectors_src, n_vectors, t->state_vars[s].name, SRC_STATE, s);
    for (size_t q = 0; q < c->n_syn; q++)
        ADD(dtb__pb_vector_input, vectors_src, n_vectors, t->derived_vars[c->syn_dv[q]].name, SRC_SYN, q);
    if (t->n_regimes)
        ADD(dtb__pb_vector_input, vectors_src, n_vectors, REGIME_INPUT, SRC_REGIME, 0);
#undef ADD
    dtb_status st = DTB_OK;
    for (size_t k = 0; !st && k < t->n_derived_params; k++)
        st = dtb__pb_define(pb, t->derived_params[k].name, t->derived_params[k].value,
                            t->derived_params[k].text);
    /* derived variables in dependency order: define what can be defined,
     * again and again; the last attempt reports what is missing */
    size_t n_dv = t->n_derived_vars, left = n_dv - c->n_syn;
    unsigned char *done = dtb__calloc(n_dv ? n_dv : 1, 1);
    if (!done)
        return DTB_ENOMEM;
    for (size_t q = 0; q < c->n_syn; q++)
        done[c->syn_dv[q]] = 1;
    while (!st && left) {
        size_t before = left;
        for (size_t d = 0; d < n_dv; d++) {
            if (done[d])
                continue;
            if (dtb__pb_define(pb, t->derived_vars[d].name, t->derived_vars[d].value,
                               t->derived_vars[d].text) == DTB_OK) {
                done[d] = 1;
                left--;
            }
        }
        if (left == before) {
            for (size_t d = 0; d < n_dv && !st; d++)
                if (!done[d])
                    st = dtb__pb_define(pb, t->derived_vars[d].name, t->derived_vars[d].value,
                                        t->derived_vars[d].text);
            if (!st)
                st = dtb__error(DTB_EPARSE, "cell type '%s': its derived variables depend on each "
                                            "other in a cycle", t->name);
        }
    }
    free(done);
    return st;
}

static long state_index(const dtb__lems_comptype *t, const char *name)
{
    return dtb__lems_find_quantity(t->state_vars, t->n_state_vars, name);
}

/* One program: the common inputs and definitions, then the outputs `add`
 * declares. */
static dtb_status build(dtb__lems_cell *c, const dtb__spk_pop *p, lems_prog *out,
                        dtb_status (*add)(dtb__lems_cell *c, dtb__prog_builder *pb))
{
    dtb__prog_builder *pb = dtb__pb_new();
    if (!pb)
        return DTB_ENOMEM;
    free(c->scalars_src);
    free(c->vectors_src);
    free(c->scalars);
    free(c->vectors);
    dtb_status st = declare(c, p, pb);
    if (!st)
        st = add(c, pb);
    if (!st)
        st = dtb__pb_finish(pb, &out->prog);
    dtb__pb_free(pb);
    if (!st && !(out->scratch = dtb__prog_scratch_new(out->prog)))
        st = DTB_ENOMEM;
    if (!st)
        out->n_outputs = (size_t)dtb__prog_n_outputs(out->prog);
    return st;
}

static dtb__expr *rate_of_td(const dtb__lems_equation *td, void *ud)
{
    (void)ud;
    return td ? dtb__expr_clone(td->value) : dtb__expr_num(0.0);
}

/* The rate of state s: per regime, that regime's TimeDerivative or else
 * the Dynamics' own, 0 without either. NULL with *none when s never
 * changes by integration. */
static dtb__expr *rate_of(const dtb__lems_comptype *t, const char *s, int *none)
{
    return dtb__lems_by_regime(t, s, REGIME_INPUT, rate_of_td, NULL, none);
}

static dtb_status add_rates(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    c->rate_state = dtb__malloc_array(t->n_state_vars + 1, sizeof *c->rate_state);
    if (!c->rate_state)
        return DTB_ENOMEM;
    for (size_t s = 0; s < t->n_state_vars; s++) {
        int none;
        dtb__expr *e = rate_of(t, t->state_vars[s].name, &none);
        if (none)
            continue;
        if (!e)
            return DTB_ENOMEM;
        int o = dtb__pb_output(pb, e, t->state_vars[s].name);
        dtb__expr_free(e);
        if (o < 0)
            return dtb_last_error_code();
        c->rate_state[o] = s;
    }
    return DTB_OK;
}

static dtb_status add_assignments(const dtb__lems_comptype *t, const dtb__lems_handler *h,
                                  dtb__prog_builder *pb, size_t *state_of, size_t *out_of)
{
    for (size_t a = 0; a < h->n_assigns; a++) {
        long s = state_index(t, h->assigns[a].variable);
        if (s < 0)
            return dtb__error(DTB_EPARSE, "%s:%d: StateAssignment to '%s', which is no state "
                                          "variable", h->assigns[a].at.file, h->assigns[a].at.line,
                              h->assigns[a].variable);
        int o = dtb__pb_output(pb, h->assigns[a].value, h->assigns[a].text);
        if (o < 0)
            return dtb_last_error_code();
        state_of[a] = (size_t)s;
        out_of[a] = (size_t)o;
    }
    return DTB_OK;
}

static long regime_index(const dtb__lems_comptype *t, const char *name)
{
    for (size_t r = 0; name && r < t->n_regimes; r++)
        if (strcmp(t->regimes[r].name, name) == 0)
            return (long)r;
    return -1;
}

static dtb_status add_handler_list(dtb__lems_cell *c, dtb__prog_builder *pb,
                                   const dtb__lems_handler *list, size_t n, long regime)
{
    const dtb__lems_comptype *t = c->t;
    for (size_t h = 0; h < n; h++) {
        const dtb__lems_handler *on = &list[h];
        if (on->kind != DTB__LEMS_ON_CONDITION)
            continue;
        lems_handler *grown = dtb__realloc_array(c->handlers, c->n_handlers + 1, sizeof *grown);
        if (!grown)
            return DTB_ENOMEM;
        c->handlers = grown;
        lems_handler *lh = &c->handlers[c->n_handlers++];
        memset(lh, 0, sizeof *lh);
        lh->regime = regime;
        lh->transition = -1;
        if (on->transition && (lh->transition = regime_index(t, on->transition)) < 0)
            return dtb__error(DTB_EPARSE, "%s:%d: Transition to unknown regime '%s'",
                              on->transition_at.file, on->transition_at.line, on->transition);
        int o = dtb__pb_output(pb, on->test, on->test_text);
        if (o < 0)
            return dtb_last_error_code();
        lh->test_out = (size_t)o;
        lh->spikes = on->n_event_outs > 0;
        lh->n_assigns = on->n_assigns;
        lh->assign_state = dtb__malloc_array(on->n_assigns + 1, sizeof *lh->assign_state);
        lh->assign_out = dtb__malloc_array(on->n_assigns + 1, sizeof *lh->assign_out);
        if (!lh->assign_state || !lh->assign_out)
            return DTB_ENOMEM;
        dtb_status st = add_assignments(t, on, pb, lh->assign_state, lh->assign_out);
        if (st)
            return st;
    }
    return DTB_OK;
}

/* The Dynamics' OnConditions first, then each regime's (LEMS order). */
static dtb_status add_events(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    dtb_status st = add_handler_list(c, pb, t->handlers, t->n_handlers, -1);
    for (size_t r = 0; !st && r < t->n_regimes; r++)
        st = add_handler_list(c, pb, t->regimes[r].handlers, t->regimes[r].n_handlers, (long)r);
    return st;
}

static dtb_status add_entries(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    size_t n = 0;
    for (size_t r = 0; r < t->n_regimes; r++)
        for (size_t h = 0; h < t->regimes[r].n_handlers; h++)
            if (t->regimes[r].handlers[h].kind == DTB__LEMS_ON_ENTRY)
                n += t->regimes[r].handlers[h].n_assigns;
    c->entry_state = dtb__malloc_array(n + 1, sizeof *c->entry_state);
    c->entry_regime = dtb__malloc_array(n + 1, sizeof *c->entry_regime);
    size_t *outs = dtb__malloc_array(n + 1, sizeof *outs);
    dtb_status st = c->entry_state && c->entry_regime && outs ? DTB_OK : DTB_ENOMEM;
    size_t at = 0;
    for (size_t r = 0; !st && r < t->n_regimes; r++) {
        for (size_t h = 0; !st && h < t->regimes[r].n_handlers; h++) {
            const dtb__lems_handler *on = &t->regimes[r].handlers[h];
            if (on->kind != DTB__LEMS_ON_ENTRY)
                continue;
            st = add_assignments(t, on, pb, c->entry_state + at, outs + at);
            for (size_t a = 0; a < on->n_assigns; a++)
                c->entry_regime[at + a] = (long)r;
            at += on->n_assigns;
        }
    }
    free(outs);   /* outputs are numbered in order: output k is assignment k */
    return st;
}

static dtb_status add_start(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    size_t n = 0;
    for (size_t h = 0; h < t->n_handlers; h++)
        if (t->handlers[h].kind == DTB__LEMS_ON_START)
            n += t->handlers[h].n_assigns;
    c->start_state = dtb__malloc_array(n + 1, sizeof *c->start_state);
    size_t *outs = dtb__malloc_array(n + 1, sizeof *outs);
    dtb_status st = c->start_state && outs ? DTB_OK : DTB_ENOMEM;
    size_t at = 0;
    for (size_t h = 0; !st && h < t->n_handlers; h++) {
        const dtb__lems_handler *on = &t->handlers[h];
        if (on->kind != DTB__LEMS_ON_START)
            continue;
        st = add_assignments(t, on, pb, c->start_state + at, outs + at);
        at += on->n_assigns;
    }
    free(outs);   /* OnStart outputs are numbered in order: output k is assignment k */
    return st;
}

/* Every cell starts in the initial regime (else the first). */
static int ensure_regimes(dtb__lems_cell *c, size_t n)
{
    if (c->regime)
        return 0;
    c->regime = dtb__malloc_array(n, sizeof *c->regime);
    c->entered = dtb__calloc(n, 1);
    if (!c->regime || !c->entered) {
        free(c->regime);
        free(c->entered);
        c->regime = NULL;
        c->entered = NULL;
        return 1;
    }
    long first = 0;
    for (size_t r = 0; r < c->t->n_regimes; r++)
        if (c->t->regimes[r].initial) {
            first = (long)r;
            break;
        }
    for (size_t i = 0; i < n; i++)
        c->regime[i] = (double)first;
    return 0;
}

/* (Re)compile for the parameters' current layout; check every value. */
static dtb_status lems_prepare(dtb__spk_pop *p, double h)
{
    (void)h;
    dtb__lems_cell *c = p->lems;
    for (size_t k = 0; k < c->t->n_params; k++)
        for (int64_t i = 0; i < p->n; i++)
            if (isnan(p->param[k][i]))
                return dtb__error(DTB_EINVAL, "population '%s': parameter '%s' of %s has no value "
                                              "(set it with dtb_spiking_set_param)", p->name,
                                  c->t->params[k].name, c->label);
    free_programs(c);
    dtb_status st = build(c, p, &c->rate, add_rates);
    if (!st)
        st = build(c, p, &c->events, add_events);
    if (!st)
        st = build(c, p, &c->start, add_start);
    if (!st)
        st = build(c, p, &c->entry, add_entries);
    if (st)
        return dtb__error_context(st, "population '%s' (%s)", p->name, c->label);
    size_t most = c->rate.n_outputs;
    if (c->events.n_outputs > most)
        most = c->events.n_outputs;
    if (c->start.n_outputs > most)
        most = c->start.n_outputs;
    if (c->entry.n_outputs > most)
        most = c->entry.n_outputs;
    c->outputs = dtb__calloc(most + 1, sizeof *c->outputs);
    if (!c->outputs)
        return DTB_ENOMEM;
    c->max_outputs = most + 1;
    for (size_t i = 0; i < c->max_outputs; i++)
        if (!(c->outputs[i] = dtb__malloc_array((size_t)p->n, sizeof(double))))
            return DTB_ENOMEM;
    if (!c->isyn && !(c->isyn = dtb__calloc((size_t)p->n, sizeof *c->isyn)))
        return DTB_ENOMEM;
    if (ensure_regimes(c, (size_t)p->n))
        return DTB_ENOMEM;
    c->n = p->n;
    p->derived_per_cell = 0;
    return DTB_OK;
}

/* ----------------------------------------------------------- stepping */

static void bind(dtb__lems_cell *c, const dtb__spk_pop *p, double t)
{
    for (size_t i = 0; i < c->n_scalars; i++) {
        const input_src *s = &c->scalars_src[i];
        c->scalars[i] = s->kind == SRC_T ? t
                        : s->kind == SRC_PARAM ? p->param[s->index][0]
                        : c->constants ? c->constants[s->index]
                                       : c->t->constants[s->index].value;
    }
    for (size_t i = 0; i < c->n_vectors; i++) {
        const input_src *s = &c->vectors_src[i];
        c->vectors[i] = s->kind == SRC_PARAM ? p->param[s->index]
                        : s->kind == SRC_STATE ? p->state[s->index]
                        : s->kind == SRC_REGIME ? c->regime
                                                : c->isyn;
    }
}

static void eval(dtb__lems_cell *c, const lems_prog *prog)
{
    dtb__prog_env env = {c->scalars, c->vectors, c->outputs, (size_t)c->n, NULL, NULL};
    dtb__prog_eval(prog->prog, &env, prog->scratch);
}

/* OnStart, once before the first step, for the state variables the user
 * has not set. */
static void apply_start(dtb__lems_cell *c, dtb__spk_pop *p)
{
    bind(c, p, 0.0);
    eval(c, &c->start);
    for (size_t k = 0; k < c->start.n_outputs; k++) {
        size_t s = c->start_state[k];
        if (!p->state_set[s])
            memcpy(p->state[s], c->outputs[k], (size_t)p->n * sizeof(double));
    }
}

static size_t lems_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    dtb__lems_cell *c = p->lems;
    const int64_t n = p->n;
    const double dt = h * c->h_to_dt;
    const double t0 = p->t_now * c->t_scale;
    if (!c->started) {
        apply_start(c, p);
        c->started = 1;
    }
    /* receptor drive (nA, uS x mV) -> the selected current in the cell's unit (A for files) */
    const double *V = p->model->v_state >= 0 ? p->state[p->model->v_state] : NULL;
    const double i_scale = c->i_scale, v_scale = c->v_scale;
    double *isyn = c->isyn;
    for (int64_t i = 0; i < n; i++)
        isyn[i] = i_scale * (d->cur[i] + d->gE[i] - (V ? d->gsum[i] * V[i] * v_scale : 0.0));
    bind(c, p, t0);
    eval(c, &c->rate);
    for (size_t k = 0; k < c->rate.n_outputs; k++) {
        double *x = p->state[c->rate_state[k]];
        const double *dx = c->outputs[k];
        for (int64_t i = 0; i < n; i++)
            x[i] += dt * dx[i];
    }
    bind(c, p, t0 + dt);
    eval(c, &c->events);
    size_t ns = 0;
    int any_entered = 0;
    for (int64_t i = 0; i < n; i++) {
        int spike = 0;
        const long regime = (long)c->regime[i];
        long next = -1;
        for (size_t k = 0; k < c->n_handlers; k++) {
            const lems_handler *lh = &c->handlers[k];
            if ((lh->regime >= 0 && lh->regime != regime) || c->outputs[lh->test_out][i] == 0.0)
                continue;
            for (size_t a = 0; a < lh->n_assigns; a++)
                p->state[lh->assign_state[a]][i] = c->outputs[lh->assign_out[a]][i];
            spike |= lh->spikes;
            if (lh->transition >= 0)
                next = lh->transition;
        }
        c->entered[i] = next >= 0;
        if (next >= 0) {
            c->regime[i] = (double)next;
            any_entered = 1;
        }
        if (spike)
            spiked[ns++] = (int32_t)i;
    }
    if (any_entered && c->entry.n_outputs) {
        /* OnEntry of the regime entered, on the values after the handlers */
        eval(c, &c->entry);
        for (size_t k = 0; k < c->entry.n_outputs; k++) {
            double *x = p->state[c->entry_state[k]];
            const double *val = c->outputs[k];
            for (int64_t i = 0; i < n; i++)
                if (c->entered[i] && (long)c->regime[i] == c->entry_regime[k])
                    x[i] = val[i];
        }
    }
    return ns;
}

/* ---------------------------------------------------------- checkpoints */

void dtb__lems_cell_save(const dtb__lems_cell *c, dtb__bytes *b, size_t n)
{
    dtb__bytes_u32(b, (uint32_t)c->started);
    dtb__bytes_u32(b, c->regime != NULL);
    if (c->regime)
        dtb__bytes_f64s(b, c->regime, n);
}

dtb_status dtb__lems_cell_check(dtb__lems_cell *c, dtb__reader *r, size_t n)
{
    uint32_t started, has;
    dtb__read_u32(r, &started);
    dtb__read_u32(r, &has);
    if (r->bad || started > 1 || has > 1)
        return dtb__error(DTB_EPARSE, "checkpoint: damaged LEMS cell record");
    if (has) {
        if (n > (r->len - r->pos) / 8) {
            r->bad = 1;
            return dtb__error(DTB_EPARSE, "checkpoint: truncated LEMS cell record");
        }
        r->pos += 8 * n;
        /* room for the regimes (an initialised array changes nothing) */
        if (ensure_regimes(c, n))
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

void dtb__lems_cell_restore(dtb__lems_cell *c, dtb__reader *r, size_t n)
{
    uint32_t started, has;
    dtb__read_u32(r, &started);
    dtb__read_u32(r, &has);
    c->started = (int)started;
    if (has)
        dtb__read_f64s(r, c->regime, n);
}
