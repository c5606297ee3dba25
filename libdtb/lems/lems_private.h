/* libdtb internal — shared by the LEMS reader's files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_LEMS_PRIVATE_H
#define DTB_LEMS_PRIVATE_H

#include <libxml/tree.h>

#include "lems.h"

/* Grow (*arr, *n) by one zeroed element; returns it or NULL (DTB_ENOMEM). */
void *dtb__lems_push(void *arr_ptr, size_t *n, size_t elem_size);

/* Attribute as a malloc'd string, NULL if absent (or on allocation failure,
 * which sets *oom). */
char *dtb__lems_get_attr(xmlNodePtr node, const char *name, int *oom);

/* 1 if the element's local name is `name`. */
int dtb__lems_is(xmlNodePtr node, const char *name);

/* Report an error at an element: "file:line: <Elem ...>: message". */
dtb_status dtb__lems_error_at(dtb_status code, const char *file, xmlNodePtr node,
                              const char *fmt, ...) DTB__PRINTF(4, 5);

/* Prefix the current error message with the element's location
 * ("file:line: <Elem>: ") and return st. */
dtb_status dtb__lems_located(dtb_status st, const char *file, xmlNodePtr node);

/* Initialise libxml2 once per process (thread-safe). */
void dtb__lems_xml_init(void);

/* Reader state while walking documents. */
typedef struct dtb__lems_reader {
    dtb__lems_doc *doc;
    const dtb__lems_read_options *opts;
    xmlDocPtr *xml_docs; size_t n_xml_docs;
    const char **xml_doc_files; /* parallel to xml_docs (borrowed from doc->files) */
} dtb__lems_reader;

/* Read a <ComponentType> into a new element of doc->types. */
dtb_status dtb__lems_read_comptype(dtb__lems_reader *r, const char *file, xmlNodePtr node);
/* Read a libdtb <RegionModel>. */
dtb_status dtb__lems_read_region_model(dtb__lems_reader *r, const char *file, xmlNodePtr node);
/* Dimension name -> exponents (built-in "none"; document Dimensions). */
dtb_status dtb__lems_resolve_dimension(const dtb__lems_doc *doc, const char *name,
                                       const char *file, xmlNodePtr node, dtb__dim *out);
/* Parse an expression attribute, reporting errors at the element. */
dtb_status dtb__lems_parse_expr(const char *text, const char *file, xmlNodePtr node,
                                const char *attr, dtb__expr **out);

void dtb__lems_quantity_free(dtb__lems_quantity *q);
void dtb__lems_equation_free(dtb__lems_equation *e);

#endif
