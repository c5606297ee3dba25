/* libdtb — dimensional analysis of LEMS expressions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rules (those jLEMS applies, stated here because LEMS does not write them
 * down): + - and comparisons need equal dimensions; * and / combine them;
 * x^k needs a constant k unless x is dimensionless; exp log sin cos tan
 * sinh cosh tanh factorial take and give dimensionless numbers; sqrt halves
 * even exponents; abs ceil floor random keep the dimension; H(x) accepts
 * any x and gives a dimensionless 0, 0.5 or 1. Literal numbers are
 * dimensionless, except 0, which fits anything ("0 - v", "0 * SEC"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "expr/expr_private.h"
#include "lems_dims.h"

void dtb__lems_dim_describe(const dtb__lems_doc *doc, dtb__dim d, char *buf, size_t size)
{
    char exps[64];
    dtb__dim_format(d, exps, sizeof exps);
    if (dtb__dim_is_none(d)) {
        snprintf(buf, size, "none");
        return;
    }
    for (size_t i = 0; doc && i < doc->n_dims; i++)
        if (dtb__dim_eq(doc->dims[i].dim, d)) {
            snprintf(buf, size, "%s (%s)", doc->dims[i].name, exps);
            return;
        }
    snprintf(buf, size, "%s", exps);
}

typedef struct dim_ctx {
    const dtb__lems_doc *doc;
    dtb__dim_lookup lookup;
    void *ud;
} dim_ctx;

static dtb_status mismatch(const dim_ctx *c, const dtb__expr *e, const char *what, dtb__dim a, dtb__dim b)
{
    char da[128], db[128];
    dtb__lems_dim_describe(c->doc, a, da, sizeof da);
    dtb__lems_dim_describe(c->doc, b, db, sizeof db);
    char *text = dtb__expr_to_text(e);
    dtb_status st = dtb__error(DTB_EPARSE, "%s %s and %s in '%s'", what, da, db, text ? text : "?");
    free(text);
    return st;
}

static dtb_status needs_none(const dim_ctx *c, const dtb__expr *e, const char *what, dtb__dimval v)
{
    if (v.any || dtb__dim_is_none(v.dim))
        return DTB_OK;
    char d[128];
    dtb__lems_dim_describe(c->doc, v.dim, d, sizeof d);
    char *text = dtb__expr_to_text(e);
    dtb_status st = dtb__error(DTB_EPARSE, "%s needs a dimensionless argument, not %s, in '%s'", what,
                               d, text ? text : "?");
    free(text);
    return st;
}

static int same(dtb__dimval a, dtb__dimval b) { return a.any || b.any || dtb__dim_eq(a.dim, b.dim); }

/* The dimension shared by two operands that must agree. */
static dtb__dimval joint(dtb__dimval a, dtb__dimval b)
{
    dtb__dimval r = a.any ? b : a;
    r.any = a.any && b.any;
    r.boolean = 0;
    r.is_const = 0;
    return r;
}

static dtb_status infer(const dim_ctx *c, const dtb__expr *e, int depth, dtb__dimval *out);

static dtb_status infer_call(const dim_ctx *c, const dtb__expr *e, dtb__dimval a, dtb__dimval *out)
{
    const char *fname = dtb__ex_func_name(e->func);
    dtb__dimval r = {DTB__DIM_NONE, 0, 0, 0, 0};
    switch (e->func) {
    case DTB__FN_ABS: case DTB__FN_CEIL: case DTB__FN_FLOOR: case DTB__FN_RANDOM:
        r = a;
        r.boolean = 0;
        r.is_const = 0;
        break;
    case DTB__FN_H:
        break;
    case DTB__FN_SQRT:
        if (!a.any) {
            for (int i = 0; i < 7; i++) {
                if (a.dim.e[i] % 2)
                    return needs_none(c, e, "sqrt() of a dimension with odd exponents", a);
                r.dim.e[i] = (int8_t)(a.dim.e[i] / 2);
            }
        }
        r.any = a.any;
        break;
    default: {
        dtb_status st = needs_none(c, e, fname, a);
        if (st)
            return st;
        break;
    }
    }
    *out = r;
    return DTB_OK;
}

static dtb_status infer_binary(const dim_ctx *c, const dtb__expr *e, dtb__dimval a, dtb__dimval b,
                               dtb__dimval *out)
{
    dtb__dimval r = {DTB__DIM_NONE, 0, 0, 0, 0};
    switch (e->kind) {
    case DTB__EX_ADD: case DTB__EX_SUB:
        if (!same(a, b))
            return mismatch(c, e, e->kind == DTB__EX_ADD ? "cannot add" : "cannot subtract", a.dim, b.dim);
        r = joint(a, b);
        break;
    case DTB__EX_MUL: case DTB__EX_DIV:
        r.dim = e->kind == DTB__EX_MUL ? dtb__dim_mul(a.dim, b.dim) : dtb__dim_div(a.dim, b.dim);
        /* 0 * x is 0 of any dimension; x * y with x of any dimension too. */
        r.any = a.any || b.any;
        break;
    case DTB__EX_POW: {
        dtb_status st = needs_none(c, e, "an exponent", b);
        if (st)
            return st;
        if (a.any || dtb__dim_is_none(a.dim)) {
            r.any = a.any;
            break;
        }
        if (!b.is_const || b.value != floor(b.value) || fabs(b.value) > 16) {
            char d[128];
            dtb__lems_dim_describe(c->doc, a.dim, d, sizeof d);
            char *text = dtb__expr_to_text(e);
            st = dtb__error(DTB_EPARSE, "a base of dimension %s needs a constant integer exponent "
                                        "in '%s'", d, text ? text : "?");
            free(text);
            return st;
        }
        for (int i = 0; i < 7; i++)
            r.dim.e[i] = (int8_t)(a.dim.e[i] * (int)b.value);
        break;
    }
    case DTB__EX_GT: case DTB__EX_LT: case DTB__EX_GE: case DTB__EX_LE: case DTB__EX_EQ: case DTB__EX_NE:
        if (!same(a, b))
            return mismatch(c, e, "cannot compare", a.dim, b.dim);
        r.boolean = 1;
        break;
    case DTB__EX_AND: case DTB__EX_OR:
        r.boolean = 1;
        break;
    default:
        break;
    }
    if (a.is_const && b.is_const && e->kind != DTB__EX_POW) {
        r.is_const = 1;
        switch (e->kind) {
        case DTB__EX_ADD: r.value = a.value + b.value; break;
        case DTB__EX_SUB: r.value = a.value - b.value; break;
        case DTB__EX_MUL: r.value = a.value * b.value; break;
        case DTB__EX_DIV: r.value = a.value / b.value; break;
        default: r.is_const = 0; break;
        }
    }
    *out = r;
    return DTB_OK;
}

static dtb_status infer(const dim_ctx *c, const dtb__expr *e, int depth, dtb__dimval *out)
{
    if (depth > 4 * DTB__EXPR_MAX_DEPTH)
        return dtb__error(DTB_EPARSE, "expression nested too deeply");
    dtb__dimval a = {DTB__DIM_NONE, 0, 0, 0, 0}, b = a, cond = a;
    dtb_status st = DTB_OK;
    switch (e->kind) {
    case DTB__EX_NUM:
        *out = (dtb__dimval){DTB__DIM_NONE, e->num == 0.0 || isnan(e->num), 0, 1, e->num};
        return DTB_OK;
    case DTB__EX_SYM:
        if (!c->lookup(e->name, out, c->ud))
            return dtb__error(DTB_ENOTFOUND, "'%s' is not defined", e->name);
        return DTB_OK;
    case DTB__EX_NEG:
        st = infer(c, e->a, depth + 1, &a);
        if (!st) {
            *out = a;
            out->value = -a.value;
        }
        return st;
    case DTB__EX_CALL:
        st = infer(c, e->a, depth + 1, &a);
        return st ? st : infer_call(c, e, a, out);
    case DTB__EX_SELECT:
        st = infer(c, e->c, depth + 1, &cond);
        if (!st)
            st = infer(c, e->a, depth + 1, &a);
        if (!st)
            st = infer(c, e->b, depth + 1, &b);
        if (!st && !same(a, b))
            st = mismatch(c, e, "the cases give", a.dim, b.dim);
        if (!st)
            *out = joint(a, b);
        return st;
    default:
        st = infer(c, e->a, depth + 1, &a);
        if (!st)
            st = infer(c, e->b, depth + 1, &b);
        return st ? st : infer_binary(c, e, a, b, out);
    }
}

dtb_status dtb__lems_expr_dim(const dtb__lems_doc *doc, const dtb__expr *e, dtb__dim_lookup lookup,
                              void *ud, dtb__dimval *out)
{
    dim_ctx c = {doc, lookup, ud};
    return infer(&c, e, 0, out);
}
