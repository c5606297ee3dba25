/* libdtb — observer specifications as text (observe_spec.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/values.h"
#include "observe_spec.h"

typedef struct named {
    const char *name;
    int value;
} named;

static const named kinds[] = {
    {"raw", DTB_OBSERVER_RAW},          {"subsample", DTB_OBSERVER_SUBSAMPLE},
    {"tavg", DTB_OBSERVER_TAVG},        {"bold", DTB_OBSERVER_BOLD},
    {"eeg", DTB_OBSERVER_PROJECTION},   {"meg", DTB_OBSERVER_PROJECTION},
    {"seeg", DTB_OBSERVER_PROJECTION},  {"fc", DTB_OBSERVER_FC},
    {"fcd", DTB_OBSERVER_FCD},          {"psd", DTB_OBSERVER_PSD},
    {"spikes", DTB_OBSERVER_SPIKES},    {"rate", DTB_OBSERVER_RATE},
    {NULL, 0}};

/* Kinds a matrix observer may analyse (of=...). */
static const named sources[] = {
    {"raw", DTB_OBSERVER_RAW},   {"subsample", DTB_OBSERVER_SUBSAMPLE}, {"tavg", DTB_OBSERVER_TAVG},
    {"bold", DTB_OBSERVER_BOLD}, {"eeg", DTB_OBSERVER_PROJECTION},      {NULL, 0}};

static const named bold_sets[] = {
    {"friston2000", DTB_BOLD_FRISTON2000}, {"friston2003", DTB_BOLD_FRISTON2003},
    {"stephan2007", DTB_BOLD_STEPHAN2007}, {"opendtb", DTB_BOLD_OPENDTB},
    {"tvb-volterra", DTB_BOLD_TVB_VOLTERRA}, {NULL, 0}};

static const named heads[] = {
    {"three-shell", DTB_HEAD_THREE_SHELL}, {"sphere", DTB_HEAD_HOMOGENEOUS}, {NULL, 0}};

static const named methods[] = {
    {"pearson", DTB_FCD_METHOD_PEARSON}, {"phase", DTB_FCD_METHOD_PHASE},
    {"mtd", DTB_FCD_METHOD_MTD}, {NULL, 0}};

static const named compares[] = {
    {"pearson-ut", DTB_FCD_COMPARE_PEARSON_UT}, {"cosine-ut", DTB_FCD_COMPARE_COSINE_UT},
    {"pearson-lei", DTB_FCD_COMPARE_PEARSON_LEADING},
    {"cosine-lei", DTB_FCD_COMPARE_COSINE_LEADING}, {NULL, 0}};

/* The value of `name` in a table, or -1; `choices` lists the names. */
static int lookup(const named *table, const char *name, char *choices, size_t size)
{
    choices[0] = '\0';
    for (const named *t = table; t->name; t++) {
        if (!strcmp(t->name, name))
            return t->value;
        size_t used = strlen(choices);
        snprintf(choices + used, size - used, "%s%s", used ? ", " : "", t->name);
    }
    return -1;
}

static dtb_status pick(const named *table, const char *what, const char *value, const char *spec,
                       int *out)
{
    char choices[256];
    int v = lookup(table, value, choices, sizeof choices);
    if (v < 0)
        return dtb__error(DTB_EINVAL, "observe: unknown %s '%s' in '%s' (%s)", what, value, spec,
                          choices);
    *out = v;
    return DTB_OK;
}

static int is_matrix(dtb_observer_kind k)
{
    return k == DTB_OBSERVER_FC || k == DTB_OBSERVER_FCD || k == DTB_OBSERVER_PSD;
}

/* The signal a spec's options apply to: its own kind, or its source's. */
static dtb_observer_kind signal_of(const dtb__observe_spec *s)
{
    return is_matrix(s->kind) ? (s->source ? s->source : DTB_OBSERVER_TAVG) : s->kind;
}

/* Whether option `key` means something for this spec. */
static int applies(const dtb__observe_spec *s, const char *key)
{
    dtb_observer_kind sig = signal_of(s);
    if (!strcmp(key, "var") || !strcmp(key, "vars"))
        return 1;
    if (!strcmp(key, "period"))
        return s->kind == DTB_OBSERVER_RATE || (sig != DTB_OBSERVER_RAW && sig != DTB_OBSERVER_SPIKES);
    if (!strcmp(key, "tr") || !strcmp(key, "set"))
        return sig == DTB_OBSERVER_BOLD;
    if (!strcmp(key, "gain") || !strcmp(key, "head") || !strcmp(key, "noise"))
        return sig == DTB_OBSERVER_PROJECTION;
    if (!strcmp(key, "of") || !strcmp(key, "skip"))
        return is_matrix(s->kind);
    if (!strcmp(key, "window") || !strcmp(key, "method") || !strcmp(key, "compare"))
        return s->kind == DTB_OBSERVER_FCD;
    if (!strcmp(key, "segment"))
        return s->kind == DTB_OBSERVER_PSD;
    if (!strcmp(key, "step"))
        return s->kind == DTB_OBSERVER_FCD || s->kind == DTB_OBSERVER_PSD;
    if (!strcmp(key, "threshold"))
        return s->kind == DTB_OBSERVER_SPIKES || s->kind == DTB_OBSERVER_RATE;
    return 0;
}

static dtb_status set_time(const char *key, const char *value, const char *spec, double *out)
{
    if (!dtb__value_time(value, out) || !(*out > 0))
        return dtb__error(DTB_EINVAL, "observe: bad %s '%s' in '%s' (a positive time such as 2s or "
                                      "500ms)", key, value, spec);
    return DTB_OK;
}

/* One KEY=VALUE option of spec `text`. */
static dtb_status apply_option(dtb__observe_spec *s, const char *key, const char *value,
                               const char *text)
{
    int v;
    if (!strcmp(key, "period") || !strcmp(key, "tr"))
        return set_time(key, value, text, &s->period);
    if (!strcmp(key, "window") || !strcmp(key, "segment"))
        return set_time(key, value, text, &s->window);
    if (!strcmp(key, "step"))
        return set_time(key, value, text, &s->step);
    if (!strcmp(key, "skip"))
        return set_time(key, value, text, &s->skip);
    if (!strcmp(key, "var") || !strcmp(key, "vars")) {
        free(s->vars);
        return (s->vars = dtb__strdup(value)) ? DTB_OK : DTB_ENOMEM;
    }
    if (!strcmp(key, "gain")) {
        free(s->gain);
        return (s->gain = dtb__strdup(value)) ? DTB_OK : DTB_ENOMEM;
    }
    if (!strcmp(key, "noise")) {
        if (!dtb__value_number(value, &s->noise) || s->noise < 0)
            return dtb__error(DTB_EINVAL, "observe: bad noise '%s' in '%s' (a standard deviation "
                                          ">= 0)", value, text);
        return DTB_OK;
    }
    if (!strcmp(key, "threshold")) {
        if (!dtb__value_number(value, &s->threshold))
            return dtb__error(DTB_EINVAL, "observe: bad threshold '%s' in '%s'", value, text);
        return DTB_OK;
    }
    dtb_status st;
    if (!strcmp(key, "set")) {
        st = pick(bold_sets, "BOLD set", value, text, &v);
        s->bold_model = (dtb_bold_model)v;
    } else if (!strcmp(key, "head")) {
        st = pick(heads, "head model", value, text, &v);
        s->head = (dtb_head_model)v;
    } else if (!strcmp(key, "method")) {
        st = pick(methods, "FCD method", value, text, &v);
        s->fcd_method = (dtb_fcd_method)v;
    } else if (!strcmp(key, "compare")) {
        st = pick(compares, "FCD comparison", value, text, &v);
        s->fcd_compare = (dtb_fcd_compare)v;
    } else {
        st = pick(sources, "source", value, text, &v);
        s->source = (dtb_observer_kind)v;
    }
    return st;
}

/* Whether option `key` appears among the segments of text before `end`. */
static int given_before(const char *text, const char *end, const char *key)
{
    int vars = !strcmp(key, "var") || !strcmp(key, "vars");
    for (const char *p = strchr(text, ':'); p && p < end; p = strchr(p + 1, ':')) {
        const char *k = p + 1;
        size_t len = strcspn(k, "=:");
        if (k[len] != '=')
            continue;
        if (vars ? (len == 3 && !strncmp(k, "var", 3)) || (len == 4 && !strncmp(k, "vars", 4))
                 : len == strlen(key) && !strncmp(k, key, len))
            return 1;
    }
    return 0;
}

void dtb__observe_spec_free(dtb__observe_spec *s)
{
    free(s->vars);
    free(s->gain);
    s->vars = s->gain = NULL;
}

dtb_status dtb__observe_spec_parse(const char *text, dtb__observe_spec *out)
{
    dtb__observe_spec spec;
    memset(&spec, 0, sizeof spec);
    memset(out, 0, sizeof *out);
    size_t len = strcspn(text, ":");
    char kind[16], choices[256];
    if (len >= sizeof kind)
        len = sizeof kind - 1;
    memcpy(kind, text, len);
    kind[len] = '\0';
    int k = lookup(kinds, kind, choices, sizeof choices);
    if (k < 0)
        return dtb__error(DTB_EINVAL, "observe: unknown observer '%s' (%s)", kind, choices);
    spec.kind = (dtb_observer_kind)k;
    snprintf(spec.name, sizeof spec.name, "%s", kind);
    /* "of" first, so that the source's options are recognised in any order */
    const char *of = strstr(text, ":of=");
    dtb_status st = DTB_OK;
    if (of && is_matrix(spec.kind)) {
        char src[32];
        size_t n = strcspn(of + 4, ":");
        snprintf(src, sizeof src, "%.*s", (int)(n < sizeof src ? n : sizeof src - 1), of + 4);
        st = apply_option(&spec, "of", src, text);
    }
    for (const char *p = text + len; !st && *p == ':';) {
        p++;
        size_t seg = strcspn(p, ":");
        char buf[512];
        if (seg >= sizeof buf) {
            st = dtb__error(DTB_EINVAL, "observe: option too long in '%s'", text);
            break;
        }
        memcpy(buf, p, seg);
        buf[seg] = '\0';
        p += seg;
        char *eq = strchr(buf, '=');
        if (!eq || eq == buf || !eq[1]) {
            st = dtb__error(DTB_EINVAL, "observe: expected KEY=VALUE, got '%s' in '%s'", buf, text);
            break;
        }
        *eq = '\0';
        if (!applies(&spec, buf)) {
            st = dtb__error(DTB_EINVAL, "observe: %s takes no option '%s' (in '%s'; see dtb(1))",
                            spec.name, buf, text);
            break;
        }
        /* given twice (var and vars are one option): the last would win silently */
        if (given_before(text, p - seg - 1, buf)) {
            st = dtb__error(DTB_EINVAL, "observe: %s is given twice in '%s'", buf, text);
            break;
        }
        if (strcmp(buf, "of") != 0)
            st = apply_option(&spec, buf, eq + 1, text);
    }
    if (!st && (!strcmp(spec.name, "meg") || !strcmp(spec.name, "seeg")) && !spec.gain)
        st = dtb__error(DTB_EINVAL, "observe: %s needs a gain matrix (%s:gain=FILE, sensors x "
                                    "regions); only EEG has a built-in lead field", spec.name,
                        spec.name);
    if (st) {
        dtb__observe_spec_free(&spec);
        return st;
    }
    *out = spec;
    return DTB_OK;
}

void dtb__observe_spec_options(const dtb__observe_spec *s, dtb_observer_options *o)
{
    o->kind = s->kind;
    o->period = s->period;
    o->variables = s->vars;
    o->source = s->source;
    o->bold_model = s->bold_model;
    o->gain_path = s->gain;
    o->head_model = s->head;
    o->noise = s->noise;
    o->window = s->window;
    o->window_step = s->step;
    o->fcd_method = s->fcd_method;
    o->fcd_compare = s->fcd_compare;
    o->threshold = s->threshold;
    o->skip = s->skip;
}
