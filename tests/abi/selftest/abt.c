/* Implementation of the miniature API of abt.h (see there). The private
 * struct changes with ABT_PRIVATE_CHANGE, which the guard must ignore. */
#include <stdlib.h>

#include "abt.h"

struct dtb_abt {
    double t;
    int64_t steps;
#ifdef ABT_PRIVATE_CHANGE
    double added_privately[4];
#endif
    dtb_abt_kind kind;
};

int32_t dtb_abt_create(dtb_abt **out, const dtb_abt_options *opts)
{
    *out = calloc(1, sizeof **out);
    if (*out && opts)
        (*out)->t = opts->dt;
    return *out ? 0 : -3;
}

void dtb_abt_free(dtb_abt *h) { free(h); }

#ifdef ABT_PARAM_INT32
int32_t dtb_abt_step(dtb_abt *h, int32_t n_steps)
#else
int32_t dtb_abt_step(dtb_abt *h, int64_t n_steps)
#endif
{
    h->steps += n_steps;
    return 0;
}

int32_t dtb_abt_run(dtb_abt *h, double duration, dtb_abt_fn fn, void *user_data)
{
    h->t += duration;
    return fn ? fn(h->t, user_data) : 0;
}

dtb_abt_kind dtb_abt_kind_of(const dtb_abt *h) { return h->kind; }

#ifndef ABT_REMOVE_FUNCTION
size_t dtb_abt_count(const dtb_abt *h) { return (size_t)h->steps; }
#endif
#ifdef ABT_ADD_FUNCTION
int32_t dtb_abt_added(dtb_abt *h) { return h ? 0 : -2; }
#endif
#ifdef ABT_ADD_EXPERIMENTAL
int32_t dtb_abt_experimental(dtb_abt *h) { return h ? 0 : -2; }
#endif
