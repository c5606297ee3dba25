/* libdtb — the values of --vary SPEC and the point sets of --sample.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "base/base.h"
#include "base/rng.h"
#include "explore.h"

/* Refuse sets that no machine runs through: a sweep's points are all held
 * in memory (a value per knob) before the first one starts. */
#define MAX_POINTS 100000000LL

void dtb__values_free(dtb__values *v)
{
    free(v->v);
    memset(v, 0, sizeof *v);
}

/* A field of SPEC as a finite number. */
static int field_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (!len || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return dtb__parse_double(buf, out) && isfinite(*out);
}

static dtb_status parse_list(const char *option, const char *name, const char *spec,
                             dtb__values *out)
{
    size_t n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    out->v = dtb__malloc_array(n, sizeof *out->v);
    if (!out->v)
        return DTB_ENOMEM;
    const char *p = spec;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        if (!field_number(p, len, &out->v[i])) {
            dtb__values_free(out);
            return dtb__error(DTB_EINVAL, "%s %s=%s: '%.*s' is not a number (SPEC is A:B:N, "
                                          "A:B:N:log or v1,v2,...)", option, name, spec, (int)len, p);
        }
        p += len + (p[len] == ',');
    }
    out->n = n;
    out->is_list = 1;
    out->lo = out->hi = out->v[0];
    for (size_t i = 1; i < n; i++) {
        out->lo = out->v[i] < out->lo ? out->v[i] : out->lo;
        out->hi = out->v[i] > out->hi ? out->v[i] : out->hi;
    }
    return DTB_OK;
}

dtb_status dtb__values_parse(const char *option, const char *name, const char *spec,
                             dtb__values *out)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return dtb__error(DTB_EINVAL, "%s %s: empty SPEC (A:B:N, A:B:N:log or v1,v2,...)", option,
                          name);
    if (!strchr(spec, ':'))
        return parse_list(option, name, spec, out);
    /* A:B:N[:log] */
    const char *f[4];
    size_t len[4], nf = 0;
    for (const char *p = spec;; ) {
        if (nf == 4)
            return dtb__error(DTB_EINVAL, "%s %s=%s: too many fields (A:B:N or A:B:N:log)", option,
                              name, spec);
        f[nf] = p;
        len[nf] = strcspn(p, ":");
        p += len[nf++];
        if (!*p)
            break;
        p++;
    }
    double a, b, n_d;
    if (nf < 3 || !field_number(f[0], len[0], &a) || !field_number(f[1], len[1], &b))
        return dtb__error(DTB_EINVAL, "%s %s=%s: not A:B:N (two numbers and a count)%s", option,
                          name, spec, nf < 3 ? "" : "");
    if (!field_number(f[2], len[2], &n_d) || n_d != floor(n_d) || n_d < 1 || n_d > 1e7)
        return dtb__error(DTB_EINVAL, "%s %s=%s: N = '%.*s' is not a whole number of values from 1 "
                                      "to 10^7", option, name, spec, (int)len[2], f[2]);
    if (nf == 4) {
        if (len[3] != 3 || strncmp(f[3], "log", 3) != 0)
            return dtb__error(DTB_EINVAL, "%s %s=%s: '%.*s' after N is not 'log'", option, name,
                              spec, (int)len[3], f[3]);
        if (a <= 0 || b <= 0)
            return dtb__error(DTB_EINVAL, "%s %s=%s: a log scale needs A > 0 and B > 0", option,
                              name, spec);
        out->log = 1;
    }
    if (a == b && n_d > 1)
        return dtb__error(DTB_EINVAL, "%s %s=%s: A equals B; give one value or two different ends",
                          option, name, spec);
    size_t n = (size_t)n_d;
    out->v = dtb__malloc_array(n, sizeof *out->v);
    if (!out->v)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        double u = n > 1 ? (double)i / (double)(n - 1) : 0.0;
        double v = out->log ? exp(log(a) + (log(b) - log(a)) * u)
                            : n > 1 ? (a * (double)(n - 1 - i) + b * (double)i) / (double)(n - 1) : a;
        /* 15 significant digits: 0.1:0.5:6 gives 0.34 and 0.42 as a user types them (and
         * as dtb run reads them), not 0.33999999999999997 and 0.42000000000000004 */
        char text[40];
        dtb__snprintf_c(text, sizeof text, "%.15g", v);
        dtb__parse_double(text, &out->v[i]);
    }
    out->v[0] = a;   /* the ends exactly as written */
    if (n > 1)
        out->v[n - 1] = b;
    out->n = n;
    out->lo = a < b ? a : b;
    out->hi = a < b ? b : a;
    return DTB_OK;
}

dtb_status dtb__sample_parse(const char *text, dtb__sample *out)
{
    memset(out, 0, sizeof *out);
    static const struct { const char *name; dtb__sample_kind kind; } kinds[] = {
        {"random", DTB__SAMPLE_RANDOM}, {"lhs", DTB__SAMPLE_LHS}, {"sobol", DTB__SAMPLE_SOBOL}};
    if (!text || strcmp(text, "grid") == 0)
        return DTB_OK;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t len = strlen(kinds[i].name);
        if (strncmp(text, kinds[i].name, len) != 0 || text[len] != ':')
            continue;
        int64_t n;
        if (!dtb__parse_int64(text + len + 1, &n) || n < 1 || n > MAX_POINTS)
            return dtb__error(DTB_EINVAL, "sample %s: '%s' is not a number of points from 1 to "
                                          "10^8", text, text + len + 1);
        out->kind = kinds[i].kind;
        out->n = n;
        return DTB_OK;
    }
    return dtb__error(DTB_EINVAL, "sample: '%s' is not grid, random:N, lhs:N or sobol:N", text);
}

/* A unit-cube coordinate u in [0, 1) to a value of the dimension. */
static double from_unit(const dtb__values *d, double u)
{
    if (d->is_list) {
        size_t i = (size_t)(u * (double)d->n);
        return d->v[i < d->n ? i : d->n - 1];
    }
    if (d->log)
        return exp(log(d->lo) + (log(d->hi) - log(d->lo)) * u);
    return d->lo + (d->hi - d->lo) * u;
}

static dtb_status grid_points(const dtb__values *dims, size_t n_dims, double **points,
                              int64_t *n_points)
{
    double total = 1;
    for (size_t d = 0; d < n_dims; d++)
        total *= (double)dims[d].n;
    if (total > (double)MAX_POINTS)
        return dtb__error(DTB_EINVAL, "vary: the grid has %.0f points; at most 10^8 (sample it "
                                      "instead: random:N, lhs:N or sobol:N)", total);
    int64_t n = (int64_t)total;
    double *p = dtb__malloc_array((size_t)n * (n_dims ? n_dims : 1), sizeof *p);
    if (!p)
        return DTB_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        int64_t rest = i;
        for (size_t d = n_dims; d-- > 0;) {   /* the last dimension varies fastest */
            int64_t nd = (int64_t)dims[d].n;
            p[(size_t)i * n_dims + d] = dims[d].v[rest % nd];
            rest /= nd;
        }
    }
    *points = p;
    *n_points = n;
    return DTB_OK;
}

dtb_status dtb__sample_points(const dtb__sample *s, const dtb__values *dims, size_t n_dims,
                              uint64_t seed, double **points, int64_t *n_points)
{
    *points = NULL;
    *n_points = 0;
    if (s->kind == DTB__SAMPLE_GRID)
        return grid_points(dims, n_dims, points, n_points);
    if (s->kind == DTB__SAMPLE_SOBOL && n_dims > gsl_qrng_sobol->max_dimension)
        return dtb__error(DTB_EINVAL, "sample sobol: %zu varied settings; GSL's Sobol sequence has "
                                      "at most %u dimensions (use lhs:N)", n_dims,
                          gsl_qrng_sobol->max_dimension);
    const size_t n = (size_t)s->n, nd = n_dims ? n_dims : 1;
    double *p = dtb__malloc_array(n * nd, sizeof *p);
    double *u = dtb__malloc_array(nd, sizeof *u);
    size_t *perm = s->kind == DTB__SAMPLE_LHS ? dtb__malloc_array(n * nd, sizeof *perm) : NULL;
    gsl_qrng *q = s->kind == DTB__SAMPLE_SOBOL && n_dims ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)n_dims)
                                                         : NULL;
    if (!p || !u || (s->kind == DTB__SAMPLE_LHS && !perm) ||
        (s->kind == DTB__SAMPLE_SOBOL && n_dims && !q)) {
        free(p);
        free(u);
        free(perm);
        if (q)
            gsl_qrng_free(q);
        return dtb__error(DTB_ENOMEM, "sample: out of memory for %zu points", n);
    }
    dtb__rng rng;
    dtb__rng_seed(&rng, seed);
    if (perm) {
        /* Latin hypercube: in each dimension one point per stratum, the
         * strata in a random order (Fisher-Yates), uniform inside */
        for (size_t d = 0; d < n_dims; d++) {
            size_t *pd = perm + d * n;
            for (size_t i = 0; i < n; i++)
                pd[i] = i;
            for (size_t i = n; i-- > 1;) {
                size_t j = (size_t)(dtb__rng_uniform(&rng) * (double)(i + 1));
                size_t t = pd[i];
                pd[i] = pd[j < i + 1 ? j : i];
                pd[j < i + 1 ? j : i] = t;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (q)
            gsl_qrng_get(q, u);
        for (size_t d = 0; d < n_dims; d++) {
            double x;
            if (s->kind == DTB__SAMPLE_SOBOL)
                x = u[d];
            else if (perm)
                x = ((double)perm[d * n + i] + dtb__rng_uniform(&rng)) / (double)n;
            else
                x = dtb__rng_uniform(&rng);
            p[i * nd + d] = from_unit(&dims[d], x);
        }
    }
    free(u);
    free(perm);
    if (q)
        gsl_qrng_free(q);
    *points = p;
    *n_points = (int64_t)n;
    return DTB_OK;
}
