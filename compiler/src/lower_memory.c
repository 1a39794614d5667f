/* SPDX-License-Identifier: Apache-2.0 */
/* Linear memory: [r14 + zero-extended index + offset] with no bounds check (the runtime's guard
 * region turns any out-of-bounds access into a fault), memory.size/grow and the bulk memory
 * helpers. */
#include "cg_internal.h"

/* Pops the address and returns the operand of the access. May use r11. */
static struct x64_mem address(struct cg_ctx *c, struct cg_val *addr, uint64_t offset)
{
    struct x64_buf *b = c->b;
    if (addr->loc == CG_LOC_CONST) {
        uint64_t ea = (uint64_t)(uint32_t)addr->imm + offset;
        if (ea <= INT32_MAX)
            return x64_mem_b(CG_REG_MEM, (int32_t)ea);
        x64_mov_r64_imm64(b, CG_REG_SCRATCH, (int64_t)ea);
        return x64_mem_bis(CG_REG_MEM, CG_REG_SCRATCH, 1, 0);
    }
    enum x64_gpr idx;
    if (addr->loc == CG_LOC_REG) {
        idx = (enum x64_gpr)addr->reg; /* i32 registers are zero-extended */
    } else if (addr->loc == CG_LOC_LOCAL && cg_local_cached(c, addr->local) >= 0) {
        idx = (enum x64_gpr)cg_local_cached(c, addr->local);
    } else {
        struct x64_mem m =
            addr->loc == CG_LOC_LOCAL ? cg_local_mem(c, addr->local) : cg_slot_mem(c, addr->local);
        x64_mov_r32_m32(b, CG_REG_SCRATCH, m);
        idx = CG_REG_SCRATCH;
    }
    if (offset <= INT32_MAX)
        return x64_mem_bis(CG_REG_MEM, idx, 1, (int32_t)offset);
    /* Offsets of 2^31 and more (the reservation covers index + offset < 2^33): add two
     * imm32 steps in 64 bits, the rest fits the displacement. Uses r11 only. */
    if (idx != CG_REG_SCRATCH)
        x64_mov_r32_r32(b, CG_REG_SCRATCH, idx);
    x64_add_r64_imm32(b, CG_REG_SCRATCH, 0x7FFFFFFF);
    x64_add_r64_imm32(b, CG_REG_SCRATCH, 0x7FFFFFFF);
    return x64_mem_bis(CG_REG_MEM, CG_REG_SCRATCH, 1, (int32_t)(int64_t)(offset - 0xFFFFFFFEu));
}

void cg_lower_load(struct cg_ctx *c, enum wdec_opcode op, struct wdec_memarg arg)
{
    struct x64_buf *b = c->b;
    struct cg_val addr = cg_pop(c);
    struct x64_mem m = address(c, &addr, arg.offset);
    cg_release(c, &addr); /* the destination may reuse the index register */
    uint8_t type;
    switch (op) {
    case WDEC_OP_F32_LOAD:
        type = WDEC_F32;
        break;
    case WDEC_OP_F64_LOAD:
        type = WDEC_F64;
        break;
    case WDEC_OP_I32_LOAD:
    case WDEC_OP_I32_LOAD8_S:
    case WDEC_OP_I32_LOAD8_U:
    case WDEC_OP_I32_LOAD16_S:
    case WDEC_OP_I32_LOAD16_U:
        type = WDEC_I32;
        break;
    default:
        type = WDEC_I64;
        break;
    }
    unsigned d = cg_is_float(type) ? cg_alloc_xmm(c) : cg_alloc_gp(c);
    enum x64_gpr r = (enum x64_gpr)d;
    /* The index register was released above; allocation only spills with stores, so it still
     * holds the address here. */
    cg_add_trap_site(c, b->len);
    switch (op) {
    case WDEC_OP_I32_LOAD:
        x64_mov_r32_m32(b, r, m);
        break;
    case WDEC_OP_I64_LOAD:
        x64_mov_r64_m64(b, r, m);
        break;
    case WDEC_OP_F32_LOAD:
        x64_movss_xmm_m32(b, d, m);
        break;
    case WDEC_OP_F64_LOAD:
        x64_movsd_xmm_m64(b, d, m);
        break;
    case WDEC_OP_I32_LOAD8_S:
        x64_movsx_r32_m8(b, r, m);
        break;
    case WDEC_OP_I32_LOAD8_U:
        x64_movzx_r32_m8(b, r, m);
        break;
    case WDEC_OP_I32_LOAD16_S:
        x64_movsx_r32_m16(b, r, m);
        break;
    case WDEC_OP_I32_LOAD16_U:
        x64_movzx_r32_m16(b, r, m);
        break;
    case WDEC_OP_I64_LOAD8_S:
        x64_movsx_r64_m8(b, r, m);
        break;
    case WDEC_OP_I64_LOAD8_U:
        x64_movzx_r32_m8(b, r, m);
        break;
    case WDEC_OP_I64_LOAD16_S:
        x64_movsx_r64_m16(b, r, m);
        break;
    case WDEC_OP_I64_LOAD16_U:
        x64_movzx_r32_m16(b, r, m);
        break;
    case WDEC_OP_I64_LOAD32_S:
        x64_movsxd_r64_m32(b, r, m);
        break;
    case WDEC_OP_I64_LOAD32_U:
        x64_mov_r32_m32(b, r, m);
        break;
    default:
        cg_fail(c, CG_ERR_UNSUPPORTED, wdec_opcode_name(op));
        return;
    }
    cg_push_reg(c, type, d);
}

void cg_lower_store(struct cg_ctx *c, enum wdec_opcode op, struct wdec_memarg arg)
{
    struct x64_buf *b = c->b;
    struct cg_val val = cg_pop(c);
    struct cg_val addr = cg_pop(c);
    /* Value first into a register (or r10 / an immediate): address() may use r11. */
    enum x64_gpr vr = CG_REG_SCRATCH2;
    unsigned vx = 0;
    bool imm = val.loc == CG_LOC_CONST;
    bool fl = cg_is_float(val.type);
    int vcache = val.loc == CG_LOC_LOCAL ? cg_local_cached(c, val.local) : -1;
    if (val.loc == CG_LOC_REG) {
        vr = (enum x64_gpr)val.reg;
        vx = val.reg;
    } else if (vcache >= 0) {
        vr = (enum x64_gpr)vcache;
        vx = (unsigned)vcache;
    } else if (!imm) {
        struct x64_mem vm =
            val.loc == CG_LOC_LOCAL ? cg_local_mem(c, val.local) : cg_slot_mem(c, val.local);
        cg_is_wide(val.type) ? x64_mov_r64_m64(b, vr, vm) : x64_mov_r32_m32(b, vr, vm);
        fl = false; /* moved as raw bits */
    }
    if (imm && (op == WDEC_OP_I64_STORE || op == WDEC_OP_F64_STORE) &&
        val.imm != (int64_t)(int32_t)val.imm) {
        x64_mov_r64_imm64(b, vr, val.imm);
        imm = false;
        fl = false;
    }
    struct x64_mem m = address(c, &addr, arg.offset);
    int32_t iv = (int32_t)val.imm;
    cg_add_trap_site(c, b->len);
    switch (op) {
    case WDEC_OP_I32_STORE:
    case WDEC_OP_I64_STORE32:
    case WDEC_OP_F32_STORE:
        if (imm)
            x64_mov_m32_imm32(b, m, iv);
        else if (fl)
            x64_movss_m32_xmm(b, m, vx);
        else
            x64_mov_m32_r32(b, m, vr);
        break;
    case WDEC_OP_I64_STORE:
    case WDEC_OP_F64_STORE:
        if (imm)
            x64_mov_m64_imm32(b, m, iv);
        else if (fl)
            x64_movsd_m64_xmm(b, m, vx);
        else
            x64_mov_m64_r64(b, m, vr);
        break;
    case WDEC_OP_I32_STORE8:
    case WDEC_OP_I64_STORE8:
        imm ? x64_mov_m8_imm8(b, m, iv) : x64_mov_m8_r8(b, m, vr);
        break;
    case WDEC_OP_I32_STORE16:
    case WDEC_OP_I64_STORE16:
        imm ? x64_mov_m16_imm16(b, m, iv) : x64_mov_m16_r16(b, m, vr);
        break;
    default:
        cg_fail(c, CG_ERR_UNSUPPORTED, wdec_opcode_name(op));
        break;
    }
    cg_release(c, &val);
    cg_release(c, &addr);
}

void cg_lower_memory_size(struct cg_ctx *c)
{
    enum x64_gpr r = (enum x64_gpr)cg_alloc_gp(c);
    x64_mov_r64_m64(c->b, r, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_MEM_SIZE));
    x64_shr_r64_imm8(c->b, r, 16);
    cg_push_reg(c, WDEC_I32, r);
}

void cg_lower_memory_grow(struct cg_ctx *c)
{
    cg_call_helper(c, CG_VMCTX_MEMORY_GROW, NULL, 0, 1, WDEC_I32);
}

static const enum x64_gpr sysv_args[6] = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};

void cg_call_helper(struct cg_ctx *c, int32_t off, const uint32_t *imms, unsigned nimm,
                    unsigned nargs, uint8_t result)
{
    struct x64_buf *b = c->b;
    /* Every register is caller-saved for us: spill all (arguments included, so loading them
     * into rdi.. cannot clobber another argument). Locals stay valid in memory. */
    cg_spill_all(c, false, false);
    cg_drop_all_caches(c);
    unsigned a = 0;
    x64_mov_r64_r64(b, sysv_args[a++], CG_REG_VMCTX);
    for (unsigned i = 0; i < nimm; i++)
        x64_mov_r32_imm32(b, sysv_args[a++], (int32_t)imms[i]);
    uint32_t first = c->sp - nargs;
    for (unsigned i = 0; i < nargs; i++)
        cg_load_into(c, &c->stack[first + i], sysv_args[a++]);
    cg_stack_truncate(c, first);
    x64_call_m64(b, x64_mem_b(CG_REG_VMCTX, off));
    if (result) {
        cg_claim_gp(c, X64_RAX);
        if (result == WDEC_I32)
            x64_mov_r32_r32(b, X64_RAX, X64_RAX);
        cg_push_reg(c, result, X64_RAX);
    }
}
