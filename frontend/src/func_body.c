/* SPDX-License-Identifier: Apache-2.0 */
/* Function bodies in one pass: decode each instruction, validate it against the operand and
 * control stacks (spec appendix "Validation Algorithm"), then report it to the visitor if it is
 * reachable. One switch on the opcode byte; numeric ops share a table built from opcodes.def. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* --- Tables from opcodes.def --- */

#define T_NONE      0
#define T_SPECIAL   1 /* not a type: checked by hand */
#define T_I32       WDEC_I32
#define T_I64       WDEC_I64
#define T_F32       WDEC_F32
#define T_F64       WDEC_F64
#define T_V128      WDEC_V128
#define T_FUNCREF   WDEC_FUNCREF
#define T_EXTERNREF WDEC_EXTERNREF

/* A table takes the rows of one prefix: PICK(SIG, 0x00) is SIG_0x00, SIG_0xfc, ... */
#define PICK(table, prefix) table##_##prefix

/* Natural alignment (log2) of a memory immediate kind; 0 for the others. */
#define IMM_ALIGN(k)                                                                               \
    ((k) == WDEC_IMM_MEMARG16                                  ? 4                                 \
     : (k) == WDEC_IMM_MEMARG8 || (k) == WDEC_IMM_MEMARG8_LANE ? 3                                 \
     : (k) == WDEC_IMM_MEMARG4 || (k) == WDEC_IMM_MEMARG4_LANE ? 2                                 \
     : (k) == WDEC_IMM_MEMARG2 || (k) == WDEC_IMM_MEMARG2_LANE ? 1                                 \
                                                               : 0)

/* Operand types of one-byte opcodes; `numeric` marks the NUMERIC group, which the loop handles
 * generically from these types. */
struct num_sig {
    uint8_t in1, in2, out;
    bool numeric;
};
#define SIG_0x00(code, group, in1, in2, out)                                                       \
    [code] = {T_##in1, T_##in2, T_##out, WDEC_GROUP_##group == WDEC_GROUP_NUMERIC},
#define SIG_0xfc(code, group, in1, in2, out)
#define SIG_0xfd(code, group, in1, in2, out)
static const struct num_sig sig_byte[256] = {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    PICK(SIG, prefix)(code, group, in1, in2, out)
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

/* The fast path's view of the same rows: the operand types a numeric op pops as they lie in the
 * top two operand stack slots read as one 32-bit word, a mask of the slots they take and how
 * many, so that unary and binary ops are checked alike. SLOTS2(below, top) is that word. */
struct num_fast {
    uint32_t want, mask;
    uint8_t pops, out;
    bool numeric;
};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SLOTS2(below, top) ((uint32_t)(below) << 16 | (uint32_t)(top))
#else
#define SLOTS2(below, top) ((uint32_t)(below) | (uint32_t)(top) << 16)
#endif
#define NUMF_0x00(code, group, in1, in2, out)                                                      \
    [code] = {T_##in2 ? SLOTS2(T_##in1, T_##in2) : SLOTS2(0, T_##in1),                             \
              T_##in2 ? 0xffffffffu : SLOTS2(0, 0xffff), T_##in2 ? 2 : 1, T_##out,                 \
              WDEC_GROUP_##group == WDEC_GROUP_NUMERIC},
#define NUMF_0xfc(code, group, in1, in2, out)
#define NUMF_0xfd(code, group, in1, in2, out)
static const struct num_fast num_fast[256] = {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    PICK(NUMF, prefix)(code, group, in1, in2, out)
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

const uint8_t wdec_one_type[256] = {
#define ONE(t) [t] = t
    ONE(WDEC_I32),  ONE(WDEC_I64),     ONE(WDEC_F32),       ONE(WDEC_F64),
    ONE(WDEC_V128), ONE(WDEC_FUNCREF), ONE(WDEC_EXTERNREF),
#undef ONE
};

/* Natural alignment (log2) of one-byte loads and stores, from their MEMARGn immediate. */
#define ALIGN_0x00(code, imm) [code] = IMM_ALIGN(WDEC_IMM_##imm),
#define ALIGN_0xfc(code, imm)
#define ALIGN_0xfd(code, imm)
static const uint8_t natural_align_tab[256] = {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    PICK(ALIGN, prefix)(code, imm)
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

static inline uint32_t natural_align(unsigned op)
{
    return natural_align_tab[op];
}

/* SIMD ops by sub-opcode (all below 256): immediate kind + 1 (0: no such op) and the operand and
 * result types of the row, which the loop checks generically (SPECIAL: v128.bitselect). */
struct simd_sig {
    uint8_t imm1, in1, in2, out;
};
#define SIMD_0x00(code, imm, in1, in2, out)
#define SIMD_0xfc(code, imm, in1, in2, out)
#define SIMD_0xfd(code, imm, in1, in2, out)                                                        \
    [code] = {WDEC_IMM_##imm + 1, T_##in1, T_##in2, T_##out},
static const struct simd_sig simd_sig[256] = {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    PICK(SIMD, prefix)(code, imm, in1, in2, out)
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

/* --- Validation state --- */

/* Helpers that take the validator's state are always inlined: then no pointer to that state
 * reaches another function, and the compiler keeps it in registers across the loop. */
#define HOT WDEC_INLINE

enum frame_kind { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

struct wdec_frame {
    struct wdec_block_type bt;
    uint32_t height; /* operand stack height when the frame was entered, params excluded */
    uint8_t kind;
    bool unreachable;  /* rest of this frame is dead (stack polymorphic) */
    bool entered_live; /* the frame was entered in reachable code */
    /* The fast path's one-byte summaries of bt and kind (frame_fast_set()), so that its end and
     * branches read one byte instead of a count, a kind and a type through a pointer:
     * fast_label: what a branch to the frame carries: 0 nothing, a value type, FAST_MANY more;
     * fast_end: what `end` (or `else`) wants on top of the frame's operands: 0 nothing, a value
     * type, FAST_FUNC for the function's own frame, FAST_MANY when the full loop must judge it
     * (params, several results, an if with results and no else yet). */
    uint8_t fast_label;
    uint8_t fast_end;
};
#define FAST_MANY 0xffu
#define FAST_FUNC 0xfeu

/* Sets f's fast_label and fast_end from its kind and block type. */
static inline void frame_fast_set(struct wdec_frame *f)
{
    const struct wdec_block_type *bt = &f->bt;
    uint32_t ln = f->kind == K_LOOP ? bt->param_count : bt->result_count;
    const uint8_t *lt = f->kind == K_LOOP ? bt->params : bt->results;
    f->fast_label = (uint8_t)(ln == 0 ? 0 : ln == 1 ? lt[0] : FAST_MANY);
    if (f->kind == K_FUNC)
        f->fast_end = FAST_FUNC;
    else if (bt->param_count || bt->result_count > 1 || (f->kind == K_IF && bt->result_count))
        f->fast_end = FAST_MANY;
    else
        f->fast_end = bt->result_count ? bt->results[0] : 0;
}

/* The current instruction's offset, computed only when an error or a callback needs it. */
#define OP_OFF(c) ((size_t)((c)->op_at - (c)->r.base))

struct val {
    const struct wdec_module *m;
    struct wdec_scratch *s;
    struct rd r;
    uint16_t *stack;
    uint32_t sp;
    uint32_t cap;     /* stack capacity (mirrors s->stack_cap) */
    uint32_t height;  /* innermost frame's height ... */
    bool unreachable; /* ... and unreachable flag, cached out of frames[] */
    struct wdec_frame *frames;
    uint32_t fp;             /* frame count; frames[fp - 1] is innermost */
    const uint8_t *op_at;    /* first byte of the instruction being validated */
    const uint8_t *body_end; /* the body's declared end */
    struct wdec_error *err;
};

HOT wdec_status fail_at(struct val *c, wdec_status st)
{
    return wdec_fail(c->err, st, OP_OFF(c), NULL);
}

HOT wdec_status mismatch(struct val *c)
{
    return fail_at(c, WDEC_ERR_TYPE_MISMATCH);
}

/* The capacity `cap` doubles to (64 at first) to hold `need` elements; 0 past UINT32_MAX. */
static uint32_t grown_cap(uint32_t cap, uint32_t need)
{
    uint64_t n = cap ? cap : 64;
    while (n < need)
        n *= 2;
    return n > UINT32_MAX ? 0 : (uint32_t)n;
}

static wdec_status grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return WDEC_OK;
    uint32_t n = grown_cap(*cap, need);
    if (n == 0)
        return WDEC_ERR_OUT_OF_MEMORY;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q)
        return WDEC_ERR_OUT_OF_MEMORY;
    *p = q;
    *cap = n;
    return WDEC_OK;
}

/* grow() for storage whose contents are not needed any more: a new block, nothing copied. On
 * failure the old block stays as it was. */
static wdec_status grow_fresh(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return WDEC_OK;
    uint32_t n = grown_cap(*cap, need);
    if (n == 0)
        return WDEC_ERR_OUT_OF_MEMORY;
    void *q = malloc((size_t)n * elem);
    if (!q)
        return WDEC_ERR_OUT_OF_MEMORY;
    free(*p);
    *p = q;
    *cap = n;
    return WDEC_OK;
}

/* The operand stack's storage starts STACK_PAD slots before s->stack, filled with a value that is
 * no type: the fast path reads the top eight slots as two words however shallow the stack is. */
#define STACK_PAD 8u

/* Grows s->stack to hold `sp + extra` values, keeping the first `sp`: the implementation limit
 * past 2^32 slots, or out of memory. */
static wdec_status stack_room(struct wdec_scratch *s, uint32_t sp, uint32_t extra)
{
    if ((uint64_t)sp + extra <= s->stack_cap)
        return WDEC_OK;
    if ((uint64_t)sp + extra > UINT32_MAX - STACK_PAD)
        return WDEC_ERR_IMPL_LIMIT;
    void *p = s->stack ? s->stack - STACK_PAD : NULL;
    uint32_t cap = s->stack ? s->stack_cap + STACK_PAD : 0;
    /* With nothing on the stack (a body's start) there is nothing for realloc() to copy. */
    WDEC_TRY(sp == 0 ? grow_fresh(&p, &cap, extra + STACK_PAD, sizeof(uint16_t))
                     : grow(&p, &cap, sp + extra + STACK_PAD, sizeof(uint16_t)));
    uint16_t *base = p;
    for (uint32_t i = 0; i < STACK_PAD; i++)
        base[i] = 0xffff;
    s->stack = base + STACK_PAD;
    s->stack_cap = cap - STACK_PAD;
    return WDEC_OK;
}

HOT wdec_status stack_reserve(struct val *c, uint32_t extra)
{
    if ((uint64_t)c->sp + extra <= c->cap)
        return WDEC_OK;
    wdec_status st = stack_room(c->s, c->sp, extra);
    if (st)
        return fail_at(c, st);
    c->stack = c->s->stack;
    c->cap = c->s->stack_cap;
    return WDEC_OK;
}

/* Room on the operand stack without a check per push. An instruction pushes at most one value
 * with push() (several only through push_types()), and the loop stops before any instruction
 * that starts at or after the body's declared end. So it is enough that, at the top of the loop,
 *   cap - sp >= body_end - p
 * which body_start() sets up (cap >= body size) and push_types() restores after a multi-push. */
HOT wdec_status push(struct val *c, uint8_t t)
{
    c->stack[c->sp++] = t;
    return WDEC_OK;
}

/* Pops one value, returning its type in *out (WDEC_UNKNOWN in polymorphic dead code). */
HOT wdec_status pop_any(struct val *c, uint8_t *out)
{
    if (c->sp == c->height) {
        if (c->unreachable) {
            *out = WDEC_UNKNOWN;
            return WDEC_OK;
        }
        return mismatch(c);
    }
    *out = (uint8_t)c->stack[--c->sp];
    return WDEC_OK;
}

HOT wdec_status pop_expect(struct val *c, uint8_t t)
{
    /* The common case first: a known operand of the expected type. */
    if (c->sp > c->height && c->stack[c->sp - 1] == t) {
        c->sp--;
        return WDEC_OK;
    }
    if (c->sp > c->height) {
        if (c->stack[--c->sp] == WDEC_UNKNOWN)
            return WDEC_OK;
        return mismatch(c);
    }
    if (c->unreachable)
        return WDEC_OK;
    return mismatch(c);
}

HOT wdec_status pop_types(struct val *c, const uint8_t *types, uint32_t n)
{
    for (uint32_t i = n; i-- > 0;)
        WDEC_TRY_HOT(pop_expect(c, types[i]));
    return WDEC_OK;
}

HOT wdec_status push_types(struct val *c, const uint8_t *types, uint32_t n)
{
    /* n values now, and one per instruction that may still start before the body's end. */
    size_t left = c->r.p < c->body_end ? (size_t)(c->body_end - c->r.p) : 0;
    WDEC_TRY_HOT(stack_reserve(c, n + (uint32_t)left + 1));
    uint16_t *dst = c->stack + c->sp;
    for (uint32_t i = 0; i < n; i++)
        dst[i] = types[i];
    c->sp += n;
    return WDEC_OK;
}

HOT void set_unreachable(struct val *c)
{
    struct wdec_frame *f = &c->frames[c->fp - 1];
    c->sp = f->height;
    f->unreachable = true;
    c->unreachable = true;
}

HOT wdec_status push_frame(struct val *c, uint8_t kind, const struct wdec_block_type *bt, bool live)
{
    if (c->fp == c->s->frame_cap) {
        void *p = c->s->frames;
        wdec_status st = grow(&p, &c->s->frame_cap, c->fp + 1, sizeof(struct wdec_frame));
        if (st)
            return fail_at(c, st);
        c->s->frames = c->frames = p;
    }
    struct wdec_frame *f = &c->frames[c->fp++];
    f->bt = *bt;
    f->height = c->sp;
    f->kind = kind;
    f->unreachable = false;
    frame_fast_set(f);
    c->height = c->sp;
    c->unreachable = false;
    f->entered_live = live;
    return push_types(c, bt->params, bt->param_count);
}

/* The function's own frame, s->frames[0]: push_frame() for a block with the function's results,
 * without its push_types() (no params; body_start() made room for the operands). */
HOT wdec_status func_frame(struct wdec_scratch *s, const struct wdec_func_info *fi)
{
    if (WDEC_UNLIKELY(s->frame_cap == 0)) {
        void *p = s->frames;
        WDEC_TRY(grow(&p, &s->frame_cap, 1, sizeof(struct wdec_frame)));
        s->frames = p;
    }
    struct wdec_frame *f = &s->frames[0];
    f->bt = (struct wdec_block_type){0, fi->type->result_count, NULL, fi->type->results,
                                     fi->type_index};
    f->height = 0;
    f->kind = K_FUNC;
    f->unreachable = false;
    f->entered_live = true;
    frame_fast_set(f);
    return WDEC_OK;
}

/* The types a branch to this frame carries: a loop's params, otherwise its results. */
static inline void label_types(const struct wdec_frame *f, const uint8_t **types, uint32_t *n)
{
    if (f->kind == K_LOOP) {
        *types = f->bt.params;
        *n = f->bt.param_count;
    } else {
        *types = f->bt.results;
        *n = f->bt.result_count;
    }
}

/* At the end of a frame's instructions: exactly its results must be on its stack. */
HOT wdec_status check_frame_end(struct val *c)
{
    struct wdec_frame *f = &c->frames[c->fp - 1];
    WDEC_TRY_HOT(pop_types(c, f->bt.results, f->bt.result_count));
    if (c->sp != f->height)
        return mismatch(c);
    return WDEC_OK;
}

/* --- Immediates --- */

HOT wdec_status read_block_type(struct val *c, struct wdec_block_type *bt)
{
    struct rd *r = &c->r;
    if (r->p >= r->end)
        return wdec_rd_eos(r);
    uint8_t b = *r->p;
    bt->param_count = 0;
    bt->params = NULL;
    bt->type_index = WDEC_NO_INDEX;
    if (b == 0x40) {
        r->p++;
        bt->result_count = 0;
        bt->results = NULL;
        return WDEC_OK;
    }
    if ((b & 0xc0) == 0x40) {
        r->p++;
        wdec_status st = valtype_status(b, c->m->features);
        if (st)
            return wdec_fail(c->err, st, rd_off(r) - 1, NULL);
        bt->result_count = 1;
        bt->results = &wdec_one_type[b];
        return WDEC_OK;
    }
    size_t at = rd_off(r);
    int64_t idx;
    WDEC_TRY_HOT(wdec_rd_s33(r, &idx));
    if (idx < 0 || (uint64_t)idx >= c->m->type_count)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_TYPE, at, "%lld", (long long)idx);
    const struct wdec_func_type *ft = &c->m->types[idx];
    bt->param_count = ft->param_count;
    bt->params = ft->params;
    bt->result_count = ft->result_count;
    bt->results = ft->results;
    bt->type_index = (uint32_t)idx;
    return WDEC_OK;
}

/* A memarg whose alignment may be at most `max_align` (log2 of the natural alignment). */
HOT wdec_status read_memarg(struct val *c, uint32_t max_align, struct wdec_memarg *arg)
{
    uint32_t align, offset;
    WDEC_TRY_HOT(rd_u32(&c->r, &align));
    WDEC_TRY_HOT(rd_u32(&c->r, &offset));
    if (c->m->memory_count == 0)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_MEMORY, OP_OFF(c), "0");
    if (align > max_align)
        return fail_at(c, WDEC_ERR_ALIGNMENT);
    arg->align_log2 = align;
    arg->offset = offset;
    arg->memory_index = 0;
    return WDEC_OK;
}

HOT wdec_status read_zero(struct val *c)
{
    uint8_t b;
    WDEC_TRY_HOT(rd_byte(&c->r, &b));
    if (b != 0)
        return wdec_fail(c->err, WDEC_ERR_ZERO_BYTE, rd_off(&c->r) - 1, NULL);
    return WDEC_OK;
}

HOT wdec_status need_memory(struct val *c)
{
    if (c->m->memory_count == 0)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_MEMORY, OP_OFF(c), "0");
    return WDEC_OK;
}

HOT wdec_status read_table(struct val *c, uint32_t *out)
{
    WDEC_TRY_HOT(rd_u32(&c->r, out));
    if (*out >= c->m->table_count)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_TABLE, OP_OFF(c), "%u", *out);
    return WDEC_OK;
}

HOT wdec_status read_elem(struct val *c, uint32_t *out)
{
    WDEC_TRY_HOT(rd_u32(&c->r, out));
    if (*out >= c->m->elem_count)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_ELEM, OP_OFF(c), "%u", *out);
    return WDEC_OK;
}

/* A data index: needs the data count section (else judged at the module's end). */
HOT wdec_status check_data(struct val *c, uint32_t idx)
{
    if (!c->m->has_data_count) {
        if (!c->s->data_use) {
            c->s->data_use = true;
            c->s->data_use_index = idx;
            c->s->data_use_offset = OP_OFF(c);
        }
        return WDEC_OK;
    }
    if (idx >= c->m->data_count)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_DATA, OP_OFF(c), "%u", idx);
    return WDEC_OK;
}

HOT wdec_status read_label(struct val *c, uint32_t *depth)
{
    WDEC_TRY_HOT(rd_u32(&c->r, depth));
    if (*depth >= c->fp)
        return wdec_fail(c->err, WDEC_ERR_UNKNOWN_LABEL, OP_OFF(c), "%u", *depth);
    return WDEC_OK;
}

/* --- The loop --- */

#define VISIT(cb, ...)                                                                             \
    do {                                                                                           \
        if (!plain && live && v->cb) {                                                             \
            wdec_status s_ = v->cb(ctx, __VA_ARGS__);                                              \
            if (s_)                                                                                \
                return client_fail(c, s_);                                                         \
        }                                                                                          \
    } while (0)

#define VISIT0(cb)                                                                                 \
    do {                                                                                           \
        if (!plain && live && v->cb) {                                                             \
            wdec_status s_ = v->cb(ctx);                                                           \
            if (s_)                                                                                \
                return client_fail(c, s_);                                                         \
        }                                                                                          \
    } while (0)

HOT wdec_status client_fail(struct val *c, wdec_status st)
{
    return wdec_fail(c->err, st, OP_OFF(c), NULL);
}

/* Room after the last local: fill_small() writes 16 bytes for a group of up to 16 locals. */
#define LOCALS_PAD 16u

/* dst[0..n) = src[0..n) for n <= 16, without a call: a body's params are a few bytes, and
 * a loop would become a call to memcpy anyway. Overlapping pairs of loads cover every length. */
static inline void copy_small(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n >= 2) {
        uint16_t a, b;
        memcpy(&a, src, 2);
        memcpy(&b, src + n - 2, 2);
        memcpy(dst, &a, 2);
        memcpy(dst + n - 2, &b, 2);
    } else if (n) {
        dst[0] = src[0];
    }
}

/* dst[0..n) = t; for n <= 16 two stores of 8 bytes, which may write up to 16 bytes (LOCALS_PAD
 * keeps them inside the array; the next group overwrites what lies past this one). */
static inline void fill_small(uint8_t *dst, uint8_t t, uint32_t n)
{
    if (n <= 16) {
        uint64_t w = t * 0x0101010101010101u;
        memcpy(dst, &w, 8);
        memcpy(dst + 8, &w, 8);
    } else {
        memset(dst, t, n);
    }
}

/* Room in s->locals for `total` (<= WDEC_MAX_LOCALS) local types and LOCALS_PAD bytes after
 * them; false, with *oom set, when the allocation fails. */
static inline bool locals_room(struct wdec_scratch *s, uint64_t total, bool *oom)
{
    if (WDEC_LIKELY(total + LOCALS_PAD <= s->local_cap))
        return true;
    void *p = s->locals;
    if (grow(&p, &s->local_cap, (uint32_t)total + LOCALS_PAD, 1) != WDEC_OK) {
        *oom = true;
        return false;
    }
    s->locals = p;
    return true;
}

/* The local types: params, then each group of declared locals, in one pass over the groups.
 * The errors and their order are those of a first pass that judges every group, then the total
 * ("too many locals" as soon as the declared ones reach 2^32, the implementation limit after the
 * last group) and only then the allocation: groups past the limit or an allocation failure stop
 * the writing but not the reading. */
HOT wdec_status decode_locals(const struct wdec_module *m, struct wdec_scratch *s, struct rd *r,
                              uint32_t func_index, struct wdec_func_info *fi)
{
    const uint32_t type_index = m->funcs[func_index].type_index;
    const struct wdec_func_type *ft = &m->types[type_index];
    size_t at = rd_off(r);
    uint32_t groups;
    WDEC_TRY_HOT(wdec_rd_len(r, &groups));
    const uint32_t params = ft->param_count;
    uint64_t total = params;
    bool write = total <= WDEC_MAX_LOCALS; /* within the limit and allocated so far */
    bool oom = false;
    if (write && !locals_room(s, total, &oom))
        write = false;
    if (write) {
        if (WDEC_LIKELY(params <= 16))
            copy_small(s->locals, ft->params, params);
        else
            memcpy(s->locals, ft->params, params);
    }
    for (uint32_t i = 0; i < groups; i++) {
        uint32_t n;
        uint8_t t = 0;
        WDEC_TRY_HOT(rd_u32(r, &n));
        WDEC_TRY_HOT(rd_byte(r, &t));
        wdec_status st = valtype_status(t, m->features);
        if (st)
            return wdec_fail(r->err, st, rd_off(r) - 1, NULL);
        uint64_t k = total;
        total += n;
        if (total - params >= ((uint64_t)1 << 32))
            return wdec_fail(r->err, WDEC_ERR_TOO_MANY_LOCALS, at, NULL);
        if (write && (total > WDEC_MAX_LOCALS || !locals_room(s, total, &oom)))
            write = false;
        if (write)
            fill_small(s->locals + k, t, n);
    }
    if (total > WDEC_MAX_LOCALS)
        return wdec_fail(r->err, WDEC_ERR_IMPL_LIMIT, at, "(%llu locals)",
                         (unsigned long long)total);
    if (oom)
        return wdec_fail(r->err, WDEC_ERR_OUT_OF_MEMORY, at, NULL);
    fi->func_index = func_index;
    fi->type_index = type_index;
    fi->type = ft;
    fi->local_count = (uint32_t)total;
    fi->local_types = s->locals;
    return WDEC_OK;
}

/* The start of defined function `func_index`'s body, shared by every loop and the decode-only
 * scan: *r on the body (bounded by the module's end, not the body's: an overrun is then reported
 * the way the reference interpreter does, "END opcode expected" or "section size mismatch") and
 * past its locals, which are decoded and described in *fi, and room on the operand stack for 256
 * values more than the body has bytes. */
HOT wdec_status body_start(const struct wdec_module *m, struct wdec_scratch *s, uint32_t func_index,
                           struct wdec_error *err, struct rd *r, struct wdec_func_info *fi)
{
    const struct wdec_func *fn = &m->funcs[func_index];
    *r = (struct rd){m->bytes + fn->body_offset, m->bytes + m->size, m->bytes, err,
                     WDEC_ERR_UNEXPECTED_END_SECTION};
    *fi = (struct wdec_func_info){.body_offset = fn->body_offset, .body_size = fn->body_size};
    WDEC_TRY_HOT(decode_locals(m, s, r, func_index, fi));
    /* See push(): one stack slot per byte of the body at most, plus a spare. */
    if (fn->body_size > UINT32_MAX - 256)
        return wdec_fail(err, WDEC_ERR_IMPL_LIMIT, fn->body_offset, NULL);
    if (WDEC_UNLIKELY(fn->body_size + 256 > s->stack_cap)) {
        wdec_status st = stack_room(s, 0, (uint32_t)fn->body_size + 256);
        if (st)
            return wdec_fail(err, st, fn->body_offset, NULL);
    }
    return WDEC_OK;
}

/* The full loop's state after body_start() (*r past the locals), with `fp` frames: 0, or 1 once
 * func_frame() is done. */
HOT void body_state(struct val *c, const struct wdec_module *m, struct wdec_scratch *s,
                    struct wdec_error *err, const struct rd *r, const struct wdec_func_info *fi,
                    uint32_t fp)
{
    c->m = m;
    c->s = s;
    c->r = *r;
    c->stack = s->stack;
    c->sp = 0;
    c->cap = s->stack_cap;
    c->height = 0;
    c->unreachable = false;
    c->frames = s->frames;
    c->fp = fp;
    c->op_at = m->bytes + fi->body_offset; /* errors before the first instruction point here */
    c->body_end = m->bytes + fi->body_offset + fi->body_size;
    c->err = err;
}

/* The body ran past its declared end without its final `end`: malformed whatever follows, and the
 * decode-only scan finds the error the reference interpreter reports (it reads on into the next
 * bytes). The scan ends where the validator would, so it cannot succeed here. */
static wdec_status body_overrun(const struct wdec_module *m, struct wdec_scratch *s,
                                uint32_t func_index, struct wdec_error *err)
{
    wdec_status st = wdec_body_scan(m, s, func_index, err);
    if (st == WDEC_OK)
        st = wdec_fail(err, WDEC_ERR_SECTION_SIZE, m->funcs[func_index].body_offset, NULL);
    return st;
}

/* --- The plain validator's fast path ---
 * The common instructions (locals, globals, constants, loads, stores, numeric ops, drop, select,
 * blocks with an empty or single-value type, else, end, br, br_if, br_table, call,
 * call_indirect, return, the saturating truncations, memory.copy and memory.fill) make up
 * nearly all of a body. Without a visitor they run through this small loop, whose state fits in
 * registers. It has no error paths: at anything irregular (another opcode, a long index, a type
 * that does not match at once, an operand from polymorphic dead code, a multi-value label) it
 * stops before that instruction, and the full loop validates it and reports any error exactly as
 * usual. */

struct fast {
    const uint8_t *p;          /* in: the next instruction; out: the first one not handled */
    const uint8_t *end;        /* instructions start before it; 16 bytes readable past each */
    uint16_t *stack;           /* operand stack with room for a push per byte (see push()) */
    uint32_t sp;               /* in/out */
    uint32_t fp;               /* in/out: control frames */
    struct wdec_frame *frames; /* frame_cap entries */
    uint32_t frame_cap;
    const uint8_t *locals; /* local types */
    uint32_t local_count;
    const struct wdec_module *m;
    const struct wdec_call_sig *sigs; /* per type */
    const uint8_t *body_end;          /* the body's declared end */
    bool done;                        /* out: the body's final `end` was validated */
};

/* A function type as the fast path checks a call: the param types as they lie in the top eight
 * operand stack slots (two 64-bit loads, top of stack last) and a mask of the slots they take;
 * `ok` when there are at most eight params and at most one result. */
struct wdec_call_sig {
    uint64_t params[2];
    uint64_t mask[2];
    uint32_t param_count;
    uint16_t result; /* 0 when none */
    bool ok;
};

/* The call signatures of m's types, built into s once per module. */
static wdec_status call_sigs_build(const struct wdec_module *m, struct wdec_scratch *s)
{
    if (s->sig_module == m)
        return WDEC_OK;
    free(s->call_sigs);
    s->call_sigs = NULL;
    s->sig_module = NULL;
    if (m->type_count) {
        s->call_sigs = malloc((size_t)m->type_count * sizeof *s->call_sigs);
        if (!s->call_sigs)
            return WDEC_ERR_OUT_OF_MEMORY;
    }
    for (uint32_t i = 0; i < m->type_count; i++) {
        const struct wdec_func_type *ft = &m->types[i];
        struct wdec_call_sig *cs = &s->call_sigs[i];
        uint32_t n = ft->param_count;
        cs->ok = n <= STACK_PAD && ft->result_count <= 1;
        cs->param_count = n;
        cs->result = ft->result_count == 1 ? ft->results[0] : 0;
        uint16_t slots[STACK_PAD] = {0}, mask[STACK_PAD] = {0};
        for (uint32_t k = 0; cs->ok && k < n; k++) {
            slots[STACK_PAD - n + k] = ft->params[k];
            mask[STACK_PAD - n + k] = 0xffff;
        }
        _Static_assert(sizeof slots == sizeof cs->params, "one slot per param");
        memcpy(cs->params, slots, sizeof cs->params);
        memcpy(cs->mask, mask, sizeof cs->mask);
    }
    s->sig_module = m;
    return WDEC_OK;
}

/* --- LEB128 without a branch per byte (wdec_load_le64(), wdec_leb_len8(), wdec_leb_gather() in
 * internal.h) ---
 * The fast path has 16 readable bytes after each instruction's start, so it reads a LEB128's
 * first 8 bytes as one word. */

/* The length of a well-formed u32 LEB128 at q (1 to 5 bytes; the 5-byte padded form is what
 * linkers write for relocatable indices), 0 for anything else, which the full loop reports. */
static inline unsigned fast_u32_len(const uint8_t *q)
{
    unsigned n = wdec_leb_len8(wdec_load_le64(q));
    if (WDEC_LIKELY(n <= 4))
        return n;
    return n == 5 && q[4] < 0x10 ? 5 : 0;
}

/* A well-formed u32 LEB128 at q and its length in *len (0 when not well-formed), its 7-bit groups
 * gathered without a branch. */
static inline uint32_t fast_u32_any(const uint8_t *q, unsigned *len)
{
    uint64_t w = wdec_load_le64(q);
    unsigned n = wdec_leb_len8(w);
    uint64_t x = wdec_leb_gather(w);
    *len = n <= 5 && x <= UINT32_MAX ? n : 0;
    return (uint32_t)x;
}

/* The same with one byte, the common case for most indices, on a branch of its own. */
static inline uint32_t fast_u32(const uint8_t *q, unsigned *len)
{
    if (WDEC_LIKELY(q[0] < 0x80)) {
        *len = 1;
        return q[0];
    }
    return fast_u32_any(q, len);
}

/* The length of a well-formed s32 (max 5 bytes) or s64 (max 10 bytes) LEB128 at q, 0 otherwise.
 * The last byte's unused high bits must repeat the sign bit. */
static inline unsigned fast_s32_len(const uint8_t *q)
{
    unsigned n = wdec_leb_len8(wdec_load_le64(q));
    if (WDEC_LIKELY(n <= 4))
        return n;
    return n == 5 && ((q[4] & 0xf8) == 0 || (q[4] & 0xf8) == 0x78) ? 5 : 0;
}

static inline unsigned fast_s64_len(const uint8_t *q)
{
    uint64_t w = wdec_load_le64(q);
    if (WDEC_LIKELY(~w & 0x8080808080808080u))
        return wdec_leb_len8(w);
    if (q[8] < 0x80)
        return 9;
    return q[9] == 0 || q[9] == 0x7f ? 10 : 0;
}

/* Loaded type of each load 0x28..0x35 and stored type of each store 0x36..0x3e. */
static const uint8_t load_type[14] = {WDEC_I32, WDEC_I64, WDEC_F32, WDEC_F64, WDEC_I32,
                                      WDEC_I32, WDEC_I32, WDEC_I32, WDEC_I64, WDEC_I64,
                                      WDEC_I64, WDEC_I64, WDEC_I64, WDEC_I64};
static const uint8_t store_type[9] = {WDEC_I32, WDEC_I64, WDEC_F32, WDEC_F64, WDEC_I32,
                                      WDEC_I32, WDEC_I64, WDEC_I64, WDEC_I64};

/* Whether the operands below stack[top] (the frame's own start at `height`) are exactly what a
 * call of signature cs pops. */
static inline bool sig_match(const struct wdec_call_sig *cs, const uint16_t *stack, uint32_t top,
                             uint32_t height)
{
    uint64_t lo, hi;
    memcpy(&hi, stack + top - STACK_PAD / 2, sizeof hi);
    if (!cs->ok || top - height < cs->param_count || ((hi ^ cs->params[1]) & cs->mask[1]))
        return false;
    if (WDEC_LIKELY(cs->param_count <= STACK_PAD / 2))
        return true;
    memcpy(&lo, stack + top - STACK_PAD, sizeof lo);
    return ((lo ^ cs->params[0]) & cs->mask[0]) == 0;
}

/* Whether a frame with an empty or one-value type (no params) may end here: its result on top of
 * its own operands and nothing else, or nothing at all after unreachable code. */
static inline bool frame_end_ok(const struct wdec_frame *fr, const uint16_t *stack, uint32_t sp,
                                uint32_t height)
{
    uint32_t n = fr->bt.result_count;
    if (fr->unreachable && sp == height)
        return true;
    return sp - height == n && (n == 0 || stack[sp - 1] == fr->bt.results[0]);
}

/* Enters a block, loop or if (kind k) of block type byte b whose operands start at `height`:
 * the empty type or one value type; false when the fast path leaves it to the full loop (a type
 * index, an invalid type, no frame left). */
static inline bool fast_enter(const struct fast *f, struct wdec_frame **frp, uint8_t b,
                              uint32_t height, enum frame_kind k)
{
    struct wdec_frame *fr = *frp;
    if (fr + 1 == f->frames + f->frame_cap ||
        (b != 0x40 && valtype_status(b, f->m->features) != WDEC_OK))
        return false;
    fr++;
    fr->bt.param_count = 0;
    fr->bt.params = NULL;
    fr->bt.result_count = b != 0x40;
    fr->bt.results = b != 0x40 ? &wdec_one_type[b] : NULL;
    fr->bt.type_index = WDEC_NO_INDEX;
    fr->height = height;
    fr->kind = (uint8_t)k;
    fr->fast_label = (uint8_t)(k == K_LOOP || b == 0x40 ? 0 : b);
    fr->fast_end = (uint8_t)(b == 0x40 ? 0 : k == K_IF ? FAST_MANY : b);
    fr->unreachable = false;
    fr->entered_live = true; /* only callbacks read it, and there are none here */
    *frp = fr;
    return true;
}

/* Whether a branch at p (br or br_if) to the label LEB128 at p + 1 may carry the operands below
 * stack[top]: at most one value, of the label's type; the label's length in *len. */
static inline bool fast_label_ok(const struct wdec_frame *frames, const struct wdec_frame *fr,
                                 const uint8_t *p, const uint16_t *stack, uint32_t top,
                                 uint32_t height, unsigned *len)
{
    uint32_t d = fast_u32(p + 1, len);
    if (*len == 0 || d > (size_t)(fr - frames))
        return false;
    unsigned lt = fr[-(ptrdiff_t)d].fast_label;
    return lt == 0 || (lt != FAST_MANY && top != height && stack[top - 1] == lt);
}

#if defined(__GNUC__)
#define FAST_THREADED 1
#define FAST_LABEL(l)                                                                              \
    l:;
/* The next instruction: FAST_NEXT() when the handler has computed p, FAST_NEXT1() and
 * FAST_NEXT2() on a path that knows the instruction was 1 or 2 bytes long.
 * - The three commonest kinds (local.get and i32.const alone are 40% of yosys's instructions; the
 *   numeric ops) are picked by conditional branches, and only the rest by the indirect jump: the
 *   CPU predicts those branches better than the jump it would otherwise take for every
 *   instruction (bench_walk's `cond` walk; docs/BENCHMARKS.md, frontend, session 6). Each target
 *   is the one jt[] holds for that opcode.
 * - Before those, the opcodes at p + 1 and p + 2 and their jt[] targets are loaded, for the next
 *   dispatch when this instruction is 1 or 2 bytes long (local.get, local.set/tee and i32.const
 *   with a one-byte immediate, block, loop, if, the saturating truncations; end, the numeric
 *   ops, drop, select, else, return). The CPU mispredicts most of these jumps on a module like
 *   sql.js, and a jump resolves only when its inputs are there: one whose opcode and target were
 *   loaded before the previous jump resolves as soon as its handler runs, instead of two
 *   dependent loads later (sql.js +6-8%, docs/BENCHMARKS.md, frontend, session 12). */
#define FAST_NEXT_AT(opv, tv)                                                                      \
    do {                                                                                           \
        if (WDEC_UNLIKELY(p >= end))                                                               \
            goto out;                                                                              \
        op = (opv);                                                                                \
        const void *t_ = (tv);                                                                     \
        o1 = p[1];                                                                                 \
        o2 = p[2];                                                                                 \
        t1 = jt[o1];                                                                               \
        t2 = jt[o2];                                                                               \
        if (op == 0x20)                                                                            \
            goto L_20;                                                                             \
        if (op == 0x41)                                                                            \
            goto L_41;                                                                             \
        if (op - 0x45u < 0x80u) /* 0x45..0xc4 */                                                   \
            goto L_num;                                                                            \
        goto *t_;                                                                                  \
    } while (0)
#define FAST_NEXT()  FAST_NEXT_AT(*p, jt[*p])
#define FAST_NEXT1() FAST_NEXT_AT(o1, t1)
#define FAST_NEXT2() FAST_NEXT_AT(o2, t2)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
__attribute__((noinline))
#else
#define FAST_THREADED 0
#define FAST_LABEL(l)
#define FAST_NEXT()  continue
#define FAST_NEXT1() continue
#define FAST_NEXT2() continue
#endif
static void
fast_run(struct fast *f)
{
    const uint8_t *p = f->p;
    const uint8_t *const end = f->end;
    uint16_t *const stack = f->stack;
    uint32_t sp = f->sp;
    /* The innermost frame by pointer: its fields are at hand without an index to compute, and
     * the frame array's base is only needed by branches (label depths) and block entry. */
    struct wdec_frame *fr = &f->frames[f->fp - 1];
    uint32_t height = fr->height;
    const uint8_t *const locals = f->locals;
    const uint32_t local_count = f->local_count;
    /* One compare takes a one-byte local index that is in range: below both 0x80 and the count. */
    const uint32_t local_count1 = local_count < 0x80 ? local_count : 0x80;
    const struct wdec_module *const m = f->m;
    const struct wdec_call_sig *const sigs = f->sigs;
    const uint8_t *const body_end = f->body_end;
#if FAST_THREADED
    /* Threaded dispatch: each handler ends in FAST_NEXT() (GNU C labels as values; the switch
     * below is the fallback). GCC merges the identical copies into a handful of jump sites;
     * one copy per handler and one site for all were both slower (docs/BENCHMARKS.md, frontend,
     * session 7). */
    static const void *const jt[256] = {
        &&L_00,  &&L_01,  &&L_02,  &&L_03,  &&L_04,  &&L_05,  &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_0b,  &&L_0c,  &&L_0d,  &&L_0e,  &&L_0f,  &&L_10,  &&L_11,  &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_1a,  &&L_1b,  &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_20,  &&L_21,  &&L_21,  &&L_23,  &&L_24,  &&L_num, &&L_num, &&L_num,
        &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_28,
        &&L_28,  &&L_28,  &&L_28,  &&L_28,  &&L_36,  &&L_36,  &&L_36,  &&L_36,  &&L_36,  &&L_36,
        &&L_36,  &&L_36,  &&L_36,  &&L_num, &&L_num, &&L_41,  &&L_42,  &&L_43,  &&L_44,  &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num, &&L_num,
        &&L_num, &&L_num, &&L_fc,  &&L_num, &&L_num, &&L_num,
    };
#endif
    unsigned op;
#if FAST_THREADED
    unsigned o1, o2;     /* the opcodes at p + 1 and p + 2, loaded ahead (FAST_NEXT_AT()) */
    const void *t1, *t2; /* their targets */
    /* The first instruction through the same compares and jump as every other: the switch's own
     * jump, taken once per call (a body, or what follows a stop in the full loop), is a branch of
     * its own with no history to predict it by (sql.js: +1.5-5%, docs/BENCHMARKS.md). */
    FAST_NEXT();
#endif
    while (p < end) {
        op = p[0];
        switch (op) {
        case 0x00: /* unreachable */
            FAST_LABEL(L_00)
            sp = height;
            fr->unreachable = true;
            p++;
            FAST_NEXT1();
        case 0x01: /* nop */
            FAST_LABEL(L_01)
            p++;
            FAST_NEXT1();
        case 0x0f: { /* return */
            FAST_LABEL(L_0f)
            const struct wdec_frame *f0 = f->frames;
            uint32_t n = f0->bt.result_count;
            if (n > 1 || (n == 1 && (sp == height || stack[sp - 1] != f0->bt.results[0])))
                goto out;
            sp = height;
            fr->unreachable = true;
            p++;
            FAST_NEXT1();
        }
        case 0x05: { /* else of an if with an empty or one-value type */
            FAST_LABEL(L_05)
            if (fr->kind != K_IF || fr->bt.result_count > 1 || fr->bt.param_count ||
                !frame_end_ok(fr, stack, sp, height))
                goto out;
            fr->kind = K_ELSE;
            fr->fast_end = fr->bt.result_count ? fr->bt.results[0] : 0; /* frame_fast_set() */
            fr->unreachable = false;
            sp = height;
            p++;
            FAST_NEXT1();
        }
        /* block, loop and if each have their own handler, so that which of them it is comes from
         * the dispatch and is not a branch of its own. */
        case 0x02: /* block */
            FAST_LABEL(L_02)
            if (!fast_enter(f, &fr, p[1], sp, K_BLOCK))
                goto out;
            height = sp;
            p += 2;
            FAST_NEXT2();
        case 0x03: /* loop */
            FAST_LABEL(L_03)
            if (!fast_enter(f, &fr, p[1], sp, K_LOOP))
                goto out;
            height = sp;
            p += 2;
            FAST_NEXT2();
        case 0x04: /* if */
            FAST_LABEL(L_04)
            if (sp == height || stack[sp - 1] != WDEC_I32 ||
                !fast_enter(f, &fr, p[1], sp - 1, K_IF))
                goto out;
            height = --sp;
            p += 2;
            FAST_NEXT2();
        case 0x0b: { /* end */
            FAST_LABEL(L_0b)
            unsigned e = fr->fast_end;
            if (WDEC_UNLIKELY(e >= FAST_FUNC)) {
                if (e == FAST_FUNC)
                    goto func_end;
                goto out;
            }
            if (fr->unreachable && sp == height) {
                /* Dead end of the frame: its result comes from the polymorphic stack. */
                stack[sp] = (uint16_t)e; /* room for it, used or not (see push()) */
                sp += e != 0;
            } else if (sp - height != (e != 0) || (e != 0 && stack[sp - 1] != e)) {
                goto out;
            }
            fr--;
            height = fr->height;
            p++;
            FAST_NEXT1();
        }
        case 0x0e: { /* br_table: every label of one arity, at most one value, of one type */
            FAST_LABEL(L_0e)
            unsigned len;
            uint32_t count = fast_u32(p + 1, &len);
            if (len == 0 || sp == height || stack[sp - 1] != WDEC_I32)
                goto out;
            const uint8_t *q = p + 1 + len;
            uint32_t want = 0; /* the labels' value type, 0 when they carry none */
            for (uint64_t i = 0; i <= count; i++) {
                if (q >= end)
                    goto out;
                uint32_t d = fast_u32(q, &len);
                if (len == 0 || d > (size_t)(fr - f->frames))
                    goto out;
                uint32_t key = fr[-(ptrdiff_t)d].fast_label;
                if (key == FAST_MANY)
                    goto out;
                if (i == 0)
                    want = key;
                else if (key != want)
                    goto out;
                q += len;
            }
            if (want && (sp - 1 == height || stack[sp - 2] != want))
                goto out;
            sp = height;
            fr->unreachable = true;
            p = q;
            FAST_NEXT();
        }
        case 0x0c: { /* br (and br_if below: each its own handler, as block, loop and if) */
            FAST_LABEL(L_0c)
            unsigned len;
            if (!fast_label_ok(f->frames, fr, p, stack, sp, height, &len))
                goto out;
            sp = height;
            fr->unreachable = true;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x0d: { /* br_if */
            FAST_LABEL(L_0d)
            unsigned len;
            if (sp == height || stack[sp - 1] != WDEC_I32 ||
                !fast_label_ok(f->frames, fr, p, stack, sp - 1, height, &len))
                goto out;
            sp--;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x10: { /* call */
            FAST_LABEL(L_10)
            unsigned len;
            /* No one-byte branch for a function index: half of sql.js's calls have longer ones,
             * which makes that branch a coin toss (bench_validate, docs/BENCHMARKS.md). */
            uint32_t idx = fast_u32_any(p + 1, &len);
            if (len == 0 || idx >= m->func_count)
                goto out;
            const struct wdec_call_sig *cs = &sigs[m->funcs[idx].type_index];
            if (!sig_match(cs, stack, sp, height))
                goto out;
            sp -= cs->param_count;
            stack[sp] = cs->result; /* room for it, used or not (see push()) */
            sp += cs->result != 0;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x11: { /* call_indirect through a funcref table with a one-byte index */
            FAST_LABEL(L_11)
            unsigned len;
            uint32_t idx = fast_u32(p + 1, &len);
            if (len == 0 || idx >= m->type_count)
                goto out;
            uint8_t table = p[1 + len];
            if (table >= 0x80 || table >= m->table_count ||
                m->tables[table].type.elem_type != WDEC_FUNCREF || sp == height ||
                stack[sp - 1] != WDEC_I32)
                goto out;
            const struct wdec_call_sig *cs = &sigs[idx];
            if (!sig_match(cs, stack, sp - 1, height))
                goto out;
            sp -= 1 + cs->param_count;
            stack[sp] = cs->result;
            sp += cs->result != 0;
            p += 2 + len;
            FAST_NEXT();
        }
        case 0xfc: { /* the saturating truncations; memory.copy and memory.fill of memory 0 */
            FAST_LABEL(L_fc)
            uint8_t sub = p[1];
            /* {i32,i64}.trunc_sat_{f32,f64}_{s,u}: 4-7 give i64; 2, 3, 6 and 7 take f64 */
            if (sub < 8) {
                if (sp == height || stack[sp - 1] != (sub & 2 ? WDEC_F64 : WDEC_F32))
                    goto out;
                stack[sp - 1] = sub & 4 ? WDEC_I64 : WDEC_I32;
                p += 2;
                FAST_NEXT2();
            }
            if (sub == 10 ? (p[2] | p[3]) != 0 : sub != 11 || p[2] != 0)
                goto out;
            if (m->memory_count == 0 || sp - height < 3 || stack[sp - 1] != WDEC_I32 ||
                stack[sp - 2] != WDEC_I32 || stack[sp - 3] != WDEC_I32)
                goto out;
            sp -= 3;
            p += sub == 10 ? 4 : 3;
            FAST_NEXT();
        }
        case 0x1a: /* drop */
            FAST_LABEL(L_1a)
            if (sp == height)
                goto out;
            sp--;
            p++;
            FAST_NEXT1();
        case 0x20: { /* local.get */
            FAST_LABEL(L_20)
            if (WDEC_LIKELY(p[1] < local_count1)) {
                /* A one-byte index in range, the common case, on its own path: the next
                 * instruction's address is then p + 2 at once, not a length that has to be
                 * carried along. */
                stack[sp++] = locals[p[1]];
                p += 2;
                FAST_NEXT2();
            }
            unsigned len;
            uint32_t idx = fast_u32(p + 1, &len);
            if (len == 0 || idx >= local_count)
                goto out;
            stack[sp++] = locals[idx];
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x21:   /* local.set */
        case 0x22: { /* local.tee */
            FAST_LABEL(L_21)
            if (WDEC_LIKELY(p[1] < local_count1)) { /* a one-byte index, as in local.get */
                if (sp == height || stack[sp - 1] != locals[p[1]])
                    goto out;
                sp -= op == 0x21;
                p += 2;
                FAST_NEXT2();
            }
            unsigned len;
            uint32_t idx = fast_u32(p + 1, &len);
            if (len == 0 || idx >= local_count || sp == height || stack[sp - 1] != locals[idx])
                goto out;
            sp -= op == 0x21;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x23: { /* global.get */
            FAST_LABEL(L_23)
            unsigned len;
            uint32_t idx = fast_u32(p + 1, &len);
            if (len == 0 || idx >= m->global_count)
                goto out;
            stack[sp++] = m->globals[idx].type.type;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x24: { /* global.set */
            FAST_LABEL(L_24)
            unsigned len;
            uint32_t idx = fast_u32(p + 1, &len);
            if (len == 0 || idx >= m->global_count || sp == height)
                goto out;
            const struct wdec_global_type *gt = &m->globals[idx].type;
            if (!gt->is_mutable || stack[sp - 1] != gt->type)
                goto out;
            sp--;
            p += 1 + len;
            FAST_NEXT();
        }
        case 0x1b: { /* select (untyped): numeric or vector operands of one type */
            FAST_LABEL(L_1b)
            if (sp - height < 3 || stack[sp - 1] != WDEC_I32)
                goto out;
            uint16_t t = stack[sp - 2];
            if (t != stack[sp - 3] || t == WDEC_UNKNOWN || is_reftype((uint8_t)t))
                goto out;
            sp -= 2;
            p++;
            FAST_NEXT1();
        }
        case 0x43: /* f32.const */
            FAST_LABEL(L_43)
            stack[sp++] = WDEC_F32;
            p += 5;
            FAST_NEXT();
        case 0x44: /* f64.const */
            FAST_LABEL(L_44)
            stack[sp++] = WDEC_F64;
            p += 9;
            FAST_NEXT();
        case 0x28:
        case 0x29:
        case 0x2a:
        case 0x2b:
        case 0x2c:
        case 0x2d:
        case 0x2e:
        case 0x2f:
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35: { /* loads: i32 -> t */
            FAST_LABEL(L_28)
            unsigned n = fast_u32_len(p + 2);
            if (p[1] > natural_align(op) || n == 0 || m->memory_count == 0 || sp == height ||
                stack[sp - 1] != WDEC_I32)
                goto out;
            stack[sp - 1] = load_type[op - 0x28];
            p += 2 + n;
            FAST_NEXT();
        }
        case 0x36:
        case 0x37:
        case 0x38:
        case 0x39:
        case 0x3a:
        case 0x3b:
        case 0x3c:
        case 0x3d:
        case 0x3e: { /* stores: i32 t -> */
            FAST_LABEL(L_36)
            unsigned n = fast_u32_len(p + 2);
            if (p[1] > natural_align(op) || n == 0 || m->memory_count == 0 || sp - height < 2 ||
                stack[sp - 1] != store_type[op - 0x36] || stack[sp - 2] != WDEC_I32)
                goto out;
            sp -= 2;
            p += 2 + n;
            FAST_NEXT();
        }
        case 0x41: { /* i32.const */
            FAST_LABEL(L_41)
            if (p[1] < 0x80) { /* a one-byte constant: the next address at once, as above */
                stack[sp++] = WDEC_I32;
                p += 2;
                FAST_NEXT2();
            }
            unsigned n = fast_s32_len(p + 1);
            if (n == 0)
                goto out;
            stack[sp++] = WDEC_I32;
            p += 1 + n;
            FAST_NEXT();
        }
        case 0x42: { /* i64.const */
            FAST_LABEL(L_42)
            unsigned n = fast_s64_len(p + 1);
            if (n == 0)
                goto out;
            stack[sp++] = WDEC_I64;
            p += 1 + n;
            FAST_NEXT();
        }
        default: { /* the numeric group, from opcodes.def */
            FAST_LABEL(L_num)
            /* Unary and binary alike (whether an op is one or the other is as hard to predict as
             * the dispatch): the top two slots as one word, the pad below the stack's start
             * standing in for missing ones (see STACK_PAD). */
            const struct num_fast *nf = &num_fast[op];
            uint32_t top2;
            memcpy(&top2, stack + sp - 2, sizeof top2);
            if (!nf->numeric || sp - height < nf->pops || ((top2 ^ nf->want) & nf->mask))
                goto out;
            sp -= nf->pops - 1u;
            stack[sp - 1] = nf->out;
            p++;
            FAST_NEXT1();
        }
        }
    }
    goto out;
func_end : {
    /* The function's own end, which must be the body's last byte. */
    if (fr->bt.result_count > 1 || !frame_end_ok(fr, stack, sp, height) || p + 1 != body_end)
        goto out;
    f->done = true; /* nothing else is read after the body's end */
    f->p = p + 1;
    return;
}
out:
    f->p = p;
    f->sp = sp;
    f->fp = (uint32_t)(fr - f->frames + 1);
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Where the fast path may start an instruction: anywhere in the body with 16 readable bytes
 * after it. Those may lie past the body's end (the module goes on); an instruction that runs past
 * that end leaves the fast path beyond it, which body_loop()'s overrun check reports. */
HOT const uint8_t *fast_end_of(const struct wdec_module *m, const uint8_t *body_end)
{
    const uint8_t *module_end16 = m->size > 16 ? m->bytes + m->size - 16 : m->bytes;
    return body_end < module_end16 ? body_end : module_end16;
}

/* The fast path's input: from instruction p (before fast_end) with sp operands and fp frames in
 * s's stacks. Field by field, which spares zeroing the struct's padding first. */
HOT void fast_begin(struct fast *f, const struct wdec_module *m, const struct wdec_scratch *s,
                    const struct wdec_func_info *fi, const uint8_t *p, const uint8_t *fast_end,
                    const uint8_t *body_end, uint32_t sp, uint32_t fp)
{
    f->p = p;
    f->end = fast_end;
    f->stack = s->stack;
    f->sp = sp;
    f->fp = fp;
    f->frames = s->frames;
    f->frame_cap = s->frame_cap;
    f->locals = fi->local_types;
    f->local_count = fi->local_count;
    f->m = m;
    f->sigs = s->call_sigs;
    f->body_end = body_end;
    f->done = false;
}

/* Runs the fast path from c->r.p (which must lie before fast_end) and takes its state back into
 * *c. True when it validated the body's final `end`: the body is valid. */
HOT bool fast_step(struct val *c, const struct wdec_func_info *fi, const uint8_t *fast_end)
{
    struct fast f;
    fast_begin(&f, c->m, c->s, fi, c->r.p, fast_end, c->body_end, c->sp, c->fp);
    fast_run(&f);
    c->r.p = f.p;
    if (f.done) /* no func_end callback: the visitor is all-NULL */
        return true;
    c->sp = f.sp;
    c->fp = f.fp;
    c->height = c->frames[c->fp - 1].height;
    c->unreachable = c->frames[c->fp - 1].unreachable;
    return false;
}

/* The full loop, from c->r.p on (body_start() and the function's frame done), instantiated
 * twice: `plain` (no callbacks at all) compiles every visitor call out and, after each
 * instruction it validates, hands the body back to the fast path; the other keeps the
 * callbacks. */
HOT wdec_status body_loop(struct val *c, const struct wdec_func_info *fi,
                          const struct wdec_visitor *v, void *ctx, const bool plain)
{
    const struct wdec_module *m = c->m;
    struct wdec_scratch *s = c->s;
    struct wdec_error *err = c->err;
    const uint32_t func_index = fi->func_index;
    const struct wdec_func *fn = &m->funcs[func_index];
    struct rd *r = &c->r;
    const uint8_t *body_end = c->body_end;
    const uint8_t *locals = fi->local_types;
    const uint32_t local_count = fi->local_count;
    const uint8_t *fast_end = plain ? fast_end_of(m, body_end) : NULL;
    bool live = true; /* the plain loop never reads it */
    for (;;) {
        /* One check per instruction: past the body's declared end (which lies within the module)
         * there is no valid continuation, so the decode-only scan reports the error. */
        if (r->p >= body_end)
            return body_overrun(m, s, func_index, err);
        c->op_at = r->p;
        uint8_t op = *r->p++;
        if (!plain && live && v->instr_begin && op != 0xfc && op != 0xfd) {
            wdec_status st = v->instr_begin(ctx, (enum wdec_opcode)op, OP_OFF(c));
            if (st)
                return client_fail(c, st);
        }
        switch (op) {
        /* --- Control --- */
        case 0x00: /* unreachable */
            VISIT0(unreachable);
            set_unreachable(c);
            live = false;
            break;
        case 0x01: /* nop */
            VISIT0(nop);
            break;
        case 0x02: /* block */
        case 0x03: /* loop */
        case 0x04: /* if */ {
            struct wdec_block_type bt;
            WDEC_TRY_HOT(read_block_type(c, &bt));
            if (op == 0x04)
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            WDEC_TRY_HOT(pop_types(c, bt.params, bt.param_count));
            if (op == 0x02)
                VISIT(block, &bt);
            else if (op == 0x03)
                VISIT(loop, &bt);
            else
                VISIT(if_, &bt);
            WDEC_TRY_HOT(push_frame(c,
                                    op == 0x02   ? K_BLOCK
                                    : op == 0x03 ? K_LOOP
                                                 : K_IF,
                                    &bt, live));
            break;
        }
        case 0x05: /* else */ {
            struct wdec_frame *f = &c->frames[c->fp - 1];
            if (f->kind != K_IF)
                return fail_at(c, WDEC_ERR_END_EXPECTED);
            WDEC_TRY_HOT(check_frame_end(c));
            f->kind = K_ELSE;
            frame_fast_set(f);
            f->unreachable = false;
            c->unreachable = false;
            live = f->entered_live;
            VISIT0(else_);
            WDEC_TRY_HOT(push_types(c, f->bt.params, f->bt.param_count));
            break;
        }
        case 0x0b: /* end */ {
            struct wdec_frame *f = &c->frames[c->fp - 1];
            WDEC_TRY_HOT(check_frame_end(c));
            if (f->kind == K_IF) {
                /* No else: the implicit else arm passes the params through as results. */
                if (f->bt.param_count != f->bt.result_count ||
                    (f->bt.param_count &&
                     memcmp(f->bt.params, f->bt.results, f->bt.param_count) != 0))
                    return mismatch(c);
            }
            live = f->entered_live;
            if (f->kind == K_FUNC) {
                if (r->p != body_end)
                    return wdec_fail(err, WDEC_ERR_SECTION_SIZE, fn->body_offset, NULL);
                c->fp--;
                if (!plain && v->func_end) {
                    wdec_status st = v->func_end(ctx);
                    if (st)
                        return client_fail(c, st);
                }
                return WDEC_OK;
            }
            VISIT(end, f->kind == K_ELSE);
            struct wdec_block_type bt = f->bt;
            c->fp--;
            c->height = c->frames[c->fp - 1].height;
            c->unreachable = c->frames[c->fp - 1].unreachable;
            WDEC_TRY_HOT(push_types(c, bt.results, bt.result_count));
            break;
        }
        case 0x0c: /* br */ {
            uint32_t depth, n;
            const uint8_t *lt;
            WDEC_TRY_HOT(read_label(c, &depth));
            label_types(&c->frames[c->fp - 1 - depth], &lt, &n);
            WDEC_TRY_HOT(pop_types(c, lt, n));
            VISIT(br, depth, n);
            set_unreachable(c);
            live = false;
            break;
        }
        case 0x0d: /* br_if */ {
            uint32_t depth, n;
            const uint8_t *lt;
            WDEC_TRY_HOT(read_label(c, &depth));
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            label_types(&c->frames[c->fp - 1 - depth], &lt, &n);
            WDEC_TRY_HOT(pop_types(c, lt, n));
            VISIT(br_if, depth, n);
            WDEC_TRY_HOT(push_types(c, lt, n));
            break;
        }
        case 0x0e: /* br_table */ {
            uint32_t count, dflt;
            WDEC_TRY_HOT(wdec_rd_len(r, &count));
            void *p = s->targets;
            wdec_status st = grow(&p, &s->target_cap, count + 1, sizeof(uint32_t));
            if (st)
                return fail_at(c, st);
            s->targets = p;
            for (uint32_t i = 0; i < count; i++)
                WDEC_TRY_HOT(read_label(c, &s->targets[i]));
            WDEC_TRY_HOT(read_label(c, &dflt));
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            uint32_t n;
            const uint8_t *dt;
            label_types(&c->frames[c->fp - 1 - dflt], &dt, &n);
            /* Every target carries the same values: compare each label with the operands in
             * place (a missing operand in dead code matches anything), then pop the default. */
            struct wdec_frame *f = &c->frames[c->fp - 1];
            for (uint32_t i = 0; i < count; i++) {
                uint32_t tn;
                const uint8_t *tt;
                label_types(&c->frames[c->fp - 1 - s->targets[i]], &tt, &tn);
                if (tn != n)
                    return mismatch(c);
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t depth_k = n - k; /* 1 = top of stack */
                    if (c->sp - f->height < depth_k) {
                        if (!f->unreachable)
                            return mismatch(c);
                        continue;
                    }
                    uint16_t a = c->stack[c->sp - depth_k];
                    if (a != WDEC_UNKNOWN && a != tt[k])
                        return mismatch(c);
                }
            }
            WDEC_TRY_HOT(pop_types(c, dt, n));
            VISIT(br_table, s->targets, count, dflt, n);
            set_unreachable(c);
            live = false;
            break;
        }
        case 0x0f: /* return */ {
            const struct wdec_frame *ff = &c->frames[0];
            WDEC_TRY_HOT(pop_types(c, ff->bt.results, ff->bt.result_count));
            VISIT0(return_);
            set_unreachable(c);
            live = false;
            break;
        }
        case 0x10: /* call */ {
            uint32_t idx;
            WDEC_TRY_HOT(rd_u32(r, &idx));
            if (idx >= m->func_count)
                return wdec_fail(err, WDEC_ERR_UNKNOWN_FUNC, OP_OFF(c), "%u", idx);
            const struct wdec_func_type *ft = &m->types[m->funcs[idx].type_index];
            WDEC_TRY_HOT(pop_types(c, ft->params, ft->param_count));
            VISIT(call, idx, ft);
            WDEC_TRY_HOT(push_types(c, ft->results, ft->result_count));
            break;
        }
        case 0x11: /* call_indirect */ {
            uint32_t tidx, table;
            WDEC_TRY_HOT(rd_u32(r, &tidx));
            WDEC_TRY_HOT(read_table(c, &table));
            if (m->tables[table].type.elem_type != WDEC_FUNCREF)
                return mismatch(c);
            if (tidx >= m->type_count)
                return wdec_fail(err, WDEC_ERR_UNKNOWN_TYPE, OP_OFF(c), "%u", tidx);
            const struct wdec_func_type *ft = &m->types[tidx];
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            WDEC_TRY_HOT(pop_types(c, ft->params, ft->param_count));
            VISIT(call_indirect, tidx, ft, table);
            WDEC_TRY_HOT(push_types(c, ft->results, ft->result_count));
            break;
        }
        /* --- Parametric --- */
        case 0x1a: /* drop */ {
            uint8_t t = 0;
            WDEC_TRY_HOT(pop_any(c, &t));
            VISIT(drop, t);
            break;
        }
        case 0x1b: /* select */
        case 0x1c: /* select t */ {
            uint8_t t = 0;
            if (op == 0x1c) {
                uint32_t n;
                WDEC_TRY_HOT(wdec_rd_len(r, &n));
                if (n != 1) {
                    for (uint32_t i = 0; i < n; i++) {
                        uint8_t b;
                        WDEC_TRY_HOT(rd_byte(r, &b));
                        wdec_status st = valtype_status(b, m->features);
                        if (st)
                            return wdec_fail(err, st, rd_off(r) - 1, NULL);
                    }
                    return fail_at(c, WDEC_ERR_RESULT_ARITY);
                }
                WDEC_TRY_HOT(rd_byte(r, &t));
                wdec_status st = valtype_status(t, m->features);
                if (st)
                    return wdec_fail(err, st, rd_off(r) - 1, NULL);
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, t));
                WDEC_TRY_HOT(pop_expect(c, t));
            } else {
                uint8_t t1 = 0, t2 = 0;
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_any(c, &t1));
                WDEC_TRY_HOT(pop_any(c, &t2));
                /* Untyped select is for numeric (and vector) operands only. */
                if (is_reftype(t1) || is_reftype(t2))
                    return mismatch(c);
                if (t1 != t2 && t1 != WDEC_UNKNOWN && t2 != WDEC_UNKNOWN)
                    return mismatch(c);
                t = t1 == WDEC_UNKNOWN ? t2 : t1;
            }
            VISIT(select, t);
            WDEC_TRY_HOT(push(c, t));
            break;
        }
        /* --- Variables --- */
        case 0x20: /* local.get */
        case 0x21: /* local.set */
        case 0x22: /* local.tee */ {
            uint32_t idx;
            WDEC_TRY_HOT(rd_u32(r, &idx));
            if (idx >= local_count)
                return wdec_fail(err, WDEC_ERR_UNKNOWN_LOCAL, OP_OFF(c), "%u", idx);
            uint8_t t = locals[idx];
            if (op == 0x20) {
                VISIT(local_get, idx, t);
                WDEC_TRY_HOT(push(c, t));
            } else if (op == 0x21) {
                WDEC_TRY_HOT(pop_expect(c, t));
                VISIT(local_set, idx, t);
            } else {
                WDEC_TRY_HOT(pop_expect(c, t));
                VISIT(local_tee, idx, t);
                WDEC_TRY_HOT(push(c, t));
            }
            break;
        }
        case 0x23: /* global.get */
        case 0x24: /* global.set */ {
            uint32_t idx;
            WDEC_TRY_HOT(rd_u32(r, &idx));
            if (idx >= m->global_count)
                return wdec_fail(err, WDEC_ERR_UNKNOWN_GLOBAL, OP_OFF(c), "%u", idx);
            const struct wdec_global_type *gt = &m->globals[idx].type;
            if (op == 0x23) {
                VISIT(global_get, idx, gt);
                WDEC_TRY_HOT(push(c, gt->type));
            } else {
                if (!gt->is_mutable)
                    return fail_at(c, WDEC_ERR_GLOBAL_IMMUTABLE);
                WDEC_TRY_HOT(pop_expect(c, gt->type));
                VISIT(global_set, idx, gt);
            }
            break;
        }
        case 0x25: /* table.get */
        case 0x26: /* table.set */ {
            uint32_t table;
            WDEC_TRY_HOT(read_table(c, &table));
            uint8_t et = m->tables[table].type.elem_type;
            if (op == 0x25) {
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(table_get, table);
                WDEC_TRY_HOT(push(c, et));
            } else {
                WDEC_TRY_HOT(pop_expect(c, et));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(table_set, table);
            }
            break;
        }
        /* --- Memory --- */
        case 0x28:
        case 0x29:
        case 0x2a:
        case 0x2b:
        case 0x2c:
        case 0x2d:
        case 0x2e:
        case 0x2f:
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35: {
            struct wdec_memarg arg;
            WDEC_TRY_HOT(read_memarg(c, natural_align(op), &arg));
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            VISIT(load, (enum wdec_opcode)op, arg);
            WDEC_TRY_HOT(push(c, load_type[op - 0x28]));
            break;
        }
        case 0x36:
        case 0x37:
        case 0x38:
        case 0x39:
        case 0x3a:
        case 0x3b:
        case 0x3c:
        case 0x3d:
        case 0x3e: {
            struct wdec_memarg arg;
            WDEC_TRY_HOT(read_memarg(c, natural_align(op), &arg));
            WDEC_TRY_HOT(pop_expect(c, store_type[op - 0x36]));
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            VISIT(store, (enum wdec_opcode)op, arg);
            break;
        }
        case 0x3f: /* memory.size */
            WDEC_TRY_HOT(read_zero(c));
            WDEC_TRY_HOT(need_memory(c));
            VISIT(memory_size, 0);
            WDEC_TRY_HOT(push(c, WDEC_I32));
            break;
        case 0x40: /* memory.grow */
            WDEC_TRY_HOT(read_zero(c));
            WDEC_TRY_HOT(need_memory(c));
            WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
            VISIT(memory_grow, 0);
            WDEC_TRY_HOT(push(c, WDEC_I32));
            break;
        /* --- Constants --- */
        case 0x41: {
            int32_t x;
            WDEC_TRY_HOT(rd_s32(r, &x));
            VISIT(i32_const, x);
            WDEC_TRY_HOT(push(c, WDEC_I32));
            break;
        }
        case 0x42: {
            int64_t x;
            WDEC_TRY_HOT(rd_s64(r, &x));
            VISIT(i64_const, x);
            WDEC_TRY_HOT(push(c, WDEC_I64));
            break;
        }
        case 0x43: {
            const uint8_t *b;
            WDEC_TRY_HOT(rd_fixed(r, 4, &b));
            uint32_t bits =
                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            VISIT(f32_const, bits);
            WDEC_TRY_HOT(push(c, WDEC_F32));
            break;
        }
        case 0x44: {
            const uint8_t *b;
            WDEC_TRY_HOT(rd_fixed(r, 8, &b));
            uint64_t bits = 0;
            for (int i = 7; i >= 0; i--)
                bits = bits << 8 | b[i];
            VISIT(f64_const, bits);
            WDEC_TRY_HOT(push(c, WDEC_F64));
            break;
        }
        /* --- References --- */
        case 0xd0: /* ref.null */ {
            uint8_t t = 0;
            WDEC_TRY_HOT(rd_byte(r, &t));
            if (!is_reftype(t))
                return wdec_fail(err, WDEC_ERR_REF_TYPE, rd_off(r) - 1, NULL);
            VISIT(ref_null, t);
            WDEC_TRY_HOT(push(c, t));
            break;
        }
        case 0xd1: /* ref.is_null */ {
            uint8_t t = 0;
            WDEC_TRY_HOT(pop_any(c, &t));
            if (t != WDEC_UNKNOWN && !is_reftype(t))
                return mismatch(c);
            VISIT(ref_is_null, t);
            WDEC_TRY_HOT(push(c, WDEC_I32));
            break;
        }
        case 0xd2: /* ref.func */ {
            uint32_t idx;
            WDEC_TRY_HOT(rd_u32(r, &idx));
            if (idx >= m->func_count)
                return wdec_fail(err, WDEC_ERR_UNKNOWN_FUNC, OP_OFF(c), "%u", idx);
            if (!m->funcs[idx].declared)
                return fail_at(c, WDEC_ERR_UNDECLARED_FUNC_REF);
            VISIT(ref_func, idx);
            WDEC_TRY_HOT(push(c, WDEC_FUNCREF));
            break;
        }
        /* --- 0xFC prefix: saturating truncation, bulk memory, tables --- */
        case 0xfc: {
            uint32_t sub;
            WDEC_TRY_HOT(rd_u32(r, &sub));
            enum wdec_opcode fop = (enum wdec_opcode)(0xfc << 16 | sub);
            if (sub > 17)
                return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0xfc %u", sub);
            if (!plain && live && v->instr_begin) {
                wdec_status st = v->instr_begin(ctx, fop, OP_OFF(c));
                if (st)
                    return client_fail(c, st);
            }
            if (sub <= 7) {
                static const uint8_t in[8] = {WDEC_F32, WDEC_F32, WDEC_F64, WDEC_F64,
                                              WDEC_F32, WDEC_F32, WDEC_F64, WDEC_F64};
                WDEC_TRY_HOT(pop_expect(c, in[sub]));
                VISIT(numeric, fop);
                WDEC_TRY_HOT(push(c, sub < 4 ? WDEC_I32 : WDEC_I64));
                break;
            }
            switch (sub) {
            case 8: { /* memory.init */
                uint32_t data;
                WDEC_TRY_HOT(rd_u32(r, &data));
                WDEC_TRY_HOT(read_zero(c));
                WDEC_TRY_HOT(need_memory(c));
                WDEC_TRY_HOT(check_data(c, data));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(memory_init, data, 0);
                break;
            }
            case 9: { /* data.drop */
                uint32_t data;
                WDEC_TRY_HOT(rd_u32(r, &data));
                WDEC_TRY_HOT(check_data(c, data));
                VISIT(data_drop, data);
                break;
            }
            case 10: /* memory.copy */
                WDEC_TRY_HOT(read_zero(c));
                WDEC_TRY_HOT(read_zero(c));
                WDEC_TRY_HOT(need_memory(c));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(memory_copy, 0, 0);
                break;
            case 11: /* memory.fill */
                WDEC_TRY_HOT(read_zero(c));
                WDEC_TRY_HOT(need_memory(c));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(memory_fill, 0);
                break;
            case 12: { /* table.init elem table */
                uint32_t elem, table;
                WDEC_TRY_HOT(rd_u32(r, &elem));
                WDEC_TRY_HOT(read_table(c, &table));
                if (elem >= m->elem_count)
                    return wdec_fail(err, WDEC_ERR_UNKNOWN_ELEM, OP_OFF(c), "%u", elem);
                if (m->elems[elem].elem_type != m->tables[table].type.elem_type)
                    return mismatch(c);
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(table_init, elem, table);
                break;
            }
            case 13: { /* elem.drop */
                uint32_t elem;
                WDEC_TRY_HOT(read_elem(c, &elem));
                VISIT(elem_drop, elem);
                break;
            }
            case 14: { /* table.copy dst src */
                uint32_t dst, src;
                WDEC_TRY_HOT(read_table(c, &dst));
                WDEC_TRY_HOT(read_table(c, &src));
                if (m->tables[dst].type.elem_type != m->tables[src].type.elem_type)
                    return mismatch(c);
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(table_copy, dst, src);
                break;
            }
            case 15: { /* table.grow */
                uint32_t table;
                WDEC_TRY_HOT(read_table(c, &table));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, m->tables[table].type.elem_type));
                VISIT(table_grow, table);
                WDEC_TRY_HOT(push(c, WDEC_I32));
                break;
            }
            case 16: { /* table.size */
                uint32_t table;
                WDEC_TRY_HOT(read_table(c, &table));
                VISIT(table_size, table);
                WDEC_TRY_HOT(push(c, WDEC_I32));
                break;
            }
            case 17: { /* table.fill */
                uint32_t table;
                WDEC_TRY_HOT(read_table(c, &table));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                WDEC_TRY_HOT(pop_expect(c, m->tables[table].type.elem_type));
                WDEC_TRY_HOT(pop_expect(c, WDEC_I32));
                VISIT(table_fill, table);
                break;
            }
            default:
                break;
            }
            break;
        }
        /* --- 0xFD prefix: SIMD, generic from the rows' immediates and types --- */
        case 0xfd: {
            if (!(m->features & WDEC_FEATURE_SIMD))
                return wdec_fail(err, WDEC_ERR_UNSUPPORTED, OP_OFF(c), "(SIMD)");
            uint32_t sub;
            WDEC_TRY_HOT(rd_u32(r, &sub));
            if (sub > 0xff || !simd_sig[sub].imm1)
                return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0xfd %u", sub);
            const struct simd_sig *sg = &simd_sig[sub];
            enum wdec_opcode sop = (enum wdec_opcode)(0xfd << 16 | sub);
            if (!plain && live && v->instr_begin) {
                wdec_status st = v->instr_begin(ctx, sop, OP_OFF(c));
                if (st)
                    return client_fail(c, st);
            }
            unsigned imm = sg->imm1 - 1u;
            struct wdec_memarg arg = {0};
            uint8_t lane = 0;
            const uint8_t *bytes = NULL;
            switch (imm) {
            case WDEC_IMM_NONE:
                break;
            case WDEC_IMM_LANE2:
            case WDEC_IMM_LANE4:
            case WDEC_IMM_LANE8:
            case WDEC_IMM_LANE16:
                WDEC_TRY_HOT(rd_byte(r, &lane));
                if (lane >= 2u << (imm - WDEC_IMM_LANE2))
                    return wdec_fail(err, WDEC_ERR_INVALID_LANE, OP_OFF(c), "%u", lane);
                break;
            case WDEC_IMM_SHUFFLE:
                WDEC_TRY_HOT(rd_fixed(r, 16, &bytes));
                for (unsigned i = 0; i < 16; i++)
                    if (bytes[i] >= 32)
                        return wdec_fail(err, WDEC_ERR_INVALID_LANE, OP_OFF(c), "%u", bytes[i]);
                break;
            case WDEC_IMM_V128:
                WDEC_TRY_HOT(rd_fixed(r, 16, &bytes));
                break;
            case WDEC_IMM_MEMARG1_LANE:
            case WDEC_IMM_MEMARG2_LANE:
            case WDEC_IMM_MEMARG4_LANE:
            case WDEC_IMM_MEMARG8_LANE: {
                uint32_t align = imm - WDEC_IMM_MEMARG1_LANE; /* log2 of the lane's bytes */
                WDEC_TRY_HOT(read_memarg(c, align, &arg));
                WDEC_TRY_HOT(rd_byte(r, &lane));
                if (lane >= 16u >> align)
                    return wdec_fail(err, WDEC_ERR_INVALID_LANE, OP_OFF(c), "%u", lane);
                break;
            }
            default: /* MEMARG1 ... MEMARG16 */
                WDEC_TRY_HOT(read_memarg(c, IMM_ALIGN(imm), &arg));
                break;
            }
            if (sg->in1 == T_SPECIAL) { /* v128.bitselect */
                WDEC_TRY_HOT(pop_expect(c, WDEC_V128));
                WDEC_TRY_HOT(pop_expect(c, WDEC_V128));
                WDEC_TRY_HOT(pop_expect(c, WDEC_V128));
            } else {
                if (sg->in2)
                    WDEC_TRY_HOT(pop_expect(c, sg->in2));
                if (sg->in1)
                    WDEC_TRY_HOT(pop_expect(c, sg->in1));
            }
            if (!plain && live) {
                wdec_status st = WDEC_OK;
                switch (imm) {
                case WDEC_IMM_NONE:
                    st = v->simd ? v->simd(ctx, sop) : WDEC_OK;
                    break;
                case WDEC_IMM_LANE2:
                case WDEC_IMM_LANE4:
                case WDEC_IMM_LANE8:
                case WDEC_IMM_LANE16:
                    st = v->simd_lane ? v->simd_lane(ctx, sop, lane) : WDEC_OK;
                    break;
                case WDEC_IMM_SHUFFLE:
                    st = v->simd_shuffle ? v->simd_shuffle(ctx, bytes) : WDEC_OK;
                    break;
                case WDEC_IMM_V128:
                    st = v->v128_const ? v->v128_const(ctx, bytes) : WDEC_OK;
                    break;
                case WDEC_IMM_MEMARG1_LANE:
                case WDEC_IMM_MEMARG2_LANE:
                case WDEC_IMM_MEMARG4_LANE:
                case WDEC_IMM_MEMARG8_LANE:
                    if (sg->out)
                        st = v->simd_load_lane ? v->simd_load_lane(ctx, sop, arg, lane) : WDEC_OK;
                    else
                        st = v->simd_store_lane ? v->simd_store_lane(ctx, sop, arg, lane) : WDEC_OK;
                    break;
                default:
                    if (sg->out)
                        st = v->simd_load ? v->simd_load(ctx, sop, arg) : WDEC_OK;
                    else
                        st = v->simd_store ? v->simd_store(ctx, sop, arg) : WDEC_OK;
                    break;
                }
                if (st)
                    return client_fail(c, st);
            }
            if (sg->out)
                WDEC_TRY_HOT(push(c, sg->out));
            break;
        }
        default: {
            /* The numeric group: fixed operand and result types from opcodes.def. */
            const struct num_sig *sg = &sig_byte[op];
            if (!sg->numeric)
                return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0x%02x", op);
            if (sg->in2) {
                if (c->sp - c->height >= 2 && c->stack[c->sp - 1] == sg->in2 &&
                    c->stack[c->sp - 2] == sg->in1) {
                    c->sp -= 2;
                } else {
                    WDEC_TRY_HOT(pop_expect(c, sg->in2));
                    WDEC_TRY_HOT(pop_expect(c, sg->in1));
                }
            } else {
                WDEC_TRY_HOT(pop_expect(c, sg->in1));
            }
            VISIT(numeric, (enum wdec_opcode)op);
            WDEC_TRY_HOT(push(c, sg->out));
            break;
        }
        }
        if (plain && r->p < fast_end && fast_step(c, fi, fast_end))
            return WDEC_OK;
    }
}

/* Out of line: the full loop is large, and the plain validator's entry stays a small function
 * with few registers to save. */
#if defined(__GNUC__)
#define COLD_PATH __attribute__((noinline))
#else
#define COLD_PATH
#endif

/* A body with a visitor that has callbacks: the full loop throughout. */
COLD_PATH static wdec_status body_visit(const struct wdec_module *m, struct wdec_scratch *s,
                                        uint32_t func_index, const struct wdec_visitor *v,
                                        void *ctx, struct wdec_error *err)
{
    struct rd r;
    struct wdec_func_info fi;
    WDEC_TRY_HOT(body_start(m, s, func_index, err, &r, &fi));
    struct val c;
    body_state(&c, m, s, err, &r, &fi, 0);
    wdec_status st = func_frame(s, &fi);
    if (st)
        return fail_at(&c, st);
    c.frames = s->frames;
    c.fp = 1;
    if (v->func_begin && (st = v->func_begin(ctx, &fi)) != WDEC_OK)
        return client_fail(&c, st);
    return body_loop(&c, &fi, v, ctx, false);
}

/* The plain loop from an instruction the fast path stopped at (most bodies never come here). */
COLD_PATH static wdec_status body_plain_rest(struct val *c, const struct wdec_func_info *fi)
{
    return body_loop(c, fi, NULL, NULL, true);
}

/* A body without callbacks: the setup, then the fast path, which most often validates the whole
 * body in one go. Only where it stops is the full loop's state built, for the loop to take
 * over. */
HOT wdec_status body_plain(const struct wdec_module *m, struct wdec_scratch *s, uint32_t func_index,
                           struct wdec_error *err)
{
    struct rd r;
    struct wdec_func_info fi;
    WDEC_TRY_HOT(body_start(m, s, func_index, err, &r, &fi));
    wdec_status st = func_frame(s, &fi);
    if (st == WDEC_OK)
        st = call_sigs_build(m, s);
    if (st) /* out of memory: reported at the body's start, as body_visit() does */
        return wdec_fail(err, st, fi.body_offset, NULL);
    const uint8_t *body_end = m->bytes + fi.body_offset + fi.body_size;
    const uint8_t *fast_end = fast_end_of(m, body_end);
    const uint8_t *p = r.p;
    uint32_t sp = 0, fp = 1;
    if (WDEC_LIKELY(p < fast_end)) {
        struct fast f;
        fast_begin(&f, m, s, &fi, p, fast_end, body_end, sp, fp);
        fast_run(&f);
        if (f.done)
            return WDEC_OK;
        p = f.p;
        sp = f.sp;
        fp = f.fp;
    }
    struct val c;
    body_state(&c, m, s, err, &r, &fi, fp);
    c.r.p = p;
    c.sp = sp;
    c.height = s->frames[fp - 1].height;
    c.unreachable = s->frames[fp - 1].unreachable;
    return body_plain_rest(&c, &fi);
}

bool wdec_visitor_is_empty(const struct wdec_visitor *v)
{
    static const struct wdec_visitor none;
    return memcmp(v, &none, sizeof none) == 0;
}

wdec_status wdec_body_decode(const struct wdec_module *m, struct wdec_scratch *s,
                             uint32_t func_index, const struct wdec_visitor *v, void *ctx,
                             struct wdec_error *err)
{
    /* The visitor is the same for every body of a module: compare it with all-NULL once. */
    if (s->visitor != v) {
        s->visitor = v;
        s->plain = wdec_visitor_is_empty(v);
    }
    if (s->plain)
        return body_plain(m, s, func_index, err);
    return body_visit(m, s, func_index, v, ctx, err);
}

/* --- Decode-only scan ---
 * The reference interpreter decodes a whole module before it validates any of it, so a malformed
 * byte after an invalid instruction still makes the module "malformed". After the first
 * validation error the rest of the bodies are therefore only decoded, by this scan. */

/* Immediate kind + 1 of each CORE and SIMD opcode (0: not an opcode), from opcodes.def, at
 * [op], [0x100 + 0xFC sub-opcode] and [0x200 + 0xFD sub-opcode]. */
#define IMM_0x00_CORE(code, imm) [code] = WDEC_IMM_##imm + 1,
#define IMM_0xfc_CORE(code, imm) [0x100 + (code)] = WDEC_IMM_##imm + 1,
/* clang-format off */
#define IMM_0x00_TAIL_CALL(code, imm)
#define IMM_0x00_EXCEPTIONS(code, imm)
#define IMM_0x00_SIMD(code, imm)
#define IMM_0xfc_TAIL_CALL(code, imm)
#define IMM_0xfc_EXCEPTIONS(code, imm)
#define IMM_0xfc_SIMD(code, imm)
#define IMM_0xfd_CORE(code, imm)
#define IMM_0xfd_TAIL_CALL(code, imm)
#define IMM_0xfd_EXCEPTIONS(code, imm)
#define IMM_0xfd_SIMD(code, imm) [0x200 + (code)] = WDEC_IMM_##imm + 1,
/* clang-format on */
#define IMM_ROW(prefix, feature, code, imm) IMM_##prefix##_##feature(code, imm)
static const uint8_t imm_kind[0x300] = {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    IMM_ROW(prefix, feature, code, imm)
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
};

static wdec_status scan_u32(struct val *c)
{
    uint32_t x;
    return rd_u32(&c->r, &x);
}

static wdec_status scan_immediate(struct val *c, unsigned imm)
{
    struct rd *r = &c->r;
    switch (imm) {
    case WDEC_IMM_NONE:
        return WDEC_OK;
    case WDEC_IMM_BLOCKTYPE: {
        if (r->p >= r->end)
            return wdec_rd_eos(r);
        uint8_t b = *r->p;
        if ((b & 0xc0) == 0x40) {
            r->p++;
            wdec_status st = b == 0x40 ? WDEC_OK : valtype_status(b, c->m->features);
            if (st)
                return wdec_fail(c->err, st, rd_off(r) - 1, NULL);
            return WDEC_OK;
        }
        int64_t idx;
        return wdec_rd_s33(r, &idx);
    }
    case WDEC_IMM_BR_TABLE: {
        uint32_t n;
        WDEC_TRY_HOT(wdec_rd_len(r, &n));
        for (uint32_t i = 0; i <= n; i++)
            WDEC_TRY_HOT(scan_u32(c));
        return WDEC_OK;
    }
    case WDEC_IMM_CALL_INDIRECT:
    case WDEC_IMM_TABLE_INIT:
    case WDEC_IMM_TABLE_COPY:
    case WDEC_IMM_MEMARG1:
    case WDEC_IMM_MEMARG2:
    case WDEC_IMM_MEMARG4:
    case WDEC_IMM_MEMARG8:
    case WDEC_IMM_MEMARG16:
        WDEC_TRY_HOT(scan_u32(c));
        return scan_u32(c);
    case WDEC_IMM_MEMARG1_LANE:
    case WDEC_IMM_MEMARG2_LANE:
    case WDEC_IMM_MEMARG4_LANE:
    case WDEC_IMM_MEMARG8_LANE: {
        uint8_t lane;
        WDEC_TRY_HOT(scan_u32(c));
        WDEC_TRY_HOT(scan_u32(c));
        return rd_byte(r, &lane);
    }
    case WDEC_IMM_LANE2:
    case WDEC_IMM_LANE4:
    case WDEC_IMM_LANE8:
    case WDEC_IMM_LANE16: {
        uint8_t lane;
        return rd_byte(r, &lane);
    }
    case WDEC_IMM_V128:
    case WDEC_IMM_SHUFFLE: {
        const uint8_t *b;
        return rd_fixed(r, 16, &b);
    }
    case WDEC_IMM_MEMORY:
        return read_zero(c);
    case WDEC_IMM_MEMORY_COPY:
        WDEC_TRY_HOT(read_zero(c));
        return read_zero(c);
    case WDEC_IMM_DATA:
    case WDEC_IMM_MEMORY_INIT: {
        uint32_t x;
        WDEC_TRY_HOT(rd_u32(r, &x));
        if (!c->m->has_data_count && !c->s->data_use) {
            c->s->data_use = true;
            c->s->data_use_index = x;
            c->s->data_use_offset = OP_OFF(c);
        }
        return imm == WDEC_IMM_MEMORY_INIT ? read_zero(c) : WDEC_OK;
    }
    case WDEC_IMM_I32: {
        int32_t x;
        return rd_s32(r, &x);
    }
    case WDEC_IMM_I64: {
        int64_t x;
        return rd_s64(r, &x);
    }
    case WDEC_IMM_F32: {
        const uint8_t *b;
        return rd_fixed(r, 4, &b);
    }
    case WDEC_IMM_F64: {
        const uint8_t *b;
        return rd_fixed(r, 8, &b);
    }
    case WDEC_IMM_SELECT_T: {
        uint32_t n;
        WDEC_TRY_HOT(wdec_rd_len(r, &n));
        for (uint32_t i = 0; i < n; i++) {
            uint8_t t = 0;
            WDEC_TRY_HOT(rd_byte(r, &t));
            wdec_status st = valtype_status(t, c->m->features);
            if (st)
                return wdec_fail(c->err, st, rd_off(r) - 1, NULL);
        }
        return WDEC_OK;
    }
    case WDEC_IMM_REF_TYPE: {
        uint8_t t = 0;
        WDEC_TRY_HOT(rd_byte(r, &t));
        if (!is_reftype(t))
            return wdec_fail(c->err, WDEC_ERR_REF_TYPE, rd_off(r) - 1, NULL);
        return WDEC_OK;
    }
    default: /* LABEL FUNC LOCAL GLOBAL TABLE ELEM */
        return scan_u32(c);
    }
}

wdec_status wdec_body_scan(const struct wdec_module *m, struct wdec_scratch *s, uint32_t func_index,
                           struct wdec_error *err)
{
    const struct wdec_func *fn = &m->funcs[func_index];
    struct val cv;
    struct val *c = &cv;
    struct rd *r = &c->r;
    const uint8_t *body_end = m->bytes + fn->body_offset + fn->body_size;
    struct rd body;
    struct wdec_func_info fi;
    WDEC_TRY_HOT(body_start(m, s, func_index, err, &body, &fi));
    body_state(c, m, s, err, &body, &fi, 0);
    /* Open blocks as a byte stack on the operand stack's storage: 1 for an if still before its
     * else, 0 otherwise. */
    uint32_t depth = 0;
    for (;;) {
        if (r->p >= r->end)
            return wdec_rd_eos(r);
        c->op_at = r->p;
        uint8_t op = *r->p++;
        unsigned idx = op;
        if (op == 0xfc) {
            uint32_t sub;
            WDEC_TRY_HOT(rd_u32(r, &sub));
            if (sub > 17)
                return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0xfc %u", sub);
            idx = 0x100 + sub;
        } else if (op == 0xfd) {
            if (!(m->features & WDEC_FEATURE_SIMD))
                return wdec_fail(err, WDEC_ERR_UNSUPPORTED, OP_OFF(c), "(SIMD)");
            uint32_t sub;
            WDEC_TRY_HOT(rd_u32(r, &sub));
            if (sub > 0xff || !imm_kind[0x200 + sub])
                return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0xfd %u", sub);
            idx = 0x200 + sub;
        }
        if (!imm_kind[idx])
            return wdec_fail(err, WDEC_ERR_ILLEGAL_OPCODE, OP_OFF(c), "0x%02x", op);
        WDEC_TRY_HOT(scan_immediate(c, imm_kind[idx] - 1u));
        if (op == 0x02 || op == 0x03 || op == 0x04) {
            c->sp = depth;
            WDEC_TRY_HOT(stack_reserve(c, 1));
            WDEC_TRY_HOT(push(c, op == 0x04));
            depth++;
        } else if (op == 0x05) {
            if (depth == 0 || s->stack[depth - 1] != 1)
                return wdec_fail(err, WDEC_ERR_END_EXPECTED, OP_OFF(c), NULL);
            s->stack[depth - 1] = 0;
        } else if (op == 0x0b) {
            if (depth == 0) {
                if (r->p != body_end)
                    return wdec_fail(err, WDEC_ERR_SECTION_SIZE, fn->body_offset, NULL);
                return WDEC_OK;
            }
            depth--;
        }
    }
}

wdec_status wdec_data_use_check(const struct wdec_module *m, const struct wdec_scratch *s,
                                bool saw_data_section, struct wdec_error *err)
{
    if (!s->data_use || m->has_data_count)
        return WDEC_OK;
    if (saw_data_section)
        return wdec_fail(err, WDEC_ERR_DATA_COUNT_REQUIRED, s->data_use_offset, NULL);
    return wdec_fail(err, WDEC_ERR_UNKNOWN_DATA, s->data_use_offset, "%u", s->data_use_index);
}

void wdec_scratch_free(struct wdec_scratch *s)
{
    free(s->stack ? s->stack - STACK_PAD : NULL);
    free(s->call_sigs);
    free(s->frames);
    free(s->locals);
    free(s->targets);
    memset(s, 0, sizeof *s);
}

void wdec_scratch_keep(struct wdec_scratch *s)
{
    struct wdec_scratch k;
    memset(&k, 0, sizeof k);
    size_t left = WDEC_SCRATCH_KEEP_MAX;
    /* Buffer `buf` of `bytes` bytes and its capacity move to k if they fit in what is left. */
#define KEEP(buf, cap, bytes)                                                                      \
    do {                                                                                           \
        size_t n_ = (bytes);                                                                       \
        if (s->buf && n_ <= left) {                                                                \
            left -= n_;                                                                            \
            k.buf = s->buf;                                                                        \
            k.cap = s->cap;                                                                        \
            s->buf = NULL;                                                                         \
        }                                                                                          \
    } while (0)
    KEEP(stack, stack_cap, ((size_t)s->stack_cap + STACK_PAD) * sizeof *s->stack);
    KEEP(frames, frame_cap, (size_t)s->frame_cap * sizeof *s->frames);
    KEEP(locals, local_cap, (size_t)s->local_cap);
    KEEP(targets, target_cap, (size_t)s->target_cap * sizeof *s->targets);
#undef KEEP
    wdec_scratch_free(s); /* what did not fit, and the call signatures */
    *s = k;
}
