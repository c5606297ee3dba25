/* libdtb internal — helpers shared by the files of the expression engine.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPR_PRIVATE_H
#define DTB_EXPR_PRIVATE_H

#include <stddef.h>

#include "expr.h"

/* Deepest nesting of parentheses and unary operators the parser accepts:
 * the parser and the AST walkers recurse, and hostile input must not be
 * able to exhaust the stack. */
#define DTB__EXPR_MAX_DEPTH 256

/* Longest expression text quoted whole in a syntax error; longer ones are
 * quoted around the column of the error. */
#define DTB__EXPR_QUOTE_MAX 160

/* A function call node (the public constructors cover the other kinds).
 * Takes ownership of `a`; NULL + DTB_ENOMEM on failure. */
dtb__expr *dtb__expr_call(dtb__ex_func func, dtb__expr *a);

/* Function names: the canonical name ("log" for ln), and the lookup used by
 * the parser (accepts "ln"). */
const char *dtb__ex_func_name(dtb__ex_func func);
int dtb__ex_func_lookup(const char *name, size_t len, dtb__ex_func *func);

#endif /* DTB_EXPR_PRIVATE_H */
