/* SPDX-License-Identifier: Apache-2.0 */
/* The code buffer: bytes, the sticky status, labels and jump fixups, label data for jump tables,
 * the constant pool and the listing hook. Everything the emitters write goes through here. */
#ifndef X64_BUFFER_H
#define X64_BUFFER_H

#include "x64/gen/mnemonics.h"
#include "x64/operands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every status the assembler returns, with its message. */
#define X64_STATUS_LIST(X)                                                                         \
    X(X64_OK, "ok")                                                                                \
    X(X64_ERR_NO_MEMORY, "out of memory")                                                          \
    X(X64_ERR_INVALID_ARGUMENT, "invalid argument")                                                \
    X(X64_ERR_UNKNOWN_MNEMONIC, "unknown mnemonic")                                                \
    X(X64_ERR_INVALID_OPERANDS, "invalid operand combination")                                     \
    X(X64_ERR_INVALID_REGISTER, "invalid register")                                                \
    X(X64_ERR_HIGH8_REX, "ah/ch/dh/bh cannot be encoded in an instruction requiring REX")          \
    X(X64_ERR_IMM_RANGE, "immediate out of range")                                                 \
    X(X64_ERR_BAD_MEMORY, "invalid memory operand")                                                \
    X(X64_ERR_SIZE_MISSING, "operand size not specified")                                          \
    X(X64_ERR_LABEL_INVALID, "invalid label")                                                      \
    X(X64_ERR_LABEL_REBOUND, "label bound twice")                                                  \
    X(X64_ERR_LABEL_UNBOUND, "label used but never bound")                                         \
    X(X64_ERR_JUMP_RANGE, "jump target out of rel8 range")                                         \
    X(X64_ERR_TOO_LARGE, "code too large")                                                         \
    X(X64_ERR_FINISHED, "buffer already finished")                                                 \
    X(X64_ERR_NOT_FINISHED, "buffer not finished")                                                 \
    X(X64_ERR_OS, "operating system call failed")                                                  \
    X(X64_ERR_SYNTAX, "syntax error")

enum x64_status {
#define X64_STATUS_ENUM_(name, msg) name,
    X64_STATUS_LIST(X64_STATUS_ENUM_)
#undef X64_STATUS_ENUM_
        X64_STATUS_COUNT
};

/* The message for a status ("out of memory"); never NULL. */
const char *x64_status_str(enum x64_status s);

struct x64_buf_priv;
struct x64_buf;

/* Called after each instruction emitted through a typed emitter or x64_emit*, with its form,
 * its operands as x64_operand values and the byte range [start, end) in the buffer. Not called
 * for raw data, NOPs of x64_align, or jumps to labels (form X64_FORM_COUNT is passed for those
 * label jumps, with the label as operand). Compiled out when X64_NO_LISTING is defined. */
typedef void (*x64_listing_fn)(void *ctx, const struct x64_buf *b, enum x64_form form,
                               const struct x64_operand *ops, unsigned nops, size_t start,
                               size_t end);

/* A growable code buffer. Transparent so that the typed emitters in gen/emit.h can inline:
 * they check `len < limit` (room for one more instruction, no error, no listing hook), store
 * the bytes at `data + len` and bump `len`. Do not write the fields directly. */
struct x64_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit; /* cap - X64__SLACK while OK; 0 after an error or finish, or while a listing
                     hook is set, so that every emit takes the slow path */
    enum x64_status status;    /* first error, sticky */
    struct x64_buf_priv *priv; /* labels, fixups, constant pool, error text */
    x64_listing_fn listing;    /* see x64_buf_set_listing() */
    void *listing_ctx;
};

/* Sets up an empty buffer with room for `initial_cap` bytes (0 picks a default).
 * Returns X64_OK, X64_ERR_INVALID_ARGUMENT or X64_ERR_NO_MEMORY (then the buffer is safe to
 * free and every emit is a no-op). */
enum x64_status x64_buf_init(struct x64_buf *b, size_t initial_cap);

/* Releases everything the buffer owns. Safe on a zeroed or failed buffer; leaves it zeroed. */
void x64_buf_free(struct x64_buf *b);

/* Ensures room for `n` more bytes. Returns false (and records the error) if it cannot. */
bool x64_buf_reserve(struct x64_buf *b, size_t n);

/* When `on`, x64_buf_finish() shrinks forward rel32 jumps whose target fits in rel8 and moves
 * everything after them (labels, label data, RIP-relative references, alignment padding).
 * With a listing hook, instructions emitted while shrinking is on are reported by
 * x64_buf_finish() instead, with their final offsets and bytes (turn it on before emitting).
 * Default: off. */
void x64_buf_set_shrink_jumps(struct x64_buf *b, bool on);

/* Completes the code: optionally shrinks jumps, lays out the constant pool after the code,
 * binds its labels and resolves every label reference. Returns the sticky status: the first
 * error of any emit, or X64_ERR_LABEL_UNBOUND / X64_ERR_JUMP_RANGE found here. After it the
 * buffer holds `len` final bytes; further emits fail with X64_ERR_FINISHED. */
enum x64_status x64_buf_finish(struct x64_buf *b);

/* Whether x64_buf_finish() has completed successfully. */
bool x64_buf_is_finished(const struct x64_buf *b);

/* The first error's detailed message ("" when OK). Valid until the buffer is freed. */
const char *x64_buf_error(const struct x64_buf *b);

/* Records an error: the single place where every assembler error starts. The first one wins;
 * later calls are ignored. `fmt` is printf-style detail (may be NULL). Returns the status. */
enum x64_status x64_buf_fail(struct x64_buf *b, enum x64_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Appends raw bytes. */
void x64_bytes(struct x64_buf *b, const void *data, size_t n);
void x64_data8(struct x64_buf *b, uint8_t v);
void x64_data16(struct x64_buf *b, uint16_t v);
void x64_data32(struct x64_buf *b, uint32_t v);
void x64_data64(struct x64_buf *b, uint64_t v);

/* --- Labels --- */

/* A new unbound label. On error returns label id 0, which every label call rejects.
 * (Inline, defined at the end of this header.) */
static inline struct x64_label x64_label_new(struct x64_buf *b);

/* Binds `l` to the current position. Binding twice is X64_ERR_LABEL_REBOUND. (Inline.) */
static inline void x64_label_bind(struct x64_buf *b, struct x64_label l);

/* Whether `l` is bound; if so and `out_offset` is not NULL, its offset from the buffer start
 * (final after x64_buf_finish()). */
bool x64_label_offset(const struct x64_buf *b, struct x64_label l, size_t *out_offset);

/* jmp/jcc/call to a label. A bound (backward) target gets rel8 when it fits, else rel32; an
 * unbound (forward) target gets rel32, which the finishing pass may shrink. The _short forms
 * force rel8; a target out of range is X64_ERR_JUMP_RANGE (at once or at finish). */
static inline void x64_jmp(struct x64_buf *b, struct x64_label l);
void x64_jmp_short(struct x64_buf *b, struct x64_label l);
static inline void x64_jcc(struct x64_buf *b, enum x64_cc cc, struct x64_label l);
void x64_jcc_short(struct x64_buf *b, enum x64_cc cc, struct x64_label l);
static inline void x64_call_label(struct x64_buf *b, struct x64_label l);

/* Label data for jump tables. x64_data_label_abs64 emits the 8-byte absolute address of `l`:
 * the offset is written at finish and the code base is added when the code is sealed (see
 * x64_buf_relocs()). x64_data_label_rel32 emits the 4-byte signed difference
 * `offset(l) - offset(base)`, e.g. relative to the table's own label:
 *     lea rcx,[rip+table]; movsxd rax,DWORD PTR [rcx+rax*4]; add rax,rcx; jmp rax */
void x64_data_label_abs64(struct x64_buf *b, struct x64_label l);
void x64_data_label_rel32(struct x64_buf *b, struct x64_label l, struct x64_label base);

/* After finish: the offsets of 8-byte slots that hold buffer offsets and need the code's base
 * address added (x64_code_seal() does this). */
const size_t *x64_buf_relocs(const struct x64_buf *b, size_t *out_count);

/* Emits the recommended multi-byte NOP sequence of exactly `n` bytes. */
void x64_nop_n(struct x64_buf *b, size_t n);

/* Pads with recommended NOPs to a multiple of `alignment` (a power of two, <= 4096). The
 * padding is recomputed if the finishing pass shrinks jumps before it. */
void x64_align(struct x64_buf *b, size_t alignment);

/* --- Constant pool --- */

/* A label for `size` bytes of constant data (float constants, SIMD masks) placed after the code
 * at finish, aligned to `align` (power of two, <= 64). Identical data is stored once (with the
 * largest alignment asked for). Address it with x64_mem_rip_label(). On error returns label 0. */
struct x64_label x64_const(struct x64_buf *b, const void *data, size_t size, size_t align);

/* --- Listing hook --- */

/* Installs (or with fn NULL removes) the listing hook. */
void x64_buf_set_listing(struct x64_buf *b, x64_listing_fn fn, void *ctx);

/* --- Write cursor --- */

/* A write cursor: the buffer's write position kept in the caller's local variables, so that a
 * run of emits costs no loads or stores of `struct x64_buf` fields. Open one, emit through the
 * x64c_* functions (gen/emit_cur.h has one per typed emitter, `x64c_add_r64_r64(&c, dst, src)`;
 * the label calls are below), then close it:
 *
 *     struct x64_cur c = x64_cur_open(b);
 *     x64c_mov_r64_r64(&c, X64_RAX, X64_RDI);
 *     x64c_add_r64_r64(&c, X64_RAX, X64_RSI);
 *     x64c_ret(&c);
 *     x64_cur_close(&c);            (b->len now covers the three instructions)
 *
 * Each x64c_* call writes the same bytes, grows the buffer, records errors and calls the
 * listing hook exactly as its x64_* twin: the only per-emit check is `pos < limit` on the
 * cursor's own copies, and everything else (growth, a sticky error, a listing hook, operands the
 * inline path does not take) goes through the buffer's out-of-line path, which commits the
 * position first and reloads the cursor after. Keep the cursor in a local variable whose address
 * goes only to x64c_* calls, so that the compiler keeps its fields in registers.
 * While a cursor is open, `b->len` is stale: write to the buffer only through that cursor, and
 * close it before any other call that reads or writes the code (x64_* emitters, x64_label_bind,
 * x64_align, x64_bytes, x64_data*, x64_buf_finish, x64_buf_set_listing, another cursor).
 * x64_label_new, x64_const and x64_label_offset may be called while it is open. `b` must be an
 * initialised (or failed) buffer, never NULL. */
struct x64_cur {
    uint8_t *base; /* b->data as of the last reload */
    size_t pos;    /* offset of the next byte; b->len is set from it by x64_cur_close() */
    size_t limit;  /* b->limit as of the last reload: emits at pos >= limit go out of line */
    struct x64_buf *b;
};

/* Opens a cursor at the end of `b`'s code. (Inline, defined at the end of this header.) */
static inline struct x64_cur x64_cur_open(struct x64_buf *b);

/* Commits the cursor's position to the buffer (`b->len`). The cursor may be used again after
 * it, as if just opened. (Inline.) */
static inline void x64_cur_close(struct x64_cur *c);

/* The label calls of a cursor: x64_label_new, x64_label_bind, x64_jmp, x64_jcc,
 * x64_call_label, x64_jmp_short and x64_jcc_short at the cursor's position, with the same
 * sizing, checks and errors. (Inline.) */
static inline struct x64_label x64c_label_new(struct x64_cur *c);
static inline void x64c_label_bind(struct x64_cur *c, struct x64_label l);
static inline void x64c_jmp(struct x64_cur *c, struct x64_label l);
static inline void x64c_jcc(struct x64_cur *c, enum x64_cc cc, struct x64_label l);
static inline void x64c_call_label(struct x64_cur *c, struct x64_label l);
static inline void x64c_jmp_short(struct x64_cur *c, struct x64_label l);
static inline void x64c_jcc_short(struct x64_cur *c, enum x64_cc cc, struct x64_label l);

/* --- Internal: used by the inline emitters, not part of the stable API --- */

/* Slow path of the inline emitters: grows the buffer or reports that emitting must stop.
 * Returns the write pointer or NULL. */
uint8_t *x64__slow(struct x64_buf *b);
/* Records a RIP-relative reference to label `label_id` whose disp32 is at `disp_pos` in an
 * instruction ending at `end`. Returns false on error (already recorded). */
bool x64__fixup_rip(struct x64_buf *b, uint32_t label_id, size_t disp_pos, size_t end);
/* Calls the listing hook (if any). */
void x64__listing(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops,
                  unsigned nops, size_t start);

#if defined(__GNUC__)
#define X64__ALWAYS_INLINE __attribute__((always_inline))
#define X64__LIKELY(x)     __builtin_expect(!!(x), 1)
#define X64__UNLIKELY(x)   __builtin_expect(!!(x), 0)
#else
#define X64__ALWAYS_INLINE
#define X64__LIKELY(x)   (x)
#define X64__UNLIKELY(x) (x)
#endif

/* Stores `len` (the value just read from b->len) back into b->len before an out-of-line call
 * on an inline emitter's slow path. The store is redundant as such, and the empty asm stops the
 * compiler from dropping it: with it, every path from one emit's `b->len = ...` to an
 * out-of-line call stores b->len again first, so that the compiler may treat that earlier store
 * as dead when the next emit stores b->len on its fast path, and keep `len` in a register
 * across a run of emits (the final store stays). For the same reason the buffer paths read
 * b->data before they branch, on both paths: a read on the fast path only is not anticipated
 * where the previous emit's paths merge, so gcc reloaded it from memory for every emit. */
X64__ALWAYS_INLINE
static inline void x64__len_sync(struct x64_buf *b, size_t len)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(len));
#endif
    b->len = len;
}

/* Label state the inline label paths below use directly: it is the first member of the private
 * part (b->priv), so that a jump to a label is a few stores, not a call. */
#define X64__UNBOUND SIZE_MAX

enum { X64__FX_REL8, X64__FX_REL32, X64__FX_ABS64, X64__FX_DIFF32 }; /* x64__fixup.kind */
/* Flag in x64__fixup.kind: the field already holds its final value (a jump to a bound label). */
#define X64__FX_DONE 0x80u
enum { X64__JK_NONE, X64__JK_JMP, X64__JK_JCC }; /* x64__fixup.jkind */
enum { X64__J_JMP, X64__J_JCC, X64__J_CALL };    /* jump kinds */

/* One label reference, resolved (and moved by the shrinking pass) at finish. */
struct x64__fixup {
    size_t pos;   /* where the field is */
    size_t end;   /* what a displacement is relative to */
    size_t start; /* instruction start, for jumps */
    uint32_t label;
    uint32_t base_label;
    int32_t addend;
    uint8_t kind;   /* X64__FX_* */
    uint8_t jkind;  /* X64__JK_*: rel32 jmp/jcc that the finishing pass may shrink */
    uint8_t cc;     /* condition code of a jcc */
    uint8_t shrink; /* decided by the finishing pass */
};

/* Little-endian 8-byte store at any alignment. Through `unsigned long long`, not a character
 * type (memcpy): such a store cannot alias `size_t` or pointer fields under C's aliasing rules,
 * so the compiler keeps `len` and `limit` of struct x64_buf in registers across emits (the code
 * bytes are only ever read back as characters). */
#if defined(__GNUC__)
typedef unsigned long long x64__u64_unaligned __attribute__((aligned(1)));
#endif
static inline void x64__st8_(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__)
    *(x64__u64_unaligned *)(void *)p = (unsigned long long)v;
#else
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* A jump to a label emitted by the inline path (x64__jump), in one word (x64__jrec): the offset
 * of its displacement field in bits 0..31 (code is at most 1 GiB) and the label id in bits
 * 32..63 (ids stay below 2^30). Nothing else: whether the field is 1 or 2 bytes after the
 * instruction's start (jcc rel32) is read back from the byte before it (0x80..0x8F only for
 * jcc rel32), and whether the target was already bound (the field is final) from the part of
 * the jump array the record is in (see struct x64__labels). finish resolves the forward records
 * directly, or turns every record into an x64__fixup first (reading the kind back from the
 * opcode) when the shrinking pass runs. */
X64__ALWAYS_INLINE
static inline uint64_t x64__jrec(uint32_t label, size_t field)
{
    return (uint64_t)label << 32 | field;
}

/* labels[0]: no label. Not X64__UNBOUND, so that binding it fails, and so far above any offset
 * that a jump to it is out of rel32 range: both inline paths send it to the checks of the slow
 * path. */
#define X64__NOLABEL (SIZE_MAX / 2)

/* The element type of the label and jump arrays: `unsigned long long`, distinct from `size_t`
 * for C's aliasing rules, so that storing an element does not make the compiler reload the
 * counters and pointers below (nor does a code store reload them, see x64__st8_). */
typedef unsigned long long x64__slot;

struct x64__labels {
    x64__slot *labels; /* offset per label id (0: the X64__NOLABEL sentinel), or X64__UNBOUND */
    size_t nlabels, cap_labels;
    /* Jumps from the inline path, see x64__jrec: forward ones (to resolve at finish) in
     * jr[0..njr), complete ones (to a bound label, kept for the shrinking pass only) in
     * jr[jd..cap_jr), added downwards. */
    x64__slot *jr;
    size_t njr, jd, cap_jr;
    struct x64__fixup *fx; /* every other label reference */
    size_t nfx, cap_fx;
};

/* Out-of-line paths with every check and error message (labels.c). */
struct x64_label x64__label_new_slow(struct x64_buf *b);
void x64__label_bind_slow(struct x64_buf *b, struct x64_label l);
void x64__jump_slow(struct x64_buf *b, unsigned kind, unsigned cc, struct x64_label l);

static inline struct x64__labels *x64__lb(const struct x64_buf *b)
{
    return (struct x64__labels *)(void *)b->priv;
}

/* `limit != 0` means: initialised, no error, not finished (see struct x64_buf). `sync`: store
 * b->len before the out-of-line call (the buffer path, see x64__len_sync; a cursor's b->len is
 * stale and stays as it is). */
X64__ALWAYS_INLINE
static inline struct x64_label x64__label_new(struct x64_buf *b, size_t limit, bool sync)
{
    if (X64__LIKELY(limit != 0)) {
        struct x64__labels *lb = x64__lb(b);
        size_t n = lb->nlabels;
        if (X64__LIKELY(n < lb->cap_labels)) { /* cap_labels < 2^30 (labels.c) */
            struct x64_label l = {(uint32_t)n};
            lb->labels[n] = X64__UNBOUND;
            lb->nlabels = n + 1;
            return l;
        }
    }
    if (sync)
        x64__len_sync(b, b->len);
    return x64__label_new_slow(b);
}

X64__ALWAYS_INLINE
static inline struct x64_label x64_label_new(struct x64_buf *b)
{
    if (X64__UNLIKELY(b == NULL))
        return x64__label_new_slow(b);
    return x64__label_new(b, b->limit, true);
}

X64__ALWAYS_INLINE
static inline void x64_label_bind(struct x64_buf *b, struct x64_label l)
{
    /* labels[0] is X64__NOLABEL: label 0 goes to the slow path's checks. */
    if (X64__LIKELY(b != NULL)) {
        size_t len = b->len;
        if (X64__LIKELY(b->limit != 0)) {
            struct x64__labels *lb = x64__lb(b);
            if (X64__LIKELY(l.id < lb->nlabels && lb->labels[l.id] == X64__UNBOUND)) {
                lb->labels[l.id] = len;
                return;
            }
        }
        x64__len_sync(b, len);
    }
    x64__label_bind_slow(b, l);
}

/* The common case of jmp/jcc/call to a label: room in the buffer and the jump array, a valid
 * label (`len < limit` also means no listing hook). Backward targets within rel8 get the 2-byte
 * form. The instruction is written at `base + start` with one 8-byte store (the buffer keeps
 * slack after `limit`) and the reference with one more (see x64__jrec); a reference to a
 * bound label is complete at once, so that finishing skips it unless the shrinking pass moves
 * code. Returns the jump's length, or 0 when x64__jump_slow() must take it. */
X64__ALWAYS_INLINE
static inline size_t x64__jump_put(struct x64_buf *b, uint8_t *base, size_t start, unsigned kind,
                                   unsigned cc, struct x64_label l)
{
    struct x64__labels *lb = x64__lb(b);
    size_t njr = lb->njr;
    if (njr >= lb->jd || l.id >= lb->nlabels)
        return 0;
    size_t target = lb->labels[l.id];
    uint64_t rec;
    size_t n;
    uint64_t w;
    if (kind == X64__J_JCC) {
        w = 0x800Fu + (cc << 8);
        n = 6;
        rec = x64__jrec(l.id, start + 2u);
    } else {
        w = kind == X64__J_JMP ? 0xE9u : 0xE8u;
        n = 5;
        rec = x64__jrec(l.id, start + 1u);
    }
    if (target != X64__UNBOUND) {
        size_t back = start - target; /* a bound label is at or before `start` */
        if (kind != X64__J_CALL && back <= 126u) {
            /* rel8, from the end of the 2-byte form. */
            w = (kind == X64__J_JMP ? 0xEBu : 0x70u + cc) | (uint64_t)(uint8_t)(0u - (back + 2u))
                                                                << 8;
            n = 2;
            rec = x64__jrec(l.id, start + 1u);
        } else if (back >> 31 != 0) { /* label 0 (X64__NOLABEL) */
            return 0;
        } else {
            w |= (uint64_t)(uint32_t)(0u - (uint32_t)(back + n)) << (8 * (n - 4));
        }
        size_t jd = lb->jd - 1u;
        lb->jr[jd] = rec;
        lb->jd = jd;
    } else {
        lb->jr[njr] = rec;
        lb->njr = njr + 1;
    }
    x64__st8_(base + start, w);
    return n;
}

X64__ALWAYS_INLINE
static inline void x64__jump(struct x64_buf *b, unsigned kind, unsigned cc, struct x64_label l)
{
    if (X64__LIKELY(b != NULL)) {
        uint8_t *data = b->data;
        size_t len = b->len, n;
        if (X64__LIKELY(len < b->limit) && (n = x64__jump_put(b, data, len, kind, cc, l)) != 0) {
            b->len = len + n;
            return;
        }
        x64__len_sync(b, len);
    }
    x64__jump_slow(b, kind, cc, l);
}

X64__ALWAYS_INLINE
static inline void x64_jmp(struct x64_buf *b, struct x64_label l)
{
    x64__jump(b, X64__J_JMP, 0, l);
}

X64__ALWAYS_INLINE
static inline void x64_jcc(struct x64_buf *b, enum x64_cc cc, struct x64_label l)
{
    x64__jump(b, X64__J_JCC, (unsigned)cc & 15u, l);
}

X64__ALWAYS_INLINE
static inline void x64_call_label(struct x64_buf *b, struct x64_label l)
{
    x64__jump(b, X64__J_CALL, 0, l);
}

/* --- Write cursor: inline definitions --- */

/* Reloads the cursor from the buffer after an out-of-line call (which may grow the buffer,
 * record an error or finish it). */
X64__ALWAYS_INLINE
static inline void x64__cur_load(struct x64_cur *c)
{
    c->base = c->b->data;
    c->pos = c->b->len;
    c->limit = c->b->limit;
}

X64__ALWAYS_INLINE
static inline struct x64_cur x64_cur_open(struct x64_buf *b)
{
    struct x64_cur c = {b->data, b->len, b->limit, b};
    return c;
}

X64__ALWAYS_INLINE
static inline void x64_cur_close(struct x64_cur *c)
{
    c->b->len = c->pos;
}

X64__ALWAYS_INLINE
static inline struct x64_label x64c_label_new(struct x64_cur *c)
{
    return x64__label_new(c->b, c->limit, false);
}

X64__ALWAYS_INLINE
static inline void x64c_label_bind(struct x64_cur *c, struct x64_label l)
{
    if (X64__LIKELY(c->limit != 0)) {
        struct x64__labels *lb = x64__lb(c->b);
        if (X64__LIKELY(l.id < lb->nlabels && lb->labels[l.id] == X64__UNBOUND)) {
            lb->labels[l.id] = c->pos;
            return;
        }
    }
    c->b->len = c->pos;
    x64__label_bind_slow(c->b, l);
    x64__cur_load(c);
}

X64__ALWAYS_INLINE
static inline void x64__jump_c(struct x64_cur *c, unsigned kind, unsigned cc, struct x64_label l)
{
    size_t pos = c->pos, n;
    if (X64__UNLIKELY(pos >= c->limit) ||
        (n = x64__jump_put(c->b, c->base, pos, kind, cc, l)) == 0) {
        c->b->len = pos;
        x64__jump_slow(c->b, kind, cc, l);
        x64__cur_load(c);
        return;
    }
    c->pos = pos + n;
}

X64__ALWAYS_INLINE
static inline void x64c_jmp(struct x64_cur *c, struct x64_label l)
{
    x64__jump_c(c, X64__J_JMP, 0, l);
}

X64__ALWAYS_INLINE
static inline void x64c_jcc(struct x64_cur *c, enum x64_cc cc, struct x64_label l)
{
    x64__jump_c(c, X64__J_JCC, (unsigned)cc & 15u, l);
}

X64__ALWAYS_INLINE
static inline void x64c_call_label(struct x64_cur *c, struct x64_label l)
{
    x64__jump_c(c, X64__J_CALL, 0, l);
}

static inline void x64c_jmp_short(struct x64_cur *c, struct x64_label l)
{
    c->b->len = c->pos;
    x64_jmp_short(c->b, l);
    x64__cur_load(c);
}

static inline void x64c_jcc_short(struct x64_cur *c, enum x64_cc cc, struct x64_label l)
{
    c->b->len = c->pos;
    x64_jcc_short(c->b, cc, l);
    x64__cur_load(c);
}

#endif /* X64_BUFFER_H */
