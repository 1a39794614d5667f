/* SPDX-License-Identifier: Apache-2.0 */
/* Labels and everything resolved at finish: jumps (rel8/rel32 and the shrinking pass), label
 * data for jump tables, alignment padding, the constant pool and RIP-relative references. */
#include "buf_priv.h"
#include "x64/buffer.h"
#include "x64/encode.h"
#include "x64/gen/mnemonics.h"

#include <stdlib.h>
#include <string.h>

/* --- Labels --- */

#define MAX_LABELS (((size_t)1 << 30) - 1)

struct x64_label x64__label_new_slow(struct x64_buf *b)
{
    struct x64_label l = {0};
    if (b == NULL || b->status != X64_OK || b->priv == NULL)
        return l;
    struct x64_buf_priv *pv = b->priv;
    if (pv->lb.nlabels >= pv->lb.cap_labels &&
        (pv->lb.nlabels >= MAX_LABELS ||
         !x64__grow_first((void **)&pv->lb.labels, pv->labels0, &pv->lb.cap_labels,
                          pv->lb.nlabels + 1, sizeof(x64__slot)))) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return l;
    }

    /* Ids stay below 2^30 (they share a word with an offset in the jump records, see
     * x64__jrec); the inline x64_label_new() relies on nlabels < cap_labels <= MAX_LABELS. */
    if (pv->lb.cap_labels > MAX_LABELS)
        pv->lb.cap_labels = MAX_LABELS;
    pv->lb.labels[pv->lb.nlabels] = X64__UNBOUND;
    l.id = (uint32_t)pv->lb.nlabels++;
    return l;
}

static inline bool check_label(struct x64_buf *b, struct x64_label l)
{
    if (b->status != X64_OK)
        return false;
    if (!x64__label_valid(b, l.id)) {
        x64_buf_fail(b, X64_ERR_LABEL_INVALID, "invalid label id %u", (unsigned)l.id);
        return false;
    }
    return true;
}

void x64__label_bind_slow(struct x64_buf *b, struct x64_label l)
{
    if (b == NULL || !check_label(b, l))
        return;
    if (b->priv->finished) {
        x64_buf_fail(b, X64_ERR_FINISHED, "label bound after x64_buf_finish()");
        return;
    }
    if (b->priv->lb.labels[l.id] != X64__UNBOUND) {
        x64_buf_fail(b, X64_ERR_LABEL_REBOUND, "label %u bound twice", (unsigned)l.id);
        return;
    }
    b->priv->lb.labels[l.id] = b->len;
}

bool x64_label_offset(const struct x64_buf *b, struct x64_label l, size_t *out_offset)
{
    if (b == NULL || !x64__label_valid(b, l.id) || b->priv->lb.labels[l.id] == X64__UNBOUND)
        return false;
    if (out_offset != NULL)
        *out_offset = b->priv->lb.labels[l.id];
    return true;
}

bool x64__add_fixup(struct x64_buf *b, const struct x64__fixup *f)
{
    struct x64_buf_priv *pv = b->priv;
    if (pv->lb.nfx < pv->lb.cap_fx) { /* fast path: no call */
        pv->lb.fx[pv->lb.nfx++] = *f;
        return true;
    }
    if (!x64__grow_array((void **)&pv->lb.fx, &pv->lb.cap_fx, pv->lb.nfx + 1, sizeof *pv->lb.fx)) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    pv->lb.fx[pv->lb.nfx++] = *f;
    return true;
}

bool x64__fixup_rip(struct x64_buf *b, uint32_t label_id, size_t disp_pos, size_t end)
{
    if (!x64__label_valid(b, label_id)) {
        x64_buf_fail(b, X64_ERR_LABEL_INVALID, "invalid label id %u in a RIP-relative operand",
                     (unsigned)label_id);
        return false;
    }
    /* The disp32 field holds the caller's addend until the label is resolved. */
    const uint8_t *d = b->data + disp_pos;
    uint32_t add =
        (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
    struct x64__fixup f = {disp_pos, end, 0, label_id, 0, (int32_t)add, FX_REL32, JK_NONE, 0, 0};
    return x64__add_fixup(b, &f);
}

/* --- Jumps --- */

static inline void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* x86-64 is little-endian */
}

/* x64__add_fixup with its fast path inlined. */
static inline bool add_fixup(struct x64_buf *b, const struct x64__fixup *f)
{
    struct x64_buf_priv *pv = b->priv;
    if (pv->lb.nfx < pv->lb.cap_fx) {
        pv->lb.fx[pv->lb.nfx++] = *f;
        return true;
    }
    return x64__add_fixup(b, f);
}

enum { J_JMP = X64__J_JMP, J_JCC = X64__J_JCC, J_CALL = X64__J_CALL };

static inline void listing_jump(struct x64_buf *b, enum x64_form form, struct x64_label l,
                                size_t start)
{
#ifndef X64_NO_LISTING
    if (b->listing != NULL) {
        struct x64_operand op = x64_op_label(l);
        x64__listing(b, form, &op, 1, start);
    }
#else
    (void)b, (void)form, (void)l, (void)start;
#endif
}

static inline void jump(struct x64_buf *b, int kind, enum x64_cc cc, struct x64_label l,
                        bool force_short)
{
    if (b == NULL || !check_label(b, l))
        return;
    if (b->len >= b->limit && x64__slow(b) == NULL)
        return;
    uint8_t *p = b->data + b->len;
    unsigned c = (unsigned)cc & 15u;
    size_t start = b->len;
    size_t target = b->priv->lb.labels[l.id];
    bool is_short = force_short;
    if (kind != J_CALL && target != X64__UNBOUND) {
        /* Backward: rel8 when it fits (rel from the end of the 2-byte form). */
        long long rel = (long long)target - (long long)(start + 2);
        if (rel >= -128 && rel <= 127)
            is_short = true;
    }
    if (kind == J_CALL)
        is_short = false;
    struct x64__fixup f = {0, 0, start, l.id, 0, 0, FX_REL8, JK_NONE, (uint8_t)c, 0};
    size_t n;
    enum x64_form form;
    if (is_short) {
        p[0] = kind == J_JMP ? 0xEB : (uint8_t)(0x70u + c);
        p[1] = 0;
        n = 2;
        f.pos = start + 1;
        form = kind == J_JMP ? X64_FORM_JMP_REL8 : (enum x64_form)(X64_FORM_JO_REL8 + c);
    } else if (kind == J_JCC) {
        p[0] = 0x0F;
        p[1] = (uint8_t)(0x80u + c);
        put32(p + 2, 0);
        n = 6;
        f.pos = start + 2;
        f.kind = FX_REL32;
        f.jkind = JK_JCC;
        form = (enum x64_form)(X64_FORM_JO_REL32 + c);
    } else {
        p[0] = kind == J_JMP ? 0xE9 : 0xE8;
        put32(p + 1, 0);
        n = 5;
        f.pos = start + 1;
        f.kind = FX_REL32;
        f.jkind = kind == J_JMP ? JK_JMP : JK_NONE;
        form = kind == J_JMP ? X64_FORM_JMP_REL32 : X64_FORM_CALL_REL32;
    }
    f.end = start + n;
    if (target != X64__UNBOUND) {
        f.kind |= X64__FX_DONE; /* complete now: finishing skips it unless code moves */
        long long rel = (long long)target - (long long)f.end;
        if (is_short) {
            if (rel < -128 || rel > 127) {
                x64_buf_fail(b, X64_ERR_JUMP_RANGE, "short jump to label %u: distance %lld",
                             (unsigned)l.id, rel);
                return;
            }
            p[n - 1] = (uint8_t)(int8_t)rel;
        } else {
            put32(p + n - 4, (uint32_t)(int32_t)rel);
        }
    }
    /* Every reference is recorded so that the finishing pass can move it. */
    if (!add_fixup(b, &f))
        return;
    b->len += n;
    listing_jump(b, form, l, start);
}

void x64__jump_slow(struct x64_buf *b, unsigned kind, unsigned cc, struct x64_label l)
{
    /* A full jump array: grow it (the complete records move to the new top), so that the
     * next jumps take the inline path again. */
    if (b != NULL && b->status == X64_OK && b->priv != NULL && b->priv->lb.njr >= b->priv->lb.jd) {
        struct x64__labels *lb = &b->priv->lb;
        size_t old_cap = lb->cap_jr, ndone = old_cap - lb->jd;
        if (!x64__grow_first((void **)&lb->jr, b->priv->jr0, &lb->cap_jr, old_cap + 1,
                             sizeof(x64__slot))) {
            x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
            return;
        }
        memmove(lb->jr + lb->cap_jr - ndone, lb->jr + lb->jd, ndone * sizeof(x64__slot));
        lb->jd = lb->cap_jr - ndone;
    }
    jump(b, (int)kind, (enum x64_cc)cc, l, false);
}

void x64_jmp_short(struct x64_buf *b, struct x64_label l)
{
    jump(b, J_JMP, X64_CC_O, l, true);
}

void x64_jcc_short(struct x64_buf *b, enum x64_cc cc, struct x64_label l)
{
    jump(b, J_JCC, cc, l, true);
}

/* --- Label data --- */

static void data_label(struct x64_buf *b, struct x64_label l, struct x64_label base, int kind)
{
    if (b == NULL || !check_label(b, l))
        return;
    if (kind == FX_DIFF32 && !check_label(b, base))
        return;
    size_t n = kind == FX_ABS64 ? 8 : 4;
    if (!x64_buf_reserve(b, n))
        return;
    struct x64__fixup f = {b->len, 0, b->len, l.id, base.id, 0, (uint8_t)kind, JK_NONE, 0, 0};
    if (!x64__add_fixup(b, &f))
        return;
    memset(b->data + b->len, 0, n);
    b->len += n;
}

void x64_data_label_abs64(struct x64_buf *b, struct x64_label l)
{
    struct x64_label none = {0};
    data_label(b, l, none, FX_ABS64);
}

void x64_data_label_rel32(struct x64_buf *b, struct x64_label l, struct x64_label base)
{
    data_label(b, l, base, FX_DIFF32);
}

const size_t *x64_buf_relocs(const struct x64_buf *b, size_t *out_count)
{
    if (b == NULL || b->priv == NULL || !b->priv->finished) {
        if (out_count != NULL)
            *out_count = 0;
        return NULL;
    }
    if (out_count != NULL)
        *out_count = b->priv->nrelocs;
    return b->priv->relocs;
}

/* --- Alignment --- */

void x64_align(struct x64_buf *b, size_t alignment)
{
    if (b == NULL || b->status != X64_OK)
        return;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 4096) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "alignment %zu is not a power of two <= 4096",
                     alignment);
        return;
    }
    size_t pad = (0 - b->len) & (alignment - 1);
    if (!x64_buf_reserve(b, pad))
        return;
    struct x64_buf_priv *pv = b->priv;
    if (!x64__grow_array((void **)&pv->al, &pv->cap_al, pv->nal + 1, sizeof *pv->al)) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return;
    }
    pv->al[pv->nal++] = (struct x64_align_pt){b->len, pad, alignment};
    x64__nop_bytes(b->data + b->len, pad);
    b->len += pad;
}

/* --- Constant pool --- */

struct x64_label x64_const(struct x64_buf *b, const void *data, size_t size, size_t align)
{
    struct x64_label none = {0};
    if (b == NULL || b->status != X64_OK || b->priv == NULL)
        return none;
    if (data == NULL || size == 0 || align == 0 || (align & (align - 1)) != 0 || align > 64) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT,
                     "x64_const: need data, size > 0 and a power-of-two alignment <= 64");
        return none;
    }
    struct x64_buf_priv *pv = b->priv;
    for (size_t i = 0; i < pv->npe; i++) {
        struct x64_pool_entry *e = &pv->pe[i];
        if (e->size == size && memcmp(pv->pool + e->off, data, size) == 0) {
            if (align > e->align)
                e->align = align;
            struct x64_label l = {e->label};
            return l;
        }
    }
    struct x64_label l = x64_label_new(b);
    if (l.id == 0)
        return none;
    if (!x64__grow_array((void **)&pv->pe, &pv->cap_pe, pv->npe + 1, sizeof *pv->pe) ||
        !x64__grow_array((void **)&pv->pool, &pv->cap_pool, pv->pool_len + size, 1)) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return none;
    }
    memcpy(pv->pool + pv->pool_len, data, size);
    pv->pe[pv->npe++] = (struct x64_pool_entry){pv->pool_len, size, align, l.id};
    pv->pool_len += size;
    return l;
}

/* --- Finishing: shrink jumps, lay out the pool, resolve --- */

/* A place where the finishing pass changes the length of the code: a shrunk jump or an
 * alignment pad. Offsets at or after `old_end` move by the cumulative delta. */
struct edit {
    size_t old_pos, old_end;
    size_t new_len;
    long long shift_after; /* total old-new difference up to and including this edit */
    size_t fx;             /* fixup index for jumps, SIZE_MAX for pads */
    size_t al;             /* align index for pads */
};

struct layout {
    struct edit *e;
    size_t n;
};

static int cmp_edit(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return x->old_pos < y->old_pos ? -1 : x->old_pos > y->old_pos;
}

/* New offset of an old boundary offset x (not strictly inside an edited range). */
static size_t map_off(const struct layout *L, size_t x)
{
    size_t lo = 0, hi = L->n;
    while (lo < hi) { /* first edit with old_end > x */
        size_t mid = (lo + hi) / 2;
        if (L->e[mid].old_end <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    long long shift = lo ? L->e[lo - 1].shift_after : 0;
    return (size_t)((long long)x - shift);
}

/* Recomputes shifts and pad lengths for the current shrink decisions. */
static void relayout(struct x64_buf *b, struct layout *L)
{
    struct x64_buf_priv *pv = b->priv;
    long long shift = 0;
    for (size_t i = 0; i < L->n; i++) {
        struct edit *e = &L->e[i];
        size_t old_len = e->old_end - e->old_pos;
        if (e->fx != SIZE_MAX) {
            e->new_len = pv->lb.fx[e->fx].shrink ? 2 : old_len;
        } else {
            size_t newpos = (size_t)((long long)e->old_pos - shift);
            e->new_len = (0 - newpos) & (pv->al[e->al].align - 1);
        }
        shift += (long long)old_len - (long long)e->new_len;
        e->shift_after = shift;
    }
}

/* rel8 of jump fixup f if it were (or is) short, under the current layout. */
static long long short_rel(struct x64_buf *b, const struct layout *L, const struct x64__fixup *f,
                           size_t self_len)
{
    size_t target = b->priv->lb.labels[f->label];
    size_t new_start = map_off(L, f->start);
    size_t new_target = map_off(L, target);
    /* If this jump is still long in the layout and the target lies after it, shrinking it
     * moves the target too. */
    if (!f->shrink && target >= f->start + self_len)
        new_target -= self_len - 2;
    return (long long)new_target - (long long)(new_start + 2);
}

static bool shrink_jumps(struct x64_buf *b)
{
    struct x64_buf_priv *pv = b->priv;
    size_t njumps = 0;
    for (size_t i = 0; i < pv->lb.nfx; i++)
        if (pv->lb.fx[i].jkind != JK_NONE && pv->lb.labels[pv->lb.fx[i].label] != X64__UNBOUND)
            njumps++;
    if (njumps == 0)
        return true;
    struct layout L = {calloc(njumps + pv->nal, sizeof(struct edit)), 0};
    bool *banned = calloc(pv->lb.nfx, sizeof(bool));
    if (L.e == NULL || banned == NULL) {
        free(L.e);
        free(banned);
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    for (size_t i = 0; i < pv->lb.nfx; i++) {
        struct x64__fixup *f = &pv->lb.fx[i];
        f->kind &= (uint8_t)~X64__FX_DONE; /* code moves: every field is written again */
        if (f->jkind == JK_NONE || pv->lb.labels[f->label] == X64__UNBOUND)
            continue;
        f->shrink = 0;
        L.e[L.n++] = (struct edit){f->start, f->end, 0, 0, i, 0};
    }
    for (size_t i = 0; i < pv->nal; i++)
        L.e[L.n++] = (struct edit){pv->al[i].pos, pv->al[i].pos + pv->al[i].pad, 0, 0, SIZE_MAX, i};
    qsort(L.e, L.n, sizeof *L.e, cmp_edit);
    for (;;) {
        /* Grow the set of short jumps to a fixpoint: shrinking only brings others closer,
         * except through alignment pads, which the check below catches. */
        bool changed = true;
        while (changed) {
            changed = false;
            relayout(b, &L);
            for (size_t i = 0; i < L.n; i++) {
                if (L.e[i].fx == SIZE_MAX)
                    continue;
                struct x64__fixup *f = &pv->lb.fx[L.e[i].fx];
                if (f->shrink || banned[L.e[i].fx])
                    continue;
                long long rel = short_rel(b, &L, f, L.e[i].old_end - L.e[i].old_pos);
                if (rel >= -128 && rel <= 127) {
                    f->shrink = 1;
                    changed = true;
                    relayout(b, &L);
                }
            }
        }
        bool ok = true;
        for (size_t i = 0; i < L.n; i++) {
            if (L.e[i].fx == SIZE_MAX || !pv->lb.fx[L.e[i].fx].shrink)
                continue;
            long long rel = short_rel(b, &L, &pv->lb.fx[L.e[i].fx], 2);
            if (rel < -128 || rel > 127) {
                pv->lb.fx[L.e[i].fx].shrink = 0;
                banned[L.e[i].fx] = true;
                ok = false;
            }
        }
        if (ok)
            break;
    }
    free(banned);
    /* Rebuild the bytes. */
    long long total = L.n ? L.e[L.n - 1].shift_after : 0;
    size_t new_len = (size_t)((long long)b->len - total);
    uint8_t *out = malloc(new_len + 16);
    if (out == NULL) {
        free(L.e);
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    size_t src = 0, dst = 0;
    for (size_t i = 0; i < L.n; i++) {
        struct edit *e = &L.e[i];
        memcpy(out + dst, b->data + src, e->old_pos - src);
        dst += e->old_pos - src;
        if (e->fx != SIZE_MAX) {
            struct x64__fixup *f = &pv->lb.fx[e->fx];
            if (f->shrink) {
                out[dst] = f->jkind == JK_JMP ? 0xEB : (uint8_t)(0x70u + f->cc);
                out[dst + 1] = 0;
            } else {
                memcpy(out + dst, b->data + e->old_pos, e->new_len);
            }
        } else {
            x64__nop_bytes(out + dst, e->new_len);
        }
        dst += e->new_len;
        src = e->old_end;
    }
    memcpy(out + dst, b->data + src, b->len - src);
    /* Move every recorded offset. */
    for (size_t i = 1; i < pv->lb.nlabels; i++)
        if (pv->lb.labels[i] != X64__UNBOUND)
            pv->lb.labels[i] = map_off(&L, pv->lb.labels[i]);
    for (size_t i = 0; i < pv->lb.nfx; i++) {
        struct x64__fixup *f = &pv->lb.fx[i];
        size_t ns = map_off(&L, f->start);
        if (f->jkind != JK_NONE && f->shrink) {
            f->pos = ns + 1;
            f->end = ns + 2;
            f->kind = FX_REL8;
        } else if (f->jkind != JK_NONE || f->kind == FX_REL8) {
            /* A jump (long or short): its field sits at a fixed place after its start. */
            f->pos = ns + (f->pos - f->start);
            f->end = ns + (f->end - f->start);
        } else {
            f->pos = map_off(&L, f->pos);
            f->end = f->kind == FX_REL32 ? map_off(&L, f->end) : f->pos;
        }
        f->start = ns;
    }
    for (size_t i = 0; i < pv->nlisted; i++) {
        struct x64_listed *e = &pv->listed[i];
        e->start = map_off(&L, e->start);
        e->end = map_off(&L, e->end);
        /* A shrunk label jump is listed as the rel8 form it became. */
        if (e->end - e->start == 2 && e->form == X64_FORM_JMP_REL32)
            e->form = X64_FORM_JMP_REL8;
        else if (e->end - e->start == 2 && e->form >= X64_FORM_JO_REL32 &&
                 e->form <= X64_FORM_JG_REL32)
            e->form = (enum x64_form)(X64_FORM_JO_REL8 + (e->form - X64_FORM_JO_REL32));
    }
    for (size_t i = 0; i < L.n; i++) {
        if (L.e[i].fx == SIZE_MAX) {
            struct x64_align_pt *a = &pv->al[L.e[i].al];
            a->pos = map_off(&L, a->pos);
            a->pad = L.e[i].new_len;
        }
    }
    free(L.e);
    /* Keep the capacity invariant: `cap` bytes at data. */
    size_t cap = b->cap > new_len + 16 ? b->cap : new_len + 16;
    uint8_t *nd = realloc(out, cap);
    if (nd == NULL) {
        free(out);
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    free(b->data);
    b->data = nd;
    b->cap = cap;
    b->len = new_len;
    return true;
}

static bool layout_pool(struct x64_buf *b)
{
    struct x64_buf_priv *pv = b->priv;
    if (pv->npe == 0)
        return true;
    size_t need = b->len;
    for (size_t i = 0; i < pv->npe; i++)
        need = ((need + pv->pe[i].align - 1) & ~(pv->pe[i].align - 1)) + pv->pe[i].size;
    if (!x64_buf_reserve(b, need - b->len))
        return false;
    for (size_t i = 0; i < pv->npe; i++) {
        struct x64_pool_entry *e = &pv->pe[i];
        size_t at = (b->len + e->align - 1) & ~(e->align - 1);
        /* int3 between code and data, so running off the code traps. */
        memset(b->data + b->len, 0xCC, at - b->len);
        memcpy(b->data + at, pv->pool + e->off, e->size);
        pv->lb.labels[e->label] = at;
        b->len = at + e->size;
    }
    return true;
}

/* --- Jump records of the inline path (x64__jrec) --- */

static inline size_t jr_field(uint64_t r)
{
    return (size_t)(uint32_t)r;
}

/* The jump's start: its field is 2 bytes in for jcc rel32 (0F 80+cc), else 1 (EB, 70+cc, E9,
 * E8), and only jcc rel32 has 0x80..0x8F before its field. */
static inline size_t jr_start(const struct x64_buf *b, uint64_t r)
{
    size_t field = jr_field(r);
    return field - 1u - ((b->data[field - 1u] & 0xF0u) == 0x80u);
}

static inline uint32_t jr_label(uint64_t r)
{
    return (uint32_t)(r >> 32);
}

/* The full record of jump record r, read back from its opcode: EB / 70+cc (rel8, always to a
 * bound label), E9 (jmp rel32), E8 (call rel32) or 0F 80+cc (jcc rel32). `done`: r is in the
 * complete part of the jump array (its target was bound when it was emitted). The same fields
 * as the out-of-line path (jump()) records. */
static struct x64__fixup jr_fixup(const struct x64_buf *b, uint64_t r, bool done)
{
    size_t start = jr_start(b, r);
    const uint8_t *p = b->data + start;
    struct x64__fixup f = {start + 1, start + 5, start, jr_label(r), 0, 0, FX_REL32, JK_NONE, 0, 0};
    if (p[0] == 0xEB || (p[0] & 0xF0u) == 0x70u) {
        f.end = start + 2;
        f.kind = FX_REL8;
        f.cc = p[0] == 0xEB ? 0 : (uint8_t)(p[0] & 15u);
    } else if (p[0] == 0x0F) {
        f.pos = start + 2;
        f.end = start + 6;
        f.jkind = JK_JCC;
        f.cc = (uint8_t)(p[1] & 15u);
    } else if (p[0] == 0xE9) {
        f.jkind = JK_JMP;
    }
    if (done)
        f.kind |= X64__FX_DONE;
    return f;
}

/* Before the shrinking pass: every jump record becomes an x64__fixup, merged into `fx` in
 * offset order (fx, the forward records and the complete ones read downwards are each in
 * emission order). */
static bool expand_jumps(struct x64_buf *b)
{
    struct x64__labels *lb = &b->priv->lb;
    size_t ndone = lb->cap_jr - lb->jd;
    if (lb->njr + ndone == 0)
        return true;
    size_t n = lb->nfx + lb->njr + ndone;
    struct x64__fixup *fx = malloc(n * sizeof *fx);
    if (fx == NULL) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    size_t i = 0, j = 0, d = 0;
    for (size_t k = 0; k < n; k++) {
        size_t pi = i < lb->nfx ? lb->fx[i].pos : SIZE_MAX;
        size_t pj = j < lb->njr ? jr_start(b, lb->jr[j]) : SIZE_MAX;
        size_t pd = d < ndone ? jr_start(b, lb->jr[lb->cap_jr - 1 - d]) : SIZE_MAX;
        if (pi < pj && pi < pd)
            fx[k] = lb->fx[i++];
        else if (pj < pd)
            fx[k] = jr_fixup(b, lb->jr[j++], false);
        else
            fx[k] = jr_fixup(b, lb->jr[lb->cap_jr - 1 - d++], true);
    }
    free(lb->fx);
    lb->fx = fx;
    lb->nfx = lb->cap_fx = n;
    lb->njr = 0;
    lb->jd = lb->cap_jr;
    return true;
}

/* Reports the first (lowest offset) reference to an unbound label, over both arrays. */
static void fail_unbound(struct x64_buf *b)
{
    const struct x64__labels *lb = &b->priv->lb;
    size_t at = SIZE_MAX, pos = SIZE_MAX;
    uint32_t label = 0;
    for (size_t i = 0; i < lb->nfx; i++) {
        const struct x64__fixup *f = &lb->fx[i];
        if (!(f->kind & X64__FX_DONE) && lb->labels[f->label] == X64__UNBOUND) {
            pos = f->pos;
            at = f->start;
            label = f->label;
            break; /* in offset order */
        }
    }
    for (size_t i = 0; i < lb->njr; i++) {
        uint64_t r = lb->jr[i];
        if (lb->labels[jr_label(r)] == X64__UNBOUND) {
            if (jr_start(b, r) < pos) {
                at = jr_start(b, r);
                label = jr_label(r);
            }
            break;
        }
    }
    x64_buf_fail(b, X64_ERR_LABEL_UNBOUND, "label %u used at offset %zu but never bound",
                 (unsigned)label, at);
}

/* Writes the rel32 of every inline jump to a label that was not bound when it was emitted. */
static bool resolve_jumps(struct x64_buf *b)
{
    const x64__slot *jr = b->priv->lb.jr;
    const x64__slot *labels = b->priv->lb.labels;
    uint8_t *data = b->data;
    for (size_t i = 0, n = b->priv->lb.njr; i < n; i++) {
        uint64_t r = jr[i];
        size_t target = labels[jr_label(r)];
        if (target == X64__UNBOUND) {
            fail_unbound(b);
            return false;
        }
        /* Forward inline jumps are rel32, relative to the end of their field. */
        size_t field = jr_field(r);
        put32(data + field, (uint32_t)(int32_t)((long long)target - (long long)(field + 4)));
    }
    return true;
}

static bool resolve(struct x64_buf *b)
{
    struct x64_buf_priv *pv = b->priv;
    for (size_t i = 0; i < pv->lb.nfx; i++) {
        struct x64__fixup *f = &pv->lb.fx[i];
        if (f->kind & X64__FX_DONE)
            continue;
        size_t target = pv->lb.labels[f->label];
        if (target == X64__UNBOUND) {
            fail_unbound(b);
            return false;
        }
        uint8_t *p = b->data + f->pos;
        long long v;
        switch (f->kind) {
        case FX_REL8:
            v = (long long)target - (long long)f->end;
            if (v < -128 || v > 127) {
                x64_buf_fail(b, X64_ERR_JUMP_RANGE,
                             "short jump at offset %zu to label %u: distance %lld", f->start,
                             (unsigned)f->label, v);
                return false;
            }
            p[0] = (uint8_t)(int8_t)v;
            break;
        case FX_REL32:
            v = (long long)target + f->addend - (long long)f->end;
            put32(p, (uint32_t)(int32_t)v);
            break;
        case FX_ABS64:
            for (unsigned k = 0; k < 8; k++)
                p[k] = (uint8_t)((uint64_t)target >> (8 * k));
            if (!x64__grow_array((void **)&pv->relocs, &pv->cap_relocs, pv->nrelocs + 1,
                                 sizeof(size_t))) {
                x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
                return false;
            }
            pv->relocs[pv->nrelocs++] = f->pos;
            break;
        default: { /* FX_DIFF32 */
            size_t base = pv->lb.labels[f->base_label];
            if (base == X64__UNBOUND) {
                x64_buf_fail(b, X64_ERR_LABEL_UNBOUND, "base label %u never bound",
                             (unsigned)f->base_label);
                return false;
            }
            v = (long long)target - (long long)base;
            put32(p, (uint32_t)(int32_t)v);
            break;
        }
        }
    }
    return true;
}

enum x64_status x64_buf_finish(struct x64_buf *b)
{
    if (b == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    if (b->status != X64_OK)
        return b->status;
    if (b->priv == NULL)
        return x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "buffer not initialised");
    struct x64_buf_priv *pv = b->priv;
    if (pv->finished)
        return X64_OK;
    if (pv->shrink && (!expand_jumps(b) || !shrink_jumps(b)))
        return b->status;
    if (!layout_pool(b) || !resolve(b) || !resolve_jumps(b))
        return b->status;
    pv->finished = true;
    b->limit = 0;
    /* Listings deferred while shrinking: final offsets and bytes now. */
    for (size_t i = 0; i < pv->nlisted && b->listing != NULL; i++) {
        const struct x64_listed *e = &pv->listed[i];
        b->listing(b->listing_ctx, b, e->form, e->ops, e->nops, e->start, e->end);
    }
    free(pv->listed);
    pv->listed = NULL;
    pv->nlisted = pv->cap_listed = 0;
    return X64_OK;
}
