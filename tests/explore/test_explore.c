/* Sweeps and fits through the public API (dtb_explore.h): the values and
 * samples, the scores, bit-identity with separate runs and across threads
 * and batches, resuming, refusals that leave nothing behind, fits that
 * recover the parameters of data the twin made. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dtb/dtb.h"
#include "test_util.h"

static char path_buf[4096];

static const char *tmp(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", test_tmpdir(), name);
    return path_buf;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The default twin's model on tvb76, short runs. */
static dtb_experiment *twin(double seconds)
{
    dtb_experiment *e = NULL;
    char d[32];
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "atlas", shared_path("atlases/tvb76")), DTB_OK);
    snprintf(d, sizeof d, "%gs", seconds);
    assert_int_equal(dtb_experiment_add(e, "duration", d), DTB_OK);
    return e;
}

/* Generic 2D oscillators with noise on tvb76. */
static dtb_experiment *oscillators(double seconds)
{
    dtb_experiment *e = twin(seconds);
    assert_int_equal(dtb_experiment_add(e, "model", "generic_2d_oscillator"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "coupling", "linear:a=0.0152"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "noise", "1e-4"), DTB_OK);
    return e;
}

#define OK_DUMMY
static void scores_of(const dtb_sweep *sw, int64_t point, double *out, size_t n)
{
    assert_int_equal(dtb_sweep_point_scores(sw, point, out, n, NULL), DTB_OK);
}

/* --- values and samples --- */

static void test_grid_values(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.05);
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "0.1:0.5:6"), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "coupling.a", "0.001:0.1:3:log"), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "seed", "7,9"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    assert_int_equal(dtb_sweep_prepare(sw), DTB_OK);
    assert_int_equal(dtb_sweep_point_count(sw), 36);
    assert_int_equal(dtb_sweep_variable_count(sw), 3);
    assert_string_equal(dtb_sweep_variable_name(sw, 1), "coupling.a");
    double v[3];
    /* the last varies fastest; values as a user types them */
    assert_int_equal(dtb_sweep_point_values(sw, 0, v, 3, NULL), DTB_OK);
    assert_true(v[0] == 0.1 && v[1] == 0.001 && v[2] == 7);
    assert_int_equal(dtb_sweep_point_values(sw, 1, v, 3, NULL), DTB_OK);
    assert_true(v[0] == 0.1 && v[1] == 0.001 && v[2] == 9);
    assert_int_equal(dtb_sweep_point_values(sw, 2, v, 3, NULL), DTB_OK);
    assert_true(v[1] == 0.01);
    assert_int_equal(dtb_sweep_point_values(sw, 3 * 2 * 3, v, 3, NULL), DTB_OK);
    assert_true(v[0] == 0.34);
    assert_int_equal(dtb_sweep_point_values(sw, 35, v, 3, NULL), DTB_OK);
    assert_true(v[0] == 0.5 && v[1] == 0.1 && v[2] == 9);
    /* a point's experiment: the base, the settings, its seed */
    dtb_experiment *p = NULL;
    assert_int_equal(dtb_sweep_point_experiment(sw, 35, &p), DTB_OK);
    assert_string_equal(dtb_experiment_get(p, "seed"), "9");
    assert_string_equal(dtb_experiment_get(p, "coupling"), "linear:a=0.1");
    dtb_experiment_free(p);
    assert_int_equal(dtb_sweep_point_experiment(sw, 36, &p), DTB_EINVAL);
    assert_null(p);
    dtb_sweep_free(sw);
    dtb_experiment_free(e);
}

static void check_in_box(const dtb_sweep *sw, double lo0, double hi0, double lo1, double hi1)
{
    for (int64_t i = 0; i < dtb_sweep_point_count(sw); i++) {
        double v[2];
        assert_int_equal(dtb_sweep_point_values(sw, i, v, 2, NULL), DTB_OK);
        assert_true(v[0] >= lo0 && v[0] <= hi0);
        assert_true(v[1] >= lo1 && v[1] <= hi1);
    }
}

static void test_samples(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.05);
    const char *kinds[] = {"random:40", "lhs:40", "sobol:40"};
    for (int k = 0; k < 3; k++) {
        dtb_sweep *sw = NULL;
        assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
        assert_int_equal(dtb_sweep_vary(sw, "a", "0.5:1.5:2"), DTB_OK);
        assert_int_equal(dtb_sweep_vary(sw, "coupling.a", "0.001:0.1:2:log"), DTB_OK);
        assert_int_equal(dtb_sweep_set_sample(sw, kinds[k]), DTB_OK);
        assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
        assert_int_equal(dtb_sweep_prepare(sw), DTB_OK);
        assert_int_equal(dtb_sweep_point_count(sw), 40);
        check_in_box(sw, 0.5, 1.5, 0.001, 0.1);
        if (k == 1) {
            /* Latin hypercube: one point in each of the 40 strata of each axis */
            int hit[40] = {0}, hit_log[40] = {0};
            for (int64_t i = 0; i < 40; i++) {
                double v[2];
                dtb_sweep_point_values(sw, i, v, 2, NULL);
                hit[(int)((v[0] - 0.5) / 1.0 * 40)]++;
                hit_log[(int)((log(v[1]) - log(0.001)) / (log(0.1) - log(0.001)) * 40)]++;
            }
            for (int s = 0; s < 40; s++) {
                assert_int_equal(hit[s], 1);
                assert_int_equal(hit_log[s], 1);
            }
        }
        dtb_sweep_free(sw);
    }
    dtb_experiment_free(e);
}

/* --- refusals --- */

#define OK(call) \
    do { \
        dtb_status st_ = (call); \
        if (st_) \
            fail_msg("%s: %s", #call, dtb_last_error_message()); \
    } while (0)

static void refused(dtb_status st, const char *needle)
{
    assert_int_not_equal(st, DTB_OK);
    assert_error_contains(needle);
}

static void test_bad_input(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.05);
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    refused(dtb_sweep_vary(sw, "a", "1:2"), "A:B:N");
    refused(dtb_sweep_vary(sw, "a", "1:2:0"), "N = '0'");
    refused(dtb_sweep_vary(sw, "a", "0:2:3:log"), "log scale");
    refused(dtb_sweep_vary(sw, "a", "1,x,3"), "'x' is not a number");
    refused(dtb_sweep_vary(sw, "speed", "-1,2"), "not a positive speed");
    refused(dtb_sweep_vary(sw, "seed", "1.5"), "whole number");
    refused(dtb_sweep_vary(sw, "coupling.", "1,2"), "coupling parameter");
    refused(dtb_sweep_vary(sw, "2a", "1,2"), "not a parameter name");
    refused(dtb_sweep_set_sample(sw, "lhs:0"), "number of points");
    refused(dtb_sweep_set_sample(sw, "halton:5"), "grid, random:N");
    refused(dtb_sweep_add_score(sw, "fcx"), "unknown kind 'fcx'");
    refused(dtb_sweep_add_score(sw, "psd-peak=3"), "takes no value");
    refused(dtb_sweep_add_score(sw, "fc:of=fc"), "unknown source");
    refused(dtb_sweep_add_score(sw, "stable=0.5"), "not a number > 1");
    refused(dtb_sweep_set_transient(sw, 1.0), "not shorter than the run");
    /* unknown parameter, unknown region: found at prepare, before any run */
    assert_int_equal(dtb_sweep_vary(sw, "nosuch", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    refused(dtb_sweep_prepare(sw), "no parameter 'nosuch'");
    dtb_sweep_free(sw);

    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a@NOPE_L", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    refused(dtb_sweep_prepare(sw), "NOPE_L");
    dtb_sweep_free(sw);

    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "coupling.zz", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    refused(dtb_sweep_prepare(sw), "zz");
    dtb_sweep_free(sw);

    /* scores: missing file, wrong size, no empirical data, NaN in BOLD */
    const char *missing = tmp("missing.txt");
    char spec[4200];
    snprintf(spec, sizeof spec, "fc=%s:of=tavg", missing);
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, spec), DTB_OK);
    refused(dtb_sweep_prepare(sw), "missing.txt");
    dtb_sweep_free(sw);

    FILE *f = fopen(tmp("small.txt"), "w");
    fprintf(f, "1 0.5 0.2\n0.5 1 0.1\n0.2 0.1 1\n");
    fclose(f);
    snprintf(spec, sizeof spec, "fc=%s:of=tavg", tmp("small.txt"));
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, spec), DTB_OK);
    refused(dtb_sweep_prepare(sw), "76 regions");
    dtb_sweep_free(sw);

    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "fcd-ks"), DTB_OK);
    refused(dtb_sweep_prepare(sw), "empirical BOLD");
    dtb_sweep_free(sw);

    f = fopen(tmp("bold_nan.txt"), "w");
    for (int t = 0; t < 20; t++)
        for (int k = 0; k < 76; k++)
            fprintf(f, "%s%c", t == 7 && k == 3 ? "nan" : "0.5", k == 75 ? '\n' : ' ');
    fclose(f);
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "1,2"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "fc:of=tavg"), DTB_OK);
    assert_int_equal(dtb_sweep_set_empirical_bold(sw, tmp("bold_nan.txt")), DTB_OK);
    refused(dtb_sweep_prepare(sw), "bold_nan.txt");
    dtb_sweep_free(sw);

    /* nothing of these refusals was written */
    assert_false(exists(tmp("sweep.csv")));
    dtb_experiment_free(e);
}

/* --- running --- */

static dtb_sweep *small_sweep(const dtb_experiment *e)
{
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "0.9:1.1:3"), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "coupling.a", "0.01,0.03"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "max-rate=W"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "psd-peak:segment=64ms"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "stable"), DTB_OK);
    return sw;
}

/* Threads and batches give the same table, bit for bit; so does a
 * separate run of each point's experiment. */
static void test_same_numbers_every_way(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.2);
    double ref[6][4], got[4];
    const int32_t configs[][2] = {{1, 1}, {1, 0}, {2, 2}, {2, 6}, {1, 3}};
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        dtb_sweep *sw = small_sweep(e);
        dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
        o.jobs = configs[c][0];
        o.batch = configs[c][1];
        assert_int_equal(dtb_sweep_run(sw, &o), DTB_OK);
        assert_int_equal(dtb_sweep_point_count(sw), 6);
        for (int64_t p = 0; p < 6; p++) {
            assert_string_equal(dtb_sweep_point_status(sw, p), "ok");
            scores_of(sw, p, c ? got : ref[p], 4);
            if (c)
                assert_memory_equal(got, ref[p], sizeof got);
        }
        dtb_sweep_free(sw);
    }
    /* the scores mean something: rates rise with the coupling's input */
    assert_true(ref[0][0] != ref[1][0]);
    assert_true(ref[0][2] > 0 && ref[0][2] < 500);
    assert_true(ref[0][3] == 0.0 || ref[0][3] == 1.0);
    dtb_experiment_free(e);
}

static char *slurp(const char *path)
{
    char *t = read_text_file(path, NULL);
    assert_non_null(t);
    return t;
}

/* --keep-outputs: every point's files equal those of dtb_experiment_run
 * of its experiment. */
static void test_point_equals_run(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.1);
    assert_int_equal(dtb_experiment_add(e, "observe", "tavg:period=1ms"), DTB_OK);
    dtb_sweep *sw = small_sweep(e);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tmp("keep"));
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.flags = DTB_EXPLORE_FLAG_KEEP_OUTPUTS;
    o.out_dir = dir;
    o.batch = 4;
    assert_int_equal(dtb_sweep_run(sw, &o), DTB_OK);
    for (int64_t p = 0; p < 6; p += 5) {
        dtb_experiment *pe = NULL;
        char alone[4200], kept[4200];
        assert_int_equal(dtb_sweep_point_experiment(sw, p, &pe), DTB_OK);
        snprintf(alone, sizeof alone, "%s/alone%lld", dir, (long long)p);
        assert_int_equal(dtb_experiment_run(pe, alone, NULL, NULL), DTB_OK);
        snprintf(alone + strlen(alone), sizeof alone - strlen(alone), "/tavg.csv");
        snprintf(kept, sizeof kept, "%s/points/%04lld/tavg.csv", dir, (long long)p);
        char *a = slurp(alone), *b = slurp(kept);
        assert_string_equal(a, b);
        free(a);
        free(b);
        dtb_experiment_free(pe);
    }
    dtb_sweep_free(sw);
    dtb_experiment_free(e);
}

/* sweep.csv's columns; a rerun resumes a cut table; other settings are
 * refused naming the difference, writing nothing. */
static void test_table_and_resume(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.1);
    char dir[4096], csv[4200];
    snprintf(dir, sizeof dir, "%s", tmp("resume"));
    snprintf(csv, sizeof csv, "%s/sweep.csv", dir);
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.out_dir = dir;
    dtb_sweep *sw = small_sweep(e);
    assert_int_equal(dtb_sweep_run(sw, &o), DTB_OK);
    dtb_sweep_free(sw);
    char *full = slurp(csv);
    assert_true(strncmp(full, "point,a,coupling.a,mean-rate,max-rate,psd-peak,stable,status,seconds\n",
                        69) == 0);
    /* cut after three rows and half of the fourth */
    char *cut = full;
    for (int lines = 0; lines < 4; lines++)
        cut = strchr(cut, '\n') + 1;
    FILE *f = fopen(csv, "w");
    fwrite(full, 1, (size_t)(cut - full) + 7, f);
    fclose(f);
    sw = small_sweep(e);
    OK(dtb_sweep_run(sw, &o));
    for (int64_t p = 0; p < 6; p++)
        assert_string_equal(dtb_sweep_point_status(sw, p), "ok");
    dtb_sweep_free(sw);
    char *resumed = slurp(csv);
    /* the same rows (the seconds aside): compare the first 7 fields of each */
    for (int p = 0; p < 6; p++) {
        char key[16];
        snprintf(key, sizeof key, "\n%d,", p);
        const char *a = strstr(full, key), *b = strstr(resumed, key);
        assert_non_null(a);
        assert_non_null(b);
        const char *end = strstr(a, ",ok,");
        assert_non_null(end);
        if (strncmp(a, b, (size_t)(end - a)) != 0)
            fail_msg("row %d differs after the resume:\n%s\n%s", p, full, resumed);
    }
    /* one row per point, no cut line left */
    int rows = 0;
    for (const char *c = resumed; *c; c++)
        rows += *c == '\n';
    assert_int_equal(rows, 7);
    free(full);
    free(resumed);

    /* other settings on the same folder: refused, the folder untouched */
    char *before = slurp(csv);
    sw = small_sweep(e);
    assert_int_equal(dtb_sweep_vary(sw, "b", "1,2"), DTB_OK);
    refused(dtb_sweep_run(sw, &o), "b=1,2");
    dtb_sweep_free(sw);
    char *after = slurp(csv);
    assert_string_equal(before, after);
    free(before);
    free(after);
    dtb_experiment_free(e);
}

/* A point that fails is a row with its message; the others run. */
static void test_failing_point(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(0.1);
    assert_int_equal(dtb_experiment_add(e, "integrator", "euler"), DTB_OK);
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "coupling.a", "0.01,1e6,0.02"), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "tau", "1,0.001"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "mean-rate"), DTB_OK);
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.out_dir = tmp("failing");
    assert_int_equal(dtb_sweep_run(sw, &o), DTB_OK);
    int failed = 0;
    for (int64_t p = 0; p < 6; p++) {
        const char *s = dtb_sweep_point_status(sw, p);
        assert_non_null(s);
        if (strcmp(s, "ok") != 0) {
            failed++;
            assert_non_null(strstr(s, "became"));   /* "the state became NaN at t = ..." */
            double v;
            scores_of(sw, p, &v, 1);
            assert_true(isnan(v));
        }
    }
    assert_true(failed >= 1 && failed < 6);
    dtb_sweep_free(sw);
    dtb_experiment_free(e);
}

/* FC and FCD scores against the empirical data the twin itself made with
 * the same seed are perfect at the generating point. */
static void test_fc_scores(void **state)
{
    (void)state;
    dtb_experiment *e = oscillators(4.0);
    assert_int_equal(dtb_experiment_add(e, "observe", "bold:tr=250ms:vars=V"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "observe", "fc:of=bold:tr=250ms:vars=V"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "set", "a=1.0"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "seed", "11"), DTB_OK);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tmp("truth"));
    OK(dtb_experiment_run(e, dir, NULL, NULL));
    char fc[4200], bold[4200];
    snprintf(fc, sizeof fc, "fc=%s/fc.csv:of=bold:tr=250ms", dir);
    snprintf(bold, sizeof bold, "%s/bold.csv", dir);
    dtb_experiment_remove(e, "observe");
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, e), DTB_OK);
    assert_int_equal(dtb_sweep_vary(sw, "a", "1.0,1.3"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, fc), DTB_OK);
    refused(dtb_sweep_add_score(sw, "fc-rmse="), "nothing after '='");
    char rmse[4300];
    snprintf(rmse, sizeof rmse, "fc-rmse%s", fc + 2);
    assert_int_equal(dtb_sweep_add_score(sw, rmse), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, "fcd-ks:of=bold:tr=250ms:window=2s:step=250ms"), DTB_OK);
    assert_int_equal(dtb_sweep_set_empirical_bold(sw, bold), DTB_OK);
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.flags = DTB_EXPLORE_FLAG_SAME_SEED;
    OK(dtb_sweep_run(sw, &o));
    double s0[3], s1[3];
    scores_of(sw, 0, s0, 3);
    scores_of(sw, 1, s1, 3);
    assert_true(fabs(s0[0] - 1.0) < 1e-12);   /* r = 1 at the truth */
    assert_true(s0[1] < 1e-12);               /* rmse 0 */
    assert_true(s0[2] < 1e-12);               /* KS 0 */
    assert_true(s1[0] < s0[0] && s1[1] > s0[1] && s1[2] > s0[2]);
    dtb_sweep_free(sw);
    dtb_experiment_free(e);
}

/* --- fits --- */

static void test_fit_bad_input(void **state)
{
    (void)state;
    dtb_experiment *e = twin(0.1);
    dtb_fit *f = NULL;
    assert_int_equal(dtb_fit_create(&f, e), DTB_OK);
    refused(dtb_fit_add_free(f, "G", 0.5, 0.5), "LO must be below HI");
    refused(dtb_fit_add_free(f, "G", 1, NAN), "LO must be below HI");
    refused(dtb_fit_add_free(f, "seed", 1, 5), "not fitted");
    refused(dtb_fit_set_budget(f, 0), "budget");
    refused(dtb_fit_set_repeats(f, 0), "repeats");
    refused(dtb_fit_set_method(f, "nlopt-nope"), "unknown 'nlopt-nope'");
    refused(dtb_fit_prepare(f), "nothing to fit");
    assert_int_equal(dtb_fit_add_free(f, "G", 0.1, 0.5), DTB_OK);
    refused(dtb_fit_prepare(f), "nothing to fit to");
    assert_int_equal(dtb_fit_add_score(f, "mean-rate"), DTB_OK);
    refused(dtb_fit_prepare(f), "give an objective");
    assert_int_equal(dtb_fit_set_objective(f, "mean-rate - fcx"), DTB_OK);
    refused(dtb_fit_prepare(f), "'fcx' is not a score");
    assert_int_equal(dtb_fit_set_objective(f, "-abs(mean-rate - 0.2)"), DTB_OK);
    assert_int_equal(dtb_fit_prepare(f), DTB_OK);
    dtb_fit_free(f);
    dtb_experiment_free(e);
}

/* Data made by the twin with known G and noise are fitted back within 5 %
 * (common random numbers: the candidates run with the data's seed). */
static void test_fit_recovers_parameters(void **state)
{
    (void)state;
    const double G = 0.35, noise = 1.6;
    dtb_experiment *e = twin(2.0);
    assert_int_equal(dtb_experiment_add(e, "seed", "5"), DTB_OK);
    dtb_experiment *truth = NULL;
    assert_int_equal(dtb_experiment_clone(&truth, e), DTB_OK);
    assert_int_equal(dtb_experiment_add(truth, "set", "G=0.35"), DTB_OK);
    assert_int_equal(dtb_experiment_add(truth, "noise-scale", "1.6"), DTB_OK);
    assert_int_equal(dtb_experiment_add(truth, "observe", "fc:of=tavg:vars=S_e"), DTB_OK);
    char dir[4096], spec[4300];
    snprintf(dir, sizeof dir, "%s", tmp("fit_truth"));
    assert_int_equal(dtb_experiment_run(truth, dir, NULL, NULL), DTB_OK);
    dtb_fit *f = NULL;
    assert_int_equal(dtb_fit_create(&f, e), DTB_OK);
    assert_int_equal(dtb_fit_add_free(f, "G", 0.1, 0.6), DTB_OK);
    assert_int_equal(dtb_fit_add_free(f, "noise", 0.5, 3.0), DTB_OK);
    snprintf(spec, sizeof spec, "fc-rmse=%s/fc.csv:of=tavg", dir);
    assert_int_equal(dtb_fit_add_score(f, spec), DTB_OK);
    assert_int_equal(dtb_fit_set_budget(f, 120), DTB_OK);
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.flags = DTB_EXPLORE_FLAG_SAME_SEED;
    o.jobs = 2;
    o.out_dir = tmp("fit_out");
    assert_int_equal(dtb_fit_run(f, &o), DTB_OK);
    double best[2];
    assert_int_equal(dtb_fit_best_values(f, best, 2, NULL), DTB_OK);
    assert_true(fabs(best[0] - G) < 0.05 * G);
    assert_true(fabs(best[1] - noise) < 0.05 * noise);
    assert_true(dtb_fit_evaluation_count(f) <= 120);
    /* best.xml reruns to the best's numbers */
    char best_xml[4200];
    snprintf(best_xml, sizeof best_xml, "%s/best.xml", tmp("fit_out"));
    assert_true(exists(best_xml));
    assert_true(exists(tmp("fit_out/fit.svg")));
    dtb_experiment *b = NULL;
    assert_int_equal(dtb_experiment_load(&b, best_xml), DTB_OK);
    dtb_sweep *sw = NULL;
    assert_int_equal(dtb_sweep_create(&sw, b), DTB_OK);
    assert_int_equal(dtb_sweep_set_sample(sw, "random:1"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(sw, spec), DTB_OK);
    dtb_explore_options so = DTB_EXPLORE_OPTIONS_INIT;
    so.flags = DTB_EXPLORE_FLAG_SAME_SEED;
    assert_int_equal(dtb_sweep_run(sw, &so), DTB_OK);
    double rerun, scores[1];
    scores_of(sw, 0, &rerun, 1);
    assert_int_equal(dtb_fit_best_scores(f, scores, 1, NULL), DTB_OK);
    assert_true(rerun == scores[0]);
    dtb_sweep_free(sw);
    dtb_experiment_free(b);
    dtb_fit_free(f);
    dtb_experiment_free(truth);
    dtb_experiment_free(e);
}

/* --- names, stopping, the best candidate --- */

static int32_t stop_sweep_after_two(int64_t done, int64_t total, void *user_data)
{
    (void)total;
    if (done == 2)
        dtb_sweep_request_stop(user_data);
    return 0;
}

static int32_t stop_fit_after_three(int64_t done, int64_t total, void *user_data)
{
    (void)total;
    if (done == 3)
        dtb_fit_request_stop(user_data);
    return 0;
}

/* A sweep's score names and per-point seconds (NaN before its run, a
 * duration after); dtb_sweep_request_stop from the progress callback
 * after two points stops the run with DTB_ECANCELLED keeping those two and
 * running no other. A fit's free and score names; its best objective is
 * its objective of its best scores; its best experiment reruns to the
 * best scores; dtb_fit_request_stop after three evaluations stops the
 * fit at the end of that generation, short of its budget. Whether libdtb says it has MPI matches the build. */
static void test_names_stop_and_best(void **state)
{
    (void)state;
    assert_int_equal(dtb_explore_has_mpi(), DTB_TEST_BUILT_WITH_MPI);
    dtb_experiment *e = oscillators(0.05);
    dtb_sweep *sw = small_sweep(e);
    assert_int_equal(dtb_sweep_score_count(sw), 4);
    const char *names[] = {"mean-rate", "max-rate", "psd-peak", "stable"};
    for (int64_t i = 0; i < 4; i++)
        assert_string_equal(dtb_sweep_score_name(sw, i), names[i]);
    assert_null(dtb_sweep_score_name(sw, 4));
    assert_true(isnan(dtb_sweep_point_seconds(sw, 0)));
    dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
    o.jobs = 1;
    o.batch = 1;
    o.progress = stop_sweep_after_two;
    o.user_data = sw;
    assert_int_equal(dtb_sweep_run(sw, &o), DTB_ECANCELLED);
    int64_t ran = 0;
    for (int64_t p = 0; p < 6; p++) {
        const char *st = dtb_sweep_point_status(sw, p);
        double s = dtb_sweep_point_seconds(sw, p);
        if (st) {
            assert_string_equal(st, "ok");
            assert_true(isfinite(s) && s >= 0);
            ran++;
        } else {
            assert_true(isnan(s));
        }
    }
    assert_int_equal(ran, 2);
    dtb_sweep_free(sw);

    const double target = 0.2;
    char objective[64];
    snprintf(objective, sizeof objective, "-abs(mean-rate - %.17g)", target);
    dtb_fit *f = NULL;
    assert_int_equal(dtb_fit_create(&f, e), DTB_OK);
    assert_int_equal(dtb_fit_add_free(f, "a", 0.8, 1.2), DTB_OK);
    assert_int_equal(dtb_fit_add_free(f, "coupling.a", 0.005, 0.03), DTB_OK);
    assert_int_equal(dtb_fit_add_score(f, "mean-rate"), DTB_OK);
    assert_int_equal(dtb_fit_add_score(f, "stable"), DTB_OK);
    assert_int_equal(dtb_fit_set_objective(f, objective), DTB_OK);
    assert_int_equal(dtb_fit_set_budget(f, 12), DTB_OK);
    assert_int_equal(dtb_fit_set_transient(f, -1), DTB_EINVAL);
    assert_int_equal(dtb_fit_free_count(f), 2);
    assert_string_equal(dtb_fit_free_name(f, 0), "a");
    assert_string_equal(dtb_fit_free_name(f, 1), "coupling.a");
    assert_int_equal(dtb_fit_score_count(f), 2);
    assert_string_equal(dtb_fit_score_name(f, 0), "mean-rate");
    assert_string_equal(dtb_fit_score_name(f, 1), "stable");
    dtb_explore_options fo = DTB_EXPLORE_OPTIONS_INIT;
    fo.flags = DTB_EXPLORE_FLAG_SAME_SEED;
    fo.progress = stop_fit_after_three;
    fo.user_data = f;
    assert_int_equal(dtb_fit_run(f, &fo), DTB_ECANCELLED);
    print_message("fit stopped after %lld evaluations\n", (long long)dtb_fit_evaluation_count(f));
    /* a generation of candidates runs together: the stop takes effect at
     * its end, before the budget (12) */
    assert_true(dtb_fit_evaluation_count(f) >= 3 && dtb_fit_evaluation_count(f) < 12);
    double best[2], scores[2];
    assert_int_equal(dtb_fit_best_values(f, best, 2, NULL), DTB_OK);
    assert_int_equal(dtb_fit_best_scores(f, scores, 2, NULL), DTB_OK);
    double obj = dtb_fit_best_objective(f);
    print_message("best so far: a = %.6g, coupling.a = %.6g, mean-rate %.6g, objective %.6g\n",
                  best[0], best[1], scores[0], obj);
    assert_true(obj == -fabs(scores[0] - target));
    dtb_experiment *b = NULL;
    assert_int_equal(dtb_fit_best_experiment(f, &b), DTB_OK);
    dtb_sweep *again = NULL;
    assert_int_equal(dtb_sweep_create(&again, b), DTB_OK);
    assert_int_equal(dtb_sweep_set_sample(again, "random:1"), DTB_OK);
    assert_int_equal(dtb_sweep_add_score(again, "mean-rate"), DTB_OK);
    dtb_explore_options so = DTB_EXPLORE_OPTIONS_INIT;
    so.flags = DTB_EXPLORE_FLAG_SAME_SEED;
    assert_int_equal(dtb_sweep_run(again, &so), DTB_OK);
    double rerun;
    scores_of(again, 0, &rerun, 1);
    assert_true(rerun == scores[0]);
    dtb_sweep_free(again);
    dtb_experiment_free(b);
    dtb_fit_free(f);
    dtb_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_values),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_same_numbers_every_way),
        cmocka_unit_test(test_point_equals_run),
        cmocka_unit_test(test_table_and_resume),
        cmocka_unit_test(test_failing_point),
        cmocka_unit_test(test_fc_scores),
        cmocka_unit_test(test_fit_bad_input),
        cmocka_unit_test(test_fit_recovers_parameters),
        cmocka_unit_test(test_names_stop_and_best),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
