/* dtb — result files written whole or not at all (cli.h): into
 * DIR/.NAME.tmp, flushed and synced, then renamed over DIR/NAME, so a
 * reader never sees half a file and an interrupted run leaves none.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int out_file_open(out_file *o, const char *cmd, const char *dir, const char *name)
{
    o->cmd = cmd;
    o->path = cli_format("%s/%s", dir, name);
    o->tmp = cli_format("%s/.%s.tmp", dir, name);
    o->f = o->tmp && o->path ? fopen(o->tmp, "w") : NULL;
    if (!o->f) {
        cli_error("%s: cannot write %s: %s", cmd, o->tmp ? o->tmp : name, strerror(errno));
        free(o->path);
        free(o->tmp);
        return EXIT_RUNTIME;
    }
    return 0;
}

int out_file_close(out_file *o)
{
    int bad = ferror(o->f) | fflush(o->f) | fsync(fileno(o->f));
    bad |= fclose(o->f);
    if (!bad)
        bad = rename(o->tmp, o->path);
    if (bad) {
        cli_error("%s: cannot write %s: %s", o->cmd, o->path, strerror(errno));
        unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    return bad ? EXIT_RUNTIME : 0;
}

int out_dir_make(const char *cmd, const char *dir)
{
    if (mkdir(dir, 0777) && errno != EEXIST)
        return cli_usage_error("%s: cannot create %s: %s", cmd, dir, strerror(errno));
    return 0;
}
