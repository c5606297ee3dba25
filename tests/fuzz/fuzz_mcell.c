/* Fuzz harness: multi-compartment NeuroML2 cells through the public loader
 * dtb_mcell_load() (the input written to a temporary file, its only path
 * argument). A cell that loads is discretised two ways and run for a few
 * steps with both methods, so that the morphology checks, the groups, the
 * channels (LEMS-defined rates compiled and run) and the tree solver are
 * exercised. Load errors are expected; crashes, sanitizer reports and
 * leaks are bugs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <dtb/dtb.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/dtb-fuzz-mcell-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(path);
        return 0;
    }
    fwrite(data, 1, size, f);
    fclose(f);
    dtb_mcell *cell = NULL;
    if (dtb_mcell_load(&cell, path, NULL) == DTB_OK) {
        volatile int64_t sink = dtb_mcell_segment_count(cell) + dtb_mcell_compartment_count(cell);
        (void)sink;
        dtb_mcell_set_temperature(cell, 20);
        dtb_mcell_run(cell, 0.1, 0.025);
        if (dtb_mcell_set_nseg(cell, 3) == DTB_OK) {
            dtb_mcell_set_method(cell, DTB_MCELL_METHOD_CRANK_NICOLSON);
            dtb_mcell_run(cell, 0.1, 0.025);
        }
        dtb_mcell_free(cell);
    }
    unlink(path);
    return 0;
}
