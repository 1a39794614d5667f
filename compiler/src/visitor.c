/* SPDX-License-Identifier: Apache-2.0 */
/* The frontend's visitor, implemented: one small function per callback, each handing the Wasm
 * op to control.c / lower_*.c. The frontend reports reachable code only. */
#include "visitor.h"

#include "cg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTX struct cg_ctx *c = ctx

static wdec_status done(struct cg_ctx *c)
{
    return c->err->status == CG_OK ? WDEC_OK : WDEC_ERR_CLIENT;
}

static wdec_status v_func_begin(void *ctx, const struct wdec_func_info *fn)
{
    CTX;
    c->func_index = fn->func_index;
    c->ftype = fn->type;
    c->nparams = fn->type->param_count;
    c->nlocals = fn->local_count - c->nparams;
    c->local_types = fn->local_types;
    c->slot_base = -16 - 8 * (int32_t)c->nlocals;
    c->sp = 0;
    c->nctrl = 0;
    c->max_depth = 0;
    c->max_out = 0;
    c->dead = false;
    for (unsigned i = 0; i < 16; i++)
        c->gp_owner[i] = c->xmm_owner[i] = CG_OWNER_FREE;
    if ((uint64_t)fn->local_count * 8 > 0x10000000u)
        return cg_fail(c, CG_ERR_LIMIT, "too many locals");
    if (fn->local_count > c->lcache_cap) {
        uint32_t cap = fn->local_count + 64;
        uint8_t *n = realloc(c->lcache, cap);
        if (!n)
            return cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (local cache)");
        c->lcache = n;
        c->lcache_cap = cap;
    }
    if (fn->local_count)
        memset(c->lcache, CG_NO_REG, fn->local_count);
    c->cached_mask = 0;
    c->loop_ctrl = 0;
    if (c->listing && c->listing->func)
        c->listing->func(c->listing->ctx, fn->func_index, (uint32_t)(c->func_base + c->b->len));
    struct wdec_block_type bt = {0, fn->type->result_count, NULL, fn->type->results,
                                 fn->type_index};
    wdec_status s = cg_ctrl_push(c, CG_CTRL_FUNC, &bt);
    if (s)
        return s;
    cg_frame_prologue(c);
    return done(c);
}

static wdec_status v_func_end(void *ctx)
{
    CTX;
    if (!c->dead) {
        cg_begin_op(c, false);
        cg_emit_return(c);
    }
    cg_frame_finish(c);
    cg_emit_trap_stubs(c);
    return done(c);
}

static wdec_status v_instr_begin(void *ctx, enum wdec_opcode op, size_t offset)
{
    CTX;
    (void)op;
    if (c->listing && c->listing->op)
        c->listing->op(c->listing->ctx, c->func_index, offset,
                       (uint32_t)(c->func_base + c->b->len));
    return WDEC_OK;
}

static wdec_status v_unreachable(void *ctx)
{
    CTX;
    x64_jmp(c->b, cg_trap_label(c, CG_TRAP_UNREACHABLE));
    c->dead = true;
    return done(c);
}

static wdec_status v_nop(void *ctx)
{
    (void)ctx;
    return WDEC_OK;
}

static wdec_status v_block(void *ctx, const struct wdec_block_type *bt)
{
    CTX;
    cg_begin_op(c, false);
    cg_ctrl_block(c, bt);
    return done(c);
}

static wdec_status v_loop(void *ctx, const struct wdec_block_type *bt)
{
    CTX;
    cg_begin_op(c, false);
    cg_ctrl_loop(c, bt);
    return done(c);
}

static wdec_status v_if(void *ctx, const struct wdec_block_type *bt)
{
    CTX;
    cg_begin_op(c, true);
    cg_ctrl_if(c, bt);
    return done(c);
}

static wdec_status v_else(void *ctx)
{
    CTX;
    if (!c->dead)
        cg_begin_op(c, false);
    cg_ctrl_else(c);
    return done(c);
}

static wdec_status v_end(void *ctx, bool had_else)
{
    CTX;
    (void)had_else;
    if (!c->dead)
        cg_begin_op(c, false);
    cg_ctrl_end(c);
    return done(c);
}

static wdec_status v_br(void *ctx, uint32_t depth, uint32_t arity)
{
    CTX;
    (void)arity;
    cg_begin_op(c, false);
    cg_branch_to(c, depth);
    c->dead = true;
    return done(c);
}

static wdec_status v_br_if(void *ctx, uint32_t depth, uint32_t arity)
{
    CTX;
    (void)arity;
    cg_begin_op(c, true);
    enum x64_cc cc = cg_pop_cond(c);
    cg_branch_if(c, depth, cc);
    return done(c);
}

static wdec_status v_br_table(void *ctx, const uint32_t *targets, uint32_t count,
                              uint32_t default_depth, uint32_t arity)
{
    CTX;
    (void)arity;
    cg_begin_op(c, false);
    cg_ctrl_br_table(c, targets, count, default_depth);
    return done(c);
}

static wdec_status v_return(void *ctx)
{
    CTX;
    cg_begin_op(c, false);
    cg_emit_return(c);
    c->dead = true;
    return done(c);
}

static wdec_status v_call(void *ctx, uint32_t func_index, const struct wdec_func_type *type)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_call(c, func_index, type);
    return done(c);
}

static wdec_status v_call_indirect(void *ctx, uint32_t type_index,
                                   const struct wdec_func_type *type, uint32_t table_index)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_call_indirect(c, type_index, type, table_index);
    return done(c);
}

static wdec_status v_drop(void *ctx, uint8_t type)
{
    CTX;
    (void)type;
    cg_begin_op(c, false);
    cg_stack_truncate(c, c->sp - 1);
    return WDEC_OK;
}

static wdec_status v_select(void *ctx, uint8_t type)
{
    CTX;
    cg_begin_op(c, true);
    cg_lower_select(c, type);
    return done(c);
}

static wdec_status v_local_get(void *ctx, uint32_t idx, uint8_t type)
{
    CTX;
    (void)type;
    cg_begin_op(c, false);
    cg_push_local(c, idx);
    return done(c);
}

static void local_store(struct cg_ctx *c, uint32_t idx, bool tee)
{
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_LOCAL && v.local == idx) {
        if (tee)
            cg_push_local(c, idx);
        return;
    }
    cg_detach_local(c, idx);
    /* Write-through cache: the value goes to the local's slot and its register keeps caching
     * the local, so the next local.get reads a register. */
    if (!c->spill_all && v.loc != CG_LOC_REG)
        cg_to_reg(c, &v);
    cg_store_to_mem(c, &v, cg_local_mem(c, idx), false);
    if (v.loc == CG_LOC_REG && !c->spill_all) {
        int home = cg_local_home(c, idx);
        bool xmm = cg_is_float(v.type);
        if (home >= 0 && home != v.reg && cg_take_reg(c, (unsigned)home, xmm)) {
            /* Keep a loop's home local in its home register: the back edge then moves nothing. */
            if (xmm)
                x64_movaps_xmm_xmm(c->b, (unsigned)home, v.reg);
            else
                x64_mov_r64_r64(c->b, (enum x64_gpr)home, (enum x64_gpr)v.reg);
            cg_release(c, &v);
            v.reg = (uint8_t)home;
        }
        cg_cache_local(c, idx, v.reg);
        if (tee)
            cg_push_local(c, idx);
        return;
    }
    cg_drop_local_cache(c, idx);
    if (!tee) {
        cg_release(c, &v);
        return;
    }
    switch (v.loc) {
    case CG_LOC_REG:
        cg_push_reg(c, v.type, v.reg);
        break;
    case CG_LOC_CONST:
        cg_push_const(c, v.type, v.imm);
        break;
    default:
        cg_push_local(c, idx);
        break;
    }
}

static wdec_status v_local_set(void *ctx, uint32_t idx, uint8_t type)
{
    CTX;
    (void)type;
    cg_begin_op(c, false);
    local_store(c, idx, false);
    return done(c);
}

static wdec_status v_local_tee(void *ctx, uint32_t idx, uint8_t type)
{
    CTX;
    (void)type;
    cg_begin_op(c, false);
    local_store(c, idx, true);
    return done(c);
}

static wdec_status v_global_get(void *ctx, uint32_t idx, const struct wdec_global_type *t)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_global_get(c, idx, t->type);
    return done(c);
}

static wdec_status v_global_set(void *ctx, uint32_t idx, const struct wdec_global_type *t)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_global_set(c, idx, t->type);
    return done(c);
}

static wdec_status v_load(void *ctx, enum wdec_opcode op, struct wdec_memarg arg)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_load(c, op, arg);
    return done(c);
}

static wdec_status v_store(void *ctx, enum wdec_opcode op, struct wdec_memarg arg)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_store(c, op, arg);
    return done(c);
}

static wdec_status v_memory_size(void *ctx, uint32_t mem)
{
    CTX;
    (void)mem;
    cg_begin_op(c, false);
    cg_lower_memory_size(c);
    return done(c);
}

static wdec_status v_memory_grow(void *ctx, uint32_t mem)
{
    CTX;
    (void)mem;
    cg_begin_op(c, false);
    cg_lower_memory_grow(c);
    return done(c);
}

static wdec_status v_memory_init(void *ctx, uint32_t data, uint32_t mem)
{
    CTX;
    (void)mem;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_MEMORY_INIT, &data, 1, 3, 0);
    return done(c);
}

static wdec_status v_memory_copy(void *ctx, uint32_t dst, uint32_t src)
{
    CTX;
    (void)dst;
    (void)src;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_MEMORY_COPY, NULL, 0, 3, 0);
    return done(c);
}

static wdec_status v_memory_fill(void *ctx, uint32_t mem)
{
    CTX;
    (void)mem;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_MEMORY_FILL, NULL, 0, 3, 0);
    return done(c);
}

static wdec_status v_data_drop(void *ctx, uint32_t data)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_DATA_DROP, &data, 1, 0, 0);
    return done(c);
}

static wdec_status v_i32_const(void *ctx, int32_t value)
{
    CTX;
    cg_begin_op(c, false);
    cg_push_const(c, WDEC_I32, (int64_t)(uint32_t)value);
    return done(c);
}

static wdec_status v_i64_const(void *ctx, int64_t value)
{
    CTX;
    cg_begin_op(c, false);
    cg_push_const(c, WDEC_I64, value);
    return done(c);
}

static wdec_status v_f32_const(void *ctx, uint32_t bits)
{
    CTX;
    cg_begin_op(c, false);
    cg_push_const(c, WDEC_F32, (int64_t)bits);
    return done(c);
}

static wdec_status v_f64_const(void *ctx, uint64_t bits)
{
    CTX;
    cg_begin_op(c, false);
    cg_push_const(c, WDEC_F64, (int64_t)bits);
    return done(c);
}

static bool consumes_flags(enum wdec_opcode op)
{
    return op == WDEC_OP_I32_EQZ;
}

static wdec_status v_numeric(void *ctx, enum wdec_opcode op)
{
    CTX;
    cg_begin_op(c, consumes_flags(op));
    cg_lower_numeric(c, op);
    return done(c);
}

static wdec_status v_ref_null(void *ctx, uint8_t type)
{
    CTX;
    cg_begin_op(c, false);
    cg_push_const(c, type, 0);
    return done(c);
}

static wdec_status v_ref_is_null(void *ctx, uint8_t type)
{
    CTX;
    (void)type;
    cg_begin_op(c, false);
    cg_lower_ref_is_null(c);
    return done(c);
}

static wdec_status v_ref_func(void *ctx, uint32_t func_index)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_ref_func(c, func_index);
    return done(c);
}

static uint8_t table_elem_type(const struct cg_ctx *c, uint32_t table)
{
    const struct wdec_table_type *t = wdec_module_table_type(c->mod, table);
    return t ? t->elem_type : WDEC_FUNCREF;
}

static wdec_status v_table_get(void *ctx, uint32_t table)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_GET, &table, 1, 1, table_elem_type(c, table));
    return done(c);
}

static wdec_status v_table_set(void *ctx, uint32_t table)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_SET, &table, 1, 2, 0);
    return done(c);
}

static wdec_status v_table_size(void *ctx, uint32_t table)
{
    CTX;
    cg_begin_op(c, false);
    cg_lower_table_size(c, table);
    return done(c);
}

static wdec_status v_table_grow(void *ctx, uint32_t table)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_GROW, &table, 1, 2, WDEC_I32);
    return done(c);
}

static wdec_status v_table_fill(void *ctx, uint32_t table)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_FILL, &table, 1, 3, 0);
    return done(c);
}

static wdec_status v_table_copy(void *ctx, uint32_t dst, uint32_t src)
{
    CTX;
    uint32_t imms[2] = {dst, src};
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_COPY, imms, 2, 3, 0);
    return done(c);
}

static wdec_status v_table_init(void *ctx, uint32_t elem, uint32_t table)
{
    CTX;
    uint32_t imms[2] = {table, elem};
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_TABLE_INIT, imms, 2, 3, 0);
    return done(c);
}

static wdec_status v_elem_drop(void *ctx, uint32_t elem)
{
    CTX;
    cg_begin_op(c, false);
    cg_call_helper(c, CG_VMCTX_ELEM_DROP, &elem, 1, 0, 0);
    return done(c);
}

void cg_visitor_init(struct wdec_visitor *v, bool listing)
{
    *v = (struct wdec_visitor){
        .func_begin = v_func_begin,
        .func_end = v_func_end,
        .instr_begin = listing ? v_instr_begin : NULL,
        .unreachable = v_unreachable,
        .nop = v_nop,
        .block = v_block,
        .loop = v_loop,
        .if_ = v_if,
        .else_ = v_else,
        .end = v_end,
        .br = v_br,
        .br_if = v_br_if,
        .br_table = v_br_table,
        .return_ = v_return,
        .call = v_call,
        .call_indirect = v_call_indirect,
        .drop = v_drop,
        .select = v_select,
        .local_get = v_local_get,
        .local_set = v_local_set,
        .local_tee = v_local_tee,
        .global_get = v_global_get,
        .global_set = v_global_set,
        .load = v_load,
        .store = v_store,
        .memory_size = v_memory_size,
        .memory_grow = v_memory_grow,
        .memory_init = v_memory_init,
        .memory_copy = v_memory_copy,
        .memory_fill = v_memory_fill,
        .data_drop = v_data_drop,
        .i32_const = v_i32_const,
        .i64_const = v_i64_const,
        .f32_const = v_f32_const,
        .f64_const = v_f64_const,
        .numeric = v_numeric,
        .ref_null = v_ref_null,
        .ref_is_null = v_ref_is_null,
        .ref_func = v_ref_func,
        .table_get = v_table_get,
        .table_set = v_table_set,
        .table_size = v_table_size,
        .table_grow = v_table_grow,
        .table_fill = v_table_fill,
        .table_copy = v_table_copy,
        .table_init = v_table_init,
        .elem_drop = v_elem_drop,
    };
}
