/* SPDX-License-Identifier: Apache-2.0 */
/* Zydis side of the round-trip checks: decode, then compare length, mnemonic and every operand
 * (registers by name, memory by base/index/scale/disp/segment, immediates modulo their encoded
 * width, branch displacements exactly). Fixed operands (al, cl, 1, xmm0) may be implicit in
 * Zydis's reading. */
#include "zydis_check.h"

#include <Zydis/Zydis.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

static const char *vec_name(const char *prefix, unsigned n)
{
    static char buf[4][8];
    static unsigned k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s%u", prefix, n & 31u);
    return b;
}

const char *zydis_check_reg_name(const struct x64_operand *op)
{
    static const char *const high8[4] = {"ah", "ch", "dh", "bh"};
    switch (op->rclass) {
    case X64_RC_GPR:
        if (op->size == 1 && op->u.reg >= X64_AH && op->u.reg <= X64_BH)
            return high8[op->u.reg - X64_AH];
        if (op->u.reg > 15)
            return "?";
        switch (op->size) {
        case 1:
            return gpr_names[0][op->u.reg];
        case 2:
            return gpr_names[1][op->u.reg];
        case 4:
            return gpr_names[2][op->u.reg];
        default:
            return gpr_names[3][op->u.reg];
        }
    case X64_RC_XMM:
        return vec_name("xmm", op->u.reg);
    case X64_RC_YMM:
        return vec_name("ymm", op->u.reg);
    case X64_RC_ZMM:
        return vec_name("zmm", op->u.reg);
    case X64_RC_SEG: {
        static const char *const sregs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
        return op->u.reg < 6 ? sregs[op->u.reg] : "?";
    }
    default:
        return vec_name("k", op->u.reg);
    }
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static bool
failf(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return false;
}

/* Our condition-code spellings where Zydis uses the other name of the same condition. */
static const char *const cc_alias[][2] = {
    {"e", "z"}, {"ne", "nz"}, {"ae", "nb"}, {"a", "nbe"}, {"ge", "nl"}, {"g", "nle"},
};

/* Whole-mnemonic spellings that differ between the table (GNU objdump names) and Zydis. */
static const char *const mn_alias[][2] = {
    {"xlatb", "xlat"},
    {"movabs", "mov"},
    {"pushf", "pushfq"},
    {"popf", "popfq"},
    {"pushfw", "pushf"},
    {"popfw", "popf"},
    {"retw", "ret"},
    {"retf", "ret"}, /* Zydis reads the far return as ret with a far branch
                        type */
    {"retfq", "ret"},
    {"retfw", "ret"},
    {"leavew", "leave"},
    {"enterw", "enter"},
    {"pcmpestriq", "pcmpestri"},
    {"pushw", "push"},
    {"popw", "pop"},
    {"pcmpestrmq", "pcmpestrm"},
};

/* Forms whose operand width GNU as and objdump take from the 66 / REX.W prefix while Zydis
 * reads Intel's fixed width: near call/jmp through r/m16 (64-bit on Intel, 16-bit on AMD;
 * SDM vol. 2, CALL/JMP: "operand size forced to 64 bits"), ud0/ud1 (no operands are read;
 * Zydis always prints 32-bit ones), movsxd r16's source (Zydis names it r16) and the source
 * of a move to a segment register (8E, which reads 16 bits; Zydis names it r16). For these
 * operands the check compares everything but the width. */
static const struct {
    const char *form;
    unsigned op; /* 0-based operand index */
} width_exempt[] = {
    {"call_r16", 0},       {"call_m16", 0},      {"jmp_r16", 0},       {"jmp_m16", 0},
    {"ud0_r16_r16", 0},    {"ud0_r16_m16", 0},   {"ud0_r64_r64", 0},   {"ud0_r64_m64", 0},
    {"ud0_r16_r16", 1},    {"ud0_r16_m16", 1},   {"ud0_r64_r64", 1},   {"ud0_r64_m64", 1},
    {"ud1_r16_r16", 0},    {"ud1_r16_m16", 0},   {"ud1_r64_r64", 0},   {"ud1_r64_m64", 0},
    {"ud1_r16_r16", 1},    {"ud1_r16_m16", 1},   {"ud1_r64_r64", 1},   {"ud1_r64_m64", 1},
    {"movsxd_r16_r32", 1}, {"mov_sregw_r32", 1}, {"mov_sregw_r64", 1},
};

static bool width_exempted(const char *form, unsigned op)
{
    for (size_t i = 0; i < sizeof width_exempt / sizeof width_exempt[0]; i++)
        if (width_exempt[i].op == op && strcmp(width_exempt[i].form, form) == 0)
            return true;
    return false;
}

/* `o` at the width Zydis read `z` with (register or memory operand): for width_exempt. */
static struct x64_operand at_zydis_width(const struct x64_operand *o, const ZydisDecodedOperand *z)
{
    struct x64_operand w = *o;
    if (o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && z->type == ZYDIS_OPERAND_TYPE_REGISTER)
        w.size = (uint8_t)(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, z->reg.value) / 8u);
    else if (o->kind == X64_OP_MEM && z->type == ZYDIS_OPERAND_TYPE_MEMORY)
        w.size = (uint8_t)(z->size / 8u);
    return w;
}

static bool same_mnemonic(const char *ours, const char *zy)
{
    if (strcmp(ours, zy) == 0)
        return true;
    for (size_t i = 0; i < sizeof mn_alias / sizeof mn_alias[0]; i++)
        if (strcmp(ours, mn_alias[i][0]) == 0 && strcmp(zy, mn_alias[i][1]) == 0)
            return true;
    static const char *const fams[] = {"j", "set", "cmov"};
    for (size_t f = 0; f < 3; f++) {
        size_t n = strlen(fams[f]);
        if (strncmp(ours, fams[f], n) != 0 || strncmp(zy, fams[f], n) != 0)
            continue;
        for (size_t i = 0; i < sizeof cc_alias / sizeof cc_alias[0]; i++)
            if (strcmp(ours + n, cc_alias[i][0]) == 0 && strcmp(zy + n, cc_alias[i][1]) == 0)
                return true;
    }
    return false;
}

static unsigned imm_bits(enum x64_opclass oc)
{
    switch (oc) {
    case X64_OC_IMM8:
        return 8;
    case X64_OC_IMM16:
        return 16;
    case X64_OC_IMM32:
        return 32;
    default:
        return 64;
    }
}

static bool is_fixed(enum x64_opclass oc)
{
    return (oc >= X64_OC_AL && oc <= X64_OC_ONE) || oc == X64_OC_XMM0 || oc == X64_OC_FS ||
           oc == X64_OC_GS;
}

static bool is_vsib(enum x64_opclass oc)
{
    return oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z;
}

/* Whether Zydis's memory size (bits) is comparable: clflush's m8 is a whole cache line to
 * Zydis (512 bits). */
static bool size_checked(enum x64_opclass oc, unsigned zbits)
{
    return !(oc == X64_OC_M8 && zbits == 512);
}

/* Compares one of our operands with one of Zydis's. */
static bool same_operand(const struct x64_operand *o, enum x64_opclass oc,
                         const ZydisDecodedOperand *z, char *why, size_t why_len)
{
    switch (o->kind) {
    case X64_OP_REG: {
        const char *want = zydis_check_reg_name(o);
        if (z->type != ZYDIS_OPERAND_TYPE_REGISTER)
            return failf(why, why_len, "expected register %s", want);
        const char *got = ZydisRegisterGetString(z->reg.value);
        if (got == NULL || strcmp(got, want) != 0)
            return failf(why, why_len, "register %s decodes as %s", want, got ? got : "?");
        return true;
    }
    case X64_OP_IMM: {
        if (oc == X64_OC_REL8 || oc == X64_OC_REL32) {
            if (z->type != ZYDIS_OPERAND_TYPE_IMMEDIATE || !z->imm.is_relative ||
                z->imm.value.s != o->u.imm)
                return failf(why, why_len, "displacement %lld decodes differently",
                             (long long)o->u.imm);
            return true;
        }
        if (z->type != ZYDIS_OPERAND_TYPE_IMMEDIATE)
            return failf(why, why_len, "expected immediate %lld", (long long)o->u.imm);
        unsigned bits = oc == X64_OC_ONE ? 8 : imm_bits(oc);
        uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1u);
        if ((z->imm.value.u & mask) != ((uint64_t)o->u.imm & mask))
            return failf(why, why_len, "immediate %lld decodes as %lld", (long long)o->u.imm,
                         (long long)z->imm.value.s);
        return true;
    }
    case X64_OP_MEM: {
        const struct x64_mem *m = &o->u.mem;
        if (z->type != ZYDIS_OPERAND_TYPE_MEMORY)
            return failf(why, why_len, "expected a memory operand");
        const ZydisDecodedOperandMem *zm = &z->mem;
        if (m->flags & X64_MEM_MOFFS) {
            uint64_t addr = (uint64_t)(uint32_t)m->disp | (uint64_t)m->label << 32;
            if (zm->base != ZYDIS_REGISTER_NONE || (uint64_t)zm->disp.value != addr)
                return failf(why, why_len, "moffs address decodes differently");
            return true;
        }
        const char *base = zm->base == ZYDIS_REGISTER_NONE ? "-" : ZydisRegisterGetString(zm->base);
        const char *want_base = "-";
        if (m->flags & X64_MEM_RIP)
            want_base = "rip";
        else if (m->base != X64_NOREG)
            want_base = gpr_names[3][m->base & 15u];
        if (strcmp(base, want_base) != 0)
            return failf(why, why_len, "base %s decodes as %s", want_base, base);
        const char *index =
            zm->index == ZYDIS_REGISTER_NONE ? "-" : ZydisRegisterGetString(zm->index);
        const char *want_index = "-";
        if (!(m->flags & X64_MEM_RIP) && m->index != X64_NOREG) {
            if (is_vsib(oc))
                want_index = vec_name(oc == X64_OC_VM32X || oc == X64_OC_VM64X   ? "xmm"
                                      : oc == X64_OC_VM32Y || oc == X64_OC_VM64Y ? "ymm"
                                                                                 : "zmm",
                                      m->index);
            else
                want_index = gpr_names[3][m->index & 15u];
        }
        if (strcmp(index, want_index) != 0)
            return failf(why, why_len, "index %s decodes as %s", want_index, index);
        if (strcmp(want_index, "-") != 0 && zm->scale != m->scale)
            return failf(why, why_len, "scale %u decodes as %u", m->scale, zm->scale);
        if (zm->disp.value != (int64_t)m->disp)
            return failf(why, why_len, "displacement %d decodes as %lld", m->disp,
                         (long long)zm->disp.value);
        /* Access size, where both sides give one (lea has none; VSIB sizes differ in
         * meaning: ours is the index element, Zydis's the data element). */
        if (o->size != 0 && !is_vsib(oc) && z->size != 0 && z->size != 8u * o->size &&
            size_checked(oc, z->size))
            return failf(why, why_len, "memory size %u bits decodes as %u", 8u * o->size, z->size);
        bool fsgs = zm->segment == ZYDIS_REGISTER_FS || zm->segment == ZYDIS_REGISTER_GS;
        if (zm->type == ZYDIS_MEMOP_TYPE_AGEN) {
            /* lea computes an address: Zydis drops the (ineffective) segment */
        } else if (m->segment == X64_SEG_FS || m->segment == X64_SEG_GS) {
            ZydisRegister want = m->segment == X64_SEG_FS ? ZYDIS_REGISTER_FS : ZYDIS_REGISTER_GS;
            if (zm->segment != want)
                return failf(why, why_len, "segment override lost");
        } else if (fsgs) {
            return failf(why, why_len, "unexpected fs/gs override");
        }
        return true;
    }
    default:
        return failf(why, why_len, "operand kind %u not checked", o->kind);
    }
}

/* A lone lock/rep prefix (the `lock`, `rep`, `repe`, `repne` forms): Zydis decodes prefixes
 * only with an instruction, so put one after it and check the prefix attribute. */
static bool check_prefix(const ZydisDecoder *dec, uint8_t prefix, const char *mn, char *why,
                         size_t why_len)
{
    /* lock add [rax],ecx; rep movsb; repe/repne cmpsb */
    uint8_t buf[3] = {prefix, 0, 0};
    size_t n = 2;
    ZydisInstructionAttributes want;
    if (strcmp(mn, "lock") == 0) {
        buf[1] = 0x01;
        buf[2] = 0x08;
        n = 3;
        want = ZYDIS_ATTRIB_HAS_LOCK;
    } else if (strcmp(mn, "rep") == 0) {
        buf[1] = 0xA4;
        want = ZYDIS_ATTRIB_HAS_REP;
    } else {
        buf[1] = 0xA6;
        want = strcmp(mn, "repne") == 0 ? ZYDIS_ATTRIB_HAS_REPNE : ZYDIS_ATTRIB_HAS_REPE;
    }
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dec, buf, n, &insn, zo)) || insn.length != n ||
        !(insn.attributes & want))
        return failf(why, why_len, "prefix %s (%02x) is not read as such by Zydis", mn, prefix);
    return true;
}

bool zydis_check(const uint8_t *code, size_t len, enum x64_form form, const struct x64_operand *ops,
                 char *why, size_t why_len)
{
    static ZydisDecoder dec;
    static bool init;
    if (!init) {
        ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
        init = true;
    }
    struct x64_form_desc d;
    if (!x64_form_describe(form, &d))
        return failf(why, why_len, "bad form");
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    const char *mn = x64_mnemonic_name(d.mnemonic);
    if (d.nops == 0 && len == 1 && (code[0] == 0xF0 || code[0] == 0xF2 || code[0] == 0xF3))
        return check_prefix(&dec, code[0], mn, why, why_len);
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, code, len, &insn, zo)))
        return failf(why, why_len, "Zydis cannot decode it");
    if (insn.length != len)
        return failf(why, why_len, "Zydis decodes %u of %zu bytes", insn.length, len);
    const char *zmn = ZydisMnemonicGetString(insn.mnemonic);
    if (zmn != NULL && strcmp(mn, "xchg") == 0 && strcmp(zmn, "nop") == 0 && d.nops == 2 &&
        ops[0].kind == X64_OP_REG && ops[1].kind == X64_OP_REG && ops[0].u.reg == X64_RAX &&
        ops[1].u.reg == X64_RAX)
        return true; /* xchg ax/eax/rax with itself is the 90 nop (SDM: XCHG, NOP) */
    if (zmn == NULL || !same_mnemonic(mn, zmn))
        return failf(why, why_len, "mnemonic %s decodes as %s", mn, zmn ? zmn : "?");
    /* xchg is symmetric: Zydis always lists the ModRM.rm operand first. */
    struct x64_operand swapped[4];
    enum x64_opclass swapped_oc[4];
    if (strcmp(mn, "xchg") == 0 && d.nops == 2) {
        char tmp[160];
        unsigned k = 0;
        while (k < insn.operand_count && zo[k].visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
            k++;
        if (k < insn.operand_count && !same_operand(&ops[0], d.ops[0], &zo[k], tmp, sizeof tmp)) {
            swapped[0] = ops[1];
            swapped[1] = ops[0];
            swapped_oc[0] = d.ops[1];
            swapped_oc[1] = d.ops[0];
            ops = swapped;
            d.ops[0] = swapped_oc[0];
            d.ops[1] = swapped_oc[1];
        }
    }
    /* Our operands in order against Zydis's explicit ones; a fixed operand may instead be one
     * of Zydis's implicit or hidden operands. */
    unsigned j = 0;
    for (unsigned i = 0; i < d.nops; i++) {
        while (j < insn.operand_count && zo[j].visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
            j++;
        char sub[160];
        if (j < insn.operand_count && same_operand(&ops[i], d.ops[i], &zo[j], sub, sizeof sub)) {
            j++;
            continue;
        }
        if (j < insn.operand_count && width_exempted(d.name, i)) {
            struct x64_operand w = at_zydis_width(&ops[i], &zo[j]);
            if (same_operand(&w, d.ops[i], &zo[j], sub, sizeof sub)) {
                j++;
                continue;
            }
        }
        if (is_fixed(d.ops[i])) {
            bool found = false;
            for (unsigned k = 0; k < insn.operand_count && !found; k++)
                found = zo[k].visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
                        same_operand(&ops[i], d.ops[i], &zo[k], sub, sizeof sub);
            if (found)
                continue;
        }
        if (j >= insn.operand_count)
            return failf(why, why_len, "%s: operand %u missing in Zydis's reading", mn, i + 1);
        return failf(why, why_len, "%s: operand %u: %s", mn, i + 1, sub);
    }
    while (j < insn.operand_count && zo[j].visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
        j++;
    /* Zydis lists the ignored ModRM.reg of the long nop (0F 1F /0) as a second operand. */
    if (j < insn.operand_count && strcmp(mn, "nop") != 0)
        return failf(why, why_len, "%s: Zydis reads more explicit operands than %u", mn, d.nops);
    return true;
}
