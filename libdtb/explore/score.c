/* libdtb — scores of a run: what --score KIND[=ARG][:options] means.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each score reads one observer, written in dtb run's --observe
 * vocabulary, so that a score is exactly what the same observer gives in
 * a dtb run of the point:
 *   fc, fc-rmse     fc:of=SIGNAL (default of=bold)
 *   fcd-ks          fcd:of=SIGNAL (default of=bold)
 *   psd-peak        psd:of=SIGNAL (default of=tavg)
 *   metastability   SIGNAL itself (default bold), every sample kept
 *   mean-rate, max-rate, stable
 *                   SIGNAL itself (default tavg), summed as it comes
 * The options after KIND[=ARG] are the observer's (of=, tr=, vars=,
 * window=, step=, segment=, skip=, ...), plus band=LO-HI (Hz) for
 * metastability. Unless vars= is given a score reads the model's first
 * variable of interest (filled in when the problem is prepared). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/values.h"
#include "explore.h"
#include "observe/observe_spec.h"

typedef struct kind_info {
    const char *name;
    dtb__score_kind kind;
    int direction;            /* +1 larger is better, -1 smaller is, 0 neither */
    const char *matrix;       /* the matrix observer it reads, or NULL: the signal itself */
    const char *default_of;   /* the default signal */
    const char *arg;          /* what ARG is (for messages), NULL: no ARG */
} kind_info;

static const kind_info kinds[] = {
    {"fc", DTB__SCORE_FC, +1, "fc", "bold", "an empirical FC file"},
    {"fc-rmse", DTB__SCORE_FC_RMSE, -1, "fc", "bold", "an empirical FC file"},
    {"fcd-ks", DTB__SCORE_FCD_KS, -1, "fcd", "bold", "an empirical BOLD file"},
    {"psd-peak", DTB__SCORE_PSD_PEAK, 0, "psd", "tavg", NULL},
    {"metastability", DTB__SCORE_METASTABILITY, +1, NULL, "bold", NULL},
    {"mean-rate", DTB__SCORE_MEAN_RATE, 0, NULL, "tavg", "a variable"},
    {"max-rate", DTB__SCORE_MAX_RATE, 0, NULL, "tavg", "a variable"},
    {"stable", DTB__SCORE_STABLE, +1, NULL, "tavg", "a factor"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const kind_info *info_of(dtb__score_kind k)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == k)
            return &kinds[i];
    return NULL;
}

const char *dtb__score_kind_name(dtb__score_kind kind)
{
    const kind_info *k = info_of(kind);
    return k ? k->name : "?";
}

int dtb__score_direction(dtb__score_kind kind)
{
    const kind_info *k = info_of(kind);
    return k ? k->direction : 0;
}

void dtb__score_free(dtb__score *s)
{
    free(s->name);
    free(s->spec);
    free(s->arg);
    free(s->observer);
    free(s->emp);
    memset(s, 0, sizeof *s);
}

/* band=LO-HI in Hz */
static dtb_status parse_band(const char *spec, const char *v, size_t len, double *lo, double *hi)
{
    char buf[64];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, v, len);
    buf[len] = '\0';
    char *dash = strchr(buf + 1, '-');
    if (dash) {
        *dash = '\0';
        if (dtb__value_frequency(buf, lo) && dtb__value_frequency(dash + 1, hi) && *lo > 0 &&
            *hi > *lo)
            return DTB_OK;
    }
    return dtb__error(DTB_EINVAL, "score %s: band '%s' is not LO-HI in Hz with 0 < LO < HI (e.g. "
                                  "band=0.01-0.1)", spec, buf);
}

/* The observer spec of a score: its matrix kind (or its signal), the
 * default source when the options name none, then the options. */
static char *observer_spec(const kind_info *k, const char *opts, const char *vars_arg)
{
    const char *of = strstr(opts, ":of=");
    dtb__strbuf b = {0};
    if (k->matrix) {
        dtb__strbuf_append(&b, k->matrix);
        if (!of)
            dtb__strbuf_printf(&b, ":of=%s", k->default_of);
        dtb__strbuf_append(&b, opts);
    } else {
        /* the signal itself: of=X names its kind, the other options are its own */
        if (of) {
            size_t n = strcspn(of + 4, ":");
            dtb__strbuf_appendn(&b, of + 4, n);
            dtb__strbuf_appendn(&b, opts, (size_t)(of - opts));
            dtb__strbuf_append(&b, of + 4 + n);
        } else {
            dtb__strbuf_append(&b, k->default_of);
            dtb__strbuf_append(&b, opts);
        }
    }
    if (vars_arg)
        dtb__strbuf_printf(&b, ":vars=%s", vars_arg);
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
}

dtb_status dtb__score_parse(const char *text, dtb__score *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return dtb__error(DTB_EINVAL, "score: empty (KIND[=ARG][:options]; KIND fc, fc-rmse, fcd-ks, "
                                      "psd-peak, metastability, mean-rate, max-rate, stable)");
    size_t klen = strcspn(text, "=:");
    const kind_info *k = NULL;
    for (size_t i = 0; i < N_KINDS; i++)
        if (strlen(kinds[i].name) == klen && strncmp(kinds[i].name, text, klen) == 0)
            k = &kinds[i];
    if (!k)
        return dtb__error(DTB_EINVAL, "score: unknown kind '%.*s' in '%s' (fc, fc-rmse, fcd-ks, "
                                      "psd-peak, metastability, mean-rate, max-rate, stable)",
                          (int)klen, text, text);
    out->kind = k->kind;
    out->factor = 2.0;
    const char *p = text + klen;
    dtb_status st = DTB_OK;
    if (*p == '=') {
        size_t alen = strcspn(p + 1, ":");
        if (!k->arg)
            return dtb__error(DTB_EINVAL, "score %s: %s takes no value after '='", text, k->name);
        if (!alen)
            return dtb__error(DTB_EINVAL, "score %s: nothing after '=' (%s)", text, k->arg);
        out->arg = dtb__strndup(p + 1, alen);
        if (!out->arg)
            return DTB_ENOMEM;
        p += 1 + alen;
        if (k->kind == DTB__SCORE_STABLE &&
            (!dtb__value_number(out->arg, &out->factor) || !(out->factor > 1))) {
            st = dtb__error(DTB_EINVAL, "score %s: the factor '%s' is not a number > 1", text,
                            out->arg);
        }
    }
    /* the options: band= is the score's, the rest the observer's */
    dtb__strbuf opts = {0};
    while (!st && *p == ':') {
        p++;
        size_t len = strcspn(p, ":");
        if (!strncmp(p, "of=", 3)) {
            /* the source and its own options run to the end: keep them whole */
            dtb__strbuf_append(&opts, ":");
            dtb__strbuf_append(&opts, p);
            break;
        }
        if (!strncmp(p, "band=", 5)) {
            if (k->kind != DTB__SCORE_METASTABILITY)
                st = dtb__error(DTB_EINVAL, "score %s: band= applies to metastability only", text);
            else
                st = parse_band(text, p + 5, len - 5, &out->band_lo, &out->band_hi);
        } else {
            dtb__strbuf_append(&opts, ":");
            dtb__strbuf_appendn(&opts, p, len);
        }
        p += len;
    }
    if (!st && opts.failed)
        st = DTB_ENOMEM;
    const int rate = k->kind == DTB__SCORE_MEAN_RATE || k->kind == DTB__SCORE_MAX_RATE;
    if (!st) {
        out->observer = observer_spec(k, opts.data ? opts.data : "", rate ? out->arg : NULL);
        out->name = dtb__strdup(k->name);
        out->spec = dtb__strdup(text);
        if (!out->observer || !out->name || !out->spec)
            st = DTB_ENOMEM;
    }
    dtb__strbuf_free(&opts);
    /* the observer spec must parse as dtb run's --observe would */
    dtb__observe_spec spec;
    if (!st && (st = dtb__observe_spec_parse(out->observer, &spec)))
        st = dtb__error_context(st, "score %s", text);
    else if (!st) {
        dtb_observer_kind sig = spec.kind;
        if (k->matrix && spec.kind != (!strcmp(k->matrix, "fc")    ? DTB_OBSERVER_FC
                                       : !strcmp(k->matrix, "fcd") ? DTB_OBSERVER_FCD
                                                                   : DTB_OBSERVER_PSD))
            st = dtb__error(DTB_EINVAL, "score %s: not a %s observer", text, k->matrix);
        if (!k->matrix && (sig == DTB_OBSERVER_FC || sig == DTB_OBSERVER_FCD ||
                           sig == DTB_OBSERVER_PSD || sig == DTB_OBSERVER_SPIKES))
            st = dtb__error(DTB_EINVAL, "score %s: of=%s is not a signal (raw, subsample, tavg, "
                                        "bold, eeg, rate)", text, spec.name);
        dtb__observe_spec_free(&spec);
    }
    if (st)
        dtb__score_free(out);
    return st;
}
