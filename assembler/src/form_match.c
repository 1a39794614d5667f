/* SPDX-License-Identifier: Apache-2.0 */
/* The checked generic path: operands -> form (first acceptable table row, the one GNU as
 * picks), full validation with a readable error, then the same encoders the typed emitters use.
 * A refused instruction leaves the buffer's bytes unchanged. */
#include "buf_priv.h"
#include "forms.h"
#include "x64/encode.h"
#include "x64/generic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define NOINLINE       __attribute__((noinline))
#define X64__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define NOINLINE
#define X64__LIKELY(x) (x)
#endif

/* Result of matching one operand. */
enum { M_NO = 0, M_YES, M_YES_UNSIZED };

static unsigned class_size(unsigned oc)
{
    return oc < X64_OC_COUNT ? x64__class_size[oc] : 0u;
}

static bool valid_mem(const struct x64_buf *b, const struct x64_mem *m, bool vsib, unsigned vmax,
                      const char **why)
{
    if (m->segment > X64_SEG_GS) {
        *why = "bad segment";
        return false;
    }
    if (m->flags & X64_MEM_MOFFS) {
        *why = "a 64-bit absolute address only works with mov to/from the accumulator";
        return false;
    }
    if (m->flags & X64_MEM_RIP) {
        if (vsib) {
            *why = "VSIB needs an index register";
            return false;
        }
        if ((m->flags & X64_MEM_RIP_LABEL) && (b == NULL || !x64__label_valid(b, m->label))) {
            *why = "invalid label in RIP-relative operand";
            return false;
        }
        return true;
    }
    if (m->base != X64_NOREG && m->base > 15) {
        *why = "bad base register";
        return false;
    }
    if (m->scale != 1 && m->scale != 2 && m->scale != 4 && m->scale != 8) {
        *why = "scale must be 1, 2, 4 or 8";
        return false;
    }
    if (vsib) {
        if (m->index == X64_NOREG || m->index >= vmax) {
            *why = "VSIB needs a vector index register";
            return false;
        }
        return true;
    }
    if (m->index != X64_NOREG && (m->index > 15 || m->index == X64_RSP)) {
        *why = m->index == X64_RSP ? "rsp cannot be an index register" : "bad index register";
        return false;
    }
    return true;
}

static bool imm_fits(int64_t v, unsigned oc, const struct x64_form_info *f, unsigned opsize)
{
    switch (oc) {
    case X64_OC_IMM8:
        if (f->flags & X64__F_SX)
            return v >= -128 && v <= 127;
        return v >= -128 && v <= 255;
    case X64_OC_IMM16:
        return v >= -32768 && v <= 65535;
    case X64_OC_IMM32:
        /* Sign-extended into a 64-bit operand; otherwise any 32-bit pattern. */
        if (opsize == 8 || opsize == 0)
            return v >= INT32_MIN && v <= INT32_MAX;
        return v >= INT32_MIN && v <= (int64_t)UINT32_MAX;
    default:
        return true;
    }
}

/* The size of the instruction's first sized register or memory operand (0 if none). */
static unsigned operand_size(const struct x64_form_info *f)
{
    for (unsigned i = 0; i < f->nops; i++) {
        unsigned oc = f->ops[i];
        if ((oc >= X64_OC_R8 && oc <= X64_OC_M512) || (oc >= X64_OC_AL && oc <= X64_OC_DX))
            return class_size(oc);
    }
    return 0;
}

static int match_op(const struct x64_buf *b, const struct x64_form_info *f, unsigned i,
                    const struct x64_operand *o, const char **why)
{
    unsigned oc = f->ops[i];
    unsigned vmax = f->kind == X64_KIND_EVEX ? 32u : 16u;
    if ((o->mask && !(f->deco[i] & 1u)) || (o->zero && !(f->deco[i] & 2u)))
        return M_NO;
    switch (oc) {
    case X64_OC_R8:
    case X64_OC_R16:
    case X64_OC_R32:
    case X64_OC_R64:
        if (o->kind != X64_OP_REG || o->rclass != X64_RC_GPR || o->size != class_size(oc))
            return M_NO;
        if (o->u.reg > 15 && !(oc == X64_OC_R8 && o->u.reg >= X64_AH && o->u.reg <= X64_BH)) {
            *why = "invalid register";
            return M_NO;
        }
        return M_YES;
    case X64_OC_AL:
    case X64_OC_AX:
    case X64_OC_EAX:
    case X64_OC_RAX:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && o->size == class_size(oc) &&
               o->u.reg == X64_RAX;
    case X64_OC_CL:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && o->size == 1 &&
               o->u.reg == X64_RCX;
    case X64_OC_DX:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && o->size == 2 &&
               o->u.reg == X64_RDX;
    case X64_OC_XMM0:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_XMM && o->u.reg == 0;
    case X64_OC_XMM:
    case X64_OC_YMM:
    case X64_OC_ZMM: {
        unsigned rc = oc == X64_OC_XMM ? X64_RC_XMM : oc == X64_OC_YMM ? X64_RC_YMM : X64_RC_ZMM;
        if (o->kind != X64_OP_REG || o->rclass != rc)
            return M_NO;
        if (o->u.reg >= vmax) {
            *why = vmax == 16 ? "registers 16-31 need an EVEX form" : "invalid vector register";
            return M_NO;
        }
        return M_YES;
    }
    case X64_OC_K:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_K && o->u.reg < 8;
    case X64_OC_SREG:
    case X64_OC_SREGW:
        if (o->kind != X64_OP_REG || o->rclass != X64_RC_SEG)
            return M_NO;
        if (o->u.reg > X64_SREG_GS) {
            *why = "invalid segment register";
            return M_NO;
        }
        if (oc == X64_OC_SREGW && o->u.reg == X64_SREG_CS) {
            *why = "cs cannot be loaded with mov (#UD)";
            return M_NO;
        }
        return M_YES;
    case X64_OC_FS:
    case X64_OC_GS:
        return o->kind == X64_OP_REG && o->rclass == X64_RC_SEG &&
               o->u.reg == (oc == X64_OC_FS ? X64_SREG_FS : X64_SREG_GS);
    case X64_OC_ONE:
        return o->kind == X64_OP_IMM && o->u.imm == 1;
    case X64_OC_IMM8:
    case X64_OC_IMM16:
    case X64_OC_IMM32:
    case X64_OC_IMM64:
        if (o->kind != X64_OP_IMM)
            return M_NO;
        if (!imm_fits(o->u.imm, oc, f, operand_size(f))) {
            *why = "immediate out of range";
            return M_NO;
        }
        return M_YES;
    case X64_OC_REL8:
    case X64_OC_REL32:
        if (o->kind == X64_OP_LABEL)
            return b != NULL && x64__label_valid(b, o->u.label.id) ? M_YES : M_NO;
        if (o->kind != X64_OP_IMM)
            return M_NO;
        if (oc == X64_OC_REL8 ? (o->u.imm < -128 || o->u.imm > 127)
                              : (o->u.imm < INT32_MIN || o->u.imm > INT32_MAX)) {
            *why = "displacement out of range";
            return M_NO;
        }
        return M_YES;
    case X64_OC_MOFFS8:
    case X64_OC_MOFFS16:
    case X64_OC_MOFFS32:
    case X64_OC_MOFFS64:
        if (o->kind != X64_OP_MEM || !(o->u.mem.flags & X64_MEM_MOFFS) || o->bcst)
            return M_NO;
        if (o->size != 0 && o->size != class_size(oc))
            return M_NO;
        return o->size == 0 ? M_YES_UNSIZED : M_YES;
    default:
        break;
    }
    /* Memory classes. */
    if (o->kind != X64_OP_MEM || (o->u.mem.flags & X64_MEM_MOFFS))
        return M_NO;
    bool bcst = oc == X64_OC_M16BCST || oc == X64_OC_M32BCST || oc == X64_OC_M64BCST;
    if ((o->bcst != 0) != bcst)
        return M_NO;
    bool vsib = oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z;
    if (!valid_mem(b, &o->u.mem, vsib, vmax, why))
        return M_NO;
    if (oc == X64_OC_M)
        return M_YES;
    if (o->size == 0)
        return M_YES_UNSIZED;
    return o->size == class_size(oc) ? M_YES : M_NO;
}

/* 1 = match, 2 = match that relied on an unspecified memory size, 0 = no match. */
static int match_form(const struct x64_buf *b, const struct x64_form_info *f,
                      const struct x64_operand *ops, unsigned n, const char **why)
{
    if (n != f->nops)
        return 0;
    int res = 1;
    for (unsigned i = 0; i < n; i++) {
        if ((f->flags & X64__F_NZ) && f->roles[i] == X64__ROLE_OPREG && ops[i].u.reg == 0)
            return 0;
        int r = match_op(b, f, i, &ops[i], why);
        if (r == M_NO)
            return 0;
        if (r == M_YES_UNSIZED)
            res = 2;
    }
    return res;
}

static void describe_op(const struct x64_operand *o, char *out, size_t cap)
{
    switch (o->kind) {
    case X64_OP_REG:
        switch (o->rclass) {
        case X64_RC_GPR:
            snprintf(out, cap, "r%u", o->size * 8u);
            break;
        case X64_RC_XMM:
            snprintf(out, cap, "xmm%u", o->u.reg);
            break;
        case X64_RC_YMM:
            snprintf(out, cap, "ymm%u", o->u.reg);
            break;
        case X64_RC_ZMM:
            snprintf(out, cap, "zmm%u", o->u.reg);
            break;
        default:
            snprintf(out, cap, "k%u", o->u.reg);
            break;
        }
        break;
    case X64_OP_MEM:
        if (o->size)
            snprintf(out, cap, "m%u", o->size * 8u);
        else
            snprintf(out, cap, "m");
        break;
    case X64_OP_IMM:
        snprintf(out, cap, "imm(%lld)", (long long)o->u.imm);
        break;
    case X64_OP_LABEL:
        snprintf(out, cap, "label");
        break;
    default:
        snprintf(out, cap, "none");
        break;
    }
}

static void describe(enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n, char *out,
                     size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "%s", x64_mnemonic_name(mn));
    for (unsigned i = 0; i < n && len < cap; i++) {
        char t[32];
        describe_op(&ops[i], t, sizeof t);
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : " ", t);
    }
}

/* AVX2 gathers are #UD when any two of destination, index and mask are the same register,
 * AVX-512 ones when destination and index are (SDM vol. 2, VPGATHERDD / VGATHERDPS, "#UD");
 * GNU as warns. Refused here, with the reason in why[0..len). */
static bool gather_overlap(const struct x64_form_info *f, const struct x64_operand *ops, char *why,
                           size_t len)
{
    unsigned dst = ops[0].u.reg, idx = 0xFFFFu, mask = 0xFFFFu;
    for (unsigned i = 1; i < f->nops; i++) {
        unsigned oc = f->ops[i];
        if (oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z)
            idx = ops[i].u.mem.index;
        else if (oc == X64_OC_XMM || oc == X64_OC_YMM || oc == X64_OC_ZMM)
            mask = ops[i].u.reg;
    }
    if (dst != idx && (mask == 0xFFFFu || (dst != mask && idx != mask)))
        return false;
    if (why != NULL)
        snprintf(why, len,
                 mask == 0xFFFFu
                     ? "%s: destination and index registers must differ (#UD)"
                     : "%s: destination, index and mask registers must all differ (#UD)",
                 f->name);
    return true;
}

static enum x64_status select_form(const struct x64_buf *b, enum x64_mnemonic mn,
                                   const struct x64_operand *ops, unsigned n, enum x64_form *out,
                                   char *why, size_t why_len)
{
    if ((unsigned)mn >= X64_MN_COUNT) {
        if (why)
            snprintf(why, why_len, "unknown mnemonic %d", (int)mn);
        return X64_ERR_UNKNOWN_MNEMONIC;
    }
    if (n > 4 || (n > 0 && ops == NULL)) {
        if (why)
            snprintf(why, why_len, "%s: bad operand array", x64_mnemonic_name(mn));
        return X64_ERR_INVALID_ARGUMENT;
    }
    const char *detail = NULL;
    int found = -1, unsized = 0;
    for (unsigned k = x64__mn_first[mn]; k < x64__mn_first[mn + 1]; k++) {
        unsigned fi = x64__mn_forms[k];
        const struct x64_form_info *f = &x64__forms[fi];
        int r = match_form(b, f, ops, n, &detail);
        if (r == 0)
            continue;
        if (found < 0) {
            found = (int)fi;
            unsized = r == 2;
            if (!unsized)
                break;
            continue;
        }
        /* The first match relied on an unsized memory operand: ambiguous if another match
         * reads a different size (gas: "ambiguous operand size"). */
        const struct x64_form_info *g = &x64__forms[found];
        for (unsigned i = 0; i < n; i++) {
            if (ops[i].kind == X64_OP_MEM && ops[i].size == 0 &&
                class_size(f->ops[i]) != class_size(g->ops[i])) {
                if (why) {
                    char d[120];
                    describe(mn, ops, n, d, sizeof d);
                    snprintf(why, why_len, "operand size not specified: %s", d);
                }
                return X64_ERR_SIZE_MISSING;
            }
        }
    }
    if (found < 0) {
        if (why) {
            char d[120];
            describe(mn, ops, n, d, sizeof d);
            snprintf(why, why_len, "invalid operand combination: %s%s%s", d, detail ? ": " : "",
                     detail ? detail : "");
        }
        return X64_ERR_INVALID_OPERANDS;
    }
    if ((x64__forms[found].pflags & X64__P_GATHER) &&
        gather_overlap(&x64__forms[found], ops, why, why_len))
        return X64_ERR_INVALID_OPERANDS;
    *out = (enum x64_form)found;
    return X64_OK;
}

enum x64_status x64_select_form(enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n,
                                enum x64_form *out_form, char *why, size_t why_len)
{
    enum x64_form f = X64_FORM_COUNT;
    enum x64_status s = select_form(NULL, mn, ops, n, &f, why, why_len);
    if (out_form != NULL)
        *out_form = f;
    return s;
}

/* --- Encoding from the form's plan --- */

/* Little-endian stores of up to 8 bytes into the scratch instruction (x86-64 hosts only). */
static inline void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof v);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* Room for one instruction written with whole-word stores: up to 15 bytes, and a 4- or
 * 8-byte store may run 7 bytes past its field. Records the error and returns false when the
 * buffer cannot take more (sticky error, finished, out of memory). */
X64__INLINE bool room(struct x64_buf *b)
{
    return X64__LIKELY(b->len + 8 < b->limit) || x64_buf_reserve(b, 16);
}

/* Legacy/REX encoding with the operand positions read off the plan: the same bytes as
 * x64__legacy() (encode.h), written with whole-word stores; the caller has made room(). */
X64__INLINE void encode_legacy(struct x64_buf *b, unsigned upfx, const struct x64_form_info *f,
                               const struct x64_operand *ops)
{
    unsigned rmkind = f->rmkind;
    unsigned reg = f->at[X64__AT_REG] < X64__NO_OP ? ops[f->at[X64__AT_REG]].u.reg
                   : f->digit != 255               ? f->digit
                                                   : 0u;
    unsigned rm = 0;
    const struct x64_mem *m = NULL;
    unsigned rex = (f->flags & X64__F_REXW) ? 8u : 0u;
    switch (rmkind) {
    case X64__RM_REG:
        rm = ops[f->at[X64__AT_RM]].u.reg;
        rex |= ((reg >> 1) & 4u) | ((rm >> 3) & 1u); /* REX.R, REX.B */
        break;
    case X64__RM_MEM:
        m = &ops[f->at[X64__AT_RM]].u.mem;
        rex |= ((reg >> 1) & 4u) | x64__mem_xb(*m);
        break;
    case X64__RM_OPREG:
        rm = ops[f->at[X64__AT_RM]].u.reg;
        rex |= (rm >> 3) & 1u;
        break;
    case X64__RM_MOFFS:
        m = &ops[f->at[X64__AT_RM]].u.mem;
        break;
    default:
        break;
    }
    if (f->byteregs) {
        /* The 8-bit register REX rule, shared with the typed emitters (encode.h). */
        unsigned br = x64__byte_rex(f->byteregs, reg, rm);
        if (X64__UNLIKELY((br & X64__B8_HIGH) && ((br & X64__B8_NEED) || rex))) {
            x64_buf_fail(b, X64_ERR_HIGH8_REX, NULL);
            return;
        }
        rex |= br & X64__B8_NEED;
    }
    uint8_t *t = b->data + b->len, *p = t, *disp_at = NULL;
    if (m != NULL && m->segment != 0)
        *p++ = x64__seg_byte(m->segment);
    uint32_t pfx = f->pfx;
    if (upfx) {
        if ((pfx >> 24) != 0 && (pfx & 0xFFu) == 0x66u) {
            *p++ = 0x66;
            pfx = ((pfx >> 8) & 0xFFFFu) | (((pfx >> 24) - 1u) << 24);
        }
        *p++ = (uint8_t)upfx;
    }
    put32(p, pfx & 0xFFFFFFu);
    p += pfx >> 24;
    if (rex)
        *p++ = (uint8_t)(0x40u | rex);
    uint32_t opc = f->opc;
    unsigned nopc = opc >> 24;
    if (rmkind == X64__RM_OPREG)
        opc += (rm & 7u) << (8u * (nopc - 1u)); /* +rb/+rw/+rd/+ro: last opcode byte */
    put32(p, opc & 0xFFFFFFu);
    p += nopc;
    if (rmkind == X64__RM_REG) {
        *p++ = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
    } else if (rmkind == X64__RM_MEM) {
        p = x64__modrm_mem(p, reg, *m, 1, &disp_at);
    } else if (rmkind == X64__RM_MOFFS) {
        put64(p, ((uint64_t)m->label << 32) | (uint32_t)m->disp);
        p += 8;
    }
    if (f->imm_at[0] < X64__NO_OP) {
        put64(p, (uint64_t)ops[f->imm_at[0]].u.imm);
        p += f->imm[0];
        if (f->imm_at[1] < X64__NO_OP) {
            put64(p, (uint64_t)ops[f->imm_at[1]].u.imm);
            p += f->imm[1];
        }
    }
    size_t end = (size_t)(p - b->data);
    if (X64__UNLIKELY(m != NULL && (m->flags & X64_MEM_RIP_LABEL) && disp_at != NULL) &&
        !x64__fixup_rip(b, m->label, (size_t)(disp_at - b->data), end))
        return;
    b->len = end;
}

/* encode_legacy() out of line (no lock/rep prefix), for the rarer cases of the shapes below. */
static NOINLINE void encode_legacy_call(struct x64_buf *b, const struct x64_form_info *f,
                                        const struct x64_operand *ops)
{
    encode_legacy(b, 0, f, ops);
}

/* --- Straight-line encoders for the common legacy shapes (x64_form_info.shape) --- */

/* A legacy shape's encoding, read off the form once when a memo entry is filled (so that a hit
 * reads one 16-byte plan next to its key instead of the form's fields). Operands are named by
 * the byte offset of their value in the operand array. X64__S_VRR gives some fields another
 * meaning (shape_plan_of()). */
struct shape_plan {
    uint32_t pfx; /* legacy prefix bytes, little-endian */
    uint32_t opc; /* opcode bytes */
    uint8_t npfx; /* their counts */
    uint8_t nopc;
    uint8_t reg_off; /* the ModRM.reg operand, 0: `digit` */
    uint8_t rm_off;  /* the ModRM.rm (or opcode) register or memory operand */
    uint8_t imm_off; /* the immediate (imm_len 0: none; then the rm operand, read in vain) */
    uint8_t imm_len;
    uint8_t digit; /* ModRM.reg without a reg operand: the /digit or 0 */
    uint8_t rexw;  /* 8 (REX.W) or 0 */
};

/* Byte offset of operand i's value in an operand array. */
#define OP_OFF(i)                                                                                  \
    ((unsigned)(i) * (unsigned)sizeof(struct x64_operand) + offsetof(struct x64_operand, u))

static struct shape_plan shape_plan_of(const struct x64_form_info *f)
{
    struct shape_plan pl;
    pl.pfx = f->pfx & 0xFFFFFFu;
    pl.npfx = (uint8_t)(f->pfx >> 24);
    pl.opc = f->opc & 0xFFFFFFu;
    pl.nopc = (uint8_t)(f->opc >> 24);
    pl.reg_off = (uint8_t)(f->at[X64__AT_REG] < X64__NO_OP ? OP_OFF(f->at[X64__AT_REG]) : 0u);
    pl.rm_off = (uint8_t)OP_OFF(f->at[X64__AT_RM] < X64__NO_OP ? f->at[X64__AT_RM] : 0u);
    pl.imm_off = f->imm_at[0] < X64__NO_OP ? (uint8_t)OP_OFF(f->imm_at[0]) : pl.rm_off;
    pl.imm_len = f->imm_at[0] < X64__NO_OP ? f->imm[0] : 0u;
    pl.digit = f->digit != 255 ? f->digit : 0u;
    pl.rexw = (f->flags & X64__F_REXW) ? 8u : 0u;
    if (f->shape == X64__S_VRR) {
        /* VEX reg, reg: the last VEX byte's fixed bits (W, L, pp) in `pfx`, the map in `npfx`,
         * whether the 2-byte C5 form may be used (map 0F, W0) in `nopc`, vvvv's operand in
         * `imm_off` (0: none). */
        pl.pfx = (unsigned)f->w << 7 | (unsigned)f->l << 2 | f->pp;
        pl.npfx = f->map;
        pl.nopc = f->map == 1u && f->w == 0u;
        pl.opc = f->opc & 0xFFu;
        pl.imm_off = (uint8_t)(f->at[X64__AT_VVVV] < X64__NO_OP ? OP_OFF(f->at[X64__AT_VVVV]) : 0u);
        pl.imm_len = 0;
    }
    return pl;
}

X64__INLINE unsigned op_u32(const struct x64_operand *ops, unsigned off)
{
    uint32_t v;
    memcpy(&v, (const char *)ops + off, sizeof v);
    return v;
}

X64__INLINE uint64_t op_u64(const struct x64_operand *ops, unsigned off)
{
    uint64_t v;
    memcpy(&v, (const char *)ops + off, sizeof v);
    return v;
}

/* Prefixes, REX when any bit is set (REX.W from the plan), opcode bytes. */
X64__INLINE uint8_t *put_pfx_rex_opc(uint8_t *p, const struct shape_plan *pl, unsigned rex,
                                     uint32_t opc)
{
    put32(p, pl->pfx);
    p += pl->npfx;
    rex |= pl->rexw;
    *p = (uint8_t)(0x40u | rex);
    p += rex != 0;
    put32(p, opc);
    return p + pl->nopc;
}

/* Encodes form `f` of one of the X64__S_* shapes with plan `pl` (no lock/rep prefix); the
 * caller made room(). `byteregs` is f->byteregs. */
X64__INLINE void encode_shape(struct x64_buf *b, const struct x64_form_info *f,
                              const struct shape_plan *pl, unsigned byteregs,
                              const struct x64_operand *ops, const unsigned shape)
{
    uint8_t *p = b->data + b->len;
    switch (shape) {
    case X64__S_RR:
    case X64__S_RRI:
    case X64__S_R:
    case X64__S_RI:
    case X64__S_RR8:
    case X64__S_R8: {
        bool has_reg = shape == X64__S_RR || shape == X64__S_RRI || shape == X64__S_RR8;
        unsigned reg = has_reg ? op_u32(ops, pl->reg_off) : pl->digit;
        unsigned rm = op_u32(ops, pl->rm_off);
        unsigned rex = ((reg >> 1) & 4u) | ((rm >> 3) & 1u);
        if (shape == X64__S_RR8 || shape == X64__S_R8) {
            /* The 8-bit register REX rule (encode.h); ah..bh take the general encoder. */
            unsigned br = x64__byte_rex(byteregs, reg, rm);
            if (X64__UNLIKELY(br & X64__B8_HIGH)) {
                encode_legacy_call(b, f, ops);
                return;
            }
            rex |= br;
        }
        p = put_pfx_rex_opc(p, pl, rex, pl->opc);
        *p++ = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
        if (shape == X64__S_RRI || shape == X64__S_RI) {
            put64(p, op_u64(ops, pl->imm_off));
            p += pl->imm_len;
        }
        break;
    }
    case X64__S_RM: {
        unsigned reg = pl->reg_off ? op_u32(ops, pl->reg_off) : pl->digit;
        const struct x64_mem *m = (const struct x64_mem *)((const char *)ops + pl->rm_off);
        if (X64__LIKELY(x64__mem_simple(*m))) {
            /* A base register, no segment, not RIP-relative: ModRM/SIB as one word (as the
             * typed emitters), then the displacement. */
            unsigned n, dn, xb;
            uint64_t tail = x64__mem_tail(reg, *m, &n, &dn, &xb);
            p = put_pfx_rex_opc(p, pl, ((reg >> 1) & 4u) | xb, pl->opc);
            put64(p, tail);
            p += n;
            put32(p, (uint32_t)m->disp);
            p += dn;
            break;
        }
        /* Segment, RIP-relative or no base: the general encoder, out of line. */
        encode_legacy_call(b, f, ops);
        return;
    }
    case X64__S_VRR: {
        /* SDM vol. 2, 2.3: the 2-byte C5 form when map=0F, W=0 and B=0, as GNU as. */
        unsigned reg = op_u32(ops, pl->reg_off), rm = op_u32(ops, pl->rm_off);
        unsigned vvvv = pl->imm_off ? op_u32(ops, pl->imm_off) : 0u;
        unsigned tail = pl->pfx | ((~vvvv & 15u) << 3);
        unsigned r = (reg >> 3) & 1u, xb = (rm >> 3) & 1u;
        if (pl->nopc && xb == 0u) {
            p[0] = 0xC5;
            p[1] = (uint8_t)(((r ^ 1u) << 7) | (tail & 0x7Fu));
            p += 2;
        } else {
            p[0] = 0xC4;
            p[1] = (uint8_t)(((((r << 2) | xb) ^ 7u) << 5) | pl->npfx);
            p[2] = (uint8_t)tail;
            p += 3;
        }
        p[0] = (uint8_t)pl->opc;
        p[1] = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
        p += 2;
        break;
    }
    default: { /* X64__S_O: register in the opcode's last byte, an immediate or none */
        unsigned rm = op_u32(ops, pl->rm_off);
        uint32_t opc = pl->opc + ((rm & 7u) << (8u * (pl->nopc - 1u)));
        p = put_pfx_rex_opc(p, pl, (rm >> 3) & 1u, opc);
        put64(p, op_u64(ops, pl->imm_off));
        p += pl->imm_len;
        break;
    }
    }
    b->len = (size_t)(p - b->data);
}

/* VEX/EVEX: the shared inline encoders with the plan's operands. */
static NOINLINE void encode_vex_evex(struct x64_buf *b, const struct x64_form_info *f,
                                     const struct x64_operand *ops)
{
    unsigned reg = f->at[X64__AT_REG] < X64__NO_OP ? ops[f->at[X64__AT_REG]].u.reg
                   : f->digit != 255               ? f->digit
                                                   : 0u;
    unsigned vvvv = f->at[X64__AT_VVVV] < X64__NO_OP ? ops[f->at[X64__AT_VVVV]].u.reg : 0u;
    unsigned rm = 0, rmkind = f->rmkind, aaa = 0, z = 0, bc = 0;
    struct x64_mem m = x64__nomem();
    if (rmkind == X64__RM_MEM) {
        m = ops[f->at[X64__AT_RM]].u.mem;
        bc = ops[f->at[X64__AT_RM]].bcst != 0;
    } else if (rmkind == X64__RM_REG) {
        rm = ops[f->at[X64__AT_RM]].u.reg;
    }
    int64_t imm = f->imm_at[0] < X64__NO_OP ? ops[f->imm_at[0]].u.imm : 0;
    unsigned isz = f->imm[0];
    if (f->flags & X64__F_IS4) {
        unsigned is4 = f->at[X64__AT_IS4] < X64__NO_OP ? ops[f->at[X64__AT_IS4]].u.reg : 0u;
        imm = (int64_t)((is4 & 15u) << 4) | (f->imm_at[0] < X64__NO_OP ? (imm & 15) : 0);
        isz = 1;
    }
    if (f->kind == X64_KIND_VEX) {
        x64__vex(b, f->map, f->pp, f->l, f->w, f->opc & 0xFFu, rmkind, reg, vvvv, rm, m, isz, imm);
        return;
    }
    for (unsigned i = 0; i < f->nops; i++) {
        if (ops[i].mask)
            aaa = ops[i].mask;
        if (ops[i].zero)
            z = 1;
    }
    x64__evex(b, f->map, f->pp, f->l, f->w, f->opc & 0xFFu, rmkind, reg, vvvv, rm, m, aaa, z, bc,
              f->n, isz, imm);
}

/* Branch forms with a label operand go through the label machinery. */
static NOINLINE void emit_label_branch(struct x64_buf *b, const struct x64_form_info *f,
                                       const struct x64_operand *ops, bool exact)
{
    struct x64_label l = ops[0].u.label;
    unsigned last = (f->opc >> (8u * ((f->opc >> 24) - 1u))) & 0xFFu;
    bool rel8 = f->ops[0] == X64_OC_REL8;
    if (f->opc == X64__B1(0xE8)) {
        x64_call_label(b, l);
    } else if (f->opc == X64__B1(0xEB) || f->opc == X64__B1(0xE9)) {
        if (exact && rel8)
            x64_jmp_short(b, l);
        else
            x64_jmp(b, l);
    } else if ((f->opc >> 24) == 1 && last >= 0x70 && last <= 0x7F) {
        if (exact)
            x64_jcc_short(b, (enum x64_cc)(last & 15u), l);
        else
            x64_jcc(b, (enum x64_cc)(last & 15u), l);
    } else if ((f->opc >> 24) == 2 && (f->opc & 0xFFu) == 0x0F) {
        x64_jcc(b, (enum x64_cc)(last & 15u), l);
    } else {
        /* loop/loope/loopne/jrcxz: rel8 only. */
        uint8_t *p = x64__begin(b);
        if (p == NULL)
            return;
        size_t start = b->len;
        p[0] = (uint8_t)last;
        p[1] = 0;
        struct x64__fixup fx = {start + 1, start + 2, start, l.id, 0, 0, FX_REL8, JK_NONE, 0, 0};
        if (!x64__add_fixup(b, &fx))
            return;
        b->len += 2;
    }
}

/* Refuses an overlapping gather (false: refused, error recorded). */
static bool gather_ok(struct x64_buf *b, const struct x64_form_info *f,
                      const struct x64_operand *ops)
{
    char why[160];
    if (!gather_overlap(f, ops, why, sizeof why))
        return true;
    x64_buf_fail(b, X64_ERR_INVALID_OPERANDS, "%s", why);
    return false;
}

/* Emits an already-validated form. */
static NOINLINE void emit_selected(struct x64_buf *b, unsigned upfx, enum x64_form form,
                                   const struct x64_operand *ops, bool exact)
{
    const struct x64_form_info *f = &x64__forms[form];
    if (X64__UNLIKELY(f->pflags & X64__P_GATHER) && !gather_ok(b, f, ops))
        return;
    if (X64__UNLIKELY(f->nops == 1 && ops[0].kind == X64_OP_LABEL)) {
        emit_label_branch(b, f, ops, exact);
        return;
    }
    size_t start = b->len;
    if (f->kind != X64_KIND_LEGACY)
        encode_vex_evex(b, f, ops);
    else if (room(b))
        encode_legacy(b, upfx, f, ops);
    if (X64__UNLIKELY(b->listing != NULL))
        x64__listing(b, form, ops, f->nops, start);
}

/* --- Fast selection --- */

/* Size index of a GPR size (1, 2, 4, 8 bytes -> 0..3; 4 = not a GPR size). */
static const uint8_t gpr_size_index[9] = {4, 0, 1, 4, 2, 4, 4, 4, 3};

/* Memory size code (X64__T_MEM): 0,1,2,4,8,10,16,32,64 bytes -> 0..8, anything else 9. */
static unsigned mem_size_code(unsigned size)
{
    static const uint8_t code[65] = {
        [0] = 0,  [1] = 1,  [2] = 2,  [3] = 9,  [4] = 3,  [5] = 9,  [6] = 9,  [7] = 9,  [8] = 4,
        [9] = 9,  [10] = 5, [11] = 9, [12] = 9, [13] = 9, [14] = 9, [15] = 9, [16] = 6, [17] = 9,
        [18] = 9, [19] = 9, [20] = 9, [21] = 9, [22] = 9, [23] = 9, [24] = 9, [25] = 9, [26] = 9,
        [27] = 9, [28] = 9, [29] = 9, [30] = 9, [31] = 9, [32] = 7, [33] = 9, [34] = 9, [35] = 9,
        [36] = 9, [37] = 9, [38] = 9, [39] = 9, [40] = 9, [41] = 9, [42] = 9, [43] = 9, [44] = 9,
        [45] = 9, [46] = 9, [47] = 9, [48] = 9, [49] = 9, [50] = 9, [51] = 9, [52] = 9, [53] = 9,
        [54] = 9, [55] = 9, [56] = 9, [57] = 9, [58] = 9, [59] = 9, [60] = 9, [61] = 9, [62] = 9,
        [63] = 9, [64] = 8};
    return size <= 64 ? code[size] : 9u;
}

/* The operand type of a memory operand: its validity as plain memory and as a VSIB operand
 * is decided here once (what valid_mem() checks), so the match classes only compare bits. */
static NOINLINE unsigned mem_type(const struct x64_buf *b, const struct x64_operand *o)
{
    const struct x64_mem *m = &o->u.mem;
    if (m->flags & X64_MEM_MOFFS) {
        unsigned si = o->size <= 8 ? gpr_size_index[o->size] : 4u;
        return o->bcst || si > 3 ? X64__T_BAD : X64__T_MOFFS + si;
    }
    if (m->segment > X64_SEG_GS)
        return X64__T_BAD;
    unsigned var;
    if (m->flags & X64_MEM_RIP) {
        if ((m->flags & X64_MEM_RIP_LABEL) && !x64__label_valid(b, m->label))
            return X64__T_BAD;
        var = X64__MV_PLAIN;
    } else {
        unsigned sc = m->scale;
        if ((m->base != X64_NOREG && m->base > 15) || sc == 0 || sc > 8 || (sc & (sc - 1)) != 0)
            return X64__T_BAD;
        unsigned idx = m->index;
        if (idx == X64_NOREG)
            var = X64__MV_PLAIN;
        else if (idx < 16)
            var = idx == X64_RSP ? X64__MV_VSIB : X64__MV_BOTH;
        else if (idx < 32)
            var = X64__MV_VSIB_HI;
        else
            return X64__T_BAD;
    }
    if (o->bcst) {
        if (var > X64__MV_BOTH)
            return X64__T_BAD;
        return o->size == 2   ? X64__T_BCST
               : o->size == 4 ? X64__T_BCST + 1u
               : o->size == 8 ? X64__T_BCST + 2u
                              : X64__T_BAD;
    }
    return X64__T_MEM + 4u * mem_size_code(o->size) + var;
}

/* Register code (X64__RCODE_*) of a GPR by its size in bytes. */
static const uint8_t gpr_code[256] = {
    [0] = X64__RCODE_BAD,
    [1] = 0,
    [2] = 1,
    [3] = X64__RCODE_BAD,
    [4] = 2,
    [5] = X64__RCODE_BAD,
    [6] = X64__RCODE_BAD,
    [7] = X64__RCODE_BAD,
    [8] = 3,
    [9] = X64__RCODE_BAD,
    [10] = X64__RCODE_BAD,
    [11] = X64__RCODE_BAD,
    [12] = X64__RCODE_BAD,
    [13] = X64__RCODE_BAD,
    [14] = X64__RCODE_BAD,
    [15] = X64__RCODE_BAD,
    [16] = X64__RCODE_BAD,
};

/* The type of an immediate: the first of int8, uint8, int16, uint16, int32, uint32 that holds
 * it (1 on its own), computed without a branch per range. */
X64__INLINE unsigned imm_type(int64_t v)
{
    uint64_t u = (uint64_t)v;
    unsigned fits = (unsigned)(u + 128u < 256u) | (unsigned)(u < 256u) << 1 |
                    (unsigned)(u + 32768u < 65536u) << 2 | (unsigned)(u < 65536u) << 3 |
                    (unsigned)(u + 0x80000000u < 0x100000000u) << 4 |
                    (unsigned)(u < 0x100000000u) << 5 | 64u;
#if defined(__GNUC__)
    unsigned first = (unsigned)__builtin_ctz(fits);
#else
    unsigned first = 0;
    while (!(fits & (1u << first)))
        first++;
#endif
    return u == 1u ? X64__T_IMM : X64__T_IMM + 1u + first;
}

/* op_type_fast(): "ask mem_type()" (with the bits of X64__T_BAD, so that it indexes tables). */
#define T_SLOW (0x80u | X64__T_BAD)

/* The operand type (X64__T_*) of everything but the rarer memory operands (RIP-relative,
 * absolute, segment, broadcast, invalid, VSIB with a high index), which give T_SLOW: table
 * loads and compares, no calls. */
X64__INLINE unsigned op_type_fast(const struct x64_buf *b, const struct x64_operand *o)
{
    if (X64__UNLIKELY(o->mask | o->zero))
        return X64__T_BAD; /* EVEX decorations: the full matcher checks them per form */
    unsigned kind = o->kind;
    if (kind == X64_OP_REG) {
        unsigned rc = o->rclass, r = o->u.reg;
        unsigned code = rc - 1u < 4u       ? rc + 3u
                        : rc == X64_RC_GPR ? gpr_code[o->size]
                                           : X64__RCODE_BAD;
        return x64__reg_type[code * 64u + (r < 63u ? r : 63u)];
    }
    if (kind == X64_OP_IMM)
        return imm_type(o->u.imm);
    if (kind == X64_OP_MEM) {
        const struct x64_mem *m = &o->u.mem;
        unsigned base = m->base, idx = m->index, sc = m->scale, size = o->size;
        if (X64__UNLIKELY((m->flags | m->segment | o->bcst) != 0 ||
                          (base > 15u && base != X64_NOREG) || (sc & (sc - 1u)) != 0 ||
                          sc - 1u > 7u || (idx > 15u && idx != X64_NOREG)))
            return T_SLOW;
        unsigned var = idx == X64_NOREG ? X64__MV_PLAIN
                       : idx == X64_RSP ? X64__MV_VSIB
                                        : X64__MV_BOTH;
        return X64__T_MEM + 4u * mem_size_code(size) + var;
    }
    if (kind == X64_OP_LABEL) {
        return x64__label_valid(b, o->u.label.id) ? X64__T_LABEL : X64__T_BAD;
    }
    return X64__T_BAD;
}

/* The operand type (X64__T_*): everything selection depends on, register ranges and memory
 * validity included. */
X64__INLINE unsigned op_type(const struct x64_buf *b, const struct x64_operand *o)
{
    unsigned t = op_type_fast(b, o);
    return X64__UNLIKELY(t == T_SLOW) ? mem_type(b, o) : t;
}

/* Whether form `f` takes operands whose accept masks are acc[0..3]. */
static inline bool form_accepts(const struct x64_form_info *f, const uint64_t acc[4])
{
    return ((acc[0] >> f->mc[0]) & (acc[1] >> f->mc[1]) & (acc[2] >> f->mc[2]) &
            (acc[3] >> f->mc[3]) & 1u) != 0;
}

/* The full matcher: finds the form where the fast selection did not (unsized memory,
 * decorations) or records why the operands are refused. */
static NOINLINE void emit_slow(struct x64_buf *b, unsigned prefix, enum x64_mnemonic mn,
                               const struct x64_operand *ops, unsigned n)
{
    enum x64_form form;
    char why[200];
    enum x64_status s = select_form(b, mn, ops, n, &form, why, sizeof why);
    if (s != X64_OK) {
        x64_buf_fail(b, s, "%s", why);
        return;
    }
    emit_selected(b, prefix, form, ops, false);
}

/* The form the fast selection picks for operand types t[0..N) (X64_FORM_COUNT: none; the
 * caller then takes the full matcher). A pure function of (mn, types): what the memo caches. */
static unsigned select_fast(enum x64_mnemonic mn, const unsigned t[4], unsigned N)
{
    uint64_t acc[4] = {1, 1, 1, 1}; /* past N: "none", which only X64_OC_NONE (bit 0) takes */
    for (unsigned i = 0; i < N; i++)
        acc[i] = x64__type_accepts[t[i]];
    if (X64__UNLIKELY(x64__mn_unsized_slow[mn])) {
        for (unsigned i = 0; i < N; i++)
            if (t[i] - X64__T_MEM < 4u)
                return X64_FORM_COUNT;
    }
    const uint16_t *first = &x64__cand_first[(size_t)mn * X64__BUCKET_COUNT +
                                             x64__type_bucket[t[0]] + x64__type_kind2[t[1]]];
    for (unsigned k = first[0], end = first[1]; k < end; k++) {
        const struct x64_form_info *f = &x64__forms[x64__cands[k]];
        if (form_accepts(f, acc))
            return x64__cands[k];
    }
    return X64_FORM_COUNT;
}

/* --- The per-thread memo: (mnemonic, operand key types) -> form and encoder --- */

/* An encoder for a memo hit (no lock/rep prefix; the caller made room()). The shape, legacy
 * and VEX encoders do not call a listing hook: x64_emit()'s hot path never runs with one (a
 * hook sets `limit` to 0) and emit_mn() lists after them (memo entries with `self_listed`
 * clear). */
struct x64__memo;
typedef void memo_enc(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops);

/* The memo is 2-way set associative, MEMO_SETS sets of two 32-byte entries (16 KiB; a set is one
 * 64-byte line), one per thread (`_Thread_local`, zero at thread start: no allocation, nothing
 * to free, no locking) and shared by every buffer the thread writes, so a new buffer starts
 * warm. An entry holds the key (mnemonic in bits 0..9, seven bits of key type per operand from
 * bit 10, X64__T_NONE past n, for one to three operands; a valid bit), the form, its encoder
 * and, for the legacy shapes, the encoding plan. The form is a pure function of the key
 * (select_fast(), static tables only) and everything a hit must still check per call (register
 * numbers, immediate ranges, label validity in *this* buffer, memory validity) is part of the
 * operand types, so what one buffer recorded is right for every other. */
#define MEMO_SET_BITS 8u
#define MEMO_SETS     (1u << MEMO_SET_BITS)
#define MEMO_VALID    0x80000000u
_Static_assert(X64_MN_COUNT <= 1024, "memo keys hold the mnemonic in 10 bits");
_Static_assert(X64__T_COUNT <= 128, "memo keys hold an operand type in 7 bits");
_Static_assert(X64_FORM_COUNT <= 65536, "memo entries hold the form in 16 bits");

struct x64__memo {
    uint32_t key; /* 0 = empty */
    uint16_t form;
    uint8_t self_listed; /* enc calls the listing hook itself (jumps, emit_selected()) */
    uint8_t byteregs;    /* x64_form_info.byteregs */
    memo_enc *enc;
    struct shape_plan plan;
};
_Static_assert(sizeof(struct x64__memo) == 32, "two memo entries fill one 64-byte line");

X64__INLINE const struct x64_form_info *memo_form(const struct x64__memo *e)
{
    return &x64__forms[e->form];
}

#define SHAPE_ENC(name, shape)                                                                     \
    static void name(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)  \
    {                                                                                              \
        encode_shape(b, memo_form(e), &e->plan, e->byteregs, ops, shape);                          \
    }
SHAPE_ENC(enc_rr, X64__S_RR)
SHAPE_ENC(enc_ri, X64__S_RI)
SHAPE_ENC(enc_rm, X64__S_RM)
SHAPE_ENC(enc_o, X64__S_O)
SHAPE_ENC(enc_vrr, X64__S_VRR)
SHAPE_ENC(enc_rri, X64__S_RRI)
SHAPE_ENC(enc_r, X64__S_R)
SHAPE_ENC(enc_rr8, X64__S_RR8)
SHAPE_ENC(enc_r8, X64__S_R8)
#undef SHAPE_ENC

static void enc_legacy(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)
{
    encode_legacy(b, 0, memo_form(e), ops);
}

static void enc_vex(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)
{
    encode_vex_evex(b, memo_form(e), ops);
}

/* jmp, jcc and call to a label: the inline jump path (which lists by itself). */
static void enc_jmp(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)
{
    (void)e;
    x64__jump(b, X64__J_JMP, 0, ops[0].u.label);
}

static void enc_call(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)
{
    (void)e;
    x64__jump(b, X64__J_CALL, 0, ops[0].u.label);
}

static void enc_jcc(struct x64_buf *b, const struct x64__memo *e, const struct x64_operand *ops)
{
    const struct x64_form_info *f = memo_form(e);
    unsigned cc = (f->opc >> (8u * ((f->opc >> 24) - 1u))) & 15u; /* 7x or 0F 8x */
    x64__jump(b, X64__J_JCC, cc, ops[0].u.label);
}

/* Gathers, loop/jrcxz, branches to a displacement. */
static void enc_selected(struct x64_buf *b, const struct x64__memo *e,
                         const struct x64_operand *ops)
{
    emit_selected(b, 0, (enum x64_form)e->form, ops, false);
}

static _Thread_local _Alignas(64) struct x64__memo memo_tab[2u * MEMO_SETS];

X64__INLINE unsigned memo_set(uint32_t key)
{
    return (key * 0x9E3779B1u) >> (32u - MEMO_SET_BITS);
}

/* Selects the form for `key` and records it in the memo (the new entry goes first in its set,
 * the older one second). NULL when the fast selection finds no form: the caller then takes
 * the full matcher. */
static NOINLINE const struct x64__memo *memo_fill(enum x64_mnemonic mn, const unsigned t[4],
                                                  unsigned n, uint32_t key)
{
    unsigned form = select_fast(mn, t, n);
    if (form >= X64_FORM_COUNT)
        return NULL;
    const struct x64_form_info *f = &x64__forms[form];
    memo_enc *enc;
    if (f->pflags != 0) {
        unsigned nopc = f->opc >> 24, last = (f->opc >> (8u * (nopc - 1u))) & 0xFFu;
        enc = enc_selected;
        if (n == 1 && t[0] == X64__T_LABEL) {
            if (f->opc == X64__B1(0xE8))
                enc = enc_call;
            else if (f->opc == X64__B1(0xEB) || f->opc == X64__B1(0xE9))
                enc = enc_jmp;
            else if ((nopc == 1 && last >= 0x70 && last <= 0x7F) ||
                     (nopc == 2 && (f->opc & 0xFFu) == 0x0F && last >= 0x80 && last <= 0x8F))
                enc = enc_jcc;
        }
    } else {
        switch (f->shape) {
        case X64__S_RR:
            enc = enc_rr;
            break;
        case X64__S_RI:
            enc = enc_ri;
            break;
        case X64__S_RM:
            enc = enc_rm;
            break;
        case X64__S_O:
            enc = enc_o;
            break;
        case X64__S_VRR:
            enc = enc_vrr;
            break;
        case X64__S_RRI:
            enc = enc_rri;
            break;
        case X64__S_R:
            enc = enc_r;
            break;
        case X64__S_RR8:
            enc = enc_rr8;
            break;
        case X64__S_R8:
            enc = enc_r8;
            break;
        default:
            enc = f->kind == X64_KIND_LEGACY ? enc_legacy : enc_vex;
            break;
        }
    }
    struct x64__memo *e = &memo_tab[2u * memo_set(key)];
    e[1] = e[0];
    e[0].key = key;
    e[0].form = (uint16_t)form;
    e[0].self_listed = f->pflags != 0;
    e[0].byteregs = f->byteregs;
    e[0].enc = enc;
    e[0].plan = shape_plan_of(f);
    return e;
}

/* The memo entry for `key`, NULL if there is none. */
X64__INLINE const struct x64__memo *memo_find(uint32_t key)
{
    const struct x64__memo *e = &memo_tab[2u * memo_set(key)];
    if (X64__LIKELY(e[0].key == key))
        return e;
    return e[1].key == key ? e + 1 : NULL;
}

/* x64_emit_prefixed() with a lock/rep prefix, and four-operand instructions: the fast selection
 * without the memo. */
static NOINLINE bool emit_fast_prefixed(struct x64_buf *b, unsigned prefix, enum x64_mnemonic mn,
                                        const struct x64_operand *ops, unsigned n)
{
    unsigned t[4] = {X64__T_NONE, X64__T_NONE, X64__T_NONE, X64__T_NONE};
    for (unsigned i = 0; i < n; i++)
        t[i] = op_type(b, &ops[i]);
    unsigned form = select_fast(mn, t, n);
    if (form >= X64_FORM_COUNT)
        return false;
    const struct x64_form_info *f = &x64__forms[form];
    if (f->pflags != 0) {
        if (n == 1 && t[0] == X64__T_LABEL)
            emit_label_branch(b, f, ops, false);
        else
            emit_selected(b, prefix, (enum x64_form)form, ops, false);
        return true;
    }
    size_t start = b->len; /* emit_mn() made room() */
    if (f->kind == X64_KIND_LEGACY)
        encode_legacy(b, prefix, f, ops);
    else
        encode_vex_evex(b, f, ops);
    if (X64__UNLIKELY(b->listing != NULL))
        x64__listing(b, (enum x64_form)form, ops, f->nops, start);
    return true;
}

/* --- The raw-operand memo in front of it: operand words -> entry, values checked after --- */

/* x64_emit()'s hot path does not type operands before the probe. Its key is the mnemonic, the
 * operand count and each operand's word 0 (kind, register class, size; the decoration and reserved
 * bytes must be zero), and an entry says which values of each operand it was made for: a register
 * number range, the immediate types (imm_type()), the memory index variants (with a base and scale
 * that are valid, no segment, no flags) or a label of the calling buffer. Those checks run after
 * the probe, in the entry's handler (memo1_handler(): one per encoder and operand kinds, picked
 * when the entry is filled), which then encodes, so a hit costs one indirect jump; the common
 * legacy and VEX forms encode from a prebuilt head (head_plan). An entry is filled from a type
 * memo entry (above) and holds only value ranges for which every combination of the operands'
 * types selects the same form (checked with select_fast() when it is filled), so a hit encodes
 * exactly what the type memo would. Anything else (a check fails, a miss, unusual operands) takes
 * the typed path, emit_typed(), which refills the entry. Per thread like the type memo: MEMO1_SETS
 * sets of two 64-byte entries (32 KiB). */
#define MEMO1_SET_BITS 8u
#define MEMO1_SETS     (1u << MEMO1_SET_BITS)

/* A legacy form with a ModRM byte, read off the form when a raw memo entry is filled, for the
 * head handlers (below): the instruction's head (prefixes, REX, opcode) prebuilt, to which one
 * entry of the shared encoding tables (x64__tab, encode.h) adds REX.R/X/B, ModRM and SIB. */
struct head_plan {
    uint64_t hd;   /* prefixes, 0x40 | REX.W, opcode bytes: the head with a REX byte */
    uint64_t hd2;  /* the same without the REX byte */
    uint16_t tr;   /* x64__tab offset (in entries) of rr2..4 (register rm) or mb2..4 (memory) */
    uint16_t ti;   /* mi2..4 */
    uint16_t tx;   /* xi2..4 */
    uint8_t sh;    /* 8 x prefix count: where a table entry's byte 0 (REX) lands */
    uint8_t k8;    /* 8 x (opcode count + 1): ModRM's bit position in a table entry */
    uint8_t lno;   /* prefix and opcode bytes (the head's length without REX) */
    uint8_t w;     /* REX.W (8) or 0: with REX.W a REX byte is written whatever the registers */
    uint8_t regc;  /* /digit << 4: ModRM.reg of forms without a reg operand */
    uint8_t ilen;  /* immediate length (0: none) */
    uint8_t bregs; /* x64_form_info.byteregs (the hb_* handlers) */
    uint8_t pad;
    uint16_t form; /* for the general encoder (no base register, ah..bh) */
};

struct x64__memo1;
/* A raw memo entry's handler: checks the operand values the entry was made for (their kinds
 * are part of the key, so each handler knows them) and encodes; a failed check goes to
 * memo1_miss(). */
typedef void memo1_fn(struct x64_buf *b, const struct x64__memo1 *e, const struct x64_operand *ops);

struct x64__memo1 {
    uint64_t k1; /* word 0 of operands 0, 1 (24 bits each), mnemonic << 48, n << 58; 0 = empty */
    uint32_t k2; /* word 0 of operand 2 (0 if n < 3) */
    uint8_t chk[3][2]; /* per operand: register number lo, span; immediate types accepted
                        * (bit per X64__T_IMM + k); memory index variants accepted (bit per
                        * X64__MV_*) */
    uint8_t cc;        /* jcc to a label: the condition code */
    uint8_t pad;
    uint16_t form;
    memo1_fn *h;
    union {
        struct x64__memo m;  /* h_any and the shape handlers: the type memo's entry */
        struct head_plan hp; /* the head handlers */
    } u;
};
_Static_assert(sizeof(struct x64__memo1) == 64, "a raw memo entry is one 64-byte line");

static memo1_fn *memo1_handler(struct x64__memo1 *ne, const struct x64_operand *ops, unsigned n);

static _Thread_local _Alignas(64) struct x64__memo1 memo1_tab[2u * MEMO1_SETS];

/* Immediate regions: imm_type() is the same for every value from imm_lo[k] to imm_lo[k + 1] - 1
 * (the last region: to INT64_MAX). */
#define IMM_REGIONS 12u
_Static_assert(X64__T_LABEL - X64__T_IMM == 8, "eight immediate types: one byte of bits");
static const int64_t imm_lo[IMM_REGIONS] = {
    INT64_MIN, INT32_MIN, -32768, -128, 1, 2, 128, 256, 32768, 65536, 0x80000000LL, 0x100000000LL};

/* Per byte value, as a memory operand's base (bit 0: invalid), index (bits 1..4: variant
 * X64__MV_*, bit 5: invalid) and scale (bit 6: invalid). */
#define MB_BASE_BAD  0x01u
#define MB_IDX(v)    (0x02u << (v))
#define MB_IDX_MASK  0x3Eu
#define MB_SCALE_BAD 0x40u
#define MB4(x)       mb_(x), mb_((x) + 1), mb_((x) + 2), mb_((x) + 3)
#define MB16(x)      MB4(x), MB4((x) + 4), MB4((x) + 8), MB4((x) + 12)
#define MB64(x)      MB16(x), MB16((x) + 16), MB16((x) + 32), MB16((x) + 48)
#define mb_(x)                                                                                     \
    (uint8_t)((((x) <= 15 || (x) == 255) ? 0 : 1) |                                                \
              ((x) == 255 ? 2                                                                      \
               : (x) == 4 ? 8                                                                      \
               : (x) < 16 ? 4                                                                      \
               : (x) < 32 ? 16                                                                     \
                          : 32) |                                                                  \
              (((x) == 1 || (x) == 2 || (x) == 4 || (x) == 8) ? 0 : 64))
static const uint8_t mem_byte[256] = {MB64(0), MB64(64), MB64(128), MB64(192)};
#undef mb_
#undef MB64
#undef MB16
#undef MB4

/* Whether operand `o` (word 0 `w0`, decorations zero) has a value entry check `c` was made
 * for. */
X64__INLINE bool memo1_op_ok(const struct x64_buf *b, const struct x64_operand *o, uint64_t w0,
                             const uint8_t c[2])
{
    unsigned kind = (unsigned)w0 & 0xFFu;
    if (X64__LIKELY(kind == X64_OP_REG))
        return op_u32(o, offsetof(struct x64_operand, u)) - c[0] <= c[1];
    if (kind == X64_OP_IMM)
        return (c[0] >> (imm_type(o->u.imm) - X64__T_IMM)) & 1u;
    if (kind == X64_OP_MEM) {
        const struct x64_mem *m = &o->u.mem;
        unsigned bad = (mem_byte[m->base] & MB_BASE_BAD) |
                       (mem_byte[m->index] & MB_IDX_MASK & ~((unsigned)c[0] << 1)) |
                       (mem_byte[m->scale] & MB_SCALE_BAD) | m->segment | m->flags;
        return bad == 0;
    }
    return x64__label_valid(b, o->u.label.id); /* X64_OP_LABEL: the only other kind filled */
}

/* The set of key (k1, k2): from k1 alone (the third operand's word 0 is compared, not hashed:
 * one set holds the two forms of a three-operand instruction that differ only there). */
X64__INLINE unsigned memo1_set(uint64_t k1)
{
    return (unsigned)((k1 * 0x9E3779B97F4A7C15u) >> (64u - MEMO1_SET_BITS));
}

/* The operand types an operand of word 0 `o` can have, one representative value each:
 * registers 0..62, the immediate regions, the memory index variants, a label. Returns the count
 * (0: not an operand the raw memo takes); ty[k] is the type of value class k. */
static unsigned memo1_classes(const struct x64_buf *b, const struct x64_operand *o, unsigned *ty)
{
    struct x64_operand v = *o;
    switch (o->kind) {
    case X64_OP_REG:
        for (unsigned r = 0; r < 63u; r++) {
            v.u.reg = r;
            ty[r] = op_type(b, &v);
        }
        return 63;
    case X64_OP_IMM:
        for (unsigned k = 0; k < IMM_REGIONS; k++) {
            v.u.imm = imm_lo[k];
            ty[k] = op_type(b, &v);
        }
        return IMM_REGIONS;
    case X64_OP_MEM: {
        static const uint8_t rep[4] = {X64_NOREG, 0, X64_RSP, 16}; /* X64__MV_* */
        if (o->u.mem.segment != 0 || o->u.mem.flags != 0)
            return 0;
        for (unsigned k = 0; k < 4; k++) {
            v.u.mem.index = rep[k];
            ty[k] = op_type(b, &v);
        }
        return 4;
    }
    case X64_OP_LABEL:
        ty[0] = op_type(b, o);
        return 1;
    default:
        return 0;
    }
}

/* The value class of operand `o` among memo1_classes(). */
static unsigned memo1_class_of(const struct x64_operand *o)
{
    switch (o->kind) {
    case X64_OP_REG:
        return o->u.reg;
    case X64_OP_IMM: {
        unsigned k = IMM_REGIONS - 1u;
        while (o->u.imm < imm_lo[k])
            k--;
        return k;
    }
    case X64_OP_MEM: {
        unsigned x = o->u.mem.index;
        return x == X64_NOREG ? X64__MV_PLAIN
               : x == X64_RSP ? X64__MV_VSIB
               : x < 16u      ? X64__MV_BOTH
                              : X64__MV_VSIB_HI;
    }
    default:
        return 0;
    }
}

/* Whether every combination of types in acc[0..n) (bit sets over X64__T_*, operand i at type
 * `u` instead when i == at) selects `form`. */
static bool memo1_all_select(enum x64_mnemonic mn, unsigned n, uint64_t acc[3][2], unsigned at,
                             unsigned u, unsigned form)
{
    unsigned t[4] = {X64__T_NONE, X64__T_NONE, X64__T_NONE, X64__T_NONE};
    unsigned lim[3] = {1, 1, 1}, list[3][X64__T_COUNT];
    for (unsigned i = 0; i < n; i++) {
        lim[i] = 0;
        if (i == at) {
            list[i][lim[i]++] = u;
            continue;
        }
        for (unsigned ty = 0; ty < X64__T_COUNT; ty++)
            if ((acc[i][ty >> 6] >> (ty & 63u)) & 1u)
                list[i][lim[i]++] = ty;
    }
    for (unsigned a = 0; a < lim[0]; a++)
        for (unsigned c = 0; c < lim[1]; c++)
            for (unsigned d = 0; d < lim[2]; d++) {
                t[0] = list[0][a];
                if (n > 1)
                    t[1] = list[1][c];
                if (n > 2)
                    t[2] = list[2][d];
                if (select_fast(mn, t, n) != form)
                    return false;
            }
    return true;
}

/* Records a raw memo entry for (mn, ops[0..n)) from type memo entry `e` (selected for the
 * operands' types), unless an operand is one the raw memo does not take. */
static NOINLINE void memo1_fill(const struct x64_buf *b, enum x64_mnemonic mn,
                                const struct x64_operand *ops, unsigned n,
                                const struct x64__memo *e)
{
    unsigned ty[3][64], nc[3], own[3];
    uint64_t acc[3][2] = {{0, 0}, {0, 0}, {0, 0}};
    uint64_t w0[3] = {0, 0, 0};
    _Static_assert(X64__T_COUNT <= 128, "type sets are two words");
    for (unsigned i = 0; i < n; i++) {
        memcpy(&w0[i], &ops[i], sizeof w0[i]);
        if ((w0[i] >> 24) != 0)
            return;
        nc[i] = memo1_classes(b, &ops[i], ty[i]);
        if (nc[i] == 0)
            return;
        own[i] = memo1_class_of(&ops[i]);
        if (own[i] >= nc[i] || ty[i][own[i]] != op_type(b, &ops[i]))
            return;
        unsigned t = ty[i][own[i]];
        acc[i][t >> 6] |= (uint64_t)1 << (t & 63u);
    }
    /* Widen operand by operand: a type joins when it selects the same form with every type
     * already accepted for the others. */
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < nc[i]; k++) {
            unsigned u = ty[i][k];
            if ((acc[i][u >> 6] >> (u & 63u)) & 1u)
                continue;
            if (memo1_all_select(mn, n, acc, i, u, e->form))
                acc[i][u >> 6] |= (uint64_t)1 << (u & 63u);
        }
    struct x64__memo1 ne;
    memset(&ne, 0, sizeof ne);
    for (unsigned i = 0; i < n; i++) {
#define ACC(t) ((acc[i][(t) >> 6] >> ((t)&63u)) & 1u)
        unsigned lo = own[i], hi = own[i];
        switch (ops[i].kind) {
        case X64_OP_REG:
            /* The run of accepted register numbers around the operand's own. */
            while (lo > 0 && ACC(ty[i][lo - 1]))
                lo--;
            while (hi + 1 < nc[i] && ACC(ty[i][hi + 1]))
                hi++;
            ne.chk[i][0] = (uint8_t)lo;
            ne.chk[i][1] = (uint8_t)(hi - lo);
            break;
        case X64_OP_IMM:
            for (unsigned k = 0; k < nc[i]; k++)
                if (ACC(ty[i][k]))
                    ne.chk[i][0] |= (uint8_t)(1u << (ty[i][k] - X64__T_IMM));
            break;
        case X64_OP_MEM:
            for (unsigned k = 0; k < 4; k++)
                if (ACC(ty[i][k]))
                    ne.chk[i][0] |= (uint8_t)(1u << k);
            break;
        default:
            break;
        }
#undef ACC
    }
    {
        const struct x64_form_info *f = memo_form(e);
        unsigned nopc = f->opc >> 24;
        if (nopc != 0)
            ne.cc = (uint8_t)((f->opc >> (8u * (nopc - 1u))) & 15u); /* 7x or 0F 8x */
    }
    ne.form = e->form;
    ne.u.m = *e;
    ne.h = memo1_handler(&ne, ops, n);
    ne.k1 = w0[0] | w0[1] << 24 | (uint64_t)mn << 48 | (uint64_t)n << 58;
    ne.k2 = (uint32_t)w0[2];
    struct x64__memo1 *s = &memo1_tab[2u * memo1_set(ne.k1)];
    s[1] = s[0];
    s[0] = ne;
}

/* The type memo's entry for mnemonic `mn` with operands ops[0..n) (n <= 3), typed in full and
 * filled on a miss; NULL when the fast selection does not take them. */
X64__INLINE const struct x64__memo *memo_typed(const struct x64_buf *b, enum x64_mnemonic mn,
                                               const struct x64_operand *ops, unsigned n)
{
    unsigned t[4] = {X64__T_NONE, X64__T_NONE, X64__T_NONE, X64__T_NONE};
    uint32_t key = MEMO_VALID | (unsigned)mn;
    for (unsigned i = 0; i < n; i++) {
        t[i] = op_type(b, &ops[i]);
        key |= (uint32_t)x64__type_key[t[i]] << (10u + 7u * i);
    }
    const struct x64__memo *e = memo_find(key);
    return e != NULL ? e : memo_fill(mn, t, n, key);
}

/* The typed path of x64_emit() (no lock/rep prefix, one to three operands, room made, no
 * listing hook): operand types, the type memo (filled on a miss), the raw memo refilled. */
static NOINLINE void emit_typed(struct x64_buf *b, enum x64_mnemonic mn,
                                const struct x64_operand *ops, unsigned n)
{
    const struct x64__memo *e = memo_typed(b, mn, ops, n);
    if (e == NULL) {
        emit_slow(b, 0, mn, ops, n);
        return;
    }
    memo1_fill(b, mn, ops, n, e);
    e->enc(b, e, ops);
}

/* Whether ops[0..n) have values entry `e` was made for. */
X64__INLINE bool memo1_ok(const struct x64_buf *b, const struct x64__memo1 *e,
                          const struct x64_operand *ops, unsigned n)
{
    uint64_t w0;
    memcpy(&w0, &ops[0], sizeof w0);
    bool ok = memo1_op_ok(b, &ops[0], w0, e->chk[0]);
    if (n >= 2) {
        memcpy(&w0, &ops[1], sizeof w0);
        ok &= memo1_op_ok(b, &ops[1], w0, e->chk[1]);
        if (n == 3) {
            memcpy(&w0, &ops[2], sizeof w0);
            ok &= memo1_op_ok(b, &ops[2], w0, e->chk[2]);
        }
    }
    return ok;
}

/* A failed value check in entry `e`: the set's second way if `e` is the first, else the typed
 * path (which refills the entry). */
static NOINLINE void memo1_miss(struct x64_buf *b, const struct x64__memo1 *e,
                                const struct x64_operand *ops)
{
    uint64_t k1 = e->k1;
    if (((size_t)(e - memo1_tab) & 1u) == 0u && e[1].k1 == k1 && e[1].k2 == e->k2) {
        e[1].h(b, e + 1, ops);
        return;
    }
    emit_typed(b, (enum x64_mnemonic)((k1 >> 48) & 0x3FFu), ops, (unsigned)(k1 >> 58));
}

/* Whether operand i (of kind `kind`, X64_OP_NONE past the operand count) has a value entry `e`
 * was made for: memo1_op_ok() with the kind known. */
X64__INLINE unsigned memo1_chk(const struct x64_buf *b, const struct x64__memo1 *e,
                               const struct x64_operand *ops, const unsigned i, const unsigned kind)
{
    switch (kind) {
    case X64_OP_REG:
        return op_u32(ops, OP_OFF(i)) - e->chk[i][0] <= e->chk[i][1] ? 1u : 0u;
    case X64_OP_IMM:
    case X64_OP_MEM:
    case X64_OP_LABEL:
        return memo1_op_ok(b, &ops[i], kind, e->chk[i]) ? 1u : 0u;
    default:
        return 1u;
    }
}

/* The handlers: one per encoder and operand kinds (R register, I immediate, M memory, L label),
 * for the encoders and kinds the bench mix and a compiler use most; memo1_handler() picks one
 * when the entry is filled, and h_any (the generic check, then the entry's encoder) takes the
 * rest. */
#define K_           X64_OP_NONE
#define KR           X64_OP_REG
#define KI           X64_OP_IMM
#define KM           X64_OP_MEM
#define KL           X64_OP_LABEL
#define PAT(a, b, c) ((a) | (b) << 3 | (c) << 6)
#define MEMO1_H(name, k0, k1, k2, body)                                                            \
    static void name(struct x64_buf *b, const struct x64__memo1 *e, const struct x64_operand *ops) \
    {                                                                                              \
        if (X64__UNLIKELY(!(memo1_chk(b, e, ops, 0, k0) & memo1_chk(b, e, ops, 1, k1) &            \
                            memo1_chk(b, e, ops, 2, k2)))) {                                       \
            memo1_miss(b, e, ops);                                                                 \
            return;                                                                                \
        }                                                                                          \
        body;                                                                                      \
    }
/* MEMO1_H and, as name##_16, the same handler for entries whose register operands all accept
 * 0..15 (most do): one OR and compare for all of them. */
#define R16(i, k) ((k) == KR ? op_u32(ops, OP_OFF(i)) : 0u)
#define MEMO1_H16(name, k0, k1, k2, body)                                                          \
    MEMO1_H(name, k0, k1, k2, body)                                                                \
    static void name##_16(struct x64_buf *b, const struct x64__memo1 *e,                           \
                          const struct x64_operand *ops)                                           \
    {                                                                                              \
        if (X64__UNLIKELY(!(((R16(0, k0) | R16(1, k1) | R16(2, k2)) < 16u) &                       \
                            memo1_chk(b, e, ops, 0, (k0) == KR ? K_ : (k0)) &                      \
                            memo1_chk(b, e, ops, 1, (k1) == KR ? K_ : (k1)) &                      \
                            memo1_chk(b, e, ops, 2, (k2) == KR ? K_ : (k2))))) {                   \
            memo1_miss(b, e, ops);                                                                 \
            return;                                                                                \
        }                                                                                          \
        body;                                                                                      \
    }
#define SHAPE(s) encode_shape(b, memo_form(&e->u.m), &e->u.m.plan, e->u.m.byteregs, ops, s)
MEMO1_H(h_rr_rr, KR, KR, K_, SHAPE(X64__S_RR))
MEMO1_H(h_rr_rrr, KR, KR, KR, SHAPE(X64__S_RR))
MEMO1_H(h_r_r, KR, K_, K_, SHAPE(X64__S_R))
MEMO1_H(h_r_rr, KR, KR, K_, SHAPE(X64__S_R))
MEMO1_H(h_r_ri, KR, KI, K_, SHAPE(X64__S_R))
MEMO1_H(h_ri_ri, KR, KI, K_, SHAPE(X64__S_RI))
MEMO1_H(h_rri_rri, KR, KR, KI, SHAPE(X64__S_RRI))
MEMO1_H(h_rm_m, KM, K_, K_, SHAPE(X64__S_RM))
MEMO1_H(h_rm_rm, KR, KM, K_, SHAPE(X64__S_RM))
MEMO1_H(h_rm_mr, KM, KR, K_, SHAPE(X64__S_RM))
MEMO1_H(h_o_r, KR, K_, K_, SHAPE(X64__S_O))
MEMO1_H(h_o_ri, KR, KI, K_, SHAPE(X64__S_O))
MEMO1_H(h_vrr_rr, KR, KR, K_, SHAPE(X64__S_VRR))
MEMO1_H(h_vrr_rrr, KR, KR, KR, SHAPE(X64__S_VRR))
MEMO1_H(h_rr8_rr, KR, KR, K_, SHAPE(X64__S_RR8))
MEMO1_H(h_r8_r, KR, K_, K_, SHAPE(X64__S_R8))
MEMO1_H(h_r8_rr, KR, KR, K_, SHAPE(X64__S_R8))
MEMO1_H(h_jmp, KL, K_, K_, x64__jump(b, X64__J_JMP, 0, ops[0].u.label))
MEMO1_H(h_call, KL, K_, K_, x64__jump(b, X64__J_CALL, 0, ops[0].u.label))
MEMO1_H(h_jcc, KL, K_, K_, x64__jump(b, X64__J_JCC, e->cc, ops[0].u.label))
#undef SHAPE

/* --- Head handlers: legacy forms with a ModRM byte from a prebuilt head --- */

/* x64__tab as one array of entries (the tables are consecutive uint64_t arrays): head_plan's
 * offsets index it. */
#define TAB_AT(off) (((const uint64_t *)(const void *)&x64__tab)[off])
#define H_DIGIT     3u /* reg_i: ModRM.reg is the form's /digit */
#define H_NONE      3u /* imm_i: no immediate operand */
_Static_assert(sizeof(struct x64__enc_tables) == sizeof(uint64_t) * (11u * 256u + 3u * 16u),
               "x64__tab is uint64_t arrays with no padding between them (TAB_AT, TOFF)");

/* Encodes a head_plan form: ModRM.reg from operand reg_i (or the /digit), rm from register or
 * memory operand rm_i, the immediate from operand imm_i. The operand values were checked; the
 * caller made room. Same bytes as encode_legacy(). */
X64__INLINE void head_enc(struct x64_buf *b, const struct x64__memo1 *e,
                          const struct x64_operand *ops, const unsigned reg_i, const unsigned rm_i,
                          const unsigned imm_i, const bool mem, const bool byt)
{
    const struct head_plan *hp = &e->u.hp;
    unsigned reg = reg_i == H_DIGIT ? hp->regc : op_u32(ops, OP_OFF(reg_i)) << 4;
    unsigned br = 0;
    if (byt) {
        /* The 8-bit register REX rule (encode.h); ah..bh take the general encoder. */
        br = x64__byte_rex(hp->bregs, reg >> 4, mem ? 0u : op_u32(ops, OP_OFF(rm_i)));
        if (X64__UNLIKELY(br & X64__B8_HIGH)) {
            encode_legacy_call(b, &x64__forms[hp->form], ops);
            return;
        }
    }
    uint8_t *p = b->data + b->len;
    uint64_t u;
    unsigned tn = 1, dn = 0;
    int32_t d = 0;
    if (!mem) {
        u = TAB_AT(hp->tr + ((reg | op_u32(ops, OP_OFF(rm_i))) & 0xFFu));
    } else {
        const struct x64_mem *m = &ops[rm_i].u.mem;
        unsigned base = m->base, idx = m->index, k8 = hp->k8;
        if (X64__UNLIKELY(base == X64_NOREG)) {
            /* No base: SIB or absolute disp32, the general encoder. */
            encode_legacy_call(b, &x64__forms[hp->form], ops);
            return;
        }
        d = m->disp;
        if (idx == X64_NOREG) {
            u = TAB_AT(hp->tr + ((reg | base) & 0xFFu));
            tn = (unsigned)(u >> 56);
        } else {
            u = TAB_AT(hp->ti + ((reg | base) & 0xFFu)) | TAB_AT(hp->tx + (idx & 15u)) |
                (uint64_t)(x64__ss(m->scale) << 6) << (k8 + 8u);
            tn = 2;
        }
        u |= (uint64_t)x64__mod_disp(d, base & 7u, &dn) << k8;
    }
    /* The REX byte when a register needs it or REX.W; else the head without it. */
    u |= br;
    unsigned has = (((unsigned)u | hp->w) & 0xFFu) != 0u;
    uint64_t us = u << hp->sh;
    x64__st8(p, has ? hp->hd | us : hp->hd2 | us >> 8);
    p += hp->lno + has + tn;
    if (mem) {
        x64__st8(p, (uint64_t)(int64_t)d);
        p += dn;
    }
    if (imm_i != H_NONE) {
        x64__st8(p, op_u64(ops, OP_OFF(imm_i)));
        p += hp->ilen;
    }
    b->len = (size_t)(p - b->data);
}

#define HEAD_H(name, k0, k1, k2, reg_i, rm_i, imm_i, mem, byt)                                     \
    MEMO1_H16(name, k0, k1, k2, head_enc(b, e, ops, reg_i, rm_i, imm_i, mem, byt))
/* name: hd_ (hb_: 8-bit registers) <kinds>_<reg operand or d (digit)><rm operand><immediate
 * operand or n> */
HEAD_H(hd_rr_01n, KR, KR, K_, 0, 1, H_NONE, false, false)
HEAD_H(hd_rr_10n, KR, KR, K_, 1, 0, H_NONE, false, false)
HEAD_H(hd_rr_d0n, KR, KR, K_, H_DIGIT, 0, H_NONE, false, false)
HEAD_H(hd_r_d0n, KR, K_, K_, H_DIGIT, 0, H_NONE, false, false)
HEAD_H(hd_ri_d01, KR, KI, K_, H_DIGIT, 0, 1, false, false)
HEAD_H(hd_ri_d0n, KR, KI, K_, H_DIGIT, 0, H_NONE, false, false)
HEAD_H(hd_rri_012, KR, KR, KI, 0, 1, 2, false, false)
HEAD_H(hd_rrr_10n, KR, KR, KR, 1, 0, H_NONE, false, false)
HEAD_H(hd_rm_01n, KR, KM, K_, 0, 1, H_NONE, true, false)
HEAD_H(hd_mr_10n, KM, KR, K_, 1, 0, H_NONE, true, false)
HEAD_H(hd_mr_d0n, KM, KR, K_, H_DIGIT, 0, H_NONE, true, false)
HEAD_H(hd_m_d0n, KM, K_, K_, H_DIGIT, 0, H_NONE, true, false)
HEAD_H(hd_mi_d01, KM, KI, K_, H_DIGIT, 0, 1, true, false)
HEAD_H(hd_mi_d0n, KM, KI, K_, H_DIGIT, 0, H_NONE, true, false)
HEAD_H(hd_rmi_012, KR, KM, KI, 0, 1, 2, true, false)
HEAD_H(hb_rr_01n, KR, KR, K_, 0, 1, H_NONE, false, true)
HEAD_H(hb_rr_10n, KR, KR, K_, 1, 0, H_NONE, false, true)
HEAD_H(hb_rr_d0n, KR, KR, K_, H_DIGIT, 0, H_NONE, false, true)
HEAD_H(hb_r_d0n, KR, K_, K_, H_DIGIT, 0, H_NONE, false, true)
HEAD_H(hb_ri_d01, KR, KI, K_, H_DIGIT, 0, 1, false, true)
HEAD_H(hb_rm_01n, KR, KM, K_, 0, 1, H_NONE, true, true)
HEAD_H(hb_mr_10n, KM, KR, K_, 1, 0, H_NONE, true, true)
#undef HEAD_H

/* The head handler for form `f` with operand kinds `pat` (NULL: none fits), its plan in *hp. */
static memo1_fn *head_handler(const struct x64_form_info *f, unsigned pat, struct head_plan *hp)
{
    unsigned np = f->pfx >> 24, nopc = f->opc >> 24;
    bool mem = f->rmkind == X64__RM_MEM;
    if (f->kind != X64_KIND_LEGACY || f->pflags != 0 || (f->rmkind != X64__RM_REG && !mem) ||
        nopc - 1u > 2u || f->imm_at[1] != X64__NO_OP || f->at[X64__AT_VVVV] != X64__NO_OP ||
        f->at[X64__AT_IS4] != X64__NO_OP || (f->flags & X64__F_IS4) || np + 1u + nopc + 2u > 8u ||
        f->at[X64__AT_RM] >= X64__NO_OP)
        return NULL;
    unsigned reg_i = f->at[X64__AT_REG] < X64__NO_OP ? f->at[X64__AT_REG] : H_DIGIT;
    unsigned rm_i = f->at[X64__AT_RM];
    unsigned imm_i = f->imm_at[0] < X64__NO_OP ? f->imm_at[0] : H_NONE;
    unsigned byt = f->byteregs != 0;
    static const struct {
        unsigned pat;
        uint8_t reg_i, rm_i, imm_i, mem, byt;
        memo1_fn *h;
    } pick[] = {
        {PAT(KR, KR, K_), 0, 1, H_NONE, 0, 0, hd_rr_01n},
        {PAT(KR, KR, K_), 1, 0, H_NONE, 0, 0, hd_rr_10n},
        {PAT(KR, KR, K_), H_DIGIT, 0, H_NONE, 0, 0, hd_rr_d0n},
        {PAT(KR, K_, K_), H_DIGIT, 0, H_NONE, 0, 0, hd_r_d0n},
        {PAT(KR, KI, K_), H_DIGIT, 0, 1, 0, 0, hd_ri_d01},
        {PAT(KR, KI, K_), H_DIGIT, 0, H_NONE, 0, 0, hd_ri_d0n},
        {PAT(KR, KR, KI), 0, 1, 2, 0, 0, hd_rri_012},
        {PAT(KR, KR, KR), 1, 0, H_NONE, 0, 0, hd_rrr_10n},
        {PAT(KR, KM, K_), 0, 1, H_NONE, 1, 0, hd_rm_01n},
        {PAT(KM, KR, K_), 1, 0, H_NONE, 1, 0, hd_mr_10n},
        {PAT(KM, KR, K_), H_DIGIT, 0, H_NONE, 1, 0, hd_mr_d0n},
        {PAT(KM, K_, K_), H_DIGIT, 0, H_NONE, 1, 0, hd_m_d0n},
        {PAT(KM, KI, K_), H_DIGIT, 0, 1, 1, 0, hd_mi_d01},
        {PAT(KM, KI, K_), H_DIGIT, 0, H_NONE, 1, 0, hd_mi_d0n},
        {PAT(KR, KM, KI), 0, 1, 2, 1, 0, hd_rmi_012},
        {PAT(KR, KR, K_), 0, 1, H_NONE, 0, 1, hb_rr_01n},
        {PAT(KR, KR, K_), 1, 0, H_NONE, 0, 1, hb_rr_10n},
        {PAT(KR, KR, K_), H_DIGIT, 0, H_NONE, 0, 1, hb_rr_d0n},
        {PAT(KR, K_, K_), H_DIGIT, 0, H_NONE, 0, 1, hb_r_d0n},
        {PAT(KR, KI, K_), H_DIGIT, 0, 1, 0, 1, hb_ri_d01},
        {PAT(KR, KM, K_), 0, 1, H_NONE, 1, 1, hb_rm_01n},
        {PAT(KM, KR, K_), 1, 0, H_NONE, 1, 1, hb_mr_10n},
    };
    memo1_fn *h = NULL;
    for (size_t i = 0; i < sizeof pick / sizeof pick[0] && h == NULL; i++)
        if (pick[i].pat == pat && pick[i].reg_i == reg_i && pick[i].rm_i == rm_i &&
            pick[i].imm_i == imm_i && pick[i].mem == mem && pick[i].byt == byt)
            h = pick[i].h;
    if (h == NULL)
        return NULL;
    uint64_t pfx = f->pfx & 0xFFFFFFu, opc = f->opc & 0xFFFFFFu;
    unsigned w = (f->flags & X64__F_REXW) ? 8u : 0u;
    memset(hp, 0, sizeof *hp);
    hp->hd = pfx | (uint64_t)(0x40u | w) << (8u * np) | opc << (8u * (np + 1u));
    hp->hd2 = pfx | opc << (8u * np);
#define TOFF(t) (uint16_t)(offsetof(struct x64__enc_tables, t) / sizeof(uint64_t))
    static const uint16_t tr[2][3] = {{TOFF(rr2), TOFF(rr3), TOFF(rr4)},
                                      {TOFF(mb2), TOFF(mb3), TOFF(mb4)}};
    static const uint16_t ti[3] = {TOFF(mi2), TOFF(mi3), TOFF(mi4)};
    static const uint16_t tx[3] = {TOFF(xi2), TOFF(xi3), TOFF(xi4)};
    hp->tr = tr[mem][nopc - 1u];
    hp->ti = ti[nopc - 1u];
    hp->tx = tx[nopc - 1u];
    hp->sh = (uint8_t)(8u * np);
    hp->k8 = (uint8_t)(8u * (nopc + 1u));
    hp->lno = (uint8_t)(np + nopc);
    hp->w = (uint8_t)w;
    hp->regc = (uint8_t)((f->digit != 255 ? f->digit & 7u : 0u) << 4);
    hp->ilen = imm_i != H_NONE ? f->imm[0] : 0u;
    hp->bregs = f->byteregs;
    hp->form = (uint16_t)(f - x64__forms);
    return h;
}

/* --- VEX register forms and +r forms from a prebuilt head --- */

/* VEX reg, reg (, reg) (X64__S_VRR): prefix bytes and ModRM from one x64__tab.vr2/vr3 entry
 * (C5 when the form allows it and REX.B is clear), map, W, vvvv, L, pp and the opcode from the
 * plan: `hd` holds them for C4, `hd2` for C5, `tr` the table. Same bytes as encode_shape(). */
X64__INLINE void vhead_enc(struct x64_buf *b, const struct x64__memo1 *e,
                           const struct x64_operand *ops, const unsigned reg_i,
                           const unsigned vvvv_i, const unsigned rm_i)
{
    const struct head_plan *hp = &e->u.hp;
    unsigned reg = op_u32(ops, OP_OFF(reg_i)), rm = op_u32(ops, OP_OFF(rm_i));
    unsigned vx = (~(vvvv_i == H_NONE ? 0u : op_u32(ops, OP_OFF(vvvv_i))) & 15u) << 3;
    uint64_t t = TAB_AT(hp->tr + ((reg << 4 | rm) & 0xFFu));
    uint8_t *p = b->data + b->len;
    unsigned c5 = (unsigned)t & 1u; /* 0xC5 is odd, 0xC4 even */
    x64__st8(p, c5 ? t | hp->hd2 | (uint64_t)vx << 8 : t | hp->hd | (uint64_t)vx << 16);
    b->len += 5u - c5;
}

/* Register in the opcode's last byte (X64__S_O), at most one immediate: REX.B and the +r bits
 * added to the prebuilt head (`k8` is 8 x the opcode count here). */
X64__INLINE void ohead_enc(struct x64_buf *b, const struct x64__memo1 *e,
                           const struct x64_operand *ops, const unsigned rm_i, const unsigned imm_i)
{
    const struct head_plan *hp = &e->u.hp;
    unsigned rm = op_u32(ops, OP_OFF(rm_i));
    uint64_t u = ((rm >> 3) & 1u) | (uint64_t)(rm & 7u) << hp->k8;
    unsigned has = (((unsigned)u | hp->w) & 0xFFu) != 0u;
    uint64_t us = u << hp->sh;
    uint8_t *p = b->data + b->len;
    x64__st8(p, has ? hp->hd | us : hp->hd2 | us >> 8);
    p += hp->lno + has;
    if (imm_i != H_NONE) {
        x64__st8(p, op_u64(ops, OP_OFF(imm_i)));
        p += hp->ilen;
    }
    b->len = (size_t)(p - b->data);
}

MEMO1_H16(hv_rr_0n1, KR, KR, K_, vhead_enc(b, e, ops, 0, H_NONE, 1))
MEMO1_H16(hv_rr_1n0, KR, KR, K_, vhead_enc(b, e, ops, 1, H_NONE, 0))
MEMO1_H16(hv_rrr_012, KR, KR, KR, vhead_enc(b, e, ops, 0, 1, 2))
MEMO1_H16(ho_r_0n, KR, K_, K_, ohead_enc(b, e, ops, 0, H_NONE))
MEMO1_H16(ho_ri_01, KR, KI, K_, ohead_enc(b, e, ops, 0, 1))

/* The VEX or +r head handler for form `f` with operand kinds `pat` (NULL: none fits). */
static memo1_fn *vo_handler(const struct x64_form_info *f, unsigned pat, struct head_plan *hp)
{
    unsigned reg_i = f->at[X64__AT_REG], rm_i = f->at[X64__AT_RM], v_i = f->at[X64__AT_VVVV];
    memset(hp, 0, sizeof *hp);
    hp->form = (uint16_t)(f - x64__forms);
    if (f->shape == X64__S_VRR && f->pflags == 0 && f->kind == X64_KIND_VEX &&
        f->imm_at[0] == X64__NO_OP) {
        memo1_fn *h = NULL;
        if (pat == PAT(KR, KR, K_) && v_i == X64__NO_OP && reg_i == 0 && rm_i == 1)
            h = hv_rr_0n1;
        else if (pat == PAT(KR, KR, K_) && v_i == X64__NO_OP && reg_i == 1 && rm_i == 0)
            h = hv_rr_1n0;
        else if (pat == PAT(KR, KR, KR) && reg_i == 0 && v_i == 1 && rm_i == 2)
            h = hv_rrr_012;
        if (h == NULL)
            return NULL;
        unsigned last = (unsigned)f->w << 7 | (unsigned)f->l << 2 | f->pp, opc = f->opc & 0xFFu;
        hp->hd = (uint64_t)f->map << 8 | (uint64_t)last << 16 | (uint64_t)opc << 24;
        hp->hd2 = (uint64_t)last << 8 | (uint64_t)opc << 16;
        hp->tr = f->map == 1u && f->w == 0u ? TOFF(vr2) : TOFF(vr3);
        return h;
    }
    unsigned np = f->pfx >> 24, nopc = f->opc >> 24;
    if (f->shape == X64__S_O && f->pflags == 0 && f->kind == X64_KIND_LEGACY && rm_i == 0 &&
        f->byteregs == 0 && nopc - 1u <= 2u && np + 1u + nopc <= 8u && f->imm_at[1] == X64__NO_OP) {
        memo1_fn *h = NULL;
        if (pat == PAT(KR, K_, K_) && f->imm_at[0] == X64__NO_OP)
            h = ho_r_0n;
        else if (pat == PAT(KR, KI, K_) && f->imm_at[0] == 1)
            h = ho_ri_01;
        if (h == NULL)
            return NULL;
        uint64_t pfx = f->pfx & 0xFFFFFFu, opc = f->opc & 0xFFFFFFu;
        unsigned w = (f->flags & X64__F_REXW) ? 8u : 0u;
        hp->hd = pfx | (uint64_t)(0x40u | w) << (8u * np) | opc << (8u * (np + 1u));
        hp->hd2 = pfx | opc << (8u * np);
        hp->sh = (uint8_t)(8u * np);
        hp->k8 = (uint8_t)(8u * nopc);
        hp->lno = (uint8_t)(np + nopc);
        hp->w = (uint8_t)w;
        hp->ilen = f->imm_at[0] < X64__NO_OP ? f->imm[0] : 0u;
        return h;
    }
    return NULL;
}
#undef TOFF
#undef MEMO1_H16
#undef R16
#undef MEMO1_H

/* Any other entry: the generic value checks, then the type memo entry's encoder. */
static void h_any(struct x64_buf *b, const struct x64__memo1 *e, const struct x64_operand *ops)
{
    if (X64__UNLIKELY(!memo1_ok(b, e, ops, (unsigned)(e->k1 >> 58)))) {
        memo1_miss(b, e, ops);
        return;
    }
    e->u.m.enc(b, &e->u.m, ops);
}

/* The _16 twin of head handler `h` (MEMO1_H16). */
static memo1_fn *head16(memo1_fn *h)
{
    static const struct {
        memo1_fn *h, *h16;
    } twin[] = {
        {hd_rr_01n, hd_rr_01n_16},   {hd_rr_10n, hd_rr_10n_16},   {hd_rr_d0n, hd_rr_d0n_16},
        {hd_r_d0n, hd_r_d0n_16},     {hd_ri_d01, hd_ri_d01_16},   {hd_ri_d0n, hd_ri_d0n_16},
        {hd_rri_012, hd_rri_012_16}, {hd_rrr_10n, hd_rrr_10n_16}, {hd_rm_01n, hd_rm_01n_16},
        {hd_mr_10n, hd_mr_10n_16},   {hd_mr_d0n, hd_mr_d0n_16},   {hd_m_d0n, hd_m_d0n_16},
        {hd_mi_d01, hd_mi_d01_16},   {hd_mi_d0n, hd_mi_d0n_16},   {hd_rmi_012, hd_rmi_012_16},
        {hb_rr_01n, hb_rr_01n_16},   {hb_rr_10n, hb_rr_10n_16},   {hb_rr_d0n, hb_rr_d0n_16},
        {hb_r_d0n, hb_r_d0n_16},     {hb_ri_d01, hb_ri_d01_16},   {hb_rm_01n, hb_rm_01n_16},
        {hb_mr_10n, hb_mr_10n_16},   {hv_rr_0n1, hv_rr_0n1_16},   {hv_rr_1n0, hv_rr_1n0_16},
        {hv_rrr_012, hv_rrr_012_16}, {ho_r_0n, ho_r_0n_16},       {ho_ri_01, ho_ri_01_16},
    };
    for (size_t i = 0; i < sizeof twin / sizeof twin[0]; i++)
        if (twin[i].h == h)
            return twin[i].h16;
    return h;
}

/* Whether every register operand of entry `ne` (kinds k[0..n)) accepts exactly 0..15. */
static bool all16(const struct x64__memo1 *ne, const unsigned k[3], unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (k[i] == KR && (ne->chk[i][0] != 0 || ne->chk[i][1] != 15))
            return false;
    return true;
}

/* The handler for raw memo entry `ne` (its type memo entry copied in) for operands
 * ops[0..n); a head handler's plan replaces the copy. */
static memo1_fn *memo1_handler(struct x64__memo1 *ne, const struct x64_operand *ops, unsigned n)
{
    const struct x64__memo *m = &ne->u.m;
    unsigned k[3] = {K_, K_, K_};
    for (unsigned i = 0; i < n; i++)
        k[i] = ops[i].kind;
    unsigned pat = PAT(k[0], k[1], k[2]);
    if (m->enc != enc_selected && m->enc != enc_vex) {
        struct head_plan hp;
        memo1_fn *h = head_handler(memo_form(m), pat, &hp);
        if (h == NULL)
            h = vo_handler(memo_form(m), pat, &hp);
        if (h != NULL) {
            ne->u.hp = hp;
            return all16(ne, k, n) ? head16(h) : h;
        }
    }
    memo_enc *enc = m->enc;
    if (enc == enc_jmp && pat == PAT(KL, K_, K_))
        return h_jmp;
    if (enc == enc_call && pat == PAT(KL, K_, K_))
        return h_call;
    if (enc == enc_jcc && pat == PAT(KL, K_, K_))
        return h_jcc;
    static const struct {
        memo_enc *enc;
        unsigned pat;
        memo1_fn *h;
    } pick[] = {
        {enc_rr, PAT(KR, KR, K_), h_rr_rr},    {enc_rr, PAT(KR, KR, KR), h_rr_rrr},
        {enc_r, PAT(KR, K_, K_), h_r_r},       {enc_r, PAT(KR, KR, K_), h_r_rr},
        {enc_r, PAT(KR, KI, K_), h_r_ri},      {enc_ri, PAT(KR, KI, K_), h_ri_ri},
        {enc_rri, PAT(KR, KR, KI), h_rri_rri}, {enc_rm, PAT(KM, K_, K_), h_rm_m},
        {enc_rm, PAT(KR, KM, K_), h_rm_rm},    {enc_rm, PAT(KM, KR, K_), h_rm_mr},
        {enc_o, PAT(KR, K_, K_), h_o_r},       {enc_o, PAT(KR, KI, K_), h_o_ri},
        {enc_vrr, PAT(KR, KR, K_), h_vrr_rr},  {enc_vrr, PAT(KR, KR, KR), h_vrr_rrr},
        {enc_rr8, PAT(KR, KR, K_), h_rr8_rr},  {enc_r8, PAT(KR, K_, K_), h_r8_r},
        {enc_r8, PAT(KR, KR, K_), h_r8_rr},
    };
    for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++)
        if (pick[i].enc == enc && pick[i].pat == pat)
            return pick[i].h;
    return h_any;
}
#undef PAT
#undef K_
#undef KR
#undef KI
#undef KM
#undef KL

/* Second way of the raw memo's set (`e` is the first), else the typed path. */
static NOINLINE void emit_way1(struct x64_buf *b, const struct x64_operand *ops, unsigned n,
                               const struct x64__memo1 *e, uint64_t k1, uint32_t k2)
{
    e++;
    if (e->k1 == k1 && e->k2 == k2) {
        e->h(b, e, ops);
        return;
    }
    emit_typed(b, (enum x64_mnemonic)((k1 >> 48) & 0x3FFu), ops, n);
}

/* Everything the inline probe in x64_emit() did not finish: room() (growth, sticky error,
 * listing), argument checks, prefixes, memo misses and the full matcher. */
static NOINLINE void emit_mn(struct x64_buf *b, unsigned prefix, enum x64_mnemonic mn,
                             const struct x64_operand *ops, unsigned n)
{
    /* room() also stops at a sticky error (limit is 0 then). */
    if (b == NULL || !room(b))
        return;
    if ((unsigned)mn < X64_MN_COUNT && n <= 4 && (n == 0 || ops != NULL)) {
        if (prefix != 0 || n == 4) {
            if (emit_fast_prefixed(b, prefix, mn, ops, n))
                return;
        } else {
            const struct x64__memo *e = memo_typed(b, mn, ops, n);
            if (e != NULL) {
                size_t start = b->len;
                e->enc(b, e, ops);
                if (X64__UNLIKELY(b->listing != NULL) && !e->self_listed)
                    x64__listing(b, (enum x64_form)e->form, ops, memo_form(e)->nops, start);
                return;
            }
        }
    }
    emit_slow(b, prefix, mn, ops, n);
}

/* emit_mn() without a prefix, with x64_emit()'s arguments in their registers. */
static NOINLINE void emit_plain(struct x64_buf *b, enum x64_mnemonic mn,
                                const struct x64_operand *ops, unsigned n)
{
    emit_mn(b, 0, mn, ops, n);
}

void x64_emit_prefixed(struct x64_buf *b, unsigned prefix, enum x64_mnemonic mn,
                       const struct x64_operand *ops, unsigned n)
{
    if (b == NULL || b->status != X64_OK)
        return;
    if (prefix != 0 && prefix != X64_PFX_LOCK && prefix != X64_PFX_REP && prefix != X64_PFX_REPNE) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "bad prefix 0x%x", prefix);
        return;
    }
    emit_mn(b, prefix, mn, ops, n);
}

void x64_emit(struct x64_buf *b, enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n)
{
    /* The common case inline: room for an instruction (no error, no listing hook), a known
     * mnemonic, one to three operands without decorations, and a raw memo hit whose value
     * checks pass. */
    if (X64__LIKELY(b != NULL && b->len + 8 < b->limit && (unsigned)mn < X64_MN_COUNT &&
                    ops != NULL && n - 1u < 3u)) {
        uint64_t w0a, w0b = 0, w0c = 0;
        memcpy(&w0a, &ops[0], sizeof w0a);
        if (n >= 2) {
            memcpy(&w0b, &ops[1], sizeof w0b);
            if (n == 3)
                memcpy(&w0c, &ops[2], sizeof w0c);
        }
        if (X64__LIKELY(((w0a | w0b | w0c) >> 24) == 0)) {
            uint64_t k1 = w0a | w0b << 24 | (uint64_t)mn << 48 | (uint64_t)n << 58;
            uint32_t k2 = (uint32_t)w0c;
            const struct x64__memo1 *e = &memo1_tab[2u * memo1_set(k1)];
#if defined(__GNUC__)
            /* One base register for every access to the entry (gcc otherwise re-derives the
             * thread-local address for each field, holding more registers). */
            __asm__("" : "+r"(e));
#endif
            if (X64__LIKELY(e->k1 == k1 && e->k2 == k2))
                e->h(b, e, ops);
            else
                emit_way1(b, ops, n, e, k1, k2);
            return;
        }
    }
    emit_plain(b, mn, ops, n);
}

void x64_emit_form(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops)
{
    if (b == NULL || b->status != X64_OK)
        return;
    if ((unsigned)form >= X64_FORM_COUNT) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "unknown form %d", (int)form);
        return;
    }
    const struct x64_form_info *f = &x64__forms[form];
    bool ok = false;
    if (f->nops == 0 || ops != NULL) {
        uint64_t acc[4] = {1, 1, 1, 1};
        for (unsigned i = 0; i < f->nops; i++)
            acc[i] = x64__type_accepts[op_type(b, &ops[i])];
        ok = form_accepts(f, acc);
    }
    const char *detail = NULL;
    if (!ok && (ops == NULL || match_form(b, f, ops, f->nops, &detail) == 0)) {
        char d[120] = "";
        if (ops != NULL)
            describe((enum x64_mnemonic)f->mnemonic, ops, f->nops, d, sizeof d);
        x64_buf_fail(b, X64_ERR_INVALID_OPERANDS, "operands do not fit form %s: %s%s%s", f->name, d,
                     detail ? ": " : "", detail ? detail : "");
        return;
    }
    emit_selected(b, 0, form, ops, true);
}

/* --- Listing for the typed emitters --- */

void x64__list(struct x64_buf *b, enum x64_form form, size_t start, int64_t a0, int64_t a1,
               int64_t a2, int64_t a3, const struct x64_mem *mem)
{
    if (b->listing == NULL || (unsigned)form >= X64_FORM_COUNT)
        return;
    const struct x64_form_info *f = &x64__forms[form];
    const int64_t a[4] = {a0, a1, a2, a3};
    struct x64_operand ops[4];
    for (unsigned i = 0; i < f->nops && i < 4; i++) {
        unsigned oc = f->ops[i];
        unsigned sz = class_size(oc);
        unsigned r = (unsigned)a[i];
        switch (oc) {
        case X64_OC_R8:
        case X64_OC_R16:
        case X64_OC_R32:
        case X64_OC_R64:
            ops[i] = x64_op_reg(X64_RC_GPR, sz, r);
            break;
        case X64_OC_AL:
        case X64_OC_AX:
        case X64_OC_EAX:
        case X64_OC_RAX:
            ops[i] = x64_op_reg(X64_RC_GPR, sz, X64_RAX);
            break;
        case X64_OC_CL:
            ops[i] = x64_op_reg(X64_RC_GPR, 1, X64_RCX);
            break;
        case X64_OC_DX:
            ops[i] = x64_op_reg(X64_RC_GPR, 2, X64_RDX);
            break;
        case X64_OC_XMM0:
            ops[i] = x64_op_xmm(0);
            break;
        case X64_OC_XMM:
            ops[i] = x64_op_xmm(r);
            break;
        case X64_OC_YMM:
            ops[i] = x64_op_ymm(r);
            break;
        case X64_OC_ZMM:
            ops[i] = x64_op_zmm(r);
            break;
        case X64_OC_K:
            ops[i] = x64_op_k(r);
            break;
        case X64_OC_SREG:
        case X64_OC_SREGW:
            ops[i] = x64_op_sreg((enum x64_sreg)r);
            break;
        case X64_OC_FS:
            ops[i] = x64_op_sreg(X64_SREG_FS);
            break;
        case X64_OC_GS:
            ops[i] = x64_op_sreg(X64_SREG_GS);
            break;
        case X64_OC_ONE:
            ops[i] = x64_op_imm(1);
            break;
        case X64_OC_IMM8:
        case X64_OC_IMM16:
        case X64_OC_IMM32:
        case X64_OC_IMM64:
        case X64_OC_REL8:
        case X64_OC_REL32:
            ops[i] = x64_op_imm(a[i]);
            break;
        default:
            ops[i] = x64_op_mem(sz, mem != NULL ? *mem : x64__nomem());
            ops[i].bcst = (uint8_t)(oc >= X64_OC_M16BCST && oc <= X64_OC_M64BCST);
            break;
        }
    }
    x64__listing(b, form, ops, f->nops, start);
}
