/* dtb run's observer flags and dtb plot: every new --observe kind and its
 * files (column layouts, fc.csv's label header), the NPY format,
 * --empirical-fc (its fit printed; a perfect fit to itself), --plot and
 * dtb plot (SVG files that parse), and bad values: exit status 2 and
 * nothing written. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "io/npy.h"
#include "test_util.h"

/* `dtb run` here simulates the generic 2D oscillator (V, W) on the
 * default atlas: the tests were written for it, not for the default twin. */
static int dtb(const char *args)
{
    int run = strncmp(args, "run ", 4) == 0 && !strstr(args, "--model");
    return test_run(test_output, sizeof test_output, "'%s' %s%s", DTB_EXE,
                    run ? "run --model generic_2d_oscillator " : "", run ? args + 4 : args);
}

/* The first line of a file, in a static buffer. */
static const char *first_line(const char *name)
{
    static char line[1 << 14];
    FILE *f = fopen(test_tmp(name), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    return line;
}

static int line_count(const char *name)
{
    char *text = read_text_file(test_tmp(name), NULL);
    assert_non_null(text);
    int n = 0;
    for (char *p = text; *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

static void assert_svg(const char *name)
{
    xmlDoc *doc = xmlReadFile(test_tmp(name), NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                        XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("%s is not well-formed XML", name);
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "svg");
    xmlFreeDoc(doc);
}

static void test_every_kind(void **state)
{
    (void)state;
    assert_int_equal(dtb("run --duration 60ms --quiet --out o1 --observe bold:tr=10ms "
                         "--observe eeg --observe fc --observe fcd:window=10ms:step=5ms "
                         "--observe psd:segment=20ms --observe spikes:threshold=-0.1 "
                         "--observe rate:threshold=-0.1:period=5ms --observe bold:tr=20ms:set=opendtb "
                         "--observe fc:of=bold:tr=10ms:set=stephan2007:skip=20ms "
                         "--observe eeg:head=sphere:noise=1"),
                     0);
    assert_true(strncmp(first_line("o1/bold.csv"), "t,V.0,V.1,", 10) == 0);
    assert_int_equal(line_count("o1/bold.csv"), 1 + 6);
    assert_int_equal(line_count("o1/bold-2.csv"), 1 + 3);
    assert_true(strncmp(first_line("o1/eeg.csv"), "t,Fp1,Fpz,Fp2,F7,", 17) == 0);
    assert_true(test_exists("o1/eeg-2.csv"));
    /* fc.csv: a header of region labels, then 246 rows of 246. */
    assert_true(strncmp(first_line("o1/fc.csv"), "A8m_L,A8m_R,", 12) == 0);
    assert_int_equal(line_count("o1/fc.csv"), 1 + 246);
    assert_int_equal(line_count("o1/fc-2.csv"), 1 + 246);
    assert_true(strncmp(first_line("o1/psd.csv"), "f,V.0,", 6) == 0);
    assert_int_equal(line_count("o1/psd.csv"), 1 + 11);
    assert_int_equal(line_count("o1/fcd.csv"), 1 + 11);
    assert_string_equal(first_line("o1/spikes.csv"), "t,unit");
    assert_string_equal(first_line("o1/rate.csv"), "t,V.rate");
    assert_non_null(strstr(test_output, "o1/fc.csv: 246 x 246 fc, from 60 samples"));
    assert_non_null(strstr(test_output, "o1/fc-2.csv: 246 x 246 fc, from 5 samples"));
    /* No stray temporary files. */
    assert_false(test_exists("o1/fc.csv.tmp"));
}

static void test_npy_format(void **state)
{
    (void)state;
    assert_int_equal(dtb("run --duration 40ms --quiet --out o2 --format npy "
                         "--observe bold:tr=10ms:set=tvb-volterra --observe fc"), 0);
    dtb__npy_array a = {0};
    assert_int_equal(dtb__npy_read(test_tmp("o2/bold.npy"), &a), DTB_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 4);
    assert_int_equal(a.shape[1], 247);
    assert_float_equal(a.data[0], 0.01, 1e-12);
    dtb__npy_array_free(&a);
    assert_int_equal(dtb__npy_read(test_tmp("o2/fc.npy"), &a), DTB_OK);
    assert_int_equal(a.shape[0], 246);
    assert_int_equal(a.shape[1], 246);
    dtb__npy_array_free(&a);
}

static void test_empirical_fc_and_plots(void **state)
{
    (void)state;
    /* A run's own FC as the empirical one: r = 1. */
    assert_int_equal(dtb("run --duration 30ms --quiet --out o3 --observe fc"), 0);
    assert_int_equal(dtb("run --duration 30ms --quiet --out o4 --empirical-fc o3/fc.csv --plot "
                         "--plot-regions 0,A8m_R,Cz"),
                     0);
    assert_non_null(strstr(test_output, "FC fit to o3/fc.csv: r = 1.0000"));
    /* No fc observer asked for: the default tavg plus an implicit fc. */
    assert_true(test_exists("o4/tavg.csv") && test_exists("o4/fc.csv"));
    assert_svg("o4/tavg.svg");
    assert_svg("o4/fc.svg");
    assert_non_null(strstr(test_output, "figure: o4/fc.svg"));
    /* dtb plot on a saved folder, into another folder. */
    assert_int_equal(dtb("run --duration 60ms --quiet --out o5 --observe bold:tr=10ms --observe eeg "
                         "--observe psd:segment=20ms --observe fcd:window=10ms "
                         "--observe spikes:threshold=-0.1 --observe rate:threshold=-0.1"), 0);
    mkdir(test_tmp("figs"), 0777);
    assert_int_equal(dtb("plot o5 --out figs --regions 3,A8m_L"), 0);
    static const char *const svgs[] = {"figs/bold.svg", "figs/eeg.svg", "figs/psd.svg",
                                       "figs/fcd.svg", "figs/spikes.svg", "figs/rate.svg"};
    for (size_t i = 0; i < sizeof svgs / sizeof svgs[0]; i++)
        assert_svg(svgs[i]);
    assert_int_equal(dtb("plot o5/bold.csv"), 0);
    assert_svg("o5/bold.svg");
    assert_int_equal(dtb("plot --help"), 0);
    assert_int_equal(dtb("plot"), 2);
    assert_int_equal(dtb("plot nowhere.csv"), 2);
    assert_int_equal(dtb("plot --regions 999 o5/bold.csv"), 2);
    assert_int_equal(dtb("plot --frobnicate o5"), 2);
}

/* dtb plot --brain (issue 14 item 7): brain figures of a folder's region
 * files, on the folder's own atlas, that librsvg renders; files of sensors
 * and spectra are passed over; the wrong atlas is refused. */
static void test_brain_figures(void **state)
{
    (void)state;
    char args[4400];
    snprintf(args, sizeof args, "run --atlas '%s' --duration 200ms --quiet --out b1 "
             "--observe tavg:period=2ms --observe fc --observe eeg --observe psd:segment=50ms",
             shared_path("atlases/tvb76"));
    assert_int_equal(dtb(args), 0);
    assert_int_equal(dtb("plot b1 --brain"), 0);   /* tvb76, from b1/experiment.xml */
    assert_non_null(strstr(test_output, "figure: b1/tavg-brain.svg"));
    assert_non_null(strstr(test_output, "figure: b1/fc-brain.svg"));
    assert_non_null(strstr(test_output, "b1/eeg.csv: not one value per region"));
    assert_false(test_exists("b1/psd-brain.svg"));
    assert_svg("b1/tavg-brain.svg");
    char *svg = read_text_file(test_tmp("b1/fc-brain.svg"), NULL);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "Functional connectivity on the brain (b1/fc.csv)"));
    assert_non_null(strstr(svg, "40 strongest connections"));
    free(svg);
    char cmd[8400], png[4096];
    snprintf(png, sizeof png, "%s", test_tmp("b1/fc-brain.png"));
    snprintf(cmd, sizeof cmd, "rsvg-convert -o '%s' '%s'", png, test_tmp("b1/fc-brain.svg"));
    if (system(cmd) != 0)
        fail_msg("rsvg-convert cannot render b1/fc-brain.svg (tools/install-deps.sh --test "
                 "installs it)");
    assert_true(test_exists("b1/fc-brain.png"));
    /* 76 regions are not bn246's 246 */
    assert_int_equal(dtb("plot b1/tavg.csv --brain --atlas bn246"), 2);
    assert_non_null(strstr(test_output, "not one column per region of atlas 'bn246'"));
    assert_int_equal(dtb("plot b1/fc.csv --brain --atlas bn246"), 2);
}

static void test_bad_values(void **state)
{
    (void)state;
    FILE *f = fopen(test_tmp("small.csv"), "w");
    fputs("1,0.5,0.2\n0.5,1,0.1\n0.2,0.1,1\n", f);
    fclose(f);
    static const char *const bad[] = {
        "--observe bold:set=nope",
        "--observe bold:tr=0",
        "--observe bold:tr=soon",
        "--observe bold:gain=x.txt",
        "--observe eeg:gain=/nonexistent/gain.txt",
        "--observe eeg:head=cube",
        "--observe eeg:noise=-1",
        "--observe meg",
        "--observe seeg:head=sphere",
        "--observe fc:of=fcd",
        "--observe fc:window=1s",
        "--observe fcd:method=nope",
        "--observe fcd:compare=nope",
        "--observe fcd:window=0.2ms",
        "--observe psd:segment=abc",
        "--observe psd:segment=0.1ms",
        "--observe spikes:threshold=abc",
        "--observe spikes:period=1ms",
        "--observe bold:skip=1s",
        "--observe fc:skip=-1ms",
        "--observe rate:threshold",
        "--observe tavg --observe bold:set=stephan",
        "--empirical-fc /nonexistent/fc.csv",
        "--empirical-fc small.csv",
        "--plot --plot-regions NotARegion",
        "--plot-regions 9999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[1024];
        snprintf(args, sizeof args, "run --duration 5ms --quiet --out bad %s", bad[i]);
        int rc = dtb(args);
        if (rc != 2 || test_exists("bad"))
            fail_msg("'%s': exit %d%s\n%s", bad[i], rc, test_exists("bad") ? ", wrote bad/" : "", test_output);
        assert_non_null(strstr(test_output, "dtb: "));
    }
    /* The old flags and files are unchanged. */
    assert_int_equal(dtb("run --duration 5ms --quiet --out o6"), 0);
    assert_true(test_exists("o6/tavg.csv"));
    assert_true(strncmp(first_line("o6/tavg.csv"), "t,V.0,", 6) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_npy_format),
        cmocka_unit_test(test_empirical_fc_and_plots),
        cmocka_unit_test(test_brain_figures),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
