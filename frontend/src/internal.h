/* SPDX-License-Identifier: Apache-2.0 */
/* Private to frontend/src: the bounded byte reader, the module arena and the body validator's
 * entry point. Reads are inlined for the one-byte case, which is nearly every LEB128 in practice.
 */
#ifndef WDEC_INTERNAL_H
#define WDEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wdec/module.h>
#include <wdec/status.h>
#include <wdec/visitor.h>

/* --- Errors --- */

/* Every error starts here (one breakpoint catches them all). Keeps the first error: a later call
 * returns `status` but leaves *err alone. `fmt` (may be NULL) adds detail after the spec text. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
wdec_status
wdec_fail(struct wdec_error *err, wdec_status status, size_t offset, const char *fmt, ...);

/* Branch hints for the body loop: errors are cold, so their spill code stays out of the way. */
#if defined(__GNUC__)
#define WDEC_LIKELY(x)   __builtin_expect(!!(x), 1)
#define WDEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define WDEC_LIKELY(x)   (x)
#define WDEC_UNLIKELY(x) (x)
#endif

/* WDEC_TRY with the failure marked cold. */
#define WDEC_TRY_HOT(e)                                                                            \
    do {                                                                                           \
        wdec_status s_ = (e);                                                                      \
        if (WDEC_UNLIKELY(s_))                                                                     \
            return s_;                                                                             \
    } while (0)

/* --- Reader: [p, end) inside a module that starts at base --- */

/* Forced inlining for the readers: a reader inside the body validator's state must never be
 * passed to an out-of-line function, or that whole state has to live in memory. */
#if defined(__GNUC__)
#define WDEC_INLINE static inline __attribute__((always_inline))
#else
#define WDEC_INLINE static inline
#endif

struct rd {
    const uint8_t *p;
    const uint8_t *end;
    const uint8_t *base;
    struct wdec_error *err;
    wdec_status eos; /* what running off `end` is called here */
};

WDEC_INLINE size_t rd_off(const struct rd *r)
{
    return (size_t)(r->p - r->base);
}

WDEC_INLINE size_t rd_left(const struct rd *r)
{
    return (size_t)(r->end - r->p);
}

wdec_status wdec_rd_u32_slow(struct rd *r, uint32_t *out);
wdec_status wdec_rd_s32_slow(struct rd *r, int32_t *out);
wdec_status wdec_rd_s64_slow(struct rd *r, int64_t *out);
/* Any LEB128 of `bits` bits (1..64), sign-extended when `is_signed`. */
wdec_status wdec_rd_leb(struct rd *r, unsigned bits, bool is_signed, uint64_t *out);
/* True when [s, s+len) is well-formed UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF). */
bool wdec_utf8_valid(const uint8_t *s, size_t len);

/* The inline readers below never hand `r` itself to another function (slow paths get a copy), so
 * a reader inside the body validator's state can live in registers. */
WDEC_INLINE wdec_status wdec_rd_eos(const struct rd *r)
{
    return wdec_fail(r->err, r->eos, rd_off(r), NULL);
}

WDEC_INLINE wdec_status rd_leb(struct rd *r, unsigned bits, bool is_signed, uint64_t *out)
{
    struct rd tmp = *r;
    wdec_status st = wdec_rd_leb(&tmp, bits, is_signed, out);
    r->p = tmp.p;
    return st;
}

WDEC_INLINE wdec_status rd_byte(struct rd *r, uint8_t *out)
{
    if (r->p >= r->end) {
        *out = 0;
        return wdec_rd_eos(r);
    }
    *out = *r->p++;
    return WDEC_OK;
}

WDEC_INLINE wdec_status rd_u32(struct rd *r, uint32_t *out)
{
    const uint8_t *p = r->p;
    if (r->end - p >= 5) {
        /* Well-formed encodings without bounds checks; anything odd takes the slow path, which
         * reports the exact error. */
        uint32_t v = p[0] & 0x7fu;
        if (p[0] < 0x80) {
            r->p = p + 1;
            *out = v;
            return WDEC_OK;
        }
        v |= (uint32_t)(p[1] & 0x7f) << 7;
        if (p[1] < 0x80) {
            r->p = p + 2;
            *out = v;
            return WDEC_OK;
        }
        v |= (uint32_t)(p[2] & 0x7f) << 14;
        if (p[2] < 0x80) {
            r->p = p + 3;
            *out = v;
            return WDEC_OK;
        }
        v |= (uint32_t)(p[3] & 0x7f) << 21;
        if (p[3] < 0x80) {
            r->p = p + 4;
            *out = v;
            return WDEC_OK;
        }
        if (p[4] < 0x10) {
            r->p = p + 5;
            *out = v | (uint32_t)p[4] << 28;
            return WDEC_OK;
        }
    } else if (p < r->end && *p < 0x80) {
        *out = *p;
        r->p = p + 1;
        return WDEC_OK;
    }
    uint64_t v;
    wdec_status st = rd_leb(r, 32, false, &v);
    *out = (uint32_t)v;
    return st;
}

/* Signed LEB128 of `bits` (32 or 64) when the whole encoding is in bounds and well-formed;
 * returns false (and consumes nothing) otherwise. */
WDEC_INLINE bool leb_signed_fast(struct rd *r, unsigned bits, uint64_t *out)
{
    const uint8_t *p = r->p;
    unsigned nbytes = (bits + 6) / 7; /* 5 or 10 */
    if ((size_t)(r->end - p) < nbytes)
        return false;
    uint64_t v = 0;
    unsigned shift = 0;
    for (unsigned i = 0; i + 1 < nbytes; i++) {
        uint8_t b = p[i];
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (b & 0x40)
                v |= ~(uint64_t)0 << shift;
            r->p = p + i + 1;
            *out = v;
            return true;
        }
    }
    /* Last byte: no continuation, unused bits all copies of the sign bit. */
    uint8_t b = p[nbytes - 1];
    unsigned left = bits - shift;
    unsigned mask = (0xffu << (left - 1)) & 0x7fu;
    if ((b & 0x80) || ((b & mask) != 0 && (b & mask) != mask))
        return false;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (shift + 7 < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << (shift + 7);
    r->p = p + nbytes;
    *out = v;
    return true;
}

WDEC_INLINE wdec_status rd_s32(struct rd *r, int32_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        uint8_t b = *r->p++;
        *out = (b & 0x40) ? (int32_t)b - 0x80 : (int32_t)b;
        return WDEC_OK;
    }
    uint64_t v;
    wdec_status st = WDEC_OK;
    if (!leb_signed_fast(r, 32, &v))
        st = rd_leb(r, 32, true, &v);
    *out = (int32_t)(uint32_t)v;
    return st;
}

WDEC_INLINE wdec_status rd_s64(struct rd *r, int64_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        uint8_t b = *r->p++;
        *out = (b & 0x40) ? (int64_t)b - 0x80 : (int64_t)b;
        return WDEC_OK;
    }
    uint64_t v;
    wdec_status st = WDEC_OK;
    if (!leb_signed_fast(r, 64, &v))
        st = rd_leb(r, 64, true, &v);
    *out = (int64_t)v;
    return st;
}

WDEC_INLINE wdec_status wdec_rd_s33(struct rd *r, int64_t *out)
{
    uint64_t v;
    wdec_status st = rd_leb(r, 33, true, &v);
    *out = (int64_t)v;
    return st;
}

/* A u32 byte length or vector count no larger than what is left, counting from before the LEB
 * as the reference interpreter does (else "length out of bounds"). */
WDEC_INLINE wdec_status wdec_rd_len(struct rd *r, uint32_t *out)
{
    size_t at = rd_off(r);
    size_t left = rd_left(r);
    wdec_status st = rd_u32(r, out);
    if (st)
        return st;
    if (*out > left)
        return wdec_fail(r->err, WDEC_ERR_LENGTH_OUT_OF_BOUNDS, at, NULL);
    return WDEC_OK;
}

WDEC_INLINE wdec_status rd_fixed(struct rd *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n) {
        *out = NULL;
        r->p = r->end;
        return wdec_rd_eos(r);
    }
    *out = r->p;
    r->p += n;
    return WDEC_OK;
}

/* --- Arena: the module's allocations, freed together --- */

struct wdec_arena_chunk {
    struct wdec_arena_chunk *next;
    size_t used;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

/* Zeroed memory owned by the module, or NULL when out of memory. */
void *wdec_arena_alloc(struct wdec_module *m, size_t size);
/* `count` elements of `size` bytes, zeroed; NULL on overflow or out of memory. */
void *wdec_arena_array(struct wdec_module *m, size_t count, size_t size);
/* The same, not zeroed: for arrays whose every field the caller writes (a module may have 10^5
 * data segments, and zeroing them first is a measurable part of its decode). */
void *wdec_arena_array_uninit(struct wdec_module *m, size_t count, size_t size);

/* --- Value types --- */

/* The operand stack's "unknown" type (stack polymorphism after unreachable code). */
#define WDEC_UNKNOWN 0

static inline bool is_valtype(uint8_t b)
{
    return b == WDEC_I32 || b == WDEC_I64 || b == WDEC_F32 || b == WDEC_F64 || b == WDEC_FUNCREF ||
           b == WDEC_EXTERNREF;
}

static inline bool is_reftype(uint8_t b)
{
    return b == WDEC_FUNCREF || b == WDEC_EXTERNREF;
}

/* WDEC_OK for a value type byte allowed under `features`; v128 without WDEC_FEATURE_SIMD is
 * WDEC_ERR_UNSUPPORTED, any other byte WDEC_ERR_VALUE_TYPE. */
static inline wdec_status valtype_status(uint8_t b, uint32_t features)
{
    if (is_valtype(b))
        return WDEC_OK;
    if (b == WDEC_V128)
        return (features & WDEC_FEATURE_SIMD) ? WDEC_OK : WDEC_ERR_UNSUPPORTED;
    return WDEC_ERR_VALUE_TYPE;
}

/* A one-element type array for any byte: wdec_one_type + t points at t (block types). */
extern const uint8_t wdec_one_type[256];

/* --- Function bodies --- */

/* Scratch space reused from one body to the next: the operand and control stacks, local types and
 * br_table targets. Grows, never shrinks, so a module costs O(1) allocations per body at most. */
struct wdec_frame;
struct wdec_call_sig;
struct wdec_scratch {
    /* Value types on the operand stack, 16 bits wide on purpose: a uint8_t store may alias
     * anything, which would make the compiler reload the validator's state after each push. */
    uint16_t *stack;
    uint32_t stack_cap;
    struct wdec_frame *frames;
    uint32_t frame_cap;
    uint8_t *locals;
    uint32_t local_cap;
    uint32_t *targets;
    uint32_t target_cap;
    /* Per function type of `sig_module`, for the plain validator's calls (func_body.c). */
    struct wdec_call_sig *call_sigs;
    const struct wdec_module *sig_module;
    /* The visitor last seen and whether it is all-NULL (a plain validator). */
    const struct wdec_visitor *visitor;
    bool plain;
    /* A data index used with no data count section: judged once the data section is known
     * (reference interpreter: "data count section required" if there are data segments). */
    bool data_use;
    uint32_t data_use_index;
    size_t data_use_offset;
};

/* The verdict on a data index used without a data count section, once the module is known. */
wdec_status wdec_data_use_check(const struct wdec_module *m, const struct wdec_scratch *s,
                                bool saw_data_section, struct wdec_error *err);

void wdec_scratch_free(struct wdec_scratch *s);

/* Most bytes of buffers a scratch keeps for its next use (wdec_scratch_keep()). */
#define WDEC_SCRATCH_KEEP_MAX ((size_t)1 << 20)

/* Makes s as a zeroed scratch is but for its operand stack, frames, locals and br_table targets,
 * which it keeps (their first WDEC_SCRATCH_KEEP_MAX bytes' worth; the rest is freed), so that the
 * next decode need not allocate them again. Nothing else carries over: the call signatures are
 * rebuilt for each module, whose address may be the last one's. */
void wdec_scratch_keep(struct wdec_scratch *s);

/* Validates the body of defined function `func_index` (bytes [body, body+size) of m->bytes) and
 * drives `v` (never NULL). `m` must hold everything that precedes the code section. */
wdec_status wdec_body_decode(const struct wdec_module *m, struct wdec_scratch *s,
                             uint32_t func_index, const struct wdec_visitor *v, void *ctx,
                             struct wdec_error *err);

/* Decodes a body without validating it (after a validation error, so that a later malformed
 * byte still wins, as in the reference interpreter). No visitor calls. */
wdec_status wdec_body_scan(const struct wdec_module *m, struct wdec_scratch *s, uint32_t func_index,
                           struct wdec_error *err);

/* --- Bodies on several threads (code_par.c) --- */

/* Whether every callback of v is NULL: a plain validation. */
bool wdec_visitor_is_empty(const struct wdec_visitor *v);

/* At most this many threads validate bodies, whatever wdec_options.threads asks. */
#define WDEC_MAX_THREADS 64u

/* The scratch memory a pool keeps for the caller of a decode (wdec_pool_new()): moved into *s
 * (true), or false if another decode has it (*s is then untouched). */
bool wdec_pool_scratch_take(struct wdec_pool *pool, struct wdec_scratch *s);
/* Gives it back after the decode (wdec_scratch_keep()); *s is left empty. */
void wdec_pool_scratch_give(struct wdec_pool *pool, struct wdec_scratch *s);

/* How many threads to validate `code_bytes` of bodies with when `want` are allowed: 1 (the
 * calling thread alone) when there is too little code to share out. */
uint32_t wdec_code_par_threads(uint32_t want, uint64_t code_bytes);

/* Body i of the code section: its size, its place kept in m->funcs, and r past it. */
WDEC_INLINE wdec_status body_place(struct rd *r, struct wdec_module *m, uint32_t i)
{
    uint32_t size;
    WDEC_TRY(wdec_rd_len(r, &size));
    if (size > rd_left(r)) /* the body would run past the module's end */
        return wdec_fail(r->err, WDEC_ERR_UNEXPECTED_END_SECTION, m->size, NULL);
    struct wdec_func *f = &m->funcs[m->func_import_count + i];
    f->body_offset = (uint32_t)rd_off(r); /* the module is at most UINT32_MAX bytes */
    f->body_size = size;
    r->p += size;
    return WDEC_OK;
}

/* Bodies validated on several threads, from wdec_code_par_begin() to wdec_code_par_end(). */
struct wdec_par;

/* Starts validating the code section's n bodies, which r is at (past their count, `code_bytes`
 * of section left), on `threads` threads for a plain validation: the calling one (scratch s0,
 * which is the job's until the end) and the others from `pool` (NULL, or busy with another
 * decode: started for this one). The calling thread places the bodies (body_place()) and hands
 * them out in batches as it goes; the others validate them meanwhile, and go on while it decodes
 * the sections after this one. Returns body_place()'s status, with *r->err and r past the last
 * body placed, and *out to pass to wdec_code_par_end(); or an out-of-memory status with *out
 * NULL (nothing started). */
wdec_status wdec_code_par_begin(struct wdec_module *m, struct rd *r, uint32_t n,
                                uint64_t code_bytes, uint32_t threads, struct wdec_pool *pool,
                                struct wdec_scratch *s0, struct wdec_par **out);

/* The calling thread validates bodies too until none are left, and waits for the others. `st`
 * is the status of the decode after the code section was begun (*err its error): the first body
 * that is malformed (or out of memory) comes before it in the module and wins, as in the
 * one-thread loop of code_section(); else st stands, and if it is WDEC_OK *invalid is set to the
 * first invalid body's error (kept aside as that loop does). s0 gets back the calling thread's
 * scratch, with the first data index use of all bodies. Frees par. */
wdec_status wdec_code_par_end(struct wdec_par *par, wdec_status st, struct wdec_error *err,
                              struct wdec_scratch *s0, struct wdec_error *invalid);

/* Statuses of the "invalid" class (validation), as opposed to malformed bytes. */
static inline bool wdec_status_is_invalid(wdec_status st)
{
    return st >= WDEC_ERR_TYPE_MISMATCH && st <= WDEC_ERR_UNDECLARED_FUNC_REF;
}

/* Upper bound on a body's locals (parameters included). More is refused with
 * WDEC_ERR_IMPL_LIMIT, as engines do (V8 allows 50000). */
#define WDEC_MAX_LOCALS 50000u

/* --- Constant expressions --- */

/* Decodes a constant expression of type `type` into *out; only imported immutable globals
 * may be read (WebAssembly 2.0). Declares ref.func targets in m. */
wdec_status wdec_const_expr(struct rd *r, struct wdec_module *m, uint8_t type,
                            struct wdec_const_expr *out);

/* --- LEB128 without a branch per byte ---
 * Where 8 bytes are readable at a LEB128's start, its first 8 bytes are read as one word. The bytes
 * without a continuation bit are its possible ends, and the first of them is found with one
 * count-trailing-zeros instead of a loop whose trip count the CPU cannot predict. */

WDEC_INLINE uint64_t wdec_load_le64(const uint8_t *q)
{
    uint64_t w;
    memcpy(&w, q, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The stop bits of the LEB128 whose first 8 bytes are w: bit 7 of each byte without its
 * continuation bit, and bit 63 in any case (so that 8 bytes that all continue end there). */
WDEC_INLINE uint64_t wdec_leb_stops8(uint64_t w)
{
    return (~w & 0x8080808080808080u) | (uint64_t)1 << 63;
}

/* Bytes in the LEB128 whose first 8 bytes are w: 1 to 8 (8 also when all 8 continue). */
WDEC_INLINE unsigned wdec_leb_len8(uint64_t w)
{
    return (unsigned)__builtin_ctzll(wdec_leb_stops8(w)) / 8 + 1;
}

/* The value of the LEB128 whose first 8 bytes are w, wdec_leb_len8(w) bytes long, its 7-bit groups
 * gathered without a loop (unsigned; up to 56 bits). Its bytes are masked off by the lowest stop
 * bit and all below it (s ^ (s - 1)), not by a shift by its length: so the value does not wait
 * for the count of trailing zeros, and needs no variable shift (through %cl without BMI2).
 * fast_run() built for BMI1/BMI2 ran sql.js 2.5-3.3% faster, its code differing from the
 * baseline's in that shift (shrx) and in andn; this form gets 1.9% in baseline x86-64
 * (docs/BENCHMARKS.md, frontend, session 10). */
WDEC_INLINE uint64_t wdec_leb_gather(uint64_t w)
{
    uint64_t stops = wdec_leb_stops8(w);
    uint64_t x = w & (stops ^ (stops - 1)) & 0x7f7f7f7f7f7f7f7fu;
    x = (x & 0x007f007f007f007fu) | (x >> 1 & 0x3f803f803f803f80u);    /* 14 bits per 16 */
    x = (x & 0x00003fff00003fffu) | (x >> 2 & 0x0fffc0000fffc000u);    /* 28 bits per 32 */
    return (x & 0x000000000fffffffu) | (x >> 4 & 0x00fffffff0000000u); /* 56 bits */
}

/* The commonest constant expression, `i32.const n end` (data segment offsets; a module built by
 * Go has 10^5 segments), inline and without a loop over the LEB128's bytes: true with *out and
 * the reader set as wdec_const_expr() sets them; false, with nothing read, for anything else
 * (which wdec_const_expr() then decodes) and when fewer than 16 bytes are left. */
WDEC_INLINE bool wdec_const_i32_fast(struct rd *r, struct wdec_const_expr *out)
{
    const uint8_t *p = r->p;
    if (r->end - p < 16 || p[0] != 0x41)
        return false;
    uint64_t w = wdec_load_le64(p + 1);
    unsigned n = wdec_leb_len8(w); /* 8 also when none of the 8 bytes ends it: refused below */
    /* At most 5 bytes, the 5th's unused bits copies of the sign bit, then `end`. */
    if (n > 5 || p[1 + n] != 0x0b || (n == 5 && (p[5] & 0x78) != 0 && (p[5] & 0x78) != 0x78))
        return false;
    uint64_t x = wdec_leb_gather(w);
    uint64_t sign = (uint64_t)1 << (7 * n - 1);
    x = (x ^ sign) - sign; /* sign-extended from the LEB128's top bit */
    out->kind = WDEC_CONST_I32;
    out->type = WDEC_I32;
    memset(&out->value, 0, sizeof out->value);
    out->value.i32 = (int32_t)(uint32_t)x;
    out->offset = (uint32_t)rd_off(r);
    out->code_size = n + 2;
    r->p = p + n + 2;
    return true;
}

/* --- Name section (errors there are ignored) --- */
void wdec_names_decode(struct wdec_module *m, const uint8_t *p, size_t size);

#endif
