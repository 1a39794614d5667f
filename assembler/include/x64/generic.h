/* SPDX-License-Identifier: Apache-2.0 */
/* The checked generic path: a mnemonic (or a form) plus an operand array, matched against the
 * generated form table. Slower than the typed emitters but validates everything, and is what
 * text input, fuzzers and tests use. */
#ifndef X64_GENERIC_H
#define X64_GENERIC_H

#include "x64/buffer.h"
#include "x64/cpu.h"
#include "x64/gen/mnemonics.h"
#include "x64/operands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Operand classes of the table (see tables/x64.isa). */
enum x64_opclass {
    X64_OC_NONE = 0,
    X64_OC_R8,
    X64_OC_R16,
    X64_OC_R32,
    X64_OC_R64,
    X64_OC_M,
    X64_OC_M8,
    X64_OC_M16,
    X64_OC_M32,
    X64_OC_M64,
    X64_OC_M48, /* m16:32 far pointer (jmp/call FWORD PTR) */
    X64_OC_M80,
    X64_OC_M128,
    X64_OC_M256,
    X64_OC_M512,
    X64_OC_MOFFS8,
    X64_OC_MOFFS16,
    X64_OC_MOFFS32,
    X64_OC_MOFFS64,
    X64_OC_VM32X,
    X64_OC_VM32Y,
    X64_OC_VM32Z,
    X64_OC_VM64X,
    X64_OC_VM64Y,
    X64_OC_VM64Z,
    X64_OC_M16BCST,
    X64_OC_M32BCST,
    X64_OC_M64BCST,
    X64_OC_IMM8,
    X64_OC_IMM16,
    X64_OC_IMM32,
    X64_OC_IMM64,
    X64_OC_REL8,
    X64_OC_REL32,
    X64_OC_XMM,
    X64_OC_YMM,
    X64_OC_ZMM,
    X64_OC_K,
    X64_OC_AL,
    X64_OC_AX,
    X64_OC_EAX,
    X64_OC_RAX,
    X64_OC_CL,
    X64_OC_DX,
    X64_OC_ONE,
    X64_OC_XMM0,
    X64_OC_SREG,  /* es cs ss ds fs gs (mov from a segment register) */
    X64_OC_SREGW, /* a segment register mov may load: all but cs (#UD; SDM vol. 2, MOV) */
    X64_OC_FS,    /* fixed fs, gs (push/pop fs/gs) */
    X64_OC_GS,
    X64_OC_COUNT
};

/* Encoding kinds. */
enum x64_enc_kind {
    X64_KIND_LEGACY = 0,
    X64_KIND_VEX,
    X64_KIND_EVEX,
};

/* A read-only description of a form, for tools (golden tests, fuzzers, formatters). */
struct x64_form_desc {
    const char *name; /* "add_r64_r64" */
    enum x64_mnemonic mnemonic;
    enum x64_enc_kind kind;
    enum x64_feature feature;
    unsigned nops;
    enum x64_opclass ops[4];
    bool sign_extended_imm8; /* the `sx` attribute */
    bool opmask[4];          /* operand i takes {k} */
    bool zeroing[4];         /* operand i takes {z} */
};

/* Emits `mn` with `n` operands (Intel order), picking the first table form that accepts them
 * (the shortest, as GNU as). On a mismatch records X64_ERR_INVALID_OPERANDS (or a more
 * precise status) with a message naming the operands and leaves the bytes unchanged.
 * Label operands are accepted by branches (jmp, jcc, call, loop, jrcxz) and behave as
 * x64_jmp()/x64_jcc()/x64_call_label(). The form chosen for a mnemonic and operand types is
 * remembered in a per-thread memo (16 KiB of thread-local storage, shared by the thread's
 * buffers): threads emitting into different buffers need no locking. */
void x64_emit(struct x64_buf *b, enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n);

/* Prefix bytes for x64_emit_prefixed(). */
#define X64_PFX_LOCK  0xF0u
#define X64_PFX_REP   0xF3u /* also repe/repz */
#define X64_PFX_REPNE 0xF2u

/* As x64_emit(), with a lock or rep prefix placed where GNU as puts it (after a 66 prefix). */
void x64_emit_prefixed(struct x64_buf *b, unsigned prefix, enum x64_mnemonic mn,
                       const struct x64_operand *ops, unsigned n);

/* Emits exactly `form`; `ops` has x64_form_describe().nops entries. Invalid operands are
 * refused as in x64_emit(). */
void x64_emit_form(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops);

/* The form x64_emit() would choose, without emitting. Returns X64_OK or the error status and,
 * if `why` is not NULL, a message in why[0..why_len). */
enum x64_status x64_select_form(enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n,
                                enum x64_form *out_form, char *why, size_t why_len);

/* Mnemonic by name (case-sensitive lower case; aliases like jz, cmovnae, sal, movabs, repz
 * accepted). `len` is the name's length. Returns false when unknown. */
bool x64_mnemonic_lookup(const char *name, size_t len, enum x64_mnemonic *out);

/* The canonical name of a mnemonic ("add"), or "?" when out of range. */
const char *x64_mnemonic_name(enum x64_mnemonic mn);

/* Fills `out` for a valid form; returns false for an out-of-range value. */
bool x64_form_describe(enum x64_form form, struct x64_form_desc *out);

/* The form's name ("add_r64_r64"), or "?" when out of range. */
const char *x64_form_name(enum x64_form form);

/* The forms of a mnemonic, in table (preference) order. Returns the count; *out_forms points
 * into a static table. */
size_t x64_mnemonic_forms(enum x64_mnemonic mn, const uint16_t **out_forms);

#endif /* X64_GENERIC_H */
