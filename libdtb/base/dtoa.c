/* libdtb — doubles to short decimal text (Grisu2, see dtoa.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Notation: a "fp" is f * 2^e with a 64-bit f. For the double v with
 * neighbours' midpoints m- < v < m+, every number strictly inside
 * (m-, m+) reads back as v. All three are scaled by a cached power
 * c ~= 10^k chosen so that the products have a binary exponent in
 * [-60, -32]: their integer parts then fit in 32 bits and the fraction
 * can be multiplied by 10 without overflow. Digits of the scaled upper
 * bound are produced until the remainder fits in the (narrowed) interval;
 * the last digit is then moved toward the scaled v while it stays inside.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"

typedef struct fp {
    uint64_t f;
    int e;
} fp;

static int leading_zeros(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x & (UINT64_C(1) << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

static fp normalize(fp x)
{
    int s = leading_zeros(x.f);
    x.f <<= s;
    x.e -= s;
    return x;
}

/* The upper 64 bits of the 128-bit product, rounded (half up). */
static fp multiply(fp x, fp y)
{
    const uint64_t lo32 = 0xFFFFFFFFu;
    const uint64_t a = x.f >> 32, b = x.f & lo32, c = y.f >> 32, d = y.f & lo32;
    const uint64_t ac = a * c, bc = b * c, ad = a * d, bd = b * d;
    uint64_t mid = (bd >> 32) + (ad & lo32) + (bc & lo32);
    mid += UINT64_C(1) << 31;
    fp r = {ac + (ad >> 32) + (bc >> 32) + (mid >> 32), x.e + y.e + 64};
    return r;
}

/* Index of the cached power whose product with a normalized fp of
 * exponent e has its exponent in [-60, -32]. */
static int cached_index(int e)
{
    /* 10^k has binary exponent about k log2(10) - 63, so the product's is
     * about e + k log2(10) + 1: start from the smallest k that reaches -60 */
    double k = ceil((double)(-61 - e) * 0.30102999566398120);
    int i = (int)ceil((k - dtb__pow10_k_min) / dtb__pow10_k_step);
    if (i < 0)
        i = 0;
    if (i >= dtb__pow10_count)
        i = dtb__pow10_count - 1;
    while (i + 1 < dtb__pow10_count && e + dtb__pow10[i].e + 64 < -60)
        i++;
    while (i > 0 && e + dtb__pow10[i].e + 64 > -32)
        i--;
    return i;
}

/* Move the last digit toward the scaled v (w_distance below the upper
 * bound) while the candidate stays inside the interval: rest is the
 * candidate's distance below the upper bound, one_digit the value of one
 * unit of the last digit, all in the same scale. */
static void round_toward_v(char *digits, int len, uint64_t delta, uint64_t rest, uint64_t one_digit,
                           uint64_t w_distance)
{
    while (rest < w_distance && delta - rest >= one_digit &&
           (rest + one_digit < w_distance || w_distance - rest > rest + one_digit - w_distance)) {
        digits[len - 1]--;
        rest += one_digit;
    }
}

static const uint32_t pow10_u32[10] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};

int dtb__dtoa_digits(double v, char digits[18], int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    const int biased = (int)((bits >> 52) & 0x7FF);
    fp w = biased ? (fp){frac | (UINT64_C(1) << 52), biased - 1075} : (fp){frac, -1074};

    /* the midpoints to the neighbours; below a power of two the lower
     * neighbour is half as far */
    fp upper = normalize((fp){(w.f << 1) + 1, w.e - 1});
    fp lower = frac == 0 && biased > 1 ? (fp){(w.f << 2) - 1, w.e - 2} : (fp){(w.f << 1) - 1, w.e - 1};
    lower.f <<= lower.e - upper.e;
    lower.e = upper.e;
    w = normalize(w);

    const int i = cached_index(upper.e);
    const dtb__cached_power *cp = &dtb__pow10[i];
    const fp c = {cp->f, cp->e};
    const int k = dtb__pow10_k_min + i * dtb__pow10_k_step;
    const fp W = multiply(w, c);
    fp hi = multiply(upper, c), lo = multiply(lower, c);
    /* one unit inward on each side covers the products' rounding */
    hi.f--;
    lo.f++;
    uint64_t delta = hi.f - lo.f;
    const uint64_t w_distance = hi.f - W.f;
    const int shift = -hi.e;                      /* 32..60 */
    const uint64_t one = UINT64_C(1) << shift, mask = one - 1;
    uint32_t p1 = (uint32_t)(hi.f >> shift);      /* integer part, >= 8 */
    uint64_t p2 = hi.f & mask;                    /* fraction */

    int kappa = 10;
    while (kappa > 1 && p1 < pow10_u32[kappa - 1])
        kappa--;
    int len = 0;
    while (kappa > 0) {
        const uint32_t div = pow10_u32[kappa - 1];
        digits[len++] = (char)('0' + p1 / div);
        p1 %= div;
        kappa--;
        const uint64_t rest = ((uint64_t)p1 << shift) + p2;
        if (rest <= delta) {
            *exp10 = -k + kappa;
            round_toward_v(digits, len, delta, rest, (uint64_t)div << shift, w_distance);
            return len;
        }
    }
    uint64_t unit = 1;
    for (;;) {
        p2 *= 10;
        delta *= 10;
        unit *= 10;
        digits[len++] = (char)('0' + (p2 >> shift));
        p2 &= mask;
        kappa--;
        if (p2 <= delta || len == 17) {
            *exp10 = -k + kappa;
            round_toward_v(digits, len, delta, p2, one, w_distance * unit);
            return len;
        }
    }
}

int dtb__dtoa(char *buf, size_t size, double v)
{
    char text[40];
    char *p = text;
    if (isnan(v)) {
        strcpy(text, "nan");
        p = text + 3;
    } else if (isinf(v)) {
        strcpy(text, v > 0 ? "inf" : "-inf");
        p = text + strlen(text);
    } else {
        if (signbit(v)) {
            *p++ = '-';
            v = -v;
        }
        if (v == 0.0) {
            *p++ = '0';
        } else {
            char d[18];
            int K;
            int n = dtb__dtoa_digits(v, d, &K);
            while (n > 1 && d[n - 1] == '0') {
                n--;
                K++;
            }
            const int X = n + K - 1;   /* position of the first digit: v = d.ddd * 10^X */
            if (X < -4 || X >= 15) {
                *p++ = d[0];
                if (n > 1) {
                    *p++ = '.';
                    memcpy(p, d + 1, (size_t)(n - 1));
                    p += n - 1;
                }
                *p++ = 'e';
                *p++ = X < 0 ? '-' : '+';
                int ax = abs(X);
                if (ax >= 100)
                    *p++ = (char)('0' + ax / 100);
                *p++ = (char)('0' + ax / 10 % 10);
                *p++ = (char)('0' + ax % 10);
            } else if (K >= 0) {          /* an integer: digits, then zeros */
                memcpy(p, d, (size_t)n);
                p += n;
                for (int z = 0; z < K; z++)
                    *p++ = '0';
            } else if (X >= 0) {          /* point inside the digits */
                memcpy(p, d, (size_t)X + 1);
                p += X + 1;
                *p++ = '.';
                memcpy(p, d + X + 1, (size_t)(n - X - 1));
                p += n - X - 1;
            } else {                      /* 0.000ddd */
                *p++ = '0';
                *p++ = '.';
                for (int z = 0; z < -X - 1; z++)
                    *p++ = '0';
                memcpy(p, d, (size_t)n);
                p += n;
            }
        }
    }
    *p = '\0';
    size_t len = (size_t)(p - text);
    if (size > 0) {
        size_t copy = len < size - 1 ? len : size - 1;
        memcpy(buf, text, copy);
        buf[copy] = '\0';
    }
    return (int)len;
}
