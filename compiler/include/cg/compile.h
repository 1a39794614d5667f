/* SPDX-License-Identifier: Apache-2.0 */
/* The compiler's public entry point: a decoded Wasm module in, one position-independent x86-64
 * code blob plus metadata out (function offsets, entry trampolines, import thunks, trap sites).
 * The caller (runtime/) seals the bytes into executable memory; cg never maps memory. */
#ifndef CG_COMPILE_H
#define CG_COMPILE_H

#include "cg/vmctx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wdec_module;    /* frontend/include/wdec/module.h */
struct x64_code_space; /* assembler/include/x64/code_memory.h */

#define CG_STATUS_LIST(X)                                                                          \
    X(CG_OK, "ok")                                                                                 \
    X(CG_ERR_INVALID_ARGUMENT, "invalid argument")                                                 \
    X(CG_ERR_OUT_OF_MEMORY, "out of memory")                                                       \
    X(CG_ERR_DECODE, "decode or validation error")                                                 \
    X(CG_ERR_ASSEMBLER, "assembler error")                                                         \
    X(CG_ERR_UNSUPPORTED, "unsupported instruction")                                               \
    X(CG_ERR_LIMIT, "implementation limit exceeded")

typedef enum cg_status {
#define CG_STATUS_ENUM_(name, text) name,
    CG_STATUS_LIST(CG_STATUS_ENUM_)
#undef CG_STATUS_ENUM_
} cg_status;

/* Text of a status ("out of memory"). */
const char *cg_status_message(cg_status status);

/* First error wins. For CG_ERR_DECODE, `message` holds the frontend's message (spec wording)
 * and `wasm_offset` the byte offset in the module. */
struct cg_error {
    cg_status status;
    uint32_t func_index; /* function being compiled, UINT32_MAX if none */
    size_t wasm_offset;
    char message[160];
};

/* Listing callbacks for `kiln compile --print-code` (all optional; NULL = not interested).
 * `func` is called before each defined function's code, `op` before each Wasm instruction's
 * machine code with the instruction's module byte offset and the blob offset its code starts
 * at. The blob bytes are final only when cg_compile_module returns, so a listing prints after. */
struct cg_listing {
    void (*func)(void *ctx, uint32_t func_index, uint32_t code_offset);
    void (*op)(void *ctx, uint32_t func_index, size_t wasm_offset, uint32_t code_offset);
    void *ctx;
    /* Optional: each instruction of a function as Intel-syntax text (the assembler's
     * formatter), with its blob offset. Emitted while assembling: jump targets print as
     * `.L<id>` and the prologue's frame size as its placeholder 0x12345670. */
    void (*insn)(void *ctx, uint32_t func_index, uint32_t code_offset, const char *text);
};

struct cg_options {
    /* Keep no value in a register between instructions: every value goes to its stack slot.
     * A second compiler configuration for differential tests. */
    bool spill_all;
    const struct cg_listing *listing; /* NULL: no listing */
};

/* One defined function (index = function index - number of imported functions). */
struct cg_func_code {
    uint32_t code_offset; /* into cg_code.bytes; internal calling convention */
    uint32_t code_size;
    size_t wasm_offset; /* body offset in the module bytes */
    uint32_t wasm_size;
};

/* A code offset where a memory access may fault: the runtime maps a SIGSEGV/SIGBUS at
 * bytes + code_offset to `trap` (CG_TRAP_MEMORY_OOB). */
struct cg_trap_site {
    uint32_t code_offset;
    uint32_t trap; /* enum cg_trap */
};

struct cg_code {
    /* Position independent; RW pages of `space` until sealed. Seal them in place with
     * x64_code_space_seal(space, size, ...) (then `bytes` is NULL and `space` empty), or seal a
     * copy. */
    uint8_t *bytes;
    size_t size;
    struct x64_code_space *space; /* owns `bytes`; freed by cg_code_free() */
    uint32_t num_imported_funcs;
    uint32_t num_funcs; /* defined functions */
    struct cg_func_code *funcs;
    /* Per module type index: offset of the entry trampoline, callable under SysV as
     *   void entry(struct cg_vmctx *vmctx, void *wasm_code, uint64_t *slots);
     * slots[0..nparams) are the arguments (8 bytes each: i32 zero-extended, i64, f32/f64 raw
     * bits, references as pointers); on return slots[0..nresults) hold the results. The array
     * must have max(nparams, nresults, 1) entries. `wasm_code` is any code with the internal
     * convention of that type (a function of this blob, a funcref's code). Saves and restores
     * the SysV callee-saved registers. UINT32_MAX for a type that is not a function type. */
    uint32_t num_types;
    uint32_t *entry_offsets;
    /* Per imported function: offset of its import thunk (internal convention). A funcref to a
     * host import is { bytes + thunk, importing vmctx, type id }. */
    uint32_t *import_thunk_offsets;
    struct cg_trap_site *trap_sites; /* sorted by code_offset */
    size_t num_trap_sites;
    /* Figures for `kiln compile`. */
    size_t wasm_code_bytes; /* sum of defined function body sizes */
    double compile_seconds; /* wall time of cg_compile_module */
};

/* Compiles every defined function of `module` (decoded by the frontend; bodies are validated
 * and visited here, in one pass) into one blob. `options` may be NULL (defaults). On success
 * fills `out` (free with cg_code_free); on failure returns the status, fills `err` (may be NULL)
 * and leaves `out` empty. Statuses: CG_ERR_INVALID_ARGUMENT, CG_ERR_OUT_OF_MEMORY,
 * CG_ERR_DECODE (invalid body: err->message is the frontend's text), CG_ERR_ASSEMBLER,
 * CG_ERR_LIMIT. */
cg_status cg_compile_module(const struct wdec_module *module, const struct cg_options *options,
                            struct cg_code *out, struct cg_error *err);

/* Frees what cg_compile_module allocated; safe on a zeroed or already freed struct. */
void cg_code_free(struct cg_code *code);

#endif /* CG_COMPILE_H */
