/* SPDX-License-Identifier: Apache-2.0 */
/* Code memory: the README example end to end, sealing never leaves a page W+X, calls with
 * integer and xmm arguments, absolute label data relocated at seal time. */
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
