/* libdtb internal — the ensemble Kalman filter's analysis step, on plain
 * arrays: it knows nothing of simulations, only of an ensemble of state
 * vectors, what each member predicts for the observations, and the
 * observations themselves.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two variants:
 *   STOCHASTIC  Evensen's EnKF with perturbed observations (Burgers, van
 *               Leeuwen & Evensen 1998): every member is moved by the gain
 *               K = Pxy (Pyy + R)^-1 towards the observations plus its own
 *               draw of the observation error.
 *   ETKF        the ensemble transform Kalman filter, a square-root variant
 *               with no perturbed observations (Bishop et al. 2001, in the
 *               symmetric form of Hunt, Kostelich & Szunyogh 2007): the
 *               analysis is x̄ + A (w̄ + W) in the space of the members.
 * Both take:
 *   inflation   multiplicative: the forecast covariance is multiplied by
 *               this factor (>= 1; the anomalies by its square root) before
 *               the analysis, what members predict for the observations too.
 *   localisation  state elements and observations sit at sites (regions)
 *               with distances between sites; the Gaspari–Cohn taper of
 *               half-width c (zero beyond 2c) multiplies the covariances
 *               (STOCHASTIC: Pxy and Pyy, a Schur product) or the inverse
 *               observation variances (ETKF: each site's own analysis, the
 *               LETKF of Hunt et al.). A state element or observation at
 *               site -1 (a global parameter) is not localised.
 * The observation errors are independent (R diagonal, variances r).
 * Random draws (STOCHASTIC only) come from the caller's generator in a
 * fixed order, so the same seed gives the same numbers. */
#ifndef DTB_ENKF_H
#define DTB_ENKF_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "base/rng.h"

typedef enum dtb__enkf_method { DTB__ENKF_STOCHASTIC, DTB__ENKF_ETKF } dtb__enkf_method;

typedef struct dtb__enkf_config {
    dtb__enkf_method method;
    double inflation;            /* >= 1; 0 counts as 1 */
    /* localisation: distance NULL means none */
    const double *distance;      /* n_sites x n_sites, row-major */
    size_t n_sites;
    const int64_t *state_site;   /* n: the site of each state element, -1: none */
    const int64_t *obs_site;     /* p: the site of each observation, -1: none */
    double radius;               /* Gaspari–Cohn half-width c (> 0) */
} dtb__enkf_config;

/* The analysis of one ensemble, in place. X: n state elements x m members,
 * row-major (X[i * m + k]); HX: p x m, what each member predicts for the
 * observations; y: the p observations; r: their error variances (> 0).
 * m >= 2. rng: STOCHASTIC only (may be NULL for ETKF). */
dtb_status dtb__enkf_analyse(const dtb__enkf_config *c, double *X, size_t n, size_t m,
                             const double *HX, const double *y, const double *r, size_t p,
                             dtb__rng *rng);

/* The Gaspari–Cohn fifth-order taper (1999, eq. 4.10) at distance d for
 * half-width c: 1 at 0, 5/24 at c, 0 from 2c on. */
double dtb__gaspari_cohn(double d, double c);

/* Bounded parameters live in the ensemble as z = log((v - lo) / (hi - v)),
 * which any real number maps back into (lo, hi): the analysis can never
 * push a member out of its bounds. */
double dtb__bounded_to_real(double v, double lo, double hi);
double dtb__real_to_bounded(double z, double lo, double hi);

/* Mean and standard deviation (n - 1 in the denominator) of row i of an
 * n x m ensemble. */
void dtb__ensemble_row_stats(const double *X, size_t m, size_t i, double *mean, double *sd);

#endif
