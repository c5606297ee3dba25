/* Two independent simulations in two threads of one program: the same
 * twin (Generic2dOscillator on the built-in bn246 atlas, 3 m/s delays),
 * once intact and once with a virtual lesion of the left and right A8m
 * regions, run side by side; then the mean activity of each is compared.
 *
 * What makes this safe (dtb_sim(3)): different simulations are
 * independent; an atlas and a model that no thread modifies may be shared
 * by any number of simulations being created on any threads (they are
 * copied); callbacks run on the thread that runs the simulation; the last
 * error message is per thread, so each thread reads its own.
 *
 *   cc two_threads.c $(pkg-config --cflags --libs dtb) -pthread -o two_threads
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

typedef struct twin_job {
    const char *name;
    const dtb_atlas *atlas;     /* shared, read-only */
    const dtb_model *model;     /* shared, read-only */
    int lesion;                 /* lesion A8m on both sides */
    double mean_v;              /* result: mean of V over regions and samples */
    int64_t samples;
    char error[256];            /* this thread's error message, if any */
} twin_job;

static void *run_twin(void *arg)
{
    twin_job *job = arg;
    dtb_sim *sim = NULL;
    dtb_observer *obs = NULL;
    double *values = NULL;
    dtb_sim_options opts = DTB_SIM_OPTIONS_INIT;
    opts.seed = 7;
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;   /* 1 ms average of V */
    int64_t left, right;
    if (dtb_sim_create(&sim, job->atlas, job->model, &opts) ||
        dtb_sim_set_noise(sim, -1, 1e-4) ||
        (job->lesion && (dtb_atlas_find_region(job->atlas, "A8m_L", &left) ||
                         dtb_atlas_find_region(job->atlas, "A8m_R", &right) ||
                         dtb_sim_lesion_region(sim, left) ||
                         dtb_sim_lesion_region(sim, right))) ||
        dtb_observer_create(&obs, sim, &oo) ||
        dtb_sim_run(sim, 0.2, NULL, NULL))
        goto fail;
    int64_t cols = dtb_observer_column_count(obs);
    int64_t n = dtb_observer_pending(obs);
    values = malloc((size_t)(n * cols) * sizeof *values);
    if (!values) {
        snprintf(job->error, sizeof job->error, "out of memory");
        goto done;
    }
    size_t got = 0;
    if (dtb_observer_read(obs, NULL, values, (size_t)n, &got))
        goto fail;
    double sum = 0.0;
    for (size_t i = 0; i < got * (size_t)cols; i++)
        sum += values[i];
    job->samples = (int64_t)got;
    job->mean_v = sum / (double)(got * (size_t)cols);
    goto done;
fail:
    /* Read on this thread: the message of another thread's failure never
     * shows up here. */
    snprintf(job->error, sizeof job->error, "%s", dtb_last_error_message());
done:
    free(values);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    return NULL;
}

int main(void)
{
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246") ||
        dtb_model_create_builtin(&model, "generic_2d_oscillator")) {
        fprintf(stderr, "%s\n", dtb_last_error_message());
        return 1;
    }
    twin_job jobs[2] = {{.name = "intact", .atlas = atlas, .model = model, .lesion = 0},
                        {.name = "lesioned", .atlas = atlas, .model = model, .lesion = 1}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        if (pthread_create(&threads[i], NULL, run_twin, &jobs[i]) != 0) {
            fprintf(stderr, "cannot start a thread\n");
            return 1;
        }
    }
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);

    int rc = 0;
    for (int i = 0; i < 2; i++) {
        if (jobs[i].error[0]) {
            fprintf(stderr, "%s twin: %s\n", jobs[i].name, jobs[i].error);
            rc = 1;
        } else {
            printf("%-8s twin: %lld samples, mean V %.6f\n", jobs[i].name,
                   (long long)jobs[i].samples, jobs[i].mean_v);
            if (jobs[i].samples != 200 || !isfinite(jobs[i].mean_v))
                rc = 1;
        }
    }
    if (!rc)
        printf("lesion changed mean V by %.3g\n", jobs[1].mean_v - jobs[0].mean_v);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return rc;
}
