/* libdtb — what libdtb's own model elements (<RegionModel>, dtb-model(5);
 * <SpikingCell>, dtb-cell(5)) state of themselves, read one way: the
 * name, the ComponentType, the defaults, the description and the
 * reference; and their numeric attributes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

dtb_status dtb__lems_number_attr(xmlNodePtr node, const char *file, const char *name, double dflt,
                                 int finite, double *out)
{
    int oom = 0;
    char *v = dtb__lems_get_attr(node, name, &oom);
    if (oom)
        return DTB_ENOMEM;
    *out = dflt;
    if (!v)
        return DTB_OK;
    dtb_status st = DTB_OK;
    if (!dtb__parse_double(v, out) || isnan(*out) || (finite && !isfinite(*out)))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "%s='%s' is not a%s number", name, v,
                                finite ? " finite" : "");
    free(v);
    return st;
}

void dtb__lems_head_free(dtb__lems_head *h)
{
    free(h->name);
    free(h->type);
    free(h->defaults);
    free(h->description);
    free(h->reference);
}

dtb_status dtb__lems_read_head(const char *file, xmlNodePtr node, dtb__lems_head *h,
                               const void *earlier, size_t n_earlier, size_t stride)
{
    int oom = 0;
    h->at = dtb__lems_where_of(file, node);
    h->name = dtb__lems_get_attr(node, "name", &oom);
    h->type = dtb__lems_get_attr(node, "type", &oom);
    h->defaults = dtb__lems_get_attr(node, "defaults", &oom);
    h->description = dtb__lems_get_attr(node, "description", &oom);
    h->reference = dtb__lems_get_attr(node, "reference", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!h->name || !h->type)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'name' and 'type'");
    /* Each earlier element starts with its head (lems.h). */
    for (size_t i = 0; i < n_earlier; i++) {
        const dtb__lems_head *e = (const dtb__lems_head *)((const char *)earlier + i * stride);
        if (dtb__streq(e->name, h->name))
            return dtb__lems_error_at(DTB_EPARSE, file, node, "%s '%s' is declared twice (the "
                                                              "first on line %d)",
                                      (const char *)node->name, h->name, e->at.line);
    }
    return DTB_OK;
}
