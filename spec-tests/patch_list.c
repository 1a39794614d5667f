/* SPDX-License-Identifier: Apache-2.0 */
/* spec-tests/patches.txt: source lines of the suite that the converter (wast2json 1.0.32) turns
 * into a different module than the text means. Each entry replaces one line of a copy of the
 * .wast with the same module written as `(module binary ...)`, so kiln is tested on the module
 * the test means, line numbers stay, and the patched line is printed on every run. */
#include "spec_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct patch_entry {
    char *file;
    uint32_t line;
    char *reason;
    char *old_text; /* the whole source line as the suite has it (no '\n') */
    char *new_text; /* its replacement, one line */
};

struct spec_patch_list {
    struct patch_entry *entries;
    size_t count;
};

void spec_patch_list_free(struct spec_patch_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->entries[i].file);
        free(list->entries[i].reason);
        free(list->entries[i].old_text);
        free(list->entries[i].new_text);
    }
    free(list->entries);
    free(list);
}

/* `FILE:LINE  reason`: LINE is a number (a patch replaces one line, never a whole file). */
static const char *parse_header(const char *s, size_t len, struct patch_entry *out)
{
    size_t key = 0;
    while (key < len && !isspace((unsigned char)s[key]))
        key++;
    const char *colon = memchr(s, ':', key);
    if (!colon || colon == s)
        return "expected FILE:LINE first";
    const char *digits = colon + 1;
    size_t ndigits = key - (size_t)(digits - s);
    if (ndigits == 0 || ndigits > 9)
        return "the line must be a number";
    uint32_t line = 0;
    for (size_t k = 0; k < ndigits; k++) {
        if (digits[k] < '0' || digits[k] > '9')
            return "the line must be a number";
        line = line * 10 + (uint32_t)(digits[k] - '0');
    }
    if (line == 0)
        return "line numbers start at 1";
    size_t r = key;
    while (r < len && isspace((unsigned char)s[r]))
        r++;
    size_t end = len;
    while (end > r && isspace((unsigned char)s[end - 1]))
        end--;
    if (end == r)
        return "a patch needs a reason after the FILE:LINE";
    out->file = spec_dup_range(s, (size_t)(colon - s));
    out->reason = spec_dup_range(s + r, end - r);
    out->line = line;
    return out->file && out->reason ? NULL : "out of memory";
}

spec_status spec_patch_list_load(const char *path, struct spec_patch_list **out_list, char *err,
                                 size_t err_size)
{
    *out_list = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    spec_status s = spec_read_file(path, &data, &size);
    if (s) {
        snprintf(err, err_size, "cannot read patch list %s", path);
        return s;
    }
    struct spec_patch_list *list = calloc(1, sizeof *list);
    if (!list) {
        free(data);
        return SPEC_ERR_OUT_OF_MEMORY;
    }
    const char *text = (const char *)data;
    size_t pos = 0, cap = 0;
    uint32_t lineno = 0;
    int want = 0; /* 0: a header, 1: the `- ` line, 2: the `+ ` line */
    const char *why = NULL;
    while (pos < size) {
        size_t start = pos;
        while (pos < size && text[pos] != '\n')
            pos++;
        size_t len = pos - start;
        pos++;
        lineno++;
        const char *line = text + start;
        if (want == 0) {
            size_t lead = 0;
            while (lead < len && isspace((unsigned char)line[lead]))
                lead++;
            if (lead == len || line[lead] == '#')
                continue;
            if (lead != 0) {
                why = "an entry starts at the first column";
                goto bad;
            }
            if (list->count == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                struct patch_entry *bigger = realloc(list->entries, ncap * sizeof *bigger);
                if (!bigger) {
                    why = "out of memory";
                    goto bad;
                }
                list->entries = bigger;
                cap = ncap;
            }
            struct patch_entry *e = &list->entries[list->count++];
            memset(e, 0, sizeof *e);
            if ((why = parse_header(line, len, e)) != NULL)
                goto bad;
            want = 1;
            continue;
        }
        /* The old and the new line follow the header directly: `- TEXT` then `+ TEXT`, TEXT
         * being the whole source line (leading blanks included) after the one space. */
        char mark = want == 1 ? '-' : '+';
        if (len < 2 || line[0] != mark || line[1] != ' ') {
            why = want == 1 ? "expected `- ORIGINAL LINE` after the header"
                            : "expected `+ REPLACEMENT LINE` after the `- ` line";
            goto bad;
        }
        char *copy = spec_dup_range(line + 2, len - 2);
        if (!copy) {
            why = "out of memory";
            goto bad;
        }
        struct patch_entry *e = &list->entries[list->count - 1];
        if (want == 1)
            e->old_text = copy;
        else
            e->new_text = copy;
        want = want == 1 ? 2 : 0;
    }
    if (want != 0) {
        why = "the last entry lacks its `- ` / `+ ` lines";
        goto bad;
    }
    free(data);
    *out_list = list;
    return SPEC_OK;

bad:
    snprintf(err, err_size, "%s:%u: %s", path, lineno, why);
    free(data);
    spec_patch_list_free(list);
    return SPEC_ERR_PATCH_LIST;
}

size_t spec_patch_list_count(const struct spec_patch_list *list, const char *file)
{
    size_t n = 0;
    for (size_t i = 0; list && i < list->count; i++)
        n += !strcmp(list->entries[i].file, file);
    return n;
}

spec_status spec_patch_apply(const struct spec_patch_list *list, const char *file,
                             const char *display, const uint8_t *text, size_t size,
                             uint8_t **out_text, size_t *out_size, char *err, size_t err_size)
{
    *out_text = NULL;
    *out_size = 0;
    size_t extra = 0;
    for (size_t i = 0; list && i < list->count; i++)
        if (!strcmp(list->entries[i].file, file))
            extra += strlen(list->entries[i].new_text);
    uint8_t *out = malloc(size + extra + 1);
    if (!out)
        return SPEC_ERR_OUT_OF_MEMORY;
    size_t n = 0, pos = 0;
    uint32_t lineno = 0;
    size_t applied = 0;
    while (pos < size) {
        size_t start = pos;
        while (pos < size && text[pos] != '\n')
            pos++;
        size_t len = pos - start;
        bool newline = pos < size;
        pos += newline;
        lineno++;
        const struct patch_entry *hit = NULL;
        for (size_t i = 0; list && i < list->count; i++) {
            const struct patch_entry *e = &list->entries[i];
            if (e->line == lineno && !strcmp(e->file, file))
                hit = e;
        }
        if (!hit) {
            memcpy(out + n, text + start, len);
            n += len;
        } else {
            /* The suite changed under the patch: refuse rather than patch the wrong line. */
            if (strlen(hit->old_text) != len || memcmp(hit->old_text, text + start, len) != 0) {
                snprintf(err, err_size, "%s:%u: the patch does not apply: the line is not `%s`",
                         display, lineno, hit->old_text);
                free(out);
                return SPEC_ERR_PATCH_LIST;
            }
            size_t nlen = strlen(hit->new_text);
            memcpy(out + n, hit->new_text, nlen);
            n += nlen;
            applied++;
            printf("%s:%u: patched before conversion (spec-tests/patches.txt): %s\n", display,
                   lineno, hit->reason);
        }
        if (newline)
            out[n++] = '\n';
    }
    if (applied != spec_patch_list_count(list, file)) {
        snprintf(err, err_size, "%s: a patch names a line past the end of the file", display);
        free(out);
        return SPEC_ERR_PATCH_LIST;
    }
    *out_text = out;
    *out_size = n;
    return SPEC_OK;
}
