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
 * loop adds dt before it advances. A peer (InstanceRequirement) is read as
 * it is when the reader's turn comes: new if it went before. Values are
 * kept in place, so that is what the reads here see too. The row for
 * t_{k+1} is then recorded without computing anything again: derived
 * variables in it are those of step 1.
 *
 * Not verified against jLEMS (no reference trace): event timing (an event
 * is delivered as soon as the instance that sends it has finished, so a
 * receiver later in the tree handles it in the same step), regimes. */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

static dtb_status push(dtb__lr_sim *sim, lr_inst *li, size_t *cap)
{
    if (sim->n_post == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        lr_inst **p = dtb__realloc_array(sim->post, c, sizeof *p);
        if (!p)
            return DTB_ENOMEM;
        sim->post = p;
        *cap = c;
    }
    sim->post[sim->n_post++] = li;
    return DTB_OK;
}

/* Children first, then the instance (no recursion: trees can be deep). */
static dtb_status post_order(dtb__lr_sim *sim, lr_inst *root)
{
    size_t cap = 0, depth = 0, cap_stack = 16;
    lr_inst **stack = dtb__malloc_array(cap_stack, sizeof *stack);
    size_t *next = dtb__malloc_array(cap_stack, sizeof *next);
    dtb_status st = stack && next ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        stack[0] = root;
        next[0] = 0;
        depth = 1;
    }
    while (!st && depth) {
        lr_inst *li = stack[depth - 1];
        if (next[depth - 1] < li->n_kids) {
            lr_inst *kid = li->kids[next[depth - 1]++];
            if (depth == cap_stack) {
                cap_stack *= 2;
                lr_inst **s2 = dtb__realloc_array(stack, cap_stack, sizeof *s2);
                if (s2)
                    stack = s2;
                size_t *n2 = s2 ? dtb__realloc_array(next, cap_stack, sizeof *n2) : NULL;
                if (n2)
                    next = n2;
                if (!s2 || !n2) {
                    st = DTB_ENOMEM;
                    break;
                }
            }
            stack[depth] = kid;
            next[depth++] = 0;
        } else {
            st = push(sim, li, &cap);
            depth--;
        }
    }
    free(stack);
    free(next);
    return st;
}

dtb_status dtb__lr_plan_tree(dtb__lr_sim *sim)
{
    dtb_status st = post_order(sim, sim->root);
    for (size_t s = 0; !st && s < sim->n_stages; s++) {
        lr_group *g = &sim->groups[sim->stages[s].group];
        size_t *a = dtb__realloc_array(g->stages, g->n_stages + 1, sizeof *a);
        if (!a)
            return DTB_ENOMEM;
        g->stages = a;
        a[g->n_stages++] = s;
    }
    return st;
}

/* Steps 1 and 2 for instance i of g. */
static dtb_status advance(dtb__lr_sim *sim, lr_group *g, size_t i)
{
    double *out[64];
    for (size_t k = 0; k < g->n_stages; k++) {
        lr_stage *s = &sim->stages[g->stages[k]];
        dtb__lr_gather(sim, s, i, i + 1);
        if (!s->has_prog)
            continue;
        if (s->n_dvs > 64)
            return dtb__error(DTB_EUNSUPPORTED, "ComponentType '%s': more than 64 derived variables "
                                                "in one stage", g->type->name);
        for (size_t d = 0; d < s->n_dvs; d++)
            out[d] = g->arr[LR_DV] + s->dvs[d] * g->n + i;
        dtb_status st = dtb__lr_eval(sim, g, &s->prog, &i, 1, out);
        if (st)
            return st;
    }
    if (!g->has_rate)
        return DTB_OK;
    if (g->n_rate_state > 64)
        return dtb__error(DTB_EUNSUPPORTED, "ComponentType '%s': more than 64 state variables",
                          g->type->name);
    for (size_t k = 0; k < g->n_rate_state; k++)
        out[k] = g->state_new + g->rate_state[k] * g->n + i;
    dtb_status st = dtb__lr_eval(sim, g, &g->rate, &i, 1, out);
    for (size_t k = 0; !st && k < g->n_rate_state; k++) {
        size_t at = g->rate_state[k] * g->n + i;
        g->arr[LR_STATE][at] = g->state_new[at];
    }
    return st;
}

dtb_status dtb__lr_tree_step(dtb__lr_sim *sim)
{
    sim->t += sim->dt;
    sim->step++;
    dtb_status st = dtb__lr_deliver_due(sim);
    for (size_t p = 0; !st && p < sim->n_post; p++) {
        lr_inst *li = sim->post[p];
        lr_group *g = &sim->groups[li->group];
        size_t i = li->gi;
        st = advance(sim, g, i);
        if (!st)
            st = dtb__lr_conditions(sim, g, &i, 1);
        if (!st && sim->n_heap)
            st = dtb__lr_deliver_due(sim);
    }
    return st;
}
