/* The kernel layer: input tables, layouts, bindings, subsets, errors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dtb/dtb_error.h"
#include "kernel/kernel.h"

static dtb__expr *parse(const char *text)
{
    dtb__expr *e = NULL;
    assert_int_equal(dtb__expr_parse(text, &e), DTB_OK);
    return e;
}

/* y = a * x + c + t over 4 elements; a shared or per element. */
typedef struct fixture {
    dtb__ktable t;
    long ia, ix, ic;
    double x[4], a[4];
} fixture;

static void make_table(fixture *f, int a_per_element)
{
    dtb__ktable_init(&f->t);
    assert_true(dtb__ktable_add(&f->t, "t", DTB__K_TIME, 1) >= 0);   /* time is shared whatever is asked */
    f->ia = dtb__ktable_add(&f->t, "a", DTB__K_PARAM, a_per_element);
    f->ix = dtb__ktable_add_array(&f->t, "x", DTB__K_STATE, f->x);
    f->ic = dtb__ktable_add_value(&f->t, "c", DTB__K_CONST, 0.5);
    assert_true(f->ia >= 0 && f->ix >= 0 && f->ic >= 0);
    for (int i = 0; i < 4; i++) {
        f->x[i] = i + 1.0;
        f->a[i] = 10.0 * (i + 1);
    }
}

static dtb_status compile_y(fixture *f, dtb__kprog *kp, const char *text)
{
    dtb__expr *e = parse(text);
    const char *what = "y";
    dtb_status st = dtb__kprog_compile(kp, &f->t, (const dtb__expr *const *)&e, &what, 1);
    dtb__expr_free(e);
    return st;
}

static void test_layout_follows_role(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 0);
    assert_false(f.t.in[0].per_element);              /* time */
    assert_false(f.t.in[f.ia].per_element);           /* shared parameter */
    assert_true(f.t.in[f.ix].per_element);            /* state */
    assert_false(f.t.in[f.ic].per_element);           /* constant */
    assert_int_equal(dtb__ktable_find(&f.t, "x"), f.ix);
    assert_int_equal(dtb__ktable_find(&f.t, "nope"), -1);
    dtb__ktable_free(&f.t);
    make_table(&f, 1);
    assert_true(f.t.in[f.ia].per_element);
    dtb__ktable_free(&f.t);
}

static void test_shared_parameter(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 0);
    f.t.in[f.ia].value = 3.0;
    dtb__kprog kp;
    assert_int_equal(compile_y(&f, &kp, "a * x + c + t"), DTB_OK);
    assert_int_equal(kp.n_outputs, 1);
    assert_int_equal(kp.n_vectors, 1);
    assert_int_equal(kp.n_scalars, 3);
    double y[4];
    kp.outputs[0] = y;
    dtb__kprog_eval(&kp, 2.0, 4, NULL, NULL);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == 3.0 * (i + 1) + 0.5 + 2.0);
    /* a new value without recompiling */
    dtb__kprog_set(&kp, (size_t)f.ia, -1.0);
    dtb__kprog_eval(&kp, 0.0, 4, NULL, NULL);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == -(i + 1) + 0.5);
    dtb__kprog_free(&kp);
    dtb__ktable_free(&f.t);
}

static void test_per_element_parameter_and_rebinding(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 1);
    f.t.in[f.ia].values = f.a;
    dtb__kprog kp;
    assert_int_equal(compile_y(&f, &kp, "a * x"), DTB_OK);
    assert_int_equal(kp.n_vectors, 2);
    double y[4], x2[4] = {2, 2, 2, 2};
    kp.outputs[0] = y;
    dtb__kprog_eval(&kp, 0.0, 4, NULL, NULL);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == f.a[i] * f.x[i]);
    dtb__kprog_bind(&kp, (size_t)f.ix, x2);
    dtb__kprog_eval(&kp, 0.0, 4, NULL, NULL);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == 2.0 * f.a[i]);
    dtb__kprog_free(&kp);
    dtb__ktable_free(&f.t);
}

static void test_bind_rows(void **state)
{
    (void)state;
    dtb__ktable t;
    dtb__ktable_init(&t);
    assert_int_equal(dtb__ktable_add(&t, "u", DTB__K_STATE, 1), 0);
    assert_int_equal(dtb__ktable_add(&t, "v", DTB__K_STATE, 1), 1);
    dtb__kprog kp;
    dtb__expr *e = parse("u - 2 * v");
    const char *what = "y";
    assert_int_equal(dtb__kprog_compile(&kp, &t, (const dtb__expr *const *)&e, &what, 1), DTB_OK);
    dtb__expr_free(e);
    double xs[6] = {1, 2, 3, 10, 20, 30}, y[3];
    dtb__kprog_bind_rows(&kp, 0, 2, xs, 3);
    kp.outputs[0] = y;
    dtb__kprog_eval(&kp, 0.0, 3, NULL, NULL);
    assert_true(y[0] == -19.0 && y[1] == -38.0 && y[2] == -57.0);
    dtb__kprog_free(&kp);
    dtb__ktable_free(&t);
}

static void test_subset(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 1);
    f.t.in[f.ia].values = f.a;
    dtb__kprog kp;
    assert_int_equal(compile_y(&f, &kp, "a * x + t"), DTB_OK);
    dtb__kcompact compact = {0};
    size_t idx[2] = {3, 1};
    double y[2];
    double *out[1] = {y};
    assert_int_equal(dtb__kprog_eval_subset(&kp, 1.0, idx, 2, out, &compact, NULL, NULL), DTB_OK);
    assert_true(y[0] == f.a[3] * f.x[3] + 1.0);
    assert_true(y[1] == f.a[1] * f.x[1] + 1.0);
    dtb__kcompact_free(&compact);
    dtb__kprog_free(&kp);
    dtb__ktable_free(&f.t);
}

static void test_skip_and_define(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 0);
    f.t.in[f.ia].value = 2.0;
    /* "x" is skipped: the program defines it itself */
    unsigned char skip[4] = {0};
    skip[f.ix] = 1;
    dtb__kprog kp;
    dtb__prog_builder *pb = dtb__kprog_begin(&kp, &f.t, skip);
    assert_non_null(pb);
    dtb__expr *def = parse("a + c");
    assert_int_equal(dtb__pb_define(pb, "x", def, "x"), DTB_OK);
    dtb__expr_free(def);
    assert_true(dtb__pb_output_name(pb, "x", "x") >= 0);
    assert_int_equal(dtb__kprog_finish(&kp, &f.t, pb), DTB_OK);
    assert_int_equal(kp.slot[f.ix], -1);
    dtb__kprog_bind(&kp, (size_t)f.ix, f.x);          /* a skipped entry: nothing happens */
    double y[4];
    kp.outputs[0] = y;
    dtb__kprog_eval(&kp, 0.0, 4, NULL, NULL);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == 2.5);
    dtb__kprog_free(&kp);
    dtb__ktable_free(&f.t);
}

static void test_errors_name_what(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 0);
    dtb__kprog kp;
    /* an unknown symbol names itself and the output */
    assert_int_equal(compile_y(&f, &kp, "a * z"), DTB_ENOTFOUND);
    assert_non_null(strstr(dtb_last_error_message(), "z"));
    assert_null(kp.prog);
    /* a duplicate input names itself */
    assert_true(dtb__ktable_add(&f.t, "a", DTB__K_STATE, 1) >= 0);
    assert_null(dtb__kprog_begin(&kp, &f.t, NULL));
    assert_non_null(strstr(dtb_last_error_message(), "'a'"));
    assert_null(kp.slot);
    dtb__ktable_free(&f.t);
}

static void test_move(void **state)
{
    (void)state;
    fixture f;
    make_table(&f, 0);
    dtb__kprog a, b;
    assert_int_equal(compile_y(&f, &a, "x"), DTB_OK);
    assert_int_equal(compile_y(&f, &b, "c"), DTB_OK);
    dtb__kprog_move(&a, &b);          /* a's old program is freed (ASan/valgrind check) */
    assert_null(b.prog);
    double y[4];
    a.outputs[0] = y;
    dtb__kprog_eval(&a, 0.0, 4, NULL, NULL);
    assert_true(y[0] == 0.5 && y[3] == 0.5);
    dtb__kprog_free(&a);
    dtb__kprog_free(&b);                  /* freeing a moved-from program is harmless */
    dtb__ktable_free(&f.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_follows_role),
        cmocka_unit_test(test_shared_parameter),
        cmocka_unit_test(test_per_element_parameter_and_rebinding),
        cmocka_unit_test(test_bind_rows),
        cmocka_unit_test(test_subset),
        cmocka_unit_test(test_skip_and_define),
        cmocka_unit_test(test_errors_name_what),
        cmocka_unit_test(test_move),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
