/* libdtb — finding equations by name in constant time (lems_private.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A generated ComponentType may hold tens of thousands of derived
 * quantities; a linear search per name made reading and checking one
 * quadratic (a 20 000-variable chain: 9 s to read and check, most of it
 * strcmp). Open addressing with FNV-1a, at most half full. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

static uint64_t hash_name(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

dtb_status dtb__lems_names_build(dtb__lems_names *t, const dtb__lems_equation *eqs, size_t n,
                                 size_t *repeated)
{
    memset(t, 0, sizeof *t);
    t->eqs = eqs;
    if (repeated)
        *repeated = n;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    t->slot = dtb__calloc(cap, sizeof *t->slot);
    if (!t->slot)
        return DTB_ENOMEM;
    t->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)hash_name(eqs[i].name) & t->mask;
        while (t->slot[h] && strcmp(eqs[t->slot[h] - 1].name, eqs[i].name))
            h = (h + 1) & t->mask;
        if (!t->slot[h])
            t->slot[h] = i + 1;
        else if (repeated && *repeated == n)
            *repeated = i;   /* the first one found keeps the name */
    }
    return DTB_OK;
}

long dtb__lems_names_find(const dtb__lems_names *t, const char *name)
{
    if (!t->slot)
        return -1;
    for (size_t h = (size_t)hash_name(name) & t->mask;; h = (h + 1) & t->mask) {
        size_t s = t->slot[h];
        if (!s)
            return -1;
        if (!strcmp(t->eqs[s - 1].name, name))
            return (long)(s - 1);
    }
}

void dtb__lems_names_free(dtb__lems_names *t)
{
    free(t->slot);
    memset(t, 0, sizeof *t);
}

dtb_status dtb__lems_check_unique(const dtb__lems_equation *eqs, size_t n)
{
    dtb__lems_names t;
    size_t repeated;
    dtb_status st = dtb__lems_names_build(&t, eqs, n, &repeated);
    dtb__lems_names_free(&t);
    if (st || repeated == n)
        return st;
    const dtb__lems_where *at = &eqs[repeated].at;
    return dtb__error(DTB_EPARSE, "%s:%d: <%s>: '%s' is defined twice", at->file ? at->file : "<memory>",
                      at->line, at->element ? at->element : "?", eqs[repeated].name);
}
