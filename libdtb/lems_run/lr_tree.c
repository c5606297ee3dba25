/* libdtb — a forward-Euler step in jLEMS' order (the default).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * jLEMS (LEMS/jLEMS, StateInstance.advance and StateType.eulerAdvance)
 * advances the instance tree recursively, children before their parent,
 * siblings in order, and each instance all at once:
 *   1. its requirements, selects and expression derived variables, from its
 *      own state before the step, its descendants' values after their step
 *      (their states new, their derived variables computed before it) and
 *      its ancestors' values before it (from their previous step);
 *   2. its state: x + dt * dx/dt from those values;
 *   3. its OnConditions, on the new state and the derived values of 1.
 * The time seen by all three is the end of the step, t_{k+1}: jLEMS'
 * loop adds dt before it advances. A Requirement is read from the nearest
 * ancestor with that name, its own Requirement's copy included (jLEMS'
 * getVariable), so values passed down several levels arrive a step late
 * per level (lr_layout.c wires it so in this order). A peer (InstanceRequirement) is read as
 * it is when the reader's turn comes: new if it went before. Values are
 * kept in place, so that is what the reads here see too. The row for
 * t_{k+1} is then recorded without computing anything again: derived
 * variables in it are those of step 1.
 *
 * Instance by instance this would cost a program call per instance and
 * stage (50 times the simultaneous order on 1000 cells). But only the
 * relative order of two instances that interact matters: one reads the
 * other (a select, a requirement, a peer: the gathers' sources) or sends it
 * events. So each instance gets a batch number, one more than the largest
 * of the instances it interacts with that come before it in the tree
 * order; a batch holds no two instances that interact, and running the
 * batches in turn, each group's part of a batch as one vector program,
 * gives what the instance-by-instance order gives (tested bit for bit).
 * 1000 cells with an input each are two batches.
 *
 * Events are delivered after the batch of the instance that sends them:
 * a receiver later in the tree handles them before its own update in the
 * same step, one earlier after it. Not verified against jLEMS (no
 * reference trace with events); regimes give the reset rows LEMS-NOTES
 * records for jLEMS' iafTauRefCell. */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

/* The instances of one group in one batch, ascending; all: the whole group. */
typedef struct lr_batch {
    size_t group;
    size_t *idx, k;
    int all;
} lr_batch;

void dtb__lr_batch_free(dtb__lr_sim *sim, size_t b) { free(sim->batches[b].idx); }

/* ------------------------------------------------------------ planning */

typedef struct planner {
    dtb__lr_sim *sim;
    lr_inst **post; size_t n_post, cap_post;
    size_t **pos;                      /* per group, per instance: its place in post */
    size_t (*edges)[2]; size_t n_edges, cap_edges;
    int failed;
} planner;

static void push_post(planner *p, lr_inst *li)
{
    if (p->n_post == p->cap_post) {
        size_t c = p->cap_post ? 2 * p->cap_post : 64;
        lr_inst **a = dtb__realloc_array(p->post, c, sizeof *a);
        if (!a) {
            p->failed = 1;
            return;
        }
        p->post = a;
        p->cap_post = c;
    }
    p->post[p->n_post++] = li;
}

/* Children first, then the instance (no recursion: trees can be deep). */
static void post_order(planner *p, lr_inst *root)
{
    size_t depth = 1, cap = 16;
    lr_inst **stack = dtb__malloc_array(cap, sizeof *stack);
    size_t *next = dtb__malloc_array(cap, sizeof *next);
    if (!stack || !next) {
        p->failed = 1;
        depth = 0;
    } else {
        stack[0] = root;
        next[0] = 0;
    }
    while (depth && !p->failed) {
        lr_inst *li = stack[depth - 1];
        if (next[depth - 1] >= li->n_kids) {
            push_post(p, li);
            depth--;
            continue;
        }
        lr_inst *kid = li->kids[next[depth - 1]++];
        if (depth == cap) {
            lr_inst **s2 = dtb__realloc_array(stack, 2 * cap, sizeof *s2);
            stack = s2 ? s2 : stack;
            size_t *n2 = s2 ? dtb__realloc_array(next, 2 * cap, sizeof *n2) : NULL;
            next = n2 ? n2 : next;
            if (!n2) {
                p->failed = 1;
                break;
            }
            cap *= 2;
        }
        stack[depth] = kid;
        next[depth++] = 0;
    }
    free(stack);
    free(next);
}

/* The place in post of the instance whose variable lives at x, or -1. */
static long owner_of(const planner *p, const double *x)
{
    const dtb__lr_sim *sim = p->sim;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        const lr_group *g = &sim->groups[gi];
        for (int k = 0; k < LR_NKINDS; k++) {
            const double *a = g->arr[k];
            size_t len = g->count[k] * g->n;
            if (a && len && x >= a && x < a + len)
                return (long)p->pos[gi][(size_t)(x - a) % g->n];
        }
    }
    return -1;
}

/* Two instances that interact, as (earlier, later) in post. */
static void add_edge(planner *p, size_t a, size_t b)
{
    if (a == b)
        return;
    if (p->n_edges == p->cap_edges) {
        size_t c = p->cap_edges ? 2 * p->cap_edges : 256;
        size_t(*e)[2] = dtb__realloc_array(p->edges, c, sizeof *e);
        if (!e) {
            p->failed = 1;
            return;
        }
        p->edges = e;
        p->cap_edges = c;
    }
    p->edges[p->n_edges][0] = a < b ? a : b;
    p->edges[p->n_edges++][1] = a < b ? b : a;
}

static void interactions(planner *p)
{
    dtb__lr_sim *sim = p->sim;
    for (size_t gi = 0; gi < sim->n_groups && !p->failed; gi++) {
        lr_group *g = &sim->groups[gi];
        for (size_t a = 0; a < g->n_gathers; a++) {
            const lr_gather *ga = &g->gathers[a];
            for (size_t i = 0; i < g->n; i++)
                for (size_t j = ga->offsets[i]; j < ga->offsets[i + 1]; j++) {
                    long o = owner_of(p, ga->src[j]);
                    if (o >= 0)
                        add_edge(p, p->pos[gi][i], (size_t)o);
                }
        }
    }
    /* a KineticScheme reads its edges' rates and sets its nodes' occupancies */
    for (size_t i = 0; i < sim->n_kschemes && !p->failed; i++) {
        const lr_kscheme *ks = &sim->kschemes[i];
        size_t own = p->pos[ks->owner->group][ks->owner->gi];
        for (size_t n = 0; n < ks->n; n++) {
            long o = owner_of(p, ks->occ[n]);
            if (o >= 0)
                add_edge(p, own, (size_t)o);
        }
        for (size_t e = 0; e < ks->n_edges; e++) {
            long o = owner_of(p, ks->rf[e]);
            if (o >= 0)
                add_edge(p, own, (size_t)o);
            o = owner_of(p, ks->rr[e]);
            if (o >= 0)
                add_edge(p, own, (size_t)o);
        }
    }
    for (size_t k = 0; k < p->n_post && !p->failed; k++)
        for (size_t c = 0; c < p->post[k]->n_conns; c++) {
            const lr_inst *t = p->post[k]->conns[c].target;
            add_edge(p, k, p->pos[t->group][t->gi]);
        }
}

static int by_later(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int by_scheme_batch(const void *a, const void *b)
{
    const lr_kscheme *x = a, *y = b;
    return x->batch < y->batch ? -1 : x->batch > y->batch;
}

typedef struct slot {
    size_t batch, group, gi;
} slot;

static int by_batch(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->batch != y->batch)
        return x->batch < y->batch ? -1 : 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->gi < y->gi ? -1 : x->gi > y->gi;
}

/* Batch numbers by one pass over the edges sorted by their later end, then
 * the (batch, group) sets. */
static dtb_status make_batches(planner *p)
{
    dtb__lr_sim *sim = p->sim;
    size_t *batch = dtb__calloc(p->n_post + 1, sizeof *batch);
    slot *slots = dtb__calloc(p->n_post + 1, sizeof *slots);
    dtb_status st = batch && slots ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        if (p->n_edges)   /* edges is NULL when there are none */
            qsort(p->edges, p->n_edges, sizeof *p->edges, by_later);
        for (size_t e = 0; e < p->n_edges; e++) {
            size_t a = p->edges[e][0], b = p->edges[e][1];
            if (batch[b] < batch[a] + 1)
                batch[b] = batch[a] + 1;
        }
        for (size_t k = 0; k < p->n_post; k++)
            slots[k] = (slot){sim->one_by_one ? k : batch[k], p->post[k]->group, p->post[k]->gi};
        /* the batch (as numbered below) of each KineticScheme's owner, by
         * its slot's place once sorted: first its batch number here */
        for (size_t i = 0; i < sim->n_kschemes; i++) {
            const lr_inst *o = sim->kschemes[i].owner;
            size_t k = p->pos[o->group][o->gi];
            sim->kschemes[i].batch = sim->one_by_one ? k : batch[k];
        }
        qsort(slots, p->n_post, sizeof *slots, by_batch);
    }
    for (size_t k = 0; !st && k < p->n_post;) {
        size_t end = k;
        while (end < p->n_post && slots[end].batch == slots[k].batch && slots[end].group == slots[k].group)
            end++;
        lr_batch *b = dtb__realloc_array(sim->batches, sim->n_batches + 1, sizeof *b);
        if (!b) {
            st = DTB_ENOMEM;
            break;
        }
        sim->batches = b;
        b = &b[sim->n_batches];
        memset(b, 0, sizeof *b);
        b->group = slots[k].group;
        b->k = end - k;
        b->idx = dtb__malloc_array(b->k, sizeof *b->idx);
        if (!b->idx) {
            st = DTB_ENOMEM;
            break;
        }
        sim->n_batches++;
        for (size_t m = 0; m < b->k; m++)
            b->idx[m] = slots[k + m].gi;
        b->all = b->k == sim->groups[b->group].n;
        k = end;
    }
    /* batch numbers of the schemes -> index of their owner's set */
    for (size_t i = 0; !st && i < sim->n_kschemes; i++) {
        lr_kscheme *ks = &sim->kschemes[i];
        for (size_t b = 0; b < sim->n_batches; b++) {
            const lr_batch *bb = &sim->batches[b];
            int in = 0;
            for (size_t m = 0; bb->group == ks->owner->group && m < bb->k && !in; m++)
                in = bb->idx[m] == ks->owner->gi;
            if (in) {
                ks->batch = b;
                break;
            }
        }
    }
    if (!st && sim->n_kschemes)
        qsort(sim->kschemes, sim->n_kschemes, sizeof *sim->kschemes, by_scheme_batch);
    free(batch);
    free(slots);
    return st;
}

dtb_status dtb__lr_plan_tree(dtb__lr_sim *sim)
{
    planner p = {.sim = sim};
    p.pos = dtb__calloc(sim->n_groups + 1, sizeof *p.pos);
    p.failed = !p.pos;
    for (size_t gi = 0; gi < sim->n_groups && !p.failed; gi++)
        p.failed = !(p.pos[gi] = dtb__calloc(sim->groups[gi].n + 1, sizeof **p.pos));
    if (!p.failed)
        post_order(&p, sim->root);
    for (size_t k = 0; k < p.n_post && !p.failed; k++)
        p.pos[p.post[k]->group][p.post[k]->gi] = k;
    if (!p.failed)
        interactions(&p);
    dtb_status st = p.failed ? DTB_ENOMEM : make_batches(&p);
    for (size_t s = 0; !st && s < sim->n_stages; s++) {
        lr_group *g = &sim->groups[sim->stages[s].group];
        size_t *a = dtb__realloc_array(g->stages, g->n_stages + 1, sizeof *a);
        if (!a) {
            st = DTB_ENOMEM;
            break;
        }
        g->stages = a;
        a[g->n_stages++] = s;
    }
    for (size_t gi = 0; p.pos && gi < sim->n_groups; gi++)
        free(p.pos[gi]);
    free(p.pos);
    free(p.post);
    free(p.edges);
    return st;
}

/* ------------------------------------------------------------- running */

static double *scratch(dtb__lr_sim *sim, size_t n)
{
    if (n > sim->cap_scratch) {
        double *s = dtb__realloc_array(sim->scratch, n, sizeof *s);
        if (!s)
            return NULL;
        sim->scratch = s;
        sim->cap_scratch = n;
    }
    return sim->scratch;
}

/* Program p over the batch's instances, its j-th output going to row
 * rows[j] of dest ([rows][g->n]): in place for a whole group, else through
 * the compact scratch. */
static dtb_status run_prog(dtb__lr_sim *sim, lr_group *g, const lr_batch *b, lr_prog *p, double *dest,
                           const size_t *rows, size_t n_rows)
{
    double *out[64] = {0};
    double **o = n_rows <= 64 ? out : dtb__malloc_array(n_rows, sizeof *o);
    if (!o)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    if (b->all) {
        for (size_t j = 0; j < n_rows; j++)
            o[j] = dest + rows[j] * g->n;
        dtb__lr_eval(sim, g, p, NULL, 0, o);
    } else {
        double *s = scratch(sim, n_rows * b->k + 1);
        st = s ? DTB_OK : DTB_ENOMEM;
        for (size_t j = 0; !st && j < n_rows; j++)
            o[j] = s + j * b->k;
        if (!st)
            st = dtb__lr_eval(sim, g, p, b->idx, b->k, o);
        for (size_t j = 0; !st && j < n_rows; j++)
            for (size_t m = 0; m < b->k; m++)
                dest[rows[j] * g->n + b->idx[m]] = s[j * b->k + m];
    }
    if (o != out)
        free(o);
    return st;
}

/* Steps 1 and 2 for the batch. */
static dtb_status advance(dtb__lr_sim *sim, const lr_batch *b)
{
    lr_group *g = &sim->groups[b->group];
    dtb_status st = DTB_OK;
    for (size_t k = 0; !st && k < g->n_stages; k++) {
        lr_stage *s = &sim->stages[g->stages[k]];
        dtb__lr_gather(sim, s, b->all ? NULL : b->idx, b->k);
        if (s->has_prog)
            st = run_prog(sim, g, b, &s->prog, g->arr[LR_DV], s->dvs, s->n_dvs);
    }
    if (st || !g->has_rate)
        return st;
    /* the new states first, all read before any is written */
    st = run_prog(sim, g, b, &g->rate, g->state_new, g->rate_state, g->n_rate_state);
    for (size_t k = 0; !st && k < g->n_rate_state; k++) {
        size_t row = g->rate_state[k] * g->n;
        if (b->all)
            memcpy(g->arr[LR_STATE] + row, g->state_new + row, g->n * sizeof(double));
        else
            for (size_t m = 0; m < b->k; m++)
                g->arr[LR_STATE][row + b->idx[m]] = g->state_new[row + b->idx[m]];
    }
    return st;
}

dtb_status dtb__lr_tree_step(dtb__lr_sim *sim)
{
    sim->t += sim->dt;
    sim->step++;
    dtb_status st = dtb__lr_deliver_due(sim);
    size_t ks = 0;
    for (size_t k = 0; !st && k < sim->n_batches; k++) {
        const lr_batch *b = &sim->batches[k];
        /* jLEMS: an instance's KineticSchemes after its children, before itself */
        if (ks < sim->n_kschemes)
            st = dtb__lr_kinetic_batch(sim, k, &ks);
        if (!st)
            st = advance(sim, b);
        if (!st)
            st = dtb__lr_conditions(sim, &sim->groups[b->group], b->all ? NULL : b->idx, b->k);
        if (!st && sim->n_heap)
            st = dtb__lr_deliver_due(sim);
    }
    return st;
}
