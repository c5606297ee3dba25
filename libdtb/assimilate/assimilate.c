/* libdtb — dtb_assimilation: a twin that follows a recording with an
 * ensemble Kalman filter (dtb_assimilate.h). This file holds the object,
 * its settings and every check made before anything runs; the members and
 * the cycle are in assimilate_run.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "io/text_matrix.h"
#include "experiment/experiment_build.h"
#include "experiment/experiment_parse.h"
#include "explore/explore.h"
#include "observe/observe_spec.h"

#include "assimilation.h"

/* Settings a member never uses: they concern one run's files. */
static const char *const per_run_settings[] = {"out", "empirical-fc", "plot", "plot-regions"};
/* Settings refused: every member starts afresh. */
static const char *const refused_settings[] = {"resume", "checkpoint", "checkpoint-at"};

dtb_status dtb_assimilate_options_init(dtb_assimilate_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_ASSIMILATE_OPTIONS_VERSION,
                             "dtb_assimilate_options");
}

dtb_status dtb_assimilation_create(dtb_assimilation **out, const dtb_experiment *exp)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_create: out is NULL");
    *out = NULL;
    if (!exp)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_create: experiment is NULL");
    for (size_t i = 0; i < sizeof refused_settings / sizeof refused_settings[0]; i++)
        if (dtb_experiment_get(exp, refused_settings[i]))
            return dtb__error(DTB_EINVAL, "%s: an assimilation starts every member afresh; it "
                                          "takes no checkpoint or resume", refused_settings[i]);
    dtb_assimilation *a = dtb__calloc(1, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    dtb_status st = dtb_experiment_clone(&a->exp, exp);
    if (!st && !(a->observer = dtb__strdup("bold")))
        st = DTB_ENOMEM;
    if (st) {
        dtb_assimilation_free(a);
        return st;
    }
    *out = a;
    return DTB_OK;
}

static void unprepare(dtb_assimilation *a)
{
    dtb_experiment_free(a->base);
    a->base = NULL;
    dtb_atlas_free(a->atlas);
    a->atlas = NULL;
    dtb_model_free(a->model);
    a->model = NULL;
    free(a->data);
    a->data = NULL;
    free(a->obs_var);
    a->obs_var = NULL;
    dtb__strings_free(a->obs_names, a->n_obs);
    a->obs_names = NULL;
    a->n_obs = 0;
    dtb__strings_free(a->par_name, a->n_par);
    a->par_name = NULL;
    free(a->par_est);
    a->par_est = NULL;
    free(a->par_region);
    a->par_region = NULL;
    a->n_par = 0;
    free(a->distance);
    a->distance = NULL;
    a->prepared = 0;
}

void dtb_assimilation_free(dtb_assimilation *a)
{
    if (!a)
        return;
    unprepare(a);
    dtb_experiment_free(a->exp);
    for (size_t i = 0; i < a->n_est; i++) {
        free(a->est[i].name);
        free(a->est[i].param);
        free(a->est[i].regions);
    }
    free(a->est);
    free(a->data_path);
    free(a->observer);
    free(a->times);
    free(a->means);
    free(a->sds);
    free(a->forecast);
    free(a->skill);
    free(a);
}

#define REQUIRE_IDLE(a, fn)                                                                   \
    do {                                                                                     \
        if (!(a))                                                                            \
            return dtb__error(DTB_EINVAL, fn ": assimilation is NULL");                      \
        if ((a)->ran)                                                                        \
            return dtb__error(DTB_ESTATE, fn ": the assimilation has run; make a new one");  \
    } while (0)

static int valid_identifier(const char *s, size_t n)
{
    if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static dtb_status add_estimate(dtb_assimilation *a, const char *name, double lo, double hi,
                                double pull)
{
    if (!name)
        return dtb__error(DTB_EINVAL, "estimate: the name is NULL");
    const char *at = strchr(name, '@');
    size_t plen = at ? (size_t)(at - name) : strlen(name);
    if (!valid_identifier(name, plen))
        return dtb__error(DTB_EINVAL, "estimate '%s': '%.*s' is not a parameter name", name,
                          (int)plen, name);
    if (at && !at[1])
        return dtb__error(DTB_EINVAL, "estimate '%s': no regions after '@'", name);
    if (pull != 0 && !at)
        return dtb__error(DTB_EINVAL, "estimate '%s': a hierarchical estimate is NAME@REGIONS",
                          name);
    if (!(pull >= 0 && pull <= 1))
        return dtb__error(DTB_EINVAL, "estimate '%s': pull %g is not in (0, 1]", name, pull);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return dtb__error(DTB_EINVAL, "estimate '%s': bounds %g:%g are not finite with LO < HI",
                          name, lo, hi);
    for (size_t i = 0; i < a->n_est; i++)
        if (strlen(a->est[i].param) == plen && strncmp(a->est[i].param, name, plen) == 0)
            return dtb__error(DTB_EINVAL, "estimate '%s': parameter '%.*s' is estimated already "
                              "('%s')", name, (int)plen, name, a->est[i].name);
    dtb__estimate *grown = dtb__realloc_array(a->est, a->n_est + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    a->est = grown;
    dtb__estimate e = {dtb__strdup(name), dtb__strndup(name, plen),
                       at ? dtb__strdup(at + 1) : NULL, lo, hi, pull};
    if (!e.name || !e.param || (at && !e.regions)) {
        free(e.name);
        free(e.param);
        free(e.regions);
        return DTB_ENOMEM;
    }
    a->est[a->n_est++] = e;
    unprepare(a);
    return DTB_OK;
}

dtb_status dtb_assimilation_estimate(dtb_assimilation *a, const char *name, double lo, double hi)
{
    REQUIRE_IDLE(a, "dtb_assimilation_estimate");
    return add_estimate(a, name, lo, hi, 0.0);
}

dtb_status dtb_assimilation_estimate_hierarchical(dtb_assimilation *a, const char *name, double lo,
                                                  double hi, double pull)
{
    REQUIRE_IDLE(a, "dtb_assimilation_estimate_hierarchical");
    if (!(pull > 0))
        return dtb__error(DTB_EINVAL, "estimate '%s': pull %g is not in (0, 1]",
                          name ? name : "(null)", pull);
    return add_estimate(a, name, lo, hi, pull);
}

static dtb_status replace_string(char **slot, const char *value)
{
    char *copy = dtb__strdup(value);
    if (!copy)
        return DTB_ENOMEM;
    free(*slot);
    *slot = copy;
    return DTB_OK;
}

dtb_status dtb_assimilation_set_data(dtb_assimilation *a, const char *path)
{
    REQUIRE_IDLE(a, "dtb_assimilation_set_data");
    if (!path || !*path)
        return dtb__error(DTB_EINVAL, "data: no file named");
    unprepare(a);
    return replace_string(&a->data_path, path);
}

dtb_status dtb_assimilation_set_observer(dtb_assimilation *a, const char *spec)
{
    REQUIRE_IDLE(a, "dtb_assimilation_set_observer");
    dtb__observe_spec s;
    dtb_status st = dtb__observe_spec_parse(spec ? spec : "", &s);
    if (st)
        return st;
    const int sampled = s.kind == DTB_OBSERVER_BOLD || s.kind == DTB_OBSERVER_TAVG ||
                        s.kind == DTB_OBSERVER_SUBSAMPLE || s.kind == DTB_OBSERVER_PROJECTION ||
                        s.kind == DTB_OBSERVER_DEFAULT;
    dtb__observe_spec_free(&s);
    if (!sampled)
        return dtb__error(DTB_EINVAL, "observer '%s': an assimilation observes a sampled signal "
                                      "(bold, tavg, subsample, eeg, meg, seeg)", spec);
    unprepare(a);
    return replace_string(&a->observer, spec);
}

static dtb_status fill_options(dtb_assimilation *a, const dtb_assimilate_options *in)
{
    dtb_assimilate_options o = DTB_ASSIMILATE_OPTIONS_INIT;
    if (in) {
        dtb_status st = dtb__check_version(in->version, DTB_ASSIMILATE_OPTIONS_VERSION,
                                           "dtb_assimilate_options");
        if (st)
            return st;
        o = *in;
    }
    if (o.flags & ~(DTB_ASSIMILATE_FLAG_UPDATE_STATE | DTB_ASSIMILATE_FLAG_NO_DRIFT |
                    DTB_ASSIMILATE_FLAG_ZSCORE))
        return dtb__error(DTB_EINVAL, "flags 0x%x: unknown flags", (unsigned)o.flags);
    if (o.distance != DTB_ASSIMILATE_DISTANCE_CENTRES &&
        o.distance != DTB_ASSIMILATE_DISTANCE_TRACTS && o.distance != DTB_ASSIMILATE_DISTANCE_HOPS)
        return dtb__error(DTB_EINVAL, "distance %d: not centres (0), tracts (1) or hops (2)",
                          (int)o.distance);
    if (o.method != DTB_ASSIMILATE_ETKF && o.method != DTB_ASSIMILATE_ENKF)
        return dtb__error(DTB_EINVAL, "method %d: not ETKF (0) or EnKF (1)", (int)o.method);
    if (o.members == 0)
        o.members = 20;
    if (o.members < 2)
        return dtb__error(DTB_EINVAL, "members %d: at least 2 are needed", (int)o.members);
    if (o.jobs == 0)
        o.jobs = 1;
    if (o.jobs < 1)
        return dtb__error(DTB_EINVAL, "jobs %d: at least 1", (int)o.jobs);
    if (o.inflation == 0)
        o.inflation = 1;
    if (!(o.inflation >= 1) || !isfinite(o.inflation))
        return dtb__error(DTB_EINVAL, "inflation %g: a factor >= 1 is needed", o.inflation);
    if (o.drift == 0)
        o.drift = 0.05;
    if (!(o.drift > 0) || !isfinite(o.drift))
        return dtb__error(DTB_EINVAL, "drift %g: a standard deviation > 0 is needed", o.drift);
    if (o.obs_error == 0)
        o.obs_error = 0.3;
    if (!(o.obs_error > 0) || !isfinite(o.obs_error))
        return dtb__error(DTB_EINVAL, "obs-error %g: a fraction > 0 is needed", o.obs_error);
    if (!(o.localisation >= 0) || !isfinite(o.localisation))
        return dtb__error(DTB_EINVAL, "localisation %g: a distance >= 0 is needed",
                          o.localisation);
    a->opts = o;
    return DTB_OK;
}

/* The estimates as parameters of the filter: one per region of a
 * NAME@REGIONS, preceded by its hyper-parameter when it is hierarchical. */
static dtb_status expand_estimates(dtb_assimilation *a)
{
    size_t total = 0;
    int64_t **idx = dtb__calloc(a->n_est, sizeof *idx);
    size_t *cnt = dtb__calloc(a->n_est, sizeof *cnt);
    dtb_status st = idx && cnt ? DTB_OK : DTB_ENOMEM;
    for (size_t e = 0; !st && e < a->n_est; e++) {
        if (a->est[e].regions) {
            char what[256];
            snprintf(what, sizeof what, "estimate '%s'", a->est[e].name);
            st = dtb__resolve_regions(a->atlas, what, a->est[e].regions, &idx[e], &cnt[e]);
        } else {
            cnt[e] = 1;
        }
        total += cnt[e] + (a->est[e].pull > 0);   /* and the hyper-parameter */
    }
    if (!st) {
        a->par_name = dtb__calloc(total, sizeof *a->par_name);
        a->par_est = dtb__calloc(total, sizeof *a->par_est);
        a->par_region = dtb__calloc(total, sizeof *a->par_region);
        if (!a->par_name || !a->par_est || !a->par_region)
            st = DTB_ENOMEM;
    }
    for (size_t e = 0; !st && e < a->n_est; e++) {
        if (a->est[e].pull > 0) {   /* the hyper-parameter first, named NAME */
            const size_t j = a->n_par;
            a->par_est[j] = e;
            a->par_region[j] = DTB__HYPER;
            if (!(a->par_name[j] = dtb__strdup(a->est[e].param)))
                st = DTB_ENOMEM;
            else
                a->n_par++;
        }
        for (size_t r = 0; !st && r < cnt[e]; r++) {
            size_t j = a->n_par;
            a->par_est[j] = e;
            a->par_region[j] = idx[e] ? idx[e][r] : -1;
            a->par_name[j] = idx[e] ? dtb__asprintf("%s@%lld", a->est[e].param,
                                                    (long long)idx[e][r])
                                    : dtb__strdup(a->est[e].param);
            if (!a->par_name[j])
                st = DTB_ENOMEM;
            else
                a->n_par++;
        }
    }
    for (size_t e = 0; idx && e < a->n_est; e++)
        free(idx[e]);
    free(idx);
    free(cnt);
    return st;
}

/* The recording as samples x columns: a dtb observer file's time column
 * dropped, a columns x samples file turned round. */
static dtb_status read_data(dtb_assimilation *a)
{
    double *m, *times;
    size_t rows, cols;
    const size_t n = a->n_obs;
    dtb_status st = dtb__read_samples(a->data_path, "data", n, &m, &rows, &cols, &times);
    if (st)
        return st;
    /* a dtb observer file: its times must be the observer's period apart */
    for (size_t r = 1; times && r < rows; r++) {
        const double gap = times[r] - times[r - 1];
        if (fabs(gap - a->period) > 1e-6 * a->period) {
            free(times);
            free(m);
            return dtb__error(DTB_EINVAL, "data %s: samples %zu and %zu are %g s apart, but "
                              "the observer '%s' samples every %g s", a->data_path, r - 1, r,
                              gap, a->observer, a->period);
        }
    }
    free(times);
    if (cols != n) {
        free(m);
        return dtb__error(DTB_EINVAL, "data %s: %zu x %zu, but the observer '%s' gives %zu "
                          "columns (time x columns, or columns x time)", a->data_path, rows, cols,
                          a->observer, n);
    }
    if (rows < 2) {
        free(m);
        return dtb__error(DTB_EINVAL, "data %s: %zu samples; at least 2 are needed",
                          a->data_path, rows);
    }
    if ((a->opts.flags & DTB_ASSIMILATE_FLAG_ZSCORE) &&
        (st = dtb__assimilation_zscore_data(a, m, rows))) {
        free(m);
        return st;
    }
    a->obs_var = dtb__calloc(n, sizeof *a->obs_var);
    if (!a->obs_var) {
        free(m);
        return DTB_ENOMEM;
    }
    for (size_t c = 0; c < n; c++) {
        double mean = 0, ss = 0;
        for (size_t r = 0; r < rows; r++)
            mean += m[r * n + c];
        mean /= (double)rows;
        for (size_t r = 0; r < rows; r++)
            ss += (m[r * n + c] - mean) * (m[r * n + c] - mean);
        const double sd = sqrt(ss / (double)(rows - 1));
        if (!(sd > 0)) {
            free(m);
            return dtb__error(DTB_EINVAL, "data %s: column %zu ('%s') is constant; its "
                              "observation error (obs-error x its standard deviation) would be 0",
                              a->data_path, c, a->obs_names[c]);
        }
        a->obs_var[c] = (a->opts.obs_error * sd) * (a->opts.obs_error * sd);
    }
    a->data = m;
    a->n_samples = rows;
    return DTB_OK;
}

dtb_status dtb_assimilation_prepare(dtb_assimilation *a, const dtb_assimilate_options *opts)
{
    REQUIRE_IDLE(a, "dtb_assimilation_prepare");
    unprepare(a);
    dtb_status st = fill_options(a, opts);
    if (st)
        return st;
    if (!a->data_path)
        return dtb__error(DTB_EINVAL, "data: no recording given (dtb_assimilation_set_data)");
    if (!a->n_est)
        return dtb__error(DTB_EINVAL, "estimate: nothing to estimate "
                                      "(dtb_assimilation_estimate)");
    st = dtb__experiment_with_defaults(a->exp, &a->base);
    for (size_t i = 0; !st && i < sizeof per_run_settings / sizeof per_run_settings[0]; i++)
        st = dtb_experiment_remove(a->base, per_run_settings[i]);
    if (!st)
        st = dtb__experiment_load_inputs(a->base, &a->atlas, &a->model);
    if (!st)
        st = expand_estimates(a);
    if (!st)
        st = dtb__assimilation_check_member(a);
    if (!st)
        st = read_data(a);
    if (!st)
        st = dtb__assimilation_distances(a);
    if (st) {
        unprepare(a);
        return st;
    }
    a->prepared = 1;
    return DTB_OK;
}

dtb_status dtb_assimilation_run(dtb_assimilation *a, const dtb_assimilate_options *opts)
{
    REQUIRE_IDLE(a, "dtb_assimilation_run");
    dtb_status st = dtb_assimilation_prepare(a, opts);
    if (st)
        return st;
    if (a->opts.out_dir) {
        st = dtb__assimilation_prepare_dir(a, a->opts.out_dir);
        if (st)
            return st;
    }
    free(a->times);
    free(a->means);
    free(a->sds);
    free(a->forecast);
    a->times = dtb__calloc(a->n_samples, sizeof *a->times);
    a->means = dtb__calloc(a->n_samples * a->n_par, sizeof *a->means);
    a->sds = dtb__calloc(a->n_samples * a->n_par, sizeof *a->sds);
    a->forecast = dtb__calloc(a->n_samples * a->n_obs, sizeof *a->forecast);
    if (!a->times || !a->means || !a->sds || !a->forecast)
        return DTB_ENOMEM;
    a->n_done = 0;
    a->ran = 1;
    if (a->opts.out_dir && (st = dtb__assimilation_mark_running(a, a->opts.out_dir)))
        return st;
    st = dtb__assimilation_cycle_all(a);
    if (a->n_done) {
        dtb_status kst = dtb__assimilation_skill(a);
        st = st ? st : kst;
    }
    if (a->opts.out_dir) {
        /* the samples done are written also after a failure or a stop */
        dtb__strbuf msg = {0};
        if (st)
            dtb__strbuf_append(&msg, dtb_last_error_message());
        dtb_status wst = dtb__assimilation_write_files(a, a->opts.out_dir, st);
        if (st && msg.data)
            dtb__error(st, "%s", msg.data);
        dtb__strbuf_free(&msg);
        if (!st)
            st = wst;
    }
    return st;
}

void dtb_assimilation_request_stop(dtb_assimilation *a)
{
    if (a)
        a->stop = 1;
}

int64_t dtb_assimilation_parameter_count(const dtb_assimilation *a)
{
    return a && a->prepared ? (int64_t)a->n_par : -1;
}

const char *dtb_assimilation_parameter_name(const dtb_assimilation *a, int64_t index)
{
    if (!a || !a->prepared || index < 0 || (size_t)index >= a->n_par)
        return NULL;
    return a->par_name[index];
}

int64_t dtb_assimilation_observation_count(const dtb_assimilation *a)
{
    return a && a->prepared ? (int64_t)a->n_obs : -1;
}

int64_t dtb_assimilation_sample_count(const dtb_assimilation *a)
{
    return a ? (int64_t)a->n_done : -1;
}

dtb_status dtb_assimilation_times(const dtb_assimilation *a, double *buf, size_t capacity,
                                  size_t *needed_out)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_times: assimilation is NULL");
    return dtb__copy_out("dtb_assimilation_times", a->times, a->n_done, sizeof(double), buf,
                         capacity, needed_out);
}

dtb_status dtb_assimilation_means(const dtb_assimilation *a, double *buf, size_t capacity,
                                  size_t *needed_out)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_means: assimilation is NULL");
    return dtb__copy_out("dtb_assimilation_means", a->means, a->n_done * a->n_par,
                         sizeof(double), buf, capacity, needed_out);
}

dtb_status dtb_assimilation_spreads(const dtb_assimilation *a, double *buf, size_t capacity,
                                    size_t *needed_out)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_spreads: assimilation is NULL");
    return dtb__copy_out("dtb_assimilation_spreads", a->sds, a->n_done * a->n_par,
                         sizeof(double), buf, capacity, needed_out);
}

dtb_status dtb_assimilation_forecast_skill(const dtb_assimilation *a, double *buf,
                                           size_t capacity, size_t *needed_out)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_forecast_skill: assimilation is NULL");
    return dtb__copy_out("dtb_assimilation_forecast_skill", a->skill,
                         a->skill ? a->n_obs + 2 : 0, sizeof(double), buf, capacity, needed_out);
}

dtb_status dtb_assimilation_forecast(const dtb_assimilation *a, double *buf, size_t capacity,
                                     size_t *needed_out)
{
    if (!a)
        return dtb__error(DTB_EINVAL, "dtb_assimilation_forecast: assimilation is NULL");
    return dtb__copy_out("dtb_assimilation_forecast", a->forecast, a->n_done * a->n_obs,
                         sizeof(double), buf, capacity, needed_out);
}
