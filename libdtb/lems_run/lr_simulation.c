/* libdtb — what a LEMS Simulation asks for: the component to run, the step
 * and length (the Run element of the Simulation type's own Simulation
 * block), the seed, and what to record (DataDisplay and DataWriter
 * components with their Record descendants). Read through the Simulation
 * blocks, not by type names, so NeuroML's Simulation.xml and pylems'
 * SingleSimulation.xml both work.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

static const char *elem_attr(const dtb__lems_elem *e, const char *name)
{
    for (size_t i = 0; i < e->n_attrs; i++)
        if (strcmp(e->attrs[i].name, name) == 0)
            return e->attrs[i].value;
    return NULL;
}

static const dtb__lems_elem *find_elem(const dtb__lems_comptype *t, const char *kind)
{
    for (size_t i = 0; t && i < t->n_simulation; i++)
        if (strcmp(t->simulation[i].kind, kind) == 0)
            return &t->simulation[i];
    return NULL;
}

static dtb_status sim_error(const dtb__lems_component *c, dtb_status code, const char *msg)
{
    return dtb__error(code, "%s:%d: <%s id='%s'>: %s", c->at.file ? c->at.file : "<memory>", c->at.line,
                      c->tag, c->id ? c->id : "?", msg);
}

/* A parameter of component c named by the Simulation element's attribute. */
static dtb_status param_value(const dtb__lr_sim *sim, const dtb__lems_component *c,
                              const dtb__lems_comptype *t, const char *name, double *out)
{
    long k = name ? dtb__lems_find_quantity(t->params, t->n_params, name) : -1;
    const char *text = name ? dtb__lems_component_attr(c, name) : NULL;
    if (k < 0 || !text)
        return dtb__error(DTB_EPARSE, "%s:%d: <%s id='%s'>: '%s' is not set", c->at.file, c->at.line,
                          c->tag, c->id ? c->id : "?", name ? name : "?");
    dtb_status st = dtb__lems_quantity_to_si(sim->doc, text, t->params[k].dim, 0, 0, name, out);
    return st ? dtb__error_context(st, "%s:%d: <%s>", c->at.file, c->at.line, c->tag) : DTB_OK;
}

static dtb_status add_output(dtb__lr_sim *sim, const char *name, int is_display);

/* EventSelection descendants of an EventOutputFile. */
static dtb_status collect_selections(dtb__lr_sim *sim, const dtb__lems_component *c, int depth)
{
    const dtb__lems_comptype *t = dtb__lems_resolved_type(sim->doc, c->type);
    const dtb__lems_elem *rec = find_elem(t, "EventRecord");
    if (rec) {
        const char *path = dtb__lems_component_attr(c, elem_attr(rec, "quantity"));
        const char *port_text = elem_attr(rec, "eventPort");
        if (!path)
            return sim_error(c, DTB_EPARSE, "selects no component");
        lr_selection *s = dtb__realloc_array(sim->selections, sim->n_selections + 1, sizeof *s);
        if (!s)
            return DTB_ENOMEM;
        sim->selections = s;
        s[sim->n_selections++] = (lr_selection){path, port_text ? dtb__lems_component_attr(c, port_text) : NULL,
                                                c->id ? c->id : c->tag, sim->n_outputs - 1};
    }
    for (size_t i = 0; i < c->n_children && depth < 32; i++) {
        dtb_status st = collect_selections(sim, &c->children[i], depth + 1);
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status add_output(dtb__lr_sim *sim, const char *name, int is_display)
{
    dtb__lr_output *o = dtb__realloc_array(sim->outputs, sim->n_outputs + 1, sizeof *o);
    if (!o)
        return DTB_ENOMEM;
    sim->outputs = o;
    o = &sim->outputs[sim->n_outputs++];
    memset(o, 0, sizeof *o);
    o->name = dtb__strdup(name);
    o->is_display = is_display;
    o->first_column = sim->n_columns;
    return o->name ? DTB_OK : DTB_ENOMEM;
}

static dtb_status add_column_path(dtb__lr_sim *sim, const char *path)
{
    lr_column *c = dtb__realloc_array(sim->columns, sim->n_columns + 1, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    sim->columns = c;
    c[sim->n_columns].src = NULL;
    c[sim->n_columns].path = dtb__strdup(path);
    if (!c[sim->n_columns].path)
        return DTB_ENOMEM;
    sim->n_columns++;
    return DTB_OK;
}

/* Record descendants of c, in document order, as columns. */
static dtb_status collect_records(dtb__lr_sim *sim, const dtb__lems_component *c, int depth)
{
    if (depth > 32)
        return DTB_OK;
    const dtb__lems_comptype *t = dtb__lems_resolved_type(sim->doc, c->type);
    const dtb__lems_elem *rec = find_elem(t, "Record");
    if (rec) {
        const char *path = dtb__lems_component_attr(c, elem_attr(rec, "quantity"));
        if (!path)
            return sim_error(c, DTB_EPARSE, "records no quantity");
        dtb_status st = add_column_path(sim, path);
        if (st)
            return st;
        sim->outputs[sim->n_outputs - 1].n_columns++;
    }
    for (size_t i = 0; i < c->n_children; i++) {
        dtb_status st = collect_records(sim, &c->children[i], depth + 1);
        if (st)
            return st;
    }
    return DTB_OK;
}

static int display_name_taken(const dtb__lr_sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_outputs; i++)
        if (sim->outputs[i].is_display && !strcmp(sim->outputs[i].name, name))
            return 1;
    return 0;
}

static dtb_status collect_outputs(dtb__lr_sim *sim, const dtb__lems_component *c, int depth)
{
    for (size_t i = 0; i < c->n_children && depth < 32; i++) {
        const dtb__lems_component *k = &c->children[i];
        const dtb__lems_comptype *t = dtb__lems_resolved_type(sim->doc, k->type);
        const dtb__lems_elem *display = find_elem(t, "DataDisplay");
        const dtb__lems_elem *writer = find_elem(t, "DataWriter");
        const dtb__lems_elem *events = find_elem(t, "EventWriter");
        dtb_status st = DTB_OK;
        if (display) {
            /* A Display without an id (Ex4_KS has three) is named after its
             * element, numbered from the second on, so none overwrites
             * another: Display.dat, Display_2.dat, ... */
            char name[256];
            snprintf(name, sizeof name, "%s", k->id ? k->id : k->tag);
            for (int n = 2; !k->id && display_name_taken(sim, name); n++)
                snprintf(name, sizeof name, "%s_%d", k->tag, n);
            st = add_output(sim, name, 1);
            if (!st)
                st = collect_records(sim, k, 0);
        } else if (writer) {
            const char *file = dtb__lems_component_attr(k, elem_attr(writer, "fileName"));
            if (!file)
                return sim_error(k, DTB_EPARSE, "has no file name");
            st = add_output(sim, file, 0);
            if (!st)
                st = collect_records(sim, k, 0);
        } else if (events) {
            const char *file = dtb__lems_component_attr(k, elem_attr(events, "fileName"));
            const char *format_text = elem_attr(events, "format");
            const char *format = format_text ? dtb__lems_component_attr(k, format_text) : NULL;
            if (!file)
                return sim_error(k, DTB_EPARSE, "has no file name");
            if (format && strcmp(format, "TIME_ID") != 0 && strcmp(format, "ID_TIME") != 0)
                return sim_error(k, DTB_EPARSE, "format must be TIME_ID or ID_TIME");
            st = add_output(sim, file, 0);
            if (!st) {
                sim->outputs[sim->n_outputs - 1].is_events = 1;
                sim->outputs[sim->n_outputs - 1].id_first = format && !strcmp(format, "ID_TIME");
                st = collect_selections(sim, k, 0);
            }
        } else {
            st = collect_outputs(sim, k, depth + 1);
        }
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_read_simulation(dtb__lr_sim *sim, const dtb__lr_options *opts)
{
    const dtb__lems_doc *doc = sim->doc;
    const char *id = opts && opts->simulation ? opts->simulation : doc->target;
    if (!id)
        return dtb__error(DTB_ENOTFOUND, "%s: no <Target component=...> names the Simulation to run",
                          doc->n_files ? doc->files[0] : "<memory>");
    const dtb__lems_component *c = dtb__lems_find_any_component(doc, id);
    if (!c)
        return dtb__error(DTB_ENOTFOUND, "no Simulation component with id '%s'", id);
    const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, c->type);
    const dtb__lems_elem *run = find_elem(t, "Run");
    if (!run)
        return sim_error(c, DTB_EPARSE, "is not a Simulation (its type has no <Simulation><Run>)");
    sim->sim_comp = c;
    dtb_status st = param_value(sim, c, t, elem_attr(run, "increment"), &sim->dt);
    if (!st)
        st = param_value(sim, c, t, elem_attr(run, "total"), &sim->length);
    if (st)
        return st;
    if (!(sim->dt > 0) || !isfinite(sim->dt) || !(sim->length >= 0) || !isfinite(sim->length))
        return sim_error(c, DTB_EINVAL, "step must be > 0 and length >= 0");
    double steps = nearbyint(sim->length / sim->dt);
    if (steps > 1e12)
        return sim_error(c, DTB_EINVAL, "more than 10^12 steps");
    sim->n_steps = (int64_t)steps;
    uint64_t seed = 0;
    const char *seed_text = dtb__lems_component_attr(c, "seed");
    int64_t s;
    if (seed_text && dtb__parse_int64(seed_text, &s))
        seed = (uint64_t)s;
    if (opts && opts->has_seed)
        seed = opts->seed;
    dtb__rng_seed(&sim->rng, seed);
    const char *target_ref = elem_attr(run, "component");
    const char *target_id = target_ref ? dtb__lems_component_attr(c, target_ref) : NULL;
    const dtb__lems_component *target = target_id ? dtb__lems_find_any_component(doc, target_id) : NULL;
    if (!target)
        return sim_error(c, DTB_ENOTFOUND, "its target component is missing or unknown");
    if ((st = collect_outputs(sim, c, 0)))
        return st;
    lr_inst *root;
    return dtb__lr_instantiate(sim, target, NULL, target->id, NULL, &root) ? dtb_last_error_code()
                                                                           : (sim->root = root, DTB_OK);
}

/* Attach each EventSelection to its instance and port. */
dtb_status dtb__lr_resolve_selections(dtb__lr_sim *sim)
{
    for (size_t i = 0; i < sim->n_selections; i++) {
        const lr_selection *s = &sim->selections[i];
        lr_inst **found;
        size_t n;
        dtb_status st = dtb__lr_resolve_instances(sim->root, s->path, 0, &found, &n);
        if (st)
            return st;
        lr_inst *li = n ? found[0] : NULL;
        free(found);
        if (!li)
            return dtb__lr_inst_error(sim->root, DTB_ENOTFOUND, "EventSelection '%s': no instance at '%s'",
                                      s->id, s->path);
        long port = -1;
        for (size_t p = 0; p < li->type->n_event_ports && port < 0; p++)
            if (!li->type->event_ports[p].flag && (!s->port || !strcmp(li->type->event_ports[p].name, s->port)))
                port = (long)p;
        if (port < 0)
            return dtb__lr_inst_error(li, DTB_ENOTFOUND, "EventSelection '%s': no out port '%s'", s->id,
                                      s->port ? s->port : "(any)");
        lr_recorder *r = dtb__realloc_array(li->recorders, li->n_recorders + 1, sizeof *r);
        if (!r)
            return DTB_ENOMEM;
        li->recorders = r;
        r[li->n_recorders++] = (lr_recorder){(size_t)port, s->output, s->id};
    }
    return DTB_OK;
}
