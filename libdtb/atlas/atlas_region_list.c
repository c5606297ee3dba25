/* libdtb — region lists as users write them: "A8m_*+3+A9l_L", 0-based
 * indices and label glob patterns joined by '+'; against an atlas also
 * lobe:GLOB, gyrus:GLOB and hemisphere:left|right. Shared by stimuli,
 * experiments (lesions, stimulus regions, sets) and reservoirs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_impl.h"
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

/* lobe:GLOB, gyrus:GLOB, hemisphere:left|right against the atlas' fields;
 * 0 when part has none of these prefixes. */
static int match_field(const dtb_atlas *a, const char *part, const char *what, unsigned char *hit,
                       dtb_status *st)
{
    static const char *const prefixes[] = {"lobe:", "gyrus:", "hemisphere:"};
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (strncmp(part, prefixes[i], strlen(prefixes[i])) == 0)
            which = i;
    if (which < 0)
        return 0;
    const char *value = part + strlen(prefixes[which]);
    int matched = 0;
    *st = DTB_OK;
    if (which == 2) {
        dtb_hemisphere h = !strcmp(value, "left") || !strcmp(value, "L") ? DTB_HEMISPHERE_LEFT
                           : !strcmp(value, "right") || !strcmp(value, "R") ? DTB_HEMISPHERE_RIGHT
                                                                           : DTB_HEMISPHERE_UNKNOWN;
        if (h == DTB_HEMISPHERE_UNKNOWN) {
            *st = dtb__error(DTB_EINVAL, "%s: '%s': the hemisphere is left or right", what, part);
            return 1;
        }
        for (int64_t k = 0; k < a->n; k++)
            if (a->hemispheres[k] == h)
                hit[k] = matched = 1;
    } else {
        char **field = which == 0 ? a->lobes : a->gyri;
        if (!field) {
            *st = dtb__error(DTB_EINVAL, "%s: '%s': atlas '%s' has no %s of its regions", what,
                             part, a->name, which == 0 ? "lobes" : "gyri");
            return 1;
        }
        for (int64_t k = 0; k < a->n; k++)
            if (field[k] && fnmatch(value, field[k], 0) == 0)
                hit[k] = matched = 1;
    }
    if (!matched)
        *st = dtb__error(DTB_ENOTFOUND, "%s: '%s' matches no region", what, part);
    return 1;
}

static dtb_status match_list(const dtb_atlas *atlas, const char *list, const char *const *labels,
                             int64_t n, const char *what, unsigned char *hit);

dtb_status dtb__region_list_match(const char *list, const char *const *labels, int64_t n,
                                  const char *what, unsigned char *hit)
{
    return match_list(NULL, list, labels, n, what, hit);
}

dtb_status dtb__atlas_region_list(const dtb_atlas *atlas, const char *list, const char *what,
                                  unsigned char *hit)
{
    return match_list(atlas, list, (const char *const *)atlas->labels, atlas->n, what, hit);
}

static dtb_status match_list(const dtb_atlas *atlas, const char *list, const char *const *labels,
                             int64_t n, const char *what, unsigned char *hit)
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
        dtb_status fst;
        if (atlas && match_field(atlas, part, what, hit, &fst)) {
            if (fst)
                return fst;
            matched = 1;
        } else if (all_digits(part, len)) {
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
