/* libdtb — expression trees: construction, copying, walking.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "expr_private.h"

static const struct {
    const char *name;
    dtb__ex_func func;
} functions[] = {
    {"exp", DTB__FN_EXP},     {"log", DTB__FN_LOG},     {"ln", DTB__FN_LOG},
    {"sqrt", DTB__FN_SQRT},   {"sin", DTB__FN_SIN},     {"cos", DTB__FN_COS},
    {"tan", DTB__FN_TAN},     {"sinh", DTB__FN_SINH},   {"cosh", DTB__FN_COSH},
    {"tanh", DTB__FN_TANH},   {"abs", DTB__FN_ABS},     {"ceil", DTB__FN_CEIL},
    {"floor", DTB__FN_FLOOR}, {"H", DTB__FN_H},         {"random", DTB__FN_RANDOM},
    {"factorial", DTB__FN_FACTORIAL},
};

const char *dtb__ex_func_name(dtb__ex_func func)
{
    /* The first entry for a function is its canonical name. */
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (functions[i].func == func)
            return functions[i].name;
    return "?";
}

int dtb__ex_func_lookup(const char *name, size_t len, dtb__ex_func *func)
{
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0) {
            *func = functions[i].func;
            return 1;
        }
    }
    return 0;
}

void dtb__expr_free(dtb__expr *e)
{
    if (!e)
        return;
    dtb__expr_free(e->a);
    dtb__expr_free(e->b);
    dtb__expr_free(e->c);
    free(e->name);
    free(e);
}

/* A node owning a, b, c. On failure the operands are freed, so constructors
 * can be nested: a NULL operand (an inner constructor failed) makes the outer
 * one fail too, keeping the inner error message. */
static dtb__expr *new_node(dtb__ex_kind kind, dtb__expr *a, dtb__expr *b, dtb__expr *c, int n_operands)
{
    int missing = (n_operands >= 1 && !a) || (n_operands >= 2 && !b) || (n_operands >= 3 && !c);
    int height = 0;
    if (a && a->height > height)
        height = a->height;
    if (b && b->height > height)
        height = b->height;
    if (c && c->height > height)
        height = c->height;
    height++;
    if (!missing && height > DTB__EXPR_MAX_HEIGHT) {
        dtb__error(DTB_EPARSE, "expression nested too deeply (more than %d levels of operators)",
                   DTB__EXPR_MAX_HEIGHT);
        missing = 1;
    }
    dtb__expr *e = missing ? NULL : dtb__calloc(1, sizeof *e);
    if (!e) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        dtb__expr_free(c);
        return NULL;
    }
    e->kind = kind;
    e->a = a;
    e->b = b;
    e->c = c;
    e->height = height;
    return e;
}

dtb__expr *dtb__expr_num(double v)
{
    dtb__expr *e = new_node(DTB__EX_NUM, NULL, NULL, NULL, 0);
    if (e)
        e->num = v;
    return e;
}

dtb__expr *dtb__expr_sym(const char *name)
{
    char *copy = dtb__strdup(name);
    dtb__expr *e = copy ? new_node(DTB__EX_SYM, NULL, NULL, NULL, 0) : NULL;
    if (!e) {
        free(copy);
        return NULL;
    }
    e->name = copy;
    return e;
}

dtb__expr *dtb__expr_unary(dtb__ex_kind kind, dtb__expr *a)
{
    if (kind != DTB__EX_NEG) {
        dtb__expr_free(a);
        dtb__error(DTB_EINVAL, "dtb__expr_unary: kind %d is not a unary operator", (int)kind);
        return NULL;
    }
    return new_node(kind, a, NULL, NULL, 1);
}

dtb__expr *dtb__expr_binary(dtb__ex_kind kind, dtb__expr *a, dtb__expr *b)
{
    if (kind < DTB__EX_ADD || kind > DTB__EX_OR) {
        dtb__expr_free(a);
        dtb__expr_free(b);
        dtb__error(DTB_EINVAL, "dtb__expr_binary: kind %d is not a binary operator", (int)kind);
        return NULL;
    }
    return new_node(kind, a, b, NULL, 2);
}

dtb__expr *dtb__expr_select(dtb__expr *cond, dtb__expr *a, dtb__expr *b)
{
    return new_node(DTB__EX_SELECT, a, b, cond, 3);
}

dtb__expr *dtb__expr_call(dtb__ex_func func, dtb__expr *a)
{
    dtb__expr *e = new_node(DTB__EX_CALL, a, NULL, NULL, 1);
    if (e)
        e->func = func;
    return e;
}

dtb__expr *dtb__expr_clone(const dtb__expr *e)
{
    if (!e)
        return NULL;
    dtb__expr *copy = dtb__calloc(1, sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *e;
    copy->name = NULL;
    copy->a = copy->b = copy->c = NULL;
    int failed = 0;
    if (e->name && !(copy->name = dtb__strdup(e->name)))
        failed = 1;
    if (!failed && e->a && !(copy->a = dtb__expr_clone(e->a)))
        failed = 1;
    if (!failed && e->b && !(copy->b = dtb__expr_clone(e->b)))
        failed = 1;
    if (!failed && e->c && !(copy->c = dtb__expr_clone(e->c)))
        failed = 1;
    if (failed) {
        dtb__expr_free(copy);
        return NULL;
    }
    return copy;
}

int dtb__expr_visit_symbols(const dtb__expr *e, int (*fn)(const char *name, void *ud), void *ud)
{
    if (!e)
        return 0;
    if (e->kind == DTB__EX_SYM)
        return fn(e->name, ud);
    /* Source order: a SELECT reads as "c ? a : b". */
    const dtb__expr *order[3] = {e->a, e->b, e->c};
    if (e->kind == DTB__EX_SELECT) {
        order[0] = e->c;
        order[1] = e->a;
        order[2] = e->b;
    }
    for (int i = 0; i < 3; i++) {
        int r = dtb__expr_visit_symbols(order[i], fn, ud);
        if (r)
            return r;
    }
    return 0;
}

int dtb__expr_is_boolean(const dtb__expr *e)
{
    return e && e->kind >= DTB__EX_GT && e->kind <= DTB__EX_OR;
}
