/* libdtb — the observation model of an assimilation (z-scored data against
 * standardised predictions) and the skill of its forecasts.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recorded BOLD signal is in scanner units (about 10^4, each region with
 * its own offset and gain); a model's BOLD is a small fraction around 0.
 * With DTB_ASSIMILATE_FLAG_ZSCORE both sides are put on one scale
 * instead of fitting an affine map between them:
 *   - each data column is z-scored over the recording (its own mean and
 *     standard deviation: the scale only, as FC is computed);
 *   - each member's prediction of a column is standardised with the mean
 *     and standard deviation of the ensemble's raw predictions of that
 *     column so far (every member, the spin-up and every sample up to the
 *     current one) - numbers of the model alone.
 * Why not an affine map fitted to the data: a fit over the run would put
 * the recording into the "forecast" it is scored against, and a fit on the
 * past samples only is a second estimation problem (two more parameters a
 * region, weakly identified from the same samples the parameters are).
 * Standardising needs neither, keeps every forecast ahead of its sample,
 * and loses only what correlation and FC ignore anyway (offset and gain).
 * The members first run a spin-up (DTB__SPINUP_SECONDS, not compared with
 * anything) so that the haemodynamic transient of a resting start does not
 * weigh on the statistics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_analysis.h"

#include "assimilation.h"

int64_t dtb__assimilation_spinup_samples(const dtb_assimilation *a)
{
    if (!(a->opts.flags & DTB_ASSIMILATE_FLAG_ZSCORE))
        return 0;
    return (int64_t)ceil(DTB__SPINUP_SECONDS / a->period - 1e-9);
}

dtb_status dtb__assimilation_zscore_data(dtb_assimilation *a, double *m, size_t rows)
{
    const size_t n = a->n_obs;
    for (size_t c = 0; c < n; c++) {
        double mean = 0, ss = 0;
        for (size_t r = 0; r < rows; r++)
            mean += m[r * n + c];
        mean /= (double)rows;
        for (size_t r = 0; r < rows; r++)
            ss += (m[r * n + c] - mean) * (m[r * n + c] - mean);
        const double sd = sqrt(ss / (double)(rows - 1));
        if (!(sd > 0))
            return dtb__error(DTB_EINVAL, "data %s: column %zu ('%s') is constant; it cannot "
                              "be z-scored", a->data_path, c, a->obs_names[c]);
        for (size_t r = 0; r < rows; r++)
            m[r * n + c] = (m[r * n + c] - mean) / sd;
    }
    return DTB_OK;
}

dtb_status dtb__pred_stats_init(dtb__pred_stats *s, size_t n_obs)
{
    memset(s, 0, sizeof *s);
    s->mean = dtb__calloc(n_obs ? n_obs : 1, sizeof *s->mean);
    s->m2 = dtb__calloc(n_obs ? n_obs : 1, sizeof *s->m2);
    if (!s->mean || !s->m2) {
        dtb__pred_stats_free(s);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

void dtb__pred_stats_free(dtb__pred_stats *s)
{
    free(s->mean);
    free(s->m2);
    memset(s, 0, sizeof *s);
}

/* Welford's update, value by value in member order, so that the numbers
 * do not depend on anything but the predictions. */
void dtb__pred_stats_add(dtb__pred_stats *s, const double *HX, size_t n_obs, size_t M)
{
    for (size_t k = 0; k < M; k++) {
        s->count += 1;
        for (size_t c = 0; c < n_obs; c++) {
            const double x = HX[c * M + k], d = x - s->mean[c];
            s->mean[c] += d / s->count;
            s->m2[c] += d * (x - s->mean[c]);
        }
    }
}

void dtb__pred_stats_standardise(const dtb__pred_stats *s, double *HX, size_t n_obs, size_t M)
{
    for (size_t c = 0; c < n_obs; c++) {
        const double var = s->count > 1 ? s->m2[c] / (s->count - 1) : 0;
        /* a column the model never moves: centred, not divided by 0 */
        const double sd = var > 0 ? sqrt(var) : 1;
        for (size_t k = 0; k < M; k++)
            HX[c * M + k] = (HX[c * M + k] - s->mean[c]) / sd;
    }
}

/* Pearson correlation of columns c of two sample-major n x cols arrays. */
static double column_r(const double *x, const double *y, size_t n, size_t cols, size_t c)
{
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i * cols + c];
        my += y[i * cols + c];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        const double dx = x[i * cols + c] - mx, dy = y[i * cols + c] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

dtb_status dtb__assimilation_skill(dtb_assimilation *a)
{
    const size_t n = a->n_done, C = a->n_obs;
    free(a->skill);
    a->skill = dtb__calloc(C + 2, sizeof *a->skill);
    if (!a->skill)
        return DTB_ENOMEM;
    for (size_t c = 0; c < C + 2; c++)
        a->skill[c] = NAN;
    if (n < 3)   /* no correlation to speak of */
        return DTB_OK;
    double sum = 0;
    for (size_t c = 0; c < C; c++) {
        a->skill[c] = column_r(a->forecast, a->data, n, C, c);
        sum += a->skill[c];
    }
    a->skill[C] = sum / (double)C;
    if (C < 3)   /* FCs of fewer than 3 columns have fewer than 3 pairs */
        return DTB_OK;
    double *fc_f = dtb__calloc(C * C, sizeof *fc_f), *fc_d = dtb__calloc(C * C, sizeof *fc_d);
    dtb_status st = fc_f && fc_d ? DTB_OK : DTB_ENOMEM;
    if (!st)
        st = dtb_analysis_fc(fc_f, a->forecast, n, C);
    if (!st)
        st = dtb_analysis_fc(fc_d, a->data, n, C);
    int finite = !st;
    for (size_t i = 0; finite && i < C * C; i++)
        finite = isfinite(fc_f[i]) && isfinite(fc_d[i]);
    if (finite)
        st = dtb_analysis_fc_fit(&a->skill[C + 1], fc_f, fc_d, C);
    free(fc_f);
    free(fc_d);
    return st == DTB_ENOMEM ? st : DTB_OK;   /* otherwise the FC fit stays NaN */
}
