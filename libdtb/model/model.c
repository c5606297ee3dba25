/* libdtb — dtb_model: loading, built-ins, lifetime and introspection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "model.h"

/* ------------------------------------------------------------ lifetime */

static void free_equations(dtb__model_equation *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].what);
        dtb__expr_free(e[i].value);
    }
    free(e);
}

static void core_free(dtb__model_core *c)
{
    free(c->name);
    free(c->description);
    free(c->reference);
    free(c->source);
    for (size_t i = 0; i < c->n_params; i++) {
        free(c->params[i].name);
        free(c->params[i].unit);
        free(c->params[i].description);
    }
    free(c->params);
    for (size_t i = 0; i < c->n_constants; i++)
        free(c->constants[i].name);
    free(c->constants);
    free_equations(c->derived_params, c->n_derived_params);
    for (size_t i = 0; i < c->n_states; i++) {
        free(c->states[i].name);
        free(c->states[i].what);
        dtb__expr_free(c->states[i].derivative);
    }
    free(c->states);
    free_equations(c->derived_vars, c->n_derived_vars);
    for (size_t i = 0; i < c->n_couplings; i++)
        free(c->coupling_input[i]);
    free(c->coupling_input);
    free(c->coupling_state);
    for (size_t i = 0; i < c->n_default_coupling; i++)
        free(c->default_coupling_names[i]);
    free(c->default_coupling_names);
    free(c->default_coupling_values);
    free(c->voi);
    for (size_t i = 0; i < c->n_units; i++)
        free(c->units[i].symbol);
    free(c->units);
    for (size_t i = 0; i < c->n_exposures; i++)
        free(c->exposures[i]);
    free(c->exposures);
    free(c);
}

dtb__model_core *dtb__model_core_ref(dtb__model_core *c)
{
    if (c)
        dtb__ref_get(&c->ref);
    return c;
}

void dtb__model_core_unref(dtb__model_core *c)
{
    if (c && dtb__ref_put(&c->ref))
        core_free(c);
}

static dtb_status wrap_core(dtb__model_core *core, const double *values, dtb_model **out)
{
    dtb_model *m = dtb__calloc(1, sizeof *m);
    double *v = dtb__calloc(core->n_params ? core->n_params : 1, sizeof *v);
    if (!m || !v) {
        free(m);
        free(v);
        dtb__model_core_unref(core);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < core->n_params; i++)
        v[i] = values ? values[i] : core->params[i].default_value;
    m->core = core;
    m->values = v;
    *out = m;
    return DTB_OK;
}

void dtb_model_free(dtb_model *model)
{
    if (!model)
        return;
    dtb__model_core_unref(model->core);
    free(model->values);
    free(model);
}

dtb_status dtb_model_clone(dtb_model **out, const dtb_model *model)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_model_clone: out is NULL");
    *out = NULL;
    if (!model)
        return dtb__error(DTB_EINVAL, "dtb_model_clone: model is NULL");
    return wrap_core(dtb__model_core_ref(model->core), model->values, out);
}

/* ------------------------------------------------------------ loading */

dtb_status dtb_model_load_options_init(dtb_model_load_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_MODEL_LOAD_OPTIONS_VERSION,
                             "dtb_model_load_options");
}

static dtb_status check_load_options(const dtb_model_load_options *opts,
                                     dtb__lems_read_options *ro, const char **model_name)
{
    memset(ro, 0, sizeof *ro);
    *model_name = NULL;
    if (!opts)
        return DTB_OK;
    dtb_status st = dtb__check_version(opts->version, DTB_MODEL_LOAD_OPTIONS_VERSION,
                                       "dtb_model_load_options");
    if (st)
        return st;
    if (opts->flags)
        return dtb__error(DTB_EINVAL, "dtb_model_load_options: unknown flags 0x%x",
                          (unsigned)opts->flags);
    if (opts->n_include_dirs && !opts->include_dirs)
        return dtb__error(DTB_EINVAL, "dtb_model_load_options: include_dirs is NULL but "
                                      "n_include_dirs is %zu", opts->n_include_dirs);
    ro->include_dirs = opts->include_dirs;
    ro->n_include_dirs = opts->n_include_dirs;
    *model_name = opts->model_name;
    return DTB_OK;
}

static dtb_status finish_load(dtb__lems_doc *doc, const char *model_name, const char *source,
                              dtb_model **out)
{
    dtb__model_core *core = NULL;
    dtb_status st = dtb__model_core_from_doc(doc, model_name, source, &core);
    dtb__lems_doc_free(doc);
    return st ? st : wrap_core(core, NULL, out);
}

dtb_status dtb_model_load_file(dtb_model **out, const char *path,
                               const dtb_model_load_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_model_load_file: out is NULL");
    *out = NULL;
    dtb__lems_read_options ro;
    const char *model_name;
    dtb_status st = check_load_options(opts, &ro, &model_name);
    if (st)
        return st;
    dtb__lems_doc doc;
    st = dtb__lems_read_file(&doc, path, &ro);
    return st ? st : finish_load(&doc, model_name, path, out);
}

dtb_status dtb_model_load_string(dtb_model **out, const char *xml, size_t len,
                                 const char *source_name, const dtb_model_load_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_model_load_string: out is NULL");
    *out = NULL;
    dtb__lems_read_options ro;
    const char *model_name;
    dtb_status st = check_load_options(opts, &ro, &model_name);
    if (st)
        return st;
    dtb__lems_doc doc;
    st = dtb__lems_read_memory(&doc, xml, len, source_name, &ro);
    return st ? st : finish_load(&doc, model_name, source_name ? source_name : "<memory>", out);
}

int64_t dtb_model_builtin_count(void) { return (int64_t)dtb__n_builtin_models; }

const char *dtb_model_builtin_name(int64_t index)
{
    if (index < 0 || (size_t)index >= dtb__n_builtin_models)
        return NULL;
    return dtb__builtin_models[index].name;
}

dtb_status dtb_model_create_builtin(dtb_model **out, const char *name)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_model_create_builtin: out is NULL");
    *out = NULL;
    if (!name)
        return dtb__error(DTB_EINVAL, "dtb_model_create_builtin: name is NULL");
    for (size_t i = 0; i < dtb__n_builtin_models; i++) {
        const dtb__builtin_model *b = &dtb__builtin_models[i];
        if (strcmp(b->name, name) != 0)
            continue;
        char source[128];
        snprintf(source, sizeof source, "builtin:%s", b->name);
        dtb__lems_doc doc;
        dtb_status st = dtb__lems_read_memory(&doc, b->xml, b->len, source, NULL);
        return st ? st : finish_load(&doc, b->name, source, out);
    }
    dtb__strbuf known = {0};
    for (size_t i = 0; i < dtb__n_builtin_models; i++)
        dtb__strbuf_printf(&known, "%s%s", i ? ", " : "", dtb__builtin_models[i].name);
    dtb_status st = dtb__error(DTB_ENOTFOUND, "unknown model '%s' (built-in models: %s)", name,
                               known.data ? known.data : "");
    dtb__strbuf_free(&known);
    return st;
}

/* "FILE.xml#NAME": the file, and NAME as the model to use (a RegionModel,
 * ComponentType or Component), unless FILE.xml#NAME is itself a file. */
static dtb_status load_with_fragment(dtb_model **out, const char *name_or_path,
                                     const dtb_model_load_options *opts, int *handled)
{
    const char *hash = strrchr(name_or_path, '#');
    struct stat st;
    *handled = 0;
    if (!hash || stat(name_or_path, &st) == 0)
        return DTB_OK;
    *handled = 1;
    dtb_model_load_options o = DTB_MODEL_LOAD_OPTIONS_INIT;
    if (opts) {
        dtb_status s = dtb__check_version(opts->version, DTB_MODEL_LOAD_OPTIONS_VERSION,
                                          "dtb_model_load_options");
        if (s)
            return s;
        o = *opts;
    }
    if (o.model_name && strcmp(o.model_name, hash + 1) != 0)
        return dtb__error(DTB_EINVAL, "dtb_model_load: '%s' names model '%s' but the options name '%s'",
                          name_or_path, hash + 1, o.model_name);
    if (!hash[1])
        return dtb__error(DTB_EINVAL, "dtb_model_load: nothing after '#' in '%s'", name_or_path);
    char *path = dtb__strndup(name_or_path, (size_t)(hash - name_or_path));
    if (!path)
        return DTB_ENOMEM;
    o.model_name = hash + 1;
    dtb_status s = dtb_model_load_file(out, path, &o);
    free(path);
    return s;
}

dtb_status dtb_model_load(dtb_model **out, const char *name_or_path,
                          const dtb_model_load_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_model_load: out is NULL");
    *out = NULL;
    if (!name_or_path)
        return dtb__error(DTB_EINVAL, "dtb_model_load: name is NULL");
    int handled;
    dtb_status hs = load_with_fragment(out, name_or_path, opts, &handled);
    if (handled)
        return hs;
    for (size_t i = 0; i < dtb__n_builtin_models; i++)
        if (strcmp(dtb__builtin_models[i].name, name_or_path) == 0)
            return dtb_model_create_builtin(out, name_or_path);
    struct stat st;
    if (strchr(name_or_path, '/') || dtb__has_suffix(name_or_path, ".xml") ||
        stat(name_or_path, &st) == 0)
        return dtb_model_load_file(out, name_or_path, opts);
    return dtb_model_create_builtin(out, name_or_path);
}

/* ------------------------------------------------------- introspection */

#define CORE_OR(model, fallback) \
    do { \
        if (!(model)) \
            return fallback; \
    } while (0)

const char *dtb_model_name(const dtb_model *model)
{
    CORE_OR(model, NULL);
    return model->core->name;
}

const char *dtb_model_description(const dtb_model *model)
{
    CORE_OR(model, NULL);
    return model->core->description;
}

const char *dtb_model_reference(const dtb_model *model)
{
    CORE_OR(model, NULL);
    return model->core->reference;
}

double dtb_model_time_scale(const dtb_model *model)
{
    CORE_OR(model, NAN);
    return model->core->time_scale;
}

int64_t dtb_model_state_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_states;
}

const char *dtb_model_state_name(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_states)
        return NULL;
    return model->core->states[index].name;
}

int64_t dtb__model_state_index(const dtb__model_core *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_states; i++)
        if (strcmp(c->states[i].name, name) == 0)
            return (int64_t)i;
    return -1;
}

dtb_status dtb_model_find_state(const dtb_model *model, const char *name, int64_t *index_out)
{
    if (!model || !name || !index_out)
        return dtb__error(DTB_EINVAL, "dtb_model_find_state: NULL argument");
    int64_t k = dtb__model_state_index(model->core, name);
    if (k < 0)
        return dtb__error(DTB_ENOTFOUND, "model '%s' has no state variable '%s'", model->core->name,
                          name);
    *index_out = k;
    return DTB_OK;
}

static dtb_status state_pair(const dtb_model *model, int64_t index, int range, double *lo,
                             double *hi)
{
    if (!model || !lo || !hi)
        return dtb__error(DTB_EINVAL, "state bounds/range: NULL argument");
    if (index < 0 || (size_t)index >= model->core->n_states)
        return dtb__error(DTB_EINVAL, "model '%s' has no state variable %lld", model->core->name,
                          (long long)index);
    const dtb__model_state *s = &model->core->states[index];
    *lo = range ? s->range_lo : s->bound_lo;
    *hi = range ? s->range_hi : s->bound_hi;
    return DTB_OK;
}

dtb_status dtb_model_state_bounds(const dtb_model *model, int64_t index, double *lo_out,
                                  double *hi_out)
{
    return state_pair(model, index, 0, lo_out, hi_out);
}

dtb_status dtb_model_state_range(const dtb_model *model, int64_t index, double *lo_out,
                                 double *hi_out)
{
    return state_pair(model, index, 1, lo_out, hi_out);
}

int64_t dtb_model_coupling_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_couplings;
}

int64_t dtb_model_coupling_state(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_couplings)
        return -1;
    return model->core->coupling_state[index];
}

const char *dtb_model_coupling_input(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_couplings)
        return NULL;
    return model->core->coupling_input[index];
}

int32_t dtb_model_default_coupling(const dtb_model *model)
{
    return model ? model->core->default_coupling : -1;
}

int64_t dtb_model_default_coupling_param_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_default_coupling;
}

const char *dtb_model_default_coupling_param_name(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_default_coupling)
        return NULL;
    return model->core->default_coupling_names[index];
}

dtb_status dtb_model_get_default_coupling_param(const dtb_model *model, const char *name,
                                                double *value_out)
{
    if (!model || !name || !value_out)
        return dtb__error(DTB_EINVAL, "dtb_model_get_default_coupling_param: %s is NULL",
                          !model ? "model" : !name ? "name" : "value_out");
    const dtb__model_core *c = model->core;
    for (size_t i = 0; i < c->n_default_coupling; i++)
        if (strcmp(c->default_coupling_names[i], name) == 0) {
            *value_out = c->default_coupling_values[i];
            return DTB_OK;
        }
    return dtb__error(DTB_ENOTFOUND, "model '%s' states no default value for coupling parameter '%s'",
                      c->name, name);
}

int64_t dtb_model_voi_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_voi;
}

int64_t dtb__model_variable_index(const dtb__model_core *c, const char *name)
{
    int64_t k = dtb__model_state_index(c, name);
    if (k >= 0)
        return k;
    for (size_t d = 0; name && d < c->n_derived_vars; d++)
        if (strcmp(c->derived_vars[d].name, name) == 0)
            return (int64_t)(c->n_states + d);
    return -1;
}

const char *dtb__model_variable_name(const dtb__model_core *c, int64_t code)
{
    if (code < 0)
        return NULL;
    if ((size_t)code < c->n_states)
        return c->states[code].name;
    if ((size_t)code < c->n_states + c->n_derived_vars)
        return c->derived_vars[(size_t)code - c->n_states].name;
    return NULL;
}

int64_t dtb_model_voi_state(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_voi)
        return -1;
    int64_t code = model->core->voi[index];
    return (size_t)code < model->core->n_states ? code : -1;
}

const char *dtb_model_voi_name(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_voi)
        return NULL;
    return dtb__model_variable_name(model->core, model->core->voi[index]);
}

int64_t dtb_model_derived_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_derived_vars;
}

const char *dtb_model_derived_name(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_derived_vars)
        return NULL;
    return model->core->derived_vars[index].name;
}

int64_t dtb_model_exposure_count(const dtb_model *model)
{
    CORE_OR(model, -1);
    return (int64_t)model->core->n_exposures;
}

const char *dtb_model_exposure_name(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_exposures)
        return NULL;
    return model->core->exposures[index];
}
