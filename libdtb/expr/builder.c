/* libdtb — program builder: inputs, named intermediates and outputs, each
 * expression lowered into the shared value graph as it is added.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_error.h"
#include "expr_private.h"
#include "prog_private.h"

dtb__prog_builder *dtb__pb_new(void) { return dtb__calloc(1, sizeof(dtb__prog_builder)); }

void dtb__pb_free(dtb__prog_builder *pb)
{
    if (!pb)
        return;
    for (int i = 0; i < pb->n_names; i++)
        free(pb->names[i].name);
    free(pb->names);
    free(pb->nodes);
    free(pb->hash);
    free(pb->outputs);
    free(pb);
}

static const char *what_or_default(const char *what) { return what ? what : "expression"; }

/* Node of a declared input or define, -1 if the name is unknown. */
static int find_name(const dtb__prog_builder *pb, const char *name)
{
    for (int i = 0; i < pb->n_names; i++)
        if (strcmp(pb->names[i].name, name) == 0)
            return pb->names[i].node;
    return -1;
}

static dtb_status add_name(dtb__prog_builder *pb, const char *name, int node)
{
    if (pb->n_names == pb->cap_names) {
        int cap = pb->cap_names ? pb->cap_names * 2 : 16;
        dtb__pb_name *grown = dtb__realloc_array(pb->names, (size_t)cap, sizeof *grown);
        if (!grown)
            return DTB_ENOMEM;
        pb->names = grown;
        pb->cap_names = cap;
    }
    char *copy = dtb__strdup(name);
    if (!copy)
        return DTB_ENOMEM;
    pb->names[pb->n_names].name = copy;
    pb->names[pb->n_names].node = node;
    pb->n_names++;
    return DTB_OK;
}

static int add_input(dtb__prog_builder *pb, const char *name, int vector)
{
    if (!pb || !name) {
        dtb__error(DTB_EINVAL, "program input: NULL argument");
        return -1;
    }
    if (find_name(pb, name) >= 0) {
        dtb__error(DTB_EINVAL, "program input '%s': the name is already in use", name);
        return -1;
    }
    int slot = vector ? pb->n_vector_inputs : pb->n_scalar_inputs;
    dtb__ir_node input = {DTB__EX_SYM, DTB__FN_EXP, vector, -1, -1, -1, slot, 0.0};
    int node = dtb__ir_add(pb, &input);
    if (node < 0 || add_name(pb, name, node) != DTB_OK)
        return -1;  /* an unused input node is harmless */
    if (vector)
        pb->n_vector_inputs++;
    else
        pb->n_scalar_inputs++;
    return slot;
}

int dtb__pb_scalar_input(dtb__prog_builder *pb, const char *name) { return add_input(pb, name, 0); }

int dtb__pb_vector_input(dtb__prog_builder *pb, const char *name) { return add_input(pb, name, 1); }

typedef struct lowering {
    dtb__prog_builder *pb;
    const dtb__expr *root;
    const char *what;
} lowering;

/* Graph node for `e`, or -1 with the error set. Values added before a
 * failure stay in the graph unused; compile.c drops them. */
static int lower(lowering *lw, const dtb__expr *e)
{
    if (!e) {
        dtb__error(DTB_EINVAL, "%s: incomplete expression tree", what_or_default(lw->what));
        return -1;
    }
    dtb__ir_node n = {e->kind, e->func, 0, -1, -1, -1, -1, 0.0};
    switch (e->kind) {
    case DTB__EX_NUM:
        n.num = e->num;
        return dtb__ir_add(lw->pb, &n);
    case DTB__EX_SYM: {
        int node = e->name ? find_name(lw->pb, e->name) : -1;
        if (node < 0) {
            char *text = dtb__expr_to_text(lw->root);
            if (!text)
                return -1;
            dtb__error(DTB_ENOTFOUND, "%s: unknown symbol '%s' in '%s'", what_or_default(lw->what),
                       e->name ? e->name : "", text);
            free(text);
        }
        return node;
    }
    case DTB__EX_NEG:
    case DTB__EX_CALL:
        n.a = lower(lw, e->a);
        return n.a < 0 ? -1 : dtb__ir_add(lw->pb, &n);
    case DTB__EX_SELECT:
        if ((n.c = lower(lw, e->c)) < 0 || (n.a = lower(lw, e->a)) < 0 || (n.b = lower(lw, e->b)) < 0)
            return -1;
        return dtb__ir_add(lw->pb, &n);
    default:
        if ((n.a = lower(lw, e->a)) < 0 || (n.b = lower(lw, e->b)) < 0)
            return -1;
        return dtb__ir_add(lw->pb, &n);
    }
}

static int lower_expr(dtb__prog_builder *pb, const dtb__expr *e, const char *what)
{
    lowering lw = {pb, e, what};
    return lower(&lw, e);
}

dtb_status dtb__pb_define(dtb__prog_builder *pb, const char *name, const dtb__expr *e, const char *what)
{
    if (!pb || !name || !e)
        return dtb__error(DTB_EINVAL, "dtb__pb_define: NULL argument");
    if (find_name(pb, name) >= 0)
        return dtb__error(DTB_EINVAL, "%s: '%s' is already defined", what_or_default(what), name);
    int node = lower_expr(pb, e, what);
    if (node < 0)
        return dtb_last_error_code();
    return add_name(pb, name, node);
}

static int add_output(dtb__prog_builder *pb, int node)
{
    if (pb->n_outputs == pb->cap_outputs) {
        int cap = pb->cap_outputs ? pb->cap_outputs * 2 : 8;
        int *grown = dtb__realloc_array(pb->outputs, (size_t)cap, sizeof *grown);
        if (!grown)
            return -1;
        pb->outputs = grown;
        pb->cap_outputs = cap;
    }
    pb->outputs[pb->n_outputs] = node;
    return pb->n_outputs++;
}

int dtb__pb_output(dtb__prog_builder *pb, const dtb__expr *e, const char *what)
{
    if (!pb || !e) {
        dtb__error(DTB_EINVAL, "dtb__pb_output: NULL argument");
        return -1;
    }
    int node = lower_expr(pb, e, what);
    return node < 0 ? -1 : add_output(pb, node);
}

int dtb__pb_output_name(dtb__prog_builder *pb, const char *name, const char *what)
{
    if (!pb || !name) {
        dtb__error(DTB_EINVAL, "dtb__pb_output_name: NULL argument");
        return -1;
    }
    int node = find_name(pb, name);
    if (node < 0) {
        dtb__error(DTB_ENOTFOUND, "%s: unknown name '%s'", what_or_default(what), name);
        return -1;
    }
    return add_output(pb, node);
}
