/* libdtb — what an experiment may ask of the machine, and where it may
 * write: checked before its output folder is touched, so that a refused
 * run destroys nothing (experiment_build.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Limits (dtb(1), "Limits"; the setting no-limits lifts the first two):
 *   - at most DTB__MAX_STEPS steps in one run: 10^10 steps take hours even
 *     for the smallest network, and a mistyped duration (1e11s) would start
 *     a run that cannot end;
 *   - the output files must fit in the free space of the output folder's
 *     file system (as estimated from each observer's rate and columns);
 *   - a run of more steps than a double counts exactly (9e15) is refused
 *     always.
 * Write targets: the output files, the checkpoint and the experiment file
 * asked for (--save-experiment) may not be one another nor any input file
 * (a checkpoint may replace the one the run resumes from); the checkpoint's
 * and the experiment file's folders must exist and be writable. */
#define _XOPEN_SOURCE 700   /* realpath */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/base.h"
#include "experiment.h"
#include "experiment_build.h"
#include "observe/observer.h"

#define DTB__MAX_STEPS 1e10

/* --- limits --- */

/* The free bytes of the file system that holds path (or its nearest
 * existing parent); -1 when unknown. */
static double free_bytes(const char *path)
{
    char *p = dtb__strdup(path);
    double bytes = -1;
    while (p) {
        struct statvfs v;
        if (statvfs(p, &v) == 0) {
            bytes = (double)v.f_bavail * (double)v.f_frsize;
            break;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            if (statvfs(slash == p ? "/" : ".", &v) == 0)
                bytes = (double)v.f_bavail * (double)v.f_frsize;
            break;
        }
        *slash = '\0';
    }
    free(p);
    return bytes;
}

static void human_bytes(char *buf, size_t size, double b)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024 && u < 6) {
        b /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

dtb_status dtb__experiment_check_limits(const dtb_experiment *exp, const dtb__built *b,
                                        double t_start)
{
    const double dt = dtb_sim_dt(b->sim);
    const double steps = rint((b->duration - t_start) / dt);
    if (!(steps <= 9e15))
        return dtb__error(DTB_EINVAL, "duration: %g s is %.3g steps of %g s, more than a run can "
                                      "count", b->duration, steps, dt);
    if (dtb_experiment_get(exp, "no-limits"))
        return DTB_OK;
    if (steps > DTB__MAX_STEPS)
        return dtb__error(DTB_EINVAL, "duration: %g s is %.3g steps of %g s; runs of more than "
                                      "%.0e steps are refused as mistakes (they take days); "
                                      "the setting no-limits runs it anyway",
                          b->duration, steps, dt, DTB__MAX_STEPS);
    if (b->no_outputs || !b->out_dir)
        return DTB_OK;
    double need = 0;
    for (size_t i = 0; i < b->n_outputs; i++)
        need += dtb__observer_bytes_estimate(b->outputs[i].obs, (int64_t)steps);
    double have = free_bytes(b->out_dir);
    if (have >= 0 && need > have) {
        char n[32], h[32];
        human_bytes(n, sizeof n, need);
        human_bytes(h, sizeof h, have);
        return dtb__error(DTB_EINVAL, "out: the outputs of this run would take about %s, and "
                                           "the file system of %s has %s free; record less (a "
                                           "longer period, fewer variables) or elsewhere, or "
                                           "the setting no-limits runs it anyway",
                          n, b->out_dir, h);
    }
    return DTB_OK;
}

/* --- write targets --- */

/* Where a path leads, to compare two of them: the real path of the file,
 * or of its folder and its name when it does not exist yet; NULL when its
 * folder does not exist either. */
static char *location(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? dtb__strndup(path, (size_t)(slash - path)) : dtb__strdup(".");
    const char *base = slash ? slash + 1 : path;
    char *out = NULL;
    if (dir && (real = realpath(*dir ? dir : "/", NULL)))
        out = dtb__asprintf("%s/%s", strcmp(real, "/") ? real : "", base);
    free(real);
    free(dir);
    return out;
}

typedef struct paths {
    char **loc;       /* locations (NULL: unknown) */
    const char **shown;
    char **owned;     /* the shown texts this list made */
    size_t n, cap;
    int failed;
} paths;

static void add(paths *p, const char *shown)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        char **l = realloc(p->loc, cap * sizeof *l);
        if (l)
            p->loc = l;
        const char **s = realloc(p->shown, cap * sizeof *s);
        if (s)
            p->shown = s;
        char **o = realloc(p->owned, cap * sizeof *o);
        if (o)
            p->owned = o;
        if (!l || !s || !o) {
            p->failed = 1;
            return;
        }
        p->cap = cap;
    }
    char *copy = dtb__strdup(shown);
    if (!copy) {
        p->failed = 1;
        return;
    }
    p->owned[p->n] = copy;
    p->shown[p->n] = copy;
    p->loc[p->n++] = location(shown);
}

static void paths_free(paths *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->loc[i]);
        free(p->owned[i]);
    }
    free(p->loc);
    free(p->shown);
    free(p->owned);
    memset(p, 0, sizeof *p);
}

/* Every file an experiment reads (a folder counts with its files). */
static char *collect_input(const char *path, void *ctx)
{
    paths *p = ctx;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        static const char *const parts[] = {"weights.txt", "tract_lengths.txt", "centres.txt",
                                            "region_labels.txt", "labels.txt", "hemispheres.txt"};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char *f = dtb__asprintf("%s/%s", path, parts[i]);
            if (f && stat(f, &sb) == 0)
                add(p, f);
            free(f);
        }
    } else {
        add(p, path);
    }
    return dtb__strdup(path);
}

static dtb_status inputs_of(const dtb_experiment *exp, paths *in)
{
    for (size_t i = 0; i < exp->n; i++) {
        const dtb__setting_info *info = dtb__setting_find(exp->names[i]);
        if (!info || !info->paths || !strcmp(info->name, "checkpoint"))
            continue;
        char *same = dtb__experiment_map_paths(info, exp->values[i], collect_input, in);
        if (!same)
            return DTB_ENOMEM;
        free(same);
    }
    return in->failed ? DTB_ENOMEM : DTB_OK;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* A file the run is to write outside its output folder: its folder must
 * be there and writable, and it must not be a folder. */
static dtb_status check_writable(const char *setting, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return dtb__error(DTB_EINVAL, "%s: %s is a folder; give a file name", setting, path);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? dtb__strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : dtb__strdup(".");
    if (!dir)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = dtb__error(DTB_EINVAL, "%s: the folder %s of %s does not exist (make it first: the "
                                    "run would fail only at its end)", setting, dir, path);
    else if (access(dir, W_OK) != 0)
        st = dtb__error(DTB_EINVAL, "%s: cannot write into the folder %s: %s", setting, dir,
                        strerror(errno));
    free(dir);
    return st;
}

dtb_status dtb__experiment_check_targets(const dtb_experiment *exp, const dtb__built *b,
                                         const char *extra_setting, const char *extra_path)
{
    paths in = {0}, out = {0};
    struct stat sb;
    if (!b->no_outputs && stat(b->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return dtb__error(DTB_EINVAL, "out: %s is a file, not a folder", b->out_dir);
    dtb_status st = inputs_of(exp, &in);
    const char *resume = dtb_experiment_get(exp, "resume");
    /* the run's own files in its folder */
    static const char *const records[] = {"provenance.json", "experiment.xml",
                                          "spikes_spiking.csv"};
    for (size_t i = 0; !st && !b->no_outputs && i < b->n_outputs; i++)
        add(&out, b->outputs[i].path);
    for (size_t i = 0; !st && !b->no_outputs && i < sizeof records / sizeof *records; i++) {
        char *p = dtb__asprintf("%s/%s", b->out_dir, records[i]);
        if (p)
            add(&out, p);
        free(p);
    }
    if (!st && (in.failed || out.failed))
        st = DTB_ENOMEM;
    /* no output may overwrite an input */
    for (size_t i = 0; !st && i < out.n; i++)
        for (size_t j = 0; !st && j < in.n; j++)
            if (same(out.loc[i], in.loc[j]))
                st = dtb__error(DTB_EINVAL, "out: the run would write %s, which is one of its "
                                            "inputs (%s); choose another output folder",
                                out.shown[i], in.shown[j]);
    /* nor the checkpoint or the experiment file an input or an output */
    const char *setting[2] = {"checkpoint", extra_setting};
    const char *target[2] = {b->checkpoint_path, extra_path};
    char *loc[2] = {NULL, NULL};
    char *resume_loc = resume ? location(resume) : NULL;
    for (int k = 0; !st && k < 2; k++) {
        if (!target[k])
            continue;
        if ((st = check_writable(setting[k], target[k])))
            break;
        loc[k] = location(target[k]);
        for (size_t j = 0; !st && j < in.n; j++)
            if (same(loc[k], in.loc[j]) &&
                !(k == 0 && same(loc[k], resume_loc)))
                st = dtb__error(DTB_EINVAL, "%s: %s is one of the run's inputs (%s); it would be "
                                            "overwritten", setting[k], target[k], in.shown[j]);
        for (size_t j = 0; !st && j < out.n; j++)
            if (same(loc[k], out.loc[j]))
                st = dtb__error(DTB_EINVAL, "%s: %s is one of the run's own output files; choose "
                                            "another name", setting[k], target[k]);
    }
    if (!st && loc[0] && same(loc[0], loc[1]))
        st = dtb__error(DTB_EINVAL, "%s and checkpoint are the same file (%s)", extra_setting,
                        extra_path);
    free(loc[0]);
    free(loc[1]);
    free(resume_loc);
    paths_free(&in);
    paths_free(&out);
    return st;
}

dtb_status dtb__experiment_check_write(const dtb_experiment *exp, const char *setting,
                                       const char *path, const char *const *others, size_t n)
{
    dtb_status st = check_writable(setting, path);
    if (st)
        return st;
    paths in = {0};
    if (exp)
        st = inputs_of(exp, &in);
    for (size_t i = 0; !st && i < n; i++) {
        char *same_text = others[i] ? collect_input(others[i], &in) : NULL;
        free(same_text);
    }
    if (!st && in.failed)
        st = DTB_ENOMEM;
    char *loc = st ? NULL : location(path);
    for (size_t j = 0; !st && j < in.n; j++)
        if (same(loc, in.loc[j]))
            st = dtb__error(DTB_EINVAL, "%s: %s is one of the inputs or outputs of this run "
                                        "(%s); it would be overwritten", setting, path,
                            in.shown[j]);
    free(loc);
    paths_free(&in);
    return st;
}
