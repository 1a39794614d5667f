/* SPDX-License-Identifier: Apache-2.0 */
/* Calls (direct, imported, indirect with bounds/null/signature checks), globals and select.
 * Arguments and results travel in 8-byte slots at [rsp] (docs/DESIGN-compiler.md). */
#include "cg_internal.h"

#include <stdlib.h>

/* Stores the top `np` values to the outgoing area and spills every register value. */
static void prepare_call(struct cg_ctx *c, const struct wdec_func_type *t)
{
    uint32_t np = t->param_count, nr = t->result_count;
    uint32_t area = np > nr ? np : nr;
    if (area > c->max_out)
        c->max_out = area;
    uint32_t first = c->sp - np;
    for (uint32_t i = 0; i < np; i++)
        cg_store_to_mem(c, &c->stack[first + i], x64_mem_b(X64_RSP, 8 * (int32_t)i), true);
    cg_stack_truncate(c, first);
    cg_spill_all(c, false, false);
    cg_drop_all_caches(c); /* the callee clobbers every register */
}

static void reload_instance(struct cg_ctx *c)
{
    x64_mov_r64_m64(c->b, CG_REG_VMCTX, x64_mem_b(X64_RBP, -8));
    x64_mov_r64_m64(c->b, CG_REG_MEM, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_MEM_BASE));
}

static void push_results(struct cg_ctx *c, const struct wdec_func_type *t)
{
    for (uint32_t i = 0; i < t->result_count; i++) {
        uint8_t type = t->results[i];
        struct cg_val v = {CG_LOC_SLOT, type, 0, 0, 0, 0};
        unsigned r = cg_is_float(type) ? cg_alloc_xmm(c) : cg_alloc_gp(c);
        struct x64_mem m = x64_mem_b(X64_RSP, 8 * (int32_t)i);
        if (cg_is_float(type))
            cg_is_wide(type) ? x64_movsd_xmm_m64(c->b, r, m) : x64_movss_xmm_m32(c->b, r, m);
        else
            cg_is_wide(type) ? x64_mov_r64_m64(c->b, (enum x64_gpr)r, m)
                             : x64_mov_r32_m32(c->b, (enum x64_gpr)r, m);
        (void)v;
        cg_push_reg(c, type, r);
    }
}

void cg_lower_call(struct cg_ctx *c, uint32_t func_index, const struct wdec_func_type *type)
{
    prepare_call(c, type);
    /* rel32 patched when the whole module is laid out (callee may not be compiled yet). */
    x64_call_rel32(c->b, 0);
    if (c->ncalls == c->calls_cap) {
        size_t cap = c->calls_cap ? c->calls_cap * 2 : 1024;
        struct cg_call_fixup *n = realloc(c->calls, cap * sizeof *n);
        if (!n) {
            cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (call fixups)");
            return;
        }
        c->calls = n;
        c->calls_cap = cap;
    }
    c->calls[c->ncalls].pos = (uint32_t)(c->func_base + c->b->len - 4);
    c->calls[c->ncalls].callee = func_index;
    c->ncalls++;
    if (func_index < c->mod->func_import_count)
        reload_instance(c);
    push_results(c, type);
}

void cg_lower_call_indirect(struct cg_ctx *c, uint32_t type_index,
                            const struct wdec_func_type *type, uint32_t table_index)
{
    struct x64_buf *b = c->b;
    struct cg_val idx = cg_pop(c);
    cg_load_into(c, &idx, CG_REG_SCRATCH2);
    cg_release(c, &idx);
    prepare_call(c, type); /* uses only r11 */
    x64_mov_r64_m64(b, CG_REG_SCRATCH, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_TABLES));
    x64_mov_r64_m64(b, CG_REG_SCRATCH, x64_mem_b(CG_REG_SCRATCH, 8 * (int32_t)table_index));
    x64_cmp_r32_m32(b, CG_REG_SCRATCH2, x64_mem_b(CG_REG_SCRATCH, 8));
    x64_jcc(b, X64_CC_AE, cg_trap_label(c, CG_TRAP_UNDEFINED_ELEMENT));
    x64_mov_r64_m64(b, CG_REG_SCRATCH, x64_mem_b(CG_REG_SCRATCH, 0));
    x64_mov_r64_m64(b, CG_REG_SCRATCH, x64_mem_bis(CG_REG_SCRATCH, CG_REG_SCRATCH2, 8, 0));
    x64_test_r64_r64(b, CG_REG_SCRATCH, CG_REG_SCRATCH);
    x64_jcc(b, X64_CC_E, cg_trap_label(c, CG_TRAP_UNINITIALIZED_ELEMENT));
    /* r10 keeps the index for the trap's detail; every allocatable register is free here. */
    x64_mov_r64_m64(b, X64_RAX, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_TYPE_IDS));
    x64_mov_r32_m32(b, X64_RAX, x64_mem_b(X64_RAX, 4 * (int32_t)type_index));
    x64_cmp_r32_m32(b, X64_RAX, x64_mem_b(CG_REG_SCRATCH, 16));
    x64_jcc(b, X64_CC_NE, cg_trap_label(c, CG_TRAP_INDIRECT_TYPE_MISMATCH));
    x64_mov_r64_m64(b, CG_REG_VMCTX, x64_mem_b(CG_REG_SCRATCH, 8));
    x64_mov_r64_m64(b, CG_REG_MEM, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_MEM_BASE));
    x64_call_m64(b, x64_mem_b(CG_REG_SCRATCH, 0));
    reload_instance(c);
    push_results(c, type);
}

/* --- Globals: vmctx->globals[i] points at a shared 16-byte cell --- */

static void global_cell(struct cg_ctx *c, uint32_t idx)
{
    x64_mov_r64_m64(c->b, CG_REG_SCRATCH, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_GLOBALS));
    x64_mov_r64_m64(c->b, CG_REG_SCRATCH, x64_mem_b(CG_REG_SCRATCH, 8 * (int32_t)idx));
}

void cg_lower_global_get(struct cg_ctx *c, uint32_t idx, uint8_t type)
{
    unsigned r = cg_is_float(type) ? cg_alloc_xmm(c) : cg_alloc_gp(c);
    global_cell(c, idx);
    struct cg_val v = {CG_LOC_LOCAL, type, 0, 0, 0, 0};
    (void)v;
    struct x64_mem m = x64_mem_b(CG_REG_SCRATCH, 0);
    if (cg_is_float(type))
        cg_is_wide(type) ? x64_movsd_xmm_m64(c->b, r, m) : x64_movss_xmm_m32(c->b, r, m);
    else
        cg_is_wide(type) ? x64_mov_r64_m64(c->b, (enum x64_gpr)r, m)
                         : x64_mov_r32_m32(c->b, (enum x64_gpr)r, m);
    cg_push_reg(c, type, r);
}

void cg_lower_global_set(struct cg_ctx *c, uint32_t idx, uint8_t type)
{
    struct cg_val v = cg_pop(c);
    /* A 64-bit constant beyond imm32 goes to a register first: cg_store_to_mem would build it
     * in r11, which holds the cell address below (found by fuzz_cg_differential). */
    if (v.loc != CG_LOC_CONST || (cg_is_wide(v.type) && v.imm != (int64_t)(int32_t)v.imm))
        cg_to_reg(c, &v);
    (void)type;
    global_cell(c, idx);
    cg_store_to_mem(c, &v, x64_mem_b(CG_REG_SCRATCH, 0), false);
    cg_release(c, &v);
}

/* --- select --- */

void cg_lower_select(struct cg_ctx *c, uint8_t type)
{
    struct x64_buf *b = c->b;
    struct cg_val cond = cg_pop(c);
    struct cg_val vf = cg_pop(c);
    struct cg_val vt = cg_pop(c);
    if (cond.loc == CG_LOC_CONST) {
        struct cg_val keep = (uint32_t)cond.imm ? vt : vf;
        struct cg_val drop = (uint32_t)cond.imm ? vf : vt;
        cg_release(c, &drop);
        if (keep.loc == CG_LOC_REG) {
            cg_push_reg(c, type, keep.reg);
        } else if (keep.loc == CG_LOC_CONST) {
            cg_push_const(c, type, keep.imm);
        } else {
            unsigned r = cg_to_reg(c, &keep);
            cg_push_reg(c, type, r);
        }
        return;
    }
    /* Loads below are movs (EFLAGS survive). */
    unsigned d = cg_to_reg_dst(c, &vt);
    bool fl = cg_is_float(type), w = cg_is_wide(type);
    unsigned s = 0;
    if (fl || vf.loc == CG_LOC_CONST || vf.loc == CG_LOC_REG)
        s = cg_to_reg(c, &vf);
    enum x64_cc cc;
    if (cond.loc == CG_LOC_FLAGS) {
        cc = (enum x64_cc)cond.cc;
    } else if (cond.loc == CG_LOC_REG) {
        x64_test_r32_r32(b, (enum x64_gpr)cond.reg, (enum x64_gpr)cond.reg);
        cc = X64_CC_NE;
    } else {
        x64_cmp_m32_imm8(
            b, cond.loc == CG_LOC_LOCAL ? cg_local_mem(c, cond.local) : cg_slot_mem(c, cond.local),
            0);
        cc = X64_CC_NE;
    }
    if (fl) {
        struct x64_label skip = x64_label_new(b);
        x64_jcc(b, cc, skip);
        x64_movaps_xmm_xmm(b, d, s);
        x64_label_bind(b, skip);
    } else if (vf.loc == CG_LOC_SLOT || vf.loc == CG_LOC_LOCAL) {
        struct x64_mem m =
            vf.loc == CG_LOC_LOCAL ? cg_local_mem(c, vf.local) : cg_slot_mem(c, vf.local);
        w ? x64_cmovcc_r64_m64(b, x64_cc_negate(cc), (enum x64_gpr)d, m)
          : x64_cmovcc_r32_m32(b, x64_cc_negate(cc), (enum x64_gpr)d, m);
    } else {
        w ? x64_cmovcc_r64_r64(b, x64_cc_negate(cc), (enum x64_gpr)d, (enum x64_gpr)s)
          : x64_cmovcc_r32_r32(b, x64_cc_negate(cc), (enum x64_gpr)d, (enum x64_gpr)s);
    }
    cg_release(c, &cond);
    cg_release(c, &vf);
    cg_push_reg(c, type, d);
}
