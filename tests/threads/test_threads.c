/* Thread safety through the public API (built twice: against the shared
 * library, suite 'api', and with ThreadSanitizer, suite 'tsan'):
 *  - two independent simulations on two threads give exactly the numbers
 *    they give when run one after the other;
 *  - two simulations made concurrently from one shared (frozen) atlas and
 *    model do too;
 *  - the last-error message and code are per thread: failures on two
 *    threads, interleaved by barriers, each keep their own message, and a
 *    thread's failure does not touch another thread's error slot;
 *  - dtb_sim_request_stop() from another thread stops a simulation (the
 *    request is made before the run, so it does not depend on timing).
 * Threads only record what they saw; the main thread judges.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#define N_STEPS 400

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s (last error on this thread: %s)\n", what,
                dtb_last_error_message());
        failures++;
    }
}

typedef struct run_job {
    const dtb_atlas *atlas;   /* shared, or NULL: the job makes its own */
    const dtb_model *model;
    uint64_t seed;
    double noise;
    dtb_status status;
    size_t n_values;
    double *values;           /* samples x columns of a raw observer */
} run_job;

static dtb_status run_one(run_job *job)
{
    dtb_atlas *own_atlas = NULL;
    dtb_model *own_model = NULL;
    dtb_sim *sim = NULL;
    dtb_observer *obs = NULL;
    dtb_status st = DTB_OK;
    const dtb_atlas *atlas = job->atlas;
    const dtb_model *model = job->model;
    if (!atlas) {
        st = dtb_atlas_create_builtin(&own_atlas, "bn246");
        atlas = own_atlas;
    }
    if (!st && !model) {
        st = dtb_model_create_builtin(&own_model, "generic_2d_oscillator");
        model = own_model;
    }
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.seed = job->seed;
    if (!st)
        st = dtb_sim_create(&sim, atlas, model, &so);
    if (!st)
        st = dtb_sim_set_noise(sim, -1, job->noise);
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_SUBSAMPLE;
    oo.period = 1e-3;
    oo.variables = "V,W";
    if (!st)
        st = dtb_observer_create(&obs, sim, &oo);
    if (!st)
        st = dtb_sim_step(sim, N_STEPS);
    if (!st) {
        int64_t cols = dtb_observer_column_count(obs);
        int64_t n = dtb_observer_pending(obs);
        job->n_values = (size_t)(n * cols);
        job->values = malloc(job->n_values * sizeof *job->values);
        size_t got = 0;
        st = job->values ? dtb_observer_read(obs, NULL, job->values, (size_t)n, &got)
                         : DTB_ENOMEM;
        if (!st && got != (size_t)n)
            st = DTB_ERROR;
    }
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(own_model);
    dtb_atlas_free(own_atlas);
    job->status = st;
    return st;
}

static void *run_thread(void *arg)
{
    run_one(arg);
    return NULL;
}

static int same_numbers(const run_job *a, const run_job *b)
{
    return a->status == DTB_OK && b->status == DTB_OK && a->n_values == b->n_values &&
           a->n_values > 0 && memcmp(a->values, b->values, a->n_values * sizeof(double)) == 0;
}

static void independent_simulations(const dtb_atlas *atlas, const dtb_model *model,
                                    const char *what)
{
    run_job alone[2] = {{atlas, model, 11, 1e-4, 0, 0, NULL}, {atlas, model, 12, 2e-4, 0, 0, NULL}};
    run_job together[2] = {alone[0], alone[1]};
    for (int i = 0; i < 2; i++)
        check(run_one(&alone[i]) == DTB_OK, "sequential run");
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        check(pthread_create(&th[i], NULL, run_thread, &together[i]) == 0, "pthread_create");
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: simulation %d on a thread gives the numbers of the "
                 "sequential run", what, i);
        check(same_numbers(&alone[i], &together[i]), msg);
    }
    check(!same_numbers(&alone[0], &alone[1]), "the two simulations differ (seeds, noise)");
    for (int i = 0; i < 2; i++) {
        free(alone[i].values);
        free(together[i].values);
    }
}

/* ---- error slots */

static pthread_barrier_t barrier;

typedef struct error_job {
    const char *name;           /* an unknown model name to fail with */
    char message_after[512];    /* this thread's message once both failed */
    dtb_status code_after;
    char message_before_own[512]; /* before failing itself, after the other failed */
} error_job;

static void *error_thread(void *arg)
{
    error_job *job = arg;
    dtb_model *m = NULL;
    if (job->name[0] == 'a') {                 /* thread A fails first */
        dtb_model_create_builtin(&m, job->name);
        pthread_barrier_wait(&barrier);        /* 1: A has failed */
        pthread_barrier_wait(&barrier);        /* 2: B has failed too */
    } else {                                   /* thread B */
        pthread_barrier_wait(&barrier);        /* 1 */
        snprintf(job->message_before_own, sizeof job->message_before_own, "%s",
                 dtb_last_error_message());
        dtb_model_create_builtin(&m, job->name);
        pthread_barrier_wait(&barrier);        /* 2 */
    }
    snprintf(job->message_after, sizeof job->message_after, "%s", dtb_last_error_message());
    job->code_after = dtb_last_error_code();
    return NULL;
}

static void error_slots_are_per_thread(void)
{
    dtb_clear_error();
    error_job jobs[2] = {{.name = "aaa_no_such_model"}, {.name = "bbb_no_such_model"}};
    pthread_t th[2];
    pthread_barrier_init(&barrier, NULL, 2);
    for (int i = 0; i < 2; i++)
        check(pthread_create(&th[i], NULL, error_thread, &jobs[i]) == 0, "pthread_create");
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    check(strstr(jobs[0].message_after, "aaa_no_such_model") != NULL,
          "thread A keeps its own message after thread B failed");
    check(strstr(jobs[1].message_after, "bbb_no_such_model") != NULL,
          "thread B has its own message");
    check(jobs[0].code_after == DTB_ENOTFOUND && jobs[1].code_after == DTB_ENOTFOUND,
          "each thread has its own code");
    check(jobs[1].message_before_own[0] == '\0',
          "thread A's failure left thread B's error slot empty");
    check(dtb_last_error_message()[0] == '\0' && dtb_last_error_code() == DTB_OK,
          "the main thread's error slot is untouched");
}

/* ---- stop from another thread */

static void *stop_thread(void *arg)
{
    dtb_sim_request_stop(arg);
    return NULL;
}

static void stop_from_another_thread(const dtb_atlas *atlas, const dtb_model *model)
{
    dtb_sim *sim = NULL;
    check(dtb_sim_create(&sim, atlas, model, NULL) == DTB_OK, "create");
    pthread_t th;
    check(pthread_create(&th, NULL, stop_thread, sim) == 0, "pthread_create");
    pthread_join(th, NULL);
    check(dtb_sim_step(sim, 10) == DTB_ECANCELLED, "a stop requested on another thread "
          "stops the next run");
    check(dtb_sim_step_index(sim) == 0, "before its first step");
    check(dtb_sim_step(sim, 10) == DTB_OK && dtb_sim_step_index(sim) == 10,
          "the request is cleared afterwards");
    dtb_sim_free(sim);
}

int main(void)
{
    /* Each thread makes its own atlas and model. */
    independent_simulations(NULL, NULL, "own atlas and model");
    /* Both threads share one atlas and one model (read-only). */
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    check(dtb_atlas_create_builtin(&atlas, "bn246") == DTB_OK, "atlas");
    check(dtb_model_create_builtin(&model, "generic_2d_oscillator") == DTB_OK, "model");
    independent_simulations(atlas, model, "shared atlas and model");
    error_slots_are_per_thread();
    stop_from_another_thread(atlas, model);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("two threads: independent simulations, per-thread errors, cross-thread stop: ok\n");
    return failures ? 1 : 0;
}
