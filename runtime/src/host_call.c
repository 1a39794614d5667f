/* SPDX-License-Identifier: Apache-2.0 */
/* Function handles: host functions written in C, calls from C into Wasm through the entry
 * trampolines, and calls from Wasm into C through the import thunks (rt_host_call). */
#include "os.h"
#include "runtime_impl.h"

#include <stdlib.h>
#include <string.h>

const struct rt_functype *rt_func_type(const kiln_func *func)
{
    return rt_engine_type(func->engine, func->ref.type_id);
}

kiln_func *kiln_func_new_host(kiln_engine *engine, const kiln_valtype *params, size_t nparams,
                              const kiln_valtype *results, size_t nresults, kiln_host_fn fn,
                              void *ctx)
{
    if (!engine || !fn || (nparams && !params) || (nresults && !results) || nparams > 1000 ||
        nresults > 1000)
        return NULL;
    for (size_t i = 0; i < nparams + nresults; i++) {
        kiln_valtype t = i < nparams ? params[i] : results[i - nparams];
        if (t != KILN_I32 && t != KILN_I64 && t != KILN_F32 && t != KILN_F64 && t != KILN_FUNCREF &&
            t != KILN_EXTERNREF)
            return NULL;
    }
    uint32_t id =
        rt_engine_intern_type(engine, params, (uint32_t)nparams, results, (uint32_t)nresults);
    if (id == UINT32_MAX)
        return NULL;
    kiln_func *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ref.type_id = id;
    f->engine = engine;
    f->refcount = 1;
    f->host_fn = fn;
    f->host_ctx = ctx;
    return f;
}

void rt_func_retain(kiln_func *func)
{
    if (func->owner)
        rt_instance_retain(func->owner);
    else
        func->refcount++;
}

void kiln_func_free(kiln_func *func)
{
    if (!func || func->owner || func->refcount == 0)
        return; /* borrowed from an instance */
    if (--func->refcount == 0)
        free(func);
}

size_t kiln_func_param_count(const kiln_func *func)
{
    return func ? rt_func_type(func)->nparams : 0;
}

size_t kiln_func_result_count(const kiln_func *func)
{
    return func ? rt_func_type(func)->nresults : 0;
}

kiln_valtype kiln_func_param_type(const kiln_func *func, size_t index)
{
    const struct rt_functype *t = rt_func_type(func);
    return index < t->nparams ? t->types[index] : KILN_I32;
}

kiln_valtype kiln_func_result_type(const kiln_func *func, size_t index)
{
    const struct rt_functype *t = rt_func_type(func);
    return index < t->nresults ? t->types[t->nparams + index] : KILN_I32;
}

void *kiln_func_to_ref(kiln_func *func)
{
    /* A standalone host function has no code Wasm can call until an instance imports it. */
    return func && func->owner ? &func->ref : NULL;
}

kiln_func *kiln_func_from_ref(kiln_engine *engine, void *ref)
{
    (void)engine;
    /* Every funcref kiln hands out is the first member of a kiln_func. */
    return ref ? (kiln_func *)ref : NULL;
}

/* --- Calls --- */

#define SMALL_SLOTS 16

kiln_status kiln_func_call(kiln_func *func, const kiln_val *args, size_t nargs, kiln_val *results,
                           size_t nresults, struct kiln_error *out_err)
{
    rt_error_clear(out_err);
    if (!func || (nargs && !args) || (nresults && !results))
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "NULL function or arrays");
    const struct rt_functype *t = rt_func_type(func);
    if (nargs != t->nparams)
        return rt_fail(out_err, KILN_ERR_TYPE_MISMATCH, NULL, "expected %u arguments, got %zu",
                       (unsigned)t->nparams, nargs);
    if (nresults != t->nresults)
        return rt_fail(out_err, KILN_ERR_TYPE_MISMATCH, NULL, "expected %u results, got %zu",
                       (unsigned)t->nresults, nresults);
    for (size_t i = 0; i < nargs; i++)
        if (args[i].type != t->types[i])
            return rt_fail(out_err, KILN_ERR_TYPE_MISMATCH, NULL,
                           "argument %zu: expected %s, got %s", i, kiln_valtype_name(t->types[i]),
                           kiln_valtype_name(args[i].type));
    /* A funcref handed to another instance (or the host) may be kept in its globals. */
    for (size_t i = 0; i < nargs; i++)
        if (args[i].type == KILN_FUNCREF)
            rt_funcref_escapes(args[i].ref, func->host_fn ? NULL : func->owner);

    if (func->host_fn) {
        for (size_t i = 0; i < nresults; i++) {
            memset(&results[i], 0, sizeof results[i]);
            results[i].type = t->types[t->nparams + i];
        }
        if (func->host_fn(func->host_ctx, args, results) != KILN_OK)
            return rt_fail_trap(out_err, KILN_TRAP_HOST, UINT32_MAX);
        return KILN_OK;
    }

    size_t nslots = nargs > nresults ? nargs : nresults;
    if (nslots == 0)
        nslots = 1;
    if (!rt_os_in_guarded_call())
        rt_engine_enter(func->engine);
    uint64_t small[SMALL_SLOTS];
    uint64_t *slots = nslots <= SMALL_SLOTS ? small : malloc(nslots * sizeof *slots);
    if (!slots)
        return rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    for (size_t i = 0; i < nargs; i++)
        slots[i] = rt_val_to_slot(args[i]);
    kiln_status st = rt_call_wasm(rt_entry_from_address(func->entry), func->ref.vmctx,
                                  func->ref.code, slots, out_err);
    if (st == KILN_OK)
        for (size_t i = 0; i < nresults; i++)
            results[i] = rt_val_from_slot(t->types[t->nparams + i], slots[i]);
    if (slots != small)
        free(slots);
    return st;
}

/* Called by an import thunk with the arguments in `slots`; writes the results back there. A
 * failing host function traps the calling Wasm code. */
void rt_host_call(void *host_ctx, struct cg_vmctx *caller_vmctx, uint64_t *slots)
{
    (void)caller_vmctx;
    kiln_func *host = host_ctx;
    const struct rt_functype *t = rt_func_type(host);
    kiln_val small_args[SMALL_SLOTS], small_results[SMALL_SLOTS];
    kiln_val *args = small_args, *results = small_results;
    if (t->nparams > SMALL_SLOTS || t->nresults > SMALL_SLOTS) {
        args = malloc((t->nparams + 1) * sizeof *args);
        results = malloc((t->nresults + 1) * sizeof *results);
        if (!args || !results) {
            free(args);
            free(results);
            rt_trap_raise(KILN_TRAP_HOST, UINT32_MAX);
        }
    }
    for (uint32_t i = 0; i < t->nparams; i++)
        args[i] = rt_val_from_slot(t->types[i], slots[i]);
    for (uint32_t i = 0; i < t->nresults; i++)
        results[i] = rt_val_from_slot(t->types[t->nparams + i], 0);
    kiln_status st = host->host_fn(host->host_ctx, args, results);
    if (st == KILN_OK)
        for (uint32_t i = 0; i < t->nresults; i++) {
            results[i].type = t->types[t->nparams + i];
            slots[i] = rt_val_to_slot(results[i]);
        }
    if (args != small_args) {
        free(args);
        free(results);
    }
    if (st != KILN_OK)
        rt_trap_raise(KILN_TRAP_HOST, UINT32_MAX);
}
