/* libdtb — the vocabulary of experiment settings (dtb_experiment.h): which
 * names exist and how they combine, and the values they hold, written as
 * on dtb(1)'s command line (times "0.1ms", "2s", "5" = 5 ms; frequencies
 * "40Hz"; speeds "3m/s", "inf").
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For drivers that read their own options in the same vocabulary: a
 * command-line parser learns from dtb_experiment_setting_kind() whether an
 * option takes a value, and reads numbers with units as experiments do. */
#ifndef DTB_EXPERIMENT_SETTINGS_H
#define DTB_EXPERIMENT_SETTINGS_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef enum dtb_setting_kind {
    DTB_SETTING_UNKNOWN = 0,   /* no such setting */
    DTB_SETTING_SINGLE = 1,    /* one value; the last one given wins ("duration") */
    DTB_SETTING_REPEAT = 2,    /* every value counts, in order ("set", "observe") */
    DTB_SETTING_FLAG = 3,      /* no value ("fic") */
    DTB_SETTING_KIND_FORCE32_ = 0x7FFFFFFF
} dtb_setting_kind;

/* The kind of a setting by its name (without dashes: "stimulus");
 * DTB_SETTING_UNKNOWN for an unknown name or NULL. */
DTB_API dtb_setting_kind dtb_experiment_setting_kind(const char *name);

/* Kinds of values (dtb_experiment_parse_value). */
typedef enum dtb_value_kind {
    DTB_VALUE_NUMBER = 1,      /* a finite number */
    DTB_VALUE_TIME = 2,        /* "0.1ms", "2s", "5us"; a bare number is milliseconds; in s */
    DTB_VALUE_FREQUENCY = 3,   /* "40", "40Hz", "0.1kHz"; in Hz */
    DTB_VALUE_SPEED = 4,       /* "3", "3m/s", "inf" (no delays); > 0; in m/s */
    DTB_VALUE_KIND_FORCE32_ = 0x7FFFFFFF
} dtb_value_kind;

/* Read a value as experiment settings write it, in any locale, into *value_out
 * (SI units). DTB_EINVAL naming the text and what was expected when it is
 * not such a value; *value_out is unchanged then. */
DTB_API dtb_status dtb_experiment_parse_value(double *value_out, dtb_value_kind kind, const char *text);

DTB_END_DECLS

#endif /* DTB_EXPERIMENT_SETTINGS_H */
