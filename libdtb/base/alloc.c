/* libdtb — allocation helpers that report failures through the error slot.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

static void *oom(size_t size)
{
    dtb__error(DTB_ENOMEM, "out of memory allocating %zu bytes", size);
    return NULL;
}

void *dtb__malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    return p ? p : oom(size);
}

void *dtb__calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return oom(SIZE_MAX);
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : oom(n * size);
}

void *dtb__malloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return oom(SIZE_MAX);
    return dtb__malloc(n * size);
}

void *dtb__realloc_array(void *ptr, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return oom(SIZE_MAX);
    void *p = realloc(ptr, (n * size) != 0 ? n * size : 1);
    return p ? p : oom(n * size);
}

char *dtb__strdup(const char *s)
{
    return dtb__strndup(s ? s : "", s ? strlen(s) : 0);
}

char *dtb__strndup(const char *s, size_t n)
{
    char *p = dtb__malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *dtb__asprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? dtb__malloc((size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void dtb_free(void *ptr) { free(ptr); }

static int strbuf_reserve(dtb__strbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        oom(cap);
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void dtb__strbuf_appendn(dtb__strbuf *b, const char *s, size_t n)
{
    if (!strbuf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dtb__strbuf_append(dtb__strbuf *b, const char *s) { dtb__strbuf_appendn(b, s, strlen(s)); }

void dtb__strbuf_printf(dtb__strbuf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && strbuf_reserve(b, (size_t)n)) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void dtb__strbuf_free(dtb__strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
