/* libdtb — dtb_built_experiment (dtb_built_experiment.h): a handle on a
 * built run, for drivers that look at it before and after running it.
 * It wraps dtb__built (experiment_build.h), which the library's own
 * dtb_experiment_build/run, sweeps and fits share.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_built_experiment.h"
#include "experiment_build.h"

struct dtb_built_experiment {
    dtb__built b;
    dtb_experiment *exp;   /* a copy: the provenance record of the run writes it */
    int ran;
};

dtb_status dtb_built_experiment_options_init(dtb_built_experiment_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_BUILT_EXPERIMENT_OPTIONS_VERSION,
                             "dtb_built_experiment_options");
}

dtb_status dtb_built_experiment_create(dtb_built_experiment **out, const dtb_experiment *exp,
                                       const dtb_built_experiment_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_built_experiment_create: out is NULL");
    *out = NULL;
    if (!exp)
        return dtb__error(DTB_EINVAL, "dtb_built_experiment_create: exp is NULL");
    dtb__build_options o = {0};
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_BUILT_EXPERIMENT_OPTIONS_VERSION,
                                           "dtb_built_experiment_options");
        if (st)
            return st;
        if (opts->flags)
            return dtb__error(DTB_EINVAL, "dtb_built_experiment_options.flags: 0x%x; no flags are "
                                          "defined (must be 0)", (unsigned)opts->flags);
        if (!opts->extra_setting != !opts->extra_path)
            return dtb__error(DTB_EINVAL, "dtb_built_experiment_options: extra_setting and "
                                          "extra_path go together (one of them is NULL)");
        o.out_dir = opts->out_dir;
        o.extra_setting = opts->extra_setting;
        o.extra_path = opts->extra_path;
    }
    dtb_built_experiment *h = dtb__calloc(1, sizeof *h);
    if (!h)
        return DTB_ENOMEM;
    dtb_status st = dtb_experiment_clone(&h->exp, exp);
    if (!st)
        st = dtb__experiment_build_with(exp, &o, &h->b);
    if (st) {
        dtb_experiment_free(h->exp);
        free(h);
        return st;
    }
    *out = h;
    return DTB_OK;
}

void dtb_built_experiment_free(dtb_built_experiment *built)
{
    if (!built)
        return;
    dtb__built_free(&built->b);
    dtb_experiment_free(built->exp);
    free(built);
}

void dtb_built_experiment_discard(dtb_built_experiment *built)
{
    if (built)
        dtb__built_remove_outputs(&built->b);
    dtb_built_experiment_free(built);
}

dtb_status dtb_built_experiment_run(dtb_built_experiment *built, dtb_progress_fn progress,
                                    void *user_data)
{
    if (!built)
        return dtb__error(DTB_EINVAL, "dtb_built_experiment_run: built is NULL");
    if (built->ran)
        return dtb__error(DTB_ESTATE, "dtb_built_experiment_run: this built experiment has run "
                                      "already (build it again to run it again)");
    built->ran = 1;
    return dtb__experiment_execute(&built->b, built->exp, progress, user_data);
}

dtb_sim *dtb_built_experiment_sim(const dtb_built_experiment *built)
{
    return built ? built->b.sim : NULL;
}

const dtb_atlas *dtb_built_experiment_atlas(const dtb_built_experiment *built)
{
    return built ? built->b.atlas : NULL;
}

const dtb_model *dtb_built_experiment_model(const dtb_built_experiment *built)
{
    return built ? built->b.model : NULL;
}

int64_t dtb_built_experiment_output_count(const dtb_built_experiment *built)
{
    return built ? (int64_t)built->b.n_outputs : -1;
}

static const dtb__output *output_at(const dtb_built_experiment *built, int64_t index)
{
    return built && index >= 0 && (uint64_t)index < built->b.n_outputs ? &built->b.outputs[index]
                                                                         : NULL;
}

const dtb_observer *dtb_built_experiment_output_observer(const dtb_built_experiment *built,
                                                         int64_t index)
{
    const dtb__output *o = output_at(built, index);
    return o ? o->obs : NULL;
}

const char *dtb_built_experiment_output_path(const dtb_built_experiment *built, int64_t index)
{
    const dtb__output *o = output_at(built, index);
    return o ? o->path : NULL;
}

const char *dtb_built_experiment_out_dir(const dtb_built_experiment *built)
{
    return built ? built->b.out_dir : NULL;
}

const char *dtb_built_experiment_checkpoint_path(const dtb_built_experiment *built)
{
    return built ? built->b.checkpoint_path : NULL;
}

double dtb_built_experiment_end_time(const dtb_built_experiment *built)
{
    return built ? built->b.duration : NAN;
}

uint64_t dtb_built_experiment_seed(const dtb_built_experiment *built)
{
    return built ? built->b.seed : 0;
}

int32_t dtb_built_experiment_is_default_twin(const dtb_built_experiment *built)
{
    return built ? built->b.default_twin != 0 : -1;
}

int32_t dtb_built_experiment_is_noisy(const dtb_built_experiment *built)
{
    return built ? built->b.noisy != 0 : -1;
}

int64_t dtb_built_experiment_spiking_spike_count(const dtb_built_experiment *built)
{
    return built ? built->b.n_spiking_spikes : -1;
}

dtb_status dtb_experiment_check_write(const dtb_experiment *exp, const char *setting,
                                      const char *path, const char *const *others,
                                      size_t n_others)
{
    if (!setting || !path)
        return dtb__error(DTB_EINVAL, "dtb_experiment_check_write: %s is NULL",
                          !setting ? "setting" : "path");
    if (n_others && !others)
        return dtb__error(DTB_EINVAL, "dtb_experiment_check_write: others is NULL but n_others "
                                      "is %zu", n_others);
    return dtb__experiment_check_write(exp, setting, path, others, n_others);
}
