/* Test helper: the rate of a spiking region inside the bn246 twin.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef TEST_TWIN_REGION_H
#define TEST_TWIN_REGION_H

#include "dtb/dtb.h"

/* Makes region 0 spiking (and may check what it made). */
typedef void (*twin_region_add)(dtb_sim *sim, const void *ud);

/* The bn246 twin (reduced_wong_wang_exc_inh, G 0.1, linear coupling a,
 * forward Euler, seed 5) with region 0 (A8m_L) made spiking by add: the
 * mean smoothed rate of that region over steps settle .. steps - 1. */
double twin_region_rate(double a, twin_region_add add, const void *ud, int steps, int settle);

/* add for a built-in cell (ud: its name), 400 cells, region defaults. */
void twin_region_add_builtin(dtb_sim *sim, const void *cell);

#endif
