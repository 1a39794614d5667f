/* SPDX-License-Identifier: Apache-2.0 */
/* The bench/asm mix through kiln's typed emitters (x64/gen/emit.h): what the compiler uses on
 * its hot path. One buffer per call, labels per block, finish at the end, as for a function. */
#include "kiln_buf.h"
#include "mix.h"
#include "x64/x64.h"

#define R(n) ((enum x64_gpr)(n))

size_t mix_emit_kiln_typed(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap)
{
    struct x64_buf b;
    if (!kiln_buf_open(&b, "kiln_typed"))
        return 0;
    struct x64_label fn = x64_label_new(&b);
    x64_label_bind(&b, fn);
    for (size_t i = 0; i < nblocks; i++) {
        const struct mix_pick *p = &picks[i % MIX_PICKS];
        struct x64_label top = x64_label_new(&b), fwd = x64_label_new(&b);
        x64_label_bind(&b, top);
        x64_mov_r64_r64(&b, R(p->a), R(p->b));
        x64_mov_r32_imm32(&b, R(p->c), p->imm32);
        x64_add_r64_r64(&b, R(p->a), R(p->c));
        x64_sub_r32_imm8(&b, R(p->b), p->imm8);
        x64_and_r32_imm32(&b, R(p->c), p->imm32);
        x64_xor_r32_r32(&b, R(p->a), R(p->d));
        x64_cmp_r64_r64(&b, R(p->b), R(p->d));
        x64_mov_r32_m32(&b, R(p->d), x64_mem_bis(R(p->base), R(p->index), 4, p->disp32));
        x64_mov_m64_r64(&b, x64_mem_b(R(p->base), p->disp32), R(p->a));
        x64_movzx_r32_m8(&b, R(p->c), x64_mem_bis(R(p->base), R(p->index), 1, p->disp8));
        x64_lea_r64_m(&b, R(p->a), x64_mem_bis(R(p->base), R(p->index), 8, p->disp8));
        x64_imul_r32_r32(&b, R(p->b), R(p->c));
        x64_imul_r64_r64_imm32(&b, R(p->d), R(p->a), p->imm32);
        x64_shl_r32_imm8(&b, R(p->c), p->sh);
        x64_sar_r64_cl(&b, R(p->a));
        x64_cmp_r32_r32(&b, R(p->a), R(p->b));
        x64_setcc_r8(&b, X64_CC_L, R(p->c));
        x64_lea_r64_m(&b, R(p->d), x64_mem_b(R(p->base5), p->disp8));
        x64_movzx_r32_r8(&b, R(p->c), R(p->c));
        x64_test_r32_r32(&b, R(p->d), R(p->d));
        x64_jcc(&b, X64_CC_E, fwd);
        x64_push_r64(&b, R(p->a));
        x64_pop_r64(&b, R(p->b));
        x64_call_label(&b, fn);
        x64_movsd_xmm_m64(&b, p->xa, x64_mem_b(R(p->base), p->disp32));
        x64_addsd_xmm_xmm(&b, p->xa, p->xb);
        x64_mulsd_xmm_xmm(&b, p->xb, p->xc);
        x64_cvtsi2sd_xmm_r32(&b, p->xc, R(p->a));
        x64_ucomisd_xmm_xmm(&b, p->xa, p->xb);
        x64_movsd_m64_xmm(&b, x64_mem_b(R(p->base5), p->disp8), p->xc);
        x64_cvttsd2si_r64_xmm(&b, R(p->b), p->xa);
        x64_movq_xmm_r64(&b, p->xa, R(p->a));
#if MIX_AVX
        x64_vaddsd_xmm_xmm_xmm(&b, p->xa, p->xb, p->xc);
        x64_vmulsd_xmm_xmm_xmm(&b, p->xc, p->xa, p->xb);
        x64_vxorps_xmm_xmm_xmm(&b, p->xb, p->xb, p->xb);
#endif
        x64_jcc(&b, X64_CC_NE, top);
        x64_jmp(&b, fwd);
        x64_label_bind(&b, fwd);
    }
    return kiln_buf_close(&b, "kiln_typed", out, cap);
}
