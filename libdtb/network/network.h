/* libdtb internal — the long-range network: delays, edges, history ring and
 * coupling functions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout choices, all for the per-step coupling gather, which dominates
 * dense networks with delays:
 *  - far edges (below) are grouped by SOURCE region (CSR over columns of
 *    w). The gather for one source reads only that source's history
 *    window, which is contiguous, so the reads stream through memory
 *    instead of jumping between the rings of different regions; the
 *    per-target sums live in a small array that stays in L1. Sources are
 *    visited in ascending order, so every target's sum is accumulated in
 *    the same order as TVB's (j ascending), and the result depends on
 *    nothing but the inputs. Near edges are grouped by target (see
 *    dtb__pull_set), also summed over ascending sources.
 *  - each region's history is a ring of H values stored twice in a row
 *    (2H doubles), so "the value d steps ago" is ring[pos + H - d] with no
 *    wrap-around test.
 *  - edges whose delay is at least DTB__GATHER_BLOCK - 1 steps ("far"
 *    edges, nearly all of them in a brain with realistic conduction
 *    speeds) need only states that are already known for the next
 *    DTB__GATHER_BLOCK steps. They are gathered once per block of steps:
 *    each edge's weight and indices are read once for the block, and its
 *    source values are read as one contiguous run of the ring. "Near"
 *    edges (shorter delays) are gathered every step. A coupling sum is the
 *    far part plus the near part, each over sources in ascending order, so
 *    results are deterministic and independent of the block phase.
 *  - zero weights are dropped; delays are rint(length / speed / dt) (round
 *    half to even) over ALL entries, and the horizon H = max delay + 1, as
 *    TVB does.
 */
#ifndef DTB_NETWORK_H
#define DTB_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"
#include "dtb/dtb_sim.h"

#define DTB__GATHER_BLOCK 8

/* Near edges grouped by TARGET, ascending source: each step's sum for a
 * target is accumulated in a register from ring[now + offset], offset =
 * source * 2H - delay. Dense delay-free networks are a plain
 * matrix-vector product this way. */
typedef struct dtb__pull_set {
    int64_t n_edges;
    int64_t *row_start;   /* n + 1 */
    int32_t *offset;
    double *weight;
} dtb__pull_set;

/* Far edges grouped by source, ascending source then ascending target. */
typedef struct dtb__edge_set {
    int64_t n_edges;
    int64_t *src_start;   /* n + 1 */
    int32_t *target;
    int32_t *delay;
    double *weight;
} dtb__edge_set;

typedef struct dtb__network {
    int64_t n;            /* regions */
    int64_t horizon;      /* H: history length in steps (max delay + 1) */
    int32_t *delay;       /* n*n, row-major (target, source), for inspection */
    int64_t n_edges;
    dtb__pull_set near;   /* delay < DTB__GATHER_BLOCK - 1: gathered every step */
    dtb__edge_set far;    /* the rest: gathered once per block of steps */
    double *row_sum;      /* sum_j w_kj, for the difference coupling */
    /* the same edges by target, ascending source (TVB float32 mode) */
    int64_t *row_start;   /* n + 1 */
    int32_t *row_source;
    int32_t *row_delay;
    float *row_weight32;
} dtb__network;

/* Build from an n*n weight matrix and tract lengths in mm (NULL: none),
 * speed in m/s (INFINITY: no delays) and dt in seconds. */
dtb_status dtb__network_build(dtb__network *net, int64_t n, const double *weights,
                              const double *lengths_mm, double speed, double dt);
void dtb__network_free(dtb__network *net);

/* History of the coupling variables: for each channel (one per coupling
 * variable; the Kuramoto coupling adds sine and cosine channels) and each
 * region a doubled ring of H values. The value written after step m sits at
 * ring position m mod H. */
typedef struct dtb__history {
    int64_t n, horizon;
    size_t n_cvar;
    double *ring;         /* [n_cvar][n][2H] raw coupling-variable values */
    double *sin_ring;     /* [n_cvar][n][2H] sin of them, only for Kuramoto coupling */
    double *cos_ring;
    float *ring32;        /* [n_cvar][n][H] float32 copy, only in TVB float32 mode */
} dtb__history;

dtb_status dtb__history_init(dtb__history *h, int64_t n, int64_t horizon, size_t n_cvar);
void dtb__history_free(dtb__history *h);
/* The coupling variables are rows cvar_state[cv] of a state-major state
 * x[v * n + k]. */
/* Fill every slot of every channel with the current value (constant past). */
void dtb__history_fill(dtb__history *h, const double *x, const int64_t *cvar_state);
/* Store the state after step m. */
void dtb__history_push(dtb__history *h, int64_t m, const double *x, const int64_t *cvar_state);
/* Make sure the derived channels a coupling kind needs exist and are
 * up to date (allocating and filling them from the raw ring if needed). */
dtb_status dtb__history_prepare(dtb__history *h, dtb_coupling_kind kind, int float32_mode);

/* A coupling function: kind and the parameters of its post/pre functions. */
typedef struct dtb__coupling {
    dtb_coupling_kind kind;
    double a, b;
} dtb__coupling;

void dtb__coupling_defaults(dtb__coupling *c, dtb_coupling_kind kind);
/* Parameter by name; returns a pointer into c or NULL if the kind has no
 * such parameter. */
double *dtb__coupling_param(dtb__coupling *c, const char *name);
const char *dtb__coupling_kind_name(dtb_coupling_kind kind);

/* Far-edge sums of the current block: G[channel][k][b] for the steps
 * start+1 .. start+DTB__GATHER_BLOCK. start < 0: nothing computed. */
typedef struct dtb__gather_cache {
    int64_t start;
    size_t n_channels;
    double *G;
    double *near;         /* per-step near sums, [channel][n] */
} dtb__gather_cache;

dtb_status dtb__gather_cache_init(dtb__gather_cache *g, int64_t n, size_t n_cvar);
void dtb__gather_cache_free(dtb__gather_cache *g);
/* Forget the block (after the history or the coupling kind changed). */
static inline void dtb__gather_cache_invalidate(dtb__gather_cache *g) { g->start = -1; }

/* Compute the coupling input of step m+1 (from states up to step m, a zero
 * delay meaning the state after step m) for every coupling variable:
 * out[cv * n_regions + k]. scratch holds 2 * n_regions doubles. */
void dtb__coupling_compute(const dtb__coupling *c, const dtb__network *net,
                           const dtb__history *h, dtb__gather_cache *cache, int64_t m,
                           int float32_mode, double *out, double *scratch);

#endif
