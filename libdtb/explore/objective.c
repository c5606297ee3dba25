/* libdtb — a fit's objective: an expression of the scores' names, in the
 * LEMS expression language ("fc - fcd-ks", "-abs(psd-peak - 10)").
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Score names hold '-' ("fcd-ks"), which the expression language reads as
 * a minus: each name is replaced by an identifier of its own before the
 * text is parsed, the longest name first, and only where it stands alone
 * (no letter, digit or '_' on either side), so "fc - fcd-ks" reads as two
 * scores and "fc-2" is the score of that name when there is one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "explore.h"
#include "expr/expr.h"

struct dtb__objective {
    dtb__expr *e;
    size_t n_scores;
};

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The expression with every score name replaced by "dtb_score_<i>". */
static char *substitute(const char *text, const dtb__problem *p)
{
    dtb__strbuf b = {0};
    const char *s = text;
    while (*s) {
        size_t best_len = 0, best = 0;
        if (s == text || !ident_char(s[-1])) {
            for (size_t i = 0; i < p->n_scores; i++) {
                const char *name = p->scores[i].name;
                size_t len = strlen(name);
                if (len > best_len && strncmp(s, name, len) == 0 && !ident_char(s[len])) {
                    best_len = len;
                    best = i;
                }
            }
        }
        if (best_len) {
            dtb__strbuf_printf(&b, "dtb_score_%zu", best);
            s += best_len;
        } else
            dtb__strbuf_appendn(&b, s++, 1);
    }
    if (b.failed || !b.data) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

typedef struct names_ctx {
    size_t n_scores;
    const char *bad;
} names_ctx;

static int unknown(const char *name, void *ud)
{
    names_ctx *c = ud;
    size_t i;
    char tail;
    if (sscanf(name, "dtb_score_%zu%c", &i, &tail) == 1 && i < c->n_scores)
        return 0;
    c->bad = name;
    return 1;
}

dtb_status dtb__objective_parse(const char *text, const dtb__problem *p, dtb__objective **out)
{
    *out = NULL;
    if (!text || !*text)
        return dtb__error(DTB_EINVAL, "objective: empty expression");
    char *sub = substitute(text, p);
    if (!sub)
        return DTB_ENOMEM;
    dtb__expr *e = NULL;
    dtb_status st = dtb__expr_parse(sub, &e);
    free(sub);
    if (st)
        return dtb__error_context(st, "objective '%s'", text);
    names_ctx c = {p->n_scores, NULL};
    if (dtb__expr_visit_symbols(e, unknown, &c)) {
        dtb__strbuf names = {0};
        for (size_t i = 0; i < p->n_scores; i++)
            dtb__strbuf_printf(&names, "%s%s", i ? ", " : "", p->scores[i].name);
        st = dtb__error(DTB_EINVAL, "objective '%s': '%s' is not a score of this fit (its scores: "
                                    "%s)", text, c.bad, names.data ? names.data : "none");
        dtb__strbuf_free(&names);
        dtb__expr_free(e);
        return st;
    }
    *out = dtb__calloc(1, sizeof **out);
    if (!*out) {
        dtb__expr_free(e);
        return DTB_ENOMEM;
    }
    (*out)->e = e;
    (*out)->n_scores = p->n_scores;
    return DTB_OK;
}

typedef struct eval_ctx {
    const double *scores;
    size_t n;
} eval_ctx;

static int lookup(const char *name, double *value, void *ud)
{
    const eval_ctx *c = ud;
    size_t i;
    if (sscanf(name, "dtb_score_%zu", &i) != 1 || i >= c->n)
        return 0;
    *value = c->scores[i];
    return 1;
}

double dtb__objective_eval(const dtb__objective *o, const double *scores)
{
    eval_ctx c = {scores, o->n_scores};
    double v = NAN;
    if (dtb__expr_eval_scalar(o->e, lookup, &c, &v))
        v = NAN;
    return v;
}

void dtb__objective_free(dtb__objective *o)
{
    if (!o)
        return;
    dtb__expr_free(o->e);
    free(o);
}
