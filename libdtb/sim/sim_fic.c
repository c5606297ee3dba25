/* libdtb — feedback inhibition control (dtb_sim_apply_fic).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Deco et al. (2014) tune the local inhibitory weight J_i of every region
 * of the reduced Wong-Wang excitatory-inhibitory model until each region's
 * excitatory input current sits 0.026 nA below the threshold b_e / a_e
 * (r_e about 3 Hz), by repeated simulation. Without noise the quantity
 * they tune is a fixed point of the network, and at that fixed point the
 * equations can be solved region by region:
 *
 *   x_e = a_e I_e - b_e = a_e * target           (target = I_e - b_e/a_e)
 *   r_e = H(x_e) = x_e / (1 - exp(-d_e x_e))
 *   S_e = tau_e gamma_e r_e / (1 + tau_e gamma_e r_e)           (dS_e = 0)
 *   c_k = a sum_j w_kj S_e,j + b                 (linear coupling of S_e)
 *   S_i = tau_i gamma_i H(a_i I_i - b_i),
 *   I_i = J_N S_e - S_i + W_i I_o + lamda G J_N c_k               (dS_i = 0)
 *   J_i = (w_p J_N S_e - I_e + W_e I_o + G J_N c_k + I_ext) / S_i
 *
 * The S_i equation has one root (its right side falls as S_i rises) and is
 * solved by bisection to the last bit. The result is the state Deco's
 * iteration converges to, reached at once and exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "base/base.h"
#include "network/network.h"
#include "sim.h"

/* Wong-Wang's transfer function; its value at the threshold is the limit
 * 1 / d (the formula itself is 0 / 0 there). */
static double rate(double x, double d)
{
    if (fabs(d * x) < 1e-12)
        return 1.0 / d + 0.5 * x;
    return x / (1.0 - exp(-d * x));
}

enum {
    P_A_E, P_B_E, P_D_E, P_GAMMA_E, P_TAU_E, P_W_P, P_J_N, P_W_E, P_A_I, P_B_I, P_D_I,
    P_GAMMA_I, P_TAU_I, P_W_I, P_I_O, P_I_EXT, P_G, P_LAMDA, N_FIC_PARAMS
};
static const char *const fic_param_names[N_FIC_PARAMS] = {
    "a_e", "b_e", "d_e", "gamma_e", "tau_e", "w_p", "J_N", "W_e", "a_i", "b_i", "d_i",
    "gamma_i", "tau_i", "W_i", "I_o", "I_ext", "G", "lamda"};

/* S_i at the fixed point: the root of f(s) = s - tau_i gamma_i H(a_i (K - s) - b_i),
 * increasing in s, f(0) < 0 <= f(tau_i gamma_i H(a_i K - b_i)). */
static double solve_s_i(double K, const double *p)
{
    const double scale = p[P_TAU_I] * p[P_GAMMA_I];
    double lo = 0.0, hi = scale * rate(p[P_A_I] * K - p[P_B_I], p[P_D_I]);
    for (int it = 0; it < 200 && lo < hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        double f = mid - scale * rate(p[P_A_I] * (K - mid) - p[P_B_I], p[P_D_I]);
        if (f < 0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double min_of(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static double max_of(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

static dtb_status check_model(const dtb_sim *sim, int64_t *s_e, int64_t *s_i, int64_t *j_i)
{
    const dtb__model_core *c = sim->core;
    *s_e = dtb__model_state_index(c, "S_e");
    *s_i = dtb__model_state_index(c, "S_i");
    *j_i = dtb__model_param_index(c, "J_i");
    if (*s_e < 0 || *s_i < 0 || *j_i < 0 || c->n_couplings != 1 || c->coupling_state[0] != *s_e)
        return dtb__error(DTB_EINVAL,
                          "dtb_sim_apply_fic: model '%s' is not a reduced Wong-Wang "
                          "excitatory-inhibitory model (it needs states S_e and S_i, parameter J_i "
                          "and S_e as its only coupling variable)", c->name);
    for (int i = 0; i < N_FIC_PARAMS; i++)
        if (dtb__model_param_index(c, fic_param_names[i]) < 0)
            return dtb__error(DTB_EINVAL, "dtb_sim_apply_fic: model '%s' has no parameter '%s'",
                              c->name, fic_param_names[i]);
    return DTB_OK;
}

static dtb_status coupling_line(const dtb_sim *sim, double *a, double *b)
{
    dtb_coupling_kind kind = dtb_sim_coupling(sim);
    *b = 0.0;
    if (kind != DTB_COUPLING_LINEAR && kind != DTB_COUPLING_SCALING)
        return dtb__error(DTB_EINVAL,
                          "dtb_sim_apply_fic: the fixed point is solved for linear or scaling "
                          "coupling only (this simulation's coupling is '%s')",
                          dtb__coupling_kind_name(kind));
    dtb_status st = dtb_sim_get_coupling_param(sim, "a", a);
    if (!st && kind == DTB_COUPLING_LINEAR)
        st = dtb_sim_get_coupling_param(sim, "b", b);
    return st;
}

dtb_status dtb_sim_apply_fic(dtb_sim *sim, double target_current)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_apply_fic: sim is NULL");
    if (!isfinite(target_current))
        return dtb__error(DTB_EINVAL, "dtb_sim_apply_fic: target current %g nA is not finite",
                          target_current);
    int64_t s_e, s_i, j_i;
    double ca, cb;
    dtb_status st = check_model(sim, &s_e, &s_i, &j_i);
    if (!st)
        st = coupling_line(sim, &ca, &cb);
    if (st)
        return st;

    const size_t n = (size_t)sim->n;
    double *p = dtb__malloc_array(N_FIC_PARAMS * n, sizeof *p);
    double *se = dtb__malloc_array(n, sizeof *se), *si = dtb__malloc_array(n, sizeof *si);
    double *ji = dtb__malloc_array(n, sizeof *ji);
    if (!p || !se || !si || !ji) {
        st = DTB_ENOMEM;
        goto out;
    }
    for (int i = 0; i < N_FIC_PARAMS; i++)
        memcpy(p + (size_t)i * n, sim->param_values + dtb__model_param_index(sim->core, fic_param_names[i]) * (int64_t)n,
               n * sizeof *p);
    /* Every region's S_e at the fixed point follows from the target alone. */
    for (size_t k = 0; k < n; k++) {
        const double pa = p[P_A_E * n + k];
        double r = rate(pa * target_current, p[P_D_E * n + k]);
        double q = p[P_TAU_E * n + k] * p[P_GAMMA_E * n + k] * r;
        se[k] = q / (1.0 + q);
    }
    for (size_t k = 0; k < n && !st; k++) {
        double pk[N_FIC_PARAMS];
        for (int i = 0; i < N_FIC_PARAMS; i++)
            pk[i] = p[(size_t)i * n + k];
        double sum = 0;
        for (size_t j = 0; j < n; j++)
            sum += sim->weights[k * n + j] * se[j];
        const double c = ca * sum + cb;
        const double coupling = pk[P_G] * pk[P_J_N] * c;
        const double K = pk[P_J_N] * se[k] + pk[P_W_I] * pk[P_I_O] + pk[P_LAMDA] * coupling;
        si[k] = solve_s_i(K, pk);
        const double I_e = target_current + pk[P_B_E] / pk[P_A_E];
        const double excitation = pk[P_W_P] * pk[P_J_N] * se[k] + pk[P_W_E] * pk[P_I_O] + coupling +
                                  pk[P_I_EXT] - I_e;
        if (!(si[k] > 1e-12) || !isfinite(excitation))
            st = dtb__error(DTB_EINVAL,
                            "dtb_sim_apply_fic: region %zu ('%s') has no inhibitory activity at the "
                            "fixed point (S_i = %g), so no J_i can balance it", k, sim->labels[k],
                            si[k]);
        ji[k] = excitation / si[k];
        if (!st && !(ji[k] >= 0.0))
            st = dtb__error(DTB_EINVAL,
                            "dtb_sim_apply_fic: region %zu ('%s') would need a negative inhibitory "
                            "weight J_i = %g to reach the target %g nA (its input is already below "
                            "it)", k, sim->labels[k], ji[k], target_current);
    }
    if (st)
        goto out;
    st = dtb_sim_set_param_regions(sim, "J_i", ji, n);
    if (!st)
        st = dtb__sim_note(sim, "feedback inhibition control: J_i set per region (%g to %g) for "
                           "I_e - b_e/a_e = %g nA at the fixed point", min_of(ji, n), max_of(ji, n),
                           target_current);
    /* the fixed point, kept for dtb_sim_fic_stability */
    double *x = st ? NULL : dtb__malloc_array(sim->n_states * n, sizeof *x);
    if (!st && !x)
        st = DTB_ENOMEM;
    if (!st) {
        memcpy(x, sim->x, sim->n_states * n * sizeof *x);
        memcpy(x + (size_t)s_e * n, se, n * sizeof *x);
        memcpy(x + (size_t)s_i * n, si, n * sizeof *x);
        free(sim->fic_x);
        sim->fic_x = x;
    }
    if (!st && !sim->started)   /* start at the balanced fixed point: no transient */
        st = dtb_sim_set_initial_state(sim, x, sim->n_states * n);
out:
    free(p);
    free(se);
    free(si);
    free(ji);
    return st;
}

/* The coupling input of state x with every delay zero (linear or scaling
 * coupling of the one coupling variable): c_k = a sum_j w_kj x_j + b. */
static void coupling_now(const dtb_sim *sim, const double *x, double a, double b, double *c)
{
    const size_t n = (size_t)sim->n;
    const double *xc = x + (size_t)sim->core->coupling_state[0] * n;
    for (size_t k = 0; k < n; k++) {
        double sum = 0;
        for (size_t j = 0; j < n; j++)
            sum += sim->weights[k * n + j] * xc[j];
        c[k] = a * sum + b;
    }
}

/* The largest real part of the eigenvalues of the Jacobian of the
 * network's right-hand side at the FIC fixed point (delays taken as zero:
 * the instantaneous network), by central differences of the compiled
 * equations and GSL's nonsymmetric eigensolver. 1/s. */
dtb_status dtb_sim_fic_stability(dtb_sim *sim, double *max_real_out)
{
    if (!sim || !max_real_out)
        return dtb__error(DTB_EINVAL, "dtb_sim_fic_stability: %s is NULL", sim ? "max_real_out" : "sim");
    *max_real_out = NAN;
    if (!sim->fic_x)
        return dtb__error(DTB_ESTATE, "dtb_sim_fic_stability: feedback inhibition control was not "
                                      "applied (dtb_sim_apply_fic)");
    double a, b;
    dtb_status st = coupling_line(sim, &a, &b);
    if (st)
        return st;
    const size_t n = (size_t)sim->n, D = sim->n_states * n;
    double *x = dtb__malloc_array(D, sizeof *x), *c = dtb__malloc_array(n, sizeof *c);
    double *fp = dtb__malloc_array(D, sizeof *fp), *fm = dtb__malloc_array(D, sizeof *fm);
    gsl_matrix *J = x && c && fp && fm ? gsl_matrix_alloc(D, D) : NULL;
    gsl_vector_complex *eval = J ? gsl_vector_complex_alloc(D) : NULL;
    gsl_eigen_nonsymm_workspace *w = eval ? gsl_eigen_nonsymm_alloc(D) : NULL;
    if (!w) {
        st = dtb__error(DTB_ENOMEM, "dtb_sim_fic_stability: out of memory for a %zu x %zu Jacobian",
                        D, D);
        goto out;
    }
    memcpy(x, sim->fic_x, D * sizeof *x);
    for (size_t col = 0; col < D && !st; col++) {
        const double x0 = x[col], h = 1e-6 * (fabs(x0) > 1 ? fabs(x0) : 1.0);
        x[col] = x0 + h;
        coupling_now(sim, x, a, b, c);
        st = dtb__sim_derivative(sim, 0.0, x, c, fp);
        x[col] = x0 - h;
        coupling_now(sim, x, a, b, c);
        if (!st)
            st = dtb__sim_derivative(sim, 0.0, x, c, fm);
        x[col] = x0;
        for (size_t row = 0; !st && row < D; row++)
            gsl_matrix_set(J, row, col, (fp[row] - fm[row]) / (2 * h));
    }
    if (st)
        goto out;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_eigen_nonsymm(J, eval, w);
    gsl_set_error_handler(old);
    if (rc) {
        st = dtb__error(DTB_ENUMERIC, "dtb_sim_fic_stability: the eigenvalues did not converge "
                                      "(GSL: %s)", gsl_strerror(rc));
        goto out;
    }
    double best = -INFINITY;
    for (size_t i = 0; i < D; i++) {
        double re = GSL_REAL(gsl_vector_complex_get(eval, i));
        best = re > best ? re : best;
    }
    *max_real_out = best / sim->core->time_scale;   /* per model time unit -> per second */
out:
    if (w)
        gsl_eigen_nonsymm_free(w);
    if (eval)
        gsl_vector_complex_free(eval);
    if (J)
        gsl_matrix_free(J);
    free(x);
    free(c);
    free(fp);
    free(fm);
    return st;
}
