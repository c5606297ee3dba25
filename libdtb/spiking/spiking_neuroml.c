/* libdtb — projections read from a NeuroML2 <projection>.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A projection lists its synapses as <connection> or <connectionWD>
 * elements whose preCellId / postCellId name a cell of a population as
 * "../pop/ID/component", "../pop[ID]" or a bare "ID"; connectionWD adds a
 * weight (a number) and a delay (a time with its unit, "2ms"). */
#include <errno.h>
#include <libxml/parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spiking.h"   /* first: base.h before the LEMS reader's header */
#include "base/units.h"
#include "lems/lems_private.h"

/* The cell index in a NeuroML cell id; -1 if there is none. */
static int64_t cell_index(const char *id)
{
    const char *p = strchr(id, '[');
    if (!p) {
        /* "../pop/ID/comp": the first path part made only of digits */
        for (p = id; *p;) {
            size_t len = strcspn(p, "/");
            if (len && strspn(p, "0123456789") == len)
                break;
            p += len;
            p += *p == '/';
        }
        if (!*p)
            return -1;
    } else {
        p++;
    }
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (end == p || errno || v < 0 || (*end && *end != ']' && *end != '/'))
        return -1;
    return v;
}

/* A delay attribute in seconds ("2ms", "0.002 s", "0"). */
static int delay_seconds(const char *text, double *out)
{
    double v;
    const char *unit;
    if (!dtb__quantity_split(text, &v, &unit))
        return 0;
    if (!*unit) {
        *out = v;   /* a bare number: seconds, the SI unit */
        return 1;
    }
    const dtb__unit *u = dtb__unit_builtin(unit);
    if (!u || !dtb__dim_eq(u->dim, (dtb__dim){{0, 0, 1, 0, 0, 0, 0}}))
        return 0;
    *out = v * u->scale + u->offset;
    return 1;
}

static xmlNodePtr find_projection(xmlNodePtr node, const char *id, int *count, xmlNodePtr *first)
{
    for (xmlNodePtr c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(c, "projection")) {
            (*count)++;
            if (!*first)
                *first = c;
            xmlChar *pid = xmlGetProp(c, (const xmlChar *)"id");
            int match = id && pid && strcmp((const char *)pid, id) == 0;
            xmlFree(pid);
            if (match)
                return c;
        }
        xmlNodePtr found = find_projection(c->children, id, count, first);
        if (found)
            return found;
    }
    return NULL;
}

/* The synapses of one projection into the table. */
static dtb_status read_connections(xmlNodePtr proj, const char *path, double default_weight,
                                   dtb__syn_table *t)
{
    for (xmlNodePtr c = proj->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int wd = dtb__lems_is(c, "connectionWD");
        if (!wd && !dtb__lems_is(c, "connection"))
            return dtb__lems_error_at(DTB_EPARSE, path, c, "a projection holds <connection> and "
                                                           "<connectionWD> elements only");
        int oom = 0;
        char *pre = dtb__lems_get_attr(c, "preCellId", &oom);
        char *post = dtb__lems_get_attr(c, "postCellId", &oom);
        char *weight = wd ? dtb__lems_get_attr(c, "weight", &oom) : NULL;
        char *delay = wd ? dtb__lems_get_attr(c, "delay", &oom) : NULL;
        dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
        int64_t i = pre ? cell_index(pre) : -1, j = post ? cell_index(post) : -1;
        double wv = default_weight, dv = 0.0;
        if (!st && (i < 0 || j < 0))
            st = dtb__lems_error_at(DTB_EPARSE, path, c, "cannot read a cell index from preCellId "
                                                         "'%s' / postCellId '%s'",
                                    pre ? pre : "(missing)", post ? post : "(missing)");
        if (!st && weight && (!dtb__parse_double(weight, &wv) || !isfinite(wv)))
            st = dtb__lems_error_at(DTB_EPARSE, path, c, "weight '%s' is not a number", weight);
        if (!st && delay && (!delay_seconds(delay, &dv) || !(dv >= 0)))
            st = dtb__lems_error_at(DTB_EPARSE, path, c, "delay '%s' is not a time >= 0 (e.g. 2ms)",
                                    delay);
        free(pre);
        free(post);
        free(weight);
        free(delay);
        if (!st)
            st = dtb__syn_table_push(t, i, j, wv, dv);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__spk_read_neuroml_projection(const char *path, const char *projection,
                                            double default_weight, dtb__syn_table *t)
{
    xmlDocPtr doc;
    dtb_status st = dtb__xml_read_file(path, "NeuroML file", &doc);
    if (st)
        return st;
    int count = 0;
    xmlNodePtr first = NULL;
    xmlNodePtr proj = find_projection(xmlDocGetRootElement(doc), projection, &count, &first);
    if (!proj && !projection && count == 1)
        proj = first;
    if (!proj) {
        if (projection)
            st = dtb__error(DTB_ENOTFOUND, "%s: no <projection id=\"%s\"> (the file has %d)", path,
                            projection, count);
        else
            st = dtb__error(count ? DTB_EINVAL : DTB_ENOTFOUND,
                            "%s: %d <projection> elements; name the one to read", path, count);
    }
    if (!st)
        st = read_connections(proj, path, default_weight, t);
    xmlFreeDoc(doc);
    return st;
}
