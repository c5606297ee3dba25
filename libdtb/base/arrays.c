/* libdtb — helpers over arrays of doubles shared by the layers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "base.h"

size_t dtb__first_nonfinite(const double *x, size_t n)
{
    /* x - x is 0 for a finite x and NaN otherwise: eight running sums (one
     * would be a chain of dependent additions) make one branch-free pass
     * that vectorises; the scan below only runs to find the culprit */
    double probe[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t q = 0; q < 8; q++)
            probe[q] += x[i + q] - x[i + q];
    for (; i < n; i++)
        probe[0] += x[i] - x[i];
    double all = 0.0;
    for (size_t q = 0; q < 8; q++)
        all += probe[q];
    if (DTB__LIKELY(all == 0.0))
        return n;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return n;
}

dtb_status dtb__copy_out(const char *fn, const void *src, size_t count, size_t elem, void *buf,
                         size_t capacity, size_t *needed_out)
{
    if (needed_out)
        *needed_out = count;
    if (!buf)
        return DTB_OK;
    if (capacity < count)
        return dtb__error(DTB_EBUFSIZE, "%s: buffer holds %zu values, %zu needed", fn, capacity, count);
    if (count)
        memcpy(buf, src, count * elem);
    return DTB_OK;
}
