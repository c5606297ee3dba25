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

#include "kernel/kernel.h"
#include "kernel/khandler.h"
#include "lems/lems.h"
#include "spiking.h"

/* An OnCondition or OnEntry. Which cells it fires for, the order of its
 * assignments and its transition follow the kernel's rule
 * (kernel/khandler.h), shared with the LEMS engine; the values are
 * evaluated for every cell at once. */
typedef struct lems_handler {
    dtb__khandler k;                  /* its regime, transition, assignments; whom it fires for */
    size_t test_out;                  /* output index of the test (OnCondition) */
    size_t *assign_out;               /* output index of each assignment */
    const double **vals;              /* [n_assigns] those outputs' arrays (k.vals) */
    int spikes;                       /* has an EventOut */
} lems_handler;

/* The programs are kernel programs over one input table (kernel.h): t,
 * the parameters (shared where every cell has the same value), the
 * constants, the states, the synaptic currents, the regime. */
typedef dtb__kprog lems_prog;

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
    lems_handler *handlers;           /* the OnConditions, in LEMS order */
    size_t n_handlers;
    size_t *start_state;              /* state of each OnStart output */
    lems_prog entry;                  /* every regime's OnEntry assignments */
    lems_handler *entries;            /* each regime's OnEntry handlers */
    size_t n_entries;
    double *regime;                   /* [n] each cell's regime (a number: a program input) */
    unsigned char *entered;           /* [n] moved this step (khandler.h); all 0 between steps */
    size_t *moved;                    /* [n] the cells that moved this step */
    unsigned char *spike_mark;        /* [n] spiked (when several handlers spike) */
    dtb__ktable inputs;
    size_t in_param, in_state, in_syn; /* first table entry of each kind */
    long in_regime;                   /* the regime's entry, -1 without regimes */
    double **outputs;                 /* [max outputs] arrays of n, shared by the programs */
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

static void free_handlers(lems_handler *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((void *)h[i].k.assign_state);
        free(h[i].k.fired);
        free(h[i].assign_out);
        free(h[i].vals);
    }
    free(h);
}

static void free_programs(dtb__lems_cell *c)
{
    dtb__kprog_free(&c->rate);
    dtb__kprog_free(&c->events);
    dtb__kprog_free(&c->start);
    dtb__kprog_free(&c->entry);
    free_handlers(c->handlers, c->n_handlers);
    free_handlers(c->entries, c->n_entries);
    c->handlers = c->entries = NULL;
    c->n_handlers = c->n_entries = 0;
    free(c->rate_state);
    free(c->start_state);
    dtb__ktable_free(&c->inputs);
    c->rate_state = c->start_state = NULL;
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
    free(c->moved);
    free(c->spike_mark);
    free(c->label);
    free(c->constants);
    dtb__lems_doc_free(&c->doc);
    free(c);
}

const dtb__cell_model *dtb__lems_cell_model(const dtb__lems_cell *c) { return &c->model; }

size_t dtb__lems_cell_synaptic_inputs(const dtb__lems_cell *c) { return c->n_syn; }

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

/* The input table for the population's current layout of parameters. */
static dtb_status make_table(dtb__lems_cell *c, const dtb__spk_pop *p)
{
    const dtb__lems_comptype *t = c->t;
    dtb__ktable *in = &c->inputs;
    dtb__ktable_free(in);
    int ok = dtb__ktable_add(in, "t", DTB__K_TIME, 0) >= 0;
    c->in_param = in->n;
    for (size_t k = 0; ok && k < t->n_params; k++)
        ok = dtb__ktable_add(in, t->params[k].name, DTB__K_PARAM, !p->uniform[k]) >= 0;
    for (size_t k = 0; ok && k < t->n_constants; k++)
        ok = dtb__ktable_add_value(in, t->constants[k].name, DTB__K_CONST,
                                   c->constants ? c->constants[k] : t->constants[k].value) >= 0;
    c->in_state = in->n;
    for (size_t s = 0; ok && s < t->n_state_vars; s++)
        ok = dtb__ktable_add(in, t->state_vars[s].name, DTB__K_STATE, 1) >= 0;
    c->in_syn = in->n;
    for (size_t q = 0; ok && q < c->n_syn; q++)
        ok = dtb__ktable_add(in, t->derived_vars[c->syn_dv[q]].name, DTB__K_INPUT, 1) >= 0;
    c->in_regime = -1;
    if (ok && t->n_regimes)
        ok = (c->in_regime = dtb__ktable_add(in, REGIME_INPUT, DTB__K_REGIME, 1)) >= 0;
    return ok ? DTB_OK : dtb__error(DTB_ENOMEM, "out of memory");
}

/* The type's derived parameters and derived variables, defined in a
 * program being built. */
static dtb_status define_all(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
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
static dtb_status build(dtb__lems_cell *c, lems_prog *out,
                        dtb_status (*add)(dtb__lems_cell *c, dtb__prog_builder *pb))
{
    dtb__prog_builder *pb = dtb__kprog_begin(out, &c->inputs, NULL);
    if (!pb)
        return dtb_last_error_code();
    dtb_status st = define_all(c, pb);
    if (!st)
        st = add(c, pb);
    if (st) {
        dtb__pb_free(pb);
        dtb__kprog_free(out);
        return st;
    }
    return dtb__kprog_finish(out, &c->inputs, pb);
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

typedef struct build_ctx {
    dtb__lems_cell *c;
    dtb__prog_builder *pb;
} build_ctx;

/* An OnCondition: its test and its assignments as outputs. */
/* A handler of regime `regime` (-1: the Dynamics') into (*arr, *n), its
 * assignments as outputs of pb. */
static dtb_status push_handler(const dtb__lems_comptype *t, const dtb__lems_handler *on, long regime,
                               dtb__prog_builder *pb, lems_handler **arr, size_t *n)
{
    lems_handler *grown = dtb__realloc_array(*arr, *n + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    *arr = grown;
    lems_handler *lh = &grown[(*n)++];
    memset(lh, 0, sizeof *lh);
    lh->k.regime = regime;
    lh->k.transition = -1;
    lh->k.n_assigns = on->n_assigns;
    size_t *assign_state = dtb__malloc_array(on->n_assigns + 1, sizeof *assign_state);
    lh->k.assign_state = assign_state;
    lh->assign_out = dtb__malloc_array(on->n_assigns + 1, sizeof *lh->assign_out);
    lh->vals = dtb__malloc_array(on->n_assigns + 1, sizeof *lh->vals);
    if (!assign_state || !lh->assign_out || !lh->vals)
        return DTB_ENOMEM;
    lh->k.vals = lh->vals;
    return add_assignments(t, on, pb, assign_state, lh->assign_out);
}

/* An OnCondition: its test and its assignments as outputs. */
static dtb_status add_handler(const dtb__lems_handler *on, long regime, void *ud)
{
    dtb__lems_cell *c = ((build_ctx *)ud)->c;
    dtb__prog_builder *pb = ((build_ctx *)ud)->pb;
    const dtb__lems_comptype *t = c->t;
    if (on->kind != DTB__LEMS_ON_CONDITION)
        return DTB_OK;
    long transition = -1;
    if (on->transition && (transition = dtb__lems_regime_index(t, on->transition)) < 0)
        return dtb__error(DTB_EPARSE, "%s:%d: Transition to unknown regime '%s'",
                          on->transition_at.file, on->transition_at.line, on->transition);
    int o = dtb__pb_output(pb, on->test, on->test_text);
    if (o < 0)
        return dtb_last_error_code();
    size_t before = c->n_handlers;
    dtb_status st = push_handler(t, on, regime, pb, &c->handlers, &c->n_handlers);
    if (c->n_handlers > before) {
        lems_handler *lh = &c->handlers[before];
        lh->k.transition = transition;
        lh->test_out = (size_t)o;
        lh->spikes = on->n_event_outs > 0;
    }
    return st;
}

/* The OnConditions in LEMS order. */
static dtb_status add_events(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    build_ctx x = {c, pb};
    return dtb__lems_each_handler(c->t, add_handler, &x);
}

static dtb_status add_entries(dtb__lems_cell *c, dtb__prog_builder *pb)
{
    const dtb__lems_comptype *t = c->t;
    dtb_status st = DTB_OK;
    for (size_t r = 0; !st && r < t->n_regimes; r++)
        for (size_t h = 0; !st && h < t->regimes[r].n_handlers; h++)
            if (t->regimes[r].handlers[h].kind == DTB__LEMS_ON_ENTRY)
                st = push_handler(t, &t->regimes[r].handlers[h], (long)r, pb, &c->entries,
                                  &c->n_entries);
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
    c->regime = dtb__malloc_array(n + 1, sizeof *c->regime);
    c->entered = dtb__calloc(n + 1, 1);
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

/* Room for the cells each handler fires for; its values are the program's
 * output arrays. Returns 1 when out of memory. */
static int bind_handlers(dtb__lems_cell *c, lems_handler *h, size_t n_h, size_t n)
{
    for (size_t k = 0; k < n_h; k++) {
        if (!(h[k].k.fired = dtb__malloc_array(n + 1, sizeof *h[k].k.fired)))
            return 1;
        for (size_t a = 0; a < h[k].k.n_assigns; a++)
            h[k].vals[a] = c->outputs[h[k].assign_out[a]];
        h[k].k.vals_compact = 0;
    }
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
    dtb_status st = make_table(c, p);
    if (!st)
        st = build(c, &c->rate, add_rates);
    if (!st)
        st = build(c, &c->events, add_events);
    if (!st)
        st = build(c, &c->start, add_start);
    if (!st)
        st = build(c, &c->entry, add_entries);
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
    lems_prog *progs[] = {&c->rate, &c->events, &c->start, &c->entry};
    for (size_t k = 0; k < sizeof progs / sizeof progs[0]; k++)
        memcpy(progs[k]->outputs, c->outputs, progs[k]->n_outputs * sizeof *c->outputs);
    if (bind_handlers(c, c->handlers, c->n_handlers, (size_t)p->n) ||
        bind_handlers(c, c->entries, c->n_entries, (size_t)p->n))
        return DTB_ENOMEM;
    if (!c->moved && !(c->moved = dtb__malloc_array((size_t)p->n + 1, sizeof *c->moved)))
        return DTB_ENOMEM;
    if (!c->spike_mark && !(c->spike_mark = dtb__calloc((size_t)p->n + 1, 1)))
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

/* Point a program at the population's values. Parameters are read anew
 * each time: a change of value keeps the layout, so no recompiling. */
static void bind(dtb__lems_cell *c, const dtb__spk_pop *p, lems_prog *kp)
{
    const dtb__lems_comptype *t = c->t;
    for (size_t k = 0; k < t->n_params; k++) {
        if (p->uniform[k])
            dtb__kprog_set(kp, c->in_param + k, p->param[k][0]);
        else
            dtb__kprog_bind(kp, c->in_param + k, p->param[k]);
    }
    for (size_t s = 0; s < t->n_state_vars; s++)
        dtb__kprog_bind(kp, c->in_state + s, p->state[s]);
    for (size_t q = 0; q < c->n_syn; q++)
        dtb__kprog_bind(kp, c->in_syn + q, c->isyn);
    if (c->in_regime >= 0)
        dtb__kprog_bind(kp, (size_t)c->in_regime, c->regime);
}

static void eval(dtb__lems_cell *c, const dtb__spk_pop *p, lems_prog *kp, double t)
{
    bind(c, p, kp);
    dtb__kprog_eval(kp, t, (size_t)c->n, NULL, NULL);
}

/* OnStart, once before the first step, for the state variables the user
 * has not set. */
static void apply_start(dtb__lems_cell *c, dtb__spk_pop *p)
{
    eval(c, p, &c->start, 0.0);
    for (size_t k = 0; k < c->start.n_outputs; k++) {
        size_t s = c->start_state[k];
        if (!p->state_set[s])
            memcpy(p->state[s], c->outputs[k], (size_t)p->n * sizeof(double));
    }
}

/* The cells that spiked, ascending: those a handler with an EventOut
 * fired for (n_spiking such handlers fired). */
static size_t spikes(dtb__lems_cell *c, size_t n_spiking, int64_t n, int32_t *spiked)
{
    size_t ns = 0;
    if (n_spiking == 1) {
        for (size_t k = 0; k < c->n_handlers; k++)
            if (c->handlers[k].spikes)
                for (size_t m = 0; m < c->handlers[k].k.n_fired; m++)
                    spiked[ns++] = (int32_t)c->handlers[k].k.fired[m];
        return ns;
    }
    for (size_t k = 0; k < c->n_handlers; k++)
        if (c->handlers[k].spikes)
            for (size_t m = 0; m < c->handlers[k].k.n_fired; m++)
                c->spike_mark[c->handlers[k].k.fired[m]] = 1;
    for (int64_t i = 0; i < n; i++)
        if (c->spike_mark[i]) {
            c->spike_mark[i] = 0;
            spiked[ns++] = (int32_t)i;
        }
    return ns;
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
    eval(c, p, &c->rate, t0);
    for (size_t k = 0; k < c->rate.n_outputs; k++) {
        double *x = p->state[c->rate_state[k]];
        const double *dx = c->outputs[k];
        for (int64_t i = 0; i < n; i++)
            x[i] += dt * dx[i];
    }
    eval(c, p, &c->events, t0 + dt);
    /* Which handlers fire for which cells, all on the values after the
     * step (and in the regimes before the instant); then the assignments
     * in document order; then the transitions. */
    size_t n_spiking = 0;
    for (size_t k = 0; k < c->n_handlers; k++) {
        lems_handler *lh = &c->handlers[k];
        dtb__khandler_select(&lh->k, c->outputs[lh->test_out], NULL, (size_t)n, c->regime);
        n_spiking += lh->spikes && lh->k.n_fired;
    }
    size_t n_moved = 0;
    for (size_t k = 0; k < c->n_handlers; k++) {
        dtb__khandler_assign(&c->handlers[k].k, p->state);
        dtb__khandler_move(&c->handlers[k].k, c->regime, c->entered, c->moved, &n_moved);
    }
    if (n_moved && c->n_entries) {
        /* OnEntry of the regime entered, on the values after the handlers */
        eval(c, p, &c->entry, t0 + dt);
        for (size_t k = 0; k < c->n_entries; k++) {
            dtb__khandler_select_entered(&c->entries[k].k, c->moved, n_moved, c->regime);
            dtb__khandler_assign(&c->entries[k].k, p->state);
        }
    }
    dtb__khandler_unmark(c->entered, c->moved, n_moved);
    return n_spiking ? spikes(c, n_spiking, n, spiked) : 0;
}

/* ---------------------------------------------------------- checkpoints */

/* Whether OnStart ran, and each cell's regime. Checking makes room for
 * the regimes (an initialised array changes nothing one can see). */
void dtb__lems_cell_fields(dtb__ckpt *w, dtb__lems_cell *c, size_t n)
{
    DTB__CKPT_INT(w, "LEMS cell started", c->started, 1);
    if (!dtb__ckpt_take(w, "LEMS regimes", c->regime != NULL, 1))
        return;
    if (dtb__ckpt_checking(w) && ensure_regimes(c, n))
        dtb__ckpt_fail(w, DTB_ENOMEM);
    dtb__ckpt_f64s(w, "LEMS regimes", c->regime, n);
}
