/* libdtb — the step loop.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One step (from step m to m + 1):
 *   coupling input from the history (held over the step) -> noise draw ->
 *   integrator (which calls dfun once per stage) -> history -> checks ->
 *   observers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "observe/observer.h"
#include "sim.h"

/* Point a program of the model at state x and the step's coupling input. */
static void bind_inputs(dtb_sim *sim, dtb__kprog *kp, const double *x)
{
    const size_t n = (size_t)sim->n;
    const dtb__model_core *c = sim->core;
    dtb__kprog_bind_rows(kp, dtb__model_kin_state(c, 0), sim->n_states, x, n);
    dtb__kprog_bind_rows(kp, dtb__model_kin_coupling(c, 0), sim->n_cvar, sim->coupling_in, n);
}

/* random(x) in a model draws from the simulation's generator. */
static double sim_uniform(void *ud) { return dtb__rng_uniform((dtb__rng *)ud); }

/* dx = f(t, x): evaluate the compiled equations over all regions. */
static void dfun(void *ctx, double t, const double *x, double *dx)
{
    dtb_sim *sim = ctx;
    const size_t n = (size_t)sim->n;
    bind_inputs(sim, &sim->rhs, x);
    for (size_t i = 0; i < sim->n_outputs; i++)
        sim->rhs.outputs[i] = dx + (size_t)sim->output_state[i] * n;
    if (sim->n_outputs < sim->n_states)
        for (size_t v = 0; v < sim->n_states; v++)
            if (!sim->core->states[v].derivative)
                memset(dx + v * n, 0, n * sizeof *dx);
    dtb__kprog_eval(&sim->rhs, t, n, sim_uniform, &sim->rng);
    if (sim->stim_dx_active) {
        /* stimuli on state variables: TVB adds dt * s in every stage */
        const size_t len = sim->n_states * n;
        for (size_t i = 0; i < len; i++)
            dx[i] += sim->stim_dx[i];
    }
}

dtb_status dtb__sim_derivative(dtb_sim *sim, double t, const double *x, const double *c, double *dx)
{
    dtb_status st = dtb__sim_compile(sim);
    if (st)
        return st;
    size_t len = sim->n_cvar * (size_t)sim->n;
    double *saved = dtb__malloc_array(len ? len : 1, sizeof *saved);
    if (!saved)
        return DTB_ENOMEM;
    memcpy(saved, sim->coupling_in, len * sizeof *saved);
    memcpy(sim->coupling_in, c, len * sizeof *saved);
    dfun(sim, t, x, dx);
    memcpy(sim->coupling_in, saved, len * sizeof *saved);
    free(saved);
    return DTB_OK;
}

/* The noise increment of one step (dtb_noise_kind), one normal draw per
 * state variable and region in a fixed order. ADDITIVE follows TVB's
 * operation order: sqrt(h) z sqrt(2 D). */
static dtb_status draw_noise(dtb_sim *sim)
{
    const size_t len = sim->n_states * (size_t)sim->n;
    const double sqrt_h = sqrt(sim->h);
    const double *amp = sim->noise_amp;
    switch (sim->noise_kind) {
    case DTB_NOISE_MULTIPLICATIVE:
        for (size_t i = 0; i < len; i++)
            sim->eta[i] = sqrt_h * dtb__rng_normal(&sim->rng) * amp[i] * sim->x[i];
        break;
    case DTB_NOISE_COLOURED: {
        /* exact OU update over h: xi' = xi e^{-h/tau} + s sqrt(1 - e^{-2h/tau}) z,
         * s = sqrt(D / tau) the stationary standard deviation */
        const double e = exp(-sim->h / sim->noise_tau), q = sqrt(1.0 - e * e);
        if (!sim->ou) {
            sim->ou = dtb__malloc_array(len, sizeof *sim->ou);
            if (!sim->ou)
                return DTB_ENOMEM;
            for (size_t i = 0; i < len; i++)
                sim->ou[i] = amp[i] * dtb__rng_normal(&sim->rng);
        }
        for (size_t i = 0; i < len; i++) {
            sim->ou[i] = sim->ou[i] * e + amp[i] * q * dtb__rng_normal(&sim->rng);
            sim->eta[i] = sim->h * sim->ou[i];
        }
        break;
    }
    default:
        dtb__rng_normal_fill(&sim->rng, sim->eta, len);
        for (size_t i = 0; i < len; i++)
            sim->eta[i] = sqrt_h * sim->eta[i] * amp[i];
        break;
    }
    return DTB_OK;
}

static dtb_status check_finite(const dtb_sim *sim)
{
    const size_t len = sim->n_states * (size_t)sim->n;
    const size_t i = dtb__first_nonfinite(sim->x, len);
    if (DTB__LIKELY(i == len))
        return DTB_OK;
    size_t v = i / (size_t)sim->n, k = i % (size_t)sim->n;
    return dtb__error(DTB_ENUMERIC,
                      "the state became %s at t = %.10g s (step %lld): variable '%s' of region "
                      "%zu ('%s'); reduce dt, the coupling or the noise, or check the parameters",
                      isnan(sim->x[i]) ? "NaN" : "infinite", (double)sim->step * sim->dt,
                      (long long)sim->step, sim->core->states[v].name, k, sim->labels[k]);
}

dtb_status dtb__sim_step_prologue(dtb_sim *sim)
{
    sim->started = 1;
    if (sim->next_scheduled < sim->n_scheduled)
        dtb__sim_apply_scheduled(sim, sim->step);
    if (sim->prog_dirty) {
        /* a scheduled change may have made a parameter per-region */
        dtb_status cst = dtb__sim_compile(sim);
        if (cst)
            return cst;
    }
    return DTB_OK;
}

dtb_status dtb__sim_step_epilogue(dtb_sim *sim, int push_history)
{
    const int64_t m = sim->step;
    if (sim->n_stims)
        dtb__sim_apply_stimuli(sim, m);
    if (sim->stochastic) {
        dtb_status nst = draw_noise(sim);
        if (nst)
            return nst;
    }
    dtb_status ist = dtb__integrator_step(&sim->integ, dfun, sim, (double)m * sim->h, sim->h, sim->x,
                                          sim->stochastic ? sim->eta : NULL, &sim->bounds);
    if (ist)
        return dtb__error_context(ist, "step %lld (t = %g s)", (long long)m, (double)m * sim->dt);
    if (sim->n_spk) {
        dtb_status sst = dtb__sim_spiking_step(sim);
        if (sst)
            return sst;
    }
    sim->step = m + 1;
    if (push_history)
        dtb__history_push(&sim->hist, &sim->coupling, sim->step, sim->x);
    dtb_status st = check_finite(sim);
    if (!st && sim->need_derived) {
        /* Derived variables at the new state, with the coupling input of
         * the step that produced it. */
        bind_inputs(sim, &sim->obs, sim->x);
        dtb__kprog_eval(&sim->obs, (double)sim->step * sim->h, (size_t)sim->n, sim_uniform, &sim->rng);
    }
    for (size_t i = 0; !st && i < sim->n_observers; i++)
        st = dtb__observer_record(sim->observers[i], sim->step, sim->x, sim->derived);
    return st;
}

static dtb_status step_once(dtb_sim *sim)
{
    dtb_status st = dtb__sim_step_prologue(sim);
    if (st)
        return st;
    if (sim->n_cvar)
        dtb__coupling_compute(&sim->coupling, &sim->net, &sim->hist, &sim->gather, sim->step,
                              (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0,
                              sim->coupling_in, sim->coupling_scratch);
    return dtb__sim_step_epilogue(sim, 1);
}

static dtb_status begin(dtb_sim *sim, const char *fn)
{
    if (sim->in_batch)
        return dtb__error(DTB_ESTATE, "the simulation is stepped by a lockstep batch; step it "
                                      "through the batch");
    if (sim->running)
        /* a progress or observer callback of this very run: running it
         * again from there would step (and free) what the outer run holds */
        return dtb__error(DTB_ESTATE, "%s: the simulation is running (called from one of its own "
                                      "callbacks); return non-zero from the callback or call "
                                      "dtb_sim_request_stop to stop it", fn);
    return dtb__sim_compile(sim);
}

static dtb_status stop_requested(dtb_sim *sim)
{
    if (!atomic_load_explicit(&sim->stop_requested, memory_order_relaxed))
        return DTB_OK;
    atomic_store(&sim->stop_requested, 0);
    return dtb__error(DTB_ECANCELLED, "stopped on request at t = %g s (step %lld)",
                      (double)sim->step * sim->dt, (long long)sim->step);
}

dtb_status dtb_sim_step(dtb_sim *sim, int64_t n_steps)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_step: sim is NULL");
    if (n_steps < 0)
        return dtb__error(DTB_EINVAL, "dtb_sim_step: n_steps is negative (%lld)", (long long)n_steps);
    dtb_status st = begin(sim, "dtb_sim_step");
    if (st)
        return st;
    sim->running = 1;
    for (int64_t i = 0; !st && i < n_steps; i++) {
        st = stop_requested(sim);
        if (!st)
            st = step_once(sim);
    }
    sim->running = 0;
    return st;
}

static dtb_status flush_observers(dtb_sim *sim)
{
    dtb_status st = DTB_OK;
    for (size_t i = 0; i < sim->n_observers; i++) {
        dtb_status s = dtb__sink_flush(sim->observers[i]);
        if (!st)
            st = s;
    }
    return st;
}

static dtb_status run_steps(dtb_sim *sim, int64_t n_steps, dtb_progress_fn progress,
                            void *user_data, const char *fn);

dtb_status dtb_sim_run(dtb_sim *sim, double duration, dtb_progress_fn progress, void *user_data)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_run: sim is NULL");
    if (!isfinite(duration) || duration < 0)
        return dtb__error(DTB_EINVAL, "dtb_sim_run: duration must be finite and >= 0 (got %g s)",
                          duration);
    double steps_d = rint(duration / sim->dt);
    if (steps_d > 9e15)
        return dtb__error(DTB_EINVAL, "dtb_sim_run: %g s is too many steps of %g s", duration, sim->dt);
    return run_steps(sim, (int64_t)steps_d, progress, user_data, "dtb_sim_run");
}

dtb_status dtb_sim_run_to(dtb_sim *sim, double t_end, dtb_progress_fn progress, void *user_data)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_run_to: sim is NULL");
    if (!isfinite(t_end))
        return dtb__error(DTB_EINVAL, "dtb_sim_run_to: time %g s is not finite", t_end);
    double target = rint(t_end / sim->dt);
    if (target > 9e15)
        return dtb__error(DTB_EINVAL, "dtb_sim_run_to: %g s is too many steps of %g s", t_end, sim->dt);
    int64_t n_steps = (int64_t)target - sim->step;
    return run_steps(sim, n_steps > 0 ? n_steps : 0, progress, user_data, "dtb_sim_run_to");
}

static dtb_status run_steps(dtb_sim *sim, int64_t n_steps, dtb_progress_fn progress,
                            void *user_data, const char *fn)
{
    int64_t every = n_steps / 1000 > 0 ? n_steps / 1000 : 1;
    dtb_status st = begin(sim, fn);
    if (st)
        return st;
    sim->running = 1;
    for (int64_t i = 0; !st && i < n_steps; i++) {
        st = stop_requested(sim);
        if (!st)
            st = step_once(sim);
        if (!st && progress && ((i + 1) % every == 0 || i + 1 == n_steps)) {
            int32_t r = progress(dtb_sim_time(sim), (double)(i + 1) / (double)n_steps, user_data);
            if (r)
                st = dtb__error(DTB_ECANCELLED, "cancelled by the progress callback (it returned %d) "
                                                "at t = %g s", (int)r, dtb_sim_time(sim));
        }
    }
    if (!st && progress && n_steps == 0 && progress(dtb_sim_time(sim), 1.0, user_data))
        st = dtb__error(DTB_ECANCELLED, "cancelled by the progress callback");
    dtb_status fst = flush_observers(sim);
    sim->running = 0;
    return st ? st : fst;
}

void dtb_sim_request_stop(dtb_sim *sim)
{
    if (sim)
        atomic_store(&sim->stop_requested, 1);
}
