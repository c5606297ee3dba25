/* libdtb — dimensions, built-in units and quantity strings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "units.h"

int dtb__dim_eq(dtb__dim a, dtb__dim b) { return memcmp(a.e, b.e, sizeof a.e) == 0; }

dtb__dim dtb__dim_mul(dtb__dim a, dtb__dim b)
{
    for (int i = 0; i < 7; i++)
        a.e[i] = (int8_t)(a.e[i] + b.e[i]);
    return a;
}

dtb__dim dtb__dim_div(dtb__dim a, dtb__dim b)
{
    for (int i = 0; i < 7; i++)
        a.e[i] = (int8_t)(a.e[i] - b.e[i]);
    return a;
}

int dtb__dim_is_none(dtb__dim a) { return dtb__dim_eq(a, DTB__DIM_NONE); }

void dtb__dim_format(dtb__dim d, char *buf, unsigned size)
{
    static const char names[7] = {'m', 'l', 't', 'i', 'k', 'n', 'j'};
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < 7; i++) {
        if (!d.e[i])
            continue;
        int n = snprintf(buf + used, size - used, "%s%c^%d", used ? " " : "", names[i], d.e[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, size, "none");
}

/*                                    m  l  t  i  k  n  j */
#define D(m, l, t, i, k, n, j) {{m, l, t, i, k, n, j}}
static const dtb__unit builtin_units[] = {
    {"s", D(0, 0, 1, 0, 0, 0, 0), 1.0, 0},
    {"ms", D(0, 0, 1, 0, 0, 0, 0), 1e-3, 0},
    {"us", D(0, 0, 1, 0, 0, 0, 0), 1e-6, 0},
    {"min", D(0, 0, 1, 0, 0, 0, 0), 60.0, 0},
    {"hour", D(0, 0, 1, 0, 0, 0, 0), 3600.0, 0},
    {"Hz", D(0, 0, -1, 0, 0, 0, 0), 1.0, 0},
    {"kHz", D(0, 0, -1, 0, 0, 0, 0), 1e3, 0},
    {"per_s", D(0, 0, -1, 0, 0, 0, 0), 1.0, 0},
    {"per_ms", D(0, 0, -1, 0, 0, 0, 0), 1e3, 0},
    {"V", D(1, 2, -3, -1, 0, 0, 0), 1.0, 0},
    {"mV", D(1, 2, -3, -1, 0, 0, 0), 1e-3, 0},
    {"uV", D(1, 2, -3, -1, 0, 0, 0), 1e-6, 0},
    {"A", D(0, 0, 0, 1, 0, 0, 0), 1.0, 0},
    {"mA", D(0, 0, 0, 1, 0, 0, 0), 1e-3, 0},
    {"uA", D(0, 0, 0, 1, 0, 0, 0), 1e-6, 0},
    {"nA", D(0, 0, 0, 1, 0, 0, 0), 1e-9, 0},
    {"pA", D(0, 0, 0, 1, 0, 0, 0), 1e-12, 0},
    {"S", D(-1, -2, 3, 2, 0, 0, 0), 1.0, 0},
    {"mS", D(-1, -2, 3, 2, 0, 0, 0), 1e-3, 0},
    {"uS", D(-1, -2, 3, 2, 0, 0, 0), 1e-6, 0},
    {"nS", D(-1, -2, 3, 2, 0, 0, 0), 1e-9, 0},
    {"pS", D(-1, -2, 3, 2, 0, 0, 0), 1e-12, 0},
    {"F", D(-1, -2, 4, 2, 0, 0, 0), 1.0, 0},
    {"uF", D(-1, -2, 4, 2, 0, 0, 0), 1e-6, 0},
    {"nF", D(-1, -2, 4, 2, 0, 0, 0), 1e-9, 0},
    {"pF", D(-1, -2, 4, 2, 0, 0, 0), 1e-12, 0},
    {"ohm", D(1, 2, -3, -2, 0, 0, 0), 1.0, 0},
    {"kohm", D(1, 2, -3, -2, 0, 0, 0), 1e3, 0},
    {"Mohm", D(1, 2, -3, -2, 0, 0, 0), 1e6, 0},
    {"m", D(0, 1, 0, 0, 0, 0, 0), 1.0, 0},
    {"cm", D(0, 1, 0, 0, 0, 0, 0), 1e-2, 0},
    {"mm", D(0, 1, 0, 0, 0, 0, 0), 1e-3, 0},
    {"um", D(0, 1, 0, 0, 0, 0, 0), 1e-6, 0},
    {"m_per_s", D(0, 1, -1, 0, 0, 0, 0), 1.0, 0},
    {"mol_per_m3", D(0, -3, 0, 0, 0, 1, 0), 1.0, 0},
    {"mM", D(0, -3, 0, 0, 0, 1, 0), 1.0, 0},
    {"K", D(0, 0, 0, 0, 1, 0, 0), 1.0, 0},
    {"degC", D(0, 0, 0, 0, 1, 0, 0), 1.0, 273.15},
};
#undef D

const dtb__unit *dtb__unit_builtin(const char *symbol)
{
    if (!symbol)
        return NULL;
    for (size_t i = 0; i < sizeof builtin_units / sizeof builtin_units[0]; i++)
        if (strcmp(builtin_units[i].symbol, symbol) == 0)
            return &builtin_units[i];
    return NULL;
}

int dtb__quantity_split(const char *s, double *number_out, const char **unit_out)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *start = p;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (!digits)
        return 0;
    /* An exponent only when digits follow: "2e" is 2 elementary charges. */
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '+' || *q == '-')
            q++;
        if (isdigit((unsigned char)*q)) {
            while (isdigit((unsigned char)*q))
                q++;
            p = q;
        }
    }
    char tmp[128];
    size_t n = (size_t)(p - start);
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, start, n);
    tmp[n] = '\0';
    double v;
    if (!dtb__parse_double(tmp, &v))
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    /* trailing spaces after the unit are not part of it */
    *number_out = v;
    *unit_out = p;
    return 1;
}
