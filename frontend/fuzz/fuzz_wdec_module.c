/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for decode + validate. The contract: return a status, never crash, never leak.
 * Each input is decoded three times: with no visitor (the plain validator), with a visitor that
 * checks every callback's arguments against the decoded module (so reachable-code reporting is
 * exercised), and with deferred bodies followed by wdec_func_decode() on each function, which must
 * agree with the one-pass verdict; all with SIMD enabled (all of WebAssembly 2.0). A last plain
 * decode without SIMD must not accept what the full decode refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>
#include <wdec/visitor.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    const struct wdec_module *m; /* NULL until known */
    unsigned depth;
    unsigned calls;
};

static wdec_status on_begin(void *ctx, const struct wdec_func_info *fn)
{
    struct fz *z = ctx;
    z->depth = 0;
    for (uint32_t i = 0; i < fn->local_count; i++)
        if (fn->local_types[i] == 0)
            abort(); /* a local's type must be a real value type */
    return WDEC_OK;
}

static wdec_status on_block(void *ctx, const struct wdec_block_type *bt)
{
    struct fz *z = ctx;
    z->depth++;
    for (uint32_t i = 0; i < bt->result_count; i++)
        if (bt->results[i] == 0)
            abort();
    return WDEC_OK;
}

static wdec_status on_end(void *ctx, bool had_else)
{
    struct fz *z = ctx;
    (void)had_else;
    if (z->depth == 0)
        abort(); /* more ends than blocks reported */
    z->depth--;
    return WDEC_OK;
}

static wdec_status on_numeric(void *ctx, enum wdec_opcode op)
{
    struct fz *z = ctx;
    if (!wdec_opcode_info(op))
        abort();
    z->calls++;
    return WDEC_OK;
}

/* SIMD callbacks: the opcode is a SIMD row of the right group, immediates in range. */
static void simd_op(enum wdec_opcode op, enum wdec_group group)
{
    const struct wdec_opcode_info *info = wdec_opcode_info(op);
    if (!info || info->feature != WDEC_FEATURE_SIMD || info->group != group)
        abort();
}

static wdec_status on_simd(void *ctx, enum wdec_opcode op)
{
    (void)ctx;
    simd_op(op, WDEC_GROUP_SIMD);
    return WDEC_OK;
}

static wdec_status on_simd_lane(void *ctx, enum wdec_opcode op, uint8_t lane)
{
    (void)ctx;
    simd_op(op, WDEC_GROUP_SIMD_LANE);
    if (lane >= 16)
        abort();
    return WDEC_OK;
}

static wdec_status on_shuffle(void *ctx, const uint8_t *lanes)
{
    (void)ctx;
    for (int i = 0; i < 16; i++)
        if (lanes[i] >= 32)
            abort();
    return WDEC_OK;
}

static wdec_status on_simd_mem(void *ctx, enum wdec_opcode op, struct wdec_memarg arg)
{
    (void)ctx;
    const struct wdec_opcode_info *info = wdec_opcode_info(op);
    if (!info || (info->group != WDEC_GROUP_SIMD_LOAD && info->group != WDEC_GROUP_SIMD_STORE) ||
        arg.align_log2 > 4)
        abort();
    return WDEC_OK;
}

static wdec_status on_simd_mem_lane(void *ctx, enum wdec_opcode op, struct wdec_memarg arg,
                                    uint8_t lane)
{
    (void)ctx;
    const struct wdec_opcode_info *info = wdec_opcode_info(op);
    if (!info ||
        (info->group != WDEC_GROUP_SIMD_LOAD_LANE && info->group != WDEC_GROUP_SIMD_STORE_LANE))
        abort();
    if (arg.align_log2 > 3 || lane >= 16u >> arg.align_log2)
        abort();
    return WDEC_OK;
}

static wdec_status on_drop(void *ctx, uint8_t type)
{
    (void)ctx;
    if (type == 0)
        abort(); /* reachable code always knows its types */
    return WDEC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wdec_visitor v = {0};
    v.func_begin = on_begin;
    v.block = on_block;
    v.loop = on_block;
    v.if_ = on_block;
    v.end = on_end;
    v.numeric = on_numeric;
    v.drop = on_drop;
    v.select = on_drop;
    v.simd = on_simd;
    v.simd_lane = on_simd_lane;
    v.simd_shuffle = on_shuffle;
    v.simd_load = on_simd_mem;
    v.simd_store = on_simd_mem;
    v.simd_load_lane = on_simd_mem_lane;
    v.simd_store_lane = on_simd_mem_lane;
    struct fz z = {0};
    struct wdec_module *m = NULL;
    struct wdec_error err;
    const struct wdec_options full = {.features = WDEC_FEATURES_WASM2};
    wdec_status one_pass = wdec_module_decode(data, size, &full, &v, &z, &m, &err);
    if ((one_pass == WDEC_OK) != (m != NULL))
        abort();
    if (one_pass != WDEC_OK && (err.status != one_pass || err.offset > size))
        abort();
    wdec_module_free(m);

    /* The plain validator (no visitor: its own specialised loop) must reach the same verdict,
     * status and offset. */
    struct wdec_error plain_err;
    m = NULL;
    wdec_status plain = wdec_module_decode(data, size, &full, NULL, NULL, &m, &plain_err);
    if (plain != one_pass || (plain != WDEC_OK && plain_err.offset != err.offset))
        abort();
    wdec_module_free(m);

    struct wdec_options opt = full;
    opt.defer_bodies = true;
    m = NULL;
    wdec_status st = wdec_module_decode(data, size, &opt, NULL, NULL, &m, &err);
    /* Deferred bodies are still decoded: a malformed module is refused the same way. */
    bool one_pass_invalid =
        one_pass >= WDEC_ERR_TYPE_MISMATCH && one_pass <= WDEC_ERR_UNDECLARED_FUNC_REF;
    if (one_pass != WDEC_OK && !one_pass_invalid && st != one_pass)
        abort();
    if (st == WDEC_OK) {
        for (uint32_t i = m->func_import_count; i < m->func_count && st == WDEC_OK; i++)
            st = wdec_func_decode(m, i, &v, &z, &err);
        /* Deferred bodies reach the same verdict when the one-pass decode accepted. */
        if (one_pass == WDEC_OK && st != WDEC_OK)
            abort();
    }
    wdec_module_free(m);

    /* Without SIMD (what the compiler asks for) a module is accepted only if it is valid. */
    m = NULL;
    if (wdec_module_decode(data, size, NULL, NULL, NULL, &m, &err) == WDEC_OK &&
        one_pass != WDEC_OK)
        abort();
    wdec_module_free(m);
    return 0;
}
