/* SPDX-License-Identifier: Apache-2.0 */
/* The "name" custom section (appendix 7.4.1): module, function and local names. A malformed name
 * section does not make the module malformed, so any error here just drops what it read. */
#include "internal.h"

#include <string.h>

static bool get_name(struct rd *r, struct wdec_module *m, struct wdec_name *out)
{
    uint32_t len;
    const uint8_t *s;
    if (wdec_rd_len(r, &len) || rd_fixed(r, len, &s) || !wdec_utf8_valid(s, len))
        return false;
    char *copy = wdec_arena_alloc(m, (size_t)len + 1);
    if (!copy)
        return false;
    memcpy(copy, s, len);
    copy[len] = '\0';
    out->str = copy;
    out->len = len;
    return true;
}

static bool module_names(struct rd *r, struct wdec_module *m)
{
    return get_name(r, m, &m->module_name);
}

static bool func_names(struct rd *r, struct wdec_module *m)
{
    uint32_t n;
    if (wdec_rd_len(r, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        struct wdec_name name;
        if (rd_u32(r, &idx) || !get_name(r, m, &name))
            return false;
        if (idx >= m->func_count)
            continue;
        /* One entry per function known so far, made when a function is first named (a name
         * section may come before the function section, or twice). */
        if (m->func_name_count < m->func_count) {
            struct wdec_name *all = wdec_arena_array(m, m->func_count, sizeof *all);
            if (!all)
                return false;
            if (m->func_name_count)
                memcpy(all, m->func_names, (size_t)m->func_name_count * sizeof *all);
            m->func_names = all;
            m->func_name_count = m->func_count;
        }
        m->func_names[idx] = name;
    }
    return true;
}

static bool local_names(struct rd *r, struct wdec_module *m)
{
    /* Count first, so the array is allocated once. */
    struct rd scan = *r;
    uint32_t n, total = 0;
    if (wdec_rd_len(&scan, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f, k;
        if (rd_u32(&scan, &f) || wdec_rd_len(&scan, &k))
            return false;
        for (uint32_t j = 0; j < k; j++) {
            uint32_t l, len;
            const uint8_t *s;
            if (rd_u32(&scan, &l) || wdec_rd_len(&scan, &len) || rd_fixed(&scan, len, &s))
                return false;
        }
        total += k;
    }
    struct wdec_local_name *out = wdec_arena_array(m, total, sizeof *out);
    if (!out && total)
        return false;
    uint32_t count = 0;
    (void)wdec_rd_len(r, &n);
    uint32_t prev_f = 0, prev_l = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f, k;
        (void)rd_u32(r, &f);
        (void)wdec_rd_len(r, &k);
        for (uint32_t j = 0; j < k; j++) {
            uint32_t l;
            (void)rd_u32(r, &l);
            if (!get_name(r, m, &out[count].name))
                return false;
            /* Indices must increase, which keeps the array sorted for lookups. */
            if (count && (f < prev_f || (f == prev_f && l <= prev_l)))
                return false;
            out[count].func_index = prev_f = f;
            out[count].local_index = prev_l = l;
            count++;
        }
    }
    m->local_names = out;
    m->local_name_count = count;
    return true;
}

void wdec_names_decode(struct wdec_module *m, const uint8_t *p, size_t size)
{
    struct wdec_error ignored = {0};
    struct rd r = {p, p + size, m->bytes, &ignored, WDEC_ERR_UNEXPECTED_END_SECTION};
    while (r.p < r.end) {
        uint8_t id;
        uint32_t len;
        if (rd_byte(&r, &id) || wdec_rd_len(&r, &len))
            return;
        struct rd sub = {r.p, r.p + len, m->bytes, &ignored, WDEC_ERR_UNEXPECTED_END_SECTION};
        r.p += len;
        bool ok = true;
        if (id == 0)
            ok = module_names(&sub, m);
        else if (id == 1)
            ok = func_names(&sub, m);
        else if (id == 2)
            ok = local_names(&sub, m);
        if (!ok)
            return;
    }
}
