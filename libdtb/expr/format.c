/* libdtb — rendering expression trees as text (messages, tests).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "expr_private.h"

/* Writes what fits into buf (always NUL-terminated when size > 0) and counts
 * the full length, like snprintf. */
typedef struct sink {
    char *buf;
    size_t size, len;
} sink;

static void put(sink *s, const char *text)
{
    size_t n = strlen(text);
    if (s->size > 0 && s->len < s->size - 1) {
        size_t room = s->size - 1 - s->len;
        memcpy(s->buf + s->len, text, n < room ? n : room);
    }
    s->len += n;
}

static const char *operator_text(dtb__ex_kind kind)
{
    switch (kind) {
    case DTB__EX_ADD: return " + ";
    case DTB__EX_SUB: return " - ";
    case DTB__EX_MUL: return " * ";
    case DTB__EX_DIV: return " / ";
    case DTB__EX_POW: return "^";
    case DTB__EX_GT: return " .gt. ";
    case DTB__EX_LT: return " .lt. ";
    case DTB__EX_GE: return " .geq. ";
    case DTB__EX_LE: return " .leq. ";
    case DTB__EX_EQ: return " .eq. ";
    case DTB__EX_NE: return " .neq. ";
    case DTB__EX_AND: return " .and. ";
    case DTB__EX_OR: return " .or. ";
    default: return " ? ";
    }
}

/* Binding strength in the grammar (higher binds tighter). */
enum {
    PREC_SELECT = 0, PREC_OR, PREC_AND, PREC_CMP, PREC_SUM, PREC_PROD, PREC_UNARY, PREC_POW, PREC_ATOM
};

static int precedence(const dtb__expr *e)
{
    switch (e->kind) {
    case DTB__EX_NUM: return signbit(e->num) ? PREC_UNARY : PREC_ATOM;  /* "-2" reads as -(2) */
    case DTB__EX_SYM: case DTB__EX_CALL: return PREC_ATOM;
    case DTB__EX_NEG: return PREC_UNARY;
    case DTB__EX_ADD: case DTB__EX_SUB: return PREC_SUM;
    case DTB__EX_MUL: case DTB__EX_DIV: return PREC_PROD;
    case DTB__EX_POW: return PREC_POW;
    case DTB__EX_AND: return PREC_AND;
    case DTB__EX_OR: return PREC_OR;
    case DTB__EX_SELECT: return PREC_SELECT;
    default: return PREC_CMP;
    }
}

static void format_node(sink *s, const dtb__expr *e, int full);

/* Compact mode: parenthesise a child only when the grammar needs it. */
static void format_child(sink *s, const dtb__expr *child, int need_parens, int full)
{
    if (need_parens && !full)
        put(s, "(");
    format_node(s, child, full);
    if (need_parens && !full)
        put(s, ")");
}

static void format_node(sink *s, const dtb__expr *e, int full)
{
    if (!e) {
        put(s, "<null>");
        return;
    }
    int prec = precedence(e);
    switch (e->kind) {
    case DTB__EX_NUM: {
        char num[40];
        dtb__format_double(num, sizeof num, e->num);
        int wrap = full && prec == PREC_UNARY;
        if (wrap)
            put(s, "(");
        put(s, num);
        if (wrap)
            put(s, ")");
        return;
    }
    case DTB__EX_SYM:
        put(s, e->name ? e->name : "<null>");
        return;
    case DTB__EX_CALL:
        put(s, dtb__ex_func_name(e->func));
        put(s, "(");
        format_node(s, e->a, full);
        put(s, ")");
        return;
    case DTB__EX_NEG:
        put(s, full ? "(-" : "-");
        /* "-(-x)" rather than "--x", which reads like a typo. */
        format_child(s, e->a, e->a && precedence(e->a) <= PREC_UNARY, full);
        if (full)
            put(s, ")");
        return;
    case DTB__EX_SELECT:
        put(s, "(");
        format_child(s, e->c, e->c && precedence(e->c) < PREC_ATOM, full);
        put(s, " ? ");
        format_child(s, e->a, e->a && precedence(e->a) < PREC_ATOM, full);
        put(s, " : ");
        format_child(s, e->b, e->b && precedence(e->b) < PREC_ATOM, full);
        put(s, ")");
        return;
    default:
        break;
    }
    /* Binary operators. Left-associative levels need parentheses on the
     * right for an equal level ("a - (b - c)"); comparisons do not chain and
     * "^" does not chain either (a^b^c is rejected), so both sides of those
     * need them for an equal level. */
    int left_prec = e->a ? precedence(e->a) : PREC_ATOM;
    int right_prec = e->b ? precedence(e->b) : PREC_ATOM;
    int left_parens, right_parens;
    if (prec == PREC_POW) {
        left_parens = left_prec <= PREC_POW;
        right_parens = right_prec < PREC_ATOM;
    } else if (prec == PREC_CMP) {
        left_parens = left_prec <= prec;
        right_parens = right_prec <= prec;
    } else {
        left_parens = left_prec < prec;
        right_parens = right_prec <= prec;
    }
    if (full)
        put(s, "(");
    format_child(s, e->a, left_parens, full);
    put(s, operator_text(e->kind));
    format_child(s, e->b, right_parens, full);
    if (full)
        put(s, ")");
}

static size_t format(const dtb__expr *e, char *buf, size_t size, int full)
{
    sink s = {buf, size, 0};
    format_node(&s, e, full);
    if (size > 0)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return s.len;
}

size_t dtb__expr_format(const dtb__expr *e, char *buf, size_t size) { return format(e, buf, size, 1); }

size_t dtb__expr_format_compact(const dtb__expr *e, char *buf, size_t size) { return format(e, buf, size, 0); }

char *dtb__expr_to_text(const dtb__expr *e)
{
    size_t n = dtb__expr_format_compact(e, NULL, 0);
    char *text = dtb__malloc(n + 1);
    if (text)
        dtb__expr_format_compact(e, text, n + 1);
    return text;
}
