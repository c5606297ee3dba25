/* libdtb — distances between distributions and matrices: symmetric
 * Kullback-Leibler divergence, Kolmogorov-Smirnov distance, FCD fit.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "base/base.h"

static dtb_status positive_sum(const char *which, const double *v, size_t n, double *sum)
{
    *sum = 0;
    for (size_t k = 0; k < n; k++) {
        if (!(v[k] > 0) || !isfinite(v[k]))
            return dtb__error(DTB_EINVAL,
                              "dtb_analysis_kl_divergence: value %zu of %s is %g; every value must "
                              "be positive and finite (the logarithm of zero or a negative value "
                              "is undefined)", k, which, v[k]);
        *sum += v[k];
    }
    return DTB_OK;
}

dtb_status dtb_analysis_kl_divergence(double *kl_out, const double *p, const double *q, size_t n,
                                      uint32_t flags)
{
    if (!kl_out || !p || !q)
        return dtb__error(DTB_EINVAL, "dtb_analysis_kl_divergence: NULL argument");
    if (n == 0)
        return dtb__error(DTB_EINVAL, "dtb_analysis_kl_divergence: no values");
    if (flags & ~DTB_ANALYSIS_KL_NORMALIZE)
        return dtb__error(DTB_EINVAL, "dtb_analysis_kl_divergence: unknown flags 0x%x",
                          (unsigned)flags);
    double sp, sq;
    dtb_status st = positive_sum("p", p, n, &sp);
    if (!st)
        st = positive_sum("q", q, n, &sq);
    if (st)
        return st;
    if (!(flags & DTB_ANALYSIS_KL_NORMALIZE))
        sp = sq = 1;
    double kl = 0;
    for (size_t k = 0; k < n; k++) {
        double a = p[k] / sp, b = q[k] / sq;
        /* a log(a/b) + b log(b/a) = (a - b) log(a/b) */
        kl += (a - b) * log(a / b);
    }
    *kl_out = kl / 2;
    return DTB_OK;
}

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static dtb_status sorted_copy(const char *fn, const double *v, size_t n, double **out)
{
    for (size_t k = 0; k < n; k++)
        if (isnan(v[k]))
            return dtb__error(DTB_EINVAL, "%s: value %zu is NaN", fn, k);
    *out = dtb__malloc_array(n, sizeof **out);
    if (!*out)
        return DTB_ENOMEM;
    memcpy(*out, v, n * sizeof *v);
    qsort(*out, n, sizeof **out, compare_doubles);
    return DTB_OK;
}

/* Largest gap between the two empirical distribution functions, checked
 * just after every distinct value. */
static double ks_sorted(const double *a, size_t na, const double *b, size_t nb)
{
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double v = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= v)
            i++;
        while (j < nb && b[j] <= v)
            j++;
        double gap = fabs((double)i / (double)na - (double)j / (double)nb);
        if (gap > d)
            d = gap;
    }
    return d;
}

static dtb_status ks_checked(const char *fn, double *ks_out, const double *a, size_t n_a,
                             const double *b, size_t n_b)
{
    if (!ks_out || !a || !b)
        return dtb__error(DTB_EINVAL, "%s: NULL argument", fn);
    if (n_a == 0 || n_b == 0)
        return dtb__error(DTB_EINVAL, "%s: an empty sample (%zu and %zu values)", fn, n_a, n_b);
    double *sa = NULL, *sb = NULL;
    dtb_status st = sorted_copy(fn, a, n_a, &sa);
    if (!st)
        st = sorted_copy(fn, b, n_b, &sb);
    if (!st)
        *ks_out = ks_sorted(sa, n_a, sb, n_b);
    free(sa);
    free(sb);
    return st;
}

dtb_status dtb_analysis_ks_distance(double *ks_out, const double *a, size_t n_a, const double *b,
                                    size_t n_b)
{
    return ks_checked("dtb_analysis_ks_distance", ks_out, a, n_a, b, n_b);
}

static double *upper_triangle(const double *m, size_t n)
{
    double *v = dtb__malloc_array(n * (n - 1) / 2, sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            v[k++] = m[i * n + j];
    return v;
}

dtb_status dtb_analysis_fcd_fit(double *ks_out, const double *fcd_a, size_t n_a,
                                const double *fcd_b, size_t n_b)
{
    static const char fn[] = "dtb_analysis_fcd_fit";
    if (!ks_out || !fcd_a || !fcd_b)
        return dtb__error(DTB_EINVAL, "%s: NULL argument", fn);
    if (n_a < 2 || n_b < 2)
        return dtb__error(DTB_EINVAL, "%s: an FCD matrix needs at least 2 windows (got %zu and %zu)",
                          fn, n_a, n_b);
    double *a = upper_triangle(fcd_a, n_a), *b = upper_triangle(fcd_b, n_b);
    dtb_status st = a && b ? ks_checked(fn, ks_out, a, n_a * (n_a - 1) / 2, b, n_b * (n_b - 1) / 2)
                           : DTB_ENOMEM;
    free(a);
    free(b);
    return st;
}
