/* libdtb internal — SHA-256 (FIPS 180-4), for the checksums of a run's
 * inputs in its provenance record: anyone can check them with sha256sum.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SHA256_H
#define DTB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

typedef struct dtb__sha256 {
    uint32_t h[8];
    uint64_t length;          /* bytes hashed so far */
    unsigned char block[64];
    size_t used;              /* bytes waiting in block */
} dtb__sha256;

void dtb__sha256_init(dtb__sha256 *s);
void dtb__sha256_update(dtb__sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hexadecimal digits and a terminator. */
void dtb__sha256_hex(dtb__sha256 *s, char hex[65]);

/* SHA-256 of a whole file, as hex; DTB_EIO (naming the file) if it cannot
 * be read. */
dtb_status dtb__sha256_file(const char *path, char hex[65]);

#endif
