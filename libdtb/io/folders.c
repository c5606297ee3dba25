/* libdtb — creating result folders (folders.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "folders.h"

dtb_status dtb__make_folders(const char *path, const char *what)
{
    char *buf = dtb__strdup(path);
    if (!buf)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    for (char *p = buf + 1;; p++) {
        const int end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            st = dtb__error(DTB_EIO, "%s: cannot create folder '%s': %s", what, buf, strerror(errno));
            break;
        }
        if (end)
            break;
        *p = '/';
    }
    free(buf);
    return st;
}
