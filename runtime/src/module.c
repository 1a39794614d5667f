/* SPDX-License-Identifier: Apache-2.0 */
/* Modules: decode (frontend, bodies deferred), validate and compile every body in one pass
 * (compiler), seal the blob RX through the assembler's code memory, and keep what instances need:
 * the decoded module, canonical type ids, code offsets and trap sites. */
#include "os.h"
#include "runtime_impl.h"
#include "x64/code_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Error mapping --- */

/* status.h lists the malformed statuses first, from "unexpected end" up to the first invalid
 * one, "type mismatch". */
static bool is_malformed(wdec_status s)
{
    return s >= WDEC_ERR_UNEXPECTED_END && s < WDEC_ERR_TYPE_MISMATCH;
}

static kiln_status status_from_wdec(wdec_status s)
{
    if (s == WDEC_ERR_OUT_OF_MEMORY)
        return KILN_ERR_OUT_OF_MEMORY;
    if (s == WDEC_ERR_UNSUPPORTED)
        return KILN_ERR_UNSUPPORTED;
    if (s == WDEC_ERR_IMPL_LIMIT)
        return KILN_ERR_LIMIT;
    if (s == WDEC_ERR_INVALID_ARGUMENT)
        return KILN_ERR_INVALID_ARGUMENT;
    return is_malformed(s) ? KILN_ERR_MALFORMED : KILN_ERR_INVALID;
}

/* The compiler reports an invalid body as CG_ERR_DECODE with the frontend's message, which starts
 * with the frontend's status text: find that status (the longest text that is a prefix). */
static wdec_status wdec_status_of_message(const char *message)
{
    wdec_status best = WDEC_ERR_TYPE_MISMATCH;
    size_t best_len = 0;
    for (int i = WDEC_ERR_UNEXPECTED_END; i < WDEC_STATUS_COUNT; i++) {
        const char *text = wdec_status_text((wdec_status)i);
        size_t len = strlen(text);
        if (len > best_len && strncmp(message, text, len) == 0) {
            best = (wdec_status)i;
            best_len = len;
        }
    }
    return best;
}

static kiln_status fail_wdec(struct kiln_error *err, const struct wdec_error *werr)
{
    kiln_status st = status_from_wdec(werr->status);
    rt_fail(err, st, wdec_status_text(werr->status), NULL);
    if (err) {
        err->offset = werr->offset;
        if (werr->message[0])
            snprintf(err->message, sizeof err->message, "%s (at byte %zu)", werr->message,
                     werr->offset);
    }
    return st;
}

static kiln_status fail_cg(struct kiln_error *err, const struct cg_error *cerr, cg_status cst)
{
    if (cst == CG_ERR_DECODE) {
        wdec_status ws = wdec_status_of_message(cerr->message);
        kiln_status st = status_from_wdec(ws);
        rt_fail(err, st, wdec_status_text(ws), NULL);
        if (err) {
            err->offset = cerr->wasm_offset;
            snprintf(err->message, sizeof err->message, "%s (at byte %zu)", cerr->message,
                     cerr->wasm_offset);
        }
        return st;
    }
    kiln_status st = cst == CG_ERR_OUT_OF_MEMORY ? KILN_ERR_OUT_OF_MEMORY
                     : cst == CG_ERR_LIMIT       ? KILN_ERR_LIMIT
                     : cst == CG_ERR_UNSUPPORTED ? KILN_ERR_UNSUPPORTED
                                                 : KILN_ERR_COMPILE;
    return rt_fail(err, st, NULL, "%s (function %u): %s", cg_status_message(cst),
                   (unsigned)cerr->func_index, cerr->message);
}

/* --- Sealing --- */

static bool seal_code(kiln_module *m)
{
    if (m->code.size == 0)
        return true;
    struct x64_code *sealed = calloc(1, sizeof *sealed);
    /* In place: the compiler wrote the blob into a code space, now sealed RX without a copy. */
    if (!sealed || x64_code_space_seal(m->code.space, m->code.size, sealed) != X64_OK) {
        free(sealed);
        return false;
    }
    /* The blob lives on only as sealed code; the emptied space is freed with the module. */
    m->code.bytes = NULL;
    m->code_mem = sealed;
    m->code_base = sealed->addr;
    m->code_size = sealed->size;
    return rt_code_register(m, (uintptr_t)m->code_base, m->code_size);
}

/* --- Modules --- */

static void module_destroy(kiln_module *m)
{
    if (m->code_mem) {
        rt_code_unregister(m);
        x64_code_free(m->code_mem);
        free(m->code_mem);
    }
    cg_code_free(&m->code);
    wdec_module_free(m->wmod);
    free(m->type_ids);
    free(m->bytes);
    free(m);
}

static kiln_status intern_types(kiln_module *m, struct kiln_error *err)
{
    const struct wdec_module *w = m->wmod;
    m->type_ids = calloc(w->type_count ? w->type_count : 1, sizeof *m->type_ids);
    if (!m->type_ids)
        return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    for (uint32_t i = 0; i < w->type_count; i++) {
        const struct wdec_func_type *t = &w->types[i];
        kiln_valtype small[16];
        kiln_valtype *types = small;
        size_t n = (size_t)t->param_count + t->result_count;
        if (n > 16) {
            types = malloc(n * sizeof *types);
            if (!types)
                return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
        }
        bool ok = true;
        for (uint32_t k = 0; k < t->param_count; k++)
            ok = ok && rt_valtype_from_wdec(t->params[k], &types[k]);
        for (uint32_t k = 0; k < t->result_count; k++)
            ok = ok && rt_valtype_from_wdec(t->results[k], &types[t->param_count + k]);
        uint32_t id = UINT32_MAX;
        if (ok)
            id = rt_engine_intern_type(m->engine, types, t->param_count, types + t->param_count,
                                       t->result_count);
        if (types != small)
            free(types);
        if (!ok)
            return rt_fail(err, KILN_ERR_UNSUPPORTED, NULL,
                           "type %u uses an unsupported value type", (unsigned)i);
        if (id == UINT32_MAX)
            return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
        m->type_ids[i] = id;
    }
    return KILN_OK;
}

kiln_status kiln_module_new(kiln_engine *engine, const uint8_t *bytes, size_t size,
                            kiln_module **out_module, struct kiln_error *out_err)
{
    rt_error_clear(out_err);
    if (!out_module)
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "out_module is NULL");
    *out_module = NULL;
    if (!engine || (!bytes && size))
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "engine or bytes is NULL");

    double start = rt_os_now();
    kiln_module *m = calloc(1, sizeof *m);
    if (!m)
        return rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    m->refcount = 1;
    m->engine = engine;
    m->size = size;
    m->bytes = malloc(size ? size : 1);
    if (!m->bytes) {
        free(m);
        return rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    }
    if (size)
        memcpy(m->bytes, bytes, size);

    kiln_status st;
    struct wdec_options wopts = {.features = 0, .defer_bodies = true};
    struct wdec_error werr = {0};
    wdec_status ws = wdec_module_decode(m->bytes, size, &wopts, NULL, NULL, &m->wmod, &werr);
    if (ws != WDEC_OK) {
        if (werr.status == WDEC_OK)
            werr.status = ws;
        st = fail_wdec(out_err, &werr);
        goto fail;
    }
    if (m->wmod->memory_count > 1) {
        st = rt_fail(out_err, KILN_ERR_UNSUPPORTED, NULL, "multiple memories");
        goto fail;
    }
    struct cg_options copts = {.spill_all = engine->config.spill_all, .listing = NULL};
    struct cg_error cerr = {0};
    cg_status cst = cg_compile_module(m->wmod, &copts, &m->code, &cerr);
    if (cst != CG_OK) {
        st = fail_cg(out_err, &cerr, cst);
        goto fail;
    }
    st = intern_types(m, out_err);
    if (st != KILN_OK)
        goto fail;
    if (!seal_code(m)) {
        st = rt_fail(out_err, KILN_ERR_OS, NULL, "cannot map executable memory");
        goto fail;
    }
    m->compile_seconds = rt_os_now() - start;
    *out_module = m;
    return KILN_OK;

fail:
    module_destroy(m);
    return st;
}

void rt_module_retain(kiln_module *module)
{
    module->refcount++;
}

void kiln_module_free(kiln_module *module)
{
    if (!module || --module->refcount > 0)
        return;
    module_destroy(module);
}

uint32_t rt_module_trap_site(const kiln_module *module, uint32_t offset)
{
    const struct cg_trap_site *sites = module->code.trap_sites;
    size_t lo = 0, hi = module->code.num_trap_sites;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sites[mid].code_offset == offset)
            return sites[mid].trap;
        if (sites[mid].code_offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return CG_TRAP_NONE;
}

/* --- Introspection --- */

static kiln_extern_kind kind_from_wdec(enum wdec_extern_kind k)
{
    switch (k) {
    case WDEC_EXTERN_TABLE:
        return KILN_EXTERN_TABLE;
    case WDEC_EXTERN_MEMORY:
        return KILN_EXTERN_MEMORY;
    case WDEC_EXTERN_GLOBAL:
        return KILN_EXTERN_GLOBAL;
    default:
        return KILN_EXTERN_FUNC;
    }
}

size_t kiln_module_import_count(const kiln_module *module)
{
    return module ? module->wmod->import_count : 0;
}

size_t kiln_module_export_count(const kiln_module *module)
{
    return module ? module->wmod->export_count : 0;
}

kiln_status kiln_module_import(const kiln_module *module, size_t index,
                               struct kiln_import_desc *out_desc)
{
    if (!module || !out_desc || index >= module->wmod->import_count)
        return KILN_ERR_INVALID_ARGUMENT;
    const struct wdec_import *imp = &module->wmod->imports[index];
    out_desc->module = imp->module.str;
    out_desc->module_len = imp->module.len;
    out_desc->name = imp->name.str;
    out_desc->name_len = imp->name.len;
    out_desc->kind = kind_from_wdec(imp->kind);
    return KILN_OK;
}

kiln_status kiln_module_export(const kiln_module *module, size_t index,
                               struct kiln_export_desc *out_desc)
{
    if (!module || !out_desc || index >= module->wmod->export_count)
        return KILN_ERR_INVALID_ARGUMENT;
    const struct wdec_export *exp = &module->wmod->exports[index];
    out_desc->name = exp->name.str;
    out_desc->name_len = exp->name.len;
    out_desc->kind = kind_from_wdec(exp->kind);
    return KILN_OK;
}

void kiln_module_stats(const kiln_module *module, struct kiln_module_stats *out_stats)
{
    if (!out_stats)
        return;
    memset(out_stats, 0, sizeof *out_stats);
    if (!module)
        return;
    out_stats->functions = module->code.num_funcs;
    out_stats->wasm_bytes = module->size;
    out_stats->code_bytes = module->code_size;
    out_stats->compile_seconds = module->compile_seconds;
}
