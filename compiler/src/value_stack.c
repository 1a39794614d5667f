/* SPDX-License-Identifier: Apache-2.0 */
/* The abstract value stack: where each Wasm operand lives right now (constant, register, its
 * own slot, a local not yet read, or a condition still in EFLAGS). Lowerings pop and push
 * entries; nothing here is allocated per instruction once the arrays have grown. */
#include "cg_internal.h"

#include <stdlib.h>

bool cg_stack_reserve(struct cg_ctx *c, uint32_t extra)
{
    if (c->sp + extra <= c->stack_cap)
        return true;
    uint32_t cap = c->stack_cap ? c->stack_cap : 64;
    while (cap < c->sp + extra)
        cap *= 2;
    struct cg_val *s = realloc(c->stack, cap * sizeof *s);
    if (!s)
        return false;
    c->stack = s;
    c->stack_cap = cap;
    return true;
}

struct cg_val *cg_push_slow(struct cg_ctx *c)
{
    if (c->sp == c->stack_cap && !cg_stack_reserve(c, 1)) {
        cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (value stack)");
        return &c->overflow; /* written and ignored; the visitor returns the error */
    }
    struct cg_val *v = &c->stack[c->sp++];
    if (c->sp > c->max_depth)
        c->max_depth = c->sp;
    return v;
}

void cg_push_slot(struct cg_ctx *c, uint8_t type)
{
    uint32_t i = c->sp;
    struct cg_val *v = cg_push(c);
    v->loc = CG_LOC_SLOT;
    v->type = type;
    v->local = i; /* SLOT entries keep their depth here */
}

void cg_push_flags(struct cg_ctx *c, enum x64_cc cc)
{
    struct cg_val *v = cg_push(c);
    v->loc = CG_LOC_FLAGS;
    v->type = WDEC_I32;
    v->cc = (uint8_t)cc;
}

void cg_stack_truncate(struct cg_ctx *c, uint32_t height)
{
    while (c->sp > height) {
        struct cg_val v = cg_pop(c);
        cg_release(c, &v);
    }
}

void cg_spill_entry(struct cg_ctx *c, uint32_t i)
{
    struct cg_val *v = &c->stack[i];
    if (v->loc == CG_LOC_SLOT)
        return;
    if (v->loc == CG_LOC_FLAGS) {
        x64_setcc_r8(c->b, (enum x64_cc)v->cc, CG_REG_SCRATCH);
        x64_movzx_r32_r8(c->b, CG_REG_SCRATCH, CG_REG_SCRATCH);
        x64_mov_m32_r32(c->b, cg_slot_mem(c, i), CG_REG_SCRATCH);
    } else {
        cg_store_to_mem(c, v, cg_slot_mem(c, i), false);
        if (v->loc == CG_LOC_REG) {
            if (cg_is_float(v->type))
                c->xmm_owner[v->reg] = CG_OWNER_FREE;
            else
                c->gp_owner[v->reg] = CG_OWNER_FREE;
        }
    }
    v->loc = CG_LOC_SLOT;
    v->local = i;
}

void cg_spill_all(struct cg_ctx *c, bool locals, bool consts)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        uint8_t loc = c->stack[i].loc;
        if (loc == CG_LOC_REG || loc == CG_LOC_FLAGS || (locals && loc == CG_LOC_LOCAL) ||
            (consts && loc == CG_LOC_CONST))
            cg_spill_entry(c, i);
    }
}

void cg_flush_flags(struct cg_ctx *c)
{
    if (c->sp == 0 || c->stack[c->sp - 1].loc != CG_LOC_FLAGS)
        return;
    struct cg_val *v = &c->stack[c->sp - 1];
    enum x64_cc cc = (enum x64_cc)v->cc;
    /* Allocation may spill other entries with plain movs, which keep EFLAGS intact. */
    c->sp--;
    unsigned r = cg_alloc_gp(c);
    c->sp++;
    x64_setcc_r8(c->b, cc, (enum x64_gpr)r);
    x64_movzx_r32_r8(c->b, (enum x64_gpr)r, (enum x64_gpr)r);
    v = &c->stack[c->sp - 1];
    v->loc = CG_LOC_REG;
    v->reg = (uint8_t)r;
    c->gp_owner[r] = (int32_t)(c->sp - 1);
}

void cg_detach_local(struct cg_ctx *c, uint32_t local)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        struct cg_val *v = &c->stack[i];
        if (v->loc != CG_LOC_LOCAL || v->local != local)
            continue;
        if (c->spill_all) {
            cg_spill_entry(c, i);
            continue;
        }
        unsigned r = cg_is_float(v->type) ? cg_alloc_xmm(c) : cg_alloc_gp(c);
        v = &c->stack[i];
        cg_load_into(c, v, r);
        v->loc = CG_LOC_REG;
        v->reg = (uint8_t)r;
        if (cg_is_float(v->type))
            c->xmm_owner[r] = (int32_t)i;
        else
            c->gp_owner[r] = (int32_t)i;
    }
}

void cg_begin_op_slow(struct cg_ctx *c, bool consumes_flags)
{
    if (c->spill_all)
        cg_spill_all(c, true, true);
    else if (!consumes_flags)
        cg_flush_flags(c);
}
