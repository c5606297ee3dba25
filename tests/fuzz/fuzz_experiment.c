/* Fuzz harness: experiment files through the public reader
 * dtb_experiment_load_memory(). An experiment that loads is listed,
 * cloned, saved to a temporary file and read back (the round trip must
 * give the same settings). Experiments are not built or run here (that
 * would simulate and write results for every input). Load errors are
 * expected; crashes, sanitizer reports, leaks and a failed round trip
 * are bugs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dtb/dtb.h>

#include "fuzz.h"

static char saved[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(saved, sizeof saved, "/tmp/dtb-fuzz-experiment-%ld.xml", (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dtb_experiment *e = NULL;
    if (dtb_experiment_load_memory(&e, (const char *)data, size, "fuzz.xml", "/nonexistent") != DTB_OK)
        return 0;
    int64_t n = dtb_experiment_setting_count(e);
    volatile size_t sink = 0;
    for (int64_t i = -1; i <= n; i++)
        sink += (size_t)dtb_experiment_setting_name(e, i) + (size_t)dtb_experiment_setting_value(e, i);
    (void)dtb_experiment_duration(e);
    dtb_experiment *c = NULL;
    if (dtb_experiment_clone(&c, e) == DTB_OK) {
        if (dtb_experiment_save(c, saved) == DTB_OK) {
            dtb_experiment *back = NULL;
            if (dtb_experiment_load(&back, saved) == DTB_OK) {
                /* the same settings in the same order (values may differ
                 * only in how file names are written) */
                if (dtb_experiment_setting_count(back) != n)
                    abort();
                for (int64_t i = 0; i < n; i++)
                    if (strcmp(dtb_experiment_setting_name(back, i), dtb_experiment_setting_name(e, i)))
                        abort();
                dtb_experiment_free(back);
            }
            remove(saved);
        }
        dtb_experiment_free(c);
    }
    dtb_experiment_free(e);
    return 0;
}
