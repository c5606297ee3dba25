/* libdtb — dtb_experiment_settings.h: the settings table (experiment.h)
 * and the value readers (values.h) for drivers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/base.h"
#include "base/values.h"
#include "dtb/dtb_experiment_settings.h"
#include "experiment.h"

dtb_setting_kind dtb_experiment_setting_kind(const char *name)
{
    const dtb__setting_info *info = name ? dtb__setting_find(name) : NULL;
    if (!info)
        return DTB_SETTING_UNKNOWN;
    switch (info->kind) {
    case DTB__SETTING_SINGLE: return DTB_SETTING_SINGLE;
    case DTB__SETTING_REPEAT: return DTB_SETTING_REPEAT;
    case DTB__SETTING_FLAG: return DTB_SETTING_FLAG;
    }
    return DTB_SETTING_UNKNOWN;
}

dtb_status dtb_experiment_parse_value(double *value_out, dtb_value_kind kind, const char *text)
{
    if (!value_out)
        return dtb__error(DTB_EINVAL, "dtb_experiment_parse_value: value_out is NULL");
    if (!text)
        return dtb__error(DTB_EINVAL, "dtb_experiment_parse_value: text is NULL");
    double v;
    int ok;
    const char *expected;
    switch (kind) {
    case DTB_VALUE_NUMBER:
        ok = dtb__value_number(text, &v);
        expected = "a finite number";
        break;
    case DTB_VALUE_TIME:
        ok = dtb__value_time(text, &v);
        expected = "a time (\"0.1ms\", \"2s\"; a bare number is milliseconds)";
        break;
    case DTB_VALUE_FREQUENCY:
        ok = dtb__value_frequency(text, &v);
        expected = "a frequency (\"40Hz\", \"0.1kHz\"; a bare number is Hz)";
        break;
    case DTB_VALUE_SPEED:
        ok = dtb__value_speed(text, &v);
        expected = "a speed above 0 (\"3m/s\", \"inf\"; a bare number is m/s)";
        break;
    default:
        return dtb__error(DTB_EINVAL, "dtb_experiment_parse_value: %d is not a dtb_value_kind",
                          (int)kind);
    }
    if (!ok)
        return dtb__error(DTB_EINVAL, "'%s' is not %s", text, expected);
    *value_out = v;
    return DTB_OK;
}
