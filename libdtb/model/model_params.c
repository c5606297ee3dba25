/* libdtb — model parameters: lookup, units, values.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

int64_t dtb__model_param_index(const dtb__model_core *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_params; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return (int64_t)i;
    return -1;
}

static int lookup_unit(const dtb__model_core *c, const char *symbol, dtb__unit *out)
{
    for (size_t i = 0; i < c->n_units; i++)
        if (strcmp(c->units[i].symbol, symbol) == 0) {
            *out = c->units[i].unit;
            return 1;
        }
    const dtb__unit *b = dtb__unit_builtin(symbol);
    if (b)
        *out = *b;
    return b != NULL;
}

dtb_status dtb__model_param_parse(const dtb__model_core *c, int64_t p, const char *text,
                                  double *out)
{
    const dtb__model_param *param = &c->params[p];
    double number;
    const char *unit_text;
    if (!text || !dtb__quantity_split(text, &number, &unit_text))
        return dtb__error(DTB_EPARSE, "parameter '%s': '%s' is not a number with an optional unit",
                          param->name, text ? text : "");
    char symbol[64];
    size_t n = strcspn(unit_text, " \t");
    if (n >= sizeof symbol || unit_text[n + strspn(unit_text + n, " \t")])
        return dtb__error(DTB_EPARSE, "parameter '%s': cannot read the unit of '%s'", param->name, text);
    memcpy(symbol, unit_text, n);
    symbol[n] = '\0';
    if (!isfinite(number))
        return dtb__error(DTB_EINVAL, "parameter '%s': value '%s' is not finite", param->name, text);
    if (!symbol[0]) {
        *out = number;      /* already in the parameter's own unit */
        return DTB_OK;
    }
    dtb__unit u;
    if (!lookup_unit(c, symbol, &u))
        return dtb__error(DTB_ENOTFOUND, "parameter '%s': unknown unit '%s'", param->name, symbol);
    if (!dtb__dim_eq(u.dim, param->dim)) {
        char want[64], got[64];
        dtb__dim_format(param->dim, want, sizeof want);
        dtb__dim_format(u.dim, got, sizeof got);
        return dtb__error(DTB_EPARSE, "parameter '%s': unit '%s' has dimension %s, the parameter %s",
                          param->name, symbol, got, want);
    }
    double si = number * u.scale + u.offset;
    *out = (si - param->unit_offset) / param->unit_scale;
    return DTB_OK;
}

int64_t dtb_model_param_count(const dtb_model *model)
{
    return model ? (int64_t)model->core->n_params : -1;
}

static const dtb__model_param *param_at(const dtb_model *model, int64_t index)
{
    if (!model || index < 0 || (size_t)index >= model->core->n_params)
        return NULL;
    return &model->core->params[index];
}

const char *dtb_model_param_name(const dtb_model *model, int64_t index)
{
    const dtb__model_param *p = param_at(model, index);
    return p ? p->name : NULL;
}

const char *dtb_model_param_unit(const dtb_model *model, int64_t index)
{
    const dtb__model_param *p = param_at(model, index);
    return p ? p->unit : NULL;
}

const char *dtb_model_param_description(const dtb_model *model, int64_t index)
{
    const dtb__model_param *p = param_at(model, index);
    return p ? p->description : NULL;
}

static dtb_status find_param(const dtb_model *model, const char *name, const char *fn, int64_t *k)
{
    if (!model || !name)
        return dtb__error(DTB_EINVAL, "%s: NULL argument", fn);
    *k = dtb__model_param_index(model->core, name);
    if (*k < 0)
        return dtb__error(DTB_ENOTFOUND, "model '%s' has no parameter '%s'", model->core->name, name);
    return DTB_OK;
}

dtb_status dtb_model_find_param(const dtb_model *model, const char *name, int64_t *index_out)
{
    int64_t k = -1;
    if (!index_out)
        return dtb__error(DTB_EINVAL, "dtb_model_find_param: index_out is NULL");
    dtb_status st = find_param(model, name, "dtb_model_find_param", &k);
    if (!st)
        *index_out = k;
    return st;
}

dtb_status dtb_model_get_param(const dtb_model *model, const char *name, double *value_out)
{
    int64_t k = -1;
    if (!value_out)
        return dtb__error(DTB_EINVAL, "dtb_model_get_param: value_out is NULL");
    dtb_status st = find_param(model, name, "dtb_model_get_param", &k);
    if (!st)
        *value_out = model->values[k];
    return st;
}

dtb_status dtb_model_set_param(dtb_model *model, const char *name, double value)
{
    int64_t k = -1;
    dtb_status st = find_param(model, name, "dtb_model_set_param", &k);
    if (st)
        return st;
    if (!isfinite(value))
        return dtb__error(DTB_EINVAL, "parameter '%s': value %g is not finite", name, value);
    model->values[k] = value;
    return DTB_OK;
}

dtb_status dtb_model_set_param_string(dtb_model *model, const char *name, const char *value)
{
    int64_t k = -1;
    dtb_status st = find_param(model, name, "dtb_model_set_param_string", &k);
    if (st)
        return st;
    double v;
    st = dtb__model_param_parse(model->core, k, value, &v);
    if (!st)
        model->values[k] = v;
    return st;
}
