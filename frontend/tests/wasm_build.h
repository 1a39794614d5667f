/* SPDX-License-Identifier: Apache-2.0 */
/* Tiny module builder for the frontend's unit tests: modules are written byte by byte, sections
 * get their size patched in as a padded 5-byte LEB128 (a valid encoding), so tests only spell out
 * the contents that matter to them. */
#ifndef WDEC_TEST_WASM_BUILD_H
#define WDEC_TEST_WASM_BUILD_H

#include <stdint.h>
#include <string.h>
#include <wdec/module.h>
#include <wdec/visitor.h>

struct wb {
    uint8_t buf[8192];
    size_t n;
    size_t sec_at; /* where the current section's size goes */
};

static inline void wb_byte(struct wb *b, uint8_t x)
{
    b->buf[b->n++] = x;
}

static inline void wb_bytes(struct wb *b, const void *p, size_t len)
{
    if (len == 0) /* tests pass (NULL, 0) for empty bodies; memcpy must not see NULL */
        return;
    memcpy(b->buf + b->n, p, len);
    b->n += len;
}

/* v as an unsigned LEB128 in out[], shortest form; returns its length (1-5). Shared with
 * wasm_buf.h. */
static inline size_t leb_u32(uint8_t out[5], uint32_t v)
{
    size_t n = 0;
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        out[n++] = (uint8_t)(x | (v ? 0x80 : 0));
    } while (v);
    return n;
}

static inline void wb_u32(struct wb *b, uint32_t v)
{
    uint8_t t[5];
    wb_bytes(b, t, leb_u32(t, v));
}

static inline void wb_name(struct wb *b, const char *s)
{
    wb_u32(b, (uint32_t)strlen(s));
    wb_bytes(b, s, strlen(s));
}

static inline void wb_init(struct wb *b)
{
    static const uint8_t hdr[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    b->n = 0;
    wb_bytes(b, hdr, 8);
}

static inline void wb_sec_begin(struct wb *b, uint8_t id)
{
    wb_byte(b, id);
    b->sec_at = b->n;
    b->n += 5;
}

static inline void wb_sec_end(struct wb *b)
{
    uint32_t len = (uint32_t)(b->n - b->sec_at - 5);
    for (int i = 0; i < 5; i++) {
        b->buf[b->sec_at + (size_t)i] = (uint8_t)((len & 0x7f) | (i < 4 ? 0x80 : 0));
        len >>= 7;
    }
}

/* A whole section from bytes. */
static inline void wb_section(struct wb *b, uint8_t id, const void *p, size_t len)
{
    wb_sec_begin(b, id);
    wb_bytes(b, p, len);
    wb_sec_end(b);
}

/* Type section with one type [params] -> [results]. */
static inline void wb_one_type(struct wb *b, const uint8_t *params, uint32_t np,
                               const uint8_t *results, uint32_t nr)
{
    wb_sec_begin(b, 1);
    wb_u32(b, 1);
    wb_byte(b, 0x60);
    wb_u32(b, np);
    wb_bytes(b, params, np);
    wb_u32(b, nr);
    wb_bytes(b, results, nr);
    wb_sec_end(b);
}

/* Function section declaring `n` functions of type 0. */
static inline void wb_funcs(struct wb *b, uint32_t n)
{
    wb_sec_begin(b, 3);
    wb_u32(b, n);
    for (uint32_t i = 0; i < n; i++)
        wb_u32(b, 0);
    wb_sec_end(b);
}

/* Code section with one body: `locals` (already encoded local groups, count first) then code. */
static inline void wb_code(struct wb *b, const uint8_t *locals, size_t nl, const uint8_t *code,
                           size_t nc)
{
    wb_sec_begin(b, 10);
    wb_u32(b, 1);
    wb_u32(b, (uint32_t)(nl + nc));
    wb_bytes(b, locals, nl);
    wb_bytes(b, code, nc);
    wb_sec_end(b);
}

/* A memory section with one memory of min 1 page. */
static inline void wb_memory(struct wb *b)
{
    static const uint8_t mem[] = {0x01, 0x00, 0x01};
    wb_section(b, 5, mem, sizeof mem);
}

/* Decodes b with an all-NULL visitor; returns the status and fills *err. */
static inline wdec_status wb_decode(const struct wb *b, struct wdec_error *err)
{
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(b->buf, b->n, NULL, NULL, NULL, &m, err);
    wdec_module_free(m);
    return st;
}

/* A module with one function of type [params] -> [results], optional memory and table, and the
 * given body (no locals). Returns the decode status. */
struct fn_spec {
    const uint8_t *params;
    uint32_t np;
    const uint8_t *results;
    uint32_t nr;
    bool memory;
    bool table; /* one funcref table of min 1 */
};

static inline void wb_func_module(struct wb *b, const struct fn_spec *f, const uint8_t *code,
                                  size_t nc)
{
    wb_init(b);
    wb_one_type(b, f->params, f->np, f->results, f->nr);
    wb_funcs(b, 1);
    if (f->table) {
        static const uint8_t tab[] = {0x01, 0x70, 0x00, 0x01};
        wb_section(b, 4, tab, sizeof tab);
    }
    if (f->memory)
        wb_memory(b);
    static const uint8_t no_locals[] = {0x00};
    wb_code(b, no_locals, 1, code, nc);
}

static inline wdec_status body_status(const struct fn_spec *f, const uint8_t *code, size_t nc,
                                      struct wdec_error *err)
{
    struct wb b;
    wb_func_module(&b, f, code, nc);
    return wb_decode(&b, err);
}

#endif
