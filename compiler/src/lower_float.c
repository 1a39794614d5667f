/* SPDX-License-Identifier: Apache-2.0 */
/* Float operations in SSE scalar registers. abs/neg/copysign are bit operations (NaN payloads
 * kept bit-exact), min/max go through masm.c, rounding uses roundss/roundsd (SSE4.1). */
#include "cg_internal.h"

#include <string.h>

enum fop { F_ADD, F_SUB, F_MUL, F_DIV };

static void fop_rr(struct x64_buf *b, enum fop op, bool w, unsigned d, unsigned s)
{
    switch (op) {
    case F_ADD:
        w ? x64_addsd_xmm_xmm(b, d, s) : x64_addss_xmm_xmm(b, d, s);
        break;
    case F_SUB:
        w ? x64_subsd_xmm_xmm(b, d, s) : x64_subss_xmm_xmm(b, d, s);
        break;
    case F_MUL:
        w ? x64_mulsd_xmm_xmm(b, d, s) : x64_mulss_xmm_xmm(b, d, s);
        break;
    case F_DIV:
        w ? x64_divsd_xmm_xmm(b, d, s) : x64_divss_xmm_xmm(b, d, s);
        break;
    }
}

static void fop_rm(struct x64_buf *b, enum fop op, bool w, unsigned d, struct x64_mem m)
{
    switch (op) {
    case F_ADD:
        w ? x64_addsd_xmm_m64(b, d, m) : x64_addss_xmm_m32(b, d, m);
        break;
    case F_SUB:
        w ? x64_subsd_xmm_m64(b, d, m) : x64_subss_xmm_m32(b, d, m);
        break;
    case F_MUL:
        w ? x64_mulsd_xmm_m64(b, d, m) : x64_mulss_xmm_m32(b, d, m);
        break;
    case F_DIV:
        w ? x64_divsd_xmm_m64(b, d, m) : x64_divss_xmm_m32(b, d, m);
        break;
    }
}

static void farith(struct cg_ctx *c, enum fop op, bool w)
{
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    unsigned d = cg_to_reg_dst(c, &lhs);
    if (rhs.loc == CG_LOC_LOCAL && cg_local_cached(c, rhs.local) >= 0) {
        fop_rr(c->b, op, w, d, (unsigned)cg_local_cached(c, rhs.local));
    } else if (rhs.loc == CG_LOC_SLOT || rhs.loc == CG_LOC_LOCAL) {
        fop_rm(c->b, op, w, d,
               rhs.loc == CG_LOC_LOCAL ? cg_local_mem(c, rhs.local) : cg_slot_mem(c, rhs.local));
    } else if (rhs.loc == CG_LOC_CONST) {
        uint8_t buf[16] = {0};
        memcpy(buf, &rhs.imm, w ? 8 : 4);
        fop_rm(c->b, op, w, d, cg_masm_const_mem(c, buf, 16));
    } else {
        fop_rr(c->b, op, w, d, rhs.reg);
    }
    cg_release(c, &rhs);
    cg_push_reg(c, w ? WDEC_F64 : WDEC_F32, d);
}

static struct x64_mem mask(struct cg_ctx *c, bool w, bool sign)
{
    uint8_t buf[16] = {0};
    if (w) {
        uint64_t m = sign ? 0x8000000000000000ull : 0x7FFFFFFFFFFFFFFFull;
        memcpy(buf, &m, 8);
    } else {
        uint32_t m = sign ? 0x80000000u : 0x7FFFFFFFu;
        memcpy(buf, &m, 4);
    }
    return cg_masm_const_mem(c, buf, 16);
}

static void funary(struct cg_ctx *c, enum wdec_opcode op, bool w)
{
    struct x64_buf *b = c->b;
    struct cg_val v = cg_pop(c);
    unsigned d = cg_to_reg_dst(c, &v);
    switch (op) {
    case WDEC_OP_F32_ABS:
    case WDEC_OP_F64_ABS:
        x64_andps_xmm_m128(b, d, mask(c, w, false));
        break;
    case WDEC_OP_F32_NEG:
    case WDEC_OP_F64_NEG:
        x64_xorps_xmm_m128(b, d, mask(c, w, true));
        break;
    case WDEC_OP_F32_SQRT:
    case WDEC_OP_F64_SQRT:
        w ? x64_sqrtsd_xmm_xmm(b, d, d) : x64_sqrtss_xmm_xmm(b, d, d);
        break;
    default: {
        /* roundss/roundsd imm: 0 nearest-even, 1 down, 2 up, 3 toward zero; bit 3 suppresses the
         * precision exception. */
        int32_t mode = 0;
        if (op == WDEC_OP_F32_FLOOR || op == WDEC_OP_F64_FLOOR)
            mode = 1;
        else if (op == WDEC_OP_F32_CEIL || op == WDEC_OP_F64_CEIL)
            mode = 2;
        else if (op == WDEC_OP_F32_TRUNC || op == WDEC_OP_F64_TRUNC)
            mode = 3;
        w ? x64_roundsd_xmm_xmm_imm8(b, d, d, mode | 8)
          : x64_roundss_xmm_xmm_imm8(b, d, d, mode | 8);
        break;
    }
    }
    cg_push_reg(c, w ? WDEC_F64 : WDEC_F32, d);
}

static void fminmax(struct cg_ctx *c, bool w, bool is_max)
{
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    unsigned d = cg_to_reg_dst(c, &lhs);
    unsigned s = cg_to_reg(c, &rhs);
    cg_masm_fminmax(c, w, is_max, d, s);
    cg_release(c, &rhs);
    cg_push_reg(c, w ? WDEC_F64 : WDEC_F32, d);
}

static void fcopysign(struct cg_ctx *c, bool w)
{
    struct x64_buf *b = c->b;
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    unsigned d = cg_to_reg_dst(c, &lhs);
    unsigned s = cg_to_reg(c, &rhs);
    x64_movaps_xmm_xmm(b, CG_XMM_SCRATCH, s);
    x64_andps_xmm_m128(b, CG_XMM_SCRATCH, mask(c, w, true));
    x64_andps_xmm_m128(b, d, mask(c, w, false));
    x64_orps_xmm_xmm(b, d, CG_XMM_SCRATCH);
    cg_release(c, &rhs);
    cg_push_reg(c, w ? WDEC_F64 : WDEC_F32, d);
}

/* Comparisons. lt/gt/le/ge map to one condition after ucomis (unordered sets CF=ZF=PF=1, so
 * "above" conditions are false for NaN) and stay in EFLAGS; eq/ne need PF too. */
static void fcompare(struct cg_ctx *c, enum wdec_opcode op, bool w)
{
    struct x64_buf *b = c->b;
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    bool swap = op == WDEC_OP_F32_LT || op == WDEC_OP_F64_LT || op == WDEC_OP_F32_LE ||
                op == WDEC_OP_F64_LE;
    struct cg_val *x = swap ? &rhs : &lhs, *y = swap ? &lhs : &rhs;
    unsigned xr = cg_to_reg(c, x);
    if (y->loc == CG_LOC_LOCAL && cg_local_cached(c, y->local) >= 0) {
        unsigned yr = (unsigned)cg_local_cached(c, y->local);
        w ? x64_ucomisd_xmm_xmm(b, xr, yr) : x64_ucomiss_xmm_xmm(b, xr, yr);
    } else if (y->loc == CG_LOC_CONST) {
        uint8_t buf[16] = {0};
        memcpy(buf, &y->imm, w ? 8 : 4);
        struct x64_mem m = cg_masm_const_mem(c, buf, 16);
        w ? x64_ucomisd_xmm_m64(b, xr, m) : x64_ucomiss_xmm_m32(b, xr, m);
    } else if (y->loc == CG_LOC_SLOT || y->loc == CG_LOC_LOCAL) {
        struct x64_mem m =
            y->loc == CG_LOC_LOCAL ? cg_local_mem(c, y->local) : cg_slot_mem(c, y->local);
        w ? x64_ucomisd_xmm_m64(b, xr, m) : x64_ucomiss_xmm_m32(b, xr, m);
    } else {
        unsigned yr = cg_to_reg(c, y);
        w ? x64_ucomisd_xmm_xmm(b, xr, yr) : x64_ucomiss_xmm_xmm(b, xr, yr);
    }
    cg_release(c, &lhs);
    cg_release(c, &rhs);
    switch (op) {
    case WDEC_OP_F32_EQ:
    case WDEC_OP_F64_EQ:
    case WDEC_OP_F32_NE:
    case WDEC_OP_F64_NE: {
        bool eq = op == WDEC_OP_F32_EQ || op == WDEC_OP_F64_EQ;
        enum x64_gpr r = (enum x64_gpr)cg_alloc_gp(c);
        x64_setcc_r8(b, eq ? X64_CC_E : X64_CC_NE, r);
        x64_setcc_r8(b, eq ? X64_CC_NP : X64_CC_P, CG_REG_SCRATCH);
        eq ? x64_and_r8_r8(b, r, CG_REG_SCRATCH) : x64_or_r8_r8(b, r, CG_REG_SCRATCH);
        x64_movzx_r32_r8(b, r, r);
        cg_push_reg(c, WDEC_I32, r);
        break;
    }
    case WDEC_OP_F32_LT:
    case WDEC_OP_F64_LT:
    case WDEC_OP_F32_GT:
    case WDEC_OP_F64_GT:
        cg_push_flags(c, X64_CC_A);
        break;
    default:
        cg_push_flags(c, X64_CC_AE);
        break;
    }
}

bool cg_lower_float(struct cg_ctx *c, enum wdec_opcode op)
{
    switch (op) {
    case WDEC_OP_F32_ADD:
        farith(c, F_ADD, false);
        return true;
    case WDEC_OP_F32_SUB:
        farith(c, F_SUB, false);
        return true;
    case WDEC_OP_F32_MUL:
        farith(c, F_MUL, false);
        return true;
    case WDEC_OP_F32_DIV:
        farith(c, F_DIV, false);
        return true;
    case WDEC_OP_F64_ADD:
        farith(c, F_ADD, true);
        return true;
    case WDEC_OP_F64_SUB:
        farith(c, F_SUB, true);
        return true;
    case WDEC_OP_F64_MUL:
        farith(c, F_MUL, true);
        return true;
    case WDEC_OP_F64_DIV:
        farith(c, F_DIV, true);
        return true;
    case WDEC_OP_F32_MIN:
        fminmax(c, false, false);
        return true;
    case WDEC_OP_F32_MAX:
        fminmax(c, false, true);
        return true;
    case WDEC_OP_F64_MIN:
        fminmax(c, true, false);
        return true;
    case WDEC_OP_F64_MAX:
        fminmax(c, true, true);
        return true;
    case WDEC_OP_F32_COPYSIGN:
        fcopysign(c, false);
        return true;
    case WDEC_OP_F64_COPYSIGN:
        fcopysign(c, true);
        return true;
    case WDEC_OP_F32_ABS:
    case WDEC_OP_F32_NEG:
    case WDEC_OP_F32_CEIL:
    case WDEC_OP_F32_FLOOR:
    case WDEC_OP_F32_TRUNC:
    case WDEC_OP_F32_NEAREST:
    case WDEC_OP_F32_SQRT:
        funary(c, op, false);
        return true;
    case WDEC_OP_F64_ABS:
    case WDEC_OP_F64_NEG:
    case WDEC_OP_F64_CEIL:
    case WDEC_OP_F64_FLOOR:
    case WDEC_OP_F64_TRUNC:
    case WDEC_OP_F64_NEAREST:
    case WDEC_OP_F64_SQRT:
        funary(c, op, true);
        return true;
    case WDEC_OP_F32_EQ:
    case WDEC_OP_F32_NE:
    case WDEC_OP_F32_LT:
    case WDEC_OP_F32_GT:
    case WDEC_OP_F32_LE:
    case WDEC_OP_F32_GE:
        fcompare(c, op, false);
        return true;
    case WDEC_OP_F64_EQ:
    case WDEC_OP_F64_NE:
    case WDEC_OP_F64_LT:
    case WDEC_OP_F64_GT:
    case WDEC_OP_F64_LE:
    case WDEC_OP_F64_GE:
        fcompare(c, op, true);
        return true;
    default:
        return false;
    }
}
