/* A miniature public API in libdtb's style, built in several variants to
 * test the ABI guard itself (test_abi_selftest.py): the base variant gives
 * the baseline, each ABT_* macro makes one change that the guard must
 * accept (compatible) or reject (incompatible). Not part of libdtb. */
#ifndef DTB_ABT_H
#define DTB_ABT_H

#include <stddef.h>
#include <stdint.h>

#define DTB_ABT_API __attribute__((visibility("default")))

typedef struct dtb_abt dtb_abt;              /* opaque handle */

typedef enum dtb_abt_kind {
    DTB_ABT_KIND_A = 0,
#ifdef ABT_RENUMBER_ENUM
    DTB_ABT_KIND_B = 5,
#else
    DTB_ABT_KIND_B = 1,
#endif
#ifdef ABT_APPEND_ENUM
    DTB_ABT_KIND_C = 2,
#endif
    DTB_ABT_KIND_FORCE32_ = 0x7FFFFFFF
} dtb_abt_kind;

typedef struct dtb_abt_options {
    uint32_t version;
#ifdef ABT_INSERT_MEMBER
    uint32_t inserted;
#endif
#ifdef ABT_RETYPE_MEMBER
    int32_t flags;
#else
    uint32_t flags;
#endif
    double dt;
#ifdef ABT_APPEND_MEMBER
    double appended;
#endif
} dtb_abt_options;

#ifdef ABT_CALLBACK_FLOAT
typedef int32_t (*dtb_abt_fn)(float t, void *user_data);
#else
typedef int32_t (*dtb_abt_fn)(double t, void *user_data);
#endif

DTB_ABT_API int32_t dtb_abt_create(dtb_abt **out, const dtb_abt_options *opts);
DTB_ABT_API void dtb_abt_free(dtb_abt *h);
#ifdef ABT_PARAM_INT32
DTB_ABT_API int32_t dtb_abt_step(dtb_abt *h, int32_t n_steps);
#else
DTB_ABT_API int32_t dtb_abt_step(dtb_abt *h, int64_t n_steps);
#endif
DTB_ABT_API int32_t dtb_abt_run(dtb_abt *h, double duration, dtb_abt_fn fn, void *user_data);
DTB_ABT_API dtb_abt_kind dtb_abt_kind_of(const dtb_abt *h);
#ifndef ABT_REMOVE_FUNCTION
DTB_ABT_API size_t dtb_abt_count(const dtb_abt *h);
#endif
#ifdef ABT_ADD_FUNCTION
DTB_ABT_API int32_t dtb_abt_added(dtb_abt *h);
#endif
#ifdef ABT_ADD_EXPERIMENTAL
DTB_ABT_API int32_t dtb_abt_experimental(dtb_abt *h);
#endif

#endif
