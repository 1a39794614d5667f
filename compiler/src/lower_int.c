/* SPDX-License-Identifier: Apache-2.0 */
/* Integer operations: ALU ops with immediate and memory operands folded in, comparisons that
 * leave their result in EFLAGS for a consuming br_if/if/select, shifts (count in cl), bit counts.
 * Division goes to masm.c (trap checks). */
#include "cg_internal.h"

enum alu { ALU_ADD, ALU_SUB, ALU_AND, ALU_OR, ALU_XOR, ALU_CMP, ALU_IMUL };

/* imul's immediate forms take a separate source; here the source is the destination. */
static void imul_r32_imm8(struct x64_buf *b, enum x64_gpr d, int32_t imm)
{
    x64_imul_r32_r32_imm8(b, d, d, imm);
}
static void imul_r64_imm8(struct x64_buf *b, enum x64_gpr d, int32_t imm)
{
    x64_imul_r64_r64_imm8(b, d, d, imm);
}
static void imul_r32_imm32(struct x64_buf *b, enum x64_gpr d, int32_t imm)
{
    x64_imul_r32_r32_imm32(b, d, d, imm);
}
static void imul_r64_imm32(struct x64_buf *b, enum x64_gpr d, int32_t imm)
{
    x64_imul_r64_r64_imm32(b, d, d, imm);
}

/* The x86 forms of each ALU op, [0] 32-bit and [1] 64-bit: register, memory, imm8 and imm32
 * source operands. */
struct alu_forms {
    void (*rr[2])(struct x64_buf *b, enum x64_gpr d, enum x64_gpr s);
    void (*rm[2])(struct x64_buf *b, enum x64_gpr d, struct x64_mem m);
    void (*ri8[2])(struct x64_buf *b, enum x64_gpr d, int32_t imm);
    void (*ri32[2])(struct x64_buf *b, enum x64_gpr d, int32_t imm);
};

/* clang-format off */
static const struct alu_forms alu_table[] = {
    [ALU_ADD]  = {{x64_add_r32_r32, x64_add_r64_r64}, {x64_add_r32_m32, x64_add_r64_m64},
                  {x64_add_r32_imm8, x64_add_r64_imm8}, {x64_add_r32_imm32, x64_add_r64_imm32}},
    [ALU_SUB]  = {{x64_sub_r32_r32, x64_sub_r64_r64}, {x64_sub_r32_m32, x64_sub_r64_m64},
                  {x64_sub_r32_imm8, x64_sub_r64_imm8}, {x64_sub_r32_imm32, x64_sub_r64_imm32}},
    [ALU_AND]  = {{x64_and_r32_r32, x64_and_r64_r64}, {x64_and_r32_m32, x64_and_r64_m64},
                  {x64_and_r32_imm8, x64_and_r64_imm8}, {x64_and_r32_imm32, x64_and_r64_imm32}},
    [ALU_OR]   = {{x64_or_r32_r32, x64_or_r64_r64}, {x64_or_r32_m32, x64_or_r64_m64},
                  {x64_or_r32_imm8, x64_or_r64_imm8}, {x64_or_r32_imm32, x64_or_r64_imm32}},
    [ALU_XOR]  = {{x64_xor_r32_r32, x64_xor_r64_r64}, {x64_xor_r32_m32, x64_xor_r64_m64},
                  {x64_xor_r32_imm8, x64_xor_r64_imm8}, {x64_xor_r32_imm32, x64_xor_r64_imm32}},
    [ALU_CMP]  = {{x64_cmp_r32_r32, x64_cmp_r64_r64}, {x64_cmp_r32_m32, x64_cmp_r64_m64},
                  {x64_cmp_r32_imm8, x64_cmp_r64_imm8}, {x64_cmp_r32_imm32, x64_cmp_r64_imm32}},
    [ALU_IMUL] = {{x64_imul_r32_r32, x64_imul_r64_r64}, {x64_imul_r32_m32, x64_imul_r64_m64},
                  {imul_r32_imm8, imul_r64_imm8}, {imul_r32_imm32, imul_r64_imm32}},
};
/* clang-format on */

static void alu_rr(struct x64_buf *b, enum alu op, bool w, enum x64_gpr d, enum x64_gpr s)
{
    alu_table[op].rr[w](b, d, s);
}

static void alu_rm(struct x64_buf *b, enum alu op, bool w, enum x64_gpr d, struct x64_mem m)
{
    alu_table[op].rm[w](b, d, m);
}

static void alu_ri(struct x64_buf *b, enum alu op, bool w, enum x64_gpr d, int32_t imm)
{
    if (imm >= -128 && imm <= 127)
        alu_table[op].ri8[w](b, d, imm);
    else
        alu_table[op].ri32[w](b, d, imm);
}

/* Whether a constant operand fits the sign-extended imm32 of a `w`-bit op. For 32-bit ops any
 * 32-bit pattern works (the low 32 bits are what counts). */
static bool fits_imm(const struct cg_val *v, bool w)
{
    return !w || v->imm == (int64_t)(int32_t)v->imm;
}

/* Applies `op` with source operand `src` (CONST, REG, SLOT or LOCAL) to register `d`. */
static void alu_apply(struct cg_ctx *c, enum alu op, bool w, unsigned d, struct cg_val *src)
{
    struct x64_buf *b = c->b;
    switch (src->loc) {
    case CG_LOC_CONST:
        if (fits_imm(src, w)) {
            alu_ri(b, op, w, (enum x64_gpr)d, (int32_t)src->imm);
        } else {
            x64_mov_r64_imm64(b, CG_REG_SCRATCH, src->imm);
            alu_rr(b, op, w, (enum x64_gpr)d, CG_REG_SCRATCH);
        }
        break;
    case CG_LOC_SLOT:
    case CG_LOC_LOCAL:
        if (src->loc == CG_LOC_LOCAL && cg_local_cached(c, src->local) >= 0) {
            alu_rr(b, op, w, (enum x64_gpr)d, (enum x64_gpr)cg_local_cached(c, src->local));
            break;
        }
        alu_rm(b, op, w, (enum x64_gpr)d,
               src->loc == CG_LOC_LOCAL ? cg_local_mem(c, src->local) : cg_slot_mem(c, src->local));
        break;
    default: {
        unsigned s = cg_to_reg(c, src);
        alu_rr(b, op, w, (enum x64_gpr)d, (enum x64_gpr)s);
        break;
    }
    }
}

static int64_t fold(enum alu op, bool w, int64_t a, int64_t b)
{
    uint64_t x = (uint64_t)a, y = (uint64_t)b, r = 0;
    switch (op) {
    case ALU_ADD:
        r = x + y;
        break;
    case ALU_SUB:
        r = x - y;
        break;
    case ALU_AND:
        r = x & y;
        break;
    case ALU_OR:
        r = x | y;
        break;
    case ALU_XOR:
        r = x ^ y;
        break;
    case ALU_IMUL:
        r = x * y;
        break;
    case ALU_CMP:
        break;
    }
    return w ? (int64_t)r : (int64_t)(uint32_t)r;
}

static void binop(struct cg_ctx *c, enum alu op, bool w, bool commutative)
{
    uint8_t type = w ? WDEC_I64 : WDEC_I32;
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    if (lhs.loc == CG_LOC_CONST && rhs.loc == CG_LOC_CONST) {
        cg_push_const(c, type, fold(op, w, lhs.imm, rhs.imm));
        return;
    }
    if (commutative && lhs.loc == CG_LOC_CONST) {
        struct cg_val t = lhs;
        lhs = rhs;
        rhs = t;
    } else if (commutative && rhs.loc == CG_LOC_REG && lhs.loc != CG_LOC_REG) {
        struct cg_val t = lhs;
        lhs = rhs;
        rhs = t;
    }
    unsigned d = cg_to_reg_dst(c, &lhs);
    alu_apply(c, op, w, d, &rhs);
    cg_release(c, &rhs);
    cg_push_reg(c, type, d);
}

static enum x64_cc swap_cc(enum x64_cc cc)
{
    switch (cc) {
    case X64_CC_L:
        return X64_CC_G;
    case X64_CC_G:
        return X64_CC_L;
    case X64_CC_LE:
        return X64_CC_GE;
    case X64_CC_GE:
        return X64_CC_LE;
    case X64_CC_B:
        return X64_CC_A;
    case X64_CC_A:
        return X64_CC_B;
    case X64_CC_BE:
        return X64_CC_AE;
    case X64_CC_AE:
        return X64_CC_BE;
    default:
        return cc;
    }
}

static bool eval_cc(enum x64_cc cc, bool w, int64_t a, int64_t b)
{
    int64_t sa = w ? a : (int32_t)a, sb = w ? b : (int32_t)b;
    uint64_t ua = w ? (uint64_t)a : (uint32_t)a, ub = w ? (uint64_t)b : (uint32_t)b;
    switch (cc) {
    case X64_CC_E:
        return ua == ub;
    case X64_CC_NE:
        return ua != ub;
    case X64_CC_L:
        return sa < sb;
    case X64_CC_G:
        return sa > sb;
    case X64_CC_LE:
        return sa <= sb;
    case X64_CC_GE:
        return sa >= sb;
    case X64_CC_B:
        return ua < ub;
    case X64_CC_A:
        return ua > ub;
    case X64_CC_BE:
        return ua <= ub;
    case X64_CC_AE:
        return ua >= ub;
    default:
        return false;
    }
}

static void compare(struct cg_ctx *c, bool w, enum x64_cc cc)
{
    struct cg_val rhs = cg_pop(c);
    struct cg_val lhs = cg_pop(c);
    if (lhs.loc == CG_LOC_CONST && rhs.loc == CG_LOC_CONST) {
        cg_push_const(c, WDEC_I32, eval_cc(cc, w, lhs.imm, rhs.imm));
        return;
    }
    if (lhs.loc == CG_LOC_CONST || (rhs.loc == CG_LOC_REG && lhs.loc != CG_LOC_REG)) {
        struct cg_val t = lhs;
        lhs = rhs;
        rhs = t;
        cc = swap_cc(cc);
    }
    unsigned a = cg_to_reg(c, &lhs);
    alu_apply(c, ALU_CMP, w, a, &rhs);
    cg_release(c, &lhs);
    cg_release(c, &rhs);
    cg_push_flags(c, cc);
}

static void eqz(struct cg_ctx *c, bool w)
{
    struct cg_val *top = &c->stack[c->sp - 1];
    if (!w && top->loc == CG_LOC_FLAGS) {
        top->cc = (uint8_t)x64_cc_negate((enum x64_cc)top->cc);
        return;
    }
    if (top->loc == CG_LOC_FLAGS)
        cg_flush_flags(c);
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_CONST) {
        cg_push_const(c, WDEC_I32, w ? v.imm == 0 : (uint32_t)v.imm == 0);
        return;
    }
    if (v.loc == CG_LOC_SLOT || v.loc == CG_LOC_LOCAL) {
        struct x64_mem m =
            v.loc == CG_LOC_LOCAL ? cg_local_mem(c, v.local) : cg_slot_mem(c, v.local);
        w ? x64_cmp_m64_imm8(c->b, m, 0) : x64_cmp_m32_imm8(c->b, m, 0);
    } else {
        enum x64_gpr r = (enum x64_gpr)v.reg;
        w ? x64_test_r64_r64(c->b, r, r) : x64_test_r32_r32(c->b, r, r);
        cg_release(c, &v);
    }
    cg_push_flags(c, X64_CC_E);
}

enum shift { SH_SHL, SH_SHR, SH_SAR, SH_ROL, SH_ROR };

static void shift_imm(struct x64_buf *b, enum shift k, bool w, enum x64_gpr d, int32_t n)
{
    switch (k) {
    case SH_SHL:
        w ? x64_shl_r64_imm8(b, d, n) : x64_shl_r32_imm8(b, d, n);
        break;
    case SH_SHR:
        w ? x64_shr_r64_imm8(b, d, n) : x64_shr_r32_imm8(b, d, n);
        break;
    case SH_SAR:
        w ? x64_sar_r64_imm8(b, d, n) : x64_sar_r32_imm8(b, d, n);
        break;
    case SH_ROL:
        w ? x64_rol_r64_imm8(b, d, n) : x64_rol_r32_imm8(b, d, n);
        break;
    case SH_ROR:
        w ? x64_ror_r64_imm8(b, d, n) : x64_ror_r32_imm8(b, d, n);
        break;
    }
}

static void shift_cl(struct x64_buf *b, enum shift k, bool w, enum x64_gpr d)
{
    switch (k) {
    case SH_SHL:
        w ? x64_shl_r64_cl(b, d) : x64_shl_r32_cl(b, d);
        break;
    case SH_SHR:
        w ? x64_shr_r64_cl(b, d) : x64_shr_r32_cl(b, d);
        break;
    case SH_SAR:
        w ? x64_sar_r64_cl(b, d) : x64_sar_r32_cl(b, d);
        break;
    case SH_ROL:
        w ? x64_rol_r64_cl(b, d) : x64_rol_r32_cl(b, d);
        break;
    case SH_ROR:
        w ? x64_ror_r64_cl(b, d) : x64_ror_r32_cl(b, d);
        break;
    }
}

static void shift(struct cg_ctx *c, enum shift k, bool w)
{
    struct x64_buf *b = c->b;
    uint8_t type = w ? WDEC_I64 : WDEC_I32;
    struct cg_val cnt = cg_pop(c);
    struct cg_val val = cg_pop(c);
    if (cnt.loc == CG_LOC_CONST) {
        unsigned d = cg_to_reg_dst(c, &val);
        int32_t n = (int32_t)(cnt.imm & (w ? 63 : 31));
        if (n != 0)
            shift_imm(b, k, w, (enum x64_gpr)d, n);
        cg_push_reg(c, type, d);
        return;
    }
    /* The count goes to cl; the value must not live in rcx. */
    if (cnt.loc == CG_LOC_REG && cnt.reg == X64_RCX) {
        unsigned d = cg_to_reg_dst(c, &val);
        shift_cl(b, k, w, (enum x64_gpr)d);
        cg_release(c, &cnt);
        cg_push_reg(c, type, d);
        return;
    }
    if (val.loc == CG_LOC_REG && val.reg == X64_RCX) {
        unsigned d = cg_alloc_gp(c);
        x64_mov_r64_r64(b, (enum x64_gpr)d, X64_RCX);
        cg_free_gp(c, X64_RCX);
        val.reg = (uint8_t)d;
    }
    cg_claim_gp(c, X64_RCX);
    cg_load_into(c, &cnt, X64_RCX);
    cg_release(c, &cnt);
    unsigned d = cg_to_reg_dst(c, &val);
    shift_cl(b, k, w, (enum x64_gpr)d);
    cg_free_gp(c, X64_RCX);
    cg_push_reg(c, type, d);
}

static void bitcount(struct cg_ctx *c, enum wdec_opcode op, bool w)
{
    struct x64_buf *b = c->b;
    struct cg_val v = cg_pop(c);
    enum x64_gpr d = (enum x64_gpr)cg_to_reg_dst(c, &v);
    switch (op) {
    case WDEC_OP_I32_CLZ:
    case WDEC_OP_I64_CLZ:
        /* clz = (w-1) - bsr(x), with bsr(0) taken as -1 (BSR leaves ZF set and dst undefined). */
        x64_mov_r64_imm32(b, CG_REG_SCRATCH2, -1);
        if (w) {
            x64_bsr_r64_r64(b, d, d);
            x64_cmovcc_r64_r64(b, X64_CC_E, d, CG_REG_SCRATCH2);
            x64_neg_r64(b, d);
            x64_add_r64_imm8(b, d, 63);
        } else {
            x64_bsr_r32_r32(b, d, d);
            x64_cmovcc_r32_r32(b, X64_CC_E, d, CG_REG_SCRATCH2);
            x64_neg_r32(b, d);
            x64_add_r32_imm8(b, d, 31);
        }
        break;
    case WDEC_OP_I32_CTZ:
    case WDEC_OP_I64_CTZ:
        x64_mov_r32_imm32(b, CG_REG_SCRATCH2, w ? 64 : 32);
        if (w) {
            x64_bsf_r64_r64(b, d, d);
            x64_cmovcc_r64_r64(b, X64_CC_E, d, CG_REG_SCRATCH2);
        } else {
            x64_bsf_r32_r32(b, d, d);
            x64_cmovcc_r32_r32(b, X64_CC_E, d, CG_REG_SCRATCH2);
        }
        break;
    default:
        w ? x64_popcnt_r64_r64(b, d, d) : x64_popcnt_r32_r32(b, d, d);
        break;
    }
    cg_push_reg(c, w ? WDEC_I64 : WDEC_I32, d);
}

bool cg_lower_int(struct cg_ctx *c, enum wdec_opcode op)
{
    switch (op) {
    case WDEC_OP_I32_EQZ:
        eqz(c, false);
        return true;
    case WDEC_OP_I64_EQZ:
        eqz(c, true);
        return true;
    case WDEC_OP_I32_EQ:
        compare(c, false, X64_CC_E);
        return true;
    case WDEC_OP_I32_NE:
        compare(c, false, X64_CC_NE);
        return true;
    case WDEC_OP_I32_LT_S:
        compare(c, false, X64_CC_L);
        return true;
    case WDEC_OP_I32_LT_U:
        compare(c, false, X64_CC_B);
        return true;
    case WDEC_OP_I32_GT_S:
        compare(c, false, X64_CC_G);
        return true;
    case WDEC_OP_I32_GT_U:
        compare(c, false, X64_CC_A);
        return true;
    case WDEC_OP_I32_LE_S:
        compare(c, false, X64_CC_LE);
        return true;
    case WDEC_OP_I32_LE_U:
        compare(c, false, X64_CC_BE);
        return true;
    case WDEC_OP_I32_GE_S:
        compare(c, false, X64_CC_GE);
        return true;
    case WDEC_OP_I32_GE_U:
        compare(c, false, X64_CC_AE);
        return true;
    case WDEC_OP_I64_EQ:
        compare(c, true, X64_CC_E);
        return true;
    case WDEC_OP_I64_NE:
        compare(c, true, X64_CC_NE);
        return true;
    case WDEC_OP_I64_LT_S:
        compare(c, true, X64_CC_L);
        return true;
    case WDEC_OP_I64_LT_U:
        compare(c, true, X64_CC_B);
        return true;
    case WDEC_OP_I64_GT_S:
        compare(c, true, X64_CC_G);
        return true;
    case WDEC_OP_I64_GT_U:
        compare(c, true, X64_CC_A);
        return true;
    case WDEC_OP_I64_LE_S:
        compare(c, true, X64_CC_LE);
        return true;
    case WDEC_OP_I64_LE_U:
        compare(c, true, X64_CC_BE);
        return true;
    case WDEC_OP_I64_GE_S:
        compare(c, true, X64_CC_GE);
        return true;
    case WDEC_OP_I64_GE_U:
        compare(c, true, X64_CC_AE);
        return true;
    case WDEC_OP_I32_CLZ:
    case WDEC_OP_I32_CTZ:
    case WDEC_OP_I32_POPCNT:
        bitcount(c, op, false);
        return true;
    case WDEC_OP_I64_CLZ:
    case WDEC_OP_I64_CTZ:
    case WDEC_OP_I64_POPCNT:
        bitcount(c, op, true);
        return true;
    case WDEC_OP_I32_ADD:
        binop(c, ALU_ADD, false, true);
        return true;
    case WDEC_OP_I32_SUB:
        binop(c, ALU_SUB, false, false);
        return true;
    case WDEC_OP_I32_MUL:
        binop(c, ALU_IMUL, false, true);
        return true;
    case WDEC_OP_I32_AND:
        binop(c, ALU_AND, false, true);
        return true;
    case WDEC_OP_I32_OR:
        binop(c, ALU_OR, false, true);
        return true;
    case WDEC_OP_I32_XOR:
        binop(c, ALU_XOR, false, true);
        return true;
    case WDEC_OP_I64_ADD:
        binop(c, ALU_ADD, true, true);
        return true;
    case WDEC_OP_I64_SUB:
        binop(c, ALU_SUB, true, false);
        return true;
    case WDEC_OP_I64_MUL:
        binop(c, ALU_IMUL, true, true);
        return true;
    case WDEC_OP_I64_AND:
        binop(c, ALU_AND, true, true);
        return true;
    case WDEC_OP_I64_OR:
        binop(c, ALU_OR, true, true);
        return true;
    case WDEC_OP_I64_XOR:
        binop(c, ALU_XOR, true, true);
        return true;
    case WDEC_OP_I32_SHL:
        shift(c, SH_SHL, false);
        return true;
    case WDEC_OP_I32_SHR_S:
        shift(c, SH_SAR, false);
        return true;
    case WDEC_OP_I32_SHR_U:
        shift(c, SH_SHR, false);
        return true;
    case WDEC_OP_I32_ROTL:
        shift(c, SH_ROL, false);
        return true;
    case WDEC_OP_I32_ROTR:
        shift(c, SH_ROR, false);
        return true;
    case WDEC_OP_I64_SHL:
        shift(c, SH_SHL, true);
        return true;
    case WDEC_OP_I64_SHR_S:
        shift(c, SH_SAR, true);
        return true;
    case WDEC_OP_I64_SHR_U:
        shift(c, SH_SHR, true);
        return true;
    case WDEC_OP_I64_ROTL:
        shift(c, SH_ROL, true);
        return true;
    case WDEC_OP_I64_ROTR:
        shift(c, SH_ROR, true);
        return true;
    case WDEC_OP_I32_DIV_S:
    case WDEC_OP_I32_DIV_U:
    case WDEC_OP_I32_REM_S:
    case WDEC_OP_I32_REM_U:
    case WDEC_OP_I64_DIV_S:
    case WDEC_OP_I64_DIV_U:
    case WDEC_OP_I64_REM_S:
    case WDEC_OP_I64_REM_U:
        cg_masm_div_rem(c, op);
        return true;
    default:
        return false;
    }
}
