/* SPDX-License-Identifier: Apache-2.0 */
/* Reader for tests/data/golden.txt (written by tools/make_golden.sh from GNU as output), shared
 * by the golden, round-trip and typed-emitter tests: each case is a form name, its operands as
 * x64_operand values and the bytes GNU as produced. */
#ifndef X64_TESTS_GOLDEN_CASES_H
#define X64_TESTS_GOLDEN_CASES_H

#include "x64/x64.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct golden_case {
    unsigned line;         /* line number in golden.txt */
    enum x64_form form;    /* X64_FORM_COUNT when the name is not a form of the table */
    const char *form_name; /* points into the loaded file */
    unsigned nops;
    struct x64_operand ops[4];
    bool rel[4]; /* operand i is a branch displacement (D token) */
    uint8_t bytes[16];
    unsigned nbytes;
    const char *text; /* the operand tokens, for messages */
};

struct golden_set {
    char *data; /* the file, NUL-separated in place */
    struct golden_case *cases;
    size_t count;
    char error[256]; /* first parse error ("" if none) */
};

/* Loads and parses `path`. Returns false (with set->error filled) on an unreadable file or a
 * malformed line. */
bool golden_load(const char *path, struct golden_set *set);

/* Frees what golden_load() allocated. */
void golden_free(struct golden_set *set);

/* The default golden file of the source tree. */
const char *golden_path(void);

/* Register by name ("rax", "r8d", "ah", "spl", "xmm3", "ymm15"): fills kind/size/number.
 * Returns false for an unknown name. */
bool golden_reg(const char *name, size_t len, struct x64_operand *out);

/* Hex string of `n` bytes into `out` (at least 3*n+1 chars). */
void golden_hex(const uint8_t *p, size_t n, char *out);

#endif /* X64_TESTS_GOLDEN_CASES_H */
