/* SPDX-License-Identifier: Apache-2.0 */
/* kiln's embedding API: compile a Wasm module to x86-64, instantiate it with imports, call its
 * exports and touch its globals, tables and memories from C. This is the only header an embedder
 * (the `kiln` CLI, the spec runner) needs; every handle is opaque.
 *
 * Ownership in one paragraph: every object made by a `kiln_*_new` function is reference counted
 * and handed to the caller with one reference, which `kiln_*_free` drops. Instances keep what
 * they use alive (their module, imported functions, globals, tables, memories and the instances
 * those came from), so freeing in any order is safe. Handles returned by `kiln_instance_export`
 * are borrowed: valid while that instance is alive. An engine must outlive everything made from
 * it. An engine and everything made from it is used by one thread at a time (any thread: the
 * Wasm stack limit follows the calling thread). */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H

#include "rt/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- Handles --- */

typedef struct kiln_engine kiln_engine;     /* compiler options, canonical function types */
typedef struct kiln_module kiln_module;     /* decoded, validated and compiled module */
typedef struct kiln_instance kiln_instance; /* a module linked with its imports */
typedef struct kiln_func kiln_func;         /* a Wasm function of an instance, or a host function */
typedef struct kiln_global kiln_global;
typedef struct kiln_table kiln_table;
typedef struct kiln_memory kiln_memory;
typedef struct kiln_linker kiln_linker; /* named externs that imports are resolved against */

/* --- Values --- */

typedef enum kiln_valtype {
    KILN_I32,
    KILN_I64,
    KILN_F32,
    KILN_F64,
    KILN_V128, /* reserved: SIMD is not supported yet */
    KILN_FUNCREF,
    KILN_EXTERNREF,
} kiln_valtype;

/* A typed value. Floats are carried as their IEEE-754 bits so NaN payloads survive. A reference
 * is NULL for `ref.null`. A funcref is an opaque pointer that can only be compared with NULL,
 * passed back into kiln, or turned into a handle with `kiln_func_from_ref`. An externref is any
 * non-NULL pointer-sized value of the embedder's choosing; kiln never dereferences it. */
typedef struct kiln_val {
    kiln_valtype type;
    union {
        int32_t i32;
        int64_t i64;
        uint32_t f32;
        uint64_t f64;
        void *ref;
    };
} kiln_val;

/* "i32", "i64", "f32", "f64", "v128", "funcref", "externref"; "?" otherwise. */
const char *kiln_valtype_name(kiln_valtype type);

/* --- Errors and traps --- */

/* Filled by every call that can fail; the first field tells what happened.
 * - `status`: KILN_OK, KILN_TRAPPED or an error (see rt/status.h).
 * - `trap`: for KILN_TRAPPED, which trap; else KILN_TRAP_NONE.
 * - `text`: static spec wording: the trap text ("integer divide by zero"), the decoder's or
 *   validator's text ("unexpected end", "type mismatch"), or the linker's ("unknown import",
 *   "incompatible import type"). Compare it with the spec script's expected text.
 * - `offset`: byte offset in the module binary for malformed/invalid modules, else 0.
 * - `message`: `text` followed by detail for humans, NUL-terminated. */
struct kiln_error {
    kiln_status status;
    kiln_trap trap;
    const char *text;
    size_t offset;
    char message[256];
};

/* --- Engine --- */

struct kiln_config {
    bool spill_all; /* compiler's second tier: every value lives in a stack slot */
    /* Bytes of native stack Wasm code may use below the stack pointer at kiln_engine_new; 0 =
     * default: the thread's stack minus 256 KiB of headroom, at most 32 MiB. */
    size_t wasm_stack_budget;
};

/* Defaults: no spill_all, the default stack budget. */
void kiln_config_init(struct kiln_config *out_config);

/* `config` may be NULL for defaults. Returns NULL only when out of memory. Also installs the
 * process-wide signal handlers for traps (once; chained to any handler installed before). */
kiln_engine *kiln_engine_new(const struct kiln_config *config);
void kiln_engine_free(kiln_engine *engine);

/* --- Modules --- */

/* Decodes, validates and compiles `bytes` (copied; the caller may free them afterwards) into
 * sealed machine code. KILN_ERR_MALFORMED / KILN_ERR_INVALID with the spec text in `out_err`,
 * KILN_ERR_COMPILE, KILN_ERR_OUT_OF_MEMORY, KILN_ERR_INVALID_ARGUMENT. */
kiln_status kiln_module_new(kiln_engine *engine, const uint8_t *bytes, size_t size,
                            kiln_module **out_module, struct kiln_error *out_err);
void kiln_module_free(kiln_module *module);

typedef enum kiln_extern_kind {
    KILN_EXTERN_FUNC,
    KILN_EXTERN_TABLE,
    KILN_EXTERN_MEMORY,
    KILN_EXTERN_GLOBAL,
} kiln_extern_kind;

/* Names are UTF-8 with explicit lengths (they may contain NUL); they point into the module and
 * live as long as it does. */
struct kiln_import_desc {
    const char *module;
    size_t module_len;
    const char *name;
    size_t name_len;
    kiln_extern_kind kind;
};
struct kiln_export_desc {
    const char *name;
    size_t name_len;
    kiln_extern_kind kind;
};

size_t kiln_module_import_count(const kiln_module *module);
size_t kiln_module_export_count(const kiln_module *module);
/* KILN_ERR_INVALID_ARGUMENT when `index` is out of range. */
kiln_status kiln_module_import(const kiln_module *module, size_t index,
                               struct kiln_import_desc *out_desc);
kiln_status kiln_module_export(const kiln_module *module, size_t index,
                               struct kiln_export_desc *out_desc);

/* Figures for `kiln compile`. */
struct kiln_module_stats {
    uint32_t functions;     /* defined (not imported) functions compiled */
    size_t wasm_bytes;      /* size of the module binary */
    size_t code_bytes;      /* machine-code bytes, including trampolines and trap stubs */
    double compile_seconds; /* wall time of decode + validate + compile + seal */
};
void kiln_module_stats(const kiln_module *module, struct kiln_module_stats *out_stats);

/* --- Externs: what an import is satisfied with and what an export yields --- */

typedef struct kiln_extern {
    kiln_extern_kind kind;
    union {
        kiln_func *func;
        kiln_table *table;
        kiln_memory *memory;
        kiln_global *global;
    };
} kiln_extern;

/* --- Instances --- */

/* Links `module` with `imports` (one per import, in the module's import order; each checked
 * against the import's type: KILN_ERR_INCOMPATIBLE_IMPORT, text "incompatible import type"),
 * creates memories, tables and globals, applies element and data segments and runs the start
 * function. A segment out of bounds or a trapping start function gives KILN_TRAPPED (then no
 * instance is made, but writes already done to imported memories and tables stay, as the spec
 * says). `nimports` must equal kiln_module_import_count (else KILN_ERR_UNKNOWN_IMPORT). */
kiln_status kiln_instance_new(kiln_module *module, const kiln_extern *imports, size_t nimports,
                              kiln_instance **out_instance, struct kiln_error *out_err);
void kiln_instance_free(kiln_instance *instance);

/* Looks an export up by name (`name_len` bytes). KILN_ERR_NOT_FOUND if there is none. The handle
 * in `out_extern` is borrowed from the instance. */
kiln_status kiln_instance_export(kiln_instance *instance, const char *name, size_t name_len,
                                 kiln_extern *out_extern);
/* Convenience for NUL-terminated names: the exported function, or NULL if there is no export of
 * that name or it is not a function. Borrowed. */
kiln_func *kiln_instance_func(kiln_instance *instance, const char *name);

/* --- Linker: resolves imports by (module name, field name) --- */

/* Returns NULL only when out of memory. */
kiln_linker *kiln_linker_new(kiln_engine *engine);
void kiln_linker_free(kiln_linker *linker);
/* Defines one extern; a later definition of the same pair replaces the earlier one. The linker
 * holds a reference to what it is given. */
kiln_status kiln_linker_define(kiln_linker *linker, const char *module, size_t module_len,
                               const char *name, size_t name_len, kiln_extern ext);
/* Defines every export of `instance` under `module` (the spec script's `register`). */
kiln_status kiln_linker_define_instance(kiln_linker *linker, const char *module, size_t module_len,
                                        kiln_instance *instance);
/* Resolves each import of `module` (KILN_ERR_UNKNOWN_IMPORT, text "unknown import", when one is
 * missing or has another kind) and calls kiln_instance_new. */
kiln_status kiln_linker_instantiate(kiln_linker *linker, kiln_module *module,
                                    kiln_instance **out_instance, struct kiln_error *out_err);

/* --- Functions --- */

/* A host function: reads `args` (typed as declared) and writes every result (type set by the
 * runtime beforehand; the callback writes the payload). Return KILN_OK, or anything else to trap
 * the calling Wasm code with KILN_TRAP_HOST. It may call back into Wasm. */
typedef kiln_status (*kiln_host_fn)(void *ctx, const kiln_val *args, kiln_val *results);

/* Makes a host function of the given type. Returns NULL when out of memory or given a bad type.
 * Host functions can be imported by modules; a host function that was never imported cannot be
 * stored in a table. */
kiln_func *kiln_func_new_host(kiln_engine *engine, const kiln_valtype *params, size_t nparams,
                              const kiln_valtype *results, size_t nresults, kiln_host_fn fn,
                              void *ctx);
/* Drops a reference from kiln_func_new_host; does nothing for borrowed export handles. */
void kiln_func_free(kiln_func *func);

size_t kiln_func_param_count(const kiln_func *func);
size_t kiln_func_result_count(const kiln_func *func);
/* The type of parameter / result `index` (must be in range). */
kiln_valtype kiln_func_param_type(const kiln_func *func, size_t index);
kiln_valtype kiln_func_result_type(const kiln_func *func, size_t index);

/* Calls `func`. `args` must match the parameter types and `nresults` the result count
 * (KILN_ERR_TYPE_MISMATCH otherwise); results are written with their types. Returns KILN_OK,
 * KILN_TRAPPED (trap kind and spec text in `out_err`; the runtime stays usable, also after
 * "call stack exhausted"), or an error. */
kiln_status kiln_func_call(kiln_func *func, const kiln_val *args, size_t nargs, kiln_val *results,
                           size_t nresults, struct kiln_error *out_err);

/* A funcref value for `func` (a Wasm function or an imported host function), or NULL. */
void *kiln_func_to_ref(kiln_func *func);
/* The handle for a non-NULL funcref value produced by kiln (borrowed from the instance that owns
 * the function), or NULL. */
kiln_func *kiln_func_from_ref(kiln_engine *engine, void *ref);

/* --- Globals --- */

/* KILN_ERR_TYPE_MISMATCH when `init.type` is not `type`. */
kiln_status kiln_global_new(kiln_engine *engine, kiln_valtype type, bool is_mutable, kiln_val init,
                            kiln_global **out_global);
void kiln_global_free(kiln_global *global);
kiln_valtype kiln_global_type(const kiln_global *global);
bool kiln_global_is_mutable(const kiln_global *global);
kiln_val kiln_global_get(const kiln_global *global);
/* KILN_ERR_IMMUTABLE for an immutable global, KILN_ERR_TYPE_MISMATCH for a value of another
 * type. */
kiln_status kiln_global_set(kiln_global *global, kiln_val value);

/* --- Tables and memories --- */

struct kiln_limits {
    uint64_t min;
    uint64_t max; /* ignored unless has_max */
    bool has_max;
};

/* `elem_type` is KILN_FUNCREF or KILN_EXTERNREF; every element starts as `init` (a reference of
 * that type, NULL for ref.null). */
kiln_status kiln_table_new(kiln_engine *engine, kiln_valtype elem_type, struct kiln_limits limits,
                           kiln_val init, kiln_table **out_table);
void kiln_table_free(kiln_table *table);
kiln_valtype kiln_table_elem_type(const kiln_table *table);
uint32_t kiln_table_size(const kiln_table *table);
/* KILN_ERR_INVALID_ARGUMENT for an index out of range, KILN_ERR_TYPE_MISMATCH for a value of
 * another type. */
kiln_status kiln_table_get(const kiln_table *table, uint32_t index, kiln_val *out_value);
kiln_status kiln_table_set(kiln_table *table, uint32_t index, kiln_val value);
/* Grows by `delta` elements set to `init`; KILN_ERR_LIMIT past the maximum. */
kiln_status kiln_table_grow(kiln_table *table, uint32_t delta, kiln_val init,
                            uint32_t *out_old_size);

#define KILN_PAGE_SIZE 65536u

kiln_status kiln_memory_new(kiln_engine *engine, struct kiln_limits limits,
                            kiln_memory **out_memory);
void kiln_memory_free(kiln_memory *memory);
/* Base of the linear memory; valid until the next grow or free (the base never moves in kiln,
 * but do not rely on it). */
uint8_t *kiln_memory_data(kiln_memory *memory);
size_t kiln_memory_size(const kiln_memory *memory); /* bytes */
uint64_t kiln_memory_pages(const kiln_memory *memory);
/* Grows by `delta_pages`; KILN_ERR_LIMIT past the maximum (or 65536 pages). */
kiln_status kiln_memory_grow(kiln_memory *memory, uint64_t delta_pages, uint64_t *out_old_pages);

/* Limits of an extern, for error messages and tests. */
struct kiln_limits kiln_table_limits(const kiln_table *table);
struct kiln_limits kiln_memory_limits(const kiln_memory *memory);

#ifdef __cplusplus
}
#endif

#endif
