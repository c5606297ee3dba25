/* libdtb — projections read from a CSV file (pre, post[, weight][, delay]).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/text_file.h"
#include "spiking.h"

static int field_is(const dtb__field *f, const char *name)
{
    return f->len == strlen(name) && strncmp(f->start, name, f->len) == 0;
}

dtb_status dtb_spiking_connect_file(dtb_spiking_net *net, int64_t pre, int64_t post, int64_t receptor,
                                    const char *path, const char *projection, double default_weight)
{
    const char *fn = "dtb_spiking_connect_file";
    if (!path)
        return dtb__error(DTB_EINVAL, "%s: path is NULL", fn);
    if (!isfinite(default_weight))
        return dtb__error(DTB_EINVAL, "%s: default_weight is not finite", fn);
    if (dtb__has_suffix(path, ".xml") || dtb__has_suffix(path, ".nml"))
        return dtb__error(DTB_EUNSUPPORTED, "%s: %s: NeuroML <projection> files are not read yet; "
                                            "give a CSV file (pre,post,weight,delay)", fn, path);
    (void)projection;
    dtb__text_file f;
    dtb_status st = dtb__text_file_read(path, &f);
    if (st)
        return st;
    dtb__line_cursor c = {0};
    dtb__text_line line;
    int col[4] = {-1, -1, -1, -1};   /* pre, post, weight, delay */
    size_t n = 0, cap = 0;
    int64_t *a = NULL, *b = NULL;
    double *w = NULL, *d = NULL;
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
            if (!st && n == cap) {
                cap = cap ? 2 * cap : 256;
                int64_t *na = dtb__realloc_array(a, cap, sizeof *a);
                if (na)
                    a = na;
                int64_t *nb = na ? dtb__realloc_array(b, cap, sizeof *b) : NULL;
                if (nb)
                    b = nb;
                double *nw = nb ? dtb__realloc_array(w, cap, sizeof *w) : NULL;
                if (nw)
                    w = nw;
                double *nd = nw ? dtb__realloc_array(d, cap, sizeof *d) : NULL;
                if (!nd)
                    st = DTB_ENOMEM;
                else
                    d = nd;
            }
            if (!st) {
                a[n] = (int64_t)v[0];
                b[n] = (int64_t)v[1];
                w[n] = v[2];
                d[n] = v[3];
                n++;
            }
        }
    }
    if (!st)
        st = dtb_spiking_connect_list(net, pre, post, receptor, a, b, w, d, n);
    if (st)
        st = dtb__error_context(st, "%s: %s", fn, path);
    free(a);
    free(b);
    free(w);
    free(d);
    dtb__text_file_free(&f);
    return st;
}
