/* libdtb — gate rates defined in LEMS ComponentTypes (mcell_lems_rate.h).
 * A ComponentType extending baseVoltageDepRate (or baseHHRate, whose rate,
 * midpoint and scale become Parameters) may declare Constants,
 * Parameters, DerivedVariables with a value and ConditionalDerivedVariables;
 * it must define r (x for a steady state, t for a time course). The
 * program's vector input is v, its scalar inputs the Constants and
 * Parameters, its output r (x, t). What else a ComponentType
 * may hold (Requirements on other quantities, StateVariables, selects,
 * children) is refused: a rate is a function of v.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/units.h"
#include "expr/expr.h"
#include "mcell_lems_rate.h"
#include "mcell_xml.h"

#define MAX_SYMBOLS 64

struct dtb__mc_lems_rate {
    dtb__prog *prog;
    dtb__prog_scratch *scratch;
    double scalars[MAX_SYMBOLS];
};

int dtb__mc_rate_type_role(xmlNodePtr ct)
{
    static const struct {
        const char *base;
        int role;
    } bases[] = {{"baseVoltageDepRate", 'r'}, {"baseHHRate", 'r'}, {"baseVoltageDepVariable", 'x'},
                 {"baseHHVariable", 'x'}, {"baseVoltageDepTime", 't'}};
    xmlChar *ext = xmlGetProp(ct, (const xmlChar *)"extends");
    int role = 0;
    for (size_t k = 0; ext && k < sizeof bases / sizeof bases[0]; k++)
        if (strcmp((const char *)ext, bases[k].base) == 0)
            role = bases[k].role;
    xmlFree(ext);
    return role;
}

/* A LEMS quantity "1ms", "-40 mV", "0.1" in SI. */
static dtb_status si_value(const char *file, xmlNodePtr n, const char *text, double *out)
{
    double number;
    const char *unit;
    if (!text || !dtb__quantity_split(text, &number, &unit) || !isfinite(number))
        return dtb__mc_error_at(DTB_EPARSE, file, n, "'%s' is not a quantity", text ? text : "");
    if (!*unit) {
        *out = number;
        return DTB_OK;
    }
    const dtb__unit *u = dtb__unit_builtin(unit);
    if (!u)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "'%s': unknown unit '%s'", text, unit);
    *out = number * u->scale + u->offset;
    return DTB_OK;
}

typedef struct builder {
    dtb__prog_builder *pb;
    dtb__mc_lems_rate *r;
    int n_scalars;
    const char *file;
} builder;

static dtb_status add_scalar(builder *b, xmlNodePtr n, const char *name, double value)
{
    if (b->n_scalars == MAX_SYMBOLS)
        return dtb__mc_error_at(DTB_EUNSUPPORTED, b->file, n, "more than %d constants and "
                                "parameters", MAX_SYMBOLS);
    int slot = dtb__pb_scalar_input(b->pb, name);
    if (slot < 0)
        return dtb__mc_error_at(DTB_EPARSE, b->file, n, "'%s' is declared twice", name);
    b->r->scalars[slot] = value;
    b->n_scalars++;
    return DTB_OK;
}

static dtb_status parse_at(builder *b, xmlNodePtr n, const char *text, dtb__expr **out)
{
    if (!text)
        return dtb__mc_error_at(DTB_EPARSE, b->file, n, "needs a value");
    dtb_status st = dtb__expr_parse(text, out);
    if (st)
        return dtb__mc_error_at(st, b->file, n, "%s", dtb_last_error_message());
    return DTB_OK;
}

static char *attr(xmlNodePtr n, const char *name)
{
    int oom = 0;
    return dtb__mc_attr(n, name, &oom);
}

/* A ConditionalDerivedVariable: c1 ? v1 : (c2 ? v2 : ... default, or NaN). */
static dtb_status conditional(builder *b, xmlNodePtr n, dtb__expr **out)
{
    xmlNodePtr cases[32];
    size_t n_cases = 0;
    xmlNodePtr fallback = NULL;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!dtb__mc_is(c, "Case"))
            return dtb__mc_error_at(DTB_EPARSE, b->file, c, "only <Case> may appear here");
        if (!xmlHasProp(c, (const xmlChar *)"condition"))
            fallback = c;
        else if (n_cases < 32)
            cases[n_cases++] = c;
        else
            return dtb__mc_error_at(DTB_EUNSUPPORTED, b->file, c, "too many <Case>s");
    }
    dtb__expr *chain = NULL;
    dtb_status st = DTB_OK;
    if (fallback) {
        char *v = attr(fallback, "value");
        st = parse_at(b, fallback, v, &chain);
        free(v);
    } else {
        chain = dtb__expr_num(NAN);
    }
    for (size_t i = n_cases; !st && i-- > 0;) {
        char *cs = attr(cases[i], "condition"), *vs = attr(cases[i], "value");
        dtb__expr *cond = NULL, *val = NULL;
        st = parse_at(b, cases[i], cs, &cond);
        if (!st)
            st = parse_at(b, cases[i], vs, &val);
        free(cs);
        free(vs);
        if (st) {
            dtb__expr_free(cond);
            dtb__expr_free(val);
            break;
        }
        chain = dtb__expr_select(cond, val, chain);
        if (!chain)
            st = DTB_ENOMEM;
    }
    if (st) {
        dtb__expr_free(chain);
        return st;
    }
    *out = chain;
    return DTB_OK;
}

/* The Dynamics' variables, defined in an order where each refers only to
 * what is already defined (LEMS does not order them): passes until none
 * is left, or none can be defined (an unknown symbol or a cycle). */
static dtb_status define_variables(builder *b, xmlNodePtr dyn, const char *exposed, int *have)
{
    xmlNodePtr vars[MAX_SYMBOLS];
    dtb__expr *exprs[MAX_SYMBOLS];
    size_t n = 0;
    dtb_status st = DTB_OK;
    for (xmlNodePtr c = dyn->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int plain = dtb__mc_is(c, "DerivedVariable"), cond = dtb__mc_is(c, "ConditionalDerivedVariable");
        if (!plain && !cond) {
            st = dtb__mc_error_at(DTB_EUNSUPPORTED, b->file, c, "a rate's Dynamics may hold only "
                                  "DerivedVariables and ConditionalDerivedVariables");
            break;
        }
        if (n == MAX_SYMBOLS) {
            st = dtb__mc_error_at(DTB_EUNSUPPORTED, b->file, c, "too many variables");
            break;
        }
        exprs[n] = NULL;
        if (plain) {
            char *v = attr(c, "value");
            st = v ? parse_at(b, c, v, &exprs[n])
                   : dtb__mc_error_at(DTB_EUNSUPPORTED, b->file, c, "needs a value (select is "
                                      "not supported in a rate)");
            free(v);
        } else {
            st = conditional(b, c, &exprs[n]);
        }
        vars[n++] = c;
    }
    size_t left = st ? 0 : n;
    while (!st && left) {
        size_t before = left;
        for (size_t i = 0; i < n; i++) {
            if (!exprs[i])
                continue;
            char *name = attr(vars[i], "name");
            if (!name) {
                st = dtb__mc_error_at(DTB_EPARSE, b->file, vars[i], "needs a name");
                break;
            }
            dtb_status d = dtb__pb_define(b->pb, name, exprs[i], name);
            if (d == DTB_OK) {
                *have |= strcmp(name, exposed) == 0;
                dtb__expr_free(exprs[i]);
                exprs[i] = NULL;
                left--;
            } else if (d != DTB_ENOTFOUND) {
                st = dtb__mc_error_at(d, b->file, vars[i], "%s", dtb_last_error_message());
            }   /* DTB_ENOTFOUND: it uses one not defined yet; a later pass */
            free(name);
            if (st)
                break;
        }
        if (!st && left == before) {
            for (size_t i = 0; i < n; i++)
                if (exprs[i]) {
                    /* define it once more for the message naming the symbol */
                    char *name = attr(vars[i], "name");
                    dtb__pb_define(b->pb, name ? name : "?", exprs[i], name ? name : "?");
                    free(name);
                    st = dtb__mc_error_at(DTB_ENOTFOUND, b->file, vars[i], "%s (or a cycle of "
                                          "variables)", dtb_last_error_message());
                    break;
                }
        }
    }
    for (size_t i = 0; i < n; i++)
        dtb__expr_free(exprs[i]);
    return st;
}

static dtb_status compile(builder *b, const dtb__mc_rate_type *t, xmlNodePtr rate)
{
    xmlNodePtr ct = t->node;
    int hh = 0;
    {
        xmlChar *ext = xmlGetProp(ct, (const xmlChar *)"extends");
        hh = ext && (strcmp((const char *)ext, "baseHHRate") == 0 ||
                     strcmp((const char *)ext, "baseHHVariable") == 0);
        xmlFree(ext);
    }
    if (dtb__pb_vector_input(b->pb, "v") < 0)
        return DTB_ENOMEM;
    static const char *const hh_params[] = {"rate", "midpoint", "scale"};
    dtb_status st = DTB_OK;
    for (size_t k = 0; hh && !st && k < 3; k++) {
        char *text = attr(rate, hh_params[k]);
        double v = 0;
        st = text ? si_value(b->file, rate, text, &v)
                  : dtb__mc_error_at(DTB_EPARSE, b->file, rate, "needs '%s' (type %s extends "
                                     "baseHHRate or baseHHVariable)", hh_params[k], t->name);
        free(text);
        if (!st)
            st = add_scalar(b, rate, hh_params[k], v);
    }
    xmlNodePtr dyn = NULL;
    for (xmlNodePtr c = ct->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || dtb__mc_is(c, "notes"))
            continue;
        if (dtb__mc_is(c, "Constant")) {
            char *name = attr(c, "name"), *value = attr(c, "value");
            double v = 0;
            st = name ? si_value(t->file, c, value, &v)
                      : dtb__mc_error_at(DTB_EPARSE, t->file, c, "needs a name");
            if (!st)
                st = add_scalar(b, c, name, v);
            free(name);
            free(value);
        } else if (dtb__mc_is(c, "Parameter")) {
            char *name = attr(c, "name");
            char *text = name ? attr(rate, name) : NULL;
            double v = 0;
            if (!name)
                st = dtb__mc_error_at(DTB_EPARSE, t->file, c, "needs a name");
            else if (!text)
                st = dtb__mc_error_at(DTB_EPARSE, b->file, rate, "needs the parameter '%s' of "
                                      "type %s", name, t->name);
            else
                st = si_value(b->file, rate, text, &v);
            if (!st)
                st = add_scalar(b, c, name, v);
            free(name);
            free(text);
        } else if (dtb__mc_is(c, "Dynamics")) {
            dyn = c;
        } else if (!dtb__mc_is(c, "Exposure") && !dtb__mc_is(c, "Requirement")) {
            st = dtb__mc_error_at(DTB_EUNSUPPORTED, t->file, c, "not supported in a rate "
                                  "ComponentType (a function of v)");
        } else if (dtb__mc_is(c, "Requirement")) {
            char *name = attr(c, "name");
            if (!name || strcmp(name, "v") != 0)
                st = dtb__mc_error_at(DTB_EUNSUPPORTED, t->file, c, "a rate may require only v");
            free(name);
        }
    }
    if (st)
        return st;
    if (!dyn)
        return dtb__mc_error_at(DTB_EPARSE, t->file, ct, "needs <Dynamics> giving r");
    char exposed[2] = {(char)dtb__mc_rate_type_role(ct), 0};
    int have = 0;
    st = define_variables(b, dyn, exposed, &have);
    if (!st && !have)
        st = dtb__mc_error_at(DTB_EPARSE, t->file, ct, "does not define %s", exposed);
    if (!st && dtb__pb_output_name(b->pb, exposed, exposed) < 0)
        st = DTB_ENOMEM;
    return st;
}

dtb_status dtb__mc_lems_rate_compile(const dtb__mc_rate_type *t, const char *file, xmlNodePtr rate,
                                     dtb__mc_lems_rate **out)
{
    *out = NULL;
    dtb__mc_lems_rate *r = dtb__calloc(1, sizeof *r);
    builder b = {.pb = dtb__pb_new(), .r = r, .file = file};
    if (!r || !b.pb) {
        free(r);
        dtb__pb_free(b.pb);
        return DTB_ENOMEM;
    }
    dtb_status st = compile(&b, t, rate);
    if (!st)
        st = dtb__pb_finish(b.pb, &r->prog);
    dtb__pb_free(b.pb);
    if (!st && dtb__prog_uses_random(r->prog))
        st = dtb__mc_error_at(DTB_EUNSUPPORTED, t->file, t->node, "random() in a rate");
    if (!st && !(r->scratch = dtb__prog_scratch_new(r->prog)))
        st = DTB_ENOMEM;
    if (st) {
        dtb__mc_lems_rate_free(r);
        return st;
    }
    *out = r;
    return DTB_OK;
}

void dtb__mc_lems_rate_free(dtb__mc_lems_rate *r)
{
    if (!r)
        return;
    dtb__prog_scratch_free(r->scratch);
    dtb__prog_free(r->prog);
    free(r);
}

void dtb__mc_lems_rate_eval(dtb__mc_lems_rate *r, size_t n, const double *v, double *out)
{
    const double *vectors[1] = {v};
    double *outputs[1] = {out};
    dtb__prog_env env = {.scalars = r->scalars, .vectors = vectors, .outputs = outputs, .n = n};
    dtb__prog_eval(r->prog, &env, r->scratch);
}
