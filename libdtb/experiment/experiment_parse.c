/* libdtb — reading the values of experiment settings (experiment_parse.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_internal.h"
#include "base/base.h"
#include "base/units.h"
#include "base/values.h"
#include "experiment_parse.h"
#include "io/text_matrix.h"
#include "network/network.h"

/* --- pairs --- */

void dtb__pairs_free(dtb__pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        free(p->items[i].value);
    }
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

dtb_status dtb__parse_pairs(const char *setting, const char *text, dtb__pairs *out)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || eq + 1 == p + len) {
            dtb__pairs_free(out);
            return dtb__error(DTB_EINVAL, "%s: '%.*s' in '%s' is not NAME=VALUE", setting, (int)len,
                              p, text);
        }
        /* a name given twice would mean the last one silently wins */
        for (size_t i = 0; i < out->n; i++)
            if (strlen(out->items[i].name) == (size_t)(eq - p) &&
                !strncmp(out->items[i].name, p, (size_t)(eq - p))) {
                dtb_status st = dtb__error(DTB_EINVAL, "%s: '%s' is given twice in '%s'", setting,
                                           out->items[i].name, text);
                dtb__pairs_free(out);
                return st;
            }
        dtb__pair *items = dtb__realloc_array(out->items, out->n + 1, sizeof *items);
        if (!items) {
            dtb__pairs_free(out);
            return DTB_ENOMEM;
        }
        out->items = items;
        items[out->n].name = dtb__strndup(p, (size_t)(eq - p));
        items[out->n].value = dtb__strndup(eq + 1, (size_t)(p + len - eq - 1));
        out->n++;
        if (!items[out->n - 1].name || !items[out->n - 1].value) {
            dtb__pairs_free(out);
            return DTB_ENOMEM;
        }
        p += len;
        if (*p == ',') {
            p++;
            if (!*p) {
                dtb__pairs_free(out);
                return dtb__error(DTB_EINVAL, "%s: '%s' ends with a comma", setting, text);
            }
        }
    }
    if (!out->n)
        return dtb__error(DTB_EINVAL, "%s: empty value", setting);
    return DTB_OK;
}

/* --- normalize --- */

dtb_status dtb__parse_normalize(const char *setting, const char *text, dtb_weight_norm *out)
{
    static const struct { const char *name; dtb_weight_norm norm; } names[] = {
        {"none", DTB_WEIGHT_NORM_NONE}, {"max", DTB_WEIGHT_NORM_MAX},
        {"region", DTB_WEIGHT_NORM_REGION}, {"row-sum", DTB_WEIGHT_NORM_ROW_SUM},
        {"log1p", DTB_WEIGHT_NORM_LOG1P}};
    for (size_t i = 0; text && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].norm;
            return DTB_OK;
        }
    return dtb__error(DTB_EINVAL, "%s: unknown weight normalisation '%s' (none, max, region, "
                                  "row-sum, log1p)", setting, text ? text : "");
}

/* --- set --- */

void dtb__set_spec_free(dtb__set_spec *s)
{
    free(s->name);
    free(s->regions);
    free(s->file);
    free(s->value);
    memset(s, 0, sizeof *s);
}

dtb_status dtb__parse_set(const char *setting, const char *text, dtb__set_spec *out)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || !eq[1])
        return dtb__error(DTB_EINVAL, "%s: '%s' is not NAME=VALUE, NAME@REGIONS=VALUE or "
                                      "NAME=@FILE.csv", setting, text);
    const char *at = memchr(text, '@', (size_t)(eq - text));
    if (at && (at == text || at + 1 == eq))
        return dtb__error(DTB_EINVAL, "%s: '%s' needs a parameter name before '@' and regions "
                                      "after it (NAME@REGIONS=VALUE)", setting, text);
    if (at && eq[1] == '@')
        return dtb__error(DTB_EINVAL, "%s: '%s': a per-region table (=@FILE) gives every region "
                                      "its value; it cannot be limited to regions", setting, text);
    if (eq[1] == '@' && !eq[2])
        return dtb__error(DTB_EINVAL, "%s: '%s' names no file after '@'", setting, text);
    out->name = dtb__strndup(text, (size_t)((at ? at : eq) - text));
    if (at)
        out->regions = dtb__strndup(at + 1, (size_t)(eq - at - 1));
    if (eq[1] == '@')
        out->file = dtb__strdup(eq + 2);
    else
        out->value = dtb__strdup(eq + 1);
    if (!out->name || (at && !out->regions) || (!out->file && !out->value)) {
        dtb__set_spec_free(out);
        return DTB_ENOMEM;
    }
    /* the number's syntax here; its unit against the parameter's dimension
       when the model is known (dtb_model_set_param_string) */
    double x;
    const char *unit;
    if (out->value && (!dtb__quantity_split(out->value, &x, &unit) || !isfinite(x))) {
        dtb_status st = dtb__error(DTB_EINVAL, "%s: '%s' is not a number (with an optional unit, "
                                               "e.g. tau=10ms)", setting, out->value);
        dtb__set_spec_free(out);
        return st;
    }
    return DTB_OK;
}

/* --- integrator, noise kind, coupling --- */

dtb_status dtb__parse_integrator(const char *text, dtb_integrator *out)
{
    for (int k = 1; k <= DTB_INTEGRATOR_GSL_RK4IMP; k++) {
        const char *name = dtb_integrator_name((dtb_integrator)k);
        if (name && text && strcmp(name, text) == 0) {
            *out = (dtb_integrator)k;
            return DTB_OK;
        }
    }
    return dtb__error(DTB_EINVAL, "integrator: unknown scheme '%s' (euler, heun, rk4, gsl-rk2, "
                                  "gsl-rk4, gsl-rkf45, gsl-rkck, gsl-rk8pd, gsl-msadams, gsl-msbdf, "
                                  "gsl-bsimp, gsl-rk1imp, gsl-rk2imp, gsl-rk4imp)", text ? text : "");
}

dtb_status dtb__parse_noise_kind(const char *text, dtb_noise_kind *kind, double *tau)
{
    *tau = 0;
    if (!strcmp(text, "additive"))
        *kind = DTB_NOISE_ADDITIVE;
    else if (!strcmp(text, "sigma"))
        *kind = DTB_NOISE_SIGMA;
    else if (!strcmp(text, "multiplicative"))
        *kind = DTB_NOISE_MULTIPLICATIVE;
    else if (!strncmp(text, "coloured:tau=", 13) || !strncmp(text, "colored:tau=", 12)) {
        *kind = DTB_NOISE_COLOURED;
        if (!dtb__value_time(strchr(text, '=') + 1, tau) || !(*tau > 0))
            return dtb__error(DTB_EINVAL, "noise-kind: bad correlation time in '%s'", text);
    } else
        return dtb__error(DTB_EINVAL, "noise-kind: unknown kind '%s' (additive, sigma, "
                                      "multiplicative, coloured:tau=TIME)", text);
    return DTB_OK;
}

void dtb__coupling_spec_free(dtb__coupling_spec *c)
{
    free(c->file);
    dtb__pairs_free(&c->params);
    free(c->values);
    memset(c, 0, sizeof *c);
}

dtb_status dtb__parse_coupling(const char *text, dtb__coupling_spec *out)
{
    memset(out, 0, sizeof *out);
    const char *xml = strstr(text, ".xml");
    size_t len;
    if (xml && (xml[4] == '\0' || xml[4] == ':')) {
        len = (size_t)(xml + 4 - text);
        out->kind = DTB_COUPLING_EXPRESSION;
        out->file = dtb__strndup(text, len);
        if (!out->file)
            return DTB_ENOMEM;
    } else {
        len = strcspn(text, ":");
        char name[64];
        if (len >= sizeof name)
            return dtb__error(DTB_EINVAL, "coupling: unknown kind '%s'", text);
        memcpy(name, text, len);
        name[len] = '\0';
        out->kind = dtb__coupling_kind_from_name(name);
        if (!out->kind || out->kind == DTB_COUPLING_EXPRESSION)
            return dtb__error(DTB_EINVAL, "coupling: unknown kind '%s' (linear, scaling, difference, "
                                          "kuramoto, hyperbolic_tangent, sigmoidal, "
                                          "sigmoidal_jansen_rit, pre_sigmoidal, or FILE.xml)", name);
    }
    if (text[len] == ':') {
        dtb_status st = dtb__parse_pairs("coupling", text + len + 1, &out->params);
        if (!st && !(out->values = dtb__malloc_array(out->params.n + 1, sizeof *out->values)))
            st = DTB_ENOMEM;
        for (size_t i = 0; !st && i < out->params.n; i++) {
            if (!dtb__value_number(out->params.items[i].value, &out->values[i]))
                st = dtb__error(DTB_EINVAL, "coupling: %s='%s' is not a number",
                                out->params.items[i].name, out->params.items[i].value);
        }
        if (st) {
            dtb__coupling_spec_free(out);
            return st;
        }
    } else if (text[len]) {
        dtb__coupling_spec_free(out);
        return dtb__error(DTB_EINVAL, "coupling: cannot read '%s'", text);
    }
    return DTB_OK;
}

/* --- stimuli --- */

/* How a stimulus parameter is written: times (a bare number is ms),
 * frequencies (Hz) or plain numbers. */
static int stimulus_param_value(const char *shape, const char *name, const char *text, double *out)
{
    static const char *const times[] = {"onset", "width", "period", "gap", "duration", "tau"};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (!strcmp(name, times[i]))
            return dtb__value_time(text, out);
    if (!strcmp(shape, "gaussian") && (!strcmp(name, "mean") || !strcmp(name, "sigma")))
        return dtb__value_time(text, out);
    if (!strcmp(name, "frequency") || !strcmp(name, "rate"))
        return dtb__value_frequency(text, out);
    return dtb__value_number(text, out);
}

/* waveform / table from a file: columns (t, value) or (start, end,
 * amplitude), times in seconds; a header line is allowed. */
static dtb_status stimulus_from_file(dtb_stimulus *stim, const char *shape, const char *path)
{
    const size_t cols = strcmp(shape, "table") == 0 ? 3 : 2;
    dtb__matrix m = {0};
    char **header = NULL;
    size_t n_header = 0;
    dtb_status st = dtb__matrix_read_shaped(path, 0, 0, cols, NULL, &m, NULL, NULL);
    if (st == DTB_EPARSE) {
        dtb_clear_error();
        st = dtb__matrix_read_shaped(path, DTB__MATRIX_HEADER, 0, cols, NULL, &m, &header, &n_header);
        dtb__strings_free(header, n_header);
    }
    if (st)
        return dtb__error_context(st, "stimulus %s file", shape);
    double *c = dtb__malloc_array(m.rows * cols + 1, sizeof *c);
    if (!c) {
        dtb__matrix_free(&m);
        return DTB_ENOMEM;
    }
    for (size_t r = 0; r < m.rows; r++)
        for (size_t j = 0; j < cols; j++)
            c[j * m.rows + r] = m.data[r * cols + j];
    if (cols == 3)
        st = dtb_stimulus_add_table(stim, c, c + m.rows, c + 2 * m.rows, m.rows);
    else
        st = dtb_stimulus_add_waveform(stim, c, c + m.rows, m.rows);
    free(c);
    dtb__matrix_free(&m);
    return st ? dtb__error_context(st, "stimulus %s file %s", shape, path) : DTB_OK;
}

void dtb__stimulus_spec_free(dtb__stimulus_spec *s)
{
    dtb_stimulus_free(s->stim);
    free(s->regions);
    memset(s, 0, sizeof *s);
}

/* The segments after KIND:PARAMS: regions=, into=, seed=. */
static dtb_status stimulus_options(const char *text, const char *p, char **into, char **regions,
                                   int64_t *seed)
{
    int seeded = 0;
    while (*p == ':') {
        p++;
        size_t len = strcspn(p, ":");
        char **dst = NULL;
        if (!strncmp(p, "regions=", 8))
            dst = regions;
        else if (!strncmp(p, "into=", 5))
            dst = into;
        else if (!strncmp(p, "seed=", 5)) {
            if (seeded++)
                return dtb__error(DTB_EINVAL, "stimulus: seed= is given twice in '%s'", text);
            char buf[32];
            if (len - 5 >= sizeof buf || len == 5)
                return dtb__error(DTB_EINVAL, "stimulus: bad seed in '%s'", text);
            memcpy(buf, p + 5, len - 5);
            buf[len - 5] = '\0';
            if (!dtb__parse_int64(buf, seed) || *seed < 0)
                return dtb__error(DTB_EINVAL, "stimulus: seed '%s' is not a non-negative integer", buf);
            p += len;
            continue;
        } else
            return dtb__error(DTB_EINVAL, "stimulus: unknown option '%.*s' in '%s' (regions=LIST, "
                                          "into=NAME, seed=N)", (int)len, p, text);
        const char *v = strchr(p, '=') + 1;
        size_t vlen = (size_t)(p + len - v);
        if (!vlen)
            return dtb__error(DTB_EINVAL, "stimulus: empty '%.*s' in '%s'", (int)len, p, text);
        if (*dst)
            return dtb__error(DTB_EINVAL, "stimulus: %.*s is given twice in '%s'",
                              (int)(v - p), p, text);
        *dst = dtb__strndup(v, vlen);
        if (!*dst)
            return DTB_ENOMEM;
        p += len;
    }
    if (*p)
        return dtb__error(DTB_EINVAL, "stimulus: cannot read '%s'", text);
    if (!*into)
        return dtb__error(DTB_EINVAL, "stimulus: '%s' does not say what it enters (add :into=NAME, "
                                      "a state variable, parameter or input of the model)", text);
    return DTB_OK;
}

dtb_status dtb__parse_stimulus(const char *text, dtb__stimulus_spec *out)
{
    memset(out, 0, sizeof *out);
    size_t klen = strcspn(text, ":");
    char shape[32];
    if (!klen || klen >= sizeof shape)
        return dtb__error(DTB_EINVAL, "stimulus: no kind in '%s' (e.g. pulse:onset=100ms,"
                                      "width=50ms,amplitude=0.1:regions=A8m_L:into=I_ext)", text);
    memcpy(shape, text, klen);
    shape[klen] = '\0';
    const char *p = text + klen;
    char *params_text = NULL;
    /* the parameter list is the segment after the kind unless it is an option */
    if (*p == ':' && strncmp(p + 1, "regions=", 8) && strncmp(p + 1, "into=", 5) &&
        strncmp(p + 1, "seed=", 5)) {
        size_t len = strcspn(p + 1, ":");
        params_text = dtb__strndup(p + 1, len);
        if (!params_text)
            return DTB_ENOMEM;
        p += 1 + len;
    }
    char *into = NULL, *regions = NULL;
    int64_t seed = 0;
    dtb__pairs pairs = {0};
    dtb_status st = stimulus_options(text, p, &into, &regions, &seed);
    if (!st && params_text)
        st = dtb__parse_pairs("stimulus", params_text, &pairs);
    if (!st)
        st = dtb_stimulus_create(&out->stim, into);
    if (!st)
        st = dtb_stimulus_set_seed(out->stim, (uint64_t)seed);
    if (!st && (!strcmp(shape, "waveform") || !strcmp(shape, "table"))) {
        const char *file = NULL;
        for (size_t i = 0; i < pairs.n; i++) {
            if (!strcmp(pairs.items[i].name, "file"))
                file = pairs.items[i].value;
            else
                st = dtb__error(DTB_EINVAL, "stimulus: %s takes only file=PATH (got '%s')", shape,
                                pairs.items[i].name);
        }
        if (!st && !file)
            st = dtb__error(DTB_EINVAL, "stimulus: %s needs file=PATH", shape);
        if (!st)
            st = stimulus_from_file(out->stim, shape, file);
    } else if (!st) {
        const char **names = dtb__calloc(pairs.n + 1, sizeof *names);
        double *values = dtb__calloc(pairs.n + 1, sizeof *values);
        if (!names || !values)
            st = DTB_ENOMEM;
        for (size_t i = 0; !st && i < pairs.n; i++) {
            names[i] = pairs.items[i].name;
            if (!stimulus_param_value(shape, names[i], pairs.items[i].value, &values[i]))
                st = dtb__error(DTB_EINVAL, "stimulus: %s=%s is not a valid value in '%s'", names[i],
                                pairs.items[i].value, text);
        }
        if (!st)
            st = dtb_stimulus_add(out->stim, shape, names, values, pairs.n);
        if (st)
            st = dtb__error_context(st, "stimulus '%s'", text);
        free(names);
        free(values);
    }
    free(params_text);
    free(into);
    dtb__pairs_free(&pairs);
    if (st) {
        free(regions);
        dtb__stimulus_spec_free(out);
        return st;
    }
    out->regions = regions;
    return DTB_OK;
}

/* --- lesions --- */

void dtb__lesion_spec_free(dtb__lesion_spec *l)
{
    free(l->a);
    free(l->b);
    memset(l, 0, sizeof *l);
}

dtb_status dtb__parse_lesion(const char *text, dtb__lesion_spec *out)
{
    memset(out, 0, sizeof *out);
    static const char *const forms = "region=LIST, edge=LIST:LIST or scale=LIST:LIST:FACTOR, then "
                                     "optionally :at=TIME";
    int positional;
    const char *p;
    if (!strncmp(text, "region=", 7)) {
        out->kind = DTB__LESION_REGION;
        positional = 1;
        p = text + 7;
    } else if (!strncmp(text, "edge=", 5)) {
        out->kind = DTB__LESION_EDGE;
        positional = 2;
        p = text + 5;
    } else if (!strncmp(text, "scale=", 6)) {
        out->kind = DTB__LESION_SCALE;
        positional = 3;
        p = text + 6;
    } else
        return dtb__error(DTB_EINVAL, "lesion: cannot read '%s' (%s)", text, forms);
    char *parts[3] = {NULL, NULL, NULL};
    dtb_status st = DTB_OK;
    for (int i = 0; i < positional && !st; i++) {
        size_t len = strcspn(p, ":");
        if (!len || !strncmp(p, "at=", 3))
            st = dtb__error(DTB_EINVAL, "lesion: '%s' needs %d parts (%s)", text, positional, forms);
        else if (!(parts[i] = dtb__strndup(p, len)))
            st = DTB_ENOMEM;
        p += len;
        if (!st && i + 1 < positional) {
            if (*p != ':')
                st = dtb__error(DTB_EINVAL, "lesion: '%s' needs %d parts (%s)", text, positional, forms);
            else
                p++;
        }
    }
    if (!st && out->kind == DTB__LESION_SCALE &&
        (!dtb__value_number(parts[2], &out->factor) || out->factor < 0))
        st = dtb__error(DTB_EINVAL, "lesion: scale factor '%s' is not a number >= 0", parts[2]);
    if (!st && !strncmp(p, ":at=", 4)) {
        if (!dtb__value_time(p + 4, &out->at) || out->at < 0)
            st = dtb__error(DTB_EINVAL, "lesion: at='%s' is not a time >= 0", p + 4);
        p += strlen(p);
    }
    if (!st && *p)
        st = dtb__error(DTB_EINVAL, "lesion: cannot read '%s' (%s)", text, forms);
    free(parts[2]);
    if (st) {
        free(parts[0]);
        free(parts[1]);
        return st;
    }
    out->a = parts[0];
    out->b = parts[1];
    return DTB_OK;
}

/* --- spiking regions --- */

dtb_status dtb__parse_spiking(const char *text, dtb__spiking_spec *out)
{
    memset(out, 0, sizeof *out);
    dtb_spiking_region_options_init(&out->opts, DTB_SPIKING_REGION_OPTIONS_VERSION);
    size_t len = strcspn(text, ":");
    if (!len)
        return dtb__error(DTB_EINVAL, "spiking: '%s' names no region (REGIONS:model=lif,n=1000,...)",
                          text);
    if (!(out->regions = dtb__strndup(text, len)))
        return DTB_ENOMEM;
    dtb__pairs kv = {0};
    dtb_status st = text[len] ? dtb__parse_pairs("spiking", text + len + 1, &kv) : DTB_OK;
    for (size_t i = 0; !st && i < kv.n; i++) {
        const char *k = kv.items[i].name, *v = kv.items[i].value;
        double x = 0;
        int is_num = dtb__value_number(v, &x);
        dtb_spiking_region_options *o = &out->opts;
        if (!strcmp(k, "model")) {
            free(out->model);
            if (!(out->model = dtb__strdup(v)))
                st = DTB_ENOMEM;
        } else if (!strcmp(k, "cell")) {
            const char *hash = strrchr(v, '#');
            free(out->cell_path);
            free(out->cell_id);
            out->cell_path = out->cell_id = NULL;
            if (!hash || hash == v || !hash[1])
                st = dtb__error(DTB_EINVAL, "spiking: cell='%s' is not FILE.xml#ID (a component or "
                                            "ComponentType of a LEMS/NeuroML file)", v);
            else if (!(out->cell_path = dtb__strndup(v, (size_t)(hash - v))) ||
                     !(out->cell_id = dtb__strdup(hash + 1)))
                st = DTB_ENOMEM;
        } else if (!strcmp(k, "input")) {
            if (!strcmp(v, "current"))
                o->flags |= DTB_SPIKING_REGION_FLAG_CURRENT_INPUT;
            else if (!strcmp(v, "poisson"))
                o->flags &= ~DTB_SPIKING_REGION_FLAG_CURRENT_INPUT;
            else
                st = dtb__error(DTB_EINVAL, "spiking: input='%s' is neither poisson nor current", v);
        } else if (!strcmp(k, "tau")) {
            if (!dtb__value_time(v, &o->rate_tau) || !(o->rate_tau > 0))
                st = dtb__error(DTB_EINVAL, "spiking: tau='%s' is not a time > 0", v);
        } else if (!strcmp(k, "n") || !strcmp(k, "k_exc") || !strcmp(k, "k_inh")) {
            if (!is_num || x < 0 || x > 1e7 || x != floor(x))
                st = dtb__error(DTB_EINVAL, "spiking: %s='%s' is not a whole number", k, v);
            else if (!strcmp(k, "n"))
                o->n = (int64_t)x;
            else if (!strcmp(k, "k_exc"))
                o->k_exc = (int64_t)x;
            else
                o->k_inh = (int64_t)x;
        } else {
            static const char *const keys[] = {"exc", "w_exc", "w_inh", "bg", "gain", "weight", "half"};
            double *slots[] = {&o->exc_fraction, &o->w_exc, &o->w_inh, &o->background_hz,
                               &o->input_gain, &o->input_weight, &o->rate_half};
            size_t q = 0;
            while (q < sizeof keys / sizeof keys[0] && strcmp(keys[q], k))
                q++;
            if (q == sizeof keys / sizeof keys[0])
                st = dtb__error(DTB_EINVAL, "spiking: unknown key '%s' (known: model, cell, n, exc, k_exc, "
                                            "k_inh, w_exc, w_inh, bg, gain, weight, tau, half, input)", k);
            else if (!is_num || !isfinite(x))
                st = dtb__error(DTB_EINVAL, "spiking: %s='%s' is not a number", k, v);
            else
                *slots[q] = x;
        }
    }
    dtb__pairs_free(&kv);
    if (!st && out->model && out->cell_path)
        st = dtb__error(DTB_EINVAL, "spiking: give model (a built-in cell) or cell (FILE.xml#ID), "
                                    "not both");
    if (!st && out->model && dtb_spiking_cell_param_count(out->model) < 0) {
        /* the built-in cells, as the registry of their descriptors lists them */
        dtb__strbuf known = {0};
        for (int64_t i = 0; i < dtb_spiking_cell_model_count(); i++)
            dtb__strbuf_printf(&known, "%s%s", i ? ", " : "", dtb_spiking_cell_model_name(i));
        st = dtb__error(DTB_ENOTFOUND, "spiking: unknown cell model '%s' (built in: %s)", out->model,
                        known.data ? known.data : "");
        dtb__strbuf_free(&known);
    }
    if (st)
        dtb__spiking_spec_free(out);
    return st;
}

void dtb__spiking_spec_free(dtb__spiking_spec *s)
{
    free(s->regions);
    free(s->model);
    free(s->cell_path);
    free(s->cell_id);
    s->regions = s->model = s->cell_path = s->cell_id = NULL;
}

/* --- region lists --- */

dtb_status dtb__resolve_regions(const dtb_atlas *atlas, const char *setting, const char *list,
                                int64_t **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    const int64_t n = dtb_atlas_region_count(atlas);
    const char **labels = dtb__calloc((size_t)n + 1, sizeof *labels);
    unsigned char *hit = dtb__calloc((size_t)n + 1, 1);
    int64_t *idx = dtb__malloc_array((size_t)n + 1, sizeof *idx);
    dtb_status st = labels && hit && idx ? DTB_OK : DTB_ENOMEM;
    for (int64_t k = 0; !st && k < n; k++)
        labels[k] = dtb_atlas_region_label(atlas, k);
    if (!st)
        st = dtb__atlas_region_list(atlas, list, setting, hit);
    size_t m = 0;
    for (int64_t k = 0; !st && k < n; k++)
        if (hit[k])
            idx[m++] = k;   /* ascending, each once */
    free(labels);
    free(hit);
    if (st) {
        free(idx);
        return st;
    }
    *out = idx;
    *n_out = m;
    return DTB_OK;
}
