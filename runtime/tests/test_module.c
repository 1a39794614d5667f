/* SPDX-License-Identifier: Apache-2.0 */
/* End to end through the public API with real compiled code: traps with spec wording (and the
 * runtime usable afterwards, also after stack exhaustion), host functions, imports and exports of
 * every kind, linking errors, segment bounds at instantiation, start functions, decode errors.
 * The modules are the .wat files in tests/wat/, assembled by wat2wasm at build time. Every test
 * runs in both compiler configurations (normal and spill_all) where it executes code. */
#include "rt/runtime.h"
#include "wasm_file.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kiln_engine *engine;

static void start_engine(bool spill_all)
{
    struct kiln_config config;
    kiln_config_init(&config);
    config.spill_all = spill_all;
    engine = kiln_engine_new(&config);
    cr_assert(engine);
}

static void teardown(void)
{
    kiln_engine_free(engine);
    engine = NULL;
}

static kiln_module *load(const char *name)
{
    return rt_test_load_module(engine, name);
}

static kiln_instance *instantiate_alone(const char *name)
{
    kiln_module *m = load(name);
    kiln_instance *inst = NULL;
    struct kiln_error err;
    cr_assert_eq(kiln_instance_new(m, NULL, 0, &inst, &err), KILN_OK, "%s", err.message);
    kiln_module_free(m); /* the instance keeps it */
    return inst;
}

static kiln_val i32v(int32_t v)
{
    return (kiln_val){.type = KILN_I32, .i32 = v};
}

/* Calls export `name` of `inst` with i32 args; returns the status, result in *out. */
static kiln_status call_i32(kiln_instance *inst, const char *name, const int32_t *args, size_t n,
                            int32_t *out, struct kiln_error *err)
{
    kiln_func *f = kiln_instance_func(inst, name);
    cr_assert(f, "no export %s", name);
    kiln_val vals[4];
    for (size_t i = 0; i < n; i++)
        vals[i] = i32v(args[i]);
    kiln_val res[1];
    size_t nres = kiln_func_result_count(f);
    kiln_status st = kiln_func_call(f, vals, n, res, nres, err);
    if (st == KILN_OK && nres && out)
        *out = res[0].i32;
    return st;
}

static void assert_ok_still_works(kiln_instance *inst)
{
    int32_t r = 0;
    struct kiln_error err;
    int32_t arg = 41;
    cr_assert_eq(call_i32(inst, "ok", &arg, 1, &r, &err), KILN_OK, "%s", err.message);
    cr_assert_eq(r, 42);
}

static void assert_trap(kiln_instance *inst, const char *name, const int32_t *args, size_t n,
                        const char *text)
{
    struct kiln_error err;
    cr_assert_eq(call_i32(inst, name, args, n, NULL, &err), KILN_TRAPPED, "%s: %s", name,
                 err.message);
    cr_assert_str_eq(err.text, text, "%s", name);
    assert_ok_still_works(inst);
}

/* Both compiler configurations. */
ParameterizedTestParameters(rt_module, traps)
{
    static bool modes[] = {false, true};
    return cr_make_param_array(bool, modes, 2);
}

ParameterizedTest(bool *spill_all, rt_module, traps, .fini = teardown)
{
    start_engine(*spill_all);
    kiln_instance *inst = instantiate_alone("traps");
    assert_ok_still_works(inst);
    assert_trap(inst, "unreachable", NULL, 0, "unreachable");
    assert_trap(inst, "div", (int32_t[]){1, 0}, 2, "integer divide by zero");
    assert_trap(inst, "div", (int32_t[]){INT32_MIN, -1}, 2, "integer overflow");
    assert_trap(inst, "load", (int32_t[]){65533}, 1, "out of bounds memory access");
    assert_trap(inst, "load", (int32_t[]){-1}, 1, "out of bounds memory access");
    assert_trap(inst, "store", (int32_t[]){65535, 1}, 2, "out of bounds memory access");
    assert_trap(inst, "fill", (int32_t[]){65000, 0, 1000}, 3, "out of bounds memory access");
    assert_trap(inst, "call_indirect", (int32_t[]){5, 2}, 2, "uninitialized element");
    {
        struct kiln_error e2;
        call_i32(inst, "call_indirect", (int32_t[]){5, 3}, 2, NULL, &e2);
        cr_assert_str_eq(e2.message, "uninitialized element 3");
        call_i32(inst, "call_indirect", (int32_t[]){5, 1000}, 2, NULL, &e2);
        cr_assert_str_eq(e2.message, "undefined element 1000");
    }
    assert_trap(inst, "call_indirect", (int32_t[]){5, 1}, 2, "indirect call type mismatch");
    assert_trap(inst, "call_indirect", (int32_t[]){5, 4}, 2, "undefined element");
    for (int round = 0; round < 3; round++)
        assert_trap(inst, "recurse", (int32_t[]){0}, 1, "call stack exhausted");

    kiln_val f = {.type = KILN_F64, .f64 = 0x7FF8000000000000ull}; /* NaN */
    kiln_val r[1];
    struct kiln_error err;
    cr_assert_eq(kiln_func_call(kiln_instance_func(inst, "trunc"), &f, 1, r, 1, &err),
                 KILN_TRAPPED);
    cr_assert_str_eq(err.text, "invalid conversion to integer");

    /* Working calls: call_indirect through the table, memory in bounds. */
    int32_t out = 0;
    cr_assert_eq(call_i32(inst, "call_indirect", (int32_t[]){9, 0}, 2, &out, &err), KILN_OK);
    cr_assert_eq(out, 9);
    cr_assert_eq(call_i32(inst, "store", (int32_t[]){65532, 77}, 2, NULL, &err), KILN_OK);
    cr_assert_eq(call_i32(inst, "load", (int32_t[]){65528}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, 77);
    kiln_instance_free(inst);
}

ParameterizedTestParameters(rt_module, memory_grow_from_wasm)
{
    static bool modes[] = {false, true};
    return cr_make_param_array(bool, modes, 2);
}

ParameterizedTest(bool *spill_all, rt_module, memory_grow_from_wasm, .fini = teardown)
{
    start_engine(*spill_all);
    kiln_instance *inst = instantiate_alone("traps");
    struct kiln_error err;
    int32_t out = -5;
    /* Before the grow, the second page traps; after it, it works; max is 2 pages. */
    assert_trap(inst, "load", (int32_t[]){70000}, 1, "out of bounds memory access");
    cr_assert_eq(call_i32(inst, "grow", (int32_t[]){1}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, 1);
    cr_assert_eq(call_i32(inst, "size", NULL, 0, &out, &err), KILN_OK);
    cr_assert_eq(out, 2);
    cr_assert_eq(call_i32(inst, "store", (int32_t[]){70000, 5}, 2, NULL, &err), KILN_OK);
    cr_assert_eq(call_i32(inst, "load", (int32_t[]){69996}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, 5);
    cr_assert_eq(call_i32(inst, "grow", (int32_t[]){1}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, -1);
    assert_trap(inst, "load", (int32_t[]){2 * 65536 - 4}, 1, "out of bounds memory access");
    kiln_instance_free(inst);
}

/* --- Imports, host functions, linking --- */

static int host_calls;
static bool host_should_fail;

static kiln_status host_add(void *ctx, const kiln_val *args, kiln_val *results)
{
    (void)ctx;
    host_calls++;
    if (host_should_fail)
        return KILN_TRAPPED;
    results[0].i32 = args[0].i32 + args[1].i32;
    return KILN_OK;
}

struct env {
    kiln_linker *linker;
    kiln_func *add;
    kiln_memory *mem;
    kiln_global *counter;
    kiln_table *tab;
};

static void env_make(struct env *e, bool with_add)
{
    kiln_valtype p[] = {KILN_I32, KILN_I32}, r[] = {KILN_I32};
    e->linker = kiln_linker_new(engine);
    e->add = kiln_func_new_host(engine, p, 2, r, 1, host_add, NULL);
    cr_assert(e->linker && e->add);
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 3, true}, &e->mem), KILN_OK);
    cr_assert_eq(kiln_global_new(engine, KILN_I32, true, i32v(10), &e->counter), KILN_OK);
    cr_assert_eq(kiln_table_new(engine, KILN_FUNCREF, (struct kiln_limits){2, 0, false},
                                (kiln_val){.type = KILN_FUNCREF, .ref = NULL}, &e->tab),
                 KILN_OK);
    if (with_add)
        cr_assert_eq(kiln_linker_define(e->linker, "env", 3, "add", 3,
                                        (kiln_extern){.kind = KILN_EXTERN_FUNC, .func = e->add}),
                     KILN_OK);
    cr_assert_eq(kiln_linker_define(e->linker, "env", 3, "mem", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_MEMORY, .memory = e->mem}),
                 KILN_OK);
    cr_assert_eq(
        kiln_linker_define(e->linker, "env", 3, "counter", 7,
                           (kiln_extern){.kind = KILN_EXTERN_GLOBAL, .global = e->counter}),
        KILN_OK);
    cr_assert_eq(kiln_linker_define(e->linker, "env", 3, "tab", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_TABLE, .table = e->tab}),
                 KILN_OK);
}

static void env_free(struct env *e)
{
    kiln_linker_free(e->linker);
    kiln_func_free(e->add);
    kiln_memory_free(e->mem);
    kiln_global_free(e->counter);
    kiln_table_free(e->tab);
}

ParameterizedTestParameters(rt_module, imports_of_every_kind)
{
    static bool modes[] = {false, true};
    return cr_make_param_array(bool, modes, 2);
}

ParameterizedTest(bool *spill_all, rt_module, imports_of_every_kind, .fini = teardown)
{
    start_engine(*spill_all);
    struct env e;
    env_make(&e, true);
    kiln_module *m = load("imports");
    cr_assert_eq(kiln_module_import_count(m), 4);
    struct kiln_import_desc d;
    cr_assert_eq(kiln_module_import(m, 2, &d), KILN_OK);
    cr_assert_eq(d.kind, KILN_EXTERN_GLOBAL);
    cr_assert_eq(d.name_len, 7);
    cr_assert(!memcmp(d.name, "counter", 7));

    kiln_instance *inst = NULL;
    struct kiln_error err;
    host_calls = 0;
    host_should_fail = false;
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_OK, "%s", err.message);
    /* The start function ran against the imported global. */
    cr_assert_eq(kiln_global_get(e.counter).i32, 11);
    /* The element segment wrote the imported host function into the imported table. */
    kiln_val slot;
    cr_assert_eq(kiln_table_get(e.tab, 1, &slot), KILN_OK);
    cr_assert(slot.ref);

    int32_t out = 0;
    cr_assert_eq(call_i32(inst, "add3", (int32_t[]){1, 2, 3}, 3, &out, &err), KILN_OK, "%s",
                 err.message);
    cr_assert_eq(out, 6);
    cr_assert_eq(host_calls, 2);
    cr_assert_eq(call_i32(inst, "call_tab", (int32_t[]){20, 22, 1}, 3, &out, &err), KILN_OK);
    cr_assert_eq(out, 42);
    /* The re-exported host function and the funcref in the table call the host. */
    kiln_val args[2] = {i32v(5), i32v(6)}, res[1];
    cr_assert_eq(kiln_func_call(kiln_instance_func(inst, "add"), args, 2, res, 1, &err), KILN_OK);
    cr_assert_eq(res[0].i32, 11);
    kiln_func *from_table = kiln_func_from_ref(engine, slot.ref);
    cr_assert(from_table);
    cr_assert_eq(kiln_func_call(from_table, args, 2, res, 1, &err), KILN_OK);
    cr_assert_eq(res[0].i32, 11);

    /* Shared memory: writes are visible both ways, a host grow is seen by memory.size. */
    cr_assert_eq(call_i32(inst, "poke", (int32_t[]){100, 0xAB}, 2, NULL, &err), KILN_OK);
    cr_assert_eq(kiln_memory_data(e.mem)[100], 0xAB);
    kiln_memory_data(e.mem)[200] = 7;
    cr_assert_eq(call_i32(inst, "peek", (int32_t[]){200}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, 7);
    cr_assert_eq(kiln_memory_grow(e.mem, 1, NULL), KILN_OK);
    cr_assert_eq(call_i32(inst, "size", NULL, 0, &out, &err), KILN_OK);
    cr_assert_eq(out, 2);
    cr_assert_eq(call_i32(inst, "poke", (int32_t[]){70000, 1}, 2, NULL, &err), KILN_OK);

    /* A failing host function traps the Wasm caller; the instance stays usable. */
    host_should_fail = true;
    cr_assert_eq(call_i32(inst, "add3", (int32_t[]){1, 2, 3}, 3, &out, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "host function trapped");
    host_should_fail = false;
    cr_assert_eq(call_i32(inst, "add3", (int32_t[]){1, 1, 1}, 3, &out, &err), KILN_OK);
    cr_assert_eq(out, 3);

    kiln_instance_free(inst);
    kiln_module_free(m);
    env_free(&e);
}

Test(rt_module, linking_errors_use_spec_wording, .fini = teardown)
{
    start_engine(false);
    struct env e;
    env_make(&e, false);
    kiln_module *m = load("imports");
    kiln_instance *inst = NULL;
    struct kiln_error err;

    /* Missing: unknown import. */
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_ERR_UNKNOWN_IMPORT);
    cr_assert_str_eq(err.text, "unknown import");
    cr_assert(strstr(err.message, "\"env\" \"add\""), "%s", err.message);
    cr_assert_null(inst);

    /* Another kind under the name: incompatible import type. */
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "add", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_GLOBAL, .global = e.counter}),
                 KILN_OK);
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_ERR_INCOMPATIBLE_IMPORT);
    cr_assert_str_eq(err.text, "incompatible import type");

    /* A function of another type. */
    kiln_valtype p1[] = {KILN_I32};
    kiln_func *wrong = kiln_func_new_host(engine, p1, 1, p1, 1, host_add, NULL);
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "add", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_FUNC, .func = wrong}),
                 KILN_OK);
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_ERR_INCOMPATIBLE_IMPORT);
    cr_assert_str_eq(err.text, "incompatible import type");
    kiln_func_free(wrong);

    /* Right function, but a global of the wrong mutability and a memory too small. */
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "add", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_FUNC, .func = e.add}),
                 KILN_OK);
    kiln_global *immutable = NULL;
    cr_assert_eq(kiln_global_new(engine, KILN_I32, false, i32v(0), &immutable), KILN_OK);
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "counter", 7,
                                    (kiln_extern){.kind = KILN_EXTERN_GLOBAL, .global = immutable}),
                 KILN_OK);
    kiln_global_free(immutable); /* the linker holds it */
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_ERR_INCOMPATIBLE_IMPORT);
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "counter", 7,
                                    (kiln_extern){.kind = KILN_EXTERN_GLOBAL, .global = e.counter}),
                 KILN_OK);
    kiln_memory *small = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){0, 0, false}, &small), KILN_OK);
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "mem", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_MEMORY, .memory = small}),
                 KILN_OK);
    kiln_memory_free(small);
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_ERR_INCOMPATIBLE_IMPORT);

    /* All right at last. */
    cr_assert_eq(kiln_linker_define(e.linker, "env", 3, "mem", 3,
                                    (kiln_extern){.kind = KILN_EXTERN_MEMORY, .memory = e.mem}),
                 KILN_OK);
    cr_assert_eq(kiln_linker_instantiate(e.linker, m, &inst, &err), KILN_OK, "%s", err.message);
    kiln_instance_free(inst);
    kiln_module_free(m);
    env_free(&e);
}

Test(rt_module, instance_exports_link_into_another_instance, .fini = teardown)
{
    start_engine(false);
    kiln_instance *ex = instantiate_alone("exporter");
    kiln_linker *linker = kiln_linker_new(engine);
    cr_assert_eq(kiln_linker_define_instance(linker, "ex", 2, ex), KILN_OK);
    kiln_module *m = load("importer");
    kiln_instance *im = NULL;
    struct kiln_error err;
    cr_assert_eq(kiln_linker_instantiate(linker, m, &im, &err), KILN_OK, "%s", err.message);
    kiln_module_free(m);
    kiln_linker_free(linker);
    /* The importer keeps the exporter alive. */
    kiln_extern g_ext;
    cr_assert_eq(kiln_instance_export(ex, "g", 1, &g_ext), KILN_OK);
    cr_assert_eq(g_ext.kind, KILN_EXTERN_GLOBAL);
    kiln_global *g = g_ext.global;
    kiln_instance_free(ex);

    int32_t out = 0;
    cr_assert_eq(call_i32(im, "quad", (int32_t[]){5}, 1, &out, &err), KILN_OK, "%s", err.message);
    cr_assert_eq(out, 20);
    cr_assert_eq(call_i32(im, "byte", (int32_t[]){17}, 1, &out, &err), KILN_OK);
    cr_assert_eq(out, 'i');
    /* The global is one cell: set through the importer, read through the API. */
    kiln_val v = {.type = KILN_I64, .i64 = 1234567890123ll};
    cr_assert_eq(kiln_func_call(kiln_instance_func(im, "set_g"), &v, 1, NULL, 0, &err), KILN_OK);
    cr_assert_eq(kiln_global_get(g).i64, 1234567890123ll);
    kiln_val r;
    cr_assert_eq(kiln_func_call(kiln_instance_func(im, "g"), NULL, 0, &r, 1, &err), KILN_OK);
    cr_assert_eq(r.type, KILN_I64);
    cr_assert_eq(r.i64, 1234567890123ll);
    kiln_instance_free(im);
}

Test(rt_module, funcref_from_an_exported_table_can_be_called, .fini = teardown)
{
    start_engine(false);
    kiln_instance *ex = instantiate_alone("exporter");
    kiln_extern t;
    cr_assert_eq(kiln_instance_export(ex, "t", 1, &t), KILN_OK);
    cr_assert_eq(t.kind, KILN_EXTERN_TABLE);
    kiln_val ref;
    cr_assert_eq(kiln_table_get(t.table, 0, &ref), KILN_OK);
    cr_assert_eq(ref.type, KILN_FUNCREF);
    kiln_func *f = kiln_func_from_ref(engine, ref.ref);
    cr_assert(f);
    cr_assert_eq(kiln_func_to_ref(f), ref.ref);
    kiln_val arg = i32v(21), res;
    struct kiln_error err;
    cr_assert_eq(kiln_func_call(f, &arg, 1, &res, 1, &err), KILN_OK);
    cr_assert_eq(res.i32, 42);
    cr_assert_eq(kiln_table_get(t.table, 1, &ref), KILN_OK);
    cr_assert_null(ref.ref);
    kiln_instance_free(ex);
}

/* --- Instantiation-time failures --- */

Test(rt_module, data_segment_out_of_bounds_traps_and_keeps_earlier_writes, .fini = teardown)
{
    start_engine(false);
    kiln_memory *mem = NULL;
    cr_assert_eq(kiln_memory_new(engine, (struct kiln_limits){1, 0, false}, &mem), KILN_OK);
    kiln_module *m = load("segments_oob");
    kiln_extern imp = {.kind = KILN_EXTERN_MEMORY, .memory = mem};
    kiln_instance *inst = NULL;
    struct kiln_error err;
    cr_assert_eq(kiln_instance_new(m, &imp, 1, &inst, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "out of bounds memory access");
    cr_assert_null(inst);
    cr_assert_eq(kiln_memory_data(mem)[0], 'o');
    cr_assert_eq(kiln_memory_data(mem)[65535], 0);
    kiln_module_free(m);
    kiln_memory_free(mem);
}

Test(rt_module, elem_segment_and_start_traps, .fini = teardown)
{
    start_engine(false);
    kiln_instance *inst = NULL;
    struct kiln_error err;
    kiln_module *m = load("elem_oob");
    cr_assert_eq(kiln_instance_new(m, NULL, 0, &inst, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "out of bounds table access");
    kiln_module_free(m);
    m = load("start_trap");
    cr_assert_eq(kiln_instance_new(m, NULL, 0, &inst, &err), KILN_TRAPPED);
    cr_assert_str_eq(err.text, "unreachable");
    cr_assert_null(inst);
    kiln_module_free(m);
    /* Wrong import count. */
    m = load("imports");
    cr_assert_eq(kiln_instance_new(m, NULL, 0, &inst, &err), KILN_ERR_UNKNOWN_IMPORT);
    kiln_module_free(m);
}

Test(rt_module, malformed_and_invalid_modules, .fini = teardown)
{
    start_engine(false);
    kiln_module *m = NULL;
    struct kiln_error err;
    static const uint8_t bad_version[] = {0, 'a', 's', 'm', 2, 0, 0, 0};
    cr_assert_eq(kiln_module_new(engine, bad_version, sizeof bad_version, &m, &err),
                 KILN_ERR_MALFORMED);
    cr_assert_str_eq(err.text, "unknown binary version");
    cr_assert_null(m);
    static const uint8_t truncated[] = {0, 'a', 's'};
    cr_assert_eq(kiln_module_new(engine, truncated, sizeof truncated, &m, &err),
                 KILN_ERR_MALFORMED);
    size_t size;
    uint8_t *bytes = rt_test_read_wasm("invalid", &size);
    cr_assert_eq(kiln_module_new(engine, bytes, size, &m, &err), KILN_ERR_INVALID);
    cr_assert_str_eq(err.text, "type mismatch");
    free(bytes);
    cr_assert_eq(kiln_module_new(NULL, bad_version, 8, &m, &err), KILN_ERR_INVALID_ARGUMENT);
}

Test(rt_module, stats_and_exports, .fini = teardown)
{
    start_engine(false);
    kiln_module *m = load("exporter");
    struct kiln_module_stats s;
    kiln_module_stats(m, &s);
    cr_assert_eq(s.functions, 2);
    cr_assert_gt(s.code_bytes, 0);
    cr_assert_gt(s.wasm_bytes, 8);
    cr_assert_eq(kiln_module_export_count(m), 5);
    struct kiln_export_desc d;
    cr_assert_eq(kiln_module_export(m, 3, &d), KILN_OK);
    cr_assert_eq(d.kind, KILN_EXTERN_MEMORY);
    cr_assert_eq(kiln_module_export(m, 5, &d), KILN_ERR_INVALID_ARGUMENT);
    kiln_module_free(m);
}

/* --- Another thread: its own stack limit and signal stack --- */

static void *thread_body(void *arg)
{
    kiln_instance *inst = arg;
    int32_t zero = 0;
    struct kiln_error err;
    for (int round = 0; round < 2; round++) {
        if (call_i32(inst, "recurse", &zero, 1, NULL, &err) != KILN_TRAPPED ||
            strcmp(err.text, "call stack exhausted") != 0)
            return (void *)"recursion did not trap";
        if (call_i32(inst, "load", (int32_t[]){-1}, 1, NULL, &err) != KILN_TRAPPED ||
            strcmp(err.text, "out of bounds memory access") != 0)
            return (void *)"out-of-bounds load did not trap";
    }
    int32_t r = 0, arg41 = 41;
    if (call_i32(inst, "ok", &arg41, 1, &r, &err) != KILN_OK || r != 42)
        return (void *)"normal call failed";
    return NULL;
}

Test(rt_module, calls_from_another_thread_use_that_threads_stack, .fini = teardown)
{
    start_engine(false);
    kiln_instance *inst = instantiate_alone("traps");
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)2 << 20);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, &attr, thread_body, inst), 0);
    void *result = NULL;
    pthread_join(t, &result);
    pthread_attr_destroy(&attr);
    cr_assert_null(result, "%s", (const char *)result);
    /* Back on the main thread: its own limit again. */
    assert_trap(inst, "recurse", (int32_t[]){0}, 1, "call stack exhausted");
    kiln_instance_free(inst);
}
