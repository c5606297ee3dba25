/* libdtb — xoshiro256** and ziggurat normals (see rng.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

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

uint64_t dtb__rng_next(dtb__rng *r)
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

double dtb__rng_uniform(dtb__rng *r) { return (double)(dtb__rng_next(r) >> 11) * 0x1.0p-53; }

/* One 64-bit draw gives the layer (8 bits), the sign (1 bit) and a 53-bit
 * position inside the layer. Most draws land in the layer's full-width part
 * and return at once; the rest are decided against the density (wedges) or
 * drawn from the tail beyond r (layer 0). */
double dtb__rng_normal(dtb__rng *r)
{
    for (;;) {
        const uint64_t b = dtb__rng_next(r);
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
    }
}
