/* The checkpoint walker (base/ckpt.h) on a small component: what SAVE
 * writes, byte for byte; a round trip; CHECK changing nothing; a file cut
 * at every byte refused in CHECK and RESTORE, naming the field it ends in;
 * a fingerprint that differs named with both values; damaged values; a
 * count the file cannot hold refused before anything is allocated; NULL
 * destinations; staged copies; a failed walk writing nothing more. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "base/base.h"
#include "base/ckpt.h"
#include "dtb/dtb.h"

/* The component: a fingerprint (cells), a step, a fixed array, a flag, a
 * variable number of items it must make room for at the check, a name it
 * stages. */
typedef struct toy {
    uint64_t cells;
    int64_t step;
    double x[3];
    int flag;
    double *items;
    size_t n_items, cap_items;
    char *name;
} toy;

static void toy_fields(dtb__ckpt *w, toy *t, char **staged_name)
{
    const size_t scope = dtb__ckpt_enter(w, "toy: ");
    dtb__ckpt_fixed(w, "number of cells", t->cells);
    dtb__ckpt_i64(w, "step", &t->step);
    dtb__ckpt_f64s(w, "state", t->x, 3);
    DTB__CKPT_INT(w, "flag", t->flag, 1);
    const uint64_t n = dtb__ckpt_count(w, "items", t->n_items, 8);
    if (dtb__ckpt_checking(w) && n > t->cap_items) {
        double *grown = realloc(t->items, n * sizeof *grown);
        if (!grown)
            dtb__ckpt_fail(w, DTB_ENOMEM);
        else {
            t->items = grown;
            t->cap_items = n;
        }
    }
    dtb__ckpt_f64s(w, "items", t->items, n);
    if (dtb__ckpt_restoring(w))
        t->n_items = n;
    dtb__ckpt_stage_str(w, "name", staged_name, t->name);
    dtb__ckpt_leave(w, scope);
}

static toy make(uint64_t cells, double base, size_t n_items)
{
    toy t = {cells, (int64_t)(base * 10), {base, base + 0.5, -base}, 1, NULL, n_items, n_items, NULL};
    t.items = malloc((n_items ? n_items : 1) * sizeof *t.items);
    for (size_t i = 0; i < n_items; i++)
        t.items[i] = base * (double)i;
    t.name = dtb__strdup(base > 1 ? "excitatory" : "inh");
    return t;
}

static void toy_free(toy *t)
{
    free(t->items);
    free(t->name);
}

/* Everything one can see of a toy, to compare. */
static void assert_same_toy(const toy *a, const toy *b)
{
    assert_int_equal(a->cells, b->cells);
    assert_int_equal(a->step, b->step);
    assert_memory_equal(a->x, b->x, sizeof a->x);
    assert_int_equal(a->flag, b->flag);
    assert_int_equal(a->n_items, b->n_items);
    assert_memory_equal(a->items, b->items, a->n_items * sizeof *a->items);
}

static toy copy_of(const toy *t)
{
    toy c = *t;
    c.items = malloc((t->cap_items ? t->cap_items : 1) * sizeof *c.items);
    memcpy(c.items, t->items, t->cap_items * sizeof *c.items);
    c.name = dtb__strdup(t->name);
    return c;
}

/* The bytes of a toy's save (malloc'd). */
static unsigned char *saved(toy *t, size_t *len)
{
    dtb__ckpt w;
    dtb__ckpt_save_begin(&w);
    toy_fields(&w, t, NULL);
    assert_int_equal(w.status, DTB_OK);
    unsigned char *data = malloc(w.len);
    memcpy(data, w.data, w.len);
    *len = w.len;
    dtb__ckpt_free(&w);
    return data;
}

static dtb_status walk(dtb__ckpt *w, dtb__ckpt_mode mode, const unsigned char *data, size_t len,
                       toy *t, char **staged)
{
    dtb__ckpt_read_begin(w, mode, data, len, 0);
    toy_fields(w, t, staged);
    assert_true(w->status != DTB_OK || w->pos == len);   /* a good walk reads it all */
    return w->status;
}

static uint64_t word_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void test_layout(void **state)
{
    (void)state;
    toy t = make(3, 2.0, 2);
    size_t len;
    unsigned char *data = saved(&t, &len);
    /* cells, step, 3 doubles, flag, count, 2 items, name length + bytes */
    assert_int_equal(len, 8 * 10 + strlen("excitatory"));
    assert_int_equal(word_at(data), 3);
    assert_int_equal(word_at(data + 8), 20);
    double d;
    uint64_t u = word_at(data + 16);
    memcpy(&d, &u, 8);
    assert_true(d == 2.0);
    assert_int_equal(data[16 + 7], 0x40);   /* 2.0 = 0x4000000000000000, little-endian */
    assert_int_equal(word_at(data + 40), 1);
    assert_int_equal(word_at(data + 48), 2);
    assert_int_equal(word_at(data + 72), strlen("excitatory"));
    assert_memory_equal(data + 80, "excitatory", strlen("excitatory"));
    free(data);
    toy_free(&t);
}

static void test_round_trip_and_check_changes_nothing(void **state)
{
    (void)state;
    toy a = make(100, 2.0, 5), b = make(100, 0.25, 2);
    size_t len;
    unsigned char *data = saved(&a, &len);
    b.cap_items = 8;   /* room enough: the check needs to make none */
    b.items = realloc(b.items, 8 * sizeof *b.items);
    for (size_t i = b.n_items; i < 8; i++)
        b.items[i] = -1.0;
    toy before = copy_of(&b);
    dtb__ckpt w;
    char *name = NULL;
    assert_int_equal(walk(&w, DTB__CKPT_CHECK, data, len, &b, &name), DTB_OK);
    assert_same_toy(&before, &b);
    assert_memory_equal(b.items, before.items, 8 * sizeof *b.items);
    assert_string_equal(b.name, "inh");
    assert_string_equal(name, "excitatory");   /* staged at the check */
    assert_int_equal(walk(&w, DTB__CKPT_RESTORE, data, len, &b, &name), DTB_OK);
    assert_same_toy(&a, &b);
    assert_string_equal(name, "excitatory");
    free(name);
    free(data);
    toy_free(&a);
    toy_free(&b);
    toy_free(&before);
}

/* CHECK makes the room RESTORE needs: it may grow, never change values. */
static void test_check_makes_room(void **state)
{
    (void)state;
    toy a = make(100, 2.0, 40), b = make(100, 0.25, 1);
    size_t len;
    unsigned char *data = saved(&a, &len);
    toy before = copy_of(&b);
    dtb__ckpt w;
    assert_int_equal(walk(&w, DTB__CKPT_CHECK, data, len, &b, NULL), DTB_OK);
    assert_int_equal(b.cap_items, 40);
    assert_same_toy(&before, &b);
    assert_int_equal(walk(&w, DTB__CKPT_RESTORE, data, len, &b, NULL), DTB_OK);
    assert_same_toy(&a, &b);
    free(data);
    toy_free(&a);
    toy_free(&b);
    toy_free(&before);
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    toy a = make(100, 2.0, 3);
    size_t len;
    unsigned char *data = saved(&a, &len);
    static const char *const fields[] = {"number of cells", "step", "state", "flag", "items", "name"};
    for (size_t cut = 0; cut < len; cut++) {
        /* a copy of exactly `cut` bytes: a read past it is an ASan error */
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, data, cut);
        for (int m = 0; m < 2; m++) {
            toy b = make(100, 0.25, 3);
            toy before = copy_of(&b);
            char *name = NULL;
            dtb__ckpt w;
            dtb_status st = walk(&w, m ? DTB__CKPT_RESTORE : DTB__CKPT_CHECK, part, cut, &b, &name);
            assert_int_equal(st, DTB_EPARSE);
            assert_non_null(strstr(w.why, "the file ends there"));
            assert_true(strncmp(w.why, "toy: ", 5) == 0);
            int named = 0;
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
                named |= strncmp(w.why + 5, fields[f], strlen(fields[f])) == 0;
            assert_true(named);
            assert_error_contains("checkpoint: toy: ");
            if (!m)
                assert_same_toy(&before, &b);   /* a short file changes nothing at the check */
            assert_null(name);                  /* nothing staged from a short file */
            toy_free(&b);
            toy_free(&before);
        }
        free(part);
    }
    free(data);
    toy_free(&a);
}

static void test_differs_named(void **state)
{
    (void)state;
    toy a = make(100, 2.0, 1), b = make(200, 0.25, 1);
    size_t len;
    unsigned char *data = saved(&a, &len);
    toy before = copy_of(&b);
    dtb__ckpt w;
    assert_int_equal(walk(&w, DTB__CKPT_CHECK, data, len, &b, NULL), DTB_EINVAL);
    assert_string_equal(w.why, "toy: number of cells differs (file 100, simulation 200)");
    assert_string_equal(dtb_last_error_message(),
                        "checkpoint: toy: number of cells differs (file 100, simulation 200)");
    assert_same_toy(&before, &b);
    /* strings too, with the file's value */
    dtb__ckpt s;
    dtb__ckpt_save_begin(&s);
    dtb__ckpt_fixed_str(&s, "population", "E");
    dtb__ckpt_read_begin(&w, DTB__CKPT_CHECK, s.data, s.len, 0);
    assert_int_equal(dtb__ckpt_fixed_str(&w, "population", "I"), 0);
    assert_string_equal(w.why, "population differs (file 'E', simulation 'I')");
    dtb__ckpt_read_begin(&w, DTB__CKPT_CHECK, s.data, s.len, 0);
    assert_false(dtb__ckpt_same_str(&w, "population", "EE"));   /* no failure: the caller says */
    assert_int_equal(w.status, DTB_OK);
    /* a message of the caller's own */
    dtb__ckpt_differs(&w, "it has %d regions, this simulation %d", 76, 246);
    assert_int_equal(w.status, DTB_EINVAL);
    assert_string_equal(w.why, "it has 76 regions, this simulation 246");
    dtb__ckpt_damaged(&w, "later");   /* the first failure counts */
    assert_string_equal(w.why, "it has 76 regions, this simulation 246");
    dtb__ckpt_free(&s);
    free(data);
    toy_free(&a);
    toy_free(&b);
    toy_free(&before);
}

static void test_damaged_values(void **state)
{
    (void)state;
    toy a = make(100, 2.0, 1);
    size_t len;
    unsigned char *data = saved(&a, &len);
    data[40] = 7;   /* the flag, at most 1 */
    toy b = make(100, 0.25, 1);
    dtb__ckpt w;
    assert_int_equal(walk(&w, DTB__CKPT_CHECK, data, len, &b, NULL), DTB_EPARSE);
    assert_string_equal(w.why, "toy: flag is out of range (7, at most 1)");
    assert_int_equal(b.flag, 1);
    data[40] = 1;
    /* a count no file this long can hold: refused before the room is made */
    data[48 + 5] = 1;   /* 2^40 items */
    assert_int_equal(walk(&w, DTB__CKPT_CHECK, data, len, &b, NULL), DTB_EPARSE);
    assert_string_equal(w.why, "toy: items: the file ends there");
    assert_int_equal(b.cap_items, 1);
    free(data);
    toy_free(&a);
    toy_free(&b);
}

/* NULL destinations read past (what a caller keeps of its own); staged
 * arrays are copied at the check only. */
static void test_null_and_staged(void **state)
{
    (void)state;
    double x[4] = {1, 2, 3, 4}, y[4] = {0};
    dtb__ckpt s, w;
    dtb__ckpt_save_begin(&s);
    dtb__ckpt_f64s(&s, "kept", x, 4);
    dtb__ckpt_stage_f64s(&s, "staged", NULL, x, 4);
    dtb__ckpt_f64s(&s, "taken", x, 4);
    assert_int_equal(s.len, 96);
    double *copy = NULL;
    dtb__ckpt_read_begin(&w, DTB__CKPT_CHECK, s.data, s.len, 0);
    dtb__ckpt_f64s(&w, "kept", NULL, 4);
    dtb__ckpt_stage_f64s(&w, "staged", &copy, NULL, 4);
    dtb__ckpt_f64s(&w, "taken", y, 4);
    assert_int_equal(w.status, DTB_OK);
    assert_non_null(copy);
    assert_memory_equal(copy, x, sizeof x);
    assert_true(y[0] == 0 && y[3] == 0);   /* CHECK stores nothing */
    double *again = copy;
    dtb__ckpt_read_begin(&w, DTB__CKPT_RESTORE, s.data, s.len, 0);
    dtb__ckpt_f64s(&w, "kept", NULL, 4);
    dtb__ckpt_stage_f64s(&w, "staged", &copy, NULL, 4);
    dtb__ckpt_f64s(&w, "taken", y, 4);
    assert_int_equal(w.status, DTB_OK);
    assert_ptr_equal(copy, again);         /* not copied again */
    assert_memory_equal(y, x, sizeof x);
    assert_int_equal(w.pos, w.len);
    free(copy);
    dtb__ckpt_free(&s);
}

/* After a failure a save writes nothing more, and every call returns 0. */
static void test_failed_save_stops(void **state)
{
    (void)state;
    toy t = make(100, 2.0, 3);
    dtb__ckpt w;
    dtb__ckpt_save_begin(&w);
    dtb__ckpt_i64(&w, "first", &t.step);
    dtb__ckpt_fail(&w, DTB_ENOMEM);
    size_t len = w.len;
    toy_fields(&w, &t, NULL);
    assert_int_equal(w.len, len);
    assert_int_equal(w.status, DTB_ENOMEM);
    assert_int_equal(dtb__ckpt_take(&w, "x", 5, 10), 0);
    assert_int_equal(dtb__ckpt_count(&w, "x", 5, 8), 0);
    dtb__ckpt_free(&w);
    toy_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_round_trip_and_check_changes_nothing),
        cmocka_unit_test(test_check_makes_room),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_differs_named),
        cmocka_unit_test(test_damaged_values),
        cmocka_unit_test(test_null_and_staged),
        cmocka_unit_test(test_failed_save_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
