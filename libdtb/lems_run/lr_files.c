/* libdtb — the files a LEMS Simulation writes (lr_files.h): rows of
 * shortest round-trip numbers separated by spaces, event lines "t id".
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "io/rowfile.h"
#include "lr_files.h"

struct dtb__lr_sink {
    dtb__rowfile f;
    int open;
    size_t first, n;
    int events, id_first;      /* an EventOutputFile: "t id" (or "id t") lines */
    size_t output;
};

char *dtb__lr_output_file_name(const dtb__lr_output *o)
{
    return dtb__asprintf("%s%s", o->name, o->is_display ? ".dat" : "");
}

/* Not an absolute path, and no '..' that would climb out of the folder. */
static int inside_out_dir(const char *name)
{
    if (!*name || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += len;
        if (*p == '/')
            p++;
    }
    return 1;
}

dtb_status dtb__lr_check_output_names(const dtb__lr_sim *sim)
{
    for (size_t i = 0; i < dtb__lr_output_count(sim); i++) {
        const dtb__lr_output *o = dtb__lr_output_at(sim, i);
        if (!inside_out_dir(o->name))
            return dtb__error(DTB_EINVAL, "%s '%s' names a file outside the output folder (an "
                                          "absolute path or '..'); its files are written under "
                                          "the output folder only",
                              o->is_display ? "Display" : o->is_events ? "EventOutputFile"
                                                                       : "OutputFile", o->name);
    }
    return DTB_OK;
}

/* mkdir -p of the folders in `path` before its last '/' (and of path
 * itself when it is a folder to make: whole). */
static dtb_status make_folders(const char *path, int whole)
{
    char *buf = dtb__asprintf("%s%s", path, whole ? "/" : "");
    if (!buf)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    for (char *p = buf + 1; !st && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            st = whole ? dtb__error(DTB_EIO, "cannot create folder '%s': %s", path, strerror(errno))
                       : dtb__error(DTB_EIO, "cannot write '%s': %s", path, strerror(errno));
        *p = '/';
    }
    free(buf);
    return st;
}

/* The first failure's message, kept: the run's own ending may overwrite
 * this thread's error before the caller reads it. */
static void fail(dtb__lr_files *f)
{
    if (!f->failed)
        f->error = dtb__strdup(dtb_last_error_message());
    f->failed = 1;
}

dtb_status dtb__lr_files_open(dtb__lr_files *f, const dtb__lr_sim *sim, const char *out_dir)
{
    memset(f, 0, sizeof *f);
    size_t n = dtb__lr_output_count(sim);
    f->sinks = dtb__calloc(n ? n : 1, sizeof *f->sinks);
    if (!f->sinks)
        return DTB_ENOMEM;
    dtb_status st = out_dir ? make_folders(out_dir, 1) : DTB_OK;
    for (size_t i = 0; !st && i < n; i++) {
        const dtb__lr_output *o = dtb__lr_output_at(sim, i);
        dtb__lr_sink *k = &f->sinks[f->n_sinks];
        char *name = dtb__lr_output_file_name(o);
        char *path = name ? dtb__asprintf("%s%s%s", out_dir ? out_dir : "", out_dir ? "/" : "", name)
                          : NULL;
        k->first = o->first_column;
        k->n = o->n_columns;
        k->events = o->is_events;
        k->id_first = o->id_first;
        k->output = i;
        st = path ? make_folders(path, 0) : DTB_ENOMEM;
        if (!st)
            st = dtb__rowfile_create(&k->f, path, NULL, 0);
        if (!st) {
            k->open = 1;
            f->n_sinks++;
        }
        free(name);
        free(path);
    }
    if (st) {
        dtb__lr_files_close(f);
        return st;
    }
    return DTB_OK;
}

static dtb_status put_line(dtb__lr_sink *k, const char *text)
{
    dtb_status st = dtb__rowfile_put(&k->f, text, strlen(text));
    return st ? st : dtb__rowfile_end_row(&k->f);
}

int dtb__lr_files_row(dtb__lr_files *f, double t, const double *values)
{
    for (size_t s = 0; s < f->n_sinks && !f->failed; s++) {
        dtb__lr_sink *k = &f->sinks[s];
        if (k->events)
            continue;
        dtb_status st;
        char *p = dtb__rowfile_reserve(&k->f, (k->n + 1) * 33 + 1, &st), *start = p;
        if (!p) {
            fail(f);
            break;
        }
        p += dtb__format_double(p, 33, t);
        for (size_t c = 0; c < k->n; c++) {
            *p++ = ' ';
            p += dtb__format_double(p, 33, values[k->first + c]);
        }
        *p++ = '\n';
        dtb__rowfile_advance(&k->f, (size_t)(p - start));
        if (dtb__rowfile_end_row(&k->f))
            fail(f);
    }
    return f->failed;
}

void dtb__lr_files_event(size_t output, const char *id, double t, void *ud)
{
    dtb__lr_files *f = ud;
    char num[40];
    dtb__format_double(num, sizeof num, t);
    for (size_t s = 0; s < f->n_sinks; s++) {
        dtb__lr_sink *k = &f->sinks[s];
        if (!k->events || k->output != output)
            continue;
        char *line = k->id_first ? dtb__asprintf("%s %s\n", id, num) : dtb__asprintf("%s %s\n", num, id);
        if (!line || put_line(k, line))
            fail(f);
        free(line);
    }
}

dtb_status dtb__lr_files_close(dtb__lr_files *f)
{
    for (size_t s = 0; s < f->n_sinks; s++)
        if (f->sinks[s].open && dtb__rowfile_close(&f->sinks[s].f))
            fail(f);
    dtb_status st = f->failed ? dtb__error(DTB_EIO, "%s", f->error ? f->error : "out of memory")
                              : DTB_OK;
    free(f->sinks);
    free(f->error);
    memset(f, 0, sizeof *f);
    return st;
}
