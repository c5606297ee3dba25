/* libdtb — dtb_mcell: the public handle of a multi-compartment cell
 * (dtb_mcell.h): its description, the model built for the present nseg,
 * the clamps and recordings (kept by segment and fraction, placed on nodes
 * at each run, since nseg may change), the traces of the last run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_mcell.h"
#include "mcell.h"

/* The most memory the traces of one run may take. */
#define MAX_TRACE_BYTES (2.0 * 1024 * 1024 * 1024)

typedef struct place {
    size_t segment;              /* index in desc.segments */
    double x;
} place;

typedef struct mc_recording {
    place at;
    int64_t density;             /* -1: voltage */
    size_t gate;
} mc_recording;

typedef struct clamp {
    place at;
    double delay, duration, amplitude;
} clamp;

struct dtb_mcell {
    dtb__mc_desc desc;
    dtb__mc_model model;
    int64_t nseg;
    uint32_t method;             /* DTB_MCELL_METHOD_* */
    double celsius;              /* NaN: the file's <network temperature>, if any */
    clamp *clamps;
    size_t n_clamps;
    mc_recording *recs;
    size_t n_recs;
    double **traces;             /* [n_recs][trace_len] */
    size_t trace_len;
    double *spike_times;         /* ms, of the last run */
    size_t n_spikes;
};

static void free_traces(dtb_mcell *c)
{
    for (size_t i = 0; c->traces && i < c->n_recs; i++)
        free(c->traces[i]);
    free(c->traces);
    c->traces = NULL;
    c->trace_len = 0;
}

static void free_spikes(dtb_mcell *c)
{
    free(c->spike_times);
    c->spike_times = NULL;
    c->n_spikes = 0;
}

dtb_status dtb_mcell_load(dtb_mcell **out, const char *path, const char *cell_id)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_mcell_load: out is NULL");
    *out = NULL;
    dtb_mcell *c = dtb__calloc(1, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    c->celsius = NAN;
    dtb_status st = dtb__mc_read(path, cell_id, &c->desc);
    if (!st)
        st = dtb__mc_build(&c->desc, 0, &c->model);
    if (st) {
        dtb__mc_desc_free(&c->desc);
        free(c);
        return st;
    }
    *out = c;
    return DTB_OK;
}

void dtb_mcell_free(dtb_mcell *c)
{
    if (!c)
        return;
    free_traces(c);
    free_spikes(c);
    dtb__mc_model_free(&c->model);
    dtb__mc_desc_free(&c->desc);
    free(c->clamps);
    free(c->recs);
    free(c);
}

int64_t dtb_mcell_segment_count(const dtb_mcell *c)
{
    return c ? (int64_t)c->desc.n_segments : -1;
}

dtb_status dtb_mcell_set_nseg(dtb_mcell *c, int64_t nseg)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_nseg: cell is NULL");
    if (nseg < 0 || nseg > 100000)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_nseg: nseg %lld is not in 0..100000 (0: the "
                          "d_lambda rule)", (long long)nseg);
    dtb__mc_model m;
    dtb_status st = dtb__mc_build(&c->desc, nseg, &m);
    if (st)
        return st;
    dtb__mc_model_free(&c->model);
    c->model = m;
    c->nseg = nseg;
    return DTB_OK;
}

dtb_status dtb_mcell_set_method(dtb_mcell *c, uint32_t method)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_method: cell is NULL");
    if (method != DTB_MCELL_METHOD_BACKWARD_EULER && method != DTB_MCELL_METHOD_CRANK_NICOLSON)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_method: %u is not a DTB_MCELL_METHOD_*",
                          (unsigned)method);
    c->method = method;
    return DTB_OK;
}

dtb_status dtb_mcell_set_temperature(dtb_mcell *c, double celsius)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_temperature: cell is NULL");
    if (!isfinite(celsius) || celsius < -273.15)
        return dtb__error(DTB_EINVAL, "dtb_mcell_set_temperature: %g degC is not a temperature",
                          celsius);
    c->celsius = celsius;
    return DTB_OK;
}

/* The temperature of a run: the one set, else the file's; NaN is refused
 * when a q10 depends on it. */
static dtb_status run_temperature(const dtb_mcell *c, double *celsius)
{
    *celsius = isnan(c->celsius) ? c->desc.temperature : c->celsius;
    if (!isnan(*celsius))
        return DTB_OK;
    const dtb__mc_desc *d = &c->desc;
    for (size_t k = 0; k < d->n_densities; k++) {
        const dtb__mc_channel *ch = &d->channels[d->densities[k].channel];
        for (size_t g = 0; g < ch->n_gates; g++)
            for (size_t q = 0; q < ch->gates[g].n_q10; q++)
                if (ch->gates[g].q10[q].depends_on_temperature)
                    return dtb__error(DTB_ESTATE, "dtb_mcell_run: gate '%s' of ion channel '%s' "
                                      "has a q10ExpTemp (line %d): set the temperature "
                                      "(dtb_mcell_set_temperature, or a <network "
                                      "temperature> in %s)", ch->gates[g].id, ch->id,
                                      ch->gates[g].q10[q].line, d->file);
    }
    *celsius = 0;   /* unused */
    return DTB_OK;
}

int64_t dtb_mcell_compartment_count(const dtb_mcell *c)
{
    return c ? (int64_t)c->model.n_compartments : -1;
}

static dtb_status find_place(const dtb_mcell *c, const char *fn, int64_t segment, double x,
                             place *out)
{
    int64_t s = dtb__mc_segment_find(&c->desc, segment);
    if (s < 0)
        return dtb__error(DTB_ENOTFOUND, "%s: cell '%s' has no segment %lld", fn, c->desc.cell_id,
                          (long long)segment);
    if (!(x >= 0 && x <= 1))
        return dtb__error(DTB_EINVAL, "%s: the fraction along segment %lld must be in [0, 1]", fn,
                          (long long)segment);
    out->segment = (size_t)s;
    out->x = x;
    return DTB_OK;
}

dtb_status dtb_mcell_add_current_clamp(dtb_mcell *c, int64_t segment, double x, double delay,
                                       double duration, double amplitude)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_add_current_clamp: cell is NULL");
    clamp k = {.delay = delay, .duration = duration, .amplitude = amplitude};
    dtb_status st = find_place(c, "dtb_mcell_add_current_clamp", segment, x, &k.at);
    if (st)
        return st;
    if (!isfinite(delay) || !isfinite(duration) || !isfinite(amplitude) || delay < 0 ||
        duration < 0)
        return dtb__error(DTB_EINVAL, "dtb_mcell_add_current_clamp: delay and duration must be "
                          "finite and >= 0, the amplitude finite");
    clamp *p = dtb__realloc_array(c->clamps, c->n_clamps + 1, sizeof *p);
    if (!p)
        return DTB_ENOMEM;
    c->clamps = p;
    c->clamps[c->n_clamps++] = k;
    return DTB_OK;
}

/* "DENSITY/GATE": the density's index and the gate's. */
static dtb_status find_gate(const dtb_mcell *c, const char *variable, mc_recording *r)
{
    const char *slash = strchr(variable, '/');
    const dtb__mc_desc *d = &c->desc;
    for (size_t k = 0; slash && k < d->n_densities; k++) {
        if (strlen(d->densities[k].id) != (size_t)(slash - variable) ||
            strncmp(d->densities[k].id, variable, (size_t)(slash - variable)) != 0)
            continue;
        const dtb__mc_channel *ch = &d->channels[d->densities[k].channel];
        for (size_t g = 0; g < ch->n_gates; g++)
            if (strcmp(ch->gates[g].id, slash + 1) == 0) {
                r->density = (int64_t)k;
                r->gate = g;
                return DTB_OK;
            }
        return dtb__error(DTB_ENOTFOUND, "dtb_mcell_add_recording: '%s': channel '%s' of density "
                          "'%s' has no gate '%s'", variable, ch->id, d->densities[k].id, slash + 1);
    }
    return dtb__error(DTB_ENOTFOUND, "dtb_mcell_add_recording: '%s' is not \"v\" or "
                      "\"DENSITY/GATE\" with a channelDensity id of cell '%s'", variable,
                      d->cell_id);
}

dtb_status dtb_mcell_add_recording(dtb_mcell *c, int64_t segment, double x, const char *variable,
                                   int64_t *index_out)
{
    if (!c || !variable)
        return dtb__error(DTB_EINVAL, "dtb_mcell_add_recording: cell or variable is NULL");
    mc_recording r = {.density = -1};
    dtb_status st = find_place(c, "dtb_mcell_add_recording", segment, x, &r.at);
    if (!st && strcmp(variable, "v") != 0)
        st = find_gate(c, variable, &r);
    if (!st && r.density >= 0 && !c->desc.groups[c->desc.densities[r.density].group].has[r.at.segment])
        st = dtb__error(DTB_EINVAL, "dtb_mcell_add_recording: density '%s' is not on segment "
                        "%lld", c->desc.densities[r.density].id, (long long)segment);
    if (st)
        return st;
    mc_recording *p = dtb__realloc_array(c->recs, c->n_recs + 1, sizeof *p);
    if (!p)
        return DTB_ENOMEM;
    c->recs = p;
    /* Traces of an earlier run no longer match the recordings. */
    free_traces(c);
    c->recs[c->n_recs] = r;
    if (index_out)
        *index_out = (int64_t)c->n_recs;
    c->n_recs++;
    return DTB_OK;
}

/* A recording's probe on the present model: its node, and for a gate the
 * slot of that node in the density's placement. */
static dtb__mc_probe probe_of(const dtb_mcell *c, const mc_recording *r)
{
    const dtb__mc_model *m = &c->model;
    int64_t node = dtb__mc_node_at(m, r->at.segment, r->at.x);
    dtb__mc_probe p = {.node = node, .placement = -1};
    if (r->density < 0)
        return p;
    /* A gate lives at compartment centres: at a section end, the nearest. */
    size_t first = m->sec_first[r->at.segment], n = (size_t)m->nseg[r->at.segment];
    if (node < (int64_t)first || node >= (int64_t)(first + n))
        node = r->at.x <= 0 ? (int64_t)first : (int64_t)(first + n - 1);
    const dtb__mc_placement *pl = &m->placements[r->density];
    for (size_t j = 0; j < pl->n; j++)
        if (pl->node[j] == node) {
            p.slot = j;
            break;
        }
    p.placement = r->density;
    p.gate = r->gate;
    return p;
}

dtb_status dtb_mcell_run(dtb_mcell *c, double duration, double dt)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_run: cell is NULL");
    if (!(dt > 0) || !isfinite(dt) || !(duration >= 0) || !isfinite(duration))
        return dtb__error(DTB_EINVAL, "dtb_mcell_run: dt must be > 0 and duration >= 0 (ms), "
                          "both finite");
    /* The traces are kept whole: a run whose traces would not fit in
     * MAX_TRACE_BYTES is refused before anything is allocated. */
    double steps = round(duration / dt);
    double bytes = (steps + 1) * (double)c->n_recs * sizeof(double);
    if (steps > 1e9)
        return dtb__error(DTB_EINVAL, "dtb_mcell_run: %.0f steps (duration %g ms, dt %g ms) is "
                          "more than 1e9", steps, duration, dt);
    if (bytes > MAX_TRACE_BYTES)
        return dtb__error(DTB_EINVAL, "dtb_mcell_run: %.0f steps of %zu recordings would need "
                          "%.1f GiB of traces (at most %.0f GiB): record fewer places or a "
                          "shorter run", steps, c->n_recs, bytes / (1024.0 * 1024 * 1024),
                          MAX_TRACE_BYTES / (1024.0 * 1024 * 1024));
    size_t n_steps = (size_t)steps;
    double celsius;
    dtb_status st = run_temperature(c, &celsius);
    if (st)
        return st;
    free_traces(c);
    dtb__mc_probe *probes = dtb__calloc(c->n_recs + 1, sizeof *probes);
    dtb__mc_clamp *clamps = dtb__calloc(c->n_clamps + 1, sizeof *clamps);
    double **traces = dtb__calloc(c->n_recs + 1, sizeof *traces);
    if (!probes || !clamps || !traces)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < c->n_recs; i++) {
        probes[i] = probe_of(c, &c->recs[i]);
        if (!(traces[i] = dtb__malloc_array(n_steps + 1, sizeof **traces)))
            st = DTB_ENOMEM;
    }
    for (size_t i = 0; !st && i < c->n_clamps; i++) {
        const clamp *k = &c->clamps[i];
        clamps[i] = (dtb__mc_clamp){dtb__mc_node_at(&c->model, k->at.segment, k->at.x), k->delay,
                                    k->duration, k->amplitude};
    }
    /* spikes at the root segment's middle (NeuroML's spikeThresh, checked
     * at the soma as NEURON's export puts its NetCon) */
    dtb__mc_spikes spikes = {
        .node = dtb__mc_node_at(&c->model, c->desc.order[0], 0.5),
        .threshold = c->desc.spike_thresh};
    free_spikes(c);
    if (!st)
        st = dtb__mc_run(&c->model, &c->desc, clamps, c->n_clamps, probes, c->n_recs, dt,
                         n_steps, c->method == DTB_MCELL_METHOD_CRANK_NICOLSON, celsius, &spikes,
                         traces);
    free(probes);
    free(clamps);
    if (st)
        free(spikes.times);
    else {
        c->spike_times = spikes.times;
        c->n_spikes = spikes.n;
    }
    if (st) {
        for (size_t i = 0; traces && i < c->n_recs; i++)
            free(traces[i]);
        free(traces);
        return st;
    }
    c->traces = traces;
    c->trace_len = n_steps + 1;
    return DTB_OK;
}

int64_t dtb_mcell_trace_length(const dtb_mcell *c)
{
    return c ? (int64_t)c->trace_len : -1;
}

dtb_status dtb_mcell_trace(const dtb_mcell *c, int64_t recording, double *buf, size_t capacity,
                           size_t *needed_out)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_trace: cell is NULL");
    if (recording < 0 || (size_t)recording >= c->n_recs)
        return dtb__error(DTB_EINVAL, "dtb_mcell_trace: recording %lld is not in 0..%zu",
                          (long long)recording, c->n_recs);
    if (!c->traces)
        return dtb__error(DTB_ESTATE, "dtb_mcell_trace: no run since the recordings were set");
    return dtb__copy_out("dtb_mcell_trace", c->traces[recording], c->trace_len, sizeof(double),
                         buf, capacity, needed_out);
}

dtb_status dtb_mcell_spike_times(const dtb_mcell *c, double *buf, size_t capacity,
                                 size_t *needed_out)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_mcell_spike_times: cell is NULL");
    return dtb__copy_out("dtb_mcell_spike_times", c->spike_times, c->n_spikes, sizeof(double),
                         buf, capacity, needed_out);
}
