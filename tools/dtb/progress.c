/* dtb — progress bar on stderr.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(progress_state *p, double duration, int quiet)
{
    p->start_wall = wall_seconds();
    p->last_draw = 0;
    p->duration = duration;
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->drawn = 0;
}

int32_t progress_callback(double t, double fraction, void *user_data)
{
    progress_state *p = user_data;
    if (!p->enabled)
        return 0;
    double now = wall_seconds(), elapsed = now - p->start_wall;
    /* Only runs longer than a second get a bar, redrawn ten times a second. */
    if (elapsed < 1.0 || (now - p->last_draw < 0.1 && fraction < 1.0))
        return 0;
    p->last_draw = now;
    p->drawn = 1;
    const int width = 30;
    int filled = (int)(fraction * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double speed = elapsed > 0 ? t / elapsed : 0;
    double remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    fprintf(stderr, "\r[%s] %5.1f%%  t = %.3f s of %.3f s  %.2f sim-s/s  %.0f s left ", bar,
            100 * fraction, t, p->duration, speed, remaining);
    fflush(stderr);
    return 0;
}

void progress_finish(progress_state *p)
{
    if (p->drawn)
        fputc('\n', stderr);
}
