/* Simulation: integrators against exact solutions and their orders, the
 * coupling functions with delays against a direct computation, noise
 * statistics and reproducibility, bounds, per-region parameters,
 * observers and sinks, cancellation, and error paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "io/npy.h"
#include "test_util.h"

static const char *model_path(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/models/%s", DTB_TEST_DATA, name);
    return buf;
}


static dtb_sim *decay_sim(dtb_atlas *atlas, dtb_integrator integ, double dt, dtb_model **model_out)
{
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.integrator = integ;
    o.dt = dt;
    o.seed = 7;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    if (model_out)
        *model_out = m;
    else
        dtb_model_free(m);
    return sim;
}

/* x' = -k (x - 1), y' = -k y with k = 0.5 /ms: x = 1 - e^{-kt}, y = e^{-kt}. */
static double decay_error(dtb_integrator integ, double dt)
{
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_sim *sim = decay_sim(atlas, integ, dt, NULL);
    const double T = 4e-3;
    assert_int_equal(dtb_sim_run(sim, T, NULL, NULL), DTB_OK);
    double x[4];
    assert_int_equal(dtb_sim_get_state(sim, x, 4, NULL), DTB_OK);
    double e = exp(-0.5 * T * 1e3);
    double err = nan_max(fabs(x[0] - (1 - e)), fabs(x[2] - e));
    assert_true(x[0] == x[1]);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
    return err;
}

static void test_integrator_orders(void **state)
{
    (void)state;
    static const struct {
        dtb_integrator integ;
        double order;
        double tol;
    } schemes[] = {{DTB_INTEGRATOR_EULER, 1, 1e-2}, {DTB_INTEGRATOR_HEUN, 2, 5e-4}, {DTB_INTEGRATOR_RK4, 4, 5e-8}};
    for (size_t i = 0; i < 3; i++) {
        double e1 = decay_error(schemes[i].integ, 1e-4);
        double e2 = decay_error(schemes[i].integ, 5e-5);
        double observed = log2(e1 / e2);
        print_message("scheme %d: error %.3g at dt 0.1 ms, %.3g at 0.05 ms, order %.2f\n",
                      (int)schemes[i].integ, e1, e2, observed);
        assert_true(e1 < schemes[i].tol);
        assert_true(fabs(observed - schemes[i].order) < 0.15);
    }
}

/* Every GSL stepper against the exact solution, at tight tolerances, and a
 * stiff case (k = 2000 per ms, step 0.1 ms: explicit Euler would explode)
 * with the implicit steppers. */
static void test_gsl_integrators(void **state)
{
    (void)state;
    static const dtb_integrator all[] = {
        DTB_INTEGRATOR_GSL_RK2,    DTB_INTEGRATOR_GSL_RK4,    DTB_INTEGRATOR_GSL_RKF45,
        DTB_INTEGRATOR_GSL_RKCK,   DTB_INTEGRATOR_GSL_RK8PD,  DTB_INTEGRATOR_GSL_MSADAMS,
        DTB_INTEGRATOR_GSL_MSBDF,  DTB_INTEGRATOR_GSL_BSIMP,  DTB_INTEGRATOR_GSL_RK1IMP,
        DTB_INTEGRATOR_GSL_RK2IMP, DTB_INTEGRATOR_GSL_RK4IMP};
    dtb_atlas *atlas = test_isolated_atlas(2);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        for (int stiff = 0; stiff < 2; stiff++) {
            dtb_model *m;
            assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
            double k = stiff ? 2000.0 : 0.5;   /* per ms */
            assert_int_equal(dtb_model_set_param(m, "k", k), DTB_OK);
            dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
            o.integrator = all[i];
            /* implicit Euler (order 1) cannot reach tight tolerances cheaply */
            int first_order = all[i] == DTB_INTEGRATOR_GSL_RK1IMP;
            o.rtol = first_order ? 1e-7 : 1e-10;
            o.atol = first_order ? 1e-9 : 1e-12;
            dtb_sim *sim;
            assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
            dtb_status st = dtb_sim_run(sim, 2e-3, NULL, NULL);
            if (st)
                print_error("%s: %s\n", dtb_integrator_name(all[i]), dtb_last_error_message());
            assert_int_equal(st, DTB_OK);
            double x[4];
            dtb_sim_get_state(sim, x, 4, NULL);
            double e = exp(-k * 2.0);
            double err = nan_max(fabs(x[0] - (1 - e)), fabs(x[2] - e));
            /* first-order implicit Euler is the least accurate */
            double tol = first_order ? 1e-4 : 1e-8;
            if (!(err < tol))
                print_error("%s (%s): error %.3g\n", dtb_integrator_name(all[i]),
                            stiff ? "stiff" : "smooth", err);
            assert_true(err < tol);
            dtb_sim_free(sim);
            dtb_model_free(m);
        }
    }
    assert_string_equal(dtb_integrator_name(DTB_INTEGRATOR_GSL_RK8PD), "gsl-rk8pd");
    assert_null(dtb_integrator_name((dtb_integrator)77));
    /* bad tolerances are refused at creation */
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.integrator = DTB_INTEGRATOR_GSL_RKF45;
    o.rtol = -1;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_EINVAL);
    assert_error_contains("tolerances");
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

/* A 3-region network with chosen delays (in steps at dt = 0.1 ms, speed
 * 1 m/s: length 0.1 mm per step). Delays of 9, 13 and 17 steps take the
 * blocked "far" gather, 0 and 3 the per-step one. */
static const double W3[9] = {0.0, 0.5, 0.25,
                             1.0, 0.3, 0.0,
                             0.2, 0.0, 0.7};
static const double L3[9] = {0.0, 0.9, 1.3,
                             0.3, 0.0, 0.0,
                             0.05, 0.0, 1.7};   /* 0.05 mm: rint(0.5) = 0 (half to even) */
static const int64_t D3[9] = {0, 9, 13, 3, 0, 0, 0, 0, 17};

static void test_delays_round_half_even(void **state)
{
    (void)state;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 3, W3, L3, NULL, NULL), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = 1.0;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    int64_t d[9];
    size_t needed;
    assert_int_equal(dtb_sim_get_delays(sim, NULL, 0, &needed), DTB_OK);
    assert_int_equal(needed, 9);
    assert_int_equal(dtb_sim_get_delays(sim, d, 8, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_sim_get_delays(sim, d, 9, NULL), DTB_OK);
    for (int i = 0; i < 9; i++)
        assert_int_equal(d[i], D3[i]);
    assert_int_equal(dtb_sim_horizon(sim), 18);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
}

/* Record x after every step, then check every step's coupling input
 * against sum_j w_kj pre(x_j(m - d_kj), x_k(m)). */
static void check_coupling_kind(dtb_coupling_kind kind, double a_param, double b_param)
{
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 3, W3, L3, NULL, NULL), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = 1.0;
    o.coupling = kind;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", a_param), DTB_OK);
    if (kind == DTB_COUPLING_LINEAR)
        assert_int_equal(dtb_sim_set_coupling_param(sim, "b", b_param), DTB_OK);
    double x0[6] = {0.1, 0.7, -0.4, 1, 1, 1};
    assert_int_equal(dtb_sim_set_initial_state(sim, x0, 6), DTB_OK);
    enum { steps = 45 };
    double hist[steps + 1][3];
    for (int k = 0; k < 3; k++)
        hist[0][k] = x0[k];
    const int64_t *d = D3;
    for (int s = 1; s <= steps; s++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        double c[3];
        assert_int_equal(dtb_sim_get_coupling_input(sim, c, 3, NULL), DTB_OK);
        if (s == 20 && kind == DTB_COUPLING_LINEAR) {
            /* changing the state mid-block must reach the next couplings */
            double xs[6];
            dtb_sim_get_state(sim, xs, 6, NULL);
            xs[1] += 0.25;
            assert_int_equal(dtb_sim_set_state(sim, xs, 6), DTB_OK);
        }
        int mstep = s - 1;   /* states up to mstep were known when c was computed */
        for (int k = 0; k < 3; k++) {
            double sum = 0, xk = hist[mstep][k];
            for (int j = 0; j < 3; j++) {
                if (W3[k * 3 + j] == 0)
                    continue;
                int past = mstep - (int)d[k * 3 + j];
                double xj = hist[past < 0 ? 0 : past][j];
                double pre = kind == DTB_COUPLING_DIFFERENCE ? xj - xk
                             : kind == DTB_COUPLING_KURAMOTO ? sin(xj - xk) : xj;
                sum += W3[k * 3 + j] * pre;
            }
            double expect = a_param * sum + (kind == DTB_COUPLING_LINEAR ? b_param : 0);
            if (fabs(c[k] - expect) > 1e-13)
                print_error("kind %d step %d region %d: %.17g vs %.17g\n", (int)kind, s, k, c[k], expect);
            assert_true(fabs(c[k] - expect) <= 1e-13);
        }
        double x[6];
        dtb_sim_get_state(sim, x, 6, NULL);
        for (int k = 0; k < 3; k++)
            hist[s][k] = x[k];
    }
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
}

/* The coupling sum W x through each gather path: dense (symmetric or not,
 * self-connections, sizes that are not multiples of the 4-row blocks),
 * sparse, and near edges with far ones beside them; against a direct sum
 * over the matrix. After one step from a constant history every delay
 * reads the initial state. */
static void check_gather(int64_t n, int symmetric, double density, int far_edges, unsigned seed)
{
    double *w = calloc((size_t)(n * n), sizeof *w), *len = calloc((size_t)(n * n), sizeof *len);
    double *x0 = malloc(sizeof(double) * 2 * (size_t)n), *c = malloc(sizeof(double) * (size_t)n);
    srand(seed);
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = symmetric ? k : 0; j < n; j++) {
            double v = (double)rand() / RAND_MAX < density ? (double)rand() / RAND_MAX : 0.0;
            /* far edges: 5 mm at 1 m/s = 50 steps; near ones have length 0 */
            double l = far_edges && rand() % 3 == 0 ? 5.0 : 0.0;
            w[k * n + j] = v;
            len[k * n + j] = l;
            if (symmetric) {
                w[j * n + k] = v;
                len[j * n + k] = l;
            }
        }
    for (int64_t i = 0; i < 2 * n; i++)
        x0[i] = (double)rand() / RAND_MAX - 0.5;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, len, NULL, NULL), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = 1.0;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 1.0), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_state(sim, x0, 2 * (size_t)n), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
    assert_int_equal(dtb_sim_get_coupling_input(sim, c, (size_t)n, NULL), DTB_OK);
    for (int64_t k = 0; k < n; k++) {
        double sum = 0, mag = 0;
        for (int64_t j = 0; j < n; j++) {
            sum += w[k * n + j] * x0[j];
            mag += fabs(w[k * n + j] * x0[j]);
        }
        if (fabs(c[k] - sum) > 1e-14 * (mag + 1e-300))
            print_error("n %lld symmetric %d density %g far %d: region %lld %.17g vs %.17g\n",
                        (long long)n, symmetric, density, far_edges, (long long)k, c[k], sum);
        assert_true(fabs(c[k] - sum) <= 1e-14 * (mag + 1e-300));
    }
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
    free(w);
    free(len);
    free(x0);
    free(c);
}

static void test_gather_paths(void **state)
{
    (void)state;
    const int64_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 30, 67};
    unsigned seed = 1;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int symmetric = 0; symmetric <= 1; symmetric++)
            for (int far = 0; far <= 1; far++) {
                check_gather(sizes[i], symmetric, 1.0, far, seed++);
                check_gather(sizes[i], symmetric, 0.1, far, seed++);
            }
}

static void test_coupling_kinds(void **state)
{
    (void)state;
    check_coupling_kind(DTB_COUPLING_LINEAR, 0.3, 0.05);
    check_coupling_kind(DTB_COUPLING_SCALING, 0.3, 0);
    check_coupling_kind(DTB_COUPLING_DIFFERENCE, 0.7, 0);
    check_coupling_kind(DTB_COUPLING_KURAMOTO, 1.3, 0);
}

/* The couplings that read two coupling variables or transform x_j before
 * summing, and user expressions, against TVB's definitions computed per
 * edge here. Model `pair`: coupling variables u and v. */
typedef struct kind_case {
    dtb_coupling_kind kind;
    const char *params[6];
    double values[6];
} kind_case;

static double pre_sigmoid(double H, double Q, double G, double arg) { return H * (Q + tanh(G * arg)); }

static void expected_coupling(const kind_case *kc, double hist[][3][2], int mstep, double c[2][3])
{
    const double *q = kc->values;
    for (int k = 0; k < 3; k++) {
        double sum[2] = {0, 0}, sjr = 0, dyn = 0, expr = 0, wsum = 0;
        for (int j = 0; j < 3; j++) {
            double w = W3[k * 3 + j];
            if (w == 0)
                continue;
            int past = mstep - (int)D3[k * 3 + j];
            const double *xj = hist[past < 0 ? 0 : past][j];
            wsum += w;
            for (int cv = 0; cv < 2; cv++) {
                double pre = xj[cv];
                if (kc->kind == DTB_COUPLING_HYPERBOLIC_TANGENT)
                    pre = q[0] * (1 + tanh((q[1] * xj[cv] - q[2]) / q[3]));
                else if (kc->kind == DTB_COUPLING_PRE_SIGMOIDAL)
                    pre = pre_sigmoid(q[0], q[1], q[2], q[3] * xj[cv] - q[4]);
                sum[cv] += w * pre;
            }
            sjr += w * (q[0] + (q[1] - q[0]) / (1 + exp(q[3] * (q[2] - (xj[0] - xj[1])))));
            dyn += w * pre_sigmoid(q[0], q[1], q[2], q[3] * xj[0] - xj[1]);
            (void)expr;
        }
        const double *xk = hist[mstep][k];
        for (int cv = 0; cv < 2; cv++) {
            switch (kc->kind) {
            case DTB_COUPLING_SIGMOIDAL:
                c[cv][k] = q[0] + (q[1] - q[0]) / (1 + exp(-q[3] * ((sum[cv] - q[2]) / q[4])));
                break;
            case DTB_COUPLING_SIGMOIDAL_JANSEN_RIT: c[cv][k] = cv == 0 ? q[4] * sjr : 0; break;
            case DTB_COUPLING_PRE_SIGMOIDAL:
                if (q[5] != 0)
                    c[cv][k] = cv == 0 ? dyn : pre_sigmoid(q[0], q[1], q[2], q[3] * xk[0] - xk[1]);
                else
                    c[cv][k] = sum[cv];
                break;
            case DTB_COUPLING_EXPRESSION: {
                /* pre x_j^2, post a * gx - b * x_i * w_sum */
                double g = 0;
                for (int j = 0; j < 3; j++) {
                    if (W3[k * 3 + j] == 0)
                        continue;
                    int past = mstep - (int)D3[k * 3 + j];
                    double x = hist[past < 0 ? 0 : past][j][cv];
                    g += W3[k * 3 + j] * x * x;
                }
                c[cv][k] = q[0] * g - q[1] * xk[cv] * wsum;
                break;
            }
            default: c[cv][k] = sum[cv]; break;
            }
        }
    }
}

static void test_nonlinear_couplings(void **state)
{
    (void)state;
    static const kind_case cases[] = {
        {DTB_COUPLING_HYPERBOLIC_TANGENT, {"a", "b", "midpoint", "sigma"}, {0.8, 1.5, 0.1, 0.7}},
        {DTB_COUPLING_SIGMOIDAL, {"cmin", "cmax", "midpoint", "a", "sigma"}, {-0.5, 2, 0.2, 1.3, 0.9}},
        {DTB_COUPLING_SIGMOIDAL_JANSEN_RIT, {"cmin", "cmax", "midpoint", "r", "a"}, {0.1, 1.2, 0.3, 2.0, 0.7}},
        {DTB_COUPLING_PRE_SIGMOIDAL, {"H", "Q", "G", "P", "theta", "dynamic"}, {0.5, 1, 3, 1.2, 0.4, 0}},
        {DTB_COUPLING_PRE_SIGMOIDAL, {"H", "Q", "G", "P", "theta", "dynamic"}, {0.5, 1, 3, 1.2, 0.4, 1}},
        {DTB_COUPLING_EXPRESSION, {"a", "b"}, {0.6, 0.2}},
    };
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_create_from_arrays(&atlas, 3, W3, L3, NULL, NULL), DTB_OK);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("pair.xml"), NULL), DTB_OK);
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const kind_case *kc = &cases[ci];
        dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
        o.speed = 1.0;
        dtb_sim *sim;
        assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
        size_t np = 0;
        while (np < 6 && kc->params[np])
            np++;
        if (kc->kind == DTB_COUPLING_EXPRESSION) {
            assert_int_equal(dtb_sim_set_coupling_expressions(sim, "x_j^2", "a * gx - b * x_i * w_sum",
                                                              kc->params, kc->values, np), DTB_OK);
        } else {
            assert_int_equal(dtb_sim_set_coupling(sim, kc->kind), DTB_OK);
            assert_int_equal(dtb_sim_coupling_param_count(sim), (int64_t)np);
        }
        double x0[6] = {0.3, -0.2, 0.9, 0.1, 0.5, -0.4};
        assert_int_equal(dtb_sim_set_initial_state(sim, x0, 6), DTB_OK);
        /* parameters set after the initial state: the stored channels follow */
        for (size_t i = 0; i < np; i++)
            assert_int_equal(dtb_sim_set_coupling_param(sim, kc->params[i], kc->values[i]), DTB_OK);
        enum { steps = 40 };
        double hist[steps + 1][3][2];
        for (int k = 0; k < 3; k++) {
            hist[0][k][0] = x0[k];
            hist[0][k][1] = x0[3 + k];
        }
        for (int s = 1; s <= steps; s++) {
            assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
            double c[6], e[2][3];
            assert_int_equal(dtb_sim_get_coupling_input(sim, c, 6, NULL), DTB_OK);
            expected_coupling(kc, hist, s - 1, e);
            for (int cv = 0; cv < 2; cv++)
                for (int k = 0; k < 3; k++) {
                    if (!(fabs(c[cv * 3 + k] - e[cv][k]) <= 1e-13 * (1 + fabs(e[cv][k]))))
                        print_error("case %zu step %d input %d region %d: %.17g vs %.17g\n", ci, s,
                                    cv, k, c[cv * 3 + k], e[cv][k]);
                    assert_true(fabs(c[cv * 3 + k] - e[cv][k]) <= 1e-13 * (1 + fabs(e[cv][k])));
                }
            double x[6];
            dtb_sim_get_state(sim, x, 6, NULL);
            for (int k = 0; k < 3; k++) {
                hist[s][k][0] = x[k];
                hist[s][k][1] = x[3 + k];
            }
        }
        dtb_sim_free(sim);
    }
    /* expression errors name the problem */
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, NULL), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_expressions(sim, "x_j - x_i", "gx", NULL, NULL, 0), DTB_EINVAL);
    assert_error_contains("move x_i into post");
    assert_int_equal(dtb_sim_set_coupling_expressions(sim, "x_j", "gx * (", NULL, NULL, 0), DTB_EPARSE);
    assert_error_contains("post");
    assert_int_equal(dtb_sim_set_coupling_expressions(sim, "x_j", "q * gx", NULL, NULL, 0), DTB_EINVAL);
    assert_error_contains("'q'");
    assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_LINEAR);   /* unchanged by the failures */
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_coupling_file(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    char path[1024];
    snprintf(path, sizeof path, "%s/coupling.xml", test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("<Lems>\n  <CouplingFunction name=\"sq\" pre=\"x_j^2\" post=\"a * gx\">\n"
          "    <Parameter name=\"a\" value=\"0.25\"/>\n  </CouplingFunction>\n</Lems>\n", f);
    fclose(f);
    assert_int_equal(dtb_sim_load_coupling(sim, path), DTB_OK);
    assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_EXPRESSION);
    double a;
    assert_int_equal(dtb_sim_get_coupling_param(sim, "a", &a), DTB_OK);
    assert_true(a == 0.25);
    assert_string_equal(dtb_sim_coupling_param_name(sim, 0), "a");
    f = fopen(path, "w");
    fputs("<Lems>\n  <CouplingFunction pre=\"x_j\">\n  </CouplingFunction>\n</Lems>\n", f);
    fclose(f);
    assert_int_equal(dtb_sim_load_coupling(sim, path), DTB_EPARSE);
    assert_error_contains("coupling.xml:2");
    assert_int_equal(dtb_sim_load_coupling(sim, "/no/such.xml"), DTB_ENOTFOUND);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_coupling_params(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    double v;
    assert_int_equal(dtb_sim_get_coupling_param(sim, "a", &v), DTB_OK);
    assert_true(v == 0.00390625);
    assert_int_equal(dtb_sim_set_coupling(sim, DTB_COUPLING_DIFFERENCE), DTB_OK);
    assert_int_equal(dtb_sim_get_coupling_param(sim, "a", &v), DTB_OK);
    assert_true(v == 0.1);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "b", 1), DTB_ENOTFOUND);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", INFINITY), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_coupling(sim, (dtb_coupling_kind)99), DTB_EINVAL);
    assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_DIFFERENCE);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* Ornstein-Uhlenbeck: dx = -k x dt + sqrt(2 D) dW has stationary variance
 * D / k. 400 independent regions, variance across regions at the end. */
static void test_noise_statistics_and_seed(void **state)
{
    (void)state;
    const int64_t n = 400;
    dtb_atlas *atlas = test_isolated_atlas(n);
    dtb_model *m;
    dtb_sim *sims[3];
    for (int s = 0; s < 3; s++) {
        dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
        assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
        assert_int_equal(dtb_model_set_param(m, "x_inf", 0), DTB_OK);
        o.seed = s == 2 ? 8 : 7;
        o.integrator = DTB_INTEGRATOR_EULER;
        assert_int_equal(dtb_sim_create(&sims[s], atlas, m, &o), DTB_OK);
        assert_int_equal(dtb_sim_set_noise(sims[s], 0, 0.01), DTB_OK);
        assert_int_equal(dtb_sim_run(sims[s], 0.03, NULL, NULL), DTB_OK);
        dtb_model_free(m);
    }
    double *x[3];
    for (int s = 0; s < 3; s++) {
        x[s] = malloc((size_t)(2 * n) * sizeof **x);
        assert_int_equal(dtb_sim_get_state(sims[s], x[s], (size_t)(2 * n), NULL), DTB_OK);
    }
    assert_memory_equal(x[0], x[1], (size_t)(2 * n) * sizeof **x);   /* same seed */
    assert_memory_not_equal(x[0], x[2], (size_t)n * sizeof **x);     /* other seed */
    double mean = 0, var = 0;
    for (int64_t k = 0; k < n; k++)
        mean += x[0][k];
    mean /= (double)n;
    for (int64_t k = 0; k < n; k++)
        var += (x[0][k] - mean) * (x[0][k] - mean);
    var /= (double)(n - 1);
    double expect = 0.01 / 0.5;   /* D / k, k = 0.5 per ms */
    print_message("OU variance %.4g, expected %.4g\n", var, expect);
    assert_true(fabs(var - expect) < 0.25 * expect);
    /* noise only on x: y still decays deterministically */
    assert_true(fabs(x[0][n] - exp(-0.5 * 30)) < 1e-6);
    for (int s = 0; s < 3; s++) {
        free(x[s]);
        dtb_sim_free(sims[s]);
    }
    dtb_atlas_free(atlas);
}

static void test_bounds_and_conditionals(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(1);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("conditional.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.dt = 1e-3;
    o.integrator = DTB_INTEGRATOR_EULER;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 0, 0.0), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 100), DTB_OK);
    double u;
    dtb_sim_get_state(sim, &u, 1, NULL);
    assert_true(fabs(u - 0.1) < 1e-12);   /* rate +1 per second below the threshold */
    double high = 0.9;
    assert_int_equal(dtb_sim_set_state(sim, &high, 1), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
    dtb_sim_get_state(sim, &u, 1, NULL);
    assert_true(u == 0.75);               /* clipped to the upper bound */
    assert_int_equal(dtb_sim_step(sim, 10), DTB_OK);
    dtb_sim_get_state(sim, &u, 1, NULL);
    assert_true(fabs(u - 0.74) < 1e-12);  /* rate -1 above the threshold */
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_per_region_params(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(3);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_RK4, 1e-4, NULL);
    double k[3] = {0.5, 1.0, 0.25};
    assert_int_equal(dtb_sim_set_param_regions(sim, "k", k, 3), DTB_OK);
    assert_int_equal(dtb_sim_set_param_regions(sim, "k", k, 2), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_param_regions(sim, "kk", k, 3), DTB_ENOTFOUND);
    assert_int_equal(dtb_sim_run(sim, 2e-3, NULL, NULL), DTB_OK);
    double x[6];
    dtb_sim_get_state(sim, x, 6, NULL);
    for (int r = 0; r < 3; r++) {
        /* RK4 at h = 0.1 ms: global error ~ (k h)^4 / 120 */
        assert_true(fabs(x[r] - (1 - exp(-k[r] * 2))) < 1e-6);
        /* k2 = 2 k is a derived parameter: y' = -k y per region */
        assert_true(fabs(x[3 + r] - exp(-k[r] * 2)) < 1e-6);
        print_message("region %d: x error %.3g\n", r, fabs(x[r] - (1 - exp(-k[r] * 2))));
    }
    /* Back to one value everywhere, mid-run. */
    assert_int_equal(dtb_sim_set_param(sim, "k", 0.0), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 5), DTB_OK);
    double y[6];
    dtb_sim_get_state(sim, y, 6, NULL);
    for (int i = 0; i < 6; i++)
        assert_true(y[i] == x[i]);
    double got[3];
    size_t needed;
    assert_int_equal(dtb_sim_get_param_regions(sim, "k", got, 3, &needed), DTB_OK);
    assert_int_equal(needed, 3);
    assert_true(got[2] == 0.0);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static int32_t count_samples(double t, const double *values, size_t n, void *ud)
{
    (void)t;
    (void)values;
    (void)n;
    int *count = ud;
    return ++*count >= 5;   /* stop after five samples */
}

static int destroyed;
static void on_destroy(void *ud)
{
    (void)ud;
    destroyed++;
}

static void test_observers(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_RAW;
    o.variables = "x,y";
    dtb_observer *raw, *tavg, *sub;
    assert_int_equal(dtb_observer_create(&raw, sim, &o), DTB_OK);
    o.kind = DTB_OBSERVER_TAVG;
    o.period = 1e-3;
    assert_int_equal(dtb_observer_create(&tavg, sim, &o), DTB_OK);
    o.kind = DTB_OBSERVER_SUBSAMPLE;
    o.variables = NULL;   /* variables of interest: x */
    assert_int_equal(dtb_observer_create(&sub, sim, &o), DTB_OK);
    assert_int_equal(dtb_observer_column_count(raw), 4);
    assert_string_equal(dtb_observer_column_name(raw, 2), "y.0");
    assert_int_equal(dtb_observer_column_count(sub), 2);
    assert_string_equal(dtb_observer_kind_name(tavg), "tavg");
    assert_int_equal(dtb_sim_run(sim, 3e-3, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_observer_sample_count(raw), 30);
    assert_int_equal(dtb_observer_sample_count(tavg), 3);
    assert_int_equal(dtb_observer_pending(sub), 3);
    double rt[30], rv[120], tt[3], tv[12], st[3], sv[6];
    size_t n;
    /* read the raw samples in two chunks */
    assert_int_equal(dtb_observer_read(raw, rt, rv, 10, &n), DTB_OK);
    assert_int_equal(n, 10);
    assert_int_equal(dtb_observer_read(raw, rt + 10, rv + 40, 100, &n), DTB_OK);
    assert_int_equal(n, 20);
    assert_int_equal(dtb_observer_read(tavg, tt, tv, 3, &n), DTB_OK);
    assert_int_equal(dtb_observer_read(sub, st, sv, 3, &n), DTB_OK);
    for (int w = 0; w < 3; w++) {
        assert_true(fabs(tt[w] - (w * 1e-3 + 0.5e-3)) < 1e-15);   /* (n - istep/2) dt */
        assert_true(fabs(st[w] - (w + 1) * 1e-3) < 1e-15);
        for (int c = 0; c < 4; c++) {
            double mean = 0;
            for (int s = 0; s < 10; s++)
                mean += rv[(w * 10 + s) * 4 + c];
            assert_true(fabs(tv[w * 4 + c] - mean / 10) < 1e-15);
        }
        assert_true(sv[w * 2] == rv[(w * 10 + 9) * 4]);
    }
    assert_true(rt[0] == 1e-4);
    /* a callback that stops the run after five samples */
    int count = 0;
    dtb_observer_options co = DTB_OBSERVER_OPTIONS_INIT;
    co.kind = DTB_OBSERVER_RAW;
    co.sink = DTB_SINK_CALLBACK;
    co.callback = count_samples;
    co.user_data = &count;
    co.destroy = on_destroy;
    dtb_observer *cb;
    assert_int_equal(dtb_observer_create(&cb, sim, &co), DTB_OK);
    int64_t before = dtb_sim_step_index(sim);
    assert_int_equal(dtb_sim_run(sim, 1e-3, NULL, NULL), DTB_ECANCELLED);
    assert_error_contains("observer callback");
    assert_int_equal(dtb_sim_step_index(sim), before + 5);
    assert_int_equal(dtb_observer_read(cb, NULL, NULL, 1, &n), DTB_ESTATE);
    dtb_observer_free(cb);
    assert_int_equal(destroyed, 0);     /* the simulation still holds it */
    dtb_sim_free(sim);
    assert_int_equal(destroyed, 1);
    /* observers stay readable after their simulation is gone */
    assert_int_equal(dtb_observer_pending(raw), 5);
    dtb_observer_free(raw);
    dtb_observer_free(tavg);
    dtb_observer_free(sub);
    dtb_atlas_free(atlas);
}

/* Derived variables are observable: drive = -(x - x_inf). */
static void test_observe_derived(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_model *m;
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, &m);
    assert_int_equal(dtb_model_derived_count(m), 1);
    assert_string_equal(dtb_model_derived_name(m, 0), "drive");
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_RAW;
    o.variables = "x,drive";
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    assert_string_equal(dtb_observer_column_name(obs, 2), "drive.0");
    assert_int_equal(dtb_sim_step(sim, 5), DTB_OK);
    double t[5], v[20];
    size_t n;
    assert_int_equal(dtb_observer_read(obs, t, v, 5, &n), DTB_OK);
    assert_int_equal(n, 5);
    for (size_t s = 0; s < n; s++)
        for (int k = 0; k < 2; k++)
            assert_true(v[s * 4 + 2 + k] == -(v[s * 4 + k] - 1.0));
    o.variables = "nothing";
    dtb_observer *bad;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_ENOTFOUND);
    assert_error_contains("drive");
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_file_sinks(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(3);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    char csv[1024], npy[1024];
    snprintf(csv, sizeof csv, "%s/tavg.csv", test_tmpdir());
    snprintf(npy, sizeof npy, "%s/tavg.npy", test_tmpdir());
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_TAVG;
    o.period = 5e-4;
    o.sink = DTB_SINK_CSV;
    o.path = csv;
    dtb_observer *a, *b;
    assert_int_equal(dtb_observer_create(&a, sim, &o), DTB_OK);
    o.sink = DTB_SINK_NPY;
    o.path = npy;
    assert_int_equal(dtb_observer_create(&b, sim, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 2e-3, NULL, NULL), DTB_OK);
    char *text = read_text_file(csv, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, "t,x.0,x.1,x.2\n", 14) == 0);
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 5);
    dtb__npy_array arr;
    assert_int_equal(dtb__npy_read(npy, &arr), DTB_OK);
    assert_int_equal(arr.ndim, 2);
    assert_int_equal(arr.shape[0], 4);
    assert_int_equal(arr.shape[1], 4);
    /* CSV and NPY hold the same numbers (CSV written to round-trip) */
    char *p = strchr(text, '\n') + 1;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            char *end;
            double v = strtod(p, &end);
            assert_true(v == arr.data[r * 4 + c]);
            p = end + 1;
        }
    free(text);
    dtb__npy_array_free(&arr);
    /* the NPY file is complete after every run: run more, re-read */
    assert_int_equal(dtb_sim_run(sim, 1e-3, NULL, NULL), DTB_OK);
    assert_int_equal(dtb__npy_read(npy, &arr), DTB_OK);
    assert_int_equal(arr.shape[0], 6);
    dtb__npy_array_free(&arr);
    dtb_observer_free(a);
    dtb_observer_free(b);
    dtb_sim_free(sim);
    /* a path that cannot be created: clear error, nothing attached */
    sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    o.path = "/nonexistent-dir/x.npy";
    dtb_observer *c = (dtb_observer *)1;
    assert_int_equal(dtb_observer_create(&c, sim, &o), DTB_EIO);
    assert_null(c);
    assert_error_contains("/nonexistent-dir/x.npy");
    o.path = NULL;
    assert_int_equal(dtb_observer_create(&c, sim, &o), DTB_EINVAL);
    o.path = npy;
    o.period = 1.5e-4;   /* not a whole number of steps */
    assert_int_equal(dtb_observer_create(&c, sim, &o), DTB_EINVAL);
    o.period = 1e-3;
    o.variables = "x,q";
    assert_int_equal(dtb_observer_create(&c, sim, &o), DTB_ENOTFOUND);
    assert_error_contains("'q'");
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static int32_t stop_at_half(double t, double fraction, void *ud)
{
    (void)t;
    int *calls = ud;
    ++*calls;
    return fraction >= 0.5;
}

static void test_cancellation(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_HEUN, 1e-4, NULL);
    int calls = 0;
    assert_int_equal(dtb_sim_run(sim, 0.1, stop_at_half, &calls), DTB_ECANCELLED);
    assert_int_equal(dtb_sim_step_index(sim), 500);
    assert_int_equal(calls, 500);
    assert_error_contains("progress callback");
    dtb_sim_request_stop(sim);
    assert_int_equal(dtb_sim_step(sim, 10), DTB_ECANCELLED);
    assert_int_equal(dtb_sim_step_index(sim), 500);
    assert_int_equal(dtb_sim_step(sim, 10), DTB_OK);   /* the request was consumed */
    assert_int_equal(dtb_sim_step_index(sim), 510);
    assert_true(fabs(dtb_sim_time(sim) - 0.051) < 1e-15);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_non_finite_detected(void **state)
{
    (void)state;
    dtb_atlas *atlas = test_isolated_atlas(2);
    dtb_model *m;
    dtb_sim *sim = decay_sim(atlas, DTB_INTEGRATOR_EULER, 1e-4, &m);
    assert_int_equal(dtb_sim_set_param(sim, "k", 1e6), DTB_OK);
    dtb_status st = dtb_sim_run(sim, 0.1, NULL, NULL);
    assert_int_equal(st, DTB_ENUMERIC);
    assert_error_contains("variable 'x'");
    assert_error_contains("region 0");
    assert_true(dtb_sim_step_index(sim) < 200);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
}

static void test_errors(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    double w[4] = {0, 1, 1, 0};
    dtb_atlas *nolen;
    assert_int_equal(dtb_atlas_create_from_arrays(&nolen, 2, w, NULL, NULL, NULL), DTB_OK);
    dtb_sim *sim = (dtb_sim *)1;
    assert_int_equal(dtb_sim_create(&sim, nolen, m, NULL), DTB_EINVAL);
    assert_null(sim);
    assert_error_contains("tract lengths");
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = INFINITY;
    assert_int_equal(dtb_sim_create(&sim, nolen, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_horizon(sim), 1);
    double x[4] = {0, 0, 0, NAN};
    assert_int_equal(dtb_sim_set_initial_state(sim, x, 4), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_initial_state(sim, x, 3), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_noise(sim, 5, 0.1), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_noise(sim, 0, -1), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_param(sim, "zz", 1), DTB_ENOTFOUND);
    assert_int_equal(dtb_sim_step(sim, -1), DTB_EINVAL);
    assert_int_equal(dtb_sim_run(sim, NAN, NULL, NULL), DTB_EINVAL);
    assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
    x[3] = 0;
    assert_int_equal(dtb_sim_set_initial_state(sim, x, 4), DTB_ESTATE);
    dtb_sim_free(sim);
    o.version = 7;
    assert_int_equal(dtb_sim_create(&sim, nolen, m, &o), DTB_EINVAL);
    o.version = DTB_SIM_OPTIONS_VERSION;
    o.dt = -1;
    assert_int_equal(dtb_sim_create(&sim, nolen, m, &o), DTB_EINVAL);
    o.dt = 0;
    o.integrator = 42;
    assert_int_equal(dtb_sim_create(&sim, nolen, m, &o), DTB_EINVAL);
    assert_int_equal(dtb_sim_create(&sim, NULL, m, NULL), DTB_EINVAL);
    assert_int_equal(dtb_sim_step(NULL, 1), DTB_EINVAL);
    assert_true(isnan(dtb_sim_time(NULL)));
    dtb_sim_free(NULL);
    dtb_atlas_free(nolen);
    dtb_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integrator_orders),      cmocka_unit_test(test_gsl_integrators),      cmocka_unit_test(test_delays_round_half_even),
        cmocka_unit_test(test_coupling_kinds),
        cmocka_unit_test(test_gather_paths),         cmocka_unit_test(test_coupling_params),
        cmocka_unit_test(test_nonlinear_couplings),    cmocka_unit_test(test_coupling_file),
        cmocka_unit_test(test_noise_statistics_and_seed), cmocka_unit_test(test_bounds_and_conditionals),
        cmocka_unit_test(test_per_region_params),      cmocka_unit_test(test_observers),
        cmocka_unit_test(test_file_sinks),             cmocka_unit_test(test_observe_derived),             cmocka_unit_test(test_cancellation),
        cmocka_unit_test(test_non_finite_detected),    cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
