/* SPDX-License-Identifier: Apache-2.0 */
/* The bench/asm mix through kiln's cursor emitters (x64/gen/emit_cur.h): the typed emitters
 * writing through a struct x64_cur kept in registers. One buffer per call, one cursor over the
 * whole function, labels per block, finish at the end. */
#include "kiln_buf.h"
#include "mix.h"
#include "x64/x64.h"

#define R(n) ((enum x64_gpr)(n))

size_t mix_emit_kiln_cursor(const struct mix_pick *picks, size_t nblocks, uint8_t *out, size_t cap)
{
    struct x64_buf b;
    if (!kiln_buf_open(&b, "kiln_cursor"))
        return 0;
    struct x64_cur c = x64_cur_open(&b);
    struct x64_label fn = x64c_label_new(&c);
    x64c_label_bind(&c, fn);
    for (size_t i = 0; i < nblocks; i++) {
        const struct mix_pick *p = &picks[i % MIX_PICKS];
        struct x64_label top = x64c_label_new(&c), fwd = x64c_label_new(&c);
        x64c_label_bind(&c, top);
        x64c_mov_r64_r64(&c, R(p->a), R(p->b));
        x64c_mov_r32_imm32(&c, R(p->c), p->imm32);
        x64c_add_r64_r64(&c, R(p->a), R(p->c));
        x64c_sub_r32_imm8(&c, R(p->b), p->imm8);
        x64c_and_r32_imm32(&c, R(p->c), p->imm32);
        x64c_xor_r32_r32(&c, R(p->a), R(p->d));
        x64c_cmp_r64_r64(&c, R(p->b), R(p->d));
        x64c_mov_r32_m32(&c, R(p->d), x64_mem_bis(R(p->base), R(p->index), 4, p->disp32));
        x64c_mov_m64_r64(&c, x64_mem_b(R(p->base), p->disp32), R(p->a));
        x64c_movzx_r32_m8(&c, R(p->c), x64_mem_bis(R(p->base), R(p->index), 1, p->disp8));
        x64c_lea_r64_m(&c, R(p->a), x64_mem_bis(R(p->base), R(p->index), 8, p->disp8));
        x64c_imul_r32_r32(&c, R(p->b), R(p->c));
        x64c_imul_r64_r64_imm32(&c, R(p->d), R(p->a), p->imm32);
        x64c_shl_r32_imm8(&c, R(p->c), p->sh);
        x64c_sar_r64_cl(&c, R(p->a));
        x64c_cmp_r32_r32(&c, R(p->a), R(p->b));
        x64c_setcc_r8(&c, X64_CC_L, R(p->c));
        x64c_lea_r64_m(&c, R(p->d), x64_mem_b(R(p->base5), p->disp8));
        x64c_movzx_r32_r8(&c, R(p->c), R(p->c));
        x64c_test_r32_r32(&c, R(p->d), R(p->d));
        x64c_jcc(&c, X64_CC_E, fwd);
        x64c_push_r64(&c, R(p->a));
        x64c_pop_r64(&c, R(p->b));
        x64c_call_label(&c, fn);
        x64c_movsd_xmm_m64(&c, p->xa, x64_mem_b(R(p->base), p->disp32));
        x64c_addsd_xmm_xmm(&c, p->xa, p->xb);
        x64c_mulsd_xmm_xmm(&c, p->xb, p->xc);
        x64c_cvtsi2sd_xmm_r32(&c, p->xc, R(p->a));
        x64c_ucomisd_xmm_xmm(&c, p->xa, p->xb);
        x64c_movsd_m64_xmm(&c, x64_mem_b(R(p->base5), p->disp8), p->xc);
        x64c_cvttsd2si_r64_xmm(&c, R(p->b), p->xa);
        x64c_movq_xmm_r64(&c, p->xa, R(p->a));
#if MIX_AVX
        x64c_vaddsd_xmm_xmm_xmm(&c, p->xa, p->xb, p->xc);
        x64c_vmulsd_xmm_xmm_xmm(&c, p->xc, p->xa, p->xb);
        x64c_vxorps_xmm_xmm_xmm(&c, p->xb, p->xb, p->xb);
#endif
        x64c_jcc(&c, X64_CC_NE, top);
        x64c_jmp(&c, fwd);
        x64c_label_bind(&c, fwd);
    }
    x64_cur_close(&c);
    return kiln_buf_close(&b, "kiln_cursor", out, cap);
}
