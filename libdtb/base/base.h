/* libdtb internal — error reporting, allocation, strings, reference counts.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal non-static symbols use the dtb__ prefix and are never exported
 * (hidden visibility + version script).
 */
#ifndef DTB_BASE_H
#define DTB_BASE_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"
#include "dtb/dtb_error.h"

#if defined(__GNUC__)
#  define DTB__PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define DTB__LIKELY(x) __builtin_expect(!!(x), 1)
#  define DTB__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define DTB__PRINTF(f, a)
#  define DTB__LIKELY(x) (x)
#  define DTB__UNLIKELY(x) (x)
#endif

/* Store a message for this thread and return `code` (so callers can write
 * `return dtb__error(DTB_EINVAL, "...")`). */
dtb_status dtb__error(dtb_status code, const char *fmt, ...) DTB__PRINTF(2, 3);
dtb_status dtb__verror(dtb_status code, const char *fmt, va_list ap);

/* Prefix the current message with "<prefix>: " (keeps the code). Used to add
 * context ("loading atlas 'x'") while an error travels up. */
dtb_status dtb__error_context(dtb_status code, const char *fmt, ...) DTB__PRINTF(2, 3);

/* Allocation: on failure set DTB_ENOMEM with a message and return NULL.
 * dtb__calloc and dtb__malloc_array check n*size for overflow. */
void *dtb__malloc(size_t size);
void *dtb__calloc(size_t n, size_t size);
void *dtb__malloc_array(size_t n, size_t size);
void *dtb__realloc_array(void *ptr, size_t n, size_t size);
char *dtb__strdup(const char *s);
char *dtb__strndup(const char *s, size_t n);
char *dtb__asprintf(const char *fmt, ...) DTB__PRINTF(1, 2);

/* Inputs. No file libdtb reads may hold more than DTB__MAX_INPUT_BYTES
 * (1 GiB), whatever it is: a regular file is refused by its size before it
 * is read, a pipe or device (/dev/zero) once it has sent that much, and a
 * text file at its first NUL byte, as soon as it is read. So no input can
 * take the machine's memory or run forever. */
#define DTB__MAX_INPUT_BYTES ((size_t)1 << 30)
/* The whole file, NUL-terminated, in *data (malloc'd), its length in *len.
 * text (DTB__INPUT_TEXT or _XML, which says so in the message): refuse NUL
 * bytes (DTB_EPARSE naming the line); 0: binary. DTB_ENOTFOUND when
 * it does not exist, DTB_EIO when it cannot be read or is a folder,
 * DTB_EINVAL when it is too large; messages start with the path. */
enum { DTB__INPUT_BINARY = 0, DTB__INPUT_TEXT = 1, DTB__INPUT_XML = 2 };
dtb_status dtb__read_input(const char *path, int text, char **data, size_t *len);

/* Growable string. All functions keep `data` NUL-terminated. On allocation
 * failure `failed` becomes 1 and further appends do nothing. */
typedef struct dtb__strbuf {
    char *data;
    size_t len, cap;
    int failed;
} dtb__strbuf;
void dtb__strbuf_append(dtb__strbuf *b, const char *s);
void dtb__strbuf_appendn(dtb__strbuf *b, const char *s, size_t n);
void dtb__strbuf_printf(dtb__strbuf *b, const char *fmt, ...) DTB__PRINTF(2, 3);
void dtb__strbuf_free(dtb__strbuf *b);

/* Reference counts for handles shared between objects. */
typedef struct dtb__refcount {
    atomic_int n;
} dtb__refcount;
static inline void dtb__ref_init(dtb__refcount *r) { atomic_init(&r->n, 1); }
static inline void dtb__ref_get(dtb__refcount *r) { atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed); }
/* Returns 1 when the last reference was dropped. */
static inline int dtb__ref_put(dtb__refcount *r)
{
    return atomic_fetch_sub_explicit(&r->n, 1, memory_order_acq_rel) == 1;
}

/* Locale-independent number parsing and printing (hosts may run with a
 * decimal-comma LC_NUMERIC). dtb__parse_double accepts leading/trailing
 * spaces, rejects empty strings and trailing garbage unless `end` is given. */
double dtb__strtod(const char *s, char **end);
int dtb__parse_double(const char *s, double *out);
int dtb__parse_int64(const char *s, int64_t *out);
/* snprintf in the C locale. */
int dtb__snprintf_c(char *buf, size_t size, const char *fmt, ...) DTB__PRINTF(3, 4);
/* Short text that reads back to exactly `v` (Grisu2, dtoa.h: at most 17
 * digits, usually the fewest; "nan", "inf", "-inf" for non-finite values),
 * in any locale. Returns the length (that written if it fits). */
int dtb__format_double(char *buf, size_t size, double v);

/* Use the C locale for LC_NUMERIC on this thread until dtb__locale_pop. */
typedef struct dtb__locale_guard {
    void *previous;
} dtb__locale_guard;
void dtb__locale_push_c(dtb__locale_guard *g);
void dtb__locale_pop(dtb__locale_guard *g);

/* Check that an options struct's version is supported: 0 < version <= current. */
dtb_status dtb__check_version(uint32_t version, uint32_t current, const char *struct_name);
/* The body of every public dtb_<x>_options_init(opts, version): NULL check
 * ("<struct_name>_init: opts is NULL"), version check, zero `size` bytes (zero
 * means "default" in every field) and record `version` in the first member.
 * One copy so the eight-plus option structs cannot drift apart; a caller with
 * non-zero defaults sets them after a DTB_OK. */
dtb_status dtb__options_init(void *opts, size_t size, uint32_t version, uint32_t current,
                             const char *struct_name);

/* Case-sensitive string helpers. */
int dtb__streq(const char *a, const char *b);
int dtb__has_suffix(const char *s, const char *suffix);
/* Write s to f as a JSON string (quotes, escapes). f is a FILE *. */
void dtb__json_string(void *f, const char *s);

/* Index of the first NaN or infinity in x[0..n), or n when all are finite
 * (one vectorised pass in the common all-finite case). */
size_t dtb__first_nonfinite(const double *x, size_t n);

/* The two-call idiom of the copy-out getters: *needed_out = count; with a
 * buffer, copy count elements of elem bytes or fail with DTB_EBUFSIZE
 * naming fn. */
dtb_status dtb__copy_out(const char *fn, const void *src, size_t count, size_t elem, void *buf,
                         size_t capacity, size_t *needed_out);

#endif /* DTB_BASE_H */
