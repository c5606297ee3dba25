/* libdtb — reading LEMS / NeuroML2 XML documents with libxml2.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two passes over the top-level elements of every document: the first reads
 * Dimensions, Units, ComponentTypes and follows Includes (each file once);
 * then types are resolved against their supertypes; the second pass reads
 * Component instances, the Target and RegionModels, which may name types
 * declared later or in other files. Last, types and components are
 * checked (symbols, dimensions, attributes, references). libxml2 is used without network
 * access, entity expansion or external DTDs, and never prints: its errors
 * are turned into libdtb errors with file and line. */
#define _GNU_SOURCE
#include <errno.h>
#include <libxml/parser.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "io/xml_read.h"
#include "lems_private.h"


int dtb__lems_is(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

char *dtb__lems_get_attr(xmlNodePtr node, const char *name, int *oom)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = dtb__strdup((const char *)v);
    xmlFree(v);
    if (!s && oom)
        *oom = 1;
    return s;
}

dtb__lems_where dtb__lems_where_of(const char *file, xmlNodePtr node)
{
    static const char *const keywords[] = {
        "Lems", "neuroml", "Include", "include", "Dimension", "Unit", "ComponentType", "Parameter",
        "Property", "Constant", "DerivedParameter", "Exposure", "Requirement", "Fixed", "Text",
        "Path", "IndexParameter", "ComponentRequirement", "Child", "Children", "Attachments",
        "ComponentReference", "Link", "InstanceRequirement", "EventPort", "Dynamics",
        "StateVariable", "TimeDerivative", "DerivedVariable", "ConditionalDerivedVariable", "Case",
        "OnStart", "OnCondition", "OnEvent", "OnEntry", "StateAssignment", "EventOut",
        "Transition", "Regime", "KineticScheme", "Structure", "Simulation", "ChildInstance",
        "MultiInstantiate", "With", "EventConnection", "Tunnel", "ForEach", "Assign", "Run",
        "Record", "DataDisplay", "DataWriter", "EventRecord", "EventWriter", "Component", "Target",
        "RegionModel", "Coupling", "Observe", "StateBounds", "StateRange", "DefaultCoupling",
        "SpikingCell", "RegionDefaults", "Set", "Draw"};
    dtb__lems_where w = {file, node ? (int)xmlGetLineNo(node) : 0, NULL};
    for (size_t i = 0; node && i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp((const char *)node->name, keywords[i]) == 0)
            w.element = keywords[i];
    return w;
}

dtb_status dtb__lems_error_at(dtb_status code, const char *file, xmlNodePtr node,
                              const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long line = node ? xmlGetLineNo(node) : 0;
    return dtb__error(code, "%s:%ld: <%s>: %s", file ? file : "<memory>", line,
                      node ? (const char *)node->name : "?", msg);
}

dtb_status dtb__lems_located(dtb_status st, const char *file, xmlNodePtr node)
{
    return dtb__error_context(st, "%s:%ld: <%s>", file ? file : "<memory>",
                              node ? xmlGetLineNo(node) : 0L,
                              node ? (const char *)node->name : "?");
}

/* ------------------------------------------------------------ files */

static const char *remember_file(dtb__lems_reader *r, const char *path)
{
    char **slot = dtb__lems_push(&r->doc->files, &r->doc->n_files, sizeof *slot);
    if (!slot)
        return NULL;
    *slot = dtb__strdup(path);
    if (!*slot) {
        r->doc->n_files--;
        return NULL;
    }
    return *slot;
}

static int already_read(const dtb__lems_reader *r, const char *canonical)
{
    for (size_t i = 0; i < r->doc->n_files; i++)
        if (strcmp(r->doc->files[i], canonical) == 0)
            return 1;
    return 0;
}

static dtb_status keep_xml_doc(dtb__lems_reader *r, xmlDocPtr xdoc, const char *file)
{
    xmlDocPtr *slot = dtb__lems_push(&r->xml_docs, &r->n_xml_docs, sizeof *slot);
    if (!slot) {
        xmlFreeDoc(xdoc);
        return DTB_ENOMEM;
    }
    size_t n = r->n_xml_docs;
    const char **names = dtb__realloc_array(r->xml_doc_files, n, sizeof *names);
    if (!names) {
        xmlFreeDoc(xdoc);
        r->n_xml_docs--;
        return DTB_ENOMEM;
    }
    r->xml_doc_files = names;
    *slot = xdoc;
    names[n - 1] = file;
    return DTB_OK;
}

static dtb_status read_pass1(dtb__lems_reader *r, const char *file, xmlDocPtr xdoc);

/* libxml2 2.9 asks for xmlInitParser() once before parsing in several
 * threads; it only initialises libxml2's own tables. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void init_xml(void) { xmlInitParser(); }

void dtb__lems_xml_init(void) { pthread_once(&xml_once, init_xml); }

static dtb_status parse_and_read(dtb__lems_reader *r, const char *file, const char *xml,
                                 size_t len)
{
    dtb__lems_xml_init();
    xmlDocPtr xdoc;
    dtb_status rst = dtb__xml_read(file, xml, len, "model file", XML_PARSE_NOCDATA, &xdoc);
    if (rst)
        return rst;
    dtb_status st = keep_xml_doc(r, xdoc, file);
    if (st)
        return st;
    r->open_files[r->n_open++] = file;
    st = read_pass1(r, file, xdoc);
    r->n_open--;
    return st;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Where an included name is found: beside the including file, then along
 * the include search path. */
static char *resolve_include(const dtb__lems_reader *r, const char *including, const char *name)
{
    if (name[0] == '/')
        return is_file(name) ? dtb__strdup(name) : NULL;
    if (including) {
        const char *slash = strrchr(including, '/');
        char *candidate = slash ? dtb__asprintf("%.*s/%s", (int)(slash - including), including, name)
                                : dtb__strdup(name);
        if (candidate && is_file(candidate))
            return candidate;
        free(candidate);
    }
    for (size_t i = 0; r->opts && i < r->opts->n_include_dirs; i++) {
        char *candidate = dtb__asprintf("%s/%s", r->opts->include_dirs[i], name);
        if (candidate && is_file(candidate))
            return candidate;
        free(candidate);
    }
    return NULL;
}

static dtb_status read_include(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    int oom = 0;
    char *name = dtb__lems_get_attr(node, "file", &oom);
    if (!name)
        name = dtb__lems_get_attr(node, "href", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!name)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'file' or 'href' attribute");
    char *found = resolve_include(r, file, name);
    if (!found) {
        dtb_status st = dtb__lems_error_at(DTB_ENOTFOUND, file, node,
                                           "included file '%s' not found (looked beside %s and "
                                           "in %zu include folder(s))",
                                           name, file, r->opts ? r->opts->n_include_dirs : 0);
        free(name);
        return st;
    }
    free(name);
    char canonical[PATH_MAX];
    if (!realpath(found, canonical))
        snprintf(canonical, sizeof canonical, "%s", found);
    free(found);
    for (size_t i = 0; i < r->n_open; i++)
        if (strcmp(r->open_files[i], canonical) == 0) {
            dtb__strbuf chain = {0};
            for (size_t k = i; k < r->n_open; k++)
                dtb__strbuf_printf(&chain, "%s -> ", r->open_files[k]);
            dtb__strbuf_append(&chain, canonical);
            dtb_status st = dtb__lems_error_at(DTB_EPARSE, file, node, "cyclic Include: %s",
                                               chain.data ? chain.data : canonical);
            dtb__strbuf_free(&chain);
            return st;
        }
    /* Included before and finished: each file is read once. */
    if (already_read(r, canonical))
        return DTB_OK;
    if (r->n_open == sizeof r->open_files / sizeof r->open_files[0])
        return dtb__lems_error_at(DTB_EPARSE, file, node, "Includes nested more than %zu deep",
                                  sizeof r->open_files / sizeof r->open_files[0]);
    const char *kept = remember_file(r, canonical);
    if (!kept)
        return DTB_ENOMEM;
    return parse_and_read(r, kept, NULL, 0);
}

/* ------------------------------------------------------ dimensions, units */

static dtb_status read_int_attr(xmlNodePtr node, const char *file, const char *name, int *out)
{
    int oom = 0;
    char *v = dtb__lems_get_attr(node, name, &oom);
    if (oom)
        return DTB_ENOMEM;
    *out = 0;
    if (!v)
        return DTB_OK;
    int64_t x;
    int ok = dtb__parse_int64(v, &x) && x >= -127 && x <= 127;
    dtb_status st = ok ? DTB_OK
                       : dtb__lems_error_at(DTB_EPARSE, file, node,
                                            "attribute %s='%s' is not a small integer", name, v);
    free(v);
    *out = (int)x;
    return st;
}

static dtb_status read_dimension(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    static const char *const names[7] = {"m", "l", "t", "i", "k", "n", "j"};
    int oom = 0;
    char *name = dtb__lems_get_attr(node, "name", &oom);
    if (!name)
        return oom ? DTB_ENOMEM : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    dtb__dim d = DTB__DIM_NONE;
    for (int i = 0; i < 7; i++) {
        int e;
        dtb_status st = read_int_attr(node, file, names[i], &e);
        if (st) {
            free(name);
            return st;
        }
        d.e[i] = (int8_t)e;
    }
    const dtb__lems_dimension *old = dtb__lems_find_dimension(r->doc, name);
    if (old) {
        /* Identical re-declarations occur in real files and are harmless. */
        dtb_status st = dtb__dim_eq(old->dim, d)
                            ? DTB_OK
                            : dtb__lems_error_at(DTB_EPARSE, file, node,
                                                 "Dimension '%s' redeclared differently (first at %s:%d)",
                                                 name, old->at.file, old->at.line);
        free(name);
        return st;
    }
    dtb__lems_dimension *slot = dtb__lems_push(&r->doc->dims, &r->doc->n_dims, sizeof *slot);
    if (!slot) {
        free(name);
        return DTB_ENOMEM;
    }
    slot->name = name;
    slot->dim = d;
    slot->at = dtb__lems_where_of(file, node);
    return DTB_OK;
}

dtb_status dtb__lems_resolve_dimension(const dtb__lems_doc *doc, const char *name,
                                       const char *file, xmlNodePtr node, dtb__dim *out)
{
    if (!name || strcmp(name, "none") == 0) {
        *out = DTB__DIM_NONE;
        return DTB_OK;
    }
    const dtb__lems_dimension *d = dtb__lems_find_dimension(doc, name);
    if (d) {
        *out = d->dim;
        return DTB_OK;
    }
    /* Region-model files may use the common LEMS dimensions without
     * declaring them. */
    static const struct {
        const char *name;
        dtb__dim dim;
    } common[] = {
        {"time", {{0, 0, 1, 0, 0, 0, 0}}},         {"per_time", {{0, 0, -1, 0, 0, 0, 0}}},
        {"voltage", {{1, 2, -3, -1, 0, 0, 0}}},    {"current", {{0, 0, 0, 1, 0, 0, 0}}},
        {"conductance", {{-1, -2, 3, 2, 0, 0, 0}}}, {"capacitance", {{-1, -2, 4, 2, 0, 0, 0}}},
        {"length", {{0, 1, 0, 0, 0, 0, 0}}},       {"temperature", {{0, 0, 0, 0, 1, 0, 0}}},
        {"concentration", {{0, -3, 0, 0, 0, 1, 0}}},
    };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(common[i].name, name) == 0) {
            *out = common[i].dim;
            return DTB_OK;
        }
    return dtb__lems_error_at(DTB_ENOTFOUND, file, node, "unknown dimension '%s'", name);
}

static dtb_status read_unit(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    int oom = 0;
    char *symbol = dtb__lems_get_attr(node, "symbol", &oom);
    char *dimension = dtb__lems_get_attr(node, "dimension", &oom);
    char *scale_s = dtb__lems_get_attr(node, "scale", &oom);
    char *offset_s = dtb__lems_get_attr(node, "offset", &oom);
    dtb_status st = DTB_OK;
    int power = 0;
    double scale = 1.0, offset = 0.0;
    dtb__dim dim = DTB__DIM_NONE;
    if (oom)
        st = DTB_ENOMEM;
    else if (!symbol || !dimension)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'symbol' and 'dimension'");
    if (!st)
        st = read_int_attr(node, file, "power", &power);
    if (!st && scale_s && (!dtb__parse_double(scale_s, &scale) || !(scale > 0) || !isfinite(scale)))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "scale='%s' is not a positive number", scale_s);
    if (!st && offset_s && (!dtb__parse_double(offset_s, &offset) || !isfinite(offset)))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "offset='%s' is not a number", offset_s);
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, dimension, file, node, &dim);
    free(scale_s);
    free(offset_s);
    if (!st) {
        const dtb__lems_unit *old = dtb__lems_find_unit(r->doc, symbol);
        if (old) {
            if (!dtb__dim_eq(old->dim, dim) || old->scale != scale * pow(10.0, power) ||
                old->offset != offset)
                st = dtb__lems_error_at(DTB_EPARSE, file, node,
                                        "Unit '%s' redeclared differently (first at %s:%d)", symbol,
                                        old->at.file, old->at.line);
            free(symbol);
            free(dimension);
            return st;
        }
    }
    dtb__lems_unit *slot = st ? NULL : dtb__lems_push(&r->doc->units, &r->doc->n_units, sizeof *slot);
    if (!slot) {
        free(symbol);
        free(dimension);
        return st ? st : DTB_ENOMEM;
    }
    slot->symbol = symbol;
    slot->dimension = dimension;
    slot->dim = dim;
    /* 10^power exactly for negative powers: divide rather than multiply by
     * an inexact 1e-3. */
    slot->scale = power >= 0 ? scale * pow(10.0, power) : scale / pow(10.0, -power);
    slot->offset = offset;
    slot->at = dtb__lems_where_of(file, node);
    return DTB_OK;
}

/* Top-level metadata. */
static int ignorable_top_level(xmlNodePtr node)
{
    static const char *const names[] = {"notes", "annotation", "Meta", "About"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (dtb__lems_is(node, names[i]))
            return 1;
    return 0;
}

static int is_root(xmlNodePtr root)
{
    return dtb__lems_is(root, "Lems") || dtb__lems_is(root, "neuroml");
}

static dtb_status read_pass1(dtb__lems_reader *r, const char *file, xmlDocPtr xdoc)
{
    xmlNodePtr root = xmlDocGetRootElement(xdoc);
    if (!root)
        return dtb__error(DTB_EPARSE, "%s: empty XML document", file);
    if (!is_root(root))
        return dtb__lems_error_at(DTB_EPARSE, file, root,
                                  "the root element must be <Lems> or <neuroml>");
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        dtb_status st = DTB_OK;
        if (dtb__lems_is(n, "Include") || dtb__lems_is(n, "include"))
            st = read_include(r, file, n);
        else if (dtb__lems_is(n, "Dimension"))
            st = read_dimension(r, file, n);
        else if (dtb__lems_is(n, "Unit"))
            st = read_unit(r, file, n);
        else if (dtb__lems_is(n, "ComponentType"))
            st = dtb__lems_read_comptype(r, file, n);
        if (st)
            return st;
    }
    return DTB_OK;
}

/* The Target of the main file names the Simulation to run; Targets of
 * included files are ignored (a model file may be included by several
 * simulations). */
static dtb_status read_target(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    if (file != r->doc->files[0] || r->doc->target)
        return DTB_OK;
    int oom = 0;
    r->doc->target = dtb__lems_get_attr(node, "component", &oom);
    r->doc->target_at = dtb__lems_where_of(file, node);
    if (oom)
        return DTB_ENOMEM;
    return r->doc->target ? DTB_OK : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'component'");
}

static dtb_status read_pass2(dtb__lems_reader *r, const char *file, xmlDocPtr xdoc)
{
    xmlNodePtr root = xmlDocGetRootElement(xdoc);
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        dtb_status st = DTB_OK;
        if (dtb__lems_is(n, "Include") || dtb__lems_is(n, "include") || dtb__lems_is(n, "Dimension") ||
            dtb__lems_is(n, "Unit") || dtb__lems_is(n, "ComponentType") || ignorable_top_level(n))
            continue;
        if (dtb__lems_is(n, "Component"))
            st = dtb__lems_read_component(r, file, n, NULL, &r->doc->components,
                                          &r->doc->n_components);
        else if (dtb__lems_is(n, "Target"))
            st = read_target(r, file, n);
        else if (dtb__lems_is(n, "RegionModel"))
            st = dtb__lems_read_region_model(r, file, n);
        else if (dtb__lems_is(n, "SpikingCell"))
            st = dtb__lems_read_spiking_cell(r, file, n);
        else if (dtb__lems_find_type(r->doc, (const char *)n->name))
            st = dtb__lems_read_component(r, file, n, (const char *)n->name, &r->doc->components,
                                          &r->doc->n_components);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, n,
                                    "unknown element (not a LEMS keyword and no ComponentType "
                                    "of that name is declared)");
        if (st)
            return st;
    }
    return DTB_OK;
}

/* NeuroML documents (.nml) do not include the core types they use: jnml
 * and pylems add them. libdtb does the same, reading NeuroML2CoreTypes.xml
 * (beside the main file or along the include path) when the main file has a
 * <neuroml> root, when a type extends a type nobody declared, or when a
 * top-level element is neither a LEMS keyword nor a declared type. */
static int needs_core_types(const dtb__lems_reader *r)
{
    xmlNodePtr main_root = r->n_xml_docs ? xmlDocGetRootElement(r->xml_docs[0]) : NULL;
    if (dtb__lems_is(main_root, "neuroml"))
        return 1;
    const dtb__lems_doc *doc = r->doc;
    for (size_t i = 0; i < doc->n_types; i++)
        if (doc->types[i].extends && !dtb__lems_find_type(doc, doc->types[i].extends))
            return 1;
    static const char *const keywords[] = {"Include", "include", "Dimension", "Unit",
                                           "ComponentType", "Component", "Target", "RegionModel",
                                           "SpikingCell"};
    for (size_t d = 0; d < r->n_xml_docs; d++) {
        xmlNodePtr root = xmlDocGetRootElement(r->xml_docs[d]);
        for (xmlNodePtr n = root ? root->children : NULL; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE || ignorable_top_level(n))
                continue;
            int known = dtb__lems_find_type(doc, (const char *)n->name) != NULL;
            for (size_t k = 0; !known && k < sizeof keywords / sizeof keywords[0]; k++)
                known = dtb__lems_is(n, keywords[k]);
            if (!known)
                return 1;
        }
    }
    return 0;
}

static dtb_status add_core_types(dtb__lems_reader *r)
{
    if (!needs_core_types(r))
        return DTB_OK;
    char *found = resolve_include(r, r->doc->files[0], "NeuroML2CoreTypes.xml");
    if (!found)
        return DTB_OK;   /* the unknown names are reported as they are met */
    char canonical[PATH_MAX];
    if (!realpath(found, canonical))
        snprintf(canonical, sizeof canonical, "%s", found);
    free(found);
    if (already_read(r, canonical))
        return DTB_OK;
    const char *kept = remember_file(r, canonical);
    return kept ? parse_and_read(r, kept, NULL, 0) : DTB_ENOMEM;
}

static dtb_status read_all(dtb__lems_doc *doc, const char *source, const char *xml, size_t len,
                           const dtb__lems_read_options *opts)
{
    dtb__lems_reader r = {.doc = doc, .opts = opts};
    const char *kept = remember_file(&r, source);
    dtb_status st = kept ? parse_and_read(&r, kept, xml, len) : DTB_ENOMEM;
    if (!st)
        st = add_core_types(&r);
    if (!st)
        st = dtb__lems_resolve_types(doc);
    for (size_t i = 0; !st && i < r.n_xml_docs; i++)
        st = read_pass2(&r, r.xml_doc_files[i], r.xml_docs[i]);
    if (!st)
        st = dtb__lems_check_types(doc);
    if (!st)
        st = dtb__lems_check_components(doc);
    if (!st)
        st = dtb__lems_keep_relevant_warnings(doc);
    for (size_t i = 0; i < r.n_xml_docs; i++)
        xmlFreeDoc(r.xml_docs[i]);
    free(r.xml_docs);
    free(r.xml_doc_files);
    if (st)
        dtb__lems_doc_free(doc);
    return st;
}

dtb_status dtb__lems_read_file(dtb__lems_doc *doc, const char *path,
                               const dtb__lems_read_options *opts)
{
    memset(doc, 0, sizeof *doc);
    if (!path)
        return dtb__error(DTB_EINVAL, "model file path is NULL");
    if (!is_file(path))
        return dtb__error(access(path, F_OK) == 0 ? DTB_EIO : DTB_ENOTFOUND,
                          "%s: cannot read model file (%s)", path,
                          access(path, F_OK) == 0 ? "not a regular file" : strerror(errno));
    char canonical[PATH_MAX];
    if (!realpath(path, canonical))
        snprintf(canonical, sizeof canonical, "%s", path);
    return read_all(doc, canonical, NULL, 0, opts);
}

dtb_status dtb__lems_read_memory(dtb__lems_doc *doc, const char *xml, size_t len,
                                 const char *source_name, const dtb__lems_read_options *opts)
{
    memset(doc, 0, sizeof *doc);
    if (!xml)
        return dtb__error(DTB_EINVAL, "model XML text is NULL");
    if (len > INT_MAX)
        return dtb__error(DTB_EINVAL, "model XML text is too large (%zu bytes)", len);
    return read_all(doc, source_name ? source_name : "<memory>", xml, len, opts);
}
