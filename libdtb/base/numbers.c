/* libdtb — locale-independent number parsing and formatting.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * strtod/printf follow LC_NUMERIC, and a host program may run in a locale
 * with a decimal comma. libdtb never changes the process locale; it uses a
 * "C" locale object (created once, never freed) for its own conversions. */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "dtoa.h"

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

static locale_t get_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

double dtb__strtod(const char *s, char **end)
{
    locale_t loc = get_c_locale();
    if (loc)
        return strtod_l(s, end, loc);
    return strtod(s, end);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

int dtb__parse_double(const char *s, double *out)
{
    if (!s)
        return 0;
    while (is_space(*s))
        s++;
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    double v = dtb__strtod(s, &end);
    if (end == s)
        return 0;
    while (is_space(*end))
        end++;
    if (*end)
        return 0;
    *out = v;
    return 1;
}

int dtb__parse_int64(const char *s, int64_t *out)
{
    if (!s)
        return 0;
    while (is_space(*s))
        s++;
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno == ERANGE)
        return 0;
    while (is_space(*end))
        end++;
    if (*end)
        return 0;
    *out = (int64_t)v;
    return 1;
}

void dtb__locale_push_c(dtb__locale_guard *g)
{
    locale_t loc = get_c_locale();
    g->previous = loc ? (void *)uselocale(loc) : NULL;
}

void dtb__locale_pop(dtb__locale_guard *g)
{
    if (g->previous)
        uselocale((locale_t)g->previous);
    g->previous = NULL;
}

int dtb__snprintf_c(char *buf, size_t size, const char *fmt, ...)
{
    dtb__locale_guard g;
    dtb__locale_push_c(&g);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    dtb__locale_pop(&g);
    return n;
}

/* Shortest (or nearly) text that reads back to exactly v: see dtoa.h.
 * Locale-independent (no printf). */
int dtb__format_double(char *buf, size_t size, double v) { return dtb__dtoa(buf, size, v); }

int dtb__streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

int dtb__has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void dtb__json_string(void *file, const char *s)
{
    FILE *f = file;
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
