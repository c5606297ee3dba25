/* libdtb — the digest of a ComponentType's equations.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hand-written kernel (a spiking cell's fast path) was written for one set
 * of equations; it may stand in for a descriptor only while the descriptor
 * still says exactly those. The digest is SHA-256 over a canonical text of
 * everything that decides the dynamics — constants (names and SI values),
 * derived parameters, state variables with their dimensions, derived
 * variables, time derivatives, every handler (kind, test, port,
 * assignments, events sent, transition) and the regimes — each expression
 * fully parenthesised (dtb__expr_format), so spacing, comments and the
 * order of attributes do not count, and parameter values (data, not
 * equations) are left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "lems.h"

static void text(dtb__sha256 *s, const char *what, const char *v)
{
    dtb__sha256_update(s, what, strlen(what));
    dtb__sha256_update(s, v ? v : "-", strlen(v ? v : "-"));
    dtb__sha256_update(s, "\n", 1);
}

static void expr(dtb__sha256 *s, const char *what, const dtb__expr *e)
{
    char small[512];
    if (!e) {
        text(s, what, NULL);
        return;
    }
    size_t need = dtb__expr_format(e, small, sizeof small);
    if (need < sizeof small) {
        text(s, what, small);
        return;
    }
    char *big = malloc(need + 1);
    if (big) {
        dtb__expr_format(e, big, need + 1);
        text(s, what, big);
        free(big);
    } else
        text(s, what, "(out of memory)");   /* differs from any real digest's input */
}

static void dim(dtb__sha256 *s, dtb__dim d)
{
    char buf[64];
    dtb__dim_format(d, buf, sizeof buf);
    text(s, " dim ", buf);
}

static void equations(dtb__sha256 *s, const char *what, const dtb__lems_equation *eq, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        text(s, what, eq[k].name);
        dim(s, eq[k].dim);
        expr(s, " = ", eq[k].value);
        text(s, " select ", eq[k].select);
        char reduce[32];
        snprintf(reduce, sizeof reduce, "%d %d %d", (int)eq[k].reduce, eq[k].required,
                 eq[k].conditional);
        text(s, " reduce ", reduce);
    }
}

static void handlers(dtb__sha256 *s, const dtb__lems_handler *h, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char kind[16];
        snprintf(kind, sizeof kind, "%d", (int)h[k].kind);
        text(s, "handler ", kind);
        expr(s, " test ", h[k].test);
        text(s, " port ", h[k].port);
        for (size_t a = 0; a < h[k].n_assigns; a++) {
            text(s, " assign ", h[k].assigns[a].variable);
            expr(s, " = ", h[k].assigns[a].value);
        }
        for (size_t e = 0; e < h[k].n_event_outs; e++)
            text(s, " send ", h[k].event_outs[e].name);
        text(s, " transition ", h[k].transition);
    }
}

void dtb__lems_dynamics_digest(const dtb__lems_comptype *t, char hex[65])
{
    dtb__sha256 s;
    dtb__sha256_init(&s);
    for (size_t k = 0; k < t->n_constants; k++) {
        char v[64];
        snprintf(v, sizeof v, "%.17g", t->constants[k].value);
        text(&s, "constant ", t->constants[k].name);
        text(&s, " = ", v);
    }
    equations(&s, "derived parameter ", t->derived_params, t->n_derived_params);
    for (size_t k = 0; k < t->n_state_vars; k++) {
        text(&s, "state ", t->state_vars[k].name);
        dim(&s, t->state_vars[k].dim);
    }
    equations(&s, "derived ", t->derived_vars, t->n_derived_vars);
    equations(&s, "d/dt ", t->time_derivs, t->n_time_derivs);
    handlers(&s, t->handlers, t->n_handlers);
    for (size_t r = 0; r < t->n_regimes; r++) {
        const dtb__lems_regime *g = &t->regimes[r];
        text(&s, "regime ", g->name);
        text(&s, " initial ", g->initial ? "1" : "0");
        equations(&s, " d/dt ", g->time_derivs, g->n_time_derivs);
        handlers(&s, g->handlers, g->n_handlers);
    }
    dtb__sha256_hex(&s, hex);
}
