/* libdtb — the instant phases of a LEMS run: derived variables (stages),
 * handlers (OnCondition tests on one set of values, assignments applied in
 * document order, transitions and OnEntry), events (delivered in sending
 * order through OnEvent), and OnStart from the root down.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

/* A run that sends more events than this in one instant is looping. */
#define LR_MAX_EVENTS_PER_INSTANT 100000000u

void dtb__lr_gather(dtb__lr_sim *sim, const lr_stage *st, const size_t *idx, size_t count)
{
    lr_group *g = &sim->groups[st->group];
    for (size_t k = 0; k < st->n_gathers; k++) {
        const lr_gather *ga = &g->gathers[st->gathers[k]];
        double *dest = g->arr[ga->kind] + ga->index * g->n;
        const size_t *off = ga->offsets;
        const double *const *src = ga->src;
        switch (ga->reduce) {
        case DTB__LEMS_REDUCE_MULTIPLY:
            for (size_t m = 0; m < count; m++) {
                size_t i = idx ? idx[m] : m;
                double v = 1.0;
                for (size_t j = off[i]; j < off[i + 1]; j++)
                    v *= *src[j];
                dest[i] = v;
            }
            break;
        case DTB__LEMS_REDUCE_ADD:
            for (size_t m = 0; m < count; m++) {
                size_t i = idx ? idx[m] : m;
                double v = 0.0;
                for (size_t j = off[i]; j < off[i + 1]; j++)
                    v += *src[j];
                dest[i] = v;
            }
            break;
        default:
            /* A requirement nobody provides (and nothing reads) keeps NaN. */
            for (size_t m = 0; m < count; m++) {
                size_t i = idx ? idx[m] : m;
                if (off[i + 1] > off[i] || ga->kind == LR_DV)
                    dest[i] = off[i + 1] > off[i] ? *src[off[i]] : 0.0;
            }
            break;
        }
    }
}

void dtb__lr_derived(dtb__lr_sim *sim)
{
    for (size_t s = 0; s < sim->n_stages; s++) {
        lr_stage *st = &sim->stages[s];
        lr_group *g = &sim->groups[st->group];
        dtb__lr_gather(sim, st, NULL, g->n);
        if (st->has_prog)
            dtb__lr_eval(sim, g, &st->prog, NULL, 0, NULL);
    }
}

/* ------------------------------------------------------------- events */

static int before(const lr_event *a, const lr_event *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static dtb_status heap_push(dtb__lr_sim *sim, lr_event e)
{
    if (sim->n_heap == sim->cap_heap) {
        size_t cap = sim->cap_heap ? 2 * sim->cap_heap : 64;
        lr_event *h = dtb__realloc_array(sim->heap, cap, sizeof *h);
        if (!h)
            return DTB_ENOMEM;
        sim->heap = h;
        sim->cap_heap = cap;
    }
    size_t i = sim->n_heap++;
    sim->heap[i] = e;
    while (i > 0 && before(&sim->heap[i], &sim->heap[(i - 1) / 2])) {
        lr_event t = sim->heap[i];
        sim->heap[i] = sim->heap[(i - 1) / 2];
        sim->heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return DTB_OK;
}

static lr_event heap_pop(dtb__lr_sim *sim)
{
    lr_event top = sim->heap[0];
    sim->heap[0] = sim->heap[--sim->n_heap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < sim->n_heap && before(&sim->heap[l], &sim->heap[m]))
            m = l;
        if (r < sim->n_heap && before(&sim->heap[r], &sim->heap[m]))
            m = r;
        if (m == i)
            break;
        lr_event t = sim->heap[i];
        sim->heap[i] = sim->heap[m];
        sim->heap[m] = t;
        i = m;
    }
    return top;
}

dtb_status dtb__lr_send(dtb__lr_sim *sim, lr_inst *src, size_t port)
{
    for (size_t r = 0; r < src->n_recorders && sim->event_fn; r++)
        if (src->recorders[r].port == port)
            sim->event_fn(src->recorders[r].output, src->recorders[r].id, sim->t, sim->event_ud);
    for (size_t c = 0; c < src->n_conns; c++) {
        const lr_conn *cn = &src->conns[c];
        if (cn->src_port != port)
            continue;
        lr_event e = {cn->target, cn->target_port, sim->step + cn->delay_steps, sim->event_seq++};
        dtb_status st = heap_push(sim, e);
        if (st)
            return st;
    }
    return DTB_OK;
}

/* --------------------------------------------------------- handlers */

/* Which handler fires for which instance, the order of assignments and
 * the transitions are the kernel's rule (kernel/khandler.h), shared with
 * the populations of LEMS cells. The engine evaluates the assignments of
 * the fired instances only, and sends their events. */

static dtb_status grow_handler(lr_handler *h, size_t n)
{
    if (h->k.fired)
        return DTB_OK;
    size_t na = h->k.n_assigns;
    h->k.fired = dtb__malloc_array(n + 1, sizeof *h->k.fired);
    h->vals = dtb__malloc_array(na * n + 1, sizeof *h->vals);
    h->val_rows = dtb__malloc_array(na + 1, sizeof *h->val_rows);
    h->k.vals = h->val_rows;
    return h->k.fired && h->vals && h->val_rows ? DTB_OK : DTB_ENOMEM;
}

/* Assignment values of h for its fired instances, from current values. */
static dtb_status compute(dtb__lr_sim *sim, lr_group *g, lr_handler *h)
{
    size_t na = h->k.n_assigns, nf = h->k.n_fired;
    if (!nf || !na)
        return DTB_OK;
    for (size_t a = 0; a < na; a++)
        h->val_rows[a] = h->vals + a * nf;
    /* Every instance, in order: evaluate over the arrays themselves. */
    int all = nf == g->n;
    for (size_t m = 0; all && m < nf; m++)
        all = h->k.fired[m] == m;
    return dtb__lr_eval(sim, g, &h->prog, all ? NULL : h->k.fired, nf, (double **)h->val_rows);
}

/* Apply the values; note whether any state actually changed (a pulse
 * generator re-assigns the same current at every step: the derived
 * variables need not be computed again for that). */
static void apply(dtb__lr_sim *sim, lr_group *g, const lr_handler *h)
{
    sim->state_changed |= dtb__khandler_assign(&h->k, g->state_rows);
}

static dtb_status send_all(dtb__lr_sim *sim, lr_group *g, const lr_handler *h)
{
    for (size_t e = 0; h->h && e < h->h->n_event_outs; e++)
        for (size_t m = 0; m < h->k.n_fired; m++) {
            dtb_status st = dtb__lr_send(sim, g->inst[h->k.fired[m]], h->event_ports[e]);
            if (st)
                return st;
        }
    return DTB_OK;
}

/* OnEntry of the regime each moved instance just entered; then the moved
 * instances are unmarked. */
static dtb_status enter(dtb__lr_sim *sim, lr_group *g, const size_t *moved, size_t n_moved)
{
    dtb_status st = DTB_OK;
    for (size_t e = 0; !st && e < g->n_entries; e++) {
        lr_handler *h = &g->entries[e];
        if ((st = grow_handler(h, g->n)))
            break;
        dtb__khandler_select_entered(&h->k, moved, n_moved, g->regime);
        if ((st = compute(sim, g, h)))
            break;
        apply(sim, g, h);
        st = send_all(sim, g, h);
    }
    dtb__khandler_unmark(g->entered, moved, n_moved);
    return st;
}

dtb_status dtb__lr_conditions(dtb__lr_sim *sim, lr_group *g, const size_t *idx, size_t k)
{
    if (!g->n_conds)
        return DTB_OK;
    size_t count = idx ? k : g->n;
    if (idx) {
        /* the tests of the listed instances, compact at the arrays' start */
        double *outs[64];
        double **o = g->n_conds <= 64 ? outs : dtb__malloc_array(g->n_conds, sizeof *o);
        if (!o)
            return DTB_ENOMEM;
        for (size_t c = 0; c < g->n_conds; c++)
            o[c] = g->cond_out + c * g->n;
        dtb_status st = dtb__lr_eval(sim, g, &g->cond, idx, k, o);
        if (o != outs)
            free(o);
        if (st)
            return st;
    } else {
        dtb__lr_eval(sim, g, &g->cond, NULL, 0, NULL);
    }
    size_t any = 0;
    /* Everything is computed from the values before any assignment. */
    for (size_t c = 0; c < g->n_conds; c++) {
        lr_handler *h = &g->conds[c];
        dtb_status st = grow_handler(h, g->n);
        if (st)
            return st;
        any += dtb__khandler_select(&h->k, g->cond_out + c * g->n, idx, count, g->regime);
        if ((st = compute(sim, g, h)))
            return st;
    }
    if (!any)
        return DTB_OK;
    size_t n_moved = 0;
    for (size_t c = 0; c < g->n_conds; c++) {
        lr_handler *h = &g->conds[c];
        apply(sim, g, h);
        dtb_status st = send_all(sim, g, h);
        if (st)
            return st;
        if (g->regime)
            dtb__khandler_move(&h->k, g->regime, g->entered, sim->index_buf, &n_moved);
    }
    return n_moved ? enter(sim, g, sim->index_buf, n_moved) : DTB_OK;
}

static dtb_status deliver(dtb__lr_sim *sim, const lr_event *e)
{
    lr_inst *li = e->target;
    lr_group *g = &sim->groups[li->group];
    const size_t one = li->gi;
    const double yes = 1.0;
    for (size_t k = 0; k < g->n_events; k++) {
        lr_handler *h = &g->events[k];
        if (h->port != e->port)
            continue;
        dtb_status st = grow_handler(h, g->n);
        if (st)
            return st;
        if (!dtb__khandler_select(&h->k, &yes, &one, 1, g->regime))
            continue;
        if ((st = compute(sim, g, h)))
            return st;
        apply(sim, g, h);
        if ((st = send_all(sim, g, h)))
            return st;
        size_t n_moved = 0;
        if (g->regime)
            dtb__khandler_move(&h->k, g->regime, g->entered, sim->index_buf, &n_moved);
        if (n_moved && (st = enter(sim, g, sim->index_buf, n_moved)))
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_handlers(dtb__lr_sim *sim)
{
    sim->state_changed = 0;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        dtb_status st = dtb__lr_conditions(sim, &sim->groups[gi], NULL, 0);
        if (st)
            return st;
    }
    return dtb__lr_deliver_due(sim);
}

dtb_status dtb__lr_deliver_due(dtb__lr_sim *sim)
{
    for (size_t delivered = 0; sim->n_heap && sim->heap[0].due <= sim->step; delivered++) {
        if (delivered > LR_MAX_EVENTS_PER_INSTANT)
            return dtb__error(DTB_ERROR, "more than %u events at t = %g s: events trigger each "
                                            "other without end", LR_MAX_EVENTS_PER_INSTANT, sim->t);
        lr_event e = heap_pop(sim);
        dtb_status st = deliver(sim, &e);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_on_start(dtb__lr_sim *sim)
{
    int max_depth = 0;
    for (size_t i = 0; i < sim->n_all; i++)
        max_depth = sim->all[i]->depth > max_depth ? sim->all[i]->depth : max_depth;
    for (int d = 0; d <= max_depth; d++) {
        dtb__lr_derived(sim);
        for (size_t gi = 0; gi < sim->n_groups; gi++) {
            lr_group *g = &sim->groups[gi];
            if (!g->has_start)
                continue;
            lr_handler *h = &g->start;
            dtb_status st = grow_handler(h, g->n);
            if (st)
                return st;
            h->k.n_fired = 0;
            for (size_t i = 0; i < g->n; i++)
                if (g->inst[i]->depth == d)
                    h->k.fired[h->k.n_fired++] = i;
            if ((st = compute(sim, g, h)))
                return st;
            apply(sim, g, h);
        }
    }
    return DTB_OK;
}
