/* libdtb — the checkpoint walker (ckpt.h): one field at a time, saved,
 * checked or restored by the walker's mode.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "ckpt.h"

void dtb__ckpt_save_begin(dtb__ckpt *w)
{
    memset(w, 0, sizeof *w);
    w->mode = DTB__CKPT_SAVE;
}

void dtb__ckpt_read_begin(dtb__ckpt *w, dtb__ckpt_mode mode, const void *data, size_t len,
                          size_t pos)
{
    memset(w, 0, sizeof *w);
    w->mode = mode;
    w->data = (unsigned char *)data;   /* only read when reading */
    w->len = len;
    w->pos = pos;
}

void dtb__ckpt_free(dtb__ckpt *w)
{
    if (w->mode == DTB__CKPT_SAVE)
        free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
}

/* ----------------------------------------------------------- failures */

static void vfail(dtb__ckpt *w, dtb_status st, const char *fmt, va_list ap)
{
    if (w->status)
        return;
    w->status = st;
    size_t n = strlen(w->scope);
    memcpy(w->why, w->scope, n + 1);
    vsnprintf(w->why + n, sizeof w->why - n, fmt, ap);
    dtb__error(st, "checkpoint: %s", w->why);
}

static void failf(dtb__ckpt *w, dtb_status st, const char *fmt, ...) DTB__PRINTF(3, 4);
static void failf(dtb__ckpt *w, dtb_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(w, st, fmt, ap);
    va_end(ap);
}

void dtb__ckpt_differs(dtb__ckpt *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(w, DTB_EINVAL, fmt, ap);
    va_end(ap);
}

void dtb__ckpt_damaged(dtb__ckpt *w, const char *what)
{
    failf(w, DTB_EPARSE, "%s is not valid", what);
}

void dtb__ckpt_fail(dtb__ckpt *w, dtb_status st)
{
    if (!w->status && st) {
        w->status = st;
        w->why[0] = '\0';
    }
}

size_t dtb__ckpt_enter(dtb__ckpt *w, const char *fmt, ...)
{
    size_t mark = strlen(w->scope);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->scope + mark, sizeof w->scope - mark, fmt, ap);
    va_end(ap);
    return mark;
}

void dtb__ckpt_leave(dtb__ckpt *w, size_t mark)
{
    if (mark < sizeof w->scope)
        w->scope[mark] = '\0';
}

/* ------------------------------------------------------------- bytes */

void dtb__ckpt_put(dtb__ckpt *w, const void *p, size_t n)
{
    if (w->status)
        return;
    if (n > w->cap - w->len) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap - w->len < n)
            cap *= 2;
        unsigned char *d = realloc(w->data, cap);
        if (!d) {
            failf(w, DTB_ENOMEM, "out of memory building a %zu-byte file", cap);
            return;
        }
        w->data = d;
        w->cap = cap;
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void put_u64(dtb__ckpt *w, uint64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    dtb__ckpt_put(w, le, 8);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The file ends before the field (named). */
static void truncated(dtb__ckpt *w, const char *what)
{
    failf(w, DTB_EPARSE, "%s: the file ends there", what);
}

/* The next n bytes of the file, or NULL when it ends before them. */
static const unsigned char *next(dtb__ckpt *w, const char *what, size_t n)
{
    if (w->status)
        return NULL;
    if (w->len - w->pos < n) {
        truncated(w, what);
        return NULL;
    }
    const unsigned char *p = w->data + w->pos;
    w->pos += n;
    return p;
}

/* n 8-byte words: saved from v, or read (into v unless it is NULL). The
 * bits of an int64_t, a uint64_t or a double, copied whole, are the word:
 * one loop for every field type. */
static void words(dtb__ckpt *w, const char *what, void *v, size_t n)
{
    unsigned char *bytes = v;
    uint64_t u;
    if (w->status)
        return;
    if (w->mode == DTB__CKPT_SAVE) {
        for (size_t i = 0; i < n; i++) {
            memcpy(&u, bytes + 8 * i, 8);
            put_u64(w, u);
        }
        return;
    }
    if (n > (w->len - w->pos) / 8) {
        truncated(w, what);
        return;
    }
    const unsigned char *p = next(w, what, 8 * n);
    for (size_t i = 0; bytes && i < n; i++) {
        u = get_u64(p + 8 * i);
        memcpy(bytes + 8 * i, &u, 8);
    }
}

/* Component fields are stored in RESTORE only, and never into NULL. */
static void *dest(const dtb__ckpt *w, void *v)
{
    return w->mode == DTB__CKPT_CHECK ? NULL : v;
}

void dtb__ckpt_u64s(dtb__ckpt *w, const char *what, uint64_t *v, size_t n)
{
    words(w, what, dest(w, v), n);
}

void dtb__ckpt_i64s(dtb__ckpt *w, const char *what, int64_t *v, size_t n)
{
    words(w, what, dest(w, v), n);
}

void dtb__ckpt_f64s(dtb__ckpt *w, const char *what, double *v, size_t n)
{
    words(w, what, dest(w, v), n);
}

void dtb__ckpt_i64(dtb__ckpt *w, const char *what, int64_t *v) { dtb__ckpt_i64s(w, what, v, 1); }
void dtb__ckpt_f64(dtb__ckpt *w, const char *what, double *v) { dtb__ckpt_f64s(w, what, v, 1); }

/* ------------------------------------------------------ taken values */

uint64_t dtb__ckpt_take(dtb__ckpt *w, const char *what, uint64_t mine, uint64_t max)
{
    uint64_t v = mine;
    words(w, what, &v, 1);
    if (w->status)
        return 0;
    if (w->mode != DTB__CKPT_SAVE && v > max) {
        failf(w, DTB_EPARSE, "%s is out of range (%llu, at most %llu)", what, (unsigned long long)v,
              (unsigned long long)max);
        return 0;
    }
    return v;
}

double dtb__ckpt_take_f64(dtb__ckpt *w, const char *what, double mine)
{
    double v = mine;
    words(w, what, &v, 1);
    return w->status ? 0.0 : v;
}

uint64_t dtb__ckpt_count(dtb__ckpt *w, const char *what, uint64_t mine, size_t item_bytes)
{
    uint64_t v = dtb__ckpt_take(w, what, mine, UINT64_MAX);
    if (w->mode != DTB__CKPT_SAVE && v > (w->len - w->pos) / (item_bytes ? item_bytes : 1)) {
        truncated(w, what);
        return 0;
    }
    return v;
}

const char *dtb__ckpt_take_str(dtb__ckpt *w, const char *what, const char *mine, size_t *n)
{
    const char *s = mine ? mine : "";
    uint64_t len = dtb__ckpt_take(w, what, strlen(s), SIZE_MAX);
    if (w->mode == DTB__CKPT_SAVE)
        dtb__ckpt_put(w, s, (size_t)len);
    else
        s = (const char *)next(w, what, (size_t)len);
    *n = w->status ? 0 : (size_t)len;
    return w->status ? "" : s;
}

int dtb__ckpt_same_str(dtb__ckpt *w, const char *what, const char *mine)
{
    size_t n;
    const char *s = dtb__ckpt_take_str(w, what, mine, &n);
    return !w->status && n == strlen(mine) && memcmp(s, mine, n) == 0;
}

void dtb__ckpt_stage_str(dtb__ckpt *w, const char *what, char **staged, const char *mine)
{
    size_t n;
    const char *s = dtb__ckpt_take_str(w, what, mine, &n);
    if (!dtb__ckpt_checking(w) || !staged)
        return;
    free(*staged);
    if (!(*staged = dtb__strndup(s, n)))
        dtb__ckpt_fail(w, DTB_ENOMEM);
}

void dtb__ckpt_stage_f64s(dtb__ckpt *w, const char *what, double **staged, const double *mine,
                          size_t n)
{
    if (!dtb__ckpt_checking(w) || !staged) {
        words(w, what, w->mode == DTB__CKPT_SAVE ? (double *)mine : NULL, n);   /* never stored into */
        return;
    }
    if (n > (w->len - w->pos) / 8) {   /* before the allocation */
        truncated(w, what);
        return;
    }
    free(*staged);
    if (!(*staged = dtb__malloc_array(n ? n : 1, sizeof **staged)))
        dtb__ckpt_fail(w, DTB_ENOMEM);
    words(w, what, *staged, n);
}

/* ------------------------------------------------------- fingerprints */

int dtb__ckpt_fixed(dtb__ckpt *w, const char *what, uint64_t mine)
{
    uint64_t v = dtb__ckpt_take(w, what, mine, UINT64_MAX);
    if (!w->status && v != mine)
        failf(w, DTB_EINVAL, "%s differs (file %llu, simulation %llu)", what, (unsigned long long)v,
              (unsigned long long)mine);
    return !w->status;
}

int dtb__ckpt_fixed_str(dtb__ckpt *w, const char *what, const char *mine)
{
    size_t n;
    const char *s = dtb__ckpt_take_str(w, what, mine, &n);
    if (!w->status && (n != strlen(mine) || memcmp(s, mine, n) != 0))
        failf(w, DTB_EINVAL, "%s differs (file '%.*s', simulation '%s')", what,
              (int)(n < 200 ? n : 200), s, mine);
    return !w->status;
}

uint64_t dtb__fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
