/* libdtb — dtb_atlas_load: built-in names, TVB-layout folders, single files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading is all or nothing: every file is read and checked against the
 * weight matrix (which fixes the region count) before the atlas is built,
 * and a failure returns no atlas and a message naming the file and line.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atlas_impl.h"
#include "atlas_region_files.h"
#include "base/base.h"
#include "dtb/dtb_atlas.h"
#include "io/text_matrix.h"

/* Names looked for in a folder, in order of preference. */
static const char *const weights_names[] = {"weights.txt", "weights.csv", NULL};
static const char *const lengths_names[] = {"tract_lengths.txt", "tract_lengths.csv", "lengths.txt", NULL};
static const char *const centres_names[] = {"centres.txt", "centres.csv", NULL};
static const char *const labels_names[] = {"region_labels.txt", "region_labels.csv", "labels.txt", NULL};

/* The files an atlas is read from (malloc'd paths, NULL when absent). */
typedef struct atlas_files {
    char *weights, *lengths, *centres, *labels;
    int from_folder;
} atlas_files;

static void atlas_files_free(atlas_files *f)
{
    free(f->weights);
    free(f->lengths);
    free(f->centres);
    free(f->labels);
}

dtb_status dtb_atlas_load_options_init(dtb_atlas_load_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_ATLAS_LOAD_OPTIONS_VERSION,
                             "dtb_atlas_load_options");
}

static int is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Last component of a path, without trailing slashes ("a/b/" -> "b"). */
static char *base_name(const char *path)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return dtb__strndup(path + start, end - start);
}

/* The first of `names` that is a file in `dir`; *found stays NULL if none. */
static dtb_status find_in_folder(const char *dir, const char *const *names, char **found)
{
    size_t len = strlen(dir);
    const char *slash = len > 0 && dir[len - 1] == '/' ? "" : "/";
    for (int i = 0; names[i]; i++) {
        char *candidate = dtb__asprintf("%s%s%s", dir, slash, names[i]);
        if (!candidate)
            return DTB_ENOMEM;
        if (is_regular_file(candidate)) {
            *found = candidate;
            return DTB_OK;
        }
        free(candidate);
    }
    return DTB_OK;
}

static dtb_status take_option(char **slot, const char *explicit_path)
{
    if (!explicit_path || *slot)
        return DTB_OK;
    *slot = dtb__strdup(explicit_path);
    return *slot ? DTB_OK : DTB_ENOMEM;
}

/* Which files to read: explicit option paths first, then the path itself
 * (a weight-matrix file) or the standard names inside it (a folder). */
static dtb_status resolve_files(const char *path, const dtb_atlas_load_options *opts, atlas_files *f)
{
    dtb_status s;
    if ((s = take_option(&f->weights, opts->weights_path)) != DTB_OK
        || (s = take_option(&f->lengths, opts->tract_lengths_path)) != DTB_OK
        || (s = take_option(&f->centres, opts->centres_path)) != DTB_OK
        || (s = take_option(&f->labels, opts->labels_path)) != DTB_OK)
        return s;
    if (!path)
        return DTB_OK;

    struct stat st;
    if (stat(path, &st) != 0)
        return dtb__error(DTB_ENOTFOUND, "no such folder, file or built-in atlas (built-in: %s)",
                          dtb_atlas_builtin_name(0));
    if (!S_ISDIR(st.st_mode)) {
        if (opts->weights_path)
            return dtb__error(DTB_EINVAL, "the path is a weight-matrix file, so options.weights_path "
                              "('%s') must not also be given", opts->weights_path);
        return take_option(&f->weights, path);
    }
    f->from_folder = 1;
    if ((!f->weights && (s = find_in_folder(path, weights_names, &f->weights)) != DTB_OK)
        || (!f->lengths && (s = find_in_folder(path, lengths_names, &f->lengths)) != DTB_OK)
        || (!f->centres && (s = find_in_folder(path, centres_names, &f->centres)) != DTB_OK)
        || (!f->labels && (s = find_in_folder(path, labels_names, &f->labels)) != DTB_OK))
        return s;
    if (!f->weights)
        return dtb__error(DTB_ENOTFOUND, "%s: no weights.txt or weights.csv in the folder "
                          "(the weight matrix is required)", path);
    return DTB_OK;
}

/* Everything read from the files, before it becomes an atlas. */
typedef struct atlas_parts {
    dtb__matrix weights, lengths;
    dtb__region_table regions;
    char **labels;
    size_t n;
} atlas_parts;

static void atlas_parts_free(atlas_parts *p)
{
    dtb__matrix_free(&p->weights);
    dtb__matrix_free(&p->lengths);
    dtb__region_table_free(&p->regions);
    dtb__strings_free(p->labels, p->n);
    p->labels = NULL;
}

static dtb_status read_parts(const atlas_files *f, atlas_parts *p)
{
    dtb_status s = dtb__matrix_read(f->weights, DTB__MATRIX_SQUARE, &p->weights, NULL, NULL);
    if (s != DTB_OK)
        return s;
    p->n = p->weights.rows;
    if ((int64_t)p->n > DTB__ATLAS_MAX_REGIONS)
        return dtb__error(DTB_EUNSUPPORTED, "%s: %zu regions; at most %" PRId64 " are supported",
                          f->weights, p->n, DTB__ATLAS_MAX_REGIONS);
    char *weights_name = base_name(f->weights);
    char *reason = weights_name ? dtb__asprintf("one per region of %s", weights_name) : NULL;
    free(weights_name);
    if (!reason)
        return DTB_ENOMEM;
    if (f->lengths)
        s = dtb__matrix_read_shaped(f->lengths, DTB__MATRIX_NONNEGATIVE, p->n, p->n, reason,
                                    &p->lengths, NULL, NULL);
    if (s == DTB_OK && f->centres)
        s = dtb__region_table_read(f->centres, p->n, reason, &p->regions);
    if (s == DTB_OK && f->labels)
        s = dtb__labels_read(f->labels, p->n, reason, &p->labels);
    free(reason);
    return s;
}

/* Move the parts into a new atlas; p is left empty. */
static dtb_status assemble(atlas_parts *p, dtb_atlas **out)
{
    dtb_atlas *a;
    dtb_status s = dtb__atlas_new(&a, (int64_t)p->n, p->weights.data);
    p->weights.data = NULL;
    if (s != DTB_OK)
        return s;
    a->lengths = p->lengths.data;
    p->lengths.data = NULL;
    a->centres = p->regions.centres;
    p->regions.centres = NULL;
    a->lobes = p->regions.lobes;
    a->gyri = p->regions.gyri;
    p->regions.lobes = p->regions.gyri = NULL;
    if (p->regions.hemispheres)
        memcpy(a->hemispheres, p->regions.hemispheres, p->n * sizeof *a->hemispheres);
    /* Labels: the labels file, else the centres file, else the indices. */
    char ***label_source = p->labels ? &p->labels : p->regions.labels ? &p->regions.labels : NULL;
    if (label_source) {
        free(a->labels);
        a->labels = *label_source;
        *label_source = NULL;
    }
    if ((s = dtb__atlas_fill_index_labels(a)) != DTB_OK) {
        dtb_atlas_free(a);
        return s;
    }
    dtb__atlas_infer_hemispheres(a);
    *out = a;
    return DTB_OK;
}

static char *load_description(const dtb_atlas *a, const char *path, const atlas_files *f,
                              int lengths_derived, int labels_from_centres)
{
    dtb__strbuf b = {0};
    if (path)
        dtb__strbuf_printf(&b, "Loaded from the %s '%s': ", f->from_folder ? "folder" : "file", path);
    else
        dtb__strbuf_append(&b, "Loaded from files: ");
    dtb__strbuf_printf(&b, "%" PRId64 " regions, %" PRId64 " non-zero weights. Weights: %s. ", a->n,
                       dtb__atlas_count_edges(a), f->weights);
    if (f->lengths)
        dtb__strbuf_printf(&b, "Tract lengths: %s. ", f->lengths);
    else if (lengths_derived)
        dtb__strbuf_append(&b, "Tract lengths: DERIVED as Euclidean distances between the region "
                               "centres (mm), not measured. ");
    else
        dtb__strbuf_append(&b, "Tract lengths: none (no delays can be computed). ");
    if (f->centres)
        dtb__strbuf_printf(&b, "Centres: %s. ", f->centres);
    else
        dtb__strbuf_append(&b, "Centres: none. ");
    if (f->labels)
        dtb__strbuf_printf(&b, "Labels: %s.", f->labels);
    else if (labels_from_centres)
        dtb__strbuf_append(&b, "Labels: from the centres file.");
    else
        dtb__strbuf_append(&b, "Labels: the 0-based region indices (\"0\", \"1\", ...).");
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

static dtb_status load_files(dtb_atlas **out, const char *path, const atlas_files *f)
{
    atlas_parts parts = {0};
    dtb_status s = read_parts(f, &parts);
    int labels_from_centres = !parts.labels && parts.regions.labels;
    dtb_atlas *a = NULL;
    if (s == DTB_OK)
        s = assemble(&parts, &a);
    atlas_parts_free(&parts);
    if (s != DTB_OK)
        return s;
    int lengths_derived = !a->lengths && a->centres;
    if (lengths_derived)
        s = dtb__atlas_lengths_from_centres(a, 1.0);
    if (s == DTB_OK && !(a->name = base_name(path ? path : f->weights)))
        s = DTB_ENOMEM;
    if (s == DTB_OK && !(a->description = load_description(a, path, f, lengths_derived, labels_from_centres)))
        s = DTB_ENOMEM;
    if (s != DTB_OK) {
        dtb_atlas_free(a);
        return s;
    }
    *out = a;
    return DTB_OK;
}

static int is_builtin_name(const char *name)
{
    for (int64_t i = 0; i < dtb_atlas_builtin_count(); i++)
        if (strcmp(dtb_atlas_builtin_name(i), name) == 0)
            return 1;
    return 0;
}

static dtb_status check_options(const dtb_atlas_load_options *opts)
{
    dtb_status s = dtb__check_version(opts->version, DTB_ATLAS_LOAD_OPTIONS_VERSION, "dtb_atlas_load_options");
    if (s != DTB_OK)
        return s;
    if (opts->flags != 0)
        return dtb__error(DTB_EINVAL, "dtb_atlas_load_options.flags is %" PRIu32
                          "; it is reserved and must be 0", opts->flags);
    return DTB_OK;
}

dtb_status dtb_atlas_load(dtb_atlas **out, const char *path, const dtb_atlas_load_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_load: out is NULL");
    *out = NULL;
    static const dtb_atlas_load_options defaults = DTB_ATLAS_LOAD_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dtb_status s = check_options(opts);
    if (s != DTB_OK)
        return s;
    if (!path && !opts->weights_path)
        return dtb__error(DTB_EINVAL, "dtb_atlas_load: path is NULL and no options.weights_path is given");
    if (path && is_builtin_name(path)) {
        if (opts->weights_path || opts->tract_lengths_path || opts->centres_path || opts->labels_path)
            return dtb__error(DTB_EINVAL, "dtb_atlas_load: '%s' is a built-in atlas; "
                              "file options do not apply to it", path);
        return dtb_atlas_create_builtin(out, path);
    }
    atlas_files files = {0};
    s = resolve_files(path, opts, &files);
    if (s == DTB_OK)
        s = load_files(out, path, &files);
    atlas_files_free(&files);
    if (s != DTB_OK)
        return dtb__error_context(s, "loading atlas '%s'", path ? path : opts->weights_path);
    return DTB_OK;
}
