/* libdtb internal — one column of values from a text table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_TEXT_COLUMN_H
#define DTB_TEXT_COLUMN_H

#include <stddef.h>

#include "dtb/dtb_common.h"

/* Read the column named `name` of a CSV/text table whose first line is a
 * header, or the only column of a table without a header (a first line
 * that is all numbers is data). *values is malloc'd (n_out values). */
dtb_status dtb__read_column(const char *path, const char *name, double **values, size_t *n_out);

#endif
