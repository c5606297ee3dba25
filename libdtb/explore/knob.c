/* libdtb — what a NAME of --vary / --free changes in an experiment.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every knob becomes settings of dtb run's vocabulary appended to the
 * point's experiment, so that the point's experiment.xml reruns it:
 *   NAME           set NAME=V
 *   NAME@REGIONS   set NAME@REGIONS=V
 *   speed          speed V
 *   noise          noise-scale V
 *   seed           seed V
 *   coupling.P     coupling KIND:...,P=V (the experiment's coupling with P replaced) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "experiment/experiment.h"
#include "experiment/experiment_parse.h"
#include "explore.h"

void dtb__knob_free(dtb__knob *k)
{
    free(k->name);
    free(k->param);
    free(k->regions);
    memset(k, 0, sizeof *k);
}

static int valid_identifier(const char *s, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

dtb_status dtb__knob_parse(const char *option, const char *name, dtb__knob *out)
{
    memset(out, 0, sizeof *out);
    if (!name || !*name)
        return dtb__error(DTB_EINVAL, "%s: empty name", option);
    const char *at = strchr(name, '@');
    size_t len = at ? (size_t)(at - name) : strlen(name);
    out->name = dtb__strdup(name);
    if (!out->name)
        return DTB_ENOMEM;
    if (!at && strcmp(name, "speed") == 0)
        out->kind = DTB__KNOB_SPEED;
    else if (!at && strcmp(name, "noise") == 0)
        out->kind = DTB__KNOB_NOISE;
    else if (!at && strcmp(name, "seed") == 0)
        out->kind = DTB__KNOB_SEED;
    else if (!at && strncmp(name, "coupling.", 9) == 0) {
        if (!valid_identifier(name + 9, strlen(name + 9))) {
            dtb__knob_free(out);
            return dtb__error(DTB_EINVAL, "%s: '%s' names no coupling parameter after "
                                          "'coupling.' (coupling.a, coupling.b, ...)", option, name);
        }
        out->kind = DTB__KNOB_COUPLING;
        out->param = dtb__strdup(name + 9);
    } else {
        if (!valid_identifier(name, len) || (at && !at[1])) {
            dtb__knob_free(out);
            return dtb__error(DTB_EINVAL, "%s: '%s' is not a parameter name (NAME or "
                                          "NAME@REGIONS), speed, noise, seed or coupling.PARAM",
                              option, name);
        }
        out->kind = at ? DTB__KNOB_PARAM_REGIONS : DTB__KNOB_PARAM;
        out->param = dtb__strndup(name, len);
        if (at)
            out->regions = dtb__strdup(at + 1);
    }
    if ((out->kind == DTB__KNOB_PARAM || out->kind == DTB__KNOB_PARAM_REGIONS ||
         out->kind == DTB__KNOB_COUPLING) && !out->param) {
        dtb__knob_free(out);
        return DTB_ENOMEM;
    }
    if (out->kind == DTB__KNOB_PARAM_REGIONS && !out->regions) {
        dtb__knob_free(out);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

dtb_status dtb__knob_check_value(const char *option, const dtb__knob *k, double v)
{
    if (!isfinite(v))
        return dtb__error(DTB_EINVAL, "%s %s: value %g is not finite", option, k->name, v);
    switch (k->kind) {
    case DTB__KNOB_SPEED:
        if (v <= 0)
            return dtb__error(DTB_EINVAL, "%s speed: %g is not a positive speed (m/s)", option, v);
        break;
    case DTB__KNOB_NOISE:
        if (v < 0)
            return dtb__error(DTB_EINVAL, "%s noise: the noise scale %g is negative", option, v);
        break;
    case DTB__KNOB_SEED:
        if (v < 0 || v != floor(v) || v >= 9223372036854775808.0)
            return dtb__error(DTB_EINVAL, "%s seed: %g is not a whole number >= 0", option, v);
        break;
    default:
        break;
    }
    return DTB_OK;
}

/* The shortest text that reads back as the same double. */
static void number_text(char *buf, size_t size, double v)
{
    dtb__format_double(buf, size, v);
}

/* The experiment's coupling value with parameter `param` set to `value`:
 * "linear:a=1" -> "linear:a=V" or "linear:a=1,b=V"; no coupling setting ->
 * "linear:param=V" (linear is the default coupling). */
static char *coupling_with(const char *coupling, const char *param, const char *value)
{
    const char *base = coupling ? coupling : "linear";
    const char *colon = strchr(base, ':');
    /* a file (FILE.xml) may contain ':' only in its parameter part */
    const char *xml = strstr(base, ".xml");
    if (xml && (!colon || colon > xml))
        colon = strchr(xml, ':');
    dtb__strbuf b = {0};
    dtb__strbuf_appendn(&b, base, colon ? (size_t)(colon - base) : strlen(base));
    dtb__strbuf_append(&b, ":");
    int first = 1;
    if (colon) {
        const char *p = colon + 1;
        while (*p) {
            size_t len = strcspn(p, ",");
            const char *eq = memchr(p, '=', len);
            size_t name_len = eq ? (size_t)(eq - p) : len;
            if (!(name_len == strlen(param) && strncmp(p, param, name_len) == 0)) {
                if (!first)
                    dtb__strbuf_append(&b, ",");
                dtb__strbuf_appendn(&b, p, len);
                first = 0;
            }
            p += len;
            if (*p == ',')
                p++;
        }
    }
    dtb__strbuf_printf(&b, "%s%s=%s", first ? "" : ",", param, value);
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

dtb_status dtb__knob_apply(const dtb__knob *k, dtb_experiment *exp, double v)
{
    char num[40], *text = NULL;
    number_text(num, sizeof num, v);
    dtb_status st;
    switch (k->kind) {
    case DTB__KNOB_PARAM:
        text = dtb__asprintf("%s=%s", k->param, num);
        st = text ? dtb_experiment_add(exp, "set", text) : DTB_ENOMEM;
        break;
    case DTB__KNOB_PARAM_REGIONS:
        text = dtb__asprintf("%s@%s=%s", k->param, k->regions, num);
        st = text ? dtb_experiment_add(exp, "set", text) : DTB_ENOMEM;
        break;
    case DTB__KNOB_SPEED:
        st = dtb_experiment_add(exp, "speed", num);
        break;
    case DTB__KNOB_NOISE:
        st = dtb_experiment_add(exp, "noise-scale", num);
        break;
    case DTB__KNOB_SEED:
        snprintf(num, sizeof num, "%llu", (unsigned long long)v);
        st = dtb_experiment_add(exp, "seed", num);
        break;
    case DTB__KNOB_COUPLING:
        text = coupling_with(dtb_experiment_get(exp, "coupling"), k->param, num);
        if (!text)
            return DTB_ENOMEM;
        st = dtb_experiment_add(exp, "coupling", text);
        break;
    default:
        st = dtb__error(DTB_EINVAL, "unknown knob");
        break;
    }
    free(text);
    return st;
}
