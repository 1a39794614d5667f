/* SPDX-License-Identifier: Apache-2.0 */
/* The register cache: which allocatable register holds which stack entry. A register holds at
 * most one entry; when none is free the deepest register entry goes to its slot (it is the one
 * least likely to be needed soon). Also the loads and stores between entries and registers. */
#include "cg_internal.h"

static const uint8_t gp_order[CG_NUM_GP_ALLOCATABLE] = CG_GP_ALLOCATABLE;

static void spill_reg_owner(struct cg_ctx *c, int32_t owner)
{
    cg_spill_entry(c, (uint32_t)owner);
}

void cg_drop_local_cache(struct cg_ctx *c, uint32_t local)
{
    uint8_t r = c->lcache[local];
    if (r == CG_NO_REG)
        return;
    c->lcache[local] = CG_NO_REG;
    if (cg_is_float(c->local_types[local])) {
        c->xmm_owner[r] = CG_OWNER_FREE;
        c->cached_mask &= ~(UINT32_C(1) << (16 + r));
    } else {
        c->gp_owner[r] = CG_OWNER_FREE;
        c->cached_mask &= ~(UINT32_C(1) << r);
    }
}

void cg_drop_all_caches(struct cg_ctx *c)
{
    /* Only the registers in the mask: calls and merges are frequent, cached locals few. */
    while (c->cached_mask) {
        unsigned bit = (unsigned)__builtin_ctz(c->cached_mask);
        int32_t o = bit < 16 ? c->gp_owner[bit] : c->xmm_owner[bit - 16];
        cg_drop_local_cache(c, CG_LOCAL_OF_OWNER(o));
    }
}

bool cg_take_reg(struct cg_ctx *c, unsigned reg, bool xmm)
{
    int32_t o = xmm ? c->xmm_owner[reg] : c->gp_owner[reg];
    if (o == CG_OWNER_TEMP)
        return false;
    if (o >= 0)
        cg_spill_entry(c, (uint32_t)o);
    else if (CG_IS_LOCAL_OWNER(o))
        cg_drop_local_cache(c, CG_LOCAL_OF_OWNER(o));
    if (xmm)
        c->xmm_owner[reg] = CG_OWNER_TEMP;
    else
        c->gp_owner[reg] = CG_OWNER_TEMP;
    return true;
}

void cg_cache_local(struct cg_ctx *c, uint32_t local, unsigned reg)
{
    cg_drop_local_cache(c, local);
    c->lcache[local] = (uint8_t)reg;
    if (cg_is_float(c->local_types[local])) {
        c->xmm_owner[reg] = CG_OWNER_LOCAL(local);
        c->cached_mask |= UINT32_C(1) << (16 + reg);
    } else {
        c->gp_owner[reg] = CG_OWNER_LOCAL(local);
        c->cached_mask |= UINT32_C(1) << reg;
    }
}

unsigned cg_alloc_gp(struct cg_ctx *c)
{
    for (unsigned i = 0; i < CG_NUM_GP_ALLOCATABLE; i++) {
        unsigned r = gp_order[i];
        if (c->gp_owner[r] == CG_OWNER_FREE) {
            c->gp_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    for (unsigned i = 0; (c->cached_mask & 0xFFFFu) && i < CG_NUM_GP_ALLOCATABLE; i++) {
        unsigned r = gp_order[i];
        if (CG_IS_LOCAL_OWNER(c->gp_owner[r])) {
            cg_drop_local_cache(c, CG_LOCAL_OF_OWNER(c->gp_owner[r]));
            c->gp_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    /* Spill the deepest gp register entry. */
    for (uint32_t i = 0; i < c->sp; i++) {
        struct cg_val *v = &c->stack[i];
        if (v->loc == CG_LOC_REG && !cg_is_float(v->type)) {
            unsigned r = v->reg;
            spill_reg_owner(c, (int32_t)i);
            c->gp_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    /* Unreachable: at most three operands are TEMP at once. */
    return X64_RAX;
}

unsigned cg_alloc_xmm(struct cg_ctx *c)
{
    for (unsigned r = 0; r < CG_NUM_XMM_ALLOCATABLE; r++) {
        if (c->xmm_owner[r] == CG_OWNER_FREE) {
            c->xmm_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    for (unsigned r = 0; (c->cached_mask >> 16) && r < CG_NUM_XMM_ALLOCATABLE; r++) {
        if (CG_IS_LOCAL_OWNER(c->xmm_owner[r])) {
            cg_drop_local_cache(c, CG_LOCAL_OF_OWNER(c->xmm_owner[r]));
            c->xmm_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    for (uint32_t i = 0; i < c->sp; i++) {
        struct cg_val *v = &c->stack[i];
        if (v->loc == CG_LOC_REG && cg_is_float(v->type)) {
            unsigned r = v->reg;
            spill_reg_owner(c, (int32_t)i);
            c->xmm_owner[r] = CG_OWNER_TEMP;
            return r;
        }
    }
    return 0;
}

void cg_claim_gp(struct cg_ctx *c, unsigned reg)
{
    if (c->gp_owner[reg] >= 0)
        spill_reg_owner(c, c->gp_owner[reg]);
    else if (CG_IS_LOCAL_OWNER(c->gp_owner[reg]))
        cg_drop_local_cache(c, CG_LOCAL_OF_OWNER(c->gp_owner[reg]));
    c->gp_owner[reg] = CG_OWNER_TEMP;
}

void cg_free_gp(struct cg_ctx *c, unsigned reg)
{
    c->gp_owner[reg] = CG_OWNER_FREE;
}

void cg_free_xmm(struct cg_ctx *c, unsigned reg)
{
    c->xmm_owner[reg] = CG_OWNER_FREE;
}

struct x64_mem cg_val_mem(const struct cg_ctx *c, const struct cg_val *v, uint32_t depth)
{
    if (v->loc == CG_LOC_LOCAL)
        return cg_local_mem(c, v->local);
    return cg_slot_mem(c, depth);
}

/* Memory operand of a popped SLOT/LOCAL value (cg_pop stores the slot depth in `local`). */
static struct x64_mem popped_mem(const struct cg_ctx *c, const struct cg_val *v)
{
    return v->loc == CG_LOC_LOCAL ? cg_local_mem(c, v->local) : cg_slot_mem(c, v->local);
}

void cg_load_into(struct cg_ctx *c, const struct cg_val *v, unsigned reg)
{
    struct x64_buf *b = c->b;
    bool f = cg_is_float(v->type);
    bool wide = cg_is_wide(v->type);
    switch (v->loc) {
    case CG_LOC_CONST:
        if (f) {
            if (v->imm == 0) {
                /* xorps would change no flags, but keep one rule: loads never touch EFLAGS. */
                x64_xorps_xmm_xmm(b, reg, reg);
            } else {
                x64_mov_r64_imm64(b, CG_REG_SCRATCH, v->imm);
                if (wide)
                    x64_movq_xmm_r64(b, reg, CG_REG_SCRATCH);
                else
                    x64_movd_xmm_r32(b, reg, CG_REG_SCRATCH);
            }
        } else {
            cg_masm_mov_imm(c, reg, v->type, v->imm);
        }
        break;
    case CG_LOC_REG:
        if (v->reg == reg)
            break;
        if (f)
            x64_movaps_xmm_xmm(b, reg, v->reg);
        else if (wide)
            x64_mov_r64_r64(b, (enum x64_gpr)reg, (enum x64_gpr)v->reg);
        else
            x64_mov_r32_r32(b, (enum x64_gpr)reg, (enum x64_gpr)v->reg);
        break;
    case CG_LOC_SLOT:
    case CG_LOC_LOCAL: {
        int cr = v->loc == CG_LOC_LOCAL ? cg_local_cached(c, v->local) : -1;
        if (cr >= 0) {
            if ((unsigned)cr == reg)
                break;
            if (f)
                x64_movaps_xmm_xmm(b, reg, (unsigned)cr);
            else if (wide)
                x64_mov_r64_r64(b, (enum x64_gpr)reg, (enum x64_gpr)cr);
            else
                x64_mov_r32_r32(b, (enum x64_gpr)reg, (enum x64_gpr)cr);
            break;
        }
        struct x64_mem m = popped_mem(c, v);
        if (f && wide)
            x64_movsd_xmm_m64(b, reg, m);
        else if (f)
            x64_movss_xmm_m32(b, reg, m);
        else if (wide)
            x64_mov_r64_m64(b, (enum x64_gpr)reg, m);
        else
            x64_mov_r32_m32(b, (enum x64_gpr)reg, m);
        break;
    }
    case CG_LOC_FLAGS:
        x64_setcc_r8(b, (enum x64_cc)v->cc, (enum x64_gpr)reg);
        x64_movzx_r32_r8(b, (enum x64_gpr)reg, (enum x64_gpr)reg);
        break;
    }
}

unsigned cg_to_reg(struct cg_ctx *c, struct cg_val *v)
{
    if (v->loc == CG_LOC_REG)
        return v->reg;
    unsigned r = cg_is_float(v->type) ? cg_alloc_xmm(c) : cg_alloc_gp(c);
    cg_load_into(c, v, r);
    v->loc = CG_LOC_REG;
    v->reg = (uint8_t)r;
    return r;
}

unsigned cg_to_reg_dst(struct cg_ctx *c, struct cg_val *v)
{
    /* A popped register entry is ours alone (one entry per register), so it is writable. */
    return cg_to_reg(c, v);
}

void cg_store_to_mem(struct cg_ctx *c, const struct cg_val *v, struct x64_mem m, bool full8)
{
    struct x64_buf *b = c->b;
    bool f = cg_is_float(v->type);
    bool wide = cg_is_wide(v->type);
    switch (v->loc) {
    case CG_LOC_CONST:
        if (wide) {
            if (v->imm == (int64_t)(int32_t)v->imm) {
                x64_mov_m64_imm32(b, m, (int32_t)v->imm);
            } else {
                x64_mov_r64_imm64(b, CG_REG_SCRATCH, v->imm);
                x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
            }
        } else if (full8) {
            x64_mov_r32_imm32(b, CG_REG_SCRATCH, (int32_t)v->imm);
            x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
        } else {
            x64_mov_m32_imm32(b, m, (int32_t)v->imm);
        }
        break;
    case CG_LOC_REG:
        if (f && wide) {
            x64_movsd_m64_xmm(b, m, v->reg);
        } else if (f) {
            if (full8) {
                x64_movd_r32_xmm(b, CG_REG_SCRATCH, v->reg);
                x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
            } else {
                x64_movss_m32_xmm(b, m, v->reg);
            }
        } else {
            /* i32 values in registers are zero-extended: an 8-byte store is fine too. */
            if (wide || full8)
                x64_mov_m64_r64(b, m, (enum x64_gpr)v->reg);
            else
                x64_mov_m32_r32(b, m, (enum x64_gpr)v->reg);
        }
        break;
    case CG_LOC_SLOT:
    case CG_LOC_LOCAL: {
        struct x64_mem src = popped_mem(c, v);
        if (wide) {
            x64_mov_r64_m64(b, CG_REG_SCRATCH, src);
            x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
        } else {
            x64_mov_r32_m32(b, CG_REG_SCRATCH, src);
            if (full8)
                x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
            else
                x64_mov_m32_r32(b, m, CG_REG_SCRATCH);
        }
        break;
    }
    case CG_LOC_FLAGS:
        x64_setcc_r8(b, (enum x64_cc)v->cc, CG_REG_SCRATCH);
        x64_movzx_r32_r8(b, CG_REG_SCRATCH, CG_REG_SCRATCH);
        if (full8)
            x64_mov_m64_r64(b, m, CG_REG_SCRATCH);
        else
            x64_mov_m32_r32(b, m, CG_REG_SCRATCH);
        break;
    }
}
