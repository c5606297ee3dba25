/* libdtb internal — one node of a region model for analysis (dtb_dynamics.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The node evaluates its right-hand side and its full Jacobian — with
 * respect to the states, the coupling inputs and every parameter, by the
 * model layer's symbolic derivatives — over one element on the kernel.
 * Fixed points (fixed_points.c) and continuation (continuation.c) work on
 * the "active" states, those with a TimeDerivative. */
#ifndef DTB_DYNAMICS_INTERNAL_H
#define DTB_DYNAMICS_INTERNAL_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "dtb/dtb_dynamics.h"
#include "kernel/kernel.h"
#include "model/model.h"

struct dtb_dynamics {
    dtb__model_core *core;       /* a reference */
    size_t ns, nc, np;           /* states, coupling inputs, parameters */
    size_t *active, na;          /* the states with a TimeDerivative */
    double *x, *in, *p;          /* the node's point, input and parameters (bound) */
    double *lo, *hi;             /* each state's range (finite) */
    dtb__ktable t;
    dtb__kprog rhs, jac;
    size_t n_wrt;                /* ns + nc + np: the Jacobian's columns */
    double *f;                   /* [ns] rates (0 for constant states) */
    double *J;                   /* [ns][n_wrt] */
    /* the last fixed-point search */
    int64_t n_fp;
    double *fp_x, *fp_re, *fp_im;   /* [n_fp][ns] */
    dtb_fixed_point_kind *fp_kind;
};

/* Evaluate rates and Jacobian at d->x. */
void dtb__dyn_eval(dtb_dynamics *d);
/* The column of variable `name` in the Jacobian (a state, a coupling input
 * or a parameter) and the value it reads, or DTB_ENOTFOUND naming it. */
dtb_status dtb__dyn_variable(dtb_dynamics *d, const char *name, size_t *column, double **value);
/* Eigenvalues of the active block of d->J (at the last evaluation) into
 * re/im[na], sorted by decreasing real part. DTB_ENOMEM; GSL's failure to
 * converge gives DTB_ENUMERIC. */
dtb_status dtb__dyn_eigen(dtb_dynamics *d, double *re, double *im);
/* The kind of a point with these eigenvalues. */
dtb_fixed_point_kind dtb__dyn_classify(const double *re, const double *im, size_t n);

#endif
