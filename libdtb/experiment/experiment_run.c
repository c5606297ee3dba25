/* libdtb — running a built experiment, and its provenance record.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The output folder receives, beside the observers' files:
 *   experiment.xml   the experiment itself, rerunnable with dtb run
 *                    (input file names relative to the folder), written
 *                    when the run begins
 *   provenance.json  "running" from the start (experiment_build.c), then,
 *                    written last and atomically: how the run ended,
 *                    libdtb's version, the seed, the end time and steps,
 *                    SHA-256 checksums of every input file, every
 *                    intervention the simulation recorded (with its
 *                    time), and the output files with the samples each
 *                    holds. See io/atomic_file.h for the transaction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/base.h"
#include "base/sha256.h"
#include "base/values.h"
#include "dtb/dtb_version.h"
#include "experiment.h"
#include "experiment_build.h"
#include "io/atomic_file.h"
#include "network/coupling_kinds.h"
#include "observe/observer.h"
#include "experiment_check.h"

/* --- progress over several segments --- */

typedef struct overall_progress {
    dtb_progress_fn fn;
    void *user_data;
    double start, end;
} overall_progress;

static int32_t segment_progress(double t, double fraction, void *ud)
{
    (void)fraction;
    overall_progress *p = ud;
    double span = p->end - p->start;
    double f = span > 0 ? (t - p->start) / span : 1.0;
    return p->fn(t, f < 0 ? 0 : f > 1 ? 1 : f, p->user_data);
}

static dtb_status run_to(dtb__built *b, double t, overall_progress *p)
{
    return dtb_sim_run_to(b->sim, t, p->fn ? segment_progress : NULL, p);
}

/* --- provenance --- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

typedef struct checksum_ctx {
    FILE *f;
    const char *setting;
    int first;
} checksum_ctx;

static void checksum_entry(checksum_ctx *c, const char *path)
{
    char hex[65];
    if (dtb__sha256_file(path, hex)) {
        dtb_clear_error();
        return;   /* not a readable file (a folder's missing optional part) */
    }
    fprintf(c->f, "%s\n    {\"setting\": ", c->first ? "" : ",");
    dtb__json_string(c->f, c->setting);
    fprintf(c->f, ", \"file\": ");
    dtb__json_string(c->f, path);
    fprintf(c->f, ", \"sha256\": \"%s\"}", hex);
    c->first = 0;
}

/* Called for every file name of a setting: a folder (a TVB atlas) counts
 * with the files libdtb reads from it. */
static char *checksum_path(const char *path, void *ctx)
{
    checksum_ctx *c = ctx;
    if (is_dir(path)) {
        static const char *const parts[] = {"weights.txt", "tract_lengths.txt", "centres.txt",
                                            "region_labels.txt", "labels.txt", "hemispheres.txt"};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char *p = dtb__asprintf("%s/%s", path, parts[i]);
            if (p)
                checksum_entry(c, p);
            free(p);
        }
    } else
        checksum_entry(c, path);
    return dtb__strdup(path);
}

/* "coupling": the function the run used and its parameters at the end
 * (where they came from is the provenance's first intervention line). */
static void write_coupling(FILE *f, const dtb_sim *sim)
{
    fprintf(f, ",\n  \"coupling\": {\"kind\": ");
    dtb__json_string(f, dtb__coupling_kind_name(dtb_sim_coupling(sim)));
    for (int64_t i = 0; i < dtb_sim_coupling_param_count(sim); i++) {
        const char *name = dtb_sim_coupling_param_name(sim, i);
        double v = NAN;
        char num[40];
        dtb_sim_get_coupling_param(sim, name, &v);
        dtb__format_double(num, sizeof num, v);
        fprintf(f, ", ");
        dtb__json_string(f, name);
        fprintf(f, ": %s", num);
    }
    fprintf(f, "}");
}

/* Step 4 of the results folder's transaction (io/atomic_file.h): written
 * last, whole or not at all, saying what the files hold now. */
static dtb_status write_provenance(const dtb__built *b, const dtb_experiment *exp, dtb_status run_st,
                                   const char *message)
{
    char *path = dtb__asprintf("%s/provenance.json", b->out_dir);
    if (!path)
        return DTB_ENOMEM;
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, path);
    free(path);
    if (st)
        return dtb__error_context(st, "provenance");
    FILE *f = a.f;
    dtb__provenance_head(f, !run_st ? "completed" : run_st == DTB_ECANCELLED ? "stopped" : "failed",
                         run_st);
    if (run_st) {
        fprintf(f, "  \"error\": ");
        dtb__json_string(f, message);
        fprintf(f, ",\n");
    }
    fprintf(f, "  \"kind\": \"run\",\n  \"experiment\": \"experiment.xml\",\n");
    fprintf(f, "  \"seed\": %llu,\n  \"resumed_from\": ", (unsigned long long)b->seed);
    if (b->resume_path)
        dtb__json_string(f, b->resume_path);
    else
        fputs("null", f);
    fprintf(f, ",\n  \"branched_from\": ");
    char num[40];
    if (b->from_path) {
        /* the state this run started from, by content */
        fprintf(f, "{\"checkpoint\": ");
        dtb__json_string(f, b->from_path);
        dtb__format_double(num, sizeof num, b->from_time);
        fprintf(f, ", \"sha256\": \"%s\", \"time_s\": %s}", b->from_sha256, num);
    } else
        fputs("null", f);
    dtb__format_double(num, sizeof num, dtb_sim_time(b->sim));
    fprintf(f, ",\n  \"end_time_s\": %s,\n  \"steps\": %lld,\n", num,
            (long long)dtb_sim_step_index(b->sim));
    fprintf(f, "  \"atlas\": ");
    dtb__json_string(f, dtb_atlas_name(b->atlas));
    fprintf(f, ",\n  \"atlas_synthetic\": %s,\n  \"atlas_description\": ",
            dtb_atlas_is_synthetic(b->atlas) ? "true" : "false");
    /* where the connectome comes from, in the record that outlives the run */
    dtb__json_string(f, dtb_atlas_description(b->atlas));
    fprintf(f, ",\n  \"model\": ");
    dtb__json_string(f, dtb_model_name(b->model));
    write_coupling(f, b->sim);
    fprintf(f, ",\n  \"inputs\": [");
    checksum_ctx c = {f, NULL, 1};
    for (size_t i = 0; i < exp->n; i++) {
        const dtb__setting_info *info = dtb__setting_find(exp->names[i]);
        if (!info || !info->paths || !strcmp(info->name, "checkpoint"))
            continue;
        c.setting = info->name;
        char *same = dtb__experiment_map_paths(info, exp->values[i], checksum_path, &c);
        free(same);
    }
    fprintf(f, "%s],\n  \"interventions\": [", c.first ? "" : "\n  ");
    for (int64_t i = 0; i < dtb_sim_provenance_count(b->sim); i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        dtb__json_string(f, dtb_sim_provenance_entry(b->sim, i));
    }
    /* the samples each file holds, as written: after a failed write, the
     * whole rows that are on disk, not the samples computed */
    fprintf(f, "%s],\n  \"outputs\": [", dtb_sim_provenance_count(b->sim) ? "\n  " : "");
    for (size_t i = 0; i < b->n_outputs; i++) {
        const char *name = strrchr(b->outputs[i].path, '/');
        fprintf(f, "%s\n    {\"file\": ", i ? "," : "");
        dtb__json_string(f, name ? name + 1 : b->outputs[i].path);
        fprintf(f, ", \"kind\": ");
        dtb__json_string(f, dtb_observer_kind_name(b->outputs[i].obs));
        fprintf(f, ", \"samples\": %lld}",
                (long long)dtb__observer_samples_on_disk(b->outputs[i].obs));
    }
    if (b->n_spiking_spikes >= 0) {
        fprintf(f, "%s\n    {\"file\": \"spikes_spiking.csv\", \"kind\": \"spiking_spikes\", "
                   "\"samples\": %lld}", b->n_outputs ? "," : "", (long long)b->n_spiking_spikes);
    }
    fprintf(f, "%s]\n}\n", b->n_outputs || b->n_spiking_spikes >= 0 ? "\n  " : "");
    return dtb__atomic_commit(&a);
}

/* --- the spiking regions' spikes --- */

typedef struct spike_row {
    double t;
    int64_t region, cell;
    int inhibitory;
} spike_row;

static int spike_row_cmp(const void *a, const void *b)
{
    const spike_row *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    if (x->inhibitory != y->inhibitory)
        return x->inhibitory - y->inhibitory;
    return (x->cell > y->cell) - (x->cell < y->cell);
}

/* spikes_spiking.csv: every spike of every spiking region in time order,
 * columns t (s), region, label, population (E or I), cell. */
static dtb_status write_spiking_spikes(dtb__built *b)
{
    dtb_spiking_net *net = dtb_sim_spiking_net(b->sim);
    const int64_t n_regions = dtb_sim_spiking_region_count(b->sim);
    size_t total = 0, n;
    for (int64_t q = 0; q < n_regions; q++) {
        int64_t pops[2];
        dtb_sim_spiking_region_info(b->sim, q, NULL, &pops[0], &pops[1]);
        for (int k = 0; k < 2; k++) {
            dtb_spiking_get_spikes(net, pops[k], NULL, NULL, 0, &n);
            total += n;
        }
    }
    spike_row *rows = dtb__malloc_array(total ? total : 1, sizeof *rows);
    int64_t *cells = dtb__malloc_array(total ? total : 1, sizeof *cells);
    double *times = dtb__malloc_array(total ? total : 1, sizeof *times);
    dtb_status st = rows && cells && times ? DTB_OK : DTB_ENOMEM;
    size_t at = 0;
    for (int64_t q = 0; !st && q < n_regions; q++) {
        int64_t region, pops[2];
        dtb_sim_spiking_region_info(b->sim, q, &region, &pops[0], &pops[1]);
        for (int k = 0; !st && k < 2; k++) {
            st = dtb_spiking_get_spikes(net, pops[k], cells, times, total, &n);
            for (size_t i = 0; !st && i < n; i++)
                rows[at++] = (spike_row){times[i], region, cells[i], k};
        }
    }
    free(cells);
    free(times);
    /* written whole at the end, under a temporary name: the file is
     * there complete, or not at all */
    char *path = st ? NULL : dtb__asprintf("%s/spikes_spiking.csv", b->out_dir);
    dtb__atomic_file a = {0};
    if (!st && !path)
        st = DTB_ENOMEM;
    else if (!st)
        st = dtb__atomic_open(&a, path);
    FILE *f = a.f;
    if (!st) {
        qsort(rows, at, sizeof *rows, spike_row_cmp);
        fputs("t,region,label,population,cell\n", f);
        for (size_t i = 0; i < at; i++) {
            char t[40];
            dtb__format_double(t, sizeof t, rows[i].t);
            fprintf(f, "%s,%lld,%s,%s,%lld\n", t, (long long)rows[i].region,
                    dtb_atlas_region_label(b->atlas, rows[i].region), rows[i].inhibitory ? "I" : "E",
                    (long long)rows[i].cell);
        }
        st = dtb__atomic_commit(&a);
        if (!st)
            b->n_spiking_spikes = (int64_t)at;
    }
    free(rows);
    free(path);
    return st;
}

/* --- the run --- */

dtb_status dtb__experiment_advance(dtb__built *b, dtb_progress_fn progress, void *user_data)
{
    overall_progress p = {progress, user_data, dtb_sim_time(b->sim), b->duration};
    const double half_step = 0.5 * dtb_sim_dt(b->sim);
    dtb_status st = DTB_OK;
    for (size_t i = 0; i < b->n_timed && !st; i++) {
        const dtb__timed *e = &b->timed[i];
        if (e->t < dtb_sim_time(b->sim) - half_step) {
            /* before a resumed run's checkpoint: done then; before a
             * branch's start: the branch's own lesion, in place from its
             * first step (the checkpoint holds no weights for a branch) */
            if (b->from_path && !e->is_checkpoint &&
                (st = dtb__experiment_apply_lesion(b->sim, b->atlas, &e->lesion)))
                break;
            continue;
        }
        st = run_to(b, e->t, &p);
        if (st)
            break;
        if (e->is_checkpoint) {
            if (!b->resume_path || e->t > p.start + half_step)
                st = dtb_sim_save_checkpoint(b->sim, b->checkpoint_path);
            if (st)
                st = dtb__error_context(st, "checkpoint");
        } else
            st = dtb__experiment_apply_lesion(b->sim, b->atlas, &e->lesion);
    }
    if (!st)
        st = run_to(b, b->duration, &p);
    return st;
}

dtb_status dtb__experiment_finish(dtb__built *b, const dtb_experiment *exp, dtb_status st)
{
    /* flush what was recorded, whatever happened: whole rows only, and the
     * samples on disk counted for the provenance record */
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", st ? dtb_last_error_message() : "");
    for (size_t i = 0; i < b->n_outputs; i++) {
        dtb_status fs = dtb_observer_flush(b->outputs[i].obs);
        if (!st) {
            st = fs;
            if (fs)
                snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
        }
    }
    if (b->no_outputs) {
        if (st)
            dtb__error(st, "%s", saved);
        return st;
    }
    if (!st && dtb_sim_spiking_region_count(b->sim) > 0) {
        st = write_spiking_spikes(b);
        if (st)
            snprintf(saved, sizeof saved, "%s", dtb_last_error_message());
    }
    dtb_status ps = write_provenance(b, exp, st, saved);
    if (ps)
        snprintf(saved + strlen(saved), sizeof saved - strlen(saved), "%s%s", st ? "; and " : "",
                 dtb_last_error_message());
    if (st || ps) {
        /* the run's error is the one to report (and the record's, if it
         * could not be written: the folder then still says "running") */
        dtb__error(st ? st : ps, "%s", saved);
        return st ? st : ps;
    }
    return DTB_OK;
}

dtb_status dtb__experiment_execute(dtb__built *b, const dtb_experiment *exp,
                                   dtb_progress_fn progress, void *user_data)
{
    return dtb__experiment_finish(b, exp, dtb__experiment_advance(b, progress, user_data));
}

/* --- the API --- */

dtb_status dtb_experiment_build(const dtb_experiment *exp, const char *out_dir, dtb_sim **sim_out)
{
    if (!sim_out)
        return dtb__error(DTB_EINVAL, "dtb_experiment_build: sim_out is NULL");
    *sim_out = NULL;
    dtb__built b;
    dtb_status st = dtb__experiment_build(exp, out_dir, &b);
    if (st)
        return st;
    *sim_out = b.sim;   /* it keeps its observers alive */
    b.sim = NULL;
    dtb__built_free(&b);
    return DTB_OK;
}

dtb_status dtb_experiment_run(const dtb_experiment *exp, const char *out_dir,
                              dtb_progress_fn progress, void *user_data)
{
    dtb__built b;
    dtb_status st = dtb__experiment_build(exp, out_dir, &b);
    if (st)
        return st;
    st = dtb__experiment_execute(&b, exp, progress, user_data);
    dtb__built_free(&b);
    return st;
}

double dtb_experiment_duration(const dtb_experiment *exp)
{
    const char *v = dtb_experiment_get(exp, "duration");
    double t = 1.0;
    if (!exp)
        return NAN;
    if (v)
        dtb__read_time("duration", v, &t); /* checked when it was set */
    return t;
}
