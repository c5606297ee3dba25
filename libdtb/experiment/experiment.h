/* libdtb internal — experiments (dtb_experiment.h): the settings table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPERIMENT_INTERNAL_H
#define DTB_EXPERIMENT_INTERNAL_H

#include <stddef.h>

#include "dtb/dtb_experiment.h"

typedef enum dtb__setting_kind {
    DTB__SETTING_SINGLE,   /* one value; the last one given wins */
    DTB__SETTING_REPEAT,   /* every value counts, in order */
    DTB__SETTING_FLAG      /* no value */
} dtb__setting_kind;

/* Where the file names are inside a value: fills up to max spans (start,
 * length) and returns their number. */
typedef size_t (*dtb__path_spans_fn)(const char *value, size_t starts[], size_t lens[], size_t max);

typedef struct dtb__setting_info {
    const char *name;
    dtb__setting_kind kind;
    /* checks a value's syntax (NULL: any text); errors name the setting */
    dtb_status (*check)(const char *setting, const char *value);
    dtb__path_spans_fn paths;   /* NULL: no file names */
    const char *summary;        /* one line, for messages and the man page */
} dtb__setting_info;

const dtb__setting_info *dtb__setting_find(const char *name);
extern const dtb__setting_info dtb__settings[];
extern const size_t dtb__n_settings;

struct dtb_experiment {
    char **names, **values;
    size_t n, cap;
};

/* Check a value for a setting: a flag takes none, the others need one
 * that their check accepts; any refusal is DTB_EINVAL (or DTB_ENOMEM). */
dtb_status dtb__experiment_check_value(const dtb__setting_info *info, const char *value);

/* Add without checking the name's kind rules (the loader reports
 * duplicates itself, with line numbers). */
dtb_status dtb__experiment_append(dtb_experiment *exp, const char *name, const char *value);

/* A copy of value with every relative file name passed through fn (which
 * returns a malloc'd replacement or NULL for out of memory). */
char *dtb__experiment_map_paths(const dtb__setting_info *info, const char *value,
                                char *(*fn)(const char *path, void *ctx), void *ctx);

#endif
