/* libdtb — last-error reporting.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every failing call stores a message on the calling thread that names what
 * went wrong and where (file, line, element, parameter, region). A
 * succeeding call never overwrites it. Read it on the thread that failed,
 * right after the failing call.
 */
#ifndef DTB_ERROR_H
#define DTB_ERROR_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

/* Message of the last failure on this thread ("" if none). Never NULL.
 * Valid until the next failing libdtb call on this thread. */
DTB_API const char *dtb_last_error_message(void);

/* Status of the last failure on this thread (DTB_OK if none). */
DTB_API dtb_status dtb_last_error_code(void);

/* Forget the last failure on this thread. */
DTB_API void dtb_clear_error(void);

/* Short static description of a status code ("invalid argument"). Never NULL. */
DTB_API const char *dtb_status_string(dtb_status status);

DTB_END_DECLS

#endif /* DTB_ERROR_H */
