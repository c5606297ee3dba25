/* libdtb — a region model's equations on the kernel layer (model.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "model.h"

dtb_status dtb__model_ktable(const dtb__model_core *c, const unsigned char *per_element,
                             dtb__ktable *t)
{
    dtb__ktable_init(t);
    int ok = dtb__ktable_add(t, "t", DTB__K_TIME, 0) >= 0;
    for (size_t v = 0; ok && v < c->n_states; v++)
        ok = dtb__ktable_add(t, c->states[v].name, DTB__K_STATE, 1) >= 0;
    for (size_t i = 0; ok && i < c->n_couplings; i++)
        ok = dtb__ktable_add(t, c->coupling_input[i], DTB__K_INPUT, 1) >= 0;
    for (size_t p = 0; ok && p < c->n_params; p++)
        ok = dtb__ktable_add(t, c->params[p].name, DTB__K_PARAM, per_element && per_element[p]) >= 0;
    for (size_t i = 0; ok && i < c->n_constants; i++)
        ok = dtb__ktable_add_value(t, c->constants[i].name, DTB__K_CONST, c->constants[i].value) >= 0;
    if (ok)
        return DTB_OK;
    dtb__ktable_free(t);
    return dtb__error(DTB_ENOMEM, "out of memory");
}

/* The derived parameters, then the derived variables (each list is in
 * dependency order). */
static dtb_status define_all(const dtb__model_core *c, dtb__prog_builder *pb)
{
    dtb_status st = DTB_OK;
    for (size_t i = 0; !st && i < c->n_derived_params; i++)
        st = dtb__pb_define(pb, c->derived_params[i].name, c->derived_params[i].value,
                            c->derived_params[i].what);
    for (size_t i = 0; !st && i < c->n_derived_vars; i++)
        st = dtb__pb_define(pb, c->derived_vars[i].name, c->derived_vars[i].value,
                            c->derived_vars[i].what);
    return st;
}

dtb_status dtb__model_compile_rates(const dtb__model_core *c, const dtb__ktable *t, dtb__kprog *kp,
                                    int64_t *output_state, size_t *n_outputs)
{
    dtb__prog_builder *pb = dtb__kprog_begin(kp, t, NULL);
    if (!pb)
        return dtb_last_error_code();
    dtb_status st = define_all(c, pb);
    size_t n = 0;
    for (size_t v = 0; !st && v < c->n_states; v++) {
        if (!c->states[v].derivative)
            continue;
        if (dtb__pb_output(pb, c->states[v].derivative, c->states[v].what) < 0)
            st = dtb_last_error_code();
        else if (output_state)
            output_state[n++] = (int64_t)v;
    }
    if (st) {
        dtb__pb_free(pb);
        dtb__kprog_free(kp);
        return st;
    }
    if (n_outputs)
        *n_outputs = n;
    return dtb__kprog_finish(kp, t, pb);
}

dtb_status dtb__model_compile_observables(const dtb__model_core *c, const dtb__ktable *t,
                                          dtb__kprog *kp)
{
    dtb__prog_builder *pb = dtb__kprog_begin(kp, t, NULL);
    if (!pb)
        return dtb_last_error_code();
    dtb_status st = define_all(c, pb);
    for (size_t i = 0; !st && i < c->n_derived_vars; i++)
        if (dtb__pb_output_name(pb, c->derived_vars[i].name, c->derived_vars[i].what) < 0)
            st = dtb_last_error_code();
    if (st) {
        dtb__pb_free(pb);
        dtb__kprog_free(kp);
        return st;
    }
    return dtb__kprog_finish(kp, t, pb);
}

dtb_status dtb__model_check_compiles(const dtb__model_core *c)
{
    dtb__ktable t;
    dtb_status st = dtb__model_ktable(c, NULL, &t);
    if (st)
        return st;
    dtb__kprog kp;
    st = dtb__model_compile_rates(c, &t, &kp, NULL, NULL);
    if (!st)
        dtb__kprog_free(&kp);
    dtb__ktable_free(&t);
    return st;
}

/* ------------------------------------------------------------ Jacobian */

/* The derivative of each symbol with respect to variable `wrt`: 1 for it,
 * the symbol of its defined derivative for a derived parameter or
 * variable, 0 for everything else (other states, parameters, constants,
 * the time). */
typedef struct dsym_ctx {
    const dtb__model_core *c;
    const char *wrt;
    size_t j;
} dsym_ctx;

static int is_definition(const dtb__model_core *c, const char *name)
{
    for (size_t i = 0; i < c->n_derived_params; i++)
        if (strcmp(c->derived_params[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < c->n_derived_vars; i++)
        if (strcmp(c->derived_vars[i].name, name) == 0)
            return 1;
    return 0;
}

/* "\x01" cannot appear in a descriptor's names, so these never collide. */
static char *derivative_name(const char *name, size_t j) { return dtb__asprintf("\x01" "d%zu/%s", j, name); }

static dtb__expr *dsym(const char *name, void *ud)
{
    const dsym_ctx *x = ud;
    if (strcmp(name, x->wrt) == 0)
        return dtb__expr_num(1.0);
    if (!is_definition(x->c, name))
        return dtb__expr_num(0.0);
    char *d = derivative_name(name, x->j);
    dtb__expr *e = d ? dtb__expr_sym(d) : NULL;
    free(d);
    return e;
}

/* Define the derivative of every derived parameter and variable with
 * respect to wrt[j], in their dependency order. */
static dtb_status define_derivatives(const dtb__model_core *c, dtb__prog_builder *pb, dsym_ctx *x)
{
    const dtb__model_equation *lists[2] = {c->derived_params, c->derived_vars};
    size_t counts[2] = {c->n_derived_params, c->n_derived_vars};
    dtb_status st = DTB_OK;
    for (size_t l = 0; l < 2 && !st; l++)
        for (size_t i = 0; i < counts[l] && !st; i++) {
            dtb__expr *d = dtb__expr_diff(lists[l][i].value, dsym, x);
            char *name = derivative_name(lists[l][i].name, x->j);
            st = d && name ? dtb__pb_define(pb, name, d, lists[l][i].what)
                           : dtb__error_context(dtb_last_error_code(), "%s", lists[l][i].what);
            dtb__expr_free(d);
            free(name);
        }
    return st;
}

static int known_variable(const dtb__ktable *t, const char *name)
{
    long i = dtb__ktable_find(t, name);
    return i >= 0 && t->in[i].role != DTB__K_TIME && t->in[i].role != DTB__K_CONST;
}

dtb_status dtb__model_compile_jacobian(const dtb__model_core *c, const dtb__ktable *t,
                                       const char *const *wrt, size_t n_wrt, dtb__kprog *kp)
{
    for (size_t j = 0; j < n_wrt; j++)
        if (!known_variable(t, wrt[j]))
            return dtb__error(DTB_ENOTFOUND, "model '%s': '%s' is no state, coupling input or "
                                             "parameter to differentiate by", c->name, wrt[j]);
    dtb__prog_builder *pb = dtb__kprog_begin(kp, t, NULL);
    if (!pb)
        return dtb_last_error_code();
    dtb_status st = define_all(c, pb);
    for (size_t j = 0; !st && j < n_wrt; j++) {
        dsym_ctx x = {c, wrt[j], j};
        st = define_derivatives(c, pb, &x);
    }
    for (size_t i = 0; !st && i < c->n_states; i++)
        for (size_t j = 0; !st && j < n_wrt; j++) {
            dsym_ctx x = {c, wrt[j], j};
            const dtb__expr *f = c->states[i].derivative;
            dtb__expr *d = f ? dtb__expr_diff(f, dsym, &x) : dtb__expr_num(0.0);
            if (!d)
                st = dtb__error_context(dtb_last_error_code(), "%s", c->states[i].what);
            else if (dtb__pb_output(pb, d, c->states[i].what ? c->states[i].what : c->states[i].name) < 0)
                st = dtb_last_error_code();
            dtb__expr_free(d);
        }
    if (st) {
        dtb__pb_free(pb);
        dtb__kprog_free(kp);
        return st;
    }
    return dtb__kprog_finish(kp, t, pb);
}
