/* SPDX-License-Identifier: Apache-2.0 */
/* The write cursor (struct x64_cur, x64c_* emitters): the same bytes, errors, labels and listing
 * as the buffer's own emitters, growth under an open cursor, and buffers that are finished,
 * failed or never initialised. Most tests run one program twice, through x64_* on the buffer
 * and through x64c_* on a cursor, and compare everything the buffer ends up with. */
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* One call of a program, through the buffer (`cur` NULL) or the cursor. */
#define E(name, ...) (cur != NULL ? x64c_##name(cur, __VA_ARGS__) : x64_##name(b, __VA_ARGS__))
#define E0(name)     (cur != NULL ? x64c_##name(cur) : x64_##name(b))

/* A listing event, recorded by the hook below. */
struct event {
    enum x64_form form;
    unsigned nops;
    size_t start, end;
    struct x64_operand op0;
};

struct events {
    size_t count;
    struct event e[64];
};

static void hook(void *ctx, const struct x64_buf *b, enum x64_form form,
                 const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    (void)b;
    struct events *s = ctx;
    if (s->count < 64) {
        struct event *e = &s->e[s->count];
        memset(e, 0, sizeof *e);
        e->form = form;
        e->nops = nops;
        e->start = start;
        e->end = end;
        if (nops > 0)
            e->op0 = ops[0];
    }
    s->count++;
}

/* Every kind of emit: REX and no REX, 8-bit registers (ah..bh included), memory operands the
 * inline path takes and those it leaves to the full encoder (RIP-relative with a constant,
 * segment override, no base), VEX, immediates, labels forward and backward, short jumps, a
 * call, and a cursor closed and reopened around buffer-only calls. */
static void program(struct x64_buf *b, struct x64_cur *cur)
{
    struct x64_label top = cur != NULL ? x64c_label_new(cur) : x64_label_new(b);
    struct x64_label fwd = cur != NULL ? x64c_label_new(cur) : x64_label_new(b);
    struct x64_label near = x64_label_new(b);
    double one = 1.0;
    struct x64_label k = x64_const(b, &one, sizeof one, 8);
    if (cur != NULL)
        x64c_label_bind(cur, top);
    else
        x64_label_bind(b, top);
    E(mov_r64_r64, X64_RAX, X64_RDI);
    E(add_r32_r32, X64_R9, X64_RCX);
    E(xor_r32_r32, X64_RAX, X64_RAX);
    E(mov_r8_r8, X64_AH, X64_DH);
    E(mov_r8_r8, X64_SIL, X64_AL);
    E(movzx_r32_r8, X64_ECX, X64_BH);
    E(mov_r32_m32, X64_R10, x64_mem_bis(X64_R12, X64_R13, 8, -300));
    E(mov_m64_r64, x64_mem_b(X64_RBP, 0), X64_RDX);
    E(movsd_xmm_m64, 3, x64_mem_rip_label(k, 0));
    E(mov_r64_m64, X64_RAX, x64_mem_seg(x64_mem_b(X64_RBX, 0x28), X64_SEG_FS));
    E(lea_r64_m, X64_RCX, x64_mem_is(X64_RSI, 4, 64));
    E(mov_r32_m32, X64_EAX, x64_mem_abs(0x1000));
    E(imul_r64_r64_imm32, X64_R15, X64_RAX, 100000);
    E(vaddsd_xmm_xmm_xmm, 1, 9, 14);
    E(vmulsd_xmm_xmm_m64, 12, 2, x64_mem_b(X64_R13, 8));
    E(setcc_r8, X64_CC_L, X64_CL);
    if (cur != NULL) {
        x64c_jcc(cur, X64_CC_E, fwd);
        x64c_jcc_short(cur, X64_CC_NE, near);
        x64c_call_label(cur, top);
    } else {
        x64_jcc(b, X64_CC_E, fwd);
        x64_jcc_short(b, X64_CC_NE, near);
        x64_call_label(b, top);
    }
    E0(nop);
    if (cur != NULL) {
        x64c_label_bind(cur, near);
        x64c_jmp_short(cur, top);
        x64c_jcc(cur, X64_CC_NE, top);
        x64c_jmp(cur, fwd);
        x64_cur_close(cur);
    } else {
        x64_label_bind(b, near);
        x64_jmp_short(b, top);
        x64_jcc(b, X64_CC_NE, top);
        x64_jmp(b, fwd);
    }
    /* Buffer-only calls between a close and the next open. */
    x64_align(b, 16);
    x64_data32(b, 0xdeadbeef);
    x64_label_bind(b, fwd);
    if (cur != NULL)
        *cur = x64_cur_open(b);
    E(push_r64, X64_R12);
    E(pop_r64, X64_RBX);
    E0(ret);
    if (cur != NULL)
        x64_cur_close(cur);
}

/* The buffer a program leaves, through the buffer and through a cursor, must be the same. */
static void expect_same(const struct x64_buf *a, const struct x64_buf *c, const char *what)
{
    cr_expect_eq(a->status, c->status, "%s: status %s vs %s", what, x64_status_str(a->status),
                 x64_status_str(c->status));
    cr_expect_str_eq(x64_buf_error(a), x64_buf_error(c), "%s", what);
    cr_assert_eq(a->len, c->len, "%s: %zu bytes vs %zu", what, a->len, c->len);
    cr_expect(memcmp(a->data, c->data, a->len) == 0, "%s: bytes differ", what);
}

Test(x64_cursor, readme_sequence)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    struct x64_cur c = x64_cur_open(&b);
    x64c_mov_r64_r64(&c, X64_RAX, X64_RDI);
    x64c_add_r64_r64(&c, X64_RAX, X64_RSI);
    x64c_ret(&c);
    cr_assert_eq(b.len, 0, "the buffer's length is stale until the cursor is closed");
    x64_cur_close(&c);
    static const uint8_t want[] = {0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3};
    cr_assert_eq(b.len, sizeof want);
    cr_assert(memcmp(b.data, want, sizeof want) == 0);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK, "%s", x64_buf_error(&b));
    uint64_t args[2] = {10, 32};
    cr_assert_eq(x64_code_call_int(code.addr, args, 2, NULL, 0), 42);
    x64_code_free(&code);
    x64_buf_free(&b);
}

Test(x64_cursor, same_bytes_as_the_buffer_emitters)
{
    for (int shrink = 0; shrink < 2; shrink++) {
        struct x64_buf a, c;
        cr_assert_eq(x64_buf_init(&a, 0), X64_OK);
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        x64_buf_set_shrink_jumps(&a, shrink);
        x64_buf_set_shrink_jumps(&c, shrink);
        program(&a, NULL);
        struct x64_cur cur = x64_cur_open(&c);
        program(&c, &cur);
        cr_assert_eq(a.status, X64_OK, "%s", x64_buf_error(&a));
        expect_same(&a, &c, shrink ? "emitted (shrink on)" : "emitted");
        cr_assert_eq(x64_buf_finish(&a), X64_OK, "%s", x64_buf_error(&a));
        cr_assert_eq(x64_buf_finish(&c), X64_OK, "%s", x64_buf_error(&c));
        expect_same(&a, &c, shrink ? "finished (shrink on)" : "finished");
        x64_buf_free(&a);
        x64_buf_free(&c);
    }
}

Test(x64_cursor, listing_hook_sees_the_same_instructions)
{
    for (int shrink = 0; shrink < 2; shrink++) {
        struct x64_buf a, c;
        struct events ea = {0}, ec = {0};
        cr_assert_eq(x64_buf_init(&a, 0), X64_OK);
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        x64_buf_set_shrink_jumps(&a, shrink);
        x64_buf_set_shrink_jumps(&c, shrink);
        x64_buf_set_listing(&a, hook, &ea);
        x64_buf_set_listing(&c, hook, &ec);
        program(&a, NULL);
        struct x64_cur cur = x64_cur_open(&c);
        program(&c, &cur);
        cr_assert_eq(x64_buf_finish(&a), X64_OK, "%s", x64_buf_error(&a));
        cr_assert_eq(x64_buf_finish(&c), X64_OK, "%s", x64_buf_error(&c));
        expect_same(&a, &c, "with a listing hook");
        cr_assert_geq(ea.count, 25, "the program has 25 instructions, %zu listed", ea.count);
        cr_assert_eq(ea.count, ec.count);
        for (size_t i = 0; i < ea.count && i < 64; i++) {
            const struct event *x = &ea.e[i], *y = &ec.e[i];
            cr_expect(x->form == y->form && x->nops == y->nops && x->start == y->start &&
                          x->end == y->end,
                      "event %zu: form %d [%zu,%zu) vs form %d [%zu,%zu)", i, (int)x->form,
                      x->start, x->end, (int)y->form, y->start, y->end);
            cr_expect(memcmp(&x->op0, &y->op0, sizeof x->op0) == 0, "event %zu: operand 0", i);
        }
        x64_buf_free(&a);
        x64_buf_free(&c);
    }
}

Test(x64_cursor, grows_the_buffer_under_an_open_cursor)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    const uint8_t *first = b.data;
    size_t first_cap = b.cap;
    struct x64_cur c = x64_cur_open(&b);
    struct x64_label top = x64c_label_new(&c);
    x64c_label_bind(&c, top);
    for (int i = 0; i < 100000; i++) {
        x64c_add_r64_r64(&c, X64_RAX, X64_R9); /* 4C 01 C8 */
        if (i % 1000 == 999)
            x64c_jcc(&c, X64_CC_NE, top); /* 0F 85 rel32, backward */
    }
    x64_cur_close(&c);
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    cr_assert_gt(b.cap, first_cap, "the buffer grew");
    (void)first;
    cr_assert_eq(b.len, 300000 + 100 * 6);
    size_t at = 0;
    for (int i = 0; i < 100000; i++) {
        cr_assert(b.data[at] == 0x4c && b.data[at + 1] == 0x01 && b.data[at + 2] == 0xc8,
                  "add %d at %zu", i, at);
        at += 3;
        if (i % 1000 == 999) {
            int32_t rel;
            memcpy(&rel, b.data + at + 2, 4);
            cr_assert(b.data[at] == 0x0f && b.data[at + 1] == 0x85, "jne %d", i);
            cr_assert_eq((int64_t)rel, -(int64_t)(at + 6), "jne %d back to 0", i);
            at += 6;
        }
    }
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    x64_buf_free(&b);
}

/* An error in the middle of a cursor run: the bytes before it stay, the failed instruction and
 * everything after it leave no bytes, x64_cur_close() keeps the length at the error, and finish
 * returns the first error. As on the buffer. */
Test(x64_cursor, first_error_is_sticky)
{
    struct x64_buf a, c;
    cr_assert_eq(x64_buf_init(&a, 0), X64_OK);
    cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
    x64_mov_r64_r64(&a, X64_RAX, X64_RDI);
    x64_mov_r8_r8(&a, X64_AH, X64_R8B); /* ah with REX: X64_ERR_HIGH8_REX */
    x64_mov_r64_r64(&a, X64_RAX, X64_RDI);
    x64_label_bind(&a, x64_label_new(&a));
    x64_ret(&a);
    struct x64_cur cur = x64_cur_open(&c);
    x64c_mov_r64_r64(&cur, X64_RAX, X64_RDI);
    x64c_mov_r8_r8(&cur, X64_AH, X64_R8B);
    x64c_mov_r64_r64(&cur, X64_RAX, X64_RDI);
    struct x64_label l = x64c_label_new(&cur);
    cr_assert_eq(l.id, 0, "no new labels after an error");
    x64c_label_bind(&cur, l);
    x64c_jmp(&cur, l);
    x64c_ret(&cur);
    x64_cur_close(&cur);
    cr_assert_eq(c.status, X64_ERR_HIGH8_REX);
    cr_assert_eq(c.len, 3);
    expect_same(&a, &c, "after an error");
    cr_assert_eq(x64_buf_finish(&c), X64_ERR_HIGH8_REX);
    x64_buf_free(&a);
    x64_buf_free(&c);
}

Test(x64_cursor, emits_after_finish_are_an_error)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    x64_ret(&b);
    cr_assert_eq(x64_buf_finish(&b), X64_OK);
    struct x64_cur c = x64_cur_open(&b);
    x64c_ret(&c);
    x64_cur_close(&c);
    cr_assert_eq(b.status, X64_ERR_FINISHED);
    cr_assert_eq(b.len, 1);
    x64_buf_free(&b);
}

/* A zeroed (never initialised) buffer and one whose growth failed: nothing crashes, nothing is
 * written, the status says why. */
Test(x64_cursor, uninitialised_and_failed_buffers)
{
    struct x64_buf z;
    memset(&z, 0, sizeof z);
    struct x64_cur c = x64_cur_open(&z);
    x64c_mov_r64_r64(&c, X64_RAX, X64_RDI);
    x64c_vaddsd_xmm_xmm_xmm(&c, 1, 2, 3);
    struct x64_label l = x64c_label_new(&c);
    x64c_label_bind(&c, l);
    x64c_jmp(&c, l);
    x64_cur_close(&c);
    cr_assert_eq(z.status, X64_ERR_INVALID_ARGUMENT);
    cr_assert_eq(z.len, 0);

    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    x64_ret(&b);
    cr_assert(!x64_buf_reserve(&b, (size_t)1 << 40), "room for 1 TiB of code");
    cr_assert_eq(b.status, X64_ERR_TOO_LARGE);
    c = x64_cur_open(&b);
    x64c_mov_r64_r64(&c, X64_RAX, X64_RDI);
    x64c_jmp(&c, l);
    x64_cur_close(&c);
    cr_assert_eq(b.status, X64_ERR_TOO_LARGE);
    cr_assert_eq(b.len, 1);
    x64_buf_free(&b);
}

Test(x64_cursor, label_errors)
{
    struct x64_label zero = {0}, bogus = {12345};
    for (int k = 0; k < 10; k++) {
        struct x64_buf b;
        cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
        struct x64_cur c = x64_cur_open(&b);
        struct x64_label l = x64c_label_new(&c);
        x64c_label_bind(&c, l);
        x64c_nop(&c);
        struct x64_label bad = k < 4 ? zero : bogus;
        enum x64_status want = X64_ERR_LABEL_INVALID;
        switch (k % 5) {
        case 0:
            x64c_jmp(&c, bad);
            break;
        case 1:
            x64c_jcc(&c, X64_CC_E, bad);
            break;
        case 2:
            x64c_call_label(&c, bad);
            break;
        case 3:
            x64c_label_bind(&c, bad);
            break;
        default:
            x64c_label_bind(&c, l); /* bound twice */
            want = X64_ERR_LABEL_REBOUND;
            break;
        }
        x64c_nop(&c);
        x64_cur_close(&c);
        cr_assert_eq(b.status, want, "case %d: %s", k, x64_status_str(b.status));
        cr_assert_eq(b.len, 1, "case %d", k);
        x64_buf_free(&b);
    }
    /* A forward short jump out of range fails at finish, as on the buffer. */
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    struct x64_cur c = x64_cur_open(&b);
    struct x64_label far = x64c_label_new(&c);
    x64c_jmp_short(&c, far);
    for (int i = 0; i < 200; i++)
        x64c_nop(&c);
    x64c_label_bind(&c, far);
    x64_cur_close(&c);
    cr_assert_eq(x64_buf_finish(&b), X64_ERR_JUMP_RANGE);
    x64_buf_free(&b);
}

/* Past the first block of jump records (the array grows out of line under the cursor), with
 * and without the shrinking pass: the same code as through the buffer. */
Test(x64_cursor, many_jumps_as_on_the_buffer)
{
    for (int shrink = 0; shrink < 2; shrink++) {
        struct x64_buf a, c;
        cr_assert_eq(x64_buf_init(&a, 0), X64_OK);
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        x64_buf_set_shrink_jumps(&a, shrink);
        x64_buf_set_shrink_jumps(&c, shrink);
        for (int pass = 0; pass < 2; pass++) {
            struct x64_buf *b = pass == 0 ? &a : &c;
            struct x64_cur cs = x64_cur_open(b);
            struct x64_cur *cur = pass == 0 ? NULL : &cs;
            struct x64_label top = x64_label_new(b);
            if (cur != NULL)
                x64c_label_bind(cur, top);
            else
                x64_label_bind(b, top);
            for (int i = 0; i < 700; i++) {
                struct x64_label f = x64_label_new(b);
                if (cur != NULL) {
                    if (i % 3 == 0)
                        x64c_jcc(cur, (enum x64_cc)(i % 16), f);
                    else if (i % 3 == 1)
                        x64c_jmp(cur, f);
                    else
                        x64c_call_label(cur, f);
                    x64c_nop(cur);
                    x64c_label_bind(cur, f);
                    if (i % 5 == 0)
                        x64c_jcc(cur, X64_CC_NE, top);
                } else {
                    if (i % 3 == 0)
                        x64_jcc(b, (enum x64_cc)(i % 16), f);
                    else if (i % 3 == 1)
                        x64_jmp(b, f);
                    else
                        x64_call_label(b, f);
                    x64_nop(b);
                    x64_label_bind(b, f);
                    if (i % 5 == 0)
                        x64_jcc(b, X64_CC_NE, top);
                }
            }
            if (cur != NULL)
                x64_cur_close(cur);
        }
        cr_assert_eq(x64_buf_finish(&a), X64_OK, "%s", x64_buf_error(&a));
        cr_assert_eq(x64_buf_finish(&c), X64_OK, "%s", x64_buf_error(&c));
        expect_same(&a, &c, shrink ? "700 jumps, shrunk" : "700 jumps");
        x64_buf_free(&a);
        x64_buf_free(&c);
    }
}
