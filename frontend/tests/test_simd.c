/* SPDX-License-Identifier: Apache-2.0 */
/* SIMD validation (WebAssembly 2.0 fixed-width SIMD, feature bit WDEC_FEATURE_SIMD), one rule per
 * test: lane index ranges, shuffle lanes, natural alignment of v128 memory ops, v128 operand and
 * result types, v128 as a value type everywhere, the opt-in feature bit, and the SIMD visitor
 * group. */
#include "wasm_build.h"

#include <criterion/criterion.h>
#include <string.h>
#include <wdec/module.h>
#include <wdec/visitor.h>

static const uint8_t I32[] = {WDEC_I32};
static const uint8_t I64[] = {WDEC_I64};
static const uint8_t V128[] = {WDEC_V128};

static const struct fn_spec none = {0};
static const struct fn_spec ret_i32 = {.results = I32, .nr = 1};
static const struct fn_spec ret_i64 = {.results = I64, .nr = 1};
static const struct fn_spec ret_v128 = {.results = V128, .nr = 1};
static const struct fn_spec mem_v128 = {.results = V128, .nr = 1, .memory = true};
static const struct fn_spec mem_none = {.memory = true};
static const struct fn_spec v128_to_v128 = {.params = V128, .np = 1, .results = V128, .nr = 1};

/* Decodes a module with the given features and visitor; returns the status. */
static wdec_status decode_with(const struct wb *b, uint32_t features, const struct wdec_visitor *v,
                               void *ctx, struct wdec_error *err)
{
    struct wdec_options opt = {.features = features};
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(b->buf, b->n, &opt, v, ctx, &m, err);
    wdec_module_free(m);
    return st;
}

static wdec_status simd_body(const struct fn_spec *f, const uint8_t *code, size_t n,
                             uint32_t features, struct wdec_error *err)
{
    struct wb b;
    wb_func_module(&b, f, code, n);
    return decode_with(&b, features, NULL, NULL, err);
}

#define EXPECT_F(features, status, spec, ...)                                                      \
    do {                                                                                           \
        static const uint8_t code_[] = {__VA_ARGS__};                                              \
        struct wdec_error err_;                                                                    \
        wdec_status st_ = simd_body((spec), code_, sizeof code_, (features), &err_);               \
        cr_expect_eq(st_, (status), "line %d: got \"%s\" at %zu", __LINE__,                        \
                     st_ ? err_.message : "ok", err_.offset);                                      \
    } while (0)
#define EXPECT(status, spec, ...) EXPECT_F(WDEC_FEATURES_WASM2, status, spec, __VA_ARGS__)

/* v128.const with all-zero lanes. */
#define V128_ZERO 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

Test(wdec_simd, lane_index_in_range)
{
    /* i8x16.extract_lane_s: 16 lanes */
    EXPECT(WDEC_OK, &ret_i32, V128_ZERO, 0xfd, 0x15, 15, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_i32, V128_ZERO, 0xfd, 0x15, 16, 0x0b);
    /* i16x8.extract_lane_u: 8 lanes */
    EXPECT(WDEC_OK, &ret_i32, V128_ZERO, 0xfd, 0x19, 7, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_i32, V128_ZERO, 0xfd, 0x19, 8, 0x0b);
    /* i32x4.replace_lane: 4 lanes */
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, 0x41, 0x00, 0xfd, 0x1c, 3, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_v128, V128_ZERO, 0x41, 0x00, 0xfd, 0x1c, 4, 0x0b);
    /* i64x2.extract_lane: 2 lanes; the largest byte too */
    EXPECT(WDEC_OK, &ret_i64, V128_ZERO, 0xfd, 0x1d, 1, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_i64, V128_ZERO, 0xfd, 0x1d, 2, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_i64, V128_ZERO, 0xfd, 0x1d, 255, 0x0b);
    /* The lane check comes before the operand check (as in the reference interpreter). */
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_i32, 0xfd, 0x15, 16, 0x0b);
}

Test(wdec_simd, shuffle_lanes_below_32)
{
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
           11, 12, 13, 30, 31, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6,
           7, 8, 9, 10, 11, 12, 13, 14, 32, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0x0d, 255, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b);
    /* Two v128 operands. */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, 0xfd, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0x0b);
    /* Truncated lanes: malformed. */
    EXPECT(WDEC_ERR_UNEXPECTED_END_SECTION, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0x0d, 0, 1);
}

Test(wdec_simd, alignment_at_most_natural)
{
    /* v128.load: natural alignment 16 bytes (log2 4) */
    EXPECT(WDEC_OK, &mem_v128, 0x41, 0x00, 0xfd, 0x00, 4, 0, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_v128, 0x41, 0x00, 0xfd, 0x00, 5, 0, 0x0b);
    /* v128.load8x8_s: 8 bytes */
    EXPECT(WDEC_OK, &mem_v128, 0x41, 0x00, 0xfd, 0x01, 3, 0, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_v128, 0x41, 0x00, 0xfd, 0x01, 4, 0, 0x0b);
    /* v128.load8_splat: 1 byte; v128.load32_zero: 4 bytes */
    EXPECT(WDEC_OK, &mem_v128, 0x41, 0x00, 0xfd, 0x07, 0, 0, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_v128, 0x41, 0x00, 0xfd, 0x07, 1, 0, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_v128, 0x41, 0x00, 0xfd, 0x5c, 3, 0, 0x0b);
    /* v128.store */
    EXPECT(WDEC_OK, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x0b, 4, 0, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x0b, 5, 0, 0x0b);
    /* No memory. */
    EXPECT(WDEC_ERR_UNKNOWN_MEMORY, &ret_v128, 0x41, 0x00, 0xfd, 0x00, 4, 0, 0x0b);
}

Test(wdec_simd, load_store_lane)
{
    /* v128.load64_lane: align <= 3, lane < 2; operands i32 v128 -> v128 */
    EXPECT(WDEC_OK, &mem_v128, 0x41, 0x00, V128_ZERO, 0xfd, 0x57, 3, 0, 1, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_v128, 0x41, 0x00, V128_ZERO, 0xfd, 0x57, 4, 0, 1, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &mem_v128, 0x41, 0x00, V128_ZERO, 0xfd, 0x57, 3, 0, 2, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &mem_v128, V128_ZERO, 0x41, 0x00, 0xfd, 0x57, 3, 0, 1, 0x0b);
    /* v128.store8_lane: align 0, lane < 16, nothing pushed */
    EXPECT(WDEC_OK, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x58, 0, 0, 15, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x58, 1, 0, 15, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x58, 0, 0, 16, 0x0b);
    /* v128.store32_lane: lane < 4 */
    EXPECT(WDEC_OK, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x5a, 2, 0, 3, 0x0b);
    EXPECT(WDEC_ERR_INVALID_LANE, &mem_none, 0x41, 0x00, V128_ZERO, 0xfd, 0x5a, 2, 0, 4, 0x0b);
}

Test(wdec_simd, v128_operand_types)
{
    /* i32x4.add (0xfd 0xae 0x01): v128 v128 -> v128 */
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0xae, 0x01, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, 0x41, 0x00, 0x41, 0x00, 0xfd, 0xae, 0x01, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, V128_ZERO, V128_ZERO, 0xfd, 0xae, 0x01, 0x0b);
    /* i32x4.splat: i32 -> v128; f64x2.splat wants f64 */
    EXPECT(WDEC_OK, &ret_v128, 0x41, 0x07, 0xfd, 0x11, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, 0x41, 0x07, 0xfd, 0x14, 0x0b);
    /* v128.any_true: v128 -> i32 */
    EXPECT(WDEC_OK, &ret_i32, V128_ZERO, 0xfd, 0x53, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, 0xfd, 0x53, 0x0b);
    /* i8x16.shl: v128 i32 -> v128, the shift count on top */
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, 0x41, 0x01, 0xfd, 0x6b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, 0x41, 0x01, V128_ZERO, 0xfd, 0x6b, 0x0b);
    /* v128.bitselect: three v128 */
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, V128_ZERO, V128_ZERO, 0xfd, 0x52, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, V128_ZERO, 0xfd, 0x52, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, V128_ZERO, 0x41, 0, 0xfd, 0x52, 0x0b);
    /* i64x2.replace_lane wants an i64 */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, 0x41, 0x00, 0xfd, 0x1e, 0, 0x0b);
    /* Polymorphic stack after unreachable: v128 ops accept unknowns. */
    EXPECT(WDEC_OK, &ret_v128, 0x00, 0xfd, 0x52, 0x0b);
    EXPECT(WDEC_OK, &ret_i32, 0x00, 0xfd, 0x1d, 0, 0xa7, 0x0b); /* i64 lane, i32.wrap_i64 */
}

Test(wdec_simd, v128_value_type_everywhere)
{
    /* Param and result, local.get. */
    EXPECT(WDEC_OK, &v128_to_v128, 0x20, 0x00, 0x0b);
    /* Untyped select of v128 (numeric or vector operands) and typed select. */
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, V128_ZERO, 0x41, 0x00, 0x1b, 0x0b);
    EXPECT(WDEC_OK, &ret_v128, V128_ZERO, V128_ZERO, 0x41, 0x00, 0x1c, 0x01, 0x7b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, V128_ZERO, 0x41, 0x00, 0x41, 0x00, 0x1b, 0x0b);
    /* Block type v128. */
    EXPECT(WDEC_OK, &ret_v128, 0x02, 0x7b, V128_ZERO, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_v128, 0x02, 0x7b, 0x41, 0x00, 0x0b, 0x0b);

    /* A v128 local and a v128 global initialised by v128.const. */
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, V128, 1);
    wb_funcs(&b, 1);
    static const uint8_t global[] = {0x01, 0x7b, 0x01, V128_ZERO, 0x0b};
    wb_section(&b, 6, global, sizeof global);
    static const uint8_t locals[] = {0x01, 0x02, 0x7b};
    static const uint8_t code[] = {0x23, 0x00, 0x21, 0x01, 0x20, 0x01, 0x0b};
    wb_code(&b, locals, sizeof locals, code, sizeof code);
    cr_assert_eq(decode_with(&b, WDEC_FEATURES_WASM2, NULL, NULL, &err), WDEC_OK, "%s",
                 err.message);
    /* The same without the SIMD bit: refused as an unsupported feature, not as malformed. */
    cr_assert_eq(decode_with(&b, 0, NULL, NULL, &err), WDEC_ERR_UNSUPPORTED);
}

Test(wdec_simd, const_expr)
{
    struct wb b;
    struct wdec_error err;
    struct wdec_options opt = {.features = WDEC_FEATURES_WASM2};
    wb_init(&b);
    static const uint8_t global[] = {0x01, 0x7b, 0x00, 0xfd, 0x0c, 1,  2,  3,  4,  5,  6,
                                     7,    8,    9,    10,   11,   12, 13, 14, 15, 16, 0x0b};
    wb_section(&b, 6, global, sizeof global);
    struct wdec_module *m = NULL;
    cr_assert_eq(wdec_module_decode(b.buf, b.n, &opt, NULL, NULL, &m, &err), WDEC_OK, "%s",
                 err.message);
    cr_assert_eq(m->globals[0].init.kind, WDEC_CONST_V128);
    cr_assert_eq(m->globals[0].init.value.v128[0], 1);
    cr_assert_eq(m->globals[0].init.value.v128[15], 16);
    wdec_module_free(m);

    /* i32x4.splat is not constant; an i32 global cannot take a v128. */
    wb_init(&b);
    static const uint8_t splat[] = {0x01, 0x7b, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b};
    wb_section(&b, 6, splat, sizeof splat);
    cr_assert_eq(decode_with(&b, WDEC_FEATURES_WASM2, NULL, NULL, &err), WDEC_ERR_CONST_EXPR);
    wb_init(&b);
    static const uint8_t wrong[] = {0x01, 0x7f, 0x00, V128_ZERO, 0x0b};
    wb_section(&b, 6, wrong, sizeof wrong);
    cr_assert_eq(decode_with(&b, WDEC_FEATURES_WASM2, NULL, NULL, &err), WDEC_ERR_TYPE_MISMATCH);
    cr_assert_eq(decode_with(&b, 0, NULL, NULL, &err), WDEC_ERR_UNSUPPORTED);
}

Test(wdec_simd, feature_off_is_unsupported)
{
    EXPECT_F(0, WDEC_ERR_UNSUPPORTED, &ret_v128, V128_ZERO, 0x0b);
    EXPECT_F(0, WDEC_ERR_UNSUPPORTED, &ret_i32, 0x02, 0x7b, 0x00, 0x0b, 0x0b);
    EXPECT_F(0, WDEC_ERR_UNSUPPORTED, &none, 0xfd, 0x9a, 0x01, 0x0b);
    struct wdec_error err;
    cr_assert_eq(simd_body(&none, (const uint8_t[]){V128_ZERO, 0x1a, 0x0b}, 19, 0, &err),
                 WDEC_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "unsupported feature") == err.message, "%s", err.message);
}

Test(wdec_simd, illegal_simd_opcodes)
{
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0xfd, 0x9a, 0x01, 0x0b); /* reserved 0x9a */
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0xfd, 0x80, 0x02, 0x0b); /* 0x100 */
    EXPECT(WDEC_ERR_INT_TOO_LONG, &none, 0xfd, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    /* An invalid instruction, then a truncated v128.const: malformed wins. */
    EXPECT(WDEC_ERR_UNEXPECTED_END_SECTION, &none, 0x6a, 0xfd, 0x0c, 0, 0);
}

Test(wdec_simd, opcode_rows)
{
    const struct wdec_opcode_info *info = wdec_opcode_info(WDEC_OP_I8X16_SHUFFLE);
    cr_assert_not_null(info);
    cr_assert_str_eq(info->name, "i8x16.shuffle");
    cr_assert_eq(info->prefix, 0xfd);
    cr_assert_eq(info->code, 0x0d);
    cr_assert_eq(info->imm, WDEC_IMM_SHUFFLE);
    cr_assert_eq(info->group, WDEC_GROUP_SIMD_SHUFFLE);
    cr_assert_eq(info->feature, WDEC_FEATURE_SIMD);
    cr_assert_str_eq(wdec_opcode_name(WDEC_OP_F64X2_CONVERT_LOW_I32X4_U),
                     "f64x2.convert_low_i32x4_u");
    cr_assert_eq(wdec_opcode_info(WDEC_OP_V128_LOAD64_LANE)->imm, WDEC_IMM_MEMARG8_LANE);
    /* Every SIMD op of WebAssembly 2.0 is a row: 236 of the 256 sub-opcodes. */
    unsigned rows = 0;
    for (uint32_t code = 0; code < 0x100; code++)
        rows += wdec_opcode_info((enum wdec_opcode)(0xfd << 16 | code)) != NULL;
    cr_assert_eq(rows, 236);
}

/* --- The SIMD visitor group --- */

struct rec {
    unsigned simd, lane, shuffle, consts, load, store, load_lane, store_lane, begin;
    enum wdec_opcode last_op;
    uint8_t last_lane;
    uint8_t shuffle_lanes[16];
    uint8_t const_bytes[16];
    struct wdec_memarg last_arg;
};

static wdec_status on_simd(void *ctx, enum wdec_opcode op)
{
    struct rec *r = ctx;
    r->simd++;
    r->last_op = op;
    return WDEC_OK;
}

static wdec_status on_lane(void *ctx, enum wdec_opcode op, uint8_t lane)
{
    struct rec *r = ctx;
    r->lane++;
    r->last_op = op;
    r->last_lane = lane;
    return WDEC_OK;
}

static wdec_status on_shuffle(void *ctx, const uint8_t *lanes)
{
    struct rec *r = ctx;
    r->shuffle++;
    memcpy(r->shuffle_lanes, lanes, 16);
    return WDEC_OK;
}

static wdec_status on_const(void *ctx, const uint8_t *bytes)
{
    struct rec *r = ctx;
    r->consts++;
    memcpy(r->const_bytes, bytes, 16);
    return WDEC_OK;
}

static wdec_status on_load(void *ctx, enum wdec_opcode op, struct wdec_memarg arg)
{
    struct rec *r = ctx;
    r->load++;
    r->last_op = op;
    r->last_arg = arg;
    return WDEC_OK;
}

static wdec_status on_store(void *ctx, enum wdec_opcode op, struct wdec_memarg arg)
{
    struct rec *r = ctx;
    r->store++;
    r->last_op = op;
    r->last_arg = arg;
    return WDEC_OK;
}

static wdec_status on_load_lane(void *ctx, enum wdec_opcode op, struct wdec_memarg arg,
                                uint8_t lane)
{
    struct rec *r = ctx;
    r->load_lane++;
    r->last_op = op;
    r->last_arg = arg;
    r->last_lane = lane;
    return WDEC_OK;
}

static wdec_status on_store_lane(void *ctx, enum wdec_opcode op, struct wdec_memarg arg,
                                 uint8_t lane)
{
    struct rec *r = ctx;
    r->store_lane++;
    r->last_op = op;
    r->last_arg = arg;
    r->last_lane = lane;
    return WDEC_OK;
}

static wdec_status on_begin(void *ctx, enum wdec_opcode op, size_t offset)
{
    struct rec *r = ctx;
    (void)offset;
    if ((op >> 16) == 0xfd)
        r->begin++;
    return WDEC_OK;
}

static const struct wdec_visitor simd_visitor = {
    .instr_begin = on_begin,
    .simd = on_simd,
    .simd_lane = on_lane,
    .simd_shuffle = on_shuffle,
    .v128_const = on_const,
    .simd_load = on_load,
    .simd_store = on_store,
    .simd_load_lane = on_load_lane,
    .simd_store_lane = on_store_lane,
};

Test(wdec_simd, visitor_group)
{
    /* clang-format off */
    static const uint8_t code[] = {
        0x41, 0x00, 0xfd, 0x00, 4, 8,                                       /* v128.load 16, +8 */
        0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,  /* v128.const */
        0xfd, 0x0d, 31, 30, 29, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2,     /* i8x16.shuffle */
        0xfd, 0x19, 5,                                                      /* extract_lane_u 5 */
        0xfd, 0x11, 0x1a,                                                   /* splat, drop */
        0x41, 0x00, V128_ZERO, 0xfd, 0x5a, 2, 3, 2,                         /* store32_lane */
        0x41, 0x00, V128_ZERO, 0xfd, 0x0b, 4, 0,                            /* v128.store */
        0x41, 0x00, V128_ZERO, 0xfd, 0x55, 1, 0, 7, 0x1a,                   /* load16_lane */
        0x00, V128_ZERO, 0x1a,                           /* dead code: validated, not reported */
        0x0b};
    /* clang-format on */
    struct wb b;
    wb_func_module(&b, &mem_none, code, sizeof code);
    struct rec r = {0};
    struct wdec_error err;
    cr_assert_eq(decode_with(&b, WDEC_FEATURES_WASM2, &simd_visitor, &r, &err), WDEC_OK, "%s",
                 err.message);
    cr_assert_eq(r.load, 1);
    cr_assert_eq(r.consts, 4); /* the one in dead code is validated, not reported */
    cr_assert_eq(r.const_bytes[0], 0);
    cr_assert_eq(r.shuffle, 1);
    cr_assert_eq(r.shuffle_lanes[0], 31);
    cr_assert_eq(r.shuffle_lanes[15], 2);
    cr_assert_eq(r.lane, 1);
    cr_assert_eq(r.simd, 1);
    cr_assert_eq(r.store_lane, 1);
    cr_assert_eq(r.store, 1);
    cr_assert_eq(r.load_lane, 1);
    cr_assert_eq(r.last_op, WDEC_OP_V128_LOAD16_LANE);
    cr_assert_eq(r.last_lane, 7);
    cr_assert_eq(r.last_arg.align_log2, 1);
    cr_assert_eq(r.begin, 11);
}

Test(wdec_simd, visitor_values)
{
    /* clang-format off */
    static const uint8_t code[] = {
        0x41, 0x00, 0xfd, 0x00, 3, 40,                                       /* v128.load 8, +40 */
        0xfd, 0x0c, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0xee,       /* v128.const */
        0xfd, 0x52,                                                          /* v128.bitselect */
        0xfd, 0x16, 3,                                                       /* extract_lane_u 3 */
        0x1a, 0x0b};
    /* clang-format on */
    static const struct fn_spec f = {.memory = true};
    struct wb b;
    uint8_t buf[sizeof code + 18];
    /* Push one more v128 first so that bitselect has three operands. */
    memcpy(buf, (const uint8_t[]){V128_ZERO}, 18);
    memcpy(buf + 18, code, sizeof code);
    wb_func_module(&b, &f, buf, sizeof buf);
    struct rec r = {0};
    struct wdec_error err;
    cr_assert_eq(decode_with(&b, WDEC_FEATURES_WASM2, &simd_visitor, &r, &err), WDEC_OK, "%s",
                 err.message);
    cr_assert_eq(r.last_arg.offset, 40);
    cr_assert_eq(r.last_arg.align_log2, 3);
    cr_assert_eq(r.const_bytes[0], 9);
    cr_assert_eq(r.const_bytes[15], 0xee);
    cr_assert_eq(r.simd, 1);
    cr_assert_eq(r.lane, 1);
    cr_assert_eq(r.last_op, WDEC_OP_I8X16_EXTRACT_LANE_U);
    cr_assert_eq(r.last_lane, 3);
}
