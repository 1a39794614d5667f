/* SPDX-License-Identifier: Apache-2.0 */
/* Private: the layout of the generated form table (src/gen/forms.inc) shared by the generic
 * matcher and encoder. */
#ifndef X64_SRC_FORMS_H
#define X64_SRC_FORMS_H

#include "x64/generic.h"

#include <stddef.h>
#include <stdint.h>

/* Where an operand goes in the encoding. */
enum {
    X64__ROLE_IMPLICIT = 0, /* fixed operand (al, cl, 1, xmm0): not encoded */
    X64__ROLE_REG,          /* ModRM.reg */
    X64__ROLE_RM,           /* ModRM.rm (register or memory) */
    X64__ROLE_VVVV,         /* VEX/EVEX.vvvv */
    X64__ROLE_IMM,          /* immediate */
    X64__ROLE_OPREG,        /* opcode low bits + REX.B */
    X64__ROLE_REL,          /* branch displacement */
    X64__ROLE_IS4,          /* register in imm8[7:4] */
    X64__ROLE_MOFFS,        /* 64-bit absolute address */
};

/* x64_form_info.flags */
#define X64__F_SX   0x01u /* imm8 sign-extended to the operand size */
#define X64__F_IS4  0x02u
#define X64__F_REXW 0x04u
#define X64__F_NZ   0x08u /* +r operand must not be register 0 */

struct x64_form_info {
    const char *name;
    uint16_t mnemonic;
    uint8_t kind; /* enum x64_enc_kind */
    uint8_t nops;
    uint8_t ops[4];   /* enum x64_opclass */
    uint8_t roles[4]; /* X64__ROLE_* */
    uint8_t deco[4];  /* bit 0: {k}, bit 1: {z} */
    uint8_t flags;
    uint8_t feature;       /* enum x64_feature */
    uint8_t digit;         /* ModRM.reg /digit, 255 = none */
    uint8_t imm[2];        /* trailing immediate sizes in bytes */
    uint8_t map, pp, l, w; /* VEX/EVEX fields */
    uint8_t n;             /* EVEX disp8 scale */
    uint32_t pfx;          /* legacy prefixes, packed like X64__B* */
    uint32_t opc;          /* opcode bytes, packed */
    /* For x64_emit(): what each operand must be (X64_OC_* or X64__MC_*, X64_OC_NONE past nops)
     * and the encoding plan, so that encoding needs no walk over the roles. */
    uint8_t mc[4];
    uint8_t at[4];     /* operand index of ModRM.reg, rm (or +r, moffs), vvvv, is4; 4 = none */
    uint8_t imm_at[2]; /* operand indices of the trailing immediates, 4 = none */
    uint8_t rmkind;    /* X64__RM_* */
    uint8_t byteregs;  /* X64__BYTE_* */
    uint8_t pflags;    /* X64__P_* */
    uint8_t shape;     /* X64__S_*: which encoder */
};

/* x64_form_info.shape: common forms (legacy without 8-bit registers, VEX register forms) that
 * have a straight-line encoder; everything else goes through the general ones. */
enum {
    X64__S_GENERIC = 0,
    X64__S_RR,  /* ModRM reg, reg */
    X64__S_RI,  /* ModRM /digit reg, one immediate */
    X64__S_RM,  /* ModRM with memory (reg or /digit), no immediate */
    X64__S_O,   /* register in the opcode, at most one immediate */
    X64__S_VRR, /* VEX, ModRM reg, reg (and vvvv), no immediate */
    X64__S_RRI, /* ModRM reg, reg, one immediate */
    X64__S_R,   /* ModRM /digit reg, no immediate */
    X64__S_RR8, /* as X64__S_RR and X64__S_R with 8-bit registers (x64_form_info.byteregs) */
    X64__S_R8,
};

/* struct x64_form_info.at[] slots and "no operand". */
enum { X64__AT_REG = 0, X64__AT_RM, X64__AT_VVVV, X64__AT_IS4 };
#define X64__NO_OP 4u

/* x64_form_info.pflags */
#define X64__P_GATHER 0x01u /* VSIB gather: destination, index (and mask) must differ */
#define X64__P_BRANCH 0x02u /* rel8/rel32 operand: a label goes through the label machinery */

/* Match classes (x64_form_info.mc, bit positions of x64__type_accepts): the enum x64_opclass
 * values below X64_OC_SREG, then classes where whether an operand fits depends on the form as
 * well (gen_tables.py, match_classes()). The segment-register classes have no fast-path
 * operand type: their forms carry X64__MC_SLOW, which no type sets, and the full matcher
 * takes them. So that all match classes fit one uint64_t, the numbering restarts there. */
enum {
    X64__MC_SLOW = X64_OC_SREG,
    X64__MC_IMM8S,  /* imm8 sign-extended: -128..127 */
    X64__MC_IMM32S, /* imm32 into a 64-bit (or unsized) operand: int32 range */
    X64__MC_XMM_E,  /* EVEX forms: registers 16-31 too */
    X64__MC_YMM_E,
    X64__MC_ZMM_E,
    X64__MC_VM32X_E,
    X64__MC_VM32Y_E,
    X64__MC_VM32Z_E,
    X64__MC_VM64X_E,
    X64__MC_VM64Y_E,
    X64__MC_VM64Z_E,
    X64__MC_R8NZ, /* `nz` +r operand: not register 0 */
    X64__MC_R16NZ,
    X64__MC_R32NZ,
    X64__MC_R64NZ,
    X64__MC_COUNT
};
#define X64__MC_BIT(c) ((uint64_t)1 << (c))
_Static_assert(X64__MC_COUNT <= 64, "match classes must fit one uint64_t mask");
_Static_assert(X64_OC_SREG + 4 == X64_OC_COUNT, "segment-register classes come last");

/* Operand types: what x64_emit() sorts each operand into before selection (form_match.c
 * op_type(); gen_tables.py type_list() uses the same numbers). X64__T_BAD is anything the fast
 * selection does not take (invalid values, decorations, unsized moffs/broadcast): such an
 * instruction goes through the full matcher, which explains a refusal. */
#define X64__T_NONE  0
#define X64__T_BAD   1
#define X64__T_GPR   2 /* + 5 * size index (1, 2, 4, 8 bytes) + reg 0 / 1 / 2 / 3-15 / ah-bh */
#define X64__T_XMM0  22
#define X64__T_XMM   23 /* xmm1-15 */
#define X64__T_XMMHI 24 /* xmm16-31 */
#define X64__T_YMM   25
#define X64__T_YMMHI 26
#define X64__T_ZMM   27
#define X64__T_ZMMHI 28
#define X64__T_K     29
#define X64__T_IMM   30 /* + 1, int8, uint8, int16, uint16, int32, uint32, other */
#define X64__T_LABEL 38
#define X64__T_MOFFS 39 /* + size index */
#define X64__T_BCST  43 /* + 2, 4, 8 bytes -> 0, 1, 2 */
#define X64__T_MEM   46 /* + 4 * size code (0,1,2,4,8,10,16,32,64,other) + variant: */
#define X64__T_COUNT 86
enum { X64__MV_PLAIN = 0, X64__MV_BOTH, X64__MV_VSIB, X64__MV_VSIB_HI };
/* Register codes for x64__reg_type: GPR by size index (0..3), then xmm, ymm, zmm, k, other. */
enum {
    X64__RCODE_XMM = 4,
    X64__RCODE_YMM,
    X64__RCODE_ZMM,
    X64__RCODE_K,
    X64__RCODE_BAD,
    X64__RCODE_COUNT
};
/* Candidate buckets: category of the first operand (x64__type_bucket / 4) x kind of the second
 * (x64__type_kind2: none, register, memory, immediate/label). */
#define X64__CAT_COUNT    12
#define X64__BUCKET_COUNT (X64__CAT_COUNT * 4)

struct x64_mn_name {
    const char *name;
    uint16_t mnemonic;
};

extern const struct x64_form_info x64__forms[X64_FORM_COUNT];
extern const char *const x64__mnemonic_names[X64_MN_COUNT];
extern const struct x64_mn_name x64__mnemonic_lookup[];
extern const size_t x64__mnemonic_lookup_count;
extern const uint16_t x64__mn_first[X64_MN_COUNT + 1];
extern const uint16_t x64__mn_forms[];
extern const uint8_t x64__class_size[X64_OC_COUNT];
extern const uint64_t x64__type_accepts[X64__T_COUNT];
extern const uint8_t x64__type_bucket[X64__T_COUNT]; /* 4 x category */
extern const uint8_t x64__type_kind2[X64__T_COUNT];
extern const uint8_t x64__type_key[X64__T_COUNT]; /* memo key type (form_match.c) */
extern const uint8_t x64__reg_type[X64__RCODE_COUNT * 64];
extern const uint16_t x64__cand_first[X64_MN_COUNT * X64__BUCKET_COUNT + 1];
extern const uint16_t x64__cands[];
extern const uint8_t x64__mn_unsized_slow[X64_MN_COUNT];

#endif /* X64_SRC_FORMS_H */
