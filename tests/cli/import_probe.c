/* Probes for the self-test of check_dtb_imports.py: built as a client of
 * the shared library (passes), against the library's objects (fails), and
 * with a reference to an internal symbol left unresolved (fails). Never run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "dtb/dtb.h"

#ifdef PROBE_INTERNAL
char *dtb__asprintf(const char *fmt, ...);
#endif

int main(void)
{
#ifdef PROBE_INTERNAL
    char *text = dtb__asprintf("%s", dtb_version_string());
    puts(text);
#else
    puts(dtb_version_string());
#endif
    return 0;
}
