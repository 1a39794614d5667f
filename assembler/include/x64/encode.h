/* SPDX-License-Identifier: Apache-2.0 */
/* The encoding engine: one always-inline function per encoding kind (legacy, VEX, EVEX) that
 * writes prefixes, REX/VEX/EVEX, opcode, ModRM/SIB, displacement and immediates. The typed
 * emitters in gen/emit.h call them with constant table fields, so the compiler folds them into
 * a few stores; the generic path (x64_emit) calls the same functions with the fields read from
 * the form table. Internal: names starting with `x64__` are not a stable API. */
#ifndef X64_ENCODE_H
#define X64_ENCODE_H

#include "x64/buffer.h"
#include "x64/operands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define X64__INLINE  static inline __attribute__((always_inline))
#define X64__EMITTER __attribute__((always_inline)) /* before `static inline` */
#else
#define X64__INLINE static inline
#define X64__EMITTER
#endif

/* Up to three bytes packed little-endian in bits 0..23, with the count in bits 24..31. */
#define X64__B0          0u
#define X64__B1(a)       (0x1000000u | (uint32_t)(a))
#define X64__B2(a, b)    (0x2000000u | (uint32_t)(a) | ((uint32_t)(b) << 8))
#define X64__B3(a, b, c) (0x3000000u | (uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16))

/* What the ModRM.rm field (or the opcode's low bits) holds. */
#define X64__RM_NONE  0u /* no ModRM byte */
#define X64__RM_REG   1u /* ModRM with mod=11 and a register in rm */
#define X64__RM_MEM   2u /* ModRM (+SIB, disp) for a memory operand */
#define X64__RM_OPREG 3u /* no ModRM; register in the opcode's low 3 bits, REX.B */
#define X64__RM_MOFFS 4u /* no ModRM; 8-byte absolute address (mov A0-A3) */

/* `byteregs` bits: which register operands are 8-bit (REX rules for spl..dil and ah..bh). */
#define X64__BYTE_REG 1u /* the ModRM.reg operand */
#define X64__BYTE_RM  2u /* the rm / opcode register operand */

/* The REX rule for 8-bit registers (SDM vol. 2, 2.2.1.2): spl/bpl/sil/dil (4..7) and r8b..r15b
 * (8..15) need a REX prefix; ah/ch/dh/bh (0x14..0x17) are what 4..7 mean without one, so an
 * instruction with any REX prefix cannot use them. x64__byte_rex() returns X64__B8_NEED (the
 * REX base 0x40) if an 8-bit operand named by `byteregs` needs REX, or'ed with X64__B8_HIGH if
 * one is ah..bh (any number >= 16; the full encoder reports the error). */
#define X64__B8_NEED 0x40u
#define X64__B8_HIGH 0x100u

X64__INLINE unsigned x64__byte_rex1(unsigned r)
{
    /* r in 4..15: NEED (bit 6 of (r + 12) * 4 is bit 4 of r + 12); r >= 16: HIGH. */
    return r >= 16u ? X64__B8_HIGH : ((r + 12u) << 2) & X64__B8_NEED;
}

X64__INLINE unsigned x64__byte_rex(unsigned byteregs, unsigned reg, unsigned rm)
{
    return ((byteregs & X64__BYTE_REG) ? x64__byte_rex1(reg) : 0u) |
           ((byteregs & X64__BYTE_RM) ? x64__byte_rex1(rm) : 0u);
}

/* Bytes the buffer keeps after `limit`: the longest instruction (15) plus the 8-byte stores of
 * the inline fast paths, which may run past its end. */
#define X64__SLACK 32u

/* The write pointer for one more instruction (at most 16 bytes), or NULL when emitting must
 * stop (sticky error, finished buffer, out of memory). */
X64__INLINE uint8_t *x64__begin(struct x64_buf *b)
{
    if (X64__UNLIKELY(b->len >= b->limit))
        return x64__slow(b);
    return b->data + b->len;
}

X64__INLINE uint8_t *x64__put(uint8_t *p, uint32_t packed)
{
    unsigned n = packed >> 24;
    if (n > 0)
        p[0] = (uint8_t)packed;
    if (n > 1)
        p[1] = (uint8_t)(packed >> 8);
    if (n > 2)
        p[2] = (uint8_t)(packed >> 16);
    return p + n;
}

X64__INLINE uint8_t *x64__imm(uint8_t *p, unsigned size, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(u >> (8 * i));
    return p + size;
}

/* A memory operand that is never read (for register forms). */
X64__INLINE struct x64_mem x64__nomem(void)
{
    struct x64_mem m = {0, X64_NOREG, X64_NOREG, 1, 0, 0, {0, 0, 0}, 0};
    return m;
}

/* The segment-override prefix byte for enum x64_seg (1..6). */
X64__INLINE uint8_t x64__seg_byte(unsigned seg)
{
    return (uint8_t) "\x26\x2e\x36\x3e\x64\x65"[(seg - 1u) % 6u];
}

/* REX.X and REX.B (bits 1 and 0) of a memory operand; bit 3 of index/base. */
X64__INLINE unsigned x64__mem_xb(struct x64_mem m)
{
    unsigned x = m.index == X64_NOREG ? 0u : ((unsigned)m.index >> 2) & 2u;
    unsigned bb = m.base == X64_NOREG ? 0u : ((unsigned)m.base >> 3) & 1u;
    return (m.flags & X64_MEM_RIP) ? 0u : x | bb;
}

/* The SIB scale field of scale 1, 2, 4 or 8: 0..3. */
X64__INLINE unsigned x64__ss(unsigned scale)
{
    return (scale >> 1) - (scale >> 3);
}

/* ModRM's mod bits for displacement `d` off a base register whose low three bits are `base7`
 * (0x00: none, 0x40: disp8, 0x80: disp32), its length in *dn. RBP/R13 as base need a
 * displacement: mod=00 rm=101 means RIP-relative (SDM vol. 2, 2.1.5). */
X64__INLINE unsigned x64__mod_disp(int32_t d, unsigned base7, unsigned *dn)
{
    if ((uint32_t)d + 128u >= 256u) {
        *dn = 4;
        return 0x80u;
    }
    if (d != 0 || base7 == 5u) {
        *dn = 1;
        return 0x40u;
    }
    *dn = 0;
    return 0u;
}

/* ModRM, SIB and displacement for memory operand `m` with ModRM.reg = `reg` (low 3 bits used).
 * `n` is the EVEX disp8 scale (1 for legacy/VEX). Sets *disp_at to the disp32 position of a
 * RIP-relative operand (NULL otherwise). SDM vol. 2, 2.1.5 and 2.7.5. */
X64__INLINE uint8_t *x64__modrm_mem(uint8_t *p, unsigned reg, struct x64_mem m, unsigned n,
                                    uint8_t **disp_at)
{
    unsigned regf = (reg & 7u) << 3;
    int32_t d = m.disp;
    *disp_at = NULL;
    if (m.flags & X64_MEM_RIP) {
        /* mod=00 rm=101 is [rip+disp32] in 64-bit mode (SDM vol. 2, 2.2.1.6). */
        *p++ = (uint8_t)(0x05u | regf);
        *disp_at = p;
        return x64__imm(p, 4, d);
    }
    unsigned ss = x64__ss(m.scale);
    if (m.base == X64_NOREG) {
        /* No base: SIB with base=101 and mod=00 means [index*scale + disp32]; index=100 means
         * none, which gives the absolute [disp32] form. */
        *p++ = (uint8_t)(0x04u | regf);
        if (m.index == X64_NOREG)
            *p++ = 0x25;
        else
            *p++ = (uint8_t)((ss << 6) | (((unsigned)m.index & 7u) << 3) | 5u);
        return x64__imm(p, 4, d);
    }
    unsigned base = (unsigned)m.base & 7u;
    unsigned mod;
    int32_t d8 = d;
    bool short_disp;
    if (n <= 1) {
        short_disp = d >= -128 && d <= 127;
    } else {
        /* EVEX compressed disp8*N (SDM vol. 2, 2.7.5). */
        short_disp = d % (int32_t)n == 0 && d / (int32_t)n >= -128 && d / (int32_t)n <= 127;
        d8 = d / (int32_t)n;
    }
    /* RBP/R13 as base need a displacement: mod=00 rm=101 means RIP-relative / no base. */
    if (d == 0 && base != 5u)
        mod = 0u;
    else if (short_disp)
        mod = 1u;
    else
        mod = 2u;
    if (m.index == X64_NOREG && base != 4u) {
        *p++ = (uint8_t)((mod << 6) | regf | base);
    } else {
        /* RSP/R12 as base, or any index: SIB byte; index=100 means no index. */
        unsigned idx = m.index == X64_NOREG ? 4u : ((unsigned)m.index & 7u);
        if (m.index == X64_NOREG)
            ss = 0;
        *p++ = (uint8_t)((mod << 6) | regf | 4u);
        *p++ = (uint8_t)((ss << 6) | (idx << 3) | base);
    }
    if (mod == 1u)
        *p++ = (uint8_t)(int8_t)d8;
    else if (mod == 2u)
        p = x64__imm(p, 4, d);
    return p;
}

/* Completes an instruction written up to `end`: records the RIP-label fixup if any, then
 * commits the length. */
X64__INLINE void x64__commit(struct x64_buf *b, uint8_t *end, struct x64_mem m, uint8_t *disp_at)
{
    if (X64__UNLIKELY((m.flags & X64_MEM_RIP_LABEL) && disp_at != NULL)) {
        if (!x64__fixup_rip(b, m.label, (size_t)(disp_at - b->data), (size_t)(end - b->data)))
            return;
    }
    b->len = (size_t)(end - b->data);
}

/* The full legacy encoder: every case, byte by byte (the arguments are those of x64__legacy
 * below). Used out of line by x64__legacy_slow(). */
X64__INLINE void x64__legacy_full(struct x64_buf *b, unsigned upfx, uint32_t pfx, uint32_t opc,
                                  unsigned rexw, unsigned rmkind, unsigned reg, unsigned rm,
                                  struct x64_mem m, unsigned byteregs, unsigned imm_size,
                                  int64_t imm, unsigned imm2_size, int64_t imm2)
{
    if (X64__UNLIKELY(b->len >= b->limit) && x64__slow(b) == NULL)
        return;
    uint8_t *p = b->data + b->len;
    uint8_t *disp_at = NULL;
    unsigned rex = rexw;
    if (rmkind == X64__RM_REG || rmkind == X64__RM_MEM)
        rex |= (reg >> 1) & 4u; /* REX.R */
    if (rmkind == X64__RM_REG || rmkind == X64__RM_OPREG)
        rex |= (rm >> 3) & 1u; /* REX.B */
    else if (rmkind == X64__RM_MEM)
        rex |= x64__mem_xb(m);
    if (byteregs) {
        unsigned br = x64__byte_rex(byteregs, reg, rm);
        if (X64__UNLIKELY((br & X64__B8_HIGH) && (br & X64__B8_NEED || rex))) {
            x64_buf_fail(b, X64_ERR_HIGH8_REX, NULL);
            return;
        }
        rex |= br & X64__B8_NEED;
    }
    if ((rmkind == X64__RM_MEM || rmkind == X64__RM_MOFFS) && m.segment != 0)
        *p++ = x64__seg_byte(m.segment);
    if (upfx) {
        if ((pfx >> 24) != 0 && (pfx & 0xFFu) == 0x66u) {
            *p++ = 0x66;
            pfx = ((pfx >> 8) & 0xFFFFu) | (((pfx >> 24) - 1u) << 24);
        }
        *p++ = (uint8_t)upfx;
    }
    p = x64__put(p, pfx);
    if (rex)
        *p++ = (uint8_t)(0x40u | rex);
    if (rmkind == X64__RM_OPREG)
        opc += (rm & 7u) << (8u * ((opc >> 24) - 1u)); /* +rb/+rw/+rd/+ro: last opcode byte */
    p = x64__put(p, opc);
    if (rmkind == X64__RM_REG)
        *p++ = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
    else if (rmkind == X64__RM_MEM)
        p = x64__modrm_mem(p, reg, m, 1, &disp_at);
    else if (rmkind == X64__RM_MOFFS)
        p = x64__imm(p, 8, (int64_t)(((uint64_t)m.label << 32) | (uint32_t)m.disp));
    p = x64__imm(p, imm_size, imm);
    p = x64__imm(p, imm2_size, imm2);
    x64__commit(b, p, m, disp_at);
}

/* The full VEX encoder (arguments as x64__vex below), used out of line by x64__vex_slow(). */
X64__INLINE void x64__vex_full(struct x64_buf *b, unsigned map, unsigned pp, unsigned l, unsigned w,
                               unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv,
                               unsigned rm, struct x64_mem m, unsigned imm_size, int64_t imm)
{
    if (X64__UNLIKELY(b->len >= b->limit) && x64__slow(b) == NULL)
        return;
    uint8_t *p = b->data + b->len;
    uint8_t *disp_at = NULL;
    unsigned r = (reg >> 3) & 1u, xb = 0;
    if (rmkind == X64__RM_REG)
        xb = (rm >> 3) & 1u;
    else if (rmkind == X64__RM_MEM)
        xb = x64__mem_xb(m);
    if (rmkind == X64__RM_MEM && m.segment != 0)
        *p++ = x64__seg_byte(m.segment);
    unsigned tail = (w << 7) | ((~vvvv & 15u) << 3) | (l << 2) | pp;
    if (map == 1u && w == 0u && xb == 0u) {
        *p++ = 0xC5;
        *p++ = (uint8_t)(((r ^ 1u) << 7) | (tail & 0x7Fu));
    } else {
        *p++ = 0xC4;
        *p++ = (uint8_t)((((r << 2) | xb) ^ 7u) << 5 | map);
        *p++ = (uint8_t)tail;
    }
    *p++ = (uint8_t)opcode;
    if (rmkind == X64__RM_REG)
        *p++ = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
    else if (rmkind == X64__RM_MEM)
        p = x64__modrm_mem(p, reg, m, 1, &disp_at);
    p = x64__imm(p, imm_size, imm);
    x64__commit(b, p, m, disp_at);
}

/* EVEX encoding (SDM vol. 2, 2.7). Registers 0..31 in reg/vvvv/rm (and a VSIB index). map:
 * 1..3 as VEX, 5/6 for MAP5/MAP6; ll: vector length 0/1/2 (or the rounding control when
 * `bc` is set on a register form); aaa: opmask k0..k7; z: zeroing; bc: EVEX.b (broadcast,
 * rounding or SAE); n: disp8 scale N for this form and operand. */
X64__INLINE void x64__evex(struct x64_buf *b, unsigned map, unsigned pp, unsigned ll, unsigned w,
                           unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv,
                           unsigned rm, struct x64_mem m, unsigned aaa, unsigned z, unsigned bc,
                           unsigned n, unsigned imm_size, int64_t imm)
{
    if (X64__UNLIKELY(b->len >= b->limit) && x64__slow(b) == NULL)
        return;
    uint8_t *p = b->data + b->len;
    uint8_t *disp_at = NULL;
    unsigned r = (reg >> 3) & 1u, r2 = (reg >> 4) & 1u, x = 0, bb = 0, v2 = (vvvv >> 4) & 1u;
    if (rmkind == X64__RM_REG) {
        bb = (rm >> 3) & 1u;
        x = (rm >> 4) & 1u; /* EVEX.X extends a register rm to 32 registers */
    } else if (rmkind == X64__RM_MEM) {
        unsigned xb = x64__mem_xb(m);
        x = xb >> 1;
        bb = xb & 1u;
        if (m.index != X64_NOREG && m.index >= 16u)
            v2 = 1u; /* VSIB index 16..31 goes to EVEX.V' */
    }
    if (rmkind == X64__RM_MEM && m.segment != 0)
        *p++ = x64__seg_byte(m.segment);
    *p++ = 0x62;
    *p++ = (uint8_t)(((((r << 3) | (x << 2) | (bb << 1) | r2) ^ 15u) << 4) | (map & 7u));
    *p++ = (uint8_t)((w << 7) | ((~vvvv & 15u) << 3) | 4u | pp);
    *p++ = (uint8_t)((z << 7) | ((ll & 3u) << 5) | (bc << 4) | ((v2 ^ 1u) << 3) | (aaa & 7u));
    *p++ = (uint8_t)opcode;
    if (rmkind == X64__RM_REG)
        *p++ = (uint8_t)(0xC0u | ((reg & 7u) << 3) | (rm & 7u));
    else if (rmkind == X64__RM_MEM)
        p = x64__modrm_mem(p, reg, m, n, &disp_at);
    p = x64__imm(p, imm_size, imm);
    x64__commit(b, p, m, disp_at);
}

/* --- Fast paths --- */
/* The inline emitters build each instruction in one or two 64-bit registers and write them
 * with 8-byte stores, which may run up to 8 bytes past the instruction's end: the buffer keeps
 * X64__SLACK bytes after `limit`. Everything unusual (no room, an error, a listing hook, a
 * lock/rep prefix, a segment override, RIP-relative or absolute addresses, ah..bh) goes to the
 * out-of-line full encoders below, which write the same bytes. */

/* The out-of-line full encoders (buffer.c): x64__legacy_full / x64__vex_full after making
 * room. */
void x64__legacy_slow(struct x64_buf *b, unsigned upfx, uint32_t pfx, uint32_t opc, unsigned rexw,
                      unsigned rmkind, unsigned reg, unsigned rm, uint64_t mlo, uint64_t mhi,
                      unsigned byteregs, unsigned imm_size, int64_t imm, unsigned imm2_size,
                      int64_t imm2);
void x64__vex_slow(struct x64_buf *b, unsigned map, unsigned pp, unsigned l, unsigned w,
                   unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv, unsigned rm,
                   uint64_t mlo, uint64_t mhi, unsigned imm_size, int64_t imm);

/* A memory operand packed into two integers for the out-of-line calls: built from the fields
 * only on the cold path, so the inline fast path never stores the struct to memory. */
X64__INLINE uint64_t x64__mem_lo(struct x64_mem m)
{
    return (uint64_t)(uint32_t)m.disp | (uint64_t)m.base << 32 | (uint64_t)m.index << 40 |
           (uint64_t)m.scale << 48 | (uint64_t)m.segment << 56;
}

X64__INLINE uint64_t x64__mem_hi(struct x64_mem m)
{
    return (uint64_t)m.flags | (uint64_t)m.label << 32;
}

X64__INLINE struct x64_mem x64__mem_unpack(uint64_t lo, uint64_t hi)
{
    struct x64_mem m = {
        (int32_t)(uint32_t)lo, (uint8_t)(lo >> 32), (uint8_t)(lo >> 40), (uint8_t)(lo >> 48),
        (uint8_t)(lo >> 56),   (uint8_t)hi,         {0, 0, 0},           (uint32_t)(hi >> 32)};
    return m;
}

/* Little-endian 8-byte store at any alignment (x86-64 is little-endian). */
X64__INLINE void x64__st8(uint8_t *p, uint64_t v)
{
    x64__st8_(p, v);
}

/* Whether `m` takes the inline memory path: a base register, no segment, not RIP-relative. */
X64__INLINE bool x64__mem_simple(struct x64_mem m)
{
    return (m.flags | m.segment) == 0 && m.base != X64_NOREG;
}

/* The encoding tables of the inline writers (buffer.c), in one struct so that the emitters
 * address all of them from a single base register (position-independent code needs a `lea`
 * per table base). Entries are indexed by two register numbers, `reg << 4 | rm` (low 4 bits of
 * each), and hold little-endian bytes whose byte 0 is a REX byte (0x40 | REX.R | REX.B, or 0
 * when the pair needs none; testing it says whether the pair alone needs REX):
 *   rr2..4  register forms: ModRM (mod=11) `k` = 2..4 bytes above byte 0, where it lands after
 *           a REX byte and k-1 opcode bytes. One load and an OR replace the shifts and masks.
 *   mb2..4  memory operands with a base and no index, `rm` being the base: ModRM (mod=00) `k`
 *           bytes up, then the SIB byte RSP/R12 need; the ModRM/SIB length (1 or 2) in byte 7.
 *   mi2..4  the same with an index: ModRM and a SIB byte holding only its base field.
 *   xi2..4  indexed by the index register alone: REX.X (bit 1) and the SIB index field, to OR
 *           into an mi* entry.
 *   vr2/vr3 VEX register forms: byte 0 is C4 (vr3: always) or C5 (vr2: when REX.B is clear),
 *           then ~R (C5) or ~R ~X ~B (C4) in bits 7..5 of byte 1 and ModRM 3 (C5) or 4 (C4)
 *           bytes up; map, vvvv, L, pp and the opcode are OR'ed in by x64__vex_put(). */
struct x64__enc_tables {
    uint64_t rr2[256], rr3[256], rr4[256];
    uint64_t mb2[256], mb3[256], mb4[256];
    uint64_t mi2[256], mi3[256], mi4[256];
    uint64_t xi2[16], xi3[16], xi4[16];
    uint64_t vr2[256], vr3[256];
};
extern const struct x64__enc_tables x64__tab;

X64__INLINE uint64_t x64__rr(unsigned opc_bytes, unsigned reg, unsigned rm)
{
    unsigned i = ((reg << 4) + rm) & 0xFFu;
    return opc_bytes == 1u ? x64__tab.rr2[i] : opc_bytes == 2u ? x64__tab.rr3[i] : x64__tab.rr4[i];
}

/* The mb* (no index) or mi* entry of a simple memory operand for `opc_bytes` opcode bytes; the
 * caller adds mod, scale, index and REX.X. */
X64__INLINE uint64_t x64__rm_mem(unsigned opc_bytes, bool index, unsigned reg, unsigned base)
{
    unsigned i = ((reg << 4) | (base & 15u)) & 0xFFu;
    if (index)
        return opc_bytes == 1u   ? x64__tab.mi2[i]
               : opc_bytes == 2u ? x64__tab.mi3[i]
                                 : x64__tab.mi4[i];
    return opc_bytes == 1u ? x64__tab.mb2[i] : opc_bytes == 2u ? x64__tab.mb3[i] : x64__tab.mb4[i];
}

/* ModRM and SIB of a simple memory operand (see x64__mem_simple) packed little-endian, with
 * their length in *out_n, the displacement's length (0, 1 or 4) in *out_dn and REX.X/REX.B in
 * *out_xb. The caller stores the displacement itself. SDM vol. 2, 2.1.5. */
X64__INLINE uint64_t x64__mem_tail(unsigned reg, struct x64_mem m, unsigned *out_n,
                                   unsigned *out_dn, unsigned *out_xb)
{
    unsigned regf = (reg & 7u) << 3;
    unsigned base = (unsigned)m.base & 7u;
    int32_t d = m.disp;
    unsigned xb = ((unsigned)m.base >> 3) & 1u;
    unsigned dn, mod = x64__mod_disp(d, base, &dn);
    uint64_t t;
    unsigned n;
    if (m.index == X64_NOREG) {
        if (base != 4u) {
            t = mod | regf | base;
            n = 1;
        } else {
            /* RSP/R12 as base: SIB with index=100 (none). */
            t = mod | regf | 4u | (0x24u << 8);
            n = 2;
        }
    } else {
        unsigned ss = x64__ss(m.scale);
        unsigned idx = (unsigned)m.index;
        xb |= (idx >> 2) & 2u;
        t = mod | regf | 4u | (((ss << 6) | ((idx & 7u) << 3) | base) << 8);
        n = 2;
    }
    *out_n = n;
    *out_dn = dn;
    *out_xb = xb;
    return t;
}

/* Legacy (and REX) encoding.
 * upfx:   a lock/rep prefix byte from the caller (0 = none), placed after a leading 66 as GNU as.
 * pfx:    the table's legacy prefixes (66/F2/F3), packed.
 * opc:    opcode bytes including 0F / 0F 38 / 0F 3A, packed.
 * rexw:   8 for REX.W, else 0.
 * rmkind: X64__RM_*; reg: ModRM.reg register number or /digit; rm: register for REG/OPREG.
 * byteregs: X64__BYTE_* bits for 8-bit register operands.
 * imm_size/imm, imm2_size/imm2: trailing immediates (imm first).
 * x64__legacy_fast() says whether the inline writer x64__legacy_put() takes the instruction
 * (`br` is x64__byte_rex() of the 8-bit operands, or 0); it writes at `p` (offset `at`) with
 * 8-byte stores and returns the offset after the instruction. x64__legacy() (buffer) and
 * x64__legacy_c() (cursor) wrap the two. */
X64__INLINE bool x64__legacy_fast(unsigned upfx, unsigned rmkind, struct x64_mem m, unsigned br)
{
    return upfx == 0 && rmkind != X64__RM_MOFFS &&
           !(rmkind == X64__RM_MEM && X64__UNLIKELY(!x64__mem_simple(m))) &&
           !X64__UNLIKELY(br & X64__B8_HIGH);
}

/* The rest of an instruction once `w` holds its first `n` bytes (REX, opcode, ModRM, SIB) before
 * the legacy prefixes: the prefixes, one store, then for a memory operand (`mem`) the
 * displacement (`dn` bytes of `disp`, stored whole, maybe 0), and the immediates. Returns `at` plus
 * the length. x64__legacy_put() calls it at the end of each branch, where `n` is a constant (or a
 * table value plus one): the compiler then folds the new position into one `lea` there, where one
 * shared tail had to materialise `n` in every branch and add it after they merge. */
X64__INLINE size_t x64__legacy_end(uint8_t *const p, size_t at, uint64_t w, unsigned n,
                                   uint32_t pfx, bool mem, int32_t disp, unsigned dn,
                                   unsigned imm_size, int64_t imm, unsigned imm2_size, int64_t imm2)
{
    unsigned pn = pfx >> 24;
    x64__st8(p, (w << (8 * pn)) | (pfx & 0xFFFFFFu));
    n += pn;
    if (mem) {
        x64__st8(p + n, (uint64_t)(int64_t)disp);
        n += dn;
    }
    if (imm_size) {
        x64__st8(p + n, (uint64_t)imm);
        n += imm_size;
    }
    if (imm2_size) {
        x64__st8(p + n, (uint64_t)imm2);
        n += imm2_size;
    }
    return at + n;
}

/* Writes the instruction at `p`, which is `at` in the buffer; returns `at` plus its length. */
X64__INLINE size_t x64__legacy_put(uint8_t *const p, size_t at, uint32_t pfx, uint32_t opc,
                                   unsigned rexw, unsigned rmkind, unsigned reg, unsigned rm,
                                   struct x64_mem m, unsigned br, unsigned imm_size, int64_t imm,
                                   unsigned imm2_size, int64_t imm2)
{
    unsigned on = opc >> 24;
    unsigned rex = rexw | br; /* br is 0 or X64__B8_NEED here */
    if (rmkind == X64__RM_REG) {
        /* REX, opcode, ModRM from one table entry; without REX everything moves down a byte. */
        uint64_t e = x64__rr(on, reg, rm);
        if (rex != 0u || (uint8_t)e != 0u)
            return x64__legacy_end(p, at, 0x40u | rex | e | (uint64_t)(opc & 0xFFFFFFu) << 8,
                                   on + 2, pfx, false, 0, 0, imm_size, imm, imm2_size, imm2);
        return x64__legacy_end(p, at, (e >> 8) | (opc & 0xFFFFFFu), on + 1, pfx, false, 0, 0,
                               imm_size, imm, imm2_size, imm2);
    }
    if (rmkind != X64__RM_MEM) {
        if (rmkind == X64__RM_OPREG) {
            rex |= (rm >> 3) & 1u;                /* REX.B */
            opc += (rm & 7u) << (8u * (on - 1u)); /* +rb/+rw/+rd/+ro: last opcode byte */
        }
        if (rex)
            return x64__legacy_end(p, at, (uint64_t)(opc & 0xFFFFFFu) << 8 | 0x40u | rex, on + 1,
                                   pfx, false, 0, 0, imm_size, imm, imm2_size, imm2);
        return x64__legacy_end(p, at, opc & 0xFFFFFFu, on, pfx, false, 0, 0, imm_size, imm,
                               imm2_size, imm2);
    }
    /* REX, opcode, ModRM and SIB in one word: the entry's ModRM lands after the opcode; without
     * REX everything moves down a byte. Only the displacement is stored apart. */
    bool has_index = m.index != X64_NOREG;
    unsigned base = (unsigned)m.base & 7u;
    uint64_t e = x64__rm_mem(on, has_index, reg, m.base);
    unsigned k8 = 8u * (on + 1u); /* ModRM's bit position in the entry */
    int32_t d = m.disp;
    unsigned tn, dn;
    if (has_index) {
        unsigned ss = x64__ss(m.scale);
        unsigned xi = (unsigned)m.index & 15u;
        /* REX.X (a REX byte without 0x40 yet, see below) and the SIB's index and scale. */
        e |= on == 1u ? x64__tab.xi2[xi] : on == 2u ? x64__tab.xi3[xi] : x64__tab.xi4[xi];
        e |= (uint64_t)(ss << 6) << (k8 + 8u);
        tn = 2;
    } else {
        tn = (unsigned)(e >> 56);
    }
    e |= (uint64_t)x64__mod_disp(d, base, &dn) << k8;
    if (rex != 0u || (uint8_t)e != 0u)
        return x64__legacy_end(p, at, 0x40u | rex | e | (uint64_t)(opc & 0xFFFFFFu) << 8,
                               on + 1 + tn, pfx, true, d, dn, imm_size, imm, imm2_size, imm2);
    return x64__legacy_end(p, at, (e >> 8) | (opc & 0xFFFFFFu), on + tn, pfx, true, d, dn, imm_size,
                           imm, imm2_size, imm2);
}

X64__INLINE void x64__legacy(struct x64_buf *b, unsigned upfx, uint32_t pfx, uint32_t opc,
                             unsigned rexw, unsigned rmkind, unsigned reg, unsigned rm,
                             struct x64_mem m, unsigned byteregs, unsigned imm_size, int64_t imm,
                             unsigned imm2_size, int64_t imm2)
{
    uint8_t *data = b->data; /* read on both paths: see x64__len_sync */
    size_t len = b->len;
    unsigned br = byteregs ? x64__byte_rex(byteregs, reg, rm) : 0u;
    if (X64__UNLIKELY(len >= b->limit) || !x64__legacy_fast(upfx, rmkind, m, br)) {
        x64__len_sync(b, len);
        x64__legacy_slow(b, upfx, pfx, opc, rexw, rmkind, reg, rm, x64__mem_lo(m), x64__mem_hi(m),
                         byteregs, imm_size, imm, imm2_size, imm2);
        return;
    }
    b->len = x64__legacy_put(data + len, len, pfx, opc, rexw, rmkind, reg, rm, m, br, imm_size, imm,
                             imm2_size, imm2);
}

/* VEX encoding (SDM vol. 2, 2.3). map: 1=0F 2=0F38 3=0F3A; pp: 0 none,1 66,2 F3,3 F2; l: VEX.L;
 * w: VEX.W; vvvv: the extra source register (0 when unused). The 2-byte C5 form is used when
 * map=0F, W=0 and X=B=0, as GNU as does. imm carries /is4 registers in bits 7:4.
 * x64__vex_fast() and x64__vex_put() split it as for the legacy encoding above. */
X64__INLINE bool x64__vex_fast(unsigned rmkind, struct x64_mem m)
{
    return rmkind != X64__RM_MOFFS && rmkind != X64__RM_OPREG &&
           !(rmkind == X64__RM_MEM && X64__UNLIKELY(!x64__mem_simple(m)));
}

/* The end of a VEX register form: `v` holds its `n` bytes up to ModRM (see x64__legacy_end). */
X64__INLINE size_t x64__vex_end(uint8_t *const p, size_t at, uint64_t v, unsigned n,
                                unsigned imm_size, int64_t imm)
{
    x64__st8(p, v);
    if (imm_size)
        x64__st8(p + n, (uint64_t)imm);
    return at + n + imm_size;
}

/* Writes the instruction at `p`, which is `at` in the buffer; returns `at` plus its length. */
X64__INLINE size_t x64__vex_put(uint8_t *const p, size_t at, unsigned map, unsigned pp, unsigned l,
                                unsigned w, unsigned opcode, unsigned rmkind, unsigned reg,
                                unsigned vvvv, unsigned rm, struct x64_mem m, unsigned imm_size,
                                int64_t imm)
{
    size_t off = 0; /* bytes written so far */
    unsigned r = (reg >> 3) & 1u, xb = 0, tn = 0, dn = 0;
    uint64_t tail = 0;
    unsigned last = (w << 7) | ((~vvvv & 15u) << 3) | (l << 2) | pp;
    uint64_t v;
    unsigned n;
    if (rmkind == X64__RM_REG) {
        /* Prefix bytes and ModRM from one table entry; C5 when map=0F, W=0 and B=0. */
        unsigned i = (((reg & 15u) << 4) | (rm & 15u)) & 0xFFu;
        uint64_t e = map == 1u && w == 0u ? x64__tab.vr2[i] : x64__tab.vr3[i];
        if (e & 1u)
            return x64__vex_end(p, at, e | (uint64_t)last << 8 | (uint64_t)opcode << 16, 4,
                                imm_size, imm);
        return x64__vex_end(p, at,
                            e | (uint64_t)map << 8 | (uint64_t)last << 16 | (uint64_t)opcode << 24,
                            5, imm_size, imm);
    }
    if (rmkind == X64__RM_MEM)
        tail = x64__mem_tail(reg, m, &tn, &dn, &xb);
    if (map == 1u && w == 0u && xb == 0u) {
        v = 0xC5u | ((uint64_t)(((r ^ 1u) << 7) | (last & 0x7Fu)) << 8) | ((uint64_t)opcode << 16);
        n = 3;
    } else {
        v = 0xC4u | ((uint64_t)(((((r << 2) | xb) ^ 7u) << 5) | map) << 8) |
            ((uint64_t)last << 16) | ((uint64_t)opcode << 24);
        n = 4;
    }
    x64__st8(p + off, v);
    off += n;
    x64__st8(p + off, tail);
    off += tn;
    if (rmkind == X64__RM_MEM) {
        x64__st8(p + off, (uint64_t)(int64_t)m.disp);
        off += dn;
    }
    if (imm_size) {
        x64__st8(p + off, (uint64_t)imm);
        off += imm_size;
    }
    return at + off;
}

X64__INLINE void x64__vex(struct x64_buf *b, unsigned map, unsigned pp, unsigned l, unsigned w,
                          unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv,
                          unsigned rm, struct x64_mem m, unsigned imm_size, int64_t imm)
{
    uint8_t *data = b->data; /* read on both paths: see x64__len_sync */
    size_t len = b->len;
    if (X64__UNLIKELY(len >= b->limit) || !x64__vex_fast(rmkind, m)) {
        x64__len_sync(b, len);
        x64__vex_slow(b, map, pp, l, w, opcode, rmkind, reg, vvvv, rm, x64__mem_lo(m),
                      x64__mem_hi(m), imm_size, imm);
        return;
    }
    b->len = x64__vex_put(data + len, len, map, pp, l, w, opcode, rmkind, reg, vvvv, rm, m,
                          imm_size, imm);
}

/* --- Cursor versions (struct x64_cur, buffer.h) --- */
/* The same split for x64c_* emitters: the inline writer at `base + pos`, or, when the cursor is
 * at its limit or the operands need the full encoder, the out-of-line path on the buffer itself
 * (len committed first, the cursor reloaded after). They return X64__CUR_FAST when written
 * inline, else the instruction's start offset for the listing hook. */
#define X64__CUR_FAST SIZE_MAX

X64__INLINE size_t x64__legacy_c(struct x64_cur *c, unsigned upfx, uint32_t pfx, uint32_t opc,
                                 unsigned rexw, unsigned rmkind, unsigned reg, unsigned rm,
                                 struct x64_mem m, unsigned byteregs, unsigned imm_size,
                                 int64_t imm, unsigned imm2_size, int64_t imm2)
{
    size_t pos = c->pos;
    unsigned br = byteregs ? x64__byte_rex(byteregs, reg, rm) : 0u;
    if (X64__UNLIKELY(pos >= c->limit) || !x64__legacy_fast(upfx, rmkind, m, br)) {
        c->b->len = pos;
        x64__legacy_slow(c->b, upfx, pfx, opc, rexw, rmkind, reg, rm, x64__mem_lo(m),
                         x64__mem_hi(m), byteregs, imm_size, imm, imm2_size, imm2);
        x64__cur_load(c);
        return pos;
    }
    c->pos = x64__legacy_put(c->base + pos, pos, pfx, opc, rexw, rmkind, reg, rm, m, br, imm_size,
                             imm, imm2_size, imm2);
    return X64__CUR_FAST;
}

X64__INLINE size_t x64__vex_c(struct x64_cur *c, unsigned map, unsigned pp, unsigned l, unsigned w,
                              unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv,
                              unsigned rm, struct x64_mem m, unsigned imm_size, int64_t imm)
{
    size_t pos = c->pos;
    if (X64__UNLIKELY(pos >= c->limit) || !x64__vex_fast(rmkind, m)) {
        c->b->len = pos;
        x64__vex_slow(c->b, map, pp, l, w, opcode, rmkind, reg, vvvv, rm, x64__mem_lo(m),
                      x64__mem_hi(m), imm_size, imm);
        x64__cur_load(c);
        return pos;
    }
    c->pos = x64__vex_put(c->base + pos, pos, map, pp, l, w, opcode, rmkind, reg, vvvv, rm, m,
                          imm_size, imm);
    return X64__CUR_FAST;
}

/* EVEX has no inline writer: a cursor emitter always takes the full encoder on the buffer. */
X64__INLINE size_t x64__evex_c(struct x64_cur *c, unsigned map, unsigned pp, unsigned ll,
                               unsigned w, unsigned opcode, unsigned rmkind, unsigned reg,
                               unsigned vvvv, unsigned rm, struct x64_mem m, unsigned aaa,
                               unsigned z, unsigned bc, unsigned n, unsigned imm_size, int64_t imm)
{
    size_t pos = c->pos;
    c->b->len = pos;
    x64__evex(c->b, map, pp, ll, w, opcode, rmkind, reg, vvvv, rm, m, aaa, z, bc, n, imm_size, imm);
    x64__cur_load(c);
    return pos;
}

/* --- Listing support for the typed emitters --- */
/* The hook call is out of line and rebuilds the operands from the form table. A listing hook
 * sets `limit` to 0, so only an emit that saw `len >= limit` (the test the encoders make first,
 * which the compiler shares) can need it: the fast path tests nothing more. Register and
 * immediate operands travel as integers, a memory operand by address. */
void x64__list(struct x64_buf *b, enum x64_form form, size_t start, int64_t a0, int64_t a1,
               int64_t a2, int64_t a3, const struct x64_mem *mem);
/* x64__list with the memory operand packed (x64__mem_lo/hi); has_mem says whether there is one. */
void x64__list_packed(struct x64_buf *b, enum x64_form form, size_t start, int64_t a0, int64_t a1,
                      int64_t a2, int64_t a3, bool has_mem, uint64_t mlo, uint64_t mhi);
#ifndef X64_NO_LISTING
#define X64__LIST_BEGIN(b)                                                                         \
    size_t x64__start = (b)->len;                                                                  \
    bool x64__slowed = x64__start >= (b)->limit
#define X64__LIST(b, form, a0, a1, a2, a3, mem)                                                    \
    do {                                                                                           \
        if (X64__UNLIKELY(x64__slowed) && (b)->listing != NULL)                                    \
            x64__list_packed((b), (form), x64__start, (a0), (a1), (a2), (a3), X64__LISTMEM_##mem); \
    } while (0)
/* The generator passes `NOMEM` or `MEM(name)` as the memory argument. */
#define X64__LISTMEM_NOMEM     false, 0u, 0u
#define X64__LISTMEM_MEM(name) true, x64__mem_lo(name), x64__mem_hi(name)
/* The cursor emitters' form: `s` is what x64__legacy_c() and friends returned. */
#define X64__CLIST(c, s, form, a0, a1, a2, a3, mem)                                                \
    do {                                                                                           \
        if (X64__UNLIKELY((s) != X64__CUR_FAST) && (c)->b->listing != NULL)                        \
            x64__list_packed((c)->b, (form), (s), (a0), (a1), (a2), (a3), X64__LISTMEM_##mem);     \
    } while (0)
#else
#define X64__LIST_BEGIN(b)                          ((void)0)
#define X64__LIST(b, form, a0, a1, a2, a3, mem)     ((void)0)
#define X64__CLIST(c, s, form, a0, a1, a2, a3, mem) ((void)(s))
#endif

#endif /* X64_ENCODE_H */
