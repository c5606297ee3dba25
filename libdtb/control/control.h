/* libdtb internal — the text of a controller, as dtb run's --control and
 * experiment files write it:
 *   pid:kp=..,ki=..,kd=..[,min=..,max=..,bias=..,period=TIME]
 *      :read=VAR@REGION:target=X:drive=INTO[@REGIONS]
 * (read=tavg:VAR@REGION is the same read, in the form read=OBS:VAR@REGION:
 * tavg is the only observer a controller reads; drive= is the stimulus
 * the controller makes, named by what it enters and where)
 * read: the temporal average of VAR over each period (default 10 ms) in
 * one region (an index or a label); drive: a stimulus into INTO (a state
 * variable, parameter or input of the model) in REGIONS (a region list;
 * default every region).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_CONTROL_SPEC_H
#define DTB_CONTROL_SPEC_H

#include "dtb/dtb_control.h"

typedef struct dtb__control_spec {
    dtb_pid_options pid;
    double period;             /* s */
    char *read_var, *read_region;
    char *drive_into, *drive_regions;   /* drive_regions NULL: every region */
} dtb__control_spec;

/* Errors (DTB_EINVAL) name the setting and the part of the text. */
dtb_status dtb__parse_control(const char *setting, const char *text, dtb__control_spec *out);
void dtb__control_spec_free(dtb__control_spec *s);

#endif
