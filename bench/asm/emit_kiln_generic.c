/* SPDX-License-Identifier: Apache-2.0 */
/* The bench/asm mix through kiln's checked generic path (x64/generic.h): mnemonic plus operand
 * array, form chosen and operands validated on every call, as text input and tools use it. */
#include "kiln_buf.h"
#include "mix.h"
#include "x64/x64.h"

#define R(n) ((enum x64_gpr)(n))

/* One instruction: x64_emit() over a compound-literal operand array. */
#define EMIT(b, mn, ...)                                                                           \
    do {                                                                                           \
        const struct x64_operand ops_[] = {__VA_ARGS__};                                           \
        x64_emit((b), (mn), ops_, (unsigned)(sizeof ops_ / sizeof ops_[0]));                       \
    } while (0)

size_t mix_emit_kiln_generic(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap)
{
    struct x64_buf b;
    if (!kiln_buf_open(&b, "kiln_generic"))
        return 0;
    struct x64_label fn = x64_label_new(&b);
    x64_label_bind(&b, fn);
    for (size_t i = 0; i < nblocks; i++) {
        const struct mix_pick *p = &picks[i % MIX_PICKS];
        struct x64_label top = x64_label_new(&b), fwd = x64_label_new(&b);
        struct x64_operand a64 = x64_op_r64(R(p->a)), b64 = x64_op_r64(R(p->b)),
                           c64 = x64_op_r64(R(p->c)), d64 = x64_op_r64(R(p->d));
        struct x64_operand a32 = x64_op_r32(R(p->a)), b32 = x64_op_r32(R(p->b)),
                           c32 = x64_op_r32(R(p->c)), d32 = x64_op_r32(R(p->d));
        struct x64_operand c8 = x64_op_r8(R(p->c));
        struct x64_operand xa = x64_op_xmm(p->xa), xb = x64_op_xmm(p->xb), xc = x64_op_xmm(p->xc);
        x64_label_bind(&b, top);
        EMIT(&b, X64_MN_MOV, a64, b64);
        EMIT(&b, X64_MN_MOV, c32, x64_op_imm(p->imm32));
        EMIT(&b, X64_MN_ADD, a64, c64);
        EMIT(&b, X64_MN_SUB, b32, x64_op_imm(p->imm8));
        EMIT(&b, X64_MN_AND, c32, x64_op_imm(p->imm32));
        EMIT(&b, X64_MN_XOR, a32, d32);
        EMIT(&b, X64_MN_CMP, b64, d64);
        EMIT(&b, X64_MN_MOV, d32,
             x64_op_mem(4, x64_mem_bis(R(p->base), R(p->index), 4, p->disp32)));
        EMIT(&b, X64_MN_MOV, x64_op_mem(8, x64_mem_b(R(p->base), p->disp32)), a64);
        EMIT(&b, X64_MN_MOVZX, c32,
             x64_op_mem(1, x64_mem_bis(R(p->base), R(p->index), 1, p->disp8)));
        EMIT(&b, X64_MN_LEA, a64, x64_op_mem(0, x64_mem_bis(R(p->base), R(p->index), 8, p->disp8)));
        EMIT(&b, X64_MN_IMUL, b32, c32);
        EMIT(&b, X64_MN_IMUL, d64, a64, x64_op_imm(p->imm32));
        EMIT(&b, X64_MN_SHL, c32, x64_op_imm(p->sh));
        EMIT(&b, X64_MN_SAR, a64, x64_op_r8(X64_CL));
        EMIT(&b, X64_MN_CMP, a32, b32);
        EMIT(&b, X64_MN_SETL, c8);
        EMIT(&b, X64_MN_LEA, d64, x64_op_mem(0, x64_mem_b(R(p->base5), p->disp8)));
        EMIT(&b, X64_MN_MOVZX, c32, c8);
        EMIT(&b, X64_MN_TEST, d32, d32);
        EMIT(&b, X64_MN_JE, x64_op_label(fwd));
        EMIT(&b, X64_MN_PUSH, a64);
        EMIT(&b, X64_MN_POP, b64);
        EMIT(&b, X64_MN_CALL, x64_op_label(fn));
        EMIT(&b, X64_MN_MOVSD, xa, x64_op_mem(8, x64_mem_b(R(p->base), p->disp32)));
        EMIT(&b, X64_MN_ADDSD, xa, xb);
        EMIT(&b, X64_MN_MULSD, xb, xc);
        EMIT(&b, X64_MN_CVTSI2SD, xc, a32);
        EMIT(&b, X64_MN_UCOMISD, xa, xb);
        EMIT(&b, X64_MN_MOVSD, x64_op_mem(8, x64_mem_b(R(p->base5), p->disp8)), xc);
        EMIT(&b, X64_MN_CVTTSD2SI, b64, xa);
        EMIT(&b, X64_MN_MOVQ, xa, a64);
#if MIX_AVX
        EMIT(&b, X64_MN_VADDSD, xa, xb, xc);
        EMIT(&b, X64_MN_VMULSD, xc, xa, xb);
        EMIT(&b, X64_MN_VXORPS, xb, xb, xb);
#endif
        EMIT(&b, X64_MN_JNE, x64_op_label(top));
        EMIT(&b, X64_MN_JMP, x64_op_label(fwd));
        x64_label_bind(&b, fwd);
    }
    return kiln_buf_close(&b, "kiln_generic", out, cap);
}
