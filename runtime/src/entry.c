/* SPDX-License-Identifier: Apache-2.0 */
/* C -> Wasm transitions: turn code addresses into function pointers (the one place that does),
 * and call an entry trampoline under a recovery point so a trap comes back as KILN_TRAPPED. */
#include "os.h"
#include "runtime_impl.h"

#include <string.h>

rt_entry_fn rt_entry_from_address(void *address)
{
    /* ISO C has no object-to-function pointer cast; going through uintptr_t is what POSIX
     * dlsym users do and what gcc's -Wpedantic accepts. */
    return (rt_entry_fn)(uintptr_t)address;
}

struct call_args {
    rt_entry_fn entry;
    struct cg_vmctx *vmctx;
    void *code;
    uint64_t *slots;
};

static void run_entry(void *arg)
{
    struct call_args *a = arg;
    a->entry(a->vmctx, a->code, a->slots);
}

kiln_status rt_call_wasm(rt_entry_fn entry, struct cg_vmctx *vmctx, void *code, uint64_t *slots,
                         struct kiln_error *err)
{
    struct call_args a = {entry, vmctx, code, slots};
    int kind = rt_os_guarded_call(run_entry, &a);
    if (kind == 0)
        return KILN_OK;
    return rt_fail_trap(err, (kiln_trap)kind, rt_trap_take_detail());
}

uint64_t rt_val_to_slot(kiln_val value)
{
    switch (value.type) {
    case KILN_I32:
        return (uint32_t)value.i32; /* zero-extended, as the entry trampoline expects */
    case KILN_I64:
        return (uint64_t)value.i64;
    case KILN_F32:
        return value.f32;
    case KILN_F64:
        return value.f64;
    case KILN_FUNCREF:
    case KILN_EXTERNREF:
        return (uint64_t)(uintptr_t)value.ref;
    case KILN_V128:
        break;
    }
    return 0;
}

kiln_val rt_val_from_slot(kiln_valtype type, uint64_t slot)
{
    kiln_val v;
    memset(&v, 0, sizeof v);
    v.type = type;
    switch (type) {
    case KILN_I32:
        v.i32 = (int32_t)(uint32_t)slot;
        break;
    case KILN_I64:
        v.i64 = (int64_t)slot;
        break;
    case KILN_F32:
        v.f32 = (uint32_t)slot;
        break;
    case KILN_F64:
        v.f64 = slot;
        break;
    case KILN_FUNCREF:
    case KILN_EXTERNREF:
        v.ref = (void *)(uintptr_t)slot;
        break;
    case KILN_V128:
        break;
    }
    return v;
}
