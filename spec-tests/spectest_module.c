/* SPDX-License-Identifier: Apache-2.0 */
/* The `spectest` host module every spec script may import from, built with kiln's embedding
 * API exactly as the reference interpreter's spectest.ml defines it. */
#include "spec_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct print_func {
    const char *name;
    kiln_valtype params[2];
    size_t nparams;
};

static const struct print_func print_funcs[] = {
    {"print", {KILN_I32, KILN_I32}, 0},         {"print_i32", {KILN_I32, KILN_I32}, 1},
    {"print_i64", {KILN_I64, KILN_I64}, 1},     {"print_f32", {KILN_F32, KILN_F32}, 1},
    {"print_f64", {KILN_F64, KILN_F64}, 1},     {"print_i32_f32", {KILN_I32, KILN_F32}, 2},
    {"print_f64_f64", {KILN_F64, KILN_F64}, 2},
};

/* One context per print function: its description and the runner's verbose flag. */
struct print_ctx {
    const struct print_func *desc;
    bool *verbose;
};

static struct print_ctx print_ctxs[sizeof print_funcs / sizeof print_funcs[0]];

static kiln_status print_host(void *ctx, const kiln_val *args, kiln_val *results)
{
    (void)results;
    const struct print_ctx *p = ctx;
    if (!*p->verbose)
        return KILN_OK;
    printf("called host spectest.%s(", p->desc->name);
    for (size_t i = 0; i < p->desc->nparams; i++) {
        char text[64];
        spec_kiln_val_format(&args[i], text, sizeof text);
        printf("%s%s", i ? ", " : "", text);
    }
    printf(")\n");
    return KILN_OK;
}

static kiln_status define(kiln_linker *linker, const char *name, kiln_extern ext)
{
    return kiln_linker_define(linker, "spectest", strlen("spectest"), name, strlen(name), ext);
}

static kiln_status define_global(kiln_engine *engine, kiln_linker *linker, const char *name,
                                 kiln_val init)
{
    kiln_global *g = NULL;
    kiln_status s = kiln_global_new(engine, init.type, false, init, &g);
    if (s)
        return s;
    kiln_extern ext = {.kind = KILN_EXTERN_GLOBAL, .global = g};
    s = define(linker, name, ext);
    kiln_global_free(g); /* the linker holds its own reference */
    return s;
}

kiln_status spec_spectest_define(kiln_engine *engine, kiln_linker *linker, bool *verbose)
{
    kiln_status s;
    for (size_t i = 0; i < sizeof print_funcs / sizeof print_funcs[0]; i++) {
        print_ctxs[i].desc = &print_funcs[i];
        print_ctxs[i].verbose = verbose;
        kiln_func *f = kiln_func_new_host(engine, print_funcs[i].params, print_funcs[i].nparams,
                                          NULL, 0, print_host, &print_ctxs[i]);
        if (!f)
            return KILN_ERR_OUT_OF_MEMORY;
        kiln_extern ext = {.kind = KILN_EXTERN_FUNC, .func = f};
        s = define(linker, print_funcs[i].name, ext);
        kiln_func_free(f);
        if (s)
            return s;
    }

    /* spectest.ml: 666 for the integers, 666.6 for the floats. */
    float f32 = 666.6f;
    double f64 = 666.6;
    kiln_val v;
    memset(&v, 0, sizeof v);
    v.type = KILN_I32;
    v.i32 = 666;
    if ((s = define_global(engine, linker, "global_i32", v)))
        return s;
    v.type = KILN_I64;
    v.i64 = 666;
    if ((s = define_global(engine, linker, "global_i64", v)))
        return s;
    v.type = KILN_F32;
    memcpy(&v.f32, &f32, sizeof f32);
    if ((s = define_global(engine, linker, "global_f32", v)))
        return s;
    v.type = KILN_F64;
    memcpy(&v.f64, &f64, sizeof f64);
    if ((s = define_global(engine, linker, "global_f64", v)))
        return s;

    kiln_val null_ref;
    memset(&null_ref, 0, sizeof null_ref);
    null_ref.type = KILN_FUNCREF;
    kiln_table *table = NULL;
    struct kiln_limits table_limits = {.min = 10, .max = 20, .has_max = true};
    if ((s = kiln_table_new(engine, KILN_FUNCREF, table_limits, null_ref, &table)))
        return s;
    kiln_extern table_ext = {.kind = KILN_EXTERN_TABLE, .table = table};
    s = define(linker, "table", table_ext);
    kiln_table_free(table);
    if (s)
        return s;

    kiln_memory *memory = NULL;
    struct kiln_limits memory_limits = {.min = 1, .max = 2, .has_max = true};
    if ((s = kiln_memory_new(engine, memory_limits, &memory)))
        return s;
    kiln_extern memory_ext = {.kind = KILN_EXTERN_MEMORY, .memory = memory};
    s = define(linker, "memory", memory_ext);
    kiln_memory_free(memory);
    return s;
}
