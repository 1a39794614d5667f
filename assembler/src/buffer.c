/* SPDX-License-Identifier: Apache-2.0 */
/* Bytes and the sticky status: growth, raw data, the single error entry point, the listing
 * hook. Labels, the constant pool and the finishing pass live in labels.c. */
#include "x64/buffer.h"

#include "buf_priv.h"
#include "x64/encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room the inline emitters need at `len` (see X64__SLACK in encode.h). */
#define SLACK       X64__SLACK
#define DEFAULT_CAP 16384u /* a typical JIT function fits without regrowing */
/* rel32 displacements must reach across the whole buffer. */
#define MAX_CODE ((size_t)1 << 30)

static const char *const status_text[] = {
#define X64_STATUS_TEXT_(name, msg) msg,
    X64_STATUS_LIST(X64_STATUS_TEXT_)
#undef X64_STATUS_TEXT_
};

const char *x64_status_str(enum x64_status s)
{
    if ((unsigned)s >= X64_STATUS_COUNT)
        return "unknown status";
    return status_text[s];
}

bool x64__grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

bool x64__grow_first(void **arr, const void *first, size_t *cap, size_t need, size_t elem)
{
    if (*arr != first)
        return x64__grow_array(arr, cap, need, elem);
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *p = malloc(n * elem);
    if (p == NULL)
        return false;
    memcpy(p, first, *cap * elem);
    *arr = p;
    *cap = n;
    return true;
}

enum x64_status x64_buf_init(struct x64_buf *b, size_t initial_cap)
{
    if (b == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    memset(b, 0, sizeof *b);
    size_t cap = initial_cap < DEFAULT_CAP ? DEFAULT_CAP : initial_cap;
    b->priv = malloc(sizeof *b->priv);
    b->data = malloc(cap);
    if (b->priv == NULL || b->data == NULL) {
        free(b->data);
        free(b->priv);
        b->data = NULL;
        b->priv = NULL;
        b->status = X64_ERR_NO_MEMORY;
        return b->status;
    }
    /* Everything but the built-in first arrays, which need no clearing. */
    memset(b->priv, 0, offsetof(struct x64_buf_priv, labels0));
    b->cap = cap;
    b->status = X64_OK;
    x64__update_limit(b);
    struct x64__labels *lb = &b->priv->lb;
    lb->labels = b->priv->labels0;
    lb->cap_labels = sizeof b->priv->labels0 / sizeof b->priv->labels0[0];
    /* Room for the first jumps, so that the inline jump path needs no growth check call. */
    lb->jr = b->priv->jr0;
    lb->cap_jr = lb->jd = sizeof b->priv->jr0 / sizeof b->priv->jr0[0];
    /* Label id 0 is the "no label" value returned on error. */
    lb->labels[0] = X64__NOLABEL;
    lb->nlabels = 1;
    return X64_OK;
}

void x64_buf_free(struct x64_buf *b)
{
    if (b == NULL)
        return;
    if (b->priv != NULL) {
        if (b->priv->lb.labels != b->priv->labels0)
            free(b->priv->lb.labels);
        if (b->priv->lb.jr != b->priv->jr0)
            free(b->priv->lb.jr);
        free(b->priv->lb.fx);
        free(b->priv->al);
        free(b->priv->pool);
        free(b->priv->pe);
        free(b->priv->relocs);
        free(b->priv->listed);
        free(b->priv);
    }
    free(b->data);
    memset(b, 0, sizeof *b);
}

enum x64_status x64_buf_fail(struct x64_buf *b, enum x64_status s, const char *fmt, ...)
{
    if (b == NULL)
        return s;
    if (b->status != X64_OK || s == X64_OK)
        return b->status;
    b->status = s;
    b->limit = 0;
    if (b->priv != NULL) {
        char *msg = b->priv->error;
        size_t cap = sizeof b->priv->error;
        if (fmt != NULL) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(msg, cap, fmt, ap);
            va_end(ap);
        } else {
            snprintf(msg, cap, "%s", x64_status_str(s));
        }
    }
    return s;
}

const char *x64_buf_error(const struct x64_buf *b)
{
    if (b == NULL)
        return "invalid argument";
    if (b->status == X64_OK)
        return "";
    if (b->priv == NULL || b->priv->error[0] == '\0')
        return x64_status_str(b->status);
    return b->priv->error;
}

void x64__update_limit(struct x64_buf *b)
{
    bool open = b->status == X64_OK && b->priv != NULL && !b->priv->finished && b->cap > SLACK;
    /* With a listing hook every emit takes the slow path, which calls it. */
    b->limit = open && b->listing == NULL ? b->cap - SLACK : 0;
}

static bool grow_to(struct x64_buf *b, size_t need)
{
    if (need > MAX_CODE) {
        x64_buf_fail(b, X64_ERR_TOO_LARGE, "code larger than %zu bytes", (size_t)MAX_CODE);
        return false;
    }
    size_t cap = b->cap ? b->cap : DEFAULT_CAP;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    b->data = p;
    b->cap = cap;
    x64__update_limit(b);
    return true;
}

uint8_t *x64__slow(struct x64_buf *b)
{
    if (b->status != X64_OK)
        return NULL;
    if (b->priv == NULL || b->data == NULL) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "buffer not initialised");
        return NULL;
    }
    if (b->priv->finished) {
        x64_buf_fail(b, X64_ERR_FINISHED, "emit after x64_buf_finish()");
        return NULL;
    }
    if (b->cap - b->len < 2 * SLACK && !grow_to(b, b->len + 2 * SLACK))
        return NULL;
    return b->data + b->len;
}

bool x64_buf_reserve(struct x64_buf *b, size_t n)
{
    if (b == NULL || x64__slow(b) == NULL)
        return false;
    if (b->cap - b->len < n + SLACK)
        return grow_to(b, b->len + n + SLACK);
    return true;
}

void x64_bytes(struct x64_buf *b, const void *data, size_t n)
{
    if (n == 0 || !x64_buf_reserve(b, n))
        return;
    if (data == NULL) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "x64_bytes: NULL data");
        return;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void x64_data8(struct x64_buf *b, uint8_t v)
{
    x64_bytes(b, &v, 1);
}

void x64_data16(struct x64_buf *b, uint16_t v)
{
    uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    x64_bytes(b, t, 2);
}

void x64_data32(struct x64_buf *b, uint32_t v)
{
    uint8_t t[4];
    for (unsigned i = 0; i < 4; i++)
        t[i] = (uint8_t)(v >> (8 * i));
    x64_bytes(b, t, 4);
}

void x64_data64(struct x64_buf *b, uint64_t v)
{
    uint8_t t[8];
    for (unsigned i = 0; i < 8; i++)
        t[i] = (uint8_t)(v >> (8 * i));
    x64_bytes(b, t, 8);
}

void x64_buf_set_shrink_jumps(struct x64_buf *b, bool on)
{
    if (b != NULL && b->priv != NULL)
        b->priv->shrink = on;
}

bool x64_buf_is_finished(const struct x64_buf *b)
{
    return b != NULL && b->priv != NULL && b->priv->finished && b->status == X64_OK;
}

void x64_buf_set_listing(struct x64_buf *b, x64_listing_fn fn, void *ctx)
{
    if (b == NULL)
        return;
    b->listing = fn;
    b->listing_ctx = ctx;
    x64__update_limit(b);
}

/* --- Out-of-line paths of the inline emitters (encode.h) --- */

/* Entry i = reg << 4 | rm: the REX byte (0x40 | REX.R | REX.B) when either is set, else 0;
 * ModRM with mod=11 `k` bytes up. */
#define RR_REX(i) ((((i) >> 5) & 4u) | (((i) >> 3) & 1u))
#define RR(k, i)                                                                                   \
    ((RR_REX(i) != 0u ? 0x40u | RR_REX(i) : 0u) |                                                  \
     ((uint64_t)(0xC0u | (((i) >> 1) & 0x38u) | ((i)&7u)) << (8 * (k))))
#define RR4(k, i)  RR(k, i), RR(k, (i) + 1u), RR(k, (i) + 2u), RR(k, (i) + 3u)
#define RR16(k, i) RR4(k, i), RR4(k, (i) + 4u), RR4(k, (i) + 8u), RR4(k, (i) + 12u)
#define RR64(k, i) RR16(k, i), RR16(k, (i) + 16u), RR16(k, (i) + 32u), RR16(k, (i) + 48u)
#define RR256(k)   RR64(k, 0u), RR64(k, 64u), RR64(k, 128u), RR64(k, 192u)

/* Entry i = reg << 4 | base of a memory operand with mod=00 (x64__tab.mb2..4 without an index,
 * x64__tab.mi2..4 with one): the REX byte (0x40 | REX.R | REX.B) when either is set, else 0; ModRM
 * `k` bytes up, then the SIB byte when there is one (its base field only, with an index); in
 * x64__tab.mb* the ModRM/SIB length (1 or 2) in byte 7. RSP/R12 as base need a SIB byte
 * (SDM vol. 2, 2.1.5). */
#define MB_B4(i) (((i)&7u) == 4u)
#define MB(k, i)                                                                                   \
    ((RR_REX(i) != 0u ? 0x40u | RR_REX(i) : 0u) |                                                  \
     ((uint64_t)((((i) >> 1) & 0x38u) | ((i)&7u)) << (8 * (k))) |                                  \
     (MB_B4(i) ? (uint64_t)0x24u << (8 * (k) + 8) | (uint64_t)2u << 56 : (uint64_t)1u << 56))
#define MI(k, i)                                                                                   \
    ((RR_REX(i) != 0u ? 0x40u | RR_REX(i) : 0u) |                                                  \
     ((uint64_t)((((i) >> 1) & 0x38u) | 4u) << (8 * (k))) | ((uint64_t)((i)&7u) << (8 * (k) + 8)))
#define MB4(k, i)  MB(k, i), MB(k, (i) + 1u), MB(k, (i) + 2u), MB(k, (i) + 3u)
#define MB16(k, i) MB4(k, i), MB4(k, (i) + 4u), MB4(k, (i) + 8u), MB4(k, (i) + 12u)
#define MB64(k, i) MB16(k, i), MB16(k, (i) + 16u), MB16(k, (i) + 32u), MB16(k, (i) + 48u)
#define MB256(k)   MB64(k, 0u), MB64(k, 64u), MB64(k, 128u), MB64(k, 192u)
#define MI4(k, i)  MI(k, i), MI(k, (i) + 1u), MI(k, (i) + 2u), MI(k, (i) + 3u)
#define MI16(k, i) MI4(k, i), MI4(k, (i) + 4u), MI4(k, (i) + 8u), MI4(k, (i) + 12u)
#define MI64(k, i) MI16(k, i), MI16(k, (i) + 16u), MI16(k, (i) + 32u), MI16(k, (i) + 48u)
#define MI256(k)   MI64(k, 0u), MI64(k, 64u), MI64(k, 128u), MI64(k, 192u)

/* Entry i = index register (0..15): REX.X in bit 1 and the SIB byte's index field `k` + 1 bytes
 * up, to OR into an x64__tab.mi* entry. */
#define XI(k, i)  ((((i) >> 2) & 2u) | (uint64_t)(((i)&7u) << 3) << (8 * (k) + 8))
#define XI4(k, i) XI(k, i), XI(k, (i) + 1u), XI(k, (i) + 2u), XI(k, (i) + 3u)
#define XI16(k)   XI4(k, 0u), XI4(k, 4u), XI4(k, 8u), XI4(k, 12u)

/* Entry i = reg << 4 | rm of a VEX register form: the 3-byte form C4, ~R ~X ~B in bits 7..5 of
 * the next byte (map, vvvv and the opcode are OR'ed in by x64__vex_put()) and ModRM 4 bytes up;
 * in VR2 the 2-byte form C5, ~R in bit 7 of the next byte and ModRM 3 bytes up, whenever B is
 * clear (SDM vol. 2, 2.3.5). */
#define VR_MODRM(i) ((uint64_t)(0xC0u | (((i) >> 1) & 0x38u) | ((i)&7u)))
#define VR3(i)                                                                                     \
    (0xC4u | (uint64_t)((((i) >> 7) ^ 1u) << 7 | 1u << 6 | ((((i) >> 3) & 1u) ^ 1u) << 5) << 8 |   \
     VR_MODRM(i) << 32)
#define VR2(i)                                                                                     \
    (((i)&8u) ? VR3(i) : 0xC5u | (uint64_t)((((i) >> 7) ^ 1u) << 7) << 8 | VR_MODRM(i) << 24)
#define VR4(f, i)  f(i), f((i) + 1u), f((i) + 2u), f((i) + 3u)
#define VR16(f, i) VR4(f, i), VR4(f, (i) + 4u), VR4(f, (i) + 8u), VR4(f, (i) + 12u)
#define VR64(f, i) VR16(f, i), VR16(f, (i) + 16u), VR16(f, (i) + 32u), VR16(f, (i) + 48u)
#define VR256(f)   VR64(f, 0u), VR64(f, 64u), VR64(f, 128u), VR64(f, 192u)

const struct x64__enc_tables x64__tab = {
    .rr2 = {RR256(2)},
    .rr3 = {RR256(3)},
    .rr4 = {RR256(4)},
    .mb2 = {MB256(2)},
    .mb3 = {MB256(3)},
    .mb4 = {MB256(4)},
    .mi2 = {MI256(2)},
    .mi3 = {MI256(3)},
    .mi4 = {MI256(4)},
    .xi2 = {XI16(2)},
    .xi3 = {XI16(3)},
    .xi4 = {XI16(4)},
    .vr2 = {VR256(VR2)},
    .vr3 = {VR256(VR3)},
};

void x64__list_packed(struct x64_buf *b, enum x64_form form, size_t start, int64_t a0, int64_t a1,
                      int64_t a2, int64_t a3, bool has_mem, uint64_t mlo, uint64_t mhi)
{
    struct x64_mem m = x64__mem_unpack(mlo, mhi);
    x64__list(b, form, start, a0, a1, a2, a3, has_mem ? &m : NULL);
}

void x64__legacy_slow(struct x64_buf *b, unsigned upfx, uint32_t pfx, uint32_t opc, unsigned rexw,
                      unsigned rmkind, unsigned reg, unsigned rm, uint64_t mlo, uint64_t mhi,
                      unsigned byteregs, unsigned imm_size, int64_t imm, unsigned imm2_size,
                      int64_t imm2)
{
    if (b->len >= b->limit && x64__slow(b) == NULL)
        return;
    struct x64_mem m = x64__mem_unpack(mlo, mhi);
    x64__legacy_full(b, upfx, pfx, opc, rexw, rmkind, reg, rm, m, byteregs, imm_size, imm,
                     imm2_size, imm2);
}

void x64__vex_slow(struct x64_buf *b, unsigned map, unsigned pp, unsigned l, unsigned w,
                   unsigned opcode, unsigned rmkind, unsigned reg, unsigned vvvv, unsigned rm,
                   uint64_t mlo, uint64_t mhi, unsigned imm_size, int64_t imm)
{
    if (b->len >= b->limit && x64__slow(b) == NULL)
        return;
    struct x64_mem m = x64__mem_unpack(mlo, mhi);
    x64__vex_full(b, map, pp, l, w, opcode, rmkind, reg, vvvv, rm, m, imm_size, imm);
}

void x64__listing(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops,
                  unsigned nops, size_t start)
{
    if (b->listing == NULL || b->status != X64_OK || b->len <= start)
        return;
    struct x64_buf_priv *pv = b->priv;
    if (pv != NULL && pv->shrink && !pv->finished) {
        /* Shrinking moves code: x64_buf_finish() reports it with the final offsets. */
        if (!x64__grow_array((void **)&pv->listed, &pv->cap_listed, pv->nlisted + 1,
                             sizeof *pv->listed)) {
            x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
            return;
        }
        struct x64_listed *e = &pv->listed[pv->nlisted++];
        e->form = form;
        e->nops = nops < 4 ? nops : 4;
        e->start = start;
        e->end = b->len;
        if (e->nops > 0)
            memcpy(e->ops, ops, e->nops * sizeof *ops);
        return;
    }
    b->listing(b->listing_ctx, b, form, ops, nops, start, b->len);
}

/* --- NOPs --- */

/* Recommended multi-byte NOPs (SDM vol. 2B, NOP; 10 and 11 bytes as GNU as pads). */
static const uint8_t nop_table[11][11] = {
    {0x90},
    {0x66, 0x90},
    {0x0F, 0x1F, 0x00},
    {0x0F, 0x1F, 0x40, 0x00},
    {0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
    {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
};

void x64__nop_bytes(uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n > 11 ? 11 : n;
        memcpy(p, nop_table[k - 1], k);
        p += k;
        n -= k;
    }
}

void x64_nop_n(struct x64_buf *b, size_t n)
{
    if (n == 0 || !x64_buf_reserve(b, n))
        return;
    x64__nop_bytes(b->data + b->len, n);
    b->len += n;
}
