/* libdtb — the connection statements of Structure blocks: With,
 * EventConnection (with receivers attached to the target and Assigns),
 * Tunnel (pairs of components that see each other as InstanceRequirement
 * peers) and ForEach. They run once the whole tree exists, because they
 * name instances anywhere in it; the instances they create run theirs in
 * turn.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

#define MAX_ALIASES 16

typedef struct env {
    const char *name[MAX_ALIASES];
    lr_inst *inst[MAX_ALIASES];
    size_t n;
} env;

static const char *attr(const dtb__lems_elem *e, const char *name)
{
    for (size_t i = 0; i < e->n_attrs; i++)
        if (strcmp(e->attrs[i].name, name) == 0)
            return e->attrs[i].value;
    return NULL;
}

static lr_inst *alias(const env *v, const char *name)
{
    for (size_t i = v->n; i-- > 0;)
        if (strcmp(v->name[i], name) == 0)
            return v->inst[i];
    return NULL;
}

static dtb_status bind(lr_inst *li, env *v, const char *name, lr_inst *inst)
{
    if (v->n == MAX_ALIASES)
        return dtb__lr_inst_error(li, DTB_EUNSUPPORTED, "too many With/ForEach names");
    v->name[v->n] = name;
    v->inst[v->n] = inst;
    v->n++;
    return DTB_OK;
}

static dtb_status one_instance(lr_inst *from, const char *path, lr_inst **out)
{
    lr_inst **found;
    size_t n;
    dtb_status st = dtb__lr_resolve_instances(from, path, 0, &found, &n);
    if (st)
        return st;
    *out = n ? found[0] : NULL;
    free(found);
    if (!*out)
        return dtb__lr_inst_error(from, DTB_ENOTFOUND, "no instance at '%s'", path);
    return DTB_OK;
}

/* With instance="X": "this", "parent", a Path of li (its value, read from
 * li's parent), or a path from li. */
static dtb_status with_instance(lr_inst *li, const char *x, lr_inst **out)
{
    if (strcmp(x, "this") == 0) {
        *out = li;
        return DTB_OK;
    }
    if (strcmp(x, "parent") == 0) {
        *out = li->parent;
        return li->parent ? DTB_OK : dtb__lr_inst_error(li, DTB_ENOTFOUND, "the root has no parent");
    }
    const dtb__lems_comptype *t = li->type;
    if (dtb__lems_find_decl(t->paths, t->n_paths, x) >= 0 || dtb__lems_find_decl(t->links, t->n_links, x) >= 0) {
        const char *value = dtb__lr_text(li, x);
        if (!value)
            return dtb__lr_inst_error(li, DTB_ENOTFOUND, "the Path '%s' is not set", x);
        return dtb__lr_path_value(li, value, out);
    }
    return one_instance(li, x, out);
}

/* With list="L" index="I": L is a ComponentRequirement satisfied by the
 * ComponentReference of that name of an enclosing instance (a population
 * id, looked up beside that instance); I an IndexParameter of li. */
static dtb_status with_list(lr_inst *li, const char *list, const char *index_name, lr_inst **out)
{
    const lr_inst *holder = li->parent;
    while (holder && dtb__lems_find_decl(holder->type->comp_refs, holder->type->n_comp_refs, list) < 0)
        holder = holder->parent;
    const char *id = holder ? dtb__lr_text(holder, list) : NULL;
    if (!id)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "no enclosing component gives '%s'", list);
    lr_inst *pop;
    dtb_status st = one_instance(holder->parent ? holder->parent : (lr_inst *)holder, id, &pop);
    if (st)
        return st;
    const char *index_text = dtb__lr_text(li, index_name);
    int64_t idx;
    if (!index_text || !dtb__parse_int64(index_text, &idx) || idx < 0)
        return dtb__lr_inst_error(li, DTB_EPARSE, "index '%s' is not set to an integer", index_name);
    for (size_t i = 0; i < pop->n_kids; i++)
        if (pop->kids[i]->index == idx) {
            *out = pop->kids[i];
            return DTB_OK;
        }
    if ((size_t)idx < pop->n_kids) {
        *out = pop->kids[idx];
        return DTB_OK;
    }
    return dtb__lr_inst_error(li, DTB_ENOTFOUND, "'%s' has no member %lld", id, (long long)idx);
}

static long port_index(const dtb__lems_comptype *t, const char *name, int in)
{
    for (size_t i = 0; i < t->n_event_ports; i++)
        if (t->event_ports[i].flag == in && (!name || strcmp(t->event_ports[i].name, name) == 0))
            return (long)i;
    return -1;
}

/* A port named by a Text of li (sourcePort="sourcePort"), or the type's
 * first port of that direction. */
static long pick_port(const lr_inst *li, const dtb__lems_elem *e, const char *attr_name,
                      const lr_inst *owner, int in)
{
    const char *text_name = attr(e, attr_name);
    const char *port = text_name ? dtb__lr_text(li, text_name) : NULL;
    return port_index(owner->type, port, in);
}

static dtb_status connect_ports(lr_inst *li, lr_inst *src, long sp, lr_inst *dst, long tp, double delay)
{
    if (sp < 0 || tp < 0)
        return DTB_OK;   /* nothing to send or nothing listening (inputs' "in" ports) */
    if (!(delay >= 0) || !isfinite(delay))
        return dtb__lr_inst_error(li, DTB_EINVAL, "delay %g is not a time >= 0", delay);
    if (src->n_conns == src->cap_conns) {
        size_t cap = src->cap_conns ? 2 * src->cap_conns : 4;
        lr_conn *c = dtb__realloc_array(src->conns, cap, sizeof *c);
        if (!c)
            return DTB_ENOMEM;
        src->conns = c;
        src->cap_conns = cap;
    }
    src->conns[src->n_conns++] = (lr_conn){(size_t)sp, dst, (size_t)tp, delay, 0};
    return DTB_OK;
}

/* Instantiate the component li's reference `ref` names as an attachment of
 * `target`, in the Attachments named by li's Text `container` when given. */
static dtb_status attach(dtb__lr_sim *sim, lr_inst *li, const char *ref, const char *container_text,
                         lr_inst *target, lr_inst **out)
{
    const dtb__lems_component *c;
    dtb_status st = dtb__lr_reference(sim, li, ref, &c, NULL);
    if (st)
        return st;
    const dtb__lems_comptype *ct = dtb__lems_resolved_type(sim->doc, c->type);
    const dtb__lems_comptype *tt = target->type;
    const char *container = container_text ? dtb__lr_text(li, container_text) : NULL;
    const dtb__lems_decl *slot = NULL;
    long k = container ? dtb__lems_find_decl(tt->attachments, tt->n_attachments, container) : -1;
    if (k >= 0)
        slot = &tt->attachments[k];
    for (size_t i = 0; !slot && i < tt->n_attachments; i++)
        if (dtb__lems_type_is(ct, tt->attachments[i].type))
            slot = &tt->attachments[i];
    if (!slot && tt->n_attachments)
        slot = &tt->attachments[0];
    if (!slot)
        return dtb__lr_inst_error(li, DTB_EPARSE, "'%s' (a '%s') declares no Attachments to hold a '%s'",
                                  target->name, tt->name, c->type);
    return dtb__lr_instantiate(sim, c, target, c->id ? c->id : c->tag, slot->name, out);
}

typedef struct assign_scope {
    const lr_inst *li;
} assign_scope;

static int lookup_param(const char *name, double *value, void *ud)
{
    const lr_inst *li = ((const assign_scope *)ud)->li;
    const dtb__lems_comptype *t = li->type;
    long k = dtb__lems_find_quantity(t->params, t->n_params, name);
    if (k >= 0) {
        *value = li->params[k];
        return 1;
    }
    k = dtb__lems_find_quantity(t->properties, t->n_properties, name);
    if (k >= 0) {
        *value = li->props[k];
        return 1;
    }
    for (size_t i = 0; i < t->n_constants; i++)
        if (strcmp(t->constants[i].name, name) == 0) {
            *value = t->constants[i].value;
            return 1;
        }
    return 0;
}

/* <Assign property="weight" value="weight"/>: set on each receiver that
 * has the property. */
static dtb_status run_assigns(lr_inst *li, const dtb__lems_elem *e, lr_inst **receivers, size_t n)
{
    for (size_t a = 0; a < e->n_children; a++) {
        const dtb__lems_elem *as = &e->children[a];
        if (strcmp(as->kind, "Assign") != 0)
            continue;
        const char *property = attr(as, "property");
        assign_scope scope = {li};
        double v;
        dtb_status st = dtb__expr_eval_scalar(as->value, lookup_param, &scope, &v);
        if (st)
            return dtb__lr_inst_error(li, st, "Assign %s: %s", property, dtb_last_error_message());
        for (size_t r = 0; r < n; r++) {
            const dtb__lems_comptype *rt = receivers[r]->type;
            long k = dtb__lems_find_quantity(rt->properties, rt->n_properties, property);
            if (k >= 0)
                receivers[r]->props[k] = v;
        }
    }
    return DTB_OK;
}

static dtb_status event_connection(dtb__lr_sim *sim, lr_inst *li, const dtb__lems_elem *e, const env *v)
{
    lr_inst *src = alias(v, attr(e, "from")), *dst = alias(v, attr(e, "to"));
    if (!src || !dst)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "EventConnection from '%s' to '%s': unknown name",
                                  attr(e, "from"), attr(e, "to"));
    double delay = 0;
    const char *delay_param = attr(e, "delay");
    if (delay_param) {
        long k = dtb__lems_find_quantity(li->type->params, li->type->n_params, delay_param);
        delay = k >= 0 ? li->params[k] : NAN;
    }
    lr_inst *receiver = dst;
    const char *ref = attr(e, "receiver");
    dtb_status st = DTB_OK;
    if (ref && (st = attach(sim, li, ref, attr(e, "receiverContainer"), dst, &receiver)))
        return st;
    if ((st = run_assigns(li, e, &receiver, 1)))
        return st;
    long sp = pick_port(li, e, "sourcePort", src, 0);
    long tp = pick_port(li, e, "targetPort", receiver, 1);
    return connect_ports(li, src, sp, receiver, tp, delay);
}

static dtb_status tunnel(dtb__lr_sim *sim, lr_inst *li, const dtb__lems_elem *e, const env *v)
{
    lr_inst *a = alias(v, attr(e, "endA")), *b = alias(v, attr(e, "endB"));
    if (!a || !b)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "Tunnel ends '%s' and '%s': unknown name",
                                  attr(e, "endA"), attr(e, "endB"));
    const char *name = attr(e, "name");
    lr_inst *made[2];
    dtb_status st = attach(sim, li, attr(e, "componentA"), NULL, a, &made[0]);
    if (!st)
        st = attach(sim, li, attr(e, "componentB"), NULL, b, &made[1]);
    if (st)
        return st;
    for (int k = 0; k < 2; k++) {
        const dtb__lems_comptype *t = made[k]->type;
        long r = dtb__lems_find_decl(t->instance_reqs, t->n_instance_reqs, name);
        if (r >= 0)
            made[k]->peers[r] = made[1 - k];
    }
    return run_assigns(li, e, made, 2);
}

static dtb_status run_elems(dtb__lr_sim *sim, lr_inst *li, const dtb__lems_elem *elems, size_t n, env *v);

static dtb_status for_each(dtb__lr_sim *sim, lr_inst *li, const dtb__lems_elem *e, env *v)
{
    lr_inst **found;
    size_t n;
    dtb_status st = dtb__lr_resolve_instances(li, attr(e, "instances"), 1, &found, &n);
    if (st)
        return st;
    /* A population stands for its members. */
    lr_inst **items = found;
    size_t n_items = n;
    if (n == 1 && found[0]->n_kids && found[0]->kids[0]->index >= 0) {
        items = found[0]->kids;
        n_items = found[0]->n_kids;
    }
    size_t mark = v->n;
    for (size_t i = 0; !st && i < n_items; i++) {
        v->n = mark;
        st = bind(li, v, attr(e, "as"), items[i]);
        if (!st)
            st = run_elems(sim, li, e->children, e->n_children, v);
    }
    v->n = mark;
    free(found);
    return st;
}

static dtb_status run_elems(dtb__lr_sim *sim, lr_inst *li, const dtb__lems_elem *elems, size_t n, env *v)
{
    for (size_t i = 0; i < n; i++) {
        const dtb__lems_elem *e = &elems[i];
        dtb_status st = DTB_OK;
        if (strcmp(e->kind, "With") == 0) {
            lr_inst *target = NULL;
            const char *inst = attr(e, "instance");
            st = inst ? with_instance(li, inst, &target) : with_list(li, attr(e, "list"), attr(e, "index"), &target);
            if (!st)
                st = bind(li, v, attr(e, "as"), target);
        } else if (strcmp(e->kind, "EventConnection") == 0) {
            st = event_connection(sim, li, e, v);
        } else if (strcmp(e->kind, "Tunnel") == 0) {
            st = tunnel(sim, li, e, v);
        } else if (strcmp(e->kind, "ForEach") == 0) {
            st = for_each(sim, li, e, v);
        }
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lr_connect_all(dtb__lr_sim *sim)
{
    /* sim->all grows while receivers are made: index, do not cache. */
    for (size_t i = 0; i < sim->n_all; i++) {
        lr_inst *li = sim->all[i];
        if (li->connected)
            continue;
        li->connected = 1;
        env v = {{0}, {0}, 0};
        dtb_status st = run_elems(sim, li, li->type->structure, li->type->n_structure, &v);
        if (st)
            return st;
    }
    return DTB_OK;
}
