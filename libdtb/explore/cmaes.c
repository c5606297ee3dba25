/* libdtb — CMA-ES with IPOP restarts, written from the published algorithm:
 *   N. Hansen, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772 (2016) — sampling,
 *     weighted recombination, cumulative step-size adaptation, rank-one + rank-mu update of C,
 *     the default parameters of its Table 1 (positive weights only: no active CMA) and the
 *     termination criteria of its Appendix B.3;
 *   A. Auger and N. Hansen, "A Restart CMA Evolution Strategy With Increasing Population
 *     Size", CEC 2005 — IPOP: on every restart the population doubles.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Box constraints. The strategy runs unconstrained in a "genotype" space; every candidate is
 * mapped into the normalised box [0,1] axis by axis by a periodic piecewise linear-quadratic
 * transformation: the identity in [a, 1-a], a quadratic on [-a, a] and [1-a, 1+a] that meets
 * the bound with zero slope, and mirrored beyond (period 2 + 4a). This is the transformation
 * Hansen's own implementation (pycma) uses by default for box bounds
 * (BoxConstraintsLinQuadTransformation). Why this rather than a penalty or repair:
 *   - the algorithm itself stays unchanged (no extra parameters to adapt, as the adaptive
 *     penalty weights of the boundary-penalty method need), and a candidate is never rejected
 *     or resampled, so a generation is always exactly lambda evaluations;
 *   - every candidate the caller sees lies in the box, never outside it;
 *   - f is unchanged in the interior, and the transformation is C^1, so an optimum on the
 *     bound becomes a smooth (quadratic) minimum in genotype space that CMA-ES converges to
 *     at its usual rate (plain mirroring gives a kink there).
 * The width a is 0.05 of the box: pycma's default width (1 + |lower|) / 20 for a box [0, 1].
 *
 * Numbers. All arithmetic is in a fixed order with one RNG (libdtb's xoshiro256**, seeded
 * once from options.seed; restarts continue the stream), so the same seed and the same
 * values give the same candidates bit for bit. */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/rng.h"
#include "optim_impl.h"

/* ------------------------------------------------------------------ the box transformation */

#define BOUND_A 0.05                        /* width of the quadratic zones */
#define BOUND_PERIOD (2 * (1 + 2 * BOUND_A))

/* genotype -> [0,1] */
static double geno_to_unit(double y)
{
    double t = fmod(y + BOUND_A, BOUND_PERIOD);   /* position in one period, from -a */
    if (t < 0)
        t += BOUND_PERIOD;
    if (t > 1 + 2 * BOUND_A)
        t = BOUND_PERIOD - t;                    /* the mirrored half */
    double v = t - BOUND_A;                       /* in [-a, 1 + a] */
    if (v < BOUND_A)
        return (v + BOUND_A) * (v + BOUND_A) / (4 * BOUND_A);
    if (v > 1 - BOUND_A)
        return 1 - (v - 1 - BOUND_A) * (v - 1 - BOUND_A) / (4 * BOUND_A);
    return v;
}

/* [0,1] -> the genotype in [-a, 1 + a] that maps to it */
static double unit_to_geno(double u)
{
    if (u < BOUND_A)
        return -BOUND_A + sqrt(4 * BOUND_A * u);
    if (u > 1 - BOUND_A)
        return 1 + BOUND_A - sqrt(4 * BOUND_A * (1 - u));
    return u;
}

/* The transformation has the period above: bring a mean that drifted periods away back near
 * the box, so that "no effect" tests compare numbers of the box's size. */
static double recentre(double m)
{
    if (m >= -BOUND_A - BOUND_PERIOD && m <= 1 + BOUND_A + BOUND_PERIOD)
        return m;
    return m - floor((m + BOUND_A) / BOUND_PERIOD) * BOUND_PERIOD;
}

/* ------------------------------------------------------------------ the strategy */

#define STAG_MAX 20000        /* the stagnation history's longest window (tutorial) */
#define COND_MAX 1e14         /* ConditionCov */
#define TOLXUP 1e4            /* TolXUp: sigma * max(D) grew this much over sigma0 */

typedef struct cand {
    double f;                 /* NaN ranks worst */
    size_t k;                 /* index in the generation: ties keep their order */
} cand;

typedef struct cma {
    size_t n, lambda, mu;
    size_t rows;                  /* candidates allocated: lambda, or fewer at the budget's end */
    double *w;                    /* mu recombination weights, sum 1 */
    double mueff, cs, ds, cc, c1, cmu, chin;
    int64_t eigen_every;          /* generations between decompositions */
    double sigma, sigma0, tolx, tolfun;
    double *m, *ps, *pc, *C, *B, *D;   /* C, B: n x n row-major; B's columns are eigenvectors */
    double *z, *y, *xg, *u;            /* rows x n: normals, B D z, genotype, box */
    double *f;
    cand *order;
    double *tmp, *zw;                  /* n each */
    int64_t gen, eigen_gen;
    /* TolFun / EqualFunVals: the best value of the last hist_len generations (ring) */
    double *hist;
    size_t hist_len, hist_count;
    /* Stagnation: best and median value of every generation, the newest STAG_MAX or more */
    double *sbest, *smed, *sort_buf;
    size_t slen, scap;
    /* GSL eigensolver */
    gsl_matrix *evec, *cwork;
    gsl_vector *eval;
    gsl_eigen_symmv_workspace *ews;
} cma;

static void cma_free(cma *c)
{
    free(c->w);
    free(c->m);
    free(c->ps);
    free(c->pc);
    free(c->C);
    free(c->B);
    free(c->D);
    free(c->z);
    free(c->y);
    free(c->xg);
    free(c->u);
    free(c->f);
    free(c->order);
    free(c->tmp);
    free(c->zw);
    free(c->hist);
    free(c->sbest);
    free(c->smed);
    free(c->sort_buf);
    if (c->evec)
        gsl_matrix_free(c->evec);
    if (c->cwork)
        gsl_matrix_free(c->cwork);
    if (c->eval)
        gsl_vector_free(c->eval);
    if (c->ews)
        gsl_eigen_symmv_free(c->ews);
    memset(c, 0, sizeof *c);
}

/* Strategy parameters of the tutorial's Table 1 (positive weights). */
static void cma_parameters(cma *c)
{
    const double n = (double)c->n, lambda = (double)c->lambda;
    c->mu = c->lambda / 2;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < c->mu; i++) {
        c->w[i] = log((lambda + 1) / 2) - log((double)(i + 1));
        sum += c->w[i];
    }
    for (size_t i = 0; i < c->mu; i++) {
        c->w[i] /= sum;
        sum2 += c->w[i] * c->w[i];
    }
    c->mueff = 1 / sum2;
    const double mueff = c->mueff;
    c->cs = (mueff + 2) / (n + mueff + 5);
    c->ds = 1 + 2 * fmax(0, sqrt((mueff - 1) / (n + 1)) - 1) + c->cs;
    c->cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n);
    c->c1 = 2 / ((n + 1.3) * (n + 1.3) + mueff);
    c->cmu = fmin(1 - c->c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) * (n + 2) + mueff));
    c->chin = sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    /* "B and D are updated every 1 / ((c1 + cmu) n 10) generations" (tutorial, B.2): the
     * decomposition costs n^3 and C changes by that little in between */
    double every = floor(1 / ((c->c1 + c->cmu) * n * 10));
    c->eigen_every = every >= 1 ? (int64_t)every : 1;
    c->hist_len = 10 + (size_t)ceil(30 * n / lambda);
}

static dtb_status cma_alloc(cma *c, size_t n, size_t lambda, size_t rows)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->lambda = lambda;
    c->rows = rows;
    c->w = dtb__malloc_array(lambda / 2, sizeof *c->w);
    c->m = dtb__malloc_array(n, sizeof *c->m);
    c->ps = dtb__malloc_array(n, sizeof *c->ps);
    c->pc = dtb__malloc_array(n, sizeof *c->pc);
    c->C = dtb__malloc_array(n * n, sizeof *c->C);
    c->B = dtb__malloc_array(n * n, sizeof *c->B);
    c->D = dtb__malloc_array(n, sizeof *c->D);
    c->z = dtb__malloc_array(rows, n * sizeof *c->z);
    c->y = dtb__malloc_array(rows, n * sizeof *c->y);
    c->xg = dtb__malloc_array(rows, n * sizeof *c->xg);
    c->u = dtb__malloc_array(rows, n * sizeof *c->u);
    c->f = dtb__malloc_array(rows, sizeof *c->f);
    c->order = dtb__malloc_array(rows, sizeof *c->order);
    c->tmp = dtb__malloc_array(n, sizeof *c->tmp);
    c->zw = dtb__malloc_array(n, sizeof *c->zw);
    c->hist = dtb__malloc_array(10 + 30 * n, sizeof *c->hist);   /* >= hist_len */
    c->evec = gsl_matrix_alloc(n, n);
    c->cwork = gsl_matrix_alloc(n, n);
    c->eval = gsl_vector_alloc(n);
    c->ews = gsl_eigen_symmv_alloc(n);
    if (!c->w || !c->m || !c->ps || !c->pc || !c->C || !c->B || !c->D || !c->z || !c->y ||
        !c->xg || !c->u || !c->f || !c->order || !c->tmp || !c->zw || !c->hist || !c->evec ||
        !c->cwork || !c->eval || !c->ews) {
        cma_free(c);
        return dtb__error(DTB_ENOMEM,
                          "optimiser 'cmaes': out of memory for %zu parameters and a population "
                          "of %zu", n, lambda);
    }
    cma_parameters(c);
    return DTB_OK;
}

/* A fresh search distribution: mean at the genotype of u0, C = I. */
static void cma_start(cma *c, const double *u0, double sigma0, double xtol, double ftol)
{
    const size_t n = c->n;
    for (size_t i = 0; i < n; i++) {
        c->m[i] = unit_to_geno(u0[i]);
        c->ps[i] = c->pc[i] = 0;
        c->D[i] = 1;
        for (size_t j = 0; j < n; j++)
            c->C[i * n + j] = c->B[i * n + j] = i == j;
    }
    c->sigma = c->sigma0 = sigma0;
    c->tolx = xtol > 0 ? xtol : 1e-12 * sigma0;   /* TolX = 1e-12 sigma0 (tutorial B.3) */
    c->tolfun = ftol > 0 ? ftol : 1e-12;          /* TolFun = 1e-12 */
    c->gen = c->eigen_gen = 0;
    c->hist_count = c->slen = 0;
}

/* k candidates: z ~ N(0, I), y = B D z, genotype m + sigma y, and its point in the box. */
static void cma_sample(cma *c, dtb__rng *rng, size_t k)
{
    const size_t n = c->n;
    dtb__rng_normal_fill(rng, c->z, k * n);
    for (size_t q = 0; q < k; q++) {
        const double *z = c->z + q * n;
        double *y = c->y + q * n, *xg = c->xg + q * n, *u = c->u + q * n;
        for (size_t j = 0; j < n; j++)
            c->tmp[j] = c->D[j] * z[j];
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t j = 0; j < n; j++)
                s += c->B[i * n + j] * c->tmp[j];
            y[i] = s;
            xg[i] = c->m[i] + c->sigma * s;
            u[i] = geno_to_unit(xg[i]);
        }
    }
}

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    int an = isnan(a->f), bn = isnan(b->f);
    if (an != bn)
        return an - bn;                      /* NaN after every number */
    if (!an && a->f != b->f)
        return a->f < b->f ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;   /* total order: any qsort gives the same result */
}

/* Rank a full generation (its values in c->f). */
static void cma_rank(cma *c)
{
    for (size_t q = 0; q < c->lambda; q++)
        c->order[q] = (cand){c->f[q], q};
    qsort(c->order, c->lambda, sizeof *c->order, cand_cmp);
}

/* Mean, evolution paths, covariance and step size from the ranked generation. */
static void cma_update(cma *c)
{
    const size_t n = c->n, mu = c->mu;
    /* ps needs C^(-1/2) <y>_w = B <z>_w: the z of this generation were drawn with this B, D */
    double *yw = c->tmp, *zw = c->zw;
    for (size_t i = 0; i < n; i++) {
        double sy = 0, sz = 0;
        for (size_t r = 0; r < mu; r++) {
            size_t q = c->order[r].k;
            sy += c->w[r] * c->y[q * n + i];
            sz += c->w[r] * c->z[q * n + i];
        }
        yw[i] = sy;
        zw[i] = sz;
    }
    double psnorm2 = 0;
    const double kps = sqrt(c->cs * (2 - c->cs) * c->mueff);
    for (size_t i = 0; i < n; i++) {
        double bz = 0;
        for (size_t j = 0; j < n; j++)
            bz += c->B[i * n + j] * zw[j];
        c->ps[i] = (1 - c->cs) * c->ps[i] + kps * bz;
        psnorm2 += c->ps[i] * c->ps[i];
        c->m[i] = recentre(c->m[i] + c->sigma * yw[i]);
    }
    const double psnorm = sqrt(psnorm2);
    const double g1 = (double)(c->gen + 1);
    const int hsig = psnorm / sqrt(1 - pow(1 - c->cs, 2 * g1)) <
                     (1.4 + 2 / ((double)n + 1)) * c->chin;
    const double kpc = sqrt(c->cc * (2 - c->cc) * c->mueff);
    for (size_t i = 0; i < n; i++)
        c->pc[i] = (1 - c->cc) * c->pc[i] + (hsig ? kpc * yw[i] : 0);
    /* C <- (1 - c1 - cmu + c1 (1 - hsig) cc (2 - cc)) C + c1 pc pc' + cmu sum w_r y_r y_r' */
    const double keep = 1 - c->c1 - c->cmu + (hsig ? 0 : c->c1 * c->cc * (2 - c->cc));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i; j < n; j++) {
            double rmu = 0;
            for (size_t r = 0; r < mu; r++) {
                size_t q = c->order[r].k;
                rmu += c->w[r] * c->y[q * n + i] * c->y[q * n + j];
            }
            double v = keep * c->C[i * n + j] + c->c1 * c->pc[i] * c->pc[j] + c->cmu * rmu;
            c->C[i * n + j] = c->C[j * n + i] = v;
        }
    }
    /* sigma <- sigma exp((cs / ds) (|ps| / E|N(0,I)| - 1)). The exponent is capped at 1 (our
     * safeguard, not in the tutorial), so that one freak generation cannot multiply sigma by
     * more than e */
    c->sigma *= exp(fmin(1, (c->cs / c->ds) * (psnorm / c->chin - 1)));
    c->gen++;
}

/* B and D from C. Returns 0, or 1 when C lost positive definiteness or finiteness. */
static int cma_eigen(cma *c)
{
    const size_t n = c->n;
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(c->C[i]))
            return 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(c->cwork, i, j, c->C[i * n + j]);
    if (gsl_eigen_symmv(c->cwork, c->eval, c->evec, c->ews) != 0)
        return 1;
    /* a fixed order, so that B does not depend on the solver's internal ordering */
    gsl_eigen_symmv_sort(c->eval, c->evec, GSL_EIGEN_SORT_VAL_ASC);
    for (size_t j = 0; j < n; j++) {
        double ev = gsl_vector_get(c->eval, j);
        if (!(ev > 0) || !isfinite(ev))
            return 1;
        c->D[j] = sqrt(ev);
        for (size_t i = 0; i < n; i++)
            c->B[i * n + j] = gsl_matrix_get(c->evec, i, j);
    }
    c->eigen_gen = c->gen;
    return 0;
}

/* ------------------------------------------------------------------ termination */

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static double median_of(cma *c, const double *v, size_t len)
{
    memcpy(c->sort_buf, v, len * sizeof *v);
    qsort(c->sort_buf, len, sizeof *v, dbl_cmp);
    return len % 2 ? c->sort_buf[len / 2] : 0.5 * (c->sort_buf[len / 2 - 1] + c->sort_buf[len / 2]);
}

/* Record this generation's best and median (NaN as +inf: worst) in the histories. */
static dtb_status cma_record(cma *c)
{
    double best = c->order[0].f, med = c->order[c->lambda / 2].f;
    best = isnan(best) ? INFINITY : best;
    med = isnan(med) ? INFINITY : med;
    c->hist[c->hist_count % c->hist_len] = best;
    c->hist_count++;
    if (c->slen == 2 * STAG_MAX) {   /* keep the newest STAG_MAX: the longest window */
        memmove(c->sbest, c->sbest + STAG_MAX, STAG_MAX * sizeof *c->sbest);
        memmove(c->smed, c->smed + STAG_MAX, STAG_MAX * sizeof *c->smed);
        c->slen = STAG_MAX;
    }
    if (c->slen == c->scap) {
        size_t cap = c->scap ? 2 * c->scap : 256;
        double *b = dtb__realloc_array(c->sbest, cap, sizeof *b);
        if (b)
            c->sbest = b;
        double *m = b ? dtb__realloc_array(c->smed, cap, sizeof *m) : NULL;
        if (m)
            c->smed = m;
        double *s = m ? dtb__realloc_array(c->sort_buf, cap, sizeof *s) : NULL;
        if (!s)
            return dtb__error(DTB_ENOMEM, "optimiser 'cmaes': out of memory for the history");
        c->sort_buf = s;
        c->scap = cap;
    }
    c->sbest[c->slen] = best;
    c->smed[c->slen] = med;
    c->slen++;
    return DTB_OK;
}

/* TolFun: the range of the best values of the last hist_len generations and of all values
 * of this generation is below tolfun. EqualFunVals: that history is flat. */
static const char *stop_by_values(const cma *c)
{
    if (c->hist_count < c->hist_len)
        return NULL;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < c->hist_len; i++) {
        lo = fmin(lo, c->hist[i]);
        hi = fmax(hi, c->hist[i]);
    }
    if (!isfinite(lo) || !isfinite(hi))
        return NULL;
    if (hi == lo)
        return "equalfunvals";
    for (size_t q = 0; q < c->lambda; q++) {
        if (!isfinite(c->f[q]))
            return NULL;
        lo = fmin(lo, c->f[q]);
        hi = fmax(hi, c->f[q]);
    }
    return hi - lo < c->tolfun ? "ftol" : NULL;
}

/* Stagnation (tutorial B.3): over the last 20% of the generations, but at least
 * 120 + 30 n / lambda and at most STAG_MAX, the median of the newest 30% of both the best
 * and the median values is no better than the median of the oldest 30%. */
static const char *stop_by_stagnation(cma *c)
{
    const double min_len = 120 + 30 * (double)c->n / (double)c->lambda;
    if ((double)c->gen <= min_len)
        return NULL;
    double want = fmax(ceil(0.2 * (double)c->gen), ceil(min_len));
    size_t len = want > STAG_MAX ? STAG_MAX : (size_t)want;
    if (len > c->slen)
        len = c->slen;
    const size_t part = (size_t)ceil(0.3 * (double)len);
    const double *b = c->sbest + (c->slen - len), *m = c->smed + (c->slen - len);
    double old_b = median_of(c, b, part), new_b = median_of(c, b + len - part, part);
    double old_m = median_of(c, m, part), new_m = median_of(c, m + len - part, part);
    return new_b >= old_b && new_m >= old_m ? "stagnation" : NULL;
}

/* The criteria on the distribution: TolX, NoEffectAxis, NoEffectCoord, ConditionCov, TolXUp. */
static const char *stop_by_distribution(const cma *c)
{
    const size_t n = c->n;
    int small = 1;
    for (size_t i = 0; i < n && small; i++)
        small = c->sigma * fabs(c->pc[i]) < c->tolx && c->sigma * sqrt(c->C[i * n + i]) < c->tolx;
    if (small)
        return "xtol";
    const size_t axis = (size_t)(c->gen % (int64_t)n);
    int no_effect = 1;
    for (size_t i = 0; i < n && no_effect; i++)
        no_effect = c->m[i] + 0.1 * c->sigma * c->D[axis] * c->B[i * n + axis] == c->m[i];
    if (no_effect)
        return "noeffectaxis";
    for (size_t i = 0; i < n; i++)
        if (c->m[i] + 0.2 * c->sigma * sqrt(c->C[i * n + i]) == c->m[i])
            return "noeffectcoord";
    double dmin = c->D[0], dmax = c->D[0];
    for (size_t i = 1; i < n; i++) {
        dmin = fmin(dmin, c->D[i]);
        dmax = fmax(dmax, c->D[i]);
    }
    if (dmax * dmax > COND_MAX * dmin * dmin)
        return "conditioncov";
    if (c->sigma * dmax > TOLXUP * c->sigma0)
        return "tolxup";
    return NULL;
}

/* ------------------------------------------------------------------ runs */

/* One run of CMA-ES from u0 until a criterion, the budget, ftarget or an error. */
static dtb_status cma_run(cma *c, dtb__optim_run *r, dtb__rng *rng, const char **reason)
{
    for (;;) {
        const int64_t left = dtb__optim_remaining(r);
        if (left <= 0) {
            *reason = "budget";
            return DTB_OK;
        }
        if (c->gen - c->eigen_gen >= c->eigen_every && cma_eigen(c)) {
            *reason = "conditioncov";   /* C lost positive definiteness: ill-conditioned */
            return DTB_OK;
        }
        /* the last generation may be cut to what the budget allows */
        const size_t k = left < (int64_t)c->lambda ? (size_t)left : c->lambda;
        cma_sample(c, rng, k);
        dtb_status st = dtb__optim_eval_batch(r, c->u, k, c->f);
        if (st)
            return st;
        if (r->target_hit) {
            *reason = "ftarget";
            return DTB_OK;
        }
        if (k < c->lambda) {
            *reason = "budget";
            return DTB_OK;
        }
        cma_rank(c);
        cma_update(c);
        if ((st = cma_record(c)))
            return st;
        if (!isfinite(c->sigma)) {
            *reason = "conditioncov";
            return DTB_OK;
        }
        if ((*reason = stop_by_values(c)) || (*reason = stop_by_distribution(c)) ||
            (*reason = stop_by_stagnation(c)))
            return DTB_OK;
    }
}

static size_t default_lambda(size_t n) { return 4 + (size_t)floor(3 * log((double)n)); }

static int may_restart(const dtb__optim_run *r)
{
    const int32_t limit = r->o->restarts;
    if (limit < 0 || dtb__optim_remaining(r) <= 0)
        return 0;
    return limit == 0 || r->restarts_done < limit;
}

dtb_status dtb__optim_cmaes(dtb__optim_run *r)
{
    const size_t n = r->dim;
    dtb__rng rng;
    dtb__rng_seed(&rng, r->o->seed);
    size_t lambda = r->o->popsize > 0 ? (size_t)r->o->popsize : default_lambda(n);
    double *start = dtb__malloc_array(n, sizeof *start);
    if (!start)
        return dtb__error(DTB_ENOMEM, "optimiser 'cmaes': out of memory");
    memcpy(start, r->u0, n * sizeof *start);
    dtb_status st = DTB_OK;
    for (;;) {
        /* a population beyond the remaining budget is only ever one cut generation */
        const int64_t left = dtb__optim_remaining(r);
        const size_t rows = left < (int64_t)lambda ? (size_t)left : lambda;
        cma c;
        if ((st = cma_alloc(&c, n, lambda, rows)))
            break;
        cma_start(&c, start, r->sigma0, r->o->xtol, r->o->ftol);
        const char *reason = "budget";
        st = cma_run(&c, r, &rng, &reason);
        cma_free(&c);
        if (st)
            break;
        r->stop_reason = reason;
        if (strcmp(reason, "ftarget") == 0 || !may_restart(r))
            break;
        /* IPOP: a new start drawn uniformly in the box, twice the population */
        r->restarts_done++;
        for (size_t i = 0; i < n; i++)
            start[i] = dtb__rng_uniform(&rng);
        lambda = lambda > SIZE_MAX / 2 ? SIZE_MAX : 2 * lambda;
    }
    free(start);
    return st;
}
