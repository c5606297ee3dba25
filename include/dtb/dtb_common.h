/* libdtb — common declarations: export macro, status codes, memory release.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every public header includes this one. It defines DTB_API (symbol export),
 * the C++ declaration guards, dtb_status, the return type of every
 * fallible function, and dtb_destroy_fn, the release of a stored callback's
 * user_data. Only fixed-width scalar types appear in the ABI.
 */
#ifndef DTB_COMMON_H
#define DTB_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(DTB_BUILDING_LIBRARY)
#    define DTB_API __declspec(dllexport)
#  elif defined(DTB_STATIC)
#    define DTB_API
#  else
#    define DTB_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define DTB_API __attribute__((visibility("default")))
#else
#  define DTB_API
#endif

#if defined(__GNUC__) && (__GNUC__ > 4 || (__GNUC__ == 4 && __GNUC_MINOR__ >= 5))
#  define DTB_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#  define DTB_DEPRECATED(msg)
#endif

#ifdef __cplusplus
#  define DTB_BEGIN_DECLS extern "C" {
#  define DTB_END_DECLS }
#else
#  define DTB_BEGIN_DECLS
#  define DTB_END_DECLS
#endif

DTB_BEGIN_DECLS

/* Result of every fallible libdtb call. DTB_OK is 0, errors are negative.
 * Values are pinned forever; new codes may be appended, so treat any unknown
 * negative value as an error. Details of the last failure on the calling
 * thread: dtb_last_error_message() (dtb_error.h). */
typedef enum dtb_status {
    DTB_OK = 0,
    DTB_ERROR = -1,        /* generic failure */
    DTB_EINVAL = -2,       /* invalid argument (NULL handle, out of range, NaN, ...) */
    DTB_ENOMEM = -3,       /* out of memory */
    DTB_ECANCELLED = -4,   /* a callback returned non-zero or dtb_sim_request_stop() was called */
    DTB_ENOTFOUND = -5,    /* unknown name: model, parameter, variable, file */
    DTB_EPARSE = -6,       /* malformed input: XML, expression, matrix file, unit */
    DTB_ENUMERIC = -7,     /* non-finite state or solver failure */
    DTB_EUNSUPPORTED = -8, /* valid request this build or object cannot do */
    DTB_EIO = -9,          /* reading or writing a file failed */
    DTB_ESTATE = -10,      /* call not valid in the object's current state */
    DTB_EBUFSIZE = -11,    /* caller buffer too small; the needed size was reported */
    DTB_STATUS_FORCE32_ = 0x7FFFFFFF
} dtb_status;

/* Releases the user_data of a stored callback: called exactly once, when
 * the object that holds the callback (an observer, a stimulus) is
 * destroyed. Every public function or options struct that takes a destroy
 * callback takes this type. */
typedef void (*dtb_destroy_fn)(void *user_data);

/* Release memory that libdtb allocated for the caller. NULL is accepted.
 * No function of this version returns such memory (bulk data is copied into
 * caller buffers); any that does will say so, and its memory must be
 * released here, never with free(). */
DTB_API void dtb_free(void *ptr);

DTB_END_DECLS

#endif /* DTB_COMMON_H */
