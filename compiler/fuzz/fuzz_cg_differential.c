/* SPDX-License-Identifier: Apache-2.0 */
/* Differential fuzzer: the fuzz input drives a small generator that writes a VALID module
 * (typed value stack: integer and float arithmetic, comparisons, select, locals, globals,
 * multi-value blocks/loops/ifs, br/br_if/br_table, calls and call_indirect, loads and stores in
 * and out of bounds, conversions including trapping ones, memory.size/grow/fill/copy), compiled
 * once normally and once with `spill_all`. Every export is called with arguments from the input and
 * both runs must agree on the trap or on every result, the globals and the memory. Fuel and a
 * depth counter (globals checked in each prologue and loop header) bound run time and recursion,
 * so stack exhaustion (deeper in spill_all frames) never decides a run.
 * KILN_FUZZ_DUMP=FILE writes each generated module there (to replay a finding with kiln). */
#include "cg/vmctx.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- Input and output bytes --- */

struct rd {
    const uint8_t *p;
    size_t n, i;
};

static uint8_t u8(struct rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

/* 0 once the input is used up, so generation always ends with the first (simplest) choice. */
static unsigned pick(struct rd *r, unsigned n)
{
    return n ? u8(r) % n : 0;
}

static uint64_t u64(struct rd *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)u8(r) << (8 * i);
    return v;
}

struct bytes {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct bytes *b, uint8_t v)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        uint8_t *q = realloc(b->p, cap);
        if (!q)
            abort(); /* a fuzzer's own allocation failure is not a finding */
        b->p = q;
        b->cap = cap;
    }
    b->p[b->n++] = v;
}

static void put_bytes(struct bytes *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, p[i]);
}

static void uleb(struct bytes *b, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        put(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

static void sleb(struct bytes *b, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic shift on every compiler we build with */
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        put(b, (uint8_t)(byte | (done ? 0 : 0x80)));
        if (done)
            return;
    }
}

/* --- Module shape --- */

enum { I32, I64, F32, F64, NT };
static const uint8_t VT[NT] = {0x7f, 0x7e, 0x7d, 0x7c};

#define MAX_FUNCS      5
#define MAX_TYPES      48
#define MAX_LOCALS     24
#define MAX_FRAMES     24
#define MAX_EXPR       5    /* expression nesting */
#define BODY_BUDGET    600  /* bytes of code per function before only leaves are chosen */
#define TABLE_NULLS    2    /* null entries after the functions: "uninitialized element" */
#define DEPTH_MAX      24   /* call depth allowed by the prologue check */
#define FUEL           3000 /* function entries + loop iterations per export call */
#define G_DEPTH        0
#define G_FUEL         1
#define G_USER         2 /* i32, i64, f32, f64 user globals follow */
#define NGLOBALS       (G_USER + NT)
#define ANY_TYPE_TRIES 4

struct ftype {
    uint8_t np, nr;
    uint8_t p[4], r[4];
};

struct frame {
    uint8_t n;    /* branch arity: results (block, if) or params (loop) */
    uint8_t t[4]; /* branch types */
};

struct gen {
    struct rd *in;
    struct ftype types[MAX_TYPES];
    unsigned ntypes;
    unsigned nfuncs;
    unsigned ftype[MAX_FUNCS]; /* type index of each function */
    /* the function being written */
    struct bytes *code;
    uint8_t ltype[MAX_LOCALS];
    unsigned nlocals, nparams;
    unsigned scratch[NT]; /* one local per type, for keep-one-value and NaN canonicalisation */
    struct frame frames[MAX_FRAMES];
    unsigned nframes; /* frames[0] is the function body: never a branch target here */
    size_t body_start;
};

static unsigned add_type(struct gen *g, const uint8_t *p, unsigned np, const uint8_t *r,
                         unsigned nr)
{
    for (unsigned i = 0; i < g->ntypes; i++) {
        struct ftype *t = &g->types[i];
        if (t->np == np && t->nr == nr && !memcmp(t->p, p, np) && !memcmp(t->r, r, nr))
            return i;
    }
    if (g->ntypes == MAX_TYPES)
        return UINT32_MAX;
    struct ftype *t = &g->types[g->ntypes];
    t->np = (uint8_t)np;
    t->nr = (uint8_t)nr;
    memcpy(t->p, p, np);
    memcpy(t->r, r, nr);
    return g->ntypes++;
}

static void op(struct gen *g, uint8_t b)
{
    put(g->code, b);
}

static bool over_budget(const struct gen *g)
{
    return g->code->n - g->body_start > BODY_BUDGET;
}

/* --- Constants --- */

static const uint32_t F32_SPECIAL[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                       0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x7fc00001,
                                       0x4f000000, 0xcf000000, 0x5f000000, 0x4f800000, 0x00000001,
                                       0x7f7fffff, 0x3f000000, 0xbf000001, 0x4effffff, 0xcf000001};
static const uint64_t F64_SPECIAL[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000,
    0x7ff4000000000000, 0x7ff8000000000001, 0x41e0000000000000, 0xc1e0000000000000,
    0x43e0000000000000, 0x41f0000000000000, 0x0000000000000001, 0x7fefffffffffffff,
    0x3fe0000000000000, 0xc1e0000000200000, 0x41dfffffffc00000, 0x43f0000000000000};
static const uint64_t INT_SPECIAL[] = {
    0,      1,          (uint64_t)-1, 0x80000000,    0x7fffffff,     31,    32, 63, 64, 0xff,
    0x8000, 0xffffffff, 1ull << 63,   ~(1ull << 63), 0x100000000ull, 0xfff0};

static void gen_const(struct gen *g, unsigned t)
{
    struct rd *in = g->in;
    bool special = pick(in, 4) != 0;
    switch (t) {
    case I32:
    case I64: {
        uint64_t v =
            special ? INT_SPECIAL[pick(in, sizeof INT_SPECIAL / sizeof INT_SPECIAL[0])] : u64(in);
        if (t == I32) {
            op(g, 0x41);
            sleb(g->code, (int32_t)(uint32_t)v);
        } else {
            op(g, 0x42);
            sleb(g->code, (int64_t)v);
        }
        return;
    }
    case F32: {
        uint32_t v = special ? F32_SPECIAL[pick(in, sizeof F32_SPECIAL / sizeof F32_SPECIAL[0])]
                             : (uint32_t)u64(in);
        op(g, 0x43);
        for (int i = 0; i < 4; i++)
            op(g, (uint8_t)(v >> (8 * i)));
        return;
    }
    default: {
        uint64_t v =
            special ? F64_SPECIAL[pick(in, sizeof F64_SPECIAL / sizeof F64_SPECIAL[0])] : u64(in);
        op(g, 0x44);
        for (int i = 0; i < 8; i++)
            op(g, (uint8_t)(v >> (8 * i)));
        return;
    }
    }
}

/* --- Expressions: each pushes exactly one value of type t --- */

static bool gen_expr(struct gen *g, unsigned t, unsigned depth);
static void gen_stmts(struct gen *g, unsigned depth, unsigned max);

/* A local of type t other than the scratch ones, or UINT32_MAX. */
static unsigned pick_local(struct gen *g, unsigned t)
{
    unsigned cand[MAX_LOCALS], n = 0;
    for (unsigned i = 0; i < g->nlocals; i++)
        if (g->ltype[i] == t && i != g->scratch[t])
            cand[n++] = i;
    return n ? cand[pick(g->in, n)] : UINT32_MAX;
}

/* x == x ? x : canonical NaN. Applied where NaN bits become observable exactly (reinterpret,
 * store, copysign's sign) to values whose NaN payload Wasm leaves open, so only the freedom the
 * spec allows is ever compared as a class. */
static void canonicalize(struct gen *g, unsigned t)
{
    unsigned s = g->scratch[t];
    op(g, 0x22);
    uleb(g->code, s);
    if (t == F32) {
        static const uint8_t nan[] = {0x43, 0x00, 0x00, 0xc0, 0x7f};
        put_bytes(g->code, nan, sizeof nan);
    } else {
        static const uint8_t nan[] = {0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f};
        put_bytes(g->code, nan, sizeof nan);
    }
    op(g, 0x20);
    uleb(g->code, s);
    op(g, 0x20);
    uleb(g->code, s);
    op(g, t == F32 ? 0x5b : 0x61); /* f.eq */
    op(g, 0x1b);                   /* select */
}

static void gen_exact(struct gen *g, unsigned t, unsigned depth)
{
    bool exact = gen_expr(g, t, depth);
    if ((t == F32 || t == F64) && !exact)
        canonicalize(g, t);
}

/* The stack holds `n` values of types `ts` (top last): keep one of type t, drop the rest; if none
 * has type t, drop all and make a fresh one. */
static bool keep_one(struct gen *g, const uint8_t *ts, unsigned n, unsigned t, unsigned depth)
{
    bool kept = false;
    for (unsigned i = n; i-- > 0;) {
        if (!kept && ts[i] == t) {
            op(g, 0x21);
            uleb(g->code, g->scratch[t]);
            kept = true;
        } else {
            op(g, 0x1a);
        }
    }
    if (!kept)
        return gen_expr(g, t, depth);
    op(g, 0x20);
    uleb(g->code, g->scratch[t]);
    return false;
}

static void gen_types(struct gen *g, uint8_t *out, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        out[i] = (uint8_t)pick(g->in, NT);
}

static void block_type(struct gen *g, const uint8_t *p, unsigned np, const uint8_t *r, unsigned nr)
{
    if (np == 0 && nr == 0) {
        op(g, 0x40);
    } else if (np == 0 && nr == 1) {
        op(g, VT[r[0]]);
    } else {
        unsigned idx = add_type(g, p, np, r, nr);
        if (idx == UINT32_MAX) /* no room: the caller keeps the shape simple next time */
            abort();
        sleb(g->code, (int64_t)idx);
    }
}

static void push_frame(struct gen *g, const uint8_t *t, unsigned n)
{
    struct frame *f = &g->frames[g->nframes++];
    f->n = (uint8_t)n;
    if (n)
        memcpy(f->t, t, n);
}

/* Fuel: every loop iteration and function entry costs one; at zero, `unreachable`. */
static void fuel_check(struct gen *g)
{
    static const uint8_t code[] = {
        0x23, G_FUEL, 0x45, 0x04, 0x40, 0x00, 0x0b,    /* fuel == 0 ? trap */
        0x23, G_FUEL, 0x41, 0x01, 0x6b, 0x24, G_FUEL}; /* fuel -= 1 */
    put_bytes(g->code, code, sizeof code);
}

/* A structured expression of type t: block/loop/if with params and several results. */
static bool gen_structured(struct gen *g, unsigned t, unsigned depth)
{
    struct rd *in = g->in;
    if (g->nframes + 1 >= MAX_FRAMES || g->ntypes + 2 >= MAX_TYPES)
        return gen_expr(g, t, MAX_EXPR);
    uint8_t p[2], r[3];
    unsigned np = pick(in, 3), nr = 1 + pick(in, 3);
    gen_types(g, p, np);
    gen_types(g, r, nr);
    if (pick(in, 2))
        r[nr - 1] = (uint8_t)t;
    unsigned kind = pick(in, 3); /* 0 block, 1 loop, 2 if */
    for (unsigned i = 0; i < np; i++)
        gen_expr(g, p[i], depth + 1);
    if (kind == 2)
        gen_expr(g, I32, depth + 1);
    op(g, kind == 0 ? 0x02 : kind == 1 ? 0x03 : 0x04);
    block_type(g, p, np, r, nr);
    for (int arm = 0; arm < (kind == 2 ? 2 : 1); arm++) {
        if (arm == 1)
            op(g, 0x05);
        if (kind == 1)
            push_frame(g, p, np);
        else
            push_frame(g, r, nr);
        if (kind == 1)
            fuel_check(g);
        /* consume the params: store the top one into a local of its type, drop the others */
        for (unsigned i = np; i-- > 0;) {
            unsigned l = pick_local(g, p[i]);
            if (i == np - 1 && l != UINT32_MAX && pick(in, 2)) {
                op(g, 0x21);
                uleb(g->code, l);
            } else {
                op(g, 0x1a);
            }
        }
        gen_stmts(g, depth + 1, 3);
        for (unsigned i = 0; i < nr; i++)
            gen_expr(g, r[i], depth + 1);
        g->nframes--;
    }
    op(g, 0x0b);
    return keep_one(g, r, nr, t, depth);
}

/* Memory address: mostly in bounds (masked below the first page), sometimes anything. */
static void gen_addr(struct gen *g, unsigned depth)
{
    switch (pick(g->in, 4)) {
    case 0:
    case 1:
        gen_expr(g, I32, depth + 1);
        op(g, 0x41);
        sleb(g->code, 0xfff0);
        op(g, 0x71); /* and */
        return;
    case 2:
        gen_const(g, I32);
        return;
    default:
        gen_expr(g, I32, depth + 1);
        return;
    }
}

static void memarg(struct gen *g, unsigned max_align)
{
    uleb(g->code, pick(g->in, max_align + 1));
    static const uint32_t offsets[] = {0, 0, 1, 8, 100, 0xfff0, 0x10000, 0x7fffffff, 0xfffffff0};
    uleb(g->code, offsets[pick(g->in, sizeof offsets / sizeof offsets[0])]);
}

struct load_op {
    uint8_t code, type, align;
};
static const struct load_op LOADS[] = {
    {0x28, I32, 2}, {0x29, I64, 3}, {0x2a, F32, 2}, {0x2b, F64, 3}, {0x2c, I32, 0},
    {0x2d, I32, 0}, {0x2e, I32, 1}, {0x2f, I32, 1}, {0x30, I64, 0}, {0x31, I64, 0},
    {0x32, I64, 1}, {0x33, I64, 1}, {0x34, I64, 2}, {0x35, I64, 2}};
static const struct load_op STORES[] = {{0x36, I32, 2}, {0x37, I64, 3}, {0x38, F32, 2},
                                        {0x39, F64, 3}, {0x3a, I32, 0}, {0x3b, I32, 1},
                                        {0x3c, I64, 0}, {0x3d, I64, 1}, {0x3e, I64, 2}};

/* Unary and binary ops by result type: {opcode (0xfc-prefixed when >= 0x100), operand type}. */
struct un_op {
    uint16_t code;
    uint8_t from;
};
static const struct un_op UNARY[NT][20] = {
    [I32] = {{0x67, I32},
             {0x68, I32},
             {0x69, I32},
             {0x45, I32},
             {0xc0, I32},
             {0xc1, I32},
             {0x50, I64},
             {0xa7, I64},
             {0xa8, F32},
             {0xa9, F32},
             {0xaa, F64},
             {0xab, F64},
             {0xbc, F32},
             {0x100, F32},
             {0x101, F32},
             {0x102, F64},
             {0x103, F64}},
    [I64] = {{0x79, I64},
             {0x7a, I64},
             {0x7b, I64},
             {0xc2, I64},
             {0xc3, I64},
             {0xc4, I64},
             {0xac, I32},
             {0xad, I32},
             {0xae, F32},
             {0xaf, F32},
             {0xb0, F64},
             {0xb1, F64},
             {0xbd, F64},
             {0x104, F32},
             {0x105, F32},
             {0x106, F64},
             {0x107, F64}},
    [F32] = {{0x8b, F32},
             {0x8c, F32},
             {0x8d, F32},
             {0x8e, F32},
             {0x8f, F32},
             {0x90, F32},
             {0x91, F32},
             {0xb2, I32},
             {0xb3, I32},
             {0xb4, I64},
             {0xb5, I64},
             {0xb6, F64},
             {0xbe, I32}},
    [F64] = {{0x99, F64},
             {0x9a, F64},
             {0x9b, F64},
             {0x9c, F64},
             {0x9d, F64},
             {0x9e, F64},
             {0x9f, F64},
             {0xb7, I32},
             {0xb8, I32},
             {0xb9, I64},
             {0xba, I64},
             {0xbb, F32},
             {0xbf, I64}},
};
static const unsigned NUNARY[NT] = {17, 17, 13, 13};
/* Binary: same-type arithmetic, then comparisons (result i32) listed under I32 with their
 * operand type. */
static const struct un_op BINARY[NT][48] = {
    [I32] = {{0x6a, I32}, {0x6b, I32}, {0x6c, I32}, {0x6d, I32}, {0x6e, I32}, {0x6f, I32},
             {0x70, I32}, {0x71, I32}, {0x72, I32}, {0x73, I32}, {0x74, I32}, {0x75, I32},
             {0x76, I32}, {0x77, I32}, {0x78, I32}, {0x46, I32}, {0x47, I32}, {0x48, I32},
             {0x49, I32}, {0x4a, I32}, {0x4b, I32}, {0x4c, I32}, {0x4d, I32}, {0x4e, I32},
             {0x4f, I32}, {0x51, I64}, {0x52, I64}, {0x53, I64}, {0x54, I64}, {0x55, I64},
             {0x56, I64}, {0x57, I64}, {0x58, I64}, {0x59, I64}, {0x5a, I64}, {0x5b, F32},
             {0x5c, F32}, {0x5d, F32}, {0x5e, F32}, {0x5f, F32}, {0x60, F32}, {0x61, F64},
             {0x62, F64}, {0x63, F64}, {0x64, F64}, {0x65, F64}, {0x66, F64}},
    [I64] = {{0x7c, I64},
             {0x7d, I64},
             {0x7e, I64},
             {0x7f, I64},
             {0x80, I64},
             {0x81, I64},
             {0x82, I64},
             {0x83, I64},
             {0x84, I64},
             {0x85, I64},
             {0x86, I64},
             {0x87, I64},
             {0x88, I64},
             {0x89, I64},
             {0x8a, I64}},
    [F32] =
        {{0x92, F32}, {0x93, F32}, {0x94, F32}, {0x95, F32}, {0x96, F32}, {0x97, F32}, {0x98, F32}},
    [F64] =
        {{0xa0, F64}, {0xa1, F64}, {0xa2, F64}, {0xa3, F64}, {0xa4, F64}, {0xa5, F64}, {0xa6, F64}},
};
static const unsigned NBINARY[NT] = {47, 15, 7, 7};

static void emit_op(struct gen *g, uint16_t code)
{
    if (code >= 0x100) {
        op(g, 0xfc);
        uleb(g->code, code - 0x100u);
    } else {
        op(g, (uint8_t)code);
    }
}

static void gen_call(struct gen *g, unsigned depth, const struct ftype **out_type)
{
    struct rd *in = g->in;
    if (pick(in, 3) == 0) { /* call_indirect through table 0 (functions, then nulls) */
        unsigned ti = g->ftype[pick(in, g->nfuncs)];
        if (pick(in, 4) == 0)
            ti = pick(in, g->ntypes); /* often a signature mismatch */
        const struct ftype *ft = &g->types[ti];
        for (unsigned i = 0; i < ft->np; i++)
            gen_expr(g, ft->p[i], depth + 1);
        if (pick(in, 2)) {
            op(g, 0x41);
            sleb(g->code, pick(in, g->nfuncs + TABLE_NULLS + 1));
        } else {
            gen_expr(g, I32, depth + 1);
        }
        op(g, 0x11);
        uleb(g->code, ti);
        op(g, 0x00);
        *out_type = ft;
        return;
    }
    unsigned f = pick(in, g->nfuncs);
    const struct ftype *ft = &g->types[g->ftype[f]];
    for (unsigned i = 0; i < ft->np; i++)
        gen_expr(g, ft->p[i], depth + 1);
    op(g, 0x10);
    uleb(g->code, f);
    *out_type = ft;
}

/* Returns whether the value's NaN bits are fixed by the spec (only then may they be compared). */
static bool gen_expr(struct gen *g, unsigned t, unsigned depth)
{
    struct rd *in = g->in;
    if (depth >= MAX_EXPR || over_budget(g)) {
        unsigned l = pick_local(g, t);
        if (l != UINT32_MAX && pick(in, 2)) {
            op(g, 0x20);
            uleb(g->code, l);
            return t == I32 || t == I64;
        }
        gen_const(g, t);
        return true;
    }
    switch (pick(in, 16)) {
    case 0:
        gen_const(g, t);
        return true;
    case 1: {
        unsigned l = pick_local(g, t);
        if (l == UINT32_MAX) {
            gen_const(g, t);
            return true;
        }
        if (pick(in, 3) == 0) { /* local.tee */
            gen_exact(g, t, depth + 1);
            op(g, 0x22);
        } else {
            op(g, 0x20);
        }
        uleb(g->code, l);
        return t == I32 || t == I64;
    }
    case 2:
        op(g, 0x23);
        uleb(g->code, G_USER + t);
        return t == I32 || t == I64;
    case 3:
    case 4: {
        const struct un_op *u = &UNARY[t][pick(in, NUNARY[t])];
        bool exact = gen_expr(g, u->from, depth + 1);
        bool reinterpret = u->code == 0xbc || u->code == 0xbd;
        if (reinterpret && !exact)
            canonicalize(g, u->from);
        emit_op(g, u->code);
        if (t == I32 || t == I64)
            return true;
        /* abs/neg and int->float reinterpret keep the bits; everything else may make a NaN */
        bool bitop = u->code == 0x8b || u->code == 0x8c || u->code == 0x99 || u->code == 0x9a;
        return (bitop && exact) || u->code == 0xbe || u->code == 0xbf;
    }
    case 5:
    case 6:
    case 7: {
        const struct un_op *b = &BINARY[t][pick(in, NBINARY[t])];
        bool ea = gen_expr(g, b->from, depth + 1);
        bool copysign = b->code == 0x98 || b->code == 0xa6;
        if (copysign)
            gen_exact(g, b->from, depth + 1);
        else
            gen_expr(g, b->from, depth + 1);
        emit_op(g, b->code);
        return t == I32 || t == I64 || (copysign && ea);
    }
    case 8: { /* select, typed or not, with a comparison or any i32 as condition */
        bool ea = gen_expr(g, t, depth + 1);
        bool eb = gen_expr(g, t, depth + 1);
        gen_expr(g, I32, depth + 1);
        if (pick(in, 2)) {
            op(g, 0x1b);
        } else {
            op(g, 0x1c);
            op(g, 0x01);
            op(g, VT[t]);
        }
        return ea && eb;
    }
    case 9: { /* load */
        const struct load_op *candidates[16];
        unsigned n = 0;
        for (unsigned i = 0; i < sizeof LOADS / sizeof LOADS[0]; i++)
            if (LOADS[i].type == t)
                candidates[n++] = &LOADS[i];
        const struct load_op *l = candidates[pick(in, n)];
        gen_addr(g, depth);
        op(g, l->code);
        memarg(g, l->align);
        return true; /* memory only ever holds canonicalised or exact floats */
    }
    case 10:
    case 11:
        return gen_structured(g, t, depth);
    case 12: {
        const struct ftype *ft;
        gen_call(g, depth, &ft);
        keep_one(g, ft->r, ft->nr, t, depth);
        return t == I32 || t == I64;
    }
    case 13:
        if (t == I32) {
            if (pick(in, 2)) {
                op(g, 0x3f);
            } else {
                op(g, 0x41);
                sleb(g->code, pick(in, 3));
                op(g, 0x40);
            }
            op(g, 0x00);
            return true;
        }
        gen_const(g, t);
        return true;
    default: {
        /* a block of statements that ends in a value; br_if inside may leave early */
        uint8_t r[1] = {(uint8_t)t};
        if (g->nframes + 1 >= MAX_FRAMES)
            return gen_expr(g, t, MAX_EXPR);
        op(g, 0x02);
        op(g, VT[t]);
        push_frame(g, r, 1);
        gen_stmts(g, depth + 1, 3);
        gen_exact(g, t, depth + 1);
        g->nframes--;
        op(g, 0x0b);
        return true;
    }
    }
}

/* --- Statements: leave the stack as they found it (or end in a branch) --- */

/* A branch target: relative depth of a frame other than the function's, or UINT32_MAX. */
static unsigned pick_label(struct gen *g)
{
    if (g->nframes < 2)
        return UINT32_MAX;
    unsigned f = 1 + pick(g->in, g->nframes - 1);
    return g->nframes - 1 - f;
}

static const struct frame *label(struct gen *g, unsigned rel)
{
    return &g->frames[g->nframes - 1 - rel];
}

static void gen_label_values(struct gen *g, const struct frame *f, unsigned depth)
{
    for (unsigned i = 0; i < f->n; i++)
        gen_exact(g, f->t[i], depth + 1);
}

static void depth_leave(struct gen *g)
{
    static const uint8_t code[] = {0x23, G_DEPTH, 0x41, 0x01, 0x6b, 0x24, G_DEPTH};
    put_bytes(g->code, code, sizeof code);
}

static void gen_stmt(struct gen *g, unsigned depth)
{
    struct rd *in = g->in;
    switch (pick(in, 14)) {
    case 0: { /* local.set */
        unsigned t = pick(in, NT);
        unsigned l = pick_local(g, t);
        if (l == UINT32_MAX)
            return;
        gen_exact(g, t, depth + 1);
        op(g, 0x21);
        uleb(g->code, l);
        return;
    }
    case 1: { /* global.set */
        unsigned t = pick(in, NT);
        gen_exact(g, t, depth + 1);
        op(g, 0x24);
        uleb(g->code, G_USER + t);
        return;
    }
    case 2:
    case 3: { /* store */
        const struct load_op *s = &STORES[pick(in, sizeof STORES / sizeof STORES[0])];
        gen_addr(g, depth);
        gen_exact(g, s->type, depth + 1);
        op(g, s->code);
        memarg(g, s->align);
        return;
    }
    case 4: /* drop */
        gen_expr(g, pick(in, NT), depth + 1);
        op(g, 0x1a);
        return;
    case 5: { /* call for effect */
        const struct ftype *ft;
        gen_call(g, depth, &ft);
        for (unsigned i = 0; i < ft->nr; i++)
            op(g, 0x1a);
        return;
    }
    case 6: { /* if / if-else without values */
        if (g->nframes + 1 >= MAX_FRAMES)
            return;
        gen_expr(g, I32, depth + 1);
        op(g, 0x04);
        op(g, 0x40);
        push_frame(g, NULL, 0);
        gen_stmts(g, depth + 1, 3);
        if (pick(in, 2)) {
            op(g, 0x05);
            gen_stmts(g, depth + 1, 3);
        }
        g->nframes--;
        op(g, 0x0b);
        return;
    }
    case 7: { /* loop counting a local down, with a br_if back edge */
        if (g->nframes + 1 >= MAX_FRAMES)
            return;
        unsigned l = pick_local(g, I32);
        if (l == UINT32_MAX)
            return;
        op(g, 0x41);
        sleb(g->code, pick(in, 6));
        op(g, 0x21);
        uleb(g->code, l);
        op(g, 0x03);
        op(g, 0x40);
        push_frame(g, NULL, 0);
        fuel_check(g);
        gen_stmts(g, depth + 1, 3);
        static const uint8_t tail[] = {0x41, 0x01, 0x6b}; /* l - 1 */
        op(g, 0x20);
        uleb(g->code, l);
        put_bytes(g->code, tail, sizeof tail);
        op(g, 0x22);
        uleb(g->code, l);
        op(g, 0x0d); /* br_if 0 while nonzero */
        op(g, 0x00);
        g->nframes--;
        op(g, 0x0b);
        return;
    }
    case 8: { /* br_if with the label's values */
        unsigned rel = pick_label(g);
        if (rel == UINT32_MAX)
            return;
        const struct frame *f = label(g, rel);
        gen_label_values(g, f, depth);
        gen_expr(g, I32, depth + 1);
        op(g, 0x0d);
        uleb(g->code, rel);
        for (unsigned i = 0; i < f->n; i++)
            op(g, 0x1a);
        return;
    }
    case 9: { /* br_table over labels of the same types */
        unsigned rel = pick_label(g);
        if (rel == UINT32_MAX)
            return;
        const struct frame *f = label(g, rel);
        unsigned targets[8], n = 0;
        for (unsigned k = 0; k < 1 + pick(in, 6); k++) {
            unsigned r2 = pick_label(g);
            const struct frame *f2 = label(g, r2);
            if (f2->n == f->n && !memcmp(f2->t, f->t, f->n))
                targets[n++] = r2;
        }
        gen_label_values(g, f, depth);
        gen_expr(g, I32, depth + 1);
        op(g, 0x0e);
        uleb(g->code, n);
        for (unsigned k = 0; k < n; k++)
            uleb(g->code, targets[k]);
        uleb(g->code, rel);
        return;
    }
    case 10: { /* br (rare: the rest of the block is dead) */
        if (pick(in, 3))
            return;
        unsigned rel = pick_label(g);
        if (rel == UINT32_MAX)
            return;
        gen_label_values(g, label(g, rel), depth);
        op(g, 0x0c);
        uleb(g->code, rel);
        return;
    }
    case 11: { /* return (rare) */
        if (pick(in, 3))
            return;
        gen_label_values(g, &g->frames[0], depth);
        depth_leave(g);
        op(g, 0x0f);
        return;
    }
    case 12: { /* memory.fill / memory.copy: bounds-checked helpers, may trap */
        gen_addr(g, depth);
        if (pick(in, 2)) {
            gen_expr(g, I32, depth + 1);
            gen_addr(g, depth);
            op(g, 0xfc);
            op(g, 0x0b);
            op(g, 0x00);
        } else {
            gen_addr(g, depth);
            gen_addr(g, depth);
            op(g, 0xfc);
            op(g, 0x0a);
            op(g, 0x00);
            op(g, 0x00);
        }
        return;
    }
    default: { /* a nested block of statements */
        if (g->nframes + 1 >= MAX_FRAMES)
            return;
        op(g, 0x02);
        op(g, 0x40);
        push_frame(g, NULL, 0);
        gen_stmts(g, depth + 1, 3);
        g->nframes--;
        op(g, 0x0b);
        return;
    }
    }
}

static void gen_stmts(struct gen *g, unsigned depth, unsigned max)
{
    if (depth >= MAX_EXPR || over_budget(g))
        return;
    unsigned n = pick(g->in, max + 1);
    for (unsigned i = 0; i < n; i++)
        gen_stmt(g, depth);
}

/* --- The module --- */

static void section(struct bytes *mod, uint8_t id, const struct bytes *body)
{
    put(mod, id);
    uleb(mod, body->n);
    put_bytes(mod, body->p, body->n);
}

static void gen_function(struct gen *g, unsigned f, struct bytes *body)
{
    struct rd *in = g->in;
    const struct ftype *ft = &g->types[g->ftype[f]];
    g->nparams = ft->np;
    g->nlocals = 0;
    for (unsigned i = 0; i < ft->np; i++)
        g->ltype[g->nlocals++] = ft->p[i];
    /* declared locals: two or so of each type, then one scratch per type */
    uint8_t counts[NT];
    for (unsigned t = 0; t < NT; t++) {
        counts[t] = (uint8_t)(1 + pick(in, 2));
        for (unsigned k = 0; k < counts[t]; k++)
            g->ltype[g->nlocals++] = (uint8_t)t;
    }
    for (unsigned t = 0; t < NT; t++) {
        g->scratch[t] = g->nlocals;
        g->ltype[g->nlocals++] = (uint8_t)t;
    }
    struct bytes code = {0};
    g->code = &code;
    g->body_start = 0;
    uleb(&code, 2 * NT);
    for (unsigned t = 0; t < NT; t++) {
        uleb(&code, counts[t]);
        put(&code, VT[t]);
    }
    for (unsigned t = 0; t < NT; t++) {
        uleb(&code, 1);
        put(&code, VT[t]);
    }
    g->body_start = code.n;
    /* prologue: fuel, then the depth bound (no stack exhaustion in either mode) */
    fuel_check(g);
    static const uint8_t depth_enter[] = {
        0x23, G_DEPTH, 0x41, DEPTH_MAX, 0x4f, 0x04, 0x40,   0x00, 0x0b, /* depth >= MAX ? trap */
        0x23, G_DEPTH, 0x41, 0x01,      0x6a, 0x24, G_DEPTH};           /* depth += 1 */
    put_bytes(&code, depth_enter, sizeof depth_enter);
    g->nframes = 0;
    push_frame(g, ft->r, ft->nr);
    gen_stmts(g, 0, 4);
    for (unsigned i = 0; i < ft->nr; i++)
        gen_exact(g, ft->r[i], 1);
    depth_leave(g);
    op(g, 0x0b);
    g->nframes = 0;
    uleb(body, code.n);
    put_bytes(body, code.p, code.n);
    free(code.p);
}

static void gen_module(struct rd *in, struct bytes *mod, struct gen *g)
{
    memset(g, 0, sizeof *g);
    g->in = in;
    g->nfuncs = 1 + pick(in, MAX_FUNCS);
    for (unsigned f = 0; f < g->nfuncs; f++) {
        uint8_t p[4], r[4];
        unsigned np = pick(in, 4), nr = pick(in, 4);
        gen_types(g, p, np);
        gen_types(g, r, nr);
        g->ftype[f] = add_type(g, p, np, r, nr);
    }
    struct bytes funcs = {0}, table = {0}, memory = {0}, globals = {0}, exports = {0}, elems = {0},
                 code = {0}, data = {0}, types = {0};
    uleb(&code, g->nfuncs);
    for (unsigned f = 0; f < g->nfuncs; f++)
        gen_function(g, f, &code);

    uleb(&types, g->ntypes);
    for (unsigned i = 0; i < g->ntypes; i++) {
        put(&types, 0x60);
        uleb(&types, g->types[i].np);
        for (unsigned k = 0; k < g->types[i].np; k++)
            put(&types, VT[g->types[i].p[k]]);
        uleb(&types, g->types[i].nr);
        for (unsigned k = 0; k < g->types[i].nr; k++)
            put(&types, VT[g->types[i].r[k]]);
    }
    uleb(&funcs, g->nfuncs);
    for (unsigned f = 0; f < g->nfuncs; f++)
        uleb(&funcs, g->ftype[f]);
    uint8_t tbl[] = {1, 0x70, 0x01, (uint8_t)(g->nfuncs + TABLE_NULLS),
                     (uint8_t)(g->nfuncs + TABLE_NULLS)};
    put_bytes(&table, tbl, sizeof tbl);
    static const uint8_t mem[] = {1, 0x01, 1, 2};
    put_bytes(&memory, mem, sizeof mem);
    uleb(&globals, NGLOBALS);
    static const uint8_t g_i32_zero[] = {0x7f, 0x01, 0x41, 0x00, 0x0b};
    put_bytes(&globals, g_i32_zero, sizeof g_i32_zero); /* depth */
    static const uint8_t g_fuel[] = {0x7f, 0x01, 0x41, 0x00, 0x0b};
    put_bytes(&globals, g_fuel, sizeof g_fuel); /* fuel: set by the driver before each call */
    for (unsigned t = 0; t < NT; t++) {
        put(&globals, VT[t]);
        put(&globals, 0x01);
        struct bytes *saved = g->code;
        g->code = &globals;
        gen_const(g, t);
        g->code = saved;
        put(&globals, 0x0b);
    }
    uleb(&exports, g->nfuncs);
    for (unsigned f = 0; f < g->nfuncs; f++) {
        put(&exports, 2);
        put(&exports, 'f');
        put(&exports, (uint8_t)('0' + f));
        put(&exports, 0x00);
        uleb(&exports, f);
    }
    static const uint8_t elem_head[] = {1, 0x00, 0x41, 0x00, 0x0b};
    put_bytes(&elems, elem_head, sizeof elem_head);
    uleb(&elems, g->nfuncs);
    for (unsigned f = 0; f < g->nfuncs; f++)
        uleb(&elems, f);
    static const uint8_t data_head[] = {1, 0x00, 0x41, 0x10, 0x0b};
    put_bytes(&data, data_head, sizeof data_head);
    unsigned ndata = pick(in, 16);
    uleb(&data, ndata);
    for (unsigned i = 0; i < ndata; i++)
        put(&data, u8(in));

    static const uint8_t header[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    put_bytes(mod, header, sizeof header);
    section(mod, 1, &types);
    section(mod, 3, &funcs);
    section(mod, 4, &table);
    section(mod, 5, &memory);
    section(mod, 6, &globals);
    section(mod, 7, &exports);
    section(mod, 9, &elems);
    section(mod, 10, &code);
    section(mod, 11, &data);
    struct bytes *all[] = {&funcs, &table, &memory, &globals, &exports,
                           &elems, &code,  &data,   &types};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->p);
}

/* --- Comparing the two runs --- */

enum nan_class { NOT_NAN, NAN_CANONICAL, NAN_ARITHMETIC, NAN_SIGNALLING };

static enum nan_class nan_class(uint64_t bits, bool f64)
{
    uint64_t exp = f64 ? 0x7ff0000000000000ull : 0x7f800000u;
    uint64_t frac = f64 ? 0x000fffffffffffffull : 0x007fffffu;
    uint64_t quiet = f64 ? 0x0008000000000000ull : 0x00400000u;
    if ((bits & exp) != exp || !(bits & frac))
        return NOT_NAN;
    if ((bits & frac) == quiet)
        return NAN_CANONICAL;
    return bits & quiet ? NAN_ARITHMETIC : NAN_SIGNALLING;
}

/* Values of type t agree: integers bit for bit; floats too, except that two quiet NaNs only need
 * the same class (canonical or arithmetic, sign free), which is all Wasm fixes for them. */
static bool same_value(unsigned t, uint64_t a, uint64_t b)
{
    if (t == I32 || t == F32) {
        a &= 0xffffffffu;
        b &= 0xffffffffu;
    }
    if (a == b)
        return true;
    if (t == I32 || t == I64)
        return false;
    enum nan_class ca = nan_class(a, t == F64), cb = nan_class(b, t == F64);
    return ca != NOT_NAN && ca != NAN_SIGNALLING && ca == cb;
}

static void fail(const char *what, unsigned f, uint64_t a, uint64_t b)
{
    fprintf(stderr, "fuzz_cg_differential: %s differs in f%u: normal 0x%llx, spill_all 0x%llx\n",
            what, f, (unsigned long long)a, (unsigned long long)b);
    abort();
}

static void dump(const struct bytes *mod)
{
    const char *path = getenv("KILN_FUZZ_DUMP");
    if (!path || !*path)
        return;
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(mod->p, 1, mod->n, f);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd in = {data, size, 0};
    struct bytes mod = {0};
    struct gen g;
    gen_module(&in, &mod, &g);
    dump(&mod);
    struct harness *h[2];
    for (int mode = 0; mode < 2; mode++) {
        h[mode] = h_load_wasm(mod.p, mod.n, mode == 1);
        if (!h[mode]) { /* the generator only writes valid modules: both must compile */
            fprintf(stderr, "fuzz_cg_differential: the generated module does not load "
                            "(KILN_FUZZ_DUMP=FILE saves it)\n");
            abort();
        }
    }
    unsigned calls = g.nfuncs * 2;
    for (unsigned c = 0; c < calls; c++) {
        unsigned f = c % g.nfuncs;
        const struct ftype *ft = &g.types[g.ftype[f]];
        uint64_t slots[2][16];
        memset(slots, 0, sizeof slots);
        for (unsigned i = 0; i < ft->np; i++) {
            uint64_t v = pick(&in, 2) ? u64(&in) : INT_SPECIAL[pick(&in, 16)];
            if (ft->p[i] == I32 || ft->p[i] == F32)
                v &= 0xffffffffu;
            slots[0][i] = slots[1][i] = v;
        }
        char name[3] = {'f', (char)('0' + f), 0};
        int trap[2];
        for (int mode = 0; mode < 2; mode++) {
            h_global(h[mode], G_DEPTH)->u.i64 = 0;
            h_global(h[mode], G_FUEL)->u.i64 = FUEL;
            trap[mode] = h_call(h[mode], name, slots[mode]);
        }
        if (trap[0] != trap[1])
            fail("trap kind", f, (uint64_t)trap[0], (uint64_t)trap[1]);
        for (unsigned i = 0; !trap[0] && i < ft->nr; i++)
            if (!same_value(ft->r[i], slots[0][i], slots[1][i]))
                fail("result", f, slots[0][i], slots[1][i]);
        for (unsigned t = 0; t < NT; t++) {
            uint64_t a = h_global(h[0], G_USER + t)->u.i64, b = h_global(h[1], G_USER + t)->u.i64;
            if (!same_value(t, a, b))
                fail("global", f, a, b);
        }
        size_t na, nb;
        const uint8_t *ma = h_memory(h[0], &na), *mb = h_memory(h[1], &nb);
        if (na != nb)
            fail("memory size", f, na, nb);
        if (memcmp(ma, mb, na) != 0)
            fail("memory contents", f, 0, 0);
    }
    h_free(h[0]);
    h_free(h[1]);
    free(mod.p);
    return 0;
}
