/* SPDX-License-Identifier: Apache-2.0 */
/* Intel-syntax text out: prints an emitted instruction the way GNU `objdump -d -M intel`
 * prints it, from what the listing hook receives (form, operands, bytes). Listings
 * (`kiln compile --print-code`) and golden tests read the same text the parser reads back. */
#ifndef X64_FORMAT_H
#define X64_FORMAT_H

#include "x64/buffer.h"
#include "x64/gen/mnemonics.h"
#include "x64/operands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags for x64_format_insn() and struct x64_listing_printer. */
#define X64_FMT_COMPACT    0x01u /* one space after the mnemonic (objdump pads it to 7) */
#define X64_FMT_NO_COMMENT 0x02u /* no `# 0x...` after a RIP-relative operand */

/* Formats one instruction: `form` and `ops` (`nops` entries, Intel order) as the listing hook
 * passes them, `bytes`/`len` its encoding (read for the lock/rep prefixes the form does not
 * carry and for the length that branch and RIP-relative targets count from; `bytes` may be
 * NULL, then `len` alone is used), `address` where it starts. For `form` == X64_FORM_COUNT (a
 * jump to a label), the mnemonic is read from `bytes` and the label printed as `.L<id>`.
 * Writes at most `out_len` bytes including the terminating NUL (`out` may be NULL when
 * `out_len` is 0) and returns the length of the full text, as snprintf does. */
size_t x64_format_insn(enum x64_form form, const struct x64_operand *ops, unsigned nops,
                       const uint8_t *bytes, size_t len, uint64_t address, unsigned flags,
                       char *out, size_t out_len);

/* One listing line in objdump's layout: `  offset:<TAB>bytes (7 per line, padded)<TAB>text`.
 * Longer encodings continue on extra lines (`  offset:<TAB>bytes`), as objdump prints them.
 * Same conventions as x64_format_insn(); `address` is printed as the offset. */
size_t x64_format_listing(enum x64_form form, const struct x64_operand *ops, unsigned nops,
                          const uint8_t *bytes, size_t len, uint64_t address, unsigned flags,
                          char *out, size_t out_len);

/* A ready-made listing hook: install it with
 *     struct x64_listing_printer p = {my_write, my_ctx, 0, 0};
 *     x64_buf_set_listing(&b, x64_listing_print, &p);
 * and `write` receives one NUL-terminated line per instruction (no newline), addressed as
 * `base` + buffer offset. The printer keeps no other state; it must outlive the hook. */
struct x64_listing_printer {
    void (*write)(void *ctx, const char *line);
    void *ctx;
    uint64_t base;
    unsigned flags; /* X64_FMT_* */
};

/* The x64_listing_fn that formats with x64_format_listing() into a struct
 * x64_listing_printer passed as `ctx`. */
void x64_listing_print(void *ctx, const struct x64_buf *b, enum x64_form form,
                       const struct x64_operand *ops, unsigned nops, size_t start, size_t end);

/* --- Internal: objdump's spellings shared with the parser (src/parse.c) --- */

/* The predicate name of cmpps/cmppd/cmpss/cmpsd (`lt` for imm 1; up to 31 with VEX), or NULL. */
const char *x64__cmp_predicate(unsigned imm, bool vex);
/* pclmulqdq's imm8 0x00/0x01/0x10/0x11 as `lqlq`/`hqlq`/`lqhq`/`hqhq`, or NULL. */
const char *x64__pclmul_name(unsigned imm);

#endif /* X64_FORMAT_H */
