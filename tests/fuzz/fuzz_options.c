/* Fuzz harness: the experiment CLI's option strings (dtb run/sweep/fit
 * turn every --name value into dtb_experiment_add(name, value), which
 * checks the value's syntax; what needs the atlas or the model is checked
 * when the experiment is built). The input is up to 32 lines, each
 * "--name value", "--name=value" or "--name" (a flag); each is added as the
 * CLI adds it. If every line was accepted, the experiment is built (never
 * run) on a 4-region atlas into a results folder of this process, then
 * freed: refused values must leave the experiment as it was (the setting
 * count must not change), and building must refuse cleanly or succeed.
 *
 * Sandbox: each input is tried in a folder of its own (made at start, in
 * /dev/shm where there is one, with the 4-region atlas a4/, a model file
 * and a few small data files), and a value holding '/' is skipped, so an
 * input can name only files there (no /dev/stdin to block on, nothing
 * outside to read or write).
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dtb/dtb.h>

#include "fuzz.h"

static char sandbox[128];
static int home = -1;   /* the folder the harness was started in */

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_sandbox(void)
{
    nftw(sandbox, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct stat sb;
    snprintf(sandbox, sizeof sandbox, "%s/dtb-fuzz-options-%ld",
             stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp",
             (long)getpid());
    mkdir(sandbox, 0700);
    home = open(".", O_RDONLY | O_DIRECTORY);
    if (home < 0 || chdir(sandbox) != 0)
        abort();
    atexit(remove_sandbox);
    mkdir("a4", 0700);
    write_file("a4/weights.txt", "0 1 0 0.5\n1 0 1 0\n0 1 0 1\n0.5 0 1 0\n");
    write_file("a4/tract_lengths.txt", "0 10 20 30\n10 0 10 20\n20 10 0 10\n30 20 10 0\n");
    write_file("a4/centres.txt", "r0 0 0 0\nr1 10 0 0\nr2 0 10 0\nr3 0 0 10\n");
    write_file("vec.txt", "0.1 0.2 0.3 0.4\n");
    write_file("wave.txt", "0 0.5 1 0.5 0\n");
    write_file("gain.txt", "1 0 0 0\n0 1 0 0\n");
    write_file("init.txt", "0.1 0.2\n0.1 0.2\n0.1 0.2\n0.1 0.2\n");
    write_file("fc.txt", "1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n");
    write_file("model.xml",
               "<Lems><Dimension name=\"none\"/><ComponentType name=\"decay\">"
               "<Parameter name=\"k\" dimension=\"none\"/><Exposure name=\"x\" dimension=\"none\"/>"
               "<Dynamics><StateVariable name=\"x\" dimension=\"none\" exposure=\"x\"/>"
               "<TimeDerivative variable=\"x\" value=\"-k*x\"/></Dynamics></ComponentType>"
               "<decay id=\"decay\" k=\"1\"/></Lems>\n");
    if (fchdir(home) != 0)   /* inputs' paths (the replay's arguments) stay relative to it */
        abort();
    return 0;
}

/* One "--name value" line: name and value in buf (value NULL: a flag). */
static int split(char *line, const char **name, const char **value)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (!strncmp(line, "--", 2))
        line += 2;
    if (!*line)
        return 0;
    *name = line;
    *value = NULL;
    char *cut = line + strcspn(line, "= ");
    if (*cut) {
        *cut = '\0';
        *value = cut + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text || chdir(sandbox) != 0)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    dtb_experiment *e = NULL;
    if (dtb_experiment_create(&e) != DTB_OK || dtb_experiment_add(e, "atlas", "a4") != DTB_OK ||
        dtb_experiment_add(e, "duration", "10ms") != DTB_OK)
        abort();
    int all = 1, lines = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && lines < 32;
         line = strtok_r(NULL, "\n", &save), lines++) {
        const char *name, *value;
        if (!split(line, &name, &value) || (value && strchr(value, '/')))
            continue;
        int64_t before = dtb_experiment_setting_count(e);
        dtb_status st = dtb_experiment_add(e, name, value);
        if (st == DTB_OK)
            continue;
        all = 0;
        /* a refused setting leaves the experiment as it was, with a message */
        if (dtb_experiment_setting_count(e) != before || !dtb_last_error_message()[0])
            abort();
    }
    if (all) {
        dtb_sim *sim = NULL;
        dtb_status st = dtb_experiment_build(e, "out", &sim);
        if (st == DTB_OK)
            dtb_sim_free(sim);
        else if (sim || !dtb_last_error_message()[0])
            abort();
    }
    dtb_experiment_free(e);
    free(text);
    if (fchdir(home) != 0)
        abort();
    return 0;
}
