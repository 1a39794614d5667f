/* SPDX-License-Identifier: Apache-2.0 */
/* Labels: backward rel8/rel32 choice, forward rel32 and short, the shrinking finishing pass
 * (and everything it must move: labels, label data, RIP-relative operands, alignment), jump
 * tables, the constant pool. Many tests also run the code to prove the displacements. */
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <string.h>

static struct x64_buf b;

static void setup(void)
{
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
}

static void teardown(void)
{
    x64_buf_free(&b);
}

TestSuite(x64_labels, .init = setup, .fini = teardown);

static uint64_t run_int(uint64_t a0, uint64_t a1)
{
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK, "%s", x64_buf_error(&b));
    uint64_t args[2] = {a0, a1};
    uint64_t r = x64_code_call_int(code.addr, args, 2, NULL, 0);
    x64_code_free(&code);
    return r;
}

Test(x64_labels, backward_jump_takes_rel8)
{
    struct x64_label top = x64_label_new(&b);
    x64_label_bind(&b, top);
    x64_nop(&b);
    x64_jmp(&b, top);
    x64_jcc(&b, X64_CC_NE, top);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    const uint8_t exp[] = {0x90, 0xeb, 0xfd, 0x75, 0xfb};
    cr_assert_eq(b.len, sizeof exp);
    cr_assert_arr_eq(b.data, exp, sizeof exp);
}

Test(x64_labels, far_backward_jump_takes_rel32)
{
    struct x64_label top = x64_label_new(&b);
    x64_label_bind(&b, top);
    x64_nop_n(&b, 200);
    x64_jcc(&b, X64_CC_E, top);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(b.len, 206);
    const uint8_t exp[] = {0x0f, 0x84, 0x32, 0xff, 0xff, 0xff}; /* -206 */
    cr_assert_arr_eq(b.data + 200, exp, sizeof exp);
}

Test(x64_labels, forward_jump_is_rel32_without_shrinking)
{
    struct x64_label end = x64_label_new(&b);
    x64_jmp(&b, end);
    x64_nop(&b);
    x64_label_bind(&b, end);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    const uint8_t exp[] = {0xe9, 0x01, 0x00, 0x00, 0x00, 0x90};
    cr_assert_eq(b.len, sizeof exp);
    cr_assert_arr_eq(b.data, exp, sizeof exp);
}

Test(x64_labels, forward_short_on_request)
{
    struct x64_label end = x64_label_new(&b);
    x64_jcc_short(&b, X64_CC_L, end);
    x64_jmp_short(&b, end);
    x64_nop(&b);
    x64_label_bind(&b, end);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    const uint8_t exp[] = {0x7c, 0x03, 0xeb, 0x01, 0x90};
    cr_assert_arr_eq(b.data, exp, sizeof exp);
}

Test(x64_labels, forward_short_out_of_range_fails_at_finish)
{
    struct x64_label end = x64_label_new(&b);
    x64_jmp_short(&b, end);
    x64_nop_n(&b, 128);
    x64_label_bind(&b, end);
    cr_assert_eq(x64_buf_finish(&b), X64_ERR_JUMP_RANGE);
    cr_assert(strstr(x64_buf_error(&b), "short jump") != NULL, "%s", x64_buf_error(&b));
}

Test(x64_labels, unbound_and_rebound_labels)
{
    struct x64_label l = x64_label_new(&b);
    x64_label_bind(&b, l);
    x64_label_bind(&b, l);
    cr_assert_eq(b.status, X64_ERR_LABEL_REBOUND);
    struct x64_buf c;
    x64_buf_init(&c, 0);
    struct x64_label u = x64_label_new(&c);
    x64_call_label(&c, u);
    cr_assert_eq(x64_buf_finish(&c), X64_ERR_LABEL_UNBOUND);
    x64_buf_free(&c);
}

Test(x64_labels, invalid_label_is_an_error)
{
    struct x64_label bogus = {12345};
    x64_jmp(&b, bogus);
    cr_assert_eq(b.status, X64_ERR_LABEL_INVALID);
    cr_assert_eq(b.len, 0);
}

/* Past the first 256 inline jump records (the array grows through the out-of-line path):
 * every kind of jump to forward and backward labels, checked byte by byte, then again with the
 * shrinking pass, which turns the records into full fixups merged with the RIP-relative ones. */
static void emit_many_jumps(int n, struct x64_label *fwd)
{
    struct x64_label top = x64_label_new(&b);
    x64_label_bind(&b, top);
    for (int i = 0; i < n; i++) {
        fwd[i] = x64_label_new(&b);
        switch (i % 4) {
        case 0:
            x64_jcc(&b, (enum x64_cc)(i % 16), fwd[i]);
            break;
        case 1:
            x64_jmp(&b, fwd[i]);
            break;
        case 2:
            x64_call_label(&b, fwd[i]);
            break;
        default:
            x64_lea_r64_m(&b, X64_RAX, x64_mem_rip_label(fwd[i], 0));
            break;
        }
        x64_nop(&b);
        x64_label_bind(&b, fwd[i]);
        if (i % 5 == 0)
            x64_jcc(&b, X64_CC_NE, top); /* backward: rel8 early, rel32 later */
    }
}

Test(x64_labels, many_jumps_past_the_first_record_block)
{
    enum { N = 700 };
    struct x64_label fwd[N];
    emit_many_jumps(N, fwd);
    cr_assert_eq(x64_buf_finish(&b), X64_OK, "%s", x64_buf_error(&b));
    size_t at = 0;
    for (int i = 0; i < N; i++) {
        size_t n = i % 4 == 0 ? 6 : i % 4 == 3 ? 7 : 5, lab;
        cr_assert(x64_label_offset(&b, fwd[i], &lab));
        cr_assert_eq(lab, at + n + 1, "label %d", i);
        const uint8_t *p = b.data + at;
        if (i % 4 == 0) {
            cr_assert_eq(p[0], 0x0f);
            cr_assert_eq(p[1], 0x80 + i % 16);
        } else if (i % 4 == 3) {
            cr_assert_eq(p[1], 0x8d); /* lea rax,[rip+...] */
        } else {
            cr_assert_eq(p[0], i % 4 == 1 ? 0xe9 : 0xe8);
        }
        int32_t rel;
        memcpy(&rel, p + n - 4, 4);
        cr_assert_eq(rel, 1, "jump %d", i);
        at = lab;
        if (i % 5 == 0) {
            long long back = -(long long)(at + 2);
            if (back >= -128) {
                cr_assert_eq(b.data[at], 0x75);
                cr_assert_eq((int8_t)b.data[at + 1], back);
                at += 2;
            } else {
                cr_assert_eq(b.data[at], 0x0f);
                cr_assert_eq(b.data[at + 1], 0x85);
                memcpy(&rel, b.data + at + 2, 4);
                cr_assert_eq(rel, -(long long)(at + 6));
                at += 6;
            }
        }
    }
    cr_assert_eq(at, b.len);
}

Test(x64_labels, many_jumps_shrunk)
{
    enum { N = 700 };
    struct x64_label fwd[N];
    x64_buf_set_shrink_jumps(&b, true);
    emit_many_jumps(N, fwd);
    cr_assert_eq(x64_buf_finish(&b), X64_OK, "%s", x64_buf_error(&b));
    size_t at = 0;
    for (int i = 0; i < N; i++) {
        /* jcc and jmp become rel8; call and lea keep their rel32. */
        size_t n = i % 4 <= 1 ? 2 : i % 4 == 2 ? 5 : 7, lab;
        cr_assert(x64_label_offset(&b, fwd[i], &lab));
        cr_assert_eq(lab, at + n + 1, "label %d", i);
        const uint8_t *p = b.data + at;
        if (i % 4 == 0)
            cr_assert_eq(p[0], 0x70 + i % 16);
        else if (i % 4 == 1)
            cr_assert_eq(p[0], 0xeb);
        if (n == 2) {
            cr_assert_eq(p[1], 1, "jump %d", i);
        } else {
            int32_t rel;
            memcpy(&rel, p + n - 4, 4);
            cr_assert_eq(rel, 1, "jump %d", i);
        }
        at = lab;
        if (i % 5 == 0) {
            /* Backward: the offset moved with the shrinking; the field must follow. */
            if (b.data[at] == 0x75) {
                cr_assert_eq((int8_t)b.data[at + 1], -(long long)(at + 2));
                at += 2;
            } else {
                cr_assert_eq(b.data[at + 1], 0x85);
                int32_t rel;
                memcpy(&rel, b.data + at + 2, 4);
                cr_assert_eq(rel, -(long long)(at + 6));
                at += 6;
            }
        }
    }
    cr_assert_eq(at, b.len);
}

Test(x64_labels, unbound_label_reported_at_its_first_use)
{
    /* The first use is a RIP-relative operand (a full fixup), the second an inline jump. */
    struct x64_label u = x64_label_new(&b), v = x64_label_new(&b);
    x64_nop(&b);
    x64_jmp(&b, v);
    x64_lea_r64_m(&b, X64_RAX, x64_mem_rip_label(u, 0));
    x64_jmp(&b, u);
    cr_assert_eq(x64_buf_finish(&b), X64_ERR_LABEL_UNBOUND);
    cr_assert(strstr(x64_buf_error(&b), "label 2 used at offset 1 ") != NULL, "%s",
              x64_buf_error(&b));
}

Test(x64_labels, label_zero_is_invalid_on_every_inline_path)
{
    /* Label 0 (what x64_label_new() returns on error) has a slot of its own in the label
     * array, which must send every inline path to the checks of the slow path. */
    struct x64_label zero = {0};
    for (int k = 0; k < 8; k++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        struct x64_label l = x64_label_new(&c);
        x64_label_bind(&c, l);
        size_t pad = k < 4 ? 300 : 1; /* far from and near the start */
        x64_nop_n(&c, pad);
        if (k % 4 == 0)
            x64_jmp(&c, zero);
        else if (k % 4 == 1)
            x64_jcc(&c, X64_CC_E, zero);
        else if (k % 4 == 2)
            x64_call_label(&c, zero);
        else
            x64_label_bind(&c, zero);
        cr_assert_eq(c.status, X64_ERR_LABEL_INVALID, "case %d", k);
        cr_assert_eq(c.len, pad, "case %d", k);
        x64_buf_free(&c);
    }
}

Test(x64_labels, call_label_runs)
{
    /* main: call f; add rax, 1; ret.  f: lea rax, [rdi+rsi]; ret */
    struct x64_label f = x64_label_new(&b);
    x64_call_label(&b, f);
    x64_add_r64_imm8(&b, X64_RAX, 1);
    x64_ret(&b);
    x64_label_bind(&b, f);
    x64_lea_r64_m(&b, X64_RAX, x64_mem_bis(X64_RDI, X64_RSI, 1, 0));
    x64_ret(&b);
    cr_assert_eq(run_int(40, 1), 42);
}

/* Emits: a loop summing 1..n with forward exits, so both jump directions appear. */
static void emit_sum_loop(void)
{
    struct x64_label loop = x64_label_new(&b), done = x64_label_new(&b), skip = x64_label_new(&b);
    x64_xor_r32_r32(&b, X64_EAX, X64_EAX);
    x64_test_r64_r64(&b, X64_RDI, X64_RDI);
    x64_jcc(&b, X64_CC_E, done);
    x64_label_bind(&b, loop);
    x64_add_r64_r64(&b, X64_RAX, X64_RDI);
    x64_cmp_r64_imm32(&b, X64_RDI, 1000);
    x64_jcc(&b, X64_CC_NE, skip); /* forward, always taken for small n */
    x64_ud2(&b);
    x64_label_bind(&b, skip);
    x64_dec_r64(&b, X64_RDI);
    x64_jcc(&b, X64_CC_NE, loop);
    x64_label_bind(&b, done);
    x64_ret(&b);
}

Test(x64_labels, shrink_pass_shrinks_forward_jumps_and_still_runs)
{
    emit_sum_loop();
    size_t before = b.len;
    x64_buf_set_shrink_jumps(&b, true);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(b.len, before - 8, "two forward jcc rel32 -> rel8 saves 8 bytes");
    cr_assert_eq(run_int(10, 0), 55);
}

Test(x64_labels, shrink_pass_moves_rip_refs_label_data_and_alignment)
{
    /* A forward jump over code, then an aligned block that loads a pool constant RIP-relatively
     * and a label-relative jump table: everything after the shrunk jump moves. */
    double k = 2.5;
    struct x64_label cst = x64_const(&b, &k, sizeof k, 8);
    struct x64_label over = x64_label_new(&b), tbl = x64_label_new(&b), aligned = x64_label_new(&b);
    x64_jmp(&b, over);
    x64_ud2(&b);
    x64_label_bind(&b, over);
    x64_align(&b, 16);
    x64_label_bind(&b, aligned);
    x64_movsd_xmm_m64(&b, 0, x64_mem_rip_label(cst, 0));
    x64_ret(&b);
    x64_label_bind(&b, tbl);
    x64_data_label_rel32(&b, aligned, tbl);
    x64_data_label_rel32(&b, over, tbl);
    x64_buf_set_shrink_jumps(&b, true);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(b.data[0], 0xeb, "jump shrunk");
    size_t a, t, o;
    cr_assert(x64_label_offset(&b, aligned, &a));
    cr_assert(x64_label_offset(&b, tbl, &t));
    cr_assert(x64_label_offset(&b, over, &o));
    cr_assert_eq(a % 16, 0, "alignment recomputed after shrinking");
    cr_assert_eq(o, 4);
    int32_t e0, e1;
    memcpy(&e0, b.data + t, 4);
    memcpy(&e1, b.data + t + 4, 4);
    cr_assert_eq((long)e0, (long)a - (long)t);
    cr_assert_eq((long)e1, (long)o - (long)t);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK);
    cr_assert_eq(x64_code_call_f64(code.addr, NULL, 0, NULL, 0), 2.5);
    x64_code_free(&code);
}

Test(x64_labels, shrink_chain_of_jumps)
{
    /* 40 forward jumps to one label 200 bytes of jumps away: only after the first ones shrink
     * do the others fit. */
    struct x64_label end = x64_label_new(&b);
    for (int i = 0; i < 40; i++)
        x64_jmp(&b, end);
    x64_label_bind(&b, end);
    x64_mov_r32_imm32(&b, X64_EAX, 7);
    x64_ret(&b);
    x64_buf_set_shrink_jumps(&b, true);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(b.len, 40 * 2 + 6);
    for (int i = 0; i < 40; i++) {
        cr_assert_eq(b.data[2 * i], 0xeb);
        cr_assert_eq((int8_t)b.data[2 * i + 1], (int8_t)(80 - 2 * i - 2));
    }
    cr_assert_eq(run_int(0, 0), 7);
}

Test(x64_labels, shrink_keeps_rel32_when_out_of_range)
{
    struct x64_label end = x64_label_new(&b);
    x64_jcc(&b, X64_CC_A, end);
    x64_nop_n(&b, 300);
    x64_label_bind(&b, end);
    x64_ret(&b);
    x64_buf_set_shrink_jumps(&b, true);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(b.len, 307);
    cr_assert_eq(b.data[1], 0x87);
}

/* switch (rdi) { 0: 100; 1: 200; 2: 300 } via a jump table of the given kind. */
static void emit_switch(bool abs64)
{
    struct x64_label tbl = x64_label_new(&b);
    struct x64_label cases[3] = {x64_label_new(&b), x64_label_new(&b), x64_label_new(&b)};
    x64_lea_r64_m(&b, X64_RCX, x64_mem_rip_label(tbl, 0));
    if (abs64) {
        x64_jmp_m64(&b, x64_mem_bis(X64_RCX, X64_RDI, 8, 0));
    } else {
        x64_movsxd_r64_m32(&b, X64_RAX, x64_mem_bis(X64_RCX, X64_RDI, 4, 0));
        x64_add_r64_r64(&b, X64_RAX, X64_RCX);
        x64_jmp_r64(&b, X64_RAX);
    }
    for (int i = 0; i < 3; i++) {
        x64_label_bind(&b, cases[i]);
        x64_mov_r32_imm32(&b, X64_EAX, 100 * (i + 1));
        x64_ret(&b);
    }
    x64_align(&b, 8);
    x64_label_bind(&b, tbl);
    for (int i = 0; i < 3; i++) {
        if (abs64)
            x64_data_label_abs64(&b, cases[i]);
        else
            x64_data_label_rel32(&b, cases[i], tbl);
    }
}

Test(x64_labels, jump_table_rel32_entries)
{
    emit_switch(false);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK, "%s", x64_buf_error(&b));
    for (uint64_t i = 0; i < 3; i++)
        cr_assert_eq(x64_code_call_int(code.addr, &i, 1, NULL, 0), 100 * (i + 1));
    x64_code_free(&code);
}

Test(x64_labels, jump_table_abs64_entries_relocated_at_seal)
{
    emit_switch(true);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK, "%s", x64_buf_error(&b));
    size_t n;
    x64_buf_relocs(&b, &n);
    cr_assert_eq(n, 3);
    for (uint64_t i = 0; i < 3; i++)
        cr_assert_eq(x64_code_call_int(code.addr, &i, 1, NULL, 0), 100 * (i + 1));
    x64_code_free(&code);
}

Test(x64_labels, constant_pool_dedup_alignment_and_use)
{
    const double two = 2.0, three = 3.0;
    const uint8_t mask[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    struct x64_label l2 = x64_const(&b, &two, 8, 8);
    struct x64_label l3 = x64_const(&b, &three, 8, 8);
    struct x64_label l2b = x64_const(&b, &two, 8, 16); /* same bytes: same label */
    struct x64_label lm = x64_const(&b, mask, 16, 16);
    cr_assert_eq(l2.id, l2b.id);
    cr_assert_neq(l2.id, l3.id);
    /* fabs(xmm0 * 2 + 3) with the mask from the pool */
    x64_mulsd_xmm_m64(&b, 0, x64_mem_rip_label(l2, 0));
    x64_addsd_xmm_m64(&b, 0, x64_mem_rip_label(l3, 0));
    x64_andpd_xmm_m128(&b, 0, x64_mem_rip_label(lm, 0));
    x64_ret(&b);
    size_t code_len = b.len;
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    size_t o2, o3, om;
    x64_label_offset(&b, l2, &o2);
    x64_label_offset(&b, l3, &o3);
    x64_label_offset(&b, lm, &om);
    cr_assert_geq(o2, code_len, "pool after the code");
    cr_assert_eq(o2 % 16, 0, "largest alignment asked for wins");
    cr_assert_eq(om % 16, 0);
    cr_assert_eq(b.len, om + 16, "three entries, not four");
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK);
    double x = -5.0;
    cr_assert_eq(x64_code_call_f64(code.addr, NULL, 0, &x, 1), 7.0);
    x64_code_free(&code);
}

Test(x64_labels, rip_label_with_addend_and_immediate_after_disp)
{
    /* cmp dword [rip+label+4], imm32: the disp is relative to the end, after the imm. */
    const uint32_t pair[2] = {1, 77};
    struct x64_label p = x64_const(&b, pair, sizeof pair, 4);
    x64_xor_r32_r32(&b, X64_EAX, X64_EAX);
    x64_cmp_m32_imm32(&b, x64_mem_rip_label(p, 4), 77);
    x64_setcc_r8(&b, X64_CC_E, X64_AL);
    x64_ret(&b);
    cr_assert_eq(run_int(0, 0), 1);
}

Test(x64_labels, align_pads_with_recommended_nops)
{
    x64_ret(&b);
    x64_align(&b, 16);
    cr_assert_eq(b.len, 16);
    /* 15 bytes: 11-byte nop then 4-byte nop, as GNU as pads. */
    const uint8_t exp[] = {0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x0f, 0x1f, 0x40, 0x00};
    cr_assert_arr_eq(b.data + 1, exp, sizeof exp);
    x64_align(&b, 3);
    cr_assert_eq(b.status, X64_ERR_INVALID_ARGUMENT);
}

/* --- The listing hook with shrinking: final offsets and bytes --- */

struct listed {
    unsigned count;
    enum x64_form form[8];
    size_t start[8], end[8];
    uint8_t first[8];
};

static void record(void *ctx, const struct x64_buf *bb, enum x64_form form,
                   const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    (void)ops;
    (void)nops;
    struct listed *l = ctx;
    if (l->count < 8) {
        l->form[l->count] = form;
        l->start[l->count] = start;
        l->end[l->count] = end;
        l->first[l->count] = bb->data[start];
    }
    l->count++;
}

Test(x64_labels, listing_reports_final_offsets_after_shrinking)
{
    struct listed l;
    memset(&l, 0, sizeof l);
    x64_buf_set_listing(&b, record, &l);
    x64_buf_set_shrink_jumps(&b, true);
    struct x64_label over = x64_label_new(&b), done = x64_label_new(&b);
    x64_jmp(&b, over); /* rel32 (5 bytes) -> rel8 (2) */
    x64_ud2(&b);
    x64_label_bind(&b, over);
    x64_mov_r32_imm32(&b, X64_RAX, 7);     /* old 7..12, final 4..9 */
    x64_cmp_r32_r32(&b, X64_RAX, X64_RAX); /* ZF = 1 */
    x64_jcc(&b, X64_CC_E, done);           /* rel32 (6 bytes) -> rel8 (2) */
    x64_mov_r32_imm32(&b, X64_RAX, 9);     /* skipped */
    x64_label_bind(&b, done);
    x64_ret(&b);
    cr_assert_eq(l.count, 0, "with shrinking on, the listing waits for the final layout");
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    cr_assert_eq(l.count, 7);
    static const size_t want_start[7] = {0, 2, 4, 9, 11, 13, 18};
    static const size_t want_end[7] = {2, 4, 9, 11, 13, 18, 19};
    for (unsigned i = 0; i < 7; i++) {
        cr_expect_eq(l.start[i], want_start[i], "insn %u starts at %zu", i, l.start[i]);
        cr_expect_eq(l.end[i], want_end[i], "insn %u ends at %zu", i, l.end[i]);
    }
    cr_expect_eq(l.form[0], X64_FORM_JMP_REL8, "a shrunk jump is listed as its rel8 form");
    cr_expect_eq(l.form[4], X64_FORM_JE_REL8);
    cr_expect_eq(l.first[0], 0xeb, "the hook sees the final (short) bytes");
    cr_expect_eq(l.first[4], 0x74);
    cr_expect_eq(l.form[6], X64_FORM_RET);
    cr_expect_eq(b.len, 19);
    cr_assert_eq(run_int(0, 0), 7);
}
