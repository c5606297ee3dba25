/* libdtb — a region model's equations on the kernel layer (model.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

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
