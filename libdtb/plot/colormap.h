/* libdtb internal — colour maps of the heat maps.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_COLORMAP_H
#define DTB_COLORMAP_H

/* "#rrggbb" for u in [0, 1] (clamped; NaN is grey): diverging blue-white-red
 * (ColorBrewer RdBu, reversed) or sequential (viridis). */
void dtb__colormap(double u, int diverging, char out[8]);

#endif
