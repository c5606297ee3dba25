/* libdtb — stimuli: a time course times a spatial pattern, added to a
 * model's state variable, input or parameter.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dtb_stimulus is built first (target, temporal shapes, spatial
 * pattern), then added to a simulation, which copies it: later changes to
 * the stimulus do not affect that simulation. Times are in seconds,
 * frequencies in Hz; amplitudes are in the unit of what the stimulus
 * enters (the parameter's own unit, for TVB models TVB's).
 *
 * The value at a step is evaluated at the time at the START of the step
 * and held through it, so a pulse with onset 100 ms and width 50 ms acts
 * on the steps that start in [100 ms, 150 ms) (as OpenDTB does). It enters:
 *  - a state variable: as TVB does, dt * s is added in every stage of the
 *    integrator (the stimulus is added to the variable's time derivative);
 *  - a parameter (e.g. "I_ext", "P"): s is added to the parameter's value;
 *  - a coupling input (a Requirement, e.g. "c0"): s is added to the input.
 * Several stimuli on the same target add up.
 *
 * Temporal shapes (name, parameters, defaults in brackets; a stimulus may
 * hold several, which add up):
 *   pulse        onset, width, amplitude [1]: amplitude on [onset, onset+width)
 *   pulse_train  onset, width, period, amplitude [1], count [0 = unlimited]
 *   biphasic     onset, width (of each phase), gap [0], period, amplitude [1],
 *                count [0]: +amplitude then -amplitude (charge-balanced, DBS-like)
 *   step         onset, amplitude [1]
 *   ramp         onset, duration, amplitude [1]: 0 at onset rising linearly to
 *                amplitude at onset+duration, amplitude afterwards
 *   sine         frequency (Hz), amplitude [1], phase (rad) [0], offset [0],
 *                onset [0], duration [0 = unlimited]
 *   gaussian     mean, sigma, amplitude [1], offset [0]
 *   alpha        onset, tau, amplitude [1]: amplitude (t/tau) e^(1 - t/tau), t = time
 *                since onset (peak amplitude at t = tau)
 *   poisson      rate (Hz), width, amplitude [1], onset [0], duration [0]: pulses of
 *                the given width at Poisson times (seeded, see below)
 *   noise        sigma, onset [0], duration [0], mean [0]: Gaussian white noise,
 *                a new value every step
 *   table        rows of (start, end, amplitude): dtb_stimulus_add_table()
 *   waveform     samples (t_i, v_i), linear between samples, 0 outside:
 *                dtb_stimulus_add_waveform()
 *   callback     a function of time: dtb_stimulus_add_callback()
 * Random shapes (poisson, noise) draw from the stimulus' own generator,
 * seeded by dtb_stimulus_set_seed() (default 0), so adding a stimulus never
 * changes the simulation's noise.
 *
 * Spatial patterns (the last one set wins): regions by index, region
 * labels with glob patterns joined by '+' ("A8m_*+A9l_L"), one weight per
 * region, or a Gaussian around a point (MNI mm) with a given radius (the
 * standard deviation). Default: every region with weight 1.
 */
#ifndef DTB_STIMULUS_H
#define DTB_STIMULUS_H

#include "dtb_common.h"
#include "dtb_observer.h"

DTB_BEGIN_DECLS

typedef struct dtb_stimulus dtb_stimulus;

/* Value of a callback shape at time t (seconds). Called synchronously
 * during dtb_sim_step/run, once per step. */
typedef double (*dtb_stimulus_fn)(double t, void *user_data);

/* A stimulus entering `target` (a state variable, parameter or coupling
 * input name of the model it will be used with). */
DTB_API dtb_status dtb_stimulus_create(dtb_stimulus **out, const char *target);
DTB_API void dtb_stimulus_free(dtb_stimulus *stim);

/* Add a temporal shape by name with named parameters (see above). */
DTB_API dtb_status dtb_stimulus_add(dtb_stimulus *stim, const char *shape,
                                    const char *const *param_names,
                                    const double *param_values, size_t n_params);
/* Piecewise-constant table: amplitude[i] on [start[i], end[i]). */
DTB_API dtb_status dtb_stimulus_add_table(dtb_stimulus *stim, const double *start,
                                          const double *end, const double *amplitude,
                                          size_t n_rows);
/* Sampled waveform: times increasing, linear interpolation, 0 outside. */
DTB_API dtb_status dtb_stimulus_add_waveform(dtb_stimulus *stim, const double *times,
                                             const double *values, size_t n_samples);
/* A user function of time; destroy (may be NULL) is called once with
 * user_data when the last copy of the stimulus is freed. */
DTB_API dtb_status dtb_stimulus_add_callback(dtb_stimulus *stim, dtb_stimulus_fn fn,
                                             void *user_data, dtb_destroy_fn destroy);

/* Spatial patterns. */
DTB_API dtb_status dtb_stimulus_set_regions(dtb_stimulus *stim, const int64_t *regions,
                                            size_t n_regions);
DTB_API dtb_status dtb_stimulus_set_labels(dtb_stimulus *stim, const char *patterns);
DTB_API dtb_status dtb_stimulus_set_weights(dtb_stimulus *stim, const double *weights,
                                            size_t n_regions);
DTB_API dtb_status dtb_stimulus_set_gaussian(dtb_stimulus *stim, const double centre_mm[3],
                                             double radius_mm);

/* Active only for start <= t < stop (seconds; stop may be INFINITY). */
DTB_API dtb_status dtb_stimulus_set_window(dtb_stimulus *stim, double start, double stop);
/* Seed of the random shapes. */
DTB_API dtb_status dtb_stimulus_set_seed(dtb_stimulus *stim, uint64_t seed);

/* Temporal value at time t (without the random shapes, which depend on
 * the steps). NaN for NULL. */
DTB_API double dtb_stimulus_value(const dtb_stimulus *stim, double t);
/* Target name (borrowed). */
DTB_API const char *dtb_stimulus_target(const dtb_stimulus *stim);

/* Add a copy of the stimulus to a simulation: the target is resolved
 * against the model and the spatial pattern against the atlas now
 * (DTB_ENOTFOUND for an unknown target or a label pattern that matches no
 * region). Allowed between steps. */
DTB_API dtb_status dtb_sim_add_stimulus(dtb_sim *sim, const dtb_stimulus *stim);
/* Number of stimuli added to a simulation. */
DTB_API int64_t dtb_sim_stimulus_count(const dtb_sim *sim);

DTB_END_DECLS

#endif /* DTB_STIMULUS_H */
