/* libdtb — the built-in "bn246" atlas: real Brainnetome regions, SYNTHETIC
 * connectivity.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The regions (labels, hemispheres, lobes, gyri, MNI centres) are the
 * published ones (bn246_table.c, Fan et al. 2016). Weights and lengths are
 * generated, deterministically, from the centres (the measured SC on these
 * regions is the built-in "bn246-opendtb", atlas_bn246_opendtb.c; this one
 * is for what needs a connectome with known, simple structure):
 *   d_kj = |c_k - c_j|                      (mm, MNI centres)
 *   w_kj = S exp(-LAMBDA * d_kj) for k != j, w_kk = 0
 *   L_kj = TORTUOSITY * d_kj,  L_kk = 0     (mm)
 * LAMBDA is the exponential-distance-rule decay fitted on measured
 * Brainnetome and HCP connectomes (log w against centre distance);
 * TORTUOSITY sits between the tract-length / centre-distance ratios
 * measured on HCP (median 1.61) and TVB's 998-region connectome (1.28).
 * The scale S makes the mean in-strength (row sum) 2.46, that of the
 * Brainnetome SC the OpenDTB platform ships, so that a coupling strength
 * fitted there (the default twin's G = 0.1) means the same total input here.
 * Every off-diagonal pair is connected: 246 * 245 = 60270 edges.
 */
#include <math.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "bn246_table.h"

#define BN246_LAMBDA_PER_MM 0.039
#define BN246_TORTUOSITY 1.4
#define BN246_MEAN_IN_STRENGTH 2.46

static const char bn246_description[] =
    "Brainnetome Atlas, 246 regions (210 cortical, 36 subcortical): labels, hemispheres, lobes, "
    "gyri and MNI centres from Fan L. et al. (2016) The Human Brainnetome Atlas: a new brain atlas "
    "based on connectional architecture. Cerebral Cortex 26(8):3508-3526, doi:10.1093/cercor/bhw157. "
    "THE CONNECTIVITY IS SYNTHETIC, not measured: weights follow the exponential distance rule "
    "w = exp(-0.039/mm * d) between MNI centres (lambda 0.039/mm, fitted on real Brainnetome and "
    "HCP connectomes), diagonal 0, scaled so that the mean in-strength (row sum) is 2.46 as in "
    "the Brainnetome SC of the OpenDTB platform; tract lengths "
    "are 1.4 x the centre distance (mm), diagonal 0. Use a measured connectome (bn246-opendtb: "
    "the same regions with OpenDTB's SC) for any claim about a real brain.";

/* Shared with the other Brainnetome built-in (atlas_bn246_opendtb.c): one
 * region table, copied into the atlas. */
dtb_status dtb__atlas_bn246_regions(dtb_atlas *a)
{
    a->lobes = dtb__calloc(DTB__BN246_REGIONS, sizeof *a->lobes);
    a->gyri = dtb__calloc(DTB__BN246_REGIONS, sizeof *a->gyri);
    a->centres = dtb__malloc_array(3 * DTB__BN246_REGIONS, sizeof *a->centres);
    if (!a->lobes || !a->gyri || !a->centres)
        return DTB_ENOMEM;
    for (int64_t k = 0; k < DTB__BN246_REGIONS; k++) {
        const dtb__bn246_region *r = &dtb__bn246_table[k];
        a->labels[k] = dtb__strdup(r->label);
        a->lobes[k] = dtb__strdup(r->lobe);
        a->gyri[k] = dtb__strdup(r->gyrus);
        if (!a->labels[k] || !a->lobes[k] || !a->gyri[k])
            return DTB_ENOMEM;
        a->hemispheres[k] = r->hemisphere == 'L' ? DTB_HEMISPHERE_LEFT : DTB_HEMISPHERE_RIGHT;
        a->centres[3 * k + 0] = r->x;
        a->centres[3 * k + 1] = r->y;
        a->centres[3 * k + 2] = r->z;
    }
    return DTB_OK;
}

static void synthesise_weights(dtb_atlas *a)
{
    double total = 0.0;
    for (int64_t k = 0; k < a->n; k++) {
        for (int64_t j = 0; j < a->n; j++) {
            double w = k == j ? 0.0 : exp(-BN246_LAMBDA_PER_MM * dtb__atlas_centre_distance(a, k, j));
            a->weights[k * a->n + j] = w;
            total += w;
        }
    }
    double scale = BN246_MEAN_IN_STRENGTH * (double)a->n / total;
    size_t cells = dtb__atlas_cells(a);
    for (size_t i = 0; i < cells; i++)
        a->weights[i] *= scale;
}

dtb_status dtb__atlas_create_bn246(dtb_atlas **out)
{
    dtb_atlas *a;
    dtb_status s = dtb__atlas_new(&a, DTB__BN246_REGIONS, NULL);
    if (s != DTB_OK)
        return s;
    a->synthetic = 1;
    if ((a->name = dtb__strdup("bn246")) == NULL || (a->description = dtb__strdup(bn246_description)) == NULL)
        s = DTB_ENOMEM;
    if (s == DTB_OK)
        s = dtb__atlas_bn246_regions(a);
    if (s == DTB_OK)
        s = dtb__atlas_lengths_from_centres(a, BN246_TORTUOSITY);
    if (s != DTB_OK) {
        dtb_atlas_free(a);
        return s;
    }
    synthesise_weights(a);
    *out = a;
    return DTB_OK;
}
