/* SPDX-License-Identifier: Apache-2.0 */
/* The module's memory (one arena, freed at once), query functions, and re-decoding one body for a
 * client that decodes functions on its own schedule. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* --- Arena --- */

/* `size` bytes from the arena, not zeroed. */
static void *arena_take(struct wdec_module *m, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    struct wdec_arena_chunk *c = m->arena_;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 16384 ? size : 16384;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = m->arena_;
        c->used = 0;
        c->cap = cap;
        m->arena_ = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

void *wdec_arena_alloc(struct wdec_module *m, size_t size)
{
    void *p = arena_take(m, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *wdec_arena_array(struct wdec_module *m, size_t count, size_t size)
{
    if (count == 0)
        return NULL;
    if (size && count > (SIZE_MAX - 64) / size)
        return NULL;
    return wdec_arena_alloc(m, count * size);
}

void *wdec_arena_array_uninit(struct wdec_module *m, size_t count, size_t size)
{
    if (count == 0)
        return NULL;
    if (size && count > (SIZE_MAX - 64) / size)
        return NULL;
    return arena_take(m, count * size);
}

void wdec_module_free(struct wdec_module *module)
{
    if (!module)
        return;
    struct wdec_arena_chunk *c = module->arena_;
    while (c) {
        struct wdec_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(module);
}

/* --- One body at a time --- */

wdec_status wdec_func_decode(const struct wdec_module *module, uint32_t func_index,
                             const struct wdec_visitor *visitor, void *ctx,
                             struct wdec_error *out_err)
{
    struct wdec_error local_err;
    struct wdec_error *err = out_err ? out_err : &local_err;
    memset(err, 0, sizeof *err);
    if (!module || func_index >= module->func_count || module->funcs[func_index].imported)
        return wdec_fail(err, WDEC_ERR_INVALID_ARGUMENT, 0, NULL);
    static const struct wdec_visitor null_visitor;
    struct wdec_scratch s = {0};
    wdec_status st =
        wdec_body_decode(module, &s, func_index, visitor ? visitor : &null_visitor, ctx, err);
    if (!st)
        st = wdec_data_use_check(module, &s, module->data_segment_count > 0, err);
    wdec_scratch_free(&s);
    return st;
}

/* --- Queries --- */

const struct wdec_func_type *wdec_module_type(const struct wdec_module *module, uint32_t type_index)
{
    if (!module || type_index >= module->type_count)
        return NULL;
    return &module->types[type_index];
}

const struct wdec_func_type *wdec_module_func_type(const struct wdec_module *module,
                                                   uint32_t func_index)
{
    if (!module || func_index >= module->func_count)
        return NULL;
    return &module->types[module->funcs[func_index].type_index];
}

const struct wdec_global_type *wdec_module_global_type(const struct wdec_module *module,
                                                       uint32_t global_index)
{
    if (!module || global_index >= module->global_count)
        return NULL;
    return &module->globals[global_index].type;
}

const struct wdec_table_type *wdec_module_table_type(const struct wdec_module *module,
                                                     uint32_t table_index)
{
    if (!module || table_index >= module->table_count)
        return NULL;
    return &module->tables[table_index].type;
}

const struct wdec_memory_type *wdec_module_memory_type(const struct wdec_module *module,
                                                       uint32_t memory_index)
{
    if (!module || memory_index >= module->memory_count)
        return NULL;
    return &module->memories[memory_index].type;
}

const struct wdec_export *wdec_module_find_export(const struct wdec_module *module,
                                                  const char *name, size_t len)
{
    if (!module || (!name && len))
        return NULL;
    for (uint32_t i = 0; i < module->export_count; i++) {
        const struct wdec_export *e = &module->exports[i];
        if (e->name.len == len && (len == 0 || memcmp(e->name.str, name, len) == 0))
            return e;
    }
    return NULL;
}

const struct wdec_name *wdec_module_func_name(const struct wdec_module *module, uint32_t func_index)
{
    if (!module || func_index >= module->func_name_count || !module->func_names[func_index].str)
        return NULL;
    return &module->func_names[func_index];
}

const struct wdec_name *wdec_module_local_name(const struct wdec_module *module,
                                               uint32_t func_index, uint32_t local_index)
{
    if (!module)
        return NULL;
    /* Sorted by (function, local): binary search. */
    size_t lo = 0, hi = module->local_name_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct wdec_local_name *e = &module->local_names[mid];
        if (e->func_index < func_index ||
            (e->func_index == func_index && e->local_index < local_index))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < module->local_name_count && module->local_names[lo].func_index == func_index &&
        module->local_names[lo].local_index == local_index)
        return &module->local_names[lo].name;
    return NULL;
}

const struct wdec_custom *wdec_module_find_custom(const struct wdec_module *module,
                                                  const char *name, size_t len)
{
    if (!module || (!name && len))
        return NULL;
    for (uint32_t i = 0; i < module->custom_count; i++) {
        const struct wdec_custom *c = &module->customs[i];
        if (c->name.len == len && (len == 0 || memcmp(c->name.str, name, len) == 0))
            return c;
    }
    return NULL;
}
