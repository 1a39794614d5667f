/* SPDX-License-Identifier: Apache-2.0 */
/* Instance lifetime when funcrefs escape: a funcref stored into another instance's (or the
 * embedder's) table or global keeps its instance alive after kiln_instance_free, so calling
 * through it later is safe (run under ASan: a freed instance or unmapped code would be a
 * use-after-free or a crash). Instances whose funcrefs never left them are destroyed at once. */
#include "rt/runtime.h"
#include "runtime_impl.h"
#include "wasm_file.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static kiln_engine *engine;

static void setup(void)
{
    engine = kiln_engine_new(NULL);
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

static kiln_instance *instantiate(const char *name, const kiln_extern *imports, size_t n)
{
    kiln_module *m = load(name);
    kiln_instance *inst = NULL;
    struct kiln_error err;
    cr_assert_eq(kiln_instance_new(m, imports, n, &inst, &err), KILN_OK, "%s: %s", name,
                 err.message);
    kiln_module_free(m);
    return inst;
}

static kiln_extern export_of(kiln_instance *inst, const char *name)
{
    kiln_extern ext;
    cr_assert_eq(kiln_instance_export(inst, name, strlen(name), &ext), KILN_OK, "%s", name);
    return ext;
}

/* Calls export `name` (params: `arg` if >= 0) and returns its i32 result. */
static int32_t call_i32(kiln_instance *inst, const char *name, int32_t arg)
{
    kiln_func *f = kiln_instance_func(inst, name);
    cr_assert(f, "no export %s", name);
    kiln_val a = {.type = KILN_I32, .i32 = arg}, r;
    struct kiln_error err;
    kiln_status st = kiln_func_call(f, &a, arg >= 0 ? 1 : 0, &r, 1, &err);
    cr_assert_eq(st, KILN_OK, "%s: %s", name, err.message);
    return r.i32;
}

static void call_void(kiln_instance *inst, const char *name)
{
    kiln_func *f = kiln_instance_func(inst, name);
    cr_assert(f, "no export %s", name);
    struct kiln_error err;
    cr_assert_eq(kiln_func_call(f, NULL, 0, NULL, 0, &err), KILN_OK, "%s: %s", name, err.message);
}

static size_t live_instances(void)
{
    size_t n = 0;
    for (kiln_instance *i = engine->instances; i; i = i->next_in_engine)
        n++;
    return n;
}

TestSuite(rt_lifetime, .init = setup, .fini = teardown);

Test(rt_lifetime, table_entries_keep_their_instance_alive)
{
    kiln_instance *holder = instantiate("lifetime_holder", NULL, 0);
    kiln_extern t = export_of(holder, "t");
    kiln_instance *writer = instantiate("lifetime_writer", &t, 1);
    call_void(writer, "set1");
    cr_assert_eq(call_i32(holder, "call", 0), 42); /* element segment, at instantiation */
    cr_assert_eq(call_i32(holder, "call", 1), 43); /* table.set, at run time */
    kiln_instance_free(writer);
    cr_expect_eq(engine->retired_count, 1, "the writer is retired, not destroyed");
    cr_expect_eq(call_i32(holder, "call", 0), 42);
    cr_expect_eq(call_i32(holder, "call", 1), 43);
    cr_expect_eq(call_i32(holder, "call", 2), 7);
    kiln_instance_free(holder);
    /* teardown frees the engine and, with it, the retired writer (LSan: no leak) */
}

Test(rt_lifetime, a_global_entry_keeps_its_instance_alive)
{
    kiln_instance *holder = instantiate("lifetime_holder", NULL, 0);
    kiln_extern g = export_of(holder, "g");
    kiln_instance *writer = instantiate("lifetime_gwriter", &g, 1);
    call_void(writer, "setg");
    kiln_instance_free(writer);
    cr_expect_eq(call_i32(holder, "call_g", -1), 44);
    kiln_instance_free(holder);
}

Test(rt_lifetime, embedder_table_set_keeps_the_function_alive)
{
    kiln_instance *holder = instantiate("lifetime_holder", NULL, 0);
    kiln_table *t = export_of(holder, "t").table;
    kiln_instance *other = instantiate("lifetime_private", NULL, 0);
    kiln_val ref = {.type = KILN_FUNCREF,
                    .ref = kiln_func_to_ref(kiln_instance_func(other, "run"))};
    cr_assert_eq(kiln_table_set(t, 1, ref), KILN_OK);
    kiln_instance_free(other);
    cr_expect_eq(call_i32(holder, "call", 1), 5);
    kiln_instance_free(holder);
}

Test(rt_lifetime, a_shared_table_keeps_its_defining_instance_alive)
{
    /* The holder defines the table and one of its functions sits in it; the writer imports the
     * table. Freeing the holder first must leave its function callable through the table. */
    kiln_instance *holder = instantiate("lifetime_holder", NULL, 0);
    kiln_extern t = export_of(holder, "t");
    kiln_instance *writer = instantiate("lifetime_writer", &t, 1);
    kiln_instance_free(holder);
    cr_expect_eq(call_i32(writer, "call", 2), 7);
    cr_expect_eq(call_i32(writer, "call", 0), 42);
    kiln_instance_free(writer);
}

Test(rt_lifetime, private_instances_are_destroyed_at_once)
{
    size_t before = live_instances();
    for (int i = 0; i < 50; i++) {
        kiln_instance *inst = instantiate("lifetime_private", NULL, 0);
        cr_assert_eq(call_i32(inst, "run", -1), 5);
        kiln_instance_free(inst);
    }
    cr_expect_eq(engine->retired_count, 0);
    cr_expect_eq(live_instances(), before);
    /* A holder freed with nothing foreign in it and its table not shared is destroyed too. */
    kiln_instance *holder = instantiate("lifetime_holder", NULL, 0);
    kiln_instance_free(holder);
    cr_expect_eq(engine->retired_count, 0);
    cr_expect_eq(live_instances(), before);
}
