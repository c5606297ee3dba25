/* libdtb — values of settings with units (values.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "base/units.h"
#include "values.h"

int dtb__value_number(const char *text, double *out)
{
    return text && dtb__parse_double(text, out) && isfinite(*out);
}

/* A number with an optional unit of dimension dim; a bare number is
 * multiplied by bare_scale. */
static int parse_with_unit(const char *text, dtb__dim dim, double bare_scale, double *si)
{
    double x;
    const char *unit;
    if (!text || !dtb__quantity_split(text, &x, &unit) || !isfinite(x))
        return 0;
    char sym[32];
    size_t n = strcspn(unit, " \t");
    if (n >= sizeof sym || unit[n + strspn(unit + n, " \t")])
        return 0;
    memcpy(sym, unit, n);
    sym[n] = '\0';
    if (!sym[0]) {
        *si = x * bare_scale;
        return 1;
    }
    const dtb__unit *u = dtb__unit_builtin(sym);
    if (!u || !dtb__dim_eq(u->dim, dim))
        return 0;
    *si = x * u->scale + u->offset;
    return 1;
}

int dtb__value_time(const char *text, double *seconds)
{
    static const dtb__dim time = {{0, 0, 1, 0, 0, 0, 0}};
    return parse_with_unit(text, time, 1e-3, seconds);
}

int dtb__value_frequency(const char *text, double *hz)
{
    static const dtb__dim per_time = {{0, 0, -1, 0, 0, 0, 0}};
    return parse_with_unit(text, per_time, 1.0, hz);
}

int dtb__value_speed(const char *text, double *m_per_s)
{
    static const dtb__dim speed = {{0, 1, -1, 0, 0, 0, 0}};
    if (text && (strcmp(text, "inf") == 0 || strcmp(text, "infinity") == 0)) {
        *m_per_s = INFINITY;
        return 1;
    }
    if (text && dtb__has_suffix(text, "m/s")) {
        char buf[64];
        size_t n = strlen(text) - 3;
        if (n >= sizeof buf)
            return 0;
        memcpy(buf, text, n);
        buf[n] = '\0';
        return parse_with_unit(buf, speed, 1.0, m_per_s) && *m_per_s > 0;
    }
    return parse_with_unit(text, speed, 1.0, m_per_s) && *m_per_s > 0;
}
