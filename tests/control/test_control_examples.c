/* The worked examples of closed-loop control (man 7 dtb-assimilate):
 *   (a) a region's firing rate held at a target while its input steps up
 *       and then down (Montbrio-Pazo-Roxin, PI control of the input
 *       current), written in the form read=tavg:r@0;
 *   (b) seizure-like activity of an Epileptor network suppressed by
 *       feedback stimulation at the epileptogenic regions, against no
 *       stimulation and against open-loop stimulation of the same energy
 *       (the same integral of the squared drive, region by region).
 * The figures are printed; the assertions are the examples' claims. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { N = 4, EZ = 2 };   /* regions 0 and 1 are epileptogenic */
#define DURATION 20.0     /* s of Epileptor */
#define SKIP 2.0          /* s: the start's transient, not scored */
#define PERIOD 0.01       /* s: control period and sampling */
#define SEIZING (-0.5)    /* x1 above it: the seizure branch */

static char atlas_dir[1024];

/* A chain of four regions 20 mm apart. */
static int setup(void **state)
{
    (void)state;
    snprintf(atlas_dir, sizeof atlas_dir, "%s/atlas", test_tmpdir());
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && cd '%s' && printf '0 1 0.5 0\\n1 0 1 0.3\\n0.5 1 0 1\\n0 0.3 1 0\\n'"
             " > weights.txt && printf '0 20 40 60\\n20 0 20 40\\n40 20 0 20\\n60 40 20 0\\n' > "
             "tract_lengths.txt && printf '0 0 0\\n20 0 0\\n40 0 0\\n60 0 0\\n' > centres.txt",
             atlas_dir, atlas_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static dtb_experiment *experiment(const char *model)
{
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "atlas", atlas_dir), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "model", model), DTB_OK);
    return e;
}

static dtb_sim *build(dtb_experiment *e, const char *name)
{
    char out[1200];
    snprintf(out, sizeof out, "%s/%s", test_tmpdir(), name);
    dtb_sim *sim;
    assert_int_equal(dtb_experiment_build(e, out, &sim), DTB_OK);
    dtb_experiment_free(e);
    return sim;
}

static dtb_observer *tavg(dtb_sim *sim, const char *var)
{
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_TAVG;
    o.period = PERIOD;
    o.variables = var;
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &o), DTB_OK);
    return obs;
}

/* The observer's samples so far (samples x N), its times in t. */
static double *samples(dtb_observer *obs, double **t, size_t *n)
{
    *n = (size_t)dtb_observer_pending(obs);
    double *y = malloc(*n * N * sizeof *y);
    *t = malloc(*n * sizeof **t);
    size_t got;
    assert_int_equal(dtb_observer_read(obs, *t, y, *n, &got), DTB_OK);
    assert_int_equal(got, *n);
    return y;
}

/* ------------------------------------------------- (a) a rate held */

/* Region 0's rate r at 0.9 s, 1.9 s and 2.9 s (the end of each input
 * level: before the steps, after +2 at 1 s, after -3 at 2 s). */
static void rate_levels(int controlled, double r[3])
{
    dtb_experiment *e = experiment("montbrio_pazo_roxin");
    assert_int_equal(dtb_experiment_add(e, "set", "J=5"), DTB_OK);   /* one stable state */
    assert_int_equal(dtb_experiment_add(e, "coupling", "linear:a=0"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "stimulus", "step:onset=1s,amplitude=2:regions=0:"
                                                       "into=I"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "stimulus", "step:onset=2s,amplitude=-3:regions=0:"
                                                       "into=I"), DTB_OK);
    if (controlled)   /* the form: read=OBS:VAR@REGION */
        assert_int_equal(dtb_experiment_add(e, "control", "pid:kp=2,ki=100,min=-20,max=20,"
                                                          "period=1ms:read=tavg:r@0:target=0.3:"
                                                          "drive=I@0"), DTB_OK);
    dtb_sim *sim = build(e, controlled ? "rate-held" : "rate-open");
    dtb_observer *obs = tavg(sim, "r");
    assert_int_equal(dtb_sim_run(sim, 3.0, NULL, NULL), DTB_OK);
    size_t n;
    double *t, *y = samples(obs, &t, &n);
    const double at[3] = {0.9, 1.9, 2.9};
    for (int k = 0; k < 3; k++) {
        size_t i = 0;
        while (i + 1 < n && t[i] < at[k])
            i++;
        r[k] = y[i * N];
    }
    free(t);
    free(y);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
}

static void test_rate_held_through_input_steps(void **state)
{
    (void)state;
    double open[3], held[3];
    rate_levels(0, open);
    rate_levels(1, held);
    print_message("rate r of region 0 at the end of each input level (0, +2, -1):\n"
                  "  open loop %.4f %.4f %.4f\n  PI control %.4f %.4f %.4f (target 0.3)\n",
                  open[0], open[1], open[2], held[0], held[1], held[2]);
    for (int k = 0; k < 3; k++) {
        assert_true(fabs(held[k] - 0.3) < 0.003);
        assert_true(fabs(open[k] - 0.3) > 0.15);   /* far from it without control */
    }
    assert_true(fabs(open[1] - open[2]) > 0.02);   /* the steps move the open loop */
}

/* ------------------------------------ (b) seizures of an Epileptor network */

typedef struct seizure_run {
    double fraction;          /* of samples (after SKIP) with x1 above SEIZING, EZ regions */
    double energy[EZ];        /* integral of the squared drive, per region (s) */
} seizure_run;

/* mode 0: no stimulation; 1: feedback (a P controller per EZ region
 * reading its x1 and driving x1 there, only downwards); 2: open loop, a
 * constant drive per region of the energy given. */
static seizure_run epileptor(int mode, const double energy[EZ])
{
    dtb_experiment *e = experiment("epileptor");
    assert_int_equal(dtb_experiment_add(e, "set", "x0=-2.2"), DTB_OK);      /* healthy */
    assert_int_equal(dtb_experiment_add(e, "set", "x0@0+1=-1.6"), DTB_OK);  /* seizing */
    for (int k = 0; mode == 2 && k < EZ; k++) {
        char s[200];
        snprintf(s, sizeof s, "step:onset=0,amplitude=%.17g:regions=%d:into=x1",
                 -sqrt(energy[k] / DURATION), k);
        assert_int_equal(dtb_experiment_add(e, "stimulus", s), DTB_OK);
    }
    dtb_sim *sim = build(e, mode == 0 ? "ep-none" : mode == 1 ? "ep-closed" : "ep-open");
    dtb_controller *c[EZ] = {NULL};
    for (int k = 0; mode == 1 && k < EZ; k++) {
        dtb_pid_options o;
        assert_int_equal(dtb_pid_options_init(&o, DTB_PID_OPTIONS_VERSION), DTB_OK);
        o.kp = 2;
        o.target = -1.5;      /* x1 between seizures */
        o.out_min = -5;
        o.out_max = 0;        /* inhibition only */
        assert_int_equal(dtb_controller_create_pid(&c[k], &o), DTB_OK);
        const int64_t region = k;
        assert_int_equal(dtb_controller_attach(c[k], sim, "x1", k, PERIOD, "x1", &region, 1),
                         DTB_OK);
    }
    dtb_observer *obs = tavg(sim, "x1");
    seizure_run r = {0};
    const int periods = (int)lround(DURATION / PERIOD);
    for (int p = 0; p < periods; p++) {
        /* the output in force through this period */
        for (int k = 0; mode == 1 && k < EZ; k++) {
            const double u = dtb_controller_output(c[k]);
            r.energy[k] += u * u * PERIOD;
        }
        assert_int_equal(dtb_sim_run(sim, PERIOD, NULL, NULL), DTB_OK);
    }
    for (int k = 0; mode == 2 && k < EZ; k++)
        r.energy[k] = energy[k];
    size_t n, kept = 0, above = 0;
    double *t, *y = samples(obs, &t, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i] >= SKIP) {
            kept++;
            for (int k = 0; k < EZ; k++)
                above += y[i * N + k] > SEIZING;
        }
    r.fraction = (double)above / (double)(kept * EZ);
    free(t);
    free(y);
    dtb_observer_free(obs);
    for (int k = 0; k < EZ; k++)
        dtb_controller_free(c[k]);
    dtb_sim_free(sim);
    return r;
}

static void test_seizures_suppressed_by_feedback(void **state)
{
    (void)state;
    const seizure_run none = epileptor(0, NULL);
    const seizure_run closed = epileptor(1, NULL);
    const seizure_run open = epileptor(2, closed.energy);
    print_message("Epileptor, regions 0 and 1 epileptogenic (x0 = -1.6), 20 s: fraction of time "
                  "in seizure (x1 > -0.5)\n  none %.4f\n  open loop %.4f (constant drive, "
                  "energy %.4g + %.4g)\n  closed loop %.4f (energy %.4g + %.4g)\n",
                  none.fraction, open.fraction, open.energy[0], open.energy[1], closed.fraction,
                  closed.energy[0], closed.energy[1]);
    assert_true(none.fraction > 0.3);               /* the network seizes */
    assert_true(closed.energy[0] > 0 && closed.energy[1] > 0);
    assert_true(closed.fraction < 0.1 * none.fraction);
    assert_true(closed.fraction < 0.1 * open.fraction);   /* the same energy, open loop */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_held_through_input_steps),
        cmocka_unit_test(test_seizures_suppressed_by_feedback),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
