/* libdtb — the registry of built-in spiking cells: the embedded descriptors
 * (builtin/NAME.xml, dtb-cell(5)) read once, and the fast path of each
 * cell chosen.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A descriptor is a LEMS ComponentType (parameters with dimensions,
 * state variables, OnStart, TimeDerivatives, OnCondition handlers) and a
 * <SpikingCell> naming it, with what LEMS has no element for: the unit
 * system of its numbers (voltageUnit, timeUnit, currentUnit: the built-in
 * cells use mV, ms and nA, so capacitances are in nF, conductances in uS,
 * resistances in MOhm), the conductance scale (nS of a synaptic weight in
 * the cell's conductance unit), whether forward Euler is offered, and a
 * spiking region's defaults (<RegionDefaults>).
 *
 * From each the registry makes the cell table the API shows (parameters
 * with their unit attribute and their default from the `defaults`
 * component, converted from SI into the cell's units; the exposed state
 * variables and their OnStart values); the unexposed state variables
 * (a LIF's time of its last spike, an HH cell's spike flag) are the
 * cell's bookkeeping, which the generic path keeps as states and a fast
 * path in its own way. Conversions into the cell's units divide an SI
 * value by a power of ten (a coherent system: every unit differs from SI
 * by one), and a result within two ulps of a number of 15 significant
 * digits is that number, so that "20ms" is 20 exactly in a cell in ms.
 *
 * The fast path registered under the cell's name (spiking_cells.c) is used
 * when the descriptor declares exactly its parameters and exposed states,
 * in order, in mV, ms and nA, with the equations the kernel implements
 * (their digest, lems_digest.c); otherwise, and for cells without one, the
 * generic path (spiking_lems.c) runs the descriptor in the cell's units. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin_cells.h"
#include "lems/lems.h"
#include "spiking.h"

struct dtb__cell_entry {
    const dtb__builtin_cell *builtin;
    dtb__lems_doc doc;                   /* kept: the names below borrow from it */
    const dtb__lems_spiking_cell *sc;
    const dtb__lems_comptype *t;         /* resolved */
    dtb__cell_model model;               /* the cell table (exposed states) */
    const dtb__cell_fast_path *fast;
    char *no_fast;                       /* why a registered fast path does not fit, or NULL */
    dtb__cell_region region;
    /* the generic path's view: every parameter, constant and state */
    int e_v, e_t, e_i;                   /* the cell's units: 10^e_v V, 10^e_t s, 10^e_i A */
    const char *param_units[DTB__CELL_MAX_PARAMS];
    double params[DTB__CELL_MAX_PARAMS];
    double *constants;                   /* [t->n_constants] */
    double state_init[DTB__CELL_MAX_STATES];   /* every state variable */
    dtb__lems_cell_units units;
};

static struct {
    pthread_once_t once;
    dtb__cell_entry *entries;
    size_t n;
    dtb_status status;
    char message[1024];
} reg = {PTHREAD_ONCE_INIT, NULL, 0, DTB_OK, ""};

/* ------------------------------------------------------------- units */

/* 10^e: exact for |e| <= 22 (a product of exact factors, or one
 * correctly rounded division), as the literal 1e<e> is. */
static double p10(int e)
{
    double x = 1.0;
    for (int k = 0; k < (e < 0 ? -e : e); k++)
        x *= 10.0;
    return e < 0 ? 1.0 / x : x;
}

/* The power of ten of a unit of dimension want, or an error naming it. */
static dtb_status unit_exponent(const dtb__lems_doc *doc, const char *symbol, dtb__dim want,
                                const char *attr, int *e)
{
    dtb__unit u;
    if (!dtb__lems_unit_lookup(doc, symbol, &u))
        return dtb__error(DTB_ENOTFOUND, "%s: unknown unit '%s'", attr, symbol);
    if (!dtb__dim_eq(u.dim, want) || u.offset != 0.0)
        return dtb__error(DTB_EPARSE, "%s: '%s' is not a unit of that dimension", attr, symbol);
    int k = (int)lrint(log10(u.scale));
    if (k < -22 || k > 22 || p10(k) != u.scale)
        return dtb__error(DTB_EPARSE, "%s: '%s' is not a power of ten of the SI unit", attr, symbol);
    *e = k;
    return DTB_OK;
}

/* The power of ten of the cell's unit of dimension d: d as
 * voltage^a time^b current^c (mass, length, time, current only, with
 * length^2 per mass, as every electrical quantity). */
static dtb_status dim_exponent(const dtb__cell_entry *c, dtb__dim d, const char *what, int *e)
{
    const int a = d.e[0];
    if (d.e[1] != 2 * a || d.e[4] || d.e[5] || d.e[6])
        return dtb__error(DTB_EUNSUPPORTED, "%s: its dimension is not one of voltage, time and "
                                            "current, the units of the cell", what);
    const int b = d.e[2] + 3 * a, k = d.e[3] + a;
    *e = a * c->e_v + b * c->e_t + k * c->e_i;
    return DTB_OK;
}

/* An SI value in the cell's unit of dimension d. */
static dtb_status to_cell_units(const dtb__cell_entry *c, double si, dtb__dim d, const char *what,
                                double *out)
{
    int e = 0;
    dtb_status st = dim_exponent(c, d, what, &e);
    if (st)
        return st;
    if (e < -22 || e > 22)
        return dtb__error(DTB_EUNSUPPORTED, "%s: unit 10^%d of SI beyond the exact powers of ten",
                          what, e);
    double x = e ? si / p10(e) : si;
    if (e && isfinite(x) && x != 0.0) {
        char text[64];
        snprintf(text, sizeof text, "%.15g", x);
        double r = strtod(text, NULL);
        if (fabs(r - x) <= 2.0 * DBL_EPSILON * fabs(x))
            x = r;
    }
    *out = x;
    return DTB_OK;
}

/* ------------------------------------------------------------ OnStart */

typedef struct start_scope {
    const dtb__cell_entry *c;
    const double *state;          /* values so far (0 before an assignment) */
    int depth;
} start_scope;

static int start_lookup(const char *name, double *value, void *ud)
{
    start_scope *s = ud;
    const dtb__lems_comptype *t = s->c->t;
    long k;
    if ((k = dtb__lems_find_quantity(t->params, t->n_params, name)) >= 0) {
        *value = s->c->params[k];
        return 1;
    }
    for (size_t i = 0; i < t->n_constants; i++)
        if (strcmp(t->constants[i].name, name) == 0) {
            *value = s->c->constants[i];
            return 1;
        }
    if ((k = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, name)) >= 0) {
        *value = s->state[k];
        return 1;
    }
    if (s->depth < 16 && (k = dtb__lems_find_equation(t->derived_params, t->n_derived_params, name)) >= 0) {
        s->depth++;
        int ok = dtb__expr_eval_scalar(t->derived_params[k].value, start_lookup, s, value) == DTB_OK;
        s->depth--;
        return ok;
    }
    if (strcmp(name, "t") == 0) {
        *value = 0.0;
        return 1;
    }
    return 0;
}

/* Every state variable's value after OnStart with the default parameters
 * (assignments in order, each seeing the earlier ones; 0 without one). */
static dtb_status initial_values(dtb__cell_entry *c)
{
    const dtb__lems_comptype *t = c->t;
    for (size_t s = 0; s < t->n_state_vars; s++)
        c->state_init[s] = 0.0;
    start_scope scope = {c, c->state_init, 0};
    for (size_t h = 0; h < t->n_handlers; h++) {
        const dtb__lems_handler *on = &t->handlers[h];
        if (on->kind != DTB__LEMS_ON_START)
            continue;
        for (size_t a = 0; a < on->n_assigns; a++) {
            const dtb__lems_assignment *as = &on->assigns[a];
            long s = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, as->variable);
            double v;
            dtb_status st = s < 0 ? dtb__error(DTB_EPARSE, "'%s' is no state variable", as->variable)
                                  : dtb__expr_eval_scalar(as->value, start_lookup, &scope, &v);
            if (st)
                return dtb__error_context(st, "%s:%d: OnStart of '%s'", as->at.file, as->at.line,
                                          as->variable);
            c->state_init[s] = v;
        }
    }
    return DTB_OK;
}

/* ------------------------------------------------------------ reading */

static long param_index(const dtb__lems_comptype *t, const char *name)
{
    return dtb__lems_find_quantity(t->params, t->n_params, name);
}

static dtb_status read_units(dtb__cell_entry *c)
{
    const dtb__lems_spiking_cell *sc = c->sc;
    static const dtb__dim voltage = {{1, 2, -3, -1, 0, 0, 0}}, time = {{0, 0, 1, 0, 0, 0, 0}},
                          current = {{0, 0, 0, 1, 0, 0, 0}};
    c->e_v = c->e_t = c->e_i = 0;
    if (!sc->voltage_unit)
        return DTB_OK;   /* SI */
    dtb_status st = unit_exponent(&c->doc, sc->voltage_unit, voltage, "voltageUnit", &c->e_v);
    if (!st)
        st = unit_exponent(&c->doc, sc->time_unit, time, "timeUnit", &c->e_t);
    if (!st)
        st = unit_exponent(&c->doc, sc->current_unit, current, "currentUnit", &c->e_i);
    return st;
}

/* Parameters: names, units as shown, defaults in the cell's units. */
static dtb_status read_params(dtb__cell_entry *c)
{
    const dtb__lems_comptype *t = c->t;
    const dtb__lems_component *comp = NULL;
    if (c->sc->head.defaults) {
        comp = dtb__lems_find_component(&c->doc, c->sc->head.defaults);
        if (!comp)
            return dtb__error(DTB_ENOTFOUND, "defaults: no component '%s'", c->sc->head.defaults);
        if (!dtb__lems_type_is(dtb__lems_resolved_type(&c->doc, comp->type), t->name))
            return dtb__error(DTB_EPARSE, "defaults: component '%s' is a '%s', not a '%s'",
                              c->sc->head.defaults, comp->type, t->name);
    }
    if (t->n_params > DTB__CELL_MAX_PARAMS)
        return dtb__error(DTB_EUNSUPPORTED, "%zu parameters (at most %d)", t->n_params,
                          DTB__CELL_MAX_PARAMS);
    for (size_t k = 0; k < t->n_params; k++) {
        const dtb__lems_quantity *q = &t->params[k];
        char what[160];
        snprintf(what, sizeof what, "%s:%d: Parameter '%s'", q->at.file, q->at.line, q->name);
        const char *text = comp ? dtb__lems_component_attr(comp, q->name) : NULL;
        if (!text)
            return dtb__error(DTB_EPARSE, "%s has no default (component '%s' sets none)", what,
                              c->sc->head.defaults ? c->sc->head.defaults : "(none)");
        double si;
        dtb_status st = dtb__lems_quantity_to_si(&c->doc, text, q->dim, 0, 0, what, &si);
        if (!st)
            st = to_cell_units(c, si, q->dim, what, &c->params[k]);
        if (st)
            return st;
        c->param_units[k] = q->unit ? q->unit : (q->dimension ? q->dimension : "none");
        /* a unit attribute that names a unit must be the cell's unit */
        dtb__unit u;
        int e = 0;
        if (q->unit && dtb__lems_unit_lookup(&c->doc, q->unit, &u)
            && (!dtb__dim_eq(u.dim, q->dim) || dim_exponent(c, q->dim, what, &e) || p10(e) != u.scale))
            return dtb__error(DTB_EPARSE, "%s: unit '%s' is not the cell's unit of its dimension",
                              what, q->unit);
    }
    if (t->n_constants && !(c->constants = dtb__malloc_array(t->n_constants, sizeof *c->constants)))
        return DTB_ENOMEM;
    for (size_t k = 0; k < t->n_constants; k++) {
        char what[160];
        snprintf(what, sizeof what, "%s:%d: Constant '%s'", t->constants[k].at.file,
                 t->constants[k].at.line, t->constants[k].name);
        dtb_status st = to_cell_units(c, t->constants[k].value, t->constants[k].dim, what,
                                      &c->constants[k]);
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status read_region(dtb__cell_entry *c)
{
    const dtb__lems_spiking_cell *sc = c->sc;
    dtb__cell_region *r = &c->region;
    memset(r, 0, sizeof *r);
    if (!sc->has_region)
        return DTB_OK;
    r->has = 1;
    r->bias_param = sc->bias_param;
    r->bias = sc->bias;
    r->w_exc = sc->w_exc;
    r->w_inh = sc->w_inh;
    const dtb__lems_where *at = &sc->region_at;
    if (param_index(c->t, r->bias_param) < 0)
        return dtb__error(DTB_EPARSE, "%s:%d: RegionDefaults: '%s' is no parameter of '%s'", at->file,
                          at->line, r->bias_param, c->t->name);
    r->n_sets = sc->n_sets;
    const char **names = dtb__calloc(sc->n_sets + 1, sizeof *names);
    double *values = dtb__calloc(sc->n_sets + 1, sizeof *values);
    if (!names || !values) {
        free(names);
        free(values);
        return DTB_ENOMEM;
    }
    r->set_names = names;
    r->set_values = values;
    for (size_t k = 0; k < sc->n_sets; k++) {
        if (param_index(c->t, sc->sets[k].name) < 0)
            return dtb__error(DTB_EPARSE, "%s:%d: <Set>: '%s' is no parameter of '%s'",
                              sc->sets[k].at.file, sc->sets[k].at.line, sc->sets[k].name,
                              c->t->name);
        names[k] = sc->sets[k].name;
        values[k] = sc->sets[k].value;
    }
    r->draw_state = sc->draw_state;
    r->draw_lo = sc->draw_lo;
    r->draw_hi = sc->draw_hi;
    r->draw_spread = sc->draw_spread;
    if (r->draw_state) {
        int found = 0;
        for (size_t s = 0; s < c->model.n_states; s++)
            found |= strcmp(c->model.states[s], r->draw_state) == 0;
        if (!found)
            return dtb__error(DTB_EPARSE, "%s:%d: <Draw>: '%s' is no exposed state variable of '%s'",
                              at->file, at->line, r->draw_state, c->t->name);
    }
    return DTB_OK;
}

/* The fast path registered under the cell's name, if the descriptor
 * declares what its kernel reads. */
static dtb_status match_fast(dtb__cell_entry *c)
{
    const dtb__cell_fast_path *f = dtb__cell_fast_path_find(c->model.name);
    const dtb__cell_model *m = &c->model;
    c->fast = NULL;
    if (!f)
        return DTB_OK;
    dtb__strbuf why = {0};
    if (c->e_v != -3 || c->e_t != -3 || c->e_i != -9)
        dtb__strbuf_printf(&why, "its units are not mV, ms and nA");
    else if (f->n_params != m->n_params)
        dtb__strbuf_printf(&why, "it declares %zu parameters, the kernel reads %zu", m->n_params,
                           f->n_params);
    else if (f->n_states != m->n_states)
        dtb__strbuf_printf(&why, "it exposes %zu state variables, the kernel keeps %zu", m->n_states,
                           f->n_states);
    for (size_t k = 0; !why.data && k < f->n_params; k++)
        if (strcmp(f->params[k], m->params[k].name) != 0)
            dtb__strbuf_printf(&why, "its parameter %zu is '%s', the kernel's '%s'", k,
                               m->params[k].name, f->params[k]);
    for (size_t s = 0; !why.data && s < f->n_states; s++)
        if (strcmp(f->states[s], m->states[s]) != 0)
            dtb__strbuf_printf(&why, "its state variable %zu is '%s', the kernel's '%s'", s,
                               m->states[s], f->states[s]);
    if (!why.data) {
        char digest[65];
        dtb__lems_dynamics_digest(c->t, digest);
        if (strncmp(digest, f->dynamics, strlen(f->dynamics)) != 0 || strlen(f->dynamics) < 16)
            dtb__strbuf_printf(&why, "its equations are not those the kernel implements (digest "
                                     "%.16s, the kernel's %s)", digest, f->dynamics);
    }
    if (why.data) {
        c->no_fast = why.data;   /* kept for dtb__cell_entry_no_fast (tests) */
        return DTB_OK;
    }
    c->fast = f;
    return DTB_OK;
}

static dtb_status build_model(dtb__cell_entry *c)
{
    const dtb__lems_comptype *t = c->t;
    dtb__cell_model *m = &c->model;
    static const dtb__dim voltage = {{1, 2, -3, -1, 0, 0, 0}};
    static const dtb__dim conductance = {{-1, -2, 3, 2, 0, 0, 0}};
    m->name = c->sc->head.name;
    m->n_params = t->n_params;
    for (size_t k = 0; k < t->n_params; k++)
        m->params[k] = (dtb__cell_param){t->params[k].name, c->param_units[k], c->params[k]};
    if (t->n_state_vars > DTB__CELL_MAX_STATES)
        return dtb__error(DTB_EUNSUPPORTED, "%zu state variables (at most %d)", t->n_state_vars,
                          DTB__CELL_MAX_STATES);
    m->n_states = 0;
    m->v_state = -1;
    for (size_t s = 0; s < t->n_state_vars; s++) {
        if (!t->state_vars[s].exposure)
            continue;   /* bookkeeping of the cell: not in its table */
        if (m->v_state < 0 && dtb__dim_eq(t->state_vars[s].dim, voltage))
            m->v_state = (int)m->n_states;
        m->state_init[m->n_states] = c->state_init[s];
        m->states[m->n_states++] = t->state_vars[s].name;
    }
    if (!m->n_states)
        return dtb__error(DTB_EPARSE, "'%s' exposes no state variable", t->name);
    int e_g;
    dtb_status st = dim_exponent(c, conductance, "conductanceScale", &e_g);
    if (st)
        return st;
    m->conductance_scale = isnan(c->sc->conductance_scale) ? p10(-9 - e_g) : c->sc->conductance_scale;
    m->euler_ok = c->sc->euler;
    m->delta_scale = p10(-3 - c->e_v);   /* 1 mV in the cell's voltage unit */
    st = match_fast(c);
    if (st)
        return st;
    if (c->fast) {
        m->exact_current_input = c->fast->exact_current_input;
        m->prepare = c->fast->prepare;
        m->update = c->fast->update;
    }
    c->units = (dtb__lems_cell_units){.name = m->name,
                                      .h_to_dt = p10(-3 - c->e_t),
                                      .t_scale = p10(-c->e_t),
                                      .i_scale = p10(-9 - c->e_i),
                                      .v_scale = p10(c->e_v + 3),
                                      .conductance_scale = m->conductance_scale,
                                      .euler_ok = m->euler_ok,
                                      .param_units = c->param_units,
                                      .params = c->params,
                                      .constants = c->constants,
                                      .state_init = c->state_init};
    return DTB_OK;
}

static dtb_status read_entry(dtb__cell_entry *c, const dtb__builtin_cell *b)
{
    char source[128];
    snprintf(source, sizeof source, "builtin:%s.xml", b->name);
    c->builtin = b;
    dtb_status st = dtb__lems_read_memory(&c->doc, b->xml, b->len, source, NULL);
    if (st)
        return st;
    for (size_t i = 0; i < c->doc.n_spiking_cells; i++)
        if (strcmp(c->doc.spiking_cells[i].head.name, b->name) == 0)
            c->sc = &c->doc.spiking_cells[i];
    if (!c->sc)
        return dtb__error(DTB_EPARSE, "%s: no SpikingCell named '%s'", source, b->name);
    c->t = dtb__lems_resolved_type(&c->doc, c->sc->head.type);
    if (!c->t)
        return dtb__error(DTB_EPARSE, "%s:%d: SpikingCell '%s': no ComponentType '%s'",
                          c->sc->head.at.file, c->sc->head.at.line, b->name, c->sc->head.type);
    if (c->t->defect)
        return dtb__error(c->t->defect_code, "%s: ComponentType '%s': %s", source, c->t->name,
                          c->t->defect);
    st = read_units(c);
    if (!st)
        st = read_params(c);
    if (!st)
        st = initial_values(c);
    if (!st)
        st = build_model(c);
    if (!st)
        st = read_region(c);
    if (st)
        return dtb__error_context(st, "built-in cell '%s' (%s)", b->name, source);
    return DTB_OK;
}

static void read_all(void)
{
    reg.entries = dtb__calloc(dtb__n_builtin_cells + 1, sizeof *reg.entries);
    dtb_status st = reg.entries ? DTB_OK : DTB_ENOMEM;
    for (size_t i = 0; !st && i < dtb__n_builtin_cells; i++) {
        st = read_entry(&reg.entries[i], &dtb__builtin_cells[i]);
        if (!st)
            reg.n = i + 1;
    }
    if (st) {
        reg.status = st;
        snprintf(reg.message, sizeof reg.message, "%s", dtb_last_error_message());
        reg.n = 0;   /* a broken registry has no cells (the entries stay, unreachable by lookups) */
    }
}

static int ready(void)
{
    pthread_once(&reg.once, read_all);
    return reg.status == DTB_OK;
}

/* ------------------------------------------------------------- lookups */

dtb_status dtb__cell_registry_status(void)
{
    if (ready())
        return DTB_OK;
    return dtb__error(reg.status, "the built-in spiking cells cannot be read: %s", reg.message);
}

size_t dtb__cell_count(void) { return ready() ? reg.n : 0; }

const dtb__cell_entry *dtb__cell_at(size_t index)
{
    return ready() && index < reg.n ? &reg.entries[index] : NULL;
}

const dtb__cell_entry *dtb__cell_find(const char *name)
{
    for (size_t i = 0; name && ready() && i < reg.n; i++)
        if (strcmp(reg.entries[i].model.name, name) == 0)
            return &reg.entries[i];
    return NULL;
}

const dtb__cell_model *dtb__cell_entry_model(const dtb__cell_entry *e) { return &e->model; }
const dtb__cell_fast_path *dtb__cell_entry_fast(const dtb__cell_entry *e) { return e->fast; }
const dtb__cell_region *dtb__cell_entry_region(const dtb__cell_entry *e) { return &e->region; }
const char *dtb__cell_entry_no_fast(const dtb__cell_entry *e) { return e->no_fast; }

const dtb__cell_model *dtb__cell_model_find(const char *name)
{
    const dtb__cell_entry *e = dtb__cell_find(name);
    return e ? &e->model : NULL;
}

void dtb__cell_names(dtb__strbuf *b, int region_only)
{
    int first = 1;
    for (size_t i = 0; i < dtb__cell_count(); i++) {
        if (region_only && !reg.entries[i].region.has)
            continue;
        dtb__strbuf_printf(b, "%s%s", first ? "" : ", ", reg.entries[i].model.name);
        first = 0;
    }
}

dtb_status dtb__cell_load_generic(const dtb__cell_entry *e, dtb__lems_cell **out)
{
    *out = NULL;
    char source[128];
    snprintf(source, sizeof source, "builtin:%s.xml", e->builtin->name);
    dtb__lems_doc doc;
    dtb_status st = dtb__lems_read_memory(&doc, e->builtin->xml, e->builtin->len, source, NULL);
    if (st)
        return st;
    return dtb__lems_cell_adopt(&doc, e->sc->head.type, &e->units, out);
}

/* A descriptor read from text instead of the embedded one (tests: a
 * perturbed copy must not take the fast path). The entry is the caller's
 * to free with dtb__cell_entry_free. */
dtb_status dtb__cell_entry_from_text(const char *name, const char *xml, size_t len,
                                     dtb__cell_entry **out)
{
    *out = NULL;
    dtb__cell_entry *c = dtb__calloc(1, sizeof *c);
    dtb__builtin_cell *b = dtb__calloc(1, sizeof *b);
    char *n = dtb__strdup(name);
    char *x = dtb__strndup(xml, len);
    if (!c || !b || !n || !x) {
        free(c);
        free(b);
        free(n);
        free(x);
        return DTB_ENOMEM;
    }
    *b = (dtb__builtin_cell){n, x, len};
    dtb_status st = read_entry(c, b);
    if (st) {
        dtb__cell_entry_free(c);
        return st;
    }
    *out = c;
    return DTB_OK;
}

void dtb__cell_entry_free(dtb__cell_entry *c)
{
    if (!c)
        return;
    dtb__lems_doc_free(&c->doc);
    free(c->no_fast);
    free(c->constants);
    free((void *)c->region.set_names);
    free((void *)c->region.set_values);
    if (c->builtin) {
        free((void *)c->builtin->name);
        free((void *)c->builtin->xml);
        free((void *)c->builtin);
    }
    free(c);
}
