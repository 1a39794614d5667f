/* SPDX-License-Identifier: Apache-2.0 */
/* Globals: one 16-byte cell each, shared by pointer, so an imported or exported global is the
 * same storage in every instance that sees it. */
#include "runtime_impl.h"

#include <stdlib.h>
#include <string.h>

static void cell_store(struct cg_global_cell *cell, kiln_val value)
{
    memset(cell, 0, sizeof *cell);
    switch (value.type) {
    case KILN_I32:
        cell->u.i32 = (uint32_t)value.i32;
        break;
    case KILN_I64:
        cell->u.i64 = (uint64_t)value.i64;
        break;
    case KILN_F32:
        cell->u.f32_bits = value.f32;
        break;
    case KILN_F64:
        cell->u.f64_bits = value.f64;
        break;
    case KILN_FUNCREF:
    case KILN_EXTERNREF:
        cell->u.ref = value.ref;
        break;
    case KILN_V128:
        break;
    }
}

static kiln_val cell_load(const struct cg_global_cell *cell, kiln_valtype type)
{
    kiln_val v;
    memset(&v, 0, sizeof v);
    v.type = type;
    switch (type) {
    case KILN_I32:
        v.i32 = (int32_t)cell->u.i32;
        break;
    case KILN_I64:
        v.i64 = (int64_t)cell->u.i64;
        break;
    case KILN_F32:
        v.f32 = cell->u.f32_bits;
        break;
    case KILN_F64:
        v.f64 = cell->u.f64_bits;
        break;
    case KILN_FUNCREF:
    case KILN_EXTERNREF:
        v.ref = cell->u.ref;
        break;
    case KILN_V128:
        break;
    }
    return v;
}

kiln_status rt_global_create(kiln_valtype type, bool is_mutable, kiln_val init,
                             kiln_instance *owner, kiln_global **out_global)
{
    *out_global = NULL;
    if (init.type != type || type == KILN_V128)
        return KILN_ERR_TYPE_MISMATCH;
    kiln_global *g = calloc(1, sizeof *g);
    if (!g)
        return KILN_ERR_OUT_OF_MEMORY;
    g->refcount = 1;
    g->type = type;
    g->is_mutable = is_mutable;
    g->owner = owner;
    cell_store(&g->cell, init);
    *out_global = g;
    return KILN_OK;
}

kiln_status kiln_global_new(kiln_engine *engine, kiln_valtype type, bool is_mutable, kiln_val init,
                            kiln_global **out_global)
{
    if (!out_global)
        return KILN_ERR_INVALID_ARGUMENT;
    *out_global = NULL;
    if (!engine)
        return KILN_ERR_INVALID_ARGUMENT;
    kiln_status st = rt_global_create(type, is_mutable, init, NULL, out_global);
    if (!st && type == KILN_FUNCREF)
        rt_funcref_escapes(init.ref, NULL);
    return st;
}

void rt_global_retain(kiln_global *global)
{
    global->refcount++;
}

void kiln_global_free(kiln_global *global)
{
    if (!global || --global->refcount > 0)
        return;
    free(global);
}

kiln_valtype kiln_global_type(const kiln_global *global)
{
    return global ? global->type : KILN_I32;
}

bool kiln_global_is_mutable(const kiln_global *global)
{
    return global && global->is_mutable;
}

kiln_val kiln_global_get(const kiln_global *global)
{
    if (!global) {
        kiln_val none;
        memset(&none, 0, sizeof none);
        return none;
    }
    return cell_load(&global->cell, global->type);
}

kiln_status kiln_global_set(kiln_global *global, kiln_val value)
{
    if (!global)
        return KILN_ERR_INVALID_ARGUMENT;
    if (!global->is_mutable)
        return KILN_ERR_IMMUTABLE;
    if (value.type != global->type)
        return KILN_ERR_TYPE_MISMATCH;
    if (value.type == KILN_FUNCREF)
        rt_funcref_escapes(value.ref, global->owner);
    cell_store(&global->cell, value);
    return KILN_OK;
}
