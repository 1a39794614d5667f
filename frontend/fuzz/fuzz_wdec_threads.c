/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for bodies validated on several threads (wdec_options.threads / pool): the
 * verdict, offset and message must be the one-thread decoder's. The input is a few function
 * bodies and where they go: a module of 750 bodies (~140 KB of code, above the size from which
 * the decoder shares bodies out) whose bodies are a valid filler except at the input's chosen
 * indices, decoded on one thread, on threads started for the decode and on two kept pools: of 3
 * threads and of 2 (whose threads spin between jobs where there are 2 CPUs; code_par.c).
 * Input: byte 0 = flags (bits 0-2: pieces - 1; bit 3: bodies given whole, locals included,
 * instead of no locals + the piece + `end`; bit 4: a data count section; bit 5: a data section),
 * then one byte per piece for its body index (times 750 / 256), then the pieces' bytes, split
 * evenly. */
#include "../tests/wasm_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODIES 750u

static void same(wdec_status a, const struct wdec_error *ea, wdec_status b,
                 const struct wdec_error *eb)
{
    if (a != b || (a && (ea->offset != eb->offset || strcmp(ea->message, eb->message) != 0)))
        abort(); /* several threads must give the one-thread verdict */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wdec_pool *pool, *pool2;
    if (!pool) {
        pool = wdec_pool_new(3);
        pool2 = wdec_pool_new(2);
    }
    if (size < 2)
        return 0;
    unsigned flags = data[0], pieces = (flags & 7u) + 1;
    if (size < 1 + pieces)
        return 0;
    const uint8_t *at = data + 1, *bytes = data + 1 + pieces;
    size_t left = size - 1 - pieces, each = left / pieces;

    struct buf m = {0}, s = {0}, body = {0};
    put_head_funcs(&m, BODIES);
    static const uint8_t table[] = {0x01, 0x70, 0x00, 0x01};              /* funcref, min 1 */
    static const uint8_t memory[] = {0x01, 0x00, 0x01};                   /* min 1 page */
    static const uint8_t global[] = {0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b}; /* mut i32 = 0 */
    s.n = 0;
    put(&s, table, sizeof table);
    put_section(&m, 4, &s);
    s.n = 0;
    put(&s, memory, sizeof memory);
    put_section(&m, 5, &s);
    s.n = 0;
    put(&s, global, sizeof global);
    put_section(&m, 6, &s);
    if (flags & 0x10) {
        s.n = 0;
        put_u32(&s, flags & 0x20 ? 1 : 0);
        put_section(&m, 12, &s);
    }
    s.n = 0;
    put_u32(&s, BODIES);
    for (uint32_t i = 0; i < BODIES; i++) {
        body.n = 0;
        unsigned k = pieces;
        for (unsigned j = 0; j < pieces; j++)
            if ((uint32_t)at[j] * BODIES / 256 == i)
                k = j; /* the last piece placed here wins */
        if (k < pieces) {
            const uint8_t *piece = bytes + (size_t)k * each;
            if (flags & 0x08) {
                put(&body, piece, each);
            } else {
                put_byte(&body, 0);
                put(&body, piece, each);
                put_byte(&body, 0x0b);
            }
        } else {
            put_byte(&body, 0);
            for (int j = 0; j < 60; j++) {
                static const uint8_t one[] = {0x41, 0x01, 0x1a}; /* i32.const 1; drop */
                put(&body, one, sizeof one);
            }
            put_byte(&body, 0x0b);
        }
        put_u32(&s, (uint32_t)body.n);
        put(&s, body.p, body.n);
    }
    put_section(&m, 10, &s);
    if (flags & 0x20) {
        static const uint8_t seg[] = {0x01, 0x01, 0x00}; /* one passive, empty segment */
        s.n = 0;
        put(&s, seg, sizeof seg);
        put_section(&m, 11, &s);
    }

    struct wdec_error e1, e2, e3;
    struct wdec_module *mod = NULL;
    struct wdec_options one = {.features = WDEC_FEATURES_WASM2};
    wdec_status st1 = wdec_module_decode(m.p, m.n, &one, NULL, NULL, &mod, &e1);
    wdec_module_free(mod);
    struct wdec_options two = {.features = WDEC_FEATURES_WASM2, .threads = 2};
    wdec_status st2 = wdec_module_decode(m.p, m.n, &two, NULL, NULL, &mod, &e2);
    wdec_module_free(mod);
    same(st1, &e1, st2, &e2);
    struct wdec_options kept = {.features = WDEC_FEATURES_WASM2, .pool = pool};
    wdec_status st3 = wdec_module_decode(m.p, m.n, &kept, NULL, NULL, &mod, &e3);
    wdec_module_free(mod);
    same(st1, &e1, st3, &e3);
    kept.pool = pool2;
    for (int twice = 0; twice < 2; twice++) { /* back to back: the second finds it spinning */
        st3 = wdec_module_decode(m.p, m.n, &kept, NULL, NULL, &mod, &e3);
        wdec_module_free(mod);
        same(st1, &e1, st3, &e3);
    }
    free(m.p);
    free(s.p);
    free(body.p);
    return 0;
}
