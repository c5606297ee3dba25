/* libdtb — the registry of built-in atlases.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "dtb/dtb_atlas.h"

typedef struct builtin_atlas {
    const char *name;
    dtb_status (*create)(dtb_atlas **out);
} builtin_atlas;

static const builtin_atlas builtins[] = {
    {"bn246", dtb__atlas_create_bn246},
    {"bn246-opendtb", dtb__atlas_create_bn246_opendtb},
};

#define BUILTIN_COUNT ((int64_t)(sizeof builtins / sizeof builtins[0]))

int64_t dtb_atlas_builtin_count(void) { return BUILTIN_COUNT; }

const char *dtb_atlas_builtin_name(int64_t index)
{
    return index >= 0 && index < BUILTIN_COUNT ? builtins[index].name : NULL;
}

dtb_status dtb_atlas_create_builtin(dtb_atlas **out, const char *name)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_create_builtin: out is NULL");
    *out = NULL;
    if (!name)
        return dtb__error(DTB_EINVAL, "dtb_atlas_create_builtin: name is NULL");
    for (int64_t i = 0; i < BUILTIN_COUNT; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].create(out);
    dtb__strbuf known = {0};
    for (int64_t i = 0; i < BUILTIN_COUNT; i++)
        dtb__strbuf_printf(&known, "%s%s", i ? ", " : "", builtins[i].name);
    dtb_status s = dtb__error(DTB_ENOTFOUND, "no built-in atlas named '%s' (built-in atlases: %s)", name,
                              known.data ? known.data : "");
    dtb__strbuf_free(&known);
    return s;
}
