/* SPDX-License-Identifier: Apache-2.0 */
/* Operand vocabulary shared by the typed emitters and the generic path: registers, condition
 * codes, memory operands and the tagged operand used by x64_emit(). */
#ifndef X64_OPERANDS_H
#define X64_OPERANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* General-purpose registers, numbered as the hardware encodes them (bit 3 goes to REX).
 * The same number names every width: X64_RAX is also eax/ax/al in a 32/16/8-bit emitter.
 * In 8-bit emitters 4..7 are spl/bpl/sil/dil (they force a REX prefix); the legacy high-byte
 * registers ah/ch/dh/bh are the distinct values X64_AH..X64_BH (bit 4 set, low bits 4..7) and
 * can never be combined with a REX prefix. */
enum x64_gpr {
    X64_RAX = 0,
    X64_RCX = 1,
    X64_RDX = 2,
    X64_RBX = 3,
    X64_RSP = 4,
    X64_RBP = 5,
    X64_RSI = 6,
    X64_RDI = 7,
    X64_R8 = 8,
    X64_R9 = 9,
    X64_R10 = 10,
    X64_R11 = 11,
    X64_R12 = 12,
    X64_R13 = 13,
    X64_R14 = 14,
    X64_R15 = 15,
    X64_AH = 0x14,
    X64_CH = 0x15,
    X64_DH = 0x16,
    X64_BH = 0x17,
    /* 32-, 16- and 8-bit names for readability; same numbers as the 64-bit names. */
    X64_EAX = 0,
    X64_ECX = 1,
    X64_EDX = 2,
    X64_EBX = 3,
    X64_ESP = 4,
    X64_EBP = 5,
    X64_ESI = 6,
    X64_EDI = 7,
    X64_R8D = 8,
    X64_R9D = 9,
    X64_R10D = 10,
    X64_R11D = 11,
    X64_R12D = 12,
    X64_R13D = 13,
    X64_R14D = 14,
    X64_R15D = 15,
    X64_AX = 0,
    X64_CX = 1,
    X64_DX = 2,
    X64_BX = 3,
    X64_SP = 4,
    X64_BP = 5,
    X64_SI = 6,
    X64_DI = 7,
    X64_AL = 0,
    X64_CL = 1,
    X64_DL = 2,
    X64_BL = 3,
    X64_SPL = 4,
    X64_BPL = 5,
    X64_SIL = 6,
    X64_DIL = 7,
    X64_R8B = 8,
    X64_R9B = 9,
    X64_R10B = 10,
    X64_R11B = 11,
    X64_R12B = 12,
    X64_R13B = 13,
    X64_R14B = 14,
    X64_R15B = 15,
};

/* "No register" in x64_mem.base / x64_mem.index. */
#define X64_NOREG 0xFFu

/* Condition codes in their hardware order (the low nibble of Jcc/SETcc/CMOVcc opcodes). */
enum x64_cc {
    X64_CC_O = 0,
    X64_CC_NO = 1,
    X64_CC_B = 2,  /* also C, NAE: unsigned < */
    X64_CC_AE = 3, /* also NB, NC: unsigned >= */
    X64_CC_E = 4,  /* also Z */
    X64_CC_NE = 5, /* also NZ */
    X64_CC_BE = 6, /* also NA: unsigned <= */
    X64_CC_A = 7,  /* also NBE: unsigned > */
    X64_CC_S = 8,
    X64_CC_NS = 9,
    X64_CC_P = 10,  /* also PE; ucomis* sets PF on unordered */
    X64_CC_NP = 11, /* also PO */
    X64_CC_L = 12,  /* signed < */
    X64_CC_GE = 13,
    X64_CC_LE = 14,
    X64_CC_G = 15,
};

/* The condition that is true exactly when `cc` is false. */
static inline enum x64_cc x64_cc_negate(enum x64_cc cc)
{
    return (enum x64_cc)((unsigned)cc ^ 1u);
}

/* Segment overrides for x64_mem.segment (only fs and gs have an effect in 64-bit mode). */
enum x64_seg {
    X64_SEG_NONE = 0,
    X64_SEG_ES,
    X64_SEG_CS,
    X64_SEG_SS,
    X64_SEG_DS,
    X64_SEG_FS,
    X64_SEG_GS,
};

/* A code label: a handle made by x64_label_new(), bound once by x64_label_bind(). */
struct x64_label {
    uint32_t id;
};

/* x64_mem.flags */
#define X64_MEM_RIP       0x01u /* [rip + disp]: base and index are ignored */
#define X64_MEM_RIP_LABEL 0x02u /* [rip + label + disp]: resolved when the buffer is finished */
#define X64_MEM_MOFFS     0x04u /* absolute 64-bit address (mov al/ax/eax/rax moffs only) */

/* A memory operand [base + index*scale + disp] with optional segment override, or a
 * RIP-relative operand. Transparent and small (16 bytes): pass it by value.
 * `base`/`index` hold an enum x64_gpr or X64_NOREG; for VSIB forms `index` is a vector register
 * number. `scale` is 1, 2, 4 or 8. For X64_MEM_RIP_LABEL, `label` is the target. For
 * X64_MEM_MOFFS the 64-bit address is `(uint64_t)(uint32_t)disp | (uint64_t)hi << 32`. */
struct x64_mem {
    int32_t disp;
    uint8_t base;
    uint8_t index;
    uint8_t scale;
    uint8_t segment; /* enum x64_seg */
    uint8_t flags;   /* X64_MEM_* */
    uint8_t reserved[3];
    uint32_t label; /* label id for X64_MEM_RIP_LABEL; high address half for X64_MEM_MOFFS */
};

/* [base + disp] */
static inline struct x64_mem x64_mem_b(enum x64_gpr base, int32_t disp)
{
    struct x64_mem m = {disp, (uint8_t)base, X64_NOREG, 1, 0, 0, {0, 0, 0}, 0};
    return m;
}

/* [base + index*scale + disp]; scale is 1, 2, 4 or 8. */
static inline struct x64_mem x64_mem_bis(enum x64_gpr base, enum x64_gpr index, unsigned scale,
                                         int32_t disp)
{
    struct x64_mem m = {disp, (uint8_t)base, (uint8_t)index, (uint8_t)scale, 0, 0, {0, 0, 0}, 0};
    return m;
}

/* [index*scale + disp32] (no base register). */
static inline struct x64_mem x64_mem_is(enum x64_gpr index, unsigned scale, int32_t disp)
{
    struct x64_mem m = {disp, X64_NOREG, (uint8_t)index, (uint8_t)scale, 0, 0, {0, 0, 0}, 0};
    return m;
}

/* [disp32]: absolute 32-bit address (sign-extended), encoded with a SIB byte. */
static inline struct x64_mem x64_mem_abs(int32_t disp)
{
    struct x64_mem m = {disp, X64_NOREG, X64_NOREG, 1, 0, 0, {0, 0, 0}, 0};
    return m;
}

/* [rip + disp]: disp is relative to the end of the instruction. */
static inline struct x64_mem x64_mem_rip(int32_t disp)
{
    struct x64_mem m = {disp, X64_NOREG, X64_NOREG, 1, 0, X64_MEM_RIP, {0, 0, 0}, 0};
    return m;
}

/* [rip + label + disp]: the address of a label (code or constant pool) plus disp. */
static inline struct x64_mem x64_mem_rip_label(struct x64_label label, int32_t disp)
{
    struct x64_mem m = {disp,      X64_NOREG, X64_NOREG, 1, 0, X64_MEM_RIP | X64_MEM_RIP_LABEL,
                        {0, 0, 0}, label.id};
    return m;
}

/* A full 64-bit absolute address, only for the `mov` accumulator moffs forms. */
static inline struct x64_mem x64_mem_moffs(uint64_t addr)
{
    struct x64_mem m = {(int32_t)(uint32_t)(addr & 0xFFFFFFFFu),
                        X64_NOREG,
                        X64_NOREG,
                        1,
                        0,
                        X64_MEM_MOFFS,
                        {0, 0, 0},
                        (uint32_t)(addr >> 32)};
    return m;
}

/* The same operand with a segment override (X64_SEG_FS / X64_SEG_GS). */
static inline struct x64_mem x64_mem_seg(struct x64_mem m, enum x64_seg seg)
{
    m.segment = (uint8_t)seg;
    return m;
}

/* --- Generic operands (x64_emit) --- */

enum x64_opkind {
    X64_OP_NONE = 0,
    X64_OP_REG,
    X64_OP_MEM,
    X64_OP_IMM,
    X64_OP_LABEL,
};

enum x64_regclass {
    X64_RC_GPR = 0, /* size says 1/2/4/8 */
    X64_RC_XMM,
    X64_RC_YMM,
    X64_RC_ZMM,
    X64_RC_K,
    X64_RC_SEG, /* segment register: enum x64_sreg, size 2 */
};

/* Segment registers as operands (mov to/from a segment register, push/pop fs/gs), numbered as
 * the ModRM.reg field encodes them (SDM vol. 2, 3.1.1.3: Sreg). Not the same numbers as
 * enum x64_seg, which names a segment override of a memory operand. */
enum x64_sreg {
    X64_SREG_ES = 0,
    X64_SREG_CS = 1,
    X64_SREG_SS = 2,
    X64_SREG_DS = 3,
    X64_SREG_FS = 4,
    X64_SREG_GS = 5,
};

/* A tagged operand. `size` is in bytes: 1/2/4/8 for GPRs, 16/32/64 for vector registers, the
 * access size for memory (0 = not given: allowed when another operand or the mnemonic fixes
 * it) and 0 for immediates and labels. EVEX decorations: `mask` (k1..k7, 0 = none), `zero`
 * ({z}) on the destination, `bcst` ({1toN}) on a memory operand. */
struct x64_operand {
    uint8_t kind;   /* enum x64_opkind */
    uint8_t rclass; /* enum x64_regclass, for X64_OP_REG */
    uint8_t size;
    uint8_t mask;
    uint8_t zero;
    uint8_t bcst;
    uint8_t reserved[2];
    union {
        unsigned reg; /* enum x64_gpr for GPRs (X64_AH..X64_BH allowed at size 1), else 0..31 */
        struct x64_mem mem;
        int64_t imm;
        struct x64_label label;
    } u;
};

/* Builds an operand from its three 8-byte words (little-endian, as on every x86-64 host): the
 * compiler keeps them in registers and stores each with one instruction, so that x64_emit()'s
 * reads of the fields are served from those stores (assembling the struct field by field
 * left it copied with wider loads over narrower stores, which the CPU cannot forward). */
static inline struct x64_operand x64__op_words(uint64_t w0, uint64_t w1, uint64_t w2)
{
    struct x64_operand o;
    _Static_assert(sizeof o == 24, "x64_operand is three 8-byte words");
    memcpy(&o, &w0, 8);
    memcpy((char *)&o + 8, &w1, 8);
    memcpy((char *)&o + 16, &w2, 8);
    return o;
}

/* Word 1 of a non-memory operand: the value in the low half, then the bytes a default
 * x64_mem (base and index X64_NOREG, scale 1) has there. */
#define X64__OP_W1(v) ((uint64_t)(uint32_t)(v) | (uint64_t)0x0001FFFFu << 32)

static inline struct x64_operand x64_op_reg(enum x64_regclass rc, unsigned size, unsigned reg)
{
    return x64__op_words((uint64_t)X64_OP_REG | (uint64_t)(uint8_t)rc << 8 |
                             (uint64_t)(uint8_t)size << 16,
                         X64__OP_W1(reg), 0);
}

static inline struct x64_operand x64_op_r64(enum x64_gpr r)
{
    return x64_op_reg(X64_RC_GPR, 8, (unsigned)r);
}

static inline struct x64_operand x64_op_r32(enum x64_gpr r)
{
    return x64_op_reg(X64_RC_GPR, 4, (unsigned)r);
}

static inline struct x64_operand x64_op_r16(enum x64_gpr r)
{
    return x64_op_reg(X64_RC_GPR, 2, (unsigned)r);
}

static inline struct x64_operand x64_op_r8(enum x64_gpr r)
{
    return x64_op_reg(X64_RC_GPR, 1, (unsigned)r);
}

static inline struct x64_operand x64_op_xmm(unsigned n)
{
    return x64_op_reg(X64_RC_XMM, 16, n);
}

static inline struct x64_operand x64_op_ymm(unsigned n)
{
    return x64_op_reg(X64_RC_YMM, 32, n);
}

static inline struct x64_operand x64_op_zmm(unsigned n)
{
    return x64_op_reg(X64_RC_ZMM, 64, n);
}

static inline struct x64_operand x64_op_k(unsigned n)
{
    return x64_op_reg(X64_RC_K, 8, n);
}

static inline struct x64_operand x64_op_sreg(enum x64_sreg s)
{
    return x64_op_reg(X64_RC_SEG, 2, (unsigned)s);
}

/* A memory operand of `size` bytes (0: unspecified, as in `lea`). */
static inline struct x64_operand x64_op_mem(unsigned size, struct x64_mem m)
{
    uint64_t w1 = (uint64_t)(uint32_t)m.disp | (uint64_t)m.base << 32 | (uint64_t)m.index << 40 |
                  (uint64_t)m.scale << 48 | (uint64_t)m.segment << 56;
    uint64_t w2 = (uint64_t)m.flags | (uint64_t)m.reserved[0] << 8 | (uint64_t)m.reserved[1] << 16 |
                  (uint64_t)m.reserved[2] << 24 | (uint64_t)m.label << 32;
    return x64__op_words((uint64_t)X64_OP_MEM | (uint64_t)(uint8_t)size << 16, w1, w2);
}

static inline struct x64_operand x64_op_imm(int64_t v)
{
    return x64__op_words(X64_OP_IMM, (uint64_t)v, 0);
}

static inline struct x64_operand x64_op_label(struct x64_label l)
{
    return x64__op_words(X64_OP_LABEL, X64__OP_W1(l.id), 0);
}

#endif /* X64_OPERANDS_H */
