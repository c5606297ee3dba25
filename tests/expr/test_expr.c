/* Unit tests of the expression engine: parser, AST helpers, programs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "base/base.h"
#include "dtb/dtb.h"
#include "expr/expr.h"
#include "expr/expr_private.h"
#include "expr/prog_private.h"

/* ------------------------------------------------------------ helpers */

static dtb__expr *parse_ok(const char *text)
{
    dtb__expr *e = NULL;
    dtb_status st = dtb__expr_parse(text, &e);
    if (st != DTB_OK) {
        print_error("parse of '%s' failed: %s\n", text, dtb_last_error_message());
        fail();
    }
    assert_non_null(e);
    return e;
}

/* Fully parenthesised rendering of a parsed text (static buffer). */
static const char *parsed_as(const char *text)
{
    static char buf[512];
    dtb__expr *e = parse_ok(text);
    dtb__expr_format(e, buf, sizeof buf);
    dtb__expr_free(e);
    return buf;
}

typedef struct var {
    const char *name;
    double value;
} var;

typedef struct var_table {
    const var *vars;
    size_t n;
} var_table;

static int lookup_var(const char *name, double *value, void *ud)
{
    const var_table *t = ud;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->vars[i].name, name) == 0) {
            *value = t->vars[i].value;
            return 1;
        }
    }
    return 0;
}

static const var default_vars[] = {{"a", 2.0}, {"b", 3.0}, {"c", 5.0}, {"d", 7.0}, {"x", 1.5}, {"y", -0.25}};

static double eval_text(const char *text)
{
    dtb__expr *e = parse_ok(text);
    var_table t = {default_vars, sizeof default_vars / sizeof default_vars[0]};
    double v = NAN;
    dtb_status st = dtb__expr_eval_scalar(e, lookup_var, &t, &v);
    if (st != DTB_OK) {
        print_error("eval of '%s' failed: %s\n", text, dtb_last_error_message());
        fail();
    }
    dtb__expr_free(e);
    return v;
}

static void expect_parse_error(const char *text, const char *message)
{
    dtb__expr *e = (dtb__expr *)(uintptr_t)1;  /* must be reset to NULL */
    dtb_status st = dtb__expr_parse(text, &e);
    if (st != DTB_EPARSE || strcmp(dtb_last_error_message(), message) != 0) {
        print_error("parse of '%s': status %d, message \"%s\", expected \"%s\"\n", text, (int)st,
                    dtb_last_error_message(), message);
        fail();
    }
    assert_null(e);
}

/* Same double, NaN matching NaN (both paths must agree bit for bit). */
static int same_value(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* ----------------------------------------------------------- parsing */

static void test_precedence(void **state)
{
    (void)state;
    assert_string_equal(parsed_as("a - b*c + d"), "((a - (b * c)) + d)");
    assert_true(eval_text("a - b*c + d") == (2.0 - 3.0 * 5.0) + 7.0);
    assert_string_equal(parsed_as("a - b - c"), "((a - b) - c)");
    assert_string_equal(parsed_as("a / b / c"), "((a / b) / c)");
    assert_string_equal(parsed_as("a*b/c"), "((a * b) / c)");
    assert_string_equal(parsed_as("-x^2"), "(-(x^2))");
    assert_true(eval_text("-x^2") == -2.25);
    assert_true(eval_text("-2^2") == -4.0);
    assert_true(eval_text("(-2)^2") == 4.0);
    assert_true(eval_text("2^3") == 8.0);
    assert_true(eval_text("2^-1") == 0.5);
    assert_true(eval_text("(2^3)^2") == 64.0);
    assert_true(eval_text("2^(3^2)") == 512.0);
    assert_true(eval_text("2*3^2") == 18.0);
    assert_string_equal(parsed_as("a^b*c"), "((a^b) * c)");
    assert_string_equal(parsed_as("a^-b"), "(a^(-b))");
    /* Unary chains. */
    assert_string_equal(parsed_as("- -x"), "(-(-x))");
    assert_string_equal(parsed_as("--x"), "(-(-x))");
    assert_string_equal(parsed_as("-+-x"), "(-(-x))");
    assert_string_equal(parsed_as("+x"), "x");
    assert_string_equal(parsed_as("a * -b"), "(a * (-b))");
    assert_string_equal(parsed_as("a - -b"), "(a - (-b))");
    assert_true(eval_text("---x") == -1.5);
    /* Comparisons and logic; .and. binds tighter than .or. */
    assert_string_equal(parsed_as("a .gt. b .and. c .lt. d"), "((a .gt. b) .and. (c .lt. d))");
    assert_string_equal(parsed_as("a .or. b .and. c"), "(a .or. (b .and. c))");
    assert_string_equal(parsed_as("a .and. b .or. c"), "((a .and. b) .or. c)");
    assert_string_equal(parsed_as("a .or. b .or. c"), "((a .or. b) .or. c)");
    assert_string_equal(parsed_as("x .gt. y .and. c .eq. 1"), "((x .gt. y) .and. (c .eq. 1))");
    assert_string_equal(parsed_as("a + 1 .geq. b * 2"), "((a + 1) .geq. (b * 2))");
    assert_string_equal(parsed_as("a .GT. b"), "(a .gt. b)");
    assert_string_equal(parsed_as("a .ge. b"), "(a .geq. b)");
    assert_string_equal(parsed_as("a .le. b"), "(a .leq. b)");
    assert_string_equal(parsed_as("a .ne. b"), "(a .neq. b)");
    assert_string_equal(parsed_as("(a .lt. b) .eq. 1"), "((a .lt. b) .eq. 1)");
    assert_true(eval_text("a .gt. b") == 0.0);
    assert_true(eval_text("b .gt. a") == 1.0);
    assert_true(eval_text("a .lt. b") == 1.0);
    assert_true(eval_text("a .geq. 2") == 1.0);
    assert_true(eval_text("a .leq. 1.5") == 0.0);
    assert_true(eval_text("a .eq. 2") == 1.0);
    assert_true(eval_text("a .neq. 2") == 0.0);
    assert_true(eval_text("a .and. y") == 1.0);
    assert_true(eval_text("a .and. 0") == 0.0);
    assert_true(eval_text("0 .or. y") == 1.0);
    assert_true(eval_text("0 .or. 0") == 0.0);
    assert_true(eval_text("1 .or. 0 .and. 0") == 1.0);   /* 1 .or. (0 .and. 0) */
    assert_true(eval_text("(1 .or. 0) .and. 0") == 0.0);
    /* Numbers. */
    assert_true(eval_text("1e-3") == 1e-3);
    assert_true(eval_text(".5") == 0.5);
    assert_true(eval_text("2e3") == 2000.0);
    assert_true(eval_text("1.5E+2") == 150.0);
    assert_true(eval_text("0.1") == 0.1);
    assert_true(eval_text("12.25e-1") == 1.225);
    assert_true(eval_text("1.gt.0") == 1.0);  /* "1." is not a number here */
    assert_true(eval_text("a .neq. 0.") == 1.0);   /* a trailing dot (NeuroML Cells.xml) */
    assert_true(eval_text("(2.)*3.") == 6.0);
    assert_true(eval_text(" \t a\n+ b ") == 5.0);
}

static void test_columns(void **state)
{
    (void)state;
    dtb__expr *e = parse_ok("a + b*c");
    assert_int_equal(e->kind, DTB__EX_ADD);
    assert_int_equal(e->column, 3);
    assert_int_equal(e->a->column, 1);
    assert_int_equal(e->b->kind, DTB__EX_MUL);
    assert_int_equal(e->b->column, 6);
    assert_int_equal(e->b->b->column, 7);
    dtb__expr_free(e);
    e = parse_ok("  -exp(x)");
    assert_int_equal(e->kind, DTB__EX_NEG);
    assert_int_equal(e->column, 3);
    assert_int_equal(e->a->kind, DTB__EX_CALL);
    assert_int_equal(e->a->func, DTB__FN_EXP);
    assert_int_equal(e->a->column, 4);
    assert_int_equal(e->a->a->column, 8);
    dtb__expr_free(e);
}

static void test_functions(void **state)
{
    (void)state;
    assert_true(eval_text("exp(x)") == exp(1.5));
    assert_true(eval_text("log(x)") == log(1.5));
    assert_true(eval_text("ln(x)") == log(1.5));
    assert_true(eval_text("sqrt(a)") == sqrt(2.0));
    assert_true(eval_text("sin(x)") == sin(1.5));
    assert_true(eval_text("cos(x)") == cos(1.5));
    assert_true(eval_text("tan(x)") == tan(1.5));
    assert_true(eval_text("sinh(x)") == sinh(1.5));
    assert_true(eval_text("cosh(x)") == cosh(1.5));
    assert_true(eval_text("tanh(x)") == tanh(1.5));
    assert_true(eval_text("abs(y)") == 0.25);
    assert_true(eval_text("ceil(x)") == 2.0);
    assert_true(eval_text("ceil(y)") == 0.0);
    assert_true(eval_text("floor(x)") == 1.0);
    assert_true(eval_text("floor(y)") == -1.0);
    assert_true(eval_text("H(y)") == 0.0);
    assert_true(eval_text("H(0)") == 0.5);
    assert_true(eval_text("H(x)") == 1.0);
    assert_true(eval_text("factorial(5)") == 120.0);
    assert_true(eval_text("factorial(0)") == 1.0);
    assert_true(eval_text("factorial(1)") == 1.0);
    assert_true(eval_text("factorial(10)") == 3628800.0);
    assert_true(isnan(eval_text("factorial(-1)")));
    assert_true(isnan(eval_text("factorial(2.5)")));
    assert_true(isinf(eval_text("factorial(171)")));
    assert_true(isnan(eval_text("log(y)")));
    assert_true(eval_text("exp(log(a))") == exp(log(2.0)));
    /* The ^ rule: small integer exponents are products, others pow(). */
    assert_true(eval_text("x^2") == 1.5 * 1.5);
    assert_true(eval_text("x^3") == 1.5 * 1.5 * 1.5);
    assert_true(eval_text("x^-2") == 1.0 / (1.5 * 1.5));
    assert_true(eval_text("x^0.5") == pow(1.5, 0.5));
    assert_true(eval_text("x^7") == pow(1.5, 7.0));
    assert_true(eval_text("y^0") == 1.0);
    /* A function name not followed by "(" is an ordinary symbol. */
    dtb__expr *e = parse_ok("H + exp");
    assert_int_equal(e->a->kind, DTB__EX_SYM);
    assert_string_equal(e->a->name, "H");
    dtb__expr_free(e);
    /* random() has no single value. */
    e = parse_ok("1 + random(2)");
    double v;
    assert_int_equal(dtb__expr_eval_scalar(e, lookup_var, NULL, &v), DTB_EUNSUPPORTED);
    assert_error_contains("random()");
    assert_error_contains("'1 + random(2)'");
    dtb__expr_free(e);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("", "expression '': empty expression at column 1");
    expect_parse_error("   ", "expression '   ': empty expression at column 1");
    expect_parse_error("(a + b", "expression '(a + b': unclosed '(' at column 1");
    expect_parse_error("a * (b + (c - d)", "expression 'a * (b + (c - d)': unclosed '(' at column 5");
    expect_parse_error("exp(a", "expression 'exp(a': unclosed '(' at column 4");
    expect_parse_error("a + b)", "expression 'a + b)': unbalanced ')' at column 6");
    expect_parse_error("()", "expression '()': unexpected ')' at column 2");
    expect_parse_error("a +", "expression 'a +': unexpected end of expression at column 4");
    expect_parse_error("a + * b", "expression 'a + * b': unexpected '*' at column 5");
    expect_parse_error("a .and.", "expression 'a .and.': unexpected end of expression at column 8");
    expect_parse_error("a b", "expression 'a b': unexpected 'b' at column 3");
    expect_parse_error("(a b)", "expression '(a b)': expected ')' but found 'b' at column 4");
    expect_parse_error("2 * foo(x)", "expression '2 * foo(x)': unknown function 'foo' at column 5");
    expect_parse_error("exp ()", "expression 'exp ()': function 'exp' needs an argument at column 6");
    expect_parse_error("exp(a, b)", "expression 'exp(a, b)': function 'exp' takes one argument at column 6");
    expect_parse_error("a^b^c",
                       "expression 'a^b^c': ambiguous chained '^' (write (a^b)^c or a^(b^c)) at column 4");
    expect_parse_error("a^-b^c",
                       "expression 'a^-b^c': ambiguous chained '^' (write (a^b)^c or a^(b^c)) at column 5");
    expect_parse_error("a .lt. b .lt. c",
                       "expression 'a .lt. b .lt. c': chained comparison '.lt.' (add parentheses) at column 10");
    expect_parse_error("a $ b", "expression 'a $ b': unexpected character '$' at column 3");
    expect_parse_error("a # b", "expression 'a # b': unexpected character '#' at column 3");
    /* A lexical error right after a complete operand: nothing may leak
     * (the sanitizer and valgrind runs check). */
    expect_parse_error("a * b $", "expression 'a * b $': unexpected character '$' at column 7");
    expect_parse_error("a + (b) $", "expression 'a + (b) $': unexpected character '$' at column 9");
    expect_parse_error("1 + exp(a) $", "expression '1 + exp(a) $': unexpected character '$' at column 12");
    expect_parse_error("a^b $", "expression 'a^b $': unexpected character '$' at column 5");
    expect_parse_error("1 - -a $", "expression '1 - -a $': unexpected character '$' at column 8");
    expect_parse_error("a .gt. 2 $", "expression 'a .gt. 2 $': unexpected character '$' at column 10");
    expect_parse_error("a .or. b $", "expression 'a .or. b $': unexpected character '$' at column 10");
    expect_parse_error("a \xc3\xa9", "expression 'a \xc3\xa9': unexpected character 0xC3 at column 3");
    expect_parse_error("a .xor. b", "expression 'a .xor. b': unknown operator '.xor.' at column 3");
    expect_parse_error("a . b", "expression 'a . b': unexpected '.' at column 3");
    expect_parse_error("2e + 1", "expression '2e + 1': malformed number '2e' at column 1");
    expect_parse_error("3x", "expression '3x': malformed number '3x' at column 1");
    expect_parse_error("1e999", "expression '1e999': number '1e999' is out of range at column 1");
    /* Parenthesised forms of a^b^c are fine. */
    assert_true(eval_text("(a^b)^c") == 32768.0);
    assert_true(eval_text("a^(b^c)") == pow(2.0, 243.0));
    /* Deep nesting is refused, not a stack overflow. */
    char deep[2101];
    memset(deep, '(', 1000);
    deep[1000] = 'x';
    memset(deep + 1001, ')', 1000);
    deep[2001] = '\0';
    dtb__expr *e = NULL;
    assert_int_equal(dtb__expr_parse(deep, &e), DTB_EPARSE);
    assert_error_contains("nested too deeply");
    assert_null(e);
    memset(deep, '-', 2000);
    deep[2000] = 'x';
    deep[2001] = '\0';
    assert_int_equal(dtb__expr_parse(deep, &e), DTB_EPARSE);
    assert_error_contains("nested too deeply");
    /* Moderate nesting is fine. */
    memset(deep, '(', 100);
    deep[100] = 'x';
    memset(deep + 101, ')', 100);
    deep[201] = '\0';
    assert_true(eval_text(deep) == 1.5);
    assert_int_equal(dtb__expr_parse(NULL, &e), DTB_EINVAL);
    assert_int_equal(dtb__expr_parse("a", NULL), DTB_EINVAL);
}

/* Found by fuzzing: a long chain of operators built a tree as tall as the
 * chain, and the recursive walkers (render, evaluate, compile, free)
 * overflowed the stack (500 000 terms crashed). Trees are now at most
 * DTB__EXPR_MAX_HEIGHT tall; and the message of a syntax error in a long
 * expression quotes it around the column, so the reason is not cut off. */
static void test_long_expressions(void **state)
{
    (void)state;
    size_t n_terms = 200000;
    char *text = malloc(2 * n_terms);
    assert_non_null(text);
    for (size_t i = 0; i < n_terms; i++) {
        text[2 * i] = 'x';
        text[2 * i + 1] = '+';
    }
    text[2 * n_terms - 1] = '\0';
    dtb__expr *e = NULL;
    assert_int_equal(dtb__expr_parse(text, &e), DTB_EPARSE);
    assert_null(e);
    assert_error_contains("nested too deeply (more than 1024 levels of operators)");
    assert_error_contains("at column 2048");
    assert_error_contains("expression of 399999 characters '...+x+x");
    assert_true(strlen(dtb_last_error_message()) < 400);
    /* The longest chain allowed parses, renders, evaluates and compiles. */
    text[2 * DTB__EXPR_MAX_HEIGHT - 1] = '\0';     /* 1024 terms, 1023 operators: height 1024 */
    assert_int_equal(dtb__expr_parse(text, &e), DTB_OK);
    assert_int_equal(e->height, DTB__EXPR_MAX_HEIGHT);
    dtb__expr_free(e);
    assert_true(eval_text(text) == 1.5 * DTB__EXPR_MAX_HEIGHT);
    /* One more level through a unary minus or a function is refused too. */
    char *wrapped = malloc(2 * n_terms + 16);
    assert_non_null(wrapped);
    snprintf(wrapped, 2 * n_terms + 16, "-exp(%s)", text);
    assert_int_equal(dtb__expr_parse(wrapped, &e), DTB_EPARSE);
    assert_error_contains("nested too deeply");
    /* The constructors refuse too tall a tree (the LEMS reader builds some). */
    dtb__expr *tall = dtb__expr_sym("x");
    for (int i = 1; i < DTB__EXPR_MAX_HEIGHT && tall; i++)
        tall = dtb__expr_unary(DTB__EX_NEG, tall);
    assert_non_null(tall);
    assert_int_equal(tall->height, DTB__EXPR_MAX_HEIGHT);
    assert_null(dtb__expr_binary(DTB__EX_ADD, tall, dtb__expr_num(1.0)));
    assert_int_equal(dtb_last_error_code(), DTB_EPARSE);
    assert_error_contains("nested too deeply");
    /* A short expression is still quoted whole. */
    expect_parse_error("a + * b", "expression 'a + * b': unexpected '*' at column 5");
    free(wrapped);
    free(text);
}

/* A host in a decimal-comma locale must not change how numbers are read. */
static void test_parse_locale(void **state)
{
    (void)state;
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        /* tools/run-tests.sh fails on this skip; install-deps.sh --test makes de_DE.UTF-8 */
        print_message("SKIP: no de_DE.UTF-8 or fr_FR.UTF-8 locale (sh tools/install-deps.sh --test)\n");
        skip();
    }
    double v = eval_text("2.5 + .25");
    setlocale(LC_NUMERIC, "C");
    assert_true(v == 2.75);
}

/* ------------------------------------------------------- AST helpers */

static int collect_symbol(const char *name, void *ud)
{
    char *buf = ud;
    strcat(buf, name);
    strcat(buf, ";");
    return strcmp(name, "stop") == 0 ? 42 : 0;
}

static void test_ast_helpers(void **state)
{
    (void)state;
    /* Constructors, nested; they own their operands. */
    dtb__expr *e = dtb__expr_binary(DTB__EX_ADD, dtb__expr_sym("x"),
                                    dtb__expr_binary(DTB__EX_MUL, dtb__expr_num(2.0), dtb__expr_sym("y")));
    assert_non_null(e);
    char buf[128];
    assert_int_equal(dtb__expr_format(e, buf, sizeof buf), strlen("(x + (2 * y))"));
    assert_string_equal(buf, "(x + (2 * y))");
    /* snprintf semantics: truncated, terminated, full length returned. */
    char small[6];
    assert_int_equal(dtb__expr_format(e, small, sizeof small), 13);
    assert_string_equal(small, "(x + ");
    assert_int_equal(dtb__expr_format(e, NULL, 0), 13);

    dtb__expr *copy = dtb__expr_clone(e);
    assert_non_null(copy);
    assert_ptr_not_equal(copy, e);
    assert_ptr_not_equal(copy->a->name, e->a->name);
    dtb__expr_format(copy, buf, sizeof buf);
    assert_string_equal(buf, "(x + (2 * y))");
    dtb__expr_free(e);
    dtb__expr_free(copy);

    e = dtb__expr_select(dtb__expr_binary(DTB__EX_GT, dtb__expr_sym("v"), dtb__expr_num(0.0)),
                         dtb__expr_sym("a"), dtb__expr_unary(DTB__EX_NEG, dtb__expr_num(-1.5)));
    assert_non_null(e);
    dtb__expr_format(e, buf, sizeof buf);
    assert_string_equal(buf, "((v .gt. 0) ? a : (-(-1.5)))");
    assert_false(dtb__expr_is_boolean(e));
    assert_true(dtb__expr_is_boolean(e->c));
    char names[64] = "";
    assert_int_equal(dtb__expr_visit_symbols(e, collect_symbol, names), 0);
    assert_string_equal(names, "v;a;");  /* source order: condition first */
    var vars[] = {{"v", -1.0}, {"a", 9.0}};
    var_table t = {vars, 2};
    double v = 0.0;
    assert_int_equal(dtb__expr_eval_scalar(e, lookup_var, &t, &v), DTB_OK);
    assert_true(v == 1.5);
    vars[0].value = 1.0;
    assert_int_equal(dtb__expr_eval_scalar(e, lookup_var, &t, &v), DTB_OK);
    assert_true(v == 9.0);
    dtb__expr_free(e);

    e = parse_ok("stop + later * stop");
    names[0] = '\0';
    assert_int_equal(dtb__expr_visit_symbols(e, collect_symbol, names), 42);
    assert_string_equal(names, "stop;");
    dtb__expr_free(e);

    /* A failed inner constructor makes the outer one fail (no leak). */
    assert_null(dtb__expr_binary(DTB__EX_ADD, dtb__expr_sym("x"), NULL));
    assert_null(dtb__expr_unary(DTB__EX_ADD, dtb__expr_sym("x")));
    assert_int_equal(dtb_last_error_code(), DTB_EINVAL);
    assert_null(dtb__expr_binary(DTB__EX_NEG, dtb__expr_sym("x"), dtb__expr_sym("y")));

    /* is_boolean on parsed input. */
    const char *booleans[] = {"a .gt. b", "a .and. b", "a .or. b", "a .neq. b"};
    for (size_t i = 0; i < 4; i++) {
        e = parse_ok(booleans[i]);
        assert_true(dtb__expr_is_boolean(e));
        dtb__expr_free(e);
    }
    e = parse_ok("(a .gt. b) * 2");
    assert_false(dtb__expr_is_boolean(e));
    dtb__expr_free(e);

    /* Unknown symbols name the symbol and the expression. */
    e = parse_ok("a + q*2");
    assert_int_equal(dtb__expr_eval_scalar(e, lookup_var, &t, &v), DTB_ENOTFOUND);
    assert_string_equal(dtb_last_error_message(), "unknown symbol 'q' in 'a + q * 2'");
    dtb__expr_free(e);

    /* Compact rendering (messages) keeps only needed parentheses and
     * reads back to the same tree. */
    const char *texts[] = {"a - (b - c)", "(a - b) - c", "-(x^2)", "(-x)^2", "a^(b^c)", "(a^b)^c",
                           "(a .or. b) .and. c", "-(a * b)", "2^(-1)", "(a .gt. b) .lt. c",
                           "exp(-(x + 1) / 2)", "a / (b * c)"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char full1[256], full2[256], compact[256];
        e = parse_ok(texts[i]);
        dtb__expr_format(e, full1, sizeof full1);
        dtb__expr_format_compact(e, compact, sizeof compact);
        dtb__expr_free(e);
        e = parse_ok(compact);
        dtb__expr_format(e, full2, sizeof full2);
        dtb__expr_free(e);
        if (strcmp(full1, full2) != 0) {
            print_error("'%s' -> '%s' -> '%s' vs '%s'\n", texts[i], compact, full2, full1);
            fail();
        }
    }
    e = parse_ok("a - (b - c) * -d");
    dtb__expr_format_compact(e, buf, sizeof buf);
    assert_string_equal(buf, "a - (b - c) * -d");
    dtb__expr_free(e);
}

/* ---------------------------------------------------------- programs */

/* Inputs of the comparison programs: scalars p, q and vectors x, y, z. */
#define N_MAX 300
static const char *const scalar_names[] = {"p", "q"};
static const char *const vector_names[] = {"x", "y", "z"};

typedef struct inputs {
    double scalars[2];
    double vectors[3][N_MAX];
} inputs;

static void make_inputs(inputs *in, unsigned seed, double p, double q)
{
    srand(seed);
    in->scalars[0] = p;
    in->scalars[1] = q;
    for (int v = 0; v < 3; v++) {
        for (int i = 0; i < N_MAX; i++) {
            double r = 6.0 * rand() / (double)RAND_MAX - 3.0;
            /* Exact zeros, ones and integers reach H(0), .eq., integer
             * powers of negative bases and the like. */
            if ((i + v) % 7 == 0)
                r = 0.0;
            else if ((i + v) % 11 == 0)
                r = 1.0;
            else if ((i + v) % 13 == 0)
                r = round(r);
            in->vectors[v][i] = r;
        }
    }
}

typedef struct element_lookup {
    const inputs *in;
    size_t i;
} element_lookup;

static int lookup_element(const char *name, double *value, void *ud)
{
    const element_lookup *el = ud;
    for (int s = 0; s < 2; s++) {
        if (strcmp(name, scalar_names[s]) == 0) {
            *value = el->in->scalars[s];
            return 1;
        }
    }
    for (int v = 0; v < 3; v++) {
        if (strcmp(name, vector_names[v]) == 0) {
            *value = el->in->vectors[v][el->i];
            return 1;
        }
    }
    return 0;
}

static dtb__prog_builder *builder_with_inputs(void)
{
    dtb__prog_builder *pb = dtb__pb_new();
    assert_non_null(pb);
    for (int s = 0; s < 2; s++)
        assert_int_equal(dtb__pb_scalar_input(pb, scalar_names[s]), s);
    for (int v = 0; v < 3; v++)
        assert_int_equal(dtb__pb_vector_input(pb, vector_names[v]), v);
    return pb;
}

static dtb__prog *finish_ok(dtb__prog_builder *pb)
{
    dtb__prog *p = NULL;
    assert_int_equal(dtb__pb_finish(pb, &p), DTB_OK);
    assert_non_null(p);
    dtb__pb_free(pb);
    return p;
}

/* Evaluate `p` (outputs: one array each in `outs`) over n elements. */
static void run_prog(const dtb__prog *p, const inputs *in, size_t n, double **outs)
{
    const double *vectors[3] = {in->vectors[0], in->vectors[1], in->vectors[2]};
    dtb__prog_env env = {in->scalars, vectors, outs, n, NULL, NULL};
    dtb__prog_scratch *s = dtb__prog_scratch_new(p);
    assert_non_null(s);
    dtb__prog_eval(p, &env, s);
    dtb__prog_scratch_free(s);
}

static void check_against_scalar(const dtb__expr *e, const char *label, const inputs *in, size_t n,
                                 const double *out)
{
    for (size_t i = 0; i < n; i++) {
        element_lookup el = {in, i};
        double expected;
        assert_int_equal(dtb__expr_eval_scalar(e, lookup_element, &el, &expected), DTB_OK);
        if (!same_value(out[i], expected)) {
            print_error("'%s' element %zu of %zu (p=%g): program %.17g, tree %.17g\n", label, i, n,
                        in->scalars[0], out[i], expected);
            fail();
        }
    }
}

static const char *const program_exprs[] = {
    "x", "p", "3", "x + y", "x - p", "p - x", "p * x + q", "x / y", "p / x", "x / p", "-x", "-p * x",
    "-(x + y) * z", "x - y*z + p", "x*y*z + x*y + x", "((x+y)*(y+z))/((z+x)*(x-y) + 3)",
    "x^2", "x^3", "x^4", "x^-1", "x^-2", "x^-3", "x^-4", "x^0", "x^1", "x^0.5", "x^2.5", "x^p", "x^q",
    "p^x", "x^y", "2^x", "(x*y)^2", "x^(p+q)", "x^(1+1)", "-x^2 + (y - 1)^3",
    "exp(x)", "log(abs(x) + 1)", "ln(x)", "sqrt(abs(x))", "sqrt(x)", "sin(x)", "cos(y)", "tan(x/4)",
    "sinh(x)", "cosh(y)", "tanh(z)", "abs(x)", "ceil(x)", "floor(y)", "H(x)", "H(x - y)", "H(p)",
    "factorial(floor(abs(x)) * 2)", "factorial(3) * x",
    "x .gt. y", "x .lt. p", "p .geq. x", "x .leq. 0", "x .eq. y", "x .neq. 0", "x .eq. 1",
    "(x .gt. 0) .and. (y .lt. 0)", "x .gt. 0 .or. y .gt. 0 .and. z .lt. 0", "x .and. p", "p .or. x",
    "x .and. y", "x .or. y", "0 .or. x",
    "exp(p) * x + exp(q) / y", "(p + q) * (p - q) + x", "p * q", "2 * 3 + 1", "p .gt. q",
    "exp(-(x + 35e-3) / 5e-3) / (1 + exp(-(y + 35e-3) / 5e-3))", "H(x)*x^2 - H(-x)*p", "x - x",
    "x*x - x^2", "1 / (1 + exp(-p * (x - q)))", "x + x + x + x", "z*(z*(z*(z*(z + 1) + 1) + 1) + 1)",
};
#define N_PROGRAM_EXPRS (sizeof program_exprs / sizeof program_exprs[0])

static const size_t sizes[] = {1, 5, 127, 128, 129, 300};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

/* Every expression compiled on its own and all of them in one program must
 * give exactly what the tree interpreter gives, element by element, at and
 * around block boundaries, for two sets of scalars (p = 2 takes the x^p
 * small-integer path, p = 1.5 the pow() path). */
static void test_program_matches_tree(void **state)
{
    (void)state;
    static inputs in;
    static double out_all[N_PROGRAM_EXPRS][N_MAX + 1];
    const double scalar_sets[2][2] = {{2.0, -0.5}, {1.5, 3.0}};
    dtb__expr *exprs[N_PROGRAM_EXPRS];
    for (size_t k = 0; k < N_PROGRAM_EXPRS; k++)
        exprs[k] = parse_ok(program_exprs[k]);

    dtb__prog_builder *pb_all = builder_with_inputs();
    for (size_t k = 0; k < N_PROGRAM_EXPRS; k++)
        assert_int_equal(dtb__pb_output(pb_all, exprs[k], program_exprs[k]), (int)k);
    dtb__prog *all = finish_ok(pb_all);
    assert_int_equal(dtb__prog_n_outputs(all), (int)N_PROGRAM_EXPRS);
    assert_int_equal(dtb__prog_n_scalar_inputs(all), 2);
    assert_int_equal(dtb__prog_n_vector_inputs(all), 3);
    assert_false(dtb__prog_uses_random(all));

    for (int set = 0; set < 2; set++) {
        make_inputs(&in, 1234u + (unsigned)set, scalar_sets[set][0], scalar_sets[set][1]);
        for (size_t si = 0; si < N_SIZES; si++) {
            size_t n = sizes[si];
            /* One program per expression. */
            for (size_t k = 0; k < N_PROGRAM_EXPRS; k++) {
                dtb__prog_builder *pb = builder_with_inputs();
                assert_int_equal(dtb__pb_output(pb, exprs[k], program_exprs[k]), 0);
                dtb__prog *p = finish_ok(pb);
                double out[N_MAX + 1];
                out[n] = -12345.0;  /* sentinel: nothing written past n */
                double *outs[1] = {out};
                run_prog(p, &in, n, outs);
                assert_true(out[n] == -12345.0);
                check_against_scalar(exprs[k], program_exprs[k], &in, n, out);
                dtb__prog_free(p);
            }
            /* All in one program. */
            double *outs[N_PROGRAM_EXPRS];
            for (size_t k = 0; k < N_PROGRAM_EXPRS; k++) {
                outs[k] = out_all[k];
                out_all[k][n] = -12345.0;
            }
            run_prog(all, &in, n, outs);
            for (size_t k = 0; k < N_PROGRAM_EXPRS; k++) {
                assert_true(out_all[k][n] == -12345.0);
                check_against_scalar(exprs[k], program_exprs[k], &in, n, out_all[k]);
            }
        }
    }
    dtb__prog_free(all);
    for (size_t k = 0; k < N_PROGRAM_EXPRS; k++)
        dtb__expr_free(exprs[k]);
}

static void test_select(void **state)
{
    (void)state;
    static inputs in;
    make_inputs(&in, 99u, 2.0, -1.0);
    /* Each of condition, then-value and else-value vector or scalar; the
     * literal conditions are decided at compile time. */
    const char *conds[] = {"x .gt. 0", "p .gt. 1", "q .gt. 1", "3 .gt. 2", "1 .gt. 2"};
    const char *thens[] = {"x * 2", "p + 1"};
    const char *elses[] = {"y", "q"};
    for (int c = 0; c < 5; c++) {
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                dtb__expr *e = dtb__expr_select(parse_ok(conds[c]), parse_ok(thens[a]), parse_ok(elses[b]));
                assert_non_null(e);
                char label[128];
                dtb__expr_format(e, label, sizeof label);
                dtb__prog_builder *pb = builder_with_inputs();
                assert_int_equal(dtb__pb_output(pb, e, label), 0);
                dtb__prog *p = finish_ok(pb);
                for (size_t si = 0; si < N_SIZES; si++) {
                    double out[N_MAX];
                    double *outs[1] = {out};
                    run_prog(p, &in, sizes[si], outs);
                    check_against_scalar(e, label, &in, sizes[si], out);
                }
                dtb__prog_free(p);
                dtb__expr_free(e);
            }
        }
    }
}

/* Outputs that are plain inputs, scalars or constants, and the same value
 * exposed twice, are copied or broadcast. */
static void test_plain_outputs(void **state)
{
    (void)state;
    static inputs in;
    make_inputs(&in, 7u, 0.75, -2.0);
    dtb__prog_builder *pb = builder_with_inputs();
    const char *texts[] = {"x", "p", "3", "x", "x*y", "x*y", "p*2 + q", "z"};
    for (int k = 0; k < 8; k++) {
        dtb__expr *e = parse_ok(texts[k]);
        assert_int_equal(dtb__pb_output(pb, e, texts[k]), k);
        dtb__expr_free(e);
    }
    dtb__expr *e = parse_ok("x*y");
    assert_int_equal(dtb__pb_define(pb, "w", e, "DerivedVariable 'w'"), DTB_OK);
    dtb__expr_free(e);
    assert_int_equal(dtb__pb_output_name(pb, "w", "w"), 8);
    assert_int_equal(dtb__pb_output_name(pb, "y", "y"), 9);
    assert_int_equal(dtb__pb_output_name(pb, "q", "q"), 10);
    dtb__prog *p = finish_ok(pb);
    /* Only x*y is computed; the rest are copies and broadcasts. */
    int computed = 0;
    for (int i = 0; i < p->n_vins; i++)
        computed += p->vins[i].op != DTB__VOP_COPY && p->vins[i].op != DTB__VOP_BCAST;
    assert_int_equal(computed, 1);
    assert_int_equal(p->n_vregs, 0);
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        static double out[11][N_MAX];
        double *outs[11];
        for (int k = 0; k < 11; k++)
            outs[k] = out[k];
        run_prog(p, &in, n, outs);
        for (size_t i = 0; i < n; i++) {
            double x = in.vectors[0][i], y = in.vectors[1][i], z = in.vectors[2][i];
            assert_true(out[0][i] == x);
            assert_true(out[1][i] == 0.75);
            assert_true(out[2][i] == 3.0);
            assert_true(out[3][i] == x);
            assert_true(out[4][i] == x * y);
            assert_true(out[5][i] == x * y);
            assert_true(out[6][i] == 0.75 * 2 - 2.0);
            assert_true(out[7][i] == z);
            assert_true(out[8][i] == x * y);
            assert_true(out[9][i] == y);
            assert_true(out[10][i] == -2.0);
        }
    }
    dtb__prog_free(p);
}

static void define_text(dtb__prog_builder *pb, const char *name, const char *text)
{
    dtb__expr *e = parse_ok(text);
    dtb_status st = dtb__pb_define(pb, name, e, name);
    if (st != DTB_OK) {
        print_error("define %s = %s: %s\n", name, text, dtb_last_error_message());
        fail();
    }
    dtb__expr_free(e);
}

static int output_text(dtb__prog_builder *pb, const char *text)
{
    dtb__expr *e = parse_ok(text);
    int k = dtb__pb_output(pb, e, text);
    dtb__expr_free(e);
    return k;
}

static void test_defines(void **state)
{
    (void)state;
    static inputs in;
    make_inputs(&in, 5u, 1.25, 0.5);
    dtb__prog_builder *pb = builder_with_inputs();
    define_text(pb, "a", "x + p");           /* vector */
    define_text(pb, "s", "p * q + 1");       /* scalar */
    define_text(pb, "b", "a * a - s");       /* uses both */
    define_text(pb, "c", "b / (1 + a^2) + s");
    assert_int_equal(output_text(pb, "c - b"), 0);
    assert_int_equal(dtb__pb_output_name(pb, "a", "a"), 1);
    assert_int_equal(dtb__pb_output_name(pb, "s", "s"), 2);
    dtb__prog *p = finish_ok(pb);
    for (size_t si = 0; si < N_SIZES; si++) {
        size_t n = sizes[si];
        double o0[N_MAX], o1[N_MAX], o2[N_MAX];
        double *outs[3] = {o0, o1, o2};
        run_prog(p, &in, n, outs);
        double s = 1.25 * 0.5 + 1;
        for (size_t i = 0; i < n; i++) {
            double a = in.vectors[0][i] + 1.25;
            double b = a * a - s;
            double c = b / (1 + a * a) + s;
            assert_true(o0[i] == c - b);
            assert_true(o1[i] == a);
            assert_true(o2[i] == s);
        }
    }
    dtb__prog_free(p);
}

/* A define nothing outputs costs nothing at evaluation. */
static void test_dead_defines(void **state)
{
    (void)state;
    dtb__prog_builder *pb = builder_with_inputs();
    define_text(pb, "dead", "exp(x) * sin(y) + random(1)");
    define_text(pb, "dead_scalar", "exp(p) * q");
    define_text(pb, "live", "x * y");
    define_text(pb, "dead_too", "live + dead");
    assert_int_equal(output_text(pb, "live + 1"), 0);
    dtb__prog *p = finish_ok(pb);
    assert_int_equal(p->n_vins, 2);   /* x*y into a register, +1 into the output */
    assert_int_equal(p->n_sins, 0);
    assert_false(dtb__prog_uses_random(p));
    static inputs in;
    make_inputs(&in, 3u, 1.0, 2.0);
    double out[N_MAX];
    double *outs[1] = {out};
    run_prog(p, &in, 200, outs);
    for (size_t i = 0; i < 200; i++)
        assert_true(out[i] == in.vectors[0][i] * in.vectors[1][i] + 1);
    dtb__prog_free(p);
}

/* Scalar sub-expressions run once per evaluation, constants are folded, and
 * x^2 becomes a multiplication. */
static void test_instruction_selection(void **state)
{
    (void)state;
    dtb__prog_builder *pb = builder_with_inputs();
    assert_int_equal(output_text(pb, "x * (p*q + exp(p))"), 0);
    dtb__prog *p = finish_ok(pb);
    assert_int_equal(p->n_sins, 3);   /* p*q, exp(p), + */
    assert_int_equal(p->n_vins, 1);
    assert_int_equal(p->vins[0].op, DTB__VOP_MUL_VS);
    dtb__prog_free(p);

    pb = builder_with_inputs();
    assert_int_equal(output_text(pb, "x * (2*3 + exp(0))"), 0);
    p = finish_ok(pb);
    assert_int_equal(p->n_sins, 0);
    assert_int_equal(p->n_vins, 1);
    assert_int_equal(p->vins[0].op, DTB__VOP_MUL_VS);
    assert_true(p->sreg_init[p->vins[0].b] == 7.0);
    dtb__prog_free(p);

    pb = builder_with_inputs();
    assert_int_equal(output_text(pb, "x^2"), 0);
    assert_int_equal(output_text(pb, "y^-1"), 1);
    assert_int_equal(output_text(pb, "2 - x"), 2);
    assert_int_equal(output_text(pb, "x^1"), 3);
    assert_int_equal(output_text(pb, "(x + y) + (y + x)"), 4);
    p = finish_ok(pb);
    assert_int_equal(p->n_vins, 6);
    assert_int_equal(p->vins[0].op, DTB__VOP_POWI);
    assert_int_equal(p->vins[0].imm, 2);
    assert_int_equal(p->vins[1].op, DTB__VOP_POWI);
    assert_int_equal(p->vins[1].imm, -1);
    assert_int_equal(p->vins[2].op, DTB__VOP_SUB_SV);
    assert_int_equal(p->vins[3].op, DTB__VOP_ADD_VV);   /* x + y == y + x, computed once */
    assert_int_equal(p->vins[4].op, DTB__VOP_ADD_VV);
    assert_int_equal(p->vins[4].a, p->vins[4].b);
    assert_int_equal(p->vins[5].op, DTB__VOP_COPY);     /* x^1 is x */
    dtb__prog_free(p);
}

/* Registers are reused after their last use: a long chain needs one or two,
 * not one per step. */
static void test_register_reuse(void **state)
{
    (void)state;
    char text[4096] = "x";
    char tmp[4096];
    for (int i = 0; i < 60; i++) {
        snprintf(tmp, sizeof tmp, "(%s * y + %d)", text, i % 5);
        strcpy(text, tmp);
    }
    dtb__prog_builder *pb = builder_with_inputs();
    assert_int_equal(output_text(pb, text), 0);
    dtb__prog *p = finish_ok(pb);
    assert_int_equal(p->n_vins, 120);
    assert_true(p->n_vregs >= 1 && p->n_vregs <= 2);
    /* No instruction writes a register it reads. */
    int first_reg = p->n_vector_inputs + p->n_outputs;
    for (int i = 0; i < p->n_vins; i++) {
        const dtb__vins *ins = &p->vins[i];
        if (ins->op == DTB__VOP_ADD_VV || ins->op == DTB__VOP_MUL_VV) {
            assert_int_not_equal(ins->d, ins->a);
            assert_int_not_equal(ins->d, ins->b);
        }
        assert_true(ins->d < first_reg + p->n_vregs);
    }
    static inputs in;
    make_inputs(&in, 11u, 0.0, 0.0);
    for (int v = 0; v < 2; v++)
        for (int i = 0; i < N_MAX; i++)
            in.vectors[v][i] *= 0.3;  /* keep the chain finite */
    dtb__expr *e = parse_ok(text);
    for (size_t si = 0; si < N_SIZES; si++) {
        double out[N_MAX];
        double *outs[1] = {out};
        run_prog(p, &in, sizes[si], outs);
        check_against_scalar(e, "chain", &in, sizes[si], out);
    }
    dtb__expr_free(e);
    dtb__prog_free(p);

    /* A balanced tree of 16 independent products keeps about log2(16)
     * partial sums alive. */
    strcpy(text, "");
    const char *leaves[] = {"x*y", "y*z", "z*x", "x*x", "y*y", "z*z", "x*p", "y*p",
                            "z*p", "x*q", "y*q", "z*q", "x/y", "y/z", "z/x", "x-y"};
    snprintf(text, sizeof text,
             "((((%s + %s) + (%s + %s)) + ((%s + %s) + (%s + %s))) + (((%s + %s) + (%s + %s)) + ((%s + %s) + (%s + %s))))",
             leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5], leaves[6], leaves[7], leaves[8],
             leaves[9], leaves[10], leaves[11], leaves[12], leaves[13], leaves[14], leaves[15]);
    pb = builder_with_inputs();
    assert_int_equal(output_text(pb, text), 0);
    p = finish_ok(pb);
    assert_true(p->n_vregs <= 6);
    e = parse_ok(text);
    for (size_t si = 0; si < N_SIZES; si++) {
        double out[N_MAX];
        double *outs[1] = {out};
        run_prog(p, &in, sizes[si], outs);
        check_against_scalar(e, "tree", &in, sizes[si], out);
    }
    dtb__expr_free(e);
    dtb__prog_free(p);
}

/* A deterministic stand-in for a random number generator. */
typedef struct fake_uniform {
    unsigned calls;
} fake_uniform;

static double fake_value(unsigned k) { return (double)((k * 7919u) % 1000u) / 1000.0; }

static double fake_uniform_next(void *ud)
{
    fake_uniform *f = ud;
    return fake_value(f->calls++);
}

static void test_random(void **state)
{
    (void)state;
    static inputs in;
    make_inputs(&in, 17u, 0.0, 0.0);
    dtb__prog_builder *pb = builder_with_inputs();
    assert_int_equal(output_text(pb, "random(x)"), 0);
    dtb__prog *p = finish_ok(pb);
    assert_true(dtb__prog_uses_random(p));
    const double *vectors[3] = {in.vectors[0], in.vectors[1], in.vectors[2]};
    double out[N_MAX], out2[N_MAX];
    double *outs[2] = {out, out2};
    fake_uniform f = {0};
    dtb__prog_env env = {in.scalars, vectors, outs, 300, fake_uniform_next, &f};
    dtb__prog_scratch *s = dtb__prog_scratch_new(p);
    assert_non_null(s);
    dtb__prog_eval(p, &env, s);
    assert_int_equal(f.calls, 300);
    for (unsigned i = 0; i < 300; i++)
        assert_true(out[i] == in.vectors[0][i] * fake_value(i));
    /* Without a random source: NaN, no crash. */
    env.uniform = NULL;
    dtb__prog_eval(p, &env, s);
    assert_true(isnan(out[0]) && isnan(out[299]));
    dtb__prog_scratch_free(s);
    dtb__prog_free(p);

    /* Scalar argument: still one draw per element. Two calls are two draws
     * (never merged), taken block by block, call by call. */
    pb = builder_with_inputs();
    assert_int_equal(output_text(pb, "random(2)"), 0);
    assert_int_equal(output_text(pb, "random(1) - random(1)"), 1);
    p = finish_ok(pb);
    f.calls = 0;
    env.uniform = fake_uniform_next;
    s = dtb__prog_scratch_new(p);
    assert_non_null(s);
    dtb__prog_eval(p, &env, s);
    assert_int_equal(f.calls, 900);
    unsigned k = 0;
    for (size_t start = 0; start < 300; start += DTB__EXPR_BLOCK) {
        size_t len = 300 - start < DTB__EXPR_BLOCK ? 300 - start : DTB__EXPR_BLOCK;
        for (size_t i = 0; i < len; i++)
            assert_true(out[start + i] == 2.0 * fake_value(k + (unsigned)i));
        for (size_t i = 0; i < len; i++)
            assert_true(out2[start + i] == fake_value(k + (unsigned)(len + i)) - fake_value(k + (unsigned)(2 * len + i)));
        k += 3 * (unsigned)len;
    }
    dtb__prog_scratch_free(s);
    dtb__prog_free(p);
}

static void test_unknown_symbols(void **state)
{
    (void)state;
    dtb__prog_builder *pb = builder_with_inputs();
    dtb__expr *e = parse_ok("xF + 1");
    assert_int_equal(dtb__pb_define(pb, "xE", e, "DerivedVariable 'xE'"), DTB_ENOTFOUND);
    assert_string_equal(dtb_last_error_message(), "DerivedVariable 'xE': unknown symbol 'xF' in 'xF + 1'");
    /* The failed define does not exist. */
    dtb__expr_free(e);
    e = parse_ok("xE * 2");
    assert_int_equal(dtb__pb_output(pb, e, "TimeDerivative 'v'"), -1);
    assert_int_equal(dtb_last_error_code(), DTB_ENOTFOUND);
    assert_string_equal(dtb_last_error_message(), "TimeDerivative 'v': unknown symbol 'xE' in 'xE * 2'");
    dtb__expr_free(e);
    /* A define cannot refer to a later one. */
    e = parse_ok("later + x");
    assert_int_equal(dtb__pb_define(pb, "early", e, NULL), DTB_ENOTFOUND);
    assert_string_equal(dtb_last_error_message(), "expression: unknown symbol 'later' in 'later + x'");
    dtb__expr_free(e);
    assert_int_equal(dtb__pb_output_name(pb, "nothing", "Exposure 'nothing'"), -1);
    assert_int_equal(dtb_last_error_code(), DTB_ENOTFOUND);
    assert_error_contains("'nothing'");
    /* The builder is still usable after errors. */
    assert_int_equal(output_text(pb, "x + p"), 0);
    dtb__prog *p = finish_ok(pb);
    assert_int_equal(dtb__prog_n_outputs(p), 1);
    static inputs in;
    make_inputs(&in, 1u, 4.0, 0.0);
    double out[N_MAX];
    double *outs[1] = {out};
    run_prog(p, &in, 10, outs);
    for (int i = 0; i < 10; i++)
        assert_true(out[i] == in.vectors[0][i] + 4.0);
    dtb__prog_free(p);
}

static void test_duplicate_names(void **state)
{
    (void)state;
    dtb__prog_builder *pb = dtb__pb_new();
    assert_int_equal(dtb__pb_scalar_input(pb, "p"), 0);
    assert_int_equal(dtb__pb_scalar_input(pb, "q"), 1);
    assert_int_equal(dtb__pb_vector_input(pb, "x"), 0);
    assert_int_equal(dtb__pb_scalar_input(pb, "p"), -1);
    assert_int_equal(dtb_last_error_code(), DTB_EINVAL);
    assert_error_contains("'p'");
    assert_int_equal(dtb__pb_vector_input(pb, "p"), -1);
    assert_int_equal(dtb__pb_scalar_input(pb, "x"), -1);
    assert_int_equal(dtb__pb_vector_input(pb, "y"), 1);   /* slots continue */
    dtb__expr *e = parse_ok("x + 1");
    assert_int_equal(dtb__pb_define(pb, "x", e, "DerivedVariable 'x'"), DTB_EINVAL);
    assert_string_equal(dtb_last_error_message(), "DerivedVariable 'x': 'x' is already defined");
    assert_int_equal(dtb__pb_define(pb, "d", e, "DerivedVariable 'd'"), DTB_OK);
    assert_int_equal(dtb__pb_define(pb, "d", e, "DerivedVariable 'd'"), DTB_EINVAL);
    assert_int_equal(dtb__pb_vector_input(pb, "d"), -1);
    dtb__expr_free(e);
    dtb__prog *p = finish_ok(pb);
    assert_int_equal(dtb__prog_n_scalar_inputs(p), 2);
    assert_int_equal(dtb__prog_n_vector_inputs(p), 2);
    assert_int_equal(dtb__prog_n_outputs(p), 0);
    dtb__prog_free(p);
}

/* Edge cases of evaluation: no elements, no scalar inputs (NULL scalars). */
static void test_eval_edges(void **state)
{
    (void)state;
    dtb__prog_builder *pb = dtb__pb_new();
    assert_int_equal(dtb__pb_vector_input(pb, "v"), 0);
    assert_int_equal(output_text(pb, "v * 2"), 0);
    assert_int_equal(output_text(pb, "4"), 1);
    dtb__prog *p = finish_ok(pb);
    double v[3] = {1, 2, 3}, o0[3] = {-1, -1, -1}, o1[3] = {-1, -1, -1};
    const double *vectors[1] = {v};
    double *outs[2] = {o0, o1};
    dtb__prog_env env = {NULL, vectors, outs, 0, NULL, NULL};
    dtb__prog_scratch *s = dtb__prog_scratch_new(p);
    assert_non_null(s);
    dtb__prog_eval(p, &env, s);
    assert_true(o0[0] == -1 && o1[0] == -1);
    env.n = 3;
    dtb__prog_eval(p, &env, s);
    assert_true(o0[2] == 6 && o1[2] == 4);
    dtb__prog_scratch_free(s);
    dtb__prog_free(p);
    /* An empty program is valid. */
    p = finish_ok(dtb__pb_new());
    s = dtb__prog_scratch_new(p);
    assert_non_null(s);
    env.n = 3;
    dtb__prog_eval(p, &env, s);
    dtb__prog_scratch_free(s);
    dtb__prog_free(p);
    dtb__prog_free(NULL);
    dtb__prog_scratch_free(NULL);
    dtb__pb_free(NULL);
    dtb__expr_free(NULL);
}

/* One program, two threads, each with its own scratch. */
typedef struct thread_job {
    const dtb__prog *p;
    const inputs *in;
    double out[N_MAX];
} thread_job;

static void *thread_run(void *arg)
{
    thread_job *job = arg;
    const double *vectors[3] = {job->in->vectors[0], job->in->vectors[1], job->in->vectors[2]};
    double *outs[1] = {job->out};
    dtb__prog_env env = {job->in->scalars, vectors, outs, N_MAX, NULL, NULL};
    dtb__prog_scratch *s = dtb__prog_scratch_new(job->p);
    if (!s)
        return NULL;
    for (int rep = 0; rep < 200; rep++)
        dtb__prog_eval(job->p, &env, s);
    dtb__prog_scratch_free(s);
    return job;
}

static void test_threads(void **state)
{
    (void)state;
    const char *text = "exp(-x^2 / p) * (y - z) + H(x - q) * sqrt(abs(z))";
    dtb__prog_builder *pb = builder_with_inputs();
    assert_int_equal(output_text(pb, text), 0);
    dtb__prog *p = finish_ok(pb);
    static inputs in1, in2;
    make_inputs(&in1, 21u, 2.0, 0.5);
    make_inputs(&in2, 22u, 3.0, -0.5);
    static thread_job jobs[2];
    jobs[0].p = jobs[1].p = p;
    jobs[0].in = &in1;
    jobs[1].in = &in2;
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, thread_run, &jobs[t]), 0);
    for (int t = 0; t < 2; t++) {
        void *result = NULL;
        assert_int_equal(pthread_join(threads[t], &result), 0);
        assert_ptr_equal(result, &jobs[t]);
    }
    dtb__expr *e = parse_ok(text);
    check_against_scalar(e, text, &in1, N_MAX, jobs[0].out);
    check_against_scalar(e, text, &in2, N_MAX, jobs[1].out);
    dtb__expr_free(e);
    dtb__prog_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_long_expressions),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_locale),
        cmocka_unit_test(test_ast_helpers),
        cmocka_unit_test(test_program_matches_tree),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_plain_outputs),
        cmocka_unit_test(test_defines),
        cmocka_unit_test(test_dead_defines),
        cmocka_unit_test(test_instruction_selection),
        cmocka_unit_test(test_register_reuse),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_unknown_symbols),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_eval_edges),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
