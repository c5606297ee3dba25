/* libdtb — reading a user-defined coupling function from XML:
 *   <Lems> <CouplingFunction name="..." pre="..." post="...">
 *            <Parameter name="a" value="0.1"/> ... </CouplingFunction> </Lems>
 * (or <CouplingFunction> as the root element).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <libxml/parser.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"
#include "coupling_file.h"


void dtb__coupling_file_free(dtb__coupling_file *cf)
{
    free(cf->pre);
    free(cf->post);
    for (size_t i = 0; i < cf->n_params; i++)
        free(cf->names[i]);
    memset(cf, 0, sizeof *cf);
}

static xmlNodePtr find_function(xmlNodePtr root)
{
    if (dtb__lems_is(root, "CouplingFunction"))
        return root;
    for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next)
        if (dtb__lems_is(n, "CouplingFunction"))
            return n;
    return NULL;
}

static dtb_status read_params(xmlNodePtr fn, const char *path, dtb__coupling_file *cf)
{
    for (xmlNodePtr c = fn->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!dtb__lems_is(c, "Parameter"))
            return dtb__lems_error_at(DTB_EPARSE, path, c, "only <Parameter> may appear in a "
                                                           "<CouplingFunction>");
        if (cf->n_params == DTB__COUPLING_FILE_MAX)
            return dtb__lems_error_at(DTB_EUNSUPPORTED, path, c, "at most %d parameters",
                                      DTB__COUPLING_FILE_MAX);
        int oom = 0;
        char *name = dtb__lems_get_attr(c, "name", &oom);
        char *value = dtb__lems_get_attr(c, "value", &oom);
        double v = 0;
        dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
        if (!st && (!name || !value))
            st = dtb__lems_error_at(DTB_EPARSE, path, c, "needs 'name' and 'value'");
        if (!st && (!dtb__parse_double(value, &v) || !isfinite(v)))
            st = dtb__lems_error_at(DTB_EPARSE, path, c, "value='%s' is not a finite number", value);
        free(value);
        if (st) {
            free(name);
            return st;
        }
        cf->names[cf->n_params] = name;
        cf->values[cf->n_params++] = v;
    }
    return DTB_OK;
}

dtb_status dtb__coupling_file_read(const char *path, dtb__coupling_file *cf)
{
    memset(cf, 0, sizeof *cf);
    if (!path)
        return dtb__error(DTB_EINVAL, "coupling file path is NULL");
    xmlDocPtr doc;
    dtb_status st = dtb__xml_read_file(path, "coupling file", &doc);
    if (st)
        return st;
    xmlNodePtr fn = find_function(xmlDocGetRootElement(doc));
    int oom = 0;
    if (!fn) {
        st = dtb__error(DTB_EPARSE, "%s: no <CouplingFunction> element", path);
    } else {
        cf->pre = dtb__lems_get_attr(fn, "pre", &oom);
        cf->post = dtb__lems_get_attr(fn, "post", &oom);
        if (oom)
            st = DTB_ENOMEM;
        else if (!cf->pre || !cf->post)
            st = dtb__lems_error_at(DTB_EPARSE, path, fn, "needs 'pre' and 'post' expressions");
        if (!st)
            st = read_params(fn, path, cf);
        if (!st)
            cf->line = (int)xmlGetLineNo(fn);
    }
    xmlFreeDoc(doc);
    if (st)
        dtb__coupling_file_free(cf);
    return st;
}
