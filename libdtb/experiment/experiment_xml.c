/* libdtb — experiment files: reading and writing the XML form.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   <experiment version="1">          (any namespace; version optional)
 *     <SETTING>VALUE</SETTING> ...    (one element per setting, in order)
 *     <FLAG/>
 *   </experiment>
 *
 * Every element must be a known setting, without attributes or child
 * elements; a setting that takes one value may appear once. Errors name
 * the file, the line and the element. */
#define _XOPEN_SOURCE 700   /* realpath */
#include <errno.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "experiment.h"
#include "io/atomic_file.h"
#include "experiment_check.h"
#include "io/text_file.h"
#include "io/xml_read.h"


static int is_element(xmlNodePtr n) { return n && n->type == XML_ELEMENT_NODE; }

static dtb_status error_at(dtb_status st, const char *file, xmlNodePtr n, const char *fmt, ...)
    DTB__PRINTF(4, 5);

static dtb_status error_at(dtb_status st, const char *file, xmlNodePtr n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dtb__error(st, "%s:%ld: <%s>: %s", file, n ? xmlGetLineNo(n) : 0L,
                      n ? (const char *)n->name : "?", msg);
}

/* Text content with surrounding white space removed; NULL on OOM. */
static char *trimmed_text(xmlNodePtr n)
{
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return dtb__strdup("");
    const char *s = (const char *)t;
    size_t a = strspn(s, " \t\r\n"), b = strlen(s);
    while (b > a && strchr(" \t\r\n", s[b - 1]))
        b--;
    char *out = dtb__strndup(s + a, b - a);
    xmlFree(t);
    return out;
}

/* base_dir/path for a relative path (NULL on OOM). */
static char *resolve(const char *path, void *ctx)
{
    const char *base = ctx;
    if (path[0] == '/' || !base || !*base)
        return dtb__strdup(path);
    return dtb__asprintf("%s/%s", base, path);
}

static dtb_status read_setting(dtb_experiment *exp, xmlNodePtr n, const char *file,
                               const char *base_dir, long *first_line)
{
    const char *name = (const char *)n->name;
    const dtb__setting_info *info = dtb__setting_find(name);
    if (!info)
        return error_at(DTB_EPARSE, file, n, "unknown setting (every option of 'dtb run' without "
                                             "its dashes: atlas, model, set, stimulus, lesion, "
                                             "observe, duration, ...)");
    if (n->properties)
        return error_at(DTB_EPARSE, file, n, "takes no attributes (found '%s'); write the value "
                                             "as the element's text", n->properties->name);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (is_element(c))
            return error_at(DTB_EPARSE, file, n, "holds an element <%s>; a setting holds text only",
                            (const char *)c->name);
    size_t idx = (size_t)(info - dtb__settings);
    long line = xmlGetLineNo(n);
    if (info->kind != DTB__SETTING_REPEAT && first_line[idx])
        return error_at(DTB_EPARSE, file, n, "given twice (first on line %ld); only <%s> settings "
                                             "that accumulate (set, include, noise, observe, "
                                             "stimulus, lesion) may repeat",
                        first_line[idx], name);
    first_line[idx] = line;
    char *text = trimmed_text(n);
    if (!text)
        return DTB_ENOMEM;
    char *value = info->kind == DTB__SETTING_FLAG || !*text
                      ? dtb__strdup(text)
                      : dtb__experiment_map_paths(info, text, resolve, (void *)base_dir);
    free(text);
    if (!value)
        return DTB_ENOMEM;
    dtb_status st = dtb__experiment_check_value(info, value);
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", dtb_last_error_message());
        st = error_at(st == DTB_ENOMEM ? st : DTB_EPARSE, file, n, "%s", msg);
    } else
        st = dtb__experiment_append(exp, name, value);
    free(value);
    return st;
}

static dtb_status read_document(xmlDocPtr doc, const char *file, const char *base_dir,
                                dtb_experiment **out)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "experiment") != 0)
        return error_at(DTB_EPARSE, file, root, "the root element of an experiment file must be "
                                                "<experiment>");
    for (xmlAttrPtr a = root->properties; a; a = a->next) {
        if (strcmp((const char *)a->name, "version") != 0)
            return error_at(DTB_EPARSE, file, root, "unknown attribute '%s' (only version)",
                            (const char *)a->name);
        xmlChar *v = xmlGetProp(root, a->name);
        int ok = v && strcmp((const char *)v, "1") == 0;
        xmlFree(v);
        if (!ok)
            return error_at(DTB_EUNSUPPORTED, file, root, "version must be \"1\" (this libdtb reads "
                                                          "experiment files of version 1)");
    }
    dtb_experiment *exp;
    dtb_status st = dtb_experiment_create(&exp);
    if (st)
        return st;
    long *first_line = dtb__calloc(dtb__n_settings, sizeof *first_line);
    if (!first_line)
        st = DTB_ENOMEM;
    for (xmlNodePtr n = root->children; n && !st; n = n->next) {
        if (is_element(n))
            st = read_setting(exp, n, file, base_dir, first_line);
        else if (n->type == XML_TEXT_NODE) {
            const char *t = (const char *)n->content;
            if (t && t[strspn(t, " \t\r\n")])
                st = error_at(DTB_EPARSE, file, root, "text outside a setting: '%.40s'",
                              t + strspn(t, " \t\r\n"));
        }
    }
    free(first_line);
    if (st) {
        dtb_experiment_free(exp);
        return st;
    }
    *out = exp;
    return DTB_OK;
}

static dtb_status parse(dtb_experiment **out, const char *xml, size_t len, const char *file,
                        const char *base_dir)
{
    if (len > INT_MAX)
        return dtb__error(DTB_EINVAL, "%s: experiment document too large", file);
    xmlDocPtr doc;
    dtb_status st = dtb__xml_read(file, xml, len, "experiment", XML_PARSE_NOCDATA, &doc);
    if (st)
        return st;
    st = read_document(doc, file, base_dir, out);
    xmlFreeDoc(doc);
    return st;
}

dtb_status dtb_experiment_load_memory(dtb_experiment **out, const char *xml, size_t len,
                                      const char *name, const char *base_dir)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_experiment_load_memory: out is NULL");
    *out = NULL;
    if (!xml)
        return dtb__error(DTB_EINVAL, "dtb_experiment_load_memory: xml is NULL");
    return parse(out, xml, len, name ? name : "<memory>", base_dir);
}

dtb_status dtb_experiment_load(dtb_experiment **out, const char *path)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_experiment_load: out is NULL");
    *out = NULL;
    if (!path)
        return dtb__error(DTB_EINVAL, "dtb_experiment_load: path is NULL");
    dtb__text_file tf;
    dtb_status rs = dtb__text_file_read(path, &tf);
    if (rs)
        return rs;
    /* relative file names inside are relative to the file's folder */
    char *dir = dtb__strdup(path);
    dtb_status st = DTB_ENOMEM;
    if (dir) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            strcpy(dir, ".");
        st = parse(out, tf.data, tf.len, path, strcmp(dir, ".") ? dir : NULL);
    }
    free(dir);
    dtb__text_file_free(&tf);
    return st;
}

/* --- writing --- */

/* The absolute, symlink-free form of a folder (NULL if it does not exist). */
static char *real_dir(const char *dir)
{
    char buf[PATH_MAX];
    return realpath(dir, buf) ? dtb__strdup(buf) : NULL;
}

/* Split an absolute path into its folder names (pointers into s, which
 * is modified); returns their number (at most max). */
static size_t components(char *s, char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, "/"); tok && n < max; tok = strtok(NULL, "/"))
        out[n++] = tok;
    return n;
}

/* path (relative to the current directory, or absolute) relative to the
 * folder `to` (absolute, real); absolute when that is not possible. */
static char *relative_to(const char *path, void *ctx)
{
    const char *to = ctx;
    char buf[PATH_MAX], cwd[PATH_MAX];
    char *abs;
    if (realpath(path, buf))
        abs = dtb__strdup(buf);
    else if (path[0] == '/')
        abs = dtb__strdup(path);
    else if (getcwd(cwd, sizeof cwd))
        abs = dtb__asprintf("%s/%s", cwd, path);
    else
        return dtb__strdup(path);
    char *to_copy = abs ? dtb__strdup(to) : NULL;
    if (!abs || !to_copy) {
        free(abs);
        free(to_copy);
        return NULL;
    }
    enum { MAX = 256 };
    char *pa[MAX], *pt[MAX];
    char *abs_copy = dtb__strdup(abs);
    if (!abs_copy) {
        free(abs);
        free(to_copy);
        return NULL;
    }
    size_t na = components(abs_copy, pa, MAX), nt = components(to_copy, pt, MAX);
    size_t k = 0;
    while (k < na && k < nt && strcmp(pa[k], pt[k]) == 0)
        k++;
    dtb__strbuf b = {0};
    for (size_t i = k; i < nt; i++)
        dtb__strbuf_append(&b, "../");
    for (size_t i = k; i < na; i++) {
        dtb__strbuf_append(&b, pa[i]);
        if (i + 1 < na)
            dtb__strbuf_append(&b, "/");
    }
    free(abs_copy);
    free(to_copy);
    if (b.failed || na == MAX || nt == MAX || !b.data) {
        dtb__strbuf_free(&b);
        return abs;   /* fall back to the absolute name */
    }
    free(abs);
    return b.data;
}

static void xml_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        default: fputc(*s, f);
        }
    }
}

dtb_status dtb_experiment_save(const dtb_experiment *exp, const char *path)
{
    if (!exp || !path)
        return dtb__error(DTB_EINVAL, "dtb_experiment_save: %s is NULL", exp ? "path" : "exp");
    char *dir = dtb__strdup(path);
    if (!dir)
        return DTB_ENOMEM;
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    char *real = real_dir(slash ? (*dir ? dir : "/") : ".");
    free(dir);
    if (!real)
        return dtb__error(DTB_ENOTFOUND, "%s: its folder does not exist", path);
    /* whole or not at all: a full disk or a kill never leaves half an
     * experiment under the name */
    dtb__atomic_file a;
    dtb_status ost = dtb__atomic_open(&a, path);
    if (ost) {
        free(real);
        return ost;
    }
    FILE *f = a.f;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!-- libdtb experiment (dtb-experiment(5)): run it with 'dtb run FILE' -->\n"
          "<experiment version=\"1\">\n", f);
    dtb_status st = DTB_OK;
    for (size_t i = 0; i < exp->n && !st; i++) {
        const dtb__setting_info *info = dtb__setting_find(exp->names[i]);
        if (info && info->kind == DTB__SETTING_FLAG) {
            fprintf(f, "  <%s/>\n", exp->names[i]);
            continue;
        }
        char *v = info ? dtb__experiment_map_paths(info, exp->values[i], relative_to, real)
                       : dtb__strdup(exp->values[i]);
        if (!v) {
            st = DTB_ENOMEM;
            break;
        }
        fprintf(f, "  <%s>", exp->names[i]);
        xml_escaped(f, v);
        fprintf(f, "</%s>\n", exp->names[i]);
        free(v);
    }
    fputs("</experiment>\n", f);
    free(real);
    if (st) {
        dtb__atomic_abort(&a);
        return st;
    }
    return dtb__atomic_commit(&a);
}
