/* libdtb internal — the LEMS expression language: parse to an AST, compile
 * to a register bytecode that evaluates one instruction over a whole block
 * of elements (regions, neurons) stored as structure-of-arrays.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Grammar (conventional precedence, lowest first):
 *   or    := and   { ".or."  and }
 *   and   := cmp   { ".and." cmp }
 *   cmp   := sum   [ (.gt. .lt. .geq. .leq. .eq. .neq. .ge. .le. .ne.) sum ]
 *   sum   := prod  { ("+"|"-") prod }            left-assoc
 *   prod  := unary { ("*"|"/") unary }           left-assoc
 *   unary := "-" unary | "+" unary | power       so -x^2 == -(x^2)
 *   power := atom  [ "^" unary ]                 a^b^c == (a^b)^c is rejected as ambiguous
 *   atom  := NUMBER | IDENT | FUNC "(" expr ")" | "(" expr ")"
 * Functions: exp log ln sqrt sin cos tan sinh cosh tanh abs ceil floor H
 * random factorial. log/ln = natural log; H(x) = 0 (x<0), 0.5 (x=0), 1 (x>0);
 * random(x) uniform on [0, x); factorial(n) for integer n >= 0.
 * Comparisons give 1 or 0; .and./.or. treat non-zero as true.
 * x^k with an integer k in -4..4 is computed by multiplication (x^2 = x*x,
 * x^-1 = 1/x, ...), other exponents with pow(); every evaluation path
 * (eval_scalar, constant folding, programs) applies the same rule
 * (expr_math.h), so they agree bit for bit.
 */
#ifndef DTB_EXPR_H
#define DTB_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

/* ------------------------------------------------------------------ AST */

typedef enum dtb__ex_kind {
    DTB__EX_NUM,      /* literal number: num */
    DTB__EX_SYM,      /* identifier: name */
    DTB__EX_NEG,      /* -a */
    DTB__EX_ADD, DTB__EX_SUB, DTB__EX_MUL, DTB__EX_DIV, DTB__EX_POW,
    DTB__EX_GT, DTB__EX_LT, DTB__EX_GE, DTB__EX_LE, DTB__EX_EQ, DTB__EX_NE,
    DTB__EX_AND, DTB__EX_OR,
    DTB__EX_CALL,     /* func(a) */
    DTB__EX_SELECT    /* cond ? a : b   (c = cond; built by the LEMS reader for
                         ConditionalDerivedVariable, not by the parser) */
} dtb__ex_kind;

typedef enum dtb__ex_func {
    DTB__FN_EXP, DTB__FN_LOG, DTB__FN_SQRT, DTB__FN_SIN, DTB__FN_COS, DTB__FN_TAN,
    DTB__FN_SINH, DTB__FN_COSH, DTB__FN_TANH, DTB__FN_ABS, DTB__FN_CEIL, DTB__FN_FLOOR,
    DTB__FN_H, DTB__FN_RANDOM, DTB__FN_FACTORIAL
} dtb__ex_func;

typedef struct dtb__expr dtb__expr;
struct dtb__expr {
    dtb__ex_kind kind;
    dtb__ex_func func;   /* DTB__EX_CALL */
    double num;          /* DTB__EX_NUM */
    char *name;          /* DTB__EX_SYM (owned) */
    dtb__expr *a, *b, *c; /* operands (owned); SELECT: c ? a : b */
    int column;          /* 1-based column of the node in the source text */
    int height;          /* levels of this subtree: 1 for a leaf, 1 + the tallest operand */
};

/* Tallest tree the constructors build (DTB_EPARSE beyond): the tree walkers
 * recurse, so a long chain of operators (a + a + ... in a big file) must
 * not be able to exhaust the stack. */
#define DTB__EXPR_MAX_HEIGHT 1024

/* Parse `text`. On error returns DTB_EPARSE with a message such as
 * "expression 'a + * b': unexpected '*' at column 5" and *out = NULL. */
dtb_status dtb__expr_parse(const char *text, dtb__expr **out);
void dtb__expr_free(dtb__expr *e);
dtb__expr *dtb__expr_clone(const dtb__expr *e);           /* NULL + DTB_ENOMEM on failure */

/* Constructors (take ownership of operands; on allocation failure they free
 * the operands and return NULL with DTB_ENOMEM set; a tree taller than
 * DTB__EXPR_MAX_HEIGHT gives NULL and DTB_EPARSE). A NULL operand (an
 * inner constructor failed) makes them free the others and return NULL, so
 * calls can be nested. dtb__expr_unary accepts only NEG, dtb__expr_binary
 * only ADD..OR (DTB_EINVAL otherwise). Constructed nodes have column 0. */
dtb__expr *dtb__expr_num(double v);
dtb__expr *dtb__expr_sym(const char *name);
dtb__expr *dtb__expr_unary(dtb__ex_kind kind, dtb__expr *a);             /* NEG */
dtb__expr *dtb__expr_binary(dtb__ex_kind kind, dtb__expr *a, dtb__expr *b);
dtb__expr *dtb__expr_select(dtb__expr *cond, dtb__expr *a, dtb__expr *b);

/* Call fn(name, ud) for every symbol occurrence; stops and returns the first
 * non-zero value fn returns. */
int dtb__expr_visit_symbols(const dtb__expr *e, int (*fn)(const char *name, void *ud), void *ud);

/* The derivative of e with respect to one variable (diff.c), simplified
 * as it is built. dsym(name, ud) gives the derivative of each symbol as a
 * new tree — the number 1 for the variable itself, 0 for what does not
 * depend on it, or a symbol naming a derivative the caller defines (how
 * intermediates chain) — or NULL with an error set. NULL with the error on
 * failure: DTB_EUNSUPPORTED for random() and factorial(), which have no
 * derivative; DTB_ENOMEM. */
dtb__expr *dtb__expr_diff(const dtb__expr *e, dtb__expr *(*dsym)(const char *name, void *ud), void *ud);

/* 1 if the node's value is boolean (comparison, .and., .or.). */
int dtb__expr_is_boolean(const dtb__expr *e);

/* Write a fully parenthesised rendering (for messages and tests). Returns
 * the length that was needed (snprintf semantics). */
size_t dtb__expr_format(const dtb__expr *e, char *buf, size_t size);
/* A rendering with only the parentheses the grammar needs, close to what a
 * person writes ("xF + 1"); used in error messages. */
size_t dtb__expr_format_compact(const dtb__expr *e, char *buf, size_t size);

/* The compact rendering in a new string (for messages); NULL + DTB_ENOMEM. */
char *dtb__expr_to_text(const dtb__expr *e);

/* ------------------------------------------------------------ programs */

/* A program computes named intermediates and outputs from inputs:
 *   scalar inputs: one value per evaluation (parameters, constants, time t);
 *   vector inputs: one value per element (state variables, per-element
 *                  parameters, coupling inputs), given as arrays.
 * Sub-expressions that depend only on scalars are computed once per
 * evaluation, not per element. Each vector instruction runs over a block of
 * up to DTB__EXPR_BLOCK elements. */
#define DTB__EXPR_BLOCK 128

typedef struct dtb__prog dtb__prog;
typedef struct dtb__prog_builder dtb__prog_builder;

dtb__prog_builder *dtb__pb_new(void);                      /* NULL + DTB_ENOMEM */
void dtb__pb_free(dtb__prog_builder *pb);

/* Declare inputs; returns the input's slot (0, 1, ... separately for scalars
 * and vectors) or -1 with an error (duplicate name, no memory). */
int dtb__pb_scalar_input(dtb__prog_builder *pb, const char *name);
int dtb__pb_vector_input(dtb__prog_builder *pb, const char *name);

/* Define a named intermediate (a derived variable). Later expressions may
 * refer to it by name. Unknown symbols give DTB_ENOTFOUND naming the symbol
 * and `what` (e.g. "DerivedVariable 'xE'"). */
dtb_status dtb__pb_define(dtb__prog_builder *pb, const char *name, const dtb__expr *e,
                          const char *what);

/* Add an output: the value of e is written to outputs[index] at evaluation.
 * Returns the output index (0, 1, ...) or -1 with an error. */
int dtb__pb_output(dtb__prog_builder *pb, const dtb__expr *e, const char *what);

/* Also expose a defined intermediate as an output (for recording derived
 * variables). An input's name is accepted too (its values are copied);
 * an unknown name gives DTB_ENOTFOUND. */
int dtb__pb_output_name(dtb__prog_builder *pb, const char *name, const char *what);

/* Finish; the builder may be freed afterwards. */
dtb_status dtb__pb_finish(dtb__prog_builder *pb, dtb__prog **out);
void dtb__prog_free(dtb__prog *p);

/* Number of scalar/vector inputs and outputs; 1 if random() is used. */
int dtb__prog_n_scalar_inputs(const dtb__prog *p);
int dtb__prog_n_vector_inputs(const dtb__prog *p);
int dtb__prog_n_outputs(const dtb__prog *p);
int dtb__prog_uses_random(const dtb__prog *p);

/* Evaluation environment. vectors[i] and outputs[i] point to element 0 of
 * arrays of n elements; element stride is 1. Outputs must not alias inputs
 * or each other. scalars may be NULL if there are no scalar inputs.
 * uniform() returns a number in [0, 1) (needed only if random() is used;
 * without it random() gives NaN). random(x) = x * uniform(), one call per
 * element: blocks in order, within a block the random() calls in program
 * order, each over its elements in order. */
typedef struct dtb__prog_env {
    const double *scalars;
    const double *const *vectors;
    double *const *outputs;
    size_t n;
    double (*uniform)(void *ud);
    void *uniform_ud;
} dtb__prog_env;

/* Scratch memory for one evaluating thread (a program may be evaluated by
 * several threads, each with its own scratch). */
typedef struct dtb__prog_scratch dtb__prog_scratch;
dtb__prog_scratch *dtb__prog_scratch_new(const dtb__prog *p);   /* NULL + DTB_ENOMEM */
void dtb__prog_scratch_free(dtb__prog_scratch *s);

/* Evaluate for all n elements. Never fails (floating-point results such as
 * NaN are the caller's business). */
void dtb__prog_eval(const dtb__prog *p, const dtb__prog_env *env, dtb__prog_scratch *s);

/* Evaluate a scalar-only expression given a resolver for symbol values
 * (used for DerivedParameters and constant folding). lookup returns non-zero
 * and sets *value when it knows `name`, 0 otherwise. Returns DTB_ENOTFOUND
 * naming an unresolved symbol, DTB_EUNSUPPORTED if random() is used. */
dtb_status dtb__expr_eval_scalar(const dtb__expr *e,
                                 int (*lookup)(const char *name, double *value, void *ud),
                                 void *ud, double *out);

#endif /* DTB_EXPR_H */
