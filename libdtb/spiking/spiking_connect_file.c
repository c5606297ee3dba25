/* libdtb — projections read from files: CSV (pre, post[, weight][, delay])
 * here, NeuroML2 <projection> in spiking_neuroml.c. Both fill a synapse
 * table that dtb_spiking_connect_list then checks and stores.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/text_file.h"
#include "spiking.h"

dtb_status dtb__syn_table_push(dtb__syn_table *t, int64_t pre, int64_t post, double weight,
                               double delay)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        int64_t *a = dtb__realloc_array(t->pre, cap, sizeof *a);
        if (!a)
            return DTB_ENOMEM;
        t->pre = a;
        int64_t *b = dtb__realloc_array(t->post, cap, sizeof *b);
        if (!b)
            return DTB_ENOMEM;
        t->post = b;
        double *w = dtb__realloc_array(t->weight, cap, sizeof *w);
        if (!w)
            return DTB_ENOMEM;
        t->weight = w;
        double *d = dtb__realloc_array(t->delay, cap, sizeof *d);
        if (!d)
            return DTB_ENOMEM;
        t->delay = d;
        t->cap = cap;
    }
    t->pre[t->n] = pre;
    t->post[t->n] = post;
    t->weight[t->n] = weight;
    t->delay[t->n] = delay;
    t->n++;
    return DTB_OK;
}

void dtb__syn_table_free(dtb__syn_table *t)
{
    free(t->pre);
    free(t->post);
    free(t->weight);
    free(t->delay);
    memset(t, 0, sizeof *t);
}

static int field_is(const dtb__field *f, const char *name)
{
    return f->len == strlen(name) && strncmp(f->start, name, f->len) == 0;
}

static dtb_status read_csv(const char *path, double default_weight, dtb__syn_table *t)
{
    const char *fn = "dtb_spiking_connect_file";
    dtb__text_file f;
    dtb_status st = dtb__text_file_read(path, &f);
    if (st)
        return st;
    dtb__line_cursor c = {0};
    dtb__text_line line;
    int col[4] = {-1, -1, -1, -1};   /* pre, post, weight, delay */
    if (!dtb__text_next_line(&f, &c, &line)) {
        st = dtb__error(DTB_EPARSE, "%s: %s is empty (a header pre,post[,weight][,delay] is needed)",
                        fn, path);
    } else {
        char delim = dtb__text_detect_delimiter(&line);
        dtb__field_cursor fc;
        dtb__field fld;
        dtb__fields_begin(&fc, &line, delim);
        static const char *const names[4] = {"pre", "post", "weight", "delay"};
        for (int k = 0; dtb__fields_next(&fc, &line, &fld); k++)
            for (int q = 0; q < 4; q++)
                if (field_is(&fld, names[q]))
                    col[q] = k;
        if (col[0] < 0 || col[1] < 0)
            st = dtb__error(DTB_EPARSE, "%s: %s:%zu: the header must name the columns pre and post "
                                        "(and optionally weight, delay)", fn, path, line.number);
        while (!st && dtb__text_next_line(&f, &c, &line)) {
            double v[4] = {NAN, NAN, default_weight, 0.0};
            dtb__fields_begin(&fc, &line, delim);
            for (int k = 0; !st && dtb__fields_next(&fc, &line, &fld); k++)
                for (int q = 0; q < 4; q++)
                    if (col[q] == k && !dtb__field_to_double(&fld, &v[q]))
                        st = dtb__error(DTB_EPARSE, "%s: %s:%zu, column %zu: '%.*s' is not a number",
                                        fn, path, line.number, fld.column, (int)fld.len, fld.start);
            if (!st && (!(v[0] == floor(v[0])) || !(v[1] == floor(v[1]))))
                st = dtb__error(DTB_EPARSE, "%s: %s:%zu: pre and post must be whole cell numbers", fn,
                                path, line.number);
            if (!st)
                st = dtb__syn_table_push(t, (int64_t)v[0], (int64_t)v[1], v[2], v[3]);
        }
    }
    dtb__text_file_free(&f);
    return st;
}

dtb_status dtb_spiking_connect_file(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                                    const char *path, const char *projection, double default_weight)
{
    const char *fn = "dtb_spiking_connect_file";
    if (!path)
        return dtb__error(DTB_EINVAL, "%s: path is NULL", fn);
    if (!isfinite(default_weight))
        return dtb__error(DTB_EINVAL, "%s: default_weight is not finite", fn);
    /* the network must take a projection before the file is worth reading */
    dtb_status st = dtb__spk_pop_check(net, pre, fn);
    if (!st)
        st = dtb__spk_receptor_check(net, post, receptor, fn);
    if (!st)
        st = dtb__spk_buildable(net, fn);
    if (st)
        return st;
    dtb__syn_table t = {0};
    if (dtb__has_suffix(path, ".xml") || dtb__has_suffix(path, ".nml"))
        st = dtb__spk_read_neuroml_projection(path, projection, default_weight, &t);
    else if (projection)
        st = dtb__error(DTB_EINVAL, "%s: %s: a projection name is for NeuroML files; a CSV file "
                                    "holds one projection", fn, path);
    else
        st = read_csv(path, default_weight, &t);
    if (!st)
        st = dtb_spiking_connect_list(net, pre, post, receptor, t.pre, t.post, t.weight, t.delay, t.n);
    if (st)
        st = dtb__error_context(st, "%s: %s", fn, path);
    dtb__syn_table_free(&t);
    return st;
}
