/* libdtb — KineticScheme (NeuroML2's gateKS, ionChannelKS).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A KineticScheme of an instance names two of its Children: the nodes
 * (states, each with an occupancy state variable) and the edges
 * (transitions, each linking a source node to a target node and exposing a
 * forward and a reverse rate). The occupancies p obey dp/dt = A p with,
 * for every edge e from i to j with rates f_e and r_e,
 *   A[i][i] -= f_e, A[j][i] += f_e, A[j][j] -= r_e, A[i][j] += r_e,
 * so their sum stays 1. One step holds the rates at their values of the
 * step's start and advances exactly for them, p <- exp(A dt) p (GSL's
 * matrix exponential), as jLEMS does (KScheme.advance); the occupancies
 * start all in the first node (jLEMS' start; the LEMS specification
 * states none). The scheme runs after its nodes and edges have been
 * updated and before its owner: in jLEMS' order within the owner's batch,
 * in pylems' order after the Euler step. The RK and adaptive methods
 * integrate dp/dt = A p with the other states instead (lr_ode.c). */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "lr_private.h"

#define A_OF(k) ((gsl_matrix *)(k)->a)
#define EA_OF(k) ((gsl_matrix *)(k)->ea)

static void ks_free(lr_kscheme *k)
{
    free(k->occ);
    free(k->from);
    free(k->to);
    free((void *)k->rf);
    free((void *)k->rr);
    if (k->a)
        gsl_matrix_free(A_OF(k));
    if (k->ea)
        gsl_matrix_free(EA_OF(k));
    free(k->p);
}

void dtb__lr_kinetic_free(dtb__lr_sim *sim)
{
    for (size_t i = 0; i < sim->n_kschemes; i++)
        ks_free(&sim->kschemes[i]);
    free(sim->kschemes);
    sim->kschemes = NULL;
    sim->n_kschemes = 0;
}

/* The kids of li in Children `slot`. */
static size_t kids_in(const lr_inst *li, const char *slot, lr_inst **out)
{
    size_t n = 0;
    for (size_t i = 0; i < li->n_kids; i++)
        if (dtb__streq(li->kids[i]->slot, slot)) {
            if (out)
                out[n] = li->kids[i];
            n++;
        }
    return n;
}

static dtb_status var_of(const dtb__lr_sim *sim, const lr_inst *li, const char *name, const dtb__lems_kscheme *d,
                         int want_state, double **out)
{
    lr_var v;
    if (!dtb__lr_type_var(li->type, name, &v) || (want_state && v.kind != LR_STATE))
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "KineticScheme '%s' (%s:%d): no %s '%s' in ComponentType '%s'",
                                  d->name, d->at.file ? d->at.file : "<memory>", d->at.line,
                                  want_state ? "StateVariable" : "variable", name, li->type->name);
    *out = dtb__lr_var_ptr(sim, li, v);
    return DTB_OK;
}

static dtb_status build_one(dtb__lr_sim *sim, lr_inst *owner, const dtb__lems_kscheme *d, lr_kscheme *k)
{
    memset(k, 0, sizeof *k);
    k->owner = owner;
    k->n = kids_in(owner, d->nodes, NULL);
    k->n_edges = kids_in(owner, d->edges, NULL);
    if (!k->n)
        return dtb__lr_inst_error(owner, DTB_EINVAL, "KineticScheme '%s' (%s:%d): no '%s' to run on", d->name,
                                  d->at.file ? d->at.file : "<memory>", d->at.line, d->nodes);
    lr_inst **nodes = dtb__calloc(k->n, sizeof *nodes), **edges = dtb__calloc(k->n_edges + 1, sizeof *edges);
    k->occ = dtb__calloc(k->n, sizeof *k->occ);
    k->from = dtb__calloc(k->n_edges + 1, sizeof *k->from);
    k->to = dtb__calloc(k->n_edges + 1, sizeof *k->to);
    k->rf = dtb__calloc(k->n_edges + 1, sizeof *k->rf);
    k->rr = dtb__calloc(k->n_edges + 1, sizeof *k->rr);
    k->p = dtb__calloc(k->n, sizeof *k->p);
    k->a = gsl_matrix_alloc(k->n, k->n);
    k->ea = gsl_matrix_alloc(k->n, k->n);
    dtb_status st = nodes && edges && k->occ && k->from && k->to && k->rf && k->rr && k->p && k->a && k->ea
                        ? DTB_OK
                        : DTB_ENOMEM;
    if (!st) {
        kids_in(owner, d->nodes, nodes);
        kids_in(owner, d->edges, edges);
    }
    for (size_t i = 0; !st && i < k->n; i++)
        st = var_of(sim, nodes[i], d->state_variable, d, 1, &k->occ[i]);
    for (size_t e = 0; !st && e < k->n_edges; e++) {
        const char *ends[2] = {d->edge_source, d->edge_target};
        size_t *at[2] = {&k->from[e], &k->to[e]};
        for (int s = 0; !st && s < 2; s++) {
            lr_inst **found = NULL;
            size_t nf = 0;
            st = dtb__lr_resolve_instances(edges[e], ends[s], 0, &found, &nf);
            size_t i = 0;
            while (!st && nf == 1 && i < k->n && nodes[i] != found[0])
                i++;
            if (!st && (nf != 1 || i == k->n))
                st = dtb__lr_inst_error(edges[e], DTB_ENOTFOUND,
                                        "KineticScheme '%s': its '%s' (%s) is not one of the '%s'", d->name,
                                        ends[s], dtb__lr_text(edges[e], ends[s]) ? dtb__lr_text(edges[e], ends[s])
                                                                                 : "unset",
                                        d->nodes);
            *at[s] = i;
            free(found);
        }
        double *f = NULL, *r = NULL;
        if (!st)
            st = var_of(sim, edges[e], d->forward_rate, d, 0, &f);
        if (!st)
            st = var_of(sim, edges[e], d->reverse_rate, d, 0, &r);
        k->rf[e] = f;
        k->rr[e] = r;
    }
    /* jLEMS' start: everything in the first node */
    for (size_t i = 0; !st && i < k->n; i++)
        *k->occ[i] = i == 0 ? 1.0 : 0.0;
    free(nodes);
    free(edges);
    return st;
}

dtb_status dtb__lr_plan_kinetic(dtb__lr_sim *sim)
{
    size_t count = 0;
    for (size_t i = 0; i < sim->n_all; i++)
        count += sim->all[i]->type->n_kschemes;
    if (!count)
        return DTB_OK;
    sim->kschemes = dtb__calloc(count, sizeof *sim->kschemes);
    if (!sim->kschemes)
        return DTB_ENOMEM;
    for (size_t i = 0; i < sim->n_all; i++) {
        lr_inst *li = sim->all[i];
        for (size_t k = 0; k < li->type->n_kschemes; k++) {
            dtb_status st = build_one(sim, li, &li->type->kschemes[k], &sim->kschemes[sim->n_kschemes++]);
            if (st)
                return st;
        }
    }
    return DTB_OK;
}

static dtb_status advance(const dtb__lr_sim *sim, lr_kscheme *k)
{
    gsl_matrix *a = A_OF(k), *ea = EA_OF(k);
    gsl_matrix_set_zero(a);
    for (size_t e = 0; e < k->n_edges; e++) {
        size_t i = k->from[e], j = k->to[e];
        double f = *k->rf[e], r = *k->rr[e];
        *gsl_matrix_ptr(a, i, i) -= f * sim->dt;
        *gsl_matrix_ptr(a, j, i) += f * sim->dt;
        *gsl_matrix_ptr(a, j, j) -= r * sim->dt;
        *gsl_matrix_ptr(a, i, j) += r * sim->dt;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_exponential_ss(a, ea, GSL_PREC_DOUBLE);
    gsl_set_error_handler(old);
    if (rc)
        return dtb__lr_inst_error(k->owner, DTB_ERROR, "KineticScheme at t = %g s: the matrix exponential "
                                                       "failed (%s)", sim->t, gsl_strerror(rc));
    for (size_t i = 0; i < k->n; i++) {
        double s = 0;
        for (size_t j = 0; j < k->n; j++)
            s += gsl_matrix_get(ea, i, j) * *k->occ[j];
        k->p[i] = s;
    }
    for (size_t i = 0; i < k->n; i++)
        *k->occ[i] = k->p[i];
    return DTB_OK;
}

dtb_status dtb__lr_kinetic_all(dtb__lr_sim *sim)
{
    for (size_t i = 0; i < sim->n_kschemes; i++) {
        dtb_status st = advance(sim, &sim->kschemes[i]);
        if (st)
            return st;
    }
    return DTB_OK;
}

/* jLEMS' order: the schemes of the batch's owners (the schemes are sorted
 * by batch; *cursor walks them). */
dtb_status dtb__lr_kinetic_batch(dtb__lr_sim *sim, size_t batch, size_t *cursor)
{
    for (; *cursor < sim->n_kschemes && sim->kschemes[*cursor].batch == batch; (*cursor)++) {
        dtb_status st = advance(sim, &sim->kschemes[*cursor]);
        if (st)
            return st;
    }
    return DTB_OK;
}
