/* Best and median of repeated timings, for the benchmarks. The machine the
 * README's figures come from is shared and its clock varies by tens of
 * percent, so every bench repeats a measurement and prints both: the best
 * (the least disturbed run) and the median (a typical one), of the wall
 * time and of the CPU time of the measuring thread (the benches run on
 * one thread: a run that waits for the CPU while other jobs use it loses
 * wall time, not CPU time). */
#ifndef DTB_BENCH_STATS_H
#define DTB_BENCH_STATS_H

#include <stdlib.h>
#include <time.h>

/* Wall-clock and thread CPU seconds. */
static inline double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n-1]; *best = the smallest, *median = the middle one (the
 * mean of the two middle ones for even n). */
static inline void bench_best_median(double *v, int n, double *best, double *median)
{
    qsort(v, (size_t)n, sizeof v[0], bench_cmp_double);
    *best = v[0];
    *median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* "--runs N": N >= 1, or 0 when the text is not such a number. */
static inline int bench_parse_runs(const char *text)
{
    char *end;
    long r = strtol(text, &end, 10);
    return (*end == '\0' && r >= 1 && r <= 1000) ? (int)r : 0;
}

#endif
