/* libdtb — building an experiment into a simulation (experiment_build.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "base/values.h"
#include "control/control.h"
#include "experiment.h"
#include "experiment_build.h"
#include "experiment_check.h"
#include "io/atomic_file.h"
#include "io/text_column.h"
#include "io/text_matrix.h"
#include "observe/observe_spec.h"
#include "observe/observer.h"
#include "sim/sim.h"

/* --- reading the settings --- */

/* The last value of a single setting (NULL: not given). */
static const char *last(const dtb_experiment *exp, const char *name)
{
    return dtb_experiment_get(exp, name);
}

static int has(const dtb_experiment *exp, const char *name) { return last(exp, name) != NULL; }

/* A step of building failed: the message says which setting. */
static dtb_status fail(dtb_status st, const char *setting)
{
    return dtb__error_context(st, "%s", setting);
}

/* --- atlas, model, simulation --- */

/* atlas (a name, folder or matrix file), the files that override a
 * folder's (atlas-weights, atlas-lengths, atlas-centres, atlas-labels),
 * then the weight normalisation. */
static dtb_status load_atlas(const dtb_experiment *exp, dtb_atlas **out)
{
    dtb_atlas_load_options o = DTB_ATLAS_LOAD_OPTIONS_INIT;
    o.weights_path = last(exp, "atlas-weights");
    o.tract_lengths_path = last(exp, "atlas-lengths");
    o.centres_path = last(exp, "atlas-centres");
    o.labels_path = last(exp, "atlas-labels");
    const char *path = last(exp, "atlas");
    /* the default twin's connectome: OpenDTB's own (its measured
     * Brainnetome SC), so that dtb run with no arguments is OpenDTB's twin */
    if (!path && !o.weights_path)
        path = "bn246-opendtb";
    dtb_status st = dtb_atlas_load(out, path, &o);
    if (st)
        return fail(st, "atlas");
    const char *v = last(exp, "normalize");
    dtb_weight_norm norm = DTB_WEIGHT_NORM_NONE;
    if (v && !(st = dtb__parse_normalize("normalize", v, &norm)) && norm != DTB_WEIGHT_NORM_NONE)
        st = dtb_atlas_normalize_weights(*out, norm);
    if (st) {
        dtb_atlas_free(*out);
        *out = NULL;
        return fail(st, "normalize");
    }
    return DTB_OK;
}

/* The folders of every `include` setting (borrowed), in a new array. */
static const char **include_dirs(const dtb_experiment *exp, size_t *n_out)
{
    size_t n_inc = 0;
    for (size_t i = 0; i < exp->n; i++)
        n_inc += strcmp(exp->names[i], "include") == 0;
    const char **inc = dtb__calloc(n_inc + 1, sizeof *inc);
    n_inc = 0;
    for (size_t i = 0; inc && i < exp->n; i++)
        if (strcmp(exp->names[i], "include") == 0)
            inc[n_inc++] = exp->values[i];
    *n_out = n_inc;
    return inc;
}

static dtb_status load_model(const dtb_experiment *exp, const char *model_name, dtb_model **out)
{
    size_t n_inc = 0;
    const char **inc = include_dirs(exp, &n_inc);
    if (!inc)
        return DTB_ENOMEM;
    dtb_model_load_options mo = DTB_MODEL_LOAD_OPTIONS_INIT;
    mo.include_dirs = inc;
    mo.n_include_dirs = n_inc;
    mo.model_name = last(exp, "model-name");
    dtb_status st = dtb_model_load(out, model_name, &mo);
    free(inc);
    return st ? fail(st, "model") : DTB_OK;
}

/* set NAME=VALUE (one value everywhere) into the model; the per-region
 * forms (NAME@REGIONS=VALUE, NAME=@FILE) later, into the simulation. */
static dtb_status apply_model_sets(const dtb_experiment *exp, dtb_model *model)
{
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "set") != 0)
            continue;
        dtb__set_spec s;
        dtb_status st = dtb__parse_set("set", exp->values[i], &s);
        if (!st)
            st = s.regions || s.file ? dtb_model_find_param(model, s.name, &(int64_t){0})
                                     : dtb_model_set_param_string(model, s.name, s.value);
        dtb__set_spec_free(&s);
        if (st)
            return fail(st, "set");
    }
    return DTB_OK;
}

static dtb_status sim_options(const dtb_experiment *exp, dtb__coupling_spec *cs,
                              dtb_sim_options *so, uint64_t *seed, double *duration)
{
    const char *v;
    dtb_status st = DTB_OK;
    /* the readers that checked the values when they were added */
    if (!st && (v = last(exp, "dt")))
        st = dtb__read_dt("dt", v, &so->dt);
    if (!st && (v = last(exp, "speed")))
        st = dtb__read_speed("speed", v, &so->speed);
    if (!st && (v = last(exp, "rtol")))
        st = dtb__read_positive("rtol", v, &so->rtol);
    if (!st && (v = last(exp, "atol")))
        st = dtb__read_positive("atol", v, &so->atol);
    if (!st && (v = last(exp, "integrator"))) {
        dtb_integrator in;
        st = dtb__parse_integrator(v, &in);
        so->integrator = in;
    }
    int64_t s = 42;
    if (!st && (v = last(exp, "seed")))
        st = dtb__read_seed("seed", v, &s);
    so->seed = *seed = (uint64_t)s;
    if (has(exp, "tvb-float32-coupling"))
        so->flags |= DTB_SIM_FLAG_TVB_FLOAT32_COUPLING;
    *duration = 1.0;
    if (!st && (v = last(exp, "duration")))
        st = dtb__read_time("duration", v, duration);
    if (!st && (v = last(exp, "coupling")))
        st = dtb__parse_coupling(v, cs);
    if (!cs->file && cs->kind)
        so->coupling = cs->kind;
    return st;
}

static dtb_status apply_coupling(dtb_sim *sim, const dtb__coupling_spec *cs)
{
    if (cs->file) {
        dtb_status st = dtb_sim_load_coupling(sim, cs->file);
        if (st)
            return fail(st, "coupling");
    }
    for (size_t i = 0; i < cs->params.n; i++) {
        dtb_status st = dtb_sim_set_coupling_param(sim, cs->params.items[i].name, cs->values[i]);
        if (st)
            return fail(st, "coupling");
    }
    return DTB_OK;
}

/* Was a per-region set of `name` given before setting `before`? */
static int region_set_before(const dtb_experiment *exp, const char *name, size_t before)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < before; i++) {
        const char *v = exp->values[i];
        if (strcmp(exp->names[i], "set") == 0 && strncmp(v, name, len) == 0 &&
            (v[len] == '@' || (v[len] == '=' && v[len + 1] == '@')))
            return 1;
    }
    return 0;
}

/* One per-region set on the simulation: a table's column, or one value on
 * the regions of a list. */
static dtb_status apply_region_set(dtb_sim *sim, const dtb_atlas *atlas, const dtb_model *model,
                                   const dtb__set_spec *s)
{
    double *vals = NULL;
    size_t n = 0;
    dtb_status st;
    if (s->file) {
        st = dtb__read_column(s->file, s->name, &vals, &n);
    } else {
        int64_t p, *idx = NULL;
        size_t n_idx = 0;
        double x = 0;
        st = dtb_model_find_param(model, s->name, &p);
        if (!st)
            st = dtb__model_param_parse(model->core, p, s->value, &x);
        if (!st && s->regions)
            st = dtb__resolve_regions(atlas, "set", s->regions, &idx, &n_idx);
        n = (size_t)dtb_sim_region_count(sim);
        if (!st && !(vals = dtb__malloc_array(n, sizeof *vals)))
            st = DTB_ENOMEM;
        if (!st)
            st = dtb_sim_get_param_regions(sim, s->name, vals, n, NULL);
        for (size_t i = 0; !st && i < n_idx; i++)
            vals[idx[i]] = x;
        if (!st && !s->regions)
            for (size_t k = 0; k < n; k++)
                vals[k] = x;
        free(idx);
    }
    if (!st)
        st = dtb_sim_set_param_regions(sim, s->name, vals, n);
    free(vals);
    return st;
}

/* The per-region sets, in order; a later NAME=VALUE for every region
 * overrides the per-region values given before it. */
static dtb_status apply_region_params(const dtb_experiment *exp, dtb_sim *sim,
                                      const dtb_atlas *atlas, const dtb_model *model)
{
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "set") != 0)
            continue;
        dtb__set_spec s;
        dtb_status st = dtb__parse_set("set", exp->values[i], &s);
        if (!st && (s.regions || s.file || region_set_before(exp, s.name, i)))
            st = apply_region_set(sim, atlas, model, &s);
        dtb__set_spec_free(&s);
        if (st)
            return fail(st, "set");
    }
    return DTB_OK;
}

static dtb_status find_state(const dtb_model *model, const char *setting, const char *name,
                             int64_t *k)
{
    if (dtb_model_find_state(model, name, k) == DTB_OK)
        return DTB_OK;
    return dtb__error(DTB_ENOTFOUND, "%s: model '%s' has no state variable '%s'", setting,
                      dtb_model_name(model), name);
}

/* noise-kind and noise (D for every variable, or VAR=D pairs). */
static dtb_status apply_noise(const dtb_experiment *exp, dtb_sim *sim, const dtb_model *model,
                              int *noisy)
{
    dtb_noise_kind kind = DTB_NOISE_ADDITIVE;
    double tau = 0;
    const char *v = last(exp, "noise-kind");
    dtb_status st = DTB_OK;
    if (v)
        st = dtb__parse_noise_kind(v, &kind, &tau);
    if (!st)
        st = dtb_sim_set_noise_kind(sim, kind, tau);
    *noisy = 0;
    /* dtb(1): "the two forms cannot be combined", and a variable's
     * intensity is given once: otherwise the last would silently win */
    const char *all = NULL, *first_pairs = NULL;
    unsigned char *given = dtb__calloc((size_t)dtb_model_state_count(model) + 1, 1);
    if (!given)
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < exp->n; i++) {
        if (strcmp(exp->names[i], "noise") != 0)
            continue;
        dtb__numbers_spec p;
        if ((st = dtb__read_noise("noise", exp->values[i], &p)))
            break;
        if (!p.pairs.n) {
            if (all || first_pairs)
                st = dtb__error(DTB_EINVAL, "'%s' and '%s': give one intensity for every "
                                            "variable or intensities per variable, not both, and "
                                            "each once (dtb(1))", all ? all : first_pairs,
                                exp->values[i]);
            all = exp->values[i];
            if (!st)
                st = dtb_sim_set_noise(sim, -1, p.all);
            *noisy |= !st && p.all > 0;
            dtb__numbers_spec_free(&p);
            if (st)
                break;
            continue;
        }
        if (all) {
            st = dtb__error(DTB_EINVAL, "'%s' and '%s': give one intensity for every variable or "
                                        "intensities per variable, not both (dtb(1))", all,
                            exp->values[i]);
            dtb__numbers_spec_free(&p);
            break;
        }
        if (!first_pairs)
            first_pairs = exp->values[i];
        for (size_t j = 0; !st && j < p.pairs.n; j++) {
            int64_t k;
            st = find_state(model, "noise", p.pairs.items[j].name, &k);
            if (!st && given[k]++)
                st = dtb__error(DTB_EINVAL, "'%s' is given twice (in '%s')", p.pairs.items[j].name,
                                exp->values[i]);
            if (!st) {
                st = dtb_sim_set_noise(sim, k, p.values[j]);
                *noisy |= p.values[j] > 0;
            }
        }
        dtb__numbers_spec_free(&p);
    }
    free(given);
    if (st)
        return fail(st, "noise");
    double scale;
    if ((v = last(exp, "noise-scale"))) {
        if ((st = dtb__read_nonnegative("noise-scale", v, &scale)) ||
            (st = dtb_sim_scale_noise(sim, scale)))
            return fail(st, "noise-scale");
        *noisy &= scale > 0;
    }
    return DTB_OK;
}

/* init FILE: a header of state-variable names, one row per region */
static dtb_status apply_init_file(dtb_sim *sim, const dtb_model *model, const char *path)
{
    dtb__matrix m = {0};
    char **header = NULL;
    size_t n_header = 0;
    dtb_status st = dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, &header, &n_header);
    if (st)
        return fail(st, "init");
    const int64_t n = dtb_sim_region_count(sim);
    size_t needed = 0;
    dtb_sim_get_state(sim, NULL, 0, &needed);
    double *x = dtb__malloc_array(needed + 1, sizeof *x);
    if (!x)
        st = DTB_ENOMEM;
    if (!st && m.rows != (size_t)n)
        st = dtb__error(DTB_EINVAL, "init: %s has %zu rows, the atlas has %lld regions", path, m.rows,
                        (long long)n);
    if (!st)
        st = dtb_sim_get_state(sim, x, needed, NULL);
    for (size_t c = 0; !st && c < n_header; c++) {
        int64_t k;
        st = find_state(model, "init", header[c], &k);
        for (size_t r = 0; !st && r < m.rows; r++)
            x[k * n + (int64_t)r] = m.data[r * m.cols + c];
    }
    if (!st)
        st = dtb_sim_set_initial_state(sim, x, needed);
    free(x);
    dtb__matrix_free(&m);
    dtb__strings_free(header, n_header);
    return st;
}

/* fic (before init, which may override the start it sets), then init. */
static dtb_status apply_start(const dtb_experiment *exp, dtb_sim *sim, const dtb_model *model)
{
    dtb_status st = DTB_OK;
    if (has(exp, "fic") && (st = dtb_sim_apply_fic(sim, -0.026)))
        return fail(st, "fic");
    const char *v = last(exp, "init");
    if (!v)
        return DTB_OK;
    if (!strchr(v, '='))
        return apply_init_file(sim, model, v);
    dtb__numbers_spec p;
    st = dtb__read_init("init", v, &p);
    for (size_t i = 0; !st && i < p.pairs.n; i++) {
        int64_t k;
        st = find_state(model, "init", p.pairs.items[i].name, &k);
        if (!st)
            st = dtb_sim_set_initial_value(sim, k, p.values[i]);
    }
    dtb__numbers_spec_free(&p);
    return st ? fail(st, "init") : DTB_OK;
}

static dtb_status apply_stimuli(const dtb_experiment *exp, dtb_sim *sim, const dtb_atlas *atlas)
{
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "stimulus") != 0)
            continue;
        dtb__stimulus_spec s;
        dtb_status st = dtb__parse_stimulus(exp->values[i], &s);
        if (!st && s.regions) {
            int64_t *idx;
            size_t n;
            st = dtb__resolve_regions(atlas, "stimulus", s.regions, &idx, &n);
            if (!st) {
                st = dtb_stimulus_set_regions(s.stim, idx, n);
                free(idx);
            }
        }
        if (!st)
            st = dtb_sim_add_stimulus(sim, s.stim);
        dtb__stimulus_spec_free(&s);
        if (st)
            return fail(st, "stimulus");
    }
    return DTB_OK;
}

/* Each control setting: a PID controller attached to the simulation (it
 * keeps it alive). */
static dtb_status apply_controls(const dtb_experiment *exp, dtb_sim *sim, const dtb_atlas *atlas)
{
    /* a controller's state is in checkpoints (with its stimulus), so runs
     * with controllers save and resume; a branch takes only the dynamics
     * and would start the controllers afresh, which a reader of the
     * branch would not expect */
    if (last(exp, "control") && last(exp, "from"))
        return dtb__error(DTB_EINVAL, "control: a branch (from) takes the dynamics of a "
                          "checkpoint, not its controllers' state; resume it instead");
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "control") != 0)
            continue;
        dtb__control_spec s;
        dtb_status st = dtb__parse_control("control", exp->values[i], &s);
        if (st)
            return st;
        int64_t *read = NULL, *drive = NULL;
        size_t n_read = 0, n_drive = 0;
        st = dtb__resolve_regions(atlas, "control read", s.read_region, &read, &n_read);
        if (!st && n_read != 1)
            st = dtb__error(DTB_EINVAL, "control read=%s@%s: %zu regions; one is read",
                            s.read_var, s.read_region, n_read);
        if (!st && s.drive_regions)
            st = dtb__resolve_regions(atlas, "control drive", s.drive_regions, &drive, &n_drive);
        dtb_controller *c = NULL;
        if (!st)
            st = dtb_controller_create_pid(&c, &s.pid);
        if (!st)
            st = dtb_controller_attach(c, sim, s.read_var, read[0], s.period, s.drive_into, drive,
                                       n_drive);
        dtb_controller_free(c);
        free(read);
        free(drive);
        dtb__control_spec_free(&s);
        if (st)
            return fail(st, "control");
    }
    return DTB_OK;
}

static dtb_status apply_spiking(const dtb_experiment *exp, dtb_sim *sim, const dtb_atlas *atlas)
{
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "spiking") != 0)
            continue;
        dtb__spiking_spec s;
        int64_t *idx = NULL;
        size_t n = 0;
        dtb_status st = dtb__parse_spiking(exp->values[i], &s);
        if (st)
            return fail(st, "spiking");
        st = dtb__resolve_regions(atlas, "spiking", s.regions, &idx, &n);
        size_t n_inc = 0;
        const char **inc = s.cell_path ? include_dirs(exp, &n_inc) : NULL;
        if (!st && s.cell_path && !inc)
            st = DTB_ENOMEM;
        for (size_t k = 0; !st && k < n; k++)
            st = s.cell_path ? dtb_sim_add_spiking_region_lems(sim, idx[k], s.cell_path, s.cell_id,
                                                               inc, n_inc, &s.opts)
                             : dtb_sim_add_spiking_region(sim, idx[k], s.model, &s.opts);
        free(inc);
        /* the run writes their spikes (spikes_spiking.csv) */
        dtb_spiking_net *net = dtb_sim_spiking_net(sim);
        for (int64_t p = 0; !st && p < dtb_spiking_population_count(net); p++)
            st = dtb_spiking_record(net, p, 1);
        free(idx);
        dtb__spiking_spec_free(&s);
        if (st)
            return fail(st, "spiking");
    }
    return DTB_OK;
}

dtb_status dtb__experiment_apply_lesion(dtb_sim *sim, const dtb_atlas *atlas,
                                       const dtb__lesion_spec *l)
{
    int64_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    dtb_status st = dtb__resolve_regions(atlas, "lesion", l->a, &a, &na);
    if (!st && l->b)
        st = dtb__resolve_regions(atlas, "lesion", l->b, &b, &nb);
    if (!st && l->kind == DTB__LESION_REGION)
        for (size_t i = 0; !st && i < na; i++)
            st = dtb_sim_lesion_region(sim, a[i]);
    if (!st && l->kind != DTB__LESION_REGION) {
        /* a tract joins two regions both ways: scale (or cut) both directions */
        st = dtb_sim_scale_connections(sim, a, na, b, nb, l->factor);
        if (!st)
            st = dtb_sim_scale_connections(sim, b, nb, a, na, l->factor);
    }
    free(a);
    free(b);
    return st ? fail(st, "lesion") : DTB_OK;
}

static int cmp_timed(const void *x, const void *y)
{
    const dtb__timed *a = x, *b = y;
    return (a->t > b->t) - (a->t < b->t);
}

/* Lesions at time 0 now; later ones and the checkpoint into b->timed. */
static dtb_status plan_lesions(const dtb_experiment *exp, dtb__built *b)
{
    const char *late = NULL;   /* a lesion at or after the end */
    size_t cap = 1;
    for (size_t i = 0; i < exp->n; i++)
        cap += strcmp(exp->names[i], "lesion") == 0;
    b->timed = dtb__calloc(cap, sizeof *b->timed);
    if (!b->timed)
        return DTB_ENOMEM;
    for (size_t i = 0; i < exp->n; i++) {
        if (strcmp(exp->names[i], "lesion") != 0)
            continue;
        dtb__lesion_spec l;
        dtb_status st = dtb__parse_lesion(exp->values[i], &l);
        if (st)
            return fail(st, "lesion");
        if (l.at > 0 && l.at < b->duration) {
            b->timed[b->n_timed].t = l.at;
            b->timed[b->n_timed++].lesion = l;
            /* check the region lists now, not in the middle of the run */
            int64_t *idx;
            size_t n;
            st = dtb__resolve_regions(b->atlas, "lesion", l.a, &idx, &n);
            if (!st) {
                free(idx);
                if (l.b && !(st = dtb__resolve_regions(b->atlas, "lesion", l.b, &idx, &n)))
                    free(idx);
            }
            if (st)
                return fail(st, "lesion");
            continue;
        }
        /* at or after the end it acts only in a resume of this run's final
         * checkpoint; without one it would never act: said below, not dropped */
        if (l.at > 0 && !late)
            late = exp->values[i];
        st = l.at > 0 ? DTB_OK : dtb__experiment_apply_lesion(b->sim, b->atlas, &l);
        dtb__lesion_spec_free(&l);
        if (st)
            return st;
    }
    const char *at = last(exp, "checkpoint-at");
    const char *file = last(exp, "checkpoint");
    if (at && !file)
        return dtb__error(DTB_EINVAL, "checkpoint-at: say where to write it (checkpoint FILE)");
    if (late && (!file || at))
        return dtb__error(DTB_EINVAL, "lesion '%s': its time is not before the end of the run "
                                      "(duration %g s), so it would never act; save a checkpoint "
                                      "at the end (checkpoint FILE) to act in a resume past it, "
                                      "or give an earlier time", late, b->duration);
    if (file) {
        b->checkpoint_path = dtb__strdup(file);
        if (!b->checkpoint_path)
            return DTB_ENOMEM;
        double t = b->duration;
        dtb_status st = at ? dtb__read_time("checkpoint-at", at, &t) : DTB_OK;
        if (st)
            return st;
        if (t > b->duration)
            return dtb__error(DTB_EINVAL, "checkpoint-at: %g s is after the end of the run (%g s)", t,
                              b->duration);
        b->timed[b->n_timed].t = t;
        b->timed[b->n_timed++].is_checkpoint = 1;
    }
    qsort(b->timed, b->n_timed, sizeof *b->timed, cmp_timed);
    return DTB_OK;
}

/* --- output folder and observers --- */

/* mkdir -p, remembering the folders made so that a failure can remove them */
static dtb_status make_dirs(dtb__built *b, const char *path)
{
    char *buf = dtb__strdup(path);
    if (!buf)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    for (char *p = buf + 1;; p++) {
        int end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) == 0) {
            char **arr = dtb__realloc_array(b->made_dirs, b->n_made_dirs + 1, sizeof *arr);
            char *copy = arr ? dtb__strdup(buf) : NULL;
            if (arr)
                b->made_dirs = arr;
            if (!copy) {
                st = DTB_ENOMEM;
                break;
            }
            b->made_dirs[b->n_made_dirs++] = copy;
        } else if (errno != EEXIST) {
            st = dtb__error(DTB_EIO, "out: cannot create folder '%s': %s", buf, strerror(errno));
            break;
        }
        if (end)
            break;
        *p = '/';
    }
    free(buf);
    return st;
}

/* The observers and their file names; their files are made later
 * (open_outputs), once everything is checked. */
static dtb_status create_observers(const dtb_experiment *exp, dtb__built *b, int npy, int append)
{
    size_t n = 0;
    int has_fc = 0;
    for (size_t i = 0; i < exp->n; i++)
        n += strcmp(exp->names[i], "observe") == 0;
    /* the default: a 1 ms temporal average; empirical-fc adds an FC */
    const char *defaults[2];
    size_t n_defaults = 0;
    if (!n)
        defaults[n_defaults++] = "tavg";
    b->outputs = dtb__calloc(n + 3, sizeof *b->outputs);
    dtb__observe_spec *specs = dtb__calloc(n + 3, sizeof *specs);
    if (!b->outputs || !specs) {
        free(specs);
        return DTB_ENOMEM;
    }
    dtb_status st = DTB_OK;
    size_t m = 0;
    for (size_t i = 0; !st && i < exp->n; i++)
        if (strcmp(exp->names[i], "observe") == 0 && !(st = dtb__observe_spec_parse(exp->values[i], &specs[m])))
            has_fc |= specs[m++].kind == DTB_OBSERVER_FC;
    if (!st && has(exp, "empirical-fc") && !has_fc)
        defaults[n_defaults++] = "fc";
    for (size_t i = 0; !st && i < n_defaults; i++)
        st = dtb__observe_spec_parse(defaults[i], &specs[m++]);
    for (size_t i = 0; !st && i < m; i++) {
        int same = 1;
        for (size_t j = 0; j < i; j++)
            same += strcmp(specs[j].name, specs[i].name) == 0;
        b->outputs[i].path = same > 1 ? dtb__asprintf("%s/%s-%d.%s", b->out_dir, specs[i].name, same,
                                                      npy ? "npy" : "csv")
                                      : dtb__asprintf("%s/%s.%s", b->out_dir, specs[i].name,
                                                      npy ? "npy" : "csv");
        if (!b->outputs[i].path) {
            st = DTB_ENOMEM;
            break;
        }
        b->n_outputs = i + 1;
        struct stat before;
        b->outputs[i].existed = stat(b->outputs[i].path, &before) == 0;
        dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
        dtb__observe_spec_options(&specs[i], &o);
        o.sink = npy ? DTB_SINK_NPY : DTB_SINK_CSV;
        o.path = b->outputs[i].path;
        if (append)
            o.flags |= DTB_OBSERVER_FLAG_APPEND;
        st = dtb__observer_create_deferred(&b->outputs[i].obs, b->sim, &o);
        if (st)
            st = dtb__error_context(st, "observe %s", specs[i].name);
    }
    for (size_t i = 0; i < m; i++)
        dtb__observe_spec_free(&specs[i]);
    free(specs);
    return st;
}

/* --- the whole build --- */

static int has_set_of(const dtb_experiment *exp, const char *param)
{
    size_t len = strlen(param);
    for (size_t i = 0; i < exp->n; i++)
        if (!strcmp(exp->names[i], "set") && !strncmp(exp->values[i], param, len) &&
            exp->values[i][len] == '=')
            return 1;
    return 0;
}

/* An experiment that names no model is OpenDTB's default twin: a copy of
 * it with the twin's settings added wherever the experiment says nothing
 * about them (reduced Wong-Wang E-I, G = 0.1, Euler,
 * sigma noise 0.01 on S_e and 0.001 on S_i, initial state 0 unless feedback
 * inhibition control sets it). Its coupling, linear a = 1, is the one the
 * model's descriptor states (<DefaultCoupling>), as for any API user. */
static dtb_status with_defaults(const dtb_experiment *exp, dtb_experiment **out)
{
    dtb_status st = dtb_experiment_clone(out, exp);
    if (st || has(exp, "model"))
        return st;
    dtb_experiment *e = *out;
    st = dtb__experiment_append(e, "model", "reduced_wong_wang_exc_inh");
    if (!st && !has_set_of(exp, "G"))
        st = dtb__experiment_append(e, "set", "G=0.1");
    if (!st && !has(exp, "integrator"))
        st = dtb__experiment_append(e, "integrator", "euler");
    if (!st && !has(exp, "noise") && !has(exp, "noise-kind")) {
        st = dtb__experiment_append(e, "noise-kind", "sigma");
        if (!st)
            st = dtb__experiment_append(e, "noise", "S_e=0.01,S_i=0.001");
    }
    if (!st && !has(exp, "init") && !has(exp, "fic"))
        st = dtb__experiment_append(e, "init", "S_e=0,S_i=0");
    if (st) {
        dtb_experiment_free(e);
        *out = NULL;
    }
    return st;
}

dtb_status dtb__experiment_with_defaults(const dtb_experiment *exp, dtb_experiment **out)
{
    return with_defaults(exp, out);
}

dtb_status dtb__experiment_load_inputs(const dtb_experiment *exp, dtb_atlas **atlas,
                                       dtb_model **model)
{
    *atlas = NULL;
    *model = NULL;
    dtb_experiment *full;
    dtb_status st = with_defaults(exp, &full);
    if (!st)
        st = load_atlas(full, atlas);
    if (!st)
        st = load_model(full, last(full, "model"), model);
    if (st) {
        dtb_atlas_free(*atlas);
        *atlas = NULL;
    }
    dtb_experiment_free(full);
    return st;
}

/* Step 2 of the results folder's transaction (io/atomic_file.h): the
 * experiment and a provenance record saying "running" replace the folder's
 * records before any result file is opened. */
static dtb_status mark_folder(const dtb_experiment *given, dtb__built *b)
{
    char *xml = dtb__asprintf("%s/experiment.xml", b->out_dir);
    const char **names = dtb__calloc(b->n_outputs + 1, sizeof *names);
    dtb_status st = xml && names ? DTB_OK : DTB_ENOMEM;
    for (size_t i = 0; !st && i < b->n_outputs; i++) {
        const char *slash = strrchr(b->outputs[i].path, '/');
        names[i] = slash ? slash + 1 : b->outputs[i].path;
    }
    if (!st)
        st = dtb__results_mark_running(b->out_dir, "run", names, b->n_outputs);
    b->marked = !st;
    if (!st)
        st = dtb_experiment_save(given, xml);
    free(names);
    free(xml);
    return st;
}

static dtb_status open_outputs(dtb__built *b)
{
    dtb_status st = DTB_OK;
    for (size_t i = 0; !st && i < b->n_outputs; i++) {
        st = dtb__observer_open_file(b->outputs[i].obs);
        b->outputs[i].opened = !st;
        if (st)
            st = dtb__error_context(st, "observe");
    }
    return st;
}

/* A resume must continue the experiment that saved the checkpoint, and
 * the checkpoints of this run must say what it is
 * (experiment_resume.c). */
static dtb_status check_resume(const dtb_experiment *exp, const dtb__build_options *o,
                               dtb__built *b)
{
    if (o->no_outputs || (!b->resume_path && !b->checkpoint_path))
        return DTB_OK;
    char *note = NULL;
    dtb_status st = dtb__experiment_resume_note(exp, &note);
    if (!st && b->resume_path)
        st = dtb__experiment_check_resume(note, b->resume_path);
    if (!st)
        st = dtb__sim_set_checkpoint_note(b->sim, note);
    free(note);
    return st ? fail(st, "resume") : DTB_OK;
}

/* A branch (setting "from"): the simulation built as for a fresh run takes
 * the checkpoint's time and state (sim_branch.c), after the checks that
 * name what a branch must keep; it must start before its end. */
static dtb_status branch(const dtb_experiment *exp, const char *from, dtb__built *b)
{
    char *note = NULL;
    dtb_status st = dtb__experiment_resume_note(exp, &note);
    if (!st)
        st = dtb__experiment_check_branch(note, from);
    free(note);
    if (!st)
        st = dtb__sim_branch(b->sim, from, has(exp, "reseed") ? DTB_SIM_BRANCH_RESEED : 0,
                             b->from_sha256);
    if (st)
        return fail(st, "from");
    if (!(b->from_path = dtb__strdup(from)))
        return DTB_ENOMEM;
    b->from_time = dtb_sim_time(b->sim);
    const double half_step = 0.5 * dtb_sim_dt(b->sim);
    if (b->from_time > b->duration - half_step)
        return dtb__error(DTB_EINVAL, "from: the checkpoint is at %g s, not before the end of the "
                                      "branch (duration %g s, the end time counted from 0); give a "
                                      "longer duration", b->from_time, b->duration);
    for (size_t i = 0; i < b->n_timed; i++)
        if (b->timed[i].is_checkpoint && b->timed[i].t < b->from_time - half_step)
            return dtb__error(DTB_EINVAL, "checkpoint-at: %g s is before the branch starts (%g s)",
                              b->timed[i].t, b->from_time);
    return DTB_OK;
}

static dtb_status build(const dtb_experiment *exp, const dtb_experiment *given,
                        const dtb__build_options *o, dtb__built *b)
{
    dtb__coupling_spec cs = {0};
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    dtb_status st = o->atlas ? dtb_atlas_clone(&b->atlas, o->atlas) : load_atlas(exp, &b->atlas);
    if (!st)
        st = o->model ? dtb_model_clone(&b->model, o->model)
                      : load_model(exp, last(exp, "model"), &b->model);
    if (!st)
        st = apply_model_sets(exp, b->model);
    if (!st)
        st = sim_options(exp, &cs, &so, &b->seed, &b->duration);
    if (!st && (st = dtb_sim_create(&b->sim, b->atlas, b->model, &so)))
        st = fail(st, "simulation");
    if (!st)
        st = apply_coupling(b->sim, &cs);
    dtb__coupling_spec_free(&cs);
    if (!st)
        st = apply_region_params(exp, b->sim, b->atlas, b->model);
    if (!st)
        st = apply_noise(exp, b->sim, b->model, &b->noisy);
    if (!st)
        st = apply_start(exp, b->sim, b->model);
    if (!st)
        st = apply_stimuli(exp, b->sim, b->atlas);
    if (!st)
        st = apply_controls(exp, b->sim, b->atlas);
    if (!st)
        st = apply_spiking(exp, b->sim, b->atlas);
    if (!st)
        st = plan_lesions(exp, b);
    const char *resume = last(exp, "resume");
    if (!st && resume && !(b->resume_path = dtb__strdup(resume)))
        st = DTB_ENOMEM;
    /* a branch's own resume continues the branch's files: its checkpoint
     * holds everything, the one it branched from is only recorded */
    const char *from = resume ? NULL : last(exp, "from");
    if (!st && from)
        st = branch(exp, from, b);
    /* a checkpoint to resume from must fit before any file is touched: the
     * settings it records first (they name what differs), then the
     * simulation it holds */
    if (!st)
        st = check_resume(exp, o, b);
    double t_resume = 0;
    if (!st && resume && (st = dtb__checkpoint_time(b->sim, resume, &t_resume)))
        st = fail(st, "resume");
    if (!st && resume && t_resume > b->duration + 0.5 * dtb_sim_dt(b->sim))
        st = dtb__error(DTB_EINVAL, "resume: the checkpoint is at %g s, after the end of the run "
                                    "(duration %g s)", t_resume, b->duration);
    const char *dir = o->out_dir ? o->out_dir : last(exp, "out");
    if (!st && !(b->out_dir = dtb__strdup(dir ? dir : "dtb-out")))
        st = DTB_ENOMEM;
    const char *format = last(exp, "format");
    if (!st && !o->no_outputs)
        st = create_observers(exp, b, format && strcmp(format, "npy") == 0, resume != NULL);
    /* a resume continues files; a new folder is a branch's (from) */
    for (size_t i = 0; !st && resume && i < b->n_outputs; i++)
        if (!b->outputs[i].existed)
            st = dtb__error(DTB_EINVAL, "resume: %s does not exist: a resume continues the output "
                                        "files of the run that saved the checkpoint, in its folder; "
                                        "to start a new results folder from the checkpoint's time "
                                        "and state, branch from it (setting 'from' instead of "
                                        "'resume')", b->outputs[i].path);
    /* every limit and write target before the folder is touched */
    if (!st)
        st = dtb__experiment_check_limits(exp, b, from ? b->from_time : t_resume);
    if (!st && !o->no_outputs)
        st = dtb__experiment_check_targets(exp, b, o->extra_setting, o->extra_path);
    if (!st && !o->no_outputs)
        st = make_dirs(b, b->out_dir);
    if (!st && !o->no_outputs)
        st = mark_folder(given, b);
    if (!st && !o->no_outputs)
        st = open_outputs(b);
    if (!st && resume && (st = dtb_sim_load_checkpoint(b->sim, resume)))
        st = fail(st, "resume");
    if (st) {
        dtb__built_remove_outputs(b);
        dtb__built_free(b);
    }
    return st;
}

dtb_status dtb__experiment_build(const dtb_experiment *exp, const char *out_dir, dtb__built *b)
{
    dtb__build_options o = {0};
    o.out_dir = out_dir;
    return dtb__experiment_build_with(exp, &o, b);
}

dtb_status dtb__experiment_build_with(const dtb_experiment *exp, const dtb__build_options *o,
                                      dtb__built *b)
{
    memset(b, 0, sizeof *b);
    b->n_spiking_spikes = -1;
    if (!exp)
        return dtb__error(DTB_EINVAL, "experiment is NULL");
    dtb_experiment *full;
    dtb_status st = with_defaults(exp, &full);
    if (st)
        return st;
    b->default_twin = !has(exp, "model");
    b->no_outputs = o->no_outputs;
    st = build(full, exp, o, b);
    dtb_experiment_free(full);
    return st;
}

void dtb__built_remove_outputs(dtb__built *b)
{
    for (size_t i = 0; i < b->n_outputs; i++) {
        dtb_observer_free(b->outputs[i].obs);
        b->outputs[i].obs = NULL;
        /* only files this build opened; and a file that was there before
         * is kept: a resumed run's output (a fresh run has truncated it
         * already) */
        if (b->outputs[i].path && b->outputs[i].opened &&
            !(b->resume_path && b->outputs[i].existed))
            remove(b->outputs[i].path);
    }
    if (b->marked && b->out_dir) {
        /* the records this build wrote say nothing true of a run that
         * never began */
        static const char *const records[] = {"provenance.json", "experiment.xml"};
        for (size_t i = 0; i < 2; i++) {
            char *p = dtb__asprintf("%s/%s", b->out_dir, records[i]);
            if (p)
                remove(p);
            free(p);
        }
        b->marked = 0;
    }
    for (size_t i = b->n_made_dirs; i-- > 0;)
        rmdir(b->made_dirs[i]);
}

void dtb__built_free(dtb__built *b)
{
    for (size_t i = 0; i < b->n_outputs; i++) {
        dtb_observer_free(b->outputs[i].obs);
        free(b->outputs[i].path);
    }
    free(b->outputs);
    for (size_t i = 0; i < b->n_timed; i++)
        dtb__lesion_spec_free(&b->timed[i].lesion);
    free(b->timed);
    for (size_t i = 0; i < b->n_made_dirs; i++)
        free(b->made_dirs[i]);
    free(b->made_dirs);
    free(b->out_dir);
    free(b->checkpoint_path);
    free(b->resume_path);
    free(b->from_path);
    dtb_sim_free(b->sim);
    dtb_model_free(b->model);
    dtb_atlas_free(b->atlas);
    memset(b, 0, sizeof *b);
}
