/* SPDX-License-Identifier: Apache-2.0 */
/* Private state behind struct x64_buf: labels, fixups, alignment points, the constant pool,
 * relocations and the error text. Shared by buffer.c and labels.c. */
#ifndef X64_SRC_BUF_PRIV_H
#define X64_SRC_BUF_PRIV_H

#include "x64/buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fixup_kind {
    FX_REL8 = X64__FX_REL8,     /* 1-byte displacement from `end` */
    FX_REL32 = X64__FX_REL32,   /* 4-byte displacement from `end` (jumps, calls, RIP-relative) */
    FX_ABS64 = X64__FX_ABS64,   /* 8-byte label offset; the code base is added when sealed */
    FX_DIFF32 = X64__FX_DIFF32, /* 4-byte offset(label) - offset(base_label) */
};

/* Jump kinds a shrinkable rel32 fixup belongs to. */
enum { JK_NONE = X64__JK_NONE, JK_JMP = X64__JK_JMP, JK_JCC = X64__JK_JCC };

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

/* An instruction whose listing waits for the final layout (shrinking on, see x64__listing). */
struct x64_listed {
    enum x64_form form;
    unsigned nops;
    size_t start, end;
    struct x64_operand ops[4];
};

struct x64_buf_priv {
    struct x64__labels lb; /* first member: the inline label paths in x64/buffer.h use it */
    struct x64_align_pt *al;
    size_t nal, cap_al;
    uint8_t *pool;
    size_t pool_len, cap_pool;
    struct x64_pool_entry *pe;
    size_t npe, cap_pe;
    size_t *relocs;
    size_t nrelocs, cap_relocs;
    struct x64_listed *listed; /* deferred listing while shrinking is on */
    size_t nlisted, cap_listed;
    bool shrink;
    bool finished;
    char error[200];
    /* The first label and jump arrays, in the same allocation as the rest (most functions
     * need no more): x64__grow_first() moves them to the heap when they grow. Not cleared at
     * init. */
    x64__slot labels0[256];
    x64__slot jr0[256];
};

/* Grows *arr (element size `elem`) to hold at least `need` elements. */
bool x64__grow_array(void **arr, size_t *cap, size_t need, size_t elem);

/* x64__grow_array for an array that may still be the built-in one at `first` (labels0, jr0):
 * the first growth copies it to a heap block. */
bool x64__grow_first(void **arr, const void *first, size_t *cap, size_t need, size_t elem);

/* Appends a fixup; false (and the error recorded) when out of memory. */
bool x64__add_fixup(struct x64_buf *b, const struct x64__fixup *f);

/* Whether `id` names a label of this buffer: 1..nlabels-1 (labels[0] is the X64__NOLABEL
 * sentinel), in one compare. */
static inline bool x64__label_valid(const struct x64_buf *b, uint32_t id)
{
    return b->priv != NULL && id - 1u < (uint32_t)(b->priv->lb.nlabels - 1u);
}

/* Recomputes `limit` from the capacity, the status, the finished flag and the listing hook. */
void x64__update_limit(struct x64_buf *b);

/* Writes the n-byte recommended NOP at p. */
void x64__nop_bytes(uint8_t *p, size_t n);

#endif /* X64_SRC_BUF_PRIV_H */
