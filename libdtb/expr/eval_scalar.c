/* libdtb — straight recursive evaluation of an expression tree (derived
 * parameters, tests; programs are compiled instead, see compile.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "base/base.h"
#include "expr_math.h"
#include "expr_private.h"

typedef struct scalar_eval {
    int (*lookup)(const char *name, double *value, void *ud);
    void *ud;
    const dtb__expr *failed_at;  /* the node that stopped evaluation */
    dtb_status status;
} scalar_eval;

static double eval_node(scalar_eval *ev, const dtb__expr *e)
{
    if (ev->status != DTB_OK)
        return 0.0;
    switch (e->kind) {
    case DTB__EX_NUM:
        return e->num;
    case DTB__EX_SYM: {
        double v = 0.0;
        if (!ev->lookup || !ev->lookup(e->name, &v, ev->ud)) {
            ev->status = DTB_ENOTFOUND;
            ev->failed_at = e;
        }
        return v;
    }
    case DTB__EX_CALL: {
        if (e->func == DTB__FN_RANDOM) {
            ev->status = DTB_EUNSUPPORTED;
            ev->failed_at = e;
            return 0.0;
        }
        return dtb__ex_call(e->func, eval_node(ev, e->a));
    }
    case DTB__EX_NEG:
        return -eval_node(ev, e->a);
    case DTB__EX_SELECT: {
        /* Both branches, as in a compiled program: an unknown symbol or a
         * random() in either branch is an error whatever the condition. */
        double c = eval_node(ev, e->c);
        double a = eval_node(ev, e->a);
        double b = eval_node(ev, e->b);
        return dtb__ex_select(c, a, b);
    }
    default: {
        double a = eval_node(ev, e->a);
        double b = eval_node(ev, e->b);
        return dtb__ex_binary(e->kind, a, b);
    }
    }
}

dtb_status dtb__expr_eval_scalar(const dtb__expr *e,
                                 int (*lookup)(const char *name, double *value, void *ud),
                                 void *ud, double *out)
{
    if (!e || !out)
        return dtb__error(DTB_EINVAL, "dtb__expr_eval_scalar: NULL argument");
    scalar_eval ev = {lookup, ud, NULL, DTB_OK};
    double v = eval_node(&ev, e);
    if (ev.status == DTB_OK) {
        *out = v;
        return DTB_OK;
    }
    char *text = dtb__expr_to_text(e);
    if (!text)
        return DTB_ENOMEM;
    if (ev.status == DTB_ENOTFOUND)
        dtb__error(DTB_ENOTFOUND, "unknown symbol '%s' in '%s'", ev.failed_at->name, text);
    else
        dtb__error(DTB_EUNSUPPORTED, "random() cannot be used in '%s', which is evaluated once", text);
    free(text);
    return ev.status;
}
