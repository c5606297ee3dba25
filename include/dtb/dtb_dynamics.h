/* libdtb — the dynamics of one region model: its right-hand side and exact
 * Jacobian, fixed points with their stability, and continuation of
 * equilibrium branches in one parameter with folds and Hopf points.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dtb_dynamics is one node of a model — any built-in model or LEMS
 * descriptor — with its own parameter values and a constant coupling input
 * (what the rest of the network would feed it). Its Jacobian is exact: the
 * model's equations are differentiated symbolically when the object is
 * made (every operator and function of the expression language; a model
 * using random() or factorial() is refused, naming the equation), with
 * respect to the states, the coupling inputs and every parameter, and
 * compiled like the model itself.
 *
 *   dtb_dynamics *d;
 *   dtb_dynamics_create(&d, model);
 *   int64_t n;
 *   dtb_dynamics_find_fixed_points(d, NULL, &n);     // from a Sobol set of starts
 *   double x[6], re[6], im[6];
 *   dtb_fixed_point_kind kind;
 *   dtb_dynamics_fixed_point(d, 0, x, 6, re, im, 6, &kind);
 *
 *   dtb_branch *b;                                   // follow it in parameter "a"
 *   dtb_dynamics_continue(d, "a", -1.0, 1.0, x, 6, NULL, &b);
 *
 * Values are in the model's own units (those of dtb_model_get_param), time
 * derivatives per the model's time unit. Eigenvalues are of the Jacobian
 * of the states that have a TimeDerivative (GSL's nonsymmetric eigensolver,
 * gsl_eigen_nonsymm); a state without one keeps its value and has no
 * eigenvalue. Every iteration has a limit: nothing here runs unbounded.
 *
 * Thread safety: a dtb_dynamics is used by one thread at a time; distinct
 * objects are independent. */
#ifndef DTB_DYNAMICS_H
#define DTB_DYNAMICS_H

#include "dtb_common.h"
#include "dtb_atlas.h"
#include "dtb_model.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_dynamics dtb_dynamics;
typedef struct dtb_branch dtb_branch;

/* The stability of a fixed point from its eigenvalues (a centre: the
 * leading eigenvalue's real part is within the tolerance of zero). */
typedef enum dtb_fixed_point_kind {
    DTB_FIXED_POINT_STABLE_NODE = 0,     /* every real part < 0, all real */
    DTB_FIXED_POINT_STABLE_FOCUS = 1,    /* every real part < 0, a complex pair leads */
    DTB_FIXED_POINT_UNSTABLE_NODE = 2,   /* every real part > 0, all real */
    DTB_FIXED_POINT_UNSTABLE_FOCUS = 3,  /* every real part > 0, a complex pair leads */
    DTB_FIXED_POINT_SADDLE = 4,          /* real parts of both signs */
    DTB_FIXED_POINT_CENTRE = 5,          /* the leading real part is (within tolerance) 0 */
    DTB_FIXED_POINT_FORCE32_ = 0x7FFFFFFF
} dtb_fixed_point_kind;

/* Special points of a branch. */
typedef enum dtb_bifurcation_kind {
    DTB_BIFURCATION_FOLD = 0,            /* a real eigenvalue crosses zero (saddle-node) */
    DTB_BIFURCATION_HOPF = 1,            /* a complex pair crosses the imaginary axis */
    DTB_BIFURCATION_FORCE32_ = 0x7FFFFFFF
} dtb_bifurcation_kind;

/* "stable node", "saddle", ...; "fold", "hopf"; "?" for other values. */
DTB_API const char *dtb_fixed_point_kind_name(dtb_fixed_point_kind kind);
DTB_API const char *dtb_bifurcation_kind_name(dtb_bifurcation_kind kind);

/* A node of `model` with its current parameter values (copied: later
 * changes to the model do not reach it) and a zero coupling input.
 * DTB_EUNSUPPORTED when an equation has no derivative. */
DTB_API dtb_status dtb_dynamics_create(dtb_dynamics **out, const dtb_model *model);
DTB_API void dtb_dynamics_free(dtb_dynamics *d);

DTB_API int64_t dtb_dynamics_state_count(const dtb_dynamics *d);
/* Parameters by the model's names (DTB_ENOTFOUND otherwise; NaN and
 * infinities are refused). */
DTB_API dtb_status dtb_dynamics_set_param(dtb_dynamics *d, const char *name, double value);
DTB_API dtb_status dtb_dynamics_get_param(const dtb_dynamics *d, const char *name, double *value_out);
/* The constant coupling input, one value per coupling input of the model
 * (dtb_model_coupling_count; n_input must be that count). */
DTB_API dtb_status dtb_dynamics_set_input(dtb_dynamics *d, const double *input, size_t n_input);

/* The time derivatives at `state` (n_state = the state count; so is n_rates). */
DTB_API dtb_status dtb_dynamics_rates(dtb_dynamics *d, const double *state, size_t n_state,
                                      double *rates, size_t n_rates);
/* The Jacobian d(rate_i)/d(state_j) at `state`, row-major, n_jacobian =
 * n_state * n_state. */
DTB_API dtb_status dtb_dynamics_jacobian(dtb_dynamics *d, const double *state, size_t n_state,
                                         double *jacobian, size_t n_jacobian);
/* d(rate_i)/d(name) at `state`: name a parameter or a coupling input. */
DTB_API dtb_status dtb_dynamics_param_derivative(dtb_dynamics *d, const char *name,
                                                 const double *state, size_t n_state,
                                                 double *out, size_t n_out);

#define DTB_FIXED_POINT_OPTIONS_VERSION 1

/* Options of dtb_dynamics_find_fixed_points(). Zero in any member means
 * its default. */
typedef struct dtb_fixed_point_options {
    uint32_t version;          /* DTB_FIXED_POINT_OPTIONS_VERSION */
    uint32_t reserved;         /* 0 */
    int64_t n_starts;          /* Newton starts: a Sobol set in the states' ranges; default 64 */
    int64_t max_iterations;    /* per start; default 100 */
    double tolerance;          /* |rate| accepted, scaled by the state ranges; default 1e-10 */
} dtb_fixed_point_options;

#define DTB_FIXED_POINT_OPTIONS_INIT { DTB_FIXED_POINT_OPTIONS_VERSION, 0, 0, 0, 0.0 }
DTB_API dtb_status dtb_fixed_point_options_init(dtb_fixed_point_options *opts, uint32_t version);

/* Find the fixed points of the node (GSL's hybridsj with the exact
 * Jacobian from every start; the roots deduplicated, sorted by their
 * first state). The states' ranges (dtb_model_state_range) bound the
 * starts, not the roots. Replaces what an earlier call found. */
DTB_API dtb_status dtb_dynamics_find_fixed_points(dtb_dynamics *d, const dtb_fixed_point_options *opts,
                                                  int64_t *count_out);
/* Fixed point `index` of the last search: its state (n_state values), the
 * eigenvalues' real and imaginary parts (n_eig = the state count; states
 * without a TimeDerivative give NaN), its kind. Any of the out pointers
 * may be NULL. */
DTB_API dtb_status dtb_dynamics_fixed_point(const dtb_dynamics *d, int64_t index, double *state,
                                            size_t n_state, double *eig_re, double *eig_im,
                                            size_t n_eig, dtb_fixed_point_kind *kind_out);

#define DTB_CONTINUATION_OPTIONS_VERSION 1

/* Options of dtb_dynamics_continue(). Zero in any member means its
 * default. */
typedef struct dtb_continuation_options {
    uint32_t version;          /* DTB_CONTINUATION_OPTIONS_VERSION */
    uint32_t reserved;         /* 0 */
    int64_t max_points;        /* default 10000 */
    double step;               /* first arclength step; default (hi - lo) / 200 */
    double max_step;           /* default (hi - lo) / 50 */
    double min_step;           /* the branch ends below it; default step * 1e-6 */
    double tolerance;          /* Newton's, and special points located to it; default 1e-10 */
} dtb_continuation_options;

#define DTB_CONTINUATION_OPTIONS_INIT { DTB_CONTINUATION_OPTIONS_VERSION, 0, 0, 0.0, 0.0, 0.0, 0.0 }
DTB_API dtb_status dtb_continuation_options_init(dtb_continuation_options *opts, uint32_t version);

/* Follow the equilibrium branch through `state` (corrected first to a
 * fixed point at the current value of `param`, which must lie in [lo,
 * hi]) in both directions by pseudo-arclength continuation, until the
 * parameter leaves [lo, hi], the step falls below min_step (Newton fails
 * to converge there) or max_points are taken. `param` is a parameter or
 * a coupling input. Folds (the determinant of the Jacobian changes sign)
 * and Hopf points (a complex pair's real part changes sign) are located
 * by bisection along the branch to the tolerance. The node keeps its
 * parameter value. */
DTB_API dtb_status dtb_dynamics_continue(dtb_dynamics *d, const char *param, double lo, double hi,
                                         const double *state, size_t n_state,
                                         const dtb_continuation_options *opts, dtb_branch **out);
DTB_API void dtb_branch_free(dtb_branch *b);
/* The points in order along the branch (parameter increasing at the start). */
DTB_API int64_t dtb_branch_point_count(const dtb_branch *b);
DTB_API dtb_status dtb_branch_point(const dtb_branch *b, int64_t index, double *param_out,
                                    double *state, size_t n_state, int32_t *stable_out,
                                    double *max_re_out);
/* The special points found, in order along the branch. */
DTB_API int64_t dtb_branch_special_count(const dtb_branch *b);
DTB_API dtb_status dtb_branch_special(const dtb_branch *b, int64_t index, dtb_bifurcation_kind *kind_out,
                                      double *param_out, double *state, size_t n_state);
/* How the branch ended on each side, as text ("left [lo, hi]", "step
 * below min_step at a = ...", "max_points"). */
DTB_API const char *dtb_branch_end_reason(const dtb_branch *b, int32_t side);

/* The phase plane of state variables x_state and y_state over [x_lo,
 * x_hi] x [y_lo, y_hi] as an SVG at `path` (written whole or not at all):
 * the field of their rates on a 41 x 41 grid (arrows of equal length) and
 * its two nullclines, with the node's other states held at `state`
 * (n_state = the state count; a slice when the model has more than two);
 * trajectories of the whole node (RK4) from 8 points on the box's edge,
 * projected; and the node's fixed points (dtb_dynamics_find_fixed_points
 * with its defaults, projected; filled when stable). */
DTB_API dtb_status dtb_dynamics_phase_plane(dtb_dynamics *d, const char *x_state, const char *y_state,
                                            double x_lo, double x_hi, double y_lo, double y_hi,
                                            const double *state, size_t n_state, const char *path);

/* The network: one node of d (with d's parameters) per region of
 * `atlas`, wired by its weights (rows are targets) through a coupling of
 * `kind` — DTB_COUPLING_LINEAR (a, b), DTB_COUPLING_SCALING (a) or
 * DTB_COUPLING_DIFFERENCE (a), whose values are named in names/values
 * (others keep the library's defaults) — without delays. Starting from
 * the node's stable fixed point in every region, the network's fixed
 * point is followed from `param` (a coupling parameter) = lo upwards, and
 * the value at which it loses stability (the largest real part of the
 * network Jacobian's eigenvalues reaches 0, or the fixed point ends in a
 * fold) is located by bisection to 1e-10 relative into *critical_out; NaN
 * when it stays stable up to hi. The Jacobian is exact and dense (GSL's
 * nonsymmetric eigensolver: at most 4000 unknowns, regions x states).
 * With delays, this is the delay-free network's threshold: delays do not
 * move a fixed point but can change its stability. DTB_EINVAL when the
 * fixed point is already unstable at lo; DTB_EUNSUPPORTED for other
 * coupling kinds. d's own coupling input is kept. */
DTB_API dtb_status dtb_dynamics_network_critical(dtb_dynamics *d, const dtb_atlas *atlas,
                                                 dtb_coupling_kind kind, const char *const *names,
                                                 const double *values, size_t n_values,
                                                 const char *param, double lo, double hi,
                                                 double *critical_out);

/* The leading eigenvalues of the same network's Jacobian at its fixed point
 * (found from the node's stable fixed point in every region) for the
 * coupling values given: up to n_eig of them, by decreasing real part,
 * into re and im; *n_out says how many (at most regions x states). */
DTB_API dtb_status dtb_dynamics_network_eigenvalues(dtb_dynamics *d, const dtb_atlas *atlas,
                                                    dtb_coupling_kind kind, const char *const *names,
                                                    const double *values, size_t n_values, double *re,
                                                    double *im, size_t n_eig, size_t *n_out);

DTB_END_DECLS

#endif /* DTB_DYNAMICS_H */
