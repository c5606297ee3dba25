/* dtb — signals that end a run: one implementation for run, sweep and fit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIGINT (every Ctrl-C, not only the first), SIGTERM and SIGHUP ask the
 * running simulation or exploration to stop: it stops after the step (or
 * the points) in progress, its files keep whole rows and its provenance
 * record says how far it got. sigaction, not signal(): signal() may reset
 * the handler after the first delivery, and a second Ctrl-C would then kill
 * the process mid-write. SIGXFSZ is ignored, so that a file-size limit
 * (ulimit -f) is a write error the run reports instead of a kill. The
 * handlers stay to the end of the process: a signal that comes while the
 * run writes its record or its figures must not cut them short. */
#include <signal.h>
#include <string.h>

#include "cli.h"

static void (*volatile stop_fn)(void *);
static void *volatile stop_target;
static volatile sig_atomic_t seen;
static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGXFSZ};
#define N_CAUGHT (sizeof caught / sizeof caught[0])
static int installed;

static void on_signal(int sig)
{
    seen = sig;
    void (*fn)(void *) = stop_fn;
    if (fn)
        fn(stop_target);   /* dtb_sim_request_stop and the like: one atomic store */
}

void cli_signals_install(void)
{
    if (installed)
        return;
    seen = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_CAUGHT; i++) {
        struct sigaction ignore = sa;
        if (caught[i] == SIGXFSZ)
            ignore.sa_handler = SIG_IGN;
        sigaction(caught[i], &ignore, NULL);
    }
    installed = 1;
}

void cli_signals_target(void (*stop)(void *), void *target)
{
    /* the handler reads the function, then the target: set the target
     * first and clear the function first */
    stop_fn = NULL;
    stop_target = target;
    stop_fn = stop;
    if (stop && seen)
        stop(target);   /* a signal came before there was anything to stop */
}

int cli_signal_seen(void) { return seen == SIGXFSZ ? 0 : seen; }
