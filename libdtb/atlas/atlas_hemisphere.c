/* libdtb — hemisphere of a region from its label.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Atlas files rarely store hemispheres; TVB derives them from the labels,
 * and so does libdtb, with rules that cover the spellings of the common
 * atlases (see dtb__hemisphere_from_label in atlas_impl.h). Only a clear
 * answer is given: anything ambiguous stays UNKNOWN.
 */
#include <string.h>

#include "atlas_impl.h"

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* Case-insensitive: does word[0..len) equal the lower-case `name`? */
static int word_is(const char *word, size_t len, const char *name)
{
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (lower(word[i]) != name[i])
            return 0;
    return 1;
}

dtb_hemisphere dtb__hemisphere_from_word(const char *word, size_t len)
{
    if (word_is(word, len, "l") || word_is(word, len, "lh") || word_is(word, len, "left"))
        return DTB_HEMISPHERE_LEFT;
    if (word_is(word, len, "r") || word_is(word, len, "rh") || word_is(word, len, "right"))
        return DTB_HEMISPHERE_RIGHT;
    return DTB_HEMISPHERE_UNKNOWN;
}

static int is_separator(char c) { return c == '_' || c == '-' || c == '.' || c == ' ' || c == '/'; }

/* A hemisphere token between separators: "A8m_L", "ctx-lh-insula".
 * *conflict is set when the label names both sides. */
static dtb_hemisphere from_tokens(const char *label, int *conflict)
{
    *conflict = 0;
    dtb_hemisphere found = DTB_HEMISPHERE_UNKNOWN;
    const char *p = label;
    while (*p) {
        while (*p && is_separator(*p))
            p++;
        const char *start = p;
        while (*p && !is_separator(*p))
            p++;
        if (p == start)
            break;
        dtb_hemisphere h = dtb__hemisphere_from_word(start, (size_t)(p - start));
        if (h == DTB_HEMISPHERE_UNKNOWN)
            continue;
        if (found != DTB_HEMISPHERE_UNKNOWN && found != h) {
            *conflict = 1;
            return DTB_HEMISPHERE_UNKNOWN;
        }
        found = h;
    }
    return found;
}

/* A prefix glued to the name: TVB's "rA1"/"lAMYG", or "LeftAmygdala". */
static dtb_hemisphere from_glued_prefix(const char *label)
{
    if ((label[0] == 'r' || label[0] == 'l') && is_upper(label[1]))
        return label[0] == 'r' ? DTB_HEMISPHERE_RIGHT : DTB_HEMISPHERE_LEFT;
    size_t n = strlen(label);
    if (n > 4 && word_is(label, 4, "left") && is_upper(label[4]))
        return DTB_HEMISPHERE_LEFT;
    if (n > 5 && word_is(label, 5, "right") && is_upper(label[5]))
        return DTB_HEMISPHERE_RIGHT;
    return DTB_HEMISPHERE_UNKNOWN;
}

dtb_hemisphere dtb__hemisphere_from_label(const char *label)
{
    if (!label || !*label)
        return DTB_HEMISPHERE_UNKNOWN;
    int conflict;
    dtb_hemisphere h = from_tokens(label, &conflict);
    if (h != DTB_HEMISPHERE_UNKNOWN || conflict)
        return h;
    return from_glued_prefix(label);
}

void dtb__atlas_infer_hemispheres(dtb_atlas *a)
{
    for (int64_t k = 0; k < a->n; k++)
        if (a->hemispheres[k] == DTB_HEMISPHERE_UNKNOWN)
            a->hemispheres[k] = dtb__hemisphere_from_label(a->labels[k]);
}
