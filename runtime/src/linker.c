/* SPDX-License-Identifier: Apache-2.0 */
/* The linker: a list of (module name, field name) -> extern definitions that a module's imports
 * are resolved against, with the spec's "unknown import" / "incompatible import type" wording.
 * It is what a spec script's `register` builds on. */
#include "runtime_impl.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    char *module;
    size_t module_len;
    char *name;
    size_t name_len;
    kiln_extern ext;
};

struct kiln_linker {
    kiln_engine *engine;
    struct entry *entries;
    size_t count, cap;
};

static void extern_retain(kiln_extern ext)
{
    switch (ext.kind) {
    case KILN_EXTERN_FUNC:
        rt_func_retain(ext.func);
        break;
    case KILN_EXTERN_TABLE:
        rt_table_retain(ext.table);
        break;
    case KILN_EXTERN_MEMORY:
        rt_memory_retain(ext.memory);
        break;
    case KILN_EXTERN_GLOBAL:
        rt_global_retain(ext.global);
        break;
    }
}

static void extern_release(kiln_extern ext)
{
    switch (ext.kind) {
    case KILN_EXTERN_FUNC:
        if (ext.func->owner)
            kiln_instance_free(ext.func->owner);
        else
            kiln_func_free(ext.func);
        break;
    case KILN_EXTERN_TABLE:
        kiln_table_free(ext.table);
        break;
    case KILN_EXTERN_MEMORY:
        kiln_memory_free(ext.memory);
        break;
    case KILN_EXTERN_GLOBAL:
        kiln_global_free(ext.global);
        break;
    }
}

kiln_linker *kiln_linker_new(kiln_engine *engine)
{
    if (!engine)
        return NULL;
    kiln_linker *l = calloc(1, sizeof *l);
    if (l)
        l->engine = engine;
    return l;
}

void kiln_linker_free(kiln_linker *linker)
{
    if (!linker)
        return;
    for (size_t i = 0; i < linker->count; i++) {
        extern_release(linker->entries[i].ext);
        free(linker->entries[i].module);
        free(linker->entries[i].name);
    }
    free(linker->entries);
    free(linker);
}

static char *copy_name(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        if (len)
            memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

static struct entry *find(kiln_linker *l, const char *module, size_t module_len, const char *name,
                          size_t name_len)
{
    for (size_t i = 0; i < l->count; i++) {
        struct entry *e = &l->entries[i];
        if (e->module_len == module_len && e->name_len == name_len &&
            (!module_len || !memcmp(e->module, module, module_len)) &&
            (!name_len || !memcmp(e->name, name, name_len)))
            return e;
    }
    return NULL;
}

static bool extern_valid(kiln_extern ext)
{
    switch (ext.kind) {
    case KILN_EXTERN_FUNC:
        return ext.func != NULL;
    case KILN_EXTERN_TABLE:
        return ext.table != NULL;
    case KILN_EXTERN_MEMORY:
        return ext.memory != NULL;
    case KILN_EXTERN_GLOBAL:
        return ext.global != NULL;
    }
    return false;
}

kiln_status kiln_linker_define(kiln_linker *linker, const char *module, size_t module_len,
                               const char *name, size_t name_len, kiln_extern ext)
{
    if (!linker || (!module && module_len) || (!name && name_len) || !extern_valid(ext))
        return KILN_ERR_INVALID_ARGUMENT;
    struct entry *e = find(linker, module, module_len, name, name_len);
    if (e) {
        extern_retain(ext);
        extern_release(e->ext);
        e->ext = ext;
        return KILN_OK;
    }
    if (linker->count == linker->cap) {
        size_t cap = linker->cap ? linker->cap * 2 : 32;
        struct entry *grown = realloc(linker->entries, cap * sizeof *grown);
        if (!grown)
            return KILN_ERR_OUT_OF_MEMORY;
        linker->entries = grown;
        linker->cap = cap;
    }
    e = &linker->entries[linker->count];
    e->module = copy_name(module, module_len);
    e->name = copy_name(name, name_len);
    if (!e->module || !e->name) {
        free(e->module);
        free(e->name);
        return KILN_ERR_OUT_OF_MEMORY;
    }
    e->module_len = module_len;
    e->name_len = name_len;
    e->ext = ext;
    extern_retain(ext);
    linker->count++;
    return KILN_OK;
}

kiln_status kiln_linker_define_instance(kiln_linker *linker, const char *module, size_t module_len,
                                        kiln_instance *instance)
{
    if (!linker || !instance)
        return KILN_ERR_INVALID_ARGUMENT;
    size_t n = kiln_module_export_count(instance->module);
    for (size_t i = 0; i < n; i++) {
        struct kiln_export_desc d;
        kiln_extern ext;
        kiln_status st = kiln_module_export(instance->module, i, &d);
        if (!st)
            st = kiln_instance_export(instance, d.name, d.name_len, &ext);
        if (!st)
            st = kiln_linker_define(linker, module, module_len, d.name, d.name_len, ext);
        if (st)
            return st;
    }
    return KILN_OK;
}

kiln_status kiln_linker_instantiate(kiln_linker *linker, kiln_module *module,
                                    kiln_instance **out_instance, struct kiln_error *out_err)
{
    rt_error_clear(out_err);
    if (!out_instance)
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "out_instance is NULL");
    *out_instance = NULL;
    if (!linker || !module)
        return rt_fail(out_err, KILN_ERR_INVALID_ARGUMENT, NULL, "linker or module is NULL");
    size_t n = kiln_module_import_count(module);
    kiln_extern *imports = calloc(n ? n : 1, sizeof *imports);
    if (!imports)
        return rt_fail(out_err, KILN_ERR_OUT_OF_MEMORY, NULL, NULL);
    kiln_status st = KILN_OK;
    for (size_t i = 0; i < n; i++) {
        struct kiln_import_desc d;
        kiln_module_import(module, i, &d);
        const struct entry *e = find(linker, d.module, d.module_len, d.name, d.name_len);
        if (!e) {
            st = rt_fail(out_err, KILN_ERR_UNKNOWN_IMPORT, NULL, "\"%.*s\" \"%.*s\"",
                         (int)d.module_len, d.module, (int)d.name_len, d.name);
            break;
        }
        /* A definition of another kind under the same name: kiln_instance_new reports it as
         * "incompatible import type", as the spec's linking tests expect. */
        imports[i] = e->ext;
    }
    if (st == KILN_OK)
        st = kiln_instance_new(module, imports, n, out_instance, out_err);
    free(imports);
    return st;
}
