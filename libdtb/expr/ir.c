/* libdtb — the builder's value graph: constant folding, simplification and
 * sharing of identical sub-expressions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "expr_math.h"
#include "prog_private.h"

static int is_random(const dtb__ir_node *n) { return n->kind == DTB__EX_CALL && n->func == DTB__FN_RANDOM; }

/* Inputs are unique by name and random() draws must stay distinct; all
 * other values are shared when identical. */
static int shareable(const dtb__ir_node *n) { return n->kind != DTB__EX_SYM && !is_random(n); }

static int is_commutative(dtb__ex_kind kind)
{
    return kind == DTB__EX_ADD || kind == DTB__EX_MUL || kind == DTB__EX_EQ || kind == DTB__EX_NE ||
           kind == DTB__EX_AND || kind == DTB__EX_OR;
}

static size_t hash_node(const dtb__ir_node *n)
{
    uint64_t bits;
    memcpy(&bits, &n->num, sizeof bits);
    uint64_t h = 1469598103934665603u;  /* FNV-1a over the identifying fields */
    const uint64_t fields[] = {(uint64_t)n->kind, (uint64_t)n->func, (uint64_t)(uint32_t)n->a,
                               (uint64_t)(uint32_t)n->b, (uint64_t)(uint32_t)n->c, bits};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        h ^= fields[i];
        h *= 1099511628211u;
    }
    return (size_t)(h ^ (h >> 29));
}

static int same_node(const dtb__ir_node *x, const dtb__ir_node *y)
{
    return x->kind == y->kind && x->func == y->func && x->a == y->a && x->b == y->b && x->c == y->c &&
           memcmp(&x->num, &y->num, sizeof x->num) == 0;
}

static int hash_find(const dtb__prog_builder *pb, const dtb__ir_node *n)
{
    if (!pb->hash_cap)
        return -1;
    size_t mask = pb->hash_cap - 1;
    for (size_t i = hash_node(n) & mask;; i = (i + 1) & mask) {
        int entry = pb->hash[i];
        if (entry == 0)
            return -1;
        if (same_node(&pb->nodes[entry - 1], n))
            return entry - 1;
    }
}

static void hash_insert(int *table, size_t cap, const dtb__ir_node *nodes, int id)
{
    size_t mask = cap - 1;
    size_t i = hash_node(&nodes[id]) & mask;
    while (table[i] != 0)
        i = (i + 1) & mask;
    table[i] = id + 1;
}

/* Keep the table at most half full. */
static int hash_reserve(dtb__prog_builder *pb)
{
    if ((pb->hash_used + 1) * 2 <= pb->hash_cap)
        return 1;
    size_t cap = pb->hash_cap ? pb->hash_cap * 2 : 64;
    int *table = dtb__calloc(cap, sizeof *table);
    if (!table)
        return 0;
    for (int id = 0; id < pb->n_nodes; id++)
        if (shareable(&pb->nodes[id]))
            hash_insert(table, cap, pb->nodes, id);
    free(pb->hash);
    pb->hash = table;
    pb->hash_cap = cap;
    return 1;
}

static double fold(const dtb__ir_node *n, const dtb__ir_node *nodes)
{
    double a = n->a >= 0 ? nodes[n->a].num : 0.0;
    double b = n->b >= 0 ? nodes[n->b].num : 0.0;
    switch (n->kind) {
    case DTB__EX_CALL: return dtb__ex_call(n->func, a);
    case DTB__EX_SELECT: return dtb__ex_select(nodes[n->c].num, a, b);
    default: return dtb__ex_binary(n->kind, a, b);
    }
}

static int make_constant(dtb__prog_builder *pb, double v)
{
    dtb__ir_node c = {DTB__EX_NUM, DTB__FN_EXP, 0, -1, -1, -1, -1, v};
    return dtb__ir_add(pb, &c);
}

int dtb__ir_add(dtb__prog_builder *pb, const dtb__ir_node *proto)
{
    dtb__ir_node n = *proto;
    const dtb__ir_node *nodes = pb->nodes;
    if (n.kind != DTB__EX_NUM && n.kind != DTB__EX_SYM) {
        int operands[3] = {n.a, n.b, n.c};
        int all_constant = 1;
        n.vector = is_random(&n);
        for (int i = 0; i < 3; i++) {
            if (operands[i] < 0)
                continue;
            all_constant &= nodes[operands[i]].kind == DTB__EX_NUM;
            n.vector |= nodes[operands[i]].vector;
        }
        if (all_constant && !is_random(&n))
            return make_constant(pb, fold(&n, nodes));
        if (n.kind == DTB__EX_POW && nodes[n.b].kind == DTB__EX_NUM) {
            /* Same results as dtb__ex_powi gives for k = 0 and 1. */
            if (nodes[n.b].num == 1.0)
                return n.a;
            if (nodes[n.b].num == 0.0)
                return make_constant(pb, 1.0);
        }
        if (n.kind == DTB__EX_SELECT && nodes[n.c].kind == DTB__EX_NUM)
            return dtb__ex_select(nodes[n.c].num, 1.0, 0.0) != 0.0 ? n.a : n.b;
        if (is_commutative(n.kind) && n.a > n.b) {
            int t = n.a;
            n.a = n.b;
            n.b = t;
        }
    }
    if (shareable(&n)) {
        int existing = hash_find(pb, &n);
        if (existing >= 0)
            return existing;
        if (!hash_reserve(pb))
            return -1;
    }
    if (pb->n_nodes == pb->cap_nodes) {
        int cap = pb->cap_nodes ? pb->cap_nodes * 2 : 32;
        dtb__ir_node *grown = dtb__realloc_array(pb->nodes, (size_t)cap, sizeof *grown);
        if (!grown)
            return -1;
        pb->nodes = grown;
        pb->cap_nodes = cap;
    }
    int id = pb->n_nodes++;
    pb->nodes[id] = n;
    if (shareable(&n)) {
        hash_insert(pb->hash, pb->hash_cap, pb->nodes, id);
        pb->hash_used++;
    }
    return id;
}
