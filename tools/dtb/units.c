/* dtb — numbers, times and speeds on the command line, read as
 * experiment settings read them (dtb_experiment_settings.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli.h"

int cli_parse_number(const char *text, double *out)
{
    return dtb_experiment_parse_value(out, DTB_VALUE_NUMBER, text) == DTB_OK;
}

int cli_parse_time(const char *text, double *seconds)
{
    return dtb_experiment_parse_value(seconds, DTB_VALUE_TIME, text) == DTB_OK;
}

int cli_parse_speed(const char *text, double *m_per_s)
{
    return dtb_experiment_parse_value(m_per_s, DTB_VALUE_SPEED, text) == DTB_OK;
}
