/* libdtb internal — creating result folders.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_IO_FOLDERS_H
#define DTB_IO_FOLDERS_H

#include "dtb/dtb_common.h"

/* mkdir -p: path and every missing folder above it. An error names the
 * folder that could not be made, after `what` ("out", ...). */
dtb_status dtb__make_folders(const char *path, const char *what);

#endif
