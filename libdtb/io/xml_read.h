/* libdtb internal — the one way libdtb parses XML (experiment files,
 * model and LEMS/NeuroML files, coupling files, NeuroML projections).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * None of these formats uses DTD entities, and an entity is how a small
 * file becomes a huge document: a 250 kB file repeating one flat entity
 * expanded to 9.8 GB (libxml2 2.9 guards nested expansion, not flat
 * repetition). So a document that declares any entity — internal,
 * external or parameter — is refused at the declaration, before anything
 * is expanded, with its file and line; an external entity is never
 * silently dropped either. No network (XML_PARSE_NONET), no DTD loading,
 * and the file is read within DTB__XML_MAX_BYTES first (a device or a
 * huge file is refused before libxml2 sees it). */
#ifndef DTB_XML_READ_H
#define DTB_XML_READ_H

#include <libxml/parser.h>
#include <stddef.h>

#include "dtb/dtb_common.h"

/* The largest XML file read: 256 MiB (a document takes some ten times its
 * size in memory). */
#define DTB__XML_MAX_BYTES ((size_t)256 << 20)

/* Parse xml[0..len) (NULL: read the file `name`), naming it `name` in
 * messages; `what` says what the file is ("experiment", "model file").
 * extra_options are ORed into the libxml2 options (XML_PARSE_NOCDATA).
 * DTB_EPARSE "name:line: ..." on malformed XML or entities, DTB_ENOTFOUND
 * when the file is missing. The caller frees *out with xmlFreeDoc. */
dtb_status dtb__xml_read(const char *name, const char *xml, size_t len, const char *what,
                         int extra_options, xmlDocPtr *out);

#endif
