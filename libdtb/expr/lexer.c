/* libdtb — lexer of the LEMS expression language.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_private.h"
#include "lexer.h"

/* Classification by hand, not <ctype.h>: the result must not depend on the
 * host's locale, and the language is plain ASCII. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_ident_start(char c) { return is_alpha(c) || c == '_'; }
static int is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

dtb_status dtb__expr_syntax_error(const char *text, int column, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* A long expression is quoted around the column only, so that the
     * reason and the column always fit in the message (found by fuzzing:
     * quoted whole, they fell off the end of the 2 KiB message). */
    size_t len = strlen(text);
    if (len <= DTB__EXPR_QUOTE_MAX)
        return dtb__error(DTB_EPARSE, "expression '%s': %s at column %d", text, what, column);
    size_t at = column > 0 ? (size_t)column - 1 : 0;
    if (at > len)
        at = len;
    size_t start = at > DTB__EXPR_QUOTE_MAX / 2 ? at - DTB__EXPR_QUOTE_MAX / 2 : 0;
    size_t end = start + DTB__EXPR_QUOTE_MAX < len ? start + DTB__EXPR_QUOTE_MAX : len;
    return dtb__error(DTB_EPARSE, "expression of %zu characters '%s%.*s%s': %s at column %d",
                      len, start > 0 ? "..." : "", (int)(end - start), text + start,
                      end < len ? "..." : "", what, column);
}

static const struct {
    const char *name;
    dtb__ex_kind kind;
} dotted_ops[] = {
    {"gt", DTB__EX_GT}, {"lt", DTB__EX_LT}, {"geq", DTB__EX_GE}, {"leq", DTB__EX_LE},
    {"eq", DTB__EX_EQ}, {"neq", DTB__EX_NE}, {"ge", DTB__EX_GE}, {"le", DTB__EX_LE},
    {"ne", DTB__EX_NE}, {"and", DTB__EX_AND}, {"or", DTB__EX_OR},
};

/* `name` is the letters between the dots (case-insensitive). */
static int lookup_dotted(const char *name, size_t len, dtb__ex_kind *kind)
{
    for (size_t i = 0; i < sizeof dotted_ops / sizeof dotted_ops[0]; i++) {
        const char *op = dotted_ops[i].name;
        if (strlen(op) != len)
            continue;
        size_t j = 0;
        while (j < len && to_lower(name[j]) == op[j])
            j++;
        if (j == len) {
            *kind = dotted_ops[i].kind;
            return 1;
        }
    }
    return 0;
}

/* NUMBER := digits ["." [digits]] [("e"|"E") ["+"|"-"] digits] | "." digits
 * The pattern is matched here; dtb__strtod only converts the matched text
 * (it would accept more: hex, "inf", ...). A trailing "." ("0.", as in
 * NeuroML's Cells.xml) belongs to the number unless a letter follows it,
 * which starts a dotted operator ("1.gt.x" is 1 .gt. x). */
static dtb_status lex_number(dtb__lexer *lx, dtb__token *tok)
{
    const char *s = lx->text + lx->pos;
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    if (s[n] == '.' && is_digit(s[n + 1])) {
        n++;
        while (is_digit(s[n]))
            n++;
    } else if (n > 0 && s[n] == '.' && !isalpha((unsigned char)s[n + 1])) {
        n++;
    }
    if (s[n] == 'e' || s[n] == 'E') {
        size_t m = n + 1;
        if (s[m] == '+' || s[m] == '-')
            m++;
        if (is_digit(s[m])) {
            while (is_digit(s[m]))
                m++;
            n = m;
        }
    }
    if (is_ident_char(s[n])) {
        /* "2e", "3x", "1e5y": a letter glued to a number is never valid. */
        size_t m = n;
        while (is_ident_char(s[m]))
            m++;
        return dtb__expr_syntax_error(lx->text, tok->column, "malformed number '%.*s'", (int)m, s);
    }
    char *copy = dtb__strndup(s, n);
    if (!copy)
        return DTB_ENOMEM;
    double v = dtb__strtod(copy, NULL);
    free(copy);
    if (isinf(v))
        return dtb__expr_syntax_error(lx->text, tok->column, "number '%.*s' is out of range", (int)n, s);
    tok->kind = DTB__TOK_NUM;
    tok->num = v;
    tok->len = n;
    return DTB_OK;
}

static dtb_status lex_dotted(dtb__lexer *lx, dtb__token *tok)
{
    const char *s = lx->text + lx->pos;
    size_t n = 1;
    while (is_alpha(s[n]))
        n++;
    if (n == 1 || s[n] != '.')
        return dtb__expr_syntax_error(lx->text, tok->column, "unexpected '.'");
    if (!lookup_dotted(s + 1, n - 1, &tok->op))
        return dtb__expr_syntax_error(lx->text, tok->column, "unknown operator '%.*s'", (int)(n + 1), s);
    tok->kind = DTB__TOK_DOTOP;
    tok->len = n + 1;
    return DTB_OK;
}

dtb_status dtb__lex_next(dtb__lexer *lx, dtb__token *tok)
{
    const char *text = lx->text;
    while (is_blank(text[lx->pos]))
        lx->pos++;
    const char *s = text + lx->pos;
    tok->start = s;
    tok->len = 1;
    tok->num = 0.0;
    tok->op = DTB__EX_NUM;
    tok->column = (int)lx->pos + 1;
    dtb_status st = DTB_OK;
    switch (*s) {
    case '\0': tok->kind = DTB__TOK_END; tok->len = 0; break;
    case '+': tok->kind = DTB__TOK_PLUS; break;
    case '-': tok->kind = DTB__TOK_MINUS; break;
    case '*': tok->kind = DTB__TOK_STAR; break;
    case '/': tok->kind = DTB__TOK_SLASH; break;
    case '^': tok->kind = DTB__TOK_CARET; break;
    case '(': tok->kind = DTB__TOK_LPAREN; break;
    case ')': tok->kind = DTB__TOK_RPAREN; break;
    case ',': tok->kind = DTB__TOK_COMMA; break;
    case '.':
        st = is_digit(s[1]) ? lex_number(lx, tok) : lex_dotted(lx, tok);
        break;
    default:
        if (is_digit(*s)) {
            st = lex_number(lx, tok);
        } else if (is_ident_start(*s)) {
            size_t n = 1;
            while (is_ident_char(s[n]))
                n++;
            tok->kind = DTB__TOK_IDENT;
            tok->len = n;
        } else if ((unsigned char)*s >= 0x21 && (unsigned char)*s < 0x7f) {
            st = dtb__expr_syntax_error(text, tok->column, "unexpected character '%c'", *s);
        } else {
            st = dtb__expr_syntax_error(text, tok->column, "unexpected character 0x%02X",
                                        (unsigned)(unsigned char)*s);
        }
        break;
    }
    if (st == DTB_OK)
        lx->pos += tok->len;
    return st;
}

int dtb__lex_next_is_lparen(const dtb__lexer *lx)
{
    size_t i = lx->pos;
    while (is_blank(lx->text[i]))
        i++;
    return lx->text[i] == '(';
}
