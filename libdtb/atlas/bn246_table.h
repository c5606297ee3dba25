/* libdtb internal — the built-in Brainnetome region table (bn246_table.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BN246_TABLE_H
#define DTB_BN246_TABLE_H

#include <stdint.h>

#define DTB__BN246_REGIONS 246

typedef struct dtb__bn246_region {
    const char *label;      /* official short name, e.g. "A8m_L" */
    char hemisphere;        /* 'L' or 'R' */
    const char *lobe;       /* "Frontal", ..., "Subcortical Nuclei" */
    const char *gyrus;      /* gyrus abbreviation, e.g. "SFG" */
    int16_t x, y, z;        /* official MNI centre, integer mm */
} dtb__bn246_region;

extern const dtb__bn246_region dtb__bn246_table[DTB__BN246_REGIONS];

#endif /* DTB_BN246_TABLE_H */
