/* libdtb — echo-state networks on connectomes: the spectral normalisation
 * and the state update x(t+1) = f(alpha W^ x(t) + W_in u(t+1)).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "base/base.h"
#include "base/clones.h"
#include "base/fast_exp.h"
#include "dense.h"
#include "network/network.h"
#include "reservoir.h"

static int is_symmetric(const double *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (w[i * n + j] != w[j * n + i])
                return 0;
    return 1;
}

dtb_status dtb__spectral_normalise(const double *w, size_t n, double *w_hat, double *rho_out)
{
    gsl_matrix *m = gsl_matrix_alloc(n, n);
    if (!m)
        return dtb__error(DTB_ENOMEM, "spectral radius: out of memory (%zu x %zu)", n, n);
    memcpy(m->data, w, n * n * sizeof *w);
    double rho = 0;
    int rc;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (is_symmetric(w, n)) {   /* the readouts' solver (symm_eigen.c), eigenvalues alone */
        double *eval = dtb__malloc_array(n, sizeof *eval);
        rc = eval ? (dtb__symm_eigen(m->data, n, eval, NULL) ? GSL_EMAXITER : 0) : GSL_ENOMEM;
        for (size_t i = 0; !rc && i < n; i++)
            rho = fmax(rho, fabs(eval[i]));
        free(eval);
    } else {
        gsl_vector_complex *eval = gsl_vector_complex_alloc(n);
        gsl_eigen_nonsymm_workspace *ws = eval ? gsl_eigen_nonsymm_alloc(n) : NULL;
        rc = ws ? gsl_eigen_nonsymm(m, eval, ws) : GSL_ENOMEM;
        for (size_t i = 0; !rc && i < n; i++)
            rho = fmax(rho, gsl_complex_abs(gsl_vector_complex_get(eval, i)));
        if (ws)
            gsl_eigen_nonsymm_free(ws);
        if (eval)
            gsl_vector_complex_free(eval);
    }
    gsl_set_error_handler(old);
    gsl_matrix_free(m);
    if (rc)
        return dtb__error(rc == GSL_ENOMEM ? DTB_ENOMEM : DTB_ENUMERIC,
                          "spectral radius: the eigenvalues did not converge (GSL: %s)",
                          gsl_strerror(rc));
    if (!(rho > 0) || !isfinite(rho))
        return dtb__error(DTB_EINVAL, "spectral radius: the weights have spectral radius %g (no "
                                      "recurrent connections to scale)", rho);
    for (size_t i = 0; i < n * n; i++)
        w_hat[i] = w[i] / rho;
    if (rho_out)
        *rho_out = rho;
    return DTB_OK;
}

/* tanh and the logistic function from libdtb's vectorising exp: absolute
 * error about 1e-16 (exp to about an ulp); tanh saturated outside
 * |x| > 20 (there 1 - 2 / (e^40 + 1) rounds to 1 anyway). In chunks, each
 * through dtb__exp_block, compiled for AVX2 when the CPU has it. */
DTB__CLONES
static void activate(dtb__activation f, double *x, size_t n)
{
    enum { CHUNK = 64 };
    double arg[CHUNK], e[CHUNK];
    for (size_t i0 = 0; i0 < n && f != DTB__ACT_IDENTITY; i0 += CHUNK) {
        const size_t len = n - i0 < CHUNK ? n - i0 : CHUNK;
        double *xc = x + i0;
        if (f == DTB__ACT_TANH) {
            for (size_t i = 0; i < len; i++) {
                const double a = fabs(xc[i]);
                arg[i] = a > 20 ? 40.0 : 2.0 * a;   /* NaN stays NaN */
            }
            dtb__exp_block(len, e, arg);
            for (size_t i = 0; i < len; i++) {
                const double t = 1.0 - 2.0 / (e[i] + 1.0);
                xc[i] = xc[i] < 0 ? -t : t;
            }
        } else {
            for (size_t i = 0; i < len; i++)
                arg[i] = xc[i] < -700 ? 0.0 : -xc[i];
            dtb__exp_block(len, e, arg);
            for (size_t i = 0; i < len; i++)
                xc[i] = xc[i] < -700 ? 0.0 : 1.0 / (1.0 + e[i]);
        }
    }
}

void dtb__esn_run(const double *w_hat, size_t n, double alpha, dtb__activation f,
                  const int64_t *in, size_t n_in, const double *u, size_t T, size_t C, double *X)
{
    /* the network layer's dense product (AVX2, half the bytes for a
     * symmetric W): the update is bound by reading W every step */
    const int symmetric = is_symmetric(w_hat, n);
    double *prev = NULL;
    for (size_t t = 0; t < T; t++) {
        double *x = X + t * n;
        if (prev) {
            dtb__dense_product(w_hat, (int64_t)n, prev, x, symmetric);
            for (size_t k = 0; k < n; k++)
                x[k] *= alpha;
        } else
            memset(x, 0, n * sizeof *x);   /* x(0) = 0: no recurrent input at the first step */
        for (size_t i = 0; i < n_in; i++)
            x[in[i]] += u[t * C + i % C];
        activate(f, x, n);
        prev = x;
    }
}
