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
};

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

#endif /* X64_SRC_FORMS_H */
