/* libdtb internal — the meaning of each expression operator on one double.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every evaluation path (dtb__expr_eval_scalar, compile-time constant
 * folding, the scalar instructions of a program and the vector kernels) uses
 * these definitions, so a compiled program gives bit-for-bit the same numbers
 * as the straight AST interpreter.
 */
#ifndef DTB_EXPR_MATH_H
#define DTB_EXPR_MATH_H

#include <math.h>

#include "base/fast_exp.h"
#include "expr.h"

/* x^k for the integer exponents -4..4 is computed with multiplications (one
 * rounding for x^2, x^-1; exact special cases for 0 and 1) instead of pow():
 * faster, and the same in every path because dtb__ex_pow applies the same
 * rule whenever the exponent's value is such an integer. */
#define DTB__EX_POWI_MAX 4

static inline int dtb__ex_small_int_exponent(double y, int *k)
{
    if (y >= -DTB__EX_POWI_MAX && y <= DTB__EX_POWI_MAX && y == (double)(int)y) {
        *k = (int)y;
        return 1;
    }
    return 0;
}

static inline double dtb__ex_powi(double x, int k)
{
    switch (k) {
    case 0: return 1.0;
    case 1: return x;
    case 2: return x * x;
    case 3: return x * x * x;
    case 4: { double x2 = x * x; return x2 * x2; }
    case -1: return 1.0 / x;
    case -2: return 1.0 / (x * x);
    case -3: return 1.0 / (x * x * x);
    case -4: { double x2 = x * x; return 1.0 / (x2 * x2); }
    default: return pow(x, (double)k);
    }
}

static inline double dtb__ex_pow(double x, double y)
{
    int k;
    return dtb__ex_small_int_exponent(y, &k) ? dtb__ex_powi(x, k) : pow(x, y);
}

/* H(x): 0 below zero, 0.5 at zero, 1 above; NaN stays NaN. */
static inline double dtb__ex_heaviside(double x)
{
    return x > 0.0 ? 1.0 : x < 0.0 ? 0.0 : x == 0.0 ? 0.5 : x;
}

/* n! for integer n >= 0 (NaN otherwise, +inf once it overflows). */
static inline double dtb__ex_factorial(double n)
{
    if (!(n >= 0.0) || n != floor(n))
        return NAN;
    if (n > 170.0)
        return HUGE_VAL;
    double r = 1.0;
    for (int k = 2; k <= (int)n; k++)
        r *= (double)k;
    return r;
}

/* One-argument functions except random(), which needs a random source. */
static inline double dtb__ex_call(dtb__ex_func f, double x)
{
    switch (f) {
    case DTB__FN_EXP: return dtb__exp(x);   /* = dtb__exp_block, vectorised */
    case DTB__FN_LOG: return log(x);
    case DTB__FN_SQRT: return sqrt(x);
    case DTB__FN_SIN: return sin(x);
    case DTB__FN_COS: return cos(x);
    case DTB__FN_TAN: return tan(x);
    case DTB__FN_SINH: return sinh(x);
    case DTB__FN_COSH: return cosh(x);
    case DTB__FN_TANH: return tanh(x);
    case DTB__FN_ABS: return fabs(x);
    case DTB__FN_CEIL: return ceil(x);
    case DTB__FN_FLOOR: return floor(x);
    case DTB__FN_H: return dtb__ex_heaviside(x);
    case DTB__FN_FACTORIAL: return dtb__ex_factorial(x);
    case DTB__FN_RANDOM: break;
    }
    return NAN;
}

/* Two-operand operators (and NEG, which ignores b). Booleans are 1.0/0.0;
 * .and./.or. treat any non-zero value (NaN included) as true. Bitwise & and |
 * on the two truth values instead of && and || keep the vector kernels
 * branch-free. */
static inline double dtb__ex_binary(dtb__ex_kind kind, double a, double b)
{
    switch (kind) {
    case DTB__EX_NEG: return -a;
    case DTB__EX_ADD: return a + b;
    case DTB__EX_SUB: return a - b;
    case DTB__EX_MUL: return a * b;
    case DTB__EX_DIV: return a / b;
    case DTB__EX_POW: return dtb__ex_pow(a, b);
    case DTB__EX_GT: return a > b ? 1.0 : 0.0;
    case DTB__EX_LT: return a < b ? 1.0 : 0.0;
    case DTB__EX_GE: return a >= b ? 1.0 : 0.0;
    case DTB__EX_LE: return a <= b ? 1.0 : 0.0;
    case DTB__EX_EQ: return a == b ? 1.0 : 0.0;
    case DTB__EX_NE: return a != b ? 1.0 : 0.0;
    case DTB__EX_AND: return ((a != 0.0) & (b != 0.0)) ? 1.0 : 0.0;
    case DTB__EX_OR: return ((a != 0.0) | (b != 0.0)) ? 1.0 : 0.0;
    default: return NAN;
    }
}

static inline double dtb__ex_select(double c, double a, double b) { return c != 0.0 ? a : b; }

#endif /* DTB_EXPR_MATH_H */
