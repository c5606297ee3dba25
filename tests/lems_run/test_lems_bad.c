/* The malformed-input corpus (tests/data/lems_bad): every file gives a
 * clear error with its status, the file and line, and what is wrong; none
 * crashes or leaks (the suite also runs under AddressSanitizer and
 * valgrind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "lems/lems.h"
#include "test_util.h"

static const char *bad_path(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/lems_bad/%s", DTB_TEST_DATA, name);
    return buf;
}

static void test_corpus(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        dtb_status status;
        const char *fragments[3];
    } cases[] = {
        {"unclosed_tag.xml", DTB_EPARSE, {"unclosed_tag.xml:6", "malformed XML", NULL}},
        {"empty.xml", DTB_EPARSE, {"empty.xml:1", "empty", NULL}},
        {"binary_garbage.xml", DTB_EPARSE, {"binary_garbage.xml:1", "malformed XML", NULL}},
        {"wrong_root.xml", DTB_EPARSE, {"wrong_root.xml:2", "<Lems> or <neuroml>", NULL}},
        {"unknown_element.xml", DTB_EPARSE, {"unknown_element.xml:4", "StateVaraible", "unknown element"}},
        {"derived_state_clash.xml", DTB_EPARSE, {"derived_state_clash.xml:11", "name of a StateVariable",
                                                  "value=\"2 * S\""}},
        {"unknown_top_element.xml", DTB_EPARSE, {"unknown_top_element.xml:3", "Widget", NULL}},
        {"undefined_symbol.xml", DTB_ENOTFOUND, {"undefined_symbol.xml:11", "'q' is not defined", "(q - x) / tau"}},
        {"dimension_mismatch.xml", DTB_EPARSE, {"dimension_mismatch.xml:10", "'v + t'", "cannot add voltage"}},
        {"dimension_mismatch.xml", DTB_EPARSE, {"and time", NULL, NULL}},
        {"dimension_derivative.xml", DTB_EPARSE, {"dimension_derivative.xml:11", "dimension current",
                                                  "rate of change of 'v'"}},
        {"dimension_function.xml", DTB_EPARSE, {"dimension_function.xml:10", "exp needs a dimensionless", "voltage"}},
        {"test_not_condition.xml", DTB_EPARSE, {"test_not_condition.xml:5", "'x + 1'", "not a condition"}},
        {"cyclic_extends.xml", DTB_EPARSE, {"cyclic_extends.xml:2", "cyclic 'extends'", "'A' -> 'C' -> 'B' -> 'A'"}},
        {"extends_unknown.xml", DTB_ENOTFOUND, {"extends_unknown.xml:2", "Nowhere", NULL}},
        {"cyclic_include_a.xml", DTB_EPARSE, {"cyclic_include_b.xml:3", "cyclic Include", NULL}},
        {"huge_number.xml", DTB_EINVAL, {"huge_number.xml:10", "1e999mV", "not finite"}},
        {"huge_literal.xml", DTB_EPARSE, {"huge_literal.xml:4", "1e400", "out of range"}},
        {"deep_expression.xml", DTB_EPARSE, {"deep_expression.xml:4", "nested too deeply", NULL}},
        {"wrong_unit.xml", DTB_EPARSE, {"wrong_unit.xml:10", "'ms' has dimension time", "expected voltage"}},
        {"unknown_unit.xml", DTB_ENOTFOUND, {"unknown_unit.xml:10", "furlongs", NULL}},
        {"bad_expression.xml", DTB_EPARSE, {"bad_expression.xml:5", "x .gt. (1 +", "unexpected end"}},
        {"misplaced_child.xml", DTB_EPARSE, {"misplaced_child.xml:9", "Other", "cannot hold"}},
        {"assign_not_state.xml", DTB_ENOTFOUND, {"assign_not_state.xml:7", "'k' is not a StateVariable", NULL}},
        {"unknown_port.xml", DTB_ENOTFOUND, {"unknown_port.xml:7", "'spikes'", NULL}},
        {"unknown_regime.xml", DTB_ENOTFOUND, {"unknown_regime.xml:7", "'off'", NULL}},
        {"missing_reference.xml", DTB_ENOTFOUND, {"missing_reference.xml:6", "noSuchCell", NULL}},
        {"kinetic_scheme.xml", DTB_ENOTFOUND, {"kinetic_scheme.xml:4", "KineticScheme name='ks'",
                                               "'states' is not a Children"}},
        {"duplicate_type.xml", DTB_EPARSE, {"duplicate_type.xml:3", "already declared", NULL}},
        /* the second of two equations with one name, found through the name
         * index (lems_names.c): a broken index passes the repeat or names
         * the wrong line */
        {"duplicate_derived.xml", DTB_EPARSE, {"duplicate_derived.xml:9", "'a' is defined twice", "<DerivedVariable>"}},
        {"duplicate_regime_derivative.xml", DTB_EPARSE, {"duplicate_regime_derivative.xml:9", "'x' is defined twice", "<TimeDerivative>"}},
        {"duplicate_derived_parameter.xml", DTB_EPARSE, {"duplicate_derived_parameter.xml:6", "'k2' is defined twice", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtb__lems_doc doc;
        dtb_status st = dtb__lems_read_file(&doc, bad_path(cases[i].file), NULL);
        const char *msg = dtb_last_error_message();
        if (st != cases[i].status)
            print_error("%s: status %d, expected %d: %s\n", cases[i].file, (int)st, (int)cases[i].status, msg);
        assert_int_equal(st, cases[i].status);
        for (int f = 0; f < 3 && cases[i].fragments[f]; f++) {
            const char *frag = cases[i].fragments[f];
            int found = strstr(msg, frag) != NULL;
            if (!found)
                print_error("%s: the message lacks \"%s\": %s\n", cases[i].file, frag, msg);
            assert_true(found);
        }
        /* A failed read leaves nothing behind. */
        assert_int_equal(doc.n_types, 0);
        assert_null(doc.types);
    }
}

/* The same inputs from memory, cut at every length: never a crash. */
static void test_truncated_documents(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/models/decay.xml", DTB_TEST_DATA);
    size_t len;
    char *xml = read_text_file(path, &len);
    assert_non_null(xml);
    for (size_t n = 0; n < len; n++) {
        dtb__lems_doc doc;
        dtb_status st = dtb__lems_read_memory(&doc, xml, n, "cut.xml", NULL);
        if (st == DTB_OK)
            dtb__lems_doc_free(&doc);
        else
            assert_non_null(strstr(dtb_last_error_message(), "cut.xml"));
    }
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_truncated_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
