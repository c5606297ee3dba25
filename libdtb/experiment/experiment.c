/* libdtb — experiments: settings, their table, and the file names in them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_atlas.h"
#include "dtb/dtb_model.h"
#include "experiment.h"
#include "experiment_check.h"

/* --- where the file names are --- */

static size_t whole_value(const char *v, size_t *s, size_t *l, size_t max)
{
    if (!max || !*v)
        return 0;
    s[0] = 0;
    l[0] = strlen(v);
    return 1;
}

/* A built-in name has no '/' and no file extension; anything else is a
 * file (or folder). */
static int looks_like_name(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] == '/' || v[i] == '.')
            return 0;
    return 1;
}

/* A bare name is a built-in one only if there is such a built-in: the
 * loaders take "atlas" for the folder ./atlas otherwise, and then it is an
 * input file like any other (checksummed, relative to the experiment file,
 * never overwritten). */
static int builtin_atlas(const char *v, size_t len)
{
    for (int64_t i = 0; i < dtb_atlas_builtin_count(); i++) {
        const char *name = dtb_atlas_builtin_name(i);
        if (strlen(name) == len && !strncmp(name, v, len))
            return 1;
    }
    return 0;
}

static int builtin_model(const char *v, size_t len)
{
    for (int64_t i = 0; i < dtb_model_builtin_count(); i++) {
        const char *name = dtb_model_builtin_name(i);
        if (strlen(name) == len && !strncmp(name, v, len))
            return 1;
    }
    return 0;
}

static size_t atlas_path(const char *v, size_t *s, size_t *l, size_t max)
{
    size_t len = strlen(v);
    return looks_like_name(v, len) && builtin_atlas(v, len) ? 0 : whole_value(v, s, l, max);
}

/* FILE.xml or FILE.xml#Type */
static size_t model_path(const char *v, size_t *s, size_t *l, size_t max)
{
    size_t len = strcspn(v, "#");
    if (!max || !len || (looks_like_name(v, len) && builtin_model(v, len)))
        return 0;
    s[0] = 0;
    l[0] = len;
    return 1;
}

/* NAME=@FILE */
static size_t set_path(const char *v, size_t *s, size_t *l, size_t max)
{
    const char *at = strstr(v, "=@");
    if (!max || !at || !at[2])
        return 0;
    s[0] = (size_t)(at + 2 - v);
    l[0] = strlen(at + 2);
    return 1;
}

/* FILE.xml[:p=v,...] */
static size_t coupling_path(const char *v, size_t *s, size_t *l, size_t max)
{
    const char *xml = strstr(v, ".xml");
    if (!max || !xml || (xml[4] && xml[4] != ':'))
        return 0;
    s[0] = 0;
    l[0] = (size_t)(xml + 4 - v);
    return 1;
}

/* VAR=VALUE,... or FILE */
static size_t init_path(const char *v, size_t *s, size_t *l, size_t max)
{
    return strchr(v, '=') ? 0 : whole_value(v, s, l, max);
}

/* KIND:...:key=FILE:... for the keys that name files (gain= of the
 * projection observers, file= of sampled stimuli). */
static size_t option_paths(const char *v, size_t *s, size_t *l, size_t max)
{
    static const char *const keys[] = {"gain=", "file="};
    size_t n = 0;
    for (const char *p = v; *p && n < max; p++) {
        if (p != v && p[-1] != ':' && p[-1] != ',')
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t kl = strlen(keys[k]);
            if (strncmp(p, keys[k], kl) == 0 && p[kl] && p[kl] != ':' && p[kl] != ',') {
                s[n] = (size_t)(p + kl - v);
                l[n] = strcspn(p + kl, ":,");
                n++;
                break;
            }
        }
    }
    return n;
}

/* --- the table (names are dtb run's options without the dashes) --- */

const dtb__setting_info dtb__settings[] = {
    {"atlas", DTB__SETTING_SINGLE, NULL, atlas_path, "built-in atlas name, TVB folder or weight matrix"},
    {"atlas-weights", DTB__SETTING_SINGLE, NULL, whole_value, "weight matrix file of the atlas"},
    {"atlas-lengths", DTB__SETTING_SINGLE, NULL, whole_value, "tract-length matrix file (mm)"},
    {"atlas-centres", DTB__SETTING_SINGLE, NULL, whole_value, "region centres (or region table)"},
    {"atlas-labels", DTB__SETTING_SINGLE, NULL, whole_value, "region labels file"},
    {"normalize", DTB__SETTING_SINGLE, dtb__check_normalize, NULL,
     "weight normalisation: none, max, region, row-sum, log1p"},
    {"model", DTB__SETTING_SINGLE, NULL, model_path, "built-in model, descriptor file, or FILE.xml#Type"},
    {"model-name", DTB__SETTING_SINGLE, NULL, NULL, "which RegionModel of the model file"},
    {"include", DTB__SETTING_REPEAT, NULL, whole_value, "folder searched for <Include> files"},
    {"set", DTB__SETTING_REPEAT, dtb__check_set, set_path, "NAME=VALUE, NAME@REGIONS=VALUE or NAME=@FILE.csv"},
    {"coupling", DTB__SETTING_SINGLE, dtb__check_coupling, coupling_path, "KIND[:p=v,...] or FILE.xml"},
    {"speed", DTB__SETTING_SINGLE, dtb__check_speed, NULL, "conduction speed (m/s, inf)"},
    {"dt", DTB__SETTING_SINGLE, dtb__check_dt, NULL, "integration step"},
    {"duration", DTB__SETTING_SINGLE, dtb__check_duration, NULL, "simulated time"},
    {"integrator", DTB__SETTING_SINGLE, dtb__check_integrator, NULL, "euler, heun, rk4, gsl-..."},
    {"rtol", DTB__SETTING_SINGLE, dtb__check_positive, NULL, "relative tolerance (GSL)"},
    {"atol", DTB__SETTING_SINGLE, dtb__check_positive, NULL, "absolute tolerance (GSL)"},
    {"noise", DTB__SETTING_REPEAT, dtb__check_noise, NULL, "D or VAR=D,..."},
    {"noise-kind", DTB__SETTING_SINGLE, dtb__check_noise_kind, NULL,
     "additive, sigma, multiplicative, coloured:tau=TIME"},
    {"noise-scale", DTB__SETTING_SINGLE, dtb__check_nonnegative, NULL,
     "factor on every noise amplitude"},
    {"seed", DTB__SETTING_SINGLE, dtb__check_seed, NULL, "seed of the random numbers"},
    {"init", DTB__SETTING_SINGLE, dtb__check_init, init_path, "VAR=VALUE,... or FILE.csv"},
    {"fic", DTB__SETTING_FLAG, NULL, NULL, "feedback inhibition control"},
    {"tvb-float32-coupling", DTB__SETTING_FLAG, NULL, NULL, "TVB's float32 coupling sums"},
    {"stimulus", DTB__SETTING_REPEAT, dtb__check_stimulus, option_paths,
     "KIND:k=v,...:regions=LIST:into=NAME"},
    {"control", DTB__SETTING_REPEAT, dtb__check_control, NULL,
     "pid:kp=..,ki=..,kd=..:read=VAR@REGION:target=X:drive=INTO[@REGIONS]"},
    {"lesion", DTB__SETTING_REPEAT, dtb__check_lesion, NULL,
     "region=LABEL, edge=A:B or scale=A:B:FACTOR"},
    {"spiking", DTB__SETTING_REPEAT, dtb__check_spiking, NULL,
     "REGIONS[:model=lif,n=1000,...]: spiking regions"},
    {"observe", DTB__SETTING_REPEAT, dtb__check_observe, option_paths, "what to record"},
    {"out", DTB__SETTING_SINGLE, NULL, NULL, "output folder"},
    {"format", DTB__SETTING_SINGLE, dtb__check_format, NULL, "csv or npy"},
    {"empirical-fc", DTB__SETTING_SINGLE, NULL, whole_value, "empirical FC to compare with"},
    {"plot", DTB__SETTING_FLAG, NULL, NULL, "SVG figures of the outputs"},
    {"plot-regions", DTB__SETTING_SINGLE, NULL, NULL, "regions of the figures"},
    {"checkpoint-at", DTB__SETTING_SINGLE, dtb__check_time, NULL, "time of the checkpoint"},
    {"checkpoint", DTB__SETTING_SINGLE, NULL, whole_value, "checkpoint file to write"},
    {"resume", DTB__SETTING_SINGLE, NULL, whole_value, "checkpoint file to continue from"},
    {"from", DTB__SETTING_SINGLE, NULL, whole_value,
     "checkpoint to branch from: a new run from its time and state"},
    {"reseed", DTB__SETTING_FLAG, NULL, NULL,
     "a branch draws new noise from the seed instead of continuing the checkpoint's stream"},
    {"no-limits", DTB__SETTING_FLAG, NULL, NULL,
     "run whatever its step count and the size of its outputs"},
};
const size_t dtb__n_settings = sizeof dtb__settings / sizeof dtb__settings[0];

const dtb__setting_info *dtb__setting_find(const char *name)
{
    for (size_t i = 0; name && i < dtb__n_settings; i++)
        if (strcmp(dtb__settings[i].name, name) == 0)
            return &dtb__settings[i];
    return NULL;
}

char *dtb__experiment_map_paths(const dtb__setting_info *info, const char *value,
                                char *(*fn)(const char *path, void *ctx), void *ctx)
{
    enum { MAX = 8 };
    size_t starts[MAX], lens[MAX];
    size_t n = info->paths ? info->paths(value, starts, lens, MAX) : 0;
    dtb__strbuf out = {0};
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = dtb__strndup(value + starts[i], lens[i]);
        char *mapped = path ? fn(path, ctx) : NULL;
        free(path);
        if (!mapped) {
            dtb__strbuf_free(&out);
            return NULL;
        }
        dtb__strbuf_appendn(&out, value + pos, starts[i] - pos);
        dtb__strbuf_append(&out, mapped);
        free(mapped);
        pos = starts[i] + lens[i];
    }
    dtb__strbuf_append(&out, value + pos);
    if (out.failed) {
        dtb__strbuf_free(&out);
        return NULL;
    }
    return out.data ? out.data : dtb__strdup("");
}

/* --- the object --- */

dtb_status dtb_experiment_create(dtb_experiment **out)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_experiment_create: out is NULL");
    *out = dtb__calloc(1, sizeof **out);
    return *out ? DTB_OK : DTB_ENOMEM;
}

void dtb_experiment_free(dtb_experiment *exp)
{
    if (!exp)
        return;
    for (size_t i = 0; i < exp->n; i++) {
        free(exp->names[i]);
        free(exp->values[i]);
    }
    free(exp->names);
    free(exp->values);
    free(exp);
}

dtb_status dtb__experiment_append(dtb_experiment *exp, const char *name, const char *value)
{
    if (exp->n == exp->cap) {
        size_t cap = exp->cap ? 2 * exp->cap : 16;
        char **names = dtb__realloc_array(exp->names, cap, sizeof *names);
        if (!names)
            return DTB_ENOMEM;
        exp->names = names;
        char **values = dtb__realloc_array(exp->values, cap, sizeof *values);
        if (!values)
            return DTB_ENOMEM;
        exp->values = values;
        exp->cap = cap;
    }
    char *n = dtb__strdup(name), *v = dtb__strdup(value ? value : "");
    if (!n || !v) {
        free(n);
        free(v);
        return DTB_ENOMEM;
    }
    exp->names[exp->n] = n;
    exp->values[exp->n++] = v;
    return DTB_OK;
}

dtb_status dtb_experiment_remove(dtb_experiment *exp, const char *name)
{
    if (!exp || !name)
        return dtb__error(DTB_EINVAL, "dtb_experiment_remove: %s is NULL", exp ? "name" : "exp");
    size_t kept = 0;
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], name) == 0) {
            free(exp->names[i]);
            free(exp->values[i]);
            continue;
        }
        exp->names[kept] = exp->names[i];
        exp->values[kept++] = exp->values[i];
    }
    exp->n = kept;
    return DTB_OK;
}

dtb_status dtb__experiment_check_value(const dtb__setting_info *info, const char *value)
{
    if (info->kind == DTB__SETTING_FLAG) {
        if (value && *value)
            return dtb__error(DTB_EINVAL, "%s takes no value (got '%s')", info->name, value);
        return DTB_OK;
    }
    if (!value || !*value)
        return dtb__error(DTB_EINVAL, "%s needs a value (%s)", info->name, info->summary);
    dtb_status st = info->check ? info->check(info->name, value) : DTB_OK;
    if (st && st != DTB_ENOMEM && st != DTB_EINVAL) {
        /* a bad value is DTB_EINVAL whatever the reader said (a missing
         * file, an unknown shape): DTB_ENOTFOUND means an unknown setting */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", dtb_last_error_message());
        st = dtb__error(DTB_EINVAL, "%s", msg);
    }
    return st;
}

dtb_status dtb_experiment_add(dtb_experiment *exp, const char *name, const char *value)
{
    if (!exp || !name)
        return dtb__error(DTB_EINVAL, "dtb_experiment_add: %s is NULL", exp ? "name" : "exp");
    const dtb__setting_info *info = dtb__setting_find(name);
    if (!info)
        return dtb__error(DTB_ENOTFOUND, "unknown setting '%s' (dtb-experiment(5) lists the "
                                         "settings)", name);
    dtb_status st = dtb__experiment_check_value(info, value);
    if (st)
        return st;
    if (info->kind != DTB__SETTING_REPEAT) {
        /* the last one wins: keep one, in the position of the newest */
        dtb_status rs = dtb_experiment_remove(exp, name);
        if (rs)
            return rs;
    }
    return dtb__experiment_append(exp, name, value);
}

int64_t dtb_experiment_setting_count(const dtb_experiment *exp) { return exp ? (int64_t)exp->n : -1; }

const char *dtb_experiment_setting_name(const dtb_experiment *exp, int64_t index)
{
    return exp && index >= 0 && (size_t)index < exp->n ? exp->names[index] : NULL;
}

const char *dtb_experiment_setting_value(const dtb_experiment *exp, int64_t index)
{
    return exp && index >= 0 && (size_t)index < exp->n ? exp->values[index] : NULL;
}

const char *dtb_experiment_get(const dtb_experiment *exp, const char *name)
{
    if (!exp || !name)
        return NULL;
    for (size_t i = exp->n; i-- > 0;)
        if (strcmp(exp->names[i], name) == 0)
            return exp->values[i];
    return NULL;
}

dtb_status dtb_experiment_clone(dtb_experiment **out, const dtb_experiment *exp)
{
    if (!out || !exp)
        return dtb__error(DTB_EINVAL, "dtb_experiment_clone: %s is NULL", out ? "exp" : "out");
    *out = NULL;
    dtb_experiment *c;
    dtb_status st = dtb_experiment_create(&c);
    for (size_t i = 0; !st && i < exp->n; i++)
        st = dtb__experiment_append(c, exp->names[i], exp->values[i]);
    if (st) {
        dtb_experiment_free(c);
        return st;
    }
    *out = c;
    return DTB_OK;
}
