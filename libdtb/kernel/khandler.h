/* libdtb internal — the instant of a Dynamics block: which event handlers
 * fire for which elements, their assignments, and regime transitions, one
 * rule for every client (the LEMS engine's component instances,
 * lems_run/lr_events.c; populations of LEMS cells, spiking/spiking_lems.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rule, as the LEMS interpreters apply it:
 *  - every OnCondition of an element is tested on the same values;
 *  - the assignments of every handler that fires are computed from those
 *    values, before any is applied (the client evaluates them: for the
 *    fired elements only, or for all), then applied handler by handler in
 *    document order, so that a later handler's assignment to the same
 *    variable wins;
 *  - an element leaves its regime with the first handler, in document
 *    order, that fires for it and has a Transition; the regime a handler
 *    applies in is the element's regime before the instant;
 *  - the OnEntry of the regime entered runs on the values after the
 *    assignments, for the elements that moved.
 * Sending events and recording spikes stay with the clients. */
#ifndef DTB_KHANDLER_H
#define DTB_KHANDLER_H

#include <stddef.h>

/* One handler (OnCondition, OnEvent, OnEntry): what it is, set when
 * compiled, and what it does in the current instant. */
typedef struct dtb__khandler {
    long regime;                  /* applies in this regime only; -1: in every one */
    long transition;              /* regime entered when it fires; -1: none */
    size_t n_assigns;
    const size_t *assign_state;   /* [n_assigns] the state each assignment sets */
    /* now */
    size_t *fired;                /* [capacity: the elements] the elements it fires for */
    size_t n_fired;
    const double *const *vals;    /* [n_assigns] the assignments' values */
    int vals_compact;             /* 1: vals[a][m] is fired[m]'s; 0: vals[a][fired[m]] */
} dtb__khandler;

/* The elements whose test holds and that are in h's regime: element
 * e = idx ? idx[m] : m is taken when test[m] != 0, for m < count (the
 * tests are compact when idx is given). regime: each element's regime
 * (NULL: the block has none). Fills h->fired in the order of m; returns
 * h->n_fired. */
size_t dtb__khandler_select(dtb__khandler *h, const double *test, const size_t *idx, size_t count,
                            const double *regime);

/* OnEntry: the elements of moved[0..n_moved) now in h's regime. */
size_t dtb__khandler_select_entered(dtb__khandler *h, const size_t *moved, size_t n_moved,
                                    const double *regime);

/* Apply h's assignments to its fired elements: state[s] is state s's
 * array over the elements. Returns 1 if any value changed (a handler
 * that re-assigns the same value need not trigger recomputation). */
int dtb__khandler_assign(const dtb__khandler *h, double *const *state);

/* h's transitions, after every handler before it in document order: each
 * fired element not yet marked in `entered` moves to h->transition, is
 * marked, and is appended to moved[*n_moved]. The client runs OnEntry for
 * the moved elements, then clears their marks (dtb__khandler_unmark). */
void dtb__khandler_move(const dtb__khandler *h, double *regime, unsigned char *entered,
                        size_t *moved, size_t *n_moved);
void dtb__khandler_unmark(unsigned char *entered, const size_t *moved, size_t n_moved);

#endif /* DTB_KHANDLER_H */
