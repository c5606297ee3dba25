/* libdtb — reading Component instances as trees.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A component is written <TypeName id=... attr=...>, <Component id=...
 * type=...>, or, nested in another component, <childName type=...> or
 * <childName ...> when the parent's type declares a Child/Children of that
 * name (its declared type is then used). Nested <notes> and <annotation>
 * are human or RDF metadata and are skipped. Types are resolved by the time
 * components are read (second pass), so nested elements can be matched
 * against the parent's declarations. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

dtb_status dtb__lems_read_attrs(xmlNodePtr node, const char *const *skip, dtb__lems_attr **attrs,
                                size_t *n)
{
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        const char *name = (const char *)a->name;
        int skipped = 0;
        for (size_t i = 0; skip && skip[i] && !skipped; i++)
            skipped = strcmp(skip[i], name) == 0 && !a->ns;
        if (skipped)
            continue;
        dtb__lems_attr *slot = dtb__lems_push(attrs, n, sizeof *slot);
        if (!slot)
            return DTB_ENOMEM;
        /* Namespaced attributes keep their prefix (xsi:type). */
        slot->name = a->ns && a->ns->prefix ? dtb__asprintf("%s:%s", (const char *)a->ns->prefix, name)
                                            : dtb__strdup(name);
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
        slot->value = dtb__strdup(v ? (const char *)v : "");
        xmlFree(v);
        if (!slot->name || !slot->value)
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

static int is_metadata(xmlNodePtr node)
{
    return dtb__lems_is(node, "notes") || dtb__lems_is(node, "annotation");
}

/* The type of a nested element of a component of resolved type `parent`
 * when neither the tag nor a 'type' attribute names one: the type of the
 * parent's Child or Children of that name. */
static dtb_status declared_child_type(const char *file, xmlNodePtr node,
                                      const dtb__lems_comptype *parent, char **type_out)
{
    const char *tag = (const char *)node->name;
    long k = dtb__lems_find_decl(parent->child, parent->n_child, tag);
    const dtb__lems_decl *d = k >= 0 ? &parent->child[k] : NULL;
    if (!d && (k = dtb__lems_find_decl(parent->children, parent->n_children, tag)) >= 0)
        d = &parent->children[k];
    if (!d)
        return dtb__lems_error_at(DTB_EPARSE, file, node,
                                  "unknown element (no ComponentType of that name, no 'type' "
                                  "attribute, and ComponentType '%s' declares no Child or Children "
                                  "of that name)", parent->name);
    *type_out = dtb__strdup(d->type);
    return *type_out ? DTB_OK : DTB_ENOMEM;
}

dtb_status dtb__lems_read_component(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                    const char *type_name, dtb__lems_component **arr, size_t *n)
{
    dtb__lems_component *c = dtb__lems_push(arr, n, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    int oom = 0;
    /* A 'type' attribute naming a ComponentType wins over the tag
     * (<population type="populationList">); otherwise it is an ordinary
     * attribute of the component. */
    char *type_attr = dtb__lems_get_attr(node, "type", &oom);
    int type_from_attr = type_attr && (!type_name || dtb__lems_find_type(r->doc, type_attr) ||
                                      !dtb__lems_find_type(r->doc, type_name));
    c->id = dtb__lems_get_attr(node, "id", &oom);
    c->tag = node->ns && node->ns->prefix
                 ? dtb__asprintf("%s:%s", (const char *)node->ns->prefix, (const char *)node->name)
                 : dtb__strdup((const char *)node->name);
    oom |= !c->tag;
    if (type_from_attr) {
        c->type = type_attr;
        type_attr = NULL;
    } else if (type_name) {
        c->type = dtb__strdup(type_name);
        oom |= !c->type;
    }
    free(type_attr);
    c->at = dtb__lems_where_of(file, node);
    c->at.element = c->tag;
    if (oom)
        return DTB_ENOMEM;
    if (!c->type)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "<Component> needs a 'type'");
    const dtb__lems_comptype *t = dtb__lems_resolved_type(r->doc, c->type);
    if (!t)
        return dtb__lems_error_at(DTB_ENOTFOUND, file, node, "unknown ComponentType '%s'", c->type);
    static const char *const skip_id_type[] = {"id", "type", NULL};
    static const char *const skip_id[] = {"id", NULL};
    dtb_status st = dtb__lems_read_attrs(node, type_from_attr ? skip_id_type : skip_id, &c->attrs,
                                         &c->n_attrs);
    for (xmlNodePtr k = node->children; !st && k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE || is_metadata(k))
            continue;
        char *child_type = NULL;
        const char *tag = (const char *)k->name;
        if (dtb__lems_is(k, "Component") || xmlHasProp(k, (const xmlChar *)"type") ||
            dtb__lems_find_type(r->doc, tag))
            st = dtb__lems_read_component(r, file, k, dtb__lems_is(k, "Component") ? NULL : tag,
                                          &c->children, &c->n_children);
        else if (!(st = declared_child_type(file, k, t, &child_type)))
            st = dtb__lems_read_component(r, file, k, child_type, &c->children, &c->n_children);
        free(child_type);
    }
    return st;
}
