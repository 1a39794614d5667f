/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's objects through the public API only: linear memory (reservation, guard pages,
 * grow within limits), globals, tables, host functions called from C, status texts. */
#include "rt/runtime.h"

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

static void setup(void)
{
    engine = kiln_engine_new(NULL);
    cr_assert(engine);
}

static void teardown(void)
{
    kiln_engine_free(engine);
}

TestSuite(rt_memory, .init = setup, .fini = teardown);
TestSuite(rt_global, .init = setup, .fini = teardown);
TestSuite(rt_table, .init = setup, .fini = teardown);
TestSuite(rt_host, .init = setup, .fini = teardown);

/* --- Memory --- */

Test(rt_memory, new_memory_is_zeroed_and_writable_up_to_its_size)
{
    kiln_memory *m = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){2, 5, true}, &m), KILN_OK);
    cr_assert_eq(kiln_memory_pages(m), 2);
    cr_assert_eq(kiln_memory_size(m), 2 * KILN_PAGE_SIZE);
    uint8_t *d = kiln_memory_data(m);
    cr_assert(d);
    for (size_t i = 0; i < kiln_memory_size(m); i += 4096)
        cr_assert_eq(d[i], 0);
    d[0] = 1;
    d[kiln_memory_size(m) - 1] = 2;
    cr_assert_eq(d[kiln_memory_size(m) - 1], 2);
    kiln_memory_free(m);
}

Test(rt_memory, access_past_the_end_faults, EXPECT_CRASH)
{
    kiln_memory *m = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 0, false}, &m), KILN_OK);
    volatile uint8_t *d = kiln_memory_data(m);
    d[KILN_PAGE_SIZE] = 1; /* not Wasm code: the default action, a crash */
}

Test(rt_memory, access_before_the_base_faults, EXPECT_CRASH)
{
    kiln_memory *m = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 0, false}, &m), KILN_OK);
    volatile uint8_t *d = kiln_memory_data(m);
    d[-1] = 1;
}

Test(rt_memory, far_guard_region_faults, EXPECT_CRASH)
{
    kiln_memory *m = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 0, false}, &m), KILN_OK);
    volatile uint8_t *d = kiln_memory_data(m);
    /* Largest 32-bit index + 32-bit offset + 8 bytes stays inside the reservation. */
    d[0x1FFFFFFFEull + 7] = 1;
}

Test(rt_memory, grow_changes_size_keeps_base_and_contents)
{
    kiln_memory *m = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 3, true}, &m), KILN_OK);
    uint8_t *base = kiln_memory_data(m);
    base[10] = 0xAB;
    uint64_t old = 99;
    cr_assert_eq(kiln_memory_grow(m, 2, &old), KILN_OK);
    cr_assert_eq(old, 1);
    cr_assert_eq(kiln_memory_pages(m), 3);
    cr_assert_eq(kiln_memory_data(m), base);
    cr_assert_eq(base[10], 0xAB);
    base[3 * KILN_PAGE_SIZE - 1] = 1; /* the new pages are writable */
    cr_assert_eq(base[2 * KILN_PAGE_SIZE], 0);
    /* Past the maximum: refused, nothing changes. */
    cr_assert_eq(kiln_memory_grow(m, 1, &old), KILN_ERR_LIMIT);
    cr_assert_eq(kiln_memory_pages(m), 3);
    cr_assert_eq(kiln_memory_grow(m, 0, &old), KILN_OK);
    cr_assert_eq(old, 3);
    kiln_memory_free(m);
}

Test(rt_memory, limits_are_checked)
{
    kiln_memory *m = (kiln_memory *)1;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){65537, 0, false}, &m),
                 KILN_ERR_LIMIT);
    cr_assert_null(m);
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){3, 2, true}, &m), KILN_ERR_LIMIT);
    /* Zero pages, unbounded: grows up to 65536 pages only. */
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){0, 0, false}, &m), KILN_OK);
    cr_assert_eq(kiln_memory_size(m), 0);
    uint64_t old;
    cr_assert_eq(kiln_memory_grow(m, 65537, &old), KILN_ERR_LIMIT);
    cr_assert_eq(kiln_memory_grow(m, 1, &old), KILN_OK);
    cr_assert_eq(kiln_memory_size(m), KILN_PAGE_SIZE);
    kiln_memory_free(m);
}

Test(rt_memory, many_memories_can_be_created_and_freed)
{
    /* Each reserves 8 GiB of address space; freeing must give it back. */
    for (int i = 0; i < 2000; i++) {
        kiln_memory *m = NULL;
        cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 0, false}, &m), KILN_OK,
                     "memory %d", i);
        kiln_memory_data(m)[i] = 1;
        kiln_memory_free(m);
    }
}

/* --- Globals --- */

Test(rt_global, get_set_and_mutability)
{
    kiln_global *g = NULL;
    kiln_val v = {.type = KILN_I64, .i64 = -5};
    cr_assert_eq(kiln_global_new(engine, KILN_I64, true, v, &g), KILN_OK);
    cr_assert_eq(kiln_global_type(g), KILN_I64);
    cr_assert(kiln_global_is_mutable(g));
    cr_assert_eq(kiln_global_get(g).i64, -5);
    v.i64 = INT64_MIN;
    cr_assert_eq(kiln_global_set(g, v), KILN_OK);
    cr_assert_eq(kiln_global_get(g).i64, INT64_MIN);
    kiln_val wrong = {.type = KILN_I32, .i32 = 1};
    cr_assert_eq(kiln_global_set(g, wrong), KILN_ERR_TYPE_MISMATCH);
    kiln_global_free(g);

    kiln_val f = {.type = KILN_F32, .f32 = 0x7FC00001u}; /* a NaN payload survives */
    cr_assert_eq(kiln_global_new(engine, KILN_F32, false, f, &g), KILN_OK);
    cr_assert_eq(kiln_global_get(g).f32, 0x7FC00001u);
    cr_assert_eq(kiln_global_set(g, f), KILN_ERR_IMMUTABLE);
    kiln_global_free(g);

    cr_assert_eq(kiln_global_new(engine, KILN_F64, false, wrong, &g), KILN_ERR_TYPE_MISMATCH);
}

/* --- Tables --- */

Test(rt_table, get_set_grow_within_limits)
{
    kiln_table *t = NULL;
    kiln_val null_ext = {.type = KILN_EXTERNREF, .ref = NULL};
    cr_assert_eq(
        kiln_table_new(engine, KILN_EXTERNREF, (struct kiln_limits){2, 4, true}, null_ext, &t),
        KILN_OK);
    cr_assert_eq(kiln_table_size(t), 2);
    cr_assert_eq(kiln_table_elem_type(t), KILN_EXTERNREF);
    kiln_val v;
    cr_assert_eq(kiln_table_get(t, 1, &v), KILN_OK);
    cr_assert_null(v.ref);
    int token;
    kiln_val ext = {.type = KILN_EXTERNREF, .ref = &token};
    cr_assert_eq(kiln_table_set(t, 1, ext), KILN_OK);
    cr_assert_eq(kiln_table_get(t, 1, &v), KILN_OK);
    cr_assert_eq(v.ref, &token);
    cr_assert_eq(kiln_table_get(t, 2, &v), KILN_ERR_INVALID_ARGUMENT);
    kiln_val fn = {.type = KILN_FUNCREF, .ref = NULL};
    cr_assert_eq(kiln_table_set(t, 0, fn), KILN_ERR_TYPE_MISMATCH);
    uint32_t old = 0;
    cr_assert_eq(kiln_table_grow(t, 2, ext, &old), KILN_OK);
    cr_assert_eq(old, 2);
    cr_assert_eq(kiln_table_size(t), 4);
    cr_assert_eq(kiln_table_get(t, 3, &v), KILN_OK);
    cr_assert_eq(v.ref, &token);
    cr_assert_eq(kiln_table_grow(t, 1, ext, &old), KILN_ERR_LIMIT);
    cr_assert_eq(kiln_table_size(t), 4);
    kiln_table_free(t);
}

/* --- Host functions called from C --- */

static kiln_status add_i32(void *ctx, const kiln_val *args, kiln_val *results)
{
    int *calls = ctx;
    (*calls)++;
    results[0].i32 = args[0].i32 + args[1].i32;
    return KILN_OK;
}

static kiln_status always_fails(void *ctx, const kiln_val *args, kiln_val *results)
{
    (void)ctx;
    (void)args;
    (void)results;
    return KILN_TRAPPED;
}

Test(rt_host, call_checks_types_and_returns_results)
{
    int calls = 0;
    kiln_valtype p[] = {KILN_I32, KILN_I32}, r[] = {KILN_I32};
    kiln_func *f = kiln_func_new_host(engine, p, 2, r, 1, add_i32, &calls);
    cr_assert(f);
    cr_assert_eq(kiln_func_param_count(f), 2);
    cr_assert_eq(kiln_func_result_count(f), 1);
    cr_assert_eq(kiln_func_param_type(f, 1), KILN_I32);
    cr_assert_eq(kiln_func_result_type(f, 0), KILN_I32);
    kiln_val args[2] = {{.type = KILN_I32, .i32 = 40}, {.type = KILN_I32, .i32 = 2}};
    kiln_val res[1];
    struct kiln_error err;
    cr_assert_eq(kiln_func_call(f, args, 2, res, 1, &err), KILN_OK);
    cr_assert_eq(res[0].type, KILN_I32);
    cr_assert_eq(res[0].i32, 42);
    cr_assert_eq(calls, 1);

    args[1].type = KILN_I64;
    cr_assert_eq(kiln_func_call(f, args, 2, res, 1, &err), KILN_ERR_TYPE_MISMATCH);
    cr_assert_str_eq(err.text, "type mismatch");
    cr_assert_eq(kiln_func_call(f, args, 1, res, 1, &err), KILN_ERR_TYPE_MISMATCH);
    cr_assert_eq(calls, 1);
    /* Not imported anywhere yet: no funcref for it. */
    cr_assert_null(kiln_func_to_ref(f));
    kiln_func_free(f);
}

Test(rt_host, failing_host_function_is_a_trap)
{
    kiln_func *f = kiln_func_new_host(engine, NULL, 0, NULL, 0, always_fails, NULL);
    cr_assert(f);
    struct kiln_error err;
    cr_assert_eq(kiln_func_call(f, NULL, 0, NULL, 0, &err), KILN_TRAPPED);
    cr_assert_eq(err.trap, KILN_TRAP_HOST);
    cr_assert_str_eq(err.text, "host function trapped");
    kiln_func_free(f);
}

Test(rt_host, bad_types_are_refused)
{
    kiln_valtype bad[] = {KILN_V128};
    cr_assert_null(kiln_func_new_host(engine, bad, 1, NULL, 0, always_fails, NULL));
    cr_assert_null(kiln_func_new_host(engine, NULL, 0, NULL, 0, NULL, NULL));
}

Test(rt_host, status_and_trap_texts)
{
    cr_assert_str_eq(kiln_status_text(KILN_ERR_UNKNOWN_IMPORT), "unknown import");
    cr_assert_str_eq(kiln_status_text(KILN_ERR_INCOMPATIBLE_IMPORT), "incompatible import type");
    cr_assert_str_eq(kiln_trap_text(KILN_TRAP_INDIRECT_TYPE), "indirect call type mismatch");
    cr_assert_str_eq(kiln_trap_text((kiln_trap)1000), "?");
    cr_assert_str_eq(kiln_valtype_name(KILN_EXTERNREF), "externref");
}
