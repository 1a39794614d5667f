/* SPDX-License-Identifier: Apache-2.0 */
/* The spec-suite runner behind `kiln wast`: runs the commands of WebAssembly spec scripts
 * (.wast through wabt's wast2json, or an already converted .json) against kiln's embedding API
 * and counts them. */
#ifndef SPEC_RUNNER_H
#define SPEC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define SPEC_STATUS_LIST(X)                                                 \
    X(SPEC_OK,                   "ok")                                      \
    X(SPEC_ERR_INVALID_ARGUMENT, "invalid argument")                        \
    X(SPEC_ERR_OUT_OF_MEMORY,    "out of memory")                           \
    X(SPEC_ERR_IO,               "cannot read file")                        \
    X(SPEC_ERR_WAST2JSON,        "wast2json failed")                        \
    X(SPEC_ERR_JSON,             "malformed spec script")                   \
    X(SPEC_ERR_SKIP_LIST,        "malformed skip list")                     \
    X(SPEC_ERR_PATCH_LIST,       "malformed or inapplicable patch list")    \
    X(SPEC_ERR_ENGINE,           "cannot create the kiln engine")
/* clang-format on */

#define SPEC_ENUM_ENTRY_(name, text) name,
typedef enum spec_status { SPEC_STATUS_LIST(SPEC_ENUM_ENTRY_) } spec_status;
#undef SPEC_ENUM_ENTRY_

/* Static text of a status; "?" outside the list. */
const char *spec_status_text(spec_status status);

/* Counts over commands of the JSON scripts: module, register, action and every assert_*. */
struct spec_totals {
    uint64_t passed;
    uint64_t failed;
    uint64_t skipped;
};

/* A parsed spec-tests/skip.txt: `file:line  reason` or `file:*  reason` per line. */
struct spec_skip_list;

/* Reads a skip list. Blank lines and lines starting with '#' are ignored; every other line must
 * be `FILE:LINE` or `FILE:*` followed by whitespace and a non-empty reason (SPEC_ERR_SKIP_LIST
 * otherwise, with file and line in `err`). A missing file gives SPEC_ERR_IO. */
spec_status spec_skip_list_load(const char *path, struct spec_skip_list **out_list, char *err,
                                size_t err_size);
/* An empty list (no skips). */
spec_status spec_skip_list_empty(struct spec_skip_list **out_list);
void spec_skip_list_free(struct spec_skip_list *list);
/* The reason `file` (a base name such as "i32.wast") line `line` is skipped for, or NULL. */
const char *spec_skip_list_find(const struct spec_skip_list *list, const char *file, uint32_t line);

/* A parsed spec-tests/patches.txt: lines of the suite that the converter gets wrong, each
 * replaced (in a copy, before conversion) by the same module written in binary. An entry is
 * three lines: `FILE:LINE  reason`, `- ORIGINAL LINE`, `+ REPLACEMENT LINE`. */
struct spec_patch_list;

/* Reads a patch list. Blank lines and '#' lines between entries are ignored; a malformed entry
 * gives SPEC_ERR_PATCH_LIST with file and line in `err`; a missing file SPEC_ERR_IO. */
spec_status spec_patch_list_load(const char *path, struct spec_patch_list **out_list, char *err,
                                 size_t err_size);
void spec_patch_list_free(struct spec_patch_list *list);

struct spec_options {
    const char *const *features; /* wast2json features, without the `--enable-` prefix */
    size_t nfeatures;
    const char *wast2json; /* program to run; NULL means "wast2json" from PATH */
    const struct spec_skip_list *skips;
    const struct spec_patch_list *patches; /* NULL: convert the .wast files unchanged */
    bool verbose;                          /* also print a line per passed command */
    bool spill_all;                        /* compile with the compiler's spill-everything tier */
    bool keep_temp; /* keep wast2json's output directory (its path is printed) */
};

/* Runs one script (.wast, converted first, or .json) and prints "FILE: N passed, M failed, K
 * skipped" to stdout, preceded by one line per failed command. Adds its counts to `totals`.
 * Returns an error only when the script could not be run at all (conversion, reading, JSON);
 * failed commands are counted, not returned. */
spec_status spec_run_file(const struct spec_options *options, const char *path,
                          struct spec_totals *totals);

#endif
