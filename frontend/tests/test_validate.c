/* SPDX-License-Identifier: Apache-2.0 */
/* Validation of function bodies, one rule per test: operand and control stacks, stack
 * polymorphism after unreachable/br/return, block types (value type and type index),
 * br_table, both selects, locals/globals, reference types and the declared-functions rule,
 * memory and table instructions, and the malformed cases inside code. */
#include "wasm_build.h"

#include <criterion/criterion.h>
#include <string.h>
#include <wdec/module.h>

static const uint8_t I32[] = {WDEC_I32};
static const uint8_t I64[] = {WDEC_I64};
static const uint8_t I32_I32[] = {WDEC_I32, WDEC_I32};

static const struct fn_spec none = {0};
static const struct fn_spec ret_i32 = {.results = I32, .nr = 1};
static const struct fn_spec mem_fn = {.memory = true};
static const struct fn_spec tab_fn = {.table = true};

static wdec_status nop_cb(void *ctx)
{
    (void)ctx;
    return WDEC_OK;
}

/* The body's status as the last bytes of the module (where only the plain validator's full loop
 * reads it: the fast path needs 16 bytes after an instruction's start), and two cross-checks with
 * a custom section after it: the plain validator, whose fast path then runs over the body, and a
 * validator with a callback, which never takes the fast path, must both agree with it (status and
 * offset; a body that runs past its end reads on into the next bytes, so only its status). */
static wdec_status check(const struct fn_spec *f, const uint8_t *code, size_t n,
                         struct wdec_error *err)
{
    wdec_status st = body_status(f, code, n, err);
    struct wb b;
    wb_func_module(&b, f, code, n);
    wb_sec_begin(&b, 0);
    wb_name(&b, "pad");
    static const uint8_t pad[32] = {0};
    wb_bytes(&b, pad, sizeof pad);
    wb_sec_end(&b);
    struct wdec_error e1, e2;
    struct wdec_module *m = NULL;
    wdec_status plain = wdec_module_decode(b.buf, b.n, NULL, NULL, NULL, &m, &e1);
    wdec_module_free(m);
    m = NULL;
    static const struct wdec_visitor v = {.nop = nop_cb};
    wdec_status visited = wdec_module_decode(b.buf, b.n, NULL, &v, NULL, &m, &e2);
    wdec_module_free(m);
    cr_expect_eq(plain, visited, "plain \"%s\" vs visitor \"%s\"", plain ? e1.message : "ok",
                 visited ? e2.message : "ok");
    if (plain && plain == visited)
        cr_expect_eq(e1.offset, e2.offset, "%s: plain at %zu, visitor at %zu", e1.message,
                     e1.offset, e2.offset);
    if (st != WDEC_ERR_SECTION_SIZE && st != WDEC_ERR_END_EXPECTED &&
        st != WDEC_ERR_UNEXPECTED_END && st != WDEC_ERR_UNEXPECTED_END_SECTION) {
        cr_expect_eq(plain, st, "padded \"%s\" vs last bytes \"%s\"", plain ? e1.message : "ok",
                     st ? err->message : "ok");
        if (plain && plain == st)
            cr_expect_eq(e1.offset, err->offset, "%s: padded at %zu, last bytes at %zu", e1.message,
                         e1.offset, err->offset);
    }
    return st;
}

#define EXPECT(status, spec, ...)                                                                  \
    do {                                                                                           \
        static const uint8_t code_[] = {__VA_ARGS__};                                              \
        struct wdec_error err_;                                                                    \
        wdec_status st_ = check((spec), code_, sizeof code_, &err_);                               \
        cr_expect_eq(st_, (status), "line %d: got \"%s\" at %zu", __LINE__,                        \
                     st_ ? err_.message : "ok", err_.offset);                                      \
    } while (0)

Test(wdec_validate, operand_types)
{
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x42, 0x01, 0x41, 0x02, 0x6a, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x6a, 0x0b);    /* one operand short */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x0b);                      /* missing result */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x41, 0x01, 0x0b);             /* extra value */
    EXPECT(WDEC_OK, &ret_i32, 0x42, 0x01, 0xa7, 0x0b);                   /* i32.wrap_i64 */
    EXPECT(WDEC_OK, &ret_i32, 0x43, 0, 0, 0x80, 0x3f, 0xfc, 0x00, 0x0b); /* trunc_sat */
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x7f, 0xc0, 0x0b);                   /* i32.extend8_s */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x42, 0x00, 0x45, 0x0b);    /* i32.eqz on i64 */
}

/* The eight saturating truncations (0xFC 0-7), which the fast path takes itself: each from the
 * right operand type to the right result, and refused, at its own offset, from the wrong operand
 * type, on an empty stack or with a result the function does not return; after unreachable; with
 * the sub-opcode's LEB128 in two bytes (which the full loop takes). */
static size_t trunc_sat_body(uint8_t *code, uint8_t sub, bool f64_operand)
{
    size_t n = 0;
    memset(code, 0, 16);
    code[n++] = f64_operand ? 0x44 : 0x43; /* f64.const or f32.const 0 */
    n += f64_operand ? 8 : 4;
    code[n++] = 0xfc;
    code[n++] = sub;
    code[n++] = 0x0b;
    return n;
}

Test(wdec_validate, saturating_truncations)
{
    static const struct fn_spec ret_i64 = {.results = I64, .nr = 1};
    static const uint8_t first[] = {0xfc, 0x00, 0x0b}; /* refused at the body's first byte */
    struct wdec_error at0, err;
    cr_assert_eq(check(&ret_i32, first, sizeof first, &at0), WDEC_ERR_TYPE_MISMATCH);
    for (uint8_t sub = 0; sub < 8; sub++) {
        bool f64 = sub & 2, i64 = sub & 4;
        uint8_t code[16];
        size_t n = trunc_sat_body(code, sub, f64);
        wdec_status st = check(i64 ? &ret_i64 : &ret_i32, code, n, &err);
        cr_expect_eq(st, WDEC_OK, "0xfc %u: \"%s\"", sub, st ? err.message : "ok");
        st = check(i64 ? &ret_i32 : &ret_i64, code, n, &err);
        cr_expect_eq(st, WDEC_ERR_TYPE_MISMATCH, "0xfc %u returned as the other type", sub);
        n = trunc_sat_body(code, sub, !f64);
        st = check(i64 ? &ret_i64 : &ret_i32, code, n, &err);
        cr_expect_eq(st, WDEC_ERR_TYPE_MISMATCH, "0xfc %u from the other operand type", sub);
        cr_expect_eq(err.offset, at0.offset + (f64 ? 5u : 9u), "0xfc %u: offset %zu", sub,
                     err.offset);
    }
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x00, 0xfc, 0x00, 0x0b); /* an i32 */
    EXPECT(WDEC_OK, &ret_i64, 0x00, 0xfc, 0x07, 0x0b);                      /* after unreachable */
    EXPECT(WDEC_OK, &ret_i32, 0x43, 0, 0, 0, 0, 0xfc, 0x80, 0x00, 0x0b);    /* 0 in two bytes */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xfc, 0x81, 0x00, 0x0b);
}

Test(wdec_validate, stack_polymorphism)
{
    EXPECT(WDEC_OK, &ret_i32, 0x00, 0x0b);       /* unreachable gives any result */
    EXPECT(WDEC_OK, &ret_i32, 0x00, 0x6a, 0x0b); /* i32.add pops unknowns */
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x00, 0x0f, 0x42, 0x00, 0x50, 0x0b); /* dead code typed */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x00, 0x42, 0x00, 0x0b);    /* known wrong type */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x00, 0x42, 0x00, 0x6a, 0x0b);
    EXPECT(WDEC_OK, &none, 0x00, 0x1a, 0x1a, 0x0b); /* drop of unknowns */
    /* A block entered in dead code has its own, fresh stack. */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x00, 0x02, 0x7f, 0x0b, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &none, 0x00, 0x02, 0x7f, 0x00, 0x0b, 0x1a, 0x0b);
}

Test(wdec_validate, blocks_and_multi_value)
{
    /* block (result i32) i32.const 1 end */
    EXPECT(WDEC_OK, &ret_i32, 0x02, 0x7f, 0x41, 0x01, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x02, 0x7f, 0x0b, 0x0b);
    /* loop with a type index: type 0 of a [] -> [i32] function is [] -> [i32] */
    EXPECT(WDEC_OK, &ret_i32, 0x03, 0x00, 0x41, 0x01, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_TYPE, &ret_i32, 0x03, 0x05, 0x41, 0x01, 0x0b, 0x0b);
    /* block params: with the function type [i32 i32] -> [i32] as block type 0 */
    static const struct fn_spec add = {.params = I32_I32, .np = 2, .results = I32, .nr = 1};
    EXPECT(WDEC_OK, &add, 0x20, 0x00, 0x20, 0x01, 0x02, 0x00, 0x6a, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &add, 0x20, 0x00, 0x02, 0x00, 0x6a, 0x0b, 0x0b);
    /* if without else must have params == results */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x0b);
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b,
           0x0b); /* no condition */
    /* else checks the then arm's result and starts the else arm afresh */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x04, 0x7f, 0x42, 0x01, 0x05, 0x41, 0x02,
           0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x0b, 0x0b);
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x01, 0x04, 0x7f, 0x00, 0x05, 0x41, 0x02, 0x0b, 0x0b);
    EXPECT(WDEC_OK, &none, 0x41, 0x01, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0b, 0x0b);
    /* else outside an if is malformed */
    EXPECT(WDEC_ERR_END_EXPECTED, &none, 0x02, 0x40, 0x05, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_END_EXPECTED, &none, 0x05, 0x0b);
    EXPECT(WDEC_ERR_VALUE_TYPE, &none, 0x02, 0x41, 0x0b, 0x0b); /* 0x41: no such type */
}

Test(wdec_validate, branches)
{
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x01, 0x0c, 0x00, 0x0b); /* br to function */
    EXPECT(WDEC_ERR_UNKNOWN_LABEL, &none, 0x0c, 0x01, 0x0b);
    EXPECT(WDEC_OK, &none, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b);             /* loop label: params */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x0d, 0x00, 0x0b); /* br_if no value */
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x07, 0x41, 0x01, 0x0d, 0x00, 0x0b);
    /* br_if passes its label's types through, typed as the label's. */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x02, 0x7f, 0x00, 0x0d, 0x00, 0x50, 0x0b, 0x0b);
    EXPECT(WDEC_OK, &none, 0x02, 0x7f, 0x41, 0x00, 0x41, 0x00, 0x0d, 0x00, 0x0b, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &none, 0x02, 0x40, 0x0f, 0x0b, 0x0b); /* return */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x02, 0x40, 0x0f, 0x0b, 0x41, 0x00, 0x0b);
}

Test(wdec_validate, br_table)
{
    /* block block i32.const 0 br_table 0 1 1 end end */
    EXPECT(WDEC_OK, &none, 0x02, 0x40, 0x02, 0x40, 0x41, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x01, 0x0b,
           0x0b, 0x0b);
    /* targets with different arities */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x02, 0x40, 0x02, 0x7f, 0x41, 0x00, 0x41, 0x00, 0x0e,
           0x01, 0x00, 0x01, 0x0b, 0x1a, 0x0b, 0x0b);
    /* same arity, different types */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x02, 0x7e, 0x02, 0x7f, 0x41, 0x00, 0x41, 0x00, 0x0e,
           0x01, 0x00, 0x01, 0x0b, 0x1a, 0x42, 0x00, 0x0b, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_LABEL, &none, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x05, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x0e, 0x00, 0x00, 0x0b); /* no index */
    EXPECT(WDEC_OK, &ret_i32, 0x00, 0x0e, 0x00, 0x00, 0x0b);       /* polymorphic */
    /* labels carrying an i32: the value below the index must be one */
    EXPECT(WDEC_OK, &ret_i32, 0x02, 0x7f, 0x41, 0x07, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b,
           0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x02, 0x7f, 0x42, 0x07, 0x41, 0x00, 0x0e, 0x01, 0x00,
           0x01, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x02, 0x7f, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01, 0x0b,
           0x0b);
    /* a padded (multi-byte) label and count */
    EXPECT(WDEC_OK, &none, 0x02, 0x40, 0x41, 0x00, 0x0e, 0x81, 0x00, 0x80, 0x00, 0x00, 0x0b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x02, 0x40, 0x42, 0x00, 0x0e, 0x00, 0x00, 0x0b, 0x0b);
}

Test(wdec_validate, select)
{
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x01, 0x41, 0x02, 0x41, 0x00, 0x1b, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x01, 0x42, 0x02, 0x41, 0x00, 0x1b, 0x0b);
    /* untyped select of references is refused; typed is fine */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1b, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &none, 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1c, 0x01, 0x70, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_RESULT_ARITY, &none, 0x41, 0x00, 0x1c, 0x00, 0x0b);
    EXPECT(WDEC_ERR_RESULT_ARITY, &none, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f, 0x0b);
    EXPECT(WDEC_OK, &ret_i32, 0x00, 0x1b, 0x0b); /* unknown operands */
}

Test(wdec_validate, locals_and_globals)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, I32, 1, I64, 1);
    wb_funcs(&b, 1);
    static const uint8_t globals[] = {2,        WDEC_I64, 0x00, 0x42, 0x05, 0x0b,
                                      WDEC_I64, 0x01,     0x42, 0x06, 0x0b};
    wb_section(&b, 6, globals, sizeof globals);
    static const uint8_t locals[] = {0x02, 0x02, WDEC_I64, 0x01, WDEC_F32};
    /* local 0 i32 (param), 1-2 i64, 3 f32: local.get 1 global.get 0 i64.add global.set 1
     * local.get 2 local.tee 1 end */
    static const uint8_t code[] = {0x20, 0x01, 0x23, 0x00, 0x7c, 0x24,
                                   0x01, 0x20, 0x02, 0x22, 0x01, 0x0b};
    wb_code(&b, locals, sizeof locals, code, sizeof code);
    cr_assert_eq(wb_decode(&b, &err), WDEC_OK, "%s", err.message);

    EXPECT(WDEC_ERR_UNKNOWN_LOCAL, &none, 0x20, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_GLOBAL, &none, 0x23, 0x00, 0x1a, 0x0b);
    /* global.set of an immutable global */
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_section(&b, 6, globals, sizeof globals);
    static const uint8_t no_locals[] = {0x00};
    static const uint8_t set0[] = {0x42, 0x00, 0x24, 0x00, 0x0b};
    wb_code(&b, no_locals, 1, set0, sizeof set0);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_GLOBAL_IMMUTABLE);
    cr_assert_str_eq(err.message, "global is immutable");
}

Test(wdec_validate, too_many_locals)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    static const uint8_t locals[] = {0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, WDEC_I32, 0x01, WDEC_I64};
    static const uint8_t code[] = {0x0b};
    wb_code(&b, locals, sizeof locals, code, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_TOO_MANY_LOCALS);
    cr_assert_str_eq(err.message, "too many locals");
}

/* Decodes b with the plain validator and with a visitor (which never takes the fast path); both
 * must give `want`. */
static void expect_both(const struct wb *b, wdec_status want, const char *what)
{
    struct wdec_error err;
    cr_expect_eq(wb_decode(b, &err), want, "%s: plain \"%s\"", what, err.message);
    static const struct wdec_visitor v = {.nop = nop_cb};
    struct wdec_module *m = NULL;
    cr_expect_eq(wdec_module_decode(b->buf, b->n, NULL, &v, NULL, &m, &err), want,
                 "%s: visitor \"%s\"", what, err.message);
    wdec_module_free(m);
}

/* Local types from params and groups of every size the decoder copies differently (up to 16 and
 * more): each local is read by an instruction that takes only its type. */
Test(wdec_validate, local_groups)
{
    static const uint8_t cycle[4] = {WDEC_I32, WDEC_I64, WDEC_F32, WDEC_F64};
    static const uint8_t groups[][2] = {{17, WDEC_F64}, {1, WDEC_I32},  {16, WDEC_I64},
                                        {2, WDEC_F32},  {40, WDEC_I32}, {3, WDEC_F64}};
    static const uint32_t param_counts[] = {0, 1, 2, 3, 5, 8, 9, 16, 17, 20};
    for (size_t pc = 0; pc < sizeof param_counts / sizeof *param_counts; pc++) {
        uint32_t np = param_counts[pc];
        uint8_t types[128], params[20], locals[16];
        uint32_t n = 0;
        for (uint32_t i = 0; i < np; i++)
            types[n++] = params[i] = cycle[(i * 3 + 1) % 4];
        size_t nl = 0;
        locals[nl++] = (uint8_t)(sizeof groups / sizeof *groups);
        for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
            locals[nl++] = groups[g][0];
            locals[nl++] = groups[g][1];
            for (uint32_t k = 0; k < groups[g][0]; k++)
                types[n++] = groups[g][1];
        }
        uint8_t code[512];
        size_t nc = 0;
        for (uint32_t i = 0; i < n; i++) {
            static const uint8_t use[0x80] = {
                [WDEC_I32] = 0x45, [WDEC_I64] = 0x50, [WDEC_F32] = 0x8c, [WDEC_F64] = 0x9a};
            code[nc++] = 0x20; /* local.get i; i32.eqz/i64.eqz/f32.neg/f64.neg; drop */
            code[nc++] = (uint8_t)i;
            code[nc++] = use[types[i]];
            code[nc++] = 0x1a;
        }
        code[nc++] = 0x0b;
        struct wb b;
        wb_init(&b);
        wb_one_type(&b, params, np, NULL, 0);
        wb_funcs(&b, 1);
        wb_code(&b, locals, nl, code, nc);
        wb_sec_begin(&b, 0); /* room after the body for the fast path */
        wb_name(&b, "pad");
        static const uint8_t pad[32] = {0};
        wb_bytes(&b, pad, sizeof pad);
        wb_sec_end(&b);
        expect_both(&b, WDEC_OK, "every local");
        /* One past the last local is unknown; the first declared local (f64) is not an i32. */
        uint8_t bad[] = {0x20, (uint8_t)n, 0x1a, 0x0b};
        wb_init(&b);
        wb_one_type(&b, params, np, NULL, 0);
        wb_funcs(&b, 1);
        wb_code(&b, locals, nl, bad, sizeof bad);
        expect_both(&b, WDEC_ERR_UNKNOWN_LOCAL, "past the last");
        uint8_t wrong[] = {0x20, (uint8_t)np, 0x45, 0x1a, 0x0b};
        wb_init(&b);
        wb_one_type(&b, params, np, NULL, 0);
        wb_funcs(&b, 1);
        wb_code(&b, locals, nl, wrong, sizeof wrong);
        expect_both(&b, WDEC_ERR_TYPE_MISMATCH, "f64 as i32");
    }
}

/* Past the implementation limit (50000 locals) the groups are still read: a malformed one after
 * it is what gets reported; otherwise the limit, with the total. */
Test(wdec_validate, locals_past_the_limit)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t code[] = {0x0b};
    static const uint8_t bad_type[] = {0x02, 0xe0, 0xd4, 0x03, WDEC_I32, 0x01, 0x00};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_code(&b, bad_type, sizeof bad_type, code, sizeof code);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_VALUE_TYPE, "%s", err.message);
    cr_assert_eq(err.offset, b.n - 2); /* the type byte, just before the body's `end` */
    static const uint8_t over[] = {0x02, 0xe0, 0xd4, 0x03, WDEC_I32, 0x01, WDEC_I64};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_code(&b, over, sizeof over, code, sizeof code);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_IMPL_LIMIT, "%s", err.message);
    cr_assert(strstr(err.message, "(60001 locals)"), "%s", err.message);
}

Test(wdec_validate, memory_instructions)
{
    EXPECT(WDEC_ERR_UNKNOWN_MEMORY, &none, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &mem_fn, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_fn, 0x41, 0x00, 0x28, 0x03, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_ALIGNMENT, &mem_fn, 0x41, 0x00, 0x2c, 0x01, 0x00, 0x1a, 0x0b); /* load8 */
    EXPECT(WDEC_OK, &mem_fn, 0x41, 0x00, 0x42, 0x00, 0x37, 0x03, 0x10, 0x0b);      /* i64.store */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &mem_fn, 0x41, 0x00, 0x41, 0x00, 0x37, 0x03, 0x10, 0x0b);
    EXPECT(WDEC_OK, &mem_fn, 0x3f, 0x00, 0x40, 0x00, 0x1a, 0x0b); /* size, grow */
    EXPECT(WDEC_ERR_ZERO_BYTE, &mem_fn, 0x3f, 0x01, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &mem_fn, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x00, 0x0b);
    EXPECT(WDEC_OK, &mem_fn, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &mem_fn, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &mem_fn, 0x41, 0x00, 0x42, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00,
           0x00, 0x0b);
    EXPECT(WDEC_ERR_ZERO_BYTE, &mem_fn, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x01,
           0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_MEMORY, &none, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x00,
           0x0b);
}

Test(wdec_validate, table_and_reference_instructions)
{
    EXPECT(WDEC_OK, &tab_fn, 0x41, 0x00, 0x25, 0x00, 0x1a, 0x0b); /* table.get */
    EXPECT(WDEC_ERR_UNKNOWN_TABLE, &none, 0x41, 0x00, 0x25, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_OK, &tab_fn, 0x41, 0x00, 0xd0, 0x70, 0x26, 0x00, 0x0b); /* table.set */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &tab_fn, 0x41, 0x00, 0xd0, 0x6f, 0x26, 0x00, 0x0b);
    EXPECT(WDEC_OK, &tab_fn, 0xd0, 0x70, 0x41, 0x01, 0xfc, 0x0f, 0x00, 0x1a, 0x0b); /* grow */
    EXPECT(WDEC_OK, &tab_fn, 0xfc, 0x10, 0x00, 0x1a, 0x0b);                         /* size */
    EXPECT(WDEC_OK, &tab_fn, 0x41, 0x00, 0xd0, 0x70, 0x41, 0x01, 0xfc, 0x11, 0x00, 0x0b);
    EXPECT(WDEC_OK, &tab_fn, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0e, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_ELEM, &tab_fn, 0xfc, 0x0d, 0x00, 0x0b); /* elem.drop */
    EXPECT(WDEC_OK, &none, 0xd0, 0x6f, 0xd1, 0x1a, 0x0b);           /* is_null */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x41, 0x00, 0xd1, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_REF_TYPE, &none, 0xd0, 0x7f, 0x1a, 0x0b);
    /* ref.func needs the function declared outside bodies (here it is not) */
    EXPECT(WDEC_ERR_UNDECLARED_FUNC_REF, &none, 0xd2, 0x00, 0x1a, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_FUNC, &none, 0xd2, 0x03, 0x1a, 0x0b);
    /* call_indirect through a funcref table */
    EXPECT(WDEC_OK, &tab_fn, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_TABLE, &none, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_TYPE, &tab_fn, 0x41, 0x00, 0x11, 0x04, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &tab_fn, 0x42, 0x00, 0x11, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_TABLE, &tab_fn, 0x41, 0x00, 0x11, 0x00, 0x01, 0x0b);
    static const struct fn_spec f = {.params = I32, .np = 1, .table = true};
    EXPECT(WDEC_OK, &f, 0x41, 0x05, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &f, 0x42, 0x05, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &f, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
}

Test(wdec_validate, declared_function_reference)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    static const uint8_t declare[] = {1, 0x03, 0x00, 0x01, 0x00}; /* declarative elem: func 0 */
    wb_section(&b, 9, declare, sizeof declare);
    static const uint8_t no_locals[] = {0x00};
    static const uint8_t code[] = {0xd2, 0x00, 0x1a, 0x0b};
    wb_code(&b, no_locals, 1, code, sizeof code);
    cr_assert_eq(wb_decode(&b, &err), WDEC_OK, "%s", err.message);
}

Test(wdec_validate, calls)
{
    static const struct fn_spec f = {.params = I32, .np = 1, .results = I32, .nr = 1};
    EXPECT(WDEC_OK, &f, 0x41, 0x01, 0x10, 0x00, 0x0b); /* recursive call */
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &f, 0x10, 0x00, 0x0b);
    EXPECT(WDEC_ERR_UNKNOWN_FUNC, &f, 0x41, 0x01, 0x10, 0x01, 0x0b);
    /* five to eight params (the fast path checks them in two words) */
    static const uint8_t p6[] = {WDEC_I32, WDEC_I64, WDEC_F32, WDEC_F64, WDEC_I32, WDEC_I64};
    static const struct fn_spec f6 = {.params = p6, .np = 6};
    EXPECT(WDEC_OK, &f6, 0x41, 0x00, 0x42, 0x00, 0x43, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0,
           0x41, 0x00, 0x42, 0x00, 0x10, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &f6, 0x42, 0x00, 0x42, 0x00, 0x43, 0, 0, 0, 0, 0x44, 0, 0, 0, 0,
           0, 0, 0, 0, 0x41, 0x00, 0x42, 0x00, 0x10, 0x00, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &f6, 0x42, 0x00, 0x43, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0,
           0x41, 0x00, 0x42, 0x00, 0x10, 0x00, 0x0b);
    /* the function's own end: its result, nothing more, and the body's last byte */
    EXPECT(WDEC_OK, &ret_i32, 0x41, 0x00, 0x01, 0x01, 0x01, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x41, 0x00, 0x41, 0x00, 0x01, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &ret_i32, 0x42, 0x00, 0x01, 0x01, 0x01, 0x0b);
    EXPECT(WDEC_ERR_SECTION_SIZE, &none, 0x01, 0x01, 0x0b, 0x01);
}

Test(wdec_validate, malformed_code)
{
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0x06, 0x0b);       /* try: exceptions not enabled */
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0x12, 0x00, 0x0b); /* return_call */
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0xfc, 0x12, 0x0b);
    EXPECT(WDEC_ERR_UNSUPPORTED, &none, 0xfd, 0x0c, 0x0b);
    EXPECT(WDEC_ERR_SECTION_SIZE, &none, 0x0b, 0x01);     /* bytes after the final end */
    EXPECT(WDEC_ERR_UNEXPECTED_END_SECTION, &none, 0x01); /* no final end at module end */
    /* An invalid instruction followed by a malformed one: malformed wins, as in the reference
     * interpreter, which decodes everything before validating. */
    EXPECT(WDEC_ERR_ILLEGAL_OPCODE, &none, 0x6a, 0xff, 0x0b);
    EXPECT(WDEC_ERR_TYPE_MISMATCH, &none, 0x6a, 0x0b);
}
