/* SPDX-License-Identifier: Apache-2.0 */
/* Intel-syntax text in: one instruction per line, written the way GNU `objdump -d -M intel`
 * prints it, mapped onto the checked generic path (mnemonic + operands). Used by `kiln asm`,
 * the held-out corpus test and anyone who wants to assemble a line of text at run time. */
#ifndef X64_PARSE_H
#define X64_PARSE_H

#include "x64/buffer.h"
#include "x64/gen/mnemonics.h"
#include "x64/operands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most prefixes a line may spell out before its mnemonic (objdump prints at most a few). */
#define X64_ASM_MAX_PREFIXES 8

/* One parsed line. The operands are in Intel order, ready for x64_emit(). */
struct x64_asm_insn {
    enum x64_mnemonic mnemonic;
    unsigned nops;
    struct x64_operand ops[4];
    /* lock / rep / repne written before a string or lockable instruction: X64_PFX_* or 0. */
    unsigned prefix;
    /* Other prefixes written as words (data16, addr32, rex.W, cs, bnd, notrack, xacquire, a
     * rep before a non-string instruction as in `repz ret`), emitted as raw bytes in the order
     * written, before the instruction's own bytes. */
    uint8_t raw_prefix[X64_ASM_MAX_PREFIXES];
    unsigned nraw;
    /* A branch (jmp, jcc, call, loop*, jrcxz) to an absolute address: ops[0] is unused and
     * `target` holds the address; x64_asm_text() turns it into rel8 or rel32. */
    bool branch;
    uint64_t target;
    /* `movabs`: the 64-bit immediate or 64-bit absolute address form is required. */
    bool movabs;
    /* A VSIB operand (gathers): the index register's width in bytes (16 xmm, 32 ymm, 64 zmm),
     * which struct x64_mem cannot carry; 0 when there is none. The operand's size is the
     * data element's, as objdump prints it. */
    unsigned vsib_width;
    /* The line started with an objdump address column (`  401000:`); its value. */
    bool has_address;
    uint64_t address;
    /* The line held no instruction (blank, or only a comment). */
    bool empty;
};

/* Parses one line (`len` bytes, no need for a terminating NUL; a trailing newline is fine).
 * Accepted, besides plain instructions: an objdump address column (`401000:`) optionally
 * followed by a tab-separated raw-bytes column, objdump's annotations (`<symbol+0x10>` after
 * a branch target, `# comment`), upper or lower case. Branch targets are absolute addresses;
 * written without `0x` they are hex, as objdump prints them. Immediates printed unsigned at
 * the destination's width (`add eax,0xffffff80`) are read as the signed value they encode.
 * Returns X64_OK, or an error status with the reason in why[0..why_len) (if `why` is not
 * NULL). Never reads past `len` bytes; any input is safe. */
enum x64_status x64_asm_parse(const char *text, size_t len, struct x64_asm_insn *out, char *why,
                              size_t why_len);

/* Parses one line and appends its encoding to `b`. `address` is where the instruction will
 * live (an address column in the line overrides it): branch targets are encoded relative to
 * it. A blank or comment-only line emits nothing and returns X64_OK. On error the buffer
 * records the status with a message (`x64_buf_error()`), sticky as for any emit, and no byte
 * is added. Returns the buffer's status. An instruction with raw prefixes (see above) is
 * appended as bytes, so the listing hook does not see it. */
enum x64_status x64_asm_text(struct x64_buf *b, const char *text, size_t len, uint64_t address);

#endif /* X64_PARSE_H */
