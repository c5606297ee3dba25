/* libdtb — atlas lifetime: creation from arrays, deep copies, freeing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "dtb/dtb_atlas.h"

dtb_status dtb__atlas_new(dtb_atlas **out, int64_t n, double *weights)
{
    *out = NULL;
    dtb_atlas *a = dtb__calloc(1, sizeof *a);
    if (!a) {
        free(weights);
        return DTB_ENOMEM;
    }
    a->n = n;
    a->labels = dtb__calloc((size_t)n, sizeof *a->labels);
    a->hemispheres = dtb__calloc((size_t)n, sizeof *a->hemispheres);
    a->weights = weights ? weights : dtb__calloc(dtb__atlas_cells(a), sizeof *a->weights);
    if (!a->labels || !a->hemispheres || !a->weights) {
        dtb_atlas_free(a);
        return DTB_ENOMEM;
    }
    *out = a;
    return DTB_OK;
}

static void free_strings(char **strings, int64_t n)
{
    if (!strings)
        return;
    for (int64_t k = 0; k < n; k++)
        free(strings[k]);
    free(strings);
}

void dtb_atlas_free(dtb_atlas *atlas)
{
    if (!atlas)
        return;
    free(atlas->name);
    free(atlas->description);
    free_strings(atlas->labels, atlas->n);
    free_strings(atlas->lobes, atlas->n);
    free_strings(atlas->gyri, atlas->n);
    free(atlas->hemispheres);
    free(atlas->centres);
    free(atlas->weights);
    free(atlas->lengths);
    free(atlas);
}

dtb_status dtb__atlas_fill_index_labels(dtb_atlas *a)
{
    for (int64_t k = 0; k < a->n; k++) {
        if (a->labels[k])
            continue;
        a->labels[k] = dtb__asprintf("%" PRId64, k);
        if (!a->labels[k])
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

/* Copy of an array of n strings; NULL stays NULL. Returns 0 on failure. */
static int copy_strings(char ***dst, char *const *src, int64_t n)
{
    *dst = NULL;
    if (!src)
        return 1;
    char **copy = dtb__calloc((size_t)n, sizeof *copy);
    if (!copy)
        return 0;
    for (int64_t k = 0; k < n; k++) {
        if (src[k] && !(copy[k] = dtb__strdup(src[k]))) {
            free_strings(copy, n);
            return 0;
        }
    }
    *dst = copy;
    return 1;
}

static int copy_doubles(double **dst, const double *src, size_t count)
{
    *dst = NULL;
    if (!src)
        return 1;
    *dst = dtb__malloc_array(count, sizeof **dst);
    if (!*dst)
        return 0;
    memcpy(*dst, src, count * sizeof **dst);
    return 1;
}

dtb_status dtb_atlas_clone(dtb_atlas **out, const dtb_atlas *atlas)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_clone: out is NULL");
    *out = NULL;
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_clone: atlas is NULL");
    dtb_atlas *c = dtb__calloc(1, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    size_t n = (size_t)atlas->n, cells = dtb__atlas_cells(atlas);
    c->n = atlas->n;
    c->synthetic = atlas->synthetic;
    int ok = (c->name = dtb__strdup(atlas->name)) != NULL
             && (c->description = dtb__strdup(atlas->description)) != NULL
             && copy_strings(&c->labels, atlas->labels, atlas->n)
             && copy_strings(&c->lobes, atlas->lobes, atlas->n)
             && copy_strings(&c->gyri, atlas->gyri, atlas->n)
             && (c->hemispheres = dtb__malloc_array(n, sizeof *c->hemispheres)) != NULL
             && copy_doubles(&c->centres, atlas->centres, 3 * n)
             && copy_doubles(&c->weights, atlas->weights, cells)
             && copy_doubles(&c->lengths, atlas->lengths, cells);
    if (!ok) {
        dtb_atlas_free(c);
        return DTB_ENOMEM;
    }
    memcpy(c->hemispheres, atlas->hemispheres, n * sizeof *c->hemispheres);
    *out = c;
    return DTB_OK;
}

/* Index of the first entry of `values` that is not finite (or negative when
 * `nonnegative`), or `count` if all are fine. */
static size_t first_bad(const double *values, size_t count, int nonnegative)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(values[i]) || (nonnegative && values[i] < 0))
            return i;
    return count;
}

static dtb_status check_arrays(int64_t n, const double *weights, const double *lengths,
                               const double *centres, const char *const *labels)
{
    static const char fn[] = "dtb_atlas_create_from_arrays";
    if (n < 1 || n > DTB__ATLAS_MAX_REGIONS)
        return dtb__error(DTB_EINVAL, "%s: n_regions is %" PRId64 "; it must be 1..%" PRId64, fn,
                          n, DTB__ATLAS_MAX_REGIONS);
    if (!weights)
        return dtb__error(DTB_EINVAL, "%s: weights is NULL", fn);
    size_t cells = (size_t)n * (size_t)n, bad;
    if ((bad = first_bad(weights, cells, 0)) < cells)
        return dtb__error(DTB_EINVAL, "%s: weights[%zu] (target %zu, source %zu) is not finite", fn,
                          bad, bad / (size_t)n, bad % (size_t)n);
    if (lengths && (bad = first_bad(lengths, cells, 1)) < cells)
        return dtb__error(DTB_EINVAL,
                          "%s: tract_lengths[%zu] (target %zu, source %zu) is %g; "
                          "lengths must be finite and >= 0",
                          fn, bad, bad / (size_t)n, bad % (size_t)n, lengths[bad]);
    if (centres && (bad = first_bad(centres, 3 * (size_t)n, 0)) < 3 * (size_t)n)
        return dtb__error(DTB_EINVAL, "%s: centres[%zu] (region %zu) is not finite", fn, bad, bad / 3);
    for (int64_t k = 0; labels && k < n; k++) {
        if (!labels[k])
            return dtb__error(DTB_EINVAL, "%s: labels[%" PRId64 "] is NULL", fn, k);
        for (const unsigned char *c = (const unsigned char *)labels[k]; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                /* labels are printed: a terminal would run an escape sequence */
                return dtb__error(DTB_EINVAL, "%s: labels[%" PRId64 "] holds a control character "
                                              "(byte 0x%02x)", fn, k, *c);
    }
    return DTB_OK;
}

static char *arrays_description(const dtb_atlas *a, int lengths_given, int labels_given)
{
    dtb__strbuf b = {0};
    dtb__strbuf_printf(&b, "Built from caller arrays: %" PRId64 " regions, %" PRId64 " non-zero weights; ",
                       a->n, dtb__atlas_count_edges(a));
    if (lengths_given)
        dtb__strbuf_append(&b, "tract lengths given");
    else if (a->lengths)
        dtb__strbuf_append(&b, "tract lengths DERIVED as Euclidean distances between the region "
                               "centres (mm), not measured");
    else
        dtb__strbuf_append(&b, "no tract lengths");
    dtb__strbuf_append(&b, a->centres ? "; centres given" : "; no centres");
    dtb__strbuf_append(&b, labels_given ? "; labels given." : "; labels are the region indices.");
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

dtb_status dtb_atlas_create_from_arrays(dtb_atlas **out, int64_t n_regions, const double *weights,
                                        const double *tract_lengths, const double *centres,
                                        const char *const *labels)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_create_from_arrays: out is NULL");
    *out = NULL;
    dtb_status s = check_arrays(n_regions, weights, tract_lengths, centres, labels);
    if (s != DTB_OK)
        return s;
    size_t n = (size_t)n_regions, cells = n * n;
    double *weights_copy;
    if (!copy_doubles(&weights_copy, weights, cells))
        return DTB_ENOMEM;
    dtb_atlas *a;
    if ((s = dtb__atlas_new(&a, n_regions, weights_copy)) != DTB_OK)
        return s;
    int ok = copy_doubles(&a->lengths, tract_lengths, cells)
             && copy_doubles(&a->centres, centres, 3 * n)
             && (a->name = dtb__strdup("custom")) != NULL;
    for (size_t k = 0; ok && labels && k < n; k++)
        ok = (a->labels[k] = dtb__strdup(labels[k])) != NULL;
    if (!ok || dtb__atlas_fill_index_labels(a) != DTB_OK)
        s = DTB_ENOMEM;
    if (s == DTB_OK && !a->lengths && a->centres)
        s = dtb__atlas_lengths_from_centres(a, 1.0);
    if (s == DTB_OK && !(a->description = arrays_description(a, tract_lengths != NULL, labels != NULL)))
        s = DTB_ENOMEM;
    if (s != DTB_OK) {
        dtb_atlas_free(a);
        return s;
    }
    dtb__atlas_infer_hemispheres(a);
    *out = a;
    return DTB_OK;
}
