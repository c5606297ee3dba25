/* libdtb — a cell description discretised as NEURON does it: one section
 * per NeuroML segment, nseg compartments per section with a node at each
 * centre, a zero-area node at each section's 1 end and one at the root's
 * 0 end; a child section's 0 end on its parent's node at fractionAlong
 * (NEURON's connect child(0), parent(x)). Areas and axial resistances are
 * those of the frustum between the segment's proximal and distal points
 * (exact for linear taper: R = 4 Ra l / (pi d_a d_b)).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mcell.h"

#define DTB__MC_PI 3.14159265358979323846

/* A frustum between fractions a and b of a section. */
static double diam_at(double d0, double d1, double x) { return d0 + (d1 - d0) * x; }

static double frustum_area(double length, double d0, double d1, double a, double b)
{
    double ra = diam_at(d0, d1, a) / 2, rb = diam_at(d0, d1, b) / 2, l = (b - a) * length;
    return DTB__MC_PI * (ra + rb) * sqrt((ra - rb) * (ra - rb) + l * l);
}

/* MOhm: ohm cm * um / um^2 is 1e4 ohm; 1e-6 to MOhm. */
static double frustum_resistance(double length, double d0, double d1, double ra_ohm_cm, double a,
                                 double b)
{
    double da = diam_at(d0, d1, a), db = diam_at(d0, d1, b), l = (b - a) * length;
    return 4 * ra_ohm_cm * l / (DTB__MC_PI * da * db) * 1e-2;
}

int64_t dtb__mc_dlambda_nseg(double length, double diam, double ra, double cm)
{
    /* NEURON's fixnseg.hoc: lambda_f(100) in um, d_lambda = 0.1. */
    double lambda = 1e5 * sqrt(diam / (4 * DTB__MC_PI * 100 * ra * cm));
    return (int64_t)((length / (0.1 * lambda) + 0.9) / 2) * 2 + 1;
}

/* The value on segment s: the last of the list whose group holds it. */
static double value_on(const dtb__mc_desc *d, const dtb__mc_value_on *list, size_t n, size_t s,
                       double fallback)
{
    double v = fallback;
    for (size_t k = 0; k < n; k++)
        if (d->groups[list[k].group].has[s])
            v = list[k].value;
    return v;
}

int64_t dtb__mc_node_at(const dtb__mc_model *m, size_t s, double x)
{
    int64_t n = m->nseg[s];
    if (x <= 0)
        return m->sec_attach[s];
    if (x >= 1)
        return (int64_t)m->sec_first[s] + n;
    int64_t i = (int64_t)(x * (double)n);
    if (i >= n)
        i = n - 1;
    return (int64_t)m->sec_first[s] + i;
}

static dtb_status alloc_nodes(dtb__mc_model *m, size_t n_sections, size_t n)
{
    m->n_nodes = n;
    m->parent = dtb__malloc_array(n, sizeof *m->parent);
    m->g_axial = dtb__calloc(n, sizeof *m->g_axial);
    m->cap = dtb__calloc(n, sizeof *m->cap);
    m->area = dtb__calloc(n, sizeof *m->area);
    m->v = dtb__calloc(n, sizeof *m->v);
    m->rhs = dtb__calloc(n, sizeof *m->rhs);
    m->diag = dtb__calloc(n, sizeof *m->diag);
    m->inj = dtb__calloc(n, sizeof *m->inj);
    m->sec_first = dtb__calloc(n_sections, sizeof *m->sec_first);
    m->sec_attach = dtb__calloc(n_sections, sizeof *m->sec_attach);
    if (!m->parent || !m->g_axial || !m->cap || !m->area || !m->v || !m->rhs || !m->diag ||
        !m->inj || !m->sec_first || !m->sec_attach)
        return DTB_ENOMEM;
    return DTB_OK;
}

/* The nodes of section s (its centres, then its 1 end). */
static void lay_section(dtb__mc_model *m, const dtb__mc_desc *d, size_t s, size_t first)
{
    double length, d0, d1;
    dtb__mc_segment_shape(&d->segments[s], &length, &d0, &d1);
    double ra = value_on(d, d->ra, d->n_ra, s, 0), cm = value_on(d, d->cm, d->n_cm, s, 0);
    int64_t n = m->nseg[s];
    double h = 1.0 / (double)n;
    m->sec_first[s] = first;
    m->sec_attach[s] = d->segments[s].parent < 0
                           ? 0
                           : dtb__mc_node_at(m, (size_t)d->segments[s].parent, d->segments[s].fraction);
    for (int64_t i = 0; i <= n; i++) {
        size_t node = first + (size_t)i;
        double a = (i - 0.5) * h, c = i * h;   /* the half segment before this node */
        if (i == 0) {
            m->parent[node] = m->sec_attach[s];
            m->g_axial[node] = 1 / frustum_resistance(length, d0, d1, ra, 0, 0.5 * h);
        } else {
            m->parent[node] = (int64_t)node - 1;
            double r = frustum_resistance(length, d0, d1, ra, a, c);
            if (i < n)
                r += frustum_resistance(length, d0, d1, ra, c, c + 0.5 * h);
            m->g_axial[node] = 1 / r;
        }
        if (i < n) {
            m->area[node] = frustum_area(length, d0, d1, i * h, (i + 1) * h);
            m->cap[node] = cm * m->area[node] * 1e-5;   /* uF/cm2 * um2 -> nF */
        }
    }
}

static dtb_status place_density(dtb__mc_model *m, const dtb__mc_desc *d, size_t k)
{
    const dtb__mc_density *den = &d->densities[k];
    const dtb__mc_channel *ch = &d->channels[den->channel];
    const unsigned char *has = d->groups[den->group].has;
    dtb__mc_placement *p = &m->placements[m->n_placements++];
    p->density = k;
    for (size_t s = 0; s < d->n_segments; s++)
        if (has[s])
            p->n += (size_t)m->nseg[s];
    p->node = dtb__malloc_array(p->n ? p->n : 1, sizeof *p->node);
    p->gbar = dtb__malloc_array(p->n ? p->n : 1, sizeof *p->gbar);
    p->state = dtb__calloc(ch->n_gates + 1, sizeof *p->state);   /* NULL-terminated */
    if (!p->node || !p->gbar || !p->state)
        return DTB_ENOMEM;
    for (size_t g = 0; g < ch->n_gates; g++)
        if (!(p->state[g] = dtb__calloc(p->n ? p->n : 1, sizeof **p->state)))
            return DTB_ENOMEM;
    size_t j = 0;
    for (size_t s = 0; s < d->n_segments; s++) {
        if (!has[s])
            continue;
        for (int64_t i = 0; i < m->nseg[s]; i++, j++) {
            size_t node = m->sec_first[s] + (size_t)i;
            p->node[j] = (int64_t)node;
            p->gbar[j] = den->gmax * m->area[node] * 1e-2;   /* S/cm2 * um2 -> uS */
        }
    }
    return DTB_OK;
}

dtb_status dtb__mc_build(const dtb__mc_desc *d, int64_t nseg_all, dtb__mc_model *out)
{
    memset(out, 0, sizeof *out);
    dtb__mc_model *m = out;
    size_t ns = d->n_segments;
    m->nseg = dtb__malloc_array(ns, sizeof *m->nseg);
    if (!m->nseg)
        return DTB_ENOMEM;
    size_t n_nodes = 1;
    for (size_t s = 0; s < ns; s++) {
        double length, d0, d1;
        dtb__mc_segment_shape(&d->segments[s], &length, &d0, &d1);
        m->nseg[s] = nseg_all > 0 ? nseg_all
                                  : dtb__mc_dlambda_nseg(length, (d0 + d1) / 2,
                                                         value_on(d, d->ra, d->n_ra, s, 0),
                                                         value_on(d, d->cm, d->n_cm, s, 0));
        if (m->nseg[s] > 100000) {
            dtb__mc_model_free(m);
            return dtb__error(DTB_EINVAL, "segment %lld would have %lld compartments (at most "
                              "100000)", (long long)d->segments[s].id, (long long)m->nseg[s]);
        }
        n_nodes += (size_t)m->nseg[s] + 1;
        m->n_compartments += (size_t)m->nseg[s];
    }
    /* Far beyond any reconstructed neuron (1e4-1e5), and within memory. */
    if (m->n_compartments > DTB__MC_MAX_COMPARTMENTS) {
        size_t n = m->n_compartments;
        dtb__mc_model_free(m);
        return dtb__error(DTB_EINVAL, "the cell would have %zu compartments (at most %d)", n,
                          DTB__MC_MAX_COMPARTMENTS);
    }
    dtb_status st = alloc_nodes(m, ns, n_nodes);
    if (!st) {
        m->parent[0] = -1;
        size_t first = 1;
        for (size_t k = 0; k < ns; k++) {
            size_t s = d->order[k];
            lay_section(m, d, s, first);
            first += (size_t)m->nseg[s] + 1;
        }
        m->placements = dtb__calloc(d->n_densities ? d->n_densities : 1, sizeof *m->placements);
        if (!m->placements)
            st = DTB_ENOMEM;
    }
    for (size_t k = 0; !st && k < d->n_densities; k++)
        st = place_density(m, d, k);
    if (st)
        dtb__mc_model_free(m);
    return st;
}

void dtb__mc_model_free(dtb__mc_model *m)
{
    free(m->parent);
    free(m->g_axial);
    free(m->cap);
    free(m->area);
    free(m->sec_first);
    free(m->sec_attach);
    free(m->nseg);
    for (size_t k = 0; k < m->n_placements; k++) {
        dtb__mc_placement *p = &m->placements[k];
        free(p->node);
        free(p->gbar);
        if (p->state) {
            /* every gate array was allocated or is NULL (calloc) */
            for (size_t g = 0; p->state[g]; g++)
                free(p->state[g]);
        }
        free(p->state);
    }
    free(m->placements);
    free(m->v);
    free(m->rhs);
    free(m->diag);
    free(m->inj);
    memset(m, 0, sizeof *m);
}
