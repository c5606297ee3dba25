/* libdtb — reading an input file whole, within the input cap (base.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"

static dtb_status nul_byte(const char *path, const char *data, const char *nul, int text)
{
    size_t line = 1;
    for (const char *p = data; p < nul; p++)
        line += *p == '\n';
    return dtb__error(DTB_EPARSE, "%s:%zu: %s (is it a binary file or a device?)", path, line,
                      text == DTB__INPUT_XML ? "malformed XML: NUL byte" : "NUL byte in a text file");
}

static dtb_status too_large(const char *path)
{
    return dtb__error(DTB_EINVAL, "%s: larger than %zu MiB, the most libdtb reads from one input "
                                  "file", path, (size_t)(DTB__MAX_INPUT_BYTES >> 20));
}

dtb_status dtb__read_input(const char *path, int text, char **data_out, size_t *len_out)
{
    *data_out = NULL;
    *len_out = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        if (err == ENOENT)
            return dtb__error(DTB_ENOTFOUND, "%s: no such file", path);
        return dtb__error(DTB_EIO, "%s: cannot open: %s", path, strerror(err));
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || S_ISDIR(sb.st_mode)) {
        fclose(f);
        return dtb__error(DTB_EIO, "%s: is a folder, not a file", path);
    }
    int regular = S_ISREG(sb.st_mode);
    if (regular && (uint64_t)sb.st_size > DTB__MAX_INPUT_BYTES) {
        fclose(f);
        return too_large(path);
    }
    /* Room for the expected bytes, one probe byte that meets the end of
     * the file, and the NUL: a regular file takes one allocation. The loop
     * only grows the buffer for pipes, devices and files that grow while
     * read, and stops at the cap. */
    size_t cap = (regular && sb.st_size > 0 ? (size_t)sb.st_size : 4096) + 2, len = 0;
    char *data = dtb__malloc(cap);
    dtb_status st = data ? DTB_OK : DTB_ENOMEM;
    while (!st) {
        if (len + 1 == cap) {
            if (len > DTB__MAX_INPUT_BYTES) {
                st = too_large(path);
                break;
            }
            char *bigger = dtb__realloc_array(data, cap * 2, 1);
            if (!bigger) {
                st = DTB_ENOMEM;
                break;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + len, 1, cap - 1 - len, f);
        /* a text file's NUL shows in the first read of /dev/zero: no need
         * to read on to the cap */
        const char *nul = text && got ? memchr(data + len, '\0', got) : NULL;
        len += got;
        if (nul) {
            st = nul_byte(path, data, nul, text);
        } else if (got == 0) {
            if (ferror(f))
                st = dtb__error(DTB_EIO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!st && len > DTB__MAX_INPUT_BYTES)
        st = too_large(path);
    if (st) {
        free(data);
        return st;
    }
    data[len] = '\0';
    *data_out = data;
    *len_out = len;
    return DTB_OK;
}
