/* Fuzz harness: NPY files (their headers above all: a crafted shape once
 * overflowed the element count) through the reader every NPY input uses
 * (io/npy.c: --empirical-fc, gain=, --init, waveform:, reservoir inputs).
 * The input is a whole .npy file, or, when it does not start with the NPY
 * magic, a header dictionary that the harness wraps in a version 1.0
 * preamble followed by the rest of the input as data. A file that reads
 * must hold what its header says: a shape whose product is the element
 * count, within the bytes given; one that does not must be refused with a
 * message. Whatever reads is written back through the results writer
 * (rows of doubles) and read again: the same numbers.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "fuzz.h"
#include "io/npy.h"

static char in_path[128], out_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct stat sb;
    const char *dir = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(in_path, sizeof in_path, "%s/dtb-fuzz-npy-%ld.npy", dir, (long)getpid());
    snprintf(out_path, sizeof out_path, "%s/dtb-fuzz-npy-%ld-out.npy", dir, (long)getpid());
    return 0;
}

static void same_numbers(const dtb__npy_array *a)
{
    if (a->ndim < 1 || a->ndim > 2 || a->count == 0)
        return;
    int64_t rows = a->shape[0], cols = a->ndim == 2 ? a->shape[1] : 1;
    if (cols <= 0 || rows * cols != a->count)
        abort();
    dtb__npy_writer w;
    if (dtb__npy_open(&w, out_path, cols) != DTB_OK)
        abort();
    for (int64_t r = 0; r < rows; r++)
        if (dtb__npy_write_row(&w, a->data + r * cols) != DTB_OK)
            abort();
    if (dtb__npy_close(&w) != DTB_OK)
        abort();
    dtb__npy_array b;
    if (dtb__npy_read(out_path, &b) != DTB_OK)
        abort();
    if (b.ndim != 2 || b.shape[0] != rows || b.shape[1] != cols)
        abort();
    for (int64_t i = 0; i < a->count; i++)
        if (memcmp(&a->data[i], &b.data[i], sizeof(double)) != 0 &&
            !(isnan(a->data[i]) && isnan(b.data[i])))
            abort();
    dtb__npy_array_free(&b);
    remove(out_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(in_path, "wb");
    if (!f)
        abort();
    if (size >= 6 && !memcmp(data, "\x93NUMPY", 6)) {
        fwrite(data, 1, size, f);
    } else {
        /* a dictionary up to the first newline, then data */
        const uint8_t *nl = memchr(data, '\n', size);
        size_t hlen = nl ? (size_t)(nl - data) + 1 : size;
        if (hlen > 65535)
            hlen = 65535;
        unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                 (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
        fwrite(pre, 1, sizeof pre, f);
        fwrite(data, 1, size, f);
    }
    if (fclose(f) != 0)
        abort();
    struct stat sb;
    if (stat(in_path, &sb) != 0)
        abort();
    dtb__npy_header h;
    dtb_status hs = dtb__npy_read_header(in_path, &h);
    if (hs != DTB_OK && !dtb_last_error_message()[0])
        abort();
    dtb__npy_array a;
    dtb_status st = dtb__npy_read(in_path, &a);
    if (st == DTB_OK) {
        /* what reads is what the header says, within the file */
        if (hs != DTB_OK || a.ndim != h.ndim || a.count != h.count || a.ndim < 0 || a.ndim > 8)
            abort();
        int64_t product = 1;
        for (int i = 0; i < a.ndim; i++)
            if (a.shape[i] < 0 || a.shape[i] != h.shape[i] ||
                __builtin_mul_overflow(product, a.shape[i], &product))
                abort();
        if (product != a.count ||
            (uint64_t)a.count * (uint64_t)h.size > (uint64_t)sb.st_size - h.data_offset)
            abort();
        same_numbers(&a);
        dtb__npy_array_free(&a);
    } else if (!dtb_last_error_message()[0] || a.data) {
        abort();
    }
    remove(in_path);
    return 0;
}
