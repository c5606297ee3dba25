/* libdtb — run-time version and feature queries.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "base.h"
#include "dtb/dtb_version.h"

uint32_t dtb_version_number(void) { return (uint32_t)DTB_VERSION_NUMBER; }

const char *dtb_version_string(void) { return DTB_VERSION_STRING; }

int32_t dtb_has_feature(const char *name)
{
    static const char *const features[] = {"gsl", "libxml2", "npy", "csv", "tvb-float32-coupling"};
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        if (strcmp(name, features[i]) == 0)
            return 1;
    return 0;
}
