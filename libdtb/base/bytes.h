/* libdtb internal — a growable byte buffer for binary files (checkpoints)
 * and a reader over one, both with fixed little-endian layout.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BYTES_H
#define DTB_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

typedef struct dtb__bytes {
    unsigned char *data;
    size_t len, cap;
    int failed;          /* an allocation failed; later writes do nothing */
} dtb__bytes;

void dtb__bytes_put(dtb__bytes *b, const void *p, size_t n);
void dtb__bytes_u32(dtb__bytes *b, uint32_t v);
void dtb__bytes_u64(dtb__bytes *b, uint64_t v);
void dtb__bytes_i64(dtb__bytes *b, int64_t v);
void dtb__bytes_f64(dtb__bytes *b, double v);
void dtb__bytes_f64s(dtb__bytes *b, const double *v, size_t n);
void dtb__bytes_str(dtb__bytes *b, const char *s);
void dtb__bytes_free(dtb__bytes *b);

/* Reading: every getter fails (returns 0, sets `bad`) past the end, so a
 * truncated file is detected wherever it ends. */
typedef struct dtb__reader {
    const unsigned char *data;
    size_t len, pos;
    int bad;
} dtb__reader;

int dtb__read_u32(dtb__reader *r, uint32_t *v);
int dtb__read_u64(dtb__reader *r, uint64_t *v);
int dtb__read_i64(dtb__reader *r, int64_t *v);
int dtb__read_f64(dtb__reader *r, double *v);
int dtb__read_f64s(dtb__reader *r, double *v, size_t n);
/* A string into a caller buffer (truncation counts as bad). */
int dtb__read_str(dtb__reader *r, char *buf, size_t size);
/* A string of any length in place: *s points into the data (not
 * NUL-terminated), *n is its length. Names and expressions have no length
 * limit, so a checkpoint must not impose one on them. */
int dtb__read_strview(dtb__reader *r, const char **s, size_t *n);
/* Whether the next string is `want` (consumed either way; 0 when bad). */
int dtb__read_str_is(dtb__reader *r, const char *want);
/* A malloc'd copy of the next string; NULL (and bad) when it is truncated
 * or memory runs out. */
char *dtb__read_str_dup(dtb__reader *r);

/* FNV-1a, 64 bits: a checksum over a byte range. */
uint64_t dtb__fnv1a(const void *data, size_t n);

#endif
