/* libdtb — projections: connection rules, explicit lists, the CSR store.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every way of connecting produces a list of synapses (source cell, target
 * cell, weight, delay in steps), checked whole before anything changes;
 * the list is then sorted by source into compressed rows. A projection
 * whose synapses share one weight (or one delay) stores it once, which
 * halves the memory a spike walks through. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spiking.h"

/* The two names of one init (dtb_spiking.h): each error message gives the
 * name the caller used. */
static dtb_status connect_options_init(dtb_spiking_connect_options *opts, uint32_t version,
                                       const char *struct_name)
{
    dtb_status st = dtb__options_init(opts, sizeof *opts, version,
                                      DTB_SPIKING_CONNECT_OPTIONS_VERSION, struct_name);
    if (st)
        return st;
    opts->rule = DTB_CONNECT_ALL_TO_ALL;
    opts->weight_dist = DTB_DIST_CONSTANT;
    opts->weight_a = 1.0;
    opts->delay_dist = DTB_DIST_CONSTANT;
    return DTB_OK;
}

dtb_status dtb_spiking_connect_options_init(dtb_spiking_connect_options *opts, uint32_t version)
{
    return connect_options_init(opts, version, "dtb_spiking_connect_options");
}

dtb_status dtb_connect_options_init(dtb_spiking_connect_options *opts, uint32_t version)
{
    return connect_options_init(opts, version, "dtb_connect_options");
}

dtb_status dtb__spk_delay_steps(const dtb_spiking_net *net, double delay, int64_t *steps)
{
    if (!isfinite(delay) || delay < 0)
        return dtb__error(DTB_EINVAL, "a delay must be finite and >= 0 s (got %g)", delay);
    double s = rint(delay / net->dt);
    if (s > 65535)
        return dtb__error(DTB_EINVAL, "a delay of %g s is %g steps of %g s; at most 65535 are "
                                      "supported", delay, s, net->dt);
    *steps = (int64_t)s;
    return DTB_OK;
}

/* The synapse list being built. */
typedef struct syn_list {
    int32_t *pre, *post;
    double *w;
    int64_t *d;
    int64_t n, cap;
} syn_list;

static void syn_list_free(syn_list *l)
{
    free(l->pre);
    free(l->post);
    free(l->w);
    free(l->d);
}

static dtb_status syn_push(syn_list *l, int32_t pre, int32_t post, double w, int64_t d)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 1024;
        int32_t *a = dtb__realloc_array(l->pre, (size_t)cap, sizeof *a);
        if (a)
            l->pre = a;
        int32_t *b = a ? dtb__realloc_array(l->post, (size_t)cap, sizeof *b) : NULL;
        if (b)
            l->post = b;
        double *c = b ? dtb__realloc_array(l->w, (size_t)cap, sizeof *c) : NULL;
        if (c)
            l->w = c;
        int64_t *e = c ? dtb__realloc_array(l->d, (size_t)cap, sizeof *e) : NULL;
        if (!e)
            return DTB_ENOMEM;
        l->d = e;
        l->cap = cap;
    }
    l->pre[l->n] = pre;
    l->post[l->n] = post;
    l->w[l->n] = w;
    l->d[l->n] = d;
    l->n++;
    return DTB_OK;
}

dtb_status dtb__spk_add_projection(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                                   const int32_t *pre_cells, const int32_t *post_cells,
                                   const double *weights, const int64_t *delays, int64_t n)
{
    const int64_t n_pre = net->pops[pre].n;
    const dtb__receptor *rc = &net->pops[post].rec[receptor];
    int64_t max_d = 0;
    int same_w = 1, same_d = 1;
    for (int64_t i = 0; i < n; i++) {
        if (delays[i] > max_d)
            max_d = delays[i];
        same_w &= weights[i] == weights[0];
        same_d &= delays[i] == delays[0];
    }
    dtb_status st = dtb__spk_grow_rings(net, max_d + 2);
    if (st)
        return st;
    dtb__spk_projection *grown = dtb__realloc_array(net->projs, net->n_projs + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    net->projs = grown;
    dtb__spk_projection *pj = &net->projs[net->n_projs];
    memset(pj, 0, sizeof *pj);
    pj->pre = pre;
    pj->post = post;
    pj->receptor = receptor;
    pj->n_syn = n;
    pj->max_delay = max_d;
    /* a BIEXP receptor's two parts each get w N */
    const double scale = rc->kind == DTB_SYNAPSE_BIEXP ? rc->norm : 1.0;
    pj->weight_all = n ? weights[0] * scale : 0.0;
    pj->delay_all = n ? delays[0] : 0;
    size_t ns = (size_t)(n ? n : 1);
    int ok = (pj->row = dtb__calloc((size_t)n_pre + 1, sizeof *pj->row)) != NULL;
    ok = ok && (pj->target = dtb__malloc_array(ns, sizeof *pj->target)) != NULL;
    if (ok && !same_w)
        ok = (pj->weight = dtb__malloc_array(ns, sizeof *pj->weight)) != NULL;
    if (ok && !same_d)
        ok = (pj->delay = dtb__malloc_array(ns, sizeof *pj->delay)) != NULL;
    if (!ok) {
        free(pj->row);
        free(pj->target);
        free(pj->weight);
        return DTB_ENOMEM;
    }
    /* counting sort by source; within a row the list's order is kept */
    for (int64_t i = 0; i < n; i++)
        pj->row[pre_cells[i] + 1]++;
    for (int64_t c = 0; c < n_pre; c++)
        pj->row[c + 1] += pj->row[c];
    int64_t *fill = dtb__malloc_array((size_t)n_pre + 1, sizeof *fill);
    if (!fill) {
        free(pj->row);
        free(pj->target);
        free(pj->weight);
        free(pj->delay);
        return DTB_ENOMEM;
    }
    memcpy(fill, pj->row, ((size_t)n_pre + 1) * sizeof *fill);
    for (int64_t i = 0; i < n; i++) {
        int64_t at = fill[pre_cells[i]]++;
        pj->target[at] = post_cells[i];
        if (pj->weight)
            pj->weight[at] = weights[i] * scale;
        if (pj->delay)
            pj->delay[at] = (uint16_t)delays[i];
    }
    free(fill);
    net->n_projs++;
    net->pops[post].prepared = 0;
    return DTB_OK;
}

/* Check the endpoints of a new projection. */
static dtb_status check_ends(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                             const char *fn)
{
    dtb_status st = dtb__spk_pop_check(net, pre, fn);
    if (st)
        return st;
    if ((st = dtb__spk_receptor_check(net, post, receptor, fn)))
        return st;
    return dtb__spk_buildable(net, fn);
}

static dtb_status draw_synapse(dtb_spiking_net *net, const dtb_spiking_connect_options *o, syn_list *l,
                               int32_t i, int32_t j)
{
    double w = dtb__spk_draw(&net->rng, (dtb_distribution)o->weight_dist, o->weight_a, o->weight_b);
    double dsec = dtb__spk_draw(&net->rng, (dtb_distribution)o->delay_dist, o->delay_a, o->delay_b);
    /* a normal draw below 0 is a delay of 0 (it cannot arrive before it left) */
    int64_t d;
    dtb_status st = dtb__spk_delay_steps(net, dsec < 0 ? 0.0 : dsec, &d);
    if (st)
        return st;
    return syn_push(l, i, j, w, d);
}

static dtb_status build_by_rule(dtb_spiking_net *net, int64_t pre, int64_t post,
                                const dtb_spiking_connect_options *o, syn_list *l, const char *fn)
{
    const int64_t np = net->pops[pre].n, nq = net->pops[post].n;
    const int self = pre == post && !(o->flags & DTB_CONNECT_FLAG_AUTAPSES);
    dtb_status st = DTB_OK;
    switch (o->rule) {
    case DTB_CONNECT_ALL_TO_ALL:
        for (int64_t i = 0; !st && i < np; i++)
            for (int64_t j = 0; !st && j < nq; j++)
                if (!(self && i == j))
                    st = draw_synapse(net, o, l, (int32_t)i, (int32_t)j);
        return st;
    case DTB_CONNECT_ONE_TO_ONE:
        if (np != nq)
            return dtb__error(DTB_EINVAL, "%s: one-to-one needs populations of equal size (%lld and "
                                          "%lld cells)", fn, (long long)np, (long long)nq);
        for (int64_t i = 0; !st && i < np; i++)
            if (!self)
                st = draw_synapse(net, o, l, (int32_t)i, (int32_t)i);
        return st;
    case DTB_CONNECT_FIXED_PROBABILITY: {
        if (!(o->p >= 0 && o->p <= 1))
            return dtb__error(DTB_EINVAL, "%s: the connection probability must be in [0, 1] (got %g)",
                              fn, o->p);
        if (o->p == 0)
            return DTB_OK;
        /* geometric skips: the gap to the next target is drawn directly */
        const double lq = log1p(-o->p);
        for (int64_t i = 0; !st && i < np; i++) {
            for (int64_t j = -1;;) {
                if (o->p >= 1) {
                    j++;
                } else {
                    double u = dtb__rng_uniform(&net->rng);
                    double gap = floor(log1p(-u) / lq);
                    if (gap >= (double)(nq - j))
                        break;
                    j += 1 + (int64_t)gap;
                }
                if (j >= nq)
                    break;
                if (self && i == j)
                    continue;
                if ((st = draw_synapse(net, o, l, (int32_t)i, (int32_t)j)))
                    break;
            }
        }
        return st;
    }
    case DTB_CONNECT_FIXED_INDEGREE: {
        const int64_t avail = self ? np - 1 : np;
        if (o->indegree < 0 || o->indegree > avail)
            return dtb__error(DTB_EINVAL, "%s: an in-degree of %lld is impossible from %lld distinct "
                                          "sources", fn, (long long)o->indegree, (long long)avail);
        int64_t *mark = dtb__malloc_array((size_t)np, sizeof *mark);
        if (!mark)
            return DTB_ENOMEM;
        for (int64_t i = 0; i < np; i++)
            mark[i] = -1;
        for (int64_t j = 0; !st && j < nq; j++) {
            if (self)
                mark[j] = j;
            for (int64_t k = 0; !st && k < o->indegree;) {
                int64_t i = (int64_t)(dtb__rng_uniform(&net->rng) * (double)np);
                if (mark[i] == j)
                    continue;
                mark[i] = j;
                k++;
                st = draw_synapse(net, o, l, (int32_t)i, (int32_t)j);
            }
        }
        free(mark);
        return st;
    }
    default:
        return dtb__error(DTB_EINVAL, "%s: unknown connection rule %d", fn, (int)o->rule);
    }
}

dtb_status dtb_spiking_connect(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                               const dtb_spiking_connect_options *opts, int64_t *n_synapses_out)
{
    const char *fn = "dtb_spiking_connect";
    dtb_status st = check_ends(net, pre, post, receptor, fn);
    if (st)
        return st;
    dtb_spiking_connect_options o;
    if (opts) {
        /* the message keeps the name of 0.1 (programs may match it) */
        if ((st = dtb__check_version(opts->version, DTB_SPIKING_CONNECT_OPTIONS_VERSION,
                                     "dtb_connect_options")))
            return st;
        o = *opts;
    } else {
        dtb_spiking_connect_options_init(&o, DTB_SPIKING_CONNECT_OPTIONS_VERSION);
    }
    if ((st = dtb__spk_dist_check((dtb_distribution)o.weight_dist, o.weight_a, o.weight_b,
                                  "dtb_spiking_connect: weights")))
        return st;
    if ((st = dtb__spk_dist_check((dtb_distribution)o.delay_dist, o.delay_a, o.delay_b,
                                  "dtb_spiking_connect: delays")))
        return st;
    if (o.delay_dist != DTB_DIST_NORMAL && o.delay_a < 0)
        return dtb__error(DTB_EINVAL, "%s: delays must be >= 0 s (got %g)", fn, o.delay_a);
    syn_list l = {0};
    st = build_by_rule(net, pre, post, &o, &l, fn);
    if (!st)
        st = dtb__spk_add_projection(net, pre, post, receptor, l.pre, l.post, l.w, l.d, l.n);
    if (!st && n_synapses_out)
        *n_synapses_out = l.n;
    syn_list_free(&l);
    return st;
}

dtb_status dtb_spiking_connect_list(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                                    const int64_t *pre_cells, const int64_t *post_cells,
                                    const double *weights, const double *delays, size_t n)
{
    const char *fn = "dtb_spiking_connect_list";
    dtb_status st = check_ends(net, pre, post, receptor, fn);
    if (st)
        return st;
    if (n && (!pre_cells || !post_cells || !weights))
        return dtb__error(DTB_EINVAL, "%s: pre_cells, post_cells and weights must not be NULL", fn);
    const int64_t np = net->pops[pre].n, nq = net->pops[post].n;
    syn_list l = {0};
    for (size_t i = 0; !st && i < n; i++) {
        if (pre_cells[i] < 0 || pre_cells[i] >= np || post_cells[i] < 0 || post_cells[i] >= nq)
            st = dtb__error(DTB_EINVAL, "%s: synapse %zu connects cell %lld to cell %lld; the "
                                        "populations have %lld and %lld cells", fn, i,
                            (long long)pre_cells[i], (long long)post_cells[i], (long long)np,
                            (long long)nq);
        else if (!isfinite(weights[i]))
            st = dtb__error(DTB_EINVAL, "%s: synapse %zu: weight %g is not finite", fn, i, weights[i]);
        int64_t d = 0;
        if (!st && delays && (st = dtb__spk_delay_steps(net, delays[i], &d)))
            st = dtb__error_context(st, "%s: synapse %zu", fn, i);
        if (!st)
            st = syn_push(&l, (int32_t)pre_cells[i], (int32_t)post_cells[i], weights[i], d);
    }
    if (!st)
        st = dtb__spk_add_projection(net, pre, post, receptor, l.pre, l.post, l.w, l.d, l.n);
    syn_list_free(&l);
    return st;
}
