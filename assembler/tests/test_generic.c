/* SPDX-License-Identifier: Apache-2.0 */
/* The checked generic path: form selection as GNU as does it, validation with clear errors,
 * transactional failures, typed emitters agreeing with it. Expected bytes come from GNU as
 * 2.40 (`as` + `objdump -d -M intel`), never from our table. */
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <pthread.h>
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

TestSuite(x64_generic, .init = setup, .fini = teardown);

#define EXPECT_BYTES(...)                                                                          \
    do {                                                                                           \
        const uint8_t exp_[] = {__VA_ARGS__};                                                      \
        cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));                                   \
        cr_assert_eq(b.len, sizeof exp_, "len %zu", b.len);                                        \
        cr_assert_arr_eq(b.data, exp_, sizeof exp_);                                               \
    } while (0)

static void emit2(enum x64_mnemonic mn, struct x64_operand a, struct x64_operand c)
{
    struct x64_operand ops[2] = {a, c};
    x64_emit(&b, mn, ops, 2);
}

Test(x64_generic, add_picks_imm8_when_it_fits)
{
    emit2(X64_MN_ADD, x64_op_r64(X64_RAX), x64_op_imm(1));
    EXPECT_BYTES(0x48, 0x83, 0xc0, 0x01);
}

Test(x64_generic, add_rax_imm32_uses_accumulator_form)
{
    emit2(X64_MN_ADD, x64_op_r64(X64_RAX), x64_op_imm(1000));
    EXPECT_BYTES(0x48, 0x05, 0xe8, 0x03, 0x00, 0x00);
}

Test(x64_generic, add_rcx_imm32)
{
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_imm(1000));
    EXPECT_BYTES(0x48, 0x81, 0xc1, 0xe8, 0x03, 0x00, 0x00);
}

Test(x64_generic, sign_extended_imm8_range)
{
    /* 200 does not fit a sign-extended imm8: gas takes the imm32 form. */
    emit2(X64_MN_SUB, x64_op_r32(X64_EDX), x64_op_imm(200));
    EXPECT_BYTES(0x81, 0xea, 0xc8, 0x00, 0x00, 0x00);
}

Test(x64_generic, mov_immediates_like_gas)
{
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_imm(5));            /* c7 form */
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_imm(0xffffffffLL)); /* movabs */
    emit2(X64_MN_MOV, x64_op_r32(X64_R9D), x64_op_imm(-1));           /* b8+r */
    EXPECT_BYTES(0x48, 0xc7, 0xc0, 0x05, 0x00, 0x00, 0x00, 0x48, 0xb8, 0xff, 0xff, 0xff, 0xff, 0x00,
                 0x00, 0x00, 0x00, 0x41, 0xb9, 0xff, 0xff, 0xff, 0xff);
}

Test(x64_generic, reg_reg_uses_mr_form)
{
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_r64(X64_RDI));
    emit2(X64_MN_XOR, x64_op_r32(X64_R8D), x64_op_r32(X64_R8D));
    EXPECT_BYTES(0x48, 0x89, 0xf8, 0x45, 0x31, 0xc0);
}

Test(x64_generic, addressing_corners)
{
    /* [rbp] and [r13] need disp8 0; [rsp] and [r12] need a SIB; [rip+disp]; fs override. */
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_b(X64_RBP, 0)));
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_b(X64_R13, 0)));
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_b(X64_RSP, 0)));
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_b(X64_R12, 0x80)));
    emit2(X64_MN_MOV, x64_op_r64(X64_R8), x64_op_mem(8, x64_mem_rip(0x10)));
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX),
          x64_op_mem(8, x64_mem_seg(x64_mem_abs(0x28), X64_SEG_FS)));
    EXPECT_BYTES(0x48, 0x8b, 0x45, 0x00,                                /* mov rax,[rbp+0x0] */
                 0x49, 0x8b, 0x45, 0x00,                                /* mov rax,[r13+0x0] */
                 0x48, 0x8b, 0x04, 0x24,                                /* mov rax,[rsp] */
                 0x49, 0x8b, 0x84, 0x24, 0x80, 0x00, 0x00, 0x00,        /* mov rax,[r12+0x80] */
                 0x4c, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00,              /* mov r8,[rip+0x10] */
                 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00); /* mov rax,fs:0x28 */
}

Test(x64_generic, sib_index_and_no_base)
{
    emit2(X64_MN_LEA, x64_op_r64(X64_RAX),
          x64_op_mem(0, x64_mem_bis(X64_R12, X64_R13, 8, 0x12345678)));
    emit2(X64_MN_MOV, x64_op_r32(X64_EAX), x64_op_mem(4, x64_mem_is(X64_RCX, 4, 0x40)));
    EXPECT_BYTES(0x4b, 0x8d, 0x84, 0xec, 0x78, 0x56, 0x34, 0x12, 0x8b, 0x04, 0x8d, 0x40, 0x00, 0x00,
                 0x00);
}

Test(x64_generic, high8_and_rex_byte_registers)
{
    emit2(X64_MN_MOV, x64_op_r8(X64_AH), x64_op_r8(X64_BL));
    emit2(X64_MN_MOV, x64_op_r8(X64_SIL), x64_op_r8(X64_AL));
    EXPECT_BYTES(0x88, 0xdc, 0x40, 0x88, 0xc6);
    size_t len = b.len;
    emit2(X64_MN_MOV, x64_op_r8(X64_AH), x64_op_r8(X64_SIL));
    cr_assert_eq(b.status, X64_ERR_HIGH8_REX);
    cr_assert_eq(b.len, len, "a failed emit must not change the bytes");
}

Test(x64_generic, lock_prefix_order_like_gas)
{
    struct x64_operand ops[2] = {x64_op_mem(2, x64_mem_seg(x64_mem_b(X64_RAX, 0), X64_SEG_FS)),
                                 x64_op_r16(X64_AX)};
    x64_emit_prefixed(&b, X64_PFX_LOCK, X64_MN_ADD, ops, 2);
    EXPECT_BYTES(0x64, 0x66, 0xf0, 0x01, 0x00);
}

Test(x64_generic, shifts_by_one_cl_imm)
{
    emit2(X64_MN_SHL, x64_op_r64(X64_RAX), x64_op_imm(1));
    emit2(X64_MN_SAR, x64_op_r32(X64_R10D), x64_op_r8(X64_CL));
    emit2(X64_MN_ROR, x64_op_r16(X64_DX), x64_op_imm(200));
    EXPECT_BYTES(0x48, 0xd1, 0xe0, 0x41, 0xd3, 0xfa, 0x66, 0xc1, 0xca, 0xc8);
}

Test(x64_generic, sse_scalar)
{
    emit2(X64_MN_ADDSD, x64_op_xmm(1), x64_op_xmm(9));
    emit2(X64_MN_CVTTSD2SI, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_b(X64_RDI, 8)));
    emit2(X64_MN_MOVQ, x64_op_xmm(0), x64_op_r64(X64_RAX));
    EXPECT_BYTES(0xf2, 0x41, 0x0f, 0x58, 0xc9, 0xf2, 0x48, 0x0f, 0x2c, 0x47, 0x08, 0x66, 0x48, 0x0f,
                 0x6e, 0xc0);
}

Test(x64_generic, invalid_combination_is_refused_with_message)
{
    x64_ret(&b);
    emit2(X64_MN_ADD, x64_op_r64(X64_RAX), x64_op_r32(X64_ECX));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "invalid operand combination: add r64, r32") != NULL, "%s",
              x64_buf_error(&b));
    cr_assert_eq(b.len, 1);
    /* Sticky: later emits do nothing; finish reports the first error. */
    x64_ret(&b);
    emit2(X64_MN_ADD, x64_op_r64(X64_RAX), x64_op_r64(X64_RCX));
    cr_assert_eq(b.len, 1);
    cr_assert_eq(x64_buf_finish(&b), X64_ERR_INVALID_OPERANDS);
}

Test(x64_generic, segment_registers)
{
    emit2(X64_MN_MOV, x64_op_r16(X64_AX), x64_op_sreg(X64_SREG_FS));
    struct x64_operand fs = x64_op_sreg(X64_SREG_FS);
    x64_emit(&b, X64_MN_PUSH, &fs, 1);
    x64_mov_sregw_r32(&b, X64_SREG_GS, X64_R9D);
    EXPECT_BYTES(0x66, 0x8c, 0xe0, 0x0f, 0xa0, 0x41, 0x8e, 0xe9);
    /* mov cannot load cs (#UD): refused, the buffer unchanged. */
    emit2(X64_MN_MOV, x64_op_sreg(X64_SREG_CS), x64_op_r32(X64_EAX));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "cs cannot be loaded") != NULL, "%s", x64_buf_error(&b));
    cr_assert_eq(b.len, 8);
}

Test(x64_generic, segment_register_out_of_range_is_refused)
{
    emit2(X64_MN_MOV, x64_op_r32(X64_EAX), x64_op_sreg((enum x64_sreg)6));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "invalid segment register") != NULL, "%s",
              x64_buf_error(&b));
    cr_assert_eq(b.len, 0);
}

Test(x64_generic, size_must_be_given_when_ambiguous)
{
    emit2(X64_MN_ADD, x64_op_mem(0, x64_mem_b(X64_RAX, 0)), x64_op_imm(1));
    cr_assert_eq(b.status, X64_ERR_SIZE_MISSING, "%s", x64_buf_error(&b));
    cr_assert_eq(b.len, 0);
}

Test(x64_generic, size_inferred_from_register)
{
    emit2(X64_MN_ADD, x64_op_mem(0, x64_mem_b(X64_RAX, 0)), x64_op_r64(X64_RBX));
    EXPECT_BYTES(0x48, 0x01, 0x18);
}

Test(x64_generic, rsp_index_and_bad_scale_are_refused)
{
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_bis(X64_RAX, X64_RSP, 1, 0)));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "rsp cannot be an index") != NULL, "%s", x64_buf_error(&b));
    struct x64_buf c;
    x64_buf_init(&c, 0);
    struct x64_operand ops[2] = {x64_op_r64(X64_RAX),
                                 x64_op_mem(8, x64_mem_bis(X64_RAX, X64_RCX, 3, 0))};
    x64_emit(&c, X64_MN_MOV, ops, 2);
    cr_assert_eq(c.status, X64_ERR_INVALID_OPERANDS);
    x64_buf_free(&c);
}

Test(x64_generic, immediate_out_of_range)
{
    emit2(X64_MN_ADD, x64_op_r8(X64_AL), x64_op_imm(300));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "immediate out of range") != NULL, "%s", x64_buf_error(&b));
}

Test(x64_generic, xchg_eax_eax_is_not_nop)
{
    emit2(X64_MN_XCHG, x64_op_r32(X64_EAX), x64_op_r32(X64_EAX));
    emit2(X64_MN_XCHG, x64_op_r64(X64_RCX), x64_op_r64(X64_RAX));
    EXPECT_BYTES(0x87, 0xc0, 0x48, 0x91);
}

Test(x64_generic, emit_form_checks_operands)
{
    struct x64_operand ops[2] = {x64_op_r64(X64_RAX), x64_op_imm(1000)};
    x64_emit_form(&b, X64_FORM_ADD_R64_IMM8, ops);
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert(strstr(x64_buf_error(&b), "add_r64_imm8") != NULL, "%s", x64_buf_error(&b));
    cr_assert_eq(b.len, 0);
}

Test(x64_generic, emit_form_exact_alternative_encoding)
{
    struct x64_operand ops[2] = {x64_op_r64(X64_RAX), x64_op_r64(X64_RDI)};
    x64_emit_form(&b, X64_FORM_MOV_R64_R64_RM, ops);
    EXPECT_BYTES(0x48, 0x8b, 0xc7);
}

Test(x64_generic, mnemonic_lookup_and_aliases)
{
    enum x64_mnemonic mn;
    cr_assert(x64_mnemonic_lookup("add", 3, &mn));
    cr_assert_eq(mn, X64_MN_ADD);
    cr_assert(x64_mnemonic_lookup("jz", 2, &mn));
    cr_assert_eq(mn, X64_MN_JE);
    cr_assert(x64_mnemonic_lookup("cmovnae", 7, &mn));
    cr_assert_eq(mn, X64_MN_CMOVB);
    cr_assert(x64_mnemonic_lookup("salx", 3, &mn));
    cr_assert_eq(mn, X64_MN_SHL);
    cr_assert_not(x64_mnemonic_lookup("bogus", 5, &mn));
    cr_assert_not(x64_mnemonic_lookup("ad", 2, &mn));
    cr_assert_str_eq(x64_mnemonic_name(X64_MN_CVTTSD2SI), "cvttsd2si");
    cr_assert_str_eq(x64_form_name(X64_FORM_ADD_R64_R64), "add_r64_r64");
}

Test(x64_generic, select_form_without_emitting)
{
    struct x64_operand ops[2] = {x64_op_r64(X64_RAX), x64_op_imm(1)};
    enum x64_form f;
    cr_assert_eq(x64_select_form(X64_MN_ADD, ops, 2, &f, NULL, 0), X64_OK);
    cr_assert_eq(f, X64_FORM_ADD_R64_IMM8);
    struct x64_form_desc d;
    cr_assert(x64_form_describe(f, &d));
    cr_assert_eq(d.nops, 2);
    cr_assert_eq(d.ops[0], X64_OC_R64);
    cr_assert(d.sign_extended_imm8);
}

/* The typed emitters and the generic path produce the same bytes. */
Test(x64_generic, typed_matches_generic)
{
    struct x64_buf t;
    x64_buf_init(&t, 0);
    struct x64_mem m = x64_mem_bis(X64_R13, X64_R10, 2, -0x80);
    x64_add_r64_imm8(&t, X64_R11, -3);
    emit2(X64_MN_ADD, x64_op_r64(X64_R11), x64_op_imm(-3));
    x64_mov_m32_r32(&t, m, X64_R9D);
    emit2(X64_MN_MOV, x64_op_mem(4, m), x64_op_r32(X64_R9D));
    x64_imul_r64_r64_imm32(&t, X64_RAX, X64_R15, 100000);
    struct x64_operand i3[3] = {x64_op_r64(X64_RAX), x64_op_r64(X64_R15), x64_op_imm(100000)};
    x64_emit(&b, X64_MN_IMUL, i3, 3);
    x64_setcc_r8(&t, X64_CC_NE, X64_SIL);
    struct x64_operand s1 = x64_op_r8(X64_SIL);
    x64_emit(&b, X64_MN_SETNE, &s1, 1);
    x64_cmovcc_r64_r64(&t, X64_CC_L, X64_RDX, X64_R8);
    emit2(X64_MN_CMOVL, x64_op_r64(X64_RDX), x64_op_r64(X64_R8));
    x64_movzx_r32_m8(&t, X64_EAX, m);
    emit2(X64_MN_MOVZX, x64_op_r32(X64_EAX), x64_op_mem(1, m));
    x64_shl_r64_cl(&t, X64_R12);
    emit2(X64_MN_SHL, x64_op_r64(X64_R12), x64_op_r8(X64_CL));
    x64_cvtsi2sd_xmm_r64(&t, 15, X64_R14);
    emit2(X64_MN_CVTSI2SD, x64_op_xmm(15), x64_op_r64(X64_R14));
    x64_roundsd_xmm_xmm_imm8(&t, 2, 3, 9);
    struct x64_operand r3[3] = {x64_op_xmm(2), x64_op_xmm(3), x64_op_imm(9)};
    x64_emit(&b, X64_MN_ROUNDSD, r3, 3);
    cr_assert_eq(t.status, X64_OK);
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    cr_assert_eq(t.len, b.len);
    cr_assert_arr_eq(t.data, b.data, t.len);
    x64_buf_free(&t);
}

/* The VEX and EVEX encoding classes that table rows (RVM, VMI, RMV, RVMX, EVEX {k}{z}, {1toN},
 * disp8*N) use, called directly. Bytes from GNU as. */
Test(x64_generic, vex_encoder)
{
    /* vaddps ymm1,ymm2,ymm3: 2-byte VEX */
    x64__vex(&b, 1, 0, 1, 0, 0x58, X64__RM_REG, 1, 2, 3, x64__nomem(), 0, 0);
    /* vfmadd231sd xmm9,xmm10,[r13+r14*2+0x40]: 3-byte VEX, W1, map 0F38 */
    x64__vex(&b, 2, 1, 0, 1, 0xb9, X64__RM_MEM, 9, 10, 0, x64_mem_bis(X64_R13, X64_R14, 2, 0x40), 0,
             0);
    /* vpgatherdd xmm1,[rax+xmm12*4+8],xmm3: VSIB index in REX.X */
    x64__vex(&b, 2, 1, 0, 0, 0x90, X64__RM_MEM, 1, 3, 0,
             x64_mem_bis(X64_RAX, (enum x64_gpr)12, 4, 8), 0, 0);
    /* vblendvps xmm1,xmm2,xmm3,xmm12: register in imm8[7:4] */
    x64__vex(&b, 3, 1, 0, 0, 0x4a, X64__RM_REG, 1, 2, 3, x64__nomem(), 1, 12 << 4);
    EXPECT_BYTES(0xc5, 0xec, 0x58, 0xcb, 0xc4, 0x02, 0xa9, 0xb9, 0x4c, 0x75, 0x40, 0xc4, 0xa2, 0x61,
                 0x90, 0x4c, 0xa0, 0x08, 0xc4, 0xe3, 0x69, 0x4a, 0xcb, 0xc0);
}

Test(x64_generic, evex_encoder)
{
    /* vaddps zmm0{k1}{z},zmm17,DWORD BCST [rdx+0x100]: broadcast, disp8*4 = 0x40 */
    x64__evex(&b, 1, 0, 2, 0, 0x58, X64__RM_MEM, 0, 17, 0, x64_mem_b(X64_RDX, 0x100), 1, 1, 1, 4, 0,
              0);
    /* vaddps zmm28,zmm1,[rax+0x1000]: full vector, disp8*64 = 0x40, R' for zmm28 */
    x64__evex(&b, 1, 0, 2, 0, 0x58, X64__RM_MEM, 28, 1, 0, x64_mem_b(X64_RAX, 0x1000), 0, 0, 0, 64,
              0, 0);
    EXPECT_BYTES(0x62, 0xf1, 0x74, 0xd1, 0x58, 0x42, 0x40, 0x62, 0x61, 0x74, 0x48, 0x58, 0x60,
                 0x40);
}

/* The fast selection decides on operand types that include register ranges and memory
 * validity: a repeated shape with a bad value is still refused. */
Test(x64_generic, fast_selection_still_validates)
{
    for (int i = 0; i < 3; i++)
        emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_bis(X64_RAX, X64_RCX, 1, 0)));
    EXPECT_BYTES(0x48, 0x8b, 0x04, 0x08, 0x48, 0x8b, 0x04, 0x08, 0x48, 0x8b, 0x04, 0x08);
    emit2(X64_MN_MOV, x64_op_r64(X64_RAX), x64_op_mem(8, x64_mem_bis(X64_RAX, X64_RSP, 1, 0)));
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert_eq(b.len, 12);
}

Test(x64_generic, fast_selection_follows_immediate_width)
{
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_imm(1));
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_imm(100000));
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_imm(2));
    EXPECT_BYTES(0x48, 0x83, 0xc1, 0x01, 0x48, 0x81, 0xc1, 0xa0, 0x86, 0x01, 0x00, 0x48, 0x83, 0xc1,
                 0x02);
}

/* AVX2 gathers: destination, index and mask must all differ (#UD otherwise; GNU as 2.40 warns
 * "mask, index, and destination registers should be distinct"). Distinct registers encode as
 * GNU as does; every overlap is refused on every generic entry point and writes nothing. */
Test(x64_generic, gather_registers_must_differ)
{
    struct x64_operand ok[3] = {x64_op_xmm(1), x64_op_mem(4, x64_mem_bis(X64_RAX, X64_RDX, 4, 0)),
                                x64_op_xmm(3)};
    x64_emit(&b, X64_MN_VPGATHERDD, ok, 3);
    EXPECT_BYTES(0xc4, 0xe2, 0x61, 0x90, 0x0c, 0x90);
    const struct {
        unsigned dst, index, mask;
    } bad[] = {{1, 1, 3}, {1, 2, 1}, {1, 3, 3}, {4, 4, 4}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        struct x64_operand ops[3] = {
            x64_op_xmm(bad[i].dst),
            x64_op_mem(4, x64_mem_bis(X64_RAX, (enum x64_gpr)bad[i].index, 4, 0)),
            x64_op_xmm(bad[i].mask)};
        x64_emit(&c, X64_MN_VPGATHERDD, ops, 3);
        cr_expect_eq(c.status, X64_ERR_INVALID_OPERANDS, "case %zu", i);
        cr_expect_eq(c.len, 0, "case %zu", i);
        cr_expect(strstr(x64_buf_error(&c), "must all differ") != NULL, "%s", x64_buf_error(&c));
        x64_buf_free(&c);
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        x64_emit_form(&c, X64_FORM_VPGATHERDD_XMM_VM32X_XMM, ops);
        cr_expect_eq(c.status, X64_ERR_INVALID_OPERANDS, "form, case %zu", i);
        cr_expect_eq(c.len, 0, "form, case %zu", i);
        x64_buf_free(&c);
        enum x64_form f;
        char why[160];
        cr_expect_eq(x64_select_form(X64_MN_VPGATHERDD, ops, 3, &f, why, sizeof why),
                     X64_ERR_INVALID_OPERANDS, "select, case %zu", i);
    }
    /* ymm gather with a memory index above 7 (REX.X / VEX.X) and the same check */
    struct x64_operand q[3] = {
        x64_op_ymm(4), x64_op_mem(8, x64_mem_bis(X64_R8, (enum x64_gpr)5, 8, 0x10)), x64_op_ymm(4)};
    x64_emit(&b, X64_MN_VGATHERQPD, q, 3);
    cr_assert_eq(b.status, X64_ERR_INVALID_OPERANDS);
    cr_assert_eq(b.len, 6);
}

/* x64_emit() remembers per buffer which form a mnemonic with given operand types takes. A
 * remembered shape with a value outside its type (register 16+ without EVEX, an immediate
 * that no longer fits, a label of no buffer, an rsp index) is still refused, with the buffer
 * unchanged. */
Test(x64_generic, memo_hit_still_validates_values)
{
    const struct {
        enum x64_mnemonic mn;
        struct x64_operand ops[2];
        unsigned n;
        enum x64_status want;
    } bad[] = {
        {X64_MN_ADDSD, {x64_op_xmm(1), x64_op_xmm(17)}, 2, X64_ERR_INVALID_OPERANDS},
        {X64_MN_ADD,
         {x64_op_r64(X64_RCX), x64_op_imm(INT64_C(1) << 40)},
         2,
         X64_ERR_INVALID_OPERANDS},
        {X64_MN_JE, {x64_op_label((struct x64_label){999})}, 1, X64_ERR_INVALID_OPERANDS},
        {X64_MN_ADD, {x64_op_r64((enum x64_gpr)16), x64_op_imm(100)}, 2, X64_ERR_INVALID_OPERANDS},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        struct x64_label lc = x64_label_new(&c);
        x64_label_bind(&c, lc);
        /* Warm c's memo with the valid shape first. */
        struct x64_operand ok[2] = {x64_op_xmm(1), x64_op_xmm(2)};
        if (bad[i].mn == X64_MN_ADD) {
            ok[0] = x64_op_r64(X64_RCX);
            ok[1] = x64_op_imm(100);
        } else if (bad[i].mn == X64_MN_JE) {
            ok[0] = x64_op_label(lc);
        }
        x64_emit(&c, bad[i].mn, ok, bad[i].n);
        x64_emit(&c, bad[i].mn, ok, bad[i].n);
        cr_assert_eq(c.status, X64_OK, "case %zu: %s", i, x64_buf_error(&c));
        size_t clen = c.len;
        x64_emit(&c, bad[i].mn, bad[i].ops, bad[i].n);
        cr_expect_eq(c.status, bad[i].want, "case %zu: %s", i, x64_status_str(c.status));
        cr_expect_eq(c.len, clen, "case %zu: bytes written", i);
        cr_expect_neq(x64_buf_error(&c)[0], '\0', "case %zu: no message", i);
        /* Sticky: the next valid instruction is not emitted either. */
        x64_emit(&c, bad[i].mn, ok, bad[i].n);
        cr_expect_eq(c.len, clen, "case %zu: emitted after an error", i);
        x64_buf_free(&c);
    }
}

/* Each head handler family checks its operands after a warm hit: an invalid register, index,
 * scale or immediate is refused with a message and the buffer unchanged, and the error sticks. */
Test(x64_generic, head_handlers_refuse_invalid_values_when_warm)
{
    const struct x64_mem good = x64_mem_bis(X64_RAX, X64_RBX, 4, 8);
    struct x64_mem scale3 = good, rsp_index = good, bad_base = good;
    scale3.scale = 3;
    rsp_index.index = X64_RSP;
    bad_base.base = 40;
    const struct {
        enum x64_mnemonic mn;
        struct x64_operand ok[3], bad[3];
        unsigned n;
    } cases[] = {
        {X64_MN_ADD,
         {x64_op_r32(X64_ECX), x64_op_r32(X64_EDX)},
         {x64_op_r32(X64_ECX), x64_op_r32((enum x64_gpr)16)},
         2},
        {X64_MN_MOV,
         {x64_op_r32(X64_ECX), x64_op_mem(4, good)},
         {x64_op_r32(X64_ECX), x64_op_mem(4, scale3)},
         2},
        {X64_MN_MOV,
         {x64_op_r32(X64_ECX), x64_op_mem(4, good)},
         {x64_op_r32(X64_ECX), x64_op_mem(4, rsp_index)},
         2},
        {X64_MN_MOV,
         {x64_op_mem(8, good), x64_op_r64(X64_RDX)},
         {x64_op_mem(8, bad_base), x64_op_r64(X64_RDX)},
         2},
        {X64_MN_MOV,
         {x64_op_mem(4, good), x64_op_imm(7)},
         {x64_op_mem(4, good), x64_op_imm(INT64_C(1) << 40)},
         2},
        {X64_MN_VADDSD,
         {x64_op_xmm(1), x64_op_xmm(2), x64_op_xmm(3)},
         {x64_op_xmm(1), x64_op_xmm(2), x64_op_xmm(40)},
         3},
        {X64_MN_PUSH, {x64_op_r64(X64_R12)}, {x64_op_r64((enum x64_gpr)16)}, 1},
        {X64_MN_SETL, {x64_op_r8(X64_BL)}, {x64_op_r8((enum x64_gpr)0x30)}, 1},
        {X64_MN_MOV,
         {x64_op_r32(X64_R9D), x64_op_imm(0x12345)},
         {x64_op_r32(X64_R9D), x64_op_imm(INT64_C(1) << 40)},
         2},
        {X64_MN_MOV,
         {x64_op_mem(1, x64_mem_b(X64_RAX, 0)), x64_op_r8(X64_AH)},
         {x64_op_mem(1, x64_mem_b(X64_R8, 0)), x64_op_r8(X64_AH)},
         2},
        {X64_MN_MOVZX,
         {x64_op_r32(X64_R9D), x64_op_r8(X64_CL)},
         {x64_op_r32(X64_R9D), x64_op_r8(X64_AH)},
         2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        x64_emit(&c, cases[i].mn, cases[i].ok, cases[i].n);
        x64_emit(&c, cases[i].mn, cases[i].ok, cases[i].n);
        cr_assert_eq(c.status, X64_OK, "case %zu: %s", i, x64_buf_error(&c));
        size_t clen = c.len;
        x64_emit(&c, cases[i].mn, cases[i].bad, cases[i].n);
        cr_expect_neq(c.status, X64_OK, "case %zu: accepted", i);
        cr_expect_eq(c.len, clen, "case %zu: bytes written", i);
        cr_expect_neq(x64_buf_error(&c)[0], '\0', "case %zu: no message", i);
        x64_emit(&c, cases[i].mn, cases[i].ok, cases[i].n);
        cr_expect_eq(c.len, clen, "case %zu: emitted after an error", i);
        x64_buf_free(&c);
    }
}

/* The raw-operand memo keys on each operand's kind, class and size and checks the values
 * after the probe: values of one key that select other forms (the accumulator and short
 * forms, imm8 against imm32, shift by 1, ah..bh, the 2- and 3-byte VEX, memory with and
 * without an index, rsp/r12 and rbp/r13 bases, a segment) must each get their own form however the
 * memo was warmed. Each instruction's bytes from x64_emit(), emitted in turn in several orders,
 * equal those of the form the full matcher picks (x64_select_form() then x64_emit_form()). */
Test(x64_generic, raw_memo_values_that_select_other_forms)
{
    const struct x64_mem seg = x64_mem_seg(x64_mem_b(X64_RAX, 8), X64_SEG_FS);
    const struct {
        enum x64_mnemonic mn;
        struct x64_operand ops[3];
        unsigned n;
    } cases[] = {
        {X64_MN_ADD, {x64_op_r32(X64_EAX), x64_op_imm(0x12345)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_ECX), x64_op_imm(0x12345)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_ECX), x64_op_imm(5)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_EAX), x64_op_imm(-5)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_ECX), x64_op_imm(1)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_R9D), x64_op_imm(-40000)}, 2},
        {X64_MN_ADD, {x64_op_r32(X64_ECX), x64_op_imm(0xFFFFFFFF)}, 2},
        {X64_MN_ADD, {x64_op_r64(X64_RCX), x64_op_imm(-1)}, 2},
        {X64_MN_MOV, {x64_op_r64(X64_RCX), x64_op_imm(5)}, 2},
        {X64_MN_MOV, {x64_op_r64(X64_RCX), x64_op_imm(-5)}, 2},
        {X64_MN_MOV, {x64_op_r64(X64_RCX), x64_op_imm(0xFFFFFFFF)}, 2},
        {X64_MN_MOV, {x64_op_r64(X64_R11), x64_op_imm(INT64_C(1) << 40)}, 2},
        {X64_MN_SHL, {x64_op_r32(X64_ECX), x64_op_imm(1)}, 2},
        {X64_MN_SHL, {x64_op_r32(X64_ECX), x64_op_imm(5)}, 2},
        {X64_MN_SHL, {x64_op_r32(X64_ECX), x64_op_imm(200)}, 2},
        {X64_MN_SHL, {x64_op_r32(X64_ECX), x64_op_r8(X64_CL)}, 2},
        {X64_MN_TEST, {x64_op_r32(X64_EAX), x64_op_imm(0x1234)}, 2},
        {X64_MN_TEST, {x64_op_r32(X64_EDX), x64_op_imm(0x1234)}, 2},
        {X64_MN_XCHG, {x64_op_r32(X64_EAX), x64_op_r32(X64_ECX)}, 2},
        {X64_MN_XCHG, {x64_op_r32(X64_EDX), x64_op_r32(X64_ECX)}, 2},
        {X64_MN_XCHG, {x64_op_r32(X64_EDX), x64_op_r32(X64_EAX)}, 2},
        {X64_MN_MOVZX, {x64_op_r32(X64_ECX), x64_op_r8(X64_BL)}, 2},
        {X64_MN_MOVZX, {x64_op_r32(X64_ECX), x64_op_r8(X64_AH)}, 2},
        {X64_MN_MOVZX, {x64_op_r32(X64_ECX), x64_op_r8(X64_SIL)}, 2},
        {X64_MN_MOVZX, {x64_op_r32(X64_R10D), x64_op_r8(X64_R8B)}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, x64_mem_bis(X64_RAX, X64_RBX, 4, 8))}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, x64_mem_b(X64_R12, 0))}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, x64_mem_b(X64_R13, 0))}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, x64_mem_bis(X64_RBP, X64_R9, 8, 300))}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, x64_mem_is(X64_RDX, 2, 64))}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_ECX), x64_op_mem(4, seg)}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_EAX), x64_op_mem(4, x64_mem_rip(16))}, 2},
        {X64_MN_ADDSD, {x64_op_xmm(1), x64_op_xmm(2)}, 2},
        {X64_MN_ADDSD, {x64_op_xmm(9), x64_op_xmm(15)}, 2},
        {X64_MN_VADDSD, {x64_op_xmm(1), x64_op_xmm(2), x64_op_xmm(3)}, 3},
        {X64_MN_VADDSD, {x64_op_xmm(1), x64_op_xmm(2), x64_op_xmm(11)}, 3},
        {X64_MN_IMUL, {x64_op_r32(X64_ECX), x64_op_r32(X64_EDX), x64_op_imm(7)}, 3},
        {X64_MN_IMUL, {x64_op_r32(X64_ECX), x64_op_r32(X64_EDX), x64_op_imm(700)}, 3},
        /* The head handlers' families: +r, 8-bit registers, memory with /digit, an immediate
         * or a 3-byte opcode, VEX with a memory third operand (same set as the register one). */
        {X64_MN_PUSH, {x64_op_r64(X64_R12)}, 1},
        {X64_MN_POP, {x64_op_r64(X64_RBX)}, 1},
        {X64_MN_MOV, {x64_op_r32(X64_R9D), x64_op_imm(0x12345)}, 2},
        {X64_MN_SETL, {x64_op_r8(X64_SPL)}, 1},
        {X64_MN_SETL, {x64_op_r8(X64_AH)}, 1},
        {X64_MN_SETL, {x64_op_r8(X64_R11B)}, 1},
        {X64_MN_MOV, {x64_op_mem(1, x64_mem_b(X64_RAX, 0)), x64_op_r8(X64_SIL)}, 2},
        {X64_MN_MOV, {x64_op_mem(1, x64_mem_b(X64_RAX, 0)), x64_op_r8(X64_AH)}, 2},
        {X64_MN_ADD, {x64_op_r8(X64_R10B), x64_op_imm(5)}, 2},
        {X64_MN_MOV, {x64_op_mem(4, x64_mem_bis(X64_R8, X64_R9, 2, -4)), x64_op_imm(7)}, 2},
        {X64_MN_ADD, {x64_op_mem(8, x64_mem_b(X64_RSP, 1000)), x64_op_imm(3)}, 2},
        {X64_MN_INC, {x64_op_mem(8, x64_mem_b(X64_R13, 0))}, 1},
        {X64_MN_PUSH, {x64_op_mem(8, x64_mem_abs(0x40))}, 1},
        {X64_MN_SHL, {x64_op_mem(4, x64_mem_b(X64_RAX, 0)), x64_op_r8(X64_CL)}, 2},
        {X64_MN_IMUL,
         {x64_op_r64(X64_RCX), x64_op_mem(8, x64_mem_b(X64_RDX, 16)), x64_op_imm(1000)},
         3},
        {X64_MN_PSHUFB,
         {x64_op_xmm(9), x64_op_mem(16, x64_mem_bis(X64_R14, X64_R15, 8, 0x100))},
         2},
        {X64_MN_PSHUFB, {x64_op_xmm(1), x64_op_xmm(2)}, 2},
        {X64_MN_VADDSD, {x64_op_xmm(1), x64_op_xmm(2), x64_op_mem(8, x64_mem_b(X64_RAX, 8))}, 3},
        {X64_MN_VMOVAPS, {x64_op_xmm(12), x64_op_xmm(3)}, 2},
        {X64_MN_VMOVAPS, {x64_op_xmm(3), x64_op_xmm(12)}, 2},
    };
    const size_t nc = sizeof cases / sizeof cases[0];
    uint8_t want[sizeof cases / sizeof cases[0]][16];
    size_t want_len[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < nc; i++) {
        enum x64_form f;
        char why[200];
        cr_assert_eq(x64_select_form(cases[i].mn, cases[i].ops, cases[i].n, &f, why, sizeof why),
                     X64_OK, "case %zu: %s", i, why);
        struct x64_buf r;
        cr_assert_eq(x64_buf_init(&r, 0), X64_OK);
        x64_emit_form(&r, f, cases[i].ops);
        cr_assert_eq(r.status, X64_OK, "case %zu: %s", i, x64_buf_error(&r));
        cr_assert_leq(r.len, sizeof want[i]);
        memcpy(want[i], r.data, r.len);
        want_len[i] = r.len;
        x64_buf_free(&r);
    }
    /* Forward, backward, and each case between every other, in one buffer. */
    for (size_t round = 0; round < 3; round++) {
        for (size_t k = 0; k < nc * (round == 2 ? nc : 1); k++) {
            size_t i = round == 0 ? k : round == 1 ? nc - 1 - k : (k % 2 ? k / nc : k % nc);
            size_t at = b.len;
            x64_emit(&b, cases[i].mn, cases[i].ops, cases[i].n);
            cr_assert_eq(b.status, X64_OK, "case %zu: %s", i, x64_buf_error(&b));
            cr_assert_eq(b.len - at, want_len[i], "round %zu case %zu: length", round, i);
            cr_assert_arr_eq(b.data + at, want[i], want_len[i], "round %zu case %zu: bytes", round,
                             i);
        }
    }
}

static void count_listing(void *ctx, const struct x64_buf *buf, enum x64_form form,
                          const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    (void)buf;
    (void)form;
    (void)ops;
    (void)nops;
    *(size_t *)ctx += end - start;
}

/* A listing hook set after the memo is warm still sees every instruction. */
Test(x64_generic, memo_hit_is_listed)
{
    struct x64_label l = x64_label_new(&b);
    x64_label_bind(&b, l);
    struct x64_operand j = x64_op_label(l);
    for (int i = 0; i < 2; i++) {
        emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_r64(X64_RDX));
        emit2(X64_MN_MOV, x64_op_r32(X64_RAX), x64_op_mem(4, x64_mem_b(X64_RBX, 8)));
        x64_emit(&b, X64_MN_JNE, &j, 1);
    }
    size_t listed = 0, start = b.len;
    x64_buf_set_listing(&b, count_listing, &listed);
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_r64(X64_RDX));
    emit2(X64_MN_MOV, x64_op_r32(X64_RAX), x64_op_mem(4, x64_mem_b(X64_RBX, 8)));
    x64_emit(&b, X64_MN_JNE, &j, 1);
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    cr_expect_eq(listed, b.len - start, "listed %zu of %zu bytes", listed, b.len - start);
    cr_expect_eq(b.len - start, 3 + 3 + 2);
}

/* The memo is per thread and shared by every buffer: a shape remembered while writing one
 * buffer is still checked against the values and labels of the next. Buffer `a` has labels
 * 1..8 and warms the memo; the fixture's buffer has one label, so label 8 is not one of its
 * own and is refused there, as are out-of-range values, with its bytes unchanged and the
 * first error kept. */
Test(x64_generic, memo_shared_across_buffers_still_validates)
{
    struct x64_buf a;
    cr_assert_eq(x64_buf_init(&a, 0), X64_OK);
    struct x64_label la[8];
    for (int i = 0; i < 8; i++)
        la[i] = x64_label_new(&a);
    x64_label_bind(&a, la[7]);
    struct x64_operand j = x64_op_label(la[7]);
    for (int i = 0; i < 2; i++) {
        x64_emit(&a, X64_MN_JE, &j, 1);
        struct x64_operand ri[2] = {x64_op_r64(X64_RCX), x64_op_imm(100)};
        x64_emit(&a, X64_MN_ADD, ri, 2);
        struct x64_operand xx[2] = {x64_op_xmm(1), x64_op_xmm(2)};
        x64_emit(&a, X64_MN_ADDSD, xx, 2);
        struct x64_operand rm[2] = {x64_op_r32(X64_RAX), x64_op_mem(4, x64_mem_b(X64_RBX, 8))};
        x64_emit(&a, X64_MN_MOV, rm, 2);
    }
    cr_assert_eq(a.status, X64_OK, "%s", x64_buf_error(&a));
    x64_buf_free(&a);

    /* The warm shapes with valid values: served from the memo, right bytes. */
    struct x64_label l = x64_label_new(&b);
    x64_label_bind(&b, l);
    emit2(X64_MN_ADD, x64_op_r64(X64_RCX), x64_op_imm(100));
    emit2(X64_MN_ADDSD, x64_op_xmm(1), x64_op_xmm(2));
    emit2(X64_MN_MOV, x64_op_r32(X64_RAX), x64_op_mem(4, x64_mem_b(X64_RBX, 8)));
    EXPECT_BYTES(0x48, 0x83, 0xc1, 0x64, 0xf2, 0x0f, 0x58, 0xca, 0x8b, 0x43, 0x08);
    const struct {
        enum x64_mnemonic mn;
        struct x64_operand ops[2];
        unsigned n;
    } bad[] = {
        {X64_MN_JE, {x64_op_label(la[7])}, 1},
        {X64_MN_ADD, {x64_op_r64(X64_RCX), x64_op_imm(INT64_C(1) << 40)}, 2},
        {X64_MN_ADDSD, {x64_op_xmm(1), x64_op_xmm(17)}, 2},
        {X64_MN_MOV, {x64_op_r32(X64_RAX), x64_op_mem(4, x64_mem_bis(X64_RBX, X64_RSP, 1, 8))}, 2},
        {X64_MN_MOV, {x64_op_r32((enum x64_gpr)16), x64_op_mem(4, x64_mem_b(X64_RBX, 8))}, 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        struct x64_label lc = x64_label_new(&c);
        x64_label_bind(&c, lc);
        x64_emit(&c, bad[i].mn, bad[i].ops, bad[i].n);
        cr_expect_eq(c.status, X64_ERR_INVALID_OPERANDS, "case %zu: %s", i,
                     x64_status_str(c.status));
        cr_expect_eq(c.len, 0, "case %zu: bytes written", i);
        cr_expect_neq(x64_buf_error(&c)[0], '\0', "case %zu: no message", i);
        struct x64_operand ok[2] = {x64_op_r64(X64_RCX), x64_op_imm(100)};
        x64_emit(&c, X64_MN_ADD, ok, 2);
        cr_expect_eq(c.len, 0, "case %zu: emitted after an error", i);
        cr_expect_eq(c.status, X64_ERR_INVALID_OPERANDS, "case %zu: first error replaced", i);
        x64_buf_free(&c);
    }
}

/* One fixed sequence (every operand kind, labels, VEX, a byte register) into many buffers in a
 * row, some of them refusing an instruction halfway: every buffer gets the first one's bytes. */
static size_t emit_sequence(struct x64_buf *c, unsigned k, bool with_error)
{
    struct x64_label top = x64_label_new(c), fwd = x64_label_new(c);
    x64_label_bind(c, top);
    enum x64_gpr r = (enum x64_gpr)(k % 16u), s = (enum x64_gpr)((k * 7u + 3u) % 16u);
    struct x64_operand ops[][3] = {
        {x64_op_r64(r), x64_op_r64(s)},
        {x64_op_r32(s), x64_op_imm((int64_t)k * 1000)},
        {x64_op_r8(r), x64_op_r8(s)},
        {x64_op_r64(r), x64_op_mem(8, x64_mem_bis(s, X64_RCX, 4, (int32_t)k))},
        {x64_op_mem(4, x64_mem_b(r, -(int32_t)k)), x64_op_r32(s)},
        {x64_op_label(fwd)},
        {x64_op_xmm(k % 16u), x64_op_xmm(3), x64_op_xmm((k + 5u) % 16u)},
        {x64_op_r64(s), x64_op_r64(r), x64_op_imm(-(int64_t)k)},
        {x64_op_label(top)},
    };
    const enum x64_mnemonic mn[] = {X64_MN_MOV, X64_MN_AND,    X64_MN_XOR,  X64_MN_ADD, X64_MN_MOV,
                                    X64_MN_JE,  X64_MN_VADDSD, X64_MN_IMUL, X64_MN_JNE};
    const unsigned n[] = {2, 2, 2, 2, 2, 1, 3, 3, 1};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        x64_emit(c, mn[i], ops[i], n[i]);
        if (with_error && i == 4) {
            size_t len = c->len;
            struct x64_operand badop[2] = {x64_op_r64(r), x64_op_imm(INT64_C(1) << 33)};
            x64_emit(c, X64_MN_ADD, badop, 2);
            return len;
        }
    }
    x64_label_bind(c, fwd);
    return c->len;
}

Test(x64_generic, memo_many_buffers_in_a_row)
{
    uint8_t want[16][128];
    size_t want_len[16];
    for (unsigned k = 0; k < 16; k++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        emit_sequence(&c, k, false);
        cr_assert_eq(x64_buf_finish(&c), X64_OK, "%s", x64_buf_error(&c));
        want_len[k] = c.len;
        cr_assert_leq(c.len, sizeof want[k]);
        memcpy(want[k], c.data, c.len);
        x64_buf_free(&c);
    }
    for (unsigned i = 0; i < 2000; i++) {
        unsigned k = (i * 5u) % 16u;
        bool err = i % 7u == 3u;
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        size_t len = emit_sequence(&c, k, err);
        if (err) {
            cr_assert_eq(c.status, X64_ERR_INVALID_OPERANDS, "buffer %u", i);
            cr_assert_eq(c.len, len, "buffer %u: bytes after the refused instruction", i);
        } else {
            cr_assert_eq(x64_buf_finish(&c), X64_OK, "buffer %u: %s", i, x64_buf_error(&c));
            cr_assert_eq(c.len, want_len[k], "buffer %u", i);
            cr_assert_arr_eq(c.data, want[k], c.len, "buffer %u", i);
        }
        x64_buf_free(&c);
    }
}

/* Threads each have their own memo: four threads write the sequence into their own buffers at
 * the same time, each starting at another k (so their memos fill differently), and all get the
 * bytes the main thread got. */
struct seq_ref {
    uint8_t bytes[16][128];
    size_t len[16];
    unsigned first;
    unsigned bad;
};

static void *emit_sequences(void *arg)
{
    struct seq_ref *ref = arg;
    for (unsigned i = 0; i < 3000; i++) {
        unsigned k = (ref->first + i * 3u) % 16u;
        struct x64_buf c;
        if (x64_buf_init(&c, 0) != X64_OK) {
            ref->bad++;
            continue;
        }
        emit_sequence(&c, k, false);
        if (x64_buf_finish(&c) != X64_OK || c.len != ref->len[k] ||
            memcmp(c.data, ref->bytes[k], c.len) != 0)
            ref->bad++;
        x64_buf_free(&c);
    }
    return NULL;
}

Test(x64_generic, memo_per_thread)
{
    struct seq_ref ref[4];
    for (unsigned k = 0; k < 16; k++) {
        struct x64_buf c;
        cr_assert_eq(x64_buf_init(&c, 0), X64_OK);
        emit_sequence(&c, k, false);
        cr_assert_eq(x64_buf_finish(&c), X64_OK, "%s", x64_buf_error(&c));
        cr_assert_leq(c.len, sizeof ref[0].bytes[k]);
        for (unsigned t = 0; t < 4; t++) {
            memcpy(ref[t].bytes[k], c.data, c.len);
            ref[t].len[k] = c.len;
        }
        x64_buf_free(&c);
    }
    pthread_t th[4];
    for (unsigned t = 0; t < 4; t++) {
        ref[t].first = t * 5u;
        ref[t].bad = 0;
        cr_assert_eq(pthread_create(&th[t], NULL, emit_sequences, &ref[t]), 0);
    }
    for (unsigned t = 0; t < 4; t++) {
        cr_assert_eq(pthread_join(th[t], NULL), 0);
        cr_expect_eq(ref[t].bad, 0, "thread %u: %u buffers differ", t, ref[t].bad);
    }
}

/* The 8-bit register shapes from a warm memo: spl..dil and r8b.. take a REX prefix, ah..bh
 * none, and ah..bh with a REX-only register is refused with the buffer unchanged. Expected
 * bytes from GNU as 2.40. */
Test(x64_generic, byte_register_shapes_from_a_warm_memo)
{
    struct x64_operand one = x64_op_r8(X64_BL);
    for (int i = 0; i < 2; i++) {
        emit2(X64_MN_MOVZX, x64_op_r32(X64_EAX), x64_op_r8(X64_CL));
        x64_emit(&b, X64_MN_SETL, &one, 1);
    }
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    size_t warm = b.len;
    emit2(X64_MN_MOVZX, x64_op_r32(X64_EAX), x64_op_r8(X64_SPL));
    emit2(X64_MN_MOVZX, x64_op_r32(X64_R9D), x64_op_r8(X64_R10B));
    emit2(X64_MN_MOVZX, x64_op_r32(X64_EAX), x64_op_r8(X64_AH));
    struct x64_operand r[3] = {x64_op_r8(X64_DIL), x64_op_r8(X64_BH), x64_op_r8(X64_R15B)};
    for (int i = 0; i < 3; i++)
        x64_emit(&b, X64_MN_SETL, &r[i], 1);
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    const uint8_t want[] = {0x40, 0x0f, 0xb6, 0xc4, 0x45, 0x0f, 0xb6, 0xca, 0x0f, 0xb6, 0xc4,
                            0x40, 0x0f, 0x9c, 0xc7, 0x0f, 0x9c, 0xc7, 0x41, 0x0f, 0x9c, 0xc7};
    cr_assert_eq(b.len - warm, sizeof want, "len %zu", b.len - warm);
    cr_assert_arr_eq(b.data + warm, want, sizeof want);
    size_t len = b.len;
    emit2(X64_MN_MOVZX, x64_op_r32(X64_R8D), x64_op_r8(X64_AH));
    cr_expect_eq(b.status, X64_ERR_HIGH8_REX, "%s", x64_status_str(b.status));
    cr_expect_eq(b.len, len);
}
