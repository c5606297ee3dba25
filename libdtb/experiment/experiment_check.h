/* libdtb internal — checks of experiment setting values (the syntax; what
 * needs the atlas or the model is checked when the experiment is built).
 * Each returns DTB_OK or DTB_EINVAL with a message naming the setting.
 * One parser per setting: a dtb__check_X (the settings table's checker,
 * run when a value is added) is the reader the build uses (dtb__read_X,
 * or dtb__parse_X in experiment_parse.h) with the result dropped, so what
 * was checked is what gets built.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPERIMENT_CHECK_H
#define DTB_EXPERIMENT_CHECK_H

#include <stdint.h>

#include "dtb/dtb_common.h"
#include "experiment_parse.h"

/* Scalar values: *out written only on success; NULL: only the check. */
dtb_status dtb__read_speed(const char *setting, const char *v, double *out);    /* m/s, > 0 */
dtb_status dtb__read_dt(const char *setting, const char *v, double *out);       /* s, > 0 */
dtb_status dtb__read_time(const char *setting, const char *v, double *out);     /* s, >= 0 */
dtb_status dtb__read_positive(const char *setting, const char *v, double *out);
dtb_status dtb__read_nonnegative(const char *setting, const char *v, double *out);
dtb_status dtb__read_seed(const char *setting, const char *v, int64_t *out);    /* >= 0 */

/* noise and init: one number for everything (noise: `all`, pairs.n == 0),
 * VAR=X pairs with their numbers (values[i] of pairs.items[i]), or, for
 * init, a file name (no pairs). Freed with dtb__numbers_spec_free. */
typedef struct dtb__numbers_spec {
    double all;
    dtb__pairs pairs;
    double *values;
} dtb__numbers_spec;
dtb_status dtb__read_noise(const char *setting, const char *v, dtb__numbers_spec *out);
dtb_status dtb__read_init(const char *setting, const char *v, dtb__numbers_spec *out);
void dtb__numbers_spec_free(dtb__numbers_spec *s);


dtb_status dtb__check_set(const char *setting, const char *v);
dtb_status dtb__check_coupling(const char *setting, const char *v);
dtb_status dtb__check_speed(const char *setting, const char *v);
dtb_status dtb__check_dt(const char *setting, const char *v);
dtb_status dtb__check_duration(const char *setting, const char *v);
dtb_status dtb__check_time(const char *setting, const char *v);
dtb_status dtb__check_integrator(const char *setting, const char *v);
dtb_status dtb__check_positive(const char *setting, const char *v);
dtb_status dtb__check_nonnegative(const char *setting, const char *v);
dtb_status dtb__check_noise(const char *setting, const char *v);
dtb_status dtb__check_noise_kind(const char *setting, const char *v);
dtb_status dtb__check_seed(const char *setting, const char *v);
dtb_status dtb__check_init(const char *setting, const char *v);
dtb_status dtb__check_stimulus(const char *setting, const char *v);
dtb_status dtb__check_control(const char *setting, const char *v);
dtb_status dtb__check_lesion(const char *setting, const char *v);
dtb_status dtb__check_spiking(const char *setting, const char *v);
dtb_status dtb__check_observe(const char *setting, const char *v);
dtb_status dtb__check_format(const char *setting, const char *v);
dtb_status dtb__check_normalize(const char *setting, const char *v);

#endif
