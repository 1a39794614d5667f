/* SPDX-License-Identifier: Apache-2.0 */
/* Traps: the fault classifier the signal handler asks "is this pc ours, and which trap is it?",
 * the trap entry generated code calls (vmctx->trap), and the mapping from the compiler's trap
 * list to the public one. Unwinding itself is os_posix.c's siglongjmp. */
#include "os.h"
#include "runtime_impl.h"

/* Index of the current trap's detail (an element index), UINT32_MAX for none. */
static _Thread_local uint32_t trap_detail = UINT32_MAX;

kiln_trap rt_trap_from_cg(uint32_t cg_kind)
{
    switch (cg_kind) {
    case CG_TRAP_UNREACHABLE:
        return KILN_TRAP_UNREACHABLE;
    case CG_TRAP_INT_DIV_ZERO:
        return KILN_TRAP_INT_DIV_ZERO;
    case CG_TRAP_INT_OVERFLOW:
        return KILN_TRAP_INT_OVERFLOW;
    case CG_TRAP_INVALID_CONVERSION:
        return KILN_TRAP_INVALID_CONVERSION;
    case CG_TRAP_MEMORY_OOB:
        return KILN_TRAP_MEMORY_OOB;
    case CG_TRAP_TABLE_OOB:
        return KILN_TRAP_TABLE_OOB;
    case CG_TRAP_UNDEFINED_ELEMENT:
        return KILN_TRAP_UNDEFINED_ELEMENT;
    case CG_TRAP_UNINITIALIZED_ELEMENT:
        return KILN_TRAP_UNINITIALIZED_ELEMENT;
    case CG_TRAP_INDIRECT_TYPE_MISMATCH:
        return KILN_TRAP_INDIRECT_TYPE;
    case CG_TRAP_STACK_EXHAUSTED:
        return KILN_TRAP_STACK_EXHAUSTED;
    case CG_TRAP_NULL_REFERENCE:
        return KILN_TRAP_NULL_REFERENCE;
    default:
        return KILN_TRAP_UNKNOWN;
    }
}

_Noreturn void rt_trap_raise(kiln_trap trap, uint32_t detail)
{
    trap_detail = detail;
    rt_os_unwind((int)trap);
}

_Noreturn void rt_trap_from_code(struct cg_vmctx *vmctx, uint32_t kind, uint32_t detail)
{
    (void)vmctx;
    /* The reference interpreter names the element index for these two ("uninitialized element
     * 2"); spec scripts match the text as a prefix. */
    bool show = kind == CG_TRAP_UNDEFINED_ELEMENT || kind == CG_TRAP_UNINITIALIZED_ELEMENT;
    rt_trap_raise(rt_trap_from_cg(kind), show ? detail : UINT32_MAX);
}

uint32_t rt_trap_take_detail(void)
{
    uint32_t d = trap_detail;
    trap_detail = UINT32_MAX;
    return d;
}

/* How far below the stack pointer a fault still counts as running out of stack: a frame's
 * first touch of its locals or an outgoing call. */
#define STACK_FAULT_WINDOW ((uintptr_t)64 << 10)

/* Runs in the signal handler: no locks, no allocation. */
static int classify_fault(int signo, uintptr_t pc, uintptr_t fault_addr, uintptr_t sp)
{
    kiln_module *module = rt_code_lookup(pc);
    if (!module)
        return 0; /* not in Wasm code: a real crash, or someone else's fault (ASan) */
    trap_detail = UINT32_MAX;
    uint32_t site = rt_module_trap_site(module, (uint32_t)(pc - (uintptr_t)module->code_base));
    switch (signo) {
    case RT_SIG_SEGV:
    case RT_SIG_BUS:
        if (site != CG_TRAP_NONE)
            return (int)rt_trap_from_cg(site);
        if (rt_memory_owns_address(fault_addr))
            return KILN_TRAP_MEMORY_OOB;
        if (fault_addr < sp + 4096 && fault_addr + STACK_FAULT_WINDOW > sp)
            return KILN_TRAP_STACK_EXHAUSTED;
        return 0;
    case RT_SIG_FPE:
        /* x86 raises #DE for both x/0 and INT_MIN/-1; generated code checks the latter. */
        return site != CG_TRAP_NONE ? (int)rt_trap_from_cg(site) : KILN_TRAP_INT_DIV_ZERO;
    default: /* SIGILL: a ud2 in generated code */
        return site != CG_TRAP_NONE ? (int)rt_trap_from_cg(site) : KILN_TRAP_UNREACHABLE;
    }
}

bool rt_traps_init(void)
{
    return rt_os_install_fault_handlers(classify_fault);
}
