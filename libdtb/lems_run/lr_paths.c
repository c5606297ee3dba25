/* libdtb — paths in the instance tree ("hhpop[0]/naChans/na/m/q",
 * "RS_pop/0/RS", "synapses[*]", "populations[ion='ca']", "../synapse") and
 * variables of instances.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A segment names, on the current instance, in this order: a child
 * instance of that name (a component id, a Child's name, a population
 * index); a ChildInstance made from the ComponentReference of that name;
 * the members of a Child/Children/Attachments of that name; the peer of an
 * InstanceRequirement; or a Path/Link whose value is itself a path, read
 * from the instance's parent (from the instance itself when it starts with
 * "./", as poissonFiringSynapse's spikeTarget="./synInput"). "name[...]" selects among the members of the
 * collection `name` (or of the instance `name`: a population's cells):
 * [i] by index, [*] all, [text='value'] those whose Text matches. */
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

typedef struct inst_list {
    lr_inst **v;
    size_t n, cap;
} inst_list;

static dtb_status push(inst_list *l, lr_inst *li)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        lr_inst **v = dtb__realloc_array(l->v, cap, sizeof *v);
        if (!v)
            return DTB_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = li;
    return DTB_OK;
}

static int type_var_kind(const dtb__lems_comptype *t, const char *name, lr_var *var, int allow_req)
{
    long k;
    if ((k = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, name)) >= 0)
        *var = (lr_var){LR_STATE, (size_t)k};
    else if ((k = dtb__lems_find_equation(t->derived_vars, t->n_derived_vars, name)) >= 0)
        *var = (lr_var){LR_DV, (size_t)k};
    else if ((k = dtb__lems_find_quantity(t->params, t->n_params, name)) >= 0)
        *var = (lr_var){LR_PARAM, (size_t)k};
    else if ((k = dtb__lems_find_equation(t->derived_params, t->n_derived_params, name)) >= 0)
        *var = (lr_var){LR_DPARAM, (size_t)k};
    else if ((k = dtb__lems_find_quantity(t->properties, t->n_properties, name)) >= 0)
        *var = (lr_var){LR_PROP, (size_t)k};
    else if (allow_req && (k = dtb__lems_find_quantity(t->requirements, t->n_requirements, name)) >= 0)
        *var = (lr_var){LR_REQ, (size_t)k};
    else {
        for (size_t i = 0; i < t->n_constants; i++)
            if (strcmp(t->constants[i].name, name) == 0) {
                *var = (lr_var){LR_CONST, i};
                return 1;
            }
        /* An exposure may carry another name than its variable. */
        for (size_t i = 0; i < t->n_state_vars; i++)
            if (dtb__streq(t->state_vars[i].exposure, name)) {
                *var = (lr_var){LR_STATE, i};
                return 1;
            }
        for (size_t i = 0; i < t->n_derived_vars; i++)
            if (dtb__streq(t->derived_vars[i].exposure, name)) {
                *var = (lr_var){LR_DV, i};
                return 1;
            }
        return 0;
    }
    return 1;
}

int dtb__lr_type_var(const dtb__lems_comptype *t, const char *name, lr_var *var)
{
    return type_var_kind(t, name, var, 1);
}

int dtb__lr_find_var(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var)
{
    if (type_var_kind(li->type, name, var, 1)) {
        *owner = li;
        return 1;
    }
    /* Scope rule: the nearest enclosing instance that has the variable
     * itself (a Requirement of the same name just passes it on). */
    for (const lr_inst *p = li->parent; p; p = p->parent)
        if (type_var_kind(p->type, name, var, 0)) {
            *owner = p;
            return 1;
        }
    return 0;
}

int dtb__lr_find_nearest(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var)
{
    for (const lr_inst *p = li->parent; p; p = p->parent)
        if (type_var_kind(p->type, name, var, 1)) {
            *owner = p;
            return 1;
        }
    return 0;
}

int dtb__lr_find_provider(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var)
{
    for (const lr_inst *p = li->parent; p; p = p->parent)
        if (type_var_kind(p->type, name, var, 0)) {
            *owner = p;
            return 1;
        }
    return 0;
}

double *dtb__lr_var_ptr(const dtb__lr_sim *sim, const lr_inst *li, lr_var var)
{
    const lr_group *g = &sim->groups[li->group];
    return g->arr[var.kind] + var.index * g->n + li->gi;
}

static dtb_status resolve(const lr_inst *from, const char *path, int many, int depth, inst_list *out);

/* The instance(s) named `name` (no brackets) on li. */
static dtb_status named(const lr_inst *li, const char *name, int many, int depth, inst_list *out)
{
    for (size_t i = 0; i < li->n_kids; i++)
        if (strcmp(li->kids[i]->name, name) == 0 && !li->kids[i]->slot)
            return push(out, li->kids[i]);
    for (size_t i = 0; i < li->n_kids; i++)
        if (strcmp(li->kids[i]->name, name) == 0 || dtb__streq(li->kids[i]->ref_name, name))
            return push(out, li->kids[i]);
    size_t before = out->n;
    for (size_t i = 0; i < li->n_kids; i++)
        if (dtb__streq(li->kids[i]->slot, name)) {
            dtb_status st = push(out, li->kids[i]);
            if (st)
                return st;
        }
    if (out->n > before)
        return DTB_OK;
    const dtb__lems_comptype *t = li->type;
    long k = dtb__lems_find_decl(t->instance_reqs, t->n_instance_reqs, name);
    if (k >= 0 && li->peers[k])
        return push(out, li->peers[k]);
    if (dtb__lems_find_decl(t->paths, t->n_paths, name) >= 0 ||
        dtb__lems_find_decl(t->links, t->n_links, name) >= 0) {
        const char *value = dtb__lr_text(li, name);
        if (value && strncmp(value, "./", 2) == 0)
            return resolve(li, value + 2, many, depth + 1, out);
        if (value && li->parent)
            return resolve(li->parent, value, many, depth + 1, out);
    }
    return DTB_OK;
}

/* The members of collection `name` of li: a Child/Children/Attachments, or
 * the kids of the instance of that name (a population). */
static dtb_status members(const lr_inst *li, const char *name, int depth, inst_list *out)
{
    size_t before = out->n;
    for (size_t i = 0; i < li->n_kids; i++)
        if (dtb__streq(li->kids[i]->slot, name)) {
            dtb_status st = push(out, li->kids[i]);
            if (st)
                return st;
        }
    if (out->n > before)
        return DTB_OK;
    inst_list owner = {0};
    dtb_status st = named(li, name, 0, depth, &owner);
    for (size_t j = 0; !st && j < owner.n; j++)
        for (size_t i = 0; !st && i < owner.v[j]->n_kids; i++)
            st = push(out, owner.v[j]->kids[i]);
    free(owner.v);
    return st;
}

/* Keep the members a bracket selects. */
static dtb_status select_members(const lr_inst *from, const char *bracket, inst_list *l)
{
    size_t len = strlen(bracket);
    if (strcmp(bracket, "*") == 0)
        return DTB_OK;
    const char *eq = strchr(bracket, '=');
    if (eq) {
        /* text='value' or text="value" */
        char key[128], value[256];
        size_t kl = (size_t)(eq - bracket);
        const char *v = eq + 1;
        size_t vl = strlen(v);
        if (vl >= 2 && (v[0] == '\'' || v[0] == '"') && v[vl - 1] == v[0]) {
            v++;
            vl -= 2;
        }
        while (kl && bracket[kl - 1] == ' ')
            kl--;
        if (kl == 0 || kl >= sizeof key || vl >= sizeof value)
            return dtb__lr_inst_error(from, DTB_EPARSE, "cannot read the predicate [%s]", bracket);
        memcpy(key, bracket, kl);
        key[kl] = '\0';
        memcpy(value, v, vl);
        value[vl] = '\0';
        size_t kept = 0;
        for (size_t i = 0; i < l->n; i++)
            if (dtb__streq(dtb__lr_text(l->v[i], key), value))
                l->v[kept++] = l->v[i];
        l->n = kept;
        return DTB_OK;
    }
    int64_t idx;
    if (!dtb__parse_int64(bracket, &idx) || idx < 0 || len == 0)
        return dtb__lr_inst_error(from, DTB_EPARSE, "cannot read the selector [%s]", bracket);
    lr_inst *pick = NULL;
    for (size_t i = 0; i < l->n && !pick; i++)
        if (l->v[i]->index == idx)
            pick = l->v[i];
    if (!pick && (size_t)idx < l->n)
        pick = l->v[idx];    /* members without MultiInstantiate indices: by position */
    l->n = 0;
    if (pick)
        l->v[l->n++] = pick;
    return DTB_OK;
}

static dtb_status resolve(const lr_inst *from, const char *path, int many, int depth, inst_list *out)
{
    if (depth > 32)
        return dtb__lr_inst_error(from, DTB_EINVAL, "path '%s' refers to itself", path);
    inst_list cur = {0}, next = {0};
    dtb_status st = push(&cur, (lr_inst *)from);
    const char *p = path;
    while (!st && *p) {
        size_t len = strcspn(p, "/");
        char seg[256];
        if (len >= sizeof seg) {
            st = dtb__lr_inst_error(from, DTB_EPARSE, "path segment too long in '%s'", path);
            break;
        }
        memcpy(seg, p, len);
        seg[len] = '\0';
        p += len + (p[len] == '/');
        if (!len || strcmp(seg, ".") == 0)
            continue;
        next.n = 0;
        char *open = strchr(seg, '[');
        for (size_t i = 0; !st && i < cur.n; i++) {
            if (strcmp(seg, "..") == 0) {
                if (cur.v[i]->parent)
                    st = push(&next, cur.v[i]->parent);
                continue;
            }
            if (!open) {
                st = named(cur.v[i], seg, many, depth, &next);
                continue;
            }
            char *close = strrchr(seg, ']');
            if (!close || close < open || close[1]) {
                st = dtb__lr_inst_error(from, DTB_EPARSE, "unbalanced '[' in path '%s'", path);
                break;
            }
            *open = *close = '\0';
            inst_list m = {0};
            st = members(cur.v[i], seg, depth, &m);
            if (!st)
                st = select_members(from, open + 1, &m);
            for (size_t j = 0; !st && j < m.n; j++)
                st = push(&next, m.v[j]);
            free(m.v);
            *open = '[';
            *close = ']';
        }
        inst_list swap = cur;
        cur = next;
        next = swap;
        if (!st && !cur.n)
            break;
    }
    for (size_t i = 0; !st && i < cur.n; i++)
        st = push(out, cur.v[i]);
    free(cur.v);
    free(next.v);
    if (!st && !many && out->n > 1)
        st = dtb__lr_inst_error(from, DTB_EINVAL, "path '%s' names %zu instances where one is needed",
                                path, out->n);
    return st;
}

dtb_status dtb__lr_path_value(const lr_inst *li, const char *value, lr_inst **out)
{
    *out = NULL;
    if (strncmp(value, "./", 2) == 0) {
        inst_list l = {0};
        dtb_status st = resolve(li, value + 2, 0, 0, &l);
        *out = !st && l.n ? l.v[0] : NULL;
        free(l.v);
        if (st)
            return st;
    } else {
        for (const lr_inst *base = li->parent; base && !*out; base = base->parent) {
            inst_list l = {0};
            dtb_status st = resolve(base, value, 0, 0, &l);
            *out = !st && l.n ? l.v[0] : NULL;
            free(l.v);
            if (st)
                return st;
        }
    }
    if (!*out)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "no instance at '%s'", value);
    return DTB_OK;
}

dtb_status dtb__lr_resolve_instances(const lr_inst *from, const char *path, int many,
                                     lr_inst ***out, size_t *n_out)
{
    inst_list l = {0};
    dtb_status st = resolve(from, path, many, 0, &l);
    if (st) {
        free(l.v);
        return st;
    }
    *out = l.v;
    *n_out = l.n;
    return DTB_OK;
}

dtb_status dtb__lr_resolve_quantity(const dtb__lr_sim *sim, const lr_inst *from, const char *path,
                                    const double **src)
{
    const char *slash = strrchr(path, '/');
    const char *var_name = slash ? slash + 1 : path;
    const lr_inst *li = from;
    lr_inst **found = NULL;
    size_t n = 0;
    if (slash) {
        char *prefix = dtb__strndup(path, (size_t)(slash - path));
        if (!prefix)
            return DTB_ENOMEM;
        dtb_status st = dtb__lr_resolve_instances(from, prefix, 0, &found, &n);
        free(prefix);
        if (st)
            return st;
        li = n == 1 ? found[0] : NULL;
        free(found);
        if (!li)
            return dtb__lr_inst_error(from, DTB_ENOTFOUND, "quantity '%s': no instance at '%.*s'", path,
                                      (int)(slash - path), path);
    }
    const lr_inst *owner;
    lr_var var;
    if (!dtb__lr_find_var(li, var_name, &owner, &var))
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "quantity '%s': '%s' has no variable '%s'", path,
                                  li->type->name, var_name);
    *src = dtb__lr_var_ptr(sim, owner, var);
    return DTB_OK;
}
