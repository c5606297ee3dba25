/* libdtb internal — tokens of the LEMS expression language.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPR_LEXER_H
#define DTB_EXPR_LEXER_H

#include <stddef.h>

#include "base/base.h"
#include "expr.h"

typedef enum dtb__tok_kind {
    DTB__TOK_END,
    DTB__TOK_NUM,
    DTB__TOK_IDENT,
    DTB__TOK_PLUS, DTB__TOK_MINUS, DTB__TOK_STAR, DTB__TOK_SLASH, DTB__TOK_CARET,
    DTB__TOK_LPAREN, DTB__TOK_RPAREN,
    DTB__TOK_COMMA,  /* not in the grammar; a token so "exp(a, b)" gets a clear message */
    DTB__TOK_DOTOP   /* .gt. .and. ...; `op` holds the AST kind */
} dtb__tok_kind;

typedef struct dtb__token {
    dtb__tok_kind kind;
    dtb__ex_kind op;     /* DTB__TOK_DOTOP */
    double num;          /* DTB__TOK_NUM */
    const char *start;   /* the token's text inside the source */
    size_t len;
    int column;          /* 1-based */
} dtb__token;

typedef struct dtb__lexer {
    const char *text;
    size_t pos;
} dtb__lexer;

/* Read the next token. A character that starts no token, a malformed number
 * or an unknown dotted operator gives DTB_EPARSE (message set). */
dtb_status dtb__lex_next(dtb__lexer *lx, dtb__token *tok);

/* 1 if the next non-blank character is '(' (tells a call from a symbol). */
int dtb__lex_next_is_lparen(const dtb__lexer *lx);

/* Report "expression '<text>': <what> at column <column>" as DTB_EPARSE. */
dtb_status dtb__expr_syntax_error(const char *text, int column, const char *fmt, ...) DTB__PRINTF(3, 4);

#endif /* DTB_EXPR_LEXER_H */
