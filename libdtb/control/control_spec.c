/* libdtb — the text of a controller (control.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/values.h"
#include "control.h"

void dtb__control_spec_free(dtb__control_spec *s)
{
    free(s->read_var);
    free(s->read_region);
    free(s->drive_into);
    free(s->drive_regions);
    memset(s, 0, sizeof *s);
}

/* kp=..,ki=..,kd=..,min=..,max=..,bias=..,period=TIME */
static dtb_status gains(const char *setting, const char *text, dtb__control_spec *s)
{
    char *copy = dtb__strdup(text), *save = NULL;
    if (!copy)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    int have_max = 0, have_min = 0;
    for (char *kv = strtok_r(copy, ",", &save); kv && !st; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            st = dtb__error(DTB_EINVAL, "%s: '%s' is not KEY=VALUE", setting, kv);
            break;
        }
        *eq = 0;
        const char *key = kv, *v = eq + 1;
        double *slot = !strcmp(key, "kp")     ? &s->pid.kp
                       : !strcmp(key, "ki")   ? &s->pid.ki
                       : !strcmp(key, "kd")   ? &s->pid.kd
                       : !strcmp(key, "min")  ? &s->pid.out_min
                       : !strcmp(key, "max")  ? &s->pid.out_max
                       : !strcmp(key, "bias") ? &s->pid.bias
                                              : NULL;
        have_min |= !strcmp(key, "min");
        have_max |= !strcmp(key, "max");
        if (!strcmp(key, "period")) {
            if (!dtb__value_time(v, &s->period) || !(s->period > 0))
                st = dtb__error(DTB_EINVAL, "%s: period '%s' is not a time > 0", setting, v);
        } else if (!slot) {
            st = dtb__error(DTB_EINVAL, "%s: unknown pid key '%s' (kp, ki, kd, min, max, bias, "
                                        "period)", setting, key);
        } else if (!dtb__value_number(v, slot)) {
            st = dtb__error(DTB_EINVAL, "%s: %s '%s' is not a number", setting, key, v);
        }
    }
    free(copy);
    if (!st && have_min != have_max)
        st = dtb__error(DTB_EINVAL, "%s: give both limits (min= and max=) or neither", setting);
    return st;
}

static dtb_status split_at(const char *setting, const char *what, const char *v, int need_at,
                           char **name, char **regions)
{
    const char *at = strchr(v, '@');
    if ((need_at && !at) || (at && (!at[1] || at == v)) || !*v)
        return dtb__error(DTB_EINVAL, "%s: %s='%s' is not %s", setting, what, v,
                          need_at ? "VAR@REGION" : "NAME[@REGIONS]");
    *name = at ? dtb__strndup(v, (size_t)(at - v)) : dtb__strdup(v);
    *regions = at ? dtb__strdup(at + 1) : NULL;
    return *name && (!at || *regions) ? DTB_OK : DTB_ENOMEM;
}

/* The observers of --observe that read=OBS:VAR@REGION could name. */
static int observer_kind(const char *s)
{
    static const char *const kinds[] = {"tavg", "raw", "subsample", "bold", "eeg", "meg",
                                        "seeg", "events", "fc", "fcd", "psd"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(s, kinds[i]))
            return 1;
    return 0;
}

dtb_status dtb__parse_control(const char *setting, const char *text, dtb__control_spec *out)
{
    memset(out, 0, sizeof *out);
    dtb_pid_options_init(&out->pid, DTB_PID_OPTIONS_VERSION);
    out->period = 0.01;
    if (!text || strncmp(text, "pid:", 4) != 0)
        return dtb__error(DTB_EINVAL, "%s: '%s' is not pid:GAINS:read=VAR@REGION:target=X:"
                                      "drive=INTO[@REGIONS]", setting, text ? text : "");
    char *copy = dtb__strdup(text + 4), *save = NULL;
    if (!copy)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    int have_target = 0, field = 0, observer_named = 0;
    for (char *f = strtok_r(copy, ":", &save); f && !st; f = strtok_r(NULL, ":", &save), field++) {
        if (observer_named) {   /* read=tavg:VAR@REGION, the read=OBS:VAR@REGION */
            observer_named = 0;
            st = split_at(setting, "read", f, 1, &out->read_var, &out->read_region);
        } else if (field == 0 && !strstr(f, "read=") && !strstr(f, "drive=") &&
                   strncmp(f, "target=", 7))
            st = gains(setting, f, out);
        else if (!strncmp(f, "read=", 5) && observer_kind(f + 5)) {
            /* an observer named: the controller measures temporal averages */
            if (strcmp(f + 5, "tavg") != 0)
                st = dtb__error(DTB_EINVAL, "%s: read=%s: a controller reads the temporal average "
                                "of a state over its period (read=tavg:VAR@REGION or "
                                "read=VAR@REGION)", setting, f + 5);
            observer_named = 1;
        } else if (!strncmp(f, "read=", 5))
            st = split_at(setting, "read", f + 5, 1, &out->read_var, &out->read_region);
        else if (!strncmp(f, "drive=", 6))
            st = split_at(setting, "drive", f + 6, 0, &out->drive_into, &out->drive_regions);
        else if (!strncmp(f, "target=", 7)) {
            have_target = 1;
            if (!dtb__value_number(f + 7, &out->pid.target))
                st = dtb__error(DTB_EINVAL, "%s: target '%s' is not a number", setting, f + 7);
        } else
            st = dtb__error(DTB_EINVAL, "%s: unknown part '%s' (read=, target=, drive=)", setting,
                            f);
    }
    free(copy);
    if (!st && observer_named)
        st = dtb__error(DTB_EINVAL, "%s: read=tavg is not followed by :VAR@REGION", setting);
    if (!st && (!out->read_var || !out->drive_into || !have_target))
        st = dtb__error(DTB_EINVAL, "%s: '%s' lacks %s", setting, text,
                        !out->read_var ? "read=VAR@REGION" : !have_target ? "target=X"
                                                                          : "drive=INTO");
    /* the gains and limits as the controller will check them */
    dtb_controller *c = NULL;
    if (!st && (st = dtb_controller_create_pid(&c, &out->pid)))
        dtb__error_context(st, "%s", setting);
    dtb_controller_free(c);
    if (st)
        dtb__control_spec_free(out);
    return st;
}
