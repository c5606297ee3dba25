/* libdtb internal — doubles to short decimal text that reads back exactly.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output files hold millions of numbers; printf's "%.17g" (multi-precision
 * arithmetic) followed by a strtod round-trip check cost more than the
 * simulation that produced them. dtb__dtoa uses Loitsch's Grisu2 method
 * (Printing floating-point numbers quickly and accurately, PLDI 2010):
 * 64-bit arithmetic with cached powers of ten, digits generated inside the
 * rounding interval of the double (narrowed by one unit on each side, so
 * the text always reads back to the same double), usually the shortest
 * such text and never more than 17 digits. */
#ifndef DTB_DTOA_H
#define DTB_DTOA_H

#include <stddef.h>
#include <stdint.h>

typedef struct dtb__cached_power {
    uint64_t f;
    int e;
} dtb__cached_power;

extern const int dtb__pow10_k_min, dtb__pow10_k_step, dtb__pow10_count;
extern const dtb__cached_power dtb__pow10[];

/* Decimal digits of a finite v > 0: writes 1..17 digits (no terminator) to
 * digits and returns their number; value = digits * 10^(*exp10). */
int dtb__dtoa_digits(double v, char digits[18], int *exp10);

/* v as text in C-locale style ("0.0005", "-1.5e-07", "12", "inf", "nan"):
 * plain notation for decimal exponents -5 < X < 15, scientific otherwise.
 * Returns the length (excluding the terminator); needs size >= 32. */
int dtb__dtoa(char *buf, size_t size, double v);

#endif
