/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded module: what the frontend learned from the binary, for the compiler and the
 * runtime. One call decodes and validates a whole module in a single pass and, if asked, drives a
 * visitor over each function body as it is reached (visitor.h). */
#ifndef WDEC_MODULE_H
#define WDEC_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wdec/status.h>

/* --- Opcodes, from the one list in opcodes.def --- */

enum wdec_opcode {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    WDEC_OP_##id = ((prefix) << 16) | (code),
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

/* Immediate kinds (the `imm` column of opcodes.def). */
enum wdec_imm {
    WDEC_IMM_NONE,
    WDEC_IMM_BLOCKTYPE,
    WDEC_IMM_LABEL,
    WDEC_IMM_BR_TABLE,
    WDEC_IMM_FUNC,
    WDEC_IMM_CALL_INDIRECT,
    WDEC_IMM_LOCAL,
    WDEC_IMM_GLOBAL,
    WDEC_IMM_TABLE,
    WDEC_IMM_MEMORY,
    WDEC_IMM_MEMARG1,
    WDEC_IMM_MEMARG2,
    WDEC_IMM_MEMARG4,
    WDEC_IMM_MEMARG8,
    WDEC_IMM_MEMARG16,
    WDEC_IMM_I32,
    WDEC_IMM_I64,
    WDEC_IMM_F32,
    WDEC_IMM_F64,
    WDEC_IMM_V128,
    WDEC_IMM_SELECT_T,
    WDEC_IMM_REF_TYPE,
    WDEC_IMM_ELEM,
    WDEC_IMM_DATA,
    WDEC_IMM_TABLE_INIT,
    WDEC_IMM_TABLE_COPY,
    WDEC_IMM_MEMORY_INIT,
    WDEC_IMM_MEMORY_COPY,
    WDEC_IMM_TAG,
    /* SIMD */
    WDEC_IMM_LANE2, /* one lane-index byte, below 2 (4, 8, 16 likewise) */
    WDEC_IMM_LANE4,
    WDEC_IMM_LANE8,
    WDEC_IMM_LANE16,
    WDEC_IMM_SHUFFLE,      /* 16 lane-index bytes, each below 32 */
    WDEC_IMM_MEMARG1_LANE, /* memarg (natural alignment n bytes), then a lane index below 16/n */
    WDEC_IMM_MEMARG2_LANE,
    WDEC_IMM_MEMARG4_LANE,
    WDEC_IMM_MEMARG8_LANE,
};

/* Visitor groups (the `group` column): which callback of struct wdec_visitor receives an op. */
enum wdec_group {
    WDEC_GROUP_CONTROL,
    WDEC_GROUP_PARAMETRIC,
    WDEC_GROUP_VARIABLE,
    WDEC_GROUP_TABLE,
    WDEC_GROUP_MEMORY,
    WDEC_GROUP_LOAD,
    WDEC_GROUP_STORE,
    WDEC_GROUP_CONST,
    WDEC_GROUP_NUMERIC,
    WDEC_GROUP_REFERENCE,
    /* SIMD, each group one callback of the visitor's SIMD part */
    WDEC_GROUP_SIMD, /* simd: splat, compare, arithmetic, shifts, conversions, bitselect, ... */
    WDEC_GROUP_SIMD_LANE, /* simd_lane: extract_lane, replace_lane */
    WDEC_GROUP_SIMD_SHUFFLE,
    WDEC_GROUP_SIMD_CONST,
    WDEC_GROUP_SIMD_LOAD,
    WDEC_GROUP_SIMD_STORE,
    WDEC_GROUP_SIMD_LOAD_LANE,
    WDEC_GROUP_SIMD_STORE_LANE,
};

/* Optional features, as bits of wdec_options.features. CORE (2.0: sign-extension, saturating
 * conversions, multi-value, bulk memory, reference types) is always on. SIMD (fixed-width 128-bit
 * SIMD: the v128 type and the 0xFD opcodes) is part of WebAssembly 2.0 too, but it is opt-in: a
 * client that cannot handle v128 (the compiler today) leaves the bit off, and then v128 or an
 * 0xFD opcode is refused with WDEC_ERR_UNSUPPORTED instead of reaching a visitor that would not
 * know it. `kiln validate` turns it on. The remaining bits are post-2.0 proposals, reserved:
 * enabling one that is not implemented yet makes decoding fail with WDEC_ERR_UNSUPPORTED rather
 * than accept code we cannot validate. */
enum wdec_feature {
    WDEC_FEATURE_CORE = 0,
    WDEC_FEATURE_TAIL_CALL = 1u << 0,
    WDEC_FEATURE_EXTENDED_CONST = 1u << 1,
    WDEC_FEATURE_MULTI_MEMORY = 1u << 2,
    WDEC_FEATURE_MEMORY64 = 1u << 3,
    WDEC_FEATURE_EXCEPTIONS = 1u << 4,
    WDEC_FEATURE_SIMD = 1u << 5,
};
/* The features this build implements (others are refused when requested). */
#define WDEC_FEATURES_IMPLEMENTED ((uint32_t)WDEC_FEATURE_SIMD)
/* All of WebAssembly 2.0, SIMD included: what a plain validator asks for. */
#define WDEC_FEATURES_WASM2 ((uint32_t)WDEC_FEATURE_SIMD)

/* Static facts about an opcode, from opcodes.def. Returns NULL for a value not in the list. */
struct wdec_opcode_info {
    const char *name; /* text-format name, "i32.add" */
    uint8_t prefix;   /* 0, 0xFC or 0xFD */
    uint32_t code;
    enum wdec_imm imm;
    enum wdec_group group;
    uint32_t feature; /* enum wdec_feature bit, 0 for CORE */
};
const struct wdec_opcode_info *wdec_opcode_info(enum wdec_opcode op);
/* Shorthand for wdec_opcode_info(op)->name; "<unknown>" for a value not in the list. */
const char *wdec_opcode_name(enum wdec_opcode op);

/* --- Types --- */

/* Value types carry their binary encoding, stored in a uint8_t. */
enum wdec_valtype {
    WDEC_I32 = 0x7F,
    WDEC_I64 = 0x7E,
    WDEC_F32 = 0x7D,
    WDEC_F64 = 0x7C,
    WDEC_V128 = 0x7B,
    WDEC_FUNCREF = 0x70,
    WDEC_EXTERNREF = 0x6F,
};
/* "i32", "funcref", ...; "<bad type>" otherwise. */
const char *wdec_valtype_name(uint8_t type);

struct wdec_func_type {
    uint32_t param_count;
    uint32_t result_count;
    const uint8_t *params;  /* param_count value types, owned by the module */
    const uint8_t *results; /* result_count value types, owned by the module */
};

struct wdec_limits {
    uint64_t min;
    uint64_t max; /* meaningful only when has_max */
    bool has_max;
    bool is64; /* memory64 (reserved) */
};

struct wdec_table_type {
    uint8_t elem_type; /* WDEC_FUNCREF or WDEC_EXTERNREF */
    struct wdec_limits limits;
};

struct wdec_memory_type {
    struct wdec_limits limits; /* in 64 KiB pages */
};

struct wdec_global_type {
    uint8_t type;
    bool is_mutable;
};

enum wdec_extern_kind {
    WDEC_EXTERN_FUNC = 0,
    WDEC_EXTERN_TABLE = 1,
    WDEC_EXTERN_MEMORY = 2,
    WDEC_EXTERN_GLOBAL = 3,
    WDEC_EXTERN_TAG = 4, /* exceptions (reserved) */
};

/* A UTF-8 name, validated, copied into the module and NUL-terminated (`len` excludes the NUL;
 * a name may contain NUL bytes, so use `len`). */
struct wdec_name {
    const char *str;
    uint32_t len;
};

/* --- Constant expressions, decoded for the runtime to evaluate --- */

enum wdec_const_kind {
    WDEC_CONST_I32,        /* value.i32 */
    WDEC_CONST_I64,        /* value.i64 */
    WDEC_CONST_F32,        /* value.f32_bits */
    WDEC_CONST_F64,        /* value.f64_bits */
    WDEC_CONST_V128,       /* value.v128: the 16 bytes of v128.const, lane 0 first (SIMD) */
    WDEC_CONST_GLOBAL_GET, /* value.index: an imported global's index */
    WDEC_CONST_REF_NULL,   /* value.ref_type: WDEC_FUNCREF or WDEC_EXTERNREF */
    WDEC_CONST_REF_FUNC,   /* value.index: a function index */
    WDEC_CONST_EXPR,       /* extended-const (reserved): evaluate the bytes at code/code_size */
};

struct wdec_const_expr {
    enum wdec_const_kind kind;
    uint8_t type; /* the expression's value type */
    union {
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        uint8_t v128[16];
        uint32_t index;
        uint8_t ref_type;
    } value;
    /* 32 bits like every offset into a module (at most UINT32_MAX bytes), which makes this 32
     * bytes instead of 40: a data segment holds one (esbuild has 98,450 segments). */
    uint32_t offset;    /* byte offset of the expression in the module */
    uint32_t code_size; /* bytes of the expression, including the final `end` */
};

/* --- Module contents --- */

struct wdec_import {
    struct wdec_name module;
    struct wdec_name name;
    enum wdec_extern_kind kind;
    uint32_t index; /* index in the kind's index space (imports come first in each) */
};

struct wdec_export {
    struct wdec_name name;
    enum wdec_extern_kind kind;
    uint32_t index;
};

/* One entry of the function index space: imports first, then the module's own functions. 16
 * bytes, one per function (yosys has 34,000): offsets fit 32 bits because a module is at most
 * UINT32_MAX bytes (wdec_module_decode()), and names live apart (wdec_module_func_name()). */
struct wdec_func {
    uint32_t type_index;
    uint32_t body_offset; /* first byte of the body (its locals), 0 for imports */
    uint32_t body_size;   /* bytes of the body up to and including its final `end`; 0 for imports */
    bool imported;
    bool declared; /* may appear in ref.func (in an element segment, export or global) */
};

struct wdec_table {
    struct wdec_table_type type;
    bool imported;
    bool has_init; /* table with an init expression (function-references, reserved) */
};

struct wdec_memory {
    struct wdec_memory_type type;
    bool imported;
};

struct wdec_global {
    struct wdec_global_type type;
    bool imported;
    struct wdec_const_expr init; /* meaningful only when !imported */
};

enum wdec_segment_mode {
    WDEC_SEGMENT_ACTIVE,
    WDEC_SEGMENT_PASSIVE,
    WDEC_SEGMENT_DECLARATIVE, /* element segments only */
};

struct wdec_elem {
    enum wdec_segment_mode mode;
    uint8_t elem_type;             /* WDEC_FUNCREF or WDEC_EXTERNREF */
    uint32_t table_index;          /* active only */
    struct wdec_const_expr offset; /* active only: i32 offset */
    uint32_t count;
    /* The `count` items in the form the binary gives them; the other pointer is NULL (both are
     * when count is 0). Function indices, one `ref.func` each, are 4 bytes an item instead of a
     * decoded expression's 40 (yosys's function table has 10,265). */
    const uint32_t *func_indices;        /* the plain form (flags bit 2 clear) */
    const struct wdec_const_expr *items; /* expressions: REF_FUNC, REF_NULL or GLOBAL_GET */
};

struct wdec_data {
    enum wdec_segment_mode mode;
    uint32_t memory_index;         /* active only */
    struct wdec_const_expr offset; /* active only */
    const uint8_t *bytes;          /* points into the module's input bytes */
    size_t size;
};

struct wdec_custom {
    struct wdec_name name;
    const uint8_t *bytes; /* the section's payload after the name, into the input bytes */
    size_t size;
    size_t offset;
};

struct wdec_local_name {
    uint32_t func_index;
    uint32_t local_index;
    struct wdec_name name;
};

#define WDEC_NO_INDEX UINT32_MAX

/* A decoded, valid module. Read-only for clients; free with wdec_module_free(). Arrays are owned
 * by the module. Pointers into the input (function bodies, data bytes, custom sections) mean the
 * input bytes must outlive the module. */
struct wdec_module {
    const uint8_t *bytes;
    size_t size;
    uint32_t features; /* wdec_options.features it was decoded with; wdec_func_decode() too */

    uint32_t type_count;
    struct wdec_func_type *types;

    uint32_t import_count;
    struct wdec_import *imports;

    /* Index spaces: imported entries first (imported == true). */
    uint32_t func_count, func_import_count;
    struct wdec_func *funcs;
    uint32_t table_count, table_import_count;
    struct wdec_table *tables;
    uint32_t memory_count, memory_import_count;
    struct wdec_memory *memories;
    uint32_t global_count, global_import_count;
    struct wdec_global *globals;

    uint32_t export_count;
    struct wdec_export *exports;

    uint32_t start_func; /* WDEC_NO_INDEX when there is no start section */

    uint32_t elem_count;
    struct wdec_elem *elems;

    bool has_data_count;
    uint32_t data_count; /* from the data count section when has_data_count */
    uint32_t data_segment_count;
    struct wdec_data *datas;

    uint32_t custom_count;
    struct wdec_custom *customs;

    /* The name section (errors in it are ignored, as the spec asks; names absent then). */
    struct wdec_name module_name; /* str NULL when absent */
    /* Function names by function index, func_name_count <= func_count entries (str NULL for a
     * function without one); NULL and 0 when the name section names no function. Read them
     * through wdec_module_func_name(). */
    uint32_t func_name_count;
    struct wdec_name *func_names;
    uint32_t local_name_count;
    struct wdec_local_name *local_names; /* sorted by (func_index, local_index) */

    struct wdec_arena_chunk *arena_; /* private: the module's allocations */
};

/* --- Decoding --- */

struct wdec_visitor;

struct wdec_options {
    /* enum wdec_feature bits beyond CORE: 0 for WebAssembly 2.0 without SIMD (v128 and 0xFD
     * opcodes refused as unsupported), WDEC_FEATURES_WASM2 for all of 2.0. */
    uint32_t features;
    /* Decode function bodies for well-formedness only (malformed bytes are reported here, as
     * the reference interpreter decodes a whole module before validating it) but neither
     * validate nor visit them; the client then calls wdec_func_decode() per function, for
     * example from several threads. The module is only proved valid when every body has been
     * through wdec_func_decode(). */
    bool defer_bodies;
    /* Threads that may validate function bodies at once in a plain validation (no visitor, or an
     * all-NULL one, and bodies not deferred): 0 or 1 for the calling thread alone; N > 1 for it
     * and up to N - 1 more (at most 64 in all), each taking runs of bodies. The verdict and the
     * error reported are the same as with one thread: the first malformed byte in module order,
     * else the first invalid instruction. A code section under 128 KB stays on the calling
     * thread (a thread's start-up would cost more than it saves). POSIX threads. */
    uint32_t threads;
    /* Threads kept for such validations (wdec_pool_new()), used instead of `threads` when not
     * NULL: a client that validates many modules saves starting threads for each, and kept
     * threads wait on CPUs of their own, where new ones start on the caller's. One decode uses
     * a pool's threads at a time; another that finds them busy starts its own. A pool also keeps
     * the decoder's scratch memory between decodes (see wdec_pool_new()), with or without
     * threads and visitor. */
    struct wdec_pool *pool;
};

/* `threads` - 1 threads (at most 63) that wait for plain validations to share out bodies to
 * (wdec_options.pool), the caller of each decode being the last; none for threads == 1. NULL
 * when threads is 0, or > 1 and no thread could be started. Free it with wdec_pool_free() once
 * no decode uses it.
 * A pool keeps the scratch memory of the decodes it served (operand and control stacks, local
 * types, br_table targets: up to 1 MiB for the caller and for each of its threads), so that the
 * next decode does not allocate it again: on sql.js, allocating and freeing it around each
 * decode (the heap grown by ~230 KB and shrunk back) cost 1-3% of a one-thread decode, and
 * with two threads, where shrinking the heap took ~50 us after many decodes (in some processes
 * nearly every one), keeping it made decodes 2-7% faster (docs/BENCHMARKS.md, frontend, session
 * 11). One decode at a time takes the caller's part; a decode that finds it taken allocates its
 * own. When the process may run on at least `threads` CPUs, a pool thread that took part in a
 * decode spins for up to 200 us before it sleeps, and so does the decode's caller while it
 * waits for them: a decode that follows within that time starts without waking anyone (a
 * wake-up costs tens to hundreds of microseconds, a tenth of a decode of sql.js's size). */
struct wdec_pool *wdec_pool_new(uint32_t threads);
void wdec_pool_free(struct wdec_pool *pool);
/* The threads a pool gives a decode, its caller included: `threads` of wdec_pool_new() unless
 * fewer started; 1 for NULL and for a pool of one thread. */
uint32_t wdec_pool_threads(const struct wdec_pool *pool);
/* The CPUs this process may run on (its affinity mask: taskset, cpusets), else the online ones;
 * 1 to 64. A plain validation gains from one thread per CPU and loses from more (yosys on one
 * CPU took ~6-8% longer with 2 or 4 threads than with one). Linux. */
uint32_t wdec_cpus(void);

/* Decodes and validates `bytes[0..size)` as a module in one pass. If `visitor` is non-NULL it is
 * driven over each function body, in order, as the code section is reached (the sections that
 * precede the code section are complete then, and data_count is known); `ctx` is passed back to
 * every callback. `options` may be NULL (defaults: all zero).
 *
 * On success stores a new module in *out_module (the caller frees it with wdec_module_free()) and
 * returns WDEC_OK. On failure returns the status, stores NULL in *out_module, and fills *out_err
 * (may be NULL) with the first error: status, byte offset and message. A non-OK status returned by
 * a visitor callback stops decoding and is returned as is (offset: the instruction's).
 * Statuses: WDEC_ERR_INVALID_ARGUMENT, WDEC_ERR_OUT_OF_MEMORY, WDEC_ERR_UNSUPPORTED (a requested
 * feature is not implemented), WDEC_ERR_IMPL_LIMIT (among others: a module larger than
 * UINT32_MAX bytes, refused before any byte is read) and every malformed/invalid status of
 * status.h. */
wdec_status wdec_module_decode(const uint8_t *bytes, size_t size,
                               const struct wdec_options *options,
                               const struct wdec_visitor *visitor, void *ctx,
                               struct wdec_module **out_module, struct wdec_error *out_err);

/* Validates one defined function's body of a decoded module again and drives `visitor` over it
 * (func_begin ... func_end). `func_index` is in the function index space and must not be an
 * import (WDEC_ERR_INVALID_ARGUMENT). Never changes the module, so several threads may decode
 * different functions of one module at once. Returns WDEC_OK, a validation status, or the first
 * non-OK status a callback returned; *out_err (may be NULL) gets the details. */
wdec_status wdec_func_decode(const struct wdec_module *module, uint32_t func_index,
                             const struct wdec_visitor *visitor, void *ctx,
                             struct wdec_error *out_err);

/* Frees a module and everything it owns (not the input bytes). NULL is fine. */
void wdec_module_free(struct wdec_module *module);

/* --- Queries (all return NULL / WDEC_NO_INDEX for an index out of range) --- */

/* The type of function `func_index` (imports included). */
const struct wdec_func_type *wdec_module_func_type(const struct wdec_module *module,
                                                   uint32_t func_index);
/* The type at `type_index` in the type section. */
const struct wdec_func_type *wdec_module_type(const struct wdec_module *module,
                                              uint32_t type_index);
const struct wdec_global_type *wdec_module_global_type(const struct wdec_module *module,
                                                       uint32_t global_index);
const struct wdec_table_type *wdec_module_table_type(const struct wdec_module *module,
                                                     uint32_t table_index);
const struct wdec_memory_type *wdec_module_memory_type(const struct wdec_module *module,
                                                       uint32_t memory_index);
/* The export called name[0..len), or NULL. */
const struct wdec_export *wdec_module_find_export(const struct wdec_module *module,
                                                  const char *name, size_t len);
/* The name section's name for a function or a local, or NULL when there is none. */
const struct wdec_name *wdec_module_func_name(const struct wdec_module *module,
                                              uint32_t func_index);
const struct wdec_name *wdec_module_local_name(const struct wdec_module *module,
                                               uint32_t func_index, uint32_t local_index);
/* The first custom section called name[0..len), or NULL. */
const struct wdec_custom *wdec_module_find_custom(const struct wdec_module *module,
                                                  const char *name, size_t len);

#endif
