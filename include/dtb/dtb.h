/* libdtb — digital twin brain simulation library (umbrella header).
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Include this one header: <dtb/dtb.h>. Link with `pkg-config --libs dtb`.
 * Overview: libdtb(3).
 */
#ifndef DTB_H
#define DTB_H

#include "dtb_common.h"
#include "dtb_version.h"
#include "dtb_error.h"
#include "dtb_atlas.h"
#include "dtb_model.h"
#include "dtb_sim.h"
#include "dtb_observer.h"
#include "dtb_stimulus.h"
#include "dtb_analysis.h"
#include "dtb_leadfield.h"
#include "dtb_experiment.h"
#include "dtb_experiment_settings.h"
#include "dtb_built_experiment.h"
#include "dtb_matrix.h"
#include "dtb_dynamics.h"
#include "dtb_plot.h"
#include "dtb_lems.h"
#include "dtb_spiking.h"
#include "dtb_explore.h"
#include "dtb_reservoir.h"
#include "dtb_assimilate.h"
#include "dtb_control.h"
#include "dtb_mcell.h"

#endif /* DTB_H */
