/* SPDX-License-Identifier: Apache-2.0 */
/* Tables of references (funcref: `struct cg_funcref *`, externref: the embedder's pointer; NULL
 * is null in both) and the table helpers generated code calls through the vmctx, with the spec's
 * bounds checks and trap wording. */
#include "runtime_impl.h"

#include <stdlib.h>
#include <string.h>

/* Implementation limit on elements, far above what real modules use; growing past it fails the
 * way a full table does (table.grow returns -1). */
#define MAX_TABLE_ELEMS (1u << 24)

kiln_status rt_table_create(kiln_valtype elem_type, struct kiln_limits limits, void *init,
                            kiln_table **out_table)
{
    *out_table = NULL;
    if (elem_type != KILN_FUNCREF && elem_type != KILN_EXTERNREF)
        return KILN_ERR_TYPE_MISMATCH;
    if (limits.has_max && limits.max < limits.min)
        return KILN_ERR_LIMIT;
    if (limits.min > MAX_TABLE_ELEMS)
        return KILN_ERR_LIMIT;
    if (!limits.has_max || limits.max > UINT32_MAX)
        limits.max = UINT32_MAX;
    kiln_table *t = calloc(1, sizeof *t);
    if (!t)
        return KILN_ERR_OUT_OF_MEMORY;
    uint32_t n = (uint32_t)limits.min;
    t->table.elems = calloc(n ? n : 1, sizeof(void *));
    if (!t->table.elems) {
        free(t);
        return KILN_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t i = 0; init && i < n; i++)
        t->table.elems[i] = init;
    t->table.size = n;
    t->table.max = (uint32_t)limits.max;
    t->refcount = 1;
    t->elem_type = elem_type;
    t->limits = limits;
    t->capacity = n ? n : 1;
    *out_table = t;
    return KILN_OK;
}

void rt_table_note_stores(const kiln_table *table, void *const *refs, uint32_t n)
{
    if (table->elem_type != KILN_FUNCREF)
        return; /* externrefs belong to the embedder */
    for (uint32_t i = 0; i < n; i++)
        rt_funcref_escapes(refs[i], table->owner);
}

uint32_t rt_table_grow(kiln_table *table, uint32_t delta, void *init)
{
    uint32_t old = table->table.size;
    if (delta == 0)
        return old;
    uint64_t want = (uint64_t)old + delta;
    if (want > table->table.max || want > MAX_TABLE_ELEMS)
        return UINT32_MAX;
    if (want > table->capacity) {
        uint64_t cap = (uint64_t)table->capacity * 2;
        if (cap < want)
            cap = want;
        if (cap > MAX_TABLE_ELEMS)
            cap = MAX_TABLE_ELEMS;
        void **grown = realloc(table->table.elems, (size_t)cap * sizeof *grown);
        if (!grown)
            return UINT32_MAX;
        table->table.elems = grown;
        table->capacity = (uint32_t)cap;
    }
    for (uint64_t i = old; i < want; i++)
        table->table.elems[i] = init;
    table->table.size = (uint32_t)want;
    rt_table_note_stores(table, &init, 1);
    return old;
}

/* --- Public API --- */

static bool ref_matches(const kiln_table *table, kiln_val value)
{
    return value.type == table->elem_type;
}

kiln_status kiln_table_new(kiln_engine *engine, kiln_valtype elem_type, struct kiln_limits limits,
                           kiln_val init, kiln_table **out_table)
{
    if (!out_table)
        return KILN_ERR_INVALID_ARGUMENT;
    *out_table = NULL;
    if (!engine)
        return KILN_ERR_INVALID_ARGUMENT;
    if (init.type != elem_type)
        return KILN_ERR_TYPE_MISMATCH;
    return rt_table_create(elem_type, limits, init.ref, out_table);
}

void rt_table_retain(kiln_table *table)
{
    table->refcount++;
}

void kiln_table_free(kiln_table *table)
{
    if (!table || --table->refcount > 0)
        return;
    free(table->table.elems);
    free(table);
}

kiln_valtype kiln_table_elem_type(const kiln_table *table)
{
    return table ? table->elem_type : KILN_FUNCREF;
}

uint32_t kiln_table_size(const kiln_table *table)
{
    return table ? table->table.size : 0;
}

struct kiln_limits kiln_table_limits(const kiln_table *table)
{
    struct kiln_limits l = {0, 0, false};
    if (table)
        l = table->limits;
    return l;
}

kiln_status kiln_table_get(const kiln_table *table, uint32_t index, kiln_val *out_value)
{
    if (!table || !out_value || index >= table->table.size)
        return KILN_ERR_INVALID_ARGUMENT;
    out_value->type = table->elem_type;
    out_value->ref = table->table.elems[index];
    return KILN_OK;
}

kiln_status kiln_table_set(kiln_table *table, uint32_t index, kiln_val value)
{
    if (!table || index >= table->table.size)
        return KILN_ERR_INVALID_ARGUMENT;
    if (!ref_matches(table, value))
        return KILN_ERR_TYPE_MISMATCH;
    table->table.elems[index] = value.ref;
    rt_table_note_stores(table, &value.ref, 1);
    return KILN_OK;
}

kiln_status kiln_table_grow(kiln_table *table, uint32_t delta, kiln_val init,
                            uint32_t *out_old_size)
{
    if (!table)
        return KILN_ERR_INVALID_ARGUMENT;
    if (!ref_matches(table, init))
        return KILN_ERR_TYPE_MISMATCH;
    uint32_t old = rt_table_grow(table, delta, init.ref);
    if (old == UINT32_MAX)
        return KILN_ERR_LIMIT;
    if (out_old_size)
        *out_old_size = old;
    return KILN_OK;
}

/* --- Helpers called by generated code (cg/vmctx.h) --- */

static bool in_bounds(uint64_t offset, uint64_t len, uint64_t size)
{
    return offset <= size && len <= size - offset;
}

static struct cg_table *table_at(struct cg_vmctx *vmctx, uint32_t table_idx)
{
    return vmctx->tables[table_idx];
}

/* The runtime object around a table of `vmctx` (`struct cg_table` is its first member). */
static kiln_table *table_obj(struct cg_vmctx *vmctx, uint32_t table_idx)
{
    return rt_instance_of(vmctx)->tables[table_idx];
}

static void *helper_table_get(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t idx)
{
    struct cg_table *t = table_at(vmctx, table_idx);
    if (idx >= t->size)
        rt_trap_raise(KILN_TRAP_TABLE_OOB, UINT32_MAX);
    return t->elems[idx];
}

static void helper_table_set(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t idx, void *value)
{
    struct cg_table *t = table_at(vmctx, table_idx);
    if (idx >= t->size)
        rt_trap_raise(KILN_TRAP_TABLE_OOB, UINT32_MAX);
    t->elems[idx] = value;
    rt_table_note_stores(table_obj(vmctx, table_idx), &value, 1);
}

static uint32_t helper_table_grow(struct cg_vmctx *vmctx, uint32_t table_idx, void *init,
                                  uint32_t delta)
{
    return rt_table_grow(rt_instance_of(vmctx)->tables[table_idx], delta, init);
}

static void helper_table_fill(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t dst, void *value,
                              uint32_t len)
{
    struct cg_table *t = table_at(vmctx, table_idx);
    if (!in_bounds(dst, len, t->size))
        rt_trap_raise(KILN_TRAP_TABLE_OOB, UINT32_MAX);
    for (uint32_t i = 0; i < len; i++)
        t->elems[dst + i] = value;
    if (len)
        rt_table_note_stores(table_obj(vmctx, table_idx), &value, 1);
}

static void helper_table_copy(struct cg_vmctx *vmctx, uint32_t dst_table, uint32_t src_table,
                              uint32_t dst, uint32_t src, uint32_t len)
{
    struct cg_table *d = table_at(vmctx, dst_table);
    struct cg_table *s = table_at(vmctx, src_table);
    if (!in_bounds(dst, len, d->size) || !in_bounds(src, len, s->size))
        rt_trap_raise(KILN_TRAP_TABLE_OOB, UINT32_MAX);
    if (len)
        memmove(d->elems + dst, s->elems + src, (size_t)len * sizeof(void *));
    if (d != s) /* within one table nothing moves to another holder */
        rt_table_note_stores(table_obj(vmctx, dst_table), d->elems + dst, len);
}

static void helper_table_init(struct cg_vmctx *vmctx, uint32_t table_idx, uint32_t elem_idx,
                              uint32_t dst, uint32_t src, uint32_t len)
{
    kiln_instance *inst = rt_instance_of(vmctx);
    struct cg_table *t = table_at(vmctx, table_idx);
    if (!in_bounds(src, len, inst->elem_sizes[elem_idx]) || !in_bounds(dst, len, t->size))
        rt_trap_raise(KILN_TRAP_TABLE_OOB, UINT32_MAX);
    if (len)
        memcpy(t->elems + dst, inst->elem_items[elem_idx] + src, (size_t)len * sizeof(void *));
    rt_table_note_stores(inst->tables[table_idx], t->elems + dst, len);
}

static void helper_elem_drop(struct cg_vmctx *vmctx, uint32_t elem_idx)
{
    rt_instance_of(vmctx)->elem_sizes[elem_idx] = 0;
}

void rt_vmctx_init_table_helpers(struct cg_vmctx *vmctx)
{
    vmctx->table_get = helper_table_get;
    vmctx->table_set = helper_table_set;
    vmctx->table_grow = helper_table_grow;
    vmctx->table_fill = helper_table_fill;
    vmctx->table_copy = helper_table_copy;
    vmctx->table_init = helper_table_init;
    vmctx->elem_drop = helper_elem_drop;
}
