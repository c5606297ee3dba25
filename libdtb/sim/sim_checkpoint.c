/* libdtb — checkpoints: the complete state of a simulation in a file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout (base/ckpt.h: every integer and double as 8 little-endian bytes,
 * strings as a length and bytes, of any length):
 *   "DTBCKPT\n", format version, library version,
 *   note (format 4): what made the simulation says about it — dtb run
 *     stores the experiment's settings and its inputs' checksums, so that a
 *     resume can be compared with the run that saved the checkpoint,
 *   fingerprint (fingerprint_fields): model, regions, layout, dt,
 *     integrator, flags,
 *   state (state_fields and those it calls): step, RNG, x, parameters,
 *     noise, coupling, connectivity, delay history, coupling input, GSL
 *     inner step, stimuli, schedule, provenance, spiking regions
 *     (spiking/spiking_checkpoint.c), observers (observe/observer_state.c),
 *   FNV-1a checksum of everything before it.
 * Each part is declared once, as a walk of its fields, which saves, checks
 * or restores it (base/ckpt.h). Loading walks the file twice: the check
 * reads all of it against the simulation and stages what installing could
 * fail at (the new coupling, network and delay history, the parameters,
 * the noise's OU state, the provenance), the restore stores the rest, and
 * the staged parts go in last. So a bad file leaves the simulation as it
 * was. Branching (sim_branch.c) is the same walk taking only the
 * dynamics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ckpt.h"
#include "dtb/dtb_version.h"
#include "io/atomic_file.h"
#include "observe/observer.h"
#include "sim.h"
#include "spiking/spiking.h"

#define MAGIC "DTBCKPT\n"
#define FORMAT_VERSION 5   /* 2: observers of every kind (BOLD, projections, events, FC, FCD, PSD);
                              3: spiking regions; 4: the note; 5: the state of callback
                              stimuli (controllers); formats 3 and 4 are still read */

/* What a load (or a branch) reads at the check and installs after the
 * restore: copies of the file's values, and what is made of them. */
typedef struct stage {
    int branch;                  /* sim_branch.c: keep the settings, take the dynamics */
    int reseed;                  /* keep the noise stream too */
    double *params, *ou, *weights, *lengths, *ring;
    uint64_t noise_kind, coupling_kind, n_coupling, horizon, next_scheduled, n_provenance;
    char *names[DTB__COUPLING_MAX_PARAMS], *pre, *post, **provenance;
    double values[DTB__COUPLING_MAX_PARAMS], speed, inner_step;
    size_t n_common_stims;       /* the stimuli whose streams are taken: the first, alike */
    uint64_t format;             /* of the file read (FORMAT_VERSION when saving) */
    dtb__coupling coupling;      /* made by prepare() */
    dtb__network net;
    dtb__history hist;
} stage;

static void stage_free(stage *s)
{
    free(s->params);
    free(s->ou);
    free(s->weights);
    free(s->lengths);
    free(s->ring);
    for (size_t i = 0; i < DTB__COUPLING_MAX_PARAMS; i++)
        free(s->names[i]);
    free(s->pre);
    free(s->post);
    for (size_t i = 0; s->provenance && i < s->n_provenance; i++)
        free(s->provenance[i]);
    free(s->provenance);
    dtb__coupling_free(&s->coupling);
    dtb__network_free(&s->net);
    dtb__history_free(&s->hist);
}

/* ------------------------------------------------------------- fields */

/* The simulation the file belongs to: a load or a branch into another
 * one is refused, saying what differs. A branch may differ in the flags
 * other than TVB's float32 coupling. */
static void fingerprint_fields(dtb__ckpt *w, const dtb_sim *sim, int branch)
{
    const dtb__model_core *c = sim->core;
    size_t len;
    const char *model = dtb__ckpt_take_str(w, "model", c->name, &len);
    if (dtb__ckpt_ok(w) && (len != strlen(c->name) || memcmp(model, c->name, len)))
        dtb__ckpt_differs(w, "it is of model '%.*s', this simulation runs '%s'",
                          (int)(len < 200 ? len : 200), model, c->name);
    const int64_t n = (int64_t)dtb__ckpt_take(w, "regions", (uint64_t)sim->n, UINT64_MAX);
    if (n != sim->n)
        dtb__ckpt_differs(w, "it has %lld regions, this simulation's atlas %lld", (long long)n,
                          (long long)sim->n);
    int same = dtb__ckpt_take(w, "state variables", sim->n_states, UINT64_MAX) == sim->n_states;
    same &= dtb__ckpt_take(w, "parameters", c->n_params, UINT64_MAX) == c->n_params;
    same &= dtb__ckpt_take(w, "coupling variables", sim->n_cvar, UINT64_MAX) == sim->n_cvar;
    if (!same)
        dtb__ckpt_differs(w, "the state layout of model '%s' differs (another version of it)", c->name);
    for (size_t p = 0; p < c->n_params; p++)
        if (!dtb__ckpt_same_str(w, "parameter names", c->params[p].name))
            dtb__ckpt_differs(w, "the parameters of model '%s' differ (another version of it)", c->name);
    for (size_t v = 0; v < sim->n_states; v++)
        if (!dtb__ckpt_same_str(w, "state variable names", c->states[v].name))
            dtb__ckpt_differs(w, "the state variables of model '%s' differ", c->name);
    const double dt = dtb__ckpt_take_f64(w, "dt", sim->dt);
    if (dt != sim->dt)
        dtb__ckpt_differs(w, "its step dt is %.10g s, this simulation's %.10g s", dt, sim->dt);
    const uint64_t integ = dtb__ckpt_take(w, "integrator", (uint64_t)sim->integ.kind, UINT32_MAX);
    if (integ != (uint64_t)sim->integ.kind) {
        const char *there = dtb_integrator_name((dtb_integrator)integ);
        dtb__ckpt_differs(w, "it was integrated with %s, this simulation with %s",
                          there ? there : "an unknown integrator", dtb_integrator_name(sim->integ.kind));
    }
    const uint64_t flags = dtb__ckpt_take(w, "flags", sim->flags, UINT32_MAX);
    const uint64_t f32 = DTB_SIM_FLAG_TVB_FLOAT32_COUPLING, differ = flags ^ sim->flags;
    if (differ & f32)
        dtb__ckpt_differs(w, "TVB's float32 coupling is %s there and %s here", flags & f32 ? "on" : "off",
                          sim->flags & f32 ? "on" : "off");
    else if (differ && !branch)
        dtb__ckpt_differs(w, "its flags are 0x%llx, this simulation's 0x%x", (unsigned long long)flags,
                          (unsigned)sim->flags);
}

/* The coupling function: kind, parameters and, for user expressions,
 * their text (staged, made into a coupling by prepare()). */
static void coupling_fields(dtb__ckpt *w, const dtb_sim *sim, stage *s)
{
    const dtb__coupling *c = &sim->coupling;
    s->coupling_kind = dtb__ckpt_take(w, "coupling kind", (uint64_t)c->kind, UINT32_MAX);
    if (dtb__ckpt_ok(w) && !dtb__coupling_kind_name((dtb_coupling_kind)s->coupling_kind))
        dtb__ckpt_damaged(w, "coupling kind");
    s->n_coupling = dtb__ckpt_take(w, "coupling parameters", c->n_params, DTB__COUPLING_MAX_PARAMS);
    for (size_t i = 0; i < s->n_coupling; i++) {
        dtb__ckpt_stage_str(w, "coupling parameters", &s->names[i], c->names[i]);
        s->values[i] = dtb__ckpt_take_f64(w, "coupling parameters", c->p[i]);
    }
    char *text[2] = {NULL, NULL};
    if (dtb__ckpt_saving(w) && c->pre_expr) {
        /* numbers written to read back exactly, in the C locale; an
         * expression of any length whole, with only the parentheses it
         * needs (fully parenthesised, a long sum would nest deeper than the
         * parser reads back) */
        dtb__locale_guard g;
        dtb__locale_push_c(&g);
        text[0] = dtb__expr_to_text(c->pre_expr);
        text[1] = dtb__expr_to_text(c->post_expr);
        dtb__locale_pop(&g);
        if (!text[0] || !text[1])
            dtb__ckpt_fail(w, DTB_ENOMEM);
    }
    dtb__ckpt_stage_str(w, "coupling expression", &s->pre, text[0]);
    dtb__ckpt_stage_str(w, "coupling expression", &s->post, text[1]);
    free(text[0]);
    free(text[1]);
}

/* Connectivity and the delay history (staged: the network is built again
 * from them); a branch keeps its own connectivity, which must give the
 * history of the file its length. */
static void network_fields(dtb__ckpt *w, const dtb_sim *sim, stage *s)
{
    const size_t n = (size_t)sim->n, ncv = sim->n_cvar;
    s->speed = dtb__ckpt_take_f64(w, "conduction speed", sim->speed);
    dtb__ckpt_stage_f64s(w, "weights", &s->weights, sim->weights, n * n);
    const uint64_t has_lengths = dtb__ckpt_take(w, "tract lengths", sim->lengths != NULL, 1);
    if (!s->branch && has_lengths != (sim->lengths != NULL))
        dtb__ckpt_differs(w, "%s", has_lengths ? "it has tract lengths, this simulation none"
                                               : "it has no tract lengths, this simulation has");
    if (has_lengths)
        dtb__ckpt_stage_f64s(w, "tract lengths", &s->lengths, sim->lengths, n * n);
    s->horizon = dtb__ckpt_count(w, "delay history", (uint64_t)sim->hist.horizon, 8);
    if (dtb__ckpt_ok(w) && s->horizon < 1)
        dtb__ckpt_damaged(w, "the length of the delay history");
    if (s->branch && s->horizon != (uint64_t)sim->hist.horizon)
        dtb__ckpt_differs(w, "its delay history spans %llu steps (conduction speed %g m/s), this "
                          "simulation's %lld (%g m/s): the speed or the tract lengths differ",
                          (unsigned long long)s->horizon, s->speed, (long long)sim->hist.horizon,
                          sim->speed);
    dtb__ckpt_stage_f64s(w, "delay history", &s->ring, sim->hist.ring, ncv * n * 2 * s->horizon);
}

/* The state a callback shape's owner keeps (a controller's integral,
 * previous error, output...): a load needs the same count; a branch never
 * takes it (it starts its own controllers afresh). */
static void callback_state_fields(dtb__ckpt *w, dtb__stim_shape *sh, stage *s)
{
    const int has = sh && sh->kind == DTB__STIM_CALLBACK && sh->cb->state;
    const size_t mine = has ? sh->cb->n_state : 0;
    const uint64_t n = dtb__ckpt_count(w, "stimulus callback state", mine, 8);
    if (n != mine && !s->branch)
        dtb__ckpt_differs(w, "a callback stimulus (a controller) keeps %llu values there, %zu "
                          "here", (unsigned long long)n, mine);
    dtb__ckpt_f64s(w, "stimulus callback state", n == mine && !s->branch && has ? sh->cb->state
                                                                                 : NULL, (size_t)n);
}

/* Each stimulus's generator and pulses. A load needs the simulation's
 * stimuli; a branch takes the streams of those it shares with the run it
 * branches from (the first ones, in order, with the same target and
 * shapes), found at the check. */
static void stimulus_fields(dtb__ckpt *w, const dtb_sim *sim, stage *s)
{
    const uint64_t count = dtb__ckpt_count(w, "stimuli", sim->n_stims, 48);
    if (!s->branch && count != sim->n_stims)
        dtb__ckpt_differs(w, "it has %llu stimuli, this simulation %zu", (unsigned long long)count,
                          sim->n_stims);
    for (size_t i = 0; i < count; i++) {
        dtb_stimulus *st = i < sim->n_stims ? sim->stims[i].stim : NULL;
        const int ours = dtb__ckpt_saving(w) || i < s->n_common_stims;
        int same = dtb__ckpt_same_str(w, "stimulus target", st ? st->target : "") && st;
        dtb__ckpt_u64s(w, "stimulus generator", ours ? st->rng.s : NULL, 4);
        const uint64_t shapes = dtb__ckpt_count(w, "stimulus shapes", st ? st->n_shapes : 0, 8);
        same = same && shapes == st->n_shapes;
        if (!same && !s->branch)
            dtb__ckpt_differs(w, "its stimulus %zu differs from this simulation's (target or shapes)", i);
        if (dtb__ckpt_checking(w) && same && s->n_common_stims == i)
            s->n_common_stims = i + 1;
        for (size_t k = 0; k < shapes; k++) {
            dtb__ckpt_f64(w, "stimulus pulses", ours ? &st->shapes[k].pulse_until : NULL);
            if (s->format >= 5)
                callback_state_fields(w, same ? &st->shapes[k] : NULL, s);
        }
    }
}

/* The scheduled changes done and the provenance (staged): a branch keeps
 * its own. */
static void schedule_fields(dtb__ckpt *w, const dtb_sim *sim, stage *s)
{
    const uint64_t n_scheduled = dtb__ckpt_take(w, "scheduled changes", sim->n_scheduled, UINT64_MAX);
    if (!s->branch && n_scheduled != sim->n_scheduled)
        dtb__ckpt_differs(w, "it has %llu scheduled changes, this simulation %zu",
                          (unsigned long long)n_scheduled, sim->n_scheduled);
    s->next_scheduled = dtb__ckpt_take(w, "scheduled changes", sim->next_scheduled, n_scheduled);
    const uint64_t n_prov = dtb__ckpt_count(w, "provenance", sim->n_provenance, 8);
    if (dtb__ckpt_checking(w) && !s->branch) {
        s->n_provenance = n_prov;
        if (!(s->provenance = dtb__calloc(n_prov ? n_prov : 1, sizeof *s->provenance)))
            dtb__ckpt_fail(w, DTB_ENOMEM);
    }
    for (size_t i = 0; i < n_prov; i++)
        dtb__ckpt_stage_str(w, "provenance", s->provenance ? &s->provenance[i] : NULL,
                            dtb__ckpt_saving(w) ? sim->provenance[i] : NULL);
}

/* Everything after the fingerprint, in file order. What a branch keeps of
 * its own it reads past (NULL destinations), or leaves staged. */
static void state_fields(dtb__ckpt *w, dtb_sim *sim, stage *s)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n;
    dtb_sim *own = s->branch ? NULL : sim;
    DTB__CKPT_INT(w, "step", sim->step, INT64_MAX);
    DTB__CKPT_INT(w, "started", sim->started, 1);
    dtb__ckpt_u64s(w, "noise generator", s->reseed ? NULL : sim->rng.s, 4);
    dtb__ckpt_f64s(w, "state", sim->x, len);
    dtb__ckpt_stage_f64s(w, "parameters", &s->params, sim->param_values, sim->core->n_params * n);
    dtb__ckpt_f64s(w, "noise intensities", own ? own->noise_D : NULL, len);
    s->noise_kind = dtb__ckpt_take(w, "noise kind", (uint64_t)sim->noise_kind, DTB_NOISE_COLOURED);
    dtb__ckpt_f64(w, "noise correlation time", own ? &own->noise_tau : NULL);
    if (dtb__ckpt_take(w, "coloured noise", sim->ou != NULL, 1))
        dtb__ckpt_stage_f64s(w, "coloured noise", &s->ou, sim->ou, len);
    coupling_fields(w, sim, s);
    network_fields(w, sim, s);
    dtb__ckpt_f64s(w, "coupling input", sim->coupling_in, sim->n_cvar * n);
    s->inner_step = dtb__ckpt_take_f64(w, "integrator step", dtb__integrator_inner_step(&sim->integ));
    stimulus_fields(w, sim, s);
    schedule_fields(w, sim, s);
    const uint64_t n_spk = dtb__ckpt_take(w, "spiking regions", sim->n_spk, UINT64_MAX);
    if (n_spk != sim->n_spk)
        dtb__ckpt_differs(w, "it has %llu spiking regions, this simulation %zu",
                          (unsigned long long)n_spk, sim->n_spk);
    for (size_t i = 0; i < sim->n_spk; i++)
        dtb__ckpt_f64(w, "spiking rates", &sim->spk[i].rate);
    if (sim->n_spk && dtb__ckpt_ok(w))
        dtb__spk_fields(w, sim->spk_net);
    if (s->branch)
        return;   /* its own observers */
    const uint64_t n_obs = dtb__ckpt_take(w, "observers", sim->n_observers, UINT64_MAX);
    if (n_obs != sim->n_observers)
        dtb__ckpt_differs(w, "it has %llu observers, this simulation %zu", (unsigned long long)n_obs,
                          sim->n_observers);
    /* last: restoring them cuts their files back */
    for (size_t i = 0; i < sim->n_observers && dtb__ckpt_ok(w); i++)
        dtb__observer_fields(w, sim->observers[i]);
}

/* ------------------------------------------------ staging and installing */

/* The coupling and network a load installs (a branch keeps its own). */
static dtb_status prepare_settings(const dtb_sim *sim, stage *s)
{
    dtb_status st;
    if (s->coupling_kind == DTB_COUPLING_EXPRESSION) {
        st = dtb__coupling_set_expressions(&s->coupling, s->pre, s->post, (const char *const *)s->names,
                                           s->values, s->n_coupling);
    } else {
        st = dtb__coupling_set_builtin(&s->coupling, (dtb_coupling_kind)s->coupling_kind, sim->n_cvar);
        for (size_t i = 0; !st && i < s->n_coupling; i++) {
            double *p = dtb__coupling_param(&s->coupling, s->names[i]);
            if (p)
                *p = s->values[i];
        }
    }
    return st ? st : dtb__network_build(&s->net, sim->n, s->weights, s->lengths, s->speed, sim->dt);
}

/* What installing the staged values needs and could fail to make, made
 * before anything changes. */
static void prepare(dtb__ckpt *w, const dtb_sim *sim, stage *s)
{
    dtb_status st = s->branch ? DTB_OK : prepare_settings(sim, s);
    if (!st && !s->branch && s->net.horizon != (int64_t)s->horizon) {
        dtb__ckpt_damaged(w, "the length of the delay history");
        return;
    }
    if (!st)
        st = dtb__history_init(&s->hist, sim->n, (int64_t)s->horizon, sim->n_cvar, sim->core->coupling_state);
    if (!st) {
        /* the channels of the coupling the simulation will have, from the raw values */
        memcpy(s->hist.ring, s->ring, sim->n_cvar * (size_t)sim->n * 2 * s->horizon * sizeof *s->ring);
        st = dtb__history_prepare(&s->hist, s->branch ? &sim->coupling : &s->coupling,
                                  (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
    }
    dtb__ckpt_fail(w, st);
}

static void take_ou(dtb_sim *sim, stage *s)
{
    free(sim->ou);
    sim->ou = s->ou;
    s->ou = NULL;
}

/* Cannot fail: what it needs was made at the check (the staged copies,
 * prepare()). */
static void install(dtb_sim *sim, stage *s)
{
    const size_t n = (size_t)sim->n;
    dtb__history_free(&sim->hist);
    sim->hist = s->hist;
    memset(&s->hist, 0, sizeof s->hist);
    dtb__gather_cache_invalidate(&sim->gather);
    dtb__integrator_set_inner_step(&sim->integ, s->inner_step);
    if (s->branch) {
        if (sim->noise_kind == DTB_NOISE_COLOURED && s->noise_kind == DTB_NOISE_COLOURED && s->ou)
            take_ou(sim, s);
        /* a scheduled change due before the branch time acts at its first step */
        sim->next_scheduled = 0;
        return;
    }
    dtb__coupling_free(&sim->coupling);
    sim->coupling = s->coupling;
    memset(&s->coupling, 0, sizeof s->coupling);
    memcpy(sim->weights, s->weights, n * n * sizeof *sim->weights);
    if (sim->lengths)
        memcpy(sim->lengths, s->lengths, n * n * sizeof *sim->lengths);
    dtb__network_free(&sim->net);
    sim->net = s->net;
    memset(&s->net, 0, sizeof s->net);
    sim->speed = s->speed;
    for (size_t p = 0; p < sim->core->n_params; p++)
        dtb_sim_set_param_regions(sim, sim->core->params[p].name, s->params + p * n, n);
    sim->noise_kind = (dtb_noise_kind)s->noise_kind;
    take_ou(sim, s);
    dtb__sim_noise_changed(sim);
    sim->next_scheduled = (size_t)s->next_scheduled;
    for (size_t i = 0; i < sim->n_provenance; i++)
        free(sim->provenance[i]);
    free(sim->provenance);
    sim->provenance = s->provenance;
    sim->n_provenance = (size_t)s->n_provenance;
    s->provenance = NULL;
    s->n_provenance = 0;
}

/* ------------------------------------------------------------- saving */

dtb_status dtb_sim_save_checkpoint(dtb_sim *sim, const char *path)
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb_sim_save_checkpoint: NULL argument");
    dtb__ckpt w;
    dtb__ckpt_save_begin(&w);
    dtb__ckpt_put(&w, MAGIC, 8);
    dtb__ckpt_take(&w, "format", FORMAT_VERSION, UINT32_MAX);
    size_t len;
    dtb__ckpt_take_str(&w, "library version", DTB_VERSION_STRING, &len);
    dtb__ckpt_take_str(&w, "note", sim->checkpoint_note, &len);
    stage s = {.format = FORMAT_VERSION};
    fingerprint_fields(&w, sim, 0);
    state_fields(&w, sim, &s);
    dtb__ckpt_take(&w, "checksum", dtb__fnv1a(w.data, w.len), UINT64_MAX);
    dtb_status st = w.status;
    if (!st) {
        /* written whole or not at all (io/atomic_file.h): a crash never
         * leaves a half-written checkpoint under the real name */
        dtb__atomic_file a;
        if (!(st = dtb__atomic_open(&a, path))) {
            fwrite(w.data, 1, w.len, a.f);
            st = dtb__atomic_commit(&a);
        }
    }
    dtb__ckpt_free(&w);
    return st;
}

/* ------------------------------------------------------------ loading */

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

/* The file in *data (free it) with its magic, format and checksum
 * checked; w checks from the fingerprint on; the note (NULL if none)
 * points into *data. */
static dtb_status open_checkpoint(const char *path, unsigned char **data, dtb__ckpt *w,
                                  const char **note, size_t *note_len, uint64_t *format)
{
    size_t len = 0;
    dtb_status st = read_file(path, data, &len);
    if (st)
        return st;
    if (len < 8 + 8 + 8 || memcmp(*data, MAGIC, 8) != 0)
        st = dtb__error(DTB_EPARSE, "%s: not a libdtb checkpoint", path);
    dtb__ckpt tail;
    dtb__ckpt_read_begin(&tail, DTB__CKPT_CHECK, *data, len, len - 8);
    dtb__ckpt_read_begin(w, DTB__CKPT_CHECK, *data, len - 8, 8);
    const uint64_t version = st ? 0 : dtb__ckpt_take(w, "format", 0, UINT32_MAX);
    if (!st && (version > FORMAT_VERSION || version < 3))
        st = dtb__error(DTB_EUNSUPPORTED, "%s: checkpoint format %u, this library reads formats 3 "
                                          "to %d", path, (unsigned)version, FORMAT_VERSION);
    else if (!st && dtb__ckpt_take(&tail, "checksum", 0, UINT64_MAX) != dtb__fnv1a(*data, len - 8))
        st = dtb__error(DTB_EPARSE, "%s: the checkpoint is truncated or damaged (checksum)", path);
    *note = NULL;
    *note_len = 0;
    if (format)
        *format = version;
    if (!st) {
        size_t n;
        dtb__ckpt_take_str(w, "library version", NULL, &n);
        if (version >= 4 && (*note = dtb__ckpt_take_str(w, "note", NULL, note_len)) && !*note_len)
            *note = NULL;
        if (w->status)
            st = dtb__error(DTB_EPARSE, "%s: truncated checkpoint", path);
    }
    if (st) {
        free(*data);
        *data = NULL;
    }
    return st;
}

dtb_status dtb__checkpoint_note(const char *path, char **note)
{
    *note = NULL;
    unsigned char *data = NULL;
    dtb__ckpt w;
    const char *text;
    size_t len;
    dtb_status st = open_checkpoint(path, &data, &w, &text, &len, NULL);
    if (!st && text && !(*note = dtb__strndup(text, len)))
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

/* A failed walk as the caller reports it: a file of another simulation
 * says what differs and what to do about it, a short or damaged one
 * where; a callee's failure (memory, a file) keeps its own message. */
static dtb_status report(const dtb__ckpt *w, const char *path, int branch)
{
    if (w->status == DTB_EINVAL && w->why[0] && branch)
        return dtb__error(DTB_EINVAL, "%s: cannot branch from this checkpoint: %s (a branch keeps the "
                                      "model, regions, step, integrator and delays of the run it "
                                      "branches from)", path, w->why);
    if (w->status == DTB_EINVAL && w->why[0])
        return dtb__error(DTB_EINVAL, "%s: the checkpoint was made by a different simulation (%s); "
                                      "create the simulation as for the original run", path, w->why);
    if (w->status == DTB_EPARSE && w->why[0])
        return dtb__error(DTB_EPARSE, "%s: truncated or damaged checkpoint (%s)", path, w->why);
    return dtb__error_context(w->status, "%s", path);
}

dtb_status dtb__checkpoint_time(const dtb_sim *sim, const char *path, double *t)
{
    unsigned char *data = NULL;
    dtb__ckpt w;
    const char *note;
    size_t note_len;
    dtb_status st = open_checkpoint(path, &data, &w, &note, &note_len, NULL);
    if (st)
        return st;
    fingerprint_fields(&w, sim, 0);
    const uint64_t step = dtb__ckpt_take(&w, "step", 0, INT64_MAX);
    st = w.status ? report(&w, path, 0) : DTB_OK;
    free(data);
    if (!st)
        *t = (double)step * sim->dt;
    return st;
}

dtb_status dtb__checkpoint_apply(dtb_sim *sim, const char *path, int branch, int reseed)
{
    unsigned char *data = NULL;
    dtb__ckpt w;
    const char *note;
    size_t note_len;
    uint64_t format = 0;
    dtb_status st = open_checkpoint(path, &data, &w, &note, &note_len, &format);
    if (st)
        return st;
    stage s = {.branch = branch, .reseed = reseed, .format = format};
    const size_t start = w.pos;
    fingerprint_fields(&w, sim, branch);
    state_fields(&w, sim, &s);
    if (dtb__ckpt_ok(&w))
        prepare(&w, sim, &s);
    if (dtb__ckpt_ok(&w)) {
        dtb__ckpt_read_begin(&w, DTB__CKPT_RESTORE, w.data, w.len, start);
        fingerprint_fields(&w, sim, branch);
        state_fields(&w, sim, &s);
        /* after a checked walk only an observer's file can fail to be cut
         * back, after everything else is in */
        install(sim, &s);
    }
    st = w.status ? report(&w, path, branch) : DTB_OK;
    stage_free(&s);
    free(data);
    return st;
}

dtb_status dtb_sim_load_checkpoint(dtb_sim *sim, const char *path)
{
    if (!sim || !path)
        return dtb__error(DTB_EINVAL, "dtb_sim_load_checkpoint: NULL argument");
    if (sim->running)
        return dtb__error(DTB_ESTATE, "dtb_sim_load_checkpoint: the simulation is running (called "
                                      "from one of its own callbacks)");
    return dtb__checkpoint_apply(sim, path, 0, 0);
}
