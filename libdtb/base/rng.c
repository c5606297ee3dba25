/* libdtb — xoshiro256** and ziggurat normals (see rng.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "rng.h"

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void dtb__rng_seed(dtb__rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&sm);
}

static inline uint64_t next(dtb__rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t dtb__rng_next(dtb__rng *r) { return next(r); }

double dtb__rng_uniform(dtb__rng *r) { return (double)(dtb__rng_next(r) >> 11) * 0x1.0p-53; }

/* One 64-bit draw gives the layer (8 bits), the sign (1 bit) and a 53-bit
 * position inside the layer. Most draws land in the layer's full-width part
 * and return at once (fast_normal); the rest are decided against the
 * density (wedges) or drawn from the tail beyond r (layer 0), which may
 * reject and start again with a new draw. */
static inline int fast_normal(uint64_t b, double *z_out)
{
    const unsigned layer = (unsigned)(b & 0xFF);
    const uint64_t u = b >> 11;
    const double z = (double)(int64_t)u * dtb__zig_w[layer];   /* u < 2^53: exact */
    /* the sign bit of the draw becomes the sign of z without a branch (a
     * branch on a random bit is mispredicted half the time) */
    uint64_t bits;
    memcpy(&bits, &z, sizeof bits);
    bits ^= (b & 0x100) << 55;
    memcpy(z_out, &bits, sizeof bits);
    return u < dtb__zig_k[layer];
}

/* The draw b missed the fast path: finish it, or draw again until done. */
static double slow_normal(dtb__rng *r, uint64_t b)
{
    for (;;) {
        const unsigned layer = (unsigned)(b & 0xFF);
        const int negative = (int)((b >> 8) & 1);
        const uint64_t u = b >> 11;
        const double z = (double)u * dtb__zig_w[layer];
        if (u < dtb__zig_k[layer])
            return negative ? -z : z;
        if (layer == 0) {
            /* tail: Marsaglia's method for |z| > r */
            double x, y;
            do {
                x = -log1p(-dtb__rng_uniform(r)) / dtb__zig_r;
                y = -log1p(-dtb__rng_uniform(r));
            } while (y + y < x * x);
            return negative ? -(dtb__zig_r + x) : dtb__zig_r + x;
        }
        const double y = dtb__zig_f[layer] +
                         dtb__rng_uniform(r) * (dtb__zig_f[layer + 1] - dtb__zig_f[layer]);
        if (y < exp(-0.5 * z * z))
            return negative ? -z : z;
        b = dtb__rng_next(r);
    }
}

double dtb__rng_normal(dtb__rng *r)
{
    const uint64_t b = dtb__rng_next(r);
    double z;
    return fast_normal(b, &z) ? z : slow_normal(r, b);
}

/* The same stream as n calls of dtb__rng_normal, with the generator's
 * state in local variables (registers: its address never escapes on the
 * fast path) and the fast path inline. */
void dtb__rng_normal_fill(dtb__rng *r, double *out, size_t n)
{
    uint64_t s0 = r->s[0], s1 = r->s[1], s2 = r->s[2], s3 = r->s[3];
    for (size_t i = 0; i < n; i++) {
        const uint64_t b = rotl(s1 * 5, 7) * 9;
        const uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 45);
        if (!fast_normal(b, &out[i])) {
            dtb__rng g = {{s0, s1, s2, s3}};
            out[i] = slow_normal(&g, b);
            s0 = g.s[0], s1 = g.s[1], s2 = g.s[2], s3 = g.s[3];
        }
    }
    r->s[0] = s0, r->s[1] = s1, r->s[2] = s2, r->s[3] = s3;
}
