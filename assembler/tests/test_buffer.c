/* SPDX-License-Identifier: Apache-2.0 */
/* The code buffer: growth, the sticky transactional status, raw data, NOP padding and the
 * listing hook. */
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(x64_buffer, init_free_and_zeroed_free)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(x64_buf_error(&b), "");
    x64_buf_free(&b);
    cr_assert_null(b.data);
    x64_buf_free(&b); /* twice is fine */
    cr_assert_eq(x64_buf_init(NULL, 0), X64_ERR_INVALID_ARGUMENT);
}

Test(x64_buffer, grows_past_initial_capacity)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    for (int i = 0; i < 100000; i++)
        x64_add_r64_r64(&b, X64_RAX, X64_R9); /* 4C 01 C8 */
    cr_assert_eq(b.status, X64_OK);
    cr_assert_eq(b.len, 300000);
    for (size_t i = 0; i < b.len; i += 3)
        cr_assert(b.data[i] == 0x4c && b.data[i + 1] == 0x01 && b.data[i + 2] == 0xc8);
    x64_buf_free(&b);
}

Test(x64_buffer, high8_with_rex_fails_and_leaves_bytes)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    x64_mov_r8_r8(&b, X64_AH, X64_DH); /* fine: 88 f4 */
    x64_mov_r8_r8(&b, X64_AH, X64_R8B);
    cr_assert_eq(b.status, X64_ERR_HIGH8_REX);
    cr_assert_eq(b.len, 2);
    cr_assert_eq(b.data[0], 0x88);
    cr_assert_eq(b.data[1], 0xf4);
    x64_buf_free(&b);
}

Test(x64_buffer, sticky_first_error)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    x64_nop(&b);
    x64_buf_fail(&b, X64_ERR_INVALID_ARGUMENT, "first %d", 1);
    x64_buf_fail(&b, X64_ERR_NO_MEMORY, "second");
    cr_assert_eq(b.status, X64_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(x64_buf_error(&b), "first 1");
    x64_ret(&b);
    x64_data32(&b, 5);
    x64_nop_n(&b, 4);
    x64_align(&b, 16);
    struct x64_label l = x64_label_new(&b);
    cr_assert_eq(l.id, 0);
    cr_assert_eq(b.len, 1, "no emit after an error");
    cr_assert_eq(x64_buf_finish(&b), X64_ERR_INVALID_ARGUMENT);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_ERR_INVALID_ARGUMENT);
    x64_buf_free(&b);
}

Test(x64_buffer, emit_after_finish_is_an_error)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    x64_ret(&b);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert(x64_buf_is_finished(&b));
    cr_assert_eq(x64_buf_finish(&b), X64_OK, "finish is idempotent");
    x64_ret(&b);
    cr_assert_eq(b.status, X64_ERR_FINISHED);
    cr_assert_eq(b.len, 1);
    x64_buf_free(&b);
}

Test(x64_buffer, status_strings)
{
    cr_assert_str_eq(x64_status_str(X64_OK), "ok");
    cr_assert_str_eq(x64_status_str(X64_ERR_NO_MEMORY), "out of memory");
    for (int s = 0; s < X64_STATUS_COUNT; s++)
        cr_assert(strlen(x64_status_str((enum x64_status)s)) > 0);
    cr_assert_str_eq(x64_status_str(X64_STATUS_COUNT), "unknown status");
}

Test(x64_buffer, raw_data_little_endian)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    x64_data8(&b, 0x11);
    x64_data16(&b, 0x2233);
    x64_data32(&b, 0x44556677u);
    x64_data64(&b, 0x8899aabbccddeeffull);
    const uint8_t exp[] = {0x11, 0x33, 0x22, 0x77, 0x66, 0x55, 0x44, 0xff,
                           0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88};
    cr_assert_eq(b.len, sizeof exp);
    cr_assert_arr_eq(b.data, exp, sizeof exp);
    x64_buf_free(&b);
}

Test(x64_buffer, multi_byte_nops)
{
    /* SDM vol. 2B NOP table (1-9 bytes); 10-11 as GNU as. */
    static const char *const exp[] = {"90",
                                      "6690",
                                      "0f1f00",
                                      "0f1f4000",
                                      "0f1f440000",
                                      "660f1f440000",
                                      "0f1f8000000000",
                                      "0f1f840000000000",
                                      "660f1f840000000000",
                                      "662e0f1f840000000000",
                                      "66662e0f1f840000000000"};
    for (size_t n = 1; n <= 11; n++) {
        struct x64_buf b;
        x64_buf_init(&b, 0);
        x64_nop_n(&b, n);
        char hex[64] = "";
        for (size_t i = 0; i < b.len; i++)
            snprintf(hex + 2 * i, 3, "%02x", b.data[i]);
        cr_assert_str_eq(hex, exp[n - 1], "nop %zu", n);
        x64_buf_free(&b);
    }
}

struct seen {
    int count;
    enum x64_form forms[8];
    size_t start[8], end[8];
    struct x64_operand op0[8];
};

static void hook(void *ctx, const struct x64_buf *b, enum x64_form form,
                 const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    (void)b;
    struct seen *s = ctx;
    if (s->count < 8) {
        s->forms[s->count] = form;
        s->start[s->count] = start;
        s->end[s->count] = end;
        if (nops > 0)
            s->op0[s->count] = ops[0];
    }
    s->count++;
}

Test(x64_buffer, listing_hook_sees_each_instruction)
{
    struct x64_buf b;
    struct seen s;
    memset(&s, 0, sizeof s);
    x64_buf_init(&b, 0);
    x64_buf_set_listing(&b, hook, &s);
    x64_mov_r64_m64(&b, X64_RAX, x64_mem_b(X64_RDI, 8));
    struct x64_operand ops[2] = {x64_op_r32(X64_ECX), x64_op_imm(5)};
    x64_emit(&b, X64_MN_ADD, ops, 2);
    struct x64_label l = x64_label_new(&b);
    x64_label_bind(&b, l);
    x64_jcc(&b, X64_CC_NE, l);
    x64_ret(&b);
    cr_assert_eq(s.count, 4);
    cr_assert_eq(s.forms[0], X64_FORM_MOV_R64_M64);
    cr_assert_eq(s.start[0], 0);
    cr_assert_eq(s.end[0], 4);
    cr_assert_eq(s.op0[0].kind, X64_OP_REG);
    cr_assert_eq(s.op0[0].size, 8);
    cr_assert_eq(s.forms[1], X64_FORM_ADD_R32_IMM8);
    cr_assert_eq(s.start[1], 4);
    cr_assert_eq(s.end[1], 7);
    cr_assert_eq(s.forms[2], X64_FORM_JNE_REL8);
    cr_assert_eq(s.op0[2].kind, X64_OP_LABEL);
    cr_assert_eq(s.forms[3], X64_FORM_RET);
    x64_buf_set_listing(&b, NULL, NULL);
    x64_ret(&b);
    cr_assert_eq(s.count, 4);
    x64_buf_free(&b);
}
