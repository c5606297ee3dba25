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

/* Where an element is: file, line, and its name as a static string when
 * it is a LEMS keyword (NULL otherwise: the node's name dies with the
 * parsed XML). */
dtb__lems_where dtb__lems_where_of(const char *file, xmlNodePtr node);

/* A numeric attribute: dflt when absent; an error naming it when it is
 * not a number (NaN included) or, with `finite`, not finite. */
dtb_status dtb__lems_number_attr(xmlNodePtr node, const char *file, const char *name, double dflt,
                                 int finite, double *out);

/* The head of a libdtb model element (lems_head.c): name and type
 * required, a name the n_earlier elements before it (an array of
 * `stride`-byte structs, each starting with its head) do not have. On
 * error the strings read so far stay in *h for its owner to free. */
dtb_status dtb__lems_read_head(const char *file, xmlNodePtr node, dtb__lems_head *h,
                               const void *earlier, size_t n_earlier, size_t stride);

/* Initialise libxml2 once per process (thread-safe). */
void dtb__lems_xml_init(void);

/* Parse the XML file at path (`what` names it in messages: "coupling
 * file"): DTB_ENOTFOUND when it cannot be read, DTB_EPARSE naming the line
 * when it is malformed. The caller frees *out with xmlFreeDoc. */
dtb_status dtb__xml_read_file(const char *path, const char *what, xmlDocPtr *out);

/* Reader state while walking documents. */
typedef struct dtb__lems_reader {
    dtb__lems_doc *doc;
    const dtb__lems_read_options *opts;
    xmlDocPtr *xml_docs; size_t n_xml_docs;
    const char **xml_doc_files; /* parallel to xml_docs (borrowed from doc->files) */
    const char *open_files[64]; /* files being read, outermost first: Include cycles */
    size_t n_open;
} dtb__lems_reader;

/* Read a <ComponentType> into a new element of doc->types. */
dtb_status dtb__lems_read_comptype(dtb__lems_reader *r, const char *file, xmlNodePtr node);
/* Read a <Dynamics> into t (lems_dynamics.c). */
dtb_status dtb__lems_read_dynamics(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   dtb__lems_comptype *t);
/* Read a <Structure> or <Simulation> block into (*elems, *n) (lems_structure.c). */
dtb_status dtb__lems_read_block(const char *file, xmlNodePtr node, int simulation,
                                dtb__lems_elem **elems, size_t *n);
/* Read a Component instance (top-level or nested) into a new element of
 * (*arr, *n); `type_name` is the type when the tag names it, NULL to read a
 * `type` attribute (lems_component.c). */
dtb_status dtb__lems_read_component(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                    const char *type_name, dtb__lems_component **arr, size_t *n);
/* Read a libdtb <RegionModel>. */
dtb_status dtb__lems_read_region_model(dtb__lems_reader *r, const char *file, xmlNodePtr node);
/* Read a libdtb <SpikingCell> (lems_spiking_cell.c). */
dtb_status dtb__lems_read_spiking_cell(dtb__lems_reader *r, const char *file, xmlNodePtr node);
/* Dimension name -> exponents (built-in "none"; document Dimensions). */
dtb_status dtb__lems_resolve_dimension(const dtb__lems_doc *doc, const char *name,
                                       const char *file, xmlNodePtr node, dtb__dim *out);
/* Parse an expression attribute, reporting errors at the element. */
dtb_status dtb__lems_parse_expr(const char *text, const char *file, xmlNodePtr node,
                                const char *attr, dtb__expr **out);

/* Parameter, Exposure, Requirement, StateVariable, Property (lems_comptype.c). */
dtb_status dtb__lems_read_quantity(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   dtb__lems_quantity **arr, size_t *n);
/* DerivedParameter, DerivedVariable, TimeDerivative; name_attr holds the
 * name ("name" or "variable") (lems_dynamics.c). */
dtb_status dtb__lems_read_equation(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   const char *name_attr, dtb__lems_equation **arr, size_t *n);
/* "'name' is declared twice" unless name is new among the n elements of
 * arr (structs of `stride` bytes whose first member is their name). */
dtb_status dtb__lems_check_new_name(const char *file, xmlNodePtr node, const char *name,
                                    const void *arr, size_t stride, size_t n);

/* Attributes of an element as name/value pairs (all of them except the
 * names in `skip`, a NULL-terminated list). */
dtb_status dtb__lems_read_attrs(xmlNodePtr node, const char *const *skip, dtb__lems_attr **attrs,
                                size_t *n);

/* After every file is read: resolve inheritance (lems_resolve.c), check
 * types (lems_check.c) and components (lems_components_check.c). */
dtb_status dtb__lems_resolve_types(dtb__lems_doc *doc);
dtb_status dtb__lems_check_types(dtb__lems_doc *doc);
/* Add a warning about type t (a resolved type of doc), once; takes msg. */
dtb_status dtb__lems_warn(dtb__lems_doc *doc, const dtb__lems_comptype *t, char *msg);
/* Drop the warnings about types the loaded file neither declares nor uses. */
dtb_status dtb__lems_keep_relevant_warnings(dtb__lems_doc *doc);
dtb_status dtb__lems_check_components(dtb__lems_doc *doc);

void dtb__lems_quantity_free(dtb__lems_quantity *q);
void dtb__lems_equation_free(dtb__lems_equation *e);
void dtb__lems_decl_free(dtb__lems_decl *d);
void dtb__lems_handler_free(dtb__lems_handler *h);
void dtb__lems_elems_free(dtb__lems_elem *e, size_t n);
void dtb__lems_attrs_free(dtb__lems_attr *a, size_t n);
void dtb__lems_component_free(dtb__lems_component *c);
void dtb__lems_comptype_free(dtb__lems_comptype *t);

#endif
