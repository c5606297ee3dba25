/* libdtb — region lists as users write them: "A8m_*+3+A9l_L", 0-based
 * indices and label glob patterns joined by '+'. Shared by stimuli and
 * experiments (lesions, stimulus regions).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_internal.h"
#include "base/base.h"

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

dtb_status dtb__region_list_match(const char *list, const char *const *labels, int64_t n,
                                  const char *what, unsigned char *hit)
{
    const char *p = list;
    while (1) {
        size_t len = strcspn(p, "+");
        char part[256];
        if (!len || len >= sizeof part)
            return dtb__error(DTB_EINVAL, "%s: bad region list '%s' (indices or label patterns "
                                          "joined by '+')", what, list);
        memcpy(part, p, len);
        part[len] = '\0';
        int matched = 0;
        if (all_digits(part, len)) {
            int64_t k = strtoll(part, NULL, 10);
            if (k >= n)
                return dtb__error(DTB_EINVAL, "%s: region index %lld is out of range (the atlas "
                                              "has %lld regions)", what, (long long)k, (long long)n);
            hit[k] = matched = 1;
        } else {
            for (int64_t k = 0; k < n; k++)
                if (labels[k] && fnmatch(part, labels[k], 0) == 0)
                    hit[k] = matched = 1;
        }
        if (!matched)
            return dtb__error(DTB_ENOTFOUND, "%s: '%s' matches no region label", what, part);
        p += len;
        if (!*p)
            return DTB_OK;
        p++;
    }
}
