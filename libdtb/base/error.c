/* libdtb — thread-local last error and status strings.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "dtb/dtb_error.h"

#define DTB__ERROR_CAP 2048

/* One slot per thread: no global mutable state is shared between threads. */
static _Thread_local char tl_message[DTB__ERROR_CAP];
static _Thread_local dtb_status tl_code = DTB_OK;

dtb_status dtb__verror(dtb_status code, const char *fmt, va_list ap)
{
    vsnprintf(tl_message, sizeof tl_message, fmt, ap);
    tl_code = code;
    return code;
}

dtb_status dtb__error(dtb_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dtb__verror(code, fmt, ap);
    va_end(ap);
    return code;
}

dtb_status dtb__error_context(dtb_status code, const char *fmt, ...)
{
    char prefix[512], old[DTB__ERROR_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, tl_message, sizeof old);
    /* Truncation of an over-long message is acceptable. */
    size_t n = strlen(prefix);
    if (n > sizeof tl_message - 3)
        n = sizeof tl_message - 3;
    memcpy(tl_message, prefix, n);
    memcpy(tl_message + n, ": ", 2);
    size_t rest = sizeof tl_message - n - 3;
    size_t m = strnlen(old, rest);
    memcpy(tl_message + n + 2, old, m);
    tl_message[n + 2 + m] = '\0';
    tl_code = code;
    return code;
}

const char *dtb_last_error_message(void) { return tl_message; }

dtb_status dtb_last_error_code(void) { return tl_code; }

void dtb_clear_error(void)
{
    tl_message[0] = '\0';
    tl_code = DTB_OK;
}

const char *dtb_status_string(dtb_status status)
{
    switch (status) {
    case DTB_OK: return "success";
    case DTB_ERROR: return "error";
    case DTB_EINVAL: return "invalid argument";
    case DTB_ENOMEM: return "out of memory";
    case DTB_ECANCELLED: return "cancelled";
    case DTB_ENOTFOUND: return "not found";
    case DTB_EPARSE: return "parse error";
    case DTB_ENUMERIC: return "numerical failure";
    case DTB_EUNSUPPORTED: return "unsupported";
    case DTB_EIO: return "input/output error";
    case DTB_ESTATE: return "invalid state";
    case DTB_EBUFSIZE: return "buffer too small";
    default: return status < 0 ? "unknown error" : "unknown status";
    }
}

dtb_status dtb__check_version(uint32_t version, uint32_t current, const char *struct_name)
{
    if (version == 0 || version > current)
        return dtb__error(DTB_EINVAL, "%s: version %u is not supported (this library knows 1..%u)",
                          struct_name, (unsigned)version, (unsigned)current);
    return DTB_OK;
}

dtb_status dtb__options_init(void *opts, size_t size, uint32_t version, uint32_t current,
                             const char *struct_name)
{
    if (!opts)
        return dtb__error(DTB_EINVAL, "%s_init: opts is NULL", struct_name);
    dtb_status st = dtb__check_version(version, current, struct_name);
    if (st)
        return st;
    memset(opts, 0, size);
    /* Every options struct starts with `uint32_t version` (CRAFT.md section 0, rule 5). */
    memcpy(opts, &version, sizeof version);
    return DTB_OK;
}
