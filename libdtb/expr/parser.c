/* libdtb — recursive-descent parser of the LEMS expression language (the
 * grammar is in expr.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "expr_private.h"
#include "lexer.h"

/* Every parse_* function returns DTB_OK with the tree in *out, or an error
 * with *out NULL and everything it built freed. */
typedef struct parser {
    const char *text;
    dtb__lexer lx;
    dtb__token tok;  /* the lookahead */
    int depth;       /* nesting of parentheses and unary operators */
} parser;

static dtb_status advance(parser *p) { return dtb__lex_next(&p->lx, &p->tok); }

/* Move past the last token of the finished node *out; if the next token is
 * malformed, drop the node. */
static dtb_status advance_after(parser *p, dtb__expr **out)
{
    dtb_status st = advance(p);
    if (st != DTB_OK) {
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

static dtb_status unexpected(parser *p)
{
    if (p->tok.kind == DTB__TOK_END)
        return dtb__expr_syntax_error(p->text, p->tok.column, "unexpected end of expression");
    return dtb__expr_syntax_error(p->text, p->tok.column, "unexpected '%.*s'", (int)p->tok.len, p->tok.start);
}

static int is_comparison(dtb__ex_kind kind) { return kind >= DTB__EX_GT && kind <= DTB__EX_NE; }

/* DTB_OK if a node over operands this tall stays within
 * DTB__EXPR_MAX_HEIGHT, else a syntax error at `column`. */
static dtb_status check_height(const parser *p, int column, const dtb__expr *a, const dtb__expr *b)
{
    int h = a ? a->height : 0;
    if (b && b->height > h)
        h = b->height;
    if (h + 1 <= DTB__EXPR_MAX_HEIGHT)
        return DTB_OK;
    return dtb__expr_syntax_error(p->text, column, "expression nested too deeply (more than %d "
                                  "levels of operators)", DTB__EXPR_MAX_HEIGHT);
}

/* Builds the binary node for an operator seen at `column`; frees the operands
 * on failure. */
static dtb_status make_binary(const parser *p, dtb__ex_kind kind, int column, dtb__expr **left,
                              dtb__expr *right)
{
    dtb_status st = check_height(p, column, *left, right);
    if (st != DTB_OK) {
        dtb__expr_free(*left);
        dtb__expr_free(right);
        *left = NULL;
        return st;
    }
    dtb__expr *e = dtb__expr_binary(kind, *left, right);
    *left = e;
    if (!e)
        return DTB_ENOMEM;
    e->column = column;
    return DTB_OK;
}

static dtb_status parse_or(parser *p, dtb__expr **out);
static dtb_status parse_unary(parser *p, int in_exponent, dtb__expr **out);

/* The rest of "(" expr ")" once the "(" at `open_column` is consumed. For a
 * call, `func` is the function's name token (better message for a comma). */
static dtb_status parse_parenthesised(parser *p, int open_column, const dtb__token *func, dtb__expr **out)
{
    dtb_status st = parse_or(p, out);
    if (st != DTB_OK)
        return st;
    if (p->tok.kind == DTB__TOK_RPAREN)
        return advance_after(p, out);
    if (p->tok.kind == DTB__TOK_END)
        st = dtb__expr_syntax_error(p->text, open_column, "unclosed '('");
    else if (func && p->tok.kind == DTB__TOK_COMMA)
        st = dtb__expr_syntax_error(p->text, p->tok.column, "function '%.*s' takes one argument",
                                    (int)func->len, func->start);
    else
        st = dtb__expr_syntax_error(p->text, p->tok.column, "expected ')' but found '%.*s'",
                                    (int)p->tok.len, p->tok.start);
    dtb__expr_free(*out);
    *out = NULL;
    return st;
}

/* FUNC "(" expr ")"; the lookahead is the name and the next token is "(". */
static dtb_status parse_call(parser *p, dtb__expr **out)
{
    dtb__token name = p->tok;
    dtb__ex_func func;
    if (!dtb__ex_func_lookup(name.start, name.len, &func))
        return dtb__expr_syntax_error(p->text, name.column, "unknown function '%.*s'", (int)name.len, name.start);
    dtb_status st = advance(p);                 /* the name */
    int open_column = p->tok.column;
    if (st == DTB_OK)
        st = advance(p);                        /* the "(" */
    if (st == DTB_OK && p->tok.kind == DTB__TOK_RPAREN)
        st = dtb__expr_syntax_error(p->text, p->tok.column, "function '%.*s' needs an argument",
                                    (int)name.len, name.start);
    dtb__expr *arg = NULL;
    if (st == DTB_OK)
        st = parse_parenthesised(p, open_column, &name, &arg);
    if (st != DTB_OK)
        return st;
    if ((st = check_height(p, name.column, arg, NULL)) != DTB_OK) {
        dtb__expr_free(arg);
        return st;
    }
    if (!(*out = dtb__expr_call(func, arg)))
        return DTB_ENOMEM;
    (*out)->column = name.column;
    return DTB_OK;
}

/* atom := NUMBER | IDENT | FUNC "(" expr ")" | "(" expr ")" */
static dtb_status parse_atom(parser *p, dtb__expr **out)
{
    dtb__token t = p->tok;
    switch (t.kind) {
    case DTB__TOK_NUM:
        if (!(*out = dtb__expr_num(t.num)))
            return DTB_ENOMEM;
        (*out)->column = t.column;
        return advance_after(p, out);
    case DTB__TOK_IDENT: {
        /* A name followed by "(" is a call; a function name on its own is an
         * ordinary symbol (a component may have a parameter called "H"). */
        if (dtb__lex_next_is_lparen(&p->lx))
            return parse_call(p, out);
        char *name = dtb__strndup(t.start, t.len);
        if (!name)
            return DTB_ENOMEM;
        *out = dtb__expr_sym(name);
        free(name);
        if (!*out)
            return DTB_ENOMEM;
        (*out)->column = t.column;
        return advance_after(p, out);
    }
    case DTB__TOK_LPAREN: {
        if (++p->depth > DTB__EXPR_MAX_DEPTH)
            return dtb__expr_syntax_error(p->text, t.column, "expression nested too deeply");
        dtb_status st = advance(p);
        if (st == DTB_OK)
            st = parse_parenthesised(p, t.column, NULL, out);
        p->depth--;
        return st;
    }
    default:
        return unexpected(p);
    }
}

/* power := atom [ "^" unary ]. Inside an exponent a second "^" is refused:
 * the reference interpreters read a^b^c as (a^b)^c, mathematics as
 * a^(b^c); the author must say which. */
static dtb_status parse_power(parser *p, int in_exponent, dtb__expr **out)
{
    dtb_status st = parse_atom(p, out);
    if (st != DTB_OK || p->tok.kind != DTB__TOK_CARET)
        return st;
    int column = p->tok.column;
    if (in_exponent) {
        st = dtb__expr_syntax_error(p->text, column,
                                    "ambiguous chained '^' (write (a^b)^c or a^(b^c))");
    } else {
        dtb__expr *exponent = NULL;
        st = advance(p);
        if (st == DTB_OK)
            st = parse_unary(p, 1, &exponent);
        if (st == DTB_OK)
            return make_binary(p, DTB__EX_POW, column, out, exponent);
    }
    dtb__expr_free(*out);
    *out = NULL;
    return st;
}

/* unary := "-" unary | "+" unary | power */
static dtb_status parse_unary(parser *p, int in_exponent, dtb__expr **out)
{
    dtb__tok_kind kind = p->tok.kind;
    if (kind != DTB__TOK_MINUS && kind != DTB__TOK_PLUS)
        return parse_power(p, in_exponent, out);
    int column = p->tok.column;
    if (++p->depth > DTB__EXPR_MAX_DEPTH)
        return dtb__expr_syntax_error(p->text, column, "expression nested too deeply");
    dtb__expr *operand = NULL;
    dtb_status st = advance(p);
    if (st == DTB_OK)
        st = parse_unary(p, in_exponent, &operand);
    p->depth--;
    if (st != DTB_OK)
        return st;
    if (kind == DTB__TOK_PLUS) {
        *out = operand;
        return DTB_OK;
    }
    if ((st = check_height(p, column, operand, NULL)) != DTB_OK) {
        dtb__expr_free(operand);
        return st;
    }
    if (!(*out = dtb__expr_unary(DTB__EX_NEG, operand)))
        return DTB_ENOMEM;
    (*out)->column = column;
    return DTB_OK;
}

/* prod := unary { ("*"|"/") unary } */
static dtb_status parse_prod(parser *p, dtb__expr **out)
{
    dtb_status st = parse_unary(p, 0, out);
    while (st == DTB_OK && (p->tok.kind == DTB__TOK_STAR || p->tok.kind == DTB__TOK_SLASH)) {
        dtb__ex_kind kind = p->tok.kind == DTB__TOK_STAR ? DTB__EX_MUL : DTB__EX_DIV;
        int column = p->tok.column;
        dtb__expr *right = NULL;
        st = advance(p);
        if (st == DTB_OK)
            st = parse_unary(p, 0, &right);
        if (st == DTB_OK)
            st = make_binary(p, kind, column, out, right);
    }
    if (st != DTB_OK) {
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

/* sum := prod { ("+"|"-") prod } */
static dtb_status parse_sum(parser *p, dtb__expr **out)
{
    dtb_status st = parse_prod(p, out);
    while (st == DTB_OK && (p->tok.kind == DTB__TOK_PLUS || p->tok.kind == DTB__TOK_MINUS)) {
        dtb__ex_kind kind = p->tok.kind == DTB__TOK_PLUS ? DTB__EX_ADD : DTB__EX_SUB;
        int column = p->tok.column;
        dtb__expr *right = NULL;
        st = advance(p);
        if (st == DTB_OK)
            st = parse_prod(p, &right);
        if (st == DTB_OK)
            st = make_binary(p, kind, column, out, right);
    }
    if (st != DTB_OK) {
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

/* cmp := sum [ comparison sum ] — comparisons do not chain. */
static dtb_status parse_cmp(parser *p, dtb__expr **out)
{
    dtb_status st = parse_sum(p, out);
    if (st == DTB_OK && p->tok.kind == DTB__TOK_DOTOP && is_comparison(p->tok.op)) {
        dtb__ex_kind kind = p->tok.op;
        int column = p->tok.column;
        dtb__expr *right = NULL;
        st = advance(p);
        if (st == DTB_OK)
            st = parse_sum(p, &right);
        if (st == DTB_OK)
            st = make_binary(p, kind, column, out, right);
        if (st == DTB_OK && p->tok.kind == DTB__TOK_DOTOP && is_comparison(p->tok.op))
            st = dtb__expr_syntax_error(p->text, p->tok.column,
                                        "chained comparison '%.*s' (add parentheses)",
                                        (int)p->tok.len, p->tok.start);
    }
    if (st != DTB_OK) {
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

/* and := cmp { ".and." cmp };  or := and { ".or." and }. A mixed chain
 * without parentheses gets the conventional reading (.and. binds tighter). */
static dtb_status parse_logic(parser *p, dtb__ex_kind kind, dtb__expr **out)
{
    dtb_status st = kind == DTB__EX_OR ? parse_logic(p, DTB__EX_AND, out) : parse_cmp(p, out);
    while (st == DTB_OK && p->tok.kind == DTB__TOK_DOTOP && p->tok.op == kind) {
        int column = p->tok.column;
        dtb__expr *right = NULL;
        st = advance(p);
        if (st == DTB_OK)
            st = kind == DTB__EX_OR ? parse_logic(p, DTB__EX_AND, &right) : parse_cmp(p, &right);
        if (st == DTB_OK)
            st = make_binary(p, kind, column, out, right);
    }
    if (st != DTB_OK) {
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

static dtb_status parse_or(parser *p, dtb__expr **out) { return parse_logic(p, DTB__EX_OR, out); }

dtb_status dtb__expr_parse(const char *text, dtb__expr **out)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb__expr_parse: out is NULL");
    *out = NULL;
    if (!text)
        return dtb__error(DTB_EINVAL, "dtb__expr_parse: text is NULL");
    parser p = {text, {text, 0}, {0}, 0};
    dtb_status st = advance(&p);
    if (st != DTB_OK)
        return st;
    if (p.tok.kind == DTB__TOK_END)
        return dtb__expr_syntax_error(text, 1, "empty expression");
    dtb__expr *e = NULL;
    st = parse_or(&p, &e);
    if (st == DTB_OK && p.tok.kind != DTB__TOK_END) {
        st = p.tok.kind == DTB__TOK_RPAREN
                 ? dtb__expr_syntax_error(text, p.tok.column, "unbalanced ')'")
                 : unexpected(&p);
    }
    if (st != DTB_OK) {
        dtb__expr_free(e);
        return st;
    }
    *out = e;
    return DTB_OK;
}
