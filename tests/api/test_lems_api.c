/* dtb_lems.h: a LEMS file loaded, described and run through the public
 * API (the engine's semantics: tests/lems_run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#include "test_util.h"

static char core[4096];

static dtb_lems_document *load(const char *path)
{
    if (!core[0])
        snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    const char *dirs[1] = {core};
    dtb_lems_document *doc = NULL;
    dtb_status st = dtb_lems_document_load(&doc, path, dirs, 1);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    return doc;
}

static const char *spike_file(void)
{
    return DTB_TEST_DATA "/lems_ok/spike_events.xml";
}

/* Lines of a file, and the values of its first line (up to max). */
static size_t lines_of(const char *path, double *first, size_t max, size_t *n_first)
{
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    char *p = text, *end;
    *n_first = 0;
    while (*n_first < max && *p != '\n') {
        double v = strtod(p, &end);
        if (end == p)
            break;
        first[(*n_first)++] = v;
        p = end;
    }
    free(text);
    return lines;
}

static void test_run_writes_files(void **state)
{
    (void)state;
    dtb_lems_document *doc = load(spike_file());
    dtb_lems_simulation *sim;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, NULL), DTB_OK);
    dtb_lems_document_free(doc);   /* the simulation keeps it */
    assert_true(fabs(dtb_lems_simulation_dt(sim) - 2.5e-5) < 1e-18);
    assert_int_equal(dtb_lems_simulation_step_count(sim), 8000);
    assert_int_equal(dtb_lems_simulation_instance_count(sim) >= 2, 1);
    assert_int_equal(dtb_lems_simulation_output_count(sim), 2);
    assert_int_equal(dtb_lems_simulation_output_kind(sim, 0), DTB_LEMS_OUTPUT_FILE);
    assert_string_equal(dtb_lems_simulation_output_file(sim, 0), "v.dat");
    assert_int_equal(dtb_lems_simulation_output_column_count(sim, 0), 2);
    assert_int_equal(dtb_lems_simulation_output_kind(sim, 1), DTB_LEMS_OUTPUT_EVENTS);
    assert_string_equal(dtb_lems_simulation_output_file(sim, 1), "spikes.dat");
    assert_int_equal(dtb_lems_simulation_output_column_count(sim, 1), 0);
    assert_int_equal(dtb_lems_simulation_output_kind(sim, 2), 0);
    assert_null(dtb_lems_simulation_output_file(sim, -1));
    assert_int_equal(dtb_lems_simulation_output_column_count(sim, 2), -1);
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/lems/out", test_tmpdir());   /* made with its parent */
    assert_int_equal(dtb_lems_simulation_open_outputs(sim, dir), DTB_OK);
    assert_int_equal(dtb_lems_simulation_open_outputs(sim, dir), DTB_ESTATE);
    assert_int_equal(dtb_lems_simulation_run(sim, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_lems_simulation_row_count(sim), 8001);
    assert_int_equal(dtb_lems_simulation_run(sim, NULL, NULL), DTB_ESTATE);
    assert_error_contains("has run already");
    double first[4];
    size_t n;
    snprintf(path, sizeof path, "%s/v.dat", dir);
    assert_int_equal(lines_of(path, first, 4, &n), 8001);
    assert_int_equal(n, 3);                        /* t, v0, v1 in SI */
    assert_true(first[0] == 0 && fabs(first[1] + 0.060) < 1e-12);
    snprintf(path, sizeof path, "%s/spikes.dat", dir);
    size_t spikes = lines_of(path, first, 4, &n);
    assert_true(spikes >= 2);                      /* both cells fire */
    assert_int_equal(n, 2);                        /* "t id" */
    assert_true(first[0] > 0.01 && first[0] < 0.2 && (first[1] == 0 || first[1] == 1));
    dtb_lems_simulation_free(sim);
}

static int32_t stop_at_100(double t, double fraction, void *user_data)
{
    (void)t;
    assert_true(fraction >= 0 && fraction <= 1);
    return ++*(int *)user_data >= 100;
}

static void test_options_and_stop(void **state)
{
    (void)state;
    dtb_lems_document *doc = load(spike_file());
    dtb_lems_simulation_options o;
    assert_int_equal(dtb_lems_simulation_options_init(&o, DTB_LEMS_SIMULATION_OPTIONS_VERSION),
                     DTB_OK);
    o.simulation = "no_such_sim";
    dtb_lems_simulation *sim = (dtb_lems_simulation *)1;
    assert_int_not_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_OK);
    assert_null(sim);
    assert_error_contains("no_such_sim");
    o.simulation = "sim";
    o.flags = DTB_LEMS_SIMULATION_FLAG_SEED;
    o.seed = 42;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_OK);
    /* no outputs open: a run writes nothing; the callback stops it */
    int calls = 0;
    assert_int_equal(dtb_lems_simulation_run(sim, stop_at_100, &calls), DTB_ECANCELLED);
    assert_int_equal(calls, 100);
    assert_int_equal(dtb_lems_simulation_row_count(sim), 100);
    assert_int_equal(dtb_lems_simulation_open_outputs(sim, NULL), DTB_ESTATE);
    dtb_lems_simulation_free(sim);
    /* a stop requested before the run ends it at the first row */
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, NULL), DTB_OK);
    dtb_lems_simulation_request_stop(sim);
    assert_int_equal(dtb_lems_simulation_run(sim, NULL, NULL), DTB_ECANCELLED);
    assert_int_equal(dtb_lems_simulation_row_count(sim), 1);
    dtb_lems_simulation_free(sim);
    o.flags = 0x10;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_EINVAL);
    assert_error_contains("0x10");
    dtb_lems_document_free(doc);
}

static void test_describe(void **state)
{
    (void)state;
    dtb_lems_document *doc = load(spike_file());
    size_t needed = 0, all_needed = 0;
    assert_int_equal(dtb_lems_document_describe(doc, 0, NULL, 0, &needed), DTB_OK);
    assert_int_equal(dtb_lems_document_describe(doc, DTB_LEMS_DESCRIBE_ALL, NULL, 0, &all_needed),
                     DTB_OK);
    assert_true(all_needed > needed && needed > 1);
    char *text = malloc(needed);
    assert_non_null(text);
    assert_int_equal(dtb_lems_document_describe(doc, 0, text, needed - 1, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_lems_document_describe(doc, 0, text, needed, NULL), DTB_OK);
    assert_int_equal(strlen(text) + 1, needed);
    assert_non_null(strstr(text, "spike_events.xml: valid ("));
    assert_non_null(strstr(text, "izhikevich2007Cell extends baseCellMembPotCap"));
    assert_non_null(strstr(text, "Simulation sim (the Target)"));
    free(text);
    assert_int_equal(dtb_lems_document_describe(doc, 0x2, NULL, 0, &needed), DTB_EINVAL);
    assert_int_equal(dtb_lems_document_describe(NULL, 0, NULL, 0, &needed), DTB_EINVAL);
    assert_int_equal(needed, 0);
    dtb_lems_document_free(doc);
}

/* A file named outside the output folder is refused when the simulation is
 * made, before anything is written. */
static void test_outside_names(void **state)
{
    (void)state;
    char *xml = read_text_file(spike_file(), NULL);
    assert_non_null(xml);
    char *at = strstr(xml, "fileName=\"v.dat\"");
    assert_non_null(at);
    char path[4096];
    snprintf(path, sizeof path, "%s/outside.xml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%.*sfileName=\"../v.dat\"%s", (int)(at - xml), xml, at + strlen("fileName=\"v.dat\""));
    fclose(f);
    free(xml);
    dtb_lems_document *doc = load(path);
    dtb_lems_simulation *sim;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, NULL), DTB_EINVAL);
    assert_error_contains("OutputFile '../v.dat' names a file outside the output folder");
    dtb_lems_document_free(doc);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    dtb_lems_document *doc = (dtb_lems_document *)1;
    assert_int_equal(dtb_lems_document_load(&doc, DTB_TEST_DATA "/lems_bad/dimension_mismatch.xml",
                                            NULL, 0), DTB_EPARSE);
    assert_null(doc);
    assert_error_contains("dimension_mismatch.xml:10");
    assert_int_equal(dtb_lems_document_load(&doc, NULL, NULL, 0), DTB_EINVAL);
    assert_int_equal(dtb_lems_document_load(NULL, spike_file(), NULL, 0), DTB_EINVAL);
    assert_int_equal(dtb_lems_document_load(&doc, spike_file(), NULL, 1), DTB_EINVAL);
    assert_error_contains("include_dirs is NULL");
    const char *dirs[1] = {NULL};
    assert_int_equal(dtb_lems_document_load(&doc, spike_file(), dirs, 1), DTB_EINVAL);
    dtb_lems_simulation *sim;
    assert_int_equal(dtb_lems_simulation_create(&sim, NULL, NULL), DTB_EINVAL);
    assert_int_equal(dtb_lems_simulation_options_init(NULL, 1), DTB_EINVAL);
    dtb_lems_simulation_options o;
    assert_int_equal(dtb_lems_simulation_options_init(&o, 3), DTB_EINVAL);
    /* version 2: order, method and tolerances, each checked */
    assert_int_equal(dtb_lems_simulation_options_init(&o, 2), DTB_OK);
    doc = load(spike_file());
    o.order = 2;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_EINVAL);
    assert_error_contains("options.order");
    o.order = DTB_LEMS_ORDER_PYLEMS;
    o.method = DTB_LEMS_METHOD_RK8PD + 1;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_EINVAL);
    assert_error_contains("options.method");
    o.method = DTB_LEMS_METHOD_RKF45;
    o.rtol = -1;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_EINVAL);
    assert_error_contains("rtol");
    o.rtol = 0;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_OK);
    dtb_lems_simulation_free(sim);
    /* a version-1 caller's struct ends before the order: not read */
    o.version = 1;
    o.order = 99;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_OK);
    dtb_lems_simulation_free(sim);
    dtb_lems_document_free(doc);
    assert_true(isnan(dtb_lems_simulation_dt(NULL)));
    assert_int_equal(dtb_lems_simulation_step_count(NULL), -1);
    assert_int_equal(dtb_lems_simulation_instance_count(NULL), -1);
    assert_int_equal(dtb_lems_simulation_output_count(NULL), -1);
    assert_int_equal(dtb_lems_simulation_row_count(NULL), -1);
    assert_int_equal(dtb_lems_simulation_run(NULL, NULL, NULL), DTB_EINVAL);
    assert_int_equal(dtb_lems_simulation_open_outputs(NULL, NULL), DTB_EINVAL);
    dtb_lems_simulation_request_stop(NULL);
    dtb_lems_simulation_free(NULL);
    dtb_lems_document_free(NULL);
}

/* A file jLEMS and pylems run although it is sloppy: loaded, run, and a
 * warning naming the file, the line and the element. */
static void test_warnings(void **state)
{
    (void)state;
    dtb_lems_document *doc = load(DTB_TEST_DATA "/lems_ok/derived_state_alias.xml");
    size_t need = 0;
    assert_int_equal(dtb_lems_document_warnings(doc, NULL, 0, &need), DTB_OK);   /* the size */
    assert_true(need > 1);
    char *text = malloc(need), small[8];
    assert_non_null(text);
    assert_int_equal(dtb_lems_document_warnings(doc, small, sizeof small, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_lems_document_warnings(doc, text, need, NULL), DTB_OK);
    assert_non_null(strstr(text, "derived_state_alias.xml:16: <DerivedVariable name='S'>"));
    assert_non_null(strstr(text, "taken as the StateVariable"));
    assert_int_equal((int)(strchr(text, '\n') - text), (int)strlen(text) - 1);   /* one warning, one line */
    free(text);
    /* it runs as the state variable: S' = -S / 1 s */
    dtb_lems_simulation *sim;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, NULL), DTB_OK);
    assert_int_equal(dtb_lems_simulation_step_count(sim), 10);
    dtb_lems_simulation_free(sim);
    dtb_lems_document_free(doc);
    /* an attribute the type does not declare: jLEMS warns "Unused
     * attribute", pylems ignores it */
    doc = load(DTB_TEST_DATA "/lems_ok/unknown_attribute.xml");
    assert_int_equal(dtb_lems_document_warnings(doc, NULL, 0, &need), DTB_OK);
    text = malloc(need);
    assert_non_null(text);
    assert_int_equal(dtb_lems_document_warnings(doc, text, need, NULL), DTB_OK);
    assert_non_null(strstr(text, "unknown_attribute.xml:10: <A id='a'>: 'vO' is not a Parameter"));
    free(text);
    dtb_lems_document_free(doc);
    /* none: "" */
    doc = load(spike_file());
    char empty[4] = "x";
    assert_int_equal(dtb_lems_document_warnings(doc, empty, sizeof empty, &need), DTB_OK);
    assert_string_equal(empty, "");
    assert_int_equal(need, 1);
    assert_int_equal(dtb_lems_document_warnings(NULL, empty, sizeof empty, NULL), DTB_EINVAL);
    assert_int_equal(dtb_lems_document_warnings(doc, NULL, 4, NULL), DTB_EINVAL);
    dtb_lems_document_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_run_writes_files),
        cmocka_unit_test(test_options_and_stop),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_outside_names),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
