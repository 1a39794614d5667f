/* SPDX-License-Identifier: Apache-2.0 */
/* The visitor contract (STYLE.md, section 6): one callback per reachable instruction, in order,
 * with what validation computed (types, block types, arities); nothing for dead code; a non-OK
 * return stops decoding; deferred bodies through wdec_func_decode() give the same calls. */
#include "wasm_build.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wdec/module.h>
#include <wdec/visitor.h>

struct rec {
    char log[4096];
    size_t n;
    int fail_at_call; /* return WDEC_ERR_CLIENT from the Nth callback, 0: never */
    int calls;
};

__attribute__((format(printf, 2, 3))) static wdec_status note(struct rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->log + r->n, sizeof r->log - r->n, fmt, ap);
    va_end(ap);
    r->n += (size_t)k;
    r->log[r->n++] = ' ';
    r->log[r->n] = '\0';
    return ++r->calls == r->fail_at_call ? WDEC_ERR_CLIENT : WDEC_OK;
}

static wdec_status on_func_begin(void *ctx, const struct wdec_func_info *fn)
{
    char locals[64] = "";
    for (uint32_t i = 0; i < fn->local_count && i < 16; i++) {
        strcat(locals, wdec_valtype_name(fn->local_types[i]));
        if (i + 1 < fn->local_count)
            strcat(locals, ",");
    }
    return note(ctx, "func%u(%s)->%u", fn->func_index, locals, fn->type->result_count);
}
static wdec_status on_func_end(void *ctx)
{
    return note(ctx, "func_end");
}
static wdec_status on_block(void *ctx, const struct wdec_block_type *bt)
{
    return note(ctx, "block[%u->%u]", bt->param_count, bt->result_count);
}
static wdec_status on_loop(void *ctx, const struct wdec_block_type *bt)
{
    return note(ctx, "loop[%u->%u]", bt->param_count, bt->result_count);
}
static wdec_status on_if(void *ctx, const struct wdec_block_type *bt)
{
    return note(ctx, "if[%u->%u:%s]", bt->param_count, bt->result_count,
                bt->result_count ? wdec_valtype_name(bt->results[0]) : "");
}
static wdec_status on_else(void *ctx)
{
    return note(ctx, "else");
}
static wdec_status on_end(void *ctx, bool had_else)
{
    return note(ctx, had_else ? "end(else)" : "end");
}
static wdec_status on_br(void *ctx, uint32_t depth, uint32_t arity)
{
    return note(ctx, "br%u/%u", depth, arity);
}
static wdec_status on_br_if(void *ctx, uint32_t depth, uint32_t arity)
{
    return note(ctx, "br_if%u/%u", depth, arity);
}
static wdec_status on_br_table(void *ctx, const uint32_t *t, uint32_t n, uint32_t d, uint32_t a)
{
    char s[64] = "";
    for (uint32_t i = 0; i < n; i++)
        sprintf(s + strlen(s), "%u,", t[i]);
    return note(ctx, "br_table[%s]%u/%u", s, d, a);
}
static wdec_status on_return(void *ctx)
{
    return note(ctx, "return");
}
static wdec_status on_unreachable(void *ctx)
{
    return note(ctx, "unreachable");
}
static wdec_status on_call(void *ctx, uint32_t f, const struct wdec_func_type *t)
{
    return note(ctx, "call%u(%u)", f, t->param_count);
}
static wdec_status on_drop(void *ctx, uint8_t t)
{
    return note(ctx, "drop:%s", wdec_valtype_name(t));
}
static wdec_status on_select(void *ctx, uint8_t t)
{
    return note(ctx, "select:%s", wdec_valtype_name(t));
}
static wdec_status on_local_get(void *ctx, uint32_t i, uint8_t t)
{
    return note(ctx, "local.get%u:%s", i, wdec_valtype_name(t));
}
static wdec_status on_local_set(void *ctx, uint32_t i, uint8_t t)
{
    return note(ctx, "local.set%u:%s", i, wdec_valtype_name(t));
}
static wdec_status on_load(void *ctx, enum wdec_opcode op, struct wdec_memarg a)
{
    return note(ctx, "%s@%llu/%u", wdec_opcode_name(op), (unsigned long long)a.offset,
                a.align_log2);
}
static wdec_status on_store(void *ctx, enum wdec_opcode op, struct wdec_memarg a)
{
    return note(ctx, "%s@%llu", wdec_opcode_name(op), (unsigned long long)a.offset);
}
static wdec_status on_i32(void *ctx, int32_t v)
{
    return note(ctx, "i32:%d", v);
}
static wdec_status on_i64(void *ctx, int64_t v)
{
    return note(ctx, "i64:%lld", (long long)v);
}
static wdec_status on_f32(void *ctx, uint32_t bits)
{
    return note(ctx, "f32:%08x", bits);
}
static wdec_status on_f64(void *ctx, uint64_t bits)
{
    return note(ctx, "f64:%016llx", (unsigned long long)bits);
}
static wdec_status on_numeric(void *ctx, enum wdec_opcode op)
{
    return note(ctx, "%s", wdec_opcode_name(op));
}
static wdec_status on_ref_null(void *ctx, uint8_t t)
{
    return note(ctx, "ref.null:%s", wdec_valtype_name(t));
}
static wdec_status on_ref_is_null(void *ctx, uint8_t t)
{
    return note(ctx, "ref.is_null:%s", wdec_valtype_name(t));
}

static const struct wdec_visitor recorder = {
    .func_begin = on_func_begin,
    .func_end = on_func_end,
    .block = on_block,
    .loop = on_loop,
    .if_ = on_if,
    .else_ = on_else,
    .end = on_end,
    .br = on_br,
    .br_if = on_br_if,
    .br_table = on_br_table,
    .return_ = on_return,
    .unreachable = on_unreachable,
    .call = on_call,
    .drop = on_drop,
    .select = on_select,
    .local_get = on_local_get,
    .local_set = on_local_set,
    .load = on_load,
    .store = on_store,
    .i32_const = on_i32,
    .i64_const = on_i64,
    .f32_const = on_f32,
    .f64_const = on_f64,
    .numeric = on_numeric,
    .ref_null = on_ref_null,
    .ref_is_null = on_ref_is_null,
};

static const uint8_t I32[] = {WDEC_I32};

/* Runs the recorder over a one-function module ([i32] -> [i32], one i64 local, a memory). */
static wdec_status record(const uint8_t *code, size_t n, struct rec *r, struct wdec_error *err)
{
    static struct wb b;
    wb_init(&b);
    wb_one_type(&b, I32, 1, I32, 1);
    wb_funcs(&b, 1);
    wb_memory(&b);
    static const uint8_t locals[] = {0x01, 0x01, WDEC_I64};
    wb_code(&b, locals, sizeof locals, code, n);
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(b.buf, b.n, NULL, &recorder, r, &m, err);
    wdec_module_free(m);
    return st;
}

#define RECORD(expect_log, ...)                                                                    \
    do {                                                                                           \
        static const uint8_t code_[] = {__VA_ARGS__};                                              \
        struct rec r_ = {0};                                                                       \
        struct wdec_error err_;                                                                    \
        wdec_status st_ = record(code_, sizeof code_, &r_, &err_);                                 \
        cr_assert_eq(st_, WDEC_OK, "line %d: %s at %zu", __LINE__, err_.message, err_.offset);     \
        cr_expect_str_eq(r_.log, expect_log);                                                      \
    } while (0)

Test(wdec_visitor, straight_line_with_types)
{
    RECORD("func0(i32,i64)->1 local.get0:i32 i32:-2 i32.add i64:300 drop:i64 func_end ", 0x20, 0x00,
           0x41, 0x7e, 0x6a, 0x42, 0xac, 0x02, 0x1a, 0x0b);
    RECORD("func0(i32,i64)->1 f32:3f800000 drop:f32 f64:4000000000000000 drop:f64 i32:1 "
           "func_end ",
           0x43, 0x00, 0x00, 0x80, 0x3f, 0x1a, 0x44, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x1a, 0x41, 0x01,
           0x0b);
    RECORD("func0(i32,i64)->1 local.get0:i32 i32.load@16/2 i32:0 i64:7 i64.store8@3 func_end ",
           0x20, 0x00, 0x28, 0x02, 0x10, 0x41, 0x00, 0x42, 0x07, 0x3c, 0x00, 0x03, 0x0b);
    RECORD("func0(i32,i64)->1 ref.null:externref ref.is_null:externref func_end ", 0xd0, 0x6f, 0xd1,
           0x0b);
    RECORD("func0(i32,i64)->1 i32:1 i32:2 local.get0:i32 select:i32 func_end ", 0x41, 0x01, 0x41,
           0x02, 0x20, 0x00, 0x1b, 0x0b);
    RECORD("func0(i32,i64)->1 local.get0:i32 call0(1) func_end ", 0x20, 0x00, 0x10, 0x00, 0x0b);
}

Test(wdec_visitor, control_and_dead_code)
{
    /* block (result i32) local.get 0 br 0 i32.const 9 end: the dead const is not reported */
    RECORD("func0(i32,i64)->1 block[0->1] local.get0:i32 br0/1 end func_end ", 0x02, 0x7f, 0x20,
           0x00, 0x0c, 0x00, 0x41, 0x09, 0x0b, 0x0b);
    /* if (result i32) unreachable else i32.const 2 end */
    RECORD("func0(i32,i64)->1 local.get0:i32 if[0->1:i32] unreachable else i32:2 end(else) "
           "func_end ",
           0x20, 0x00, 0x04, 0x7f, 0x00, 0x05, 0x41, 0x02, 0x0b, 0x0b);
    /* a whole block inside dead code: neither it nor its end is reported */
    RECORD("func0(i32,i64)->1 unreachable func_end ", 0x00, 0x02, 0x40, 0x41, 0x01, 0x1a, 0x0b,
           0x0b);
    /* loop label arity is its params (0); br_if keeps going */
    RECORD("func0(i32,i64)->1 loop[0->0] local.get0:i32 br_if0/0 end i32:5 func_end ", 0x03, 0x40,
           0x20, 0x00, 0x0d, 0x00, 0x0b, 0x41, 0x05, 0x0b);
    RECORD("func0(i32,i64)->1 block[0->0] block[0->0] local.get0:i32 br_table[0,1,]1/0 end end "
           "i32:0 func_end ",
           0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x01, 0x0b, 0x0b, 0x41, 0x00,
           0x0b);
    RECORD("func0(i32,i64)->1 local.get0:i32 return func_end ", 0x20, 0x00, 0x0f, 0x0b);
    RECORD("func0(i32,i64)->1 local.get0:i32 local.set0:i32 i32:1 func_end ", 0x20, 0x00, 0x21,
           0x00, 0x41, 0x01, 0x0b);
}

Test(wdec_visitor, client_status_stops_decoding)
{
    static const uint8_t code[] = {0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b};
    struct rec r = {.fail_at_call = 3}; /* func_begin, i32:1, then i32:2 fails */
    struct wdec_error err;
    cr_assert_eq(record(code, sizeof code, &r, &err), WDEC_ERR_CLIENT);
    cr_assert_eq(err.status, WDEC_ERR_CLIENT);
    cr_assert_str_eq(r.log, "func0(i32,i64)->1 i32:1 i32:2 ");
    cr_assert_gt(err.offset, 0);
}

Test(wdec_visitor, invalid_code_is_never_reported)
{
    /* i64.add on i32 operands: the visitor sees the consts, never the add. */
    static const uint8_t code[] = {0x41, 0x01, 0x41, 0x02, 0x7c, 0x0b};
    struct rec r = {0};
    struct wdec_error err;
    cr_assert_eq(record(code, sizeof code, &r, &err), WDEC_ERR_TYPE_MISMATCH);
    cr_assert_null(strstr(r.log, "i64.add"));
}

Test(wdec_visitor, deferred_bodies_give_the_same_calls)
{
    struct wb b;
    wb_init(&b);
    wb_one_type(&b, I32, 1, I32, 1);
    wb_funcs(&b, 2);
    wb_sec_begin(&b, 10);
    wb_u32(&b, 2);
    static const uint8_t f0[] = {0x00, 0x20, 0x00, 0x0b};
    static const uint8_t f1[] = {0x00, 0x20, 0x00, 0x10, 0x00, 0x0b};
    wb_u32(&b, sizeof f0);
    wb_bytes(&b, f0, sizeof f0);
    wb_u32(&b, sizeof f1);
    wb_bytes(&b, f1, sizeof f1);
    wb_sec_end(&b);

    struct rec once = {0};
    struct wdec_module *m = NULL;
    struct wdec_error err;
    cr_assert_eq(wdec_module_decode(b.buf, b.n, NULL, &recorder, &once, &m, &err), WDEC_OK);
    wdec_module_free(m);

    struct wdec_options opt = {.defer_bodies = true};
    struct rec later = {0};
    cr_assert_eq(wdec_module_decode(b.buf, b.n, &opt, &recorder, &later, &m, &err), WDEC_OK);
    cr_assert_eq(later.n, 0, "deferred: no calls during the module decode");
    for (uint32_t i = 0; i < m->func_count; i++)
        cr_assert_eq(wdec_func_decode(m, i, &recorder, &later, &err), WDEC_OK);
    cr_assert_str_eq(later.log, once.log);
    cr_assert_eq(wdec_func_decode(m, 2, &recorder, &later, &err), WDEC_ERR_INVALID_ARGUMENT);
    wdec_module_free(m);
}

Test(wdec_visitor, opcode_table)
{
    cr_assert_str_eq(wdec_opcode_name(WDEC_OP_I32_ADD), "i32.add");
    cr_assert_eq(WDEC_OP_I32_ADD, 0x6a);
    cr_assert_eq(WDEC_OP_MEMORY_FILL, 0xfc000b);
    const struct wdec_opcode_info *info = wdec_opcode_info(WDEC_OP_I64_LOAD32_U);
    cr_assert_not_null(info);
    cr_assert_eq(info->imm, WDEC_IMM_MEMARG4);
    cr_assert_eq(info->group, WDEC_GROUP_LOAD);
    cr_assert_eq(wdec_opcode_info(WDEC_OP_RETURN_CALL)->feature, WDEC_FEATURE_TAIL_CALL);
    cr_assert_eq(wdec_opcode_info(WDEC_OP_I32_TRUNC_SAT_F64_U)->group, WDEC_GROUP_NUMERIC);
    cr_assert_null(wdec_opcode_info((enum wdec_opcode)0xff));
    cr_assert_str_eq(wdec_opcode_name((enum wdec_opcode)0xff), "<unknown>");
}

Test(wdec_visitor, deferred_bodies_still_refuse_malformed_code)
{
    /* binary.wast:1817's shape: an invalid block type index, then the body runs out. With
     * deferred bodies the module decode must still say "unexpected end", not leave it to
     * wdec_func_decode() to find "unknown type". */
    struct wb b;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    static const uint8_t locals[] = {0x00};
    static const uint8_t code[] = {0x02, 0x0b, 0x0b}; /* block (type 11) end, no final end */
    wb_code(&b, locals, sizeof locals, code, sizeof code);
    struct wdec_options opt = {.defer_bodies = true};
    struct wdec_module *m = NULL;
    struct wdec_error err;
    cr_assert_eq(wdec_module_decode(b.buf, b.n, &opt, NULL, NULL, &m, &err),
                 WDEC_ERR_UNEXPECTED_END_SECTION, "%s", err.message);
    cr_assert_null(m);
    cr_assert_eq(wdec_module_decode(b.buf, b.n, NULL, NULL, NULL, &m, &err),
                 WDEC_ERR_UNEXPECTED_END_SECTION);
}
