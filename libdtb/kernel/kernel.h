/* libdtb internal — the kernel layer: equations compiled once and run over
 * N elements (regions, cells, component instances), one way for every
 * client.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every equation of libdtb reaches execution through this layer: a neural
 * mass's right-hand side and its observables (sim/sim_compile.c, checked
 * when the model loads by model/model_build.c), the coupling functions'
 * user expressions (network/coupling.c), the LEMS engine's programs
 * (lems_run/lr_compile.c) and the populations of LEMS cells
 * (spiking/spiking_lems.c). Each describes its inputs once, in an input
 * table, and the kernel decides how each is laid out for the bytecode of
 * libdtb/expr beneath it:
 *
 *   role        layout
 *   time        a shared scalar, set at each evaluation
 *   parameter   a shared scalar when every element has the same value,
 *               else one value per element (the client says which)
 *   constant    a shared scalar
 *   state       one value per element
 *   input       one value per element: coupling, synaptic current, stimulus
 *   derived     one value per element, computed outside this program
 *   regime      one value per element: the element's regime index
 *
 * A shared scalar costs nothing per element: the expression compiler folds
 * every sub-expression that depends on scalars only into one evaluation.
 *
 * A compiled program (dtb__kprog) is bound to its table: each entry keeps
 * its binding (a value or an array), which the client changes as the run
 * goes (dtb__kprog_set, dtb__kprog_bind) without recompiling; only a change
 * of layout (a parameter that becomes per element) needs a new program. */
#ifndef DTB_KERNEL_H
#define DTB_KERNEL_H

#include <stddef.h>

#include "base/base.h"
#include "expr/expr.h"

typedef enum dtb__krole {
    DTB__K_TIME,
    DTB__K_PARAM,
    DTB__K_CONST,
    DTB__K_STATE,
    DTB__K_INPUT,
    DTB__K_DERIVED,
    DTB__K_REGIME
} dtb__krole;

/* One input: its name (borrowed: it must outlive the table and every
 * program compiled from it), its role and layout, and its binding. */
typedef struct dtb__kinput {
    const char *name;
    dtb__krole role;
    int per_element;           /* 1: an array of n values; 0: one shared value */
    double value;              /* shared: the value */
    const double *values;      /* per element: the array (may be set later) */
} dtb__kinput;

/* The inputs of a block of equations, in declaration order (which is the
 * order of the program's slots, so that clients binding arrays in a loop
 * walk consecutive slots). */
typedef struct dtb__ktable {
    dtb__kinput *in;
    size_t n, cap;
} dtb__ktable;

void dtb__ktable_init(dtb__ktable *t);
void dtb__ktable_free(dtb__ktable *t);
/* Add an input; returns its index in the table, or -1 with DTB_ENOMEM.
 * The layout follows the role: time and constants are shared, states,
 * inputs, derived values and regimes per element; `per_element` decides
 * for parameters only. Names are checked when a program is compiled (a
 * duplicate is an error there, naming it). */
long dtb__ktable_add(dtb__ktable *t, const char *name, dtb__krole role, int per_element);
/* Shorthands that also bind: a shared value, or an array. */
long dtb__ktable_add_value(dtb__ktable *t, const char *name, dtb__krole role, double value);
long dtb__ktable_add_array(dtb__ktable *t, const char *name, dtb__krole role, const double *values);
/* The index of the input named `name`, or -1. */
long dtb__ktable_find(const dtb__ktable *t, const char *name);

/* A program compiled against a table, with its bindings. */
typedef struct dtb__kprog {
    dtb__prog *prog;
    dtb__prog_scratch *scratch;
    double *scalars;           /* [n_scalars] the shared values */
    const double **vectors;    /* [n_vectors] the per-element arrays */
    double **outputs;          /* [n_outputs] where outputs go (the client sets them) */
    size_t n_scalars, n_vectors, n_outputs;
    int *slot;                 /* [table size] each input's scalar or vector slot; -1: skipped */
    size_t n_inputs;
    int t_slot;                /* the time's scalar slot, -1 without one */
} dtb__kprog;

/* Start compiling: a builder with every input of `t` declared, except the
 * entries flagged in `skip` (may be NULL) — names the program defines
 * itself. The client then adds definitions and outputs with the expression
 * layer's dtb__pb_define / dtb__pb_output / dtb__pb_output_name, and calls
 * dtb__kprog_finish. On error returns NULL with the error set (naming a
 * duplicate input) and kp zeroed. */
dtb__prog_builder *dtb__kprog_begin(dtb__kprog *kp, const dtb__ktable *t,
                                    const unsigned char *skip);
/* Finish: compiles, allocates the scratch, the binding arrays and the
 * output pointers, and copies the table's bindings in. Frees pb. On error
 * kp is freed (and zeroed). */
dtb_status dtb__kprog_finish(dtb__kprog *kp, const dtb__ktable *t, dtb__prog_builder *pb);
/* Both in one: a program whose outputs are the expressions `outs` (each
 * with its `what` for messages), and no definitions. */
dtb_status dtb__kprog_compile(dtb__kprog *kp, const dtb__ktable *t, const dtb__expr *const *outs,
                              const char *const *whats, size_t n_outs);
void dtb__kprog_free(dtb__kprog *kp);
/* Move a compiled program into *to (freeing what *to held). */
void dtb__kprog_move(dtb__kprog *to, dtb__kprog *from);

/* Bindings (entry i of the table the program was compiled from). Setting
 * a skipped entry does nothing. */
static inline void dtb__kprog_set(dtb__kprog *kp, size_t i, double value)
{
    if (kp->slot[i] >= 0)
        kp->scalars[kp->slot[i]] = value;
}
static inline void dtb__kprog_bind(dtb__kprog *kp, size_t i, const double *values)
{
    if (kp->slot[i] >= 0)
        kp->vectors[kp->slot[i]] = values;
}
/* Entries first .. first + count - 1, all per element, bound to
 * base, base + stride, ... (a state-major array). */
void dtb__kprog_bind_rows(dtb__kprog *kp, size_t first, size_t count, const double *base,
                          size_t stride);

/* Evaluate over n elements at time t into kp->outputs. uniform draws
 * random() (NULL: random() gives NaN). */
static inline void dtb__kprog_eval(const dtb__kprog *kp, double t, size_t n,
                                   double (*uniform)(void *), void *ud)
{
    if (kp->t_slot >= 0)
        kp->scalars[kp->t_slot] = t;
    dtb__prog_env env = {kp->scalars, kp->vectors, kp->outputs, n, uniform, ud};
    dtb__prog_eval(kp->prog, &env, kp->scratch);
}
/* The same into other output arrays. */
static inline void dtb__kprog_eval_into(const dtb__kprog *kp, double t, size_t n, double *const *outputs,
                                        double (*uniform)(void *), void *ud)
{
    if (kp->t_slot >= 0)
        kp->scalars[kp->t_slot] = t;
    dtb__prog_env env = {kp->scalars, kp->vectors, outputs, n, uniform, ud};
    dtb__prog_eval(kp->prog, &env, kp->scratch);
}

/* Evaluate over the k elements idx[0..k) only (ascending or not): their
 * per-element inputs are gathered into `compact` (grown as needed, owned
 * by the caller: one buffer serves many programs) first. outputs receive k
 * values each. DTB_ENOMEM when the buffer cannot grow. */
typedef struct dtb__kcompact {
    double *values;
    size_t cap;
    const double **vectors;
    size_t cap_vectors;
} dtb__kcompact;
dtb_status dtb__kprog_eval_subset(const dtb__kprog *kp, double t, const size_t *idx, size_t k,
                                  double *const *outputs, dtb__kcompact *compact,
                                  double (*uniform)(void *), void *ud);
void dtb__kcompact_free(dtb__kcompact *c);

#endif /* DTB_KERNEL_H */
