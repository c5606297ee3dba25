/* libdtb — running a compiled program: scratch memory, the block loop and
 * the vector kernels.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/clones.h"
#include "expr_math.h"
#include "prog_private.h"

/* ------------------------------------------------------------ kernels */

/* The kernels and the instruction dispatch are inlined into
 * dtb__prog_eval, which is compiled twice (AVX2 and baseline, picked once
 * at load time): with AVX2 each chunk is two 4-wide operations instead of
 * four 2-wide ones. The arithmetic is the same in both (no fused
 * multiply-add), so are the results. */
/* base/clones.h says when the clones are made. */
#if DTB__HAVE_CLONES
#define DTB__KERNEL static inline __attribute__((always_inline))
#else
#define DTB__KERNEL static inline
#endif
#define DTB__EVAL_CLONES DTB__CLONES

/* Runs `body` for i = 0..n-1: chunks of 8 with a constant trip count, then
 * the tail. gcc vectorises the fixed-size inner loop even at -O2, whose
 * cheap cost model refuses a loop of unknown length (it would need an
 * epilogue); blocks are 128 long, and a 76-region brain is one block of 76. */
#define DTB__EACH(n, body)                                          \
    do {                                                            \
        size_t chunk_ = 0;                                          \
        for (; chunk_ + 8 <= (n); chunk_ += 8) {                    \
            for (size_t k_ = 0; k_ < 8; k_++) {                     \
                size_t i = chunk_ + k_;                             \
                body;                                               \
            }                                                       \
        }                                                           \
        for (size_t i = chunk_; i < (n); i++) {                     \
            body;                                                   \
        }                                                           \
    } while (0)

DTB__KERNEL void k_copy(size_t n, double *restrict d, const double *restrict a) { memcpy(d, a, n * sizeof *d); }

DTB__KERNEL void k_fill(size_t n, double *restrict d, double a) { DTB__EACH(n, d[i] = a); }

DTB__KERNEL void k_neg(size_t n, double *restrict d, const double *restrict a) { DTB__EACH(n, d[i] = -a[i]); }

#define DTB__POWI_CASE(k) \
    case k: DTB__EACH(n, d[i] = dtb__ex_powi(a[i], k)); break;
DTB__KERNEL void k_powi(size_t n, double *restrict d, const double *restrict a, int k)
{
    switch (k) {
    DTB__POWI_CASE(0) DTB__POWI_CASE(1) DTB__POWI_CASE(2) DTB__POWI_CASE(3) DTB__POWI_CASE(4)
    DTB__POWI_CASE(-1) DTB__POWI_CASE(-2) DTB__POWI_CASE(-3) DTB__POWI_CASE(-4)
    default: DTB__EACH(n, d[i] = dtb__ex_powi(a[i], k)); break;
    }
}
#undef DTB__POWI_CASE

/* x^s with s the same for the whole block: the small-integer rule of
 * dtb__ex_pow is decided once, not per element. */
DTB__KERNEL void k_pow_vs(size_t n, double *restrict d, const double *restrict a, double s)
{
    int k;
    if (dtb__ex_small_int_exponent(s, &k))
        k_powi(n, d, a, k);
    else
        DTB__EACH(n, d[i] = pow(a[i], s));
}

/* One kernel per binary operator and operand kinds; the operator is a
 * constant, so dtb__ex_binary inlines to a single operation and the
 * results match the scalar paths exactly. x^s with a scalar s goes to
 * k_pow_vs (the condition is a constant, so only one branch is compiled). */
#define DTB__BINARY_KERNELS(K)                                                                      \
    DTB__KERNEL void k_##K##_vv(size_t n, double *restrict d, const double *restrict a,                  \
                           const double *restrict b)                                                \
    {                                                                                               \
        DTB__EACH(n, d[i] = dtb__ex_binary(DTB__EX_##K, a[i], b[i]));                               \
    }                                                                                               \
    DTB__KERNEL void k_##K##_vs(size_t n, double *restrict d, const double *restrict a, double b)        \
    {                                                                                               \
        if (DTB__EX_##K == DTB__EX_POW)                                                             \
            k_pow_vs(n, d, a, b);                                                                   \
        else                                                                                        \
            DTB__EACH(n, d[i] = dtb__ex_binary(DTB__EX_##K, a[i], b));                              \
    }                                                                                               \
    DTB__KERNEL void k_##K##_sv(size_t n, double *restrict d, double a, const double *restrict b)        \
    {                                                                                               \
        DTB__EACH(n, d[i] = dtb__ex_binary(DTB__EX_##K, a, b[i]));                                  \
    }
DTB__BINARY_OPS(DTB__BINARY_KERNELS)
#undef DTB__BINARY_KERNELS

/* The switch is outside the loops: each case is a plain loop over one libm
 * function (or an inline helper). */
#define DTB__FUNC_CASE(F) \
    case DTB__FN_##F: DTB__EACH(n, d[i] = dtb__ex_call(DTB__FN_##F, a[i])); break;
DTB__KERNEL void k_func(dtb__ex_func f, size_t n, double *restrict d, const double *restrict a)
{
    switch (f) {
    case DTB__FN_EXP: dtb__exp_block(n, d, a); break;
    DTB__FUNC_CASE(LOG) DTB__FUNC_CASE(SQRT) DTB__FUNC_CASE(SIN)
    DTB__FUNC_CASE(COS) DTB__FUNC_CASE(TAN) DTB__FUNC_CASE(SINH) DTB__FUNC_CASE(COSH)
    DTB__FUNC_CASE(TANH) DTB__FUNC_CASE(ABS) DTB__FUNC_CASE(CEIL) DTB__FUNC_CASE(FLOOR)
    DTB__FUNC_CASE(H) DTB__FUNC_CASE(FACTORIAL)
    case DTB__FN_RANDOM: break;  /* has its own opcodes */
    }
}
#undef DTB__FUNC_CASE

/* random(x) = x * uniform(), drawn element by element in order (block by
 * block, and within a block instruction by instruction). Without a random
 * source the result is NaN rather than a crash: evaluation cannot fail. */
DTB__KERNEL void k_random(size_t n, double *restrict d, const double *restrict a, double s,
                     const dtb__prog_env *env)
{
    if (!env->uniform) {
        DTB__EACH(n, d[i] = NAN);
        return;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = (a ? a[i] : s) * env->uniform(env->uniform_ud);
}

/* Branch-free selects: both operands are read, one is kept. */
DTB__KERNEL void k_select_vvv(size_t n, double *restrict d, const double *restrict c, const double *restrict a,
                         const double *restrict b)
{
    DTB__EACH(n, d[i] = dtb__ex_select(c[i], a[i], b[i]));
}

DTB__KERNEL void k_select_vvs(size_t n, double *restrict d, const double *restrict c, const double *restrict a,
                         double b)
{
    DTB__EACH(n, d[i] = dtb__ex_select(c[i], a[i], b));
}

DTB__KERNEL void k_select_vsv(size_t n, double *restrict d, const double *restrict c, double a,
                         const double *restrict b)
{
    DTB__EACH(n, d[i] = dtb__ex_select(c[i], a, b[i]));
}

DTB__KERNEL void k_select_vss(size_t n, double *restrict d, const double *restrict c, double a, double b)
{
    DTB__EACH(n, d[i] = dtb__ex_select(c[i], a, b));
}

/* ------------------------------------------------------- interpreter */

static double exec_scalar(const dtb__sins *ins, const double *r)
{
    switch (ins->kind) {
    case DTB__EX_CALL: return dtb__ex_call(ins->func, r[ins->a]);
    case DTB__EX_SELECT: return dtb__ex_select(r[ins->c], r[ins->a], r[ins->b]);
    default: return dtb__ex_binary(ins->kind, r[ins->a], r[ins->b]);
    }
}

#define DTB__BINARY_CASES(K)                                                                     \
    case DTB__VOP_##K##_VV: k_##K##_vv(len, dst[ins->d], src[ins->a], src[ins->b]); break;       \
    case DTB__VOP_##K##_VS: k_##K##_vs(len, dst[ins->d], src[ins->a], r[ins->b]); break;         \
    case DTB__VOP_##K##_SV: k_##K##_sv(len, dst[ins->d], r[ins->a], src[ins->b]); break;

DTB__KERNEL void exec_vector(const dtb__vins *ins, size_t len, const double *const *src, double *const *dst,
                        const double *r, const dtb__prog_env *env)
{
    switch (ins->op) {
    case DTB__VOP_COPY: k_copy(len, dst[ins->d], src[ins->a]); break;
    case DTB__VOP_BCAST: k_fill(len, dst[ins->d], r[ins->a]); break;
    case DTB__VOP_NEG: k_neg(len, dst[ins->d], src[ins->a]); break;
    DTB__BINARY_OPS(DTB__BINARY_CASES)
    case DTB__VOP_POWI: k_powi(len, dst[ins->d], src[ins->a], ins->imm); break;
    case DTB__VOP_FUNC: k_func((dtb__ex_func)ins->imm, len, dst[ins->d], src[ins->a]); break;
    case DTB__VOP_RANDOM_V: k_random(len, dst[ins->d], src[ins->a], 0.0, env); break;
    case DTB__VOP_RANDOM_S: k_random(len, dst[ins->d], NULL, r[ins->a], env); break;
    case DTB__VOP_SELECT_VVV: k_select_vvv(len, dst[ins->d], src[ins->c], src[ins->a], src[ins->b]); break;
    case DTB__VOP_SELECT_VVS: k_select_vvs(len, dst[ins->d], src[ins->c], src[ins->a], r[ins->b]); break;
    case DTB__VOP_SELECT_VSV: k_select_vsv(len, dst[ins->d], src[ins->c], r[ins->a], src[ins->b]); break;
    case DTB__VOP_SELECT_VSS: k_select_vss(len, dst[ins->d], src[ins->c], r[ins->a], r[ins->b]); break;
    case DTB__VOP_SELECT_S: {
        /* The condition is one value: the result is one operand, whole. */
        int take_a = r[ins->c] != 0.0;
        int operand = take_a ? ins->a : ins->b;
        int is_scalar = (ins->imm >> (take_a ? 0 : 1)) & 1;
        if (is_scalar)
            k_fill(len, dst[ins->d], r[operand]);
        else
            k_copy(len, dst[ins->d], src[operand]);
        break;
    }
    }
}
#undef DTB__BINARY_CASES

DTB__EVAL_CLONES
void dtb__prog_eval(const dtb__prog *p, const dtb__prog_env *env, dtb__prog_scratch *s)
{
    double *r = s->sregs;
    if (p->n_scalar_inputs > 0)
        memcpy(r, env->scalars, (size_t)p->n_scalar_inputs * sizeof *r);
    for (int i = 0; i < p->n_sins; i++)
        r[p->sins[i].d] = exec_scalar(&p->sins[i], r);

    const int nvin = p->n_vector_inputs, nout = p->n_outputs;
    for (size_t offset = 0; offset < env->n; offset += DTB__EXPR_BLOCK) {
        size_t len = env->n - offset < DTB__EXPR_BLOCK ? env->n - offset : DTB__EXPR_BLOCK;
        for (int i = 0; i < nvin; i++)
            s->src[i] = env->vectors[i] + offset;
        for (int k = 0; k < nout; k++)
            s->src[nvin + k] = s->dst[nvin + k] = env->outputs[k] + offset;
        for (int i = 0; i < p->n_vins; i++)
            exec_vector(&p->vins[i], len, s->src, s->dst, r, env);
    }
}

/* ------------------------------------------------------------ objects */

dtb__prog_scratch *dtb__prog_scratch_new(const dtb__prog *p)
{
    if (!p) {
        dtb__error(DTB_EINVAL, "dtb__prog_scratch_new: NULL program");
        return NULL;
    }
    /* Registers start on a cache line: whole lines per register, and the
     * aligned vector loads gcc may emit for the kernels' chunks. */
    const size_t align = 64;
    size_t n_locs = (size_t)p->n_vector_inputs + (size_t)p->n_outputs + (size_t)p->n_vregs;
    dtb__prog_scratch *s = dtb__calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sregs = dtb__malloc_array((size_t)p->n_sregs, sizeof *s->sregs);
    s->src = dtb__calloc(n_locs, sizeof *s->src);
    s->dst = dtb__calloc(n_locs, sizeof *s->dst);
    /* One spare register's worth of bytes leaves room for the alignment. */
    s->vregs_alloc = dtb__malloc_array((size_t)p->n_vregs + 1, DTB__EXPR_BLOCK * sizeof(double));
    if (!s->sregs || !s->src || !s->dst || !s->vregs_alloc) {
        dtb__prog_scratch_free(s);
        return NULL;
    }
    /* Constants live in the scalar register file and are never written by
     * an instruction, so they are set once here. */
    if (p->n_sregs > 0)
        memcpy(s->sregs, p->sreg_init, (size_t)p->n_sregs * sizeof *s->sregs);
    uintptr_t base = ((uintptr_t)s->vregs_alloc + align - 1) & ~(uintptr_t)(align - 1);
    s->vregs = (double *)base;
    size_t first_reg = (size_t)p->n_vector_inputs + (size_t)p->n_outputs;
    for (size_t r = 0; r < (size_t)p->n_vregs; r++)
        s->src[first_reg + r] = s->dst[first_reg + r] = s->vregs + r * DTB__EXPR_BLOCK;
    return s;
}

void dtb__prog_scratch_free(dtb__prog_scratch *s)
{
    if (!s)
        return;
    free(s->sregs);
    free(s->src);
    free(s->dst);
    free(s->vregs_alloc);
    free(s);
}

void dtb__prog_free(dtb__prog *p)
{
    if (!p)
        return;
    free(p->sreg_init);
    free(p->sins);
    free(p->vins);
    free(p);
}

int dtb__prog_n_scalar_inputs(const dtb__prog *p) { return p ? p->n_scalar_inputs : 0; }
int dtb__prog_n_vector_inputs(const dtb__prog *p) { return p ? p->n_vector_inputs : 0; }
int dtb__prog_n_outputs(const dtb__prog *p) { return p ? p->n_outputs : 0; }
int dtb__prog_uses_random(const dtb__prog *p) { return p ? p->uses_random : 0; }
