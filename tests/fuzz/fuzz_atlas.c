/* Fuzz harness: the atlas loaders through the public dtb_atlas_load().
 * Each input is written to temporary files and loaded five ways:
 *  1. as a single weight-matrix file;
 *  2. split at lines "--" into weights, tract lengths, centres and labels
 *     (as many parts as there are), loaded through explicit option paths;
 *  3-5. a fixed valid 4 x 4 weight matrix with the input as its centres,
 *     its labels, or its tract lengths.
 * An atlas that loads is also queried and normalised. Load errors are
 * expected; crashes, sanitizer reports and leaks are bugs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dtb/dtb.h>

#include "fuzz.h"

static char dir[4096];
static char path_m[4200], path_w[4200], path_t[4200], path_c[4200], path_l[4200],
    path_fixed[4200], path_in[4200];

static void cleanup(void)
{
    const char *files[] = {path_m, path_w, path_t, path_c, path_l, path_fixed, path_in};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir(dir);
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = size ? fwrite(data, 1, size, f) : 0;
    return (fclose(f) == 0 && put == size) ? 0 : -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dtb-fuzz-atlas-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path_m, sizeof path_m, "%s/matrix.txt", dir);
    snprintf(path_w, sizeof path_w, "%s/w.txt", dir);
    snprintf(path_t, sizeof path_t, "%s/t.txt", dir);
    snprintf(path_c, sizeof path_c, "%s/c.txt", dir);
    snprintf(path_l, sizeof path_l, "%s/l.txt", dir);
    snprintf(path_fixed, sizeof path_fixed, "%s/fixed_weights.txt", dir);
    snprintf(path_in, sizeof path_in, "%s/input.txt", dir);
    static const char fixed[] = "0 1 0 0.5\n1 0 2 0\n0 2 0 1\n0.5 0 1 0\n";
    atexit(cleanup);
    return write_file(path_fixed, (const uint8_t *)fixed, sizeof fixed - 1);
}

static void use(dtb_atlas *a)
{
    if (!a)
        return;
    volatile size_t sink = 0;
    int64_t n = dtb_atlas_region_count(a);
    for (int64_t k = -1; k <= n; k++) {
        double xyz[3];
        sink += (size_t)dtb_atlas_region_label(a, k) + (size_t)dtb_atlas_region_hemisphere(a, k);
        dtb_atlas_region_centre(a, k, xyz);
    }
    size_t needed = 0;
    dtb_atlas_copy_weights(a, NULL, 0, &needed);
    double *w = needed ? malloc(needed * sizeof *w) : NULL;
    if (w) {
        dtb_atlas_copy_weights(a, w, needed, NULL);
        dtb_atlas_copy_tract_lengths(a, w, needed, NULL);
        free(w);
    }
    sink += (size_t)dtb_atlas_edge_count(a) + (size_t)dtb_atlas_description(a);
    dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_REGION);
    dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_LOG1P);
    (void)sink;
    dtb_atlas_free(a);
}

static void load(const char *path, const dtb_atlas_load_options *opts)
{
    dtb_atlas *a = NULL;
    if (dtb_atlas_load(&a, path, opts) == DTB_OK)
        use(a);
}

/* Split at lines that are exactly "--". */
static size_t next_part(const uint8_t *data, size_t size, size_t start, size_t *end)
{
    for (size_t i = start; i + 2 <= size; i++) {
        if ((i == start || data[i - 1] == '\n') && data[i] == '-' && data[i + 1] == '-' &&
            (i + 2 == size || data[i + 2] == '\n')) {
            *end = i;
            return i + 3 > size ? size : i + 3;
        }
    }
    *end = size;
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        return 0;
    /* 1. a single matrix file */
    if (write_file(path_m, data, size) == 0)
        load(path_m, NULL);

    /* 2. up to four parts */
    const char *paths[4] = {path_w, path_t, path_c, path_l};
    dtb_atlas_load_options o = DTB_ATLAS_LOAD_OPTIONS_INIT;
    const char **slots[4] = {&o.weights_path, &o.tract_lengths_path, &o.centres_path,
                             &o.labels_path};
    size_t start = 0;
    for (int i = 0; i < 4 && start <= size; i++) {
        size_t end;
        size_t next = next_part(data, size, start, &end);
        if (write_file(paths[i], data + start, end - start) != 0)
            break;
        *slots[i] = paths[i];
        if (next >= size)
            break;
        start = next;
    }
    if (o.weights_path)
        load(NULL, &o);

    /* 3-5. fixed weights, the input as centres, labels or tract lengths */
    if (write_file(path_in, data, size) == 0) {
        dtb_atlas_load_options f = DTB_ATLAS_LOAD_OPTIONS_INIT;
        f.weights_path = path_fixed;
        f.centres_path = path_in;
        load(NULL, &f);
        f.centres_path = NULL;
        f.labels_path = path_in;
        load(NULL, &f);
        f.labels_path = NULL;
        f.tract_lengths_path = path_in;
        load(NULL, &f);
    }
    return 0;
}
