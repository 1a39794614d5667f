/* SPDX-License-Identifier: Apache-2.0 */
/* Private state behind struct x64_buf: labels, fixups, alignment points, the constant pool,
 * relocations and the error text. Shared by buffer.c and labels.c. */
#ifndef X64_SRC_BUF_PRIV_H
#define X64_SRC_BUF_PRIV_H

#include "x64/buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X64__UNBOUND SIZE_MAX

enum fixup_kind {
    FX_REL8,   /* 1-byte displacement from `end` */
    FX_REL32,  /* 4-byte displacement from `end` (jumps, calls, RIP-relative operands) */
    FX_ABS64,  /* 8-byte label offset; the code base is added when sealed */
    FX_DIFF32, /* 4-byte offset(label) - offset(base_label) */
};

/* Jump kinds a shrinkable rel32 fixup belongs to. */
enum { JK_NONE = 0, JK_JMP, JK_JCC };

struct x64_fixup {
    size_t pos;   /* where the field is */
    size_t end;   /* what a displacement is relative to */
    size_t start; /* instruction start, for jumps */
    uint32_t label;
    uint32_t base_label;
    int32_t addend;
    uint8_t kind;  /* enum fixup_kind */
    uint8_t jkind; /* JK_*: rel32 jmp/jcc that the finishing pass may shrink */
    uint8_t cc;
    uint8_t shrink; /* decided by the finishing pass */
};

struct x64_align_pt {
    size_t pos; /* where the padding starts */
    size_t pad; /* its current length */
    size_t align;
};

struct x64_pool_entry {
    size_t off; /* in the pool blob */
    size_t size;
    size_t align;
    uint32_t label;
};

/* Per-buffer cache of the generic path: operand signature -> chosen form. */
#define X64__FORM_CACHE_BITS 10
struct x64_form_cache_entry {
    uint64_t key; /* 0 = empty */
    uint32_t form;
};

struct x64_buf_priv {
    size_t *labels; /* offset per label id (index 0 unused), X64__UNBOUND if not bound */
    size_t nlabels, cap_labels;
    struct x64_fixup *fx;
    size_t nfx, cap_fx;
    struct x64_align_pt *al;
    size_t nal, cap_al;
    uint8_t *pool;
    size_t pool_len, cap_pool;
    struct x64_pool_entry *pe;
    size_t npe, cap_pe;
    size_t *relocs;
    size_t nrelocs, cap_relocs;
    struct x64_form_cache_entry *cache; /* lazily allocated, 1 << X64__FORM_CACHE_BITS */
    bool shrink;
    bool finished;
    char error[200];
};

/* Grows *arr (element size `elem`) to hold at least `need` elements. */
bool x64__grow_array(void **arr, size_t *cap, size_t need, size_t elem);

/* Appends a fixup; false (and the error recorded) when out of memory. */
bool x64__add_fixup(struct x64_buf *b, const struct x64_fixup *f);

/* Whether `id` names a label of this buffer. */
bool x64__label_valid(const struct x64_buf *b, uint32_t id);

/* Writes the n-byte recommended NOP at p. */
void x64__nop_bytes(uint8_t *p, size_t n);

#endif /* X64_SRC_BUF_PRIV_H */
