/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-instruction sequences with Wasm semantics the hardware lacks: division with its traps,
 * fmin/fmax with signed zeros and NaN, trapping and saturating truncations with exact bounds,
 * unsigned 64-bit to float conversions. */
#include "cg_internal.h"

#include <string.h>

void cg_masm_mov_imm(struct cg_ctx *c, unsigned reg, uint8_t type, int64_t imm)
{
    enum x64_gpr r = (enum x64_gpr)reg;
    if (!cg_is_wide(type) || (imm >= 0 && imm <= (int64_t)UINT32_MAX))
        x64_mov_r32_imm32(c->b, r, (int32_t)(uint32_t)imm); /* zero-extends */
    else if (imm == (int64_t)(int32_t)imm)
        x64_mov_r64_imm32(c->b, r, (int32_t)imm);
    else
        x64_mov_r64_imm64(c->b, r, imm);
}

struct x64_mem cg_masm_const_mem(struct cg_ctx *c, const void *data, size_t size)
{
    /* SSE memory operands of packed logic ops need 16-byte alignment. */
    struct x64_label l = x64_const(c->b, data, size, 16);
    return x64_mem_rip_label(l, 0);
}

/* --- Division --- */

void cg_masm_div_rem(struct cg_ctx *c, enum wdec_opcode op)
{
    struct x64_buf *b = c->b;
    bool w = op == WDEC_OP_I64_DIV_S || op == WDEC_OP_I64_DIV_U || op == WDEC_OP_I64_REM_S ||
             op == WDEC_OP_I64_REM_U;
    bool sgn = op == WDEC_OP_I32_DIV_S || op == WDEC_OP_I64_DIV_S || op == WDEC_OP_I32_REM_S ||
               op == WDEC_OP_I64_REM_S;
    bool rem = op == WDEC_OP_I32_REM_S || op == WDEC_OP_I32_REM_U || op == WDEC_OP_I64_REM_S ||
               op == WDEC_OP_I64_REM_U;
    uint8_t type = w ? WDEC_I64 : WDEC_I32;
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    bool rconst = rhs.loc == CG_LOC_CONST;
    int64_t rv = w ? rhs.imm : (int64_t)(int32_t)rhs.imm;
    /* Divisor -> r11 (never rax/rdx), dividend -> rax, rdx clobbered. */
    cg_load_into(c, &rhs, CG_REG_SCRATCH);
    cg_release(c, &rhs);
    if (!(lhs.loc == CG_LOC_REG && lhs.reg == X64_RAX)) {
        cg_claim_gp(c, X64_RAX);
        cg_load_into(c, &lhs, X64_RAX);
        cg_release(c, &lhs);
    }
    cg_claim_gp(c, X64_RDX);
    struct x64_label done = {0};
    if (!rconst || rv == 0) {
        w ? x64_test_r64_r64(b, CG_REG_SCRATCH, CG_REG_SCRATCH)
          : x64_test_r32_r32(b, CG_REG_SCRATCH, CG_REG_SCRATCH);
        x64_jcc(b, X64_CC_E, cg_trap_label(c, CG_TRAP_INT_DIV_ZERO));
    }
    if (sgn && (!rconst || rv == -1)) {
        /* INT_MIN / -1 overflows (div traps, rem is 0): idiv would raise #DE. */
        struct x64_label normal = x64_label_new(b);
        done = x64_label_new(b);
        w ? x64_cmp_r64_imm8(b, CG_REG_SCRATCH, -1) : x64_cmp_r32_imm8(b, CG_REG_SCRATCH, -1);
        x64_jcc(b, X64_CC_NE, normal);
        if (rem) {
            x64_xor_r32_r32(b, X64_RDX, X64_RDX);
            x64_jmp(b, done);
        } else {
            if (w) {
                x64_mov_r64_imm64(b, CG_REG_SCRATCH2, INT64_MIN);
                x64_cmp_r64_r64(b, X64_RAX, CG_REG_SCRATCH2);
            } else {
                x64_cmp_r32_imm32(b, X64_RAX, INT32_MIN);
            }
            x64_jcc(b, X64_CC_E, cg_trap_label(c, CG_TRAP_INT_OVERFLOW));
        }
        x64_label_bind(b, normal);
    }
    if (sgn) {
        w ? x64_cqo(b) : x64_cdq(b);
        w ? x64_idiv_r64(b, CG_REG_SCRATCH) : x64_idiv_r32(b, CG_REG_SCRATCH);
    } else {
        x64_xor_r32_r32(b, X64_RDX, X64_RDX);
        w ? x64_div_r64(b, CG_REG_SCRATCH) : x64_div_r32(b, CG_REG_SCRATCH);
    }
    if (done.id)
        x64_label_bind(b, done);
    if (rem) {
        cg_free_gp(c, X64_RAX);
        cg_push_reg(c, type, X64_RDX);
    } else {
        cg_free_gp(c, X64_RDX);
        cg_push_reg(c, type, X64_RAX);
    }
}

/* --- min / max --- */

void cg_masm_fminmax(struct cg_ctx *c, bool w, bool is_max, unsigned d, unsigned s)
{
    struct x64_buf *b = c->b;
    struct x64_label nan = x64_label_new(b), normal = x64_label_new(b), done = x64_label_new(b);
    w ? x64_ucomisd_xmm_xmm(b, d, s) : x64_ucomiss_xmm_xmm(b, d, s);
    x64_jcc(b, X64_CC_P, nan);
    x64_jcc(b, X64_CC_NE, normal);
    /* Equal: only the signs of zeros can differ. min(-0,+0) = -0 (or), max = +0 (and). */
    if (is_max)
        w ? x64_andpd_xmm_xmm(b, d, s) : x64_andps_xmm_xmm(b, d, s);
    else
        w ? x64_orpd_xmm_xmm(b, d, s) : x64_orps_xmm_xmm(b, d, s);
    x64_jmp(b, done);
    x64_label_bind(b, nan);
    /* Either is NaN: an add propagates (and quiets) it. */
    w ? x64_addsd_xmm_xmm(b, d, s) : x64_addss_xmm_xmm(b, d, s);
    x64_jmp(b, done);
    x64_label_bind(b, normal);
    if (is_max)
        w ? x64_maxsd_xmm_xmm(b, d, s) : x64_maxss_xmm_xmm(b, d, s);
    else
        w ? x64_minsd_xmm_xmm(b, d, s) : x64_minss_xmm_xmm(b, d, s);
    x64_label_bind(b, done);
}

/* --- Float -> int truncation --- */

static struct x64_mem fconst(struct cg_ctx *c, bool src64, double v)
{
    uint8_t buf[16] = {0};
    if (src64) {
        memcpy(buf, &v, 8);
    } else {
        float f = (float)v;
        memcpy(buf, &f, 4);
    }
    return cg_masm_const_mem(c, buf, 16);
}

static void ucomi_m(struct cg_ctx *c, bool src64, unsigned x, struct x64_mem m)
{
    src64 ? x64_ucomisd_xmm_m64(c->b, x, m) : x64_ucomiss_xmm_m32(c->b, x, m);
}

static void cvtt(struct cg_ctx *c, bool src64, bool dst64, enum x64_gpr r, unsigned x)
{
    if (src64)
        dst64 ? x64_cvttsd2si_r64_xmm(c->b, r, x) : x64_cvttsd2si_r32_xmm(c->b, r, x);
    else
        dst64 ? x64_cvttss2si_r64_xmm(c->b, r, x) : x64_cvttss2si_r32_xmm(c->b, r, x);
}

void cg_masm_trunc(struct cg_ctx *c, enum wdec_opcode op)
{
    struct x64_buf *b = c->b;
    bool src64 = false, dst64 = false, sgn = false, sat = false;
    switch (op) {
    case WDEC_OP_I32_TRUNC_F32_S:
        sgn = true;
        break;
    case WDEC_OP_I32_TRUNC_F32_U:
        break;
    case WDEC_OP_I32_TRUNC_F64_S:
        src64 = sgn = true;
        break;
    case WDEC_OP_I32_TRUNC_F64_U:
        src64 = true;
        break;
    case WDEC_OP_I64_TRUNC_F32_S:
        dst64 = sgn = true;
        break;
    case WDEC_OP_I64_TRUNC_F32_U:
        dst64 = true;
        break;
    case WDEC_OP_I64_TRUNC_F64_S:
        dst64 = src64 = sgn = true;
        break;
    case WDEC_OP_I64_TRUNC_F64_U:
        dst64 = src64 = true;
        break;
    case WDEC_OP_I32_TRUNC_SAT_F32_S:
        sat = sgn = true;
        break;
    case WDEC_OP_I32_TRUNC_SAT_F32_U:
        sat = true;
        break;
    case WDEC_OP_I32_TRUNC_SAT_F64_S:
        sat = src64 = sgn = true;
        break;
    case WDEC_OP_I32_TRUNC_SAT_F64_U:
        sat = src64 = true;
        break;
    case WDEC_OP_I64_TRUNC_SAT_F32_S:
        sat = dst64 = sgn = true;
        break;
    case WDEC_OP_I64_TRUNC_SAT_F32_U:
        sat = dst64 = true;
        break;
    case WDEC_OP_I64_TRUNC_SAT_F64_S:
        sat = dst64 = src64 = sgn = true;
        break;
    case WDEC_OP_I64_TRUNC_SAT_F64_U:
        sat = dst64 = src64 = true;
        break;
    default:
        return;
    }
    /* Out-of-range bounds, exact in the source type: x < lo (or x <= lo when `lo_incl`) or
     * x >= hi is out of range. */
    double lo, hi;
    bool lo_incl;
    if (sgn && !dst64) {
        lo = src64 ? -2147483649.0 : -2147483648.0;
        lo_incl = src64;
        hi = 2147483648.0;
    } else if (sgn) {
        lo = -9223372036854775808.0;
        lo_incl = false;
        hi = 9223372036854775808.0;
    } else {
        lo = -1.0;
        lo_incl = true;
        hi = dst64 ? 18446744073709551616.0 : 4294967296.0;
    }
    int64_t minv = sgn ? (dst64 ? INT64_MIN : INT32_MIN) : 0;
    int64_t maxv = sgn ? (dst64 ? INT64_MAX : INT32_MAX) : (dst64 ? -1 : (int64_t)UINT32_MAX);

    struct cg_val v = cg_pop(c);
    unsigned x = cg_to_reg(c, &v);
    enum x64_gpr r = (enum x64_gpr)cg_alloc_gp(c);
    struct x64_label done = x64_label_new(b);
    struct x64_mem mlo = fconst(c, src64, lo), mhi = fconst(c, src64, hi);
    if (sat)
        x64_xor_r32_r32(b, r, r); /* NaN -> 0; before the compares: xor changes flags */
    src64 ? x64_ucomisd_xmm_xmm(b, x, x) : x64_ucomiss_xmm_xmm(b, x, x);
    x64_jcc(b, X64_CC_P, sat ? done : cg_trap_label(c, CG_TRAP_INVALID_CONVERSION));
    if (sat)
        cg_masm_mov_imm(c, r, dst64 ? WDEC_I64 : WDEC_I32, minv);
    ucomi_m(c, src64, x, mlo);
    x64_jcc(b, lo_incl ? X64_CC_BE : X64_CC_B, sat ? done : cg_trap_label(c, CG_TRAP_INT_OVERFLOW));
    if (sat)
        cg_masm_mov_imm(c, r, dst64 ? WDEC_I64 : WDEC_I32, maxv);
    ucomi_m(c, src64, x, mhi);
    x64_jcc(b, X64_CC_AE, sat ? done : cg_trap_label(c, CG_TRAP_INT_OVERFLOW));
    if (sgn) {
        cvtt(c, src64, dst64, r, x);
    } else if (!dst64) {
        cvtt(c, src64, true, r, x);
        x64_mov_r32_r32(b, r, r);
    } else {
        /* [0, 2^64): below 2^63 convert directly, else convert x - 2^63 and set bit 63. */
        struct x64_label big = x64_label_new(b);
        struct x64_mem m63 = fconst(c, src64, 9223372036854775808.0);
        ucomi_m(c, src64, x, m63);
        x64_jcc(b, X64_CC_AE, big);
        cvtt(c, src64, true, r, x);
        x64_jmp(b, done);
        x64_label_bind(b, big);
        if (src64) {
            x64_movaps_xmm_xmm(b, CG_XMM_SCRATCH, x);
            x64_subsd_xmm_m64(b, CG_XMM_SCRATCH, m63);
        } else {
            x64_movaps_xmm_xmm(b, CG_XMM_SCRATCH, x);
            x64_subss_xmm_m32(b, CG_XMM_SCRATCH, m63);
        }
        cvtt(c, src64, true, r, CG_XMM_SCRATCH);
        x64_btc_r64_imm8(b, r, 63);
    }
    x64_label_bind(b, done);
    cg_release(c, &v);
    cg_push_reg(c, dst64 ? WDEC_I64 : WDEC_I32, r);
}

/* --- Unsigned 64-bit int -> float --- */

void cg_masm_convert_u64(struct cg_ctx *c, bool to_f64, unsigned d, unsigned s)
{
    struct x64_buf *b = c->b;
    enum x64_gpr r = (enum x64_gpr)s;
    struct x64_label big = x64_label_new(b), done = x64_label_new(b);
    x64_test_r64_r64(b, r, r);
    x64_jcc(b, X64_CC_S, big);
    to_f64 ? x64_cvtsi2sd_xmm_r64(b, d, r) : x64_cvtsi2ss_xmm_r64(b, d, r);
    x64_jmp(b, done);
    x64_label_bind(b, big);
    /* Halve with the lost bit folded in (round to odd), convert, double: one rounding. */
    x64_mov_r64_r64(b, CG_REG_SCRATCH, r);
    x64_shr_r64_imm8(b, CG_REG_SCRATCH, 1);
    x64_mov_r64_r64(b, CG_REG_SCRATCH2, r);
    x64_and_r32_imm8(b, CG_REG_SCRATCH2, 1);
    x64_or_r64_r64(b, CG_REG_SCRATCH, CG_REG_SCRATCH2);
    if (to_f64) {
        x64_cvtsi2sd_xmm_r64(b, d, CG_REG_SCRATCH);
        x64_addsd_xmm_xmm(b, d, d);
    } else {
        x64_cvtsi2ss_xmm_r64(b, d, CG_REG_SCRATCH);
        x64_addss_xmm_xmm(b, d, d);
    }
    x64_label_bind(b, done);
}
