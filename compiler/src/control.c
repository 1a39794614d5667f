/* SPDX-License-Identifier: Apache-2.0 */
/* Blocks, loops, ifs and branches. A label's values always live in the value-stack slots at
 * depths base .. base+arity: block entries spill registers and lazy locals, branches store their
 * values there and jump (docs/DESIGN-compiler.md, "Control flow"). */
#include "cg_internal.h"

#include <stdlib.h>

wdec_status cg_ctrl_push(struct cg_ctx *c, uint8_t kind, const struct wdec_block_type *bt)
{
    if (c->nctrl == c->ctrl_cap) {
        uint32_t cap = c->ctrl_cap ? c->ctrl_cap * 2 : 32;
        struct cg_ctrl *n = realloc(c->ctrl, cap * sizeof *n);
        if (!n)
            return cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (control stack)");
        c->ctrl = n;
        c->ctrl_cap = cap;
    }
    struct cg_ctrl *f = &c->ctrl[c->nctrl++];
    f->kind = kind;
    f->label_used = false;
    f->has_else_label = false;
    f->nparams = bt ? bt->param_count : 0;
    f->nresults = bt ? bt->result_count : 0;
    f->params = bt ? bt->params : NULL;
    f->results = bt ? bt->results : NULL;
    f->base = c->sp - f->nparams;
    f->label = x64_label_new(c->b);
    f->nhome = 0;
    f->outer_loop = c->loop_ctrl;
    if (kind == CG_CTRL_LOOP)
        c->loop_ctrl = c->nctrl;
    return WDEC_OK;
}

static struct cg_ctrl *target(struct cg_ctx *c, uint32_t depth)
{
    return &c->ctrl[c->nctrl - 1 - depth];
}

static uint32_t label_arity(const struct cg_ctrl *f)
{
    return f->kind == CG_CTRL_LOOP ? f->nparams : f->nresults;
}

void cg_move_to_slots(struct cg_ctx *c, uint32_t base, uint32_t n)
{
    /* Ascending order is safe: destination depth base+i never exceeds source depth sp-n+i, and
     * a destination can only coincide with a source already read. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t src = c->sp - n + i;
        struct cg_val *v = &c->stack[src];
        if (v->loc == CG_LOC_SLOT && src == base + i)
            continue;
        cg_store_to_mem(c, v, cg_slot_mem(c, base + i), false);
    }
}

/* Whether the top n values already sit in the slots base.. */
/* Whether every home of loop `f` is in its register now. */
static bool homes_in_place(const struct cg_ctx *c, const struct cg_ctrl *f)
{
    for (unsigned k = 0; k < f->nhome; k++)
        if (c->lcache[f->home_local[k]] != f->home_reg[k])
            return false;
    return true;
}

/* Back edge: reload the loop's homes from their (always current) slots. Emits code only; the
 * compile-time state is that of the branch's other path. */
static void restore_homes(struct cg_ctx *c, const struct cg_ctrl *f)
{
    for (unsigned k = 0; k < f->nhome; k++) {
        uint32_t l = f->home_local[k];
        unsigned r = f->home_reg[k];
        if (c->lcache[l] == r)
            continue;
        struct x64_mem m = cg_local_mem(c, l);
        uint8_t t = c->local_types[l];
        if (cg_is_float(t))
            cg_is_wide(t) ? x64_movsd_xmm_m64(c->b, r, m) : x64_movss_xmm_m32(c->b, r, m);
        else
            cg_is_wide(t) ? x64_mov_r64_m64(c->b, (enum x64_gpr)r, m)
                          : x64_mov_r32_m32(c->b, (enum x64_gpr)r, m);
    }
}

static bool in_place(const struct cg_ctx *c, uint32_t base, uint32_t n)
{
    if (c->sp - n != base)
        return n == 0;
    for (uint32_t i = base; i < c->sp; i++)
        if (c->stack[i].loc != CG_LOC_SLOT)
            return false;
    return true;
}

void cg_branch_to(struct cg_ctx *c, uint32_t depth)
{
    if (depth == c->nctrl - 1) {
        cg_emit_return(c);
        return;
    }
    struct cg_ctrl *f = target(c, depth);
    uint32_t n = label_arity(f);
    cg_move_to_slots(c, f->base, n);
    if (f->kind == CG_CTRL_LOOP)
        restore_homes(c, f);
    f->label_used = true;
    x64_jmp(c->b, f->label);
}

void cg_branch_if(struct cg_ctx *c, uint32_t depth, enum x64_cc cc)
{
    struct x64_buf *b = c->b;
    if (depth != c->nctrl - 1) {
        struct cg_ctrl *f = target(c, depth);
        uint32_t n = label_arity(f);
        f->label_used = true;
        if (in_place(c, f->base, n) && (f->kind != CG_CTRL_LOOP || homes_in_place(c, f))) {
            x64_jcc(b, cc, f->label);
            return;
        }
    }
    /* Moves (or the return sequence) on the taken path only. */
    struct x64_label skip = x64_label_new(b);
    x64_jcc(b, x64_cc_negate(cc), skip);
    cg_branch_to(c, depth);
    x64_label_bind(b, skip);
}

enum x64_cc cg_pop_cond(struct cg_ctx *c)
{
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_FLAGS)
        return (enum x64_cc)v.cc;
    if (v.loc == CG_LOC_LOCAL && cg_local_cached(c, v.local) >= 0) {
        enum x64_gpr r = (enum x64_gpr)cg_local_cached(c, v.local);
        x64_test_r32_r32(c->b, r, r);
        return X64_CC_NE;
    }
    if (v.loc == CG_LOC_SLOT || v.loc == CG_LOC_LOCAL) {
        struct x64_mem m =
            v.loc == CG_LOC_LOCAL ? cg_local_mem(c, v.local) : cg_slot_mem(c, v.local);
        x64_cmp_m32_imm8(c->b, m, 0);
        return X64_CC_NE;
    }
    if (v.loc == CG_LOC_CONST) {
        /* A constant condition: compare a scratch register so the branch shape stays uniform. */
        x64_mov_r32_imm32(c->b, CG_REG_SCRATCH, (int32_t)v.imm);
        x64_test_r32_r32(c->b, CG_REG_SCRATCH, CG_REG_SCRATCH);
        return X64_CC_NE;
    }
    x64_test_r32_r32(c->b, (enum x64_gpr)v.reg, (enum x64_gpr)v.reg);
    cg_release(c, &v);
    return X64_CC_NE;
}

/* Block entry: every value the block could see changed by then lives in a slot. */
static void spill_for_block(struct cg_ctx *c)
{
    cg_spill_all(c, true, false);
}

void cg_ctrl_block(struct cg_ctx *c, const struct wdec_block_type *bt)
{
    spill_for_block(c);
    cg_ctrl_push(c, CG_CTRL_BLOCK, bt);
}

void cg_ctrl_loop(struct cg_ctx *c, const struct wdec_block_type *bt)
{
    /* Loop params are the label's values: they must be in their slots, constants included. */
    cg_spill_all(c, true, false);
    for (uint32_t i = c->sp - (bt ? bt->param_count : 0); i < c->sp; i++)
        cg_spill_entry(c, i);
    if (cg_ctrl_push(c, CG_CTRL_LOOP, bt) != WDEC_OK)
        return;
    /* The locals cached now become the loop's homes: back edges restore them. */
    struct cg_ctrl *f = &c->ctrl[c->nctrl - 1];
    for (unsigned r = 0; r < 16 && c->cached_mask; r++) {
        for (int x = 0; x < 2; x++) {
            int32_t o = x ? c->xmm_owner[r] : c->gp_owner[r];
            if (!CG_IS_LOCAL_OWNER(o) || f->nhome == CG_MAX_HOMES)
                continue;
            f->home_local[f->nhome] = CG_LOCAL_OF_OWNER(o);
            f->home_reg[f->nhome] = (uint8_t)r;
            f->nhome++;
        }
    }
    x64_label_bind(c->b, f->label);
}

void cg_ctrl_if(struct cg_ctx *c, const struct wdec_block_type *bt)
{
    /* The condition may be in EFLAGS: spilling uses only movs and setcc, which keep them. But
     * spilling a FLAGS entry below would clobber... the condition is the top, so pop first. */
    struct cg_val cond = c->stack[c->sp - 1];
    c->sp--;
    uint32_t np = bt ? bt->param_count : 0;
    spill_for_block(c);
    for (uint32_t i = c->sp - np; i < c->sp; i++)
        cg_spill_entry(c, i);
    c->stack[c->sp++] = cond;
    if (cond.loc == CG_LOC_REG)
        c->gp_owner[cond.reg] = (int32_t)(c->sp - 1);
    enum x64_cc cc = cg_pop_cond(c);
    if (cg_ctrl_push(c, CG_CTRL_IF, bt) != WDEC_OK)
        return;
    struct cg_ctrl *f = &c->ctrl[c->nctrl - 1];
    f->else_label = x64_label_new(c->b);
    f->has_else_label = true;
    x64_jcc(c->b, x64_cc_negate(cc), f->else_label);
}

/* Resets the stack to the frame's base plus `n` SLOT values of `types`. */
static void reset_to_slots(struct cg_ctx *c, const struct cg_ctrl *f, uint32_t n,
                           const uint8_t *types)
{
    cg_stack_truncate(c, f->base);
    for (uint32_t i = 0; i < n; i++)
        cg_push_slot(c, types[i]);
}

void cg_ctrl_else(struct cg_ctx *c)
{
    struct cg_ctrl *f = &c->ctrl[c->nctrl - 1];
    if (!c->dead) {
        cg_move_to_slots(c, f->base, f->nresults);
        x64_jmp(c->b, f->label);
        f->label_used = true;
    }
    cg_drop_all_caches(c);
    x64_label_bind(c->b, f->else_label);
    f->has_else_label = false;
    reset_to_slots(c, f, f->nparams, f->params);
    c->dead = false;
}

void cg_ctrl_end(struct cg_ctx *c)
{
    struct cg_ctrl *f = &c->ctrl[c->nctrl - 1];
    if (f->kind == CG_CTRL_LOOP) {
        /* Only the fallthrough reaches a loop's end: values stay where they are. */
        if (c->dead)
            reset_to_slots(c, f, f->nresults, f->results);
        c->dead = false;
        c->loop_ctrl = f->outer_loop;
        c->nctrl--;
        return;
    }
    bool merge = f->label_used || f->has_else_label;
    if (merge) {
        if (!c->dead)
            cg_move_to_slots(c, f->base, f->nresults);
        cg_drop_all_caches(c);
        if (f->has_else_label)
            x64_label_bind(c->b, f->else_label); /* if without else: params are the results */
        x64_label_bind(c->b, f->label);
        reset_to_slots(c, f, f->nresults, f->results);
    } else {
        x64_label_bind(c->b, f->label);
        if (c->dead)
            reset_to_slots(c, f, f->nresults, f->results);
    }
    c->dead = false;
    c->loop_ctrl = f->outer_loop;
    c->nctrl--;
}

void cg_ctrl_br_table(struct cg_ctx *c, const uint32_t *targets, uint32_t count, uint32_t dflt)
{
    struct x64_buf *b = c->b;
    struct cg_val idx = cg_pop(c);
    if (idx.loc == CG_LOC_CONST) {
        uint32_t i = (uint32_t)idx.imm;
        cg_branch_to(c, i < count ? targets[i] : dflt);
        c->dead = true;
        return;
    }
    unsigned r = cg_to_reg(c, &idx);
    /* Each distinct target gets a pad (moves + jmp) unless its values are already in place. */
    struct x64_label table = x64_label_new(b);
    struct x64_label dpad = x64_label_new(b);
    x64_cmp_r32_imm32(b, (enum x64_gpr)r, (int32_t)count);
    x64_jcc(b, X64_CC_AE, dpad);
    x64_lea_r64_m(b, CG_REG_SCRATCH, x64_mem_rip_label(table, 0));
    x64_movsxd_r64_m32(b, (enum x64_gpr)r, x64_mem_bis(CG_REG_SCRATCH, (enum x64_gpr)r, 4, 0));
    x64_add_r64_r64(b, (enum x64_gpr)r, CG_REG_SCRATCH);
    x64_jmp_r64(b, (enum x64_gpr)r);
    cg_release(c, &idx);
    /* Pads: one per table entry would be wasteful for large tables; dedupe by depth. */
    uint32_t maxd = dflt;
    for (uint32_t i = 0; i < count; i++)
        if (targets[i] > maxd)
            maxd = targets[i];
    struct x64_label *pads = calloc((size_t)maxd + 1, sizeof *pads);
    if (!pads) {
        cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (br_table)");
        return;
    }
    x64_align(b, 4);
    x64_label_bind(b, table);
    for (uint32_t i = 0; i < count; i++) {
        if (pads[targets[i]].id == 0)
            pads[targets[i]] = x64_label_new(b);
        x64_data_label_rel32(b, pads[targets[i]], table);
    }
    x64_label_bind(b, dpad);
    cg_branch_to(c, dflt);
    for (uint32_t d = 0; d <= maxd; d++) {
        if (pads[d].id == 0)
            continue;
        x64_label_bind(b, pads[d]);
        cg_branch_to(c, d);
    }
    free(pads);
    c->dead = true;
}
