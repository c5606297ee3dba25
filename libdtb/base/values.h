/* libdtb internal — values of settings as the command line and experiment
 * files write them: numbers, times (a bare number is milliseconds),
 * frequencies, speeds (m/s, "inf"). In base because every layer that reads
 * a setting (experiments, observer specs, scores) parses the same way.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BASE_VALUES_H
#define DTB_BASE_VALUES_H

/* Each returns 1 and sets *out, or 0 if text is not such a value. */
int dtb__value_number(const char *text, double *out);          /* finite */
int dtb__value_time(const char *text, double *seconds);        /* "0.1ms", "2s", "5" = 5 ms */
int dtb__value_frequency(const char *text, double *hz);          /* "40", "40Hz", "0.1kHz" */
int dtb__value_speed(const char *text, double *m_per_s);       /* "3", "3m/s", "inf"; > 0 */

#endif
