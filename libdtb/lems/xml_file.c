/* libdtb — reading a small XML file (coupling functions, NeuroML
 * projections) with libxml2, errors in libdtb's words.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

dtb_status dtb__xml_read_file(const char *path, const char *what, xmlDocPtr *out)
{
    *out = NULL;
    /* Check first: libxml2 prints I/O errors on stderr even when told not to. */
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return dtb__error(DTB_ENOTFOUND, "%s: cannot read %s: %s", path, what, strerror(errno));
    fclose(probe);
    dtb__lems_xml_init();
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return DTB_ENOMEM;
    xmlDocPtr doc = xmlCtxtReadFile(ctxt, path, NULL, XML_OPTIONS);
    dtb_status st = DTB_OK;
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        if (e && e->code == XML_IO_LOAD_ERROR)
            st = dtb__error(DTB_ENOTFOUND, "%s: cannot read %s", path, what);
        else
            st = dtb__error(DTB_EPARSE, "%s:%d: malformed XML: %s", path, e ? e->line : 0,
                            e && e->message ? e->message : "?");
    }
    xmlFreeParserCtxt(ctxt);
    *out = doc;
    return st;
}
