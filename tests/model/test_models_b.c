/* Built-in models taken from TVB (second batch): reduced_wong_wang,
 * reduced_wong_wang_exc_inh, montbrio_pazo_roxin, coombes_byrne,
 * coombes_byrne_2d, dumont_gutkin, gast_schmidt_knosche_sd,
 * gast_schmidt_knosche_sf, sup_hopf, linear.
 *
 * For every model:
 *   1. it loads with TVB's state variables, coupling variables, variables of
 *      interest, bounds, ranges and parameter defaults (tables below, written
 *      from TVB's source, tvb_library/tvb/simulator/models/);
 *   2. its right-hand side equals an independent C transcription of TVB's
 *      dfun (written here from TVB's code, in TVB's order of operations) at
 *      pseudo-random states and coupling inputs, with default and per-region
 *      non-default parameters;
 *   3. a 1 s Heun run on the built-in bn246 atlas with a small linear
 *      coupling stays finite and within the bounds, and one dynamical fact
 *      of the model holds on a simulated trace (fixed points found here by
 *      bisection, limit cycles measured against a fine RK4 reference).
 * And reduced_wong_wang_exc_inh reproduces OpenDTB's reference run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "io/npy.h"
#include "sim/sim.h"
#include "test_util.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PI 3.141592653589793
#define MAX_STATES 8
#define MAX_CVARS 4
#define MAX_PARAMS 20

static double sq(double v) { return v * v; }

/* ------------------------------------------------------------ random numbers */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double urand(void) /* splitmix64, uniform in [0, 1) */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static double uniform(double lo, double hi) { return lo + (hi - lo) * urand(); }

/* ------------------------------------------------- TVB's equations, in C
 * p holds the parameters in the order of the model's table below; x the
 * state variables, c the coupling inputs (TVB's cvar order) of one region.
 * TVB's local-coupling terms are 0 in region simulations. */

typedef void (*dfun_fn)(const double *p, const double *x, const double *c, double *dx);

/* ReducedWongWang (wong_wang.py, numba kernel). */
static double rww_H(const double *p, double S, double c0)
{
    const double a = p[0], b = p[1], d = p[2], w = p[5], J_N = p[6], I_o = p[7];
    double x = w * J_N * S + I_o + J_N * c0;
    return (a * x - b) / (1 - exp(-d * (a * x - b)));
}

static void f_rww(const double *p, const double *x, const double *c, double *dx)
{
    const double gamma = p[3], tau_s = p[4];
    double S = x[0];
    dx[0] = -(S / tau_s) + (1.0 - S) * rww_H(p, S, c[0]) * gamma;
}

/* ReducedWongWangExcInh (wong_wang_exc_inh.py, numba kernel): the rates
 * H_e, H_i (libdtb's r_e, r_i). */
static void rwwei_rates(const double *p, const double *x, double c0, double *H_e, double *H_i)
{
    const double a_e = p[0], b_e = p[1], d_e = p[2], w_p = p[5], J_N = p[6], W_e = p[7];
    const double a_i = p[8], b_i = p[9], d_i = p[10], J_i = p[13], W_i = p[14];
    const double I_o = p[15], I_ext = p[16], G = p[17], lamda = p[18];
    double cc = G * J_N * c0;
    double jnSe = J_N * x[0];
    double xe = w_p * jnSe - J_i * x[1] + W_e * I_o + cc + I_ext;
    xe = a_e * xe - b_e;
    *H_e = xe / (1 - exp(-d_e * xe));
    double xi = jnSe - x[1] + W_i * I_o + lamda * cc;
    xi = a_i * xi - b_i;
    *H_i = xi / (1 - exp(-d_i * xi));
}

static void f_rwwei(const double *p, const double *x, const double *c, double *dx)
{
    const double gamma_e = p[3], tau_e = p[4], gamma_i = p[11], tau_i = p[12];
    double H_e, H_i;
    rwwei_rates(p, x, c[0], &H_e, &H_i);
    dx[0] = -(x[0] / tau_e) + (1.0 - x[0]) * H_e * gamma_e;
    dx[1] = -(x[1] / tau_i) + H_i * gamma_i;
}

/* MontbrioPazoRoxin (infinite_theta.py). */
static void f_mpr(const double *p, const double *x, const double *c, double *dx)
{
    const double tau = p[0], I = p[1], Delta = p[2], J = p[3], eta = p[4], cr = p[6], cv = p[7];
    double r = x[0], V = x[1];
    dx[0] = 1 / tau * (Delta / (PI * tau) + 2 * V * r);
    dx[1] = 1 / tau * (sq(V) - sq(PI) * sq(tau) * sq(r) + eta + J * tau * r + I + cr * c[0] + cv * c[1]);
}

/* CoombesByrne (infinite_theta.py): TVB's code has "- g * r" in dr/dt. */
static void f_cb(const double *p, const double *x, const double *c, double *dx)
{
    const double Delta = p[0], alpha = p[1], v_syn = p[2], k = p[3], eta = p[4];
    double r = x[0], V = x[1], g = x[2], q = x[3];
    dx[0] = Delta / PI + 2 * V * r - g * r;
    dx[1] = sq(V) - sq(PI) * sq(r) + eta + (v_syn - V) * g + c[0];
    dx[2] = alpha * q;
    dx[3] = alpha * (k * PI * r - g - 2 * q);
}

/* CoombesByrne2D (infinite_theta.py). */
static void f_cb2d(const double *p, const double *x, const double *c, double *dx)
{
    const double Delta = p[0], v_syn = p[1], k = p[2], eta = p[3];
    double r = x[0], V = x[1];
    dx[0] = Delta / PI + 2 * V * r - k * PI * sq(r);
    dx[1] = sq(V) - sq(PI) * sq(r) + eta + (v_syn - V) * k * PI * r + c[0];
}

/* DumontGutkin (infinite_theta.py). */
static void f_dg(const double *p, const double *x, const double *c, double *dx)
{
    const double I_e = p[0], Delta_e = p[1], eta_e = p[2], tau_e = p[3];
    const double I_i = p[4], Delta_i = p[5], eta_i = p[6], tau_i = p[7], tau_s = p[8];
    const double J_ee = p[9], J_ei = p[10], J_ie = p[11], J_ii = p[12], Gamma = p[13];
    double r_e = x[0], V_e = x[1], s_ee = x[2], s_ei = x[3];
    double r_i = x[4], V_i = x[5], s_ie = x[6], s_ii = x[7];
    dx[0] = 1 / tau_e * (Delta_e / (PI * tau_e) + 2 * V_e * r_e);
    dx[1] = 1 / tau_e * (sq(V_e) + eta_e - sq(tau_e) * sq(PI) * sq(r_e) + tau_e * s_ee - tau_e * s_ei + I_e);
    dx[2] = 1 / tau_s * (-s_ee + J_ee * r_e + c[0]);
    dx[3] = 1 / tau_s * (-s_ei + J_ei * r_i);
    dx[4] = 1 / tau_i * (Delta_i / (PI * tau_i) + 2 * V_i * r_i);
    dx[5] = 1 / tau_i * (sq(V_i) + eta_i - sq(tau_i) * sq(PI) * sq(r_i) + tau_i * s_ie - tau_i * s_ii + I_i);
    dx[6] = 1 / tau_s * (-s_ie + J_ie * r_e + Gamma * c[0]);
    dx[7] = 1 / tau_s * (-s_ii + J_ii * r_i);
}

/* GastSchmidtKnosche_SD and _SF (infinite_theta.py). */
static void f_gsk(const double *p, const double *x, const double *c, double *dx, int sf)
{
    const double tau = p[0], tau_A = p[1], alpha = p[2], I = p[3], Delta = p[4], J = p[5];
    const double eta = p[6], cr = p[7], cv = p[8];
    double r = x[0], V = x[1], A = x[2], B = x[3];
    dx[0] = 1 / tau * (Delta / (PI * tau) + 2 * V * r);
    if (sf)
        dx[1] = 1 / tau * (sq(V) - sq(PI) * sq(tau) * sq(r) + eta + J * tau * r + I - A + cr * c[0] + cv * c[1]);
    else
        dx[1] = 1 / tau * (sq(V) - sq(PI) * sq(tau) * sq(r) + eta + J * tau * r * (1 - A) + I + cr * c[0] + cv * c[1]);
    dx[2] = 1 / tau_A * B;
    dx[3] = 1 / tau_A * (-2 * B - A + alpha * r);
}

static void f_gsk_sd(const double *p, const double *x, const double *c, double *dx) { f_gsk(p, x, c, dx, 0); }
static void f_gsk_sf(const double *p, const double *x, const double *c, double *dx) { f_gsk(p, x, c, dx, 1); }

/* SupHopf (oscillator.py, numba kernel). */
static void f_hopf(const double *p, const double *x, const double *c, double *dx)
{
    const double a = p[0], omega = p[1];
    dx[0] = (a - sq(x[0]) - sq(x[1])) * x[0] - omega * x[1] + c[0];
    dx[1] = (a - sq(x[0]) - sq(x[1])) * x[1] + omega * x[0] + c[1];
}

/* Linear (linear.py). */
static void f_linear(const double *p, const double *x, const double *c, double *dx)
{
    dx[0] = p[0] * x[0] + c[0];
}

/* ------------------------------------------------------- the TVB tables */

typedef struct param_def {
    const char *name;
    double value;
} param_def;

typedef struct state_def {
    const char *name;
    double bound_lo, bound_hi;   /* state_variable_boundaries (+-inf: none) */
    double range_lo, range_hi;   /* state_variable_range */
} state_def;

typedef struct model_spec {
    const char *name;
    const state_def *states;
    size_t n_states;
    const char *const *cvars;    /* names of the coupling variables, TVB's cvar order */
    size_t n_cvar;
    const char *const *voi;      /* default variables_of_interest */
    size_t n_voi;
    const param_def *params;     /* every parameter, TVB's default */
    size_t n_params;
    dfun_fn dfun;
} model_spec;

#define INF INFINITY
#define SPEC(name, st, cv, voi, par, f) {name, st, N_OF(st), cv, N_OF(cv), voi, N_OF(voi), par, N_OF(par), f}

static const param_def rww_p[] = {{"a", 0.270}, {"b", 0.108}, {"d", 154.}, {"gamma", 0.641},
                                  {"tau_s", 100.}, {"w", 0.6}, {"J_N", 0.2609}, {"I_o", 0.33},
                                  {"sigma_noise", 0.000000001}};
static const state_def rww_s[] = {{"S", 0, 1, 0, 1}};
static const char *const rww_cv[] = {"S"};
static const char *const rww_voi[] = {"S"};

static const param_def rwwei_p[] = {
    {"a_e", 310.}, {"b_e", 125.}, {"d_e", 0.160}, {"gamma_e", 0.641 / 1000}, {"tau_e", 100.},
    {"w_p", 1.4}, {"J_N", 0.15}, {"W_e", 1.0}, {"a_i", 615.}, {"b_i", 177.0}, {"d_i", 0.087},
    {"gamma_i", 1.0 / 1000}, {"tau_i", 10.}, {"J_i", 1.0}, {"W_i", 0.7}, {"I_o", 0.382},
    {"I_ext", 0.0}, {"G", 2.0}, {"lamda", 0.0}};
static const state_def rwwei_s[] = {{"S_e", 0, 1, 0, 1}, {"S_i", 0, 1, 0, 1}};
static const char *const rwwei_cv[] = {"S_e"};
static const char *const rwwei_voi[] = {"S_e", "S_i"};

static const param_def mpr_p[] = {{"tau", 1.0}, {"I", 0.0}, {"Delta", 1.0}, {"J", 15.0},
                                  {"eta", -5.0}, {"Gamma", 0.}, {"cr", 1.}, {"cv", 0.}};
static const state_def mpr_s[] = {{"r", 0, INF, 0, 2}, {"V", -INF, INF, -2, 1.5}};
static const char *const mpr_cv[] = {"r", "V"};
static const char *const mpr_voi[] = {"r", "V"};

static const param_def cb_p[] = {{"Delta", 0.5}, {"alpha", 0.95}, {"v_syn", -10.0}, {"k", 1.},
                                 {"eta", 20.0}};
static const state_def cb_s[] = {{"r", 0, INF, 0, 6}, {"V", -INF, INF, -10, 10},
                                 {"g", -INF, INF, 1, 2}, {"q", -INF, INF, -0.5, 0.7}};
static const char *const cb_cv[] = {"r", "V", "g", "q"};
static const char *const cb_voi[] = {"r", "V"};

static const param_def cb2d_p[] = {{"Delta", 1.}, {"v_syn", -4.0}, {"k", 1.}, {"eta", 2.0}};
static const state_def cb2d_s[] = {{"r", 0, INF, 0, 2}, {"V", -INF, INF, -2, 1.5}};
static const char *const cb2d_cv[] = {"r", "V"};
static const char *const cb2d_voi[] = {"r", "V"};

static const param_def dg_p[] = {{"I_e", 0.0}, {"Delta_e", 1.0}, {"eta_e", -5.0}, {"tau_e", 10.0},
                                 {"I_i", 0.0}, {"Delta_i", 1.0}, {"eta_i", -5.0}, {"tau_i", 10.0},
                                 {"tau_s", 1.0}, {"J_ee", 0.0}, {"J_ei", 10.0}, {"J_ie", 0.0},
                                 {"J_ii", 15.0}, {"Gamma", 5.0}};
static const state_def dg_s[] = {{"r_e", 0, INF, 0, 2}, {"V_e", -INF, INF, -2, 1.5},
                                 {"s_ee", -INF, INF, -1, 1}, {"s_ei", -INF, INF, -1, 1},
                                 {"r_i", 0, INF, 0, 2}, {"V_i", -INF, INF, -2, 1.5},
                                 {"s_ie", -INF, INF, -1, 1}, {"s_ii", -INF, INF, -1, 1}};
static const char *const dg_cv[] = {"r_e", "V_e", "r_i", "V_i"};
static const char *const dg_voi[] = {"r_e", "V_e", "s_ee", "s_ei", "r_i", "V_i", "s_ie", "s_ii"};

static const param_def gsd_p[] = {{"tau", 1.0}, {"tau_A", 10.0}, {"alpha", 0.5}, {"I", 0.0},
                                  {"Delta", 2.0}, {"J", 21.2132}, {"eta", -6.}, {"cr", 1.},
                                  {"cv", 0.}};
static const state_def gsd_s[] = {{"r", 0, INF, 0, 4}, {"V", -INF, INF, -3, 0.3},
                                  {"A", -INF, INF, 0, 0.4}, {"B", -INF, INF, -0.2, 0.3}};
static const param_def gsf_p[] = {{"tau", 1.0}, {"tau_A", 10.0}, {"alpha", 10.}, {"I", 0.0},
                                  {"Delta", 2.0}, {"J", 21.2132}, {"eta", 1.}, {"cr", 1.},
                                  {"cv", 0.}};
static const state_def gsf_s[] = {{"r", 0, INF, 0, 2}, {"V", -INF, INF, -2, 1.5},
                                  {"A", -INF, INF, -1, 1}, {"B", -INF, INF, -1, 1}};
static const char *const gsk_cv[] = {"r", "V", "A", "B"};
static const char *const gsk_voi[] = {"r", "V"};

static const param_def hopf_p[] = {{"a", -0.5}, {"omega", 1.}};
static const state_def hopf_s[] = {{"x", -INF, INF, -5, 5}, {"y", -INF, INF, -5, 5}};
static const char *const hopf_cv[] = {"x", "y"};
static const char *const hopf_voi[] = {"x"};

static const param_def lin_p[] = {{"gamma", -10.0}};
static const state_def lin_s[] = {{"x", -INF, INF, -1, 1}};
static const char *const lin_cv[] = {"x"};
static const char *const lin_voi[] = {"x"};

enum { M_RWW, M_RWWEI, M_MPR, M_CB, M_CB2D, M_DG, M_GSD, M_GSF, M_HOPF, M_LIN, N_MODELS };

static const model_spec specs[N_MODELS] = {
    SPEC("reduced_wong_wang", rww_s, rww_cv, rww_voi, rww_p, f_rww),
    SPEC("reduced_wong_wang_exc_inh", rwwei_s, rwwei_cv, rwwei_voi, rwwei_p, f_rwwei),
    SPEC("montbrio_pazo_roxin", mpr_s, mpr_cv, mpr_voi, mpr_p, f_mpr),
    SPEC("coombes_byrne", cb_s, cb_cv, cb_voi, cb_p, f_cb),
    SPEC("coombes_byrne_2d", cb2d_s, cb2d_cv, cb2d_voi, cb2d_p, f_cb2d),
    SPEC("dumont_gutkin", dg_s, dg_cv, dg_voi, dg_p, f_dg),
    SPEC("gast_schmidt_knosche_sd", gsd_s, gsk_cv, gsk_voi, gsd_p, f_gsk_sd),
    SPEC("gast_schmidt_knosche_sf", gsf_s, gsk_cv, gsk_voi, gsf_p, f_gsk_sf),
    SPEC("sup_hopf", hopf_s, hopf_cv, hopf_voi, hopf_p, f_hopf),
    SPEC("linear", lin_s, lin_cv, lin_voi, lin_p, f_linear),
};

static void defaults_of(const model_spec *s, double *p)
{
    for (size_t i = 0; i < s->n_params; i++)
        p[i] = s->params[i].value;
}

static dtb_model *load(const model_spec *s)
{
    dtb_model *m = NULL;
    if (dtb_model_create_builtin(&m, s->name) != DTB_OK)
        print_error("%s: %s\n", s->name, dtb_last_error_message());
    assert_non_null(m);
    return m;
}

static dtb_atlas *isolated_atlas(int64_t n)
{
    double *w = calloc((size_t)(n * n), sizeof *w);
    assert_non_null(w);
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, NULL, NULL, NULL), DTB_OK);
    free(w);
    return a;
}

static dtb_sim *make_sim(const dtb_atlas *atlas, const dtb_model *m, dtb_integrator integ, double dt,
                         double speed)
{
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.integrator = integ;
    o.dt = dt;
    o.speed = speed;
    o.seed = 1234;
    dtb_sim *sim = NULL;
    if (dtb_sim_create(&sim, atlas, m, &o) != DTB_OK)
        print_error("dtb_sim_create: %s\n", dtb_last_error_message());
    assert_non_null(sim);
    return sim;
}

/* ============================================================ 1. loading */

static void check_descriptor(const model_spec *s)
{
    dtb_model *m = load(s);
    assert_string_equal(dtb_model_name(m), s->name);
    assert_true(dtb_model_time_scale(m) == 1e-3);
    assert_true(strlen(dtb_model_description(m)) > 0);
    assert_non_null(strstr(dtb_model_reference(m), "("));   /* authors (year) ... */

    assert_int_equal(dtb_model_state_count(m), (int64_t)s->n_states);
    for (size_t i = 0; i < s->n_states; i++) {
        assert_string_equal(dtb_model_state_name(m, (int64_t)i), s->states[i].name);
        double lo, hi;
        assert_int_equal(dtb_model_state_bounds(m, (int64_t)i, &lo, &hi), DTB_OK);
        assert_true(lo == s->states[i].bound_lo && hi == s->states[i].bound_hi);
        assert_int_equal(dtb_model_state_range(m, (int64_t)i, &lo, &hi), DTB_OK);
        assert_true(lo == s->states[i].range_lo && hi == s->states[i].range_hi);
    }

    assert_int_equal(dtb_model_coupling_count(m), (int64_t)s->n_cvar);
    for (size_t i = 0; i < s->n_cvar; i++) {
        int64_t k = dtb_model_coupling_state(m, (int64_t)i);
        assert_string_equal(dtb_model_state_name(m, k), s->cvars[i]);
        char input[32];
        snprintf(input, sizeof input, "c%zu", i);
        assert_string_equal(dtb_model_coupling_input(m, (int64_t)i), input);
    }

    assert_int_equal(dtb_model_voi_count(m), (int64_t)s->n_voi);
    for (size_t i = 0; i < s->n_voi; i++)
        assert_string_equal(dtb_model_voi_name(m, (int64_t)i), s->voi[i]);

    assert_int_equal(dtb_model_param_count(m), (int64_t)s->n_params);
    for (size_t i = 0; i < s->n_params; i++) {
        assert_string_equal(dtb_model_param_name(m, (int64_t)i), s->params[i].name);
        assert_true(strlen(dtb_model_param_description(m, (int64_t)i)) > 0);
        double v;
        assert_int_equal(dtb_model_get_param(m, s->params[i].name, &v), DTB_OK);
        if (v != s->params[i].value)
            print_error("%s.%s = %.17g, TVB %.17g\n", s->name, s->params[i].name, v,
                        s->params[i].value);
        assert_true(v == s->params[i].value);
    }
    dtb_model_free(m);
}

static void test_descriptors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODELS; i++)
        check_descriptor(&specs[i]);
    /* the firing rates of the E-I model can be observed */
    dtb_model *m = load(&specs[M_RWWEI]);
    int found = 0;
    for (int64_t i = 0; i < dtb_model_derived_count(m); i++)
        found += !strcmp(dtb_model_derived_name(m, i), "r_e") || !strcmp(dtb_model_derived_name(m, i), "r_i");
    assert_int_equal(found, 2);
    dtb_model_free(m);
}

/* ======================================= 2. right-hand side against TVB's */

enum { NR = 3 };   /* regions */

static double worst_rel;   /* largest relative difference seen */

static void compare_rhs(const model_spec *s, dtb_sim *sim, double p[][MAX_PARAMS], const char *what)
{
    const size_t ns = s->n_states, nc = s->n_cvar;
    for (int trial = 0; trial < 8; trial++) {
        double x[MAX_STATES * NR], c[MAX_CVARS * NR], dx[MAX_STATES * NR];
        for (size_t v = 0; v < ns; v++)
            for (int k = 0; k < NR; k++)
                x[v * NR + k] = uniform(s->states[v].range_lo, s->states[v].range_hi);
        for (size_t i = 0; i < nc; i++)
            for (int k = 0; k < NR; k++)
                c[i * NR + k] = uniform(-1, 1);
        double t = uniform(0, 100);
        assert_int_equal(dtb__sim_derivative(sim, t, x, c, dx), DTB_OK);
        for (int k = 0; k < NR; k++) {
            double xk[MAX_STATES], ck[MAX_CVARS], ref[MAX_STATES];
            for (size_t v = 0; v < ns; v++)
                xk[v] = x[v * NR + k];
            for (size_t i = 0; i < nc; i++)
                ck[i] = c[i * NR + k];
            s->dfun(p[k], xk, ck, ref);
            for (size_t v = 0; v < ns; v++) {
                double got = dx[v * NR + k];
                double diff = fabs(got - ref[v]);
                double scale = nan_max(fabs(got), fabs(ref[v]));
                double rel = diff == 0 ? 0 : diff / scale;
                if (!(rel <= 1e-12))
                    print_error("%s (%s) trial %d region %d d%s/dt: libdtb %.17g, TVB %.17g\n",
                                s->name, what, trial, k, s->states[v].name, got, ref[v]);
                assert_true(isfinite(ref[v]));
                assert_true(rel <= 1e-12);
                worst_rel = nan_max(worst_rel, rel);
            }
        }
    }
}

static void check_rhs(const model_spec *s)
{
    dtb_atlas *atlas = isolated_atlas(NR);
    dtb_model *m = load(s);
    dtb_sim *sim = make_sim(atlas, m, DTB_INTEGRATOR_HEUN, 1e-4, INFINITY);
    double p[NR][MAX_PARAMS];
    for (int k = 0; k < NR; k++)
        defaults_of(s, p[k]);
    compare_rhs(s, sim, p, "defaults");

    /* different non-default values in each region */
    for (size_t i = 0; i < s->n_params; i++) {
        double v[NR];
        for (int k = 0; k < NR; k++) {
            double d = s->params[i].value;
            v[k] = d != 0 ? d * uniform(0.7, 1.3) : uniform(-0.5, 0.5);
            p[k][i] = v[k];
        }
        assert_int_equal(dtb_sim_set_param_regions(sim, s->params[i].name, v, NR), DTB_OK);
    }
    compare_rhs(s, sim, p, "per-region parameters");
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_rhs(void **state)
{
    (void)state;
    worst_rel = 0;
    for (size_t i = 0; i < N_MODELS; i++)
        check_rhs(&specs[i]);
    print_message("right-hand sides: largest relative difference to TVB's equations %.3g\n",
                  worst_rel);
}

/* The derived variables that can be recorded (the rates of the Wong-Wang
 * models) equal TVB's H at the recorded state (isolated regions: c = 0). */
static void check_rates(const model_spec *s, const char *vars)
{
    dtb_atlas *atlas = isolated_atlas(NR);
    dtb_model *m = load(s);
    dtb_sim *sim = make_sim(atlas, m, DTB_INTEGRATOR_HEUN, 1e-4, INFINITY);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_RAW;
    o.variables = vars;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    double p[MAX_PARAMS];
    defaults_of(s, p);
    for (int step = 0; step < 5; step++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        double x[2 * NR], t, got[2 * NR];
        size_t n;
        assert_int_equal(dtb_sim_get_state(sim, x, s->n_states * NR, NULL), DTB_OK);
        assert_int_equal(dtb_observer_read(obs, &t, got, 1, &n), DTB_OK);
        assert_int_equal(n, 1);
        for (int k = 0; k < NR; k++) {
            double ref[2];
            if (s->n_states == 1) {
                ref[0] = rww_H(p, x[k], 0);
            } else {
                double xk[2] = {x[k], x[NR + k]};
                rwwei_rates(p, xk, 0, &ref[0], &ref[1]);
            }
            for (size_t v = 0; v < s->n_states; v++)
                assert_true(fabs(got[v * NR + k] - ref[v]) <= 1e-12 * fabs(ref[v]));
        }
    }
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_rates(void **state)
{
    (void)state;
    check_rates(&specs[M_RWW], "H");
    check_rates(&specs[M_RWWEI], "r_e,r_i");
}

/* ============================ 3. runs on bn246 and one dynamical fact each */

/* Read all samples of a memory observer: values [n_samples][columns]. */
static double *read_all(dtb_observer *obs, size_t *n_samples, double **times_out)
{
    int64_t pending = dtb_observer_pending(obs);
    int64_t cols = dtb_observer_column_count(obs);
    assert_true(pending > 0 && cols > 0);
    double *v = malloc((size_t)(pending * cols) * sizeof *v);
    double *t = malloc((size_t)pending * sizeof *t);
    assert_true(v && t);
    size_t n;
    assert_int_equal(dtb_observer_read(obs, t, v, (size_t)pending, &n), DTB_OK);
    assert_int_equal(n, (size_t)pending);
    *n_samples = n;
    if (times_out)
        *times_out = t;
    else
        free(t);
    return v;
}

static char *all_state_names(const model_spec *s)
{
    static char buf[256];
    buf[0] = '\0';
    for (size_t v = 0; v < s->n_states; v++) {
        strcat(buf, v ? "," : "");
        strcat(buf, s->states[v].name);
    }
    return buf;
}

/* A 1 s run on bn246 (delays at 3 m/s, linear coupling a = coupling_a),
 * every state variable sampled each ms: finite and within the bounds. The
 * initial state is TVB's default (uniform in the ranges) unless init_range
 * narrows it ([n_states][2]). */
static void check_bn246_run(const model_spec *s, double dt, double coupling_a,
                            const double (*init_range)[2])
{
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    const int64_t n = dtb_atlas_region_count(atlas);
    dtb_model *m = load(s);
    dtb_sim *sim = make_sim(atlas, m, DTB_INTEGRATOR_HEUN, dt, 3.0);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", coupling_a), DTB_OK);
    if (init_range) {
        double *x0 = malloc(s->n_states * (size_t)n * sizeof *x0);
        assert_non_null(x0);
        for (size_t v = 0; v < s->n_states; v++)
            for (int64_t k = 0; k < n; k++)
                x0[v * (size_t)n + (size_t)k] = uniform(init_range[v][0], init_range[v][1]);
        assert_int_equal(dtb_sim_set_initial_state(sim, x0, s->n_states * (size_t)n), DTB_OK);
        free(x0);
    }
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_SUBSAMPLE;
    o.period = 1e-3;
    o.variables = all_state_names(s);
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    dtb_status st = dtb_sim_run(sim, 1.0, NULL, NULL);
    if (st)
        print_error("%s on bn246: %s\n", s->name, dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    size_t ns;
    double *v = read_all(obs, &ns, NULL);
    assert_int_equal(ns, 1000);
    const size_t cols = s->n_states * (size_t)n;
    for (size_t i = 0; i < ns; i++)
        for (size_t col = 0; col < cols; col++) {
            const state_def *sd = &s->states[col / (size_t)n];
            double val = v[i * cols + col];
            assert_true(isfinite(val));
            assert_true(val >= sd->bound_lo && val <= sd->bound_hi);
        }
    /* report the last sample's spread of the first variable */
    double lo = INF, hi = -INF;
    for (int64_t k = 0; k < n; k++) {
        lo = nan_min(lo, v[(ns - 1) * cols + (size_t)k]);
        hi = nan_max(hi, v[(ns - 1) * cols + (size_t)k]);
    }
    print_message("%-26s bn246 1 s, dt %g ms, a = %g: finite, within bounds; final %s in [%.4g, %.4g]\n",
                  s->name, dt * 1e3, coupling_a, s->states[0].name, lo, hi);
    free(v);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

/* Run isolated regions from the given initial states x0 ([n_states][nr])
 * with the defaults (or parameter overrides), recording vars every step.
 * Returns the samples [steps][columns]. */
static double *isolated_trace(const model_spec *s, int64_t nr, const double *x0, dtb_integrator integ,
                              double dt, double duration, const char *vars, const param_def *set,
                              size_t n_set, size_t *n_samples)
{
    dtb_atlas *atlas = isolated_atlas(nr);
    dtb_model *m = load(s);
    for (size_t i = 0; i < n_set; i++)
        assert_int_equal(dtb_model_set_param(m, set[i].name, set[i].value), DTB_OK);
    dtb_sim *sim = make_sim(atlas, m, integ, dt, INFINITY);
    if (x0)
        assert_int_equal(dtb_sim_set_initial_state(sim, x0, s->n_states * (size_t)nr), DTB_OK);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_RAW;
    o.variables = vars;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    dtb_status st = dtb_sim_run(sim, duration, NULL, NULL);
    if (st)
        print_error("%s isolated: %s\n", s->name, dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    double *v = read_all(obs, n_samples, NULL);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
    return v;
}

/* All roots of f on [lo, hi] (sign changes on a grid, then bisection). */
static int roots(double (*f)(double, const void *), const void *ud, double lo, double hi, int grid,
                 double *out, int max)
{
    int n = 0;
    double a = lo, fa = f(a, ud);
    for (int i = 1; i <= grid; i++) {
        double b = lo + (hi - lo) * i / grid, fb = f(b, ud);
        if (fa * fb < 0 && n < max) {
            double l = a, h = b, fl = fa;
            for (int it = 0; it < 200 && h - l > 1e-15 * nan_max(1, fabs(l)); it++) {
                double mid = 0.5 * (l + h), fm = f(mid, ud);
                if ((fm < 0) == (fl < 0)) {
                    l = mid;
                    fl = fm;
                } else {
                    h = mid;
                }
            }
            out[n++] = 0.5 * (l + h);
        } else if (fb == 0 && n < max) {
            out[n++] = b;
        }
        a = b;
        fa = fb;
    }
    return n;
}

/* Largest real part of the eigenvalues of the Jacobian of the model at x
 * (finite differences; 2x2 exact formula, larger ones by the trace of a
 * short power iteration are not needed: only 2-D systems ask). */
static double max_re_eig_2d(const model_spec *s, const double *p, const double *x)
{
    double J[2][2], f0[2], f1[2], c[MAX_CVARS] = {0};
    s->dfun(p, x, c, f0);
    for (int j = 0; j < 2; j++) {
        double xp[2] = {x[0], x[1]};
        double h = 1e-7 * nan_max(1, fabs(x[j]));
        xp[j] += h;
        s->dfun(p, xp, c, f1);
        for (int i = 0; i < 2; i++)
            J[i][j] = (f1[i] - f0[i]) / h;
    }
    double tr = J[0][0] + J[1][1], det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
    double disc = tr * tr / 4 - det;
    return disc < 0 ? tr / 2 : tr / 2 + sqrt(disc);
}

/* --- ReducedWongWang: converges to the fixed point S* of dS/dt = 0. */
static double rww_dS(double S, const void *ud)
{
    double dx, x = S, c = 0;
    f_rww(ud, &x, &c, &dx);
    return dx;
}

static void fact_rww(void)
{
    const model_spec *s = &specs[M_RWW];
    double p[MAX_PARAMS], S[4];
    defaults_of(s, p);
    int nroot = roots(rww_dS, p, 0, 1, 1000, S, 4);
    assert_int_equal(nroot, 1);
    /* slope of dS/dt at S*: the rate of the final approach */
    const double h = 1e-6;
    double lambda = (rww_dS(S[0] + h, p) - rww_dS(S[0] - h, p)) / (2 * h);
    assert_true(lambda < 0);
    size_t ns;
    double x0[NR] = {0.05, 0.5, 0.95};
    double *v = isolated_trace(s, NR, x0, DTB_INTEGRATOR_HEUN, 1e-4, 3.0, "S", NULL, 0, &ns);
    double err = 0, rate_err = 0, worst_rate = lambda;
    for (int k = 0; k < NR; k++) {
        err = nan_max(err, fabs(v[(ns - 1) * NR + k] - S[0]) / S[0]);
        /* |S - S*| between t = 1 s and 2 s decays at rate lambda */
        double d1 = fabs(v[(10000 - 1) * NR + k] - S[0]), d2 = fabs(v[(20000 - 1) * NR + k] - S[0]);
        double rate = log(d2 / d1) / 1000.0, e = fabs(rate - lambda) / -lambda;
        if (e > rate_err) {
            rate_err = e;
            worst_rate = rate;
        }
    }
    print_message("reduced_wong_wang: fixed point S* = %.10f (bisection); from S = 0.05, 0.5, 0.95 "
                  "the distance decays at %.5f/ms (slope at S*: %.5f/ms, relative difference %.2g), "
                  "after 3 s relative distance %.2g\n", S[0], worst_rate, lambda, rate_err, err);
    assert_true(err < 1e-6);
    assert_true(rate_err < 1e-2);
    free(v);
}

/* --- ReducedWongWangExcInh: converges to the fixed point (S_e*, S_i*). */
typedef struct rwwei_ctx {
    const double *p;
    double S_e;
} rwwei_ctx;

static double rwwei_dSi(double S_i, const void *ud)
{
    const rwwei_ctx *c = ud;
    double x[2] = {c->S_e, S_i}, cc = 0, dx[2];
    f_rwwei(c->p, x, &cc, dx);
    return dx[1];
}

static double rwwei_Si_star(const double *p, double S_e)
{
    rwwei_ctx c = {p, S_e};
    double r[4];
    int n = roots(rwwei_dSi, &c, 0, 1, 200, r, 4);
    assert_int_equal(n, 1);   /* dS_i/dt decreases with S_i */
    return r[0];
}

static double rwwei_dSe(double S_e, const void *ud)
{
    const double *p = ud;
    double x[2] = {S_e, rwwei_Si_star(p, S_e)}, cc = 0, dx[2];
    f_rwwei(p, x, &cc, dx);
    return dx[0];
}

static void fact_rwwei(void)
{
    const model_spec *s = &specs[M_RWWEI];
    double p[MAX_PARAMS], Se[4];
    defaults_of(s, p);
    int nroot = roots(rwwei_dSe, p, 0, 1, 400, Se, 4);
    assert_int_equal(nroot, 1);
    double Si = rwwei_Si_star(p, Se[0]);
    size_t ns;
    double x0[2 * NR] = {0.05, 0.5, 0.95, 0.9, 0.1, 0.5};
    double *v = isolated_trace(s, NR, x0, DTB_INTEGRATOR_HEUN, 1e-4, 3.0, "S_e,S_i", NULL, 0, &ns);
    double err = 0;
    for (int k = 0; k < NR; k++) {
        err = nan_max(err, fabs(v[(ns - 1) * 2 * NR + k] - Se[0]) / Se[0]);
        err = nan_max(err, fabs(v[(ns - 1) * 2 * NR + NR + k] - Si) / Si);
    }
    print_message("reduced_wong_wang_exc_inh: fixed point S_e* = %.10f, S_i* = %.10f (nested "
                  "bisection); after 3 s from S_e = 0.05, 0.5, 0.95: relative distance %.2g\n", Se[0], Si, err);
    assert_true(err < 1e-6);
    free(v);
}

/* --- QIF mean fields with r = -Delta / (2 pi tau V) at a fixed point:
 * MontbrioPazoRoxin (bistable with the defaults). */
static double mpr_fp(double V, const void *ud)
{
    const double *p = ud;
    const double tau = p[0], Delta = p[2];
    double x[2] = {-Delta / (2 * PI * tau * V), V}, c[2] = {0, 0}, dx[2];
    f_mpr(p, x, c, dx);
    return dx[1];
}

static void fact_mpr(void)
{
    const model_spec *s = &specs[M_MPR];
    double p[MAX_PARAMS], V[4];
    defaults_of(s, p);
    int nroot = roots(mpr_fp, p, -10, -1e-3, 20000, V, 4);
    assert_int_equal(nroot, 3);   /* low focus, saddle, high focus */
    double r[3], re[3];
    for (int i = 0; i < 3; i++) {
        double x[2] = {-p[2] / (2 * PI * p[0] * V[i]), V[i]};
        r[i] = x[0];
        re[i] = max_re_eig_2d(s, p, x);
    }
    assert_true(re[0] < 0 && re[1] > 0 && re[2] < 0);
    /* V ascending: V[0] (low rate), V[2] (high rate) */
    size_t ns;
    double x0[2 * 2] = {0.1, 1.5, -2.0, -0.5};   /* region 0 near the low, 1 near the high state */
    double *v = isolated_trace(s, 2, x0, DTB_INTEGRATOR_HEUN, 1e-4, 1.0, "r,V", NULL, 0, &ns);
    const double *last = v + (ns - 1) * 4;
    double err = nan_max(nan_max(fabs(last[0] - r[0]) / r[0], fabs(last[2] - V[0]) / fabs(V[0])),
                      nan_max(fabs(last[1] - r[2]) / r[2], fabs(last[3] - V[2]) / fabs(V[2])));
    print_message("montbrio_pazo_roxin: bistable: stable foci (r, V) = (%.6f, %.6f) and (%.6f, %.6f), "
                  "saddle (%.6f, %.6f); two regions settle on the two foci, relative distance %.2g\n",
                  r[0], V[0], r[2], V[2], r[1], V[1], err);
    assert_true(err < 1e-8);
    free(v);
}

/* --- CoombesByrne2D: the fixed point from dr/dt = 0 solved for V. */
static double cb2d_V_of_r(const double *p, double r) { return (p[2] * PI * r * r - p[0] / PI) / (2 * r); }

static double cb2d_fp(double r, const void *ud)
{
    const double *p = ud;
    double x[2] = {r, cb2d_V_of_r(p, r)}, c[2] = {0, 0}, dx[2];
    f_cb2d(p, x, c, dx);
    return dx[1];
}

static void fact_cb2d(void)
{
    const model_spec *s = &specs[M_CB2D];
    double p[MAX_PARAMS], r[4];
    defaults_of(s, p);
    int nroot = roots(cb2d_fp, p, 1e-3, 10, 20000, r, 4);
    assert_int_equal(nroot, 1);
    double xs[2] = {r[0], cb2d_V_of_r(p, r[0])};
    assert_true(max_re_eig_2d(s, p, xs) < 0);
    size_t ns;
    double x0[2 * NR] = {0.1, 1.0, 1.9, -1.9, 0.0, 1.4};
    double *v = isolated_trace(s, NR, x0, DTB_INTEGRATOR_HEUN, 1e-4, 1.0, "r,V", NULL, 0, &ns);
    double err = 0;
    for (int k = 0; k < NR; k++)
        err = nan_max(err, nan_max(fabs(v[(ns - 1) * 2 * NR + k] - xs[0]) / xs[0],
                             fabs(v[(ns - 1) * 2 * NR + NR + k] - xs[1]) / fabs(xs[1])));
    print_message("coombes_byrne_2d: stable fixed point (r, V) = (%.8f, %.8f); after 1 s: relative "
                  "distance %.2g\n", xs[0], xs[1], err);
    assert_true(err < 1e-8);
    free(v);
}

/* --- DumontGutkin: with J_ee = J_ie = 0 (defaults) the fixed point
 * decouples: first the I population, then E driven by s_ei = J_ei r_i. */
typedef struct dg_ctx {
    double Delta, tau, eta, I, drive;   /* V^2 + eta - tau^2 pi^2 r^2 - tau * drive * r + I */
} dg_ctx;

static double dg_r(const dg_ctx *c, double V) { return -c->Delta / (2 * PI * c->tau * V); }

static double dg_fp(double V, const void *ud)
{
    const dg_ctx *c = ud;
    double r = dg_r(c, V);
    return V * V + c->eta - c->tau * c->tau * PI * PI * r * r - c->tau * c->drive * r + c->I;
}

static void fact_dg(void)
{
    const model_spec *s = &specs[M_DG];
    double p[MAX_PARAMS];
    defaults_of(s, p);
    assert_true(p[9] == 0 && p[11] == 0);   /* J_ee = J_ie = 0 */
    dg_ctx ci = {p[5], p[7], p[6], p[4], p[12]};   /* s_ii = J_ii r_i inhibits I */
    double Vi[4], Ve[4];
    assert_int_equal(roots(dg_fp, &ci, -20, -1e-3, 20000, Vi, 4), 1);
    double ri = dg_r(&ci, Vi[0]);
    dg_ctx ce = {p[1], p[3], p[2], p[0], 0};
    ce.eta = p[2] - p[3] * p[10] * ri;   /* - tau_e s_ei, s_ei = J_ei r_i */
    assert_int_equal(roots(dg_fp, &ce, -20, -1e-3, 20000, Ve, 4), 1);
    double re = dg_r(&ce, Ve[0]);
    double fp[8] = {re, Ve[0], p[9] * re, p[10] * ri, ri, Vi[0], p[11] * re, p[12] * ri};
    size_t ns;
    double *v = isolated_trace(s, NR, NULL, DTB_INTEGRATOR_HEUN, 1e-4, 1.0, all_state_names(s), NULL, 0,
                               &ns);
    double err = 0;
    for (size_t var = 0; var < 8; var++)
        for (int k = 0; k < NR; k++)
            err = nan_max(err, fabs(v[(ns - 1) * 8 * NR + var * NR + (size_t)k] - fp[var]) / nan_max(fabs(fp[var]), 1e-3));
    print_message("dumont_gutkin: fixed point r_e = %.8f, V_e = %.8f, r_i = %.8f, V_i = %.8f; after "
                  "1 s from TVB's random initial state: relative distance %.2g\n", re, Ve[0], ri, Vi[0], err);
    assert_true(err < 1e-8);
    free(v);
}

/* --- GastSchmidtKnosche_SD: B = 0, A = alpha r, r = -Delta / (2 pi tau V). */
static double gsd_fp(double V, const void *ud)
{
    const double *p = ud;
    double r = -p[4] / (2 * PI * p[0] * V);
    double x[4] = {r, V, p[2] * r, 0}, c[4] = {0}, dx[4];
    f_gsk_sd(p, x, c, dx);
    return dx[1];
}

static void fact_gsd(void)
{
    const model_spec *s = &specs[M_GSD];
    double p[MAX_PARAMS], V[4];
    defaults_of(s, p);
    assert_int_equal(roots(gsd_fp, p, -20, -1e-3, 20000, V, 4), 1);
    double r = -p[4] / (2 * PI * p[0] * V[0]);
    double fp[4] = {r, V[0], p[2] * r, 0};
    size_t ns;
    double *v = isolated_trace(s, NR, NULL, DTB_INTEGRATOR_HEUN, 1e-4, 1.0, "r,V,A,B", NULL, 0, &ns);
    double err = 0;
    for (size_t var = 0; var < 4; var++)
        for (int k = 0; k < NR; k++)
            err = nan_max(err, fabs(v[(ns - 1) * 4 * NR + var * NR + (size_t)k] - fp[var]) / nan_max(fabs(fp[var]), 1e-3));
    print_message("gast_schmidt_knosche_sd: fixed point r = %.8f, V = %.8f, A = %.8f, B = 0; after "
                  "1 s from TVB's random initial state: relative distance %.2g\n", r, V[0], fp[2], err);
    assert_true(err < 1e-6);
    free(v);
}

/* --- Oscillators: period of r (upward crossings of its mean over the
 * second half), libdtb's trace against a fine RK4 of TVB's equations. */
static double period_of(const double *r, size_t n, size_t stride, double dt, int *n_cycles)
{
    double mean = 0;
    size_t start = n / 2;
    for (size_t i = start; i < n; i++)
        mean += r[i * stride];
    mean /= (double)(n - start);
    double first = -1, last = -1;
    int count = 0;
    for (size_t i = start + 1; i < n; i++) {
        double a = r[(i - 1) * stride] - mean, b = r[i * stride] - mean;
        if (a < 0 && b >= 0) {
            double tc = ((double)(i - 1) + a / (a - b)) * dt;
            if (first < 0)
                first = tc;
            else
                count++;
            last = tc;
        }
    }
    *n_cycles = count;
    return count ? (last - first) / count : NAN;
}

static double *rk4_trace(const model_spec *s, const double *p, const double *x0, double h, size_t steps,
                         size_t every)
{
    const size_t ns = s->n_states;
    double *out = malloc((steps / every + 1) * sizeof *out);
    assert_non_null(out);
    double x[MAX_STATES], k1[MAX_STATES], k2[MAX_STATES], k3[MAX_STATES], k4[MAX_STATES],
        xt[MAX_STATES], c[MAX_CVARS] = {0};
    memcpy(x, x0, ns * sizeof *x);
    for (size_t i = 0; i < steps; i++) {
        s->dfun(p, x, c, k1);
        for (size_t v = 0; v < ns; v++)
            xt[v] = x[v] + h / 2 * k1[v];
        s->dfun(p, xt, c, k2);
        for (size_t v = 0; v < ns; v++)
            xt[v] = x[v] + h / 2 * k2[v];
        s->dfun(p, xt, c, k3);
        for (size_t v = 0; v < ns; v++)
            xt[v] = x[v] + h * k3[v];
        s->dfun(p, xt, c, k4);
        for (size_t v = 0; v < ns; v++)
            x[v] += h / 6 * (k1[v] + 2 * k2[v] + 2 * k3[v] + k4[v]);
        if ((i + 1) % every == 0)
            out[(i + 1) / every - 1] = x[0];
    }
    return out;
}

static void fact_oscillator(const model_spec *s, const double *x0, double dt, double tol)
{
    double p[MAX_PARAMS];
    defaults_of(s, p);
    size_t ns;
    double *v = isolated_trace(s, 1, x0, DTB_INTEGRATOR_HEUN, dt, 1.0, "r", NULL, 0, &ns);
    int cycles, cycles_ref;
    double T = period_of(v, ns, 1, dt * 1e3, &cycles);
    /* reference: RK4 at 1 us, sampled every 10 us */
    const double h = 1e-3;
    double *ref = rk4_trace(s, p, x0, h, 1000000, 10);
    double T_ref = period_of(ref, 100000, 1, 10 * h, &cycles_ref);
    double lo = INF, hi = -INF;
    for (size_t i = ns / 2; i < ns; i++) {
        lo = nan_min(lo, v[i]);
        hi = nan_max(hi, v[i]);
    }
    print_message("%s: oscillates, r in [%.4f, %.4f] over the last 500 ms; period at dt %g ms "
                  "%.5f ms (%d cycles; RK4 at 1 us: %.5f ms, %d cycles), relative difference %.2g\n",
                  s->name, lo, hi, dt * 1e3, T, cycles, T_ref, cycles_ref, fabs(T - T_ref) / T_ref);
    assert_true(cycles >= 10 && cycles_ref >= 10);
    assert_true(hi - lo > 0.5);
    assert_true(fabs(T - T_ref) <= tol * T_ref);
    free(v);
    free(ref);
}

/* --- SupHopf with a > 0: limit cycle of radius sqrt(a), angular frequency omega. */
static void fact_hopf(void)
{
    const model_spec *s = &specs[M_HOPF];
    const double a = 0.8, omega = 0.3;
    const param_def set[] = {{"a", a}, {"omega", omega}};
    size_t ns;
    double x0[2 * 2] = {0.1, -1.5, 0.0, 0.5};
    double *v = isolated_trace(s, 2, x0, DTB_INTEGRATOR_HEUN, 1e-4, 1.0, "x,y", set, 2, &ns);
    double rad_err = 0, w_err = 0, w = 0;
    const size_t start = ns / 2;
    for (int k = 0; k < 2; k++) {
        double prev = atan2(v[start * 4 + 2 + (size_t)k], v[start * 4 + (size_t)k]), total = 0;
        for (size_t i = start; i < ns; i++) {
            double x = v[i * 4 + (size_t)k], y = v[i * 4 + 2 + (size_t)k];
            rad_err = nan_max(rad_err, fabs(sqrt(x * x + y * y) - sqrt(a)) / sqrt(a));
            double ph = atan2(y, x), d = ph - prev;
            d -= 2 * PI * floor((d + PI) / (2 * PI));
            total += d;
            prev = ph;
        }
        w = total / ((double)(ns - 1 - start) * 0.1);   /* rad per ms */
        w_err = nan_max(w_err, fabs(w - omega) / omega);
    }
    print_message("sup_hopf (a = %.2f, omega = %.2f): radius sqrt(a) = %.6f within %.2g relative, "
                  "angular frequency %.8f rad/ms (relative error %.2g)\n",
                  a, omega, sqrt(a), rad_err, w, w_err);
    /* Heun at dt = 0.1 ms moves the discrete cycle by O(dt^2): ~2e-4 here */
    assert_true(rad_err < 1e-3);
    assert_true(w_err < 1e-3);
    free(v);
}

/* --- Linear: x(t) = x0 exp(gamma t) without input. Heun's growth factor
 * per step is 1 + h gamma + (h gamma)^2 / 2, so the rate is checked at a
 * step (1 us) where that equals exp(h gamma) to O((h gamma)^3). */
static void fact_linear(void)
{
    const model_spec *s = &specs[M_LIN];
    size_t ns;
    double x0[NR] = {1.0, -0.5, 0.25};
    double *v = isolated_trace(s, NR, x0, DTB_INTEGRATOR_HEUN, 1e-6, 1e-3, "x", NULL, 0, &ns);
    assert_int_equal(ns, 1000);
    double worst = 0;
    for (int k = 0; k < NR; k++) {
        double rate = log(v[(ns - 1) * NR + k] / x0[k]) / 1.0;   /* per ms, t = 1 ms */
        worst = nan_max(worst, fabs(rate - (-10.0)) / 10.0);
    }
    print_message("linear: decay rate measured over 1 ms at dt 1 us: gamma = -10 within %.2g relative\n",
                  worst);
    assert_true(worst < 1e-4);
    free(v);
}

static void test_runs_rww(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_RWW], 1e-4, 0.00390625, NULL);
    fact_rww();
}

static void test_runs_rwwei(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_RWWEI], 1e-4, 0.00390625, NULL);
    fact_rwwei();
}

static void test_runs_mpr(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_MPR], 1e-4, 0.00390625, NULL);
    fact_mpr();
}

static void test_runs_cb(void **state)
{
    (void)state;
    /* TVB's range (r up to 6, V in [-10, 10]) holds states whose QIF
     * "spike" (r ~ 0 with V > 0) diverges at any practical dt, as in TVB:
     * start near the oscillation instead. */
    static const double init[4][2] = {{0.3, 1.2}, {-1, 1}, {1.5, 1.8}, {-0.3, 0.4}};
    check_bn246_run(&specs[M_CB], 1e-4, 0.00390625, init);
    /* The oscillation has a ~2 ms period: at dt = 0.1 ms Heun's period is
     * ~2 % short, so the period is measured at dt = 0.01 ms. */
    static const double x0[4] = {1.0, 0.0, 1.5, 0.1};
    fact_oscillator(&specs[M_CB], x0, 1e-5, 1e-3);
}

static void test_runs_cb2d(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_CB2D], 1e-4, 0.00390625, NULL);
    fact_cb2d();
}

static void test_runs_dg(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_DG], 1e-4, 0.00390625, NULL);
    fact_dg();
}

static void test_runs_gsd(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_GSD], 1e-4, 0.00390625, NULL);
    fact_gsd();
}

static void test_runs_gsf(void **state)
{
    (void)state;
    /* The defaults burst (r up to ~3.6, V up to ~3): Heun at dt = 0.1 ms
     * diverges on the bursts themselves (as TVB's would), and at 0.05 ms
     * from TVB's random initial states; this model runs at dt = 0.02 ms
     * on bn246, and its period is measured at 0.01 ms. */
    check_bn246_run(&specs[M_GSF], 2e-5, 0.00390625, NULL);
    static const double x0[4] = {1.0, -1.0, 0.0, 0.0};
    fact_oscillator(&specs[M_GSF], x0, 1e-5, 2e-3);
}

static void test_runs_hopf(void **state)
{
    (void)state;
    /* TVB's range [-5, 5] diverges at once with Heun at dt = 0.1 ms (cubic
     * term; TVB-CONVENTIONS §5): start in [-1, 1] as TVB's benchmarks do. */
    static const double init[2][2] = {{-1, 1}, {-1, 1}};
    check_bn246_run(&specs[M_HOPF], 1e-4, 0.00390625, init);
    fact_hopf();
}

static void test_runs_linear(void **state)
{
    (void)state;
    check_bn246_run(&specs[M_LIN], 1e-4, 0.00390625, NULL);
    fact_linear();
}

/* ================================== 4. OpenDTB's reference (RWW E-I, bn246) */

static void test_opendtb_reference(void **state)
{
    (void)state;
    /* OpenDTB's parameters (det_default_rww_bn246.json), G overridden to 0.1 */
    static const param_def opendtb[] = {
        {"a_e", 310.0}, {"b_e", 125.0}, {"d_e", 0.16}, {"gamma_e", 0.000641}, {"tau_e", 100.0},
        {"w_p", 1.4}, {"J_N", 0.15}, {"W_e", 1.0}, {"a_i", 615.0}, {"b_i", 177.0}, {"d_i", 0.087},
        {"gamma_i", 0.001}, {"tau_i", 10.0}, {"J_i", 1.0}, {"W_i", 0.7}, {"I_o", 0.382},
        {"I_ext", 0.0}, {"G", 2.0}, {"lamda", 0.0}};
    dtb_model *m = load(&specs[M_RWWEI]);
    int differ = 0;
    for (size_t i = 0; i < N_OF(opendtb); i++) {
        double v;
        assert_int_equal(dtb_model_get_param(m, opendtb[i].name, &v), DTB_OK);
        if (v != opendtb[i].value) {
            print_message("OpenDTB %s = %.17g, TVB default %.17g\n", opendtb[i].name, opendtb[i].value, v);
            differ++;
        }
        assert_int_equal(dtb_model_set_param(m, opendtb[i].name, opendtb[i].value), DTB_OK);
    }
    assert_int_equal(differ, 0);   /* TVB's defaults are OpenDTB's */
    assert_int_equal(dtb_model_set_param(m, "G", 0.1), DTB_OK);

    dtb_atlas *atlas;
    dtb_status st = dtb_atlas_load(&atlas, shared_path("atlases/bn246_opendtb_sc"), NULL);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    const int64_t n = dtb_atlas_region_count(atlas);
    assert_int_equal(n, 246);
    dtb_sim *sim = make_sim(atlas, m, DTB_INTEGRATOR_EULER, 1e-4, INFINITY);
    assert_int_equal(dtb_sim_set_coupling(sim, DTB_COUPLING_LINEAR), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 1.0), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "b", 0.0), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 0, 0.0), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 1, 0.0), DTB_OK);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_SUBSAMPLE;
    o.period = 1e-3;
    o.variables = "S_e,S_i";
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 1.0, NULL, NULL), DTB_OK);
    size_t ns;
    double *t;
    double *v = read_all(obs, &ns, &t);

    dtb__npy_array ref;
    assert_int_equal(dtb__npy_read(shared_path("reference/opendtb/det_default_rww_bn246.npy"), &ref),
                     DTB_OK);
    assert_int_equal(ref.ndim, 2);
    assert_int_equal(ref.shape[0], 1000);
    assert_int_equal(ref.shape[1], 1 + 3 * 246);
    assert_int_equal(ns, 1000);
    const size_t cols = (size_t)ref.shape[1];
    double worst = 0, smin = INF, smax = -INF;
    size_t worst_row = 0;
    for (size_t k = 0; k < ns; k++) {
        const double *row = ref.data + k * cols;
        assert_true(fabs(t[k] * 1e3 - row[0]) < 1e-9);
        for (size_t j = 0; j < 2 * 246; j++) {
            double got = v[k * 2 * 246 + j], want = row[1 + 246 + j];
            double rel = fabs(got - want) / fabs(want);
            if (!(rel <= worst)) {   /* a NaN is the worst */
                worst = rel;
                worst_row = k;
            }
            smin = nan_min(smin, got);
            smax = nan_max(smax, got);
        }
    }
    print_message("OpenDTB reference (RWW E-I, bn246, G = 0.1, Euler 0.1 ms, 1 s): max relative "
                  "error of S_e, S_i %.3g (row %zu); S in [%.4g, %.4g], the [0, 1] bounds never bind\n",
                  worst, worst_row, smin, smax);
    assert_true(smin > 0 && smax < 1);
    /* measured 1.23e-13 (the reference's own NumPy re-implementation agrees
     * to 3.8e-12); the tolerance was 1e-9. Checked: G = 0.1 (1 + 1e-10)
     * gives 1.2e-10, which fails now and passed before. */
    assert_true(worst < 1e-12);
    dtb__npy_array_free(&ref);
    free(v);
    free(t);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_rhs),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_runs_rww),
        cmocka_unit_test(test_runs_rwwei),
        cmocka_unit_test(test_runs_mpr),
        cmocka_unit_test(test_runs_cb),
        cmocka_unit_test(test_runs_cb2d),
        cmocka_unit_test(test_runs_dg),
        cmocka_unit_test(test_runs_gsd),
        cmocka_unit_test(test_runs_gsf),
        cmocka_unit_test(test_runs_hopf),
        cmocka_unit_test(test_runs_linear),
        cmocka_unit_test(test_opendtb_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
