/* SPDX-License-Identifier: Apache-2.0 */
/* The ABI contract between generated code and the runtime: every field generated code reads,
 * at a fixed offset (static_asserted below), plus the trap list with the spec's own wording.
 * The runtime puts `struct cg_vmctx` first in its instance and fills it in. */
#ifndef CG_VMCTX_H
#define CG_VMCTX_H

#include <stddef.h>
#include <stdint.h>

/* --- Traps: one list, spec wording (assert_trap texts of the spec suite) --- */
#define CG_TRAP_LIST(X)                                                                            \
    X(CG_TRAP_NONE, "no trap")                                                                     \
    X(CG_TRAP_UNREACHABLE, "unreachable")                                                          \
    X(CG_TRAP_INT_DIV_ZERO, "integer divide by zero")                                              \
    X(CG_TRAP_INT_OVERFLOW, "integer overflow")                                                    \
    X(CG_TRAP_INVALID_CONVERSION, "invalid conversion to integer")                                 \
    X(CG_TRAP_MEMORY_OOB, "out of bounds memory access")                                           \
    X(CG_TRAP_TABLE_OOB, "out of bounds table access")                                             \
    X(CG_TRAP_UNDEFINED_ELEMENT, "undefined element")                                              \
    X(CG_TRAP_UNINITIALIZED_ELEMENT, "uninitialized element")                                      \
    X(CG_TRAP_INDIRECT_TYPE_MISMATCH, "indirect call type mismatch")                               \
    X(CG_TRAP_STACK_EXHAUSTED, "call stack exhausted")                                             \
    X(CG_TRAP_NULL_REFERENCE, "null reference")

enum cg_trap {
#define CG_TRAP_ENUM_(name, text) name,
    CG_TRAP_LIST(CG_TRAP_ENUM_)
#undef CG_TRAP_ENUM_
        CG_TRAP_COUNT_
};

/* Spec wording of a trap ("integer divide by zero"); "unknown trap" for out-of-range values. */
const char *cg_trap_message(enum cg_trap trap);

/* --- Memory model ---
 * Generated code addresses linear memory as mem_base + zero-extended 32-bit index + 32-bit
 * offset (+ up to 8 bytes of access) with NO bounds check. The runtime must therefore reserve
 * CG_MEMORY_RESERVATION bytes from mem_base (inaccessible beyond the current size) so that every
 * such address faults (SIGSEGV) instead of touching anything else. */
#define CG_WASM_PAGE_SIZE     65536u
#define CG_MEMORY_RESERVATION (((uint64_t)8 << 30) + ((uint64_t)64 << 10)) /* 8 GiB + 64 KiB */

/* --- Shared cells and objects --- */

/* One global's storage, shared by pointer so imported/exported globals alias. Values are stored
 * at offset 0 in their natural width: i32 (4 bytes, upper bytes unspecified), i64, f32 bits,
 * f64 bits, funcref (struct cg_funcref *) or externref (void *). 16 bytes leave room for v128. */
struct cg_global_cell {
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        void *ref;
        uint8_t v128[16];
    } u;
};

/* A function reference value is a pointer to one of these (NULL is ref.null func). `code` uses
 * the internal calling convention (docs/DESIGN-compiler.md) and expects `vmctx` in the vmctx
 * register. `type_id` is the runtime's canonical id (structurally equal types share it). */
struct cg_funcref {
    void *code;
    struct cg_vmctx *vmctx;
    uint32_t type_id;
    uint32_t reserved_;
};

/* A table: elems[0..size) hold `struct cg_funcref *` (funcref tables) or the runtime's
 * externref representation (externref tables); NULL is the null reference in both. */
struct cg_table {
    void **elems;
    uint32_t size;
    uint32_t max; /* UINT32_MAX when unbounded */
};

/* Host function called by an import thunk (SysV). `slots` holds the arguments (8 bytes each:
 * i32 zero-extended, i64, f32/f64 raw bits, references as pointers); the host writes the
 * results to slots[0..nresults). The slot array has max(nparams, nresults) entries. To trap, a
 * host function calls vmctx->trap (which must not return). */
typedef void (*cg_host_fn)(void *host_ctx, struct cg_vmctx *caller_vmctx, uint64_t *slots);

/* One imported function. If host_fn != NULL the thunk calls it; otherwise it switches to
 * `vmctx` and jumps to `code` (internal convention, e.g. another instance's function). */
struct cg_import_func {
    void *code;
    struct cg_vmctx *vmctx;
    cg_host_fn host_fn;
    void *host_ctx;
};

/* --- Runtime helpers, called by generated code (SysV; vmctx first) ---
 * Helpers that detect a trap call vmctx->trap themselves (it never returns). Indices and
 * lengths are the raw Wasm i32 operands (unsigned). */
struct cg_vmctx;
/* Never returns. `detail` is meaningful for CG_TRAP_UNDEFINED_ELEMENT,
 * CG_TRAP_UNINITIALIZED_ELEMENT and CG_TRAP_INDIRECT_TYPE_MISMATCH raised by call_indirect: the
 * table element index. Otherwise it is 0. */
typedef void (*cg_trap_fn)(struct cg_vmctx *vmctx, uint32_t trap_kind, uint32_t detail);
/* Returns the old size in pages, or UINT32_MAX (-1) when the memory cannot grow. Must update
 * vmctx->mem_size (mem_base never moves: the reservation is fixed). */
typedef uint32_t (*cg_memory_grow_fn)(struct cg_vmctx *vmctx, uint32_t delta_pages);
typedef void (*cg_memory_fill_fn)(struct cg_vmctx *vmctx, uint32_t dst, uint32_t value,
                                  uint32_t len);
typedef void (*cg_memory_copy_fn)(struct cg_vmctx *vmctx, uint32_t dst, uint32_t src, uint32_t len);
typedef void (*cg_memory_init_fn)(struct cg_vmctx *vmctx, uint32_t data_idx, uint32_t dst,
                                  uint32_t src, uint32_t len);
typedef void (*cg_data_drop_fn)(struct cg_vmctx *vmctx, uint32_t data_idx);
/* table.get / table.set: trap "out of bounds table access" when idx >= size. */
typedef void *(*cg_table_get_fn)(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t idx);
typedef void (*cg_table_set_fn)(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t idx,
                                void *value);
/* Returns the old size, or UINT32_MAX (-1) on failure. */
typedef uint32_t (*cg_table_grow_fn)(struct cg_vmctx *vmctx, uint32_t table_idx, void *init,
                                     uint32_t delta);
typedef void (*cg_table_fill_fn)(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t dst,
                                 void *value, uint32_t len);
typedef void (*cg_table_copy_fn)(struct cg_vmctx *vmctx, uint32_t dst_table, uint32_t src_table,
                                 uint32_t dst, uint32_t src, uint32_t len);
typedef void (*cg_table_init_fn)(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t elem_idx,
                                 uint32_t dst, uint32_t src, uint32_t len);
typedef void (*cg_elem_drop_fn)(struct cg_vmctx *vmctx, uint32_t elem_idx);

/* --- The instance context generated code holds in a reserved register (r15) --- */
struct cg_vmctx {
    uint8_t *mem_base;     /* memory 0 (NULL/unused when the module has no memory) */
    uint64_t mem_size;     /* bytes; memory.size = mem_size >> 16 */
    uintptr_t stack_limit; /* prologues trap "call stack exhausted" when rsp - frame < this */
    struct cg_global_cell **globals; /* per global index (imported first) */
    struct cg_table **tables;        /* per table index (imported first) */
    const uint32_t *type_ids;        /* per module type index: canonical type id */
    struct cg_import_func *imports;  /* per imported function index */
    struct cg_funcref **funcrefs;    /* per function index: the canonical funcref (ref.func) */
    cg_trap_fn trap;
    cg_memory_grow_fn memory_grow;
    cg_memory_fill_fn memory_fill;
    cg_memory_copy_fn memory_copy;
    cg_memory_init_fn memory_init;
    cg_data_drop_fn data_drop;
    cg_table_get_fn table_get;
    cg_table_set_fn table_set;
    cg_table_grow_fn table_grow;
    cg_table_fill_fn table_fill;
    cg_table_copy_fn table_copy;
    cg_table_init_fn table_init;
    cg_elem_drop_fn elem_drop;
    void *user; /* runtime's own use (e.g. back pointer to its instance); never read by code */
};

/* Offsets used by generated code; a change here is an ABI change. */
#define CG_VMCTX_MEM_BASE    0
#define CG_VMCTX_MEM_SIZE    8
#define CG_VMCTX_STACK_LIMIT 16
#define CG_VMCTX_GLOBALS     24
#define CG_VMCTX_TABLES      32
#define CG_VMCTX_TYPE_IDS    40
#define CG_VMCTX_IMPORTS     48
#define CG_VMCTX_FUNCREFS    56
#define CG_VMCTX_TRAP        64
#define CG_VMCTX_MEMORY_GROW 72
#define CG_VMCTX_MEMORY_FILL 80
#define CG_VMCTX_MEMORY_COPY 88
#define CG_VMCTX_MEMORY_INIT 96
#define CG_VMCTX_DATA_DROP   104
#define CG_VMCTX_TABLE_GET   112
#define CG_VMCTX_TABLE_SET   120
#define CG_VMCTX_TABLE_GROW  128
#define CG_VMCTX_TABLE_FILL  136
#define CG_VMCTX_TABLE_COPY  144
#define CG_VMCTX_TABLE_INIT  152
#define CG_VMCTX_ELEM_DROP   160

_Static_assert(offsetof(struct cg_vmctx, mem_base) == CG_VMCTX_MEM_BASE, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, mem_size) == CG_VMCTX_MEM_SIZE, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, stack_limit) == CG_VMCTX_STACK_LIMIT, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, globals) == CG_VMCTX_GLOBALS, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, tables) == CG_VMCTX_TABLES, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, type_ids) == CG_VMCTX_TYPE_IDS, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, imports) == CG_VMCTX_IMPORTS, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, funcrefs) == CG_VMCTX_FUNCREFS, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, trap) == CG_VMCTX_TRAP, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, memory_grow) == CG_VMCTX_MEMORY_GROW, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, memory_fill) == CG_VMCTX_MEMORY_FILL, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, memory_copy) == CG_VMCTX_MEMORY_COPY, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, memory_init) == CG_VMCTX_MEMORY_INIT, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, data_drop) == CG_VMCTX_DATA_DROP, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_get) == CG_VMCTX_TABLE_GET, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_set) == CG_VMCTX_TABLE_SET, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_grow) == CG_VMCTX_TABLE_GROW, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_fill) == CG_VMCTX_TABLE_FILL, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_copy) == CG_VMCTX_TABLE_COPY, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, table_init) == CG_VMCTX_TABLE_INIT, "vmctx layout");
_Static_assert(offsetof(struct cg_vmctx, elem_drop) == CG_VMCTX_ELEM_DROP, "vmctx layout");
_Static_assert(offsetof(struct cg_funcref, code) == 0, "funcref layout");
_Static_assert(offsetof(struct cg_funcref, vmctx) == 8, "funcref layout");
_Static_assert(offsetof(struct cg_funcref, type_id) == 16, "funcref layout");
_Static_assert(offsetof(struct cg_table, elems) == 0, "table layout");
_Static_assert(offsetof(struct cg_table, size) == 8, "table layout");
_Static_assert(sizeof(struct cg_import_func) == 32, "import layout");
_Static_assert(offsetof(struct cg_import_func, code) == 0, "import layout");
_Static_assert(offsetof(struct cg_import_func, vmctx) == 8, "import layout");
_Static_assert(offsetof(struct cg_import_func, host_fn) == 16, "import layout");
_Static_assert(offsetof(struct cg_import_func, host_ctx) == 24, "import layout");

#endif /* CG_VMCTX_H */
