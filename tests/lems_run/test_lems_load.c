/* Every NeuroML2/LEMS file of the shared corpus loads (types resolved,
 * every expression checked, every component checked), the one with a
 * KineticScheme (Ex4_KS) too. Also: the Target of each simulation file can
 * be built by the engine. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "lems/lems.h"
#include "lems_run/lems_run.h"
#include "test_util.h"

static char core[4096];
static int n_files, n_simulations;

static int load_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag != FTW_F || !(strstr(path, ".xml") || strstr(path, ".nml")))
        return 0;
    const char *dirs[] = {core};
    dtb__lems_read_options o = {dirs, 1};
    dtb__lems_doc doc;
    dtb_status s = dtb__lems_read_file(&doc, path, &o);
    n_files++;
    if (s)
        print_error("%s: %s\n", path, dtb_last_error_message());
    assert_int_equal(s, DTB_OK);
    if (doc.target) {
        /* Every simulation builds (the file's Target). */
        dtb__lr_sim *sim = NULL;
        s = dtb__lr_create(&doc, NULL, &sim);
        if (s)
            print_error("%s: %s\n", path, dtb_last_error_message());
        assert_int_equal(s, DTB_OK);
        assert_true(dtb__lr_instance_count(sim) > 0);
        dtb__lr_free(sim);
        n_simulations++;
    }
    dtb__lems_doc_free(&doc);
    return 0;
}

static void test_every_shared_file_loads(void **state)
{
    (void)state;
    snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    assert_int_equal(nftw(shared_path("neuroml"), load_one, 16, FTW_PHYS), 0);
    print_message("%d files, %d simulations built\n", n_files, n_simulations);
    assert_true(n_files >= 45);
    assert_true(n_simulations >= 14);
}

/* The core types: counts from LEMS-NOTES §1. */
static void test_core_type_counts(void **state)
{
    (void)state;
    /* All ten core files (NeuroML2CoreTypes.xml itself leaves out PyNN.xml
     * and Simulation.xml). */
    static const char *const names[] = {"NeuroML2CoreTypes", "NeuroMLCoreDimensions", "NeuroMLCoreCompTypes",
                                        "Cells", "Channels", "Synapses", "Inputs", "Networks", "PyNN",
                                        "Simulation"};
    char xml[2048] = "<Lems>";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        snprintf(xml + strlen(xml), sizeof xml - strlen(xml), "<Include file='%s.xml'/>", names[i]);
    strcat(xml, "</Lems>");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    const char *dirs[] = {dir};
    dtb__lems_read_options o = {dirs, 1};
    dtb__lems_doc doc;
    assert_int_equal(dtb__lems_read_memory(&doc, xml, strlen(xml), "all.xml", &o), DTB_OK);
    assert_int_equal(doc.n_files, 11);
    assert_int_equal(doc.n_types, 272);
    size_t with_dynamics = 0, extending = 0;
    for (size_t i = 0; i < doc.n_types; i++) {
        with_dynamics += doc.types[i].has_dynamics;
        extending += doc.types[i].extends != NULL;
    }
    assert_int_equal(with_dynamics, 122);
    assert_int_equal(extending, 180);
    /* Inheritance: iafRefCell replaces iafCell's Dynamics; ionChannelVShift
     * has none of its own and runs ionChannel's. */
    const dtb__lems_comptype *ref = dtb__lems_resolved_type(&doc, "iafRefCell");
    assert_non_null(ref);
    assert_int_equal(ref->n_regimes, 2);
    assert_true(ref->dynamics_from == dtb__lems_find_type(&doc, "iafRefCell"));
    assert_true(dtb__lems_type_is(ref, "baseStandalone"));
    const dtb__lems_comptype *vs = dtb__lems_resolved_type(&doc, "ionChannelVShift");
    assert_true(vs->dynamics_from == dtb__lems_find_type(&doc, "ionChannel"));
    assert_true(dtb__lems_find_quantity(vs->params, vs->n_params, "conductance") >= 0);
    assert_true(dtb__lems_find_quantity(vs->params, vs->n_params, "vShift") >= 0);
    /* izhikevich2007Cell: 5 levels up to baseStandalone, 8 own parameters + C. */
    const dtb__lems_comptype *iz = dtb__lems_resolved_type(&doc, "izhikevich2007Cell");
    int depth = 0;
    for (const dtb__lems_comptype *t = iz; t->super; t = t->super)
        depth++;
    assert_int_equal(depth, 5);
    assert_int_equal(iz->n_params, 10);
    dtb__lems_doc_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shared_file_loads),
        cmocka_unit_test(test_core_type_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
