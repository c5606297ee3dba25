/* libdtb internal — a user-defined coupling function read from XML.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_COUPLING_FILE_H
#define DTB_COUPLING_FILE_H

#include <stddef.h>

#include "dtb/dtb_common.h"

#define DTB__COUPLING_FILE_MAX 8

typedef struct dtb__coupling_file {
    char *pre, *post;
    char *names[DTB__COUPLING_FILE_MAX];
    double values[DTB__COUPLING_FILE_MAX];
    size_t n_params;
    int line;            /* of the <CouplingFunction> element */
} dtb__coupling_file;

dtb_status dtb__coupling_file_read(const char *path, dtb__coupling_file *cf);
void dtb__coupling_file_free(dtb__coupling_file *cf);

#endif
