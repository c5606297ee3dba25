/* libdtb — binary buffers with a fixed little-endian layout.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "bytes.h"

void dtb__bytes_put(dtb__bytes *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            dtb__error(DTB_ENOMEM, "out of memory building a %zu-byte file", cap);
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void dtb__bytes_u64(dtb__bytes *b, uint64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    dtb__bytes_put(b, le, 8);
}

void dtb__bytes_u32(dtb__bytes *b, uint32_t v) { dtb__bytes_u64(b, v); }
void dtb__bytes_i64(dtb__bytes *b, int64_t v) { dtb__bytes_u64(b, (uint64_t)v); }

void dtb__bytes_f64(dtb__bytes *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    dtb__bytes_u64(b, u);
}

void dtb__bytes_f64s(dtb__bytes *b, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__bytes_f64(b, v[i]);
}

void dtb__bytes_str(dtb__bytes *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    dtb__bytes_u64(b, n);
    dtb__bytes_put(b, s ? s : "", n);
}

void dtb__bytes_free(dtb__bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int dtb__read_u64(dtb__reader *r, uint64_t *v)
{
    if (r->bad || r->len - r->pos < 8) {
        r->bad = 1;
        *v = 0;
        return 0;
    }
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)r->data[r->pos + (size_t)i] << (8 * i);
    r->pos += 8;
    *v = x;
    return 1;
}

int dtb__read_u32(dtb__reader *r, uint32_t *v)
{
    uint64_t x;
    int ok = dtb__read_u64(r, &x) && x <= UINT32_MAX;
    r->bad |= !ok;
    *v = ok ? (uint32_t)x : 0;
    return ok;
}

int dtb__read_i64(dtb__reader *r, int64_t *v)
{
    uint64_t x;
    int ok = dtb__read_u64(r, &x);
    *v = (int64_t)x;
    return ok;
}

int dtb__read_f64(dtb__reader *r, double *v)
{
    uint64_t x;
    int ok = dtb__read_u64(r, &x);
    memcpy(v, &x, 8);
    return ok;
}

int dtb__read_f64s(dtb__reader *r, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!dtb__read_f64(r, &v[i]))
            return 0;
    return 1;
}

int dtb__read_str(dtb__reader *r, char *buf, size_t size)
{
    uint64_t n;
    if (!dtb__read_u64(r, &n) || n >= size || r->len - r->pos < n) {
        r->bad = 1;
        if (size)
            buf[0] = '\0';
        return 0;
    }
    memcpy(buf, r->data + r->pos, (size_t)n);
    buf[n] = '\0';
    r->pos += (size_t)n;
    return 1;
}

int dtb__read_strview(dtb__reader *r, const char **s, size_t *n)
{
    uint64_t len;
    if (!dtb__read_u64(r, &len) || r->len - r->pos < len) {
        r->bad = 1;
        *s = "";
        *n = 0;
        return 0;
    }
    *s = (const char *)r->data + r->pos;
    *n = (size_t)len;
    r->pos += (size_t)len;
    return 1;
}

int dtb__read_str_is(dtb__reader *r, const char *want)
{
    const char *s;
    size_t n;
    return dtb__read_strview(r, &s, &n) && n == strlen(want) && memcmp(s, want, n) == 0;
}

char *dtb__read_str_dup(dtb__reader *r)
{
    const char *s;
    size_t n;
    if (!dtb__read_strview(r, &s, &n))
        return NULL;
    char *copy = dtb__strndup(s, n);
    if (!copy)
        r->bad = 1;
    return copy;
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
