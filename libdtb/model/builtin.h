/* libdtb internal — built-in model descriptors compiled into the library.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BUILTIN_H
#define DTB_BUILTIN_H

#include <stddef.h>

typedef struct dtb__builtin_model {
    const char *name;   /* snake_case, equals the RegionModel name */
    const char *xml;
    size_t len;
} dtb__builtin_model;

extern const dtb__builtin_model dtb__builtin_models[];
extern const size_t dtb__n_builtin_models;

#endif
