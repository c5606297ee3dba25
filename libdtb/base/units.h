/* libdtb internal — physical dimensions, units and quantity strings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_UNITS_H
#define DTB_UNITS_H

#include <stdint.h>

/* Exponents of the SI base dimensions, in LEMS order:
 * mass, length, time, current, temperature, amount, luminous intensity. */
typedef struct dtb__dim {
    int8_t e[7];
} dtb__dim;

#define DTB__DIM_NONE ((dtb__dim){{0, 0, 0, 0, 0, 0, 0}})

int dtb__dim_eq(dtb__dim a, dtb__dim b);
dtb__dim dtb__dim_mul(dtb__dim a, dtb__dim b);
dtb__dim dtb__dim_div(dtb__dim a, dtb__dim b);
int dtb__dim_is_none(dtb__dim a);
/* "m^1 l^2 t^-3" style text, "none" for dimensionless. */
void dtb__dim_format(dtb__dim d, char *buf, unsigned size);

/* A unit: SI value = number * scale + offset. */
typedef struct dtb__unit {
    const char *symbol;
    dtb__dim dim;
    double scale;
    double offset;
} dtb__unit;

/* Units known without any document (SI prefixes of s, Hz, V, A, S, F, m,
 * mol/m^3, K, degC, ohm). NULL if unknown. */
const dtb__unit *dtb__unit_builtin(const char *symbol);

/* Split a quantity string "-65mV", "0.1 ms", "1e-3", ".5" into its number
 * and the unit symbol that follows (spaces around are skipped; *unit_out
 * points into s and is "" when there is no unit). Returns 0 if s does not
 * start with a number. "2e" is 2 with unit "e"; "2e-3" is 0.002. */
int dtb__quantity_split(const char *s, double *number_out, const char **unit_out);

#endif /* DTB_UNITS_H */
