/* libdtb — checkpoints: the complete state of a simulation in a file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout (every integer and double as 8 little-endian bytes, strings as a
 * length and bytes, of any length):
 *   "DTBCKPT\n", format version, library version,
 *   note (format 4): what made the simulation says about it — dtb run
 *     stores the experiment's settings and its inputs' checksums, so that a
 *     resume can be compared with the run that saved the checkpoint,
 *   fingerprint: model name, regions, states, parameters, coupling
 *     variables, parameter and state names, dt, integrator, flags,
 *   state: step, started, RNG, x, parameter values, noise (D, kind, tau,
 *     the Ornstein-Uhlenbeck processes), coupling (kind, parameters,
 *     expressions), connectivity (speed, weights, lengths), history ring,
 *     coupling input, GSL inner step, stimuli (generator and Poisson
 *     state), scheduled changes done, provenance, observers,
 *   FNV-1a checksum of everything before it.
 * Loading parses and checks the whole file into a temporary record before
 * changing anything, so a bad file leaves the simulation as it was. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dtb/dtb_version.h"
#include "io/atomic_file.h"
#include "observe/observer.h"
#include "sim.h"
#include "sim_checkpoint.h"
#include "spiking/spiking.h"

#define MAGIC "DTBCKPT\n"
#define FORMAT_VERSION 4   /* 2: observers of every kind (BOLD, projections, events, FC, FCD, PSD);
                              3: spiking regions; 4: the note (format 3 is still read) */

/* ------------------------------------------------------------- saving */

static void save_fingerprint(const dtb_sim *sim, dtb__bytes *b)
{
    const dtb__model_core *c = sim->core;
    dtb__bytes_str(b, c->name);
    dtb__bytes_i64(b, sim->n);
    dtb__bytes_u64(b, sim->n_states);
    dtb__bytes_u64(b, c->n_params);
    dtb__bytes_u64(b, sim->n_cvar);
    for (size_t p = 0; p < c->n_params; p++)
        dtb__bytes_str(b, c->params[p].name);
    for (size_t v = 0; v < sim->n_states; v++)
        dtb__bytes_str(b, c->states[v].name);
    dtb__bytes_f64(b, sim->dt);
    dtb__bytes_u32(b, (uint32_t)sim->integ.kind);
    dtb__bytes_u32(b, sim->flags);
}

static void save_state(dtb_sim *sim, dtb__bytes *b)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n, np = sim->core->n_params;
    dtb__bytes_i64(b, sim->step);
    dtb__bytes_u32(b, (uint32_t)sim->started);
    for (int i = 0; i < 4; i++)
        dtb__bytes_u64(b, sim->rng.s[i]);
    dtb__bytes_f64s(b, sim->x, len);
    dtb__bytes_f64s(b, sim->param_values, np * n);
    dtb__bytes_f64s(b, sim->noise_D, len);
    dtb__bytes_u32(b, (uint32_t)sim->noise_kind);
    dtb__bytes_f64(b, sim->noise_tau);
    dtb__bytes_u32(b, sim->ou != NULL);
    if (sim->ou)
        dtb__bytes_f64s(b, sim->ou, len);
    /* coupling */
    const dtb__coupling *c = &sim->coupling;
    dtb__bytes_u32(b, (uint32_t)c->kind);
    dtb__bytes_u64(b, c->n_params);
    for (size_t i = 0; i < c->n_params; i++) {
        dtb__bytes_str(b, c->names[i]);
        dtb__bytes_f64(b, c->p[i]);
    }
    char *pre = NULL, *post = NULL;
    if (c->pre_expr) {
        /* numbers are written to read back exactly, in the C locale; an
         * expression of any length is written whole, with only the
         * parentheses it needs (fully parenthesised, a long sum would nest
         * deeper than the parser reads back) */
        dtb__locale_guard g;
        dtb__locale_push_c(&g);
        pre = dtb__expr_to_text(c->pre_expr);
        post = dtb__expr_to_text(c->post_expr);
        if (!pre || !post)
            b->failed = 1;
        dtb__locale_pop(&g);
    }
    dtb__bytes_str(b, pre ? pre : "");
    dtb__bytes_str(b, post ? post : "");
    free(pre);
    free(post);
    /* connectivity and history */
    dtb__bytes_f64(b, sim->speed);
    dtb__bytes_f64s(b, sim->weights, n * n);
    dtb__bytes_u32(b, sim->lengths != NULL);
    if (sim->lengths)
        dtb__bytes_f64s(b, sim->lengths, n * n);
    dtb__bytes_i64(b, sim->hist.horizon);
    dtb__bytes_f64s(b, sim->hist.ring, sim->n_cvar * n * 2 * (size_t)sim->hist.horizon);
    dtb__bytes_f64s(b, sim->coupling_in, sim->n_cvar * n);
    dtb__bytes_f64(b, dtb__integrator_inner_step(&sim->integ));
    /* stimuli, schedule, provenance */
    dtb__bytes_u64(b, sim->n_stims);
    for (size_t i = 0; i < sim->n_stims; i++) {
        const dtb_stimulus *st = sim->stims[i].stim;
        dtb__bytes_str(b, st->target);
        for (int k = 0; k < 4; k++)
            dtb__bytes_u64(b, st->rng.s[k]);
        dtb__bytes_u64(b, st->n_shapes);
        for (size_t k = 0; k < st->n_shapes; k++)
            dtb__bytes_f64(b, st->shapes[k].pulse_until);
    }
    dtb__bytes_u64(b, sim->n_scheduled);
    dtb__bytes_u64(b, sim->next_scheduled);
    dtb__bytes_u64(b, sim->n_provenance);
    for (size_t i = 0; i < sim->n_provenance; i++)
        dtb__bytes_str(b, sim->provenance[i]);
    /* spiking regions: their smoothed rates and their network */
    dtb__bytes_u64(b, sim->n_spk);
    for (size_t i = 0; i < sim->n_spk; i++)
        dtb__bytes_f64(b, sim->spk[i].rate);
    if (sim->n_spk)
        dtb__spk_save(sim->spk_net, b);
    dtb__bytes_u64(b, sim->n_observers);
    for (size_t i = 0; i < sim->n_observers; i++)
        dtb__observer_save(sim->observers[i], b);
}

dtb_status dtb_sim_save_checkpoint(dtb_sim *sim, const char *path)
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb_sim_save_checkpoint: NULL argument");
    dtb__bytes b = {0};
    dtb__bytes_put(&b, MAGIC, 8);
    dtb__bytes_u32(&b, FORMAT_VERSION);
    dtb__bytes_str(&b, DTB_VERSION_STRING);
    dtb__bytes_str(&b, sim->checkpoint_note ? sim->checkpoint_note : "");
    save_fingerprint(sim, &b);
    save_state(sim, &b);
    if (b.failed) {
        dtb__bytes_free(&b);
        return DTB_ENOMEM;
    }
    dtb__bytes_u64(&b, dtb__fnv1a(b.data, b.len));
    /* written whole or not at all (io/atomic_file.h): a crash never
     * leaves a half-written checkpoint under the real name */
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, path);
    if (!st) {
        fwrite(b.data, 1, b.len, a.f);
        st = dtb__atomic_commit(&a);
    }
    dtb__bytes_free(&b);
    return st;
}

/* ------------------------------------------------------------ loading */

void dtb__checkpoint_loaded_free(dtb__ckpt_loaded *l, size_t n_stims)
{
    free(l->x);
    free(l->params);
    free(l->noise_D);
    free(l->ou);
    free(l->weights);
    free(l->lengths);
    free(l->ring);
    free(l->coupling_in);
    free(l->spiking_rates);
    for (size_t i = 0; i < DTB__COUPLING_MAX_PARAMS; i++)
        free(l->coupling_names[i]);
    free(l->pre);
    free(l->post);
    for (size_t i = 0; l->stim_pulse && i < n_stims; i++)
        free(l->stim_pulse[i]);
    free(l->stim_pulse);
    free(l->stim_rng);
    for (size_t i = 0; l->provenance && i < l->n_provenance; i++)
        free(l->provenance[i]);
    free(l->provenance);
}

double *dtb__checkpoint_read_array(dtb__reader *r, size_t count)
{
    if (r->bad || (r->len - r->pos) / 8 < count) {
        r->bad = 1;
        return NULL;
    }
    double *v = dtb__malloc_array(count ? count : 1, sizeof *v);
    if (v)
        dtb__read_f64s(r, v, count);
    else
        r->bad = 1;
    return v;
}

static dtb_status mismatch(const char *path, const char *what)
{
    return dtb__error(DTB_EINVAL, "%s: the checkpoint was made by a different simulation (%s); "
                                  "create the simulation as for the original run", path, what);
}

static dtb_status check_fingerprint(const dtb_sim *sim, dtb__reader *r, const char *path)
{
    const dtb__model_core *c = sim->core;
    int64_t n;
    uint64_t ns, np, ncv;
    int same_model = dtb__read_str_is(r, c->name);
    dtb__read_i64(r, &n);
    dtb__read_u64(r, &ns);
    dtb__read_u64(r, &np);
    dtb__read_u64(r, &ncv);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (!same_model)
        return mismatch(path, "another model");
    if (n != sim->n || ns != sim->n_states || np != c->n_params || ncv != sim->n_cvar)
        return mismatch(path, "other sizes");
    for (size_t p = 0; p < c->n_params; p++)
        if (!dtb__read_str_is(r, c->params[p].name) && !r->bad)
            return mismatch(path, "other parameters");
    for (size_t v = 0; v < sim->n_states; v++)
        if (!dtb__read_str_is(r, c->states[v].name) && !r->bad)
            return mismatch(path, "other state variables");
    double dt;
    uint32_t integ, flags;
    dtb__read_f64(r, &dt);
    dtb__read_u32(r, &integ);
    dtb__read_u32(r, &flags);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (dt != sim->dt || integ != (uint32_t)sim->integ.kind || flags != sim->flags)
        return mismatch(path, "another step, integrator or flags");
    return DTB_OK;
}

dtb_status dtb__checkpoint_read_state(dtb_sim *sim, dtb__reader *r, const char *path,
                                      dtb__ckpt_loaded *l)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n, np = sim->core->n_params;
    dtb__read_i64(r, &l->step);
    dtb__read_u32(r, &l->started);
    for (int i = 0; i < 4; i++)
        dtb__read_u64(r, &l->rng[i]);
    l->x = dtb__checkpoint_read_array(r, len);
    l->params = dtb__checkpoint_read_array(r, np * n);
    l->noise_D = dtb__checkpoint_read_array(r, len);
    dtb__read_u32(r, &l->noise_kind);
    dtb__read_f64(r, &l->noise_tau);
    dtb__read_u32(r, &l->has_ou);
    if (l->has_ou)
        l->ou = dtb__checkpoint_read_array(r, len);
    dtb__read_u32(r, &l->coupling_kind);
    dtb__read_u64(r, &l->n_coupling_params);
    if (l->n_coupling_params > DTB__COUPLING_MAX_PARAMS)
        r->bad = 1;
    for (uint64_t i = 0; !r->bad && i < l->n_coupling_params; i++) {
        l->coupling_names[i] = dtb__read_str_dup(r);
        dtb__read_f64(r, &l->coupling_values[i]);
    }
    l->pre = dtb__read_str_dup(r);
    l->post = dtb__read_str_dup(r);
    dtb__read_f64(r, &l->speed);
    l->weights = dtb__checkpoint_read_array(r, n * n);
    dtb__read_u32(r, &l->has_lengths);
    if (l->has_lengths)
        l->lengths = dtb__checkpoint_read_array(r, n * n);
    dtb__read_i64(r, &l->horizon);
    if (l->horizon < 1 || (uint64_t)l->horizon > (r->len - r->pos) / 8)
        r->bad = 1;
    if (!r->bad)
        l->ring = dtb__checkpoint_read_array(r, sim->n_cvar * n * 2 * (size_t)l->horizon);
    l->coupling_in = dtb__checkpoint_read_array(r, sim->n_cvar * n);
    dtb__read_f64(r, &l->inner_step);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated or damaged checkpoint", path);
    if (l->step < 0 || (l->has_lengths == 0) != (sim->lengths == NULL) ||
        l->noise_kind > DTB_NOISE_COLOURED || !dtb__coupling_kind_name((dtb_coupling_kind)l->coupling_kind))
        return mismatch(path, "other settings");
    return DTB_OK;
}

static dtb_status read_extras(dtb_sim *sim, dtb__reader *r, const char *path, dtb__ckpt_loaded *l)
{
    uint64_t n_stims;
    dtb__read_u64(r, &n_stims);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (n_stims != sim->n_stims)
        return mismatch(path, "another number of stimuli");
    l->stim_rng = dtb__calloc(n_stims ? n_stims : 1, sizeof *l->stim_rng);
    l->stim_pulse = dtb__calloc(n_stims ? n_stims : 1, sizeof *l->stim_pulse);
    if (!l->stim_rng || !l->stim_pulse)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n_stims; i++) {
        uint64_t n_shapes;
        int same_target = dtb__read_str_is(r, sim->stims[i].stim->target);
        for (int k = 0; k < 4; k++)
            dtb__read_u64(r, &l->stim_rng[i][k]);
        dtb__read_u64(r, &n_shapes);
        if (r->bad)
            return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
        if (!same_target || n_shapes != sim->stims[i].stim->n_shapes)
            return mismatch(path, "other stimuli");
        l->stim_pulse[i] = dtb__checkpoint_read_array(r, n_shapes);
    }
    dtb__read_u64(r, &l->n_scheduled);
    dtb__read_u64(r, &l->next_scheduled);
    dtb__read_u64(r, &l->n_provenance);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (l->n_scheduled != sim->n_scheduled || l->next_scheduled > l->n_scheduled)
        return mismatch(path, "other scheduled changes");
    if (l->n_provenance > (r->len - r->pos) / 8)
        return dtb__error(DTB_EPARSE, "%s: damaged checkpoint", path);
    l->provenance = dtb__calloc(l->n_provenance ? l->n_provenance : 1, sizeof *l->provenance);
    if (!l->provenance)
        return DTB_ENOMEM;
    for (size_t i = 0; i < l->n_provenance; i++)
        if (!(l->provenance[i] = dtb__read_str_dup(r)))
            return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    uint64_t n_spk;
    dtb__read_u64(r, &n_spk);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (n_spk != sim->n_spk)
        return mismatch(path, "another number of spiking regions");
    if (n_spk) {
        if (!(l->spiking_rates = dtb__checkpoint_read_array(r, n_spk)))
            return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
        l->spiking_at = r->pos;
        dtb_status sst = dtb__spk_check(sim->spk_net, r);
        if (sst)
            return dtb__error_context(sst, "%s", path);
    }
    uint64_t n_obs;
    dtb__read_u64(r, &n_obs);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    if (n_obs != sim->n_observers)
        return mismatch(path, "another number of observers");
    l->observers_at = r->pos;
    return DTB_OK;
}

/* Install what was read; only fails for lack of memory, before changing the
 * connectivity or coupling. */
static dtb_status apply(dtb_sim *sim, dtb__ckpt_loaded *l, dtb__reader *r)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n, np = sim->core->n_params;
    dtb_status st = DTB_OK;
    /* coupling and connectivity first: they may fail */
    if (l->coupling_kind == DTB_COUPLING_EXPRESSION) {
        const char *names[DTB__COUPLING_MAX_PARAMS];
        for (uint64_t i = 0; i < l->n_coupling_params; i++)
            names[i] = l->coupling_names[i];
        st = dtb__coupling_set_expressions(&sim->coupling, l->pre, l->post, names,
                                           l->coupling_values, l->n_coupling_params);
    } else {
        st = dtb__coupling_set_builtin(&sim->coupling, (dtb_coupling_kind)l->coupling_kind, sim->n_cvar);
        for (uint64_t i = 0; !st && i < l->n_coupling_params; i++) {
            double *p = dtb__coupling_param(&sim->coupling, l->coupling_names[i]);
            if (p)
                *p = l->coupling_values[i];
        }
    }
    if (st)
        return st;
    memcpy(sim->weights, l->weights, n * n * sizeof *l->weights);
    if (l->lengths)
        memcpy(sim->lengths, l->lengths, n * n * sizeof *l->lengths);
    dtb__network net;
    st = dtb__network_build(&net, sim->n, sim->weights, sim->lengths, l->speed, sim->dt);
    if (st)
        return st;
    if (net.horizon != l->horizon) {
        dtb__network_free(&net);
        return dtb__error(DTB_EPARSE, "checkpoint: damaged history (horizon)");
    }
    dtb__history hist;
    st = dtb__history_init(&hist, sim->n, l->horizon, sim->n_cvar, sim->core->coupling_state);
    if (st) {
        dtb__network_free(&net);
        return st;
    }
    memcpy(hist.ring, l->ring, sim->n_cvar * n * 2 * (size_t)l->horizon * sizeof *hist.ring);
    st = dtb__history_prepare(&hist, &sim->coupling, (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
    if (st) {
        dtb__history_free(&hist);
        dtb__network_free(&net);
        return st;
    }
    dtb__network_free(&sim->net);
    sim->net = net;
    dtb__history_free(&sim->hist);
    sim->hist = hist;
    dtb__gather_cache_invalidate(&sim->gather);
    sim->speed = l->speed;
    /* the rest cannot fail */
    sim->step = l->step;
    sim->started = (int)l->started;
    memcpy(sim->rng.s, l->rng, sizeof sim->rng.s);
    memcpy(sim->x, l->x, len * sizeof *sim->x);
    memcpy(sim->coupling_in, l->coupling_in, sim->n_cvar * n * sizeof *sim->coupling_in);
    for (size_t p = 0; p < np; p++)
        dtb_sim_set_param_regions(sim, sim->core->params[p].name, l->params + p * n, n);
    memcpy(sim->noise_D, l->noise_D, len * sizeof *sim->noise_D);
    sim->noise_kind = (dtb_noise_kind)l->noise_kind;
    sim->noise_tau = l->noise_tau;
    free(sim->ou);
    sim->ou = l->ou;
    l->ou = NULL;
    dtb__sim_noise_changed(sim);
    dtb__integrator_set_inner_step(&sim->integ, l->inner_step);
    for (size_t i = 0; i < sim->n_stims; i++) {
        dtb_stimulus *s = sim->stims[i].stim;
        memcpy(s->rng.s, l->stim_rng[i], sizeof s->rng.s);
        for (size_t k = 0; k < s->n_shapes; k++)
            s->shapes[k].pulse_until = l->stim_pulse[i][k];
    }
    sim->next_scheduled = (size_t)l->next_scheduled;
    for (size_t i = 0; i < sim->n_provenance; i++)
        free(sim->provenance[i]);
    free(sim->provenance);
    sim->provenance = l->provenance;
    sim->n_provenance = (size_t)l->n_provenance;
    l->provenance = NULL;
    l->n_provenance = 0;
    for (size_t i = 0; i < sim->n_spk; i++)
        sim->spk[i].rate = l->spiking_rates[i];
    if (sim->n_spk) {
        r->pos = l->spiking_at;
        dtb__spk_restore(sim->spk_net, r);
    }
    /* observers last: restoring cuts their files back */
    r->pos = l->observers_at;
    for (size_t i = 0; !st && i < sim->n_observers; i++)
        st = dtb__observer_restore(sim->observers[i], r);
    return st;
}

/* The whole file, within the input cap (base.h); the magic is checked on
 * the first bytes, so that a device or another kind of file is refused
 * before it is read. */
static dtb_status read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dtb__error(errno == ENOENT ? DTB_ENOTFOUND : DTB_EIO, "%s: cannot open checkpoint: %s",
                          path, strerror(errno));
    char magic[8];
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (got != sizeof magic || memcmp(magic, MAGIC, 8) != 0)
        return dtb__error(DTB_EPARSE, "%s: not a libdtb checkpoint", path);
    char *buf = NULL;
    dtb_status st = dtb__read_input(path, 0, &buf, len);
    if (st)
        return dtb__error_context(st, "checkpoint");
    *data = (unsigned char *)buf;
    return DTB_OK;
}

/* The header up to the fingerprint: magic, a format this library reads,
 * the checksum, the version that made it, the note (NULL if none). */
dtb_status dtb__checkpoint_open_header(const char *path, unsigned char **data, dtb__reader *r,
                                       const char **note, size_t *note_len)
{
    size_t len = 0;
    dtb_status st = read_file(path, data, &len);
    if (st)
        return st;
    *note = NULL;
    *note_len = 0;
    if (len < 8 + 8 + 8 || memcmp(*data, MAGIC, 8) != 0)
        st = dtb__error(DTB_EPARSE, "%s: not a libdtb checkpoint", path);
    dtb__reader rr = {*data, len - 8, 8, 0};
    uint32_t version = 0;
    if (!st) {
        dtb__reader tail = {*data + len - 8, 8, 0, 0};
        uint64_t sum;
        dtb__read_u64(&tail, &sum);
        dtb__read_u32(&rr, &version);
        if (version != FORMAT_VERSION && version != 3)
            st = dtb__error(DTB_EUNSUPPORTED, "%s: checkpoint format %u, this library reads formats "
                                              "3 and %d", path, (unsigned)version, FORMAT_VERSION);
        else if (sum != dtb__fnv1a(*data, len - 8))
            st = dtb__error(DTB_EPARSE, "%s: the checkpoint is truncated or damaged (checksum)", path);
    }
    if (!st) {
        const char *made_by;
        size_t n;
        dtb__read_strview(&rr, &made_by, &n);
        if (version >= 4 && dtb__read_strview(&rr, note, note_len) && *note_len == 0)
            *note = NULL;
        if (rr.bad)
            st = dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    }
    if (st) {
        free(*data);
        *data = NULL;
        return st;
    }
    *r = rr;
    return DTB_OK;
}

dtb_status dtb__checkpoint_note(const char *path, char **note)
{
    *note = NULL;
    unsigned char *data = NULL;
    dtb__reader r;
    const char *text;
    size_t len;
    dtb_status st = dtb__checkpoint_open_header(path, &data, &r, &text, &len);
    if (st)
        return st;
    if (text && !(*note = dtb__strndup(text, len)))
        st = DTB_ENOMEM;
    free(data);
    return st;
}

dtb_status dtb__sim_set_checkpoint_note(dtb_sim *sim, const char *note)
{
    char *copy = note ? dtb__strdup(note) : NULL;
    if (note && !copy)
        return DTB_ENOMEM;
    free(sim->checkpoint_note);
    sim->checkpoint_note = copy;
    return DTB_OK;
}

/* Read a checkpoint file and check its header, checksum and fingerprint;
 * on success *data holds the file and r is positioned at the state. */
static dtb_status open_checkpoint(const dtb_sim *sim, const char *path, unsigned char **data,
                                  dtb__reader *r)
{
    const char *note;
    size_t note_len;
    dtb_status st = dtb__checkpoint_open_header(path, data, r, &note, &note_len);
    if (!st && (st = check_fingerprint(sim, r, path))) {
        free(*data);
        *data = NULL;
    }
    return st;
}

dtb_status dtb__checkpoint_time(const dtb_sim *sim, const char *path, double *t)
{
    unsigned char *data = NULL;
    dtb__reader r;
    dtb_status st = open_checkpoint(sim, path, &data, &r);
    if (st)
        return st;
    int64_t step = 0;
    dtb__read_i64(&r, &step);
    free(data);
    if (r.bad)
        return dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    *t = (double)step * sim->dt;
    return DTB_OK;
}

dtb_status dtb_sim_load_checkpoint(dtb_sim *sim, const char *path)
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb_sim_load_checkpoint: NULL argument");
    if (sim->running)
        return dtb__error(DTB_ESTATE, "dtb_sim_load_checkpoint: the simulation is running (called "
                                      "from one of its own callbacks)");
    unsigned char *data = NULL;
    dtb__reader r;
    dtb_status st = open_checkpoint(sim, path, &data, &r);
    if (st)
        return st;
    dtb__ckpt_loaded l = {0};
    st = dtb__checkpoint_read_state(sim, &r, path, &l);
    if (!st)
        st = read_extras(sim, &r, path, &l);
    if (!st)
        st = apply(sim, &l, &r);
    dtb__checkpoint_loaded_free(&l, sim->n_stims);
    free(data);
    return st;
}
