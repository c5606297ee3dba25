/* libdtb — symbolic derivatives of expression trees (expr.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The usual rules, applied to the tree, with the caller deciding what each
 * symbol's derivative is (a number, or a symbol naming a derivative it
 * defines: that is how derived variables chain). The result is simplified
 * as it is built — zeros and ones vanish, numbers fold — so that a
 * Jacobian entry of a variable the equation does not read is the number 0,
 * not a tree of zeros. The folding treats 0 * x as 0 even where x would be
 * infinite or NaN, as every symbolic differentiator does.
 *
 * Piecewise-constant operators (comparisons, .and., .or., H, ceil, floor)
 * have derivative 0 where they are differentiable; abs(a) has sign(a) da;
 * a select c ? a : b has c ? da : db. random() and factorial() have none:
 * DTB_EUNSUPPORTED naming them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "expr_math.h"
#include "expr_private.h"

static int is_num(const dtb__expr *e, double v) { return e && e->kind == DTB__EX_NUM && e->num == v; }
static int is_const(const dtb__expr *e) { return e && e->kind == DTB__EX_NUM; }

static dtb__expr *fold(dtb__ex_kind kind, dtb__expr *a, dtb__expr *b)
{
    double x = a->num, y = b->num, v;
    switch (kind) {
    case DTB__EX_ADD: v = x + y; break;
    case DTB__EX_SUB: v = x - y; break;
    case DTB__EX_MUL: v = x * y; break;
    case DTB__EX_DIV: v = x / y; break;
    default: v = dtb__ex_pow(x, y); break;
    }
    dtb__expr_free(a);
    dtb__expr_free(b);
    return dtb__expr_num(v);
}

/* Simplifying constructors: own their operands, NULL propagates. */
static dtb__expr *neg(dtb__expr *a)
{
    if (a && a->kind == DTB__EX_NUM) {
        a->num = -a->num;
        return a;
    }
    return dtb__expr_unary(DTB__EX_NEG, a);
}

static dtb__expr *add(dtb__expr *a, dtb__expr *b)
{
    if (!a || !b) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return NULL;
    }
    if (is_num(a, 0.0)) {
        dtb__expr_free(a);
        return b;
    }
    if (is_num(b, 0.0)) {
        dtb__expr_free(b);
        return a;
    }
    return is_const(a) && is_const(b) ? fold(DTB__EX_ADD, a, b) : dtb__expr_binary(DTB__EX_ADD, a, b);
}

static dtb__expr *sub(dtb__expr *a, dtb__expr *b)
{
    if (!a || !b) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return NULL;
    }
    if (is_num(b, 0.0)) {
        dtb__expr_free(b);
        return a;
    }
    if (is_num(a, 0.0)) {
        dtb__expr_free(a);
        return neg(b);
    }
    return is_const(a) && is_const(b) ? fold(DTB__EX_SUB, a, b) : dtb__expr_binary(DTB__EX_SUB, a, b);
}

static dtb__expr *mul(dtb__expr *a, dtb__expr *b)
{
    if (!a || !b) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return NULL;
    }
    if (is_num(a, 0.0) || is_num(b, 0.0)) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return dtb__expr_num(0.0);
    }
    if (is_num(a, 1.0)) {
        dtb__expr_free(a);
        return b;
    }
    if (is_num(b, 1.0)) {
        dtb__expr_free(b);
        return a;
    }
    return is_const(a) && is_const(b) ? fold(DTB__EX_MUL, a, b) : dtb__expr_binary(DTB__EX_MUL, a, b);
}

static dtb__expr *divide(dtb__expr *a, dtb__expr *b)
{
    if (!a || !b) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return NULL;
    }
    if (is_num(a, 0.0)) {
        dtb__expr_free(b);
        return a;
    }
    if (is_num(b, 1.0)) {
        dtb__expr_free(b);
        return a;
    }
    return is_const(a) && is_const(b) ? fold(DTB__EX_DIV, a, b) : dtb__expr_binary(DTB__EX_DIV, a, b);
}

static dtb__expr *power(dtb__expr *a, dtb__expr *b)
{
    if (!a || !b) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return NULL;
    }
    if (is_num(b, 1.0)) {
        dtb__expr_free(b);
        return a;
    }
    if (is_num(b, 0.0)) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        return dtb__expr_num(1.0);
    }
    return is_const(a) && is_const(b) ? fold(DTB__EX_POW, a, b) : dtb__expr_binary(DTB__EX_POW, a, b);
}

static dtb__expr *call(dtb__ex_func f, dtb__expr *a)
{
    return dtb__expr_call(f, a);
}

static dtb__expr *clone(const dtb__expr *e) { return dtb__expr_clone(e); }

typedef struct diff_ctx {
    dtb__expr *(*dsym)(const char *name, void *ud);
    void *ud;
} diff_ctx;

static dtb__expr *diff(const dtb__expr *e, const diff_ctx *x);

/* d f(a) = f'(a) da */
static dtb__expr *chain(dtb__expr *outer, const dtb__expr *a, const diff_ctx *x)
{
    return mul(outer, diff(a, x));
}

static dtb__expr *diff_call(const dtb__expr *e, const diff_ctx *x)
{
    const dtb__expr *a = e->a;
    switch (e->func) {
    case DTB__FN_EXP: return chain(call(DTB__FN_EXP, clone(a)), a, x);
    case DTB__FN_LOG: return divide(diff(a, x), clone(a));
    case DTB__FN_SQRT:
        return divide(diff(a, x), mul(dtb__expr_num(2.0), call(DTB__FN_SQRT, clone(a))));
    case DTB__FN_SIN: return chain(call(DTB__FN_COS, clone(a)), a, x);
    case DTB__FN_COS: return chain(neg(call(DTB__FN_SIN, clone(a))), a, x);
    case DTB__FN_TAN:
        return divide(diff(a, x), power(call(DTB__FN_COS, clone(a)), dtb__expr_num(2.0)));
    case DTB__FN_SINH: return chain(call(DTB__FN_COSH, clone(a)), a, x);
    case DTB__FN_COSH: return chain(call(DTB__FN_SINH, clone(a)), a, x);
    case DTB__FN_TANH:
        return chain(sub(dtb__expr_num(1.0), power(call(DTB__FN_TANH, clone(a)), dtb__expr_num(2.0))), a,
                     x);
    case DTB__FN_ABS:
        /* sign(a) = H(a) - H(-a): 1, -1, or 0 at 0 */
        return chain(sub(call(DTB__FN_H, clone(a)), call(DTB__FN_H, neg(clone(a)))), a, x);
    case DTB__FN_CEIL:
    case DTB__FN_FLOOR:
    case DTB__FN_H: return dtb__expr_num(0.0);
    default:
        dtb__error(DTB_EUNSUPPORTED, "%s() has no derivative", dtb__ex_func_name(e->func));
        return NULL;
    }
}

/* d(a^b): with b free of the variable, b a^(b-1) da (the exponent stays a
 * number when b is one, so x^2 gives 2 x); else a^b (db log a + b da / a). */
static dtb__expr *diff_pow(const dtb__expr *e, const diff_ctx *x)
{
    dtb__expr *db = diff(e->b, x);
    if (!db)
        return NULL;
    if (is_num(db, 0.0)) {
        dtb__expr_free(db);
        dtb__expr *exponent = sub(clone(e->b), dtb__expr_num(1.0));
        return mul(mul(clone(e->b), power(clone(e->a), exponent)), diff(e->a, x));
    }
    dtb__expr *inner = add(mul(db, call(DTB__FN_LOG, clone(e->a))),
                           divide(mul(clone(e->b), diff(e->a, x)), clone(e->a)));
    return mul(power(clone(e->a), clone(e->b)), inner);
}

static dtb__expr *diff(const dtb__expr *e, const diff_ctx *x)
{
    switch (e->kind) {
    case DTB__EX_NUM: return dtb__expr_num(0.0);
    case DTB__EX_SYM: return x->dsym(e->name, x->ud);
    case DTB__EX_NEG: return neg(diff(e->a, x));
    case DTB__EX_ADD: return add(diff(e->a, x), diff(e->b, x));
    case DTB__EX_SUB: return sub(diff(e->a, x), diff(e->b, x));
    case DTB__EX_MUL: return add(mul(diff(e->a, x), clone(e->b)), mul(clone(e->a), diff(e->b, x)));
    case DTB__EX_DIV:
        /* da / b - a db / b^2 */
        return sub(divide(diff(e->a, x), clone(e->b)),
                   divide(mul(clone(e->a), diff(e->b, x)), power(clone(e->b), dtb__expr_num(2.0))));
    case DTB__EX_POW: return diff_pow(e, x);
    case DTB__EX_GT: case DTB__EX_LT: case DTB__EX_GE: case DTB__EX_LE:
    case DTB__EX_EQ: case DTB__EX_NE: case DTB__EX_AND: case DTB__EX_OR:
        return dtb__expr_num(0.0);
    case DTB__EX_CALL: return diff_call(e, x);
    case DTB__EX_SELECT: {
        dtb__expr *da = diff(e->a, x), *db = diff(e->b, x);
        if (da && db && da->kind == DTB__EX_NUM && db->kind == DTB__EX_NUM && da->num == db->num) {
            dtb__expr_free(db);
            return da;
        }
        return dtb__expr_select(clone(e->c), da, db);
    }
    }
    dtb__error(DTB_EINVAL, "unknown expression node");
    return NULL;
}

dtb__expr *dtb__expr_diff(const dtb__expr *e, dtb__expr *(*dsym)(const char *name, void *ud), void *ud)
{
    diff_ctx x = {dsym, ud};
    return diff(e, &x);
}
