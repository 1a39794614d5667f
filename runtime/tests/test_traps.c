/* SPDX-License-Identifier: Apache-2.0 */
/* Trap machinery without the compiler: hand-written machine code registered as a module's code
 * faults (guard pages, stack exhaustion, #DE, ud2) or calls the vmctx trap entry, and each trap
 * must come back from rt_call_wasm with the spec's wording, leaving the runtime usable. Faults
 * outside Wasm code must still kill the process as they would without kiln. */
#include "hand_code.h"
#include "os.h"
#include "runtime_impl.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

/* A fault outside Wasm code goes to the handler that was there before kiln's: the default
 * action (SIGSEGV) normally, ASan's report and exit(1) in sanitizer builds. */
#if defined(__SANITIZE_ADDRESS__)
#define EXPECT_CRASH .exit_code = 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXPECT_CRASH .exit_code = 1
#endif
#endif
#ifndef EXPECT_CRASH
#define EXPECT_CRASH .signal = SIGSEGV
#endif

static kiln_engine *engine;
static struct cg_vmctx vm;

static void setup(void)
{
    engine = kiln_engine_new(NULL);
    cr_assert(engine);
    memset(&vm, 0, sizeof vm);
    vm.stack_limit = engine->stack_limit;
    rt_vmctx_init_helpers(&vm);
}

static void teardown(void)
{
    kiln_engine_free(engine);
}

/* mov rax, [rsi]; mov [rdx], rax; ret  -- reads the address passed as `code`'s argument */
static const uint8_t load_via_rsi[] = {0x48, 0x8B, 0x06, 0x48, 0x89, 0x02, 0xC3};
/* mov qword [rdx], 42; ret */
static const uint8_t store_42[] = {0x48, 0xC7, 0x02, 0x2A, 0x00, 0x00, 0x00, 0xC3};

static kiln_status call(const struct hand_code *hc, void *arg, uint64_t *slots,
                        struct kiln_error *err)
{
    return rt_call_wasm(rt_entry_from_address(hc->code), &vm, arg, slots, err);
}

/* A normal call through the same path returns OK and its result. */
static void assert_usable(void)
{
    struct hand_code ok;
    hand_code_load(&ok, store_42, sizeof store_42);
    uint64_t slot = 0;
    struct kiln_error err;
    cr_assert_eq(call(&ok, NULL, &slot, &err), KILN_OK);
    cr_assert_eq(slot, 42);
    hand_code_unload(&ok);
}

TestSuite(rt_traps, .init = setup, .fini = teardown);

Test(rt_traps, normal_call_returns_ok)
{
    assert_usable();
}

Test(rt_traps, guard_page_fault_is_out_of_bounds_memory_access)
{
    kiln_memory *mem = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 2, true}, &mem), KILN_OK);
    struct hand_code hc;
    hand_code_load(&hc, load_via_rsi, sizeof load_via_rsi);
    uint64_t slot = 0;
    struct kiln_error err;

    /* In bounds: reads the zeroed page. */
    cr_assert_eq(call(&hc, kiln_memory_data(mem) + 100, &slot, &err), KILN_OK);
    cr_assert_eq(slot, 0);
    /* Just past the end, far past the end (index + offset near 8 GiB), and before the base. */
    uint8_t *probes[] = {kiln_memory_data(mem) + KILN_PAGE_SIZE,
                         kiln_memory_data(mem) + ((uint64_t)8 << 30) - 8,
                         kiln_memory_data(mem) - 8};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        cr_assert_eq(call(&hc, probes[i], &slot, &err), KILN_TRAPPED, "probe %zu", i);
        cr_assert_eq(err.trap, KILN_TRAP_MEMORY_OOB);
        cr_assert_str_eq(err.text, "out of bounds memory access");
        cr_assert_str_eq(err.message, "out of bounds memory access");
    }
    /* After a grow, the same address is fine. */
    uint64_t old = 0;
    cr_assert_eq(kiln_memory_grow(mem, 1, &old), KILN_OK);
    cr_assert_eq(old, 1);
    cr_assert_eq(call(&hc, probes[0], &slot, &err), KILN_OK);
    hand_code_unload(&hc);
    kiln_memory_free(mem);
    assert_usable();
}

Test(rt_traps, trap_entry_unwinds_with_spec_text)
{
    /* mov esi, KIND; jmp [rdi + CG_VMCTX_TRAP] */
    static const struct {
        uint32_t cg;
        const char *text;
    } cases[] = {
        {CG_TRAP_UNREACHABLE, "unreachable"},
        {CG_TRAP_INT_DIV_ZERO, "integer divide by zero"},
        {CG_TRAP_INT_OVERFLOW, "integer overflow"},
        {CG_TRAP_INVALID_CONVERSION, "invalid conversion to integer"},
        {CG_TRAP_MEMORY_OOB, "out of bounds memory access"},
        {CG_TRAP_TABLE_OOB, "out of bounds table access"},
        {CG_TRAP_UNDEFINED_ELEMENT, "undefined element"},
        {CG_TRAP_UNINITIALIZED_ELEMENT, "uninitialized element"},
        {CG_TRAP_INDIRECT_TYPE_MISMATCH, "indirect call type mismatch"},
        {CG_TRAP_STACK_EXHAUSTED, "call stack exhausted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t bytes[] = {0xBE, (uint8_t)cases[i].cg, 0, 0, 0, 0xFF, 0x67, CG_VMCTX_TRAP};
        struct hand_code hc;
        hand_code_load(&hc, bytes, sizeof bytes);
        uint64_t slot = 0;
        struct kiln_error err;
        cr_assert_eq(call(&hc, NULL, &slot, &err), KILN_TRAPPED);
        cr_assert_str_eq(err.text, cases[i].text);
        cr_assert_str_eq(kiln_trap_text(err.trap), cases[i].text);
        hand_code_unload(&hc);
    }
    assert_usable();
}

Test(rt_traps, stack_limit_check_traps_and_runtime_stays_usable)
{
    /* L: cmp rsp, [rdi+16]; jb T; call L; T: mov esi, STACK; jmp [rdi+64]
     * The prologue check generated code does, recursing until the limit. */
    uint8_t bytes[] = {
        0x48,         0x3B, 0x67, CG_VMCTX_STACK_LIMIT,    0x72, 0x05, 0xE8, 0xF5, 0xFF,
        0xFF,         0xFF, 0xBE, CG_TRAP_STACK_EXHAUSTED, 0,    0,    0,    0xFF, 0x67,
        CG_VMCTX_TRAP};
    struct hand_code hc;
    hand_code_load(&hc, bytes, sizeof bytes);
    for (int round = 0; round < 3; round++) {
        struct kiln_error err;
        uint64_t slot = 0;
        cr_assert_eq(call(&hc, NULL, &slot, &err), KILN_TRAPPED);
        cr_assert_str_eq(err.text, "call stack exhausted");
        assert_usable();
    }
    hand_code_unload(&hc);
}

Test(rt_traps, real_stack_overflow_in_wasm_code_is_call_stack_exhausted)
{
    /* L: call L -- no limit check: runs into the thread's guard page. The handler runs on the
     * alternate stack and unwinds; the stack must be fully usable afterwards. */
    static const uint8_t bytes[] = {0xE8, 0xFB, 0xFF, 0xFF, 0xFF};
    struct hand_code hc;
    hand_code_load(&hc, bytes, sizeof bytes);
    for (int round = 0; round < 2; round++) {
        struct kiln_error err;
        uint64_t slot = 0;
        cr_assert_eq(call(&hc, NULL, &slot, &err), KILN_TRAPPED);
        cr_assert_str_eq(err.text, "call stack exhausted");
        assert_usable();
    }
    hand_code_unload(&hc);
}

Test(rt_traps, hardware_divide_error_and_ud2)
{
    /* xor ecx, ecx; mov eax, 1; cdq; idiv ecx; ret */
    static const uint8_t div0[] = {0x31, 0xC9, 0xB8, 0x01, 0, 0, 0, 0x99, 0xF7, 0xF9, 0xC3};
    static const uint8_t ud2[] = {0x0F, 0x0B};
    struct hand_code hc;
    struct kiln_error err;
    uint64_t slot;
    hand_code_load(&hc, div0, sizeof div0);
    cr_assert_eq(call(&hc, NULL, &slot, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "integer divide by zero");
    hand_code_unload(&hc);
    hand_code_load(&hc, ud2, sizeof ud2);
    cr_assert_eq(call(&hc, NULL, &slot, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "unreachable");
    hand_code_unload(&hc);
    assert_usable();
}

/* --- Traps raised from C called by Wasm, and nesting --- */

static const uint8_t *nested_trap_bytes;
static size_t nested_trap_size;
static kiln_status nested_status;

static void host_traps(void)
{
    rt_trap_raise(KILN_TRAP_HOST, UINT32_MAX);
}

static void host_calls_trapping_wasm(void)
{
    struct hand_code inner;
    hand_code_load(&inner, nested_trap_bytes, nested_trap_size);
    struct kiln_error err;
    uint64_t slot;
    nested_status = call(&inner, NULL, &slot, &err);
    hand_code_unload(&inner);
}

/* push rdx (keeps the slots pointer, aligns the stack); call rsi; pop rdx;
 * mov qword [rdx], 7; ret */
static const uint8_t call_rsi[] = {0x52, 0xFF, 0xD6, 0x5A, 0x48, 0xC7, 0x02, 0x07, 0, 0, 0, 0xC3};

Test(rt_traps, trap_from_c_helper_unwinds_through_wasm_frames)
{
    struct hand_code hc;
    hand_code_load(&hc, call_rsi, sizeof call_rsi);
    struct kiln_error err;
    uint64_t slot = 0;
    cr_assert_eq(call(&hc, (void *)(uintptr_t)host_traps, &slot, &err), KILN_TRAPPED);
    cr_assert_eq(err.trap, KILN_TRAP_HOST);
    cr_assert_eq(slot, 0);
    hand_code_unload(&hc);
    cr_assert(!rt_os_in_guarded_call());
    assert_usable();
}

Test(rt_traps, nested_call_traps_only_the_inner_one)
{
    static const uint8_t inner[] = {0xBE, CG_TRAP_UNREACHABLE, 0, 0, 0, 0xFF, 0x67, CG_VMCTX_TRAP};
    nested_trap_bytes = inner;
    nested_trap_size = sizeof inner;
    struct hand_code hc;
    hand_code_load(&hc, call_rsi, sizeof call_rsi);
    struct kiln_error err;
    uint64_t slot = 0;
    cr_assert_eq(call(&hc, (void *)(uintptr_t)host_calls_trapping_wasm, &slot, &err), KILN_OK);
    cr_assert_eq(nested_status, KILN_TRAPPED);
    cr_assert_eq(slot, 7);
    hand_code_unload(&hc);
}

/* --- Faults that are not ours keep their default behaviour --- */

static volatile int *volatile null_ptr;

static void host_null_store(void)
{
    *null_ptr = 1;
}

Test(rt_traps, fault_outside_wasm_code_still_crashes, EXPECT_CRASH)
{
    *null_ptr = 1;
}

Test(rt_traps, fault_in_c_called_from_wasm_still_crashes, EXPECT_CRASH)
{
    struct hand_code hc;
    hand_code_load(&hc, call_rsi, sizeof call_rsi);
    struct kiln_error err;
    uint64_t slot;
    /* The C function faults on a NULL store: its pc is not Wasm code. */
    call(&hc, (void *)(uintptr_t)host_null_store, &slot, &err);
}
