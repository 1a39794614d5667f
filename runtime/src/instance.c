/* SPDX-License-Identifier: Apache-2.0 */
/* Instantiation, in the spec's order (Wasm 2.0, 4.5.4): check and bind imports, create tables,
 * memories and globals (evaluating constant expressions), evaluate element segments, apply
 * active element then data segments with their bounds checks (a failure traps, and earlier
 * writes stay), drop active and declarative segments, run the start function. */
#include "runtime_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(enum wdec_extern_kind k)
{
    switch (k) {
    case WDEC_EXTERN_FUNC:
        return "function";
    case WDEC_EXTERN_TABLE:
        return "table";
    case WDEC_EXTERN_MEMORY:
        return "memory";
    case WDEC_EXTERN_GLOBAL:
        return "global";
    default:
        return "tag";
    }
}

static const char *extern_kind_name(kiln_extern_kind k)
{
    static const enum wdec_extern_kind map[] = {WDEC_EXTERN_FUNC, WDEC_EXTERN_TABLE,
                                                WDEC_EXTERN_MEMORY, WDEC_EXTERN_GLOBAL};
    return (unsigned)k < 4 ? kind_name(map[k]) : "?";
}

static enum wdec_extern_kind wdec_kind_of(kiln_extern_kind k)
{
    switch (k) {
    case KILN_EXTERN_TABLE:
        return WDEC_EXTERN_TABLE;
    case KILN_EXTERN_MEMORY:
        return WDEC_EXTERN_MEMORY;
    case KILN_EXTERN_GLOBAL:
        return WDEC_EXTERN_GLOBAL;
    default:
        return WDEC_EXTERN_FUNC;
    }
}

/* --- Lifetime --- */

/* An instance is reference counted by its handle, the linker and the instances that import its
 * functions. References that escape elsewhere are not counted (a table slot or global holding a
 * funcref would count its own instance and make cycles); they pin the instance instead: a pinned
 * instance whose count drops to 0 is retired, kept in the engine's list and destroyed with the
 * engine, so a funcref in another instance's or the embedder's table always has a live
 * instance behind it. An instance whose funcrefs never left it is destroyed at once. */

void rt_instance_retain(kiln_instance *instance)
{
    instance->refcount++;
}

void rt_funcref_escapes(void *ref, const kiln_instance *holder)
{
    if (!ref)
        return;
    kiln_func *f = ref; /* every funcref is the first member of a kiln_func */
    if (f->owner && f->owner != holder)
        f->owner->pinned = true;
}

/* Whether something outside the instance may still hold one of its funcrefs: pinned, or one of
 * its own funcref tables / globals is shared (imported elsewhere or kept by the embedder). */
static bool still_referenced(const kiln_instance *inst)
{
    if (inst->pinned)
        return true;
    const struct wdec_module *w = inst->module->wmod;
    for (uint32_t i = w->table_import_count; i < w->table_count; i++)
        if (inst->tables[i] && inst->tables[i]->refcount > 1 &&
            inst->tables[i]->elem_type == KILN_FUNCREF)
            return true;
    for (uint32_t i = w->global_import_count; i < w->global_count; i++)
        if (inst->globals[i] && inst->globals[i]->refcount > 1 &&
            inst->globals[i]->type == KILN_FUNCREF)
            return true;
    return false;
}

static void instance_destroy(kiln_instance *inst, bool teardown);

/* Drops one reference. During the engine's teardown nothing is retired any more: what reaches
 * 0 is destroyed, and retired instances are left to the engine's list. */
static void instance_release(kiln_instance *inst, bool teardown)
{
    if (teardown && inst->retired)
        return;
    if (--inst->refcount > 0 || inst->retired)
        return;
    if (!teardown && still_referenced(inst)) {
        /* Out of memory in the list: keep it alive without a list entry (a leak, not a
         * dangling reference). */
        inst->retired = true;
        rt_engine_retire(inst->engine, inst);
        return;
    }
    instance_destroy(inst, teardown);
}

static void instance_destroy(kiln_instance *inst, bool teardown)
{
    const struct wdec_module *w = inst->module->wmod;
    rt_engine_remove_instance(inst->engine, inst);
    for (size_t i = 0; i < inst->dep_count; i++)
        instance_release(inst->deps[i], teardown);
    for (size_t i = 0; i < inst->host_dep_count; i++)
        kiln_func_free(inst->host_deps[i]);
    if (inst->globals)
        for (uint32_t i = 0; i < w->global_count; i++)
            kiln_global_free(inst->globals[i]);
    if (inst->tables)
        for (uint32_t i = 0; i < w->table_count; i++)
            kiln_table_free(inst->tables[i]);
    if (inst->memory) {
        rt_memory_remove_user(inst->memory, &inst->vmctx);
        kiln_memory_free(inst->memory);
    }
    if (inst->elem_items)
        for (uint32_t i = 0; i < w->elem_count; i++)
            free(inst->elem_items[i]);
    free(inst->elem_items);
    free(inst->elem_sizes);
    free(inst->data_dropped);
    free(inst->deps);
    free(inst->host_deps);
    free(inst->global_cells);
    free(inst->globals);
    free(inst->table_ptrs);
    free(inst->tables);
    free(inst->imports);
    free(inst->funcrefs);
    free(inst->funcs);
    free(inst->own_funcs);
    kiln_module_free(inst->module);
    free(inst);
}

void kiln_instance_free(kiln_instance *instance)
{
    if (instance)
        instance_release(instance, false);
}

void rt_instance_destroy_retired(kiln_instance *instance)
{
    instance_destroy(instance, true);
}

/* Funcrefs of this module can leave it in ways no store hook sees: generated code writes globals
 * directly, so an imported mutable funcref global, or funcrefs passed to or returned from other
 * instances' or the host's functions (which may keep them in their own globals), pin the
 * instance from the start. Modules without funcref in any signature or imported global are not
 * affected. */
static bool funcrefs_may_escape(const struct wdec_module *w)
{
    for (uint32_t i = 0; i < w->global_import_count; i++)
        if (w->globals[i].type.type == WDEC_FUNCREF && w->globals[i].type.is_mutable)
            return true;
    bool crosses = w->func_import_count > 0 || w->table_import_count > 0;
    for (uint32_t i = 0; i < w->export_count && !crosses; i++)
        crosses = w->exports[i].kind == WDEC_EXTERN_FUNC || w->exports[i].kind == WDEC_EXTERN_TABLE;
    if (!crosses)
        return false;
    for (uint32_t i = 0; i < w->type_count; i++) {
        const struct wdec_func_type *t = &w->types[i];
        for (uint32_t k = 0; k < t->param_count; k++)
            if (t->params[k] == WDEC_FUNCREF)
                return true;
        for (uint32_t k = 0; k < t->result_count; k++)
            if (t->results[k] == WDEC_FUNCREF)
                return true;
    }
    return false;
}

/* --- Imports --- */

static bool limits_match(uint64_t actual_min, bool actual_has_max, uint64_t actual_max,
                         const struct wdec_limits *want)
{
    if (actual_min < want->min)
        return false;
    if (want->has_max && (!actual_has_max || actual_max > want->max))
        return false;
    return true;
}

static kiln_status incompatible(struct kiln_error *err, const struct wdec_import *imp,
                                const char *why)
{
    return rt_fail(err, KILN_ERR_INCOMPATIBLE_IMPORT, NULL, "import \"%.*s\" \"%.*s\": %s",
                   (int)imp->module.len, imp->module.str, (int)imp->name.len, imp->name.str, why);
}

static kiln_status bind_func(kiln_instance *inst, const struct wdec_import *imp, kiln_func *f,
                             struct kiln_error *err)
{
    const kiln_module *m = inst->module;
    uint32_t idx = imp->index;
    uint32_t want = m->type_ids[m->wmod->funcs[idx].type_index];
    if (f->engine != inst->engine)
        return incompatible(err, imp, "function from another engine");
    if (f->ref.type_id != want)
        return incompatible(err, imp, "function type differs");
    void *thunk = m->code_base + m->code.import_thunk_offsets[idx];
    if (!f->owner) {
        /* A standalone host function: this instance's wrapper gives it a funcref whose code is
         * our import thunk. */
        kiln_func *w = &inst->own_funcs[idx];
        w->ref = (struct cg_funcref){thunk, &inst->vmctx, want, 0};
        w->engine = inst->engine;
        w->owner = inst;
        w->host_fn = f->host_fn;
        w->host_ctx = f->host_ctx;
        w->host_origin = f;
        inst->imports[idx] = (struct cg_import_func){thunk, &inst->vmctx, rt_host_call, f};
        inst->funcs[idx] = w;
        f->refcount++;
        inst->host_deps[inst->host_dep_count++] = f;
    } else {
        if (f->host_fn)
            inst->imports[idx] =
                (struct cg_import_func){f->ref.code, f->ref.vmctx, rt_host_call, f->host_origin};
        else
            inst->imports[idx] = (struct cg_import_func){f->ref.code, f->ref.vmctx, NULL, NULL};
        inst->funcs[idx] = f;
        rt_instance_retain(f->owner);
        inst->deps[inst->dep_count++] = f->owner;
    }
    inst->funcrefs[idx] = &inst->funcs[idx]->ref;
    return KILN_OK;
}

static kiln_status bind_imports(kiln_instance *inst, const kiln_extern *imports,
                                struct kiln_error *err)
{
    const struct wdec_module *w = inst->module->wmod;
    for (uint32_t k = 0; k < w->import_count; k++) {
        const struct wdec_import *imp = &w->imports[k];
        const kiln_extern *ext = &imports[k];
        if (wdec_kind_of(ext->kind) != imp->kind || (unsigned)ext->kind > KILN_EXTERN_GLOBAL) {
            char why[64];
            snprintf(why, sizeof why, "expected a %s, got a %s", kind_name(imp->kind),
                     extern_kind_name(ext->kind));
            return incompatible(err, imp, why);
        }
        uint32_t idx = imp->index;
        switch (imp->kind) {
        case WDEC_EXTERN_FUNC: {
            if (!ext->func)
                return incompatible(err, imp, "NULL function");
            kiln_status st = bind_func(inst, imp, ext->func, err);
            if (st)
                return st;
            break;
        }
        case WDEC_EXTERN_TABLE: {
            kiln_table *t = ext->table;
            const struct wdec_table_type *tt = &w->tables[idx].type;
            if (!t)
                return incompatible(err, imp, "NULL table");
            kiln_valtype et;
            if (!rt_valtype_from_wdec(tt->elem_type, &et) || et != t->elem_type)
                return incompatible(err, imp, "table element type differs");
            if (!limits_match(t->table.size, t->limits.has_max, t->limits.max, &tt->limits))
                return incompatible(err, imp, "table limits do not match");
            rt_table_retain(t);
            inst->tables[idx] = t;
            inst->table_ptrs[idx] = &t->table;
            break;
        }
        case WDEC_EXTERN_MEMORY: {
            kiln_memory *mem = ext->memory;
            if (!mem)
                return incompatible(err, imp, "NULL memory");
            if (!limits_match(mem->pages, mem->limits.has_max, mem->limits.max,
                              &w->memories[idx].type.limits))
                return incompatible(err, imp, "memory limits do not match");
            if (!rt_memory_add_user(mem, &inst->vmctx))
                return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
            rt_memory_retain(mem);
            inst->memory = mem;
            break;
        }
        case WDEC_EXTERN_GLOBAL: {
            kiln_global *g = ext->global;
            const struct wdec_global_type *gt = &w->globals[idx].type;
            if (!g)
                return incompatible(err, imp, "NULL global");
            kiln_valtype vt;
            if (!rt_valtype_from_wdec(gt->type, &vt) || vt != g->type ||
                gt->is_mutable != g->is_mutable)
                return incompatible(err, imp, "global type differs");
            rt_global_retain(g);
            inst->globals[idx] = g;
            inst->global_cells[idx] = &g->cell;
            break;
        }
        default:
            return incompatible(err, imp, "unsupported import kind");
        }
    }
    return KILN_OK;
}

/* --- Constant expressions --- */

static kiln_val eval_const(kiln_instance *inst, const struct wdec_const_expr *e)
{
    kiln_val v;
    memset(&v, 0, sizeof v);
    kiln_valtype t = KILN_I32;
    rt_valtype_from_wdec(e->type, &t);
    v.type = t;
    switch (e->kind) {
    case WDEC_CONST_I32:
        v.i32 = e->value.i32;
        break;
    case WDEC_CONST_I64:
        v.i64 = e->value.i64;
        break;
    case WDEC_CONST_F32:
        v.f32 = e->value.f32_bits;
        break;
    case WDEC_CONST_F64:
        v.f64 = e->value.f64_bits;
        break;
    case WDEC_CONST_GLOBAL_GET:
        v = kiln_global_get(inst->globals[e->value.index]);
        break;
    case WDEC_CONST_REF_NULL:
        v.ref = NULL;
        break;
    case WDEC_CONST_REF_FUNC:
        v.ref = inst->funcrefs[e->value.index];
        break;
    default: /* V128 and extended constants are refused at module creation */
        break;
    }
    return v;
}

static kiln_status check_supported_const(const struct wdec_const_expr *e, struct kiln_error *err)
{
    if (e->kind == WDEC_CONST_V128 || e->kind == WDEC_CONST_EXPR)
        return rt_fail(err, KILN_ERR_UNSUPPORTED, NULL, "constant expression at byte %u",
                       e->offset);
    return KILN_OK;
}

/* --- Own entities --- */

static kiln_status create_own(kiln_instance *inst, struct kiln_error *err)
{
    kiln_module *m = inst->module;
    const struct wdec_module *w = m->wmod;

    for (uint32_t idx = w->func_import_count; idx < w->func_count; idx++) {
        const struct cg_func_code *fc = &m->code.funcs[idx - w->func_import_count];
        uint32_t ti = w->funcs[idx].type_index;
        kiln_func *f = &inst->own_funcs[idx];
        f->ref =
            (struct cg_funcref){m->code_base + fc->code_offset, &inst->vmctx, m->type_ids[ti], 0};
        f->engine = inst->engine;
        f->owner = inst;
        f->entry = m->code_base + m->code.entry_offsets[ti];
        inst->funcs[idx] = f;
        inst->funcrefs[idx] = &f->ref;
    }

    for (uint32_t idx = w->table_import_count; idx < w->table_count; idx++) {
        const struct wdec_table_type *tt = &w->tables[idx].type;
        if (w->tables[idx].has_init)
            return rt_fail(err, KILN_ERR_UNSUPPORTED, NULL, "table initializer expressions");
        kiln_valtype et = KILN_FUNCREF;
        rt_valtype_from_wdec(tt->elem_type, &et);
        struct kiln_limits lim = {tt->limits.min, tt->limits.max, tt->limits.has_max};
        kiln_status st = rt_table_create(et, lim, NULL, &inst->tables[idx]);
        if (st)
            return rt_fail(err, st, NULL, "cannot create table %u", (unsigned)idx);
        inst->tables[idx]->owner = inst;
        inst->table_ptrs[idx] = &inst->tables[idx]->table;
    }

    for (uint32_t idx = w->memory_import_count; idx < w->memory_count; idx++) {
        const struct wdec_limits *l = &w->memories[idx].type.limits;
        struct kiln_limits lim = {l->min, l->max, l->has_max};
        kiln_memory *mem = NULL;
        kiln_status st = rt_memory_create(lim, &mem);
        if (st)
            return rt_fail(err, st, NULL, "cannot create memory of %llu pages",
                           (unsigned long long)l->min);
        inst->memory = mem;
        if (!rt_memory_add_user(mem, &inst->vmctx))
            return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    }

    for (uint32_t idx = w->global_import_count; idx < w->global_count; idx++) {
        const struct wdec_global *g = &w->globals[idx];
        kiln_status st = check_supported_const(&g->init, err);
        if (st)
            return st;
        kiln_valtype vt;
        if (!rt_valtype_from_wdec(g->type.type, &vt))
            return rt_fail(err, KILN_ERR_UNSUPPORTED, NULL, "global %u type", (unsigned)idx);
        kiln_val init = eval_const(inst, &g->init);
        init.type = vt;
        st = rt_global_create(vt, g->type.is_mutable, init, inst, &inst->globals[idx]);
        if (st)
            return rt_fail(err, st, NULL, "cannot create global %u", (unsigned)idx);
        inst->global_cells[idx] = &inst->globals[idx]->cell;
    }
    return KILN_OK;
}

/* --- Segments --- */

static kiln_status eval_elems(kiln_instance *inst, struct kiln_error *err)
{
    const struct wdec_module *w = inst->module->wmod;
    for (uint32_t s = 0; s < w->elem_count; s++) {
        const struct wdec_elem *e = &w->elems[s];
        inst->elem_items[s] = calloc(e->count ? e->count : 1, sizeof(void *));
        if (!inst->elem_items[s])
            return rt_fail(err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
        for (uint32_t i = 0; i < e->count && e->func_indices; i++)
            inst->elem_items[s][i] = inst->funcrefs[e->func_indices[i]];
        for (uint32_t i = 0; i < e->count && e->items; i++) {
            kiln_status st = check_supported_const(&e->items[i], err);
            if (st)
                return st;
            inst->elem_items[s][i] = eval_const(inst, &e->items[i]).ref;
        }
        inst->elem_sizes[s] = e->count;
    }
    return KILN_OK;
}

static uint32_t offset_value(kiln_instance *inst, const struct wdec_const_expr *e)
{
    return (uint32_t)eval_const(inst, e).i32;
}

static kiln_status apply_segments(kiln_instance *inst, struct kiln_error *err)
{
    const struct wdec_module *w = inst->module->wmod;
    for (uint32_t s = 0; s < w->elem_count; s++) {
        const struct wdec_elem *e = &w->elems[s];
        if (e->mode == WDEC_SEGMENT_ACTIVE) {
            kiln_status st = check_supported_const(&e->offset, err);
            if (st)
                return st;
            uint64_t off = offset_value(inst, &e->offset);
            struct cg_table *t = inst->table_ptrs[e->table_index];
            if (off + e->count > t->size)
                return rt_fail_trap(err, KILN_TRAP_TABLE_OOB, UINT32_MAX);
            if (e->count)
                memcpy(t->elems + off, inst->elem_items[s], (size_t)e->count * sizeof(void *));
            rt_table_note_stores(inst->tables[e->table_index], t->elems + off, e->count);
        }
        if (e->mode != WDEC_SEGMENT_PASSIVE)
            inst->elem_sizes[s] = 0; /* elem.drop */
    }
    for (uint32_t s = 0; s < w->data_segment_count; s++) {
        const struct wdec_data *d = &w->datas[s];
        if (d->mode != WDEC_SEGMENT_ACTIVE)
            continue;
        kiln_status st = check_supported_const(&d->offset, err);
        if (st)
            return st;
        uint64_t off = offset_value(inst, &d->offset);
        uint64_t size = inst->memory ? inst->vmctx.mem_size : 0;
        if (off + d->size > size)
            return rt_fail_trap(err, KILN_TRAP_MEMORY_OOB, UINT32_MAX);
        if (d->size)
            memcpy(inst->vmctx.mem_base + off, d->bytes, d->size);
        inst->data_dropped[s] = true; /* data.drop */
    }
    return KILN_OK;
}

/* --- Instances --- */

static void *alloc_array(size_t n, size_t elem)
{
    return calloc(n ? n : 1, elem);
}

kiln_status kiln_instance_new(kiln_module *module, const kiln_extern *imports, size_t nimports,
                              kiln_instance **out_instance, struct kiln_error *out_err)
{
    rt_error_clear(out_err);
    if (!out_instance)
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "out_instance is NULL");
    *out_instance = NULL;
    if (!module || (nimports && !imports))
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "module or imports is NULL");
    const struct wdec_module *w = module->wmod;
    if (nimports != w->import_count)
        return rt_fail(out_err, KILN_ERR_UNKNOWN_IMPORT, NULL, "the module has %u imports, got %zu",
                       (unsigned)w->import_count, nimports);

    kiln_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    inst->refcount = 1;
    inst->engine = module->engine;
    inst->module = module;
    inst->pinned = funcrefs_may_escape(w);
    rt_module_retain(module);

    inst->global_cells = alloc_array(w->global_count, sizeof *inst->global_cells);
    inst->globals = alloc_array(w->global_count, sizeof *inst->globals);
    inst->table_ptrs = alloc_array(w->table_count, sizeof *inst->table_ptrs);
    inst->tables = alloc_array(w->table_count, sizeof *inst->tables);
    inst->imports = alloc_array(w->func_import_count, sizeof *inst->imports);
    inst->funcrefs = alloc_array(w->func_count, sizeof *inst->funcrefs);
    inst->funcs = alloc_array(w->func_count, sizeof *inst->funcs);
    inst->own_funcs = alloc_array(w->func_count, sizeof *inst->own_funcs);
    inst->elem_items = alloc_array(w->elem_count, sizeof *inst->elem_items);
    inst->elem_sizes = alloc_array(w->elem_count, sizeof *inst->elem_sizes);
    inst->data_dropped = alloc_array(w->data_segment_count, sizeof *inst->data_dropped);
    inst->deps = alloc_array(w->import_count, sizeof *inst->deps);
    inst->host_deps = alloc_array(w->import_count, sizeof *inst->host_deps);
    kiln_status st;
    if (!inst->global_cells || !inst->globals || !inst->table_ptrs || !inst->tables ||
        !inst->imports || !inst->funcrefs || !inst->funcs || !inst->own_funcs ||
        !inst->elem_items || !inst->elem_sizes || !inst->data_dropped || !inst->deps ||
        !inst->host_deps) {
        st = rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
        goto fail;
    }

    rt_engine_add_instance(inst->engine, inst);
    struct cg_vmctx *vm = &inst->vmctx;
    vm->stack_limit = inst->engine->stack_limit;
    vm->globals = inst->global_cells;
    vm->tables = inst->table_ptrs;
    vm->type_ids = module->type_ids;
    vm->imports = inst->imports;
    vm->funcrefs = inst->funcrefs;
    vm->user = inst;
    rt_vmctx_init_helpers(vm);

    st = bind_imports(inst, imports, out_err);
    if (st)
        goto fail;
    st = create_own(inst, out_err);
    if (st)
        goto fail;
    st = eval_elems(inst, out_err);
    if (st)
        goto fail;
    st = apply_segments(inst, out_err);
    if (st)
        goto fail;

    if (w->start_func != WDEC_NO_INDEX) {
        st = kiln_func_call(inst->funcs[w->start_func], NULL, 0, NULL, 0, out_err);
        if (st)
            goto fail;
    }
    *out_instance = inst;
    return KILN_OK;

fail:
    /* A trap after segments started to write may have left references to this instance's
     * functions in imported tables: keep it alive (until the engine goes) rather than leave
     * them dangling. */
    if (st == KILN_TRAPPED && rt_engine_retire(inst->engine, inst)) {
        inst->retired = true;
        return st;
    }
    instance_destroy(inst, false);
    return st;
}

/* --- Exports --- */

kiln_status kiln_instance_export(kiln_instance *instance, const char *name, size_t name_len,
                                 kiln_extern *out_extern)
{
    if (!instance || (!name && name_len) || !out_extern)
        return KILN_ERR_INVALID_ARGUMENT;
    const struct wdec_export *e =
        wdec_module_find_export(instance->module->wmod, name ? name : "", name_len);
    if (!e)
        return KILN_ERR_NOT_FOUND;
    memset(out_extern, 0, sizeof *out_extern);
    switch (e->kind) {
    case WDEC_EXTERN_FUNC:
        out_extern->kind = KILN_EXTERN_FUNC;
        out_extern->func = instance->funcs[e->index];
        break;
    case WDEC_EXTERN_TABLE:
        out_extern->kind = KILN_EXTERN_TABLE;
        out_extern->table = instance->tables[e->index];
        break;
    case WDEC_EXTERN_MEMORY:
        out_extern->kind = KILN_EXTERN_MEMORY;
        out_extern->memory = instance->memory;
        break;
    case WDEC_EXTERN_GLOBAL:
        out_extern->kind = KILN_EXTERN_GLOBAL;
        out_extern->global = instance->globals[e->index];
        break;
    default:
        return KILN_ERR_UNSUPPORTED;
    }
    return KILN_OK;
}

kiln_func *kiln_instance_func(kiln_instance *instance, const char *name)
{
    kiln_extern ext;
    if (!name || kiln_instance_export(instance, name, strlen(name), &ext) != KILN_OK ||
        ext.kind != KILN_EXTERN_FUNC)
        return NULL;
    return ext.func;
}
