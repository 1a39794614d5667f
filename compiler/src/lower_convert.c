/* SPDX-License-Identifier: Apache-2.0 */
/* Conversions between value types: wrap/extend, int <-> float (trapping and saturating
 * truncations live in masm.c), demote/promote, reinterpretations and sign extensions. */
#include "cg_internal.h"

/* int -> float */
static void convert_if(struct cg_ctx *c, bool src64, bool sgn, bool to_f64)
{
    struct x64_buf *b = c->b;
    struct cg_val v = cg_pop(c);
    enum x64_gpr s = (enum x64_gpr)cg_to_reg(c, &v);
    unsigned d = cg_alloc_xmm(c);
    /* cvtsi2s* only writes the low lane; clear to avoid a false dependency on the old value. */
    x64_xorps_xmm_xmm(b, d, d);
    if (src64 && !sgn) {
        cg_masm_convert_u64(c, to_f64, d, s);
    } else if (!src64 && !sgn) {
        /* A u32 is zero-extended in its 64-bit register: convert it as a signed 64-bit. */
        to_f64 ? x64_cvtsi2sd_xmm_r64(b, d, s) : x64_cvtsi2ss_xmm_r64(b, d, s);
    } else if (src64) {
        to_f64 ? x64_cvtsi2sd_xmm_r64(b, d, s) : x64_cvtsi2ss_xmm_r64(b, d, s);
    } else {
        to_f64 ? x64_cvtsi2sd_xmm_r32(b, d, s) : x64_cvtsi2ss_xmm_r32(b, d, s);
    }
    cg_release(c, &v);
    cg_push_reg(c, to_f64 ? WDEC_F64 : WDEC_F32, d);
}

/* Same register class, new type: retag (or move when the value is not in a register). */
static void retype_gp(struct cg_ctx *c, uint8_t type, int how)
{
    struct x64_buf *b = c->b;
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_CONST) {
        int64_t x = v.imm;
        switch (how) {
        case 0:
            x = (int64_t)(uint32_t)x;
            break; /* wrap / extend_u */
        case 1:
            x = (int64_t)(int32_t)x;
            break; /* extend_i32_s */
        case 2:
            x = (int64_t)(int8_t)x;
            break; /* extend8_s */
        case 3:
            x = (int64_t)(int16_t)x;
            break; /* extend16_s */
        }
        if (type == WDEC_I32)
            x = (int64_t)(uint32_t)x;
        cg_push_const(c, type, x);
        return;
    }
    enum x64_gpr r = (enum x64_gpr)cg_to_reg_dst(c, &v);
    bool w = type == WDEC_I64;
    switch (how) {
    case 0:
        x64_mov_r32_r32(b, r, r);
        break;
    case 1:
        x64_movsxd_r64_r32(b, r, r);
        break;
    case 2:
        w ? x64_movsx_r64_r8(b, r, r) : x64_movsx_r32_r8(b, r, r);
        break;
    case 3:
        w ? x64_movsx_r64_r16(b, r, r) : x64_movsx_r32_r16(b, r, r);
        break;
    }
    cg_push_reg(c, type, r);
}

static void reinterpret(struct cg_ctx *c, uint8_t to)
{
    struct x64_buf *b = c->b;
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_CONST) {
        cg_push_const(c, to, v.imm);
        return;
    }
    if (v.loc == CG_LOC_SLOT) {
        /* Same bits, same slot. */
        cg_push_slot(c, to);
        return;
    }
    bool w = cg_is_wide(to);
    if (cg_is_float(to)) {
        enum x64_gpr s = (enum x64_gpr)cg_to_reg(c, &v);
        unsigned d = cg_alloc_xmm(c);
        w ? x64_movq_xmm_r64(b, d, s) : x64_movd_xmm_r32(b, d, s);
        cg_release(c, &v);
        cg_push_reg(c, to, d);
    } else {
        unsigned s = cg_to_reg(c, &v);
        enum x64_gpr d = (enum x64_gpr)cg_alloc_gp(c);
        w ? x64_movq_r64_xmm(b, d, s) : x64_movd_r32_xmm(b, d, s);
        cg_release(c, &v);
        cg_push_reg(c, to, d);
    }
}

static void fconv(struct cg_ctx *c, bool to_f64)
{
    struct cg_val v = cg_pop(c);
    unsigned d = cg_to_reg_dst(c, &v);
    to_f64 ? x64_cvtss2sd_xmm_xmm(c->b, d, d) : x64_cvtsd2ss_xmm_xmm(c->b, d, d);
    cg_push_reg(c, to_f64 ? WDEC_F64 : WDEC_F32, d);
}

bool cg_lower_convert(struct cg_ctx *c, enum wdec_opcode op)
{
    switch (op) {
    case WDEC_OP_I32_WRAP_I64:
        retype_gp(c, WDEC_I32, 0);
        return true;
    case WDEC_OP_I64_EXTEND_I32_U:
        retype_gp(c, WDEC_I64, 0);
        return true;
    case WDEC_OP_I64_EXTEND_I32_S:
    case WDEC_OP_I64_EXTEND32_S:
        retype_gp(c, WDEC_I64, 1);
        return true;
    case WDEC_OP_I32_EXTEND8_S:
        retype_gp(c, WDEC_I32, 2);
        return true;
    case WDEC_OP_I32_EXTEND16_S:
        retype_gp(c, WDEC_I32, 3);
        return true;
    case WDEC_OP_I64_EXTEND8_S:
        retype_gp(c, WDEC_I64, 2);
        return true;
    case WDEC_OP_I64_EXTEND16_S:
        retype_gp(c, WDEC_I64, 3);
        return true;
    case WDEC_OP_F32_CONVERT_I32_S:
        convert_if(c, false, true, false);
        return true;
    case WDEC_OP_F32_CONVERT_I32_U:
        convert_if(c, false, false, false);
        return true;
    case WDEC_OP_F32_CONVERT_I64_S:
        convert_if(c, true, true, false);
        return true;
    case WDEC_OP_F32_CONVERT_I64_U:
        convert_if(c, true, false, false);
        return true;
    case WDEC_OP_F64_CONVERT_I32_S:
        convert_if(c, false, true, true);
        return true;
    case WDEC_OP_F64_CONVERT_I32_U:
        convert_if(c, false, false, true);
        return true;
    case WDEC_OP_F64_CONVERT_I64_S:
        convert_if(c, true, true, true);
        return true;
    case WDEC_OP_F64_CONVERT_I64_U:
        convert_if(c, true, false, true);
        return true;
    case WDEC_OP_F32_DEMOTE_F64:
        fconv(c, false);
        return true;
    case WDEC_OP_F64_PROMOTE_F32:
        fconv(c, true);
        return true;
    case WDEC_OP_I32_REINTERPRET_F32:
        reinterpret(c, WDEC_I32);
        return true;
    case WDEC_OP_I64_REINTERPRET_F64:
        reinterpret(c, WDEC_I64);
        return true;
    case WDEC_OP_F32_REINTERPRET_I32:
        reinterpret(c, WDEC_F32);
        return true;
    case WDEC_OP_F64_REINTERPRET_I64:
        reinterpret(c, WDEC_F64);
        return true;
    case WDEC_OP_I32_TRUNC_F32_S:
    case WDEC_OP_I32_TRUNC_F32_U:
    case WDEC_OP_I32_TRUNC_F64_S:
    case WDEC_OP_I32_TRUNC_F64_U:
    case WDEC_OP_I64_TRUNC_F32_S:
    case WDEC_OP_I64_TRUNC_F32_U:
    case WDEC_OP_I64_TRUNC_F64_S:
    case WDEC_OP_I64_TRUNC_F64_U:
    case WDEC_OP_I32_TRUNC_SAT_F32_S:
    case WDEC_OP_I32_TRUNC_SAT_F32_U:
    case WDEC_OP_I32_TRUNC_SAT_F64_S:
    case WDEC_OP_I32_TRUNC_SAT_F64_U:
    case WDEC_OP_I64_TRUNC_SAT_F32_S:
    case WDEC_OP_I64_TRUNC_SAT_F32_U:
    case WDEC_OP_I64_TRUNC_SAT_F64_S:
    case WDEC_OP_I64_TRUNC_SAT_F64_U:
        cg_masm_trunc(c, op);
        return true;
    default:
        return false;
    }
}

void cg_lower_numeric(struct cg_ctx *c, enum wdec_opcode op)
{
    if (cg_lower_int(c, op) || cg_lower_float(c, op) || cg_lower_convert(c, op))
        return;
    cg_fail(c, CG_ERR_UNSUPPORTED, wdec_opcode_name(op));
}
