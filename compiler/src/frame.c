/* SPDX-License-Identifier: Apache-2.0 */
/* The frame: where parameters, locals and value-stack slots live, the prologue with its
 * stack-limit check, the return sequence and the out-of-line trap labels.
 * Layout (docs/DESIGN-compiler.md): params/results at [rbp+16+8i], vmctx at [rbp-8], declared
 * locals at [rbp-16-8j], value-stack slot d below them, outgoing call area at [rsp]. */
#include "cg_internal.h"

#include <stdlib.h>
#include <string.h>

struct x64_label cg_trap_label(struct cg_ctx *c, enum cg_trap kind)
{
    if (c->trap_labels[kind].id == 0)
        c->trap_labels[kind] = x64_label_new(c->b);
    return c->trap_labels[kind];
}

void cg_add_trap_site_slow(struct cg_ctx *c, size_t code_offset)
{
    if (c->nsites == c->sites_cap) {
        size_t cap = c->sites_cap ? c->sites_cap * 2 : 256;
        struct cg_trap_site *s = realloc(c->sites, cap * sizeof *s);
        if (!s) {
            cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (trap sites)");
            return;
        }
        c->sites = s;
        c->sites_cap = cap;
    }
    c->sites[c->nsites].code_offset = (uint32_t)(c->func_base + code_offset);
    c->sites[c->nsites].trap = CG_TRAP_MEMORY_OOB;
    c->nsites++;
}

/* Placeholder frame size, distinctive and large enough that the emitter must use an imm32. */
#define FRAME_PLACEHOLDER 0x12345670

void cg_frame_prologue(struct cg_ctx *c)
{
    struct x64_buf *b = c->b;
    x64_push_r64(b, X64_RBP);
    x64_mov_r64_r64(b, X64_RBP, X64_RSP);
    /* Check before moving rsp: r11 = rsp - frame; trap if below the limit. */
    x64_mov_r64_r64(b, CG_REG_SCRATCH, X64_RSP);
    x64_sub_r64_imm32(b, CG_REG_SCRATCH, FRAME_PLACEHOLDER);
    c->frame_patch = b->len - 4;
    x64_cmp_r64_m64(b, CG_REG_SCRATCH, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_STACK_LIMIT));
    x64_jcc(b, X64_CC_B, cg_trap_label(c, CG_TRAP_STACK_EXHAUSTED));
    x64_mov_r64_r64(b, X64_RSP, CG_REG_SCRATCH);
    x64_mov_m64_r64(b, x64_mem_b(X64_RBP, -8), CG_REG_VMCTX);
    /* Declared locals start at zero. */
    uint32_t n = c->nlocals;
    if (n == 0)
        return;
    x64_xor_r32_r32(b, X64_RAX, X64_RAX);
    if (n <= 8) {
        for (uint32_t j = 0; j < n; j++)
            x64_mov_m64_r64(b, x64_mem_b(X64_RBP, -16 - 8 * (int32_t)j), X64_RAX);
        return;
    }
    /* rcx = n .. 1 covers [rbp-16-8(n-1)] .. [rbp-16]. */
    struct x64_label loop = x64_label_new(b);
    x64_mov_r32_imm32(b, X64_RCX, (int32_t)n);
    x64_label_bind(b, loop);
    x64_mov_m64_r64(b, x64_mem_bis(X64_RBP, X64_RCX, 8, -16 - 8 * (int32_t)n), X64_RAX);
    x64_dec_r32(b, X64_RCX);
    x64_jcc(b, X64_CC_NE, loop);
}

void cg_frame_finish(struct cg_ctx *c)
{
    uint64_t frame =
        8 + 8 * (uint64_t)c->nlocals + 8 * (uint64_t)c->max_depth + 8 * (uint64_t)c->max_out;
    frame = (frame + 15) & ~(uint64_t)15;
    if (frame > 0x7FFFFFF0u) {
        cg_fail(c, CG_ERR_LIMIT, "frame too large");
        return;
    }
    if (c->b->status != X64_OK)
        return;
    uint32_t v = (uint32_t)frame;
    uint8_t *p = c->b->data + c->frame_patch;
    uint32_t old;
    memcpy(&old, p, 4);
    if (old != FRAME_PLACEHOLDER) {
        cg_fail(c, CG_ERR_ASSEMBLER, "frame size immediate not found");
        return;
    }
    memcpy(p, &v, 4);
}

void cg_emit_return(struct cg_ctx *c)
{
    uint32_t nr = c->ftype->result_count;
    uint32_t first = c->sp - nr;
    /* Results overwrite the parameter area. A result that reads a parameter another result
     * overwrites is first copied to its own (otherwise unused) slot. The compile-time stack is
     * not changed: on a conditional return the fallthrough still sees the LOCAL entry. */
    for (uint32_t i = 0; i < nr; i++) {
        const struct cg_val *v = &c->stack[first + i];
        if (v->loc == CG_LOC_LOCAL && v->local < c->nparams && v->local < nr && v->local != i) {
            x64_mov_r64_m64(c->b, CG_REG_SCRATCH, cg_local_mem(c, v->local));
            x64_mov_m64_r64(c->b, cg_slot_mem(c, first + i), CG_REG_SCRATCH);
        }
    }
    for (uint32_t i = 0; i < nr; i++) {
        struct cg_val v = c->stack[first + i];
        if (v.loc == CG_LOC_LOCAL && v.local < c->nparams && v.local < nr && v.local != i) {
            v.loc = CG_LOC_SLOT;
            v.local = first + i;
        }
        cg_store_to_mem(c, &v, x64_mem_b(X64_RBP, 16 + 8 * (int32_t)i), true);
    }
    x64_mov_r64_r64(c->b, X64_RSP, X64_RBP);
    x64_pop_r64(c->b, X64_RBP);
    x64_ret(c->b);
}
