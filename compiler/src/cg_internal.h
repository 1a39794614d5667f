/* SPDX-License-Identifier: Apache-2.0 */
/* Private state of the single-pass code generator: the abstract value stack, the register
 * cache, the control stack and the per-module context shared by visitor.c, lower_*.c, masm.c. */
#ifndef CG_INTERNAL_H
#define CG_INTERNAL_H

#include "cg/compile.h"
#include "cg/vmctx.h"
#include "regs_x64.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wdec/module.h>
#include <wdec/visitor.h>
#include <x64/buffer.h>
#include <x64/gen/emit.h>
#include <x64/operands.h>

/* --- Value stack entries --- */
enum cg_loc {
    CG_LOC_CONST, /* imm (i32/f32 bits in the low 32 bits, zero-extended) */
    CG_LOC_REG,   /* reg: a gp register (i32/i64/ref) or an xmm register (f32/f64) */
    CG_LOC_SLOT,  /* the entry's own stack slot (fixed by its depth) */
    CG_LOC_LOCAL, /* lazy local.get: the value is local `local`'s current value */
    CG_LOC_FLAGS, /* i32 condition `cc` still in EFLAGS; only ever the top entry */
};

struct cg_val {
    uint8_t loc;  /* enum cg_loc */
    uint8_t type; /* enum wdec_valtype */
    uint8_t reg;  /* CG_LOC_REG: register number */
    uint8_t cc;   /* CG_LOC_FLAGS: enum x64_cc */
    uint32_t local;
    int64_t imm;
};

/* Register owner values besides a stack index. */
#define CG_OWNER_FREE (-1)
#define CG_OWNER_TEMP (-2) /* popped operand or result of the lowering in progress */
/* A register caching local x (write-through: the local's frame slot is always current too, so
 * the cache can be dropped at any time without code). */
#define CG_OWNER_LOCAL(x)    (-3 - (int32_t)(x))
#define CG_IS_LOCAL_OWNER(o) ((o) <= -3)
#define CG_LOCAL_OF_OWNER(o) ((uint32_t)(-3 - (o)))
#define CG_NO_REG            0xFFu

#define CG_MAX_HOMES 24

enum cg_ctrl_kind { CG_CTRL_FUNC, CG_CTRL_BLOCK, CG_CTRL_LOOP, CG_CTRL_IF };

struct cg_ctrl {
    uint8_t kind;
    bool label_used; /* some branch jumps to `label` (blocks/ifs: the merge needs slots) */
    bool has_else_label;
    uint32_t base; /* stack height below the block's params */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    struct x64_label label; /* branch target: end (block/if) or start (loop) */
    /* Loops: the locals cached in registers at the header ("homes"). Every back edge puts them
     * back in those registers; local.set of a home local inside the loop keeps it there. */
    uint32_t outer_loop; /* cg_ctx.loop_ctrl when this frame was pushed */
    uint8_t nhome;
    uint8_t home_reg[CG_MAX_HOMES];
    uint32_t home_local[CG_MAX_HOMES];
    struct x64_label else_label; /* if: start of the else arm */
};

/* A direct call's rel32 at module offset `pos` (function-relative while the function is being
 * compiled) targets function `callee`. */
struct cg_call_fixup {
    uint32_t pos;
    uint32_t callee;
};

struct cg_ctx {
    const struct wdec_module *mod;
    bool spill_all;
    const struct cg_listing *listing;
    struct x64_buf *b;
    struct cg_error *err;

    /* Each function is assembled in its own buffer `b` (small label/fixup tables, resolved at
     * once) and appended to the module blob at `func_base`. Direct calls are patched at the end
     * from `calls`. */
    size_t func_base;
    struct cg_call_fixup *calls;
    size_t ncalls, calls_cap;
    struct x64_label trap_labels[CG_TRAP_COUNT_]; /* per function; id 0 = not used yet */

    /* trap sites */
    struct cg_trap_site *sites;
    size_t nsites, sites_cap;

    /* --- per function --- */
    uint32_t func_index;
    const struct wdec_func_type *ftype;
    uint32_t nparams; /* parameters */
    uint32_t nlocals; /* declared (non-parameter) locals */
    const uint8_t *local_types;
    int32_t slot_base;  /* rbp-relative offset of value-stack slot 0 */
    size_t frame_patch; /* buffer offset of the imm32 holding the frame size */
    uint32_t max_depth; /* deepest value stack seen */
    uint32_t max_out;   /* largest outgoing argument/result area (slots) */
    bool dead;          /* after br/return/unreachable until the next else/end */

    struct cg_val *stack;
    uint32_t sp, stack_cap;
    struct cg_val overflow; /* target of a push whose growth failed */
    struct cg_ctrl *ctrl;
    uint32_t nctrl, ctrl_cap;

    int32_t gp_owner[16];
    int32_t xmm_owner[16];
    uint8_t *lcache; /* per local: register caching it, or CG_NO_REG */
    uint32_t lcache_cap;
    uint32_t cached_mask; /* registers caching locals: bit r = gp r, bit 16 + r = xmm r */
    uint32_t loop_ctrl;   /* 1 + index of the innermost loop frame; 0 outside loops */
};

/* --- Small type helpers --- */
static inline bool cg_is_float(uint8_t type)
{
    return type == WDEC_F32 || type == WDEC_F64;
}
/* 64-bit wide in a gp register (i64 and references). */
static inline bool cg_is_wide(uint8_t type)
{
    return type == WDEC_I64 || type == WDEC_FUNCREF || type == WDEC_EXTERNREF || type == WDEC_F64;
}

/* --- Frame addressing (layout in frame.c) --- */
static inline struct x64_mem cg_slot_mem(const struct cg_ctx *c, uint32_t depth)
{
    return x64_mem_b(X64_RBP, c->slot_base - 8 * (int32_t)depth);
}
static inline struct x64_mem cg_local_mem(const struct cg_ctx *c, uint32_t local)
{
    if (local < c->nparams)
        return x64_mem_b(X64_RBP, 16 + 8 * (int32_t)local);
    return x64_mem_b(X64_RBP, -16 - 8 * (int32_t)(local - c->nparams));
}
static inline uint8_t cg_local_type(const struct cg_ctx *c, uint32_t local)
{
    return c->local_types[local];
}
void cg_frame_prologue(struct cg_ctx *c);
void cg_frame_finish(struct cg_ctx *c); /* patch the frame size */
void cg_emit_return(struct cg_ctx *c);  /* store results, epilogue */
struct x64_label cg_trap_label(struct cg_ctx *c, enum cg_trap kind);
void cg_add_trap_site_slow(struct cg_ctx *c, size_t code_offset);
static inline void cg_add_trap_site(struct cg_ctx *c, size_t code_offset)
{
    if (c->nsites < c->sites_cap) {
        c->sites[c->nsites].code_offset = (uint32_t)(c->func_base + code_offset);
        c->sites[c->nsites].trap = CG_TRAP_MEMORY_OOB;
        c->nsites++;
        return;
    }
    cg_add_trap_site_slow(c, code_offset);
}

/* --- Value stack (value_stack.c) --- */
bool cg_stack_reserve(struct cg_ctx *c, uint32_t extra);
/* Grows the stack for one more entry; &c->overflow (written and ignored) when out of memory. */
struct cg_val *cg_push_slow(struct cg_ctx *c);
/* A new top entry (inline: every instruction pushes). */
static inline struct cg_val *cg_push(struct cg_ctx *c)
{
    if (c->sp == c->stack_cap)
        return cg_push_slow(c);
    struct cg_val *v = &c->stack[c->sp++];
    if (c->sp > c->max_depth)
        c->max_depth = c->sp;
    return v;
}
static inline void cg_push_const(struct cg_ctx *c, uint8_t type, int64_t imm)
{
    struct cg_val *v = cg_push(c);
    v->loc = CG_LOC_CONST;
    v->type = type;
    v->imm = imm;
}
static inline void cg_push_reg(struct cg_ctx *c, uint8_t type, unsigned reg)
{
    uint32_t i = c->sp;
    struct cg_val *v = cg_push(c);
    if (v == &c->overflow)
        return;
    v->loc = CG_LOC_REG;
    v->type = type;
    v->reg = (uint8_t)reg;
    if (cg_is_float(type))
        c->xmm_owner[reg] = (int32_t)i;
    else
        c->gp_owner[reg] = (int32_t)i;
}
static inline void cg_push_local(struct cg_ctx *c, uint32_t local)
{
    struct cg_val *v = cg_push(c);
    v->loc = CG_LOC_LOCAL;
    v->type = c->local_types[local];
    v->local = local;
}
void cg_push_slot(struct cg_ctx *c, uint8_t type);
void cg_push_flags(struct cg_ctx *c, enum x64_cc cc);
/* Pops the top entry; a register it holds becomes CG_OWNER_TEMP until cg_release(). */
static inline struct cg_val cg_pop(struct cg_ctx *c)
{
    struct cg_val v = c->stack[--c->sp];
    if (v.loc == CG_LOC_REG) {
        if (cg_is_float(v.type))
            c->xmm_owner[v.reg] = CG_OWNER_TEMP;
        else
            c->gp_owner[v.reg] = CG_OWNER_TEMP;
    } else if (v.loc == CG_LOC_SLOT) {
        /* Its slot is free memory now; remember where it was for the consumer. */
        v.local = c->sp;
    }
    return v;
}

static inline void cg_release(struct cg_ctx *c, const struct cg_val *v)
{
    if (v->loc != CG_LOC_REG)
        return;
    if (cg_is_float(v->type))
        c->xmm_owner[v->reg] = CG_OWNER_FREE;
    else
        c->gp_owner[v->reg] = CG_OWNER_FREE;
}

/* Truncates the stack to `height`, freeing registers of the dropped entries. */
void cg_stack_truncate(struct cg_ctx *c, uint32_t height);
/* Writes entry `i` to its slot (REG/LOCAL/FLAGS/CONST -> SLOT). */
void cg_spill_entry(struct cg_ctx *c, uint32_t i);
/* Spills every REG and FLAGS entry (and LOCAL entries too when `locals`). */
void cg_spill_all(struct cg_ctx *c, bool locals, bool consts);
/* Materializes a FLAGS top entry into a register. */
void cg_flush_flags(struct cg_ctx *c);
/* Materializes every LOCAL entry of `local` (before the local changes). */
void cg_detach_local(struct cg_ctx *c, uint32_t local);
/* Called at the start of each instruction: flushes flags unless the op consumes them, and in
 * spill_all mode writes every value to its slot. */
void cg_begin_op_slow(struct cg_ctx *c, bool consumes_flags);
static inline void cg_begin_op(struct cg_ctx *c, bool consumes_flags)
{
    if (c->spill_all || (!consumes_flags && c->sp && c->stack[c->sp - 1].loc == CG_LOC_FLAGS))
        cg_begin_op_slow(c, consumes_flags);
}

/* --- Register cache (reg_cache.c) --- */
/* Register caching `local` right now, or -1. Query it right before emitting the instruction
 * that reads it: any allocation in between may take the register away. */
static inline int cg_local_cached(const struct cg_ctx *c, uint32_t local)
{
    return c->lcache[local] == CG_NO_REG ? -1 : c->lcache[local];
}
void cg_drop_local_cache(struct cg_ctx *c, uint32_t local);
/* Forgets every cached local (at labels with other incoming edges, and at calls). */
void cg_drop_all_caches(struct cg_ctx *c);
/* local.set of a value held in TEMP register `reg`: the register now caches `local`. */
void cg_cache_local(struct cg_ctx *c, uint32_t local, unsigned reg);
/* Home register of `local` in the innermost loop, or -1. */
static inline int cg_local_home(const struct cg_ctx *c, uint32_t local)
{
    if (c->loop_ctrl == 0)
        return -1;
    const struct cg_ctrl *f = &c->ctrl[c->loop_ctrl - 1];
    for (unsigned k = 0; k < f->nhome; k++)
        if (f->home_local[k] == local)
            return f->home_reg[k];
    return -1;
}
/* Frees register `reg` of the local's class for the caller (spills/drops its owner); false if
 * a TEMP value holds it. */
bool cg_take_reg(struct cg_ctx *c, unsigned reg, bool xmm);
unsigned cg_alloc_gp(struct cg_ctx *c);
unsigned cg_alloc_xmm(struct cg_ctx *c);
/* Frees `reg` for the caller's use (spilling its stack owner); marks it TEMP. */
void cg_claim_gp(struct cg_ctx *c, unsigned reg);
void cg_free_gp(struct cg_ctx *c, unsigned reg);
void cg_free_xmm(struct cg_ctx *c, unsigned reg);
/* Value in a register the caller may overwrite (TEMP-owned). */
unsigned cg_to_reg_dst(struct cg_ctx *c, struct cg_val *v);
/* Value in some register (only read). */
unsigned cg_to_reg(struct cg_ctx *c, struct cg_val *v);
/* Loads `v` into exactly `reg` (gp or xmm by type), emitting code only. */
void cg_load_into(struct cg_ctx *c, const struct cg_val *v, unsigned reg);
/* Stores `v` to memory. `full8`: 8 bytes with i32/f32 zero-extended (call boundaries). */
void cg_store_to_mem(struct cg_ctx *c, const struct cg_val *v, struct x64_mem m, bool full8);
/* Memory operand of a SLOT/LOCAL value. */
struct x64_mem cg_val_mem(const struct cg_ctx *c, const struct cg_val *v, uint32_t depth);

/* --- Control (control.c) --- */
wdec_status cg_ctrl_push(struct cg_ctx *c, uint8_t kind, const struct wdec_block_type *bt);
void cg_branch_to(struct cg_ctx *c, uint32_t depth);                 /* unconditional */
void cg_branch_if(struct cg_ctx *c, uint32_t depth, enum x64_cc cc); /* taken when cc */
void cg_move_to_slots(struct cg_ctx *c, uint32_t base, uint32_t n);  /* top n -> base.. */
void cg_ctrl_block(struct cg_ctx *c, const struct wdec_block_type *bt);
void cg_ctrl_loop(struct cg_ctx *c, const struct wdec_block_type *bt);
void cg_ctrl_if(struct cg_ctx *c, const struct wdec_block_type *bt);
void cg_ctrl_else(struct cg_ctx *c);
void cg_ctrl_end(struct cg_ctx *c);
void cg_ctrl_br_table(struct cg_ctx *c, const uint32_t *targets, uint32_t count, uint32_t dflt);
/* Pops an i32 condition; returns the x86 condition that is true when it is non-zero. */
enum x64_cc cg_pop_cond(struct cg_ctx *c);

/* --- Lowerings --- */
void cg_lower_numeric(struct cg_ctx *c, enum wdec_opcode op); /* dispatch */
bool cg_lower_int(struct cg_ctx *c, enum wdec_opcode op);
bool cg_lower_float(struct cg_ctx *c, enum wdec_opcode op);
bool cg_lower_convert(struct cg_ctx *c, enum wdec_opcode op);
void cg_lower_load(struct cg_ctx *c, enum wdec_opcode op, struct wdec_memarg arg);
void cg_lower_store(struct cg_ctx *c, enum wdec_opcode op, struct wdec_memarg arg);
void cg_lower_memory_size(struct cg_ctx *c);
void cg_lower_memory_grow(struct cg_ctx *c);
/* Calls a runtime helper at vmctx offset `off` with rdi = vmctx, then `nimm` immediates, then the
 * top `nargs` stack values as 32/64-bit args. Pushes `result` (0 = none) from rax. */
void cg_call_helper(struct cg_ctx *c, int32_t off, const uint32_t *imms, unsigned nimm,
                    unsigned nargs, uint8_t result);
void cg_lower_call(struct cg_ctx *c, uint32_t func_index, const struct wdec_func_type *type);
void cg_lower_call_indirect(struct cg_ctx *c, uint32_t type_index,
                            const struct wdec_func_type *type, uint32_t table_index);
void cg_lower_global_get(struct cg_ctx *c, uint32_t idx, uint8_t type);
void cg_lower_global_set(struct cg_ctx *c, uint32_t idx, uint8_t type);
void cg_lower_select(struct cg_ctx *c, uint8_t type);
void cg_lower_table_size(struct cg_ctx *c, uint32_t table);
void cg_lower_ref_func(struct cg_ctx *c, uint32_t func_index);
void cg_lower_ref_is_null(struct cg_ctx *c);

/* --- Module-level pieces (stubs.c) --- */
void cg_emit_entry_trampoline(struct cg_ctx *c, const struct wdec_func_type *t);
void cg_emit_import_thunk(struct cg_ctx *c, uint32_t import_index);
void cg_emit_trap_stubs(struct cg_ctx *c); /* the current function's used trap labels */

/* --- masm.c: multi-instruction sequences --- */
void cg_masm_mov_imm(struct cg_ctx *c, unsigned reg, uint8_t type, int64_t imm); /* no flags */
void cg_masm_div_rem(struct cg_ctx *c, enum wdec_opcode op);
void cg_masm_fminmax(struct cg_ctx *c, bool is64, bool is_max, unsigned dst, unsigned src);
void cg_masm_trunc(struct cg_ctx *c, enum wdec_opcode op);
void cg_masm_convert_u64(struct cg_ctx *c, bool to_f64, unsigned dst_xmm, unsigned src_gp);
struct x64_mem cg_masm_const_mem(struct cg_ctx *c, const void *data, size_t size);

/* Records the first error (returns its status as a wdec status for the visitor). */
wdec_status cg_fail(struct cg_ctx *c, cg_status s, const char *msg);

#endif /* CG_INTERNAL_H */
