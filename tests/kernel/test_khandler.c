/* The kernel's rule for an instant of a Dynamics block (kernel/khandler.h):
 * which handlers fire where, the order of assignments, transitions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/khandler.h"

#define N 5

/* A test holds for the elements whose value is non-zero, in h's regime
 * only; with an index list the tests are compact. */
static void test_select(void **state)
{
    (void)state;
    size_t fired[N];
    dtb__khandler h = {.regime = -1, .transition = -1, .fired = fired};
    const double test[N] = {0, 1, 0, 2, -1};
    assert_int_equal(dtb__khandler_select(&h, test, NULL, N, NULL), 3);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 3);
    assert_int_equal(fired[2], 4);

    const double regime[N] = {0, 1, 1, 0, 1};
    h.regime = 1;
    assert_int_equal(dtb__khandler_select(&h, test, NULL, N, regime), 2);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 4);

    const size_t idx[3] = {4, 2, 0};
    const double compact[3] = {1, 1, 1};
    assert_int_equal(dtb__khandler_select(&h, compact, idx, 3, regime), 2);
    assert_int_equal(fired[0], 4);
    assert_int_equal(fired[1], 2);
    assert_int_equal(h.n_fired, 2);
}

/* Values computed before any assignment are applied handler by handler:
 * the later handler's assignment to the same state wins; compact and
 * full value arrays address the same elements; the change flag. */
static void test_assign_order_and_change(void **state)
{
    (void)state;
    double x[N] = {0, 0, 0, 0, 0}, y[N] = {9, 9, 9, 9, 9};
    double *states[2] = {x, y};
    size_t fa[N] = {1, 3}, fb[N] = {3};
    const size_t sa[2] = {0, 1}, sb[1] = {0};
    const double xa[N] = {0, 10, 0, 30, 0}, ya[N] = {0, 11, 0, 31, 0};
    const double *va[2] = {xa, ya};
    const double xb[1] = {-3};
    const double *vb[1] = {xb};
    dtb__khandler a = {-1, -1, 2, sa, fa, 2, va, 0};
    dtb__khandler b = {-1, -1, 1, sb, fb, 1, vb, 1};
    assert_int_equal(dtb__khandler_assign(&a, states), 1);
    assert_int_equal(dtb__khandler_assign(&b, states), 1);
    assert_true(x[1] == 10 && x[3] == -3 && x[0] == 0);
    assert_true(y[1] == 11 && y[3] == 31 && y[2] == 9);
    /* the same values again change nothing */
    assert_int_equal(dtb__khandler_assign(&b, states), 0);
}

/* An element moves with the first handler that fires for it and has a
 * transition; OnEntry takes the moved elements in its regime; unmarking
 * leaves every mark clear for the next instant. */
static void test_first_transition_and_entry(void **state)
{
    (void)state;
    double regime[N] = {0, 0, 0, 0, 0};
    unsigned char entered[N] = {0};
    size_t moved[N], n_moved = 0;
    size_t f1[N] = {1, 2}, f2[N] = {2, 3}, f3[N] = {0};
    dtb__khandler none = {.regime = -1, .transition = -1, .fired = f3, .n_fired = 1};
    dtb__khandler to1 = {.regime = -1, .transition = 1, .fired = f1, .n_fired = 2};
    dtb__khandler to2 = {.regime = -1, .transition = 2, .fired = f2, .n_fired = 2};
    dtb__khandler_move(&none, regime, entered, moved, &n_moved);
    dtb__khandler_move(&to1, regime, entered, moved, &n_moved);
    dtb__khandler_move(&to2, regime, entered, moved, &n_moved);
    assert_int_equal(n_moved, 3);
    assert_true(regime[0] == 0 && regime[1] == 1 && regime[2] == 1 && regime[3] == 2);
    assert_int_equal(moved[0], 1);
    assert_int_equal(moved[1], 2);
    assert_int_equal(moved[2], 3);

    size_t fe[N];
    dtb__khandler entry = {.regime = 1, .transition = -1, .fired = fe};
    assert_int_equal(dtb__khandler_select_entered(&entry, moved, n_moved, regime), 2);
    assert_int_equal(fe[0], 1);
    assert_int_equal(fe[1], 2);

    dtb__khandler_unmark(entered, moved, n_moved);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(entered[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_assign_order_and_change),
        cmocka_unit_test(test_first_transition_and_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
