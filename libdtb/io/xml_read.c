/* libdtb — parsing XML without entities (xml_read.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <libxml/SAX2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "xml_read.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* libxml2 2.9 asks for xmlInitParser() once before parsing in several
 * threads; it only initialises libxml2's own tables. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void init_xml(void) { xmlInitParser(); }

typedef struct refusal {
    int line;
    char name[128];
} refusal;

/* The SAX entity declaration handler of our parser contexts: stop at the
 * first declaration, before libxml2 stores (and later expands) it. */
static void refuse_entity(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                          const xmlChar *system_id, xmlChar *content)
{
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    xmlParserCtxtPtr ctxt = ctx;
    refusal *r = ctxt->_private;
    if (r && !r->line) {
        r->line = xmlSAX2GetLineNumber(ctxt);
        if (r->line < 1)
            r->line = 1;
        snprintf(r->name, sizeof r->name, "%s", name ? (const char *)name : "?");
    }
    xmlStopParser(ctxt);
}

static dtb_status malformed(xmlParserCtxtPtr ctxt, const char *name)
{
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    if (e && e->code == XML_IO_LOAD_ERROR)
        return dtb__error(DTB_ENOTFOUND, "%s: cannot read", name);
    char msg[512] = "not XML";
    if (e && e->message) {
        snprintf(msg, sizeof msg, "%s", e->message);
        msg[strcspn(msg, "\n")] = '\0';
        size_t n = strlen(msg);
        while (n && msg[n - 1] == ' ')
            msg[--n] = '\0';
    }
    return dtb__error(DTB_EPARSE, "%s:%d: malformed XML: %s", name, e ? e->line : 0, msg);
}

dtb_status dtb__xml_read(const char *name, const char *xml, size_t len, const char *what,
                         int extra_options, xmlDocPtr *out)
{
    *out = NULL;
    char *data = NULL;
    if (!xml) {
        dtb_status st = dtb__read_input(name, DTB__INPUT_XML, &data, &len);
        if (st)
            return st == DTB_ENOTFOUND ? dtb__error(st, "%s: cannot read %s: no such file", name, what)
                                       : st;
        xml = data;
    }
    if (len > DTB__XML_MAX_BYTES) {
        free(data);
        return dtb__error(DTB_EINVAL, "%s: %zu bytes, larger than the %zu MiB an XML %s may take",
                          name, len, (size_t)(DTB__XML_MAX_BYTES >> 20), what);
    }
    pthread_once(&xml_once, init_xml);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        free(data);
        return dtb__error(DTB_ENOMEM, "out of memory creating an XML parser");
    }
    refusal r = {0, ""};
    ctxt->_private = &r;
    ctxt->sax->entityDecl = refuse_entity;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, name, NULL, XML_OPTIONS | extra_options);
    dtb_status st = DTB_OK;
    if (r.line) {
        st = dtb__error(DTB_EPARSE, "%s:%d: the entity '%s' is declared: libdtb's XML files take no "
                                    "DTD entities (they could expand a small file into gigabytes, "
                                    "or pull in other files); write the text out", name, r.line,
                        r.name);
    } else if (!doc) {
        st = malformed(ctxt, name);
    }
    if (st && doc) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    free(data);
    *out = doc;
    return st;
}
