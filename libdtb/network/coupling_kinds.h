/* libdtb internal — facts about the built-in coupling kinds: names and
 * parameter names. Kept apart from network.h so that the model layer can
 * check a descriptor's <DefaultCoupling> when the model loads (a model that
 * loads always simulates) without depending on the network's internals.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_NETWORK_COUPLING_KINDS_H
#define DTB_NETWORK_COUPLING_KINDS_H

#include <stddef.h>

#include "dtb/dtb_sim.h"

const char *dtb__coupling_kind_name(dtb_coupling_kind kind);
/* Kind by name ("linear", "sigmoidal_jansen_rit", "tanh", ...), 0 if unknown. */
dtb_coupling_kind dtb__coupling_kind_from_name(const char *name);
/* The parameter names of a built-in kind (not EXPRESSION), in order;
 * returns how many (0 for an unknown kind). */
size_t dtb__coupling_kind_params(dtb_coupling_kind kind, const char *const **names);
/* The coupling variables a built-in kind needs (sigmoidal_jansen_rit: 2);
 * 0 for an unknown kind. */
size_t dtb__coupling_kind_min_vars(dtb_coupling_kind kind);

#endif
