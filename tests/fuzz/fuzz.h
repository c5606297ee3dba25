/* The libFuzzer entry points, declared for the harnesses (fuzz_*.c), which
 * are linked either with libFuzzer or with standalone_main.c. */
#ifndef DTB_FUZZ_H
#define DTB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
