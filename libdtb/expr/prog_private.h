/* libdtb internal — program builder state (a value graph) and the compiled
 * program (two instruction lists), shared by builder.c, ir.c, compile.c and
 * eval.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pipeline: the builder lowers every defined or output expression into one
 * graph of values (ir.c folds constants and shares identical sub-expressions
 * on the way); dtb__pb_finish (compile.c) keeps only what the outputs need,
 * puts values that are the same for every element into a scalar instruction
 * list and the rest into a vector instruction list with block-sized
 * registers; dtb__prog_eval (eval.c) runs the scalar list once and the
 * vector list once per block of DTB__EXPR_BLOCK elements.
 */
#ifndef DTB_EXPR_PROG_PRIVATE_H
#define DTB_EXPR_PROG_PRIVATE_H

#include <stddef.h>

#include "expr.h"

/* ------------------------------------------------------- value graph */

/* One value. Operands always have smaller ids than their users, so the node
 * array is already in a valid evaluation order. */
typedef struct dtb__ir_node {
    dtb__ex_kind kind;   /* NUM: constant; SYM: an input; other kinds: operations */
    dtb__ex_func func;   /* CALL */
    int vector;          /* 1 if the value may differ between elements */
    int a, b, c;         /* operand ids (-1 if unused); SELECT: c ? a : b */
    int slot;            /* SYM: input slot (scalar or vector, see `vector`) */
    double num;          /* NUM */
} dtb__ir_node;

typedef struct dtb__pb_name {
    char *name;
    int node;
} dtb__pb_name;

struct dtb__prog_builder {
    dtb__ir_node *nodes;
    int n_nodes, cap_nodes;
    int *hash;           /* open addressing over nodes: id + 1, 0 = empty */
    size_t hash_cap, hash_used;
    dtb__pb_name *names; /* inputs and defines, for symbol lookup */
    int n_names, cap_names;
    int *outputs;        /* node of each output */
    int n_outputs, cap_outputs;
    int n_scalar_inputs, n_vector_inputs;
};

/* Add the value `proto` describes (operands already in the graph) and return
 * its id, or -1 with DTB_ENOMEM. Operations on constants are folded, x^0 and
 * x^1 and SELECTs with a constant condition are simplified, and a value that
 * already exists is returned instead of a copy (random() calls excepted:
 * each is its own draw). */
int dtb__ir_add(dtb__prog_builder *pb, const dtb__ir_node *proto);

/* --------------------------------------------------- compiled program */

/* Scalar instruction: r[d] = op(r[a], r[b], r[c]) on the scalar register
 * file r = [scalar inputs | constants | temporaries]. */
typedef struct dtb__sins {
    dtb__ex_kind kind;
    dtb__ex_func func;
    int d, a, b, c;
} dtb__sins;

/* Vector operand locations: 0..nvin-1 the vector inputs, nvin..nvin+nout-1
 * the outputs, then the scratch registers. A scalar operand (suffix S in
 * the opcode) is an index into the scalar register file instead. */
#define DTB__BINARY_OPS(X) X(ADD) X(SUB) X(MUL) X(DIV) X(POW) X(GT) X(LT) X(GE) X(LE) X(EQ) X(NE) X(AND) X(OR)

#define DTB__VOP_BINARY_ENUM(K) DTB__VOP_##K##_VV, DTB__VOP_##K##_VS, DTB__VOP_##K##_SV,
typedef enum dtb__vop {
    DTB__VOP_COPY,        /* d = a */
    DTB__VOP_BCAST,       /* d = scalar a */
    DTB__VOP_NEG,         /* d = -a */
    DTB__BINARY_OPS(DTB__VOP_BINARY_ENUM)
    DTB__VOP_POWI,        /* d = a^imm, imm a small integer (see expr_math.h) */
    DTB__VOP_FUNC,        /* d = f(a), f = imm (not random) */
    DTB__VOP_RANDOM_V,    /* d = a * uniform() element by element */
    DTB__VOP_RANDOM_S,    /* d = scalar a * uniform() element by element */
    DTB__VOP_SELECT_VVV,  /* d = c ? a : b; letters give the kinds of c, a, b */
    DTB__VOP_SELECT_VVS,
    DTB__VOP_SELECT_VSV,
    DTB__VOP_SELECT_VSS,
    DTB__VOP_SELECT_S     /* scalar c; imm bit 0: a is scalar, bit 1: b is scalar */
} dtb__vop;
#undef DTB__VOP_BINARY_ENUM

typedef struct dtb__vins {
    dtb__vop op;
    int imm;
    int d, a, b, c;
} dtb__vins;

struct dtb__prog {
    int n_scalar_inputs, n_vector_inputs, n_outputs, uses_random;
    int n_sregs;           /* scalar register file size */
    double *sreg_init;     /* constants in their registers, zeros elsewhere */
    dtb__sins *sins;
    int n_sins;
    dtb__vins *vins;
    int n_vins;
    int n_vregs;           /* vector registers, DTB__EXPR_BLOCK doubles each */
};

struct dtb__prog_scratch {
    double *sregs;
    double *vregs;         /* 64-byte aligned inside vregs_alloc */
    void *vregs_alloc;
    const double **src;    /* per location: where a block's operand is read */
    double **dst;          /* per location: where a block's result goes (NULL for inputs) */
};

#endif /* DTB_EXPR_PROG_PRIVATE_H */
