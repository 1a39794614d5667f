/* SPDX-License-Identifier: Apache-2.0 */
/* Module-level code around the functions: SysV entry trampolines (one per type), import thunks
 * (host call or instance switch) and the out-of-line trap stubs shared by all functions. */
#include "cg_internal.h"

void cg_emit_entry_trampoline(struct cg_ctx *c, const struct wdec_func_type *t)
{
    struct x64_buf *b = c->b;
    uint32_t np = t->param_count, nr = t->result_count;
    uint32_t area = np > nr ? np : nr;
    int32_t area_bytes = (int32_t)((8 * area + 15) & ~15u);
    /* void entry(vmctx = rdi, code = rsi, slots = rdx) */
    x64_push_r64(b, X64_RBP);
    x64_mov_r64_r64(b, X64_RBP, X64_RSP);
    x64_push_r64(b, X64_RBX);
    x64_push_r64(b, X64_R12);
    x64_push_r64(b, X64_R13);
    x64_push_r64(b, X64_R14);
    x64_push_r64(b, X64_R15);
    x64_push_r64(b, X64_RDX); /* [rbp-48]: slots; rsp is now 16-byte aligned */
    if (area_bytes)
        x64_sub_r64_imm32(b, X64_RSP, area_bytes);
    x64_mov_r64_r64(b, CG_REG_VMCTX, X64_RDI);
    x64_mov_r64_m64(b, CG_REG_MEM, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_MEM_BASE));
    for (uint32_t i = 0; i < np; i++) {
        x64_mov_r64_m64(b, X64_RAX, x64_mem_b(X64_RDX, 8 * (int32_t)i));
        x64_mov_m64_r64(b, x64_mem_b(X64_RSP, 8 * (int32_t)i), X64_RAX);
    }
    x64_call_r64(b, X64_RSI);
    x64_mov_r64_m64(b, X64_RDX, x64_mem_b(X64_RBP, -48));
    for (uint32_t i = 0; i < nr; i++) {
        x64_mov_r64_m64(b, X64_RAX, x64_mem_b(X64_RSP, 8 * (int32_t)i));
        x64_mov_m64_r64(b, x64_mem_b(X64_RDX, 8 * (int32_t)i), X64_RAX);
    }
    x64_lea_r64_m(b, X64_RSP, x64_mem_b(X64_RBP, -40));
    x64_pop_r64(b, X64_R15);
    x64_pop_r64(b, X64_R14);
    x64_pop_r64(b, X64_R13);
    x64_pop_r64(b, X64_R12);
    x64_pop_r64(b, X64_RBX);
    x64_pop_r64(b, X64_RBP);
    x64_ret(b);
}

void cg_emit_import_thunk(struct cg_ctx *c, uint32_t i)
{
    struct x64_buf *b = c->b;
    int32_t o = 32 * (int32_t)i; /* sizeof(struct cg_import_func) */
    struct x64_label host = x64_label_new(b);
    x64_mov_r64_m64(b, CG_REG_SCRATCH, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_IMPORTS));
    x64_cmp_m64_imm8(b, x64_mem_b(CG_REG_SCRATCH, o + 16), 0);
    x64_jcc(b, X64_CC_NE, host);
    /* Wasm import: switch to the exporting instance and jump (its return comes back to our
     * caller, which reloads r15/r14 from its frame). */
    x64_mov_r64_m64(b, CG_REG_VMCTX, x64_mem_b(CG_REG_SCRATCH, o + 8));
    x64_mov_r64_m64(b, CG_REG_MEM, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_MEM_BASE));
    x64_jmp_m64(b, x64_mem_b(CG_REG_SCRATCH, o));
    /* Host import: host_fn(host_ctx, vmctx, slots = the caller's argument area). */
    x64_label_bind(b, host);
    x64_push_r64(b, X64_RBP);
    x64_mov_r64_r64(b, X64_RBP, X64_RSP);
    x64_mov_r64_m64(b, X64_RDI, x64_mem_b(CG_REG_SCRATCH, o + 24));
    x64_mov_r64_r64(b, X64_RSI, CG_REG_VMCTX);
    x64_lea_r64_m(b, X64_RDX, x64_mem_b(X64_RBP, 16));
    x64_call_m64(b, x64_mem_b(CG_REG_SCRATCH, o + 16));
    x64_pop_r64(b, X64_RBP);
    x64_ret(b);
}

void cg_emit_trap_stubs(struct cg_ctx *c)
{
    struct x64_buf *b = c->b;
    for (unsigned k = 1; k < CG_TRAP_COUNT_; k++) {
        if (c->trap_labels[k].id == 0)
            continue;
        x64_label_bind(b, c->trap_labels[k]);
        x64_mov_r64_r64(b, X64_RDI, CG_REG_VMCTX);
        x64_mov_r32_imm32(b, X64_RSI, (int32_t)k);
        /* call_indirect jumps here with the element index in r10 (the detail). */
        if (k == CG_TRAP_UNDEFINED_ELEMENT || k == CG_TRAP_UNINITIALIZED_ELEMENT ||
            k == CG_TRAP_INDIRECT_TYPE_MISMATCH)
            x64_mov_r32_r32(b, X64_RDX, CG_REG_SCRATCH2);
        else
            x64_xor_r32_r32(b, X64_RDX, X64_RDX);
        x64_call_m64(b, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_TRAP));
        x64_ud2(b); /* trap never returns */
    }
}
