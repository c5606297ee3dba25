/* libdtb internal — the checkpoint walker: one declaration of a
 * component's persistent fields gives its save, its check and its restore.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A component writes ONE function, `xxx_fields(dtb__ckpt *w, xxx *c)`, that
 * names its fields in file order with the calls below. The walker's mode
 * decides what each call does:
 *   SAVE     appends the field to the buffer;
 *   CHECK    reads it, checks it (sizes against the component, ranges) and
 *            changes nothing in the component;
 *   RESTORE  reads it into the component.
 * Loading runs the function twice over the same bytes, CHECK then RESTORE,
 * so a file that is short, damaged or of another component fails before
 * anything changes. What restoring needs and could fail to get (memory) is
 * got at the check: capacity (more of it changes nothing one can see) or a
 * staged copy (dtb__ckpt_stage_*) that the caller installs after the walk.
 *
 * Layout: every integer and double is 8 little-endian bytes, a string its
 * length and its bytes. After the first failure every call does nothing
 * and returns 0, so a fields function needs no error handling of its own:
 * the status and a message naming the field (`why`, with the scopes it is
 * in) are in the walker when the walk ends. */
#ifndef DTB_CKPT_H
#define DTB_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

typedef enum dtb__ckpt_mode { DTB__CKPT_SAVE, DTB__CKPT_CHECK, DTB__CKPT_RESTORE } dtb__ckpt_mode;

typedef struct dtb__ckpt {
    dtb__ckpt_mode mode;
    unsigned char *data;   /* SAVE: the bytes written (owned); else the bytes read */
    size_t len, cap, pos;  /* reading: the next field starts at pos */
    dtb_status status;     /* the first failure */
    char scope[256];       /* where the walk is, as message prefixes ("population 'E': ") */
    char why[1024];        /* the failure in words, without "checkpoint: " (empty when a
                              callee's failure, dtb__ckpt_fail, left its own message) */
} dtb__ckpt;

/* A walker that saves (free it with dtb__ckpt_free) or reads data[pos..len). */
void dtb__ckpt_save_begin(dtb__ckpt *w);
void dtb__ckpt_read_begin(dtb__ckpt *w, dtb__ckpt_mode mode, const void *data, size_t len,
                          size_t pos);
void dtb__ckpt_free(dtb__ckpt *w);

static inline int dtb__ckpt_ok(const dtb__ckpt *w) { return w->status == DTB_OK; }
static inline int dtb__ckpt_saving(const dtb__ckpt *w) { return w->mode == DTB__CKPT_SAVE; }
/* CHECK (RESTORE) and nothing has failed: the time to make room (to store). */
static inline int dtb__ckpt_checking(const dtb__ckpt *w)
{
    return w->mode == DTB__CKPT_CHECK && w->status == DTB_OK;
}
static inline int dtb__ckpt_restoring(const dtb__ckpt *w)
{
    return w->mode == DTB__CKPT_RESTORE && w->status == DTB_OK;
}

/* --- Fields of the component: SAVE writes *v, RESTORE stores into *v,
 * CHECK reads past. A NULL destination (never when saving) reads past in
 * RESTORE too: what a caller keeps of its own. `what` names the field in
 * messages. */
void dtb__ckpt_i64(dtb__ckpt *w, const char *what, int64_t *v);
void dtb__ckpt_f64(dtb__ckpt *w, const char *what, double *v);
void dtb__ckpt_u64s(dtb__ckpt *w, const char *what, uint64_t *v, size_t n);
void dtb__ckpt_i64s(dtb__ckpt *w, const char *what, int64_t *v, size_t n);
void dtb__ckpt_f64s(dtb__ckpt *w, const char *what, double *v, size_t n);

/* An integer field of any integer or enum type (a flag, a kind, an index,
 * a step), 0..max in the file: a larger value is a damaged file. */
#define DTB__CKPT_INT(w, what, field, max)                                                      \
    do {                                                                                        \
        const uint64_t ckpt_v_ =                                                                \
            dtb__ckpt_take((w), (what), dtb__ckpt_saving(w) ? (uint64_t)(field) : 0, (max));    \
        if (dtb__ckpt_restoring(w))                                                             \
            (field) = ckpt_v_;                                                                  \
    } while (0)

/* --- Values the walk itself needs in every mode: counts, flags and kinds
 * that decide what follows, values staged for the caller. SAVE writes
 * `mine` and returns it; CHECK and RESTORE return the file's. `mine` is
 * only read when saving, but must be safe to evaluate. */
uint64_t dtb__ckpt_take(dtb__ckpt *w, const char *what, uint64_t mine, uint64_t max);
double dtb__ckpt_take_f64(dtb__ckpt *w, const char *what, double mine);
/* A count of items that follow, each at least item_bytes long: a count
 * the rest of the file cannot hold is a truncated file, found before
 * anything is allocated for it. */
uint64_t dtb__ckpt_count(dtb__ckpt *w, const char *what, uint64_t mine, size_t item_bytes);
/* A string of any length: *n bytes at the returned pointer, which points
 * into the file when reading (not NUL-terminated). NULL mine saves "". */
const char *dtb__ckpt_take_str(dtb__ckpt *w, const char *what, const char *mine, size_t *n);
/* Whether the string in the file is `mine` (no failure if not). */
int dtb__ckpt_same_str(dtb__ckpt *w, const char *what, const char *mine);

/* --- Staged values: CHECK stores a malloc'd copy in *staged (when staged
 * is not NULL; the caller frees it), RESTORE reads past (the copy is
 * there already), SAVE writes mine. */
void dtb__ckpt_stage_str(dtb__ckpt *w, const char *what, char **staged, const char *mine);
void dtb__ckpt_stage_f64s(dtb__ckpt *w, const char *what, double **staged, const double *mine,
                          size_t n);

/* --- Fingerprints: the value the component has, which the file must
 * have too; otherwise "<what> differs (file x, simulation y)". Return
 * whether it does. */
int dtb__ckpt_fixed(dtb__ckpt *w, const char *what, uint64_t mine);
int dtb__ckpt_fixed_str(dtb__ckpt *w, const char *what, const char *mine);

/* --- Failures (the first one counts; each also sets the thread's error,
 * "checkpoint: <scope><why>"). */
/* The file is of another component: what differs, in words (DTB_EINVAL). */
void dtb__ckpt_differs(dtb__ckpt *w, const char *fmt, ...) DTB__PRINTF(2, 3);
/* A value no save writes (DTB_EPARSE). */
void dtb__ckpt_damaged(dtb__ckpt *w, const char *what);
/* A callee failed (no memory, a file) and set its own message. */
void dtb__ckpt_fail(dtb__ckpt *w, dtb_status st);

/* Scopes prefix the messages of the fields inside them: enter returns a
 * mark, leave goes back to it. */
size_t dtb__ckpt_enter(dtb__ckpt *w, const char *fmt, ...) DTB__PRINTF(2, 3);
void dtb__ckpt_leave(dtb__ckpt *w, size_t mark);

/* Raw bytes when saving (a file's magic). */
void dtb__ckpt_put(dtb__ckpt *w, const void *p, size_t n);

/* FNV-1a, 64 bits: a checksum over a byte range. */
uint64_t dtb__fnv1a(const void *data, size_t n);

#endif
