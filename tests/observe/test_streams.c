/* Matrix observers fed while the simulation runs, against the array API on
 * the same samples recorded alongside: FC (and a direct Pearson
 * computation), PSD (and the peak and power of a pure sinusoid), FCD; their
 * files; and spikes and rates from threshold crossings of known sinusoids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe_util.h"
#include "test_util.h"

#define PI 3.14159265358979323846

static const double F4[] = {10, 7, 10, 3}, BASE4[] = {1, 2, 0.5, -1}, AMP4[] = {0.5, 1, 0.3, 2};
static const double PH4[] = {0, 1, 0.5, 2};

static dtb_observer *matrix_observer(dtb_sim *sim, dtb_observer_kind kind, dtb_sink_kind sink,
                                     const char *path, double window, double step)
{
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = kind;
    o.source = DTB_OBSERVER_TAVG;
    o.period = 2e-3;
    o.sink = sink;
    o.path = path;
    o.window = window;
    o.window_step = step;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    return obs;
}

static void test_fc_observer(void **state)
{
    (void)state;
    dtb_atlas *atlas = isolated_atlas(4);
    dtb_sim *sim = driven_sim(atlas, 1e-4, F4, BASE4, AMP4, PH4);
    dtb_observer *tavg = memory_observer(sim, DTB_OBSERVER_TAVG, 2e-3);
    dtb_observer *fc = matrix_observer(sim, DTB_OBSERVER_FC, DTB_SINK_MEMORY, NULL, 0, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/fc.csv", test_tmpdir());
    dtb_observer *fcfile = matrix_observer(sim, DTB_OBSERVER_FC, DTB_SINK_CSV, path, 0, 0);
    dtb_observer_options so = DTB_OBSERVER_OPTIONS_INIT;
    so.kind = DTB_OBSERVER_FC;
    so.period = 2e-3;
    so.skip = 0.3;
    dtb_observer *skipped;
    assert_int_equal(dtb_observer_create(&skipped, sim, &so), DTB_OK);
    assert_string_equal(dtb_observer_kind_name(fc), "fc");
    assert_int_equal(dtb_sim_run(sim, 1.3, NULL, NULL), DTB_OK);
    double *t, *x;
    size_t n = read_all(tavg, &t, &x);
    assert_int_equal(n, 650);
    assert_int_equal(dtb_observer_sample_count(fc), 650);
    int64_t rows, cols;
    assert_int_equal(dtb_observer_result(fc, NULL, 0, &rows, &cols), DTB_OK);
    assert_int_equal(rows, 4);
    assert_int_equal(cols, 4);
    double got[16], ref[16], small[3];
    assert_int_equal(dtb_observer_result(fc, small, 3, NULL, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_observer_result(fc, got, 16, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_analysis_fc(ref, x, n, 4), DTB_OK);
    /* Directly: Pearson of regions 0 and 2 (both 10 Hz, phases 0 and 0.5). */
    double m0 = 0, m2 = 0, s02 = 0, s00 = 0, s22 = 0;
    for (size_t s = 0; s < n; s++) {
        m0 += x[s * 4] / (double)n;
        m2 += x[s * 4 + 2] / (double)n;
    }
    for (size_t s = 0; s < n; s++) {
        double a = x[s * 4] - m0, b = x[s * 4 + 2] - m2;
        s02 += a * b;
        s00 += a * a;
        s22 += b * b;
    }
    assert_float_equal(got[2], s02 / sqrt(s00 * s22), 1e-10);
    for (int k = 0; k < 16; k++)
        assert_float_equal(got[k], ref[k], 1e-10);
    assert_true(got[2] > 0.8);
    /* skip: only the samples from 0.3 s on (TAVG times are window centres). */
    size_t first = 0;
    while (t[first] < 0.3)
        first++;
    assert_int_equal(dtb_observer_sample_count(skipped), (int64_t)(n - first));
    assert_int_equal(dtb_observer_result(skipped, got, 16, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_analysis_fc(ref, x + first * 4, n - first, 4), DTB_OK);
    for (int k = 0; k < 16; k++)
        assert_float_equal(got[k], ref[k], 1e-10);
    assert_int_equal(dtb_observer_result(fc, got, 16, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_analysis_fc(ref, x, n, 4), DTB_OK);
    /* The file: a header of region labels (the atlas' are 0..3), 4 rows. */
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, "0,1,2,3\n", 8) == 0);
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 5);
    double v01 = strtod(strchr(text + 8, ',') + 1, NULL);
    assert_float_equal(v01, got[1], 1e-15 * fabs(got[1]) + 1e-17);
    free(text);
    /* Not a sample observer. */
    size_t nr;
    assert_int_equal(dtb_observer_read(fc, t, x, 1, &nr), DTB_ESTATE);
    assert_error_contains("dtb_observer_result");
    assert_int_equal(dtb_observer_result(tavg, got, 16, NULL, NULL), DTB_ESTATE);
    free(t);
    free(x);
    dtb_observer_free(tavg);
    dtb_observer_free(fc);
    dtb_observer_free(fcfile);
    dtb_observer_free(skipped);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_psd_observer(void **state)
{
    (void)state;
    /* 15.625 Hz = 4 bins of 256 samples at 1 kHz; amplitude 0.5: power 1/8. */
    const double f[] = {15.625, 62.5}, base[] = {1, 0}, amp[] = {0.5, 1};
    dtb_atlas *atlas = isolated_atlas(2);
    dtb_sim *sim = driven_sim(atlas, 1e-3, f, base, amp, NULL);
    dtb_observer *raw = memory_observer(sim, DTB_OBSERVER_RAW, 0);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_PSD;
    o.source = DTB_OBSERVER_RAW;
    dtb_observer *psd;
    assert_int_equal(dtb_observer_create(&psd, sim, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 3.0, NULL, NULL), DTB_OK);
    double *t, *x;
    size_t n = read_all(raw, &t, &x);
    int64_t rows, cols;
    assert_int_equal(dtb_observer_result(psd, NULL, 0, &rows, &cols), DTB_OK);
    assert_int_equal(rows, 129);
    assert_int_equal(cols, 3);
    double got[129 * 3], fr[129], ref[129 * 2];
    assert_int_equal(dtb_observer_result(psd, got, sizeof got / sizeof *got, NULL, NULL), DTB_OK);
    size_t nf;
    assert_int_equal(dtb_analysis_psd(fr, ref, 129, &nf, x, n, 2, 1e-3, NULL), DTB_OK);
    double power = 0;
    size_t peak = 0;
    for (size_t k = 0; k < nf; k++) {
        assert_float_equal(got[k * 3], fr[k], 1e-12);
        assert_float_equal(got[k * 3 + 1], ref[k * 2], 1e-12 * nan_max(1, ref[k * 2]));
        assert_float_equal(got[k * 3 + 2], ref[k * 2 + 1], 1e-12 * nan_max(1, ref[k * 2 + 1]));
        power += got[k * 3 + 1] * (fr[1] - fr[0]);
        if (got[k * 3 + 1] > got[peak * 3 + 1])
            peak = k;
    }
    assert_float_equal(got[peak * 3], 15.625, 1e-9);
    assert_float_equal(power, 0.125, 1e-6);
    free(t);
    free(x);
    dtb_observer_free(raw);
    dtb_observer_free(psd);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_fcd_observer(void **state)
{
    (void)state;
    dtb_atlas *atlas = isolated_atlas(4);
    dtb_sim *sim = driven_sim(atlas, 1e-4, F4, BASE4, AMP4, PH4);
    dtb_observer *tavg = memory_observer(sim, DTB_OBSERVER_TAVG, 2e-3);
    static const struct { dtb_fcd_method m; dtb_fcd_compare c; } cases[] = {
        {DTB_FCD_METHOD_PEARSON, DTB_FCD_COMPARE_PEARSON_UT},
        {DTB_FCD_METHOD_PHASE, DTB_FCD_COMPARE_COSINE_UT},
        {DTB_FCD_METHOD_MTD, DTB_FCD_COMPARE_COSINE_LEADING}};
    dtb_observer *fcd[3];
    for (int i = 0; i < 3; i++) {
        dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
        o.kind = DTB_OBSERVER_FCD;
        o.period = 2e-3;
        o.window = 0.1;
        o.window_step = 0.03;
        o.fcd_method = cases[i].m;
        o.fcd_compare = cases[i].c;
        assert_int_equal(dtb_observer_create(&fcd[i], sim, &o), DTB_OK);
    }
    assert_int_equal(dtb_sim_run(sim, 1.0, NULL, NULL), DTB_OK);
    double *t, *x;
    size_t n = read_all(tavg, &t, &x);
    for (int i = 0; i < 3; i++) {
        int64_t rows, cols;
        assert_int_equal(dtb_observer_result(fcd[i], NULL, 0, &rows, &cols), DTB_OK);
        assert_int_equal(rows, (500 - 50) / 15 + 1);
        double *got = malloc((size_t)(rows * cols) * sizeof *got);
        double *ref = malloc((size_t)(rows * cols) * sizeof *ref);
        assert_int_equal(dtb_observer_result(fcd[i], got, (size_t)(rows * cols), NULL, NULL), DTB_OK);
        dtb_fcd_options fo = DTB_FCD_OPTIONS_INIT;
        fo.method = cases[i].m;
        fo.compare = cases[i].c;
        fo.window = 0.1;
        fo.step = 0.03;
        size_t nw;
        assert_int_equal(dtb_analysis_fcd(ref, (size_t)(rows * cols), &nw, x, n, 4, 2e-3, &fo), DTB_OK);
        assert_int_equal(nw, (size_t)rows);
        for (int64_t k = 0; k < rows * cols; k++)
            assert_float_equal(got[k], ref[k], 1e-12);
        free(got);
        free(ref);
        dtb_observer_free(fcd[i]);
    }
    /* A window of fewer than 3 samples; a callback sink. */
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_FCD;
    o.window = 0.002;
    dtb_observer *bad;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("at least 3");
    o.window = 0;
    o.sink = DTB_SINK_CALLBACK;
    o.callback = (dtb_sample_fn)1;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EUNSUPPORTED);
    o.sink = DTB_SINK_MEMORY;
    o.source = DTB_OBSERVER_FC;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("source");
    free(t);
    free(x);
    dtb_observer_free(tavg);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_matrix_files(void **state)
{
    (void)state;
    dtb_atlas *atlas = isolated_atlas(4);
    dtb_sim *sim = driven_sim(atlas, 1e-4, F4, BASE4, AMP4, PH4);
    char fcd_csv[4096], psd_csv[4096], fc_npy[4096];
    snprintf(fcd_csv, sizeof fcd_csv, "%s/fcd.csv", test_tmpdir());
    snprintf(psd_csv, sizeof psd_csv, "%s/psd.csv", test_tmpdir());
    snprintf(fc_npy, sizeof fc_npy, "%s/fc.npy", test_tmpdir());
    dtb_observer *a = matrix_observer(sim, DTB_OBSERVER_FCD, DTB_SINK_CSV, fcd_csv, 0.1, 0.1);
    dtb_observer *b = matrix_observer(sim, DTB_OBSERVER_PSD, DTB_SINK_CSV, psd_csv, 0, 0);
    dtb_observer *c = matrix_observer(sim, DTB_OBSERVER_FC, DTB_SINK_NPY, fc_npy, 0, 0);
    /* Written at creation already (the empty result). */
    char *text = read_text_file(fcd_csv, NULL);
    assert_non_null(text);
    assert_string_equal(text, "\n");
    free(text);
    assert_int_equal(dtb_sim_run(sim, 0.5, NULL, NULL), DTB_OK);
    text = read_text_file(fcd_csv, NULL);
    /* 5 windows of 0.1 s: centres (first + last sample time) / 2. */
    double c5[5];
    assert_int_equal(sscanf(text, "%lf,%lf,%lf,%lf,%lf\n", c5, c5 + 1, c5 + 2, c5 + 3, c5 + 4), 5);
    for (int w = 0; w < 5; w++)
        assert_float_equal(c5[w], 0.05 + 0.1 * w, 1e-12);
    assert_true(strncmp(strchr(text, '\n'), "\n1,", 3) == 0);
    free(text);
    text = read_text_file(psd_csv, NULL);
    assert_true(strncmp(text, "f,x.0,x.1,x.2,x.3\n0,", 20) == 0);
    free(text);
    double buf[16];
    assert_int_equal(dtb_observer_result(c, buf, 16, NULL, NULL), DTB_OK);
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "test -s '%s'", fc_npy);
    assert_int_equal(system(cmd), 0);
    dtb_observer_free(a);
    dtb_observer_free(b);
    dtb_observer_free(c);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* dtb_observer_flush: a CSV sink's file holds every sample so far after
 * it, while the observer stays open and the simulation advances by
 * dtb_sim_step (dtb_sim_run flushes by itself): a header and one row per
 * 2 ms window, stamped at its centre, 50 rows after 0.1 s (last 0.099 s),
 * 100 after 0.2 s. Fails if flush leaves rows in the buffer (checked with
 * a flush that does nothing: the file then has 46 rows, a partial 47th). */
static int csv_rows(const char *path, double *last_t)
{
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    int rows = 0;
    const char *line = text;
    for (const char *p = text; *p; p++)
        if (*p == '\n') {
            if (rows > 0 || line != text)
                *last_t = strtod(line, NULL);
            rows++;
            line = p + 1;
        }
    free(text);
    return rows - 1;   /* without the header */
}

static void test_flush(void **state)
{
    (void)state;
    dtb_atlas *atlas = isolated_atlas(4);
    dtb_sim *sim = driven_sim(atlas, 1e-4, F4, BASE4, AMP4, PH4);
    char path[4096];
    snprintf(path, sizeof path, "%s/flushed.csv", test_tmpdir());
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_TAVG;
    o.period = 2e-3;
    o.sink = DTB_SINK_CSV;
    o.path = path;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    double t = -1;
    assert_int_equal(dtb_sim_step(sim, 1000), DTB_OK);
    print_message("before the flush: %d rows\n", csv_rows(path, &t));
    assert_int_equal(dtb_observer_flush(obs), DTB_OK);
    assert_int_equal(csv_rows(path, &t), 50);
    assert_float_equal(t, 0.099, 1e-12);
    assert_int_equal(dtb_sim_step(sim, 1000), DTB_OK);
    assert_int_equal(dtb_observer_flush(obs), DTB_OK);
    assert_int_equal(csv_rows(path, &t), 100);
    assert_float_equal(t, 0.199, 1e-12);
    assert_int_equal(dtb_observer_flush(NULL), DTB_EINVAL);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_spikes_and_rate(void **state)
{
    (void)state;
    /* x = sin(2 pi 10 t + phase) crosses 0.5 upwards at
     * 2 pi 10 t + phase = pi/6 + 2 pi k. */
    const double f[] = {10, 10}, base[] = {0, 0}, amp[] = {1, 1}, ph[] = {0, 1.0};
    dtb_atlas *atlas = isolated_atlas(2);
    dtb_sim *sim = driven_sim(atlas, 1e-4, f, base, amp, ph);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_SPIKES;
    o.threshold = 0.5;
    dtb_observer *spk, *rate;
    assert_int_equal(dtb_observer_create(&spk, sim, &o), DTB_OK);
    assert_string_equal(dtb_observer_column_name(spk, 0), "unit");
    o.kind = DTB_OBSERVER_RATE;
    o.period = 0.5;
    assert_int_equal(dtb_observer_create(&rate, sim, &o), DTB_OK);
    assert_string_equal(dtb_observer_column_name(rate, 0), "x.rate");
    assert_int_equal(dtb_sim_run(sim, 1.0, NULL, NULL), DTB_OK);
    double *t, *u;
    size_t n = read_all(spk, &t, &u);
    assert_int_equal(n, 20);
    int seen[2] = {0, 0};
    for (size_t s = 0; s < n; s++) {
        int unit = (int)u[s];
        double phase = ph[unit];
        double k = seen[unit]++ + (phase > PI / 6 ? 1 : 0);
        double expect = (PI / 6 + 2 * PI * k - phase) / (2 * PI * 10);
        assert_float_equal(t[s], expect, 1e-7);   /* linear interpolation: O(dt^2) */
    }
    assert_int_equal(seen[0], 10);
    free(t);
    free(u);
    n = read_all(rate, &t, &u);
    assert_int_equal(n, 2);
    assert_float_equal(t[0], 0.25, 1e-12);
    assert_float_equal(u[0], 10.0, 1e-12);   /* 5 crossings per region per 0.5 s */
    assert_float_equal(u[1], 10.0, 1e-12);
    free(t);
    free(u);
    dtb_observer_free(spk);
    dtb_observer_free(rate);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fc_observer),   cmocka_unit_test(test_psd_observer),
        cmocka_unit_test(test_fcd_observer),  cmocka_unit_test(test_matrix_files),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_spikes_and_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
