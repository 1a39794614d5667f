/* SPDX-License-Identifier: Apache-2.0 */
/* The module in one pass: header, then each section in the order the binary format fixes
 * (custom sections anywhere), validating as we go, and the code section's bodies handed to the
 * body validator as they are reached. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct dec {
    struct wdec_module *m;
    struct wdec_error *err;
    const struct wdec_options *opt;
    const struct wdec_visitor *v;
    void *ctx;
    struct wdec_scratch scratch;
    uint32_t defined_funcs; /* entries of the function section */
    bool saw_func_section;
    bool saw_code_section;
    bool saw_data_section;
    const uint8_t *sec_end;    /* declared end of the section being decoded */
    struct wdec_error invalid; /* first validation error in a body, reported at the end */
    /* Bodies being validated on other threads while the sections after the code section are
     * decoded (code_par.c); finished by decode_module(). */
    struct wdec_par *par;
};

static wdec_status oom(struct rd *r)
{
    return wdec_fail(r->err, WDEC_ERR_OUT_OF_MEMORY, rd_off(r), NULL);
}

#define ALLOC_ARRAY(r, m, ptr, count)                                                              \
    do {                                                                                           \
        (ptr) = wdec_arena_array((m), (count), sizeof *(ptr));                                     \
        if (!(ptr) && (count))                                                                     \
            return oom(r);                                                                         \
    } while (0)

/* --- Small pieces --- */

static wdec_status read_name(struct rd *r, struct wdec_module *m, struct wdec_name *out)
{
    size_t at = rd_off(r);
    uint32_t len;
    WDEC_TRY(wdec_rd_len(r, &len));
    const uint8_t *s;
    WDEC_TRY(rd_fixed(r, len, &s));
    if (!wdec_utf8_valid(s, len))
        return wdec_fail(r->err, WDEC_ERR_UTF8, at, NULL);
    char *copy = wdec_arena_alloc(m, (size_t)len + 1);
    if (!copy)
        return oom(r);
    memcpy(copy, s, len);
    copy[len] = '\0';
    out->str = copy;
    out->len = len;
    return WDEC_OK;
}

static wdec_status read_valtype(struct rd *r, const struct wdec_module *m, uint8_t *out)
{
    WDEC_TRY(rd_byte(r, out));
    wdec_status st = valtype_status(*out, m->features);
    if (st)
        return wdec_fail(r->err, st, rd_off(r) - 1, NULL);
    return WDEC_OK;
}

static wdec_status read_reftype(struct rd *r, uint8_t *out)
{
    WDEC_TRY(rd_byte(r, out));
    if (!is_reftype(*out))
        return wdec_fail(r->err, WDEC_ERR_REF_TYPE, rd_off(r) - 1, NULL);
    return WDEC_OK;
}

static wdec_status read_limits(struct rd *r, struct wdec_limits *out)
{
    /* The flags are a one-bit LEB128 to the reference interpreter: 0x02 is "integer too large",
     * 0x81 0x00 "integer representation too long". */
    uint64_t flags;
    WDEC_TRY(wdec_rd_leb(r, 1, false, &flags));
    uint32_t min, max = 0;
    WDEC_TRY(rd_u32(r, &min));
    if (flags & 1)
        WDEC_TRY(rd_u32(r, &max));
    out->min = min;
    out->max = max;
    out->has_max = flags & 1;
    out->is64 = false;
    return WDEC_OK;
}

static wdec_status read_table_type(struct rd *r, struct wdec_table_type *out)
{
    size_t at = rd_off(r);
    WDEC_TRY(read_reftype(r, &out->elem_type));
    WDEC_TRY(read_limits(r, &out->limits));
    if (out->limits.has_max && out->limits.min > out->limits.max)
        return wdec_fail(r->err, WDEC_ERR_LIMITS, at, NULL);
    return WDEC_OK;
}

static wdec_status read_memory_type(struct rd *r, struct wdec_memory_type *out)
{
    size_t at = rd_off(r);
    WDEC_TRY(read_limits(r, &out->limits));
    if (out->limits.min > 65536 || (out->limits.has_max && out->limits.max > 65536))
        return wdec_fail(r->err, WDEC_ERR_MEMORY_SIZE, at, NULL);
    if (out->limits.has_max && out->limits.min > out->limits.max)
        return wdec_fail(r->err, WDEC_ERR_LIMITS, at, NULL);
    return WDEC_OK;
}

static wdec_status read_global_type(struct rd *r, const struct wdec_module *m,
                                    struct wdec_global_type *out)
{
    WDEC_TRY(read_valtype(r, m, &out->type));
    uint8_t mut;
    WDEC_TRY(rd_byte(r, &mut));
    if (mut > 1)
        return wdec_fail(r->err, WDEC_ERR_MUTABILITY, rd_off(r) - 1, NULL);
    out->is_mutable = mut == 1;
    return WDEC_OK;
}

/* Grows one index space by appending `n` entries after the current ones, not zeroed, for a
 * caller that writes each one whole before counting it (only counted entries are ever read).
 * Index spaces are sized once per section, so this copies at most twice per kind (imports, then
 * definitions). */
static void *extend_uninit(struct wdec_module *m, void *old, uint32_t old_count, uint32_t n,
                           size_t size)
{
    void *p = wdec_arena_array_uninit(m, (size_t)old_count + n, size);
    if (p && old_count)
        memcpy(p, old, (size_t)old_count * size);
    return p;
}

/* extend_uninit() with the `n` new entries zeroed. */
static void *extend(struct wdec_module *m, void *old, uint32_t old_count, uint32_t n, size_t size)
{
    uint8_t *p = extend_uninit(m, old, old_count, n, size);
    if (p && n)
        memset(p + (size_t)old_count * size, 0, (size_t)n * size);
    return p;
}

/* --- Sections --- */

static wdec_status type_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    ALLOC_ARRAY(r, m, m->types, n);
    for (uint32_t i = 0; i < n; i++) {
        /* The form is a signed 7-bit LEB128 (-0x20 is `func`). */
        size_t fat = rd_off(r);
        uint64_t form;
        WDEC_TRY(wdec_rd_leb(r, 7, true, &form));
        if ((int64_t)form != -0x20)
            return wdec_fail(r->err, WDEC_ERR_FUNC_TYPE, fat, NULL);
        struct wdec_func_type *ft = &m->types[i];
        uint8_t *vt;
        WDEC_TRY(wdec_rd_len(r, &ft->param_count));
        ALLOC_ARRAY(r, m, vt, ft->param_count);
        for (uint32_t k = 0; k < ft->param_count; k++)
            WDEC_TRY(read_valtype(r, m, &vt[k]));
        ft->params = vt;
        WDEC_TRY(wdec_rd_len(r, &ft->result_count));
        ALLOC_ARRAY(r, m, vt, ft->result_count);
        for (uint32_t k = 0; k < ft->result_count; k++)
            WDEC_TRY(read_valtype(r, m, &vt[k]));
        ft->results = vt;
        m->type_count = i + 1;
    }
    return WDEC_OK;
}

static wdec_status import_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    ALLOC_ARRAY(r, m, m->imports, n);
    /* Upper bounds per kind; the real counts come out of the loop. */
    ALLOC_ARRAY(r, m, m->funcs, n);
    ALLOC_ARRAY(r, m, m->tables, n);
    ALLOC_ARRAY(r, m, m->memories, n);
    ALLOC_ARRAY(r, m, m->globals, n);
    for (uint32_t i = 0; i < n; i++) {
        struct wdec_import *im = &m->imports[i];
        WDEC_TRY(read_name(r, m, &im->module));
        WDEC_TRY(read_name(r, m, &im->name));
        uint8_t kind;
        WDEC_TRY(rd_byte(r, &kind));
        size_t at = rd_off(r);
        switch (kind) {
        case WDEC_EXTERN_FUNC: {
            uint32_t t;
            WDEC_TRY(rd_u32(r, &t));
            if (t >= m->type_count)
                return wdec_fail(r->err, WDEC_ERR_UNKNOWN_TYPE, at, "%u", t);
            im->index = m->func_count;
            struct wdec_func *f = &m->funcs[m->func_count++];
            f->type_index = t;
            f->imported = true;
            break;
        }
        case WDEC_EXTERN_TABLE:
            im->index = m->table_count;
            WDEC_TRY(read_table_type(r, &m->tables[m->table_count].type));
            m->tables[m->table_count++].imported = true;
            break;
        case WDEC_EXTERN_MEMORY:
            im->index = m->memory_count;
            WDEC_TRY(read_memory_type(r, &m->memories[m->memory_count].type));
            if (m->memory_count == 1)
                return wdec_fail(r->err, WDEC_ERR_MULTIPLE_MEMORIES, at, NULL);
            m->memories[m->memory_count++].imported = true;
            break;
        case WDEC_EXTERN_GLOBAL:
            im->index = m->global_count;
            WDEC_TRY(read_global_type(r, m, &m->globals[m->global_count].type));
            m->globals[m->global_count++].imported = true;
            break;
        default:
            return wdec_fail(r->err, WDEC_ERR_IMPORT_KIND, at - 1, NULL);
        }
        im->kind = (enum wdec_extern_kind)kind;
        m->import_count = i + 1;
    }
    m->func_import_count = m->func_count;
    m->table_import_count = m->table_count;
    m->memory_import_count = m->memory_count;
    m->global_import_count = m->global_count;
    return WDEC_OK;
}

static wdec_status function_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    /* One entry per function of the module (yosys: 34,000, 1.4 MB): each is written whole here
     * instead of being zeroed first. */
    struct wdec_func *f = extend_uninit(m, m->funcs, m->func_count, n, sizeof *f);
    if (!f && (m->func_count || n))
        return oom(r);
    m->funcs = f;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = rd_off(r);
        uint32_t t;
        WDEC_TRY(rd_u32(r, &t));
        if (t >= m->type_count)
            return wdec_fail(r->err, WDEC_ERR_UNKNOWN_TYPE, at, "%u", t);
        m->funcs[m->func_count] = (struct wdec_func){.type_index = t};
        m->func_count++;
    }
    d->defined_funcs = n;
    d->saw_func_section = true;
    return WDEC_OK;
}

static wdec_status table_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    struct wdec_table *t = extend(m, m->tables, m->table_count, n, sizeof *t);
    if (!t && (m->table_count || n))
        return oom(r);
    m->tables = t;
    for (uint32_t i = 0; i < n; i++) {
        WDEC_TRY(read_table_type(r, &m->tables[m->table_count].type));
        m->table_count++;
    }
    return WDEC_OK;
}

static wdec_status memory_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    struct wdec_memory *mem = extend(m, m->memories, m->memory_count, n, sizeof *mem);
    if (!mem && (m->memory_count || n))
        return oom(r);
    m->memories = mem;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = rd_off(r);
        WDEC_TRY(read_memory_type(r, &m->memories[m->memory_count].type));
        if (m->memory_count >= 1)
            return wdec_fail(r->err, WDEC_ERR_MULTIPLE_MEMORIES, at, NULL);
        m->memory_count++;
    }
    return WDEC_OK;
}

static wdec_status global_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    struct wdec_global *g = extend(m, m->globals, m->global_count, n, sizeof *g);
    if (!g && (m->global_count || n))
        return oom(r);
    m->globals = g;
    for (uint32_t i = 0; i < n; i++) {
        struct wdec_global *gl = &m->globals[m->global_count];
        WDEC_TRY(read_global_type(r, m, &gl->type));
        WDEC_TRY(wdec_const_expr(r, m, gl->type.type, &gl->init));
        m->global_count++;
    }
    return WDEC_OK;
}

static uint64_t name_hash(const char *s, uint32_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

static wdec_status export_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    ALLOC_ARRAY(r, m, m->exports, n);
    /* Open-addressing set of names seen, for "duplicate export name". */
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    uint32_t *slots = calloc(cap, sizeof *slots); /* export index + 1; 0 = empty */
    if (!slots)
        return oom(r);
    wdec_status st = WDEC_OK;
    for (uint32_t i = 0; i < n && !st; i++) {
        struct wdec_export *ex = &m->exports[i];
        size_t at = rd_off(r);
        st = read_name(r, m, &ex->name);
        if (st)
            break;
        uint8_t kind;
        uint32_t idx;
        if ((st = rd_byte(r, &kind)) || (st = rd_u32(r, &idx)))
            break;
        ex->kind = (enum wdec_extern_kind)kind;
        ex->index = idx;
        switch (kind) {
        case WDEC_EXTERN_FUNC:
            if (idx >= m->func_count)
                st = wdec_fail(r->err, WDEC_ERR_UNKNOWN_FUNC, at, "%u", idx);
            else
                m->funcs[idx].declared = true;
            break;
        case WDEC_EXTERN_TABLE:
            if (idx >= m->table_count)
                st = wdec_fail(r->err, WDEC_ERR_UNKNOWN_TABLE, at, "%u", idx);
            break;
        case WDEC_EXTERN_MEMORY:
            if (idx >= m->memory_count)
                st = wdec_fail(r->err, WDEC_ERR_UNKNOWN_MEMORY, at, "%u", idx);
            break;
        case WDEC_EXTERN_GLOBAL:
            if (idx >= m->global_count)
                st = wdec_fail(r->err, WDEC_ERR_UNKNOWN_GLOBAL, at, "%u", idx);
            break;
        default:
            st = wdec_fail(r->err, WDEC_ERR_EXPORT_KIND, at, NULL);
            break;
        }
        if (st)
            break;
        size_t h = (size_t)name_hash(ex->name.str, ex->name.len) & (cap - 1);
        while (slots[h]) {
            const struct wdec_name *o = &m->exports[slots[h] - 1].name;
            if (o->len == ex->name.len && memcmp(o->str, ex->name.str, o->len) == 0) {
                st = wdec_fail(r->err, WDEC_ERR_DUPLICATE_EXPORT, at, NULL);
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        slots[h] = i + 1;
        m->export_count = i + 1;
    }
    free(slots);
    return st;
}

static wdec_status start_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    size_t at = rd_off(r);
    uint32_t idx;
    WDEC_TRY(rd_u32(r, &idx));
    if (idx >= m->func_count)
        return wdec_fail(r->err, WDEC_ERR_UNKNOWN_FUNC, at, "%u", idx);
    const struct wdec_func_type *ft = &m->types[m->funcs[idx].type_index];
    if (ft->param_count || ft->result_count)
        return wdec_fail(r->err, WDEC_ERR_START, at, NULL);
    m->start_func = idx;
    return WDEC_OK;
}

static wdec_status elem_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    ALLOC_ARRAY(r, m, m->elems, n);
    for (uint32_t i = 0; i < n; i++) {
        struct wdec_elem *e = &m->elems[i];
        size_t at = rd_off(r);
        uint32_t flags;
        WDEC_TRY(rd_u32(r, &flags));
        if (flags > 7)
            return wdec_fail(r->err, WDEC_ERR_ELEM_KIND, at, NULL);
        /* Bit 0: passive or declarative; bit 1: explicit table index (active) or declarative;
         * bit 2: items are expressions rather than function indices (binary format 5.5.12). */
        e->mode = !(flags & 1)  ? WDEC_SEGMENT_ACTIVE
                  : (flags & 2) ? WDEC_SEGMENT_DECLARATIVE
                                : WDEC_SEGMENT_PASSIVE;
        e->table_index = 0;
        if (e->mode == WDEC_SEGMENT_ACTIVE) {
            if (flags & 2)
                WDEC_TRY(rd_u32(r, &e->table_index));
            if (e->table_index >= m->table_count)
                return wdec_fail(r->err, WDEC_ERR_UNKNOWN_TABLE, at, "%u", e->table_index);
            WDEC_TRY(wdec_const_expr(r, m, WDEC_I32, &e->offset));
        }
        e->elem_type = WDEC_FUNCREF;
        if (flags & 3) {
            if (flags & 4) {
                WDEC_TRY(read_reftype(r, &e->elem_type));
            } else {
                uint8_t kind;
                WDEC_TRY(rd_byte(r, &kind));
                if (kind != 0)
                    return wdec_fail(r->err, WDEC_ERR_ELEM_KIND, rd_off(r) - 1, NULL);
            }
        }
        uint32_t count;
        WDEC_TRY(wdec_rd_len(r, &count));
        if (flags & 4) {
            struct wdec_const_expr *items;
            ALLOC_ARRAY(r, m, items, count);
            for (uint32_t k = 0; k < count; k++)
                WDEC_TRY(wdec_const_expr(r, m, e->elem_type, &items[k]));
            e->items = items;
        } else {
            /* Every index is written before it is counted, so the array is not zeroed. */
            uint32_t *funcs = wdec_arena_array_uninit(m, count, sizeof *funcs);
            if (!funcs && count)
                return oom(r);
            for (uint32_t k = 0; k < count; k++) {
                size_t iat = rd_off(r);
                uint32_t f;
                WDEC_TRY(rd_u32(r, &f));
                if (f >= m->func_count)
                    return wdec_fail(r->err, WDEC_ERR_UNKNOWN_FUNC, iat, "%u", f);
                m->funcs[f].declared = true;
                funcs[k] = f;
            }
            e->func_indices = funcs;
        }
        e->count = count;
        if (e->mode == WDEC_SEGMENT_ACTIVE &&
            m->tables[e->table_index].type.elem_type != e->elem_type)
            return wdec_fail(r->err, WDEC_ERR_TYPE_MISMATCH, at, NULL);
        m->elem_count = i + 1;
    }
    return WDEC_OK;
}

static wdec_status datacount_section(struct dec *d, struct rd *r)
{
    WDEC_TRY(rd_u32(r, &d->m->data_count));
    d->m->has_data_count = true;
    return WDEC_OK;
}

static wdec_status code_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    size_t at = rd_off(r);
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    if (n != d->defined_funcs)
        return wdec_fail(r->err, WDEC_ERR_FUNC_CODE_MISMATCH, at, NULL);
    d->saw_code_section = true;
    uint32_t want = d->opt->pool ? wdec_pool_threads(d->opt->pool) : d->opt->threads;
    if (want > 1 && !d->opt->defer_bodies && wdec_visitor_is_empty(d->v)) {
        /* The bodies may run past the section's declared end (checked after them), or the
         * count past it already. */
        uint64_t code_bytes = r->p < d->sec_end ? (uint64_t)(d->sec_end - r->p) : 0;
        uint32_t t = wdec_code_par_threads(want, code_bytes);
        if (t > 1)
            return wdec_code_par_begin(m, r, n, code_bytes, t, d->opt->pool, &d->scratch, &d->par);
    }
    for (uint32_t i = 0; i < n; i++) {
        WDEC_TRY(body_place(r, m, i));
        uint32_t fi = m->func_import_count + i;
        if (d->opt->defer_bodies) {
            /* Decode only: a malformed body refuses the module now, so that later
             * wdec_func_decode() calls can only find validation errors (the reference
             * interpreter decodes the whole module before it validates any of it). */
            WDEC_TRY(wdec_body_scan(m, &d->scratch, fi, r->err));
            continue;
        }
        if (d->invalid.status) {
            WDEC_TRY(wdec_body_scan(m, &d->scratch, fi, r->err));
            continue;
        }
        wdec_status st = wdec_body_decode(m, &d->scratch, fi, d->v, d->ctx, r->err);
        if (st && wdec_status_is_invalid(st)) {
            /* Keep the first validation error aside; only decode from here on, so that a
             * malformed byte later in the module is what gets reported. */
            d->invalid = *r->err;
            memset(r->err, 0, sizeof *r->err);
            st = wdec_body_scan(m, &d->scratch, fi, r->err);
        }
        if (st)
            return st;
    }
    return WDEC_OK;
}

static wdec_status data_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    size_t at0 = rd_off(r);
    uint32_t n;
    WDEC_TRY(wdec_rd_len(r, &n));
    if (m->has_data_count && n != m->data_count)
        return wdec_fail(r->err, WDEC_ERR_DATA_COUNT_MISMATCH, at0, NULL);
    /* Every field of each segment is written below (only the first m->data_segment_count are
     * ever read), so the array is not zeroed first. */
    m->datas = wdec_arena_array_uninit(m, n, sizeof *m->datas);
    if (!m->datas && n)
        return oom(r);
    for (uint32_t i = 0; i < n; i++) {
        struct wdec_data *ds = &m->datas[i];
        size_t at = rd_off(r);
        uint32_t flags;
        WDEC_TRY(rd_u32(r, &flags));
        if (flags > 2)
            return wdec_fail(r->err, WDEC_ERR_DATA_KIND, at, NULL);
        ds->mode = flags == 1 ? WDEC_SEGMENT_PASSIVE : WDEC_SEGMENT_ACTIVE;
        ds->memory_index = 0;
        if (flags == 2)
            WDEC_TRY(rd_u32(r, &ds->memory_index));
        if (ds->mode == WDEC_SEGMENT_ACTIVE) {
            if (ds->memory_index >= m->memory_count)
                return wdec_fail(r->err, WDEC_ERR_UNKNOWN_MEMORY, at, "%u", ds->memory_index);
            if (!wdec_const_i32_fast(r, &ds->offset))
                WDEC_TRY(wdec_const_expr(r, m, WDEC_I32, &ds->offset));
        } else {
            memset(&ds->offset, 0, sizeof ds->offset);
        }
        uint32_t len;
        WDEC_TRY(wdec_rd_len(r, &len));
        WDEC_TRY(rd_fixed(r, len, &ds->bytes));
        ds->size = len;
    }
    /* Once, not per segment: bodies may still be validated meanwhile, reading fields beside it
     * (a module with errors is freed, count and all). */
    m->data_segment_count = n;
    return WDEC_OK;
}

static wdec_status custom_section(struct dec *d, struct rd *r)
{
    struct wdec_module *m = d->m;
    struct wdec_custom c;
    c.offset = rd_off(r);
    WDEC_TRY(read_name(r, m, &c.name));
    if (r->p > d->sec_end)
        return wdec_fail(r->err, WDEC_ERR_UNEXPECTED_END_SECTION, c.offset, NULL);
    c.bytes = r->p;
    c.size = (size_t)(d->sec_end - r->p);
    r->p = d->sec_end;
    struct wdec_custom *cs = extend(m, m->customs, m->custom_count, 1, sizeof *cs);
    if (!cs)
        return oom(r);
    cs[m->custom_count] = c;
    m->customs = cs;
    m->custom_count++;
    if (c.name.len == 4 && memcmp(c.name.str, "name", 4) == 0)
        wdec_names_decode(m, c.bytes, c.size);
    return WDEC_OK;
}

/* Position of each known section id in the required order (0: custom, anywhere). */
static int section_rank(uint8_t id)
{
    static const int8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id < 13 ? rank[id] : -1;
}

/* The header and the sections, up to the first error; the bodies may still be being validated
 * on other threads then (d->par). */
static wdec_status decode_sections(struct dec *d, const uint8_t *bytes, size_t size)
{
    struct wdec_module *m = d->m;
    struct rd r = {bytes, bytes + size, bytes, d->err, WDEC_ERR_UNEXPECTED_END};
    const uint8_t *hdr;
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    if (size >= 4 && memcmp(bytes, magic, 4) != 0)
        return wdec_fail(d->err, WDEC_ERR_MAGIC, 0, NULL);
    WDEC_TRY(rd_fixed(&r, 4, &hdr));
    WDEC_TRY(rd_fixed(&r, 4, &hdr));
    if (memcmp(hdr, version, 4) != 0)
        return wdec_fail(d->err, WDEC_ERR_VERSION, 4, NULL);

    int last = 0;
    while (r.p < r.end) {
        size_t at = rd_off(&r);
        uint8_t id = *r.p++;
        int rank = section_rank(id);
        if (rank < 0)
            return wdec_fail(d->err, WDEC_ERR_SECTION_ID, at, "%u", id);
        if (rank > 0 && rank <= last)
            return wdec_fail(d->err, WDEC_ERR_JUNK_AFTER_LAST, at, NULL);
        uint32_t len;
        WDEC_TRY(wdec_rd_len(&r, &len));
        /* A section missing between the function and code sections means no bodies. */
        if (rank > 11 && !d->saw_code_section && d->defined_funcs)
            return wdec_fail(d->err, WDEC_ERR_FUNC_CODE_MISMATCH, at, NULL);
        /* The reference interpreter reads a section's contents without stopping at its declared
         * end and then compares positions; reading to the module's end gives the same errors
         * ("section size mismatch" after an overrun, "unexpected end" only at the real end). */
        const uint8_t *sec_end = r.p + len;
        /* The length check counts the size's own bytes, so a section may claim up to 4 bytes
         * past the end; only a custom section's payload would be read from there. */
        if (id == 0 && sec_end > r.end)
            return wdec_fail(d->err, WDEC_ERR_UNEXPECTED_END_SECTION, size, NULL);
        struct rd s = {r.p, r.end, bytes, d->err, WDEC_ERR_UNEXPECTED_END_SECTION};
        d->sec_end = sec_end;
        wdec_status st;
        switch (id) {
        case 0:
            st = custom_section(d, &s);
            break;
        case 1:
            st = type_section(d, &s);
            break;
        case 2:
            st = import_section(d, &s);
            break;
        case 3:
            st = function_section(d, &s);
            break;
        case 4:
            st = table_section(d, &s);
            break;
        case 5:
            st = memory_section(d, &s);
            break;
        case 6:
            st = global_section(d, &s);
            break;
        case 7:
            st = export_section(d, &s);
            break;
        case 8:
            st = start_section(d, &s);
            break;
        case 9:
            st = elem_section(d, &s);
            break;
        case 10:
            st = code_section(d, &s);
            break;
        case 11:
            st = data_section(d, &s);
            d->saw_data_section = true;
            break;
        default:
            st = datacount_section(d, &s);
            break;
        }
        if (st)
            return st;
        if (s.p != sec_end)
            return wdec_fail(d->err, WDEC_ERR_SECTION_SIZE, (size_t)(sec_end - bytes) - len, NULL);
        r.p = sec_end;
        if (rank > 0)
            last = rank;
    }
    if (d->defined_funcs && !d->saw_code_section)
        return wdec_fail(d->err, WDEC_ERR_FUNC_CODE_MISMATCH, size, NULL);
    if (m->has_data_count && m->data_count != m->data_segment_count)
        return wdec_fail(d->err, WDEC_ERR_DATA_COUNT_MISMATCH, size, NULL);
    return WDEC_OK;
}

static wdec_status decode_module(struct dec *d, const uint8_t *bytes, size_t size)
{
    struct wdec_module *m = d->m;
    wdec_status st = decode_sections(d, bytes, size);
    if (d->par) {
        st = wdec_code_par_end(d->par, st, d->err, &d->scratch, &d->invalid);
        d->par = NULL;
    }
    if (st)
        return st;
    if (d->invalid.status) {
        *d->err = d->invalid;
        return d->invalid.status;
    }
    /* With deferred bodies only the malformed half ("data count section required") is the
     * module's to report; "unknown data segment" is a validation error of the body, which
     * wdec_func_decode() reports in order with the body's other validation errors. */
    if (d->opt->defer_bodies && !d->saw_data_section)
        return WDEC_OK;
    return wdec_data_use_check(m, &d->scratch, d->saw_data_section, d->err);
}

static const struct wdec_visitor null_visitor;

wdec_status wdec_module_decode(const uint8_t *bytes, size_t size,
                               const struct wdec_options *options,
                               const struct wdec_visitor *visitor, void *ctx,
                               struct wdec_module **out_module, struct wdec_error *out_err)
{
    struct wdec_error local_err;
    struct wdec_error *err = out_err ? out_err : &local_err;
    memset(err, 0, sizeof *err);
    if (out_module)
        *out_module = NULL;
    if ((!bytes && size) || !out_module)
        return wdec_fail(err, WDEC_ERR_INVALID_ARGUMENT, 0, NULL);
    static const struct wdec_options defaults;
    if (!options)
        options = &defaults;
    if (options->features & ~WDEC_FEATURES_IMPLEMENTED)
        return wdec_fail(err, WDEC_ERR_UNSUPPORTED, 0, "(features 0x%x)", options->features);
    /* Offsets into the module are 32 bits wide (struct wdec_func, struct wdec_const_expr); V8
     * refuses modules past 1 GiB. */
    if (size > UINT32_MAX)
        return wdec_fail(err, WDEC_ERR_IMPL_LIMIT, 0, "(module of %zu bytes)", size);

    struct wdec_module *m = calloc(1, sizeof *m);
    if (!m)
        return wdec_fail(err, WDEC_ERR_OUT_OF_MEMORY, 0, NULL);
    m->bytes = bytes;
    m->size = size;
    m->features = options->features;
    m->start_func = WDEC_NO_INDEX;
    struct dec d = {
        .m = m, .err = err, .opt = options, .v = visitor ? visitor : &null_visitor, .ctx = ctx};
    /* With a pool, the scratch memory of its last decode, if no other decode has it now. */
    bool kept = options->pool && wdec_pool_scratch_take(options->pool, &d.scratch);
    wdec_status st = decode_module(&d, bytes ? bytes : (const uint8_t *)"", size);
    if (kept)
        wdec_pool_scratch_give(options->pool, &d.scratch);
    else
        wdec_scratch_free(&d.scratch);
    if (st) {
        wdec_module_free(m);
        return st;
    }
    *out_module = m;
    return WDEC_OK;
}
