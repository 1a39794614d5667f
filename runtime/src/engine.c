/* SPDX-License-Identifier: Apache-2.0 */
/* The engine: configuration, the canonical function-type table that makes call_indirect's
 * signature check one integer compare across modules, error filling, and the registry of sealed
 * code blobs the fault handler consults. */
#include "os.h"
#include "runtime_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Errors --- */

void rt_error_clear(struct kiln_error *err)
{
    if (!err)
        return;
    err->status = KILN_OK;
    err->trap = KILN_TRAP_NONE;
    err->text = "ok";
    err->offset = 0;
    err->message[0] = '\0';
}

kiln_status rt_fail(struct kiln_error *err, kiln_status status, const char *text, const char *fmt,
                    ...)
{
    if (!err)
        return status;
    err->status = status;
    err->trap = KILN_TRAP_NONE;
    err->text = text ? text : kiln_status_text(status);
    err->offset = 0;
    if (fmt) {
        char detail[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        snprintf(err->message, sizeof err->message, "%s: %s", err->text, detail);
    } else {
        snprintf(err->message, sizeof err->message, "%s", err->text);
    }
    return status;
}

kiln_status rt_fail_trap(struct kiln_error *err, kiln_trap trap, uint32_t detail)
{
    if (!err)
        return KILN_TRAPPED;
    err->status = KILN_TRAPPED;
    err->trap = trap;
    err->text = kiln_trap_text(trap);
    err->offset = 0;
    if (detail != UINT32_MAX)
        snprintf(err->message, sizeof err->message, "%s %u", err->text, (unsigned)detail);
    else
        snprintf(err->message, sizeof err->message, "%s", err->text);
    return KILN_TRAPPED;
}

/* --- Value types --- */

const char *kiln_valtype_name(kiln_valtype type)
{
    switch (type) {
    case KILN_I32:
        return "i32";
    case KILN_I64:
        return "i64";
    case KILN_F32:
        return "f32";
    case KILN_F64:
        return "f64";
    case KILN_V128:
        return "v128";
    case KILN_FUNCREF:
        return "funcref";
    case KILN_EXTERNREF:
        return "externref";
    }
    return "?";
}

bool rt_valtype_from_wdec(uint8_t wdec_type, kiln_valtype *out_type)
{
    switch (wdec_type) {
    case WDEC_I32:
        *out_type = KILN_I32;
        return true;
    case WDEC_I64:
        *out_type = KILN_I64;
        return true;
    case WDEC_F32:
        *out_type = KILN_F32;
        return true;
    case WDEC_F64:
        *out_type = KILN_F64;
        return true;
    case WDEC_V128:
        *out_type = KILN_V128;
        return true;
    case WDEC_FUNCREF:
        *out_type = KILN_FUNCREF;
        return true;
    case WDEC_EXTERNREF:
        *out_type = KILN_EXTERNREF;
        return true;
    default:
        return false;
    }
}

/* --- Engine --- */

/* Stack kept free below the Wasm stack limit for what runs there: the trap path, host functions
 * called at the deepest point, runtime helpers (more under ASan). */
#define STACK_HEADROOM (256u * 1024u)
/* The most stack Wasm gets by default, whatever the thread has: with `ulimit -s unlimited` the
 * stack's low end is far away and runaway recursion would eat memory instead of trapping. */
#define DEFAULT_MAX_BUDGET ((uintptr_t)32 << 20)

void kiln_config_init(struct kiln_config *out_config)
{
    if (!out_config)
        return;
    memset(out_config, 0, sizeof *out_config);
}

/* The limit generated code compares rsp with: the stack's low end plus headroom, or the current
 * stack pointer minus the configured budget if that is higher. Also the stack's high end, so a
 * call from another thread (another stack) can be recognised. */
static void compute_stack_limit(const struct kiln_config *config, uintptr_t *out_limit,
                                uintptr_t *out_high)
{
    uintptr_t low = 0, high = 0;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t limit;
    if (rt_os_stack_bounds(&low, &high) && sp > low + STACK_HEADROOM && sp < high) {
        limit = low + STACK_HEADROOM;
    } else {
        limit = sp > (uintptr_t)(1u << 20) ? sp - (1u << 20) : 0; /* unknown: 1 MiB budget */
        high = sp + ((uintptr_t)1 << 20);
    }
    if (sp > DEFAULT_MAX_BUDGET && sp - DEFAULT_MAX_BUDGET > limit)
        limit = sp - DEFAULT_MAX_BUDGET;
    if (config->wasm_stack_budget && sp > config->wasm_stack_budget &&
        sp - config->wasm_stack_budget > limit)
        limit = sp - config->wasm_stack_budget;
    *out_limit = limit;
    *out_high = high;
}

void rt_engine_enter(kiln_engine *engine)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp > engine->stack_limit && sp < engine->stack_high)
        return;
    /* Not the stack the limit was computed for: another thread. Its limit applies to every
     * instance, since calls cross instances through imports and tables. */
    rt_os_ensure_altstack();
    compute_stack_limit(&engine->config, &engine->stack_limit, &engine->stack_high);
    for (kiln_instance *i = engine->instances; i; i = i->next_in_engine)
        i->vmctx.stack_limit = engine->stack_limit;
}

void rt_engine_add_instance(kiln_engine *engine, kiln_instance *instance)
{
    instance->prev_in_engine = NULL;
    instance->next_in_engine = engine->instances;
    if (engine->instances)
        engine->instances->prev_in_engine = instance;
    engine->instances = instance;
}

void rt_engine_remove_instance(kiln_engine *engine, kiln_instance *instance)
{
    if (instance->prev_in_engine)
        instance->prev_in_engine->next_in_engine = instance->next_in_engine;
    else if (engine->instances == instance)
        engine->instances = instance->next_in_engine;
    if (instance->next_in_engine)
        instance->next_in_engine->prev_in_engine = instance->prev_in_engine;
    instance->next_in_engine = instance->prev_in_engine = NULL;
}

kiln_engine *kiln_engine_new(const struct kiln_config *config)
{
    if (!rt_traps_init())
        return NULL;
    kiln_engine *engine = calloc(1, sizeof *engine);
    if (!engine)
        return NULL;
    if (config)
        engine->config = *config;
    else
        kiln_config_init(&engine->config);
    compute_stack_limit(&engine->config, &engine->stack_limit, &engine->stack_high);
    return engine;
}

void kiln_engine_free(kiln_engine *engine)
{
    if (!engine)
        return;
    for (size_t i = engine->retired_count; i-- > 0;)
        rt_instance_destroy_retired(engine->retired[i]);
    free(engine->retired);
    for (uint32_t i = 0; i < engine->type_count; i++)
        free(engine->types[i].types);
    free(engine->types);
    free(engine);
}

bool rt_engine_retire(kiln_engine *engine, kiln_instance *instance)
{
    if (engine->retired_count == engine->retired_cap) {
        size_t cap = engine->retired_cap ? engine->retired_cap * 2 : 8;
        kiln_instance **grown = realloc(engine->retired, cap * sizeof *grown);
        if (!grown)
            return false;
        engine->retired = grown;
        engine->retired_cap = cap;
    }
    engine->retired[engine->retired_count++] = instance;
    return true;
}

uint32_t rt_engine_intern_type(kiln_engine *engine, const kiln_valtype *params, uint32_t nparams,
                               const kiln_valtype *results, uint32_t nresults)
{
    for (uint32_t i = 0; i < engine->type_count; i++) {
        const struct rt_functype *t = &engine->types[i];
        if (t->nparams != nparams || t->nresults != nresults)
            continue;
        if (nparams && memcmp(t->types, params, nparams * sizeof *params) != 0)
            continue;
        if (nresults && memcmp(t->types + nparams, results, nresults * sizeof *results) != 0)
            continue;
        return i;
    }
    if (engine->type_count == engine->type_cap) {
        uint32_t cap = engine->type_cap ? engine->type_cap * 2 : 16;
        struct rt_functype *grown = realloc(engine->types, cap * sizeof *grown);
        if (!grown)
            return UINT32_MAX;
        engine->types = grown;
        engine->type_cap = cap;
    }
    size_t n = (size_t)nparams + nresults;
    kiln_valtype *types = malloc(n ? n * sizeof *types : 1);
    if (!types)
        return UINT32_MAX;
    if (nparams)
        memcpy(types, params, nparams * sizeof *params);
    if (nresults)
        memcpy(types + nparams, results, nresults * sizeof *results);
    struct rt_functype *t = &engine->types[engine->type_count];
    t->nparams = nparams;
    t->nresults = nresults;
    t->types = types;
    return engine->type_count++;
}

const struct rt_functype *rt_engine_type(const kiln_engine *engine, uint32_t type_id)
{
    return type_id < engine->type_count ? &engine->types[type_id] : NULL;
}

/* --- Code regions --- */

/* A small array scanned by the fault handler. Updated only outside Wasm code on the thread that
 * owns the engine, so the handler never sees it half-written. */
struct code_region {
    uintptr_t start, end;
    kiln_module *module;
};
static struct code_region *regions;
static size_t region_count, region_cap;

bool rt_code_register(kiln_module *module, uintptr_t start, size_t size)
{
    if (region_count == region_cap) {
        size_t cap = region_cap ? region_cap * 2 : 16;
        struct code_region *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return false;
        if (region_count)
            memcpy(grown, regions, region_count * sizeof *grown);
        struct code_region *old = regions;
        regions = grown; /* the handler sees either array, both complete */
        region_cap = cap;
        free(old);
    }
    regions[region_count] = (struct code_region){start, start + size, module};
    region_count++;
    return true;
}

void rt_code_unregister(kiln_module *module)
{
    for (size_t i = 0; i < region_count; i++) {
        if (regions[i].module == module) {
            regions[i] = regions[region_count - 1];
            region_count--;
            return;
        }
    }
}

kiln_module *rt_code_lookup(uintptr_t pc)
{
    for (size_t i = 0; i < region_count; i++)
        if (pc >= regions[i].start && pc < regions[i].end)
            return regions[i].module;
    return NULL;
}
