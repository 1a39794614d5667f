/* SPDX-License-Identifier: Apache-2.0 */
/* The text parser: objdump's spellings encode to the bytes GNU as 2.40 gives for the same
 * lines (expected bytes below come from `as --64` + objdump, not from our table), errors say
 * why, and garbage never crashes (fuzz-ish loops over random bytes, token soup and mutations
 * of valid lines; inputs are exact-size heap copies so ASan sees any over-read). */
#include "x64/generic.h"
#include "x64/parse.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Assembles `text` at `address` and returns the bytes as "48 01 d8" (or "error: ..."). */
static void assemble(const char *text, uint64_t address, char *out, size_t cap)
{
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 64), X64_OK);
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    cr_assert_not_null(copy);
    memcpy(copy, text, len);
    enum x64_status s = x64_asm_text(&b, copy, len, address);
    if (s != X64_OK) {
        snprintf(out, cap, "error: %s", x64_buf_error(&b));
        cr_assert_eq(b.len, 0, "a failed line added bytes");
    } else {
        size_t n = 0;
        out[0] = '\0';
        for (size_t i = 0; i < b.len && n + 4 < cap; i++)
            n += (size_t)snprintf(out + n, cap - n, i ? " %02x" : "%02x", b.data[i]);
    }
    free(copy);
    x64_buf_free(&b);
}

static void expect_bytes(const char *text, const char *want)
{
    char got[128];
    assemble(text, 0, got, sizeof got);
    cr_expect_str_eq(got, want, "'%s'", text);
}

static void expect_error(const char *text, const char *fragment)
{
    char got[256];
    assemble(text, 0, got, sizeof got);
    cr_expect(strncmp(got, "error: ", 7) == 0, "'%s' should fail, got '%s'", text, got);
    cr_expect(strstr(got, fragment) != NULL, "'%s': message '%s' lacks '%s'", text, got, fragment);
}

static bool have_mnemonic(const char *name)
{
    enum x64_mnemonic mn;
    return x64_mnemonic_lookup(name, strlen(name), &mn);
}

Test(x64_parse, objdump_spellings_encode_as_gnu_as_does)
{
    expect_bytes("add rax,rbx", "48 01 d8");
    expect_bytes("add    rax,rbx", "48 01 d8");
    expect_bytes("ADD RAX, RBX", "48 01 d8");
    expect_bytes("mov eax,DWORD PTR [rdi+rcx*4+0x10]", "8b 44 8f 10");
    expect_bytes("mov rax,QWORD PTR fs:0x28", "64 48 8b 04 25 28 00 00 00");
    expect_bytes("lock cmpxchg QWORD PTR [rdi],rsi", "f0 48 0f b1 37");
    expect_bytes("rep stos QWORD PTR es:[rdi],rax", "f3 48 ab");
    expect_bytes("movabs rax,0x1122334455667788", "48 b8 88 77 66 55 44 33 22 11");
    expect_bytes("movabs eax,ds:0x1122334455667788", "a1 88 77 66 55 44 33 22 11");
    expect_bytes("add eax,0xffffff80", "83 c0 80");
    expect_bytes("sub rsp,0xffffffffffffff80", "48 83 ec 80");
    expect_bytes("mov r12b,BYTE PTR [r13+0x0]", "45 8a 65 00");
    expect_bytes("movzx eax,BYTE PTR [rsp+r12*1]", "42 0f b6 04 24");
    expect_bytes("lea rax,[rip+0x10]        # 0x55", "48 8d 05 10 00 00 00");
    expect_bytes("shl eax,1", "d1 e0");
    expect_bytes("xchg ax,ax", "66 90");
    expect_bytes("movsd xmm0,QWORD PTR [rax]", "f2 0f 10 00");
    expect_bytes("movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]", "a4");
    expect_bytes("repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]", "f3 a6");
    expect_bytes("bnd jmp rax", "f2 ff e0");
    expect_bytes("notrack jmp QWORD PTR [rax*8+0x1000]", "3e ff 24 c5 00 10 00 00");
    expect_bytes("push 0xffffffffffffff80", "6a 80");
    expect_bytes("mov BYTE PTR [rax],0xff", "c6 00 ff");
    expect_bytes("test ah,0x1", "f6 c4 01");
    /* Encodings differ from GNU as here (both are right): our prefix order and no disp. */
    expect_bytes("nop WORD PTR cs:[rax+rax*1+0x0]", "2e 66 0f 1f 04 00");
    expect_bytes("repz ret", "f3 c3");
    expect_bytes("data16 cs nop WORD PTR [rax+rax*1+0x0]", "66 2e 66 0f 1f 04 00");
}

Test(x64_parse, session2_general_purpose_forms)
{
    /* Lines as objdump prints them; bytes from GNU as 2.40 for the same text. */
    expect_bytes("cli", "fa");
    expect_bytes("sti", "fb");
    expect_bytes("movsxd eax,ecx", "63 c1");
    expect_bytes("movsxd r9d,DWORD PTR [r10+rax*4+0x10]", "45 63 4c 82 10");
    expect_bytes("retw", "66 c3");
    expect_bytes("retw 0x10", "66 c2 10 00");
    expect_bytes("retf 0x8", "ca 08 00");
    expect_bytes("retfq", "48 cb");
    expect_bytes("retfq 0x8", "48 ca 08 00");
    expect_bytes("retfw", "66 cb");
    expect_bytes("retfw 0x8", "66 ca 08 00");
    expect_bytes("ud0 eax,ecx", "0f ff c1");
    expect_bytes("ud0 r9d,DWORD PTR [rax]", "44 0f ff 08");
    expect_bytes("jmp FWORD PTR [rax]", "ff 28");
    expect_bytes("call FWORD PTR [r9+0x8]", "41 ff 59 08");
    expect_bytes("rex.W jmp FWORD PTR [rax]", "48 ff 28");
    expect_bytes("rex.WX call FWORD PTR [rax+r10*2]", "4a ff 1c 50");
    expect_bytes("jmp DWORD PTR [rax]", "66 ff 28");
    expect_bytes("call DWORD PTR [rbx]", "66 ff 1b");
    expect_bytes("ins BYTE PTR es:[rdi],dx", "6c");
    expect_bytes("ins WORD PTR es:[rdi],dx", "66 6d");
    expect_bytes("ins DWORD PTR es:[rdi],dx", "6d");
    expect_bytes("outs dx,BYTE PTR ds:[rsi]", "6e");
    expect_bytes("outs dx,WORD PTR ds:[rsi]", "66 6f");
    expect_bytes("outs dx,DWORD PTR ds:[rsi]", "6f");
    expect_bytes("rep ins BYTE PTR es:[rdi],dx", "f3 6c");
    expect_bytes("rep outs dx,DWORD PTR ds:[rsi]", "f3 6f");
    expect_bytes("leavew", "66 c9");
    expect_bytes("pushfw", "66 9c");
    expect_bytes("popfw", "66 9d");
    expect_bytes("enterw 0x8,0x1", "66 c8 08 00 01");
    expect_bytes("nop", "90");
    expect_bytes("xchg eax,eax", "87 c0");
    expect_bytes("xchg ax,ax", "66 90");
    expect_bytes("xchg r8d,eax", "41 90");
    /* GNU as and llvm-mc: xchg rax,rax is the one-byte 90; eax,eax must stay 87 c0 (90 would
     * not zero-extend rax). */
    expect_bytes("xchg rax,rax", "90");
    expect_bytes("xchg rcx,rax", "48 91");
    expect_bytes("retf", "cb");
    expect_bytes("jecxz 0x0", "67 e3 fd");
    expect_bytes("rex.WB jmp FWORD PTR [r9]", "49 ff 29");
    /* objdump's text for 66 4b 5a: REX.W (which it calls unused) overrides the data16, so the
     * pop stays 64-bit; ours is 66 49 5a (the X bit it named is unused indeed). */
    expect_bytes("data16 rex.WXB pop r10", "66 49 5a");
    expect_bytes("rex.WB mov al,r10b", "4c 88 d0"); /* objdump: rex.WR mov al,r10b */
    expect_error("ins QWORD PTR es:[rdi],dx", "unknown mnemonic");
    expect_error("ins BYTE PTR es:[rdi],ax", "bad operand for a string instruction");
}

/* Forms the opcode-map sweep (tools/make_opmap.sh) found missing, and the segment-register
 * instructions. Bytes from GNU as 2.40, except where noted. */
Test(x64_parse, session3_forms)
{
    expect_bytes("call cx", "66 ff d1");
    expect_bytes("jmp WORD PTR [rbx]", "66 ff 23");
    expect_bytes("nop rcx", "48 0f 1f c1");
    expect_bytes("movzx bx,cx", "66 0f b7 d9");
    expect_bytes("movsx di,WORD PTR [rbx]", "66 0f bf 3b");
    expect_bytes("movsxd ax,DWORD PTR [rbx]", "66 63 03");
    expect_bytes("ud1 rbx,QWORD PTR [rbx]", "48 0f b9 1b");
    expect_bytes("cvtpi2pd xmm6,QWORD PTR [rbx]", "66 0f 2a 33");
    expect_bytes("pcmpestriq xmm1,xmm2,0x11", "66 48 0f 3a 61 ca 11");
    expect_bytes("pushw 0x1234", "66 68 34 12");
    expect_bytes("push fs", "0f a0");
    expect_bytes("pop gs", "0f a9");
    expect_bytes("pushw fs", "66 0f a0");
    expect_bytes("mov eax,es", "8c c0");
    expect_bytes("mov WORD PTR [rbx],cs", "8c 0b");
    expect_bytes("mov ds,r9d", "41 8e d9");
    expect_bytes("mov ss,WORD PTR [rbx]", "8e 13");
    /* The SDM's and llvm-mc's r16/r64 encodings: GNU as drops the 66 / REX.W. */
    expect_bytes("mov rax,es", "48 8c c0");
    expect_bytes("mov es,ax", "66 8e c0");
    expect_bytes("lfs eax,FWORD PTR [rbx]", "0f b4 03");
    expect_bytes("lss cx,DWORD PTR [rbx]", "66 0f b2 0b");
    expect_error("mov cs,eax", "cs cannot be loaded");
    expect_error("push es", "invalid operand combination");
    expect_error("lfs rax,TBYTE PTR [rbx]", "invalid operand combination");
}

Test(x64_parse, vector_and_folded_immediates)
{
    if (!have_mnemonic("vpaddd") || !have_mnemonic("cmpps") || !have_mnemonic("pclmulqdq"))
        cr_skip_test("vector rows not in the table yet");
    expect_bytes("vpaddd ymm1,ymm2,YMMWORD PTR [rax+rcx*4+0x20]", "c5 ed fe 4c 88 20");
    expect_bytes("cmpltps xmm0,xmm1", "0f c2 c1 01");
    expect_bytes("pclmulhqhqdq xmm0,xmm1", "66 0f 3a 44 c1 11");
}

Test(x64_parse, branch_targets_are_absolute)
{
    char got[64];
    assemble("jmp 0x10", 0, got, sizeof got);
    cr_expect_str_eq(got, "eb 0e");
    assemble("jmp 401020 <main+0x20>", 0x401000, got, sizeof got); /* objdump's bare hex */
    cr_expect_str_eq(got, "eb 1e");
    assemble("call 1130 <puts@plt>", 0x1000, got, sizeof got);
    cr_expect_str_eq(got, "e8 2b 01 00 00");
    assemble("je fe8a", 0x10000, got, sizeof got); /* a hex word, not a name */
    cr_expect_str_eq(got, "0f 84 84 fe ff ff");
    assemble("jne 0x0", 0x10, got, sizeof got); /* backward rel8 */
    cr_expect_str_eq(got, "75 ee");
    /* An address column overrides the address argument. */
    assemble("  401000:\tjmp    401020", 0, got, sizeof got);
    cr_expect_str_eq(got, "eb 1e");
    assemble("  401000:\t48 01 d8             \tadd    rax,rbx", 0, got, sizeof got);
    cr_expect_str_eq(got, "48 01 d8");
    assemble("jrcxz 0x1000", 0, got, sizeof got);
    cr_expect(strstr(got, "error: ") == got && strstr(got, "range"), "%s", got);
}

Test(x64_parse, parse_reports_structure)
{
    struct x64_asm_insn in;
    char why[160];
    const char *t = "lock add DWORD PTR gs:[r12+r13*8-0x4],0xffffffff";
    cr_assert_eq(x64_asm_parse(t, strlen(t), &in, why, sizeof why), X64_OK, "%s", why);
    cr_expect_eq(in.prefix, X64_PFX_LOCK);
    cr_expect_eq(in.nops, 2);
    cr_expect_eq(in.ops[0].kind, X64_OP_MEM);
    cr_expect_eq(in.ops[0].size, 4);
    cr_expect_eq(in.ops[0].u.mem.base, X64_R12);
    cr_expect_eq(in.ops[0].u.mem.index, X64_R13);
    cr_expect_eq(in.ops[0].u.mem.scale, 8);
    cr_expect_eq(in.ops[0].u.mem.disp, -4);
    cr_expect_eq(in.ops[0].u.mem.segment, X64_SEG_GS);
    cr_expect_eq(in.ops[1].u.imm, -1, "0xffffffff at 32 bits is -1");

    t = "   # only a comment";
    cr_assert_eq(x64_asm_parse(t, strlen(t), &in, why, sizeof why), X64_OK);
    cr_expect(in.empty);
    cr_assert_eq(x64_asm_parse("", 0, &in, why, sizeof why), X64_OK);
    cr_expect(in.empty);
    cr_assert_eq(x64_asm_parse(NULL, 0, &in, why, sizeof why), X64_OK);
    cr_expect(in.empty);

    /* Only the first `len` bytes count. */
    t = "ret garbage";
    cr_assert_eq(x64_asm_parse(t, 3, &in, why, sizeof why), X64_OK);
    cr_expect_eq(in.nops, 0);

    t = "vgatherdps xmm0,DWORD PTR [rax+xmm1*4+0x8],xmm2";
    cr_assert_eq(x64_asm_parse(t, strlen(t), &in, why, sizeof why) == X64_OK ||
                     strstr(why, "unknown mnemonic") != NULL,
                 true, "%s", why);
    if (in.nops == 3) {
        cr_expect_eq(in.ops[1].u.mem.index, 1, "VSIB index is the vector register number");
        cr_expect_eq(in.ops[1].size, 4);
    }
}

Test(x64_parse, errors_say_why)
{
    expect_error("foo rax,rbx", "unknown mnemonic 'foo'");
    expect_error("add rax,", "missing operand");
    expect_error("add rax rbx", "expected ','");
    expect_error("mov eax,DWORD PTR [rax", "missing ']'");
    expect_error("mov eax,DWORD PTR [rax+rcx*3]", "scale must be 1, 2, 4 or 8");
    expect_error("mov eax,DWORD PTR [rax+rsp*2]", "rsp cannot be an index");
    expect_error("mov eax,DWORD PTR [eax]", "64-bit address registers");
    expect_error("mov eax,DWORD PTR [rax+0x100000000]", "32 bits");
    expect_error("mov eax,DWORD PTR [rax-rbx]", "cannot be subtracted");
    expect_error("mov eax,QWORD rax", "expected PTR");
    expect_error("mov DWORD PTR eax,1", "cannot apply to register");
    expect_error("add rax,ebx", "invalid operand");
    expect_error("mov rax,mm0", "not supported");
    expect_error("add rax,zz", "unexpected");
    expect_error("add rax,0x1ffffffffffffffff", "64 bits");
    expect_error("stos es:[rdi]", "operand size");
    expect_error("movs QWORD PTR es:[rax],QWORD PTR ds:[rsi]", "[rsi] or [rdi]");
    expect_error("[rax]", "expected a mnemonic");
    expect_error("add rax,1f", "not a number");
    expect_error("add eax{k0},ebx", "k0");
}

/* --- Never crash on garbage --- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(rng_state >> 33);
}

/* Parses and assembles an exact-size heap copy; checks the contract on every outcome. */
static void feed(const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, text, len);
    struct x64_asm_insn in;
    char why[160];
    enum x64_status s = x64_asm_parse(copy, len, &in, why, sizeof why);
    if (s != X64_OK)
        cr_assert(why[0] != '\0', "error without a message for '%.*s'", (int)len, text);
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 64), X64_OK);
    s = x64_asm_text(&b, copy, len, 0x1000);
    if (s != X64_OK) {
        cr_assert(x64_buf_error(&b)[0] != '\0');
        cr_assert_eq(b.len, 0);
    } else {
        cr_assert(b.len <= 15, "%zu bytes for one line", b.len);
    }
    x64_buf_free(&b);
    free(copy);
}

Test(x64_parse, random_bytes_never_crash)
{
    char buf[96];
    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t len = rnd() % sizeof buf;
        bool printable = iter & 1;
        for (size_t i = 0; i < len; i++)
            buf[i] = printable ? (char)(32 + rnd() % 95) : (char)(rnd() & 0xFF);
        feed(buf, len);
    }
}

Test(x64_parse, token_soup_never_crashes)
{
    static const char *const vocab[] = {
        "add",
        "mov",
        "movabs",
        "lock",
        "rep",
        "stos",
        "jmp",
        "call",
        "vpaddd",
        "cmpltps",
        "rax",
        "eax",
        "ax",
        "al",
        "ah",
        "r12",
        "r13d",
        "xmm3",
        "ymm15",
        "zmm31",
        "k1",
        "rip",
        "riz",
        "fs",
        "ds",
        "es",
        "QWORD",
        "DWORD",
        "BYTE",
        "XMMWORD",
        "PTR",
        "BCST",
        "[",
        "]",
        "+",
        "-",
        "*",
        ",",
        ":",
        "{",
        "}",
        "z",
        "1to8",
        "0x10",
        "0xffffffffffffffff",
        "8",
        "4",
        "401000",
        "<sym>",
        "#",
        "data16",
        "rex.W",
        "cs",
        "nop",
        " ",
        "\t",
        "0x",
        "9999999999999999999999",
    };
    char buf[160];
    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        unsigned ntok = 1 + rnd() % 12;
        for (unsigned k = 0; k < ntok; k++) {
            const char *w = vocab[rnd() % (sizeof vocab / sizeof vocab[0])];
            size_t wl = strlen(w);
            if (len + wl + 1 >= sizeof buf)
                break;
            memcpy(buf + len, w, wl);
            len += wl;
            if (rnd() % 2)
                buf[len++] = ' ';
        }
        feed(buf, len);
    }
}

Test(x64_parse, mutated_valid_lines_never_crash)
{
    static const char *const lines[] = {
        "vpaddd ymm1,ymm2,YMMWORD PTR [rax+rcx*4+0x20]",
        "mov rax,QWORD PTR fs:0x28",
        "lock cmpxchg QWORD PTR [rdi],rsi",
        "rep stos QWORD PTR es:[rdi],rax",
        "movabs rax,0x1122334455667788",
        "jmp 401020 <main+0x20>",
        "nop WORD PTR cs:[rax+rax*1+0x0]",
        "data16 cs nop WORD PTR [rax+rax*1+0x0]",
        "vgatherdps xmm0,DWORD PTR [rax+xmm1*4+0x8],xmm2",
        "  401000:\t48 01 d8             \tadd    rax,rbx",
    };
    char buf[128];
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        size_t n = strlen(lines[l]);
        for (size_t cut = 0; cut <= n; cut++)
            feed(lines[l], cut); /* every prefix of the line */
        for (unsigned iter = 0; iter < 2000; iter++) {
            memcpy(buf, lines[l], n);
            size_t pos = rnd() % n;
            buf[pos] = (char)(rnd() & 0xFF);
            feed(buf, n);
        }
    }
}

Test(x64_parse, sticky_errors_and_arguments)
{
    cr_expect_eq(x64_asm_text(NULL, "ret", 3, 0), X64_ERR_INVALID_ARGUMENT);
    cr_expect_eq(x64_asm_parse("ret", 3, NULL, NULL, 0), X64_ERR_INVALID_ARGUMENT);
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 64), X64_OK);
    cr_expect_eq(x64_asm_text(&b, "ret", 3, 0), X64_OK);
    cr_expect_neq(x64_asm_text(&b, "bogus", 5, 0), X64_OK);
    /* The first error sticks: a later good line adds nothing. */
    cr_expect_neq(x64_asm_text(&b, "ret", 3, 0), X64_OK);
    cr_expect_eq(b.len, 1);
    cr_expect(strstr(x64_buf_error(&b), "bogus") != NULL);
    x64_buf_free(&b);
}
