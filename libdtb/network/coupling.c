/* libdtb — coupling functions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every coupling is post(sum_j w_kj pre(x_j)). TVB's DIFFERENCE and
 * KURAMOTO pre functions also read the target x_k; they are rewritten so
 * that the gather stays linear in per-source channels:
 *   difference  a * (sum_j w_kj x_j - x_k sum_j w_kj)
 *   kuramoto    a * (cos x_k sum_j w_kj sin x_j - sin x_k sum_j w_kj cos x_j)
 * so no transcendental function is evaluated per edge. The float32 mode
 * instead follows TVB's arithmetic exactly for its sparse couplings
 * (float32 history, weights, products and numpy's pairwise summation per
 * target row) to reproduce TVB runs to round-off. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network.h"

typedef struct kind_info {
    dtb_coupling_kind kind;
    const char *name;
    const char *alias;
    size_t n_params;
    const char *names[DTB__COUPLING_MAX_PARAMS];
    double defaults[DTB__COUPLING_MAX_PARAMS];
    size_t min_cvar;
} kind_info;

static const kind_info kinds[] = {
    {DTB_COUPLING_LINEAR, "linear", NULL, 2, {"a", "b"}, {0.00390625, 0.0}, 1},
    {DTB_COUPLING_SCALING, "scaling", NULL, 1, {"a"}, {0.00390625}, 1},
    {DTB_COUPLING_DIFFERENCE, "difference", NULL, 1, {"a"}, {0.1}, 1},
    {DTB_COUPLING_KURAMOTO, "kuramoto", NULL, 1, {"a"}, {1.0}, 1},
    {DTB_COUPLING_HYPERBOLIC_TANGENT, "hyperbolic_tangent", "tanh", 4,
     {"a", "b", "midpoint", "sigma"}, {1.0, 1.0, 0.0, 1.0}, 1},
    {DTB_COUPLING_SIGMOIDAL, "sigmoidal", NULL, 5, {"cmin", "cmax", "midpoint", "a", "sigma"},
     {-1.0, 1.0, 0.0, 1.0, 230.0}, 1},
    {DTB_COUPLING_SIGMOIDAL_JANSEN_RIT, "sigmoidal_jansen_rit", NULL, 5,
     {"cmin", "cmax", "midpoint", "r", "a"}, {0.0, 2.0 * 0.0025, 6.0, 0.56, 1.0}, 2},
    {DTB_COUPLING_PRE_SIGMOIDAL, "pre_sigmoidal", NULL, 6, {"H", "Q", "G", "P", "theta", "dynamic"},
     {0.5, 1.0, 60.0, 1.0, 0.5, 1.0}, 1},
    {DTB_COUPLING_EXPRESSION, "expression", NULL, 0, {NULL}, {0}, 1},
};

static const kind_info *info_of(dtb_coupling_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return &kinds[i];
    return NULL;
}

const char *dtb__coupling_kind_name(dtb_coupling_kind kind)
{
    const kind_info *k = info_of(kind);
    return k ? k->name : NULL;
}

dtb_coupling_kind dtb__coupling_kind_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, name) == 0 || (kinds[i].alias && strcmp(kinds[i].alias, name) == 0))
            return kinds[i].kind;
    return (dtb_coupling_kind)0;
}

size_t dtb__coupling_kind_params(dtb_coupling_kind kind, const char *const **names)
{
    const kind_info *k = kind == DTB_COUPLING_EXPRESSION ? NULL : info_of(kind);
    *names = k ? k->names : NULL;
    return k ? k->n_params : 0;
}

size_t dtb__coupling_kind_min_vars(dtb_coupling_kind kind)
{
    const kind_info *k = info_of(kind);
    return k ? k->min_cvar : 0;
}

int dtb__coupling_has_float32_mode(dtb_coupling_kind kind)
{
    return kind >= DTB_COUPLING_LINEAR && kind <= DTB_COUPLING_KURAMOTO;
}

static void clear(dtb__coupling *c)
{
    for (size_t i = 0; i < c->n_params; i++)
        free(c->names[i]);
    dtb__expr_free(c->pre_expr);
    dtb__expr_free(c->post_expr);
    dtb__kprog_free(&c->pre);
    dtb__kprog_free(&c->post);
    memset(c, 0, sizeof *c);
}

void dtb__coupling_free(dtb__coupling *c) { clear(c); }

double *dtb__coupling_param(dtb__coupling *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_params; i++)
        if (strcmp(c->names[i], name) == 0)
            return &c->p[i];
    return NULL;
}

/* Parameter values by position, for the built-in kinds. */
enum { P0, P1, P2, P3, P4, P5 };

dtb_status dtb__coupling_set_builtin(dtb__coupling *c, dtb_coupling_kind kind, size_t n_cvar)
{
    const kind_info *k = info_of(kind);
    if (!k || kind == DTB_COUPLING_EXPRESSION)
        return dtb__error(DTB_EINVAL, "unknown coupling kind %d", (int)kind);
    if (n_cvar && n_cvar < k->min_cvar)
        return dtb__error(DTB_EINVAL, "the %s coupling needs %zu coupling variables; the model has %zu",
                          k->name, k->min_cvar, n_cvar);
    dtb__coupling fresh = {0};
    fresh.kind = kind;
    for (size_t i = 0; i < k->n_params; i++) {
        fresh.names[i] = dtb__strdup(k->names[i]);
        if (!fresh.names[i]) {
            fresh.n_params = i;
            clear(&fresh);
            return DTB_ENOMEM;
        }
        fresh.p[i] = k->defaults[i];
    }
    fresh.n_params = k->n_params;
    /* TVB's dynamic threshold reads a second coupling variable. */
    if (kind == DTB_COUPLING_PRE_SIGMOIDAL && n_cvar < 2)
        fresh.p[P5] = 0.0;
    clear(c);
    *c = fresh;
    return DTB_OK;
}

/* --------------------------------------------------------- expressions */

typedef struct symbol_check {
    const char *const *allowed;
    size_t n_allowed;
    const char *const *params;
    size_t n_params;
    const char *bad;
} symbol_check;

static int unknown_symbol(const char *name, void *ud)
{
    symbol_check *s = ud;
    for (size_t i = 0; i < s->n_allowed; i++)
        if (strcmp(s->allowed[i], name) == 0)
            return 0;
    for (size_t i = 0; i < s->n_params; i++)
        if (strcmp(s->params[i], name) == 0)
            return 0;
    s->bad = name;
    return 1;
}

/* Compile one expression on the kernel: the parameters (shared scalars,
 * their values bound at each run) and the variables `vars` (per region). */
static dtb_status compile_expr(const dtb__expr *e, const char *what, const char *const *vars,
                               size_t n_vars, const char *const *names, size_t n_params,
                               dtb__kprog *out)
{
    dtb__ktable t;
    dtb__ktable_init(&t);
    int ok = 1;
    for (size_t i = 0; ok && i < n_params; i++)
        ok = dtb__ktable_add(&t, names[i], DTB__K_PARAM, 0) >= 0;
    for (size_t i = 0; ok && i < n_vars; i++)
        ok = dtb__ktable_add(&t, vars[i], DTB__K_INPUT, 1) >= 0;
    dtb_status st = ok ? dtb__kprog_compile(out, &t, &e, &what, 1) : dtb__error(DTB_ENOMEM, "out of memory");
    dtb__ktable_free(&t);
    return st;
}

static dtb_status parse_checked(const char *text, const char *what, const char *const *vars,
                                size_t n_vars, const char *const *names, size_t n_params,
                                dtb__expr **out)
{
    if (!text)
        return dtb__error(DTB_EINVAL, "coupling %s expression is NULL", what);
    dtb_status st = dtb__expr_parse(text, out);
    if (st)
        return dtb__error_context(st, "coupling %s", what);
    symbol_check sc = {vars, n_vars, names, n_params, NULL};
    if (dtb__expr_visit_symbols(*out, unknown_symbol, &sc)) {
        st = dtb__error(DTB_EINVAL,
                        "coupling %s '%s': unknown symbol '%s' (it may use %s%s and the parameters)%s",
                        what, text, sc.bad, vars[0], n_vars > 1 ? ", x_i, w_sum" : "",
                        strcmp(sc.bad, "x_i") == 0 && n_vars == 1
                            ? "; a pre expression may not read the target: move x_i into post"
                            : "");
        dtb__expr_free(*out);
        *out = NULL;
    }
    return st;
}

dtb_status dtb__coupling_set_expressions(dtb__coupling *c, const char *pre, const char *post,
                                         const char *const *names, const double *values,
                                         size_t n_params)
{
    static const char *const pre_vars[] = {"x_j"};
    static const char *const post_vars[] = {"gx", "x_i", "w_sum"};
    if (n_params > DTB__COUPLING_MAX_PARAMS)
        return dtb__error(DTB_EINVAL, "a coupling has at most %d parameters (%zu given)",
                          DTB__COUPLING_MAX_PARAMS, n_params);
    if (n_params && (!names || !values))
        return dtb__error(DTB_EINVAL, "coupling parameters: names or values is NULL");
    for (size_t i = 0; i < n_params; i++) {
        if (!names[i] || !*names[i] || !isfinite(values[i]))
            return dtb__error(DTB_EINVAL, "coupling parameter %zu: missing name or non-finite value", i);
        for (size_t j = 0; j < 3; j++)
            if (strcmp(names[i], post_vars[j]) == 0 || strcmp(names[i], pre_vars[0]) == 0)
                return dtb__error(DTB_EINVAL, "coupling parameter '%s' would hide a variable", names[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return dtb__error(DTB_EINVAL, "coupling parameter '%s' is given twice", names[i]);
    }
    dtb__coupling fresh = {0};
    fresh.kind = DTB_COUPLING_EXPRESSION;
    dtb_status st = parse_checked(pre, "pre", pre_vars, 1, names, n_params, &fresh.pre_expr);
    if (!st)
        st = parse_checked(post, "post", post_vars, 3, names, n_params, &fresh.post_expr);
    if (!st)
        st = compile_expr(fresh.pre_expr, "coupling pre", pre_vars, 1, names, n_params, &fresh.pre);
    if (!st)
        st = compile_expr(fresh.post_expr, "coupling post", post_vars, 3, names, n_params, &fresh.post);
    for (size_t i = 0; !st && i < n_params; i++) {
        fresh.names[i] = dtb__strdup(names[i]);
        fresh.p[i] = values[i];
        fresh.n_params = i + 1;
        if (!fresh.names[i])
            st = DTB_ENOMEM;
    }
    if (st) {
        clear(&fresh);
        return st;
    }
    clear(c);
    *c = fresh;
    return DTB_OK;
}

/* Run one expression program: the parameters' current values (a caller
 * may have changed them through dtb__coupling_param), then its variables. */
static void run_prog(const dtb__coupling *c, dtb__kprog *kp, const double *const *vectors,
                     size_t n_vars, double *out, size_t n)
{
    for (size_t i = 0; i < c->n_params; i++)
        dtb__kprog_set(kp, i, c->p[i]);
    for (size_t i = 0; i < n_vars; i++)
        dtb__kprog_bind(kp, c->n_params + i, vectors[i]);
    double *outputs[1] = {out};
    dtb__kprog_eval_into(kp, 0.0, n, outputs, NULL, NULL);
}

/* ---------------------------------------------------------------- pre */

size_t dtb__coupling_n_channels(const dtb__coupling *c, size_t n_cvar)
{
    switch (c->kind) {
    case DTB_COUPLING_KURAMOTO: return 2 * n_cvar;
    case DTB_COUPLING_HYPERBOLIC_TANGENT:
    case DTB_COUPLING_EXPRESSION: return n_cvar;
    case DTB_COUPLING_SIGMOIDAL_JANSEN_RIT: return 1;
    case DTB_COUPLING_PRE_SIGMOIDAL: return c->p[P5] != 0.0 ? 1 : n_cvar;
    default: return 0;   /* the raw coupling variables */
    }
}

void dtb__coupling_pre(const dtb__coupling *c, size_t n_cvar, size_t n, const double *raw,
                       double *out)
{
    const double *p = c->p;
    switch (c->kind) {
    case DTB_COUPLING_KURAMOTO:
        for (size_t cv = 0; cv < n_cvar; cv++)
            for (size_t k = 0; k < n; k++) {
                out[2 * cv * n + k] = sin(raw[cv * n + k]);
                out[(2 * cv + 1) * n + k] = cos(raw[cv * n + k]);
            }
        break;
    case DTB_COUPLING_HYPERBOLIC_TANGENT:
        for (size_t i = 0; i < n_cvar * n; i++)
            out[i] = p[P0] * (1 + tanh((p[P1] * raw[i] - p[P2]) / p[P3]));
        break;
    case DTB_COUPLING_SIGMOIDAL_JANSEN_RIT:
        for (size_t k = 0; k < n; k++)
            out[k] = p[P0] + (p[P1] - p[P0]) / (1.0 + exp(p[P3] * (p[P2] - (raw[k] - raw[n + k]))));
        break;
    case DTB_COUPLING_PRE_SIGMOIDAL:
        if (p[P5] != 0.0)
            for (size_t k = 0; k < n; k++)
                out[k] = p[P0] * (p[P1] + tanh(p[P2] * (p[P3] * raw[k] - raw[n + k])));
        else
            for (size_t i = 0; i < n_cvar * n; i++)
                out[i] = p[P0] * (p[P1] + tanh(p[P2] * (p[P3] * raw[i] - p[P4])));
        break;
    case DTB_COUPLING_EXPRESSION:
        for (size_t cv = 0; cv < n_cvar; cv++) {
            const double *vectors[1] = {raw + cv * n};
            run_prog(c, (dtb__kprog *)&c->pre, vectors, 1, out + cv * n, n);
        }
        break;
    default: break;
    }
}

/* --------------------------------------------------- TVB float32 mode */

/* numpy's pairwise summation of float32 (npy_pairwise_sum, block 128). */
static float pairwise_f32(const float *a, int64_t n)
{
    if (n < 8) {
        float res = 0.f;
        for (int64_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        float r[8];
        for (int i = 0; i < 8; i++)
            r[i] = a[i];
        int64_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int q = 0; q < 8; q++)
                r[q] += a[i + q];
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f32(a, n2) + pairwise_f32(a + n2, n - n2);
}

/* numpy's add.reduceat over one row: the first element, then += the
 * pairwise sum of the rest. */
static float reduce_row_f32(const float *p, int64_t count)
{
    if (count <= 0)
        return 0.f;
    float first = p[0];
    return first + pairwise_f32(p + 1, count - 1);
}

static void coupling_tvb_float32(const dtb__coupling *c, const dtb__network *net,
                                 const dtb__history *h, int64_t m, double *out, float *products)
{
    const int64_t n = net->n, H = h->horizon;
    const int64_t pos = m % H;
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        const float *r32 = h->ring32 + cv * (size_t)n * (size_t)H;
        for (int64_t k = 0; k < n; k++) {
            int64_t start = net->row_start[k], count = net->row_start[k + 1] - start;
            float xk = r32[k * H + pos];
            for (int64_t e = 0; e < count; e++) {
                int64_t j = net->row_source[start + e];
                int64_t slot = pos - net->row_delay[start + e];
                if (slot < 0)
                    slot += H;
                float xj = r32[j * H + slot];
                float pre;
                switch (c->kind) {
                case DTB_COUPLING_DIFFERENCE: pre = xj - xk; break;
                case DTB_COUPLING_KURAMOTO: pre = sinf(xj - xk); break;
                default: pre = xj; break;
                }
                products[e] = net->row_weight32[start + e] * pre;
            }
            double sum = (double)reduce_row_f32(products, count);
            out[cv * (size_t)n + (size_t)k] = c->p[P0] * sum + (c->kind == DTB_COUPLING_LINEAR ? c->p[P1] : 0.0);
        }
    }
}

/* --------------------------------------------------------------- post */

void dtb__coupling_post(dtb__coupling *c, const dtb__network *net, size_t n_cvar, const double *G,
                        const dtb__coupling_current *cur, double *out, double *scratch)
{
    const int64_t n = net->n;
    const size_t rs = cur->region_stride;
    const double *p = c->p;
    for (size_t cv = 0; cv < n_cvar; cv++) {
        double *o = out + cv * (size_t)n;
        const double *g = G + cv * (size_t)n;
        /* the target's current raw value of this coupling variable */
        const double *xk = cur->raw + cv * cur->cvar_stride;
        switch (c->kind) {
        case DTB_COUPLING_LINEAR:
            for (int64_t k = 0; k < n; k++)
                o[k] = p[P0] * g[k] + p[P1];
            break;
        case DTB_COUPLING_SCALING:
            for (int64_t k = 0; k < n; k++)
                o[k] = p[P0] * g[k];
            break;
        case DTB_COUPLING_DIFFERENCE:
            for (int64_t k = 0; k < n; k++)
                o[k] = p[P0] * (g[k] - xk[(size_t)k * rs] * net->row_sum[k]);
            break;
        case DTB_COUPLING_KURAMOTO: {
            const double *gs = G + 2 * cv * (size_t)n, *gc = gs + n;
            for (int64_t k = 0; k < n; k++) {
                double x = xk[(size_t)k * rs];
                o[k] = p[P0] * (cos(x) * gs[k] - sin(x) * gc[k]);
            }
            break;
        }
        case DTB_COUPLING_HYPERBOLIC_TANGENT:
            memcpy(o, g, (size_t)n * sizeof *o);
            break;
        case DTB_COUPLING_SIGMOIDAL:
            for (int64_t k = 0; k < n; k++)
                o[k] = p[P0] + ((p[P1] - p[P0]) / (1.0 + exp(-p[P3] * ((g[k] - p[P2]) / p[P4]))));
            break;
        case DTB_COUPLING_SIGMOIDAL_JANSEN_RIT:
            for (int64_t k = 0; k < n; k++)
                o[k] = cv == 0 ? p[P4] * G[k] : 0.0;
            break;
        case DTB_COUPLING_PRE_SIGMOIDAL:
            if (p[P5] != 0.0) {
                /* input 0: the delayed sum; input 1: the region's own A_k */
                for (int64_t k = 0; k < n; k++)
                    o[k] = cv == 0 ? G[k] : (cv == 1 ? cur->channel0[(size_t)k * rs] : 0.0);
            } else {
                memcpy(o, g, (size_t)n * sizeof *o);
            }
            break;
        case DTB_COUPLING_EXPRESSION: {
            double *xi = scratch;
            for (int64_t k = 0; k < n; k++)
                xi[k] = xk[(size_t)k * rs];
            const double *vectors[3] = {g, xi, net->row_sum};
            run_prog(c, &c->post, vectors, 3, o, (size_t)n);
            break;
        }
        default: break;
        }
    }
}

void dtb__coupling_compute(dtb__coupling *c, const dtb__network *net, const dtb__history *h,
                           dtb__gather_cache *cache, int64_t m, int float32_mode, double *out,
                           double *scratch)
{
    const int64_t n = net->n, H = h->horizon;
    const size_t len = 2 * (size_t)H;
    const size_t now = (size_t)(m % H) + (size_t)H;
    if (float32_mode && dtb__coupling_has_float32_mode(c->kind)) {
        coupling_tvb_float32(c, net, h, m, out, (float *)scratch);
        return;
    }
    dtb__gather(net, h, cache, m);
    const dtb__coupling_current cur = {h->ring + now, len, (size_t)n * len,
                                       dtb__history_channel(h, 0) + now};
    dtb__coupling_post(c, net, h->n_cvar, cache->sums, &cur, out, scratch);
}

const char *dtb_coupling_kind_name(dtb_coupling_kind kind)
{
    return dtb__coupling_kind_name(kind);
}
