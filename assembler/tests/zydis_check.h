/* SPDX-License-Identifier: Apache-2.0 */
/* Decodes kiln's bytes with Zydis (an independent decoder, test-only dependency) and checks
 * that they are exactly one instruction of the expected length, mnemonic and operands. Used by
 * the round-trip test and the round-trip fuzzer. */
#ifndef X64_TESTS_ZYDIS_CHECK_H
#define X64_TESTS_ZYDIS_CHECK_H

#include "x64/x64.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Checks that `code[0..len)` decodes to `form` with operands `ops` (table order, fixed
 * operands included, branch displacements as immediates). On a mismatch returns false and
 * writes the reason (with Zydis's reading) to why[0..why_len). */
bool zydis_check(const uint8_t *code, size_t len, enum x64_form form, const struct x64_operand *ops,
                 char *why, size_t why_len);

/* The register's name as Intel syntax spells it ("r8d", "ah", "xmm3"). */
const char *zydis_check_reg_name(const struct x64_operand *op);

#endif /* X64_TESTS_ZYDIS_CHECK_H */
