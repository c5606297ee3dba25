/* libdtb internal — running LEMS simulations (the component trees of a
 * LEMS/NeuroML document) with the block bytecode of libdtb/expr.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A simulation is built from a document and one Simulation component: the
 * target component is instantiated as a tree (nested components, Structure
 * ChildInstance/MultiInstantiate, connections and attachments made by
 * EventConnection/Tunnel/ForEach), the instances of each ComponentType are
 * laid out as structure-of-arrays, and each type's expressions are compiled
 * into programs that run over all its instances at once.
 *
 * Semantics (see dtb-lems(7) and lr_run.c for the offsets to pylems and
 * jLEMS). The run records the times t_0 = 0, t_{k+1} = t_k + dt
 * (accumulated in double, as both reference interpreters do), k = 0..N
 * with N = round(length / dt). Two orders of a forward-Euler step
 * (dtb__lr_options.order): jLEMS' (the default, lr_tree.c: the tree
 * children first, each instance's derived variables, update and
 * OnConditions at once, at time t_{k+1}) and pylems' (simultaneous,
 * below). The other methods (lr_ode.c) integrate the simultaneous system
 * with the same handler phase at step boundaries. pylems' order, at every
 * t_k:
 *   1. handlers: every OnCondition of every instance (the current regime's
 *      and the Dynamics') is tested on the same values; the assignments of
 *      the handlers that fire are computed from those values and applied in
 *      document order; their EventOuts are sent; Transitions change regime
 *      and run the new regime's OnEntry. Events due at t_k (sent now with
 *      no delay, or earlier with a delay) are then delivered: each runs the
 *      receiving port's OnEvent, in the order sent; events those send are
 *      delivered in the same instant.
 *   2. derived variables of all instances from the state at t_k, in
 *      dependency order across components (a child reads its parent's
 *      derived variables of the same instant and vice versa: no lag);
 *      when a handler reads derived variables they are also computed
 *      before step 1, and then again only if a handler changed a state;
 *   3. the row for t_k is recorded (state after the handlers);
 *   4. unless k = N: the step to t_{k+1} by the method (forward Euler:
 *      x_{k+1} = x_k + dt * dx/dt(t_k)), in every instance.
 * Before t_0: derived parameters, then OnStart from the root of the tree
 * down (an instance's OnStart sees its ancestors' initial state and
 * derived variables computed from it).
 */
#ifndef DTB_LEMS_RUN_H
#define DTB_LEMS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"
#include "lems/lems.h"

typedef struct dtb__lr_sim dtb__lr_sim;

/* The order of a forward-Euler step's updates (see lr_tree.c, lr_run.c). */
typedef enum dtb__lr_order {
    DTB__LR_ORDER_JLEMS = 0,   /* the instance tree children first, each instance at once */
    DTB__LR_ORDER_PYLEMS = 1   /* every instance from the same state (simultaneous) */
} dtb__lr_order;

/* The integration method. */
typedef enum dtb__lr_method {
    DTB__LR_EULER = 0, DTB__LR_RK4, DTB__LR_RKF45, DTB__LR_RKCK, DTB__LR_RK8PD
} dtb__lr_method;

typedef struct dtb__lr_options {
    const char *simulation;    /* Simulation component id; NULL: the document's Target */
    int has_seed;              /* 1: use `seed`, else the Simulation's seed (or 0) */
    uint64_t seed;
    dtb__lr_order order;
    dtb__lr_method method;
    double rtol, atol;         /* adaptive methods; 0: 1e-8 and 1e-10 */
    int one_by_one;            /* jLEMS order instance by instance, unbatched (tests) */
} dtb__lr_options;

/* What a Simulation asks to record: Displays (one file each, named after
 * the display id), OutputFiles (the file name the XML gives) and
 * EventOutputFiles. Columns are indices into the row passed to the row
 * callback; events arrive through the event callback. */
typedef struct dtb__lr_output {
    char *name;                /* OutputFile/EventOutputFile fileName, or the Display id */
    int is_display;
    int is_events;             /* an EventOutputFile: no columns */
    int id_first;              /* EventOutputFile format ID_TIME (default TIME_ID) */
    size_t first_column, n_columns;
} dtb__lr_output;

/* Build a simulation. The document must stay alive while it exists. */
dtb_status dtb__lr_create(const dtb__lems_doc *doc, const dtb__lr_options *opts, dtb__lr_sim **out);
void dtb__lr_free(dtb__lr_sim *sim);

double dtb__lr_dt(const dtb__lr_sim *sim);
int64_t dtb__lr_steps(const dtb__lr_sim *sim);   /* N: rows are 0..N */

size_t dtb__lr_output_count(const dtb__lr_sim *sim);
const dtb__lr_output *dtb__lr_output_at(const dtb__lr_sim *sim, size_t i);

/* Add a recorded column: a quantity path relative to the target ("pop[0]/v",
 * "RS_pop/0/RS/u", "node/E", "c_in"). Returns its index (before running). */
dtb_status dtb__lr_add_column(dtb__lr_sim *sim, const char *path, size_t *index_out);
size_t dtb__lr_column_count(const dtb__lr_sim *sim);
const char *dtb__lr_column_path(const dtb__lr_sim *sim, size_t i);

/* Called for every event an EventOutputFile selects: the output's index,
 * the EventSelection's id and the time of the event (seconds). */
typedef void (*dtb__lr_event_fn)(size_t output, const char *id, double t, void *ud);
void dtb__lr_on_event(dtb__lr_sim *sim, dtb__lr_event_fn fn, void *ud);

/* Run to the end. row(t, values, ud) is called for every recorded time
 * (N+1 times) with every column's value in SI; a non-zero return stops the
 * run with DTB_ECANCELLED. */
typedef int (*dtb__lr_row_fn)(double t, const double *values, void *ud);
dtb_status dtb__lr_run(dtb__lr_sim *sim, dtb__lr_row_fn row, void *ud);

/* Instances and ComponentTypes in the built simulation (for reports and
 * benchmarks). */
size_t dtb__lr_instance_count(const dtb__lr_sim *sim);

#endif
