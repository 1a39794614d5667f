/* SPDX-License-Identifier: Apache-2.0 */
/* The narrow interface from the frontend to its client (STYLE.md, section 6): one callback per
 * reachable instruction, with what validation already computed, so the compiler never works out
 * types again. The frontend owns the operand stack and stack polymorphism; dead code (after
 * unreachable, br, br_table, return until the enclosing block's end) is validated, never
 * reported. */
#ifndef WDEC_VISITOR_H
#define WDEC_VISITOR_H

#include <stdint.h>
#include <wdec/module.h>
#include <wdec/status.h>

/* What func_begin receives. Pointers stay valid until func_end returns. */
struct wdec_func_info {
    uint32_t func_index; /* in the function index space (imports counted) */
    uint32_t type_index;
    const struct wdec_func_type *type;
    uint32_t local_count;       /* parameters + declared locals */
    const uint8_t *local_types; /* local_count value types, parameters first */
    size_t body_offset;         /* byte offset of the body in the module */
    size_t body_size;
};

/* A resolved block type. For `block (result i32)` params is empty and results is {i32}; for a
 * type index, both come from that function type. Pointers are owned by the module (or static):
 * they stay valid for the module's lifetime. */
struct wdec_block_type {
    uint32_t param_count;
    uint32_t result_count;
    const uint8_t *params;
    const uint8_t *results;
    uint32_t type_index; /* WDEC_NO_INDEX unless given as a type index */
};

/* Immediate of loads and stores. */
struct wdec_memarg {
    uint64_t offset;
    uint32_t align_log2; /* as encoded, already checked against the natural alignment */
    uint32_t memory_index;
};

/* Every callback gets the client's `ctx` first. Any entry may be NULL ("not interested"); an
 * all-NULL visitor makes the decoder a plain validator. A non-OK return stops decoding and comes
 * back out of wdec_module_decode() / wdec_func_decode() unchanged (use WDEC_ERR_CLIENT or
 * WDEC_ERR_OUT_OF_MEMORY). Callbacks are only made for reachable code and only for functions that
 * validate up to that instruction: the decoder validates an instruction before reporting it. */
struct wdec_visitor {
    /* --- Function --- */
    wdec_status (*func_begin)(void *ctx, const struct wdec_func_info *fn);
    /* After the body's final `end` has been validated (the function's results are on the stack if
     * that end is reachable). */
    wdec_status (*func_end)(void *ctx);
    /* Before every reachable instruction: its opcode and the byte offset of its first byte. Meant
     * for listings and source maps; leave NULL in a hot path that does not need it. */
    wdec_status (*instr_begin)(void *ctx, enum wdec_opcode op, size_t offset);

    /* --- Control --- */
    wdec_status (*unreachable)(void *ctx);
    wdec_status (*nop)(void *ctx);
    wdec_status (*block)(void *ctx, const struct wdec_block_type *bt);
    wdec_status (*loop)(void *ctx, const struct wdec_block_type *bt);
    wdec_status (*if_)(void *ctx, const struct wdec_block_type *bt); /* condition popped */
    /* `else` of an `if` that was entered in reachable code (even if its then-arm ends dead). */
    wdec_status (*else_)(void *ctx);
    /* `end` of a block/loop/if entered in reachable code; the function's final end is func_end.
     * `had_else` is true for an if with an else arm; for an if without one the else arm is the
     * identity (its params become its results). */
    wdec_status (*end)(void *ctx, bool had_else);
    /* Branch depths are relative (0 = innermost). `arity` is the label's value count: the
     * block's results, or its params for a loop. */
    wdec_status (*br)(void *ctx, uint32_t depth, uint32_t arity);
    wdec_status (*br_if)(void *ctx, uint32_t depth, uint32_t arity); /* condition popped */
    /* `targets` has `count` depths (valid during the call only); index popped. */
    wdec_status (*br_table)(void *ctx, const uint32_t *targets, uint32_t count,
                            uint32_t default_depth, uint32_t arity);
    wdec_status (*return_)(void *ctx);
    wdec_status (*call)(void *ctx, uint32_t func_index, const struct wdec_func_type *type);
    wdec_status (*call_indirect)(void *ctx, uint32_t type_index, const struct wdec_func_type *type,
                                 uint32_t table_index);

    /* --- Parametric: the operand's type as validation knows it --- */
    wdec_status (*drop)(void *ctx, uint8_t type);
    /* Both select forms; `type` is the operands' type (from the immediate or the stack). */
    wdec_status (*select)(void *ctx, uint8_t type);

    /* --- Variables --- */
    wdec_status (*local_get)(void *ctx, uint32_t local_index, uint8_t type);
    wdec_status (*local_set)(void *ctx, uint32_t local_index, uint8_t type);
    wdec_status (*local_tee)(void *ctx, uint32_t local_index, uint8_t type);
    wdec_status (*global_get)(void *ctx, uint32_t global_index, const struct wdec_global_type *t);
    wdec_status (*global_set)(void *ctx, uint32_t global_index, const struct wdec_global_type *t);

    /* --- Memory --- */
    /* i32.load ... i64.load32_u (the v128 loads and stores are in the SIMD group below). */
    wdec_status (*load)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg);
    wdec_status (*store)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg);
    wdec_status (*memory_size)(void *ctx, uint32_t memory_index);
    wdec_status (*memory_grow)(void *ctx, uint32_t memory_index);
    wdec_status (*memory_init)(void *ctx, uint32_t data_index, uint32_t memory_index);
    wdec_status (*memory_copy)(void *ctx, uint32_t dst_memory, uint32_t src_memory);
    wdec_status (*memory_fill)(void *ctx, uint32_t memory_index);
    wdec_status (*data_drop)(void *ctx, uint32_t data_index);

    /* --- Constants (floats as bit patterns: NaN payloads survive) --- */
    wdec_status (*i32_const)(void *ctx, int32_t value);
    wdec_status (*i64_const)(void *ctx, int64_t value);
    wdec_status (*f32_const)(void *ctx, uint32_t bits);
    wdec_status (*f64_const)(void *ctx, uint64_t bits);

    /* --- Numeric: every comparison, arithmetic and conversion op (group NUMERIC in
     * opcodes.def), including sign-extension and saturating truncation; operand and result
     * types are those of the op's opcodes.def row. --- */
    wdec_status (*numeric)(void *ctx, enum wdec_opcode op);

    /* --- References --- */
    wdec_status (*ref_null)(void *ctx, uint8_t type);
    wdec_status (*ref_is_null)(void *ctx, uint8_t type); /* the operand's reference type */
    wdec_status (*ref_func)(void *ctx, uint32_t func_index);

    /* --- Tables --- */
    wdec_status (*table_get)(void *ctx, uint32_t table_index);
    wdec_status (*table_set)(void *ctx, uint32_t table_index);
    wdec_status (*table_size)(void *ctx, uint32_t table_index);
    wdec_status (*table_grow)(void *ctx, uint32_t table_index);
    wdec_status (*table_fill)(void *ctx, uint32_t table_index);
    wdec_status (*table_copy)(void *ctx, uint32_t dst_table, uint32_t src_table);
    wdec_status (*table_init)(void *ctx, uint32_t elem_index, uint32_t table_index);
    wdec_status (*elem_drop)(void *ctx, uint32_t elem_index);

    /* --- SIMD (only with WDEC_FEATURE_SIMD; the groups SIMD_* of opcodes.def) --- */
    /* v128.const: its 16 bytes, lane 0 first (valid during the call only). */
    wdec_status (*v128_const)(void *ctx, const uint8_t *bytes);
    /* Group SIMD: every op without immediates (splat, comparisons, bitwise, arithmetic, shifts,
     * conversions, any_true/all_true/bitmask, v128.bitselect); operand and result types are
     * those of the op's opcodes.def row (bitselect: three v128 in, v128 out). */
    wdec_status (*simd)(void *ctx, enum wdec_opcode op);
    /* extract_lane (v128 -> scalar) and replace_lane (v128 scalar -> v128); `lane` is checked. */
    wdec_status (*simd_lane)(void *ctx, enum wdec_opcode op, uint8_t lane);
    /* i8x16.shuffle: 16 lane indices, each below 32 (valid during the call only). */
    wdec_status (*simd_shuffle)(void *ctx, const uint8_t *lanes);
    /* v128.load, the extending, splat and zero loads; v128.store. */
    wdec_status (*simd_load)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg);
    wdec_status (*simd_store)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg);
    /* v128.loadN_lane (i32 v128 -> v128) and v128.storeN_lane (i32 v128 ->). */
    wdec_status (*simd_load_lane)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg,
                                  uint8_t lane);
    wdec_status (*simd_store_lane)(void *ctx, enum wdec_opcode op, struct wdec_memarg arg,
                                   uint8_t lane);
};

#endif
