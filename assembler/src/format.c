/* SPDX-License-Identifier: Apache-2.0 */
/* Intel-syntax text out, matching GNU `objdump -d -M intel` so that a listing can be diffed
 * against objdump and read back by x64_asm_text(). The form table says what each operand is
 * (class, so the memory size keyword, immediate width); objdump's own spellings (string ops
 * with explicit operands, movabs, cmp predicates, operand order of xchg) are handled here. */
#include "x64/format.h"

#include "forms.h"
#include "x64/generic.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- A bounded string builder with snprintf semantics --- */

struct sb {
    char *out;
    size_t cap;
    size_t len; /* length of the full text, even past cap */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct sb *s, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t m = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    for (size_t i = 0; i < m; i++, s->len++)
        if (s->len + 1 < s->cap)
            s->out[s->len] = tmp[i];
    if (s->cap > 0)
        s->out[s->len < s->cap ? s->len : s->cap - 1] = '\0';
}

/* --- Names --- */

static const char *const gpr_names[4][16] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
     "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
     "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
     "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
     "r14", "r15"},
};

static const char *const seg_names[7] = {"", "es", "cs", "ss", "ds", "fs", "gs"};

static void put_gpr(struct sb *s, unsigned reg, unsigned size)
{
    if (size == 1 && reg >= X64_AH && reg <= X64_BH) {
        put(s, "%s", (const char *[]){"ah", "ch", "dh", "bh"}[reg - X64_AH]);
        return;
    }
    unsigned row = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    if (reg < 16)
        put(s, "%s", gpr_names[row][reg]);
    else
        put(s, "?r%u", reg);
}

/* objdump's names for the cmpps/cmppd/cmpss/cmpsd predicates (imm8 0..7 for SSE, 0..31 with
 * VEX), as in `cmpltps xmm0,xmm1`. */
static const char *const cmp_predicates[32] = {
    "eq",    "lt",     "le",     "unord",    "neq",    "nlt",    "nle",    "ord",
    "eq_uq", "nge",    "ngt",    "false",    "neq_oq", "ge",     "gt",     "true",
    "eq_os", "lt_oq",  "le_oq",  "unord_s",  "neq_us", "nlt_uq", "nle_uq", "ord_s",
    "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq",  "gt_oq",  "true_us",
};

const char *x64__cmp_predicate(unsigned imm, bool vex)
{
    if (imm >= (vex ? 32u : 8u))
        return NULL;
    return cmp_predicates[imm];
}

/* pclmulqdq's imm8 selects the quadwords: objdump names the four useful ones. */
const char *x64__pclmul_name(unsigned imm)
{
    switch (imm) {
    case 0x00:
        return "lqlq";
    case 0x01:
        return "hqlq";
    case 0x10:
        return "lqhq";
    case 0x11:
        return "hqhq";
    default:
        return NULL;
    }
}

/* --- Operand classes --- */

/* Byte size of an operand class: the generated table form_match.c reads too. */
static unsigned class_bytes(unsigned oc)
{
    return oc < X64_OC_COUNT ? x64__class_size[oc] : 0u;
}

static bool class_is_gpr_or_mem(unsigned oc)
{
    return (oc >= X64_OC_R8 && oc <= X64_OC_R64) || (oc >= X64_OC_M8 && oc <= X64_OC_M64) ||
           (oc >= X64_OC_AL && oc <= X64_OC_RAX) || (oc >= X64_OC_MOFFS8 && oc <= X64_OC_MOFFS64);
}

static const char *size_keyword(unsigned bytes)
{
    switch (bytes) {
    case 1:
        return "BYTE";
    case 2:
        return "WORD";
    case 4:
        return "DWORD";
    case 6:
        return "FWORD";
    case 8:
        return "QWORD";
    case 10:
        return "TBYTE";
    case 16:
        return "XMMWORD";
    case 32:
        return "YMMWORD";
    case 64:
        return "ZMMWORD";
    default:
        return NULL;
    }
}

/* objdump: `-0x8` after a base or index, `+0x...` (64-bit wrap) after rip. */
static void put_disp(struct sb *s, int64_t d, bool unsigned_wrap)
{
    if (d < 0 && !unsigned_wrap)
        put(s, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)d);
    else
        put(s, "+0x%" PRIx64, (uint64_t)d);
}

/* Far jmp/call through an m16:64 pointer (REX.W FF /5, /3). */
static bool is_far_m80(const struct x64_form_info *f)
{
    return (f->mnemonic == X64_MN_JMP || f->mnemonic == X64_MN_CALL) && f->nops == 1 &&
           f->ops[0] == X64_OC_M80;
}

/* A memory operand; `next` is the address after the instruction (RIP-relative targets). */
static void put_mem(struct sb *s, const struct x64_form_info *f, unsigned i,
                    const struct x64_operand *o, uint64_t next, uint64_t *rip_target, bool *has_rip)
{
    unsigned oc = f->ops[i];
    const struct x64_mem *m = &o->u.mem;
    unsigned bytes = class_bytes(oc);
    bool bcst = oc == X64_OC_M16BCST || oc == X64_OC_M32BCST || oc == X64_OC_M64BCST;
    const char *kw = size_keyword(bytes);
    const char *mn = x64_mnemonic_name((enum x64_mnemonic)f->mnemonic);
    if (f->mnemonic == X64_MN_CMPXCHG16B)
        kw = "OWORD"; /* objdump's name for its m128 */
    if (is_far_m80(f))
        kw = "FWORD"; /* m16:64: objdump prints `rex.W jmp FWORD PTR` */
    if (!strcmp(mn, "lddqu") || !strcmp(mn, "vlddqu"))
        kw = NULL; /* objdump prints no size for lddqu's unaligned load */
    if (oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z) {
        /* A gather's size keyword is its data element, not its index: vgatherdpd reads
         * QWORDs through dword indices. ps/d elements are DWORDs, pd/q ones QWORDs. */
        size_t ml = strlen(mn);
        char last = ml ? mn[ml - 1] : 'd';
        kw = (last == 'd' && !(ml >= 2 && mn[ml - 2] == 'p')) || last == 's' ? "DWORD" : "QWORD";
    }
    bool moffs = oc >= X64_OC_MOFFS8 && oc <= X64_OC_MOFFS64;
    if (kw != NULL && oc != X64_OC_M && !moffs)
        put(s, "%s %s ", kw, bcst ? "BCST" : "PTR");
    if (moffs || (m->flags & X64_MEM_MOFFS)) {
        uint64_t a = ((uint64_t)m->label << 32) | (uint32_t)m->disp;
        put(s, "%s:0x%" PRIx64, seg_names[m->segment ? m->segment : X64_SEG_DS], a);
        return;
    }
    if (m->segment == X64_SEG_FS || m->segment == X64_SEG_GS)
        put(s, "%s:", seg_names[m->segment]);
    if (m->flags & X64_MEM_RIP) {
        put(s, "[rip");
        put_disp(s, m->disp, true);
        put(s, "]");
        *rip_target = next + (uint64_t)(int64_t)m->disp;
        *has_rip = true;
        return;
    }
    if (m->base == X64_NOREG && m->index == X64_NOREG) {
        /* [disp32] without base or index: objdump spells it ds:0x... */
        if (m->segment != X64_SEG_FS && m->segment != X64_SEG_GS)
            put(s, "ds:");
        put(s, "0x%" PRIx64, (uint64_t)(int64_t)m->disp);
        return;
    }
    put(s, "[");
    bool vsib = oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z;
    if (m->base != X64_NOREG)
        put_gpr(s, m->base, 8);
    if (m->index != X64_NOREG) {
        if (m->base != X64_NOREG)
            put(s, "+");
        if (vsib) {
            const char *v = (oc == X64_OC_VM32X || oc == X64_OC_VM64X)   ? "xmm"
                            : (oc == X64_OC_VM32Y || oc == X64_OC_VM64Y) ? "ymm"
                                                                         : "zmm";
            put(s, "%s%u", v, (unsigned)m->index);
        } else {
            put_gpr(s, m->index, 8);
        }
        put(s, "*%u", (unsigned)m->scale);
    }
    /* The encoder drops a zero displacement except after rbp/r13 (mod=00 rm=101 means RIP)
     * and without a base (disp32 is always there); objdump then prints +0x0. */
    bool shown =
        m->disp != 0 || m->base == X64_NOREG || (m->base != X64_NOREG && (m->base & 7u) == X64_RBP);
    if (shown)
        put_disp(s, m->disp, false);
    put(s, "]");
    if (o->bcst)
        put(s, "{1to%u}", (unsigned)o->bcst);
}

/* The instruction's operand size for masking immediates: the first GPR or memory operand. */
static unsigned operand_bytes(const struct x64_form_info *f)
{
    for (unsigned i = 0; i < f->nops; i++)
        if (class_is_gpr_or_mem(f->ops[i]))
            return class_bytes(f->ops[i]);
    return 0;
}

static uint64_t mask_bytes(int64_t v, unsigned bytes)
{
    if (bytes >= 8 || bytes == 0)
        return (uint64_t)v;
    return (uint64_t)v & (((uint64_t)1 << (8 * bytes)) - 1);
}

/* An immediate as objdump prints it: hex, unsigned at the width it has in the instruction
 * (a sign-extended imm8/imm32 at the operand size). */
static void put_imm(struct sb *s, const struct x64_form_info *f, unsigned oc, int64_t v)
{
    unsigned width;
    unsigned opb = operand_bytes(f);
    bool push = f->mnemonic == X64_MN_PUSH;
    switch (oc) {
    case X64_OC_IMM8:
        width = (f->flags & X64__F_SX) ? (push ? 8 : opb ? opb : 1) : 1;
        break;
    case X64_OC_IMM16:
        width = 2;
        break;
    case X64_OC_IMM32:
        width = push ? 8 : opb ? opb : 4;
        break;
    default:
        width = 8;
        break;
    }
    put(s, "0x%" PRIx64, mask_bytes(v, width));
}

/* --- Prefixes read from the bytes --- */

static bool is_legacy_prefix(uint8_t b)
{
    return b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x66 || b == 0x67 || b == 0x26 ||
           b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}

static const char *seg_prefix_name(uint8_t b)
{
    switch (b) {
    case 0x26:
        return "es";
    case 0x2E:
        return "cs";
    case 0x36:
        return "ss";
    case 0x3E:
        return "ds";
    case 0x64:
        return "fs";
    case 0x65:
        return "gs";
    default:
        return NULL;
    }
}

/* --- String instructions: objdump spells out their implicit operands --- */

struct string_op {
    enum x64_mnemonic mn;
    const char *base;
    unsigned size;
};

static const struct string_op string_ops[] = {
    {X64_MN_MOVSB, "movs", 1}, {X64_MN_MOVSW, "movs", 2}, {X64_MN_MOVSD, "movs", 4},
    {X64_MN_MOVSQ, "movs", 8}, {X64_MN_CMPSB, "cmps", 1}, {X64_MN_CMPSW, "cmps", 2},
    {X64_MN_CMPSD, "cmps", 4}, {X64_MN_CMPSQ, "cmps", 8}, {X64_MN_STOSB, "stos", 1},
    {X64_MN_STOSW, "stos", 2}, {X64_MN_STOSD, "stos", 4}, {X64_MN_STOSQ, "stos", 8},
    {X64_MN_LODSB, "lods", 1}, {X64_MN_LODSW, "lods", 2}, {X64_MN_LODSD, "lods", 4},
    {X64_MN_LODSQ, "lods", 8}, {X64_MN_SCASB, "scas", 1}, {X64_MN_SCASW, "scas", 2},
    {X64_MN_SCASD, "scas", 4}, {X64_MN_SCASQ, "scas", 8}, {X64_MN_INSB, "ins", 1},
    {X64_MN_INSW, "ins", 2},   {X64_MN_INSD, "ins", 4},   {X64_MN_OUTSB, "outs", 1},
    {X64_MN_OUTSW, "outs", 2}, {X64_MN_OUTSD, "outs", 4},
};

static const struct string_op *find_string_op(const struct x64_form_info *f)
{
    if (f->nops != 0)
        return NULL;
    for (size_t i = 0; i < sizeof string_ops / sizeof string_ops[0]; i++)
        if (string_ops[i].mn == f->mnemonic)
            return &string_ops[i];
    return NULL;
}

static void put_string_operands(struct sb *s, const struct string_op *so)
{
    const char *kw = size_keyword(so->size);
    const char *acc = gpr_names[so->size == 1 ? 0 : so->size == 2 ? 1 : so->size == 4 ? 2 : 3][0];
    switch (so->base[0]) {
    case 's':
        if (so->base[1] == 't')
            put(s, "%s PTR es:[rdi],%s", kw, acc); /* stos */
        else
            put(s, "%s,%s PTR es:[rdi]", acc, kw); /* scas */
        break;
    case 'l':
        put(s, "%s,%s PTR ds:[rsi]", acc, kw);
        break;
    case 'm':
        put(s, "%s PTR es:[rdi],%s PTR ds:[rsi]", kw, kw);
        break;
    case 'i':
        put(s, "%s PTR es:[rdi],dx", kw);
        break;
    case 'o':
        put(s, "dx,%s PTR ds:[rsi]", kw);
        break;
    default:
        put(s, "%s PTR ds:[rsi],%s PTR es:[rdi]", kw, kw); /* cmps */
        break;
    }
}

/* --- Label jumps (form X64_FORM_COUNT): the mnemonic comes from the opcode --- */

static const char *const cc_names[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                         "s", "ns", "p", "np", "l", "ge", "le", "g"};

static void put_label_jump(struct sb *s, const uint8_t *bytes, size_t len,
                           const struct x64_operand *ops, unsigned nops, unsigned flags)
{
    size_t i = 0;
    while (bytes != NULL && i < len && is_legacy_prefix(bytes[i]))
        i++;
    char name[16] = "j?";
    if (bytes != NULL && i < len) {
        uint8_t op = bytes[i];
        if (op == 0xEB || op == 0xE9)
            snprintf(name, sizeof name, "jmp");
        else if (op == 0xE8)
            snprintf(name, sizeof name, "call");
        else if (op >= 0x70 && op <= 0x7F)
            snprintf(name, sizeof name, "j%s", cc_names[op & 15u]);
        else if (op == 0x0F && i + 1 < len && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x8F)
            snprintf(name, sizeof name, "j%s", cc_names[bytes[i + 1] & 15u]);
        else if (op == 0xE3)
            snprintf(name, sizeof name, "jrcxz");
        else if (op >= 0xE0 && op <= 0xE2)
            snprintf(name, sizeof name, "%s",
                     (const char *[]){"loopne", "loope", "loop"}[op - 0xE0]);
    }
    put(s, (flags & X64_FMT_COMPACT) ? "%s " : "%-6s ", name);
    if (nops > 0 && ops != NULL && ops[0].kind == X64_OP_LABEL)
        put(s, ".L%" PRIu32, ops[0].u.label.id);
    else
        put(s, ".L?");
}

/* --- The formatter --- */

size_t x64_format_insn(enum x64_form form, const struct x64_operand *ops, unsigned nops,
                       const uint8_t *bytes, size_t len, uint64_t address, unsigned flags,
                       char *out, size_t out_len)
{
    struct sb s = {out_len ? out : NULL, out_len, 0};
    if (out_len > 0)
        out[0] = '\0';
    if (form == X64_FORM_COUNT) {
        put_label_jump(&s, bytes, len, ops, nops, flags);
        return s.len;
    }
    if ((unsigned)form > X64_FORM_COUNT || (nops > 0 && ops == NULL)) {
        put(&s, "(bad)");
        return s.len;
    }
    const struct x64_form_info *f = &x64__forms[form];
    uint64_t next = address + len;

    /* Prefix words: the legacy prefix bytes the form and its operands do not account for.
     * (A form that is itself a prefix, `lock` or `rep` alone, has nothing else to show.) */
    char prefix[48] = "";
    size_t plen = 0;
    bool prefix_form =
        f->nops == 0 && (f->opc >> 24) == 1 && f->pfx == 0 && is_legacy_prefix((uint8_t)f->opc);
    if (bytes != NULL && !prefix_form) {
        uint8_t mine[4];
        unsigned nmine = 0;
        for (unsigned k = 0; k < (f->pfx >> 24) && k < 3; k++)
            mine[nmine++] = (uint8_t)(f->pfx >> (8 * k));
        /* jecxz's 67 is written in the table as its first opcode byte. */
        if ((f->opc >> 24) > 1 && is_legacy_prefix((uint8_t)f->opc) && nmine < 4)
            mine[nmine++] = (uint8_t)f->opc;
        /* fs/gs show in the operand (fs:[rax]); es/cs/ss/ds do nothing in 64-bit mode and
         * objdump shows them as prefix words (`cs nop ...`), so they stay in the scan. */
        for (unsigned k = 0; k < f->nops && k < nops; k++)
            if (ops[k].kind == X64_OP_MEM &&
                (ops[k].u.mem.segment == X64_SEG_FS || ops[k].u.mem.segment == X64_SEG_GS) &&
                nmine < 4)
                mine[nmine++] = (uint8_t) "\x26\x2e\x36\x3e\x64\x65"[ops[k].u.mem.segment - 1u];
        const struct string_op *so = find_string_op(f);
        bool branch = f->mnemonic == X64_MN_JMP || f->mnemonic == X64_MN_CALL ||
                      f->mnemonic == X64_MN_RET || (f->nops == 1 && f->ops[0] == X64_OC_REL8) ||
                      (f->nops == 1 && f->ops[0] == X64_OC_REL32);
        for (size_t i = 0; i < len && is_legacy_prefix(bytes[i]); i++) {
            uint8_t b = bytes[i];
            bool found = false;
            for (unsigned k = 0; k < nmine && !found; k++)
                if (mine[k] == b) {
                    mine[k] = 0;
                    found = true;
                }
            if (found)
                continue;
            const char *w = seg_prefix_name(b);
            if (b == 0xF0)
                w = "lock";
            else if (b == 0xF3)
                w = (so != NULL && so->base[0] != 'c' && so->base[1] != 'c') ? "rep" : "repz";
            else if (b == 0xF2)
                w = branch ? "bnd" : "repnz";
            else if (b == 0x66)
                w = "data16";
            else if (b == 0x67)
                w = "addr32";
            if (so != NULL && b == 0xF3 && so->base[0] == 's' && so->base[1] == 'c')
                w = "repz"; /* scas */
            int n = snprintf(prefix + plen, sizeof prefix - plen, "%s ", w ? w : "?");
            if (n > 0 && (size_t)n < sizeof prefix - plen)
                plen += (size_t)n;
        }
    }

    /* The mnemonic as objdump spells it. */
    char name[32];
    const char *mn = x64_mnemonic_name((enum x64_mnemonic)f->mnemonic);
    const struct string_op *so = find_string_op(f);
    bool drop_last_imm = false;
    bool shown_none = false;
    if (so != NULL) {
        snprintf(name, sizeof name, "%s", so->base);
    } else if (f->mnemonic == X64_MN_MOV &&
               (f->ops[1] == X64_OC_IMM64 ||
                (f->ops[0] >= X64_OC_MOFFS8 && f->ops[0] <= X64_OC_MOFFS64) ||
                (f->ops[1] >= X64_OC_MOFFS8 && f->ops[1] <= X64_OC_MOFFS64))) {
        snprintf(name, sizeof name, "movabs");
    } else if (f->nops == 0 &&
               !strcmp(x64_mnemonic_name((enum x64_mnemonic)f->mnemonic), "xlatb")) {
        /* objdump spells out xlat's implicit table operand. */
        char full_x[64];
        snprintf(full_x, sizeof full_x, "%.*sxlat", (int)plen, prefix);
        put(&s, (flags & X64_FMT_COMPACT) ? "%s " : "%-6s ", full_x);
        put(&s, "BYTE PTR ds:[rbx]");
        return s.len;
    } else if (f->mnemonic == X64_MN_XCHG && f->nops == 2 && f->ops[0] == X64_OC_RAX &&
               f->ops[1] == X64_OC_RAX) {
        snprintf(name, sizeof name, "nop"); /* 90: objdump reads xchg rax,rax as nop */
        shown_none = true;
    } else if (is_far_m80(f)) {
        /* objdump names the REX of an m16:64 far pointer: `rex.W jmp`, `rex.WB call`. */
        size_t i = 0;
        while (bytes != NULL && i < len && is_legacy_prefix(bytes[i]))
            i++;
        uint8_t rex = bytes != NULL && i < len && (bytes[i] & 0xF0u) == 0x40 ? bytes[i] : 0x48;
        snprintf(name, sizeof name, "rex.%s%s%s%s %s", (rex & 8u) ? "W" : "", (rex & 4u) ? "R" : "",
                 (rex & 2u) ? "X" : "", (rex & 1u) ? "B" : "", mn);
    } else {
        snprintf(name, sizeof name, "%s", mn);
        /* cmpps xmm0,xmm1,0x1 -> cmpltps xmm0,xmm1; pclmulqdq ...,0x11 -> pclmulhqhqdq. */
        size_t ml = strlen(mn);
        unsigned last = f->nops ? f->nops - 1 : 0;
        bool imm_last = f->nops > 0 && f->ops[last] == X64_OC_IMM8 && last < nops &&
                        ops[last].kind == X64_OP_IMM;
        if (imm_last) {
            unsigned imm = (unsigned)(ops[last].u.imm & 0xFF);
            bool vex = mn[0] == 'v';
            const char *cmp = mn + (vex ? 1 : 0);
            if (!strncmp(cmp, "cmp", 3) && ml == (vex ? 6u : 5u) &&
                (!strcmp(cmp + 3, "ps") || !strcmp(cmp + 3, "pd") || !strcmp(cmp + 3, "ss") ||
                 !strcmp(cmp + 3, "sd"))) {
                const char *p = x64__cmp_predicate(imm, vex);
                if (p != NULL) {
                    snprintf(name, sizeof name, "%scmp%s%s", vex ? "v" : "", p, cmp + 3);
                    drop_last_imm = true;
                }
            } else if (!strcmp(cmp, "pclmulqdq") || !strcmp(mn, "vpclmulqdq")) {
                const char *p = x64__pclmul_name(imm);
                if (p != NULL) {
                    snprintf(name, sizeof name, "%spclmul%sdq", vex ? "v" : "", p);
                    drop_last_imm = true;
                }
            }
        }
    }
    char full[80];
    snprintf(full, sizeof full, "%.*s%s", (int)plen, prefix, name);

    /* Operand order: objdump prints xchg's register-in-opcode and reg/rm forms one way. */
    unsigned order[4] = {0, 1, 2, 3};
    unsigned shown = f->nops < nops ? f->nops : nops;
    if (drop_last_imm && shown > 0)
        shown--;
    if (shown_none)
        shown = 0;
    if (f->mnemonic == X64_MN_XCHG && f->nops == 2) {
        bool swap = (f->roles[0] == X64__ROLE_REG && f->roles[1] == X64__ROLE_RM) ||
                    (f->roles[0] == X64__ROLE_IMPLICIT && f->roles[1] == X64__ROLE_OPREG);
        if (swap) {
            order[0] = 1;
            order[1] = 0;
        }
    }

    if (so == NULL && shown == 0) {
        put(&s, "%s", full);
        return s.len;
    }
    put(&s, (flags & X64_FMT_COMPACT) ? "%s " : "%-6s ", full);
    if (so != NULL) {
        put_string_operands(&s, so);
        return s.len;
    }
    uint64_t rip_target = 0;
    bool has_rip = false;
    for (unsigned k = 0; k < shown; k++) {
        unsigned i = order[k];
        const struct x64_operand *o = &ops[i];
        unsigned oc = f->ops[i];
        if (k > 0)
            put(&s, ",");
        switch (oc) {
        case X64_OC_AL:
        case X64_OC_AX:
        case X64_OC_EAX:
        case X64_OC_RAX:
            put_gpr(&s, X64_RAX, class_bytes(oc));
            continue;
        case X64_OC_CL:
            put(&s, "cl");
            continue;
        case X64_OC_DX:
            put(&s, "dx");
            continue;
        case X64_OC_ONE:
            put(&s, "1");
            continue;
        case X64_OC_XMM0:
            put(&s, "xmm0");
            continue;
        case X64_OC_REL8:
        case X64_OC_REL32:
            if (o->kind == X64_OP_LABEL)
                put(&s, ".L%" PRIu32, o->u.label.id);
            else
                put(&s, "0x%" PRIx64, next + (uint64_t)o->u.imm);
            continue;
        case X64_OC_IMM8:
        case X64_OC_IMM16:
        case X64_OC_IMM32:
        case X64_OC_IMM64:
            put_imm(&s, f, oc, o->u.imm);
            continue;
        default:
            break;
        }
        if (o->kind == X64_OP_REG) {
            if (o->rclass == X64_RC_GPR)
                put_gpr(&s, o->u.reg, o->size);
            else if (o->rclass == X64_RC_K)
                put(&s, "k%u", o->u.reg);
            else if (o->rclass == X64_RC_SEG)
                put(&s, "%s", o->u.reg < 6 ? seg_names[o->u.reg + 1] : "?");
            else
                put(&s, "%s%u",
                    o->rclass == X64_RC_XMM   ? "xmm"
                    : o->rclass == X64_RC_YMM ? "ymm"
                                              : "zmm",
                    o->u.reg);
            if (o->mask)
                put(&s, "{k%u}", (unsigned)o->mask);
            if (o->zero)
                put(&s, "{z}");
        } else if (o->kind == X64_OP_MEM) {
            put_mem(&s, f, i, o, next, &rip_target, &has_rip);
        } else if (o->kind == X64_OP_IMM) {
            put(&s, "0x%" PRIx64, (uint64_t)o->u.imm);
        } else {
            put(&s, "?");
        }
    }
    if (has_rip && !(flags & X64_FMT_NO_COMMENT))
        put(&s, "        # 0x%" PRIx64, rip_target);
    return s.len;
}

size_t x64_format_listing(enum x64_form form, const struct x64_operand *ops, unsigned nops,
                          const uint8_t *bytes, size_t len, uint64_t address, unsigned flags,
                          char *out, size_t out_len)
{
    struct sb s = {out_len ? out : NULL, out_len, 0};
    if (out_len > 0)
        out[0] = '\0';
    char text[160];
    x64_format_insn(form, ops, nops, bytes, len, address, flags, text, sizeof text);
    /* objdump: "%8lx:\t" then 7 bytes as "xx " padded to 21 columns, "\t", the text. */
    put(&s, "%8" PRIx64 ":\t", address);
    size_t first = bytes != NULL ? (len < 7 ? len : 7) : 0;
    for (size_t i = 0; i < 7; i++) {
        if (i < first)
            put(&s, "%02x ", bytes[i]);
        else
            put(&s, "   ");
    }
    put(&s, "\t%s", text);
    for (size_t i = 7; bytes != NULL && i < len; i += 7) {
        put(&s, "\n%8" PRIx64 ":\t", address + i);
        for (size_t k = i; k < len && k < i + 7; k++)
            put(&s, k + 1 < len && k + 1 < i + 7 ? "%02x " : "%02x", bytes[k]);
    }
    return s.len;
}

void x64_listing_print(void *ctx, const struct x64_buf *b, enum x64_form form,
                       const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    struct x64_listing_printer *p = ctx;
    if (p == NULL || p->write == NULL || b == NULL || end < start || end > b->len)
        return;
    char line[320];
    x64_format_listing(form, ops, nops, b->data + start, end - start, p->base + start, p->flags,
                       line, sizeof line);
    p->write(p->ctx, line);
}
