/* libdtb — files written whole or not at all (atomic_file.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _XOPEN_SOURCE 700   /* realpath, lstat */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "base/base.h"
#include "dtb/dtb_version.h"

char *dtb__atomic_target(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        char *real = realpath(path, NULL);
        if (real) {
            char *copy = dtb__strdup(real);   /* freed with free(), like every string here */
            free(real);
            return copy;
        }
    }
    return dtb__strdup(path);
}

int dtb__atomic_direct(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
}

dtb_status dtb__atomic_open(dtb__atomic_file *a, const char *path)
{
    memset(a, 0, sizeof *a);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return dtb__error(DTB_EIO, "%s: is a folder, not a file", path);
    /* a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written to,
     * never replaced: renaming over it would put a file in its place */
    if (dtb__atomic_direct(path)) {
        a->path = dtb__strdup(path);
        if (!a->path)
            return DTB_ENOMEM;
        a->f = fopen(path, "wb");
        if (!a->f) {
            dtb_status st = dtb__error(DTB_EIO, "%s: cannot write: %s", path, strerror(errno));
            dtb__atomic_abort(a);
            return st;
        }
        return DTB_OK;
    }
    /* through a symbolic link: its target is replaced, the link stays */
    a->path = dtb__atomic_target(path);
    const char *slash = a->path ? strrchr(a->path, '/') : NULL;
    /* hidden, beside the real name (a rename never crosses file systems),
     * and named after this process so two writers never share it */
    a->tmp = !a->path ? NULL
             : slash ? dtb__asprintf("%.*s/.%s.%ld.tmp", (int)(slash - a->path), a->path, slash + 1,
                                     (long)getpid())
                     : dtb__asprintf(".%s.%ld.tmp", a->path, (long)getpid());
    if (!a->tmp || !a->path) {
        dtb__atomic_abort(a);
        return DTB_ENOMEM;
    }
    a->f = fopen(a->tmp, "wb");
    if (!a->f) {
        dtb_status st = dtb__error(DTB_EIO, "%s: cannot write: %s", path, strerror(errno));
        dtb__atomic_abort(a);
        return st;
    }
    return DTB_OK;
}

dtb_status dtb__atomic_commit(dtb__atomic_file *a)
{
    dtb_status st = DTB_OK;
    /* (a device or a pipe is flushed, not synced: it has no disk) */
    int bad = ferror(a->f) || fflush(a->f) != 0 || (a->tmp && fsync(fileno(a->f)) != 0);
    int err = errno;
    if (fclose(a->f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    a->f = NULL;
    if (bad)
        st = dtb__error(DTB_EIO, "%s: write error: %s", a->path, strerror(err));
    else if (a->tmp && rename(a->tmp, a->path) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot replace it: %s", a->path, strerror(errno));
    if (st && a->tmp)
        remove(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
    return st;
}

void dtb__atomic_abort(dtb__atomic_file *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        remove(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
}

void dtb__provenance_head(FILE *f, const char *state, dtb_status stopped_by)
{
    char when[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "{\n  \"libdtb\": ");
    dtb__json_string(f, dtb_version_string());
    fprintf(f, ",\n  \"written\": \"%s\",\n  \"state\": \"%s\",\n  \"completed\": %s,\n", when,
            state, strcmp(state, "completed") == 0 ? "true" : "false");
    if (stopped_by) {
        fprintf(f, "  \"stopped_by\": ");
        dtb__json_string(f, dtb_status_string(stopped_by));
        fprintf(f, ",\n");
    }
}

dtb_status dtb__results_mark_running(const char *dir, const char *kind,
                                     const char *const *outputs, size_t n)
{
    char *path = dtb__asprintf("%s/provenance.json", dir);
    if (!path)
        return DTB_ENOMEM;
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, path);
    free(path);
    if (st)
        return st;
    dtb__provenance_head(a.f, "running", DTB_OK);
    fprintf(a.f, "  \"kind\": ");
    dtb__json_string(a.f, kind);
    fprintf(a.f, ",\n  \"pid\": %ld,\n  \"note\": \"the run writing this folder has not ended; if "
                 "no process %ld runs it, it died before it could say what the files hold\",\n"
                 "  \"outputs\": [", (long)getpid(), (long)getpid());
    for (size_t i = 0; i < n; i++) {
        fprintf(a.f, "%s", i ? ", " : "");
        dtb__json_string(a.f, outputs[i]);
    }
    fprintf(a.f, "]\n}\n");
    return dtb__atomic_commit(&a);
}
