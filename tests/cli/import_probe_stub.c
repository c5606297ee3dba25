/* An internal-looking symbol exported from a shared object, as if libdtb
 * exported one: import_probe.c built with PROBE_INTERNAL imports it, which
 * check_dtb_imports.py must refuse. Never run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stddef.h>

char *dtb__asprintf(const char *fmt, ...);

char *dtb__asprintf(const char *fmt, ...)
{
    (void)fmt;
    return NULL;
}
