/* libdtb — the fast paths of the built-in cells: their per-step kernels.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each kernel advances all cells of a population one step of h ms from
 * their state, parameters and the step's synaptic drive (held over the
 * step), then resets the cells that crossed threshold. Parameters are read
 * through PV(): a constant when every cell has the same value (the common
 * case, which keeps the loops on the state arrays alone), else per cell.
 * The kernels are written as plain loops over arrays so that gcc
 * vectorises them. The cells themselves are their descriptors
 * (builtin/NAME.xml); each kernel is registered against one at the end of
 * this file, and tests/spiking/test_cell_paths.c checks that it gives the
 * descriptor's numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clones.h"
#include "base/fast_exp.h"
#include "spiking.h"

#if defined(__GNUC__)
#define DTB__INLINE static inline __attribute__((always_inline))
#else
#define DTB__INLINE static inline
#endif

/* Parameter k of cell i: per cell, or the uniform value. */
#define PV(p, k, i, pc) ((pc) ? (p)->param[k][i] : (p)->param[k][0])

static int all_uniform(const dtb__spk_pop *p)
{
    for (size_t k = 0; k < p->model->n_params; k++)
        if (!p->uniform[k])
            return 0;
    return 1;
}

static int32_t steps_of(double t_ms, double h)
{
    double s = rint(t_ms / h);
    return s > 2e9 ? 2000000000 : (int32_t)(s < 0 ? 0 : s);
}

/* ------------------------------------------------------------------ LIF */

enum { LIF_TAU_M, LIF_R_M, LIF_E_L, LIF_V_TH, LIF_V_RESET, LIF_T_REF, LIF_I_E };
/* derived: 0 e^(-h/tau_m), 1 refractory steps */

static dtb_status lif_prepare(dtb__spk_pop *p, double h)
{
    for (int64_t i = 0; i < p->n; i++) {
        double tau = p->param[LIF_TAU_M][i];
        p->derived[0][i] = exp(-h / tau);
        p->derived[1][i] = steps_of(p->param[LIF_T_REF][i], h);
    }
    p->derived_per_cell = !all_uniform(p);
    /* exact propagators of the current receptors into V (spiking_run.c
     * adds coef * s to the drive): tau_m dV/dt = -V + R s e^(-t/tau_s) */
    for (size_t r = 0; r < p->n_rec; r++) {
        dtb__receptor *rc = &p->rec[r];
        if (rc->mode != DTB_SYNAPSE_CURRENT || rc->kind == DTB_SYNAPSE_DELTA)
            continue;
        for (int64_t i = 0; i < p->n; i++) {
            double tm = p->param[LIF_TAU_M][i], R = p->param[LIF_R_M][i];
            double pm = exp(-h / tm);
            double taus[2] = {rc->tau_decay, rc->tau_rise};
            for (int c = 0; c < (rc->kind == DTB_SYNAPSE_BIEXP ? 2 : 1); c++) {
                double ts = taus[c], ps = exp(-h / ts), coef;
                if (fabs(ts - tm) < 1e-9 * tm)
                    coef = R * (h / tm) * pm;
                else
                    coef = R * ts / (ts - tm) * (ps - pm);
                (c == 0 ? rc->coef_s : rc->coef_r)[i] = coef;
            }
        }
    }
    return DTB_OK;
}

/* The cells that fired this step: fired[i] is 1.0 or 0.0. Blocks of 8
 * with no spike (nearly all) cost one vector sum. */
DTB__INLINE size_t collect_fired(const double *fired, int64_t n, int32_t *spiked)
{
    size_t ns = 0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t any = 0;
        for (int j = 0; j < 16; j++) {
            uint64_t b;
            memcpy(&b, fired + i + j, sizeof b);
            any |= b;
        }
        if (any)
            for (int j = 0; j < 16; j++)
                if (fired[i + j] != 0.0)
                    spiked[ns++] = (int32_t)(i + j);
    }
    for (; i < n; i++)
        if (fired[i] != 0.0)
            spiked[ns++] = (int32_t)i;
    return ns;
}

/* Threshold, reset and refractory count of one LIF cell, written so that
 * the loop around it becomes vector blends. */
#define LIF_FIRE(i, v, th, vr, rsteps)                                   \
    do {                                                                 \
        const double r_ = ref[i];                                        \
        const double up_ = (v) > (th) ? 1.0 : 0.0;                       \
        const double f_ = r_ > 0.0 ? 0.0 : up_;                          \
        const double nv_ = up_ != 0.0 ? (vr) : (v);                      \
        const double left_ = r_ - 1.0 > 0.0 ? r_ - 1.0 : 0.0;            \
        V[i] = r_ > 0.0 ? (vr) : nv_;                                    \
        ref[i] = f_ != 0.0 ? (rsteps) : left_;                           \
        fired[i] = f_;                                                   \
    } while (0)

/* Current receptors only: exact. drive->cur holds sum_c coef_c s_c.
 * Every parameter the same in every cell: they are hoisted into registers
 * (the hot case: the loop touches V, the refractory count and the drive
 * only). */
DTB__INLINE size_t lif_exact_uniform(dtb__spk_pop *p, const dtb__syn_drive *d, int32_t *spiked)
{
    double *restrict V = p->state[0], *restrict ref = p->refractory, *restrict fired = p->scratch;
    const double *restrict syn = d->cur;
    const double vinf = p->param[LIF_E_L][0] + p->param[LIF_R_M][0] * p->param[LIF_I_E][0];
    const double P = p->derived[0][0], rs = p->derived[1][0];
    const double th = p->param[LIF_V_TH][0], vr = p->param[LIF_V_RESET][0];
    const int64_t n = p->n;
    for (int64_t i = 0; i < n; i++) {
        double v = vinf + (V[i] - vinf) * P + syn[i];
        LIF_FIRE(i, v, th, vr, rs);
    }
    return collect_fired(fired, n, spiked);
}

DTB__INLINE size_t lif_exact_per_cell(dtb__spk_pop *p, const dtb__syn_drive *d, int32_t *spiked)
{
    double *restrict V = p->state[0], *restrict ref = p->refractory, *restrict fired = p->scratch;
    const double *restrict pm = p->derived[0], *restrict rs = p->derived[1];
    const double *restrict syn = d->cur;
    const double *restrict el = p->param[LIF_E_L], *restrict rm = p->param[LIF_R_M];
    const double *restrict ie = p->param[LIF_I_E], *restrict th = p->param[LIF_V_TH];
    const double *restrict vr = p->param[LIF_V_RESET];
    const int64_t n = p->n;
    for (int64_t i = 0; i < n; i++) {
        double vinf = el[i] + rm[i] * ie[i];
        double v = vinf + (V[i] - vinf) * pm[i] + syn[i];
        LIF_FIRE(i, v, th[i], vr[i], rs[i]);
    }
    return collect_fired(fired, n, spiked);
}

/* With conductances: exponential Euler, V relaxing to the step's
 * equilibrium with the step's total conductance:
 *   G = 1 + R g,  V_inf = (E_L + R (I_e + I_cur + g E)) / G,
 *   V <- V_inf + (V - V_inf) exp(-h G / tau_m).
 * The arrays are restrict parameters: gcc honours restrict on parameters,
 * and without it the run-time alias checks of this many arrays exceed its
 * limit and the loop stays scalar. */
typedef struct lif_cond_consts {
    double R, k, el, ie, th, vr, rs;
} lif_cond_consts;

DTB__INLINE void lif_cond_loop(int64_t n, const lif_cond_consts c, double *restrict V,
                               double *restrict ref, double *restrict fired,
                               const double *restrict gsum, const double *restrict gE,
                               const double *restrict cur, double *restrict arg,
                               double *restrict expo, double *restrict vinf)
{
    for (int64_t i = 0; i < n; i++) {
        double G = 1.0 + c.R * gsum[i];
        /* a decay factor below e^-700 is 0 for all purposes; clamping
         * keeps the exponent in the fast range (no libm pass) */
        double a = c.k * G;
        arg[i] = a > -700.0 ? a : -700.0;
        vinf[i] = (c.el + c.R * (c.ie + cur[i] + gE[i])) / G;
    }
    for (int64_t i = 0; i < n; i++)
        expo[i] = dtb__exp_core(arg[i]);
    for (int64_t i = 0; i < n; i++) {
        double v = vinf[i] + (V[i] - vinf[i]) * expo[i];
        LIF_FIRE(i, v, c.th, c.vr, c.rs);
    }
}

DTB__INLINE size_t lif_cond_uniform(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                                    int32_t *spiked)
{
    const lif_cond_consts c = {p->param[LIF_R_M][0], -h / p->param[LIF_TAU_M][0],
                               p->param[LIF_E_L][0], p->param[LIF_I_E][0], p->param[LIF_V_TH][0],
                               p->param[LIF_V_RESET][0], p->derived[1][0]};
    lif_cond_loop(p->n, c, p->state[0], p->refractory, p->scratch, d->gsum, d->gE, d->cur,
                  p->derived[3], p->derived[2], p->derived[4]);
    return collect_fired(p->scratch, p->n, spiked);
}

DTB__INLINE size_t lif_cond_per_cell(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                                     int32_t *spiked)
{
    double *restrict V = p->state[0], *restrict ref = p->refractory, *restrict fired = p->scratch;
    const double *restrict gsum = d->gsum, *restrict gE = d->gE, *restrict cur = d->cur;
    const double *restrict rm = p->param[LIF_R_M], *restrict tm = p->param[LIF_TAU_M];
    const double *restrict el = p->param[LIF_E_L], *restrict ie = p->param[LIF_I_E];
    const double *restrict th = p->param[LIF_V_TH], *restrict vr = p->param[LIF_V_RESET];
    const double *restrict rs = p->derived[1];
    const int64_t n = p->n;
    double *restrict arg = p->derived[3], *restrict expo = p->derived[2];
    for (int64_t i = 0; i < n; i++)
        arg[i] = -h * (1.0 + rm[i] * gsum[i]) / tm[i];
    dtb__exp_block((size_t)n, expo, arg);
    for (int64_t i = 0; i < n; i++) {
        double G = 1.0 + rm[i] * gsum[i];
        double vinf = (el[i] + rm[i] * (ie[i] + cur[i] + gE[i])) / G;
        double v = vinf + (V[i] - vinf) * expo[i];
        LIF_FIRE(i, v, th[i], vr[i], rs[i]);
    }
    return collect_fired(fired, n, spiked);
}

/* Forward Euler (DTB_SPIKING_METHOD_EULER), currents and conductances
 * alike: V += h / tau_m (E_L - V + R (I_e + I_cur + g E - g V)). */
DTB__INLINE void lif_euler_loop(int64_t n, const lif_cond_consts c, double *restrict V,
                                double *restrict ref, double *restrict fired,
                                const double *restrict gsum, const double *restrict gE,
                                const double *restrict cur)
{
    const double k = -c.k;   /* h / tau_m */
    for (int64_t i = 0; i < n; i++) {
        const double x = V[i];
        double v = x + k * ((c.el - x) + c.R * (c.ie + cur[i] + gE[i] - gsum[i] * x));
        LIF_FIRE(i, v, c.th, c.vr, c.rs);
    }
}

DTB__INLINE size_t lif_euler_uniform(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                                     int32_t *spiked)
{
    const lif_cond_consts c = {p->param[LIF_R_M][0], -h / p->param[LIF_TAU_M][0],
                               p->param[LIF_E_L][0], p->param[LIF_I_E][0], p->param[LIF_V_TH][0],
                               p->param[LIF_V_RESET][0], p->derived[1][0]};
    lif_euler_loop(p->n, c, p->state[0], p->refractory, p->scratch, d->gsum, d->gE, d->cur);
    return collect_fired(p->scratch, p->n, spiked);
}

DTB__INLINE size_t lif_euler_per_cell(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                                      int32_t *spiked)
{
    double *restrict V = p->state[0], *restrict ref = p->refractory, *restrict fired = p->scratch;
    const double *restrict gsum = d->gsum, *restrict gE = d->gE, *restrict cur = d->cur;
    const double *restrict rm = p->param[LIF_R_M], *restrict tm = p->param[LIF_TAU_M];
    const double *restrict el = p->param[LIF_E_L], *restrict ie = p->param[LIF_I_E];
    const double *restrict th = p->param[LIF_V_TH], *restrict vr = p->param[LIF_V_RESET];
    const double *restrict rs = p->derived[1];
    for (int64_t i = 0; i < p->n; i++) {
        const double x = V[i];
        double v = x + h / tm[i] * ((el[i] - x) + rm[i] * (ie[i] + cur[i] + gE[i] - gsum[i] * x));
        LIF_FIRE(i, v, th[i], vr[i], rs[i]);
    }
    return collect_fired(fired, p->n, spiked);
}

DTB__CLONES
static size_t lif_step(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    if (p->method == DTB_SPIKING_METHOD_EULER)
        return p->derived_per_cell ? lif_euler_per_cell(p, h, d, spiked) : lif_euler_uniform(p, h, d, spiked);
    if (!p->has_conductance)
        return p->derived_per_cell ? lif_exact_per_cell(p, d, spiked) : lif_exact_uniform(p, d, spiked);
    return p->derived_per_cell ? lif_cond_per_cell(p, h, d, spiked) : lif_cond_uniform(p, h, d, spiked);
}

/* The cell table holds this plain function, not the cloned one. (Clones
 * are off under ThreadSanitizer: their ifunc resolvers run during
 * relocation, before its runtime is ready.) */
static size_t lif_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return lif_step(p, h, d, spiked);
}

/* ------------------------------------------- two-variable RK4 models */

/* The classical Runge-Kutta step of a two-variable cell, the synaptic
 * drive held over the step (its conductance part depends on V). */
#define RK4_2(F, v, u, h, out_v, out_u)                                    \
    do {                                                                   \
        double k1v, k1u, k2v, k2u, k3v, k3u, k4v, k4u;                     \
        F((v), (u), k1v, k1u);                                             \
        F((v) + 0.5 * (h) * k1v, (u) + 0.5 * (h) * k1u, k2v, k2u);         \
        F((v) + 0.5 * (h) * k2v, (u) + 0.5 * (h) * k2u, k3v, k3u);         \
        F((v) + (h) * k3v, (u) + (h) * k3u, k4v, k4u);                     \
        out_v = (v) + (h) / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v);     \
        out_u = (u) + (h) / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u);     \
    } while (0)

/* One forward Euler step (DTB_SPIKING_METHOD_EULER). */
#define EULER_2(F, v, u, h, out_v, out_u)                                  \
    do {                                                                   \
        double k1v, k1u;                                                   \
        F((v), (u), k1v, k1u);                                             \
        out_v = (v) + (h) * k1v;                                           \
        out_u = (u) + (h) * k1u;                                           \
    } while (0)

/* The kernel's method: RK4, or Euler (euler is a loop invariant). */
#define STEP_2(euler, F, v, u, h, out_v, out_u)                            \
    do {                                                                   \
        if (euler)                                                         \
            EULER_2(F, v, u, h, out_v, out_u);                             \
        else                                                               \
            RK4_2(F, v, u, h, out_v, out_u);                               \
    } while (0)

/* Izhikevich 2003 */
enum { IZ_A, IZ_B, IZ_C, IZ_D, IZ_VPEAK, IZ_I_E };

DTB__INLINE size_t izh_kernel(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                              int32_t *spiked, const int pc)
{
    double *V = p->state[0], *U = p->state[1];
    const int euler = p->method == DTB_SPIKING_METHOD_EULER;
    for (int64_t i = 0; i < p->n; i++) {
        const double a = PV(p, IZ_A, i, pc), b = PV(p, IZ_B, i, pc);
        const double I0 = PV(p, IZ_I_E, i, pc) + d->cur[i] + d->gE[i], gs = d->gsum[i];
#define IZ_F(v, u, dv, du)                                             \
        do {                                                           \
            dv = 0.04 * (v) * (v) + 5.0 * (v) + 140.0 - (u) + I0 - gs * (v); \
            du = a * (b * (v) - (u));                                  \
        } while (0)
        double nv, nu;
        STEP_2(euler, IZ_F, V[i], U[i], h, nv, nu);
#undef IZ_F
        V[i] = nv;
        U[i] = nu;
    }
    size_t ns = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (V[i] >= PV(p, IZ_VPEAK, i, pc)) {
            V[i] = PV(p, IZ_C, i, pc);
            U[i] += PV(p, IZ_D, i, pc);
            spiked[ns++] = (int32_t)i;
        }
    }
    return ns;
}

static size_t izh_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return all_uniform(p) ? izh_kernel(p, h, d, spiked, 0) : izh_kernel(p, h, d, spiked, 1);
}

/* Izhikevich 2007 */
enum { IZ7_C, IZ7_K, IZ7_VR, IZ7_VT, IZ7_VPEAK, IZ7_A, IZ7_B, IZ7_CC, IZ7_D, IZ7_I_E };

DTB__INLINE size_t izh7_kernel(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                               int32_t *spiked, const int pc)
{
    double *V = p->state[0], *U = p->state[1];
    const int euler = p->method == DTB_SPIKING_METHOD_EULER;
    for (int64_t i = 0; i < p->n; i++) {
        const double C = PV(p, IZ7_C, i, pc), k = PV(p, IZ7_K, i, pc);
        const double vr = PV(p, IZ7_VR, i, pc), vt = PV(p, IZ7_VT, i, pc);
        const double a = PV(p, IZ7_A, i, pc), b = PV(p, IZ7_B, i, pc);
        const double I0 = PV(p, IZ7_I_E, i, pc) + d->cur[i] + d->gE[i], gs = d->gsum[i];
#define IZ7_F(v, u, dv, du)                                                     \
        do {                                                                    \
            dv = (k * ((v) - vr) * ((v) - vt) - (u) + I0 - gs * (v)) / C;       \
            du = a * (b * ((v) - vr) - (u));                                    \
        } while (0)
        double nv, nu;
        STEP_2(euler, IZ7_F, V[i], U[i], h, nv, nu);
#undef IZ7_F
        V[i] = nv;
        U[i] = nu;
    }
    size_t ns = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (V[i] >= PV(p, IZ7_VPEAK, i, pc)) {
            V[i] = PV(p, IZ7_CC, i, pc);
            U[i] += PV(p, IZ7_D, i, pc);
            spiked[ns++] = (int32_t)i;
        }
    }
    return ns;
}

static size_t izh7_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return all_uniform(p) ? izh7_kernel(p, h, d, spiked, 0) : izh7_kernel(p, h, d, spiked, 1);
}

/* AdEx */
enum { AD_C, AD_GL, AD_EL, AD_VT, AD_DT, AD_TAUW, AD_A, AD_B, AD_VRESET, AD_VPEAK, AD_TREF, AD_I_E };

static dtb_status adex_prepare(dtb__spk_pop *p, double h)
{
    for (int64_t i = 0; i < p->n; i++)
        p->derived[1][i] = steps_of(p->param[AD_TREF][i], h);
    p->derived_per_cell = !all_uniform(p);
    return DTB_OK;
}

DTB__INLINE size_t adex_kernel(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                               int32_t *spiked, const int pc)
{
    double *V = p->state[0], *W = p->state[1];
    double *ref = p->refractory;
    const int euler = p->method == DTB_SPIKING_METHOD_EULER;
    for (int64_t i = 0; i < p->n; i++) {
        const double C = PV(p, AD_C, i, pc), gl = PV(p, AD_GL, i, pc), el = PV(p, AD_EL, i, pc);
        const double vt = PV(p, AD_VT, i, pc), dT = PV(p, AD_DT, i, pc);
        const double tw = PV(p, AD_TAUW, i, pc), a = PV(p, AD_A, i, pc);
        const double I0 = PV(p, AD_I_E, i, pc) + d->cur[i] + d->gE[i], gs = d->gsum[i];
        /* the exponential is capped: V leaves for the peak within a step anyway */
#define AD_F(v, w, dv, dw)                                                           \
        do {                                                                         \
            double arg_ = fmin(((v) - vt) / dT, 30.0);                               \
            dv = (-gl * ((v) - el) + gl * dT * exp(arg_) - (w) + I0 - gs * (v)) / C; \
            dw = (a * ((v) - el) - (w)) / tw;                                        \
        } while (0)
        double nv, nw;
        STEP_2(euler, AD_F, V[i], W[i], h, nv, nw);
#undef AD_F
        V[i] = ref[i] > 0 ? PV(p, AD_VRESET, i, pc) : nv;
        W[i] = nw;
    }
    size_t ns = 0;
    const double *rs = p->derived[1];
    for (int64_t i = 0; i < p->n; i++) {
        if (ref[i] > 0) {
            ref[i] -= 1.0;
        } else if (V[i] >= PV(p, AD_VPEAK, i, pc)) {
            V[i] = PV(p, AD_VRESET, i, pc);
            W[i] += PV(p, AD_B, i, pc);
            ref[i] = pc ? rs[i] : rs[0];
            spiked[ns++] = (int32_t)i;
        }
    }
    return ns;
}

static size_t adex_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return p->derived_per_cell ? adex_kernel(p, h, d, spiked, 1) : adex_kernel(p, h, d, spiked, 0);
}

/* ----------------------------------------------------------------- HH */

enum { HH_C, HH_GNA, HH_GK, HH_GL, HH_ENA, HH_EK, HH_EL, HH_VTH, HH_I_E };

/* y / (1 - e^-y), continuous at 0 */
static inline double vtrap(double y)
{
    return fabs(y) < 1e-6 ? 1.0 + 0.5 * y : y / (1.0 - exp(-y));
}

static inline double gate_step(double x, double alpha, double beta, double h)
{
    double s = alpha + beta, inf = alpha / s;
    return inf + (x - inf) * exp(-h * s);
}

DTB__INLINE size_t hh_kernel(dtb__spk_pop *p, double h, const dtb__syn_drive *d,
                             int32_t *spiked, const int pc)
{
    double *V = p->state[0], *M = p->state[1], *H = p->state[2], *N = p->state[3];
    size_t ns = 0;
    for (int64_t i = 0; i < p->n; i++) {
        const double v = V[i];
        const double am = vtrap((v + 40.0) / 10.0), bm = 4.0 * exp(-(v + 65.0) / 18.0);
        const double ah = 0.07 * exp(-(v + 65.0) / 20.0), bh = 1.0 / (1.0 + exp(-(v + 35.0) / 10.0));
        const double an = 0.1 * vtrap((v + 55.0) / 10.0), bn = 0.125 * exp(-(v + 65.0) / 80.0);
        double m = gate_step(M[i], am, bm, h), hh = gate_step(H[i], ah, bh, h);
        double n = gate_step(N[i], an, bn, h);
        M[i] = m;
        H[i] = hh;
        N[i] = n;
        double gna = PV(p, HH_GNA, i, pc) * m * m * m * hh, gk = PV(p, HH_GK, i, pc) * n * n * n * n;
        double gl = PV(p, HH_GL, i, pc);
        double G = gna + gk + gl + d->gsum[i];
        double vinf = (gna * PV(p, HH_ENA, i, pc) + gk * PV(p, HH_EK, i, pc) + gl * PV(p, HH_EL, i, pc)
                       + d->gE[i] + d->cur[i] + PV(p, HH_I_E, i, pc)) / G;
        double nv = vinf + (v - vinf) * exp(-h * G / PV(p, HH_C, i, pc));
        V[i] = nv;
        double th = PV(p, HH_VTH, i, pc);
        if (v < th && nv >= th)
            spiked[ns++] = (int32_t)i;
    }
    return ns;
}

static size_t hh_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return all_uniform(p) ? hh_kernel(p, h, d, spiked, 0) : hh_kernel(p, h, d, spiked, 1);
}

/* --------------------------------------------------------- Traub-Miles */

/* The Traub & Miles (1991) cell as in benchmark 3 of Brette et al. (2007,
 * J Comput Neurosci 23:349-398, "COBAHH") and Brian2's COBAHH example:
 * rates in 1/ms of v in mV, shifted by V_T,
 *   alpha_m = 0.32 (13 - v + V_T) / (exp((13 - v + V_T) / 4) - 1)
 *   beta_m  = 0.28 (v - V_T - 40) / (exp((v - V_T - 40) / 5) - 1)
 *   alpha_h = 0.128 exp((17 - v + V_T) / 18)
 *   beta_h  = 4 / (1 + exp((40 - v + V_T) / 5))
 *   alpha_n = 0.032 (15 - v + V_T) / (exp((15 - v + V_T) / 5) - 1)
 *   beta_n  = 0.5 exp((10 - v + V_T) / 40)
 * (each x / (exp(x) - 1) written as vtrap(-x), continuous at 0), and
 *   C dV/dt = g_L (E_L - V) + g_Na m^3 h (E_Na - V) + g_K n^4 (E_K - V) + I.
 * One step is Brian2's exponential Euler: every variable advanced exactly
 * as if the others kept their values at the start of the step (gates by
 * Rush-Larsen, V with the start-of-step gates and conductances). */
enum { TM_C, TM_GL, TM_EL, TM_GNA, TM_ENA, TM_GK, TM_EK, TM_VT, TM_VTH, TM_I_E };

DTB__INLINE size_t tm_kernel(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked,
                             const int pc)
{
    double *V = p->state[0], *M = p->state[1], *H = p->state[2], *N = p->state[3];
    size_t ns = 0;
    for (int64_t i = 0; i < p->n; i++) {
        const double v = V[i], u = v - PV(p, TM_VT, i, pc);
        const double am = 1.28 * vtrap((u - 13.0) / 4.0), bm = 1.4 * vtrap((40.0 - u) / 5.0);
        const double ah = 0.128 * exp((17.0 - u) / 18.0), bh = 4.0 / (1.0 + exp((40.0 - u) / 5.0));
        const double an = 0.16 * vtrap((u - 15.0) / 5.0), bn = 0.5 * exp((10.0 - u) / 40.0);
        const double m0 = M[i], h0 = H[i], n0 = N[i];
        M[i] = gate_step(m0, am, bm, h);
        H[i] = gate_step(h0, ah, bh, h);
        N[i] = gate_step(n0, an, bn, h);
        const double gna = PV(p, TM_GNA, i, pc) * m0 * m0 * m0 * h0;
        const double gk = PV(p, TM_GK, i, pc) * n0 * n0 * n0 * n0, gl = PV(p, TM_GL, i, pc);
        const double G = gna + gk + gl + d->gsum[i];
        const double vinf = (gna * PV(p, TM_ENA, i, pc) + gk * PV(p, TM_EK, i, pc)
                             + gl * PV(p, TM_EL, i, pc) + d->gE[i] + d->cur[i] + PV(p, TM_I_E, i, pc))
                            / G;
        const double nv = vinf + (v - vinf) * exp(-h * G / PV(p, TM_C, i, pc));
        V[i] = nv;
        const double th = PV(p, TM_VTH, i, pc);
        if (v < th && nv >= th)
            spiked[ns++] = (int32_t)i;
    }
    return ns;
}

static size_t tm_update(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked)
{
    return all_uniform(p) ? tm_kernel(p, h, d, spiked, 0) : tm_kernel(p, h, d, spiked, 1);
}

/* --------------------------------------------------------- fast paths */

/* Each kernel registered against its descriptor's name (builtin/NAME.xml):
 * the parameters in the order of the kernel's enum, the exposed state
 * variables in the order of p->state. Everything else (defaults, units,
 * initial values, conductance scale, whether Euler is offered) is the
 * descriptor's; the registry (spiking_registry.c) uses a kernel only when
 * the descriptor declares exactly these names, in mV, ms and nA, and its
 * equations are the ones the kernel was written for: their digest
 * (dtb__lems_dynamics_digest) begins with `dynamics`. Edit a descriptor's
 * equations and its kernel is no longer used (the message says why and
 * gives the new digest): change the kernel to match, check it with
 * tests/spiking/test_cell_paths.c, then update the digest here. */
const dtb__cell_fast_path dtb__cell_fast_paths[] = {
    {"lif", 7, {"tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref", "I_e"}, 1, {"V"}, 1,
     "61e282e2e86d2bd1", lif_prepare, lif_update},
    {"izhikevich", 6, {"a", "b", "c", "d", "v_peak", "I_e"}, 2, {"v", "u"}, 0, "2188cea93a998695", NULL, izh_update},
    {"izhikevich2007", 10, {"C", "k", "vr", "vt", "vpeak", "a", "b", "c", "d", "I_e"}, 2,
     {"v", "u"}, 0, "49bc81393fa72696", NULL, izh7_update},
    {"adex", 12,
     {"C", "g_L", "E_L", "V_T", "Delta_T", "tau_w", "a", "b", "V_reset", "V_peak", "t_ref", "I_e"}, 2,
     {"V", "w"}, 0, "a1f00706a2b725b0", adex_prepare, adex_update},
    {"hh", 9, {"C", "g_Na", "g_K", "g_L", "E_Na", "E_K", "E_L", "V_th", "I_e"}, 4,
     {"V", "m", "h", "n"}, 0, "641b1cc8bf6b990a", NULL, hh_update},
    {"traub_miles", 10, {"C", "g_L", "E_L", "g_Na", "E_Na", "g_K", "E_K", "V_T", "V_th", "I_e"}, 4,
     {"V", "m", "h", "n"}, 0, "aa0eb24884f90c03", NULL, tm_update},
};
const size_t dtb__n_cell_fast_paths = sizeof dtb__cell_fast_paths / sizeof dtb__cell_fast_paths[0];

const dtb__cell_fast_path *dtb__cell_fast_path_find(const char *name)
{
    for (size_t i = 0; name && i < dtb__n_cell_fast_paths; i++)
        if (strcmp(dtb__cell_fast_paths[i].name, name) == 0)
            return &dtb__cell_fast_paths[i];
    return NULL;
}
