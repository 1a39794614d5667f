/* SPDX-License-Identifier: Apache-2.0 */
/* The instruction mix of bench/asm, shared by every backend: per-block operand picks (registers,
 * immediates, displacements) drawn once from a fixed seed, so that kiln, AsmJit and Xbyak emit
 * the same instructions and must produce the same bytes. The block itself is written out once
 * per backend (emit_*.c / emit_*.cpp), in the order documented below. */
#ifndef BENCH_ASM_MIX_H
#define BENCH_ASM_MIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One block is a Wasm-baseline-like stretch of code (per block: one backward label at the top,
 * one forward label at the bottom, a call to a function label bound at the very start):
 *    top:
 *  1 mov    a64, b64                  19 movzx  c32, c8
 *  2 mov    c32, imm32                20 test   d32, d32
 *  3 add    a64, c64                  21 jz     fwd            (rel32, forward)
 *  4 sub    b32, imm8                 22 push   a64
 *  5 and    c32, imm32                23 pop    b64
 *  6 xor    a32, d32                  24 call   fn             (rel32, backward)
 *  7 cmp    b64, d64                  25 movsd  xa, [m2]
 *  8 mov    d32, [m1]                 26 addsd  xa, xb
 *  9 mov    [m2], a64                 27 mulsd  xb, xc
 * 10 movzx  c32, byte [m3]            28 cvtsi2sd xc, a32
 * 11 lea    a64, [m4]                 29 ucomisd xa, xb
 * 12 imul   b32, c32                  30 movsd  [m5], xc
 * 13 imul   d64, a64, imm32           31 cvttsd2si b64, xa
 * 14 shl    c32, sh                   32 movq   xa, a64
 * 15 sar    a64, cl                   33 vaddsd xa, xb, xc
 * 16 cmp    a32, b32                  34 vmulsd xc, xa, xb
 * 17 setl   c8                        35 vxorps xb, xb, xb
 * 18 lea    d64, [m5]                 36 jne    top            (backward: rel8 if it fits)
 *                                     37 jmp    fwd            (rel32, forward)
 *    fwd:
 * m1 = [base + index*4 + disp32]   m2 = [base + disp32]   m3 = [base + index*1 + disp8]
 * m4 = [base + index*8 + disp8]    m5 = [base + disp8] (disp8 may be 0: tests rbp/r13 and rsp/r12)
 * Registers avoid forms where assemblers legitimately differ: `c` is never rax (no accumulator
 * short forms), immediates are never 1 for shifts (no D1 form), imm32 never fits in imm8. */
#ifndef MIX_AVX
#define MIX_AVX 1 /* 0 drops lines 33-35 from every backend (set by CMake when kiln lacks AVX) */
#endif
#define MIX_INSNS_PER_BLOCK (MIX_AVX ? 37 : 34)

struct mix_pick {
    uint8_t a, b, c, d;  /* GP register numbers 0-15, never rsp; c never rax */
    uint8_t base, base5; /* memory base: any GP (rsp/r12 need SIB, rbp/r13 need a disp) */
    uint8_t index;       /* memory index: never rsp */
    uint8_t xa, xb, xc;  /* xmm 0-15 */
    uint8_t sh;          /* shift count 2-31 */
    int8_t imm8;         /* any */
    int8_t disp8;        /* any, 0 included */
    int32_t imm32;       /* outside [-128, 127] */
    int32_t disp32;      /* outside [-128, 127] */
};

#define MIX_PICKS 1024 /* block i uses picks[i % MIX_PICKS] */

/* Fills picks[0..MIX_PICKS) from a fixed seed (same tables in every run and backend). */
void mix_make_picks(struct mix_pick *picks);

/* One backend: emits a function label, then `nblocks` blocks, into a buffer it creates and
 * releases itself (as a JIT does per compiled function); this whole call is what is timed.
 * If `out` is not NULL the finished code is copied there (at most `cap` bytes). Returns the
 * code size in bytes, or 0 if the backend reported an error (message on stderr). */
typedef size_t (*mix_emit_fn)(const struct mix_pick *picks, size_t nblocks, uint8_t *out,
                              size_t cap);

size_t mix_emit_asmjit(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap);
size_t mix_emit_xbyak(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap);
size_t mix_emit_kiln_typed(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap);
size_t mix_emit_kiln_cursor(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap);
size_t mix_emit_kiln_generic(const struct mix_pick *picks, size_t nblocks, uint8_t *out,
                             size_t cap);

#ifdef __cplusplus
}
#endif

#endif
