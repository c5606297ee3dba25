/* libdtb internal — whole text files, their data lines and their fields.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shared tokenizer behind every plain-text reader (numeric matrices,
 * region tables, label lists), so they all agree on what a line and a field
 * are:
 *  - the file is read in one go, up to the input cap (base.h); a UTF-8
 *    byte-order mark is skipped;
 *  - lines end in LF or CRLF; line numbers are 1-based physical lines;
 *  - blank lines and lines whose first non-blank character is '#' are not
 *    data lines;
 *  - fields are separated by ';' or ',' (each field trimmed of spaces and
 *    tabs, empty fields kept so callers can report them) or by runs of
 *    spaces and tabs; a field wrapped in double quotes loses the quotes,
 *    and between ',' or ';' it may hold the delimiter and doubled quotes
 *    (RFC 4180, as libdtb writes labels: "A, left","say ""hi""").
 */
#ifndef DTB_TEXT_FILE_H
#define DTB_TEXT_FILE_H

#include <stddef.h>

#include "dtb/dtb_common.h"

typedef struct dtb__text_file {
    char *data;        /* file content after the BOM, NUL-terminated, malloc'd */
    size_t len;        /* bytes in data (without the terminating NUL) */
    const char *path;  /* borrowed from the caller, for messages */
} dtb__text_file;

/* Read the whole file (dtb__read_input: within the input cap). DTB_ENOTFOUND
 * if it does not exist, DTB_EIO if it cannot be read, DTB_EPARSE if it holds
 * a NUL byte (a binary file, /dev/zero), DTB_EINVAL if it is too large. */
dtb_status dtb__text_file_read(const char *path, dtb__text_file *out);
void dtb__text_file_free(dtb__text_file *f);

typedef struct dtb__text_line {
    const char *start; /* first byte of the line */
    size_t len;        /* without the line end (LF or CRLF) */
    size_t number;     /* 1-based line number in the file */
} dtb__text_line;

/* Iterates over the data lines of a file. Start with {0} (pos 0, line 0). */
typedef struct dtb__line_cursor {
    size_t pos;        /* offset of the next unread byte */
    size_t line;       /* number of the last line read */
} dtb__line_cursor;

/* Next data line (blank and '#' lines skipped). Returns 0 at the end. */
int dtb__text_next_line(const dtb__text_file *f, dtb__line_cursor *c, dtb__text_line *line);

/* Number of the last physical line of the file (at least 1), for messages
 * about something missing at the end. */
size_t dtb__text_last_line(const dtb__text_file *f);

/* Field separator of a line: ';' if it holds a semicolon, else ',' if it
 * holds a comma, else ' ' (runs of spaces and tabs). */
char dtb__text_detect_delimiter(const dtb__text_line *line);

typedef struct dtb__field_cursor {
    const char *p, *end;
    char delim;
    int done;
} dtb__field_cursor;

typedef struct dtb__field {
    const char *start; /* not NUL-terminated */
    size_t len;
    size_t column;     /* 1-based byte column in the line, for messages */
    int quoted;        /* it was in double quotes: "" inside stands for one quote */
} dtb__field;

void dtb__fields_begin(dtb__field_cursor *c, const dtb__text_line *line, char delim);
/* Next field of the line; returns 0 after the last one. */
int dtb__fields_next(dtb__field_cursor *c, const dtb__text_line *line, dtb__field *field);

/* A malloc'd, NUL-terminated copy of a field's text, quotes unescaped. */
char *dtb__field_dup(const dtb__field *field);

/* The same for a name (a label, a column name): DTB_EPARSE naming the file,
 * line and column if it holds a control character. */
dtb_status dtb__field_text(const char *path, const dtb__text_line *line, const dtb__field *field,
                           const char *what, char **out);

/* Number of fields in a line. */
size_t dtb__fields_count(const dtb__text_line *line, char delim);

/* Read a whole field as a number (C locale). Returns 0 if it is empty or
 * not entirely a number; non-finite values are returned, not rejected. */
int dtb__field_to_double(const dtb__field *field, double *out);

#endif /* DTB_TEXT_FILE_H */
