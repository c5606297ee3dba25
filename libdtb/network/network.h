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
#include "expr/expr.h"
#include "kernel/kernel.h"
#include "network/coupling_kinds.h"

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
    /* When every near edge has delay 0 and the matrix is dense (a
     * delay-free whole-brain connectome), a plain n x n row-major copy of
     * the weights (zeros included): each target's sum is then a dot product
     * of contiguous arrays with no index loads. NULL otherwise. */
    double *dense;
    int dense_symmetric;   /* dense equals its transpose, bit for bit */
} dtb__pull_set;

/* Far edges grouped by source, ascending source; a source's edges longest
 * delay first, then ascending target (network.c says why). */
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

/* ------------------------------------------------------------ coupling */

#define DTB__COUPLING_MAX_PARAMS 8

/* A coupling function: post(sum_j w_kj pre(x_j)) per coupling input. The
 * "pre" part depends only on the source's own (delayed) values, so the
 * history keeps the pre-transformed values as channels and every kind is a
 * linear gather of channels followed by a per-target "post". DIFFERENCE
 * and KURAMOTO, whose TVB pre also reads the target, are rewritten into
 * that form (see coupling.c). */
typedef struct dtb__coupling {
    dtb_coupling_kind kind;
    size_t n_params;
    char *names[DTB__COUPLING_MAX_PARAMS];   /* owned */
    double p[DTB__COUPLING_MAX_PARAMS];
    /* EXPRESSION: pre(x_j) and post(gx, x_i, w_sum) */
    dtb__expr *pre_expr, *post_expr;
    /* on the kernel: inputs the parameters (shared), then the variables */
    dtb__kprog pre, post;
} dtb__coupling;

/* Set to a built-in kind with its defaults (the coupling must be zeroed or
 * previously set). DTB_EINVAL if the model has too few coupling variables
 * for the kind. */
dtb_status dtb__coupling_set_builtin(dtb__coupling *c, dtb_coupling_kind kind, size_t n_cvar);
/* Set to user expressions (parsed and compiled now). */
dtb_status dtb__coupling_set_expressions(dtb__coupling *c, const char *pre, const char *post,
                                         const char *const *names, const double *values,
                                         size_t n_params);
void dtb__coupling_free(dtb__coupling *c);
/* Parameter by name, or NULL. */
double *dtb__coupling_param(dtb__coupling *c, const char *name);
/* Pre channels of the coupling: 0 when they are the raw coupling
 * variables themselves. */
size_t dtb__coupling_n_channels(const dtb__coupling *c, size_t n_cvar);
/* Pre-transform one time slot: raw [n_cvar][n] -> out [n_channels][n]. */
void dtb__coupling_pre(const dtb__coupling *c, size_t n_cvar, size_t n, const double *raw,
                       double *out);
/* Whether the TVB float32 mode applies (TVB's sparse couplings). */
int dtb__coupling_has_float32_mode(dtb_coupling_kind kind);

/* History of the coupling variables and of their pre-transformed channels,
 * for each region a doubled ring of H values (see the top of this file).
 * The value written after step m sits at ring position m mod H. */
typedef struct dtb__history {
    int64_t n, horizon;
    size_t n_cvar;
    const int64_t *cvar_state; /* state index of each coupling variable (borrowed) */
    double *ring;         /* [n_cvar][n][2H] raw coupling-variable values */
    size_t n_channels;    /* pre channels of the current coupling */
    double *pre_ring;     /* [n_channels][n][2H]; NULL when the channels are the raw rings */
    float *ring32;        /* [n_cvar][n][H] float32 copy, only in TVB float32 mode */
    double *tmp;          /* transform scratch, (n_cvar + 2 * n_cvar) * n */
} dtb__history;

dtb_status dtb__history_init(dtb__history *h, int64_t n, int64_t horizon, size_t n_cvar,
                             const int64_t *cvar_state);
void dtb__history_free(dtb__history *h);
/* The coupling variables are rows cvar_state[cv] of a state-major state
 * x[v * n + k]. Fill every slot with the current value (constant past). */
void dtb__history_fill(dtb__history *h, const dtb__coupling *c, const double *x);
/* Store the state after step m. */
void dtb__history_push(dtb__history *h, const dtb__coupling *c, int64_t m, const double *x);
/* Rebuild the channels for coupling c (after the kind or a parameter that
 * enters "pre" changed), and the float32 copy if asked. */
dtb_status dtb__history_prepare(dtb__history *h, const dtb__coupling *c, int float32_mode);
/* Ring of channel ch (raw or pre-transformed). */
const double *dtb__history_channel(const dtb__history *h, size_t ch);

/* Far-edge sums of the current block: G[channel][k][b] for the steps
 * start+1 .. start+DTB__GATHER_BLOCK. start < 0: nothing computed. */
typedef struct dtb__gather_cache {
    int64_t start;
    size_t n_channels;
    double *G;
    double *sums;         /* per-step total sums, [channel][n] */
    double *current;      /* the channel's current values, contiguous (dense path) */
} dtb__gather_cache;

dtb_status dtb__gather_cache_init(dtb__gather_cache *g, int64_t n, size_t n_cvar);
void dtb__gather_cache_free(dtb__gather_cache *g);
/* Forget the block (after the history or the coupling changed). */
static inline void dtb__gather_cache_invalidate(dtb__gather_cache *g) { g->start = -1; }
/* Weighted sums of every channel for step m+1, into g->sums. */
void dtb__gather(const dtb__network *net, const dtb__history *h, dtb__gather_cache *g, int64_t m);

/* y = W x for a dense n x n W (rows are targets), with the kernels of the
 * delay-free dense gather: AVX2 when the CPU has it, a fixed summation
 * order. symmetric: W equals its transpose bit for bit, and only its upper
 * triangle is read (half the bytes). The echo-state reservoir's update. */
void dtb__dense_product(const double *W, int64_t n, const double *x, double *y, int symmetric);

/* Where the targets' current values are, for the coupling functions that
 * read them: raw coupling variable cv of region k at
 * raw[cv * cvar_stride + k * region_stride], the first channel at
 * channel0[k * region_stride]. */
typedef struct dtb__coupling_current {
    const double *raw;
    size_t region_stride, cvar_stride;
    const double *channel0;
} dtb__coupling_current;

/* The "post" part: from the weighted sums G ([channel][n]) to the coupling
 * input out[cv * n_regions + k]. scratch holds 2 * n_regions doubles. */
void dtb__coupling_post(dtb__coupling *c, const dtb__network *net, size_t n_cvar, const double *G,
                        const dtb__coupling_current *cur, double *out, double *scratch);

/* The gathers of K simulations of one network at once (gather_lanes.c):
 * channel rings interleaved as [region][S][K], S = DTB__LANES_SLOTS(H):
 * the value after step t in slot t mod H, slots H .. H + B - 1 repeating
 * slots 0 .. B - 1 (mod H). The sums of every lane are bit for bit those
 * of dtb__gather on that lane's own ring. */
#define DTB__LANES_SLOTS(H) ((H) + DTB__GATHER_BLOCK)
typedef struct dtb__gather_lanes {
    int64_t start;        /* first step of the far block, < 0: none */
    size_t K, n_channels;
    double *G;            /* far sums [channel][n][B][K] */
    double *sums;         /* this step's sums [channel][n][K] */
    double *current;      /* dense path: current values [n][K] */
    double *scratch;      /* partial sums, 16 K */
    /* the far edges (all of the network's) in the order of the tiles of
     * gather_lanes.c */
    int64_t n_far;
    int32_t *far_source, *far_target, *far_delay;
    double *far_weight;
    /* the near edges in the pull set's order: where their source's ring
     * starts, delay, weight */
    int64_t *near_start;   /* n + 1 */
    int64_t *near_base;
    int32_t *near_delay;
    double *near_weight;
} dtb__gather_lanes;

dtb_status dtb__gather_lanes_init(dtb__gather_lanes *g, const dtb__network *net, size_t n_channels,
                                  size_t K);
void dtb__gather_lanes_free(dtb__gather_lanes *g);
/* Sums of every channel for step m+1 into g->sums; channels[ch] is the
 * interleaved ring of channel ch. */
void dtb__gather_lanes_run(const dtb__network *net, const double *const *channels, int64_t horizon,
                           dtb__gather_lanes *g, int64_t m);

/* Compute the coupling input of step m+1 (from states up to step m, a zero
 * delay meaning the state after step m) for every coupling input:
 * out[cv * n_regions + k]. scratch holds 2 * n_regions doubles. */
void dtb__coupling_compute(dtb__coupling *c, const dtb__network *net, const dtb__history *h,
                           dtb__gather_cache *cache, int64_t m, int float32_mode, double *out,
                           double *scratch);

#endif
