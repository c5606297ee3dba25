/* Experiments: settings and their checks, experiment files (round trip,
 * relative file names, the malformed corpus), runs with their provenance,
 * timed lesions, checkpoint and resume through an experiment, and builds
 * that fail leaving nothing behind. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/sha256.h"
#include "dtb/dtb.h"
#include "test_util.h"

static const char *tmp(const char *name)
{
    static char buf[8][4096];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", test_tmpdir(), name);
    return buf[i];
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void add_ok(dtb_experiment *e, const char *name, const char *value)
{
    dtb_status st = dtb_experiment_add(e, name, value);
    if (st)
        fail_msg("%s=%s: %s", name, value ? value : "", dtb_last_error_message());
}

static void test_settings(void **state)
{
    (void)state;
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_setting_count(e), 0);
    assert_null(dtb_experiment_get(e, "duration"));
    assert_true(dtb_experiment_duration(e) == 1.0);
    add_ok(e, "duration", "2s");
    add_ok(e, "set", "G=0.2");
    add_ok(e, "set", "tau_e=90ms");
    add_ok(e, "duration", "500ms");   /* single: the last wins, in place of the first */
    add_ok(e, "fic", NULL);
    assert_int_equal(dtb_experiment_setting_count(e), 4);
    assert_string_equal(dtb_experiment_get(e, "duration"), "500ms");
    assert_true(fabs(dtb_experiment_duration(e) - 0.5) < 1e-15);
    assert_string_equal(dtb_experiment_setting_name(e, 0), "set");
    assert_string_equal(dtb_experiment_setting_value(e, 1), "tau_e=90ms");
    assert_string_equal(dtb_experiment_get(e, "fic"), "");
    assert_null(dtb_experiment_setting_name(e, 4));
    assert_null(dtb_experiment_setting_name(e, -1));

    /* refusals leave the experiment as it was */
    static const struct {
        const char *name, *value;
        dtb_status st;
        const char *says;
    } bad[] = {
        {"temperature", "37", DTB_ENOTFOUND, "unknown setting 'temperature'"},
        {"duration", "soon", DTB_EINVAL, "duration: 'soon' is not a time"},
        {"dt", "0", DTB_EINVAL, "dt: '0' is not a positive time"},
        {"speed", "-3", DTB_EINVAL, "speed"},
        {"integrator", "leapfrog", DTB_EINVAL, "unknown scheme 'leapfrog'"},
        {"coupling", "cubic", DTB_EINVAL, "unknown kind 'cubic'"},
        {"coupling", "linear:a=x", DTB_EINVAL, "a='x' is not a number"},
        {"noise", "-1", DTB_EINVAL, "not a non-negative number"},
        {"noise", "V=1,W", DTB_EINVAL, "not NAME=VALUE"},
        {"noise-kind", "pink", DTB_EINVAL, "unknown kind 'pink'"},
        {"seed", "x", DTB_EINVAL, "not a non-negative integer"},
        {"set", "G", DTB_EINVAL, "not NAME=VALUE"},
        {"set", "G=abc", DTB_EINVAL, "'abc' is not a number"},
        {"init", "V=1,W=x", DTB_EINVAL, "'x' is not a number"},
        {"format", "hdf5", DTB_EINVAL, "unknown format 'hdf5'"},
        {"fic", "yes", DTB_EINVAL, "takes no value"},
        {"model", "", DTB_EINVAL, "needs a value"},
        {"stimulus", "pulse:onset=1ms,width=2ms", DTB_EINVAL, "does not say what it enters"},
        {"stimulus", "square:onset=1ms:into=I_ext", DTB_EINVAL, "square"},
        {"stimulus", "pulse:onset=1ms:into=I_ext", DTB_EINVAL, "width"},
        {"stimulus", "pulse:onset=soon,width=1ms:into=I_ext", DTB_EINVAL, "onset=soon"},
        {"stimulus", "pulse:onset=1ms,width=2ms:into=I_ext:where=here", DTB_EINVAL, "unknown option"},
        {"stimulus", "waveform:file=/no/such/wave.csv:into=I_ext", DTB_EINVAL, "wave.csv"},
        {"lesion", "remove=A8m_L", DTB_EINVAL, "cannot read"},
        {"lesion", "edge=A8m_L", DTB_EINVAL, "needs 2 parts"},
        {"lesion", "scale=A:B:-1", DTB_EINVAL, "scale factor"},
        {"lesion", "region=A8m_L:at=soon", DTB_EINVAL, "at='soon'"},
        {"observe", "spectrum", DTB_EINVAL, "unknown observer 'spectrum'"},
        {"observe", "tavg:period=soon", DTB_EINVAL, "bad period"},
        {"checkpoint-at", "-1ms", DTB_EINVAL, "not a time"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dtb_status st = dtb_experiment_add(e, bad[i].name, bad[i].value);
        if (st != bad[i].st || !strstr(dtb_last_error_message(), bad[i].says))
            fail_msg("%s=%s: status %d, '%s'", bad[i].name, bad[i].value, (int)st,
                     dtb_last_error_message());
        assert_int_equal(dtb_experiment_setting_count(e), 4);
    }
    /* the accepted forms */
    add_ok(e, "stimulus", "pulse_train:onset=100ms,width=2ms,period=25ms,amplitude=0.1,count=4:"
                          "regions=A8m_*+12:into=I_ext:seed=3");
    add_ok(e, "stimulus", "sine:frequency=10Hz,amplitude=0.01:into=S_e");
    add_ok(e, "lesion", "region=A8m_L");
    add_ok(e, "lesion", "edge=A8m_L+A8m_R:A9l_*");
    add_ok(e, "lesion", "scale=1:2:0.5:at=20ms");
    add_ok(e, "observe", "bold:tr=720ms:set=stephan2007");
    add_ok(e, "coupling", "sigmoidal:a=1,cmax=0.005");
    add_ok(e, "noise-kind", "coloured:tau=5ms");
    add_ok(e, "speed", "inf");
    assert_int_equal(dtb_experiment_remove(e, "lesion"), DTB_OK);
    assert_null(dtb_experiment_get(e, "lesion"));

    dtb_experiment *c;
    assert_int_equal(dtb_experiment_clone(&c, e), DTB_OK);
    assert_int_equal(dtb_experiment_setting_count(c), dtb_experiment_setting_count(e));
    for (int64_t i = 0; i < dtb_experiment_setting_count(e); i++)
        assert_string_equal(dtb_experiment_setting_value(c, i), dtb_experiment_setting_value(e, i));
    dtb_experiment_free(c);
    dtb_experiment_free(e);
    dtb_experiment_free(NULL);
    assert_int_equal(dtb_experiment_add(NULL, "seed", "1"), DTB_EINVAL);
    assert_int_equal(dtb_experiment_setting_count(NULL), -1);
}

/* Every file of the corpus fails with its file, line and element named. */
static void test_malformed_files(void **state)
{
    (void)state;
    static const struct {
        const char *file, *says;
    } cases[] = {
        {"empty.xml", "empty.xml"},
        {"binary.xml", "binary.xml"},
        {"unclosed.xml", "unclosed.xml:"},
        {"wrong_root.xml", "must be <experiment>"},
        {"unknown_setting.xml", "unknown_setting.xml:3: <temperature>: unknown setting"},
        {"attribute.xml", "attribute.xml:2: <set>: takes no attributes"},
        {"nested.xml", "nested.xml:2: <observe>: holds an element <bold>"},
        {"twice.xml", "twice.xml:4: <duration>: given twice (first on line 2)"},
        {"bad_time.xml", "bad_time.xml:2: <duration>: duration: 'soon' is not a time"},
        {"bad_version.xml", "version must be \"1\""},
        {"root_attribute.xml", "unknown attribute 'author'"},
        {"text_outside.xml", "text outside a setting"},
        {"flag_with_value.xml", "flag_with_value.xml:2: <fic>: fic takes no value"},
        {"bad_integrator.xml", "bad_integrator.xml:2: <integrator>"},
        {"bad_stimulus.xml", "bad_stimulus.xml:2: <stimulus>"},
        {"bad_stimulus_shape.xml", "bad_stimulus_shape.xml:2: <stimulus>"},
        {"bad_lesion.xml", "bad_lesion.xml:2: <lesion>"},
        {"bad_observer.xml", "bad_observer.xml:2: <observe>: observe: unknown observer 'spectrum'"},
        {"empty_value.xml", "empty_value.xml:2: <model>: model needs a value"},
        {"huge_number.xml", "huge_number.xml:2: <dt>"},
        {"negative_seed.xml", "negative_seed.xml:2: <seed>"},
        {"missing_stimulus_file.xml", "no_such_wave.csv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/experiments/bad/%s", DTB_TEST_DATA, cases[i].file);
        dtb_experiment *e = (dtb_experiment *)&path;
        dtb_status st = dtb_experiment_load(&e, path);
        if (st == DTB_OK || !strstr(dtb_last_error_message(), cases[i].says))
            fail_msg("%s: status %d, message '%s'", cases[i].file, (int)st, dtb_last_error_message());
        assert_null(e);
    }
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_load(&e, tmp("missing.xml")), DTB_ENOTFOUND);
    const char *doc = "<experiment><seed>3</seed></experiment>";
    assert_int_equal(dtb_experiment_load_memory(&e, doc, strlen(doc), NULL, NULL), DTB_OK);
    assert_string_equal(dtb_experiment_get(e, "seed"), "3");
    dtb_experiment_free(e);
}

/* Saved and loaded again, an experiment is the same, and its file names
 * still point at the same files from wherever the file is. */
static void test_file_round_trip(void **state)
{
    (void)state;
    char dir[2048], sub[2048];
    snprintf(dir, sizeof dir, "%s", tmp("inputs"));
    snprintf(sub, sizeof sub, "%s", tmp("elsewhere"));
    mkdir(dir, 0777);
    mkdir(sub, 0777);
    char params[4096];
    snprintf(params, sizeof params, "%s/G.csv", dir);
    FILE *f = fopen(params, "w");
    for (int k = 0; k < 246; k++)
        fprintf(f, "%g\n", 0.1 + 0.001 * k);
    fclose(f);
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    char set[4200];
    snprintf(set, sizeof set, "G=@%s", params);
    add_ok(e, "set", set);
    add_ok(e, "stimulus", "alpha:onset=5ms,tau=2ms,amplitude=0.5:regions=A8m_L:into=I_ext");
    add_ok(e, "observe", "tavg:period=2ms:vars=S_e");
    add_ok(e, "tvb-float32-coupling", NULL);
    add_ok(e, "duration", "10ms");
    char saved[4200];
    snprintf(saved, sizeof saved, "%s/exp.xml", sub);
    assert_int_equal(dtb_experiment_save(e, saved), DTB_OK);
    char *text = read_text_file(saved, NULL);
    assert_non_null(strstr(text, "<set>G=@../inputs/G.csv</set>"));   /* relative to the file */
    assert_non_null(strstr(text, "<tvb-float32-coupling/>"));
    free(text);
    dtb_experiment *l;
    assert_int_equal(dtb_experiment_load(&l, saved), DTB_OK);
    assert_int_equal(dtb_experiment_setting_count(l), dtb_experiment_setting_count(e));
    for (int64_t i = 0; i < dtb_experiment_setting_count(e); i++) {
        assert_string_equal(dtb_experiment_setting_name(l, i), dtb_experiment_setting_name(e, i));
        if (i > 0)
            assert_string_equal(dtb_experiment_setting_value(l, i), dtb_experiment_setting_value(e, i));
    }
    /* the loaded file name reaches the same file */
    const char *v = dtb_experiment_get(l, "set");
    char *back = read_text_file(strchr(v, '@') + 1, NULL), *orig = read_text_file(params, NULL);
    assert_non_null(back);
    assert_string_equal(back, orig);
    free(back);
    free(orig);
    /* and it runs: one value of G per region */
    assert_int_equal(dtb_experiment_run(l, tmp("rt_out"), NULL, NULL), DTB_OK);
    assert_true(exists(tmp("rt_out/tavg.csv")));
    dtb_experiment_free(l);
    dtb_experiment_free(e);
    assert_int_equal(dtb_experiment_save(e = NULL, saved), DTB_EINVAL);
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = read_text_file(a, &la), *y = read_text_file(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* A run writes its provenance; the experiment.xml beside its results
 * reproduces them bit for bit. */
static void test_provenance_and_rerun(void **state)
{
    (void)state;
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    char atlas[4200];
    snprintf(atlas, sizeof atlas, "%s", shared_path("atlases/tvb76"));
    add_ok(e, "atlas", atlas);
    add_ok(e, "model", "generic_2d_oscillator");
    add_ok(e, "noise", "1e-4");
    add_ok(e, "seed", "9");
    add_ok(e, "duration", "30ms");
    add_ok(e, "lesion", "region=rA1:at=10ms");
    add_ok(e, "stimulus", "pulse:onset=2ms,width=3ms,amplitude=1:regions=lA1:into=V");
    assert_int_equal(dtb_experiment_run(e, tmp("first"), NULL, NULL), DTB_OK);
    char *prov = read_text_file(tmp("first/provenance.json"), NULL);
    assert_non_null(prov);
    char hex[65], weights[4300];
    snprintf(weights, sizeof weights, "%s/weights.txt", atlas);
    assert_int_equal(dtb__sha256_file(weights, hex), DTB_OK);
    assert_non_null(strstr(prov, hex));                  /* the atlas' checksum */
    assert_non_null(strstr(prov, "\"seed\": 9"));
    assert_non_null(strstr(prov, "\"completed\": true"));
    assert_non_null(strstr(prov, "t=0.01 s (step 100): lesion of region"));
    assert_non_null(strstr(prov, "stimulus into 'V'"));
    assert_non_null(strstr(prov, "\"file\": \"tavg.csv\", \"kind\": \"tavg\", \"samples\": 30"));
    free(prov);
    dtb_experiment *again;
    assert_int_equal(dtb_experiment_load(&again, tmp("first/experiment.xml")), DTB_OK);
    assert_int_equal(dtb_experiment_run(again, tmp("second"), NULL, NULL), DTB_OK);
    char a[4096];
    snprintf(a, sizeof a, "%s", tmp("first/tavg.csv"));
    assert_true(same_file(a, tmp("second/tavg.csv")));
    dtb_experiment_free(again);

    /* the lesion acts from its time on: identical before, different after */
    dtb_experiment *plain;
    assert_int_equal(dtb_experiment_clone(&plain, e), DTB_OK);
    assert_int_equal(dtb_experiment_remove(plain, "lesion"), DTB_OK);
    assert_int_equal(dtb_experiment_run(plain, tmp("plain"), NULL, NULL), DTB_OK);
    char *x = read_text_file(tmp("first/tavg.csv"), NULL), *y = read_text_file(tmp("plain/tavg.csv"), NULL);
    /* header + 10 rows (t <= 10 ms) agree; the 11th (10-11 ms) differs */
    char *px = x, *py = y;
    for (int row = 0; row < 11; row++) {
        char *ex = strchr(px, '\n'), *ey = strchr(py, '\n');
        assert_int_equal(ex - px, ey - py);
        assert_memory_equal(px, py, (size_t)(ex - px));
        px = ex + 1;
        py = ey + 1;
    }
    assert_true(strcmp(px, py) != 0);
    free(x);
    free(y);
    dtb_experiment_free(plain);
    dtb_experiment_free(e);
}

/* Checkpoint at 20 ms, resume to 40 ms: the files equal a run never
 * interrupted (the default twin, with its noise). */
static void test_checkpoint_and_resume(void **state)
{
    (void)state;
    dtb_experiment *full;
    assert_int_equal(dtb_experiment_create(&full), DTB_OK);
    add_ok(full, "duration", "40ms");
    add_ok(full, "observe", "tavg:period=3ms");
    add_ok(full, "observe", "raw");
    add_ok(full, "format", "npy");
    assert_int_equal(dtb_experiment_run(full, tmp("whole"), NULL, NULL), DTB_OK);

    dtb_experiment *part;
    assert_int_equal(dtb_experiment_clone(&part, full), DTB_OK);
    add_ok(part, "duration", "20ms");
    add_ok(part, "checkpoint", tmp("half.ckpt"));
    if (dtb_experiment_run(part, tmp("parts"), NULL, NULL))
        fail_msg("%s", dtb_last_error_message());
    assert_true(exists(tmp("half.ckpt")));
    dtb_experiment *rest;
    assert_int_equal(dtb_experiment_clone(&rest, full), DTB_OK);
    add_ok(rest, "resume", tmp("half.ckpt"));
    assert_int_equal(dtb_experiment_run(rest, tmp("parts"), NULL, NULL), DTB_OK);
    char a[4096];
    snprintf(a, sizeof a, "%s", tmp("whole/tavg.npy"));
    assert_true(same_file(a, tmp("parts/tavg.npy")));
    snprintf(a, sizeof a, "%s", tmp("whole/raw.npy"));
    assert_true(same_file(a, tmp("parts/raw.npy")));
    char *prov = read_text_file(tmp("parts/provenance.json"), NULL);
    assert_non_null(strstr(prov, "half.ckpt"));   /* resumed_from */
    free(prov);

    /* checkpoint-at in the middle of a run that goes on */
    dtb_experiment *mid;
    assert_int_equal(dtb_experiment_clone(&mid, full), DTB_OK);
    add_ok(mid, "checkpoint-at", "25ms");
    add_ok(mid, "checkpoint", tmp("mid.ckpt"));
    assert_int_equal(dtb_experiment_run(mid, tmp("mid"), NULL, NULL), DTB_OK);
    snprintf(a, sizeof a, "%s", tmp("whole/tavg.npy"));
    assert_true(same_file(a, tmp("mid/tavg.npy")));   /* writing it changes nothing */
    /* building an experiment that resumes from it starts at 25 ms (and
     * continues the files it finds) */
    dtb_experiment *probe;
    assert_int_equal(dtb_experiment_clone(&probe, full), DTB_OK);
    add_ok(probe, "resume", tmp("mid.ckpt"));
    dtb_sim *sim;
    assert_int_equal(dtb_experiment_build(probe, tmp("mid"), &sim), DTB_OK);
    assert_true(fabs(dtb_sim_time(sim) - 0.025) < 1e-12);
    dtb_sim_free(sim);
    dtb_experiment_free(probe);
    /* a fresh build cannot take over a checkpoint's files: they hold nothing */
    assert_int_equal(dtb_experiment_build(full, tmp("probe"), &sim), DTB_OK);
    assert_int_equal(dtb_sim_load_checkpoint(sim, tmp("mid.ckpt")), DTB_ESTATE);
    assert_error_contains("DTB_OBSERVER_FLAG_APPEND");
    dtb_sim_free(sim);

    /* resuming past the end, or a checkpoint-at after it, is refused */
    add_ok(rest, "duration", "10ms");
    assert_int_equal(dtb_experiment_run(rest, tmp("late"), NULL, NULL), DTB_EINVAL);
    assert_error_contains("after the end of the run");
    assert_false(exists(tmp("late")));
    add_ok(mid, "checkpoint-at", "1s");
    assert_int_equal(dtb_experiment_run(mid, tmp("late"), NULL, NULL), DTB_EINVAL);
    assert_false(exists(tmp("late")));
    dtb_experiment_free(mid);
    dtb_experiment_free(rest);
    dtb_experiment_free(part);
    dtb_experiment_free(full);
}

/* What only the atlas or model can tell fails at build, leaving nothing. */
static void test_build_failures_leave_nothing(void **state)
{
    (void)state;
    static const struct {
        const char *name, *value, *says;
    } cases[] = {
        {"set", "nope=1", "has no parameter 'nope'"},
        {"observe", "tavg:vars=Nope", "Nope"},
        {"stimulus", "pulse:onset=1ms,width=1ms:regions=NoSuchRegion:into=I_ext", "NoSuchRegion"},
        {"stimulus", "pulse:onset=1ms,width=1ms:into=nothing", "nothing"},
        {"lesion", "region=999", "out of range"},
        {"lesion", "edge=A8m_L:Nowhere*:at=5ms", "Nowhere"},
        {"init", "Q=1", "no state variable 'Q'"},
        {"noise", "Q=1", "no state variable 'Q'"},
        {"atlas", "/no/such/atlas", "atlas"},
        {"model", "/no/such/model.xml", "model"},
        {"resume", "/no/such/file.ckpt", "resume"},
        {"checkpoint-at", "5ms", "say where to write it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtb_experiment *e;
        assert_int_equal(dtb_experiment_create(&e), DTB_OK);
        add_ok(e, "duration", "10ms");
        add_ok(e, cases[i].name, cases[i].value);
        dtb_status st = dtb_experiment_run(e, tmp("nothing/here"), NULL, NULL);
        if (st == DTB_OK || !strstr(dtb_last_error_message(), cases[i].says))
            fail_msg("%s=%s: status %d, '%s'", cases[i].name, cases[i].value, (int)st,
                     dtb_last_error_message());
        if (exists(tmp("nothing")))
            fail_msg("%s=%s left a folder behind", cases[i].name, cases[i].value);
        dtb_experiment_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_provenance_and_rerun),
        cmocka_unit_test(test_checkpoint_and_resume),
        cmocka_unit_test(test_build_failures_leave_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
