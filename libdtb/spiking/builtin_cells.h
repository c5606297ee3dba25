/* libdtb internal — the built-in spiking cells' descriptors (builtin/NAME.xml),
 * compiled into the library by embed_xml.py in the order of their build
 * lines (libdtb/spiking/meson.build). Read by the registry
 * (spiking_registry.c), never directly.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BUILTIN_CELLS_H
#define DTB_BUILTIN_CELLS_H

#include <stddef.h>

typedef struct dtb__builtin_cell {
    const char *name;   /* the SpikingCell's name, also the file's base name */
    const char *xml;
    size_t len;
} dtb__builtin_cell;

extern const dtb__builtin_cell dtb__builtin_cells[];
extern const size_t dtb__n_builtin_cells;

#endif
