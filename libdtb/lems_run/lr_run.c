/* libdtb — building and running a LEMS simulation.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The order of one run is documented in lems_run.h; jLEMS' order (the
 * default) in lr_tree.c, which matches the shared jLEMS traces row for
 * row. The pylems (simultaneous) order, compared with the reference
 * interpreters (LEMS-NOTES §6), on the same file:
 *  - rows: libdtb writes N+1 rows t_0..t_N (jLEMS' rows); pylems row k
 *    holds the state libdtb has at t_{k+1}, labelled t_k.
 *  - a parent's derived variable read by a child (a Requirement) has no
 *    lag here, nor in jLEMS; pylems reads the previous step's value.
 *  - OnCondition tests see the time of the state they test (t_{k+1} after
 *    the step to it); pylems tests the new state with the old time t_k.
 *    Resets, spikes and pulse onsets fall on the same steps; a regime
 *    entered at t = 0 (a cell above threshold from the start) leaves its
 *    refractory period one step earlier than in pylems (and two earlier
 *    than in jLEMS).
 *  - an event is delivered in the instant it is sent (plus its delay):
 *    a synapse's OnEvent runs before the step from that instant, where
 *    pylems may apply it one step later, depending on tree order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

static void free_handlers(lr_handler *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dtb__kprog_free(&h[i].prog);
        free((void *)h[i].k.assign_state);
        free(h[i].k.fired);
        free(h[i].event_ports);
        free(h[i].vals);
        free(h[i].val_rows);
    }
    free(h);
}

void dtb__lr_free(dtb__lr_sim *sim)
{
    if (!sim)
        return;
    for (size_t i = 0; i < sim->n_all; i++)
        dtb__lr_inst_free(sim->all[i]);
    free(sim->all);
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        free(g->inst);
        for (int k = 0; k < LR_NKINDS; k++) {
            free(g->arr[k]);
            free(g->uniform[k]);
        }
        free(g->state_new);
        free(g->regime);
        free(g->entered);
        free(g->state_rows);
        for (size_t a = 0; a < g->n_gathers; a++) {
            free(g->gathers[a].offsets);
            free((void *)g->gathers[a].src);
            free(g->gathers[a].deps);
        }
        free(g->gathers);
        dtb__kprog_free(&g->rate);
        free(g->rate_state);
        dtb__kprog_free(&g->deriv);
        free(g->dstate);
        free(g->stages);
        free_handlers(g->conds, g->n_conds);
        dtb__kprog_free(&g->cond);
        free(g->cond_out);
        free_handlers(g->events, g->n_events);
        free_handlers(g->entries, g->n_entries);
        if (g->has_start) {
            dtb__kprog_free(&g->start.prog);
            free((void *)g->start.k.assign_state);
            free(g->start.k.fired);
            free(g->start.event_ports);
            free(g->start.vals);
            free(g->start.val_rows);
        }
    }
    free(sim->groups);
    for (size_t s = 0; s < sim->n_stages; s++) {
        free(sim->stages[s].gathers);
        free(sim->stages[s].dvs);
        dtb__kprog_free(&sim->stages[s].prog);
    }
    free(sim->stages);
    for (size_t c = 0; c < sim->n_columns; c++)
        free(sim->columns[c].path);
    free(sim->columns);
    free(sim->selections);
    for (size_t o = 0; o < sim->n_outputs; o++)
        free(sim->outputs[o].name);
    free(sim->outputs);
    free(sim->heap);
    free(sim->now);
    free(sim->index_buf);
    for (size_t b = 0; b < sim->n_batches; b++)
        dtb__lr_batch_free(sim, b);
    free(sim->batches);
    free(sim->scratch);
    dtb__lr_kinetic_free(sim);
    dtb__lr_ode_free(sim);
    dtb__kcompact_free(&sim->compact);
    free(sim);
}

/* jLEMS' order applies to forward Euler; the other methods integrate the
 * simultaneous system (every derivative from one state). */
static int tree_order(const dtb__lr_sim *sim)
{
    return sim->order == DTB__LR_ORDER_JLEMS && sim->method == DTB__LR_EULER;
}

static dtb_status resolve_columns(dtb__lr_sim *sim, size_t from)
{
    for (size_t c = from; c < sim->n_columns; c++) {
        dtb_status st = dtb__lr_resolve_quantity(sim, sim->root, sim->columns[c].path, &sim->columns[c].src);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_create(const dtb__lems_doc *doc, const dtb__lr_options *opts, dtb__lr_sim **out)
{
    if (!out || !doc)
        return dtb__error(DTB_EINVAL, "dtb__lr_create: NULL argument");
    *out = NULL;
    dtb__lr_sim *sim = dtb__calloc(1, sizeof *sim);
    if (!sim)
        return DTB_ENOMEM;
    sim->doc = doc;
    if (opts) {
        sim->order = opts->order;
        sim->method = opts->method;
        sim->rtol = opts->rtol;
        sim->atol = opts->atol;
        sim->one_by_one = opts->one_by_one;
    }
    dtb_status st = DTB_OK;
    if ((unsigned)sim->order > DTB__LR_ORDER_PYLEMS)
        st = dtb__error(DTB_EINVAL, "LEMS run: unknown update order %d", (int)sim->order);
    else if ((unsigned)sim->method > DTB__LR_RK8PD)
        st = dtb__error(DTB_EINVAL, "LEMS run: unknown integration method %d", (int)sim->method);
    else if (!(sim->rtol >= 0) || !(sim->atol >= 0))
        st = dtb__error(DTB_EINVAL, "LEMS run: tolerances must be >= 0 (rtol %g, atol %g)", sim->rtol,
                        sim->atol);
    if (st) {
        free(sim);
        return st;
    }
    if (sim->rtol == 0)
        sim->rtol = 1e-8;
    if (sim->atol == 0)
        sim->atol = 1e-10;
    st = dtb__lr_read_simulation(sim, opts);
    if (!st)
        st = dtb__lr_connect_all(sim);
    if (!st)
        st = dtb__lr_layout(sim);
    if (!st)
        st = dtb__lr_plan_stages(sim);
    if (!st)
        st = dtb__lr_compile(sim);
    if (!st)
        st = dtb__lr_plan_kinetic(sim);
    if (!st && tree_order(sim))
        st = dtb__lr_plan_tree(sim);
    if (!st)
        st = resolve_columns(sim, 0);
    if (!st)
        st = dtb__lr_resolve_selections(sim);
    if (st) {
        dtb__lr_free(sim);
        return st;
    }
    *out = sim;
    return DTB_OK;
}

void dtb__lr_on_event(dtb__lr_sim *sim, dtb__lr_event_fn fn, void *ud)
{
    if (!sim)
        return;
    sim->event_fn = fn;
    sim->event_ud = ud;
}

double dtb__lr_dt(const dtb__lr_sim *sim) { return sim ? sim->dt : NAN; }
int64_t dtb__lr_steps(const dtb__lr_sim *sim) { return sim ? sim->n_steps : -1; }
size_t dtb__lr_output_count(const dtb__lr_sim *sim) { return sim ? sim->n_outputs : 0; }
size_t dtb__lr_column_count(const dtb__lr_sim *sim) { return sim ? sim->n_columns : 0; }
size_t dtb__lr_instance_count(const dtb__lr_sim *sim) { return sim ? sim->n_all : 0; }

const dtb__lr_output *dtb__lr_output_at(const dtb__lr_sim *sim, size_t i)
{
    return sim && i < sim->n_outputs ? &sim->outputs[i] : NULL;
}

const char *dtb__lr_column_path(const dtb__lr_sim *sim, size_t i)
{
    return sim && i < sim->n_columns ? sim->columns[i].path : NULL;
}

dtb_status dtb__lr_add_column(dtb__lr_sim *sim, const char *path, size_t *index_out)
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb__lr_add_column: NULL argument");
    lr_column *c = dtb__realloc_array(sim->columns, sim->n_columns + 1, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    sim->columns = c;
    c[sim->n_columns].path = dtb__strdup(path);
    if (!c[sim->n_columns].path)
        return DTB_ENOMEM;
    c[sim->n_columns].src = NULL;
    sim->n_columns++;
    dtb_status st = resolve_columns(sim, sim->n_columns - 1);
    if (st) {
        free(sim->columns[--sim->n_columns].path);
        return st;
    }
    if (index_out)
        *index_out = sim->n_columns - 1;
    return DTB_OK;
}

void dtb__lr_euler(dtb__lr_sim *sim)
{
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        if (!g->has_rate)
            continue;
        dtb__lr_eval(sim, g, &g->rate, NULL, 0, NULL);
        for (size_t k = 0; k < g->n_rate_state; k++) {
            size_t s = g->rate_state[k];
            memcpy(g->arr[LR_STATE] + s * g->n, g->state_new + s * g->n, g->n * sizeof(double));
        }
    }
}

/* Handlers and derived variables at the current instant, then its row.
 * The derived variables are computed before the handlers only when some
 * handler reads one (or a requirement), and after them unless they are
 * known to be current. */
static dtb_status record(dtb__lr_sim *sim, double *row, dtb__lr_row_fn fn, void *ud)
{
    for (size_t c = 0; c < sim->n_columns; c++)
        row[c] = *sim->columns[c].src;
    if (fn && fn(sim->t, row, ud))
        return dtb__error(DTB_ECANCELLED, "LEMS run stopped by the row callback at t = %g s", sim->t);
    return DTB_OK;
}

static dtb_status instant(dtb__lr_sim *sim, double *row, dtb__lr_row_fn fn, void *ud)
{
    if (sim->handlers_read_derived)
        dtb__lr_derived(sim);
    dtb_status st = dtb__lr_handlers(sim);
    if (st)
        return st;
    if (!sim->handlers_read_derived || sim->state_changed)
        dtb__lr_derived(sim);
    return record(sim, row, fn, ud);
}

/* jLEMS' order: OnStart, derived variables, the row for t_0 (no
 * OnCondition is tested on the initial state); then each step records what
 * it leaves. */
static dtb_status run_tree(dtb__lr_sim *sim, double *row, dtb__lr_row_fn fn, void *ud)
{
    dtb_status st = dtb__lr_on_start(sim);
    if (!st) {
        dtb__lr_derived(sim);
        st = record(sim, row, fn, ud);
    }
    for (int64_t k = 1; !st && k <= sim->n_steps; k++) {
        st = dtb__lr_tree_step(sim);
        if (!st)
            st = record(sim, row, fn, ud);
    }
    return st;
}

dtb_status dtb__lr_run(dtb__lr_sim *sim, dtb__lr_row_fn fn, void *ud)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb__lr_run: NULL simulation");
    double *row = dtb__calloc(sim->n_columns + 1, sizeof *row);
    if (!row)
        return DTB_ENOMEM;
    sim->t = 0.0;
    sim->step = 0;
    if (tree_order(sim)) {
        dtb_status st = run_tree(sim, row, fn, ud);
        free(row);
        return st;
    }
    dtb_status st = dtb__lr_on_start(sim);
    if (!st)
        st = instant(sim, row, fn, ud);
    for (int64_t k = 1; !st && k <= sim->n_steps; k++) {
        if (sim->method == DTB__LR_EULER) {
            dtb__lr_euler(sim);
            if (sim->n_kschemes && (st = dtb__lr_kinetic_all(sim)))
                break;
        } else if ((st = dtb__lr_ode_step(sim))) {
            break;
        }
        sim->t += sim->dt;
        sim->step = k;
        st = instant(sim, row, fn, ud);
    }
    free(row);
    return st;
}
