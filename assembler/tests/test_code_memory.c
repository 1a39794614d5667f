/* SPDX-License-Identifier: Apache-2.0 */
/* Code memory: the README example end to end, sealing never leaves a page W+X, calls with
 * integer and xmm arguments, absolute label data relocated at seal time, code spaces sealed in
 * place. */
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* The README's first example. */
Test(x64_code_memory, readme_add_returns_42)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    x64_mov_r64_r64(&b, X64_RAX, X64_RDI);
    x64_add_r64_r64(&b, X64_RAX, X64_RSI);
    x64_ret(&b);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK);
    uint64_t args[2] = {10, 32};
    cr_assert_eq(x64_code_call_int(code.addr, args, 2, NULL, 0), 42);
    const uint8_t expect[] = {0x48, 0x89, 0xf8, 0x48, 0x01, 0xf0, 0xc3};
    cr_assert_eq(code.size, sizeof expect);
    cr_assert_arr_eq(code.addr, expect, sizeof expect);
    x64_code_free(&code);
    x64_buf_free(&b);
}

/* Every mapping of the process: none may be writable and executable at once. */
static void assert_no_wx_mapping(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        char perms[8] = "";
        cr_assert_eq(sscanf(line, "%*x-%*x %7s", perms), 1);
        cr_assert_not(perms[1] == 'w' && perms[2] == 'x', "W+X mapping: %s", line);
    }
    fclose(f);
}

/* The permissions of the mapping holding `addr`, or "" if unmapped. */
static void perms_of(const void *addr, char out[8])
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[512];
    out[0] = '\0';
    unsigned long long a = (unsigned long long)(uintptr_t)addr;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long lo, hi;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) == 3 && a >= lo && a < hi)
            memcpy(out, perms, 8);
    }
    fclose(f);
}

Test(x64_code_memory, sealed_pages_are_rx_never_wx_and_freed)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    for (int i = 0; i < 3000; i++) /* more than one page */
        x64_nop_n(&b, 3);
    x64_mov_r32_imm32(&b, X64_EAX, 9);
    x64_ret(&b);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK);
    cr_assert_geq(code.map_size, 8192);
    char p[8];
    perms_of(code.addr, p);
    cr_assert_str_eq(p, "r-xp");
    perms_of((uint8_t *)code.addr + code.size - 1, p);
    cr_assert_str_eq(p, "r-xp");
    assert_no_wx_mapping();
    cr_assert_eq(x64_code_call_int(code.addr, NULL, 0, NULL, 0), 9);
    void *addr = code.addr;
    x64_code_free(&code);
    cr_assert_null(code.addr);
    perms_of(addr, p);
    cr_assert_str_eq(p, "", "unmapped after free");
    x64_code_free(&code); /* zeroed: no-op */
    x64_buf_free(&b);
}

/* A code space: written in place, grown (small and huge-page sized), moved when the
 * reservation is too small, sealed RX in place with the rest released, never W+X. */
Test(x64_code_memory, code_space_write_grow_move_seal_in_place)
{
    struct x64_code_space s;
    cr_assert_eq(x64_code_space_reserve(NULL, 4096, 0), X64_ERR_INVALID_ARGUMENT);
    cr_assert_eq(x64_code_space_reserve(&s, 0, 0), X64_ERR_INVALID_ARGUMENT);
    cr_assert_eq(x64_code_space_reserve(&s, 8192, 100), X64_OK);
    cr_assert_geq(s.reserved, 8192);
    cr_assert_eq(s.writable, 0);
    char p[8];
    perms_of(s.addr, p);
    cr_assert_str_eq(p, "---p", "reserved, not committed");
    cr_assert_eq(x64_code_space_ensure(&s, 100), X64_OK);
    cr_assert_geq(s.writable, 100);
    perms_of(s.addr, p);
    cr_assert_str_eq(p, "rw-p");
    /* mov eax, 7; ret at the start, then grow past the reservation: the bytes move along. */
    const uint8_t ret7[] = {0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3};
    memcpy(s.addr, ret7, sizeof ret7);
    size_t big = s.reserved + 3 * 4096 + 17;
    cr_assert_eq(x64_code_space_ensure(&s, big), X64_OK);
    cr_assert_geq(s.reserved, big);
    cr_assert_geq(s.writable, big);
    cr_assert_arr_eq(s.addr, ret7, sizeof ret7);
    s.addr[big - 1] = 0xcc; /* the whole requested range is writable */
    assert_no_wx_mapping();
    cr_assert_eq(x64_code_space_seal(&s, s.writable + 1, &(struct x64_code){0}),
                 X64_ERR_INVALID_ARGUMENT);
    uint8_t *tail = s.addr + s.reserved - 1;
    struct x64_code code;
    cr_assert_eq(x64_code_space_seal(&s, sizeof ret7, &code), X64_OK);
    cr_assert_null(s.addr, "the space is emptied");
    cr_assert_eq(code.size, sizeof ret7);
    perms_of(code.addr, p);
    cr_assert_str_eq(p, "r-xp");
    perms_of(tail, p);
    cr_assert_str_eq(p, "", "the unused rest of the reservation is released");
    assert_no_wx_mapping();
    cr_assert_eq(x64_code_call_int(code.addr, NULL, 0, NULL, 0), 7);
    x64_code_free(&code);
    x64_code_space_free(&s); /* zeroed: no-op */

    /* Large hint: huge-page aligned reservation; free releases it. */
    cr_assert_eq(x64_code_space_reserve(&s, (size_t)16 << 20, (size_t)8 << 20), X64_OK);
    cr_assert_eq((uintptr_t)s.addr & (((uintptr_t)2 << 20) - 1), 0);
    cr_assert_eq(x64_code_space_ensure(&s, 5), X64_OK);
    cr_assert_eq(s.writable % ((size_t)2 << 20), 0, "grows in whole huge pages");
    s.addr[0] = 0xc3;
    uint8_t *a = s.addr;
    x64_code_space_free(&s);
    cr_assert_null(s.addr);
    perms_of(a, p);
    cr_assert_str_eq(p, "");
}

Test(x64_code_memory, six_integer_and_xmm_arguments)
{
    struct x64_buf b;
    x64_buf_init(&b, 0);
    /* rdi + 2*rsi + 3*rdx + rcx + r8 + r9 */
    x64_lea_r64_m(&b, X64_RAX, x64_mem_bis(X64_RDI, X64_RSI, 2, 0));
    x64_lea_r64_m(&b, X64_RDX, x64_mem_bis(X64_RDX, X64_RDX, 2, 0));
    x64_add_r64_r64(&b, X64_RAX, X64_RDX);
    x64_add_r64_r64(&b, X64_RAX, X64_RCX);
    x64_add_r64_r64(&b, X64_RAX, X64_R8);
    x64_add_r64_r64(&b, X64_RAX, X64_R9);
    x64_ret(&b);
    struct x64_label f = x64_label_new(&b);
    x64_label_bind(&b, f);
    /* xmm0 * xmm1 - xmm7 */
    x64_mulsd_xmm_xmm(&b, 0, 1);
    x64_subsd_xmm_xmm(&b, 0, 7);
    x64_ret(&b);
    struct x64_code code;
    cr_assert_eq(x64_code_seal(&b, &code), X64_OK);
    uint64_t ia[6] = {1, 2, 3, 4, 5, 6};
    cr_assert_eq(x64_code_call_int(code.addr, ia, 6, NULL, 0), 1 + 4 + 9 + 4 + 5 + 6);
    size_t off;
    cr_assert(x64_label_offset(&b, f, &off));
    double xa[8] = {1.5, 4.0, 0, 0, 0, 0, 0, 0.25};
    cr_assert_eq(x64_code_call_f64(x64_code_at(&code, off), NULL, 0, xa, 8), 5.75);
    x64_code_free(&code);
    x64_buf_free(&b);
}

Test(x64_code_memory, seal_bytes)
{
    const uint8_t ret42[] = {0xb8, 42, 0, 0, 0, 0xc3};
    struct x64_code code;
    cr_assert_eq(x64_code_seal_bytes(ret42, sizeof ret42, &code), X64_OK);
    cr_assert_eq(x64_code_call_int(code.addr, NULL, 0, NULL, 0), 42);
    x64_code_free(&code);
    cr_assert_eq(x64_code_seal_bytes(NULL, 4, &code), X64_ERR_INVALID_ARGUMENT);
}

Test(x64_code_memory, cpu_features)
{
    cr_assert(x64_cpu_has(X64_FEATURE_BASE));
    cr_assert(x64_cpu_has(X64_FEATURE_SSE2), "every x86-64 CPU has SSE2");
    cr_assert_not(x64_cpu_has(X64_FEATURE_COUNT));
    cr_assert_str_eq(x64_feature_name(X64_FEATURE_SSE41), "sse41");
    struct x64_form_desc d;
    cr_assert(x64_form_describe(X64_FORM_ROUNDSD_XMM_XMM_IMM8, &d));
    cr_assert_eq(d.feature, X64_FEATURE_SSE41);
}
