/* SPDX-License-Identifier: Apache-2.0 */
/* What the runtime's handles are made of, shared by its .c files only. The instance starts with
 * `struct cg_vmctx` (the ABI generated code reads); everything else here is private. */
#ifndef RT_RUNTIME_IMPL_H
#define RT_RUNTIME_IMPL_H

#include "cg/compile.h"
#include "cg/vmctx.h"
#include "rt/runtime.h"
#include "wdec/module.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Errors --- */

/* Fills `err` (may be NULL): status, spec text and "text: detail" message. Returns status. */
kiln_status rt_fail(struct kiln_error *err, kiln_status status, const char *text, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
/* Fills `err` for a trap; `detail` is appended to the message when it is not UINT32_MAX. */
kiln_status rt_fail_trap(struct kiln_error *err, kiln_trap trap, uint32_t detail);
void rt_error_clear(struct kiln_error *err);

/* --- Engine: configuration and canonical function types --- */

struct rt_functype {
    uint32_t nparams;
    uint32_t nresults;
    kiln_valtype *types; /* params, then results */
};

struct kiln_engine {
    struct kiln_config config;
    uintptr_t stack_limit; /* copied into every vmctx; for the thread whose stack ends at: */
    uintptr_t stack_high;
    kiln_instance *instances; /* live instances (their vmctx gets the stack limit) */
    struct rt_functype *types;
    uint32_t type_count;
    uint32_t type_cap;
    kiln_instance **retired; /* failed instantiations kept alive, freed with the engine */
    size_t retired_count, retired_cap;
};

/* Before a call from C into Wasm that is not nested in another: if the stack pointer is not on
 * the stack the limit was computed for (another thread), recomputes it for every instance. */
void rt_engine_enter(kiln_engine *engine);
void rt_engine_add_instance(kiln_engine *engine, kiln_instance *instance);
void rt_engine_remove_instance(kiln_engine *engine, kiln_instance *instance);
/* Keeps a failed instance alive until the engine is freed; false when out of memory. */
bool rt_engine_retire(kiln_engine *engine, kiln_instance *instance);

/* Canonical id of a function type (structurally equal types share it); UINT32_MAX when out of
 * memory. */
uint32_t rt_engine_intern_type(kiln_engine *engine, const kiln_valtype *params, uint32_t nparams,
                               const kiln_valtype *results, uint32_t nresults);
const struct rt_functype *rt_engine_type(const kiln_engine *engine, uint32_t type_id);
/* kiln_valtype of a wdec value type byte; false for one kiln does not support. */
bool rt_valtype_from_wdec(uint8_t wdec_type, kiln_valtype *out_type);

/* --- Code regions, for mapping a fault pc to a module --- */

/* Registers / forgets a sealed code blob so the fault handler can recognise its pcs. */
bool rt_code_register(kiln_module *module, uintptr_t start, size_t size);
void rt_code_unregister(kiln_module *module);
/* The module whose sealed code contains `pc`, or NULL (async-signal-safe). */
kiln_module *rt_code_lookup(uintptr_t pc);

/* --- Modules --- */

struct kiln_module {
    uint32_t refcount;
    kiln_engine *engine;
    uint8_t *bytes; /* our copy; `wmod` points into it */
    size_t size;
    struct wdec_module *wmod;
    struct cg_code code; /* metadata (offsets, trap sites); code.bytes freed after sealing */
    void *code_mem;      /* sealed RX memory (x64 code memory handle or raw mapping) */
    uint8_t *code_base;  /* address of the sealed blob */
    size_t code_size;
    uint32_t *type_ids; /* per type index: canonical id */
    double compile_seconds;
};

void rt_module_retain(kiln_module *module);
/* Trap kind for a fault at blob offset `offset`, or CG_TRAP_NONE (async-signal-safe). */
uint32_t rt_module_trap_site(const kiln_module *module, uint32_t offset);

/* --- Functions --- */

struct kiln_func {
    struct cg_funcref ref; /* first: a funcref value is a pointer to this */
    kiln_engine *engine;
    uint32_t refcount;    /* standalone host functions only; 0 for ones owned by an instance */
    kiln_instance *owner; /* the instance whose vmctx `ref` uses; NULL for standalone hosts */
    void *entry;          /* entry trampoline of the type in owner's blob (Wasm functions) */
    kiln_host_fn host_fn; /* non-NULL for host functions (and an instance's wrappers of them) */
    void *host_ctx;
    kiln_func *host_origin; /* for an instance's wrapper: the standalone host function */
};

const struct rt_functype *rt_func_type(const kiln_func *func);
/* The C function import thunks call for a host function (cg_host_fn). */
void rt_host_call(void *host_ctx, struct cg_vmctx *caller_vmctx, uint64_t *slots);
void rt_func_retain(kiln_func *func);

/* --- Globals, tables, memories (reference counted, shared between instances) --- */

struct kiln_global {
    struct cg_global_cell cell; /* first: generated code reads the value here */
    uint32_t refcount;
    kiln_instance *owner; /* the instance that defined it; NULL when made by the embedder */
    kiln_valtype type;
    bool is_mutable;
};

struct kiln_table {
    struct cg_table table; /* first: generated code reads elems/size here */
    uint32_t refcount;
    kiln_valtype elem_type;
    struct kiln_limits limits; /* max clamped to UINT32_MAX */
    uint32_t capacity;         /* allocated elements */
    kiln_instance *owner;      /* the instance that defined it; NULL when made by the embedder */
};

struct kiln_memory {
    uint32_t refcount;
    uint8_t *reservation; /* guard page(s), then CG_MEMORY_RESERVATION bytes from base */
    size_t reservation_size;
    uint8_t *base;
    uint64_t pages;
    struct kiln_limits limits; /* max clamped to 65536 */
    /* Every vmctx that caches this memory's size (updated on grow). */
    struct cg_vmctx **users;
    size_t user_count, user_cap;
};

void rt_global_retain(kiln_global *global);
void rt_table_retain(kiln_table *table);
void rt_memory_retain(kiln_memory *memory);
kiln_status rt_table_create(kiln_valtype elem_type, struct kiln_limits limits, void *init,
                            kiln_table **out_table);
/* After `n` references were written into `table`: funcrefs of other instances than the table's
 * owner now live outside their instance (see rt_funcref_escapes). */
void rt_table_note_stores(const kiln_table *table, void *const *refs, uint32_t n);
/* kiln_global_new without the escape check, for an instance's own globals (`owner`). */
kiln_status rt_global_create(kiln_valtype type, bool is_mutable, kiln_val init,
                             kiln_instance *owner, kiln_global **out_global);
/* Grow by `delta` filled with `init`; returns the old size or UINT32_MAX. */
uint32_t rt_table_grow(kiln_table *table, uint32_t delta, void *init);
kiln_status rt_memory_create(struct kiln_limits limits, kiln_memory **out_memory);
/* Grows by delta pages; returns the old page count or UINT64_MAX. Updates the users' mem_size. */
uint64_t rt_memory_grow(kiln_memory *memory, uint64_t delta);
bool rt_memory_add_user(kiln_memory *memory, struct cg_vmctx *vmctx);
void rt_memory_remove_user(kiln_memory *memory, struct cg_vmctx *vmctx);
/* True if `addr` lies in any live memory reservation (async-signal-safe). */
bool rt_memory_owns_address(uintptr_t addr);

/* --- Instances --- */

struct kiln_instance {
    struct cg_vmctx vmctx; /* first: generated code holds a pointer to it */
    uint32_t refcount;
    kiln_engine *engine;
    kiln_module *module;
    struct cg_global_cell **global_cells;
    kiln_global **globals;
    struct cg_table **table_ptrs;
    kiln_table **tables;
    kiln_memory *memory; /* memory 0, or NULL */
    struct cg_import_func *imports;
    struct cg_funcref **funcrefs;
    kiln_func **funcs;    /* per function index: the handle (own, wrapper or imported) */
    kiln_func *own_funcs; /* per function index: storage for own functions and host wrappers */
    bool *data_dropped;
    void ***elem_items;   /* per element segment: its evaluated references */
    uint32_t *elem_sizes; /* per element segment: count, 0 once dropped */
    kiln_instance **deps; /* instances we import from (retained) */
    size_t dep_count;
    kiln_func **host_deps; /* standalone host functions we import (retained) */
    size_t host_dep_count;
    /* Its funcrefs may be held where its refcount does not see them (another instance's or the
     * embedder's table or global): at refcount 0 it is retired, not destroyed (below). */
    bool pinned;
    bool retired; /* in the engine's retired list: destroyed with the engine */
    kiln_instance *next_in_engine, *prev_in_engine;
};

void rt_instance_retain(kiln_instance *instance);
/* Instance lifetime with references that escape (docs/DESIGN-runtime.md, "Lifetime"): the funcref
 * `ref` (NULL or a `struct kiln_func *`) is being stored into a table or global defined by
 * `holder` (NULL: one the embedder made). A function of another instance pins that instance:
 * when its refcount drops to 0 it stays alive, retired, until the engine is freed. */
void rt_funcref_escapes(void *ref, const kiln_instance *holder);
void rt_instance_destroy_retired(kiln_instance *instance);
/* The instance that owns `vmctx`. */
static inline kiln_instance *rt_instance_of(struct cg_vmctx *vmctx)
{
    return (kiln_instance *)(void *)vmctx;
}
/* Installs the runtime helpers (trap, memory_grow, bulk ops, table ops) into `vmctx`. */
void rt_vmctx_init_helpers(struct cg_vmctx *vmctx);
void rt_vmctx_init_table_helpers(struct cg_vmctx *vmctx); /* table.c */

/* --- Calls and traps --- */

/* Entry trampoline signature (cg_code.entry_offsets). */
typedef void (*rt_entry_fn)(struct cg_vmctx *vmctx, void *wasm_code, uint64_t *slots);
/* Turns a code address into a function pointer (the one place that does, STYLE.md 11). */
rt_entry_fn rt_entry_from_address(void *address);

/* Runs entry(vmctx, code, slots) under a recovery point: KILN_OK or KILN_TRAPPED (err filled). */
kiln_status rt_call_wasm(rt_entry_fn entry, struct cg_vmctx *vmctx, void *code, uint64_t *slots,
                         struct kiln_error *err);
/* Raises a trap from runtime C code called by Wasm (never returns). `detail` is an index to show
 * after the text (UINT32_MAX for none). */
_Noreturn void rt_trap_raise(kiln_trap trap, uint32_t detail);
/* vmctx->trap: a trap from generated code, kind is an enum cg_trap; detail is the element index
 * for call_indirect's element traps. */
_Noreturn void rt_trap_from_code(struct cg_vmctx *vmctx, uint32_t kind, uint32_t detail);
kiln_trap rt_trap_from_cg(uint32_t cg_kind);
/* The detail of the trap just caught (UINT32_MAX for none), reset afterwards. */
uint32_t rt_trap_take_detail(void);
/* Installs the fault handlers (once) and this thread's alternate stack. */
bool rt_traps_init(void);

/* Slots <-> values. */
uint64_t rt_val_to_slot(kiln_val value);
kiln_val rt_val_from_slot(kiln_valtype type, uint64_t slot);

#endif
