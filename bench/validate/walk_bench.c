/* SPDX-License-Identifier: Apache-2.0 */
/* Where the validator's time goes: instruction walks over a module's bodies that validate
 * nothing, through a threaded dispatch as fast_run() has (one instruction or two per jump), or
 * branch-free over 1-4 bodies in lockstep, also leaving that step for control instructions as an
 * engine built on it would (docs/BENCHMARKS.md, frontend, session 5), or with a step whose
 * length comes from constants instead of a table row (`arith*`, session 6), or two bodies
 * interleaved through the threaded dispatch (`inter2`), or the dispatch through conditional
 * branches instead of a jump (`cond`, session 6), or fast_run()'s own dispatch over its own
 * handler classes, as it was in session 11 and in three variants (`fr*`), and with the next
 * opcodes and targets loaded ahead as fast_run() does since session 12 (`fr_pre`).
 * Usage: walk_bench RUNS FILE.wasm [WALK...] (all walks when none is named) */
#define _POSIX_C_SOURCE 200809L
#include "bench_time.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>

#if !defined(__GNUC__)
int main(void)
{
    fputs("walk_bench needs GNU C (labels as values)\n", stderr);
    return 2;
}
#else
#pragma GCC diagnostic ignored "-Wpedantic"

/* --- Immediate shapes of one-byte opcodes, from opcodes.def --- */

/* How the fast walks take an instruction: `nleb` LEB128s after the opcode, `fixed` bytes after
 * those, or the general decoder (`slow`: br_table, select t, i64.const, prefixed ops). */
struct shape {
    uint8_t nleb, fixed;
    bool slow;
};

static struct shape shape_of(unsigned imm)
{
    switch (imm) {
    case WDEC_IMM_NONE:
        return (struct shape){0, 0, false};
    case WDEC_IMM_F32:
        return (struct shape){0, 4, false};
    case WDEC_IMM_F64:
        return (struct shape){0, 8, false};
    case WDEC_IMM_MEMARG1:
    case WDEC_IMM_MEMARG2:
    case WDEC_IMM_MEMARG4:
    case WDEC_IMM_MEMARG8:
    case WDEC_IMM_CALL_INDIRECT:
        return (struct shape){2, 0, false};
    case WDEC_IMM_BR_TABLE:
    case WDEC_IMM_SELECT_T:
    case WDEC_IMM_I64:
        return (struct shape){0, 0, true};
    default: /* block type, label, index, memory, i32 */
        return (struct shape){1, 0, false};
    }
}

static uint8_t imm_byte[256]; /* WDEC_IMM_* + 1 of each one-byte opcode, 0 when none */
/* One-byte opcodes a uniform step could not do (control, calls, globals, select, the slow
 * shapes): where an engine built on that step leaves it. */
static bool leaves[256];
static uint8_t imm_fc[256]; /* the same for 0xFC sub-opcodes */
static struct shape shapes[256];

static void shapes_init(void)
{
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    if ((prefix) == 0x00) {                                                                        \
        imm_byte[code] = WDEC_IMM_##imm + 1;                                                       \
        leaves[code] = WDEC_GROUP_##group == WDEC_GROUP_CONTROL ||                                 \
                       WDEC_IMM_##imm == WDEC_IMM_GLOBAL || WDEC_OP_##id == WDEC_OP_SELECT;        \
    } else if ((prefix) == 0xfc)                                                                   \
        imm_fc[code] = WDEC_IMM_##imm + 1;
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
    for (unsigned op = 0; op < 256; op++) {
        shapes[op] = imm_byte[op] ? shape_of(imm_byte[op] - 1u) : (struct shape){0, 0, true};
        if (op == 0xfc || op == 0xfd)
            shapes[op].slow = true;
        leaves[op] |= shapes[op].slow;
    }
}

/* The dispatch walks' handler for op: 0, 1 or 2 LEB128s after it (no other immediate than
 * fixed bytes), or 3 for the general decoder. */
static unsigned shape_kind(unsigned op)
{
    return shapes[op].slow ? 3u : shapes[op].nleb;
}

/* --- The general decoder --- */

static const uint8_t *skip_leb(const uint8_t *q)
{
    while (*q & 0x80)
        q++;
    return q + 1;
}

static uint32_t read_leb(const uint8_t **q)
{
    uint32_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = *(*q)++;
        if (shift < 32)
            v |= (uint32_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    return v;
}

/* The instruction after the one at p, whatever its opcode (NULL for SIMD, not handled here). */
static const uint8_t *next_slow(const uint8_t *p)
{
    uint8_t op = *p++;
    unsigned imm;
    if (op == 0xfc) {
        uint32_t sub = read_leb(&p);
        imm = sub < 256 && imm_fc[sub] ? imm_fc[sub] - 1u : WDEC_IMM_NONE;
    } else if (op == 0xfd) {
        return NULL;
    } else {
        imm = imm_byte[op] ? imm_byte[op] - 1u : WDEC_IMM_NONE;
    }
    switch (imm) {
    case WDEC_IMM_BR_TABLE: {
        uint32_t n = read_leb(&p);
        for (uint64_t i = 0; i <= n; i++)
            p = skip_leb(p);
        return p;
    }
    case WDEC_IMM_SELECT_T: {
        uint32_t n = read_leb(&p);
        return p + n;
    }
    case WDEC_IMM_TABLE_INIT:
    case WDEC_IMM_TABLE_COPY:
    case WDEC_IMM_MEMORY_INIT:
    case WDEC_IMM_MEMORY_COPY:
        return skip_leb(skip_leb(p));
    default: {
        struct shape s = shape_of(imm);
        for (unsigned i = 0; i < s.nleb; i++)
            p = skip_leb(p);
        return s.slow ? skip_leb(p) : p + s.fixed; /* slow here: i64.const */
    }
    }
}

/* --- The branch-free step --- */

/* Per opcode: which of the first two stops (see step()) to keep, as masks (all ones: keep),
 * so that GCC has no comparison to turn into a branch; and the fixed bytes after them. */
static uint64_t keep1[256], keep2[256];
static uint8_t step_fixed[256];

static void step_init(void)
{
    for (unsigned op = 0; op < 256; op++) {
        keep1[op] = shapes[op].nleb >= 1 ? 0 : ~(uint64_t)0;
        keep2[op] = shapes[op].nleb >= 2 ? 0 : ~(uint64_t)0;
        step_fixed[op] = shapes[op].fixed;
    }
}

static inline uint64_t load64(const uint8_t *q)
{
    uint64_t w;
    memcpy(&w, q, sizeof w);
    return w;
}

/* The next instruction for the non-slow shapes, without a branch: the bytes without a
 * continuation bit end the opcode (byte 0, always) and each LEB128; the instruction's last byte
 * is the (nleb + 1)-th of those stops, found by clearing the lowest stops first. */
static inline const uint8_t *step(const uint8_t *p)
{
    uint64_t w = load64(p);
    uint8_t op = (uint8_t)w;
    uint64_t stops = (~w & 0x8080808080808000u) | 0x80u | (uint64_t)1 << 63;
    stops &= (stops - 1) | keep1[op];
    stops &= (stops - 1) | keep2[op];
    return p + (__builtin_ctzll(stops) >> 3) + 1 + step_fixed[op];
}

static inline const uint8_t *next_any(const uint8_t *p)
{
    return __builtin_expect(shapes[*p].slow, 0) ? next_slow(p) : step(p);
}

/* --- The walks --- */

struct body {
    const uint8_t *p, *end; /* instructions, after the locals */
};

static struct body *bodies;
static uint32_t body_count;

/* --- The arithmetic step (session 6) ---
 * As step(), but what an opcode's immediate is comes from constants (two bit masks over the
 * opcodes 0x02-0x41, which the compiler keeps in registers, and compares with 0x43/0x44) instead
 * of a table row, so that the next instruction's address hangs only on the load of the 8-byte
 * word at p: p + f(word). The other opcodes have no immediate here (the numeric ops; i64.const
 * and the irregular shapes leave before the step). */
static uint64_t ar_one, ar_two; /* bit op - 2: at least one LEB128, two LEB128s */

static void arith_init(void)
{
    for (unsigned op = 2; op < 0x42; op++) {
        if (shapes[op].slow)
            continue;
        if (shapes[op].nleb >= 1)
            ar_one |= (uint64_t)1 << (op - 2);
        if (shapes[op].nleb >= 2)
            ar_two |= (uint64_t)1 << (op - 2);
    }
}

static inline const uint8_t *arith_step(const uint8_t *p, uint64_t one_mask, uint64_t two_mask)
{
    uint64_t w = load64(p);
    uint64_t op = (uint8_t)w, d = op - 2;
    uint64_t in = -(uint64_t)(d < 64);
    uint64_t one = one_mask >> (d & 63) & in & 1;
    uint64_t two = two_mask >> (d & 63) & in & 1;
    uint64_t e = op - 0x43; /* f32.const, f64.const: 4 or 8 bytes, as nibbles 0 and 1 of 0x84 */
    uint64_t fixed = (uint64_t)0x84 >> ((e & 15) << 2) & 15 & -(uint64_t)(e < 16);
    uint64_t stops = (~w & 0x8080808080808000u) | 0x80u | (uint64_t)1 << 63;
    stops &= (stops - 1) | (one - 1);
    stops &= (stops - 1) | (two - 1);
    return p + (__builtin_ctzll(stops) >> 3) + 1 + fixed;
}

/* The same with a shorter chain: the stops of the LEB128s (byte 0's left out) are computed from
 * the word alone, the opcode only clears the first (two LEB128s) or adds a stop at bit 0 (none),
 * so that the word's load, four ALU steps and the count of trailing zeros make the chain. */
static inline const uint8_t *arith_step2(const uint8_t *p, uint64_t one_mask, uint64_t two_mask)
{
    uint64_t w = load64(p);
    uint64_t op = (uint8_t)w, d = op - 2;
    uint64_t in = -(uint64_t)(d < 64);
    uint64_t none = ~(one_mask >> (d & 63) & in) & 1;
    uint64_t keep = (two_mask >> (d & 63) & in & 1) - 1; /* all ones unless two LEB128s */
    uint64_t e = op - 0x43;
    uint64_t fixed = (uint64_t)0x84 >> ((e & 15) << 2) & 15 & -(uint64_t)(e < 16);
    uint64_t stops = (~w & 0x8080808080808000u) | (uint64_t)1 << 63;
    stops &= (stops - 1) | keep;
    return p + (__builtin_ctzll(stops | none) >> 3) + 1 + fixed;
}

/* A branch-free arithmetic step for what `stay` marks (locals, constants but i64, loads,
 * stores, numeric ops, drop, select, nop: what needs no frame, signature or global), one
 * conditional branch out of it for the rest, to threaded handlers per shape as in
 * walk_dispatch, which come back to the step. */
static bool stay_simple[256], stay_all[256];

static void stay_init(void)
{
    for (unsigned op = 0; op < 256; op++) {
        stay_all[op] = !shapes[op].slow && op < 0xc5;
        stay_simple[op] = stay_all[op] && !leaves[op];
    }
}

/* (A macro rather than a function with the step as a flag: GCC inlines no function that takes
 * the address of a label, so a flag would stay a branch in the loop.) */
#define WALK_ARITH(name, stay, STEP)                                                               \
    static uint64_t name(void)                                                                     \
    {                                                                                              \
        static const void *const by_shape[4] = {&&none, &&one, &&two, &&slow};                     \
        static const void *jt[256];                                                                \
        for (unsigned op = 0; op < 256; op++)                                                      \
            jt[op] = by_shape[shape_kind(op)];                                                     \
        const uint64_t one_mask = ar_one, two_mask = ar_two;                                       \
        uint64_t n = 0;                                                                            \
        for (uint32_t b = 0; b < body_count; b++) {                                                \
            const uint8_t *p = bodies[b].p, *end = bodies[b].end;                                  \
        top:                                                                                       \
            if (p >= end)                                                                          \
                continue;                                                                          \
            if (__builtin_expect(!stay[*p], 0))                                                    \
                goto *jt[*p];                                                                      \
            p = STEP(p, one_mask, two_mask);                                                       \
            n++;                                                                                   \
            goto top;                                                                              \
        none:                                                                                      \
            p += 1 + step_fixed[*p];                                                               \
            n++;                                                                                   \
            goto top;                                                                              \
        one:                                                                                       \
            p = skip_leb(p + 1);                                                                   \
            n++;                                                                                   \
            goto top;                                                                              \
        two:                                                                                       \
            p = skip_leb(skip_leb(p + 1));                                                         \
            n++;                                                                                   \
            goto top;                                                                              \
        slow:                                                                                      \
            p = next_slow(p);                                                                      \
            n++;                                                                                   \
            goto top;                                                                              \
        }                                                                                          \
        return n;                                                                                  \
    }
WALK_ARITH(walk_arith, stay_simple, arith_step)
WALK_ARITH(walk_arith_all, stay_all, arith_step)
WALK_ARITH(walk_arith2, stay_simple, arith_step2)
WALK_ARITH(walk_arith2_all, stay_all, arith_step2)

/* The four shape handlers of the one-body dispatch walks, each ending in the walk's own NEXT(),
 * and the label a body's end leaves by. */
#define SHAPE_HANDLERS()                                                                           \
    none:                                                                                          \
    p += 1 + step_fixed[*p];                                                                       \
    NEXT();                                                                                        \
    one:                                                                                           \
    p = skip_leb(p + 1);                                                                           \
    NEXT();                                                                                        \
    two:                                                                                           \
    p = skip_leb(skip_leb(p + 1));                                                                 \
    NEXT();                                                                                        \
    slow:                                                                                          \
    p = next_slow(p);                                                                              \
    NEXT();                                                                                        \
    done:

static uint64_t walk_dispatch(void)
{
    static const void *const by_shape[4] = {&&none, &&one, &&two, &&slow};
    static const void *jt[256];
    for (unsigned op = 0; op < 256; op++)
        jt[op] = by_shape[shape_kind(op)];
    uint64_t n = 0;
    for (uint32_t b = 0; b < body_count; b++) {
        const uint8_t *p = bodies[b].p, *end = bodies[b].end;
#define NEXT()                                                                                     \
    do {                                                                                           \
        n++;                                                                                       \
        if (p >= end)                                                                              \
            goto done;                                                                             \
        goto *jt[*p];                                                                              \
    } while (0)
        goto *jt[*p];
        SHAPE_HANDLERS();
#undef NEXT
    }
    return n;
}

/* walk_dispatch with the jump replaced by conditional branches on the shape (session 6): each
 * handler ends in its own chain of compares, so the choice goes through the conditional
 * predictor and its history instead of the indirect one. */
static uint64_t walk_cond(void)
{
    static uint8_t kind[256];
    for (unsigned op = 0; op < 256; op++)
        kind[op] = (uint8_t)shape_kind(op);
    uint64_t n = 0;
    for (uint32_t b = 0; b < body_count; b++) {
        const uint8_t *p = bodies[b].p, *end = bodies[b].end;
        unsigned k;
#define NEXT()                                                                                     \
    do {                                                                                           \
        n++;                                                                                       \
        if (p >= end)                                                                              \
            goto done;                                                                             \
        k = kind[*p];                                                                              \
        __asm__("" : "+r"(k));                                                                     \
        if (k == 0)                                                                                \
            goto none;                                                                             \
        if (k == 1)                                                                                \
            goto one;                                                                              \
        if (k == 2)                                                                                \
            goto two;                                                                              \
        goto slow;                                                                                 \
    } while (0)
        n--;
        NEXT();
        SHAPE_HANDLERS();
#undef NEXT
    }
    return n;
}

/* Two instructions per dispatch: the jump goes to the handler of the pair of shapes at p and
 * at step(p) (16 handlers), which takes both; a slow first one is taken alone. */
static uint64_t walk_pairs(void)
{
#define PAIR_ROW(a) &&a##_none, &&a##_one, &&a##_two, &&a##_slow
    static const void *const by_pair[16] = {PAIR_ROW(none), PAIR_ROW(one), PAIR_ROW(two),
                                            PAIR_ROW(slow)};
#undef PAIR_ROW
    static uint8_t cls[256];
    for (unsigned op = 0; op < 256; op++)
        cls[op] = (uint8_t)shape_kind(op);
    uint64_t n = 0;
    for (uint32_t b = 0; b < body_count; b++) {
        const uint8_t *p = bodies[b].p, *end = bodies[b].end;
#define NEXT()                                                                                     \
    do {                                                                                           \
        if (p >= end)                                                                              \
            goto done;                                                                             \
        goto *by_pair[cls[*p] * 4 + cls[*step(p)]];                                                \
    } while (0)
#define TAKE_none() p += 1 + step_fixed[*p]
#define TAKE_one()  p = skip_leb(p + 1)
#define TAKE_two()  p = skip_leb(skip_leb(p + 1))
#define TAKE_slow() p = next_slow(p)
#define PAIR(a, b)                                                                                 \
    a##_##b : TAKE_##a();                                                                          \
    n++;                                                                                           \
    if (p >= end)                                                                                  \
        goto done;                                                                                 \
    TAKE_##b();                                                                                    \
    n++;                                                                                           \
    NEXT();
#define SLOW_PAIR(b)                                                                               \
    slow_##b : TAKE_slow();                                                                        \
    n++;                                                                                           \
    NEXT();
        NEXT();
        PAIR(none, none)
        PAIR(none, one)
        PAIR(none, two)
        PAIR(none, slow)
        PAIR(one, none)
        PAIR(one, one)
        PAIR(one, two)
        PAIR(one, slow)
        PAIR(two, none)
        PAIR(two, one)
        PAIR(two, two)
        PAIR(two, slow)
        SLOW_PAIR(none)
        SLOW_PAIR(one)
        SLOW_PAIR(two)
        SLOW_PAIR(slow)
    done:;
#undef NEXT
#undef PAIR
#undef SLOW_PAIR
    }
    return n;
}

/* The same handlers; each jumps to a target found one instruction earlier by step(), checked
 * against the handler's own next address. */
static uint64_t walk_ahead(void)
{
    static const void *const by_shape[4] = {&&none, &&one, &&two, &&slow};
    static const void *jt[256];
    for (unsigned op = 0; op < 256; op++)
        jt[op] = by_shape[shape_kind(op)];
    uint64_t n = 0;
    for (uint32_t b = 0; b < body_count; b++) {
        const uint8_t *p = bodies[b].p, *end = bodies[b].end;
        const uint8_t *pn = next_any(p);
        const void *tn = jt[*pn], *t;
#define NEXT()                                                                                     \
    do {                                                                                           \
        n++;                                                                                       \
        if (p >= end)                                                                              \
            goto done;                                                                             \
        t = __builtin_expect(p == pn, 1) ? tn : jt[*p];                                            \
        pn = next_any(p);                                                                          \
        tn = jt[*pn];                                                                              \
        goto *t;                                                                                   \
    } while (0)
        goto *jt[*p];
        SHAPE_HANDLERS();
#undef NEXT
    }
    return n;
}

/* Two bodies interleaved through the threaded dispatch (session 6): the handlers of lane A and
 * of lane B alternate, and each handler, after taking its own lane's instruction, looks up that
 * lane's next target but jumps to the *other* lane's target, found one handler earlier. A
 * mispredicted jump then has its target at hand when it issues, so it costs the refill only, not
 * also the two dependent loads (opcode, table) behind it. */
static uint64_t walk_inter2(void)
{
    static const void *const by_a[4] = {&&a_none, &&a_one, &&a_two, &&a_slow};
    static const void *const by_b[4] = {&&b_none, &&b_one, &&b_two, &&b_slow};
    static const void *ja[256], *jb[256];
    for (unsigned op = 0; op < 256; op++) {
        unsigned k = shape_kind(op);
        ja[op] = by_a[k];
        jb[op] = by_b[k];
    }
    uint64_t n = 0;
    if (body_count < 2)
        return 0;
    uint32_t next = 2;
    const uint8_t *pa = bodies[0].p, *ea = bodies[0].end;
    const uint8_t *pb = bodies[1].p, *eb = bodies[1].end;
    const void *ta, *tb;
    /* A lane whose bodies ran out parks on `a_dry`/`b_dry`, which only hands over. */
#define REFILL(P, E, T, JT, DRY)                                                                   \
    do {                                                                                           \
        while (P >= E && next < body_count) {                                                      \
            P = bodies[next].p;                                                                    \
            E = bodies[next++].end;                                                                \
        }                                                                                          \
        T = P < E ? JT[*P] : &&DRY;                                                                \
    } while (0)
#define AFTER_A()                                                                                  \
    do {                                                                                           \
        n++;                                                                                       \
        if (__builtin_expect(pa >= ea, 0))                                                         \
            REFILL(pa, ea, ta, ja, a_dry);                                                         \
        else                                                                                       \
            ta = ja[*pa];                                                                          \
        goto *tb;                                                                                  \
    } while (0)
#define AFTER_B()                                                                                  \
    do {                                                                                           \
        n++;                                                                                       \
        if (__builtin_expect(pb >= eb, 0))                                                         \
            REFILL(pb, eb, tb, jb, b_dry);                                                         \
        else                                                                                       \
            tb = jb[*pb];                                                                          \
        goto *ta;                                                                                  \
    } while (0)
    REFILL(pa, ea, ta, ja, a_dry);
    REFILL(pb, eb, tb, jb, b_dry);
    goto *ta;
a_none:
    pa += 1 + step_fixed[*pa];
    AFTER_A();
a_one:
    pa = skip_leb(pa + 1);
    AFTER_A();
a_two:
    pa = skip_leb(skip_leb(pa + 1));
    AFTER_A();
a_slow:
    pa = next_slow(pa);
    AFTER_A();
b_none:
    pb += 1 + step_fixed[*pb];
    AFTER_B();
b_one:
    pb = skip_leb(pb + 1);
    AFTER_B();
b_two:
    pb = skip_leb(skip_leb(pb + 1));
    AFTER_B();
b_slow:
    pb = next_slow(pb);
    AFTER_B();
a_dry:
    if (tb == &&b_dry)
        return n;
    goto *tb;
b_dry:
    if (ta == &&a_dry)
        return n;
    goto *ta;
#undef AFTER_A
#undef AFTER_B
#undef REFILL
}

/* --- fast_run's own dispatch, walked (session 11) ---
 * fast_run() (frontend/src/func_body.c) picks local.get, i32.const and the numeric ops by three
 * compares and every other instruction by a jump through its jt[], one target per handler. These
 * walks take the same decisions over the same handler classes, and each handler only steps over
 * its instruction: what that dispatch costs without the checks and the operand stack. The
 * classes copy fast_run's jt[] by hand (a model of it: a change there is not seen here). */

/* How a handler steps over the instruction at q. */
#define FR_BYTE(q) ((q) + 1)
#define FR_LEB(q)  skip_leb((q) + 1)
#define FR_LEB2(q) skip_leb(skip_leb((q) + 1))
#define FR_MEM(q)  skip_leb((q) + 2)
#define FR_F32(q)  ((q) + 5)
#define FR_F64(q)  ((q) + 9)
#define FR_SLOW(q) next_slow(q)

/* fast_run's handler classes and how each steps; `other` is what fast_run sends to its numeric
 * handler only for that handler to leave the fast path. */
#define FR_CLASSES(X)                                                                              \
    X(local_get, FR_LEB)                                                                           \
    X(i32_const, FR_LEB)                                                                           \
    X(numeric, FR_BYTE)                                                                            \
    X(unreachable, FR_BYTE)                                                                        \
    X(nop, FR_BYTE)                                                                                \
    X(block, FR_LEB)                                                                               \
    X(loop, FR_LEB)                                                                                \
    X(if_, FR_LEB)                                                                                 \
    X(else_, FR_BYTE)                                                                              \
    X(end, FR_BYTE)                                                                                \
    X(br, FR_LEB)                                                                                  \
    X(br_if, FR_LEB)                                                                               \
    X(br_table, FR_SLOW)                                                                           \
    X(return_, FR_BYTE)                                                                            \
    X(call, FR_LEB)                                                                                \
    X(call_indirect, FR_LEB2)                                                                      \
    X(drop, FR_BYTE)                                                                               \
    X(select, FR_BYTE)                                                                             \
    X(local_set_tee, FR_LEB)                                                                       \
    X(global_get, FR_LEB)                                                                          \
    X(global_set, FR_LEB)                                                                          \
    X(load, FR_MEM)                                                                                \
    X(store, FR_MEM)                                                                               \
    X(i64_const, FR_SLOW)                                                                          \
    X(f32_const, FR_F32)                                                                           \
    X(f64_const, FR_F64)                                                                           \
    X(prefix_fc, FR_SLOW)                                                                          \
    X(other, FR_SLOW)

enum fr_class {
#define FR_ENUM(name, step) FR_##name,
    FR_CLASSES(FR_ENUM)
#undef FR_ENUM
        FR_COUNT
};

static uint8_t fr_class[256];

static void fr_init(void)
{
    static const struct {
        uint8_t op, k;
    } one[] = {
        {0x00, FR_unreachable},   {0x01, FR_nop},
        {0x02, FR_block},         {0x03, FR_loop},
        {0x04, FR_if_},           {0x05, FR_else_},
        {0x0b, FR_end},           {0x0c, FR_br},
        {0x0d, FR_br_if},         {0x0e, FR_br_table},
        {0x0f, FR_return_},       {0x10, FR_call},
        {0x11, FR_call_indirect}, {0x1a, FR_drop},
        {0x1b, FR_select},        {0x20, FR_local_get},
        {0x21, FR_local_set_tee}, {0x22, FR_local_set_tee},
        {0x23, FR_global_get},    {0x24, FR_global_set},
        {0x41, FR_i32_const},     {0x42, FR_i64_const},
        {0x43, FR_f32_const},     {0x44, FR_f64_const},
        {0xfc, FR_prefix_fc},
    };
    for (unsigned op = 0; op < 256; op++)
        fr_class[op] = op - 0x45u < 0x80u         ? FR_numeric
                       : op >= 0x28 && op <= 0x35 ? FR_load
                       : op >= 0x36 && op <= 0x3e ? FR_store
                                                  : FR_other;
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
        fr_class[one[i].op] = one[i].k;
}

/* Lane L's handler of a class: a line of code of its own (the asm comment, so that GCC merges no
 * two handlers that step alike, which would take targets out of the jump), the step, then the
 * walk's NEXT_L(). */
#define FR_HANDLER(L, name, step)                                                                  \
    L##_##name : __asm__ volatile("# " #L " " #name);                                              \
    p_##L = step(p_##L);                                                                           \
    NEXT_##L();
#define FR_HANDLER_a(name, step) FR_HANDLER(a, name, step)
#define FR_HANDLER_b(name, step) FR_HANDLER(b, name, step)
#define FR_TARGET_a(name, step)  &&a_##name,
#define FR_TARGET_b(name, step)  &&b_##name,

/* fast_run's three compares for lane L's opcode op_: local.get, i32.const, the numeric ops. */
#define FR_THREE(L)                                                                                \
    if (op_ == 0x20)                                                                               \
        goto L##_local_get;                                                                        \
    if (op_ == 0x41)                                                                               \
        goto L##_i32_const;                                                                        \
    if (op_ - 0x45u < 0x80u)                                                                       \
        goto L##_numeric;

/* fast_run's decisions for lane L's instruction at p_L: the three compares, then the jump. */
#define FR_DISPATCH(L)                                                                             \
    do {                                                                                           \
        unsigned op_ = *p_##L;                                                                     \
        FR_THREE(L)                                                                                \
        goto *jt_##L[op_];                                                                         \
    } while (0)

/* One body after another, each instruction through the dispatch macro FIRST (NEXT_a() or, for
 * `fr_b` and `fr_pre`, NEXT_LOAD(), defined before each use: a macro, see WALK_ARITH) into the
 * handlers HANDLER gives each class. o1, o2, t1 and t2 are what `fr_pre` loads ahead. */
#define WALK_FR_WITH(name, HANDLER, FIRST)                                                         \
    static uint64_t name(void)                                                                     \
    {                                                                                              \
        static const void *const by_class_a[FR_COUNT] = {FR_CLASSES(FR_TARGET_a)};                 \
        static const void *jt_a[256];                                                              \
        for (unsigned op = 0; op < 256; op++)                                                      \
            jt_a[op] = by_class_a[fr_class[op]];                                                   \
        uint64_t n = 0;                                                                            \
        for (uint32_t b = 0; b < body_count; b++) {                                                \
            const uint8_t *p_a = bodies[b].p, *const end = bodies[b].end;                          \
            unsigned o1, o2;                                                                       \
            const void *t1, *t2;                                                                   \
            (void)o1, (void)o2, (void)t1, (void)t2;                                                \
            n--;                                                                                   \
            FIRST();                                                                               \
            FR_CLASSES(HANDLER)                                                                    \
        done:;                                                                                     \
        }                                                                                          \
        return n;                                                                                  \
    }
#define WALK_FR(name) WALK_FR_WITH(name, FR_HANDLER_a, NEXT_a)
/* Count the instruction, leave at the body's end, dispatch as fast_run did in session 11. */
#define FR_NEXT_PLAIN()                                                                            \
    do {                                                                                           \
        n++;                                                                                       \
        if (p_a >= end)                                                                            \
            goto done;                                                                             \
        FR_DISPATCH(a);                                                                            \
    } while (0)
#define NEXT_a() FR_NEXT_PLAIN()
/* `fr`: fast_run's dispatch of session 11 (since session 12, fast_run loads ahead as `fr_pre`). */
WALK_FR(walk_fr)
#undef NEXT_a

/* `fr_merged`: local.get, local.set, local.tee and i32.const (half of sql.js's instructions) told
 * from the rest by one test and taken by one handler, as a branch-free handler for the four would
 * take them; then the numeric ops by a compare and the rest by the jump. */
#define FR_FOUR ((uint64_t)1 << 0 | (uint64_t)1 << 1 | (uint64_t)1 << 2 | (uint64_t)1 << 0x21)
#define NEXT_a()                                                                                   \
    do {                                                                                           \
        n++;                                                                                       \
        if (p_a >= end)                                                                            \
            goto done;                                                                             \
        unsigned op_ = *p_a, x_ = op_ - 0x20u;                                                     \
        uint64_t four_ = (FR_FOUR >> (x_ & 63)) & (x_ < 64);                                       \
        __asm__("" : "+r"(four_)); /* one branch, not one per opcode */                            \
        if (four_)                                                                                 \
            goto a_local_get;                                                                      \
        if (op_ - 0x45u < 0x80u)                                                                   \
            goto a_numeric;                                                                        \
        goto *jt_a[op_];                                                                           \
    } while (0)
WALK_FR(walk_fr_merged)
#undef NEXT_a

/* `fr_chain`: five more compares before the jump (end, loads, local.set/tee, call, br_if: the
 * next commonest in sql.js). */
#define NEXT_a()                                                                                   \
    do {                                                                                           \
        n++;                                                                                       \
        if (p_a >= end)                                                                            \
            goto done;                                                                             \
        unsigned op_ = *p_a;                                                                       \
        FR_THREE(a)                                                                                \
        if (op_ == 0x0b)                                                                           \
            goto a_end;                                                                            \
        if (op_ - 0x28u < 14u)                                                                     \
            goto a_load;                                                                           \
        if (op_ - 0x21u < 2u)                                                                      \
            goto a_local_set_tee;                                                                  \
        if (op_ == 0x10)                                                                           \
            goto a_call;                                                                           \
        if (op_ == 0x0d)                                                                           \
            goto a_br_if;                                                                          \
        goto *jt_a[op_];                                                                           \
    } while (0)
WALK_FR(walk_fr_chain)
#undef NEXT_a

/* `fr_b` and `fr_pre` (session 12): each LEB128 handler with a one-byte path of its own, as
 * fast_run's local.get and i32.const have, so that the next instruction is at p + 1 or p + 2 by
 * the code path taken. `fr_pre` loads the opcodes at p + 1 and p + 2 and their jt[] targets
 * before each jump, so that a handler whose length its path knows dispatches on values already
 * loaded: after a mispredicted jump, the next one resolves without waiting for two loads. */
#define FRP_STEP_FR_BYTE(q)                                                                        \
    p_a = (q) + 1;                                                                                 \
    NEXT_K(1);
#define FRP_STEP_FR_LEB(q)                                                                         \
    if (p_a[1] < 0x80) {                                                                           \
        p_a += 2;                                                                                  \
        NEXT_K(2);                                                                                 \
    }                                                                                              \
    p_a = FR_LEB(p_a);                                                                             \
    NEXT_LOAD();
#define FRP_STEP_ANY(step)                                                                         \
    p_a = step(p_a);                                                                               \
    NEXT_LOAD();
#define FRP_STEP_FR_LEB2(q) FRP_STEP_ANY(FR_LEB2)
#define FRP_STEP_FR_MEM(q)  FRP_STEP_ANY(FR_MEM)
#define FRP_STEP_FR_F32(q)  FRP_STEP_ANY(FR_F32)
#define FRP_STEP_FR_F64(q)  FRP_STEP_ANY(FR_F64)
#define FRP_STEP_FR_SLOW(q) FRP_STEP_ANY(FR_SLOW)
#define FRP_HANDLER(name, step)                                                                    \
    a_##name : __asm__ volatile("# a " #name);                                                     \
    FRP_STEP_##step(p_a)
#define WALK_FRP(name) WALK_FR_WITH(name, FRP_HANDLER, NEXT_LOAD)
#define FRP_DISPATCH(opx, tx)                                                                      \
    do {                                                                                           \
        n++;                                                                                       \
        if (p_a >= end)                                                                            \
            goto done;                                                                             \
        unsigned op_ = (opx);                                                                      \
        const void *t_ = (tx);                                                                     \
        o1 = p_a[1];                                                                               \
        o2 = p_a[2];                                                                               \
        t1 = jt_a[o1];                                                                             \
        t2 = jt_a[o2];                                                                             \
        FR_THREE(a)                                                                                \
        goto *t_;                                                                                  \
    } while (0)
#define NEXT_LOAD() FR_NEXT_PLAIN()
#define NEXT_K(k)   NEXT_LOAD()
WALK_FRP(walk_fr_b)
#undef NEXT_LOAD
#undef NEXT_K
#define NEXT_LOAD() FRP_DISPATCH(*p_a, jt_a[*p_a])
#define NEXT_K(k)   FRP_DISPATCH(o##k, t##k)
WALK_FRP(walk_fr_pre)
#undef NEXT_LOAD
#undef NEXT_K

/* `fr_inter2`: two bodies interleaved through fast_run's dispatch. Each lane's handler ends in
 * the dispatch of the other lane's instruction, whose opcode is then at hand (as `inter2` does
 * with the jump's target). */
static uint64_t walk_fr_inter2(void)
{
    static const void *const by_class_a[FR_COUNT] = {FR_CLASSES(FR_TARGET_a)};
    static const void *const by_class_b[FR_COUNT] = {FR_CLASSES(FR_TARGET_b)};
    static const void *jt_a[256], *jt_b[256];
    for (unsigned op = 0; op < 256; op++) {
        jt_a[op] = by_class_a[fr_class[op]];
        jt_b[op] = by_class_b[fr_class[op]];
    }
    uint64_t n = 0;
    if (body_count < 2)
        return 0;
    uint32_t next = 2;
    const uint8_t *p_a = bodies[0].p, *end_a = bodies[0].end;
    const uint8_t *p_b = bodies[1].p, *end_b = bodies[1].end;
    /* After lane L's instruction: L takes the next body when its own has ended, then the other
     * lane O goes on. A lane without bodies left leaves the other to finish alone. */
#define FR_AFTER(L, O)                                                                             \
    do {                                                                                           \
        n++;                                                                                       \
        if (__builtin_expect(p_##L >= end_##L, 0)) {                                               \
            while (p_##L >= end_##L && next < body_count) {                                        \
                p_##L = bodies[next].p;                                                            \
                end_##L = bodies[next++].end;                                                      \
            }                                                                                      \
            if (p_##L >= end_##L)                                                                  \
                goto L##_dry;                                                                      \
        }                                                                                          \
        FR_DISPATCH(O);                                                                            \
    } while (0)
#define NEXT_a() FR_AFTER(a, b)
#define NEXT_b() FR_AFTER(b, a)
    FR_DISPATCH(a);
    FR_CLASSES(FR_HANDLER_a)
    FR_CLASSES(FR_HANDLER_b)
a_dry:
    for (; p_b < end_b; n++)
        p_b = next_any(p_b);
    return n;
b_dry:
    for (; p_a < end_a; n++)
        p_a = next_any(p_a);
    return n;
#undef NEXT_a
#undef NEXT_b
#undef FR_AFTER
}

/* Out of the step for what `leaves` marks, through a switch as an engine would take it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static const uint8_t *
leave(const uint8_t *p)
{
    switch (*p) {
    case 0x02: /* block, loop, if */
    case 0x03:
    case 0x04:
        return skip_leb(p + 1);
    case 0x00: /* unreachable, nop, else, end, return */
    case 0x01:
    case 0x05:
    case 0x0b:
    case 0x0f:
        return p + 1;
    case 0x0c: /* br, br_if, call, global.get/set */
    case 0x0d:
    case 0x10:
    case 0x23:
    case 0x24:
        return skip_leb(p + 1);
    case 0x11: /* call_indirect */
        return skip_leb(skip_leb(p + 1));
    default:
        return next_slow(p);
    }
}

static inline const uint8_t *next_leaving(const uint8_t *p)
{
    return __builtin_expect(leaves[*p], 0) ? leave(p) : step(p);
}

/* N bodies in lockstep, each lane taking the next body when it finishes one; NEXT is how a lane
 * takes an instruction. */
#define WALK_LANES(name, N, NEXT)                                                                  \
    static uint64_t name(void)                                                                     \
    {                                                                                              \
        const uint8_t *p[N], *end[N];                                                              \
        uint32_t next = 0;                                                                         \
        uint64_t n = 0;                                                                            \
        if (body_count < N)                                                                        \
            return 0;                                                                              \
        for (unsigned l = 0; l < N; l++, next++) {                                                 \
            p[l] = next < body_count ? bodies[next].p : NULL;                                      \
            end[l] = next < body_count ? bodies[next].end : NULL;                                  \
        }                                                                                          \
        for (;;) {                                                                                 \
            bool refill = false;                                                                   \
            _Pragma("GCC unroll 4") for (unsigned l = 0; l < N; l++)                               \
            {                                                                                      \
                p[l] = NEXT(p[l]);                                                                 \
                refill |= p[l] >= end[l];                                                          \
            }                                                                                      \
            n += N;                                                                                \
            if (__builtin_expect(!refill, 1))                                                      \
                continue;                                                                          \
            bool out = false;                                                                      \
            for (unsigned l = 0; l < N; l++) {                                                     \
                while (p[l] >= end[l] && next < body_count) {                                      \
                    p[l] = bodies[next].p;                                                         \
                    end[l] = bodies[next++].end;                                                   \
                }                                                                                  \
                out |= p[l] >= end[l];                                                             \
            }                                                                                      \
            if (out)                                                                               \
                break;                                                                             \
        }                                                                                          \
        for (unsigned l = 0; l < N; l++)                                                           \
            for (; p[l] < end[l]; n++)                                                             \
                p[l] = NEXT(p[l]);                                                                 \
        while (next < body_count) { /* none: a lane runs dry only once the queue is */             \
            const uint8_t *q = bodies[next].p, *e = bodies[next++].end;                            \
            for (; q < e; n++)                                                                     \
                q = NEXT(q);                                                                       \
        }                                                                                          \
        return n;                                                                                  \
    }
WALK_LANES(walk_lanes1, 1, next_any)
WALK_LANES(walk_lanes2, 2, next_any)
WALK_LANES(walk_lanes3, 3, next_any)
WALK_LANES(walk_lanes4, 4, next_any)
WALK_LANES(walk_leave2, 2, next_leaving)
WALK_LANES(walk_leave4, 4, next_leaving)

/* --- Driver --- */

/* The bodies' instructions (after their locals) in a copy of the module with 16 zero bytes
 * after it, so that step()'s 8-byte reads stay in bounds. */
static uint64_t leaving; /* instructions that `leaves` marks */

static bool bodies_init(const uint8_t *bytes, const struct wdec_module *m)
{
    body_count = m->func_count - m->func_import_count;
    bodies = malloc(sizeof *bodies * (body_count ? body_count : 1));
    if (!bodies)
        return false;
    for (uint32_t i = 0; i < body_count; i++) {
        const struct wdec_func *f = &m->funcs[m->func_import_count + i];
        const uint8_t *q = bytes + f->body_offset;
        uint32_t groups = read_leb(&q);
        for (uint32_t g = 0; g < groups; g++)
            q = skip_leb(q) + 1;
        bodies[i] = (struct body){q, bytes + f->body_offset + f->body_size};
        for (const uint8_t *r = q; r < bodies[i].end;) {
            leaving += leaves[*r];
            if (!(r = next_slow(r)))
                return false; /* SIMD */
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: walk_bench RUNS FILE.wasm [WALK...]\n", stderr);
        return 2;
    }
    int runs = atoi(argv[1]);
    if (runs < 1 || runs > 1000)
        runs = 5;
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        fprintf(stderr, "error: %s: cannot open\n", argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *bytes = calloc((size_t)size + 16, 1);
    if (!bytes || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "error: %s: cannot read\n", argv[2]);
        return 1;
    }
    fclose(f);
    struct wdec_module *m = NULL;
    struct wdec_error err;
    struct wdec_options opt = {.features = WDEC_FEATURES_WASM2};
    if (wdec_module_decode(bytes, (size_t)size, &opt, NULL, NULL, &m, &err) != WDEC_OK) {
        fprintf(stderr, "error: %s:%zu: %s\n", argv[2], err.offset, err.message);
        return 1;
    }
    shapes_init();
    step_init();
    arith_init();
    stay_init();
    fr_init();
    if (!bodies_init(bytes, m)) {
        fprintf(stderr, "error: %s: SIMD instructions are not walked here\n", argv[2]);
        return 1;
    }
    printf("%llu instructions leave a uniform step (control, calls, globals, select, others)\n",
           (unsigned long long)leaving);
    static const struct {
        const char *name;
        uint64_t (*walk)(void);
    } walks[] = {{"dispatch", walk_dispatch},
                 {"pairs", walk_pairs},
                 {"ahead", walk_ahead},
                 {"lanes1", walk_lanes1},
                 {"lanes2", walk_lanes2},
                 {"lanes3", walk_lanes3},
                 {"lanes4", walk_lanes4},
                 {"leave2", walk_leave2},
                 {"leave4", walk_leave4},
                 {"arith", walk_arith},
                 {"arithall", walk_arith_all},
                 {"arith2", walk_arith2},
                 {"arith2all", walk_arith2_all},
                 {"inter2", walk_inter2},
                 {"cond", walk_cond},
                 {"fr", walk_fr},
                 {"fr_merged", walk_fr_merged},
                 {"fr_chain", walk_fr_chain},
                 {"fr_inter2", walk_fr_inter2},
                 {"fr_b", walk_fr_b},
                 {"fr_pre", walk_fr_pre}};
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t)
        return 1;
    for (size_t w = 0; w < sizeof walks / sizeof walks[0]; w++) {
        bool chosen = argc == 3;
        for (int a = 3; a < argc; a++)
            chosen |= strcmp(argv[a], walks[w].name) == 0;
        if (!chosen)
            continue;
        uint64_t n = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = cpu_seconds();
            n = walks[w].walk();
            t[r] = cpu_seconds() - t0;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        if (n)
            printf("%-8s %llu instructions %.2f ns each (median of %d)\n", walks[w].name,
                   (unsigned long long)n, t[runs / 2] * 1e9 / (double)n, runs);
    }
    free(t);
    free(bodies);
    wdec_module_free(m);
    free(bytes);
    return 0;
}
#endif
