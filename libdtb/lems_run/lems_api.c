/* libdtb — dtb_lems.h: LEMS documents and their Simulations as handles.
 * A simulation holds a reference to its document (the engine reads the
 * document's components while it runs), so they may be freed in any order.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_lems.h"
#include "lems/lems.h"
#include "lems_run.h"
#include "lr_files.h"

struct dtb_lems_document {
    dtb__refcount ref;
    dtb__lems_doc doc;
    char *path;                /* as the caller gave it: the report names it */
};

typedef enum sim_state { SIM_READY, SIM_OPEN, SIM_RAN } sim_state;

struct dtb_lems_simulation {
    dtb_lems_document *doc;    /* a reference */
    dtb__lr_sim *sim;
    char **files;              /* each output's file name under the output folder */
    size_t n_files;
    dtb__lr_files out;
    sim_state state;
    atomic_int stop;
    atomic_llong rows;
    dtb_progress_fn progress;
    void *progress_ud;
};

/* --- documents --- */

dtb_status dtb_lems_document_load(dtb_lems_document **out, const char *path,
                                  const char *const *include_dirs, size_t n_include_dirs)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_load: out is NULL");
    *out = NULL;
    if (!path)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_load: path is NULL");
    if (n_include_dirs && !include_dirs)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_load: include_dirs is NULL but "
                                      "n_include_dirs is %zu", n_include_dirs);
    for (size_t i = 0; i < n_include_dirs; i++)
        if (!include_dirs[i])
            return dtb__error(DTB_EINVAL, "dtb_lems_document_load: include_dirs[%zu] is NULL", i);
    dtb_lems_document *d = dtb__calloc(1, sizeof *d);
    if (!d || !(d->path = dtb__strdup(path))) {
        free(d);
        return DTB_ENOMEM;
    }
    dtb__lems_read_options o = {include_dirs, n_include_dirs};
    dtb_status st = dtb__lems_read_file(&d->doc, path, &o);
    if (st) {
        free(d->path);
        free(d);
        return st;
    }
    dtb__ref_init(&d->ref);
    *out = d;
    return DTB_OK;
}

void dtb_lems_document_free(dtb_lems_document *doc)
{
    if (!doc || !dtb__ref_put(&doc->ref))
        return;
    dtb__lems_doc_free(&doc->doc);
    free(doc->path);
    free(doc);
}

dtb_status dtb_lems_document_describe(const dtb_lems_document *doc, uint32_t flags, char *buf,
                                      size_t capacity, size_t *needed_out)
{
    if (needed_out)
        *needed_out = 0;
    if (!doc)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_describe: doc is NULL");
    if (flags & ~DTB_LEMS_DESCRIBE_ALL)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_describe: unknown flags 0x%x",
                          (unsigned)(flags & ~DTB_LEMS_DESCRIBE_ALL));
    if (!buf && capacity)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_describe: buf is NULL but capacity is %zu",
                          capacity);
    dtb__strbuf text = {0};
    dtb__lems_describe(&doc->doc, doc->path, (flags & DTB_LEMS_DESCRIBE_ALL) != 0, &text);
    if (text.failed) {
        dtb__strbuf_free(&text);
        return dtb__error(DTB_ENOMEM, "dtb_lems_document_describe: out of memory");
    }
    dtb_status st = dtb__copy_out("dtb_lems_document_describe", text.data ? text.data : "",
                                  text.len + 1, 1, buf, capacity, needed_out);
    dtb__strbuf_free(&text);
    return st;
}

dtb_status dtb_lems_document_warnings(const dtb_lems_document *doc, char *buf, size_t capacity,
                                      size_t *needed_out)
{
    if (needed_out)
        *needed_out = 0;
    if (!doc)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_warnings: doc is NULL");
    if (!buf && capacity)
        return dtb__error(DTB_EINVAL, "dtb_lems_document_warnings: buf is NULL but capacity is %zu", capacity);
    dtb__strbuf text = {0};
    for (size_t i = 0; i < doc->doc.n_warnings; i++)
        dtb__strbuf_printf(&text, "%s\n", doc->doc.warnings[i]);
    if (text.failed) {
        dtb__strbuf_free(&text);
        return dtb__error(DTB_ENOMEM, "dtb_lems_document_warnings: out of memory");
    }
    dtb_status st = dtb__copy_out("dtb_lems_document_warnings", text.data ? text.data : "", text.len + 1, 1,
                                  buf, capacity, needed_out);
    dtb__strbuf_free(&text);
    return st;
}

/* --- simulations --- */

dtb_status dtb_lems_simulation_options_init(dtb_lems_simulation_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_LEMS_SIMULATION_OPTIONS_VERSION,
                             "dtb_lems_simulation_options");
}

static dtb_status file_names(dtb_lems_simulation *s)
{
    size_t n = dtb__lr_output_count(s->sim);
    s->files = dtb__calloc(n ? n : 1, sizeof *s->files);
    if (!s->files)
        return DTB_ENOMEM;
    for (; s->n_files < n; s->n_files++)
        if (!(s->files[s->n_files] = dtb__lr_output_file_name(dtb__lr_output_at(s->sim, s->n_files))))
            return DTB_ENOMEM;
    return DTB_OK;
}

dtb_status dtb_lems_simulation_create(dtb_lems_simulation **out, const dtb_lems_document *doc,
                                      const dtb_lems_simulation_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_lems_simulation_create: out is NULL");
    *out = NULL;
    if (!doc)
        return dtb__error(DTB_EINVAL, "dtb_lems_simulation_create: doc is NULL");
    dtb__lr_options o = {0};
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_LEMS_SIMULATION_OPTIONS_VERSION,
                                           "dtb_lems_simulation_options");
        if (st)
            return st;
        if (opts->flags & ~DTB_LEMS_SIMULATION_FLAG_SEED)
            return dtb__error(DTB_EINVAL, "dtb_lems_simulation_options.flags: unknown bits 0x%x",
                              (unsigned)(opts->flags & ~DTB_LEMS_SIMULATION_FLAG_SEED));
        o.simulation = opts->simulation;
        o.has_seed = (opts->flags & DTB_LEMS_SIMULATION_FLAG_SEED) != 0;
        o.seed = opts->seed;
        if (opts->version >= 2) {
            if (opts->order > DTB_LEMS_ORDER_PYLEMS)
                return dtb__error(DTB_EINVAL, "dtb_lems_simulation_options.order: unknown order %u",
                                  (unsigned)opts->order);
            if (opts->method > DTB_LEMS_METHOD_RK8PD)
                return dtb__error(DTB_EINVAL, "dtb_lems_simulation_options.method: unknown method %u",
                                  (unsigned)opts->method);
            if (!(opts->rtol >= 0) || !(opts->atol >= 0))
                return dtb__error(DTB_EINVAL, "dtb_lems_simulation_options: rtol %g and atol %g must "
                                              "be >= 0", opts->rtol, opts->atol);
            o.order = opts->order == DTB_LEMS_ORDER_PYLEMS ? DTB__LR_ORDER_PYLEMS : DTB__LR_ORDER_JLEMS;
            o.method = (dtb__lr_method)opts->method;
            o.rtol = opts->rtol;
            o.atol = opts->atol;
        }
    }
    dtb_lems_simulation *s = dtb__calloc(1, sizeof *s);
    if (!s)
        return DTB_ENOMEM;
    dtb_status st = dtb__lr_create(&doc->doc, &o, &s->sim);
    if (!st)
        st = dtb__lr_check_output_names(s->sim);
    if (!st)
        st = file_names(s);
    /* the document outlives the simulation: the engine reads its components */
    s->doc = (dtb_lems_document *)doc;
    dtb__ref_get(&s->doc->ref);
    if (st) {
        dtb_lems_simulation_free(s);
        return st;
    }
    *out = s;
    return DTB_OK;
}

void dtb_lems_simulation_free(dtb_lems_simulation *sim)
{
    if (!sim)
        return;
    if (sim->state == SIM_OPEN)
        dtb__lr_files_close(&sim->out);
    dtb__lr_free(sim->sim);
    for (size_t i = 0; i < sim->n_files; i++)
        free(sim->files[i]);
    free(sim->files);
    dtb_lems_document_free(sim->doc);
    free(sim);
}

double dtb_lems_simulation_dt(const dtb_lems_simulation *sim)
{
    return sim ? dtb__lr_dt(sim->sim) : NAN;
}

int64_t dtb_lems_simulation_step_count(const dtb_lems_simulation *sim)
{
    return sim ? dtb__lr_steps(sim->sim) : -1;
}

int64_t dtb_lems_simulation_instance_count(const dtb_lems_simulation *sim)
{
    return sim ? (int64_t)dtb__lr_instance_count(sim->sim) : -1;
}

int64_t dtb_lems_simulation_output_count(const dtb_lems_simulation *sim)
{
    return sim ? (int64_t)sim->n_files : -1;
}

static const dtb__lr_output *output_at(const dtb_lems_simulation *sim, int64_t index)
{
    if (!sim || index < 0 || (uint64_t)index >= sim->n_files)
        return NULL;
    return dtb__lr_output_at(sim->sim, (size_t)index);
}

dtb_lems_output_kind dtb_lems_simulation_output_kind(const dtb_lems_simulation *sim, int64_t index)
{
    const dtb__lr_output *o = output_at(sim, index);
    if (!o)
        return (dtb_lems_output_kind)0;
    return o->is_events ? DTB_LEMS_OUTPUT_EVENTS : o->is_display ? DTB_LEMS_OUTPUT_DISPLAY
                                                                 : DTB_LEMS_OUTPUT_FILE;
}

const char *dtb_lems_simulation_output_file(const dtb_lems_simulation *sim, int64_t index)
{
    return output_at(sim, index) ? sim->files[index] : NULL;
}

int64_t dtb_lems_simulation_output_column_count(const dtb_lems_simulation *sim, int64_t index)
{
    const dtb__lr_output *o = output_at(sim, index);
    return o ? (int64_t)o->n_columns : -1;
}

dtb_status dtb_lems_simulation_open_outputs(dtb_lems_simulation *sim, const char *out_dir)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_lems_simulation_open_outputs: sim is NULL");
    if (sim->state != SIM_READY)
        return dtb__error(DTB_ESTATE, "dtb_lems_simulation_open_outputs: the outputs are open "
                                      "already, or the simulation has run");
    dtb_status st = dtb__lr_files_open(&sim->out, sim->sim, out_dir);
    if (!st) {
        sim->state = SIM_OPEN;
        dtb__lr_on_event(sim->sim, dtb__lr_files_event, &sim->out);
    }
    return st;
}

static int on_row(double t, const double *values, void *ud)
{
    dtb_lems_simulation *s = ud;
    atomic_fetch_add_explicit(&s->rows, 1, memory_order_relaxed);
    if (s->state == SIM_OPEN && dtb__lr_files_row(&s->out, t, values))
        return 1;
    if (s->progress) {
        int64_t n = dtb__lr_steps(s->sim);
        if (s->progress(t, n > 0 ? (double)dtb_lems_simulation_row_count(s) / (double)(n + 1) : 1.0,
                        s->progress_ud))
            return 1;
    }
    return atomic_load_explicit(&s->stop, memory_order_relaxed) != 0;
}

dtb_status dtb_lems_simulation_run(dtb_lems_simulation *sim, dtb_progress_fn progress,
                                   void *user_data)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_lems_simulation_run: sim is NULL");
    if (sim->state == SIM_RAN)
        return dtb__error(DTB_ESTATE, "dtb_lems_simulation_run: this simulation has run already");
    sim->progress = progress;
    sim->progress_ud = user_data;
    int had_files = sim->state == SIM_OPEN;
    /* numbers are written with a decimal point whatever the locale */
    dtb__locale_guard locale;
    dtb__locale_push_c(&locale);
    dtb_status st = dtb__lr_run(sim->sim, on_row, sim);
    dtb__locale_pop(&locale);
    sim->state = SIM_RAN;
    if (had_files) {
        int write_failed = sim->out.failed;
        dtb_status closed = dtb__lr_files_close(&sim->out);
        if (write_failed || (!st && closed))
            return closed;
    }
    if (st == DTB_ECANCELLED)
        return dtb__error(DTB_ECANCELLED, "dtb_lems_simulation_run: stopped after %lld rows "
                                          "(files hold them whole)",
                          (long long)dtb_lems_simulation_row_count(sim));
    return st;
}

void dtb_lems_simulation_request_stop(dtb_lems_simulation *sim)
{
    if (sim)
        atomic_store_explicit(&sim->stop, 1, memory_order_relaxed);
}

int64_t dtb_lems_simulation_row_count(const dtb_lems_simulation *sim)
{
    return sim ? (int64_t)atomic_load_explicit(&sim->rows, memory_order_relaxed) : -1;
}
