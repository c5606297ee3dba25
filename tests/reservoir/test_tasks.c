/* Reservoir tasks (reservoir/tasks.c): each generator's targets follow its
 * definition from its own inputs, it is seeded, and bad parameters are
 * refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "reservoir/reservoir.h"
#include "test_util.h"

static dtb__task_data make(const char *name, int64_t steps, int64_t delays, uint64_t seed)
{
    dtb__task_params p = {steps, 0, delays, seed, 10};
    dtb__task_data t;
    dtb_status st = dtb__task_make(name, &p, &t);
    if (st)
        fail_msg("%s: %s", name, dtb_last_error_message());
    return t;
}

static void memory_capacity_targets_are_the_delayed_input(void **state)
{
    (void)state;
    dtb__task_data t = make("memory-capacity", 1000, 30, 3);
    assert_int_equal(t.T, 1000);
    assert_int_equal(t.C, 1);
    assert_int_equal(t.Q, 30);
    assert_true(t.sum_r2);
    double mean = 0;
    for (size_t s = 0; s < t.T; s++) {
        assert_true(t.u[s] >= -1 && t.u[s] <= 1);
        mean += t.u[s];
        for (size_t k = 1; k <= 30; k++)
            if (s >= k)
                assert_true(t.y[s * 30 + k - 1] == t.u[s - k]);
        assert_int_equal(t.scored[s], s >= 200);
    }
    assert_true(fabs(mean / 1000) < 0.1);
    dtb__task_free(&t);
    /* default delays: twice the outputs */
    t = make("memory-capacity", 1000, 0, 3);
    assert_int_equal(t.Q, 20);
    dtb__task_free(&t);
}

static void narma10_follows_its_recurrence(void **state)
{
    (void)state;
    dtb__task_data t = make("narma10", 2000, 0, 9);
    for (size_t s = 10; s + 1 < t.T; s++) {
        double sum = 0;
        for (size_t i = 0; i < 10; i++)
            sum += t.y[s - i];
        double next = 0.3 * t.y[s] + 0.05 * t.y[s] * sum + 1.5 * t.u[s - 9] * t.u[s] + 0.1;
        assert_true(fabs(t.y[s + 1] - next) <= 1e-15 * fabs(next));
        assert_true(t.u[s] >= 0 && t.u[s] <= 0.5);
    }
    dtb__task_free(&t);
}

static void trials_ask_what_they_show(void **state)
{
    (void)state;
    /* decision: the class is the channel with more evidence on average */
    dtb__task_data t = make("decision", 4000, 0, 4);
    assert_int_equal(t.n_classes, 2);
    size_t right = 0, trials = 0, counts[2] = {0, 0};
    for (size_t k = 0; k < t.T / 20; k++) {
        double e0 = 0, e1 = 0;
        for (size_t i = 5; i < 15; i++) {
            e0 += t.u[(k * 20 + i) * 2];
            e1 += t.u[(k * 20 + i) * 2 + 1];
        }
        int cls = (int)t.y[k * 20 + 19];
        assert_true(cls == 0 || cls == 1);
        counts[cls]++;
        right += (e0 > e1) == (cls == 0);
        trials++;
        for (size_t i = 0; i < 15; i++)
            assert_true(t.y[k * 20 + i] == -1 && !t.scored[k * 20 + i]);
    }
    assert_true((double)right / (double)trials > 0.9);
    assert_true(counts[0] > trials / 3 && counts[1] > trials / 3);
    dtb__task_free(&t);
    /* go/no-go: go when the cue is on channel 0 */
    t = make("go-nogo", 2000, 0, 5);
    for (size_t k = 0; k < t.T / 20; k++)
        assert_true((int)t.y[k * 20 + 19] == (t.u[(k * 20 + 6) * 2] == 1.0));
    dtb__task_free(&t);
    /* delayed match-to-sample: match when sample and test share a channel */
    t = make("dms", 2500, 0, 6);
    for (size_t k = 0; k < t.T / 25; k++) {
        int sample = t.u[(k * 25 + 4) * 2 + 1] == 1.0, test = t.u[(k * 25 + 16) * 2 + 1] == 1.0;
        assert_true((int)t.y[k * 25 + 24] == (sample == test));
    }
    dtb__task_free(&t);
}

static void seeded(void **state)
{
    (void)state;
    static const char *const names[] = {"memory-capacity", "narma10", "decision", "go-nogo", "dms"};
    for (size_t i = 0; i < 5; i++) {
        dtb__task_data a = make(names[i], 1000, 0, 11), b = make(names[i], 1000, 0, 11);
        dtb__task_data c = make(names[i], 1000, 0, 12);
        assert_memory_equal(a.u, b.u, a.T * a.C * sizeof *a.u);
        assert_memory_equal(a.y, b.y, a.T * a.Q * sizeof *a.y);
        assert_memory_not_equal(a.u, c.u, a.T * a.C * sizeof *a.u);
        dtb__task_free(&a);
        dtb__task_free(&b);
        dtb__task_free(&c);
    }
}

static void refusals(void **state)
{
    (void)state;
    dtb__task_data t;
    dtb__task_params p = {100, 0, 0, 1, 10};
    assert_int_equal(dtb__task_make("narma10", &p, &t), DTB_EINVAL);
    assert_error_contains("at least 200");
    p.steps = 1000;
    p.delays = 600;
    assert_int_equal(dtb__task_make("memory-capacity", &p, &t), DTB_EINVAL);
    assert_error_contains("delays");
    p.delays = 0;
    assert_int_equal(dtb__task_make("poker", &p, &t), DTB_EINVAL);
    assert_error_contains("poker");
    p.steps = 200000000;
    assert_int_equal(dtb__task_make("narma10", &p, &t), DTB_EINVAL);
    p.steps = 0;
    p.washout = -1;
    assert_int_equal(dtb__task_make("narma10", &p, &t), DTB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_capacity_targets_are_the_delayed_input),
        cmocka_unit_test(narma10_follows_its_recurrence),
        cmocka_unit_test(trials_ask_what_they_show),
        cmocka_unit_test(seeded),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
