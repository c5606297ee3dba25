/* Bad cell files and bad calls: each refused before any simulation, with
 * a message naming the file, the line and the element, and nothing leaked
 * (the suite runs under valgrind/ASan in CI). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* A cell whose morphology and membrane are the arguments; line 1 is the
 * XML declaration, the morphology starts on line 5. */
static const char *write_cell(const char *name, const char *morphology, const char *membrane)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.nml", test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "<?xml version=\"1.0\"?>\n"
               "<neuroml id=\"bad\">\n"
               "<ionChannelHH id=\"pas\"/>\n"
               "<cell id=\"c\">\n"
               "<morphology id=\"m\">\n%s</morphology>\n"
               "<biophysicalProperties id=\"b\"><membraneProperties>\n%s"
               "<specificCapacitance value=\"1 uF_per_cm2\"/></membraneProperties>\n"
               "<intracellularProperties><resistivity value=\"100 ohm_cm\"/>"
               "</intracellularProperties></biophysicalProperties>\n"
               "</cell>\n</neuroml>\n", morphology, membrane);
    fclose(f);
    return path;
}

#define SOMA "<segment id=\"0\"><proximal x=\"0\" y=\"0\" z=\"0\" diameter=\"10\"/>" \
             "<distal x=\"10\" y=\"0\" z=\"0\" diameter=\"10\"/></segment>\n"
#define DEND(id, parent) "<segment id=\"" id "\"><parent segment=\"" parent "\"/>" \
             "<distal x=\"50\" y=\"0\" z=\"0\" diameter=\"2\"/></segment>\n"
#define LEAK "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"-65mV\"/>\n"

static void refused(const char *name, const char *morphology, const char *membrane,
                    dtb_status code, const char *where, const char *what)
{
    const char *path = write_cell(name, morphology, membrane);
    dtb_mcell *cell = (dtb_mcell *)&cell;
    assert_int_equal(dtb_mcell_load(&cell, path, "c"), code);
    assert_null(cell);
    assert_error_contains(where);
    assert_error_contains(what);
}

static void test_good_template_loads(void **state)
{
    (void)state;
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, write_cell("good", SOMA DEND("1", "0"), LEAK), NULL),
                     DTB_OK);
    assert_int_equal(dtb_mcell_segment_count(cell), 2);
    assert_int_equal(dtb_mcell_set_nseg(cell, 3), DTB_OK);
    assert_int_equal(dtb_mcell_compartment_count(cell), 6);
    dtb_mcell_free(cell);
}

static void test_cycle(void **state)
{
    (void)state;
    refused("cycle", SOMA DEND("1", "2") DEND("2", "1"), LEAK, DTB_EPARSE,
            ".nml:7: <segment id='1'>", "cycle");
}

static void test_missing_parent(void **state)
{
    (void)state;
    refused("orphan", SOMA DEND("1", "7"), LEAK, DTB_EPARSE, ".nml:7: <segment id='1'>",
            "parent segment 7 does not exist");
}

static void test_unknown_group(void **state)
{
    (void)state;
    refused("group", SOMA,
            "<channelDensity id=\"na\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"0mV\" "
            "segmentGroup=\"axon\"/>\n",
            DTB_ENOTFOUND, ".nml:9: <channelDensity id='na'>", "segmentGroup 'axon'");
}

static void test_zero_length(void **state)
{
    (void)state;
    refused("zero", SOMA "<segment id=\"1\"><parent segment=\"0\"/>"
            "<distal x=\"10\" y=\"0\" z=\"0\" diameter=\"2\"/></segment>\n", LEAK, DTB_EPARSE,
            ".nml:7: <segment id='1'>", "zero length");
}

static void test_unknown_channel(void **state)
{
    (void)state;
    refused("channel", SOMA,
            "<channelDensity id=\"k\" ionChannel=\"kv\" condDensity=\"1 S_per_m2\" erev=\"0mV\"/>\n",
            DTB_ENOTFOUND, ".nml:9: <channelDensity id='k'>", "ionChannel 'kv'");
}

static void test_unknown_element(void **state)
{
    (void)state;
    refused("element", SOMA "<segmnt id=\"3\"/>\n", LEAK, DTB_EPARSE, ".nml:7: <segmnt id='3'>",
            "unknown element in <morphology>");
}

static void test_unsupported_elements(void **state)
{
    (void)state;
    refused("nernst", SOMA,
            "<channelDensityNernst id=\"ca\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\"/>\n",
            DTB_EUNSUPPORTED, ".nml:9: <channelDensityNernst id='ca'>", "not supported");
    refused("bad_unit", SOMA,
            "<channelDensity id=\"l\" ionChannel=\"pas\" condDensity=\"1 mV\" erev=\"0mV\"/>\n",
            DTB_EPARSE, ".nml:9: <channelDensity id='l'>", "is not a conductanceDensity");
    refused("two_roots", SOMA "<segment id=\"1\"><proximal x=\"0\" y=\"0\" z=\"0\" diameter=\"1\"/>"
            "<distal x=\"5\" y=\"0\" z=\"0\" diameter=\"1\"/></segment>\n", LEAK, DTB_EPARSE,
            "<segment id='1'>", "a second segment without a parent");
    refused("include_cycle", SOMA "<segmentGroup id=\"a\"><include segmentGroup=\"b\"/></segmentGroup>\n"
            "<segmentGroup id=\"b\"><include segmentGroup=\"a\"/></segmentGroup>\n", LEAK, DTB_EPARSE,
            "<segmentGroup id='a'>", "includes itself");
}

/* A density on one segment (its segment attribute) is a group of that
 * segment; with a segmentGroup as well, or an unknown segment, refused. */
static void test_density_on_a_segment(void **state)
{
    (void)state;
    dtb_mcell *cell = NULL;
    const char *path = write_cell("on_segment", SOMA DEND("1", "0"),
                                  LEAK "<channelDensity id=\"l\" ionChannel=\"pas\" condDensity=\"10 S_per_m2\" "
                                  "erev=\"-40mV\" segment=\"1\"/>\n");
    assert_int_equal(dtb_mcell_load(&cell, path, NULL), DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, 1), DTB_OK);
    int64_t soma = -1, dend = -1;
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "v", &soma), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 1, 0.5, "v", &dend), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 50, 0.025), DTB_OK);
    double vs[2001], vd[2001];
    assert_int_equal(dtb_mcell_trace(cell, soma, vs, 2001, NULL), DTB_OK);
    assert_int_equal(dtb_mcell_trace(cell, dend, vd, 2001, NULL), DTB_OK);
    /* the leak everywhere holds -65 mV, the conductance of the dendrite
     * alone pulls both up, the dendrite, where it is, more */
    assert_true(vd[2000] > vs[2000] && vs[2000] > -64 && vd[2000] < -40);
    dtb_mcell_free(cell);
    refused("segment_and_group", SOMA,
            "<channelDensity id=\"l\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"0mV\" "
            "segment=\"0\" segmentGroup=\"all\"/>\n", DTB_EPARSE, ".nml:9: <channelDensity id='l'>",
            "both 'segment' and 'segmentGroup'");
    refused("unknown_segment", SOMA,
            "<channelDensity id=\"l\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"0mV\" "
            "segment=\"4\"/>\n", DTB_ENOTFOUND, ".nml:9: <channelDensity id='l'>",
            "segment='4' is not a segment");
}

static void test_bad_calls(void **state)
{
    (void)state;
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, write_cell("calls", SOMA DEND("1", "0"), LEAK), "c"),
                     DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, -1), DTB_EINVAL);
    assert_int_equal(dtb_mcell_set_method(cell, 7), DTB_EINVAL);
    assert_error_contains("DTB_MCELL_METHOD_");
    assert_int_equal(dtb_mcell_set_method(NULL, 0), DTB_EINVAL);
    assert_int_equal(dtb_mcell_add_current_clamp(cell, 9, 0.5, 0, 1, 1), DTB_ENOTFOUND);
    assert_error_contains("no segment 9");
    assert_int_equal(dtb_mcell_add_current_clamp(cell, 0, 1.5, 0, 1, 1), DTB_EINVAL);
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "leak/m", NULL), DTB_ENOTFOUND);
    assert_error_contains("has no gate 'm'");
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "w", NULL), DTB_ENOTFOUND);
    int64_t r = -1;
    assert_int_equal(dtb_mcell_add_recording(cell, 1, 1, "v", &r), DTB_OK);
    double v[4];
    assert_int_equal(dtb_mcell_trace(cell, r, v, 4, NULL), DTB_ESTATE);
    size_t n_spikes = 7;
    assert_int_equal(dtb_mcell_spike_times(cell, NULL, 0, &n_spikes), DTB_OK);
    assert_int_equal(n_spikes, 0);
    assert_int_equal(dtb_mcell_spike_times(NULL, NULL, 0, &n_spikes), DTB_EINVAL);
    assert_int_equal(dtb_mcell_run(cell, 1, 0), DTB_EINVAL);
    /* traces that would not fit in memory: refused before anything is allocated */
    assert_int_equal(dtb_mcell_run(cell, 1e7, 0.025), DTB_EINVAL);
    assert_error_contains("GiB of traces");
    assert_int_equal(dtb_mcell_run(cell, 1e12, 0.025), DTB_EINVAL);
    assert_error_contains("more than 1e9");
    assert_int_equal(dtb_mcell_run(cell, 0.075, 0.025), DTB_OK);
    assert_int_equal(dtb_mcell_trace_length(cell), 4);
    size_t needed = 0;
    assert_int_equal(dtb_mcell_trace(cell, r, v, 2, &needed), DTB_EBUFSIZE);
    assert_int_equal(needed, 4);
    assert_int_equal(dtb_mcell_trace(cell, 1, v, 4, NULL), DTB_EINVAL);
    /* A leak-only cell at its reversal potential stays there. */
    assert_int_equal(dtb_mcell_trace(cell, r, v, 4, NULL), DTB_OK);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(v[i] + 65) < 1e-9);
    dtb_mcell_free(cell);
    dtb_mcell_free(NULL);
    assert_int_equal(dtb_mcell_segment_count(NULL), -1);
    assert_int_equal(dtb_mcell_compartment_count(NULL), -1);
    assert_int_equal(dtb_mcell_trace_length(NULL), -1);
    assert_int_equal(dtb_mcell_load(&cell, "/nonexistent/cell.nml", NULL), DTB_ENOTFOUND);
}

/* A q10ExpTemp needs a temperature: set, or the file's <network
 * temperature> (ball_and_stick.nml has one, branched.nml none). */
static void test_temperature_needed(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/mcell/branched.nml", DTB_TEST_DATA);
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, path, NULL), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "v", NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 1, 0.025), DTB_ESTATE);
    assert_error_contains("gate 'm' of ion channel 'naChan' has a q10ExpTemp (line 11)");
    assert_int_equal(dtb_mcell_trace_length(cell), 0);
    assert_int_equal(dtb_mcell_set_temperature(cell, NAN), DTB_EINVAL);
    assert_int_equal(dtb_mcell_set_temperature(cell, -300), DTB_EINVAL);
    assert_int_equal(dtb_mcell_set_temperature(NULL, 6.3), DTB_EINVAL);
    assert_int_equal(dtb_mcell_set_temperature(cell, 6.3), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 1, 0.025), DTB_OK);
    assert_int_equal(dtb_mcell_trace_length(cell), 41);
    dtb_mcell_free(cell);
    snprintf(path, sizeof path, "%s/mcell/ball_and_stick.nml", DTB_TEST_DATA);
    assert_int_equal(dtb_mcell_load(&cell, path, NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 1, 0.025), DTB_OK);
    dtb_mcell_free(cell);
    /* No q10 at all (the template's leak has no gate): no temperature needed. */
    assert_int_equal(dtb_mcell_load(&cell, write_cell("no_q10", SOMA, LEAK), NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 1, 0.025), DTB_OK);
    dtb_mcell_free(cell);
}

static void test_bad_q10(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/q10.nml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<neuroml>\n<ionChannelHH id=\"k\"><gateHHrates id=\"n\" instances=\"1\">\n"
          "<q10Settings type=\"q10ExpTemp\" q10Factor=\"3\" experimentalTemp=\"6.3 mV\"/>\n"
          "<forwardRate type=\"HHExpRate\" rate=\"1per_ms\" midpoint=\"0mV\" scale=\"1mV\"/>\n"
          "<reverseRate type=\"HHExpRate\" rate=\"1per_ms\" midpoint=\"0mV\" scale=\"1mV\"/>\n"
          "</gateHHrates></ionChannelHH>\n<cell id=\"c\"/></neuroml>\n", f);
    fclose(f);
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, path, NULL), DTB_EPARSE);
    assert_error_contains("q10.nml:3: <q10Settings>: experimentalTemp='6.3 mV': the unit 'mV' is not a temperature");
}

/* A channel whose forward rate (line 7) is the LEMS ComponentType R (line
 * 2), whose Dynamics are on line 4. */
static const char *write_rate_type(const char *name, const char *dynamics, const char *rate)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.nml", test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "<neuroml>\n<ComponentType name=\"R\" extends=\"baseVoltageDepRate\">\n"
               "<Constant name=\"T\" dimension=\"time\" value=\"1ms\"/><Dynamics>\n"
               "%s\n</Dynamics></ComponentType>\n"
               "<ionChannelHH id=\"k\"><gateHHrates id=\"n\" instances=\"1\">\n%s\n"
               "<reverseRate type=\"HHExpRate\" rate=\"1per_ms\" midpoint=\"0mV\" scale=\"1mV\"/>\n"
               "</gateHHrates></ionChannelHH>\n<cell id=\"c\"><morphology id=\"m\">%s</morphology>\n"
               "<biophysicalProperties id=\"b\"><membraneProperties>%s"
               "<specificCapacitance value=\"1 uF_per_cm2\"/></membraneProperties>"
               "<intracellularProperties><resistivity value=\"100 ohm_cm\"/></intracellularProperties>"
               "</biophysicalProperties></cell></neuroml>\n", dynamics, rate, SOMA,
            "<channelDensity id=\"kd\" ionChannel=\"k\" condDensity=\"1 S_per_m2\" erev=\"-80mV\"/>");
    fclose(f);
    return path;
}

static void test_lems_rates(void **state)
{
    (void)state;
    dtb_mcell *cell = NULL;
    /* A good one runs, and its gate moves as r says: r = 1/T = 1/ms and a
     * reverse rate of exp(v/1mV) ~ 0 at -65 mV: the gate sits at 1. */
    const char *good = write_rate_type("good_rate", "<DerivedVariable name=\"r\" value=\"1 / T\"/>",
                                       "<forwardRate type=\"R\"/>");
    assert_int_equal(dtb_mcell_load(&cell, good, NULL), DTB_OK);
    int64_t g = -1;
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "kd/n", &g), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 1, 0.025), DTB_OK);
    double n[41];
    assert_int_equal(dtb_mcell_trace(cell, g, n, 41, NULL), DTB_OK);
    assert_true(fabs(n[0] - 1) < 1e-12 && fabs(n[40] - 1) < 1e-12);
    dtb_mcell_free(cell);

    cell = (dtb_mcell *)&cell;
    const char *bad = write_rate_type("unknown_symbol", "<DerivedVariable name=\"r\" value=\"w / T\"/>",
                                      "<forwardRate type=\"R\"/>");
    assert_int_equal(dtb_mcell_load(&cell, bad, NULL), DTB_ENOTFOUND);
    assert_null(cell);
    assert_error_contains(":4: <DerivedVariable>");
    assert_error_contains("'w'");
    bad = write_rate_type("no_r", "<DerivedVariable name=\"q\" value=\"1 / T\"/>",
                          "<forwardRate type=\"R\"/>");
    assert_int_equal(dtb_mcell_load(&cell, bad, NULL), DTB_EPARSE);
    assert_error_contains(":2: <ComponentType>: does not define r");
    bad = write_rate_type("no_type", "<DerivedVariable name=\"r\" value=\"1 / T\"/>",
                          "<forwardRate type=\"Q\"/>");
    assert_int_equal(dtb_mcell_load(&cell, bad, NULL), DTB_EUNSUPPORTED);
    assert_error_contains(":7: <forwardRate>: forwardRate type 'Q'");
    bad = write_rate_type("state", "<StateVariable name=\"s\" dimension=\"none\"/>",
                          "<forwardRate type=\"R\"/>");
    assert_int_equal(dtb_mcell_load(&cell, bad, NULL), DTB_EUNSUPPORTED);
    assert_error_contains(":4: <StateVariable>");
}

/* The standard steady-state forms and fixedTimeCourse: a soma whose huge
 * leak takes it from -65 to -45 mV within a step; each gate then relaxes
 * from inf(-65) to inf(-45) as exp(-t/tau) exactly (cnexp at constant v). */
static void test_standard_variables(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/variables.nml", test_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "<neuroml>\n<ionChannelHH id=\"g\">\n"
               "<gateHHtauInf id=\"s\" instances=\"1\"><timeCourse type=\"fixedTimeCourse\" tau=\"2ms\"/>"
               "<steadyState type=\"HHSigmoidVariable\" rate=\"1\" midpoint=\"-55mV\" scale=\"5mV\"/></gateHHtauInf>\n"
               "<gateHHtauInf id=\"e\" instances=\"1\"><timeCourse type=\"fixedTimeCourse\" tau=\"1ms\"/>"
               "<steadyState type=\"HHExpVariable\" rate=\"0.5\" midpoint=\"-40mV\" scale=\"10mV\"/></gateHHtauInf>\n"
               "<gateHHtauInf id=\"l\" instances=\"1\"><timeCourse type=\"fixedTimeCourse\" tau=\"3ms\"/>"
               "<steadyState type=\"HHExpLinearVariable\" rate=\"0.1\" midpoint=\"-50mV\" scale=\"10mV\"/></gateHHtauInf>\n"
               "</ionChannelHH>\n<ionChannelHH id=\"pas\"/>\n"
               "<cell id=\"c\"><morphology id=\"m\">%s</morphology>\n"
               "<biophysicalProperties id=\"b\"><membraneProperties>"
               "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_cm2\" erev=\"-45mV\"/>"
               "<channelDensity id=\"gd\" ionChannel=\"g\" condDensity=\"0 S_per_m2\" erev=\"0mV\"/>"
               "<specificCapacitance value=\"0.01 uF_per_cm2\"/><initMembPotential value=\"-65mV\"/>"
               "</membraneProperties><intracellularProperties><resistivity value=\"100 ohm_cm\"/>"
               "</intracellularProperties></biophysicalProperties></cell></neuroml>\n", SOMA);
    fclose(f);
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, path, NULL), DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, 1), DTB_OK);
    static const char *const gates[] = {"gd/s", "gd/e", "gd/l"};
    static const double tau[] = {2, 1, 3};
    for (int k = 0; k < 3; k++)
        assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, gates[k], NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 10, 0.025), DTB_OK);
    double q[401];
    for (int k = 0; k < 3; k++) {
        double inf65, inf45;
        double x65, x45;
        switch (k) {
        case 0:
            inf65 = 1 / (1 + exp(-(-65.0 + 55) / 5));
            inf45 = 1 / (1 + exp(-(-45.0 + 55) / 5));
            break;
        case 1:
            inf65 = 0.5 * exp((-65.0 + 40) / 10);
            inf45 = 0.5 * exp((-45.0 + 40) / 10);
            break;
        default:
            x65 = (-65.0 + 50) / 10;
            x45 = (-45.0 + 50) / 10;
            inf65 = 0.1 * x65 / (1 - exp(-x65));
            inf45 = 0.1 * x45 / (1 - exp(-x45));
            break;
        }
        assert_int_equal(dtb_mcell_trace(cell, k, q, 401, NULL), DTB_OK);
        assert_true(fabs(q[0] - inf65) < 1e-12);
        /* from the first step on (v at -45 within 0.01 mV) */
        double expect = inf45 + (q[1] - inf45) * exp(-(10 - 0.025) / tau[k]);
        assert_true(fabs(q[400] - expect) < 1e-5);
        assert_true(fabs(q[1] - inf65) > 1e-4);   /* it moved */
    }
    dtb_mcell_free(cell);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_template_loads), cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_missing_parent),      cmocka_unit_test(test_unknown_group),
        cmocka_unit_test(test_zero_length),         cmocka_unit_test(test_unknown_channel),
        cmocka_unit_test(test_unknown_element),     cmocka_unit_test(test_unsupported_elements),
        cmocka_unit_test(test_bad_calls),   cmocka_unit_test(test_temperature_needed),
        cmocka_unit_test(test_bad_q10),     cmocka_unit_test(test_lems_rates),
        cmocka_unit_test(test_standard_variables), cmocka_unit_test(test_density_on_a_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
