/* libdtb — the report of a LEMS document (dtb_lems_document_describe,
 * printed by `dtb check`): its ComponentTypes with their declarations, and
 * its Simulations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "lems.h"

/* A dimension by the name the document gives it, else as base units. */
static void dim_text(const dtb__lems_doc *doc, dtb__dim d, int any, char *buf, size_t size)
{
    if (any) {
        snprintf(buf, size, "any");
        return;
    }
    for (size_t i = 0; i < doc->n_dims; i++)
        if (dtb__dim_eq(doc->dims[i].dim, d)) {
            snprintf(buf, size, "%s", doc->dims[i].name);
            return;
        }
    dtb__dim_format(d, buf, (unsigned)size);
}

static void quantities(dtb__strbuf *b, const dtb__lems_doc *doc, const char *title,
                       const dtb__lems_quantity *q, size_t n)
{
    if (!n)
        return;
    dtb__strbuf_printf(b, "    %s:", title);
    for (size_t i = 0; i < n; i++) {
        char d[64];
        dim_text(doc, q[i].dim, q[i].any_dimension, d, sizeof d);
        dtb__strbuf_printf(b, "%s %s (%s)", i ? "," : "", q[i].name, d);
    }
    dtb__strbuf_append(b, "\n");
}

static void type_text(dtb__strbuf *b, const dtb__lems_doc *doc, const dtb__lems_comptype *t)
{
    dtb__strbuf_printf(b, "  %s%s%s  [%s:%d]\n", t->name, t->extends ? " extends " : "",
                       t->extends ? t->extends : "", t->at.file, t->at.line);
    quantities(b, doc, "parameters", t->params, t->n_params);
    quantities(b, doc, "properties", t->properties, t->n_properties);
    quantities(b, doc, "state variables", t->state_vars, t->n_state_vars);
    if (t->n_derived_vars) {
        dtb__strbuf_append(b, "    derived variables:");
        for (size_t i = 0; i < t->n_derived_vars; i++)
            dtb__strbuf_printf(b, "%s %s%s", i ? "," : "", t->derived_vars[i].name,
                               t->derived_vars[i].select ? " (select)" : "");
        dtb__strbuf_append(b, "\n");
    }
    quantities(b, doc, "exposures", t->exposures, t->n_exposures);
    quantities(b, doc, "requirements", t->requirements, t->n_requirements);
    if (t->n_event_ports) {
        dtb__strbuf_append(b, "    event ports:");
        for (size_t i = 0; i < t->n_event_ports; i++)
            dtb__strbuf_printf(b, "%s %s (%s)", i ? "," : "", t->event_ports[i].name,
                               t->event_ports[i].flag ? "in" : "out");
        dtb__strbuf_append(b, "\n");
    }
    if (t->n_regimes) {
        dtb__strbuf_append(b, "    regimes:");
        for (size_t i = 0; i < t->n_regimes; i++)
            dtb__strbuf_printf(b, "%s %s%s", i ? "," : "", t->regimes[i].name,
                               t->regimes[i].initial ? " (initial)" : "");
        dtb__strbuf_append(b, "\n");
    }
    if (t->defect)
        dtb__strbuf_printf(b, "    WARNING: cannot run: %s\n", t->defect);
}

static int uses_type(const dtb__lems_component *c, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].type, type) == 0 || uses_type(c[i].children, c[i].n_children, type))
            return 1;
    return 0;
}

static int main_file_uses(const dtb__lems_doc *doc, const char *type)
{
    for (size_t i = 0; i < doc->n_components; i++) {
        const dtb__lems_component *c = &doc->components[i];
        if (c->at.file == doc->files[0] && uses_type(c, 1, type))
            return 1;
    }
    return 0;
}

void dtb__lems_describe(const dtb__lems_doc *doc, const char *path, int all, dtb__strbuf *b)
{
    dtb__strbuf_printf(b, "%s: valid (%zu file%s, %zu ComponentTypes, %zu top-level components)\n",
                       path, doc->n_files, doc->n_files == 1 ? "" : "s", doc->n_types,
                       doc->n_components);
    dtb__strbuf_printf(b, "ComponentTypes%s:\n", all ? "" : " declared or used by this file");
    size_t shown = 0, warnings = 0;
    for (size_t i = 0; i < doc->n_types; i++) {
        const dtb__lems_comptype *t = &doc->resolved[i];
        warnings += t->defect != NULL;
        if (all || t->at.file == doc->files[0] || main_file_uses(doc, t->name)) {
            type_text(b, doc, t);
            shown++;
        }
    }
    if (!shown)
        dtb__strbuf_append(b, "  (none)\n");
    for (size_t i = 0; i < doc->n_components; i++) {
        const dtb__lems_component *c = &doc->components[i];
        const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, c->type);
        for (size_t s = 0; t && s < t->n_simulation; s++)
            if (strcmp(t->simulation[s].kind, "Run") == 0)
                dtb__strbuf_printf(b, "Simulation %s%s\n", c->id ? c->id : "?",
                                   doc->target && c->id && !strcmp(doc->target, c->id)
                                       ? " (the Target)" : "");
    }
    if (warnings && !all)
        dtb__strbuf_printf(b, "%zu ComponentType(s) of included files cannot run (the full "
                                   "description lists them)\n",
                           warnings);
}
