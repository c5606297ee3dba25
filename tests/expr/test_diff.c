/* Symbolic derivatives (expr/diff.c): every operator and function against
 * central differences of the same expression, simplification, and what has
 * no derivative.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "dtb/dtb_error.h"
#include "expr/expr.h"

/* d/dx: x -> 1, everything else 0 */
static dtb__expr *dsym_x(const char *name, void *ud)
{
    (void)ud;
    return dtb__expr_num(strcmp(name, "x") == 0 ? 1.0 : 0.0);
}

typedef struct point {
    double x, y;
} point;

static int lookup(const char *name, double *v, void *ud)
{
    const point *p = ud;
    if (strcmp(name, "x") == 0)
        *v = p->x;
    else if (strcmp(name, "y") == 0)
        *v = p->y;
    else
        return 0;
    return 1;
}

static double value(const dtb__expr *e, double x, double y)
{
    point p = {x, y};
    double v = NAN;
    assert_int_equal(dtb__expr_eval_scalar(e, lookup, &p, &v), DTB_OK);
    return v;
}

static void check(const char *text, double x, double y)
{
    dtb__expr *e = NULL, *d;
    assert_int_equal(dtb__expr_parse(text, &e), DTB_OK);
    d = dtb__expr_diff(e, dsym_x, NULL);
    assert_non_null(d);
    double h = 1e-4 * nan_max(fabs(x), 1.0);
    double d1 = (value(e, x + h, y) - value(e, x - h, y)) / (2 * h);
    double d2 = (value(e, x + h / 2, y) - value(e, x - h / 2, y)) / h;
    double fd = (4 * d2 - d1) / 3, sym = value(d, x, y);
    if (fabs(fd - sym) > 1e-8 * nan_max(fabs(fd), 1.0))
        fail_msg("d/dx %s at x = %g: symbolic %.15g, differences %.15g", text, x, sym, fd);
    dtb__expr_free(e);
    dtb__expr_free(d);
}

static void test_rules(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "x", "3 * x + y", "x * y - y / x", "-x^2", "x^3", "x^-2", "x^0.5", "x^y", "y^x",
        "2^(x*y)", "exp(2*x)", "log(x)", "ln(x*y)", "sqrt(x + 1)", "sin(x*y)", "cos(x)",
        "tan(x)", "sinh(x)", "cosh(x)", "tanh(3*x - 1)", "abs(x - 0.3)", "abs(0.3 - x)",
        "x / (1 + exp(-x))", "(x .gt. 0.2) * x^2", "H(x - 0.1) * x", "floor(y) * x",
        "1 / (1 + (x/y)^4)",
    };
    const double xs[] = {0.7, 1.3, 2.1};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (size_t i = 0; i < 3; i++)
            check(cases[k], xs[i], 1.7);
}

static void test_select(void **state)
{
    (void)state;
    dtb__expr *s = dtb__expr_select(dtb__expr_binary(DTB__EX_GT, dtb__expr_sym("x"), dtb__expr_num(1.0)),
                                    dtb__expr_binary(DTB__EX_MUL, dtb__expr_sym("x"), dtb__expr_sym("x")),
                                    dtb__expr_binary(DTB__EX_MUL, dtb__expr_num(5.0), dtb__expr_sym("x")));
    dtb__expr *d = dtb__expr_diff(s, dsym_x, NULL);
    assert_non_null(d);
    assert_true(value(d, 2.0, 0.0) == 4.0);
    assert_true(value(d, 0.5, 0.0) == 5.0);
    dtb__expr_free(s);
    dtb__expr_free(d);
}

static char *rendered(const char *text)
{
    dtb__expr *e = NULL;
    assert_int_equal(dtb__expr_parse(text, &e), DTB_OK);
    dtb__expr *d = dtb__expr_diff(e, dsym_x, NULL);
    assert_non_null(d);
    char *s = dtb__expr_to_text(d);
    dtb__expr_free(e);
    dtb__expr_free(d);
    return s;
}

static void test_simplified(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"3 * y + 2", "0"},      /* no x: the number 0, not a tree of zeros */
        {"x^2", "2 * x"},
        {"y * x", "y"},
        {"x + x", "2"},
        {"exp(y) * x", "exp(y)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *s = rendered(cases[k].in);
        if (strcmp(s, cases[k].out) != 0)
            fail_msg("d/dx %s: '%s', expected '%s'", cases[k].in, s, cases[k].out);
        free(s);
    }
}

static void test_no_derivative(void **state)
{
    (void)state;
    const char *cases[] = {"x * random(1)", "factorial(x)"};
    for (size_t k = 0; k < 2; k++) {
        dtb__expr *e = NULL;
        assert_int_equal(dtb__expr_parse(cases[k], &e), DTB_OK);
        assert_null(dtb__expr_diff(e, dsym_x, NULL));
        assert_int_equal(dtb_last_error_code(), DTB_EUNSUPPORTED);
        assert_non_null(strstr(dtb_last_error_message(), k ? "factorial" : "random"));
        dtb__expr_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_simplified),
        cmocka_unit_test(test_no_derivative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
