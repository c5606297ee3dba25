/* libdtb internal — exp() that vectorises and gives the same bits everywhere.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The models' rate functions (Wong-Wang's H, sigmoids) call exp() once per
 * region and step; libm's exp is a function call per value, so a block of
 * 246 costs ~5 ns a value. dtb__exp_block evaluates the same function on a
 * whole block in plain arithmetic that gcc turns into vector code, and
 * dtb__exp gives bit-for-bit the same value for one double, so every path
 * of the expression engine agrees.
 *
 * Method: x = k ln2 + r with k = round(x / ln2) (the round-to-nearest
 * "shifter" trick, no branch) and ln2 split in two parts so that k * hi is
 * exact; |r| <= ln2 / 2; exp(r) from its Taylor series to r^13 (truncation
 * below 0.05 ulp), summed as 1 + (r + r^2 q(r)); 2^k added to the exponent
 * bits. Accurate to about 1 ulp (the test measures it against libm). Only
 * multiplications and additions, each rounded once (no contraction to
 * fused multiply-adds: the project compiles with -ffp-contract=off), so the
 * result is the same on every IEEE-754 machine. Outside [-707, 709] (near
 * overflow, subnormal results, inf, NaN) libm's exp decides. */
#ifndef DTB_FAST_EXP_H
#define DTB_FAST_EXP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DTB__EXP_FAST_MIN (-707.0)
#define DTB__EXP_FAST_MAX 709.0

static inline double dtb__exp_core(double x)
{
    const double log2e = 0x1.71547652b82fep0;
    const double ln2_hi = 0x1.62e42fee00000p-1;   /* 32 significant bits: k * ln2_hi is exact */
    const double ln2_lo = 0x1.a39ef35793c76p-33;
    const double shifter = 0x1.8p52;               /* t + shifter - shifter rounds t to an integer */
    const double t = x * log2e + shifter;
    const double kd = t - shifter;
    uint64_t t_bits, shifter_bits;
    memcpy(&t_bits, &t, sizeof t_bits);
    memcpy(&shifter_bits, &shifter, sizeof shifter_bits);
    const uint64_t k = t_bits - shifter_bits;     /* two's complement of round(x / ln2) */
    const double r = (x - kd * ln2_hi) - kd * ln2_lo;
    double q = 1.0 / 6227020800.0;                 /* 1/13! */
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    const double p = 1.0 + (r + (r * r) * q);
    uint64_t p_bits;
    memcpy(&p_bits, &p, sizeof p_bits);
    p_bits += k << 52;
    double y;
    memcpy(&y, &p_bits, sizeof y);
    return y;
}

static inline int dtb__exp_in_fast_range(double x)
{
    return x >= DTB__EXP_FAST_MIN && x <= DTB__EXP_FAST_MAX;   /* false for NaN */
}

static inline double dtb__exp(double x)
{
    return dtb__exp_in_fast_range(x) ? dtb__exp_core(x) : exp(x);
}

/* d[i] = dtb__exp(a[i]) for i < n; d and a do not overlap. The first pass
 * runs the core on every value (branch-free, so it vectorises; a value out
 * of range gives meaningless bits, without traps), the second gives those
 * values to libm. Chunks of 8 with a constant trip count: gcc vectorises
 * those even at -O2, whose cheap cost model refuses a loop of unknown
 * length. */
#if defined(__GNUC__)
__attribute__((always_inline))   /* into its caller's AVX2 clone */
#endif
static inline void dtb__exp_block(size_t n, double *restrict d, const double *restrict a)
{
    const size_t whole = n - n % 8;
    for (size_t i = 0; i < whole; i += 8)
        for (size_t j = 0; j < 8; j++)
            d[i + j] = dtb__exp_core(a[i + j]);
    for (size_t i = whole; i < n; i++)
        d[i] = dtb__exp_core(a[i]);
    for (size_t i = 0; i < n; i++)
        if (!dtb__exp_in_fast_range(a[i]))
            d[i] = exp(a[i]);
}

#endif
