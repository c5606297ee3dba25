/* libdtb — building the network: delays in steps and edge lists.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network.h"

/* A ring larger than this is almost certainly a unit mistake (a speed in
 * mm/s, say); refuse it with a message rather than exhaust memory. */
#define MAX_HISTORY_BYTES (8.0 * 1024 * 1024 * 1024)   /* 2^30 doubles */

static void pull_set_free(dtb__pull_set *p)
{
    free(p->dense);
    free(p->row_start);
    free(p->offset);
    free(p->weight);
}

static void edge_set_free(dtb__edge_set *e)
{
    free(e->src_start);
    free(e->target);
    free(e->delay);
    free(e->weight);
}

void dtb__network_free(dtb__network *net)
{
    free(net->delay);
    pull_set_free(&net->near);
    edge_set_free(&net->far);
    free(net->row_sum);
    free(net->row_start);
    free(net->row_source);
    free(net->row_delay);
    free(net->row_weight32);
    memset(net, 0, sizeof *net);
}

static dtb_status compute_delays(dtb__network *net, const double *lengths_mm, double speed,
                                 double dt)
{
    int64_t n = net->n;
    net->horizon = 1;
    if (isinf(speed))
        return DTB_OK;   /* net->delay is all zero */
    /* TVB: rint(tract_lengths / speed / dt) with speed in mm/ms, dt in ms.
     * m/s equals mm/ms, so only dt changes unit. */
    double dt_ms = dt * 1000.0;
    int64_t max_delay = 0;
    for (int64_t i = 0; i < n * n; i++) {
        double steps = rint(lengths_mm[i] / speed / dt_ms);
        if (!(steps >= 0) || steps > 1e9)
            return dtb__error(DTB_EINVAL,
                              "conduction delay of edge %lld -> %lld is %g steps (length %g mm, "
                              "speed %g m/s, dt %g s): too long",
                              (long long)(i % n), (long long)(i / n), steps, lengths_mm[i], speed, dt);
        net->delay[i] = (int32_t)steps;
        if (net->delay[i] > max_delay)
            max_delay = net->delay[i];
    }
    net->horizon = max_delay + 1;
    double bytes = 2.0 * (double)net->horizon * (double)n * sizeof(double);
    if (bytes > MAX_HISTORY_BYTES)
        return dtb__error(DTB_EINVAL,
                          "the delay history would need %.1f GiB per coupling variable (longest "
                          "delay %lld steps at speed %g m/s, dt %g s); check the units of speed "
                          "and tract lengths",
                          bytes / (1024.0 * 1024 * 1024), (long long)max_delay, speed, dt);
    return DTB_OK;
}

/* Target-grouped edges whose delay is below DTB__GATHER_BLOCK - 1 steps. */
static dtb_status pull_set_build(dtb__pull_set *p, int64_t n, const double *weights,
                                 const int32_t *delay, int64_t horizon)
{
    const int32_t split = DTB__GATHER_BLOCK - 1;
    int64_t m = 0;
    for (int64_t i = 0; i < n * n; i++)
        m += weights[i] != 0.0 && delay[i] < split;
    size_t me = m ? (size_t)m : 1;
    p->n_edges = m;
    p->row_start = dtb__calloc((size_t)n + 1, sizeof *p->row_start);
    p->offset = dtb__malloc_array(me, sizeof *p->offset);
    p->weight = dtb__malloc_array(me, sizeof *p->weight);
    if (!p->row_start || !p->offset || !p->weight)
        return DTB_ENOMEM;
    /* The ring holds n * 2H values per channel, at most 2^30 (the history
     * size limit), so offsets fit in 32 bits. */
    int64_t e = 0;
    for (int64_t k = 0; k < n; k++) {
        p->row_start[k] = e;
        for (int64_t j = 0; j < n; j++) {
            if (weights[k * n + j] == 0.0 || delay[k * n + j] >= split)
                continue;
            p->offset[e] = (int32_t)(j * 2 * horizon - delay[k * n + j]);
            p->weight[e] = weights[k * n + j];
            e++;
        }
    }
    p->row_start[n] = e;
    /* Dense delay-free near part: a dot product per target beats the
     * indexed loop once a quarter of the entries are non-zero. */
    int all_zero_delay = 1;
    for (int64_t i = 0; i < n * n && all_zero_delay; i++)
        if (weights[i] != 0.0 && delay[i] < split)
            all_zero_delay = delay[i] == 0;
    if (!all_zero_delay || m == 0 || 4 * m < n * n)
        return DTB_OK;
    p->dense = dtb__calloc((size_t)(n * n), sizeof *p->dense);
    if (!p->dense)
        return DTB_ENOMEM;
    /* near edges only: the far ones (long delays) have their own set */
    for (int64_t i = 0; i < n * n; i++)
        p->dense[i] = delay[i] < split ? weights[i] : 0.0;
    /* A symmetric matrix (an undirected connectome: diffusion MRI gives
     * one) is read from its upper triangle only, half the bytes. */
    p->dense_symmetric = 1;
    for (int64_t k = 0; k < n && p->dense_symmetric; k++)
        for (int64_t j = k + 1; j < n; j++)
            if (memcmp(&p->dense[k * n + j], &p->dense[j * n + k], sizeof(double)) != 0) {
                p->dense_symmetric = 0;
                break;
            }
    return DTB_OK;
}

/* One edge of a source, for sorting that source's edges. */
typedef struct edge_entry {
    int32_t target, delay;
    double weight;
} edge_entry;

/* Longest delay first (the oldest history slot first), then targets
 * ascending: a source's edges then read its history ring in one forward
 * sweep per block, which the hardware prefetcher follows, instead of
 * jumping about it (a target receives one edge per source, so the order
 * within a source changes no sum). */
static int by_delay_descending(const void *pa, const void *pb)
{
    const edge_entry *a = pa, *b = pb;
    if (a->delay != b->delay)
        return a->delay < b->delay ? 1 : -1;
    return (a->target > b->target) - (a->target < b->target);
}

/* Source-grouped edges whose delay is at least DTB__GATHER_BLOCK - 1
 * steps (far = 1) or below it (far = 0), each source's sorted as above. */
static dtb_status edge_set_build(dtb__edge_set *e, int64_t n, const double *weights,
                                 const int32_t *delay, int far)
{
    const int32_t split = DTB__GATHER_BLOCK - 1;
    int64_t m = 0;
    for (int64_t i = 0; i < n * n; i++)
        m += weights[i] != 0.0 && (delay[i] >= split) == far;
    size_t me = m ? (size_t)m : 1;
    e->n_edges = m;
    e->src_start = dtb__calloc((size_t)n + 1, sizeof *e->src_start);
    e->target = dtb__malloc_array(me, sizeof *e->target);
    e->delay = dtb__malloc_array(me, sizeof *e->delay);
    e->weight = dtb__malloc_array(me, sizeof *e->weight);
    edge_entry *row = dtb__malloc_array(n ? (size_t)n : 1, sizeof *row);
    if (!e->src_start || !e->target || !e->delay || !e->weight || !row) {
        free(row);
        return DTB_ENOMEM;
    }
    int64_t k_edge = 0;
    for (int64_t j = 0; j < n; j++) {
        size_t count = 0;
        for (int64_t k = 0; k < n; k++) {
            double w = weights[k * n + j];
            if (w == 0.0 || (delay[k * n + j] >= split) != far)
                continue;
            row[count++] = (edge_entry){(int32_t)k, delay[k * n + j], w};
        }
        qsort(row, count, sizeof *row, by_delay_descending);
        e->src_start[j] = k_edge;
        for (size_t i = 0; i < count; i++, k_edge++) {
            e->target[k_edge] = row[i].target;
            e->delay[k_edge] = row[i].delay;
            e->weight[k_edge] = row[i].weight;
        }
    }
    e->src_start[n] = k_edge;
    free(row);
    return DTB_OK;
}

dtb_status dtb__network_build(dtb__network *net, int64_t n, const double *weights,
                              const double *lengths_mm, double speed, double dt)
{
    memset(net, 0, sizeof *net);
    net->n = n;
    if (!isinf(speed) && !lengths_mm)
        return dtb__error(DTB_EINVAL,
                          "the atlas has no tract lengths (and no centres to derive them), so "
                          "conduction delays cannot be computed: use an infinite conduction speed "
                          "(no delays)");
    if (!(speed > 0))
        return dtb__error(DTB_EINVAL, "conduction speed must be positive (got %g m/s)", speed);
    size_t nn = (size_t)n * (size_t)n;
    net->delay = dtb__calloc(nn, sizeof *net->delay);
    net->row_start = dtb__calloc((size_t)n + 1, sizeof *net->row_start);
    net->row_sum = dtb__calloc((size_t)n, sizeof *net->row_sum);
    if (!net->delay || !net->row_start || !net->row_sum)
        goto oom;
    dtb_status st = compute_delays(net, lengths_mm, speed, dt);
    if (st) {
        dtb__network_free(net);
        return st;
    }
    int64_t m = 0;
    for (size_t i = 0; i < nn; i++)
        m += weights[i] != 0.0;
    net->n_edges = m;
    size_t me = m ? (size_t)m : 1;
    net->row_source = dtb__malloc_array(me, sizeof *net->row_source);
    net->row_delay = dtb__malloc_array(me, sizeof *net->row_delay);
    net->row_weight32 = dtb__malloc_array(me, sizeof *net->row_weight32);
    if (!net->row_source || !net->row_delay || !net->row_weight32 ||
        pull_set_build(&net->near, n, weights, net->delay, net->horizon) ||
        edge_set_build(&net->far, n, weights, net->delay, 1))
        goto oom;
    /* by target (row k), sources ascending */
    int64_t e = 0;
    for (int64_t k = 0; k < n; k++) {
        net->row_start[k] = e;
        double sum = 0.0;
        for (int64_t j = 0; j < n; j++) {
            double w = weights[k * n + j];
            if (w == 0.0)
                continue;
            net->row_source[e] = (int32_t)j;
            net->row_delay[e] = net->delay[k * n + j];
            net->row_weight32[e] = (float)w;
            sum += w;
            e++;
        }
        net->row_sum[k] = sum;
    }
    net->row_start[n] = e;
    return DTB_OK;
oom:
    dtb__network_free(net);
    return DTB_ENOMEM;
}
