/* libdtb — reading the <Structure> and <Simulation> blocks of a
 * ComponentType: small element trees whose meaning the LEMS engine gives
 * when it builds instances (libdtb/lems_run).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

/* Elements, the attributes each must have, and the nesting allowed. */
typedef struct elem_rule {
    const char *kind;
    const char *required[3];
    int structure;       /* 1: Structure, 0: Simulation */
    int may_nest;        /* ForEach: holds further structure elements */
    int may_assign;      /* EventConnection, Tunnel: hold <Assign> */
} elem_rule;

static const elem_rule rules[] = {
    {"ChildInstance", {"component", NULL}, 1, 0, 0},
    {"MultiInstantiate", {"component", "number", NULL}, 1, 0, 0},
    {"With", {"as", NULL}, 1, 0, 0},
    {"EventConnection", {"from", "to", NULL}, 1, 0, 1},
    {"Tunnel", {"name", "endA", "endB"}, 1, 0, 1},
    {"ForEach", {"instances", "as", NULL}, 1, 1, 0},
    {"Run", {"component", "increment", "total"}, 0, 0, 0},
    {"Record", {"quantity", NULL}, 0, 0, 0},
    {"DataDisplay", {NULL}, 0, 0, 0},
    {"DataWriter", {"fileName", NULL}, 0, 0, 0},
    {"EventRecord", {"quantity", NULL}, 0, 0, 0},
    {"EventWriter", {"fileName", NULL}, 0, 0, 0},
};

static const elem_rule *find_rule(xmlNodePtr node, int simulation)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].structure == !simulation && dtb__lems_is(node, rules[i].kind))
            return &rules[i];
    return NULL;
}

static dtb_status read_elem(const char *file, xmlNodePtr node, const elem_rule *rule,
                            dtb__lems_elem **arr, size_t *n);

static dtb_status read_assign(const char *file, xmlNodePtr node, dtb__lems_elem *parent)
{
    dtb__lems_elem *a = dtb__lems_push(&parent->children, &parent->n_children, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    a->kind = "Assign";
    a->at = dtb__lems_where_of(file, node);
    dtb_status st = dtb__lems_read_attrs(node, NULL, &a->attrs, &a->n_attrs);
    if (st)
        return st;
    int oom = 0;
    char *property = dtb__lems_get_attr(node, "property", &oom);
    char *value = dtb__lems_get_attr(node, "value", &oom);
    st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !property)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'property'");
    if (!st)
        st = dtb__lems_parse_expr(value, file, node, "value", &a->value);
    free(property);
    free(value);
    return st;
}

static dtb_status read_elem(const char *file, xmlNodePtr node, const elem_rule *rule,
                            dtb__lems_elem **arr, size_t *n)
{
    dtb__lems_elem *e = dtb__lems_push(arr, n, sizeof *e);
    if (!e)
        return DTB_ENOMEM;
    e->kind = rule->kind;
    e->at = dtb__lems_where_of(file, node);
    dtb_status st = dtb__lems_read_attrs(node, NULL, &e->attrs, &e->n_attrs);
    for (int i = 0; !st && i < 3 && rule->required[i]; i++)
        if (!xmlHasProp(node, (const xmlChar *)rule->required[i]))
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a '%s' attribute", rule->required[i]);
    if (!st && dtb__lems_is(node, "With") && !xmlHasProp(node, (const xmlChar *)"instance") &&
        !(xmlHasProp(node, (const xmlChar *)"list") && xmlHasProp(node, (const xmlChar *)"index")))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'instance', or 'list' and 'index'");
    for (xmlNodePtr c = node->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const elem_rule *inner = rule->may_nest ? find_rule(c, 0) : NULL;
        if (inner)
            st = read_elem(file, c, inner, &e->children, &e->n_children);
        else if (rule->may_assign && dtb__lems_is(c, "Assign"))
            st = read_assign(file, c, e);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "not allowed in <%s>", rule->kind);
    }
    return st;
}

dtb_status dtb__lems_read_block(const char *file, xmlNodePtr node, int simulation,
                                dtb__lems_elem **elems, size_t *n)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const elem_rule *rule = find_rule(c, simulation);
        if (!rule)
            return dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <%s>",
                                      simulation ? "Simulation" : "Structure");
        dtb_status st = read_elem(file, c, rule, elems, n);
        if (st)
            return st;
    }
    return DTB_OK;
}
