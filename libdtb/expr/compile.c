/* libdtb — compiling the builder's value graph into a program: dead-value
 * elimination, scalar/vector split, instruction selection and vector
 * register allocation.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "expr_math.h"
#include "prog_private.h"

typedef struct compiler {
    const dtb__prog_builder *pb;
    dtb__prog *prog;
    char *live;       /* per node: needed by some output */
    int *sreg;        /* per scalar node: its scalar register */
    int *loc;         /* per vector node: its location (input, output or register) */
    int *last_user;   /* per vector node: the last node reading it */
    char *reg_busy;   /* per vector register */
    int first_reg_loc;
    int cap_sins, cap_vins;
} compiler;

/* Opcodes of the binary operators in dtb__ex_kind order (ADD..OR). */
#define DTB__VOP_BINARY_ROW(K) {DTB__VOP_##K##_VV, DTB__VOP_##K##_VS, DTB__VOP_##K##_SV},
static const struct {
    dtb__vop vv, vs, sv;
} binary_vops[] = {DTB__BINARY_OPS(DTB__VOP_BINARY_ROW)};
#undef DTB__VOP_BINARY_ROW

static int push_sins(compiler *c, dtb__sins ins)
{
    dtb__prog *p = c->prog;
    if (p->n_sins == c->cap_sins) {
        int cap = c->cap_sins ? c->cap_sins * 2 : 16;
        dtb__sins *grown = dtb__realloc_array(p->sins, (size_t)cap, sizeof *grown);
        if (!grown)
            return 0;
        p->sins = grown;
        c->cap_sins = cap;
    }
    p->sins[p->n_sins++] = ins;
    return 1;
}

static int push_vins(compiler *c, dtb__vins ins)
{
    dtb__prog *p = c->prog;
    if (p->n_vins == c->cap_vins) {
        int cap = c->cap_vins ? c->cap_vins * 2 : 16;
        dtb__vins *grown = dtb__realloc_array(p->vins, (size_t)cap, sizeof *grown);
        if (!grown)
            return 0;
        p->vins = grown;
        c->cap_vins = cap;
    }
    p->vins[p->n_vins++] = ins;
    return 1;
}

/* Operands come before their users, so one backward sweep from the outputs
 * finds every needed value; defines no output uses are never compiled. */
static void mark_live(compiler *c)
{
    const dtb__prog_builder *pb = c->pb;
    for (int k = 0; k < pb->n_outputs; k++)
        c->live[pb->outputs[k]] = 1;
    for (int id = pb->n_nodes - 1; id >= 0; id--) {
        const dtb__ir_node *n = &pb->nodes[id];
        if (!c->live[id])
            continue;
        if (n->a >= 0)
            c->live[n->a] = 1;
        if (n->b >= 0)
            c->live[n->b] = 1;
        if (n->c >= 0)
            c->live[n->c] = 1;
    }
}

/* Scalar registers: [scalar inputs | constants | temporaries]. Temporaries
 * are few (one per scalar sub-expression) and computed once per evaluation,
 * so they are not reused. */
static int compile_scalars(compiler *c)
{
    const dtb__prog_builder *pb = c->pb;
    dtb__prog *p = c->prog;
    int n_sregs = pb->n_scalar_inputs;
    for (int id = 0; id < pb->n_nodes; id++) {
        const dtb__ir_node *n = &pb->nodes[id];
        if (!c->live[id] || n->vector)
            continue;
        c->sreg[id] = n->kind == DTB__EX_SYM ? n->slot : n_sregs++;
    }
    p->n_sregs = n_sregs;
    if (!(p->sreg_init = dtb__calloc((size_t)n_sregs, sizeof *p->sreg_init)))
        return 0;
    for (int id = 0; id < pb->n_nodes; id++) {
        const dtb__ir_node *n = &pb->nodes[id];
        if (!c->live[id] || n->vector || n->kind == DTB__EX_SYM)
            continue;
        if (n->kind == DTB__EX_NUM) {
            p->sreg_init[c->sreg[id]] = n->num;
            continue;
        }
        dtb__sins ins = {n->kind, n->func, c->sreg[id], 0, 0, 0};
        if (n->a >= 0)
            ins.a = c->sreg[n->a];
        if (n->b >= 0)
            ins.b = c->sreg[n->b];
        if (n->c >= 0)
            ins.c = c->sreg[n->c];
        if (!push_sins(c, ins))
            return 0;
    }
    return 1;
}

/* An operand as the instruction refers to it: a location if the value is a
 * vector, a scalar register otherwise. */
static int operand(const compiler *c, int id) { return c->pb->nodes[id].vector ? c->loc[id] : c->sreg[id]; }

static int is_vec(const compiler *c, int id) { return c->pb->nodes[id].vector; }

static dtb__vins select_instruction(const compiler *c, const dtb__ir_node *n, int dest)
{
    dtb__vins ins = {DTB__VOP_COPY, 0, dest, -1, -1, -1};
    ins.a = n->a >= 0 ? operand(c, n->a) : -1;
    ins.b = n->b >= 0 ? operand(c, n->b) : -1;
    ins.c = n->c >= 0 ? operand(c, n->c) : -1;
    switch (n->kind) {
    case DTB__EX_NEG:
        ins.op = DTB__VOP_NEG;
        break;
    case DTB__EX_CALL:
        if (n->func == DTB__FN_RANDOM) {
            ins.op = is_vec(c, n->a) ? DTB__VOP_RANDOM_V : DTB__VOP_RANDOM_S;
        } else {
            ins.op = DTB__VOP_FUNC;
            ins.imm = (int)n->func;
        }
        break;
    case DTB__EX_SELECT: {
        int a_scalar = !is_vec(c, n->a), b_scalar = !is_vec(c, n->b);
        if (!is_vec(c, n->c)) {
            ins.op = DTB__VOP_SELECT_S;
            ins.imm = a_scalar | (b_scalar << 1);
        } else {
            static const dtb__vop by_kinds[2][2] = {{DTB__VOP_SELECT_VVV, DTB__VOP_SELECT_VVS},
                                                    {DTB__VOP_SELECT_VSV, DTB__VOP_SELECT_VSS}};
            ins.op = by_kinds[a_scalar][b_scalar];
        }
        break;
    }
    default: {
        int k;
        const dtb__ir_node *exponent = &c->pb->nodes[n->b];
        int row = (int)n->kind - (int)DTB__EX_ADD;
        if (n->kind == DTB__EX_POW && exponent->kind == DTB__EX_NUM &&
            dtb__ex_small_int_exponent(exponent->num, &k)) {
            ins.op = DTB__VOP_POWI;   /* x^2 -> x*x etc., chosen once here */
            ins.imm = k;
        } else if (!is_vec(c, n->a)) {
            ins.op = binary_vops[row].sv;
        } else {
            ins.op = is_vec(c, n->b) ? binary_vops[row].vv : binary_vops[row].vs;
        }
        break;
    }
    }
    return ins;
}

/* Emit the vector instructions in graph order. Outputs are computed in
 * place (the instruction writes straight into the caller's array); other
 * values get the lowest free register, taken before the operands' registers
 * are released so a destination never aliases an operand (the kernels
 * declare their pointers restrict). */
static int compile_vectors(compiler *c)
{
    const dtb__prog_builder *pb = c->pb;
    dtb__prog *p = c->prog;
    int n_regs = 0;
    for (int id = 0; id < pb->n_nodes; id++) {
        const dtb__ir_node *n = &pb->nodes[id];
        if (!c->live[id] || !n->vector || n->kind == DTB__EX_SYM)
            continue;
        const int operands[3] = {n->a, n->b, n->c};
        for (int i = 0; i < 3; i++)
            if (operands[i] >= 0 && is_vec(c, operands[i]))
                c->last_user[operands[i]] = id;
    }
    for (int id = 0; id < pb->n_nodes; id++) {
        const dtb__ir_node *n = &pb->nodes[id];
        if (!c->live[id] || !n->vector || n->kind == DTB__EX_SYM)
            continue;
        if (c->loc[id] < 0) {
            int r = 0;
            while (c->reg_busy[r])
                r++;
            c->reg_busy[r] = 1;
            if (r + 1 > n_regs)
                n_regs = r + 1;
            c->loc[id] = c->first_reg_loc + r;
        }
        if (!push_vins(c, select_instruction(c, n, c->loc[id])))
            return 0;
        const int operands[3] = {n->a, n->b, n->c};
        for (int i = 0; i < 3; i++) {
            int o = operands[i];
            if (o < 0 || !is_vec(c, o) || c->last_user[o] != id || c->loc[o] < c->first_reg_loc)
                continue;
            c->reg_busy[c->loc[o] - c->first_reg_loc] = 0;  /* idempotent for x*x */
        }
    }
    p->n_vregs = n_regs;
    /* Outputs that are not computed in place: an input, a scalar, or the
     * same value as an earlier output. Their sources (inputs, outputs and
     * scalar registers) stay valid to the end of the block. */
    for (int k = 0; k < pb->n_outputs; k++) {
        int id = pb->outputs[k];
        int dest = p->n_vector_inputs + k;
        if (is_vec(c, id) && c->loc[id] == dest)
            continue;
        dtb__vins ins = {is_vec(c, id) ? DTB__VOP_COPY : DTB__VOP_BCAST, 0, dest, operand(c, id), -1, -1};
        if (!push_vins(c, ins))
            return 0;
    }
    return 1;
}

static void place_inputs_and_outputs(compiler *c)
{
    const dtb__prog_builder *pb = c->pb;
    for (int id = 0; id < pb->n_nodes; id++)
        if (pb->nodes[id].kind == DTB__EX_SYM && pb->nodes[id].vector)
            c->loc[id] = pb->nodes[id].slot;
    for (int k = 0; k < pb->n_outputs; k++) {
        int id = pb->outputs[k];
        if (is_vec(c, id) && c->loc[id] < 0)
            c->loc[id] = pb->n_vector_inputs + k;
    }
}

dtb_status dtb__pb_finish(dtb__prog_builder *pb, dtb__prog **out)
{
    if (!pb || !out)
        return dtb__error(DTB_EINVAL, "dtb__pb_finish: NULL argument");
    *out = NULL;
    size_t n = (size_t)pb->n_nodes;
    compiler c = {pb, NULL, NULL, NULL, NULL, NULL, NULL,
                  pb->n_vector_inputs + pb->n_outputs, 0, 0};
    c.prog = dtb__calloc(1, sizeof *c.prog);
    c.live = dtb__calloc(n, 1);
    c.sreg = dtb__malloc_array(n, sizeof *c.sreg);
    c.loc = dtb__malloc_array(n, sizeof *c.loc);
    c.last_user = dtb__malloc_array(n, sizeof *c.last_user);
    c.reg_busy = dtb__calloc(n, 1);
    int ok = c.prog && c.live && c.sreg && c.loc && c.last_user && c.reg_busy;
    if (ok) {
        dtb__prog *p = c.prog;
        p->n_scalar_inputs = pb->n_scalar_inputs;
        p->n_vector_inputs = pb->n_vector_inputs;
        p->n_outputs = pb->n_outputs;
        for (size_t i = 0; i < n; i++)
            c.sreg[i] = c.loc[i] = c.last_user[i] = -1;
        mark_live(&c);
        for (size_t i = 0; i < n; i++)
            if (c.live[i] && pb->nodes[i].kind == DTB__EX_CALL && pb->nodes[i].func == DTB__FN_RANDOM)
                p->uses_random = 1;
        place_inputs_and_outputs(&c);
        ok = compile_scalars(&c) && compile_vectors(&c);
    }
    free(c.live);
    free(c.sreg);
    free(c.loc);
    free(c.last_user);
    free(c.reg_busy);
    if (!ok) {
        dtb__prog_free(c.prog);
        return DTB_ENOMEM;
    }
    *out = c.prog;
    return DTB_OK;
}
