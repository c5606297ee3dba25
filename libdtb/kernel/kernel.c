/* libdtb — the kernel layer's input tables and bound programs (kernel.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

void dtb__ktable_init(dtb__ktable *t) { memset(t, 0, sizeof *t); }

void dtb__ktable_free(dtb__ktable *t)
{
    free(t->in);
    memset(t, 0, sizeof *t);
}

static int role_is_per_element(dtb__krole role, int per_element)
{
    switch (role) {
    case DTB__K_TIME:
    case DTB__K_CONST: return 0;
    case DTB__K_PARAM: return per_element != 0;
    default: return 1;
    }
}

long dtb__ktable_add(dtb__ktable *t, const char *name, dtb__krole role, int per_element)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        dtb__kinput *in = dtb__realloc_array(t->in, cap, sizeof *in);
        if (!in)
            return -1;
        t->in = in;
        t->cap = cap;
    }
    t->in[t->n] = (dtb__kinput){name, role, role_is_per_element(role, per_element), 0.0, NULL};
    return (long)t->n++;
}

long dtb__ktable_add_value(dtb__ktable *t, const char *name, dtb__krole role, double value)
{
    long i = dtb__ktable_add(t, name, role, 0);
    if (i >= 0)
        t->in[i].value = value;
    return i;
}

long dtb__ktable_add_array(dtb__ktable *t, const char *name, dtb__krole role, const double *values)
{
    long i = dtb__ktable_add(t, name, role, 1);
    if (i >= 0)
        t->in[i].values = values;
    return i;
}

long dtb__ktable_find(const dtb__ktable *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->in[i].name, name) == 0)
            return (long)i;
    return -1;
}

void dtb__kprog_free(dtb__kprog *kp)
{
    dtb__prog_free(kp->prog);
    dtb__prog_scratch_free(kp->scratch);
    free(kp->scalars);
    free(kp->vectors);
    free(kp->outputs);
    free(kp->slot);
    memset(kp, 0, sizeof *kp);
}

void dtb__kprog_move(dtb__kprog *to, dtb__kprog *from)
{
    dtb__kprog_free(to);
    *to = *from;
    memset(from, 0, sizeof *from);
}

dtb__prog_builder *dtb__kprog_begin(dtb__kprog *kp, const dtb__ktable *t, const unsigned char *skip)
{
    memset(kp, 0, sizeof *kp);
    kp->t_slot = -1;
    kp->n_inputs = t->n;
    kp->slot = dtb__malloc_array(t->n ? t->n : 1, sizeof *kp->slot);
    dtb__prog_builder *pb = dtb__pb_new();
    if (!kp->slot || !pb) {
        dtb__pb_free(pb);
        dtb__kprog_free(kp);
        dtb__error(DTB_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        const dtb__kinput *in = &t->in[i];
        if (skip && skip[i]) {
            kp->slot[i] = -1;
            continue;
        }
        int s = in->per_element ? dtb__pb_vector_input(pb, in->name) : dtb__pb_scalar_input(pb, in->name);
        if (s < 0) {
            dtb__pb_free(pb);
            dtb__kprog_free(kp);
            return NULL;
        }
        kp->slot[i] = s;
        if (in->per_element)
            kp->n_vectors = (size_t)s + 1;
        else
            kp->n_scalars = (size_t)s + 1;
        if (in->role == DTB__K_TIME)
            kp->t_slot = s;
    }
    return pb;
}

dtb_status dtb__kprog_finish(dtb__kprog *kp, const dtb__ktable *t, dtb__prog_builder *pb)
{
    dtb_status st = dtb__pb_finish(pb, &kp->prog);
    dtb__pb_free(pb);
    if (!st) {
        kp->n_outputs = (size_t)dtb__prog_n_outputs(kp->prog);
        kp->scratch = dtb__prog_scratch_new(kp->prog);
        kp->scalars = dtb__calloc(kp->n_scalars + 1, sizeof *kp->scalars);
        kp->vectors = dtb__calloc(kp->n_vectors + 1, sizeof *kp->vectors);
        kp->outputs = dtb__calloc(kp->n_outputs + 1, sizeof *kp->outputs);
        if (!kp->scratch || !kp->scalars || !kp->vectors || !kp->outputs)
            st = dtb__error(DTB_ENOMEM, "out of memory");
    }
    if (st) {
        dtb__kprog_free(kp);
        return st;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (kp->slot[i] < 0)
            continue;
        if (t->in[i].per_element)
            kp->vectors[kp->slot[i]] = t->in[i].values;
        else
            kp->scalars[kp->slot[i]] = t->in[i].value;
    }
    return DTB_OK;
}

dtb_status dtb__kprog_compile(dtb__kprog *kp, const dtb__ktable *t, const dtb__expr *const *outs,
                              const char *const *whats, size_t n_outs)
{
    dtb__prog_builder *pb = dtb__kprog_begin(kp, t, NULL);
    if (!pb)
        return dtb_last_error_code();
    for (size_t i = 0; i < n_outs; i++)
        if (dtb__pb_output(pb, outs[i], whats[i]) < 0) {
            dtb_status st = dtb_last_error_code();
            dtb__pb_free(pb);
            dtb__kprog_free(kp);
            return st;
        }
    return dtb__kprog_finish(kp, t, pb);
}

void dtb__kprog_bind_rows(dtb__kprog *kp, size_t first, size_t count, const double *base, size_t stride)
{
    for (size_t i = 0; i < count; i++)
        dtb__kprog_bind(kp, first + i, base + i * stride);
}

void dtb__kcompact_free(dtb__kcompact *c)
{
    free(c->values);
    free((void *)c->vectors);
    memset(c, 0, sizeof *c);
}

dtb_status dtb__kprog_eval_subset(const dtb__kprog *kp, double t, const size_t *idx, size_t k,
                                  double *const *outputs, dtb__kcompact *c,
                                  double (*uniform)(void *), void *ud)
{
    const size_t nv = kp->n_vectors;
    size_t need = nv * k + nv;
    if (need > c->cap) {
        double *v = dtb__realloc_array(c->values, need, sizeof *v);
        if (!v)
            return DTB_ENOMEM;
        c->values = v;
        c->cap = need;
    }
    if (nv > c->cap_vectors) {
        const double **v = (const double **)dtb__realloc_array((void *)c->vectors, nv, sizeof *v);
        if (!v)
            return DTB_ENOMEM;
        c->vectors = v;
        c->cap_vectors = nv;
    }
    for (size_t j = 0; j < nv; j++) {
        double *dst = c->values + j * k;
        for (size_t m = 0; m < k; m++)
            dst[m] = kp->vectors[j][idx[m]];
        c->vectors[j] = dst;
    }
    if (kp->t_slot >= 0)
        kp->scalars[kp->t_slot] = t;
    dtb__prog_env env = {kp->scalars, c->vectors, outputs, k, uniform, ud};
    dtb__prog_eval(kp->prog, &env, kp->scratch);
    return DTB_OK;
}
