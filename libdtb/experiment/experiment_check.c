/* libdtb — checks of experiment setting values (experiment_check.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/units.h"
#include "base/values.h"
#include "control/control.h"
#include "experiment_check.h"
#include "experiment_parse.h"
#include "observe/observe_spec.h"

dtb_status dtb__check_set(const char *setting, const char *v)
{
    dtb__set_spec s;
    dtb_status st = dtb__parse_set(setting, v, &s);
    if (!st)
        dtb__set_spec_free(&s);
    return st;
}

dtb_status dtb__check_coupling(const char *setting, const char *v)
{
    (void)setting;
    dtb__coupling_spec c;
    dtb_status st = dtb__parse_coupling(v, &c);
    if (!st)
        dtb__coupling_spec_free(&c);
    return st;
}

/* The scalar readers: the value, or DTB_EINVAL naming the setting; *out
 * is written only on success (NULL: only the check). */

dtb_status dtb__read_speed(const char *setting, const char *v, double *out)
{
    double s;
    if (!dtb__value_speed(v, &s))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a positive speed (m/s or inf)", setting, v);
    if (out)
        *out = s;
    return DTB_OK;
}

dtb_status dtb__read_dt(const char *setting, const char *v, double *out)
{
    double t;
    if (!(dtb__value_time(v, &t) && t > 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a positive time (e.g. 0.1ms)", setting, v);
    if (out)
        *out = t;
    return DTB_OK;
}

dtb_status dtb__read_time(const char *setting, const char *v, double *out)
{
    double t;
    if (!(dtb__value_time(v, &t) && t >= 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a time (e.g. 1000ms, 2s)", setting, v);
    if (out)
        *out = t;
    return DTB_OK;
}

dtb_status dtb__read_positive(const char *setting, const char *v, double *out)
{
    double x;
    if (!(dtb__value_number(v, &x) && x > 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a positive number", setting, v);
    if (out)
        *out = x;
    return DTB_OK;
}

dtb_status dtb__read_nonnegative(const char *setting, const char *v, double *out)
{
    double x;
    if (!(dtb__value_number(v, &x) && x >= 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a number >= 0", setting, v);
    if (out)
        *out = x;
    return DTB_OK;
}

dtb_status dtb__read_seed(const char *setting, const char *v, int64_t *out)
{
    int64_t s;
    if (!(dtb__parse_int64(v, &s) && s >= 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative integer", setting, v);
    if (out)
        *out = s;
    return DTB_OK;
}

dtb_status dtb__check_speed(const char *setting, const char *v)
{
    return dtb__read_speed(setting, v, NULL);
}

dtb_status dtb__check_dt(const char *setting, const char *v)
{
    return dtb__read_dt(setting, v, NULL);
}

dtb_status dtb__check_time(const char *setting, const char *v)
{
    return dtb__read_time(setting, v, NULL);
}

dtb_status dtb__check_duration(const char *setting, const char *v) { return dtb__check_time(setting, v); }

dtb_status dtb__check_integrator(const char *setting, const char *v)
{
    (void)setting;
    dtb_integrator i;
    return dtb__parse_integrator(v, &i);
}

dtb_status dtb__check_positive(const char *setting, const char *v)
{
    return dtb__read_positive(setting, v, NULL);
}

dtb_status dtb__check_nonnegative(const char *setting, const char *v)
{
    return dtb__read_nonnegative(setting, v, NULL);
}

void dtb__numbers_spec_free(dtb__numbers_spec *s)
{
    dtb__pairs_free(&s->pairs);
    free(s->values);
    memset(s, 0, sizeof *s);
}

/* VAR=X,... with every X a number (and >= 0 when nonnegative). */
static dtb_status read_number_pairs(const char *setting, const char *v, int nonnegative,
                                    dtb__numbers_spec *out)
{
    dtb_status st = dtb__parse_pairs(setting, v, &out->pairs);
    if (!st && !(out->values = dtb__malloc_array(out->pairs.n + 1, sizeof *out->values)))
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < out->pairs.n; i++) {
        const char *x = out->pairs.items[i].value;
        if (!dtb__value_number(x, &out->values[i]) || (nonnegative && out->values[i] < 0))
            st = nonnegative
                     ? dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative number", setting, x)
                     : dtb__error(DTB_EINVAL, "%s: '%s' is not a number", setting, x);
    }
    if (st)
        dtb__numbers_spec_free(out);
    return st;
}

/* D, or VAR=D,... with every D >= 0 */
dtb_status dtb__read_noise(const char *setting, const char *v, dtb__numbers_spec *out)
{
    memset(out, 0, sizeof *out);
    if (strchr(v, '='))
        return read_number_pairs(setting, v, 1, out);
    if (!(dtb__value_number(v, &out->all) && out->all >= 0))
        return dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative number", setting, v);
    return DTB_OK;
}

dtb_status dtb__check_noise(const char *setting, const char *v)
{
    dtb__numbers_spec s;
    dtb_status st = dtb__read_noise(setting, v, &s);
    if (!st)
        dtb__numbers_spec_free(&s);
    return st;
}

dtb_status dtb__check_noise_kind(const char *setting, const char *v)
{
    (void)setting;
    dtb_noise_kind k;
    double tau;
    return dtb__parse_noise_kind(v, &k, &tau);
}

dtb_status dtb__check_seed(const char *setting, const char *v)
{
    return dtb__read_seed(setting, v, NULL);
}

/* VAR=VALUE,... (numbers) or a file name (no pairs, no values) */
dtb_status dtb__read_init(const char *setting, const char *v, dtb__numbers_spec *out)
{
    memset(out, 0, sizeof *out);
    return strchr(v, '=') ? read_number_pairs(setting, v, 0, out) : DTB_OK;
}

dtb_status dtb__check_init(const char *setting, const char *v)
{
    dtb__numbers_spec s;
    dtb_status st = dtb__read_init(setting, v, &s);
    if (!st)
        dtb__numbers_spec_free(&s);
    return st;
}

dtb_status dtb__check_stimulus(const char *setting, const char *v)
{
    (void)setting;
    dtb__stimulus_spec s;
    dtb_status st = dtb__parse_stimulus(v, &s);
    if (!st)
        dtb__stimulus_spec_free(&s);
    return st;
}

dtb_status dtb__check_control(const char *setting, const char *v)
{
    dtb__control_spec s;
    dtb_status st = dtb__parse_control(setting, v, &s);
    if (!st)
        dtb__control_spec_free(&s);
    return st;
}

dtb_status dtb__check_lesion(const char *setting, const char *v)
{
    (void)setting;
    dtb__lesion_spec l;
    dtb_status st = dtb__parse_lesion(v, &l);
    if (!st)
        dtb__lesion_spec_free(&l);
    return st;
}

dtb_status dtb__check_spiking(const char *setting, const char *v)
{
    (void)setting;
    dtb__spiking_spec s;
    dtb_status st = dtb__parse_spiking(v, &s);
    if (!st)
        dtb__spiking_spec_free(&s);
    return st;
}

dtb_status dtb__check_observe(const char *setting, const char *v)
{
    (void)setting;
    dtb__observe_spec s;
    dtb_status st = dtb__observe_spec_parse(v, &s);
    if (!st)
        dtb__observe_spec_free(&s);
    return st;
}

dtb_status dtb__check_format(const char *setting, const char *v)
{
    return !strcmp(v, "csv") || !strcmp(v, "npy")
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: unknown format '%s' (csv, npy)", setting, v);
}

dtb_status dtb__check_normalize(const char *setting, const char *v)
{
    dtb_weight_norm norm;
    return dtb__parse_normalize(setting, v, &norm);
}
