/* libdtb — does a resume continue the experiment that saved the checkpoint?
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A checkpoint holds the simulation's numbers, so a resume with other
 * settings would still compute the old experiment, while experiment.xml and
 * provenance.json recorded the new one. So every checkpoint an experiment
 * saves carries a note (sim_checkpoint.c, format 4): the experiment's
 * settings, one a line, with every input file replaced by the SHA-256 of
 * its contents (a moved file is the same input; an edited one is not). A
 * resume makes the same note and refuses any difference, naming it.
 *
 * Not compared: what only says where and how long (out, duration,
 * checkpoint, checkpoint-at, resume, no-limits) and what only reads the
 * results afterwards (plot, plot-regions, empirical-fc).
 *
 * A line is "name TAB canonical value TAB the value as given", the last
 * only for messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "base/sha256.h"
#include "experiment.h"
#include "experiment_build.h"
#include "sim/sim.h"

static int compared(const char *name)
{
    static const char *const skip[] = {"out", "duration", "checkpoint", "checkpoint-at", "resume",
                                       "no-limits", "plot", "plot-regions", "empirical-fc", NULL};
    for (size_t i = 0; skip[i]; i++)
        if (!strcmp(skip[i], name))
            return 0;
    return 1;
}

/* A file's contents: its SHA-256; a folder (a TVB atlas): that of the
 * checksums of the files libdtb reads from it; a missing one: its name. */
static char *content_id(const char *path, void *ctx)
{
    (void)ctx;
    struct stat sb;
    char hex[65];
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        static const char *const parts[] = {"weights.txt", "tract_lengths.txt", "centres.txt",
                                            "region_labels.txt", "labels.txt", "hemispheres.txt"};
        dtb__sha256 s;
        dtb__sha256_init(&s);
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char *p = dtb__asprintf("%s/%s", path, parts[i]);
            if (p && dtb__sha256_file(p, hex) == DTB_OK)
                dtb__sha256_update(&s, hex, 64);
            dtb_clear_error();
            free(p);
        }
        dtb__sha256_hex(&s, hex);
        return dtb__asprintf("{folder sha256 %.16s}", hex);
    }
    if (dtb__sha256_file(path, hex) != DTB_OK) {
        dtb_clear_error();
        return dtb__asprintf("{missing %s}", path);
    }
    return dtb__asprintf("{sha256 %.16s}", hex);
}

/* Tabs and line ends cannot appear inside a field of the note. */
static void flatten(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r')
            *s = ' ';
}

dtb_status dtb__experiment_resume_note(const dtb_experiment *full, char **note)
{
    *note = NULL;
    dtb__strbuf b = {0};
    for (size_t i = 0; i < full->n; i++) {
        const dtb__setting_info *info = dtb__setting_find(full->names[i]);
        if (!info || !compared(info->name))
            continue;
        const char *value = full->values[i] ? full->values[i] : "";
        char *canon = dtb__experiment_map_paths(info, value, content_id, NULL);
        char *shown = dtb__strdup(value);
        if (!canon || !shown) {
            free(canon);
            free(shown);
            dtb__strbuf_free(&b);
            return DTB_ENOMEM;
        }
        flatten(canon);
        flatten(shown);
        dtb__strbuf_printf(&b, "%s\t%s\t%s\n", info->name, canon, shown);
        free(canon);
        free(shown);
    }
    if (b.failed) {
        dtb__strbuf_free(&b);
        return DTB_ENOMEM;
    }
    *note = b.data ? b.data : dtb__strdup("");
    return *note ? DTB_OK : DTB_ENOMEM;
}

/* --- comparing two notes --- */

typedef struct line {
    const char *name, *canon, *shown;
    size_t name_len, canon_len, shown_len;
} line;

static size_t split(const char *note, line **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (const char *p = note; p && *p;) {
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        const char *t1 = memchr(p, '\t', (size_t)(end - p));
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
        if (t2) {
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                line *grown = realloc(*out, cap * sizeof *grown);
                if (!grown)
                    return n;
                *out = grown;
            }
            (*out)[n++] = (line){p, t1 + 1, t2 + 1, (size_t)(t1 - p), (size_t)(t2 - t1 - 1),
                                 (size_t)(end - t2 - 1)};
        }
        p = *end ? end + 1 : end;
    }
    return n;
}

static int is_name(const line *l, const char *name, size_t len)
{
    return l->name_len == len && !memcmp(l->name, name, len);
}

/* The values of one setting, as given, joined for a message. */
static void values_of(dtb__strbuf *b, const line *l, size_t n, const char *name, size_t len)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (is_name(&l[i], name, len)) {
            dtb__strbuf_printf(b, "%s'%.*s'", any ? ", " : "", (int)l[i].shown_len, l[i].shown);
            if (l[i].canon_len != l[i].shown_len || memcmp(l[i].canon, l[i].shown, l[i].canon_len))
                dtb__strbuf_printf(b, " %.*s", (int)l[i].canon_len, l[i].canon);
            any = 1;
        }
    if (!any)
        dtb__strbuf_append(b, "none");
}

static int same_values(const line *a, size_t na, const line *b, size_t nb, const char *name,
                       size_t len)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && !is_name(&a[i], name, len))
            i++;
        while (j < nb && !is_name(&b[j], name, len))
            j++;
        if (i == na || j == nb)
            return i == na && j == nb;
        if (a[i].canon_len != b[j].canon_len || memcmp(a[i].canon, b[j].canon, a[i].canon_len))
            return 0;
        i++;
        j++;
    }
}

/* Each setting named once, in the order of first appearance. */
static void describe(dtb__strbuf *msg, const line *ck, size_t nc, const line *here, size_t nh,
                     const line *l, int *count)
{
    for (const line *p = ck; p < l && p < ck + nc; p++)
        if (is_name(p, l->name, l->name_len))
            return;
    for (const line *p = here; p < l && p < here + nh; p++)
        if (is_name(p, l->name, l->name_len))
            return;
    if (same_values(ck, nc, here, nh, l->name, l->name_len))
        return;
    if (++*count > 8)
        return;
    dtb__strbuf_printf(msg, "%s%.*s: ", *count > 1 ? "; " : "", (int)l->name_len, l->name);
    values_of(msg, ck, nc, l->name, l->name_len);
    dtb__strbuf_append(msg, " there, ");
    values_of(msg, here, nh, l->name, l->name_len);
    dtb__strbuf_append(msg, " here");
}

dtb_status dtb__experiment_check_resume(const char *note_here, const char *path)
{
    char *note_ck = NULL;
    dtb_status st = dtb__checkpoint_note(path, &note_ck);
    if (st)
        return st;
    if (!note_ck)
        return dtb__error(DTB_EINVAL, "%s: the checkpoint does not record the settings of the run "
                                      "that saved it (it was made through the API, or in format "
                                      "3), so a resume cannot be checked against them; load it "
                                      "with dtb_sim_load_checkpoint", path);
    line *ck, *here;
    size_t nc = split(note_ck, &ck), nh = split(note_here, &here);
    dtb__strbuf msg = {0};
    int count = 0;
    for (size_t i = 0; i < nc; i++)
        describe(&msg, ck, nc, here, nh, &ck[i], &count);
    for (size_t i = 0; i < nh; i++)
        describe(&msg, ck, nc, here, nh, &here[i], &count);
    if (count)
        st = dtb__error(DTB_EINVAL, "%s was saved by another experiment: %s%s. A resume continues "
                                    "the run that saved the checkpoint: give its settings (its "
                                    "folder's experiment.xml) and only another duration, out or "
                                    "checkpoint", path, msg.data ? msg.data : "",
                        count > 8 ? "; and more" : "");
    dtb__strbuf_free(&msg);
    free(ck);
    free(here);
    free(note_ck);
    return st;
}

/* --- branches --- */

/* What a branch must share with the run it branches from, as settings: the
 * atlas (its files by content) and the model. The simulation checks the
 * rest (regions, state layout, dt, integrator, delays: sim_branch.c). What
 * may differ: parameters, coupling, noise, seed, stimuli, lesions,
 * observers, duration, output. */
static const char *const branch_kept[] = {"atlas", "atlas-weights", "atlas-lengths", "atlas-centres",
                                          "atlas-labels", "model", "model-name", NULL};

/* The canonical values of one setting, joined; an atlas not given is the
 * default one (experiment_build.c), so naming it changes nothing. */
static char *joined(const line *l, size_t n, const char *name, int shown)
{
    dtb__strbuf b = {0};
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (is_name(&l[i], name, len))
            dtb__strbuf_printf(&b, "%s%.*s", b.data ? ", " : "",
                               (int)(shown ? l[i].shown_len : l[i].canon_len),
                               shown ? l[i].shown : l[i].canon);
    if (!b.data && !strcmp(name, "atlas"))
        dtb__strbuf_append(&b, "bn246-opendtb");
    return b.data ? b.data : dtb__strdup("");
}

dtb_status dtb__experiment_check_branch(const char *note_here, const char *path)
{
    char *note_ck = NULL;
    dtb_status st = dtb__checkpoint_note(path, &note_ck);
    if (st || !note_ck)
        return st;
    line *ck, *here;
    size_t nc = split(note_ck, &ck), nh = split(note_here, &here);
    dtb__strbuf msg = {0};
    for (size_t k = 0; branch_kept[k]; k++) {
        char *a = joined(ck, nc, branch_kept[k], 0), *b = joined(here, nh, branch_kept[k], 0);
        if (a && b && strcmp(a, b)) {
            char *as = joined(ck, nc, branch_kept[k], 1), *bs = joined(here, nh, branch_kept[k], 1);
            dtb__strbuf_printf(&msg, "%s%s: '%s' there, '%s' here", msg.data ? "; " : "",
                               branch_kept[k], as && *as ? as : "none", bs && *bs ? bs : "none");
            if (as && bs && !strcmp(as, bs))
                dtb__strbuf_append(&msg, " (the files' contents differ)");
            free(as);
            free(bs);
        }
        free(a);
        free(b);
    }
    if (msg.data)
        st = dtb__error(DTB_EINVAL, "%s was saved by a run on another atlas or model: %s. A branch "
                                    "keeps the atlas and the model of the run it branches from; it "
                                    "may change parameters, coupling, noise, stimuli, lesions, "
                                    "observers and duration", path, msg.data);
    dtb__strbuf_free(&msg);
    free(ck);
    free(here);
    free(note_ck);
    return st;
}
