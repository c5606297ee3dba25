/* libdtb — one node of a region model for analysis: creation, parameters,
 * rates and the exact Jacobian (dtb_dynamics.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

#include "dynamics.h"

const char *dtb_fixed_point_kind_name(dtb_fixed_point_kind kind)
{
    switch (kind) {
    case DTB_FIXED_POINT_STABLE_NODE: return "stable node";
    case DTB_FIXED_POINT_STABLE_FOCUS: return "stable focus";
    case DTB_FIXED_POINT_UNSTABLE_NODE: return "unstable node";
    case DTB_FIXED_POINT_UNSTABLE_FOCUS: return "unstable focus";
    case DTB_FIXED_POINT_SADDLE: return "saddle";
    case DTB_FIXED_POINT_CENTRE: return "centre";
    default: return "?";
    }
}

const char *dtb_bifurcation_kind_name(dtb_bifurcation_kind kind)
{
    switch (kind) {
    case DTB_BIFURCATION_FOLD: return "fold";
    case DTB_BIFURCATION_HOPF: return "hopf";
    default: return "?";
    }
}

void dtb_dynamics_free(dtb_dynamics *d)
{
    if (!d)
        return;
    dtb__kprog_free(&d->rhs);
    dtb__kprog_free(&d->jac);
    dtb__ktable_free(&d->t);
    dtb__model_core_unref(d->core);
    free(d->active);
    free(d->x);
    free(d->in);
    free(d->p);
    free(d->lo);
    free(d->hi);
    free(d->f);
    free(d->J);
    free(d->fp_x);
    free(d->fp_re);
    free(d->fp_im);
    free(d->fp_kind);
    free(d);
}

/* Every input bound to the node's one-element arrays; parameters per
 * element, so that a new value needs no rebinding. */
static void bind(dtb_dynamics *d, dtb__kprog *kp)
{
    const dtb__model_core *c = d->core;
    for (size_t v = 0; v < d->ns; v++)
        dtb__kprog_bind(kp, dtb__model_kin_state(c, v), &d->x[v]);
    for (size_t i = 0; i < d->nc; i++)
        dtb__kprog_bind(kp, dtb__model_kin_coupling(c, i), &d->in[i]);
    for (size_t p = 0; p < d->np; p++)
        dtb__kprog_bind(kp, dtb__model_kin_param(c, p), &d->p[p]);
}

static dtb_status compile(dtb_dynamics *d)
{
    const dtb__model_core *c = d->core;
    unsigned char *per = dtb__malloc_array(d->np + 1, 1);
    const char **wrt = dtb__malloc_array(d->n_wrt, sizeof *wrt);
    int64_t *out_state = dtb__malloc_array(d->ns, sizeof *out_state);
    dtb_status st = per && wrt && out_state ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        memset(per, 1, d->np + 1);
        size_t j = 0;
        for (size_t v = 0; v < d->ns; v++)
            wrt[j++] = c->states[v].name;
        for (size_t i = 0; i < d->nc; i++)
            wrt[j++] = c->coupling_input[i];
        for (size_t p = 0; p < d->np; p++)
            wrt[j++] = c->params[p].name;
        st = dtb__model_ktable(c, per, &d->t);
    }
    size_t n_out = 0;
    if (!st)
        st = dtb__model_compile_rates(c, &d->t, &d->rhs, out_state, &n_out);
    if (!st)
        st = dtb__model_compile_jacobian(c, &d->t, wrt, d->n_wrt, &d->jac);
    if (!st) {
        bind(d, &d->rhs);
        bind(d, &d->jac);
        for (size_t k = 0; k < n_out; k++)
            d->rhs.outputs[k] = &d->f[out_state[k]];
        for (size_t k = 0; k < d->jac.n_outputs; k++)
            d->jac.outputs[k] = &d->J[k];
        d->na = n_out;
        for (size_t k = 0; k < n_out; k++)
            d->active[k] = (size_t)out_state[k];
    }
    free(per);
    free(wrt);
    free(out_state);
    return st;
}

/* Finite ranges for the starts: the model's, else [-1, 1] around what is
 * finite of it. */
static void state_ranges(dtb_dynamics *d)
{
    const dtb__model_core *c = d->core;
    for (size_t v = 0; v < d->ns; v++) {
        double lo = c->states[v].range_lo, hi = c->states[v].range_hi;
        if (!isfinite(lo) && !isfinite(hi))
            lo = -1.0, hi = 1.0;
        else if (!isfinite(lo))
            lo = hi - 2.0;
        else if (!isfinite(hi))
            hi = lo + 2.0;
        d->lo[v] = lo;
        d->hi[v] = hi;
        d->x[v] = 0.5 * (lo + hi);
    }
}

dtb_status dtb_dynamics_create(dtb_dynamics **out, const dtb_model *model)
{
    if (!out || !model)
        return dtb__error(DTB_EINVAL, "dtb_dynamics_create: out and model must not be NULL");
    *out = NULL;
    dtb_dynamics *d = dtb__calloc(1, sizeof *d);
    if (!d)
        return DTB_ENOMEM;
    d->core = dtb__model_core_ref(model->core);
    const dtb__model_core *c = d->core;
    d->ns = c->n_states;
    d->nc = c->n_couplings;
    d->np = c->n_params;
    d->n_wrt = d->ns + d->nc + d->np;
    d->active = dtb__calloc(d->ns + 1, sizeof *d->active);
    d->x = dtb__calloc(d->ns + 1, sizeof *d->x);
    d->in = dtb__calloc(d->nc + 1, sizeof *d->in);
    d->p = dtb__calloc(d->np + 1, sizeof *d->p);
    d->lo = dtb__calloc(d->ns + 1, sizeof *d->lo);
    d->hi = dtb__calloc(d->ns + 1, sizeof *d->hi);
    d->f = dtb__calloc(d->ns + 1, sizeof *d->f);
    d->J = dtb__calloc(d->ns * d->n_wrt + 1, sizeof *d->J);
    dtb_status st = d->active && d->x && d->in && d->p && d->lo && d->hi && d->f && d->J ? DTB_OK
                                                                                       : DTB_ENOMEM;
    if (!st) {
        memcpy(d->p, model->values, d->np * sizeof *d->p);
        state_ranges(d);
        st = compile(d);
    }
    if (st) {
        dtb_dynamics_free(d);
        return dtb__error_context(st, "dtb_dynamics_create: model '%s'", c->name);
    }
    *out = d;
    return DTB_OK;
}

int64_t dtb_dynamics_state_count(const dtb_dynamics *d) { return d ? (int64_t)d->ns : -1; }

static long param_index(const dtb_dynamics *d, const char *name)
{
    for (size_t p = 0; name && p < d->np; p++)
        if (strcmp(d->core->params[p].name, name) == 0)
            return (long)p;
    return -1;
}

dtb_status dtb_dynamics_set_param(dtb_dynamics *d, const char *name, double value)
{
    if (!d || !name)
        return dtb__error(DTB_EINVAL, "dtb_dynamics_set_param: d and name must not be NULL");
    long p = param_index(d, name);
    if (p < 0)
        return dtb__error(DTB_ENOTFOUND, "dtb_dynamics_set_param: model '%s' has no parameter '%s'",
                          d->core->name, name);
    if (!isfinite(value))
        return dtb__error(DTB_EINVAL, "dtb_dynamics_set_param: '%s' = %g is not finite", name, value);
    d->p[p] = value;
    return DTB_OK;
}

dtb_status dtb_dynamics_get_param(const dtb_dynamics *d, const char *name, double *value_out)
{
    if (!d || !name || !value_out)
        return dtb__error(DTB_EINVAL, "dtb_dynamics_get_param: d, name and value_out must not be NULL");
    long p = param_index(d, name);
    if (p < 0)
        return dtb__error(DTB_ENOTFOUND, "dtb_dynamics_get_param: model '%s' has no parameter '%s'",
                          d->core->name, name);
    *value_out = d->p[p];
    return DTB_OK;
}

static dtb_status check_array(const char *fn, const char *what, const double *a, size_t n, size_t want,
                              int finite)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "%s: %s must not be NULL", fn, what);
    if (n != want)
        return dtb__error(DTB_EINVAL, "%s: %s has %zu values; the model needs %zu", fn, what, n, want);
    for (size_t i = 0; finite && i < n; i++)
        if (!isfinite(a[i]))
            return dtb__error(DTB_EINVAL, "%s: %s[%zu] = %g is not finite", fn, what, i, a[i]);
    return DTB_OK;
}

dtb_status dtb_dynamics_set_input(dtb_dynamics *d, const double *input, size_t n_input)
{
    if (!d)
        return dtb__error(DTB_EINVAL, "dtb_dynamics_set_input: d must not be NULL");
    if (!d->nc && !n_input)
        return DTB_OK;
    dtb_status st = check_array("dtb_dynamics_set_input", "input", input, n_input, d->nc, 1);
    if (!st)
        memcpy(d->in, input, d->nc * sizeof *d->in);
    return st;
}

void dtb__dyn_eval(dtb_dynamics *d)
{
    memset(d->f, 0, d->ns * sizeof *d->f);
    dtb__kprog_eval(&d->rhs, 0.0, 1, NULL, NULL);
    dtb__kprog_eval(&d->jac, 0.0, 1, NULL, NULL);
}

/* Check the state, take it as the node's point and evaluate. */
static dtb_status eval_at(dtb_dynamics *d, const char *fn, const double *state, size_t n_state)
{
    if (!d)
        return dtb__error(DTB_EINVAL, "%s: d must not be NULL", fn);
    dtb_status st = check_array(fn, "state", state, n_state, d->ns, 1);
    if (st)
        return st;
    memcpy(d->x, state, d->ns * sizeof *d->x);
    dtb__dyn_eval(d);
    return DTB_OK;
}

static dtb_status check_out(const char *fn, const char *what, const double *out, size_t n, size_t want)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "%s: %s must not be NULL", fn, what);
    if (n < want)
        return dtb__error(DTB_EINVAL, "%s: %s has room for %zu values; %zu are needed", fn, what, n, want);
    return DTB_OK;
}

dtb_status dtb_dynamics_rates(dtb_dynamics *d, const double *state, size_t n_state, double *rates,
                              size_t n_rates)
{
    const char *fn = "dtb_dynamics_rates";
    dtb_status st = eval_at(d, fn, state, n_state);
    if (!st)
        st = check_out(fn, "rates", rates, n_rates, d->ns);
    if (!st)
        memcpy(rates, d->f, d->ns * sizeof *rates);
    return st;
}

dtb_status dtb_dynamics_jacobian(dtb_dynamics *d, const double *state, size_t n_state, double *jacobian,
                                 size_t n_jacobian)
{
    const char *fn = "dtb_dynamics_jacobian";
    dtb_status st = eval_at(d, fn, state, n_state);
    if (!st)
        st = check_out(fn, "jacobian", jacobian, n_jacobian, d->ns * d->ns);
    for (size_t i = 0; !st && i < d->ns; i++)
        memcpy(jacobian + i * d->ns, d->J + i * d->n_wrt, d->ns * sizeof *jacobian);
    return st;
}

dtb_status dtb__dyn_variable(dtb_dynamics *d, const char *name, size_t *column, double **value)
{
    const dtb__model_core *c = d->core;
    for (size_t v = 0; name && v < d->ns; v++)
        if (strcmp(c->states[v].name, name) == 0) {
            *column = v;
            *value = &d->x[v];
            return DTB_OK;
        }
    for (size_t i = 0; name && i < d->nc; i++)
        if (strcmp(c->coupling_input[i], name) == 0) {
            *column = d->ns + i;
            *value = &d->in[i];
            return DTB_OK;
        }
    long p = param_index(d, name);
    if (p >= 0) {
        *column = d->ns + d->nc + (size_t)p;
        *value = &d->p[p];
        return DTB_OK;
    }
    return dtb__error(DTB_ENOTFOUND, "model '%s' has no parameter or coupling input '%s'", c->name,
                      name ? name : "(null)");
}

dtb_status dtb_dynamics_param_derivative(dtb_dynamics *d, const char *name, const double *state,
                                         size_t n_state, double *out, size_t n_out)
{
    const char *fn = "dtb_dynamics_param_derivative";
    size_t col;
    double *value;
    dtb_status st = eval_at(d, fn, state, n_state);
    if (!st && (st = dtb__dyn_variable(d, name, &col, &value)) == DTB_OK && col < d->ns)
        st = dtb__error(DTB_EINVAL, "%s: '%s' is a state (dtb_dynamics_jacobian)", fn, name);
    if (!st)
        st = check_out(fn, "out", out, n_out, d->ns);
    for (size_t i = 0; !st && i < d->ns; i++)
        out[i] = d->J[i * d->n_wrt + col];
    return st;
}

/* ---------------------------------------------------------- stability */

dtb_status dtb__dyn_eigen(dtb_dynamics *d, double *re, double *im)
{
    const size_t na = d->na;
    if (!na)
        return DTB_OK;
    gsl_matrix *A = gsl_matrix_alloc(na, na);
    gsl_vector_complex *ev = gsl_vector_complex_alloc(na);
    gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(na);
    dtb_status st = A && ev && w ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        for (size_t i = 0; i < na; i++)
            for (size_t j = 0; j < na; j++)
                gsl_matrix_set(A, i, j, d->J[d->active[i] * d->n_wrt + d->active[j]]);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int rc = gsl_eigen_nonsymm(A, ev, w);
        gsl_set_error_handler(old);
        if (rc)
            st = dtb__error(DTB_ENUMERIC, "the eigenvalues did not converge (GSL: %s)", gsl_strerror(rc));
    }
    for (size_t i = 0; !st && i < na; i++) {
        re[i] = GSL_REAL(gsl_vector_complex_get(ev, i));
        im[i] = GSL_IMAG(gsl_vector_complex_get(ev, i));
    }
    /* sort by decreasing real part (insertion: na is small) */
    for (size_t i = 1; !st && i < na; i++)
        for (size_t j = i; j > 0 && re[j] > re[j - 1]; j--) {
            double t = re[j];
            re[j] = re[j - 1];
            re[j - 1] = t;
            t = im[j];
            im[j] = im[j - 1];
            im[j - 1] = t;
        }
    gsl_matrix_free(A);
    gsl_vector_complex_free(ev);
    gsl_eigen_nonsymm_free(w);
    return st;
}

dtb_fixed_point_kind dtb__dyn_classify(const double *re, const double *im, size_t n)
{
    if (!n)
        return DTB_FIXED_POINT_STABLE_NODE;
    double scale = 0.0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, hypot(re[i], im[i]));
    const double tol = 1e-9 * fmax(scale, 1e-12);
    /* re is sorted decreasing: re[0] leads (the slowest to decay) */
    if (fabs(re[0]) <= tol)
        return DTB_FIXED_POINT_CENTRE;
    if (re[0] > tol && re[n - 1] < -tol)
        return DTB_FIXED_POINT_SADDLE;
    if (re[0] < 0.0)
        return fabs(im[0]) > tol ? DTB_FIXED_POINT_STABLE_FOCUS : DTB_FIXED_POINT_STABLE_NODE;
    for (size_t i = 0; i < n; i++)
        if (fabs(im[i]) > tol)
            return DTB_FIXED_POINT_UNSTABLE_FOCUS;
    return DTB_FIXED_POINT_UNSTABLE_NODE;
}
