/* libdtb — checks of experiment setting values (experiment_check.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "base/units.h"
#include "base/values.h"
#include "experiment_check.h"
#include "experiment_parse.h"
#include "observe/observe_spec.h"

dtb_status dtb__check_set(const char *setting, const char *v)
{
    dtb__set_spec s;
    dtb_status st = dtb__parse_set(setting, v, &s);
    if (st)
        return st;
    double x;
    const char *unit;
    if (s.value && (!dtb__quantity_split(s.value, &x, &unit) || !isfinite(x)))
        st = dtb__error(DTB_EINVAL, "%s: '%s' is not a number (with an optional unit, e.g. "
                                    "tau=10ms)", setting, s.value);
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

dtb_status dtb__check_speed(const char *setting, const char *v)
{
    double s;
    return dtb__value_speed(v, &s) ? DTB_OK
                                   : dtb__error(DTB_EINVAL, "%s: '%s' is not a positive speed (m/s "
                                                            "or inf)", setting, v);
}

dtb_status dtb__check_dt(const char *setting, const char *v)
{
    double t;
    return dtb__value_time(v, &t) && t > 0
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: '%s' is not a positive time (e.g. 0.1ms)", setting, v);
}

dtb_status dtb__check_time(const char *setting, const char *v)
{
    double t;
    return dtb__value_time(v, &t) && t >= 0
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: '%s' is not a time (e.g. 1000ms, 2s)", setting, v);
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
    double x;
    return dtb__value_number(v, &x) && x > 0
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: '%s' is not a positive number", setting, v);
}

dtb_status dtb__check_nonnegative(const char *setting, const char *v)
{
    double x;
    return dtb__value_number(v, &x) && x >= 0
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: '%s' is not a number >= 0", setting, v);
}

/* D, or VAR=D,... with every D >= 0 */
dtb_status dtb__check_noise(const char *setting, const char *v)
{
    double d;
    if (!strchr(v, '='))
        return dtb__value_number(v, &d) && d >= 0
                   ? DTB_OK
                   : dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative number", setting, v);
    dtb__pairs p;
    dtb_status st = dtb__parse_pairs(setting, v, &p);
    for (size_t i = 0; !st && i < p.n; i++)
        if (!dtb__value_number(p.items[i].value, &d) || d < 0)
            st = dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative number", setting,
                            p.items[i].value);
    dtb__pairs_free(&p);
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
    int64_t s;
    return dtb__parse_int64(v, &s) && s >= 0
               ? DTB_OK
               : dtb__error(DTB_EINVAL, "%s: '%s' is not a non-negative integer", setting, v);
}

/* VAR=VALUE,... (numbers) or a file name */
dtb_status dtb__check_init(const char *setting, const char *v)
{
    if (!strchr(v, '='))
        return DTB_OK;
    dtb__pairs p;
    dtb_status st = dtb__parse_pairs(setting, v, &p);
    for (size_t i = 0; !st && i < p.n; i++) {
        double x;
        if (!dtb__value_number(p.items[i].value, &x))
            st = dtb__error(DTB_EINVAL, "%s: '%s' is not a number", setting, p.items[i].value);
    }
    dtb__pairs_free(&p);
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
