/* libdtb — closed-loop control: a controller reads an observer of a
 * running simulation and sets the amplitude of a stimulus as it goes.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A controller, attached to a simulation, measures the temporal average of
 * one state variable in one region over each control period and, at the
 * end of each period, sets its output: the amplitude of a stimulus it adds
 * to the simulation (into a state variable, parameter or input of the
 * model, in chosen regions), held until the next period. The first period
 * runs with the output at its initial value (the PID's bias, 0 for a
 * callback).
 *
 *   PID        u = bias + kp e + ki I + kd (e - e_prev) / h, e = target - y,
 *              h the period, I the sum of e h; limits [out_min, out_max]
 *              clamp u, and the integral stops growing while u is clamped
 *              and e pushes it further (conditional integration: no
 *              wind-up); no derivative at the first period
 *   callback   u = fn(t, y, user_data), any rule
 * A non-finite output stops the run (DTB_ECANCELLED, the message names
 * the controller). dtb(1) run's --control 'pid:kp=..,ki=..,kd=..,...:
 * read=VAR@REGION:target=X:drive=INTO@REGIONS' builds a PID controller.
 *
 * The controller's state (integral, previous error, output, measurement,
 * periods done) is saved in the simulation's checkpoints and restored by
 * dtb_sim_load_checkpoint, so a resumed run continues exactly as the saved
 * one would have; a branch starts its controllers afresh. It runs on the
 * simulation's thread, inside its steps. */
#ifndef DTB_CONTROL_H
#define DTB_CONTROL_H

#include "dtb_common.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_controller dtb_controller;

/* A control rule: the output for measurement y at time t (seconds, the end
 * of the period measured). */
typedef double (*dtb_control_fn)(double t, double y, void *user_data);

#define DTB_PID_OPTIONS_VERSION 1

/* Zero in any member means its default (0; out_min and out_max both 0: no
 * limits). */
typedef struct dtb_pid_options {
    uint32_t version;          /* DTB_PID_OPTIONS_VERSION */
    uint32_t flags;            /* reserved, must be 0 */
    double kp;                 /* proportional gain: output per unit of error */
    double ki;                 /* integral gain: per unit of error x second */
    double kd;                 /* derivative gain: per unit of error / second */
    double target;             /* the set point of the measurement */
    double out_min;            /* limits of the output, out_min < out_max */
    double out_max;
    double bias;               /* the output at zero error and integral */
} dtb_pid_options;

#define DTB_PID_OPTIONS_INIT { DTB_PID_OPTIONS_VERSION, 0u, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 }

DTB_API dtb_status dtb_pid_options_init(dtb_pid_options *opts, uint32_t version);

DTB_API dtb_status dtb_controller_create_pid(dtb_controller **out, const dtb_pid_options *opts);
/* destroy (may be NULL) is called once with user_data when the controller
 * and every simulation it is attached to are freed. */
DTB_API dtb_status dtb_controller_create_callback(dtb_controller **out, dtb_control_fn fn,
                                                  void *user_data, dtb_destroy_fn destroy);
/* Drop the caller's reference (the simulation keeps an attached controller
 * alive). NULL is accepted. */
DTB_API void dtb_controller_free(dtb_controller *c);

/* Attach to sim (once; DTB_ESTATE after that): measure `variable` in
 * `region` averaged over each `period` seconds (a whole number of steps),
 * drive a stimulus into `into` in the regions given (NULL, 0: every
 * region). Between steps. */
DTB_API dtb_status dtb_controller_attach(dtb_controller *c, dtb_sim *sim, const char *variable,
                                         int64_t region, double period, const char *into,
                                         const int64_t *regions, size_t n_regions);
/* A new set point (PID), from the next period on. */
DTB_API dtb_status dtb_controller_set_target(dtb_controller *c, double target);

/* The output in force, the last measurement (NaN before the first), and
 * the periods done (-1 / NaN for NULL). */
DTB_API double dtb_controller_output(const dtb_controller *c);
DTB_API double dtb_controller_measurement(const dtb_controller *c);
DTB_API int64_t dtb_controller_update_count(const dtb_controller *c);

DTB_END_DECLS

#endif /* DTB_CONTROL_H */
