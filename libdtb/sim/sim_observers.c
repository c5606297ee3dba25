/* libdtb — the simulation takes its observers in: dtb_observer_create tells
 * the observer what it records (observe/ never reads a dtb_sim) and attaches
 * it, recompiling when it needs the derived variables.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "observe/observer.h"
#include "sim.h"

/* Each observer's noise stream differs from the simulation's and from the
 * other observers'. */
static uint64_t observer_seed(const dtb_sim *sim)
{
    return sim->seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(sim->n_observers + 1));
}

static dtb_status create(dtb_observer **out, dtb_sim *sim, const dtb_observer_options *opts,
                         int defer_file)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_observer_create: out is NULL");
    *out = NULL;
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_observer_create: sim is NULL");
    if (sim->running)
        return dtb__error(DTB_ESTATE, "dtb_observer_create: the simulation is running (called "
                                      "from one of its own callbacks)");
    const dtb__observer_host host = {sim->dt, sim->n, sim->core, sim->labels, sim->centres,
                                     observer_seed(sim)};
    dtb_observer *o;
    dtb_status st = dtb__observer_new(&o, &host, opts, defer_file);
    if (st)
        return st;
    st = dtb__sim_attach_observer(sim, o);
    if (st) {
        dtb__observer_discard(o);
        return st;
    }
    dtb__observer_own_user_data(o, opts);
    *out = o;
    return DTB_OK;
}

dtb_status dtb_observer_create(dtb_observer **out, dtb_sim *sim, const dtb_observer_options *opts)
{
    return create(out, sim, opts, 0);
}

dtb_status dtb__observer_create_deferred(dtb_observer **out, dtb_sim *sim,
                                         const dtb_observer_options *opts)
{
    return create(out, sim, opts, 1);
}

dtb_status dtb__sim_attach_observer(dtb_sim *sim, dtb_observer *obs)
{
    if (obs->needs_derived && !sim->need_derived) {
        sim->need_derived = 1;
        sim->prog_dirty = 1;
        dtb_status st = dtb__sim_compile(sim);
        if (st) {
            sim->need_derived = 0;
            return st;
        }
    }
    dtb_observer **p = dtb__realloc_array(sim->observers, sim->n_observers + 1, sizeof *p);
    if (!p)
        return DTB_ENOMEM;
    sim->observers = p;
    p[sim->n_observers++] = dtb__observer_ref(obs);
    return DTB_OK;
}
