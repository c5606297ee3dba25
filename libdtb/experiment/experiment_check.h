/* libdtb internal — checks of experiment setting values (the syntax; what
 * needs the atlas or the model is checked when the experiment is built).
 * Each returns DTB_OK or DTB_EINVAL with a message naming the setting.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPERIMENT_CHECK_H
#define DTB_EXPERIMENT_CHECK_H

#include "dtb/dtb_common.h"

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
dtb_status dtb__check_lesion(const char *setting, const char *v);
dtb_status dtb__check_spiking(const char *setting, const char *v);
dtb_status dtb__check_observe(const char *setting, const char *v);
dtb_status dtb__check_format(const char *setting, const char *v);
dtb_status dtb__check_normalize(const char *setting, const char *v);

#endif
