/* SPDX-License-Identifier: Apache-2.0 */
/* spec-tests/skip.txt: the only source of skipped spec commands. Each entry names a script
 * and a line (or `*` for the whole script) and must say why, so a skip is always a decision
 * someone wrote down. */
#include "spec_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct skip_entry {
    char *file;
    uint32_t line; /* 0 = every line of the file */
    char *reason;
};

struct spec_skip_list {
    struct skip_entry *entries;
    size_t count;
};

spec_status spec_skip_list_empty(struct spec_skip_list **out_list)
{
    *out_list = calloc(1, sizeof **out_list);
    return *out_list ? SPEC_OK : SPEC_ERR_OUT_OF_MEMORY;
}

void spec_skip_list_free(struct spec_skip_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->entries[i].file);
        free(list->entries[i].reason);
    }
    free(list->entries);
    free(list);
}

char *spec_dup_range(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* Parses one non-blank, non-comment line: `FILE:LINE  reason` or `FILE:*  reason`. */
static bool parse_entry(const char *s, size_t len, struct skip_entry *out, const char **why)
{
    size_t i = 0;
    while (i < len && !isspace((unsigned char)s[i]))
        i++;
    size_t key_len = i;
    const char *colon = NULL;
    for (size_t k = 0; k < key_len; k++)
        if (s[k] == ':')
            colon = s + k;
    if (!colon || colon == s) {
        *why = "expected FILE:LINE or FILE:* first";
        return false;
    }
    const char *where = colon + 1;
    size_t where_len = key_len - (size_t)(where - s);
    uint32_t line = 0;
    if (where_len == 1 && where[0] == '*') {
        line = 0;
    } else {
        if (where_len == 0 || where_len > 9) {
            *why = "the line must be a number or *";
            return false;
        }
        for (size_t k = 0; k < where_len; k++) {
            if (where[k] < '0' || where[k] > '9') {
                *why = "the line must be a number or *";
                return false;
            }
            line = line * 10 + (uint32_t)(where[k] - '0');
        }
        if (line == 0) {
            *why = "line numbers start at 1";
            return false;
        }
    }
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    size_t end = len;
    while (end > i && isspace((unsigned char)s[end - 1]))
        end--;
    if (end == i) {
        *why = "a skip needs a reason after the FILE:LINE";
        return false;
    }
    out->file = spec_dup_range(s, (size_t)(colon - s));
    out->reason = spec_dup_range(s + i, end - i);
    out->line = line;
    if (!out->file || !out->reason) {
        free(out->file);
        free(out->reason);
        *why = "out of memory";
        return false;
    }
    return true;
}

spec_status spec_skip_list_load(const char *path, struct spec_skip_list **out_list, char *err,
                                size_t err_size)
{
    *out_list = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    spec_status s = spec_read_file(path, &data, &size);
    if (s) {
        snprintf(err, err_size, "cannot read skip list %s", path);
        return s;
    }
    struct spec_skip_list *list = NULL;
    if ((s = spec_skip_list_empty(&list))) {
        free(data);
        return s;
    }
    const char *text = (const char *)data;
    size_t pos = 0;
    uint32_t lineno = 0;
    size_t cap = 0;
    while (pos < size) {
        size_t start = pos;
        while (pos < size && text[pos] != '\n')
            pos++;
        size_t len = pos - start;
        pos++; /* past '\n' */
        lineno++;
        const char *line = text + start;
        size_t lead = 0;
        while (lead < len && isspace((unsigned char)line[lead]))
            lead++;
        if (lead == len || line[lead] == '#')
            continue;
        if (lead != 0) {
            snprintf(err, err_size, "%s:%u: an entry starts at the first column", path, lineno);
            s = SPEC_ERR_SKIP_LIST;
            goto fail;
        }
        if (list->count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct skip_entry *bigger = realloc(list->entries, ncap * sizeof *bigger);
            if (!bigger) {
                s = SPEC_ERR_OUT_OF_MEMORY;
                snprintf(err, err_size, "out of memory");
                goto fail;
            }
            list->entries = bigger;
            cap = ncap;
        }
        const char *why = NULL;
        if (!parse_entry(line, len, &list->entries[list->count], &why)) {
            snprintf(err, err_size, "%s:%u: %s", path, lineno, why);
            s = SPEC_ERR_SKIP_LIST;
            goto fail;
        }
        list->count++;
    }
    free(data);
    *out_list = list;
    return SPEC_OK;

fail:
    free(data);
    spec_skip_list_free(list);
    return s;
}

const char *spec_skip_list_find(const struct spec_skip_list *list, const char *file, uint32_t line)
{
    if (!list)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        const struct skip_entry *e = &list->entries[i];
        if (!strcmp(e->file, file) && (e->line == 0 || e->line == line))
            return e->reason;
    }
    return NULL;
}
