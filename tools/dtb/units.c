/* dtb — reading numbers with units on the command line: the library's
 * readers of experiment values, so that flags and experiment files agree.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli.h"
#include "experiment/values.h"

int cli_parse_number(const char *text, double *out) { return dtb__value_number(text, out); }

int cli_parse_time(const char *text, double *seconds) { return dtb__value_time(text, seconds); }

int cli_parse_speed(const char *text, double *m_per_s) { return dtb__value_speed(text, m_per_s); }
