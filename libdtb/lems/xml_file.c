/* libdtb — reading a small XML file (coupling functions, NeuroML
 * projections): io/xml_read.h, errors in libdtb's words.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/base.h"
#include "io/xml_read.h"
#include "lems_private.h"

dtb_status dtb__xml_read_file(const char *path, const char *what, xmlDocPtr *out)
{
    return dtb__xml_read(path, NULL, 0, what, 0, out);
}
