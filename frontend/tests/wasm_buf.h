/* SPDX-License-Identifier: Apache-2.0 */
/* A growing byte buffer for modules too large for wasm_build.h's fixed one (test_threads.c,
 * fuzz/fuzz_wdec_threads.c): bytes, LEB128s and whole sections. Aborts when out of memory. */
#ifndef WDEC_TEST_WASM_BUF_H
#define WDEC_TEST_WASM_BUF_H

#include "wasm_build.h" /* leb_u32() */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static inline void put(struct buf *b, const void *p, size_t len)
{
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    if (len) /* callers pass (NULL, 0) for nothing; memcpy must not see NULL */
        memcpy(b->p + b->n, p, len);
    b->n += len;
}

static inline void put_byte(struct buf *b, uint8_t x)
{
    put(b, &x, 1);
}

static inline void put_u32(struct buf *b, uint32_t v)
{
    uint8_t t[5];
    put(b, t, leb_u32(t, v));
}

/* Section `id` whose contents are c. */
static inline void put_section(struct buf *b, uint8_t id, const struct buf *c)
{
    put_byte(b, id);
    put_u32(b, (uint32_t)c->n);
    put(b, c->p, c->n);
}

/* The module's header, a type section with the one function type `type` (len bytes from its
 * 0x60) and a function section declaring n functions of it. */
static inline void put_head_funcs_of(struct buf *m, uint32_t n, const uint8_t *type, size_t len)
{
    static const uint8_t hdr[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    struct buf s = {0};
    put(m, hdr, sizeof hdr);
    put_byte(&s, 1);
    put(&s, type, len);
    put_section(m, 1, &s);
    s.n = 0;
    put_u32(&s, n);
    for (uint32_t i = 0; i < n; i++)
        put_byte(&s, 0);
    put_section(m, 3, &s);
    free(s.p);
}

/* The same with [] -> [] as the type. */
static inline void put_head_funcs(struct buf *m, uint32_t n)
{
    static const uint8_t type[] = {0x60, 0x00, 0x00};
    put_head_funcs_of(m, n, type, sizeof type);
}

#endif
