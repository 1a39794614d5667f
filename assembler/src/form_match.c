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

/* Result of matching one operand. */
enum { M_NO = 0, M_YES, M_YES_UNSIZED };

static unsigned class_size(unsigned oc)
{
    switch (oc) {
    case X64_OC_R8:
    case X64_OC_M8:
    case X64_OC_MOFFS8:
    case X64_OC_AL:
    case X64_OC_CL:
    case X64_OC_IMM8:
    case X64_OC_REL8:
        return 1;
    case X64_OC_R16:
    case X64_OC_M16:
    case X64_OC_MOFFS16:
    case X64_OC_AX:
    case X64_OC_DX:
    case X64_OC_IMM16:
    case X64_OC_M16BCST:
        return 2;
    case X64_OC_R32:
    case X64_OC_M32:
    case X64_OC_MOFFS32:
    case X64_OC_EAX:
    case X64_OC_IMM32:
    case X64_OC_REL32:
    case X64_OC_M32BCST:
    case X64_OC_VM32X:
    case X64_OC_VM32Y:
    case X64_OC_VM32Z:
        return 4;
    case X64_OC_R64:
    case X64_OC_M64:
    case X64_OC_MOFFS64:
    case X64_OC_RAX:
    case X64_OC_IMM64:
    case X64_OC_M64BCST:
    case X64_OC_VM64X:
    case X64_OC_VM64Y:
    case X64_OC_VM64Z:
        return 8;
    case X64_OC_M80:
        return 10;
    case X64_OC_M128:
    case X64_OC_XMM:
    case X64_OC_XMM0:
        return 16;
    case X64_OC_M256:
    case X64_OC_YMM:
        return 32;
    case X64_OC_M512:
    case X64_OC_ZMM:
        return 64;
    default:
        return 0;
    }
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

/* Encodes `form` with already-matched operands. */
static void encode(struct x64_buf *b, unsigned upfx, const struct x64_form_info *f,
                   const struct x64_operand *ops)
{
    unsigned reg = 0, rm = 0, vvvv = 0, rmkind = X64__RM_NONE, byteregs = 0, is4 = 0;
    unsigned aaa = 0, z = 0, bc = 0;
    struct x64_mem m = x64__nomem();
    int64_t imm[2] = {0, 0};
    unsigned nimm = 0;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct x64_operand *o = &ops[i];
        bool byte = f->ops[i] == X64_OC_R8;
        if (o->mask)
            aaa = o->mask;
        if (o->zero)
            z = 1;
        switch (f->roles[i]) {
        case X64__ROLE_REG:
            reg = o->u.reg;
            if (byte)
                byteregs |= X64__BYTE_REG;
            break;
        case X64__ROLE_RM:
            if (o->kind == X64_OP_MEM) {
                rmkind = X64__RM_MEM;
                m = o->u.mem;
                if (o->bcst)
                    bc = 1;
            } else {
                rmkind = X64__RM_REG;
                rm = o->u.reg;
                if (byte)
                    byteregs |= X64__BYTE_RM;
            }
            break;
        case X64__ROLE_OPREG:
            rmkind = X64__RM_OPREG;
            rm = o->u.reg;
            if (byte)
                byteregs |= X64__BYTE_RM;
            break;
        case X64__ROLE_VVVV:
            vvvv = o->u.reg;
            break;
        case X64__ROLE_MOFFS:
            rmkind = X64__RM_MOFFS;
            m = o->u.mem;
            break;
        case X64__ROLE_IMM:
        case X64__ROLE_REL:
            if (nimm < 2)
                imm[nimm++] = o->u.imm;
            break;
        case X64__ROLE_IS4:
            is4 = o->u.reg;
            break;
        default:
            break;
        }
    }
    if (f->digit != 255)
        reg = f->digit;
    unsigned isz0 = f->imm[0], isz1 = f->imm[1];
    if (f->flags & X64__F_IS4) {
        imm[0] = (int64_t)((is4 & 15u) << 4) | (nimm ? (imm[0] & 15) : 0);
        isz0 = 1;
        isz1 = 0;
    }
    switch (f->kind) {
    case X64_KIND_LEGACY:
        x64__legacy(b, upfx, f->pfx, f->opc, (f->flags & X64__F_REXW) ? 8u : 0u, rmkind, reg, rm, m,
                    byteregs, isz0, imm[0], isz1, imm[1]);
        break;
    case X64_KIND_VEX:
        x64__vex(b, f->map, f->pp, f->l, f->w, f->opc & 0xFFu, rmkind, reg, vvvv, rm, m, isz0,
                 imm[0]);
        break;
    default:
        x64__evex(b, f->map, f->pp, f->l, f->w, f->opc & 0xFFu, rmkind, reg, vvvv, rm, m, aaa, z,
                  bc, f->n, isz0, imm[0]);
        break;
    }
}

/* Branch forms with a label operand go through the label machinery. */
static bool emit_label_branch(struct x64_buf *b, const struct x64_form_info *f,
                              const struct x64_operand *ops, bool exact)
{
    if (f->nops != 1 || ops[0].kind != X64_OP_LABEL)
        return false;
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
            return true;
        size_t start = b->len;
        p[0] = (uint8_t)last;
        p[1] = 0;
        struct x64__fixup fx = {start + 1, start + 2, start, l.id, 0, 0, FX_REL8, JK_NONE, 0, 0};
        if (!x64__add_fixup(b, &fx))
            return true;
        b->len += 2;
    }
    return true;
}

static void emit_checked(struct x64_buf *b, unsigned upfx, enum x64_form form,
                         const struct x64_operand *ops, bool exact)
{
    const struct x64_form_info *f = &x64__forms[form];
    if (emit_label_branch(b, f, ops, exact))
        return;
    size_t start = b->len;
    encode(b, upfx, f, ops);
    if (b->listing != NULL)
        x64__listing(b, form, ops, f->nops, start);
}

/* --- Signature cache --- */

/* A small code for everything form selection depends on except values checked on every hit
 * (register ranges, memory validity, labels): kind, size, fixed-register numbers (al/cl/dx,
 * xmm0), immediate width class, EVEX decorations. */
static uint64_t op_code(const struct x64_operand *o)
{
    uint64_t c;
    switch (o->kind) {
    case X64_OP_REG:
        if (o->rclass == X64_RC_GPR) {
            unsigned si = o->size == 1 ? 0u : o->size == 2 ? 1u : o->size == 4 ? 2u : 3u;
            c = o->u.reg >= 16 ? 17u : 1u + si * 4u + (o->u.reg < 3 ? o->u.reg : 3u);
        } else if (o->rclass == X64_RC_XMM) {
            c = o->u.reg == 0 ? 18u : 19u;
        } else {
            c = 20u + o->rclass;
        }
        break;
    case X64_OP_MEM:
        c = (o->u.mem.flags & X64_MEM_MOFFS) ? 26u : o->bcst ? 27u : 28u;
        c = c * 128u + o->size;
        break;
    case X64_OP_IMM: {
        int64_t v = o->u.imm;
        c = v == 1                             ? 35u
            : v >= -128 && v <= 127            ? 36u
            : v >= 0 && v <= 255               ? 37u
            : v >= -32768 && v <= 32767        ? 38u
            : v >= 0 && v <= 65535             ? 39u
            : v >= INT32_MIN && v <= INT32_MAX ? 40u
            : v >= 0 && v <= UINT32_MAX        ? 41u
                                               : 42u;
        break;
    }
    case X64_OP_LABEL:
        c = 43u;
        break;
    default:
        c = 44u;
        break;
    }
    return c | (uint64_t)(o->mask != 0) << 12 | (uint64_t)(o->zero != 0) << 13;
}

/* On a cache hit the signature already fixed kinds, sizes, fixed registers and immediate width
 * classes (which decide every immediate range check); only values remain to be checked. */
static bool hit_valid(const struct x64_buf *b, const struct x64_form_info *f,
                      const struct x64_operand *ops, unsigned n)
{
    unsigned vmax = f->kind == X64_KIND_EVEX ? 32u : 16u;
    for (unsigned i = 0; i < n; i++) {
        const struct x64_operand *o = &ops[i];
        unsigned oc = f->ops[i];
        const char *why;
        switch (o->kind) {
        case X64_OP_REG:
            if (o->rclass == X64_RC_GPR) {
                if (o->u.reg > 15 && oc != X64_OC_R8)
                    return false;
            } else if (o->u.reg >= (o->rclass == X64_RC_K ? 8u : vmax)) {
                return false;
            }
            if ((f->flags & X64__F_NZ) && f->roles[i] == X64__ROLE_OPREG && o->u.reg == 0)
                return false;
            break;
        case X64_OP_MEM:
            if (!(o->u.mem.flags & X64_MEM_MOFFS) &&
                !valid_mem(b, &o->u.mem, oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z, vmax, &why))
                return false;
            break;
        case X64_OP_LABEL:
            if (!x64__label_valid(b, o->u.label.id))
                return false;
            break;
        default:
            break;
        }
    }
    return true;
}

/* The signature -> form choice does not depend on the buffer (values are re-checked against the
 * buffer on every hit), so one cache per thread serves every buffer: no per-buffer allocation
 * and no cold misses for each new function. */
static _Thread_local struct x64_form_cache_entry form_cache[(size_t)1 << X64__FORM_CACHE_BITS];

static bool cached_form(uint64_t key, enum x64_form *out, size_t *slot)
{
    uint64_t h = (key * 0x9E3779B97F4A7C15ull) >> (64 - X64__FORM_CACHE_BITS);
    *slot = (size_t)h;
    if (form_cache[h].key != key)
        return false;
    *out = (enum x64_form)form_cache[h].form;
    return true;
}

static void cache_form(size_t slot, uint64_t key, enum x64_form form)
{
    form_cache[slot].key = key;
    form_cache[slot].form = (uint32_t)form;
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
    enum x64_form form;
    uint64_t key = 0;
    size_t slot = 0;
    bool cacheable =
        b->priv != NULL && (unsigned)mn < X64_MN_COUNT && n <= 4 && (n == 0 || ops != NULL);
    if (cacheable) {
        key = (uint64_t)mn + 1u;
        for (unsigned i = 0; i < n; i++)
            key = key * 0x10001u + op_code(&ops[i]) + 1u;
        key = key * 8u + n;
        if (cached_form(key, &form, &slot) && hit_valid(b, &x64__forms[form], ops, n)) {
            emit_checked(b, prefix, form, ops, false);
            return;
        }
    }
    char why[200];
    enum x64_status s = select_form(b, mn, ops, n, &form, why, sizeof why);
    if (s != X64_OK) {
        x64_buf_fail(b, s, "%s", why);
        return;
    }
    if (cacheable && match_form(b, &x64__forms[form], ops, n, &(const char *){NULL}) == 1)
        cache_form(slot, key, form);
    emit_checked(b, prefix, form, ops, false);
}

void x64_emit(struct x64_buf *b, enum x64_mnemonic mn, const struct x64_operand *ops, unsigned n)
{
    x64_emit_prefixed(b, 0, mn, ops, n);
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
    const char *detail = NULL;
    if ((f->nops > 0 && ops == NULL) || match_form(b, f, ops, f->nops, &detail) == 0) {
        char d[120] = "";
        if (ops != NULL)
            describe((enum x64_mnemonic)f->mnemonic, ops, f->nops, d, sizeof d);
        x64_buf_fail(b, X64_ERR_INVALID_OPERANDS, "operands do not fit form %s: %s%s%s", f->name, d,
                     detail ? ": " : "", detail ? detail : "");
        return;
    }
    emit_checked(b, 0, form, ops, true);
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
