/* SPDX-License-Identifier: Apache-2.0 */
/* Bodies validated on several threads (wdec_options.threads): the verdict and the error must be
 * those of the one-thread decoder, wherever the errors lie: the first malformed body in module
 * order wins over any invalid one, the first invalid one over later ones, a malformed body size
 * over the invalid bodies before it, a malformed body over a later section's error and that over
 * an invalid body, and the first use of a data index without a data count
 * section is the one reported. The modules have 2,000 bodies (~360 KB of code, several of the
 * decoder's batches), so that the bodies with errors go to different threads. */
#define _GNU_SOURCE /* nanosleep(), sched_getaffinity(), CPU_COUNT() (Linux) */
#include "wasm_buf.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wdec/module.h>
#include <wdec/visitor.h>

#define BODIES 2000u

/* What body i holds instead of the default (`i32.const 1; drop` 60 times, then end). */
struct change {
    uint32_t body;
    const uint8_t *code; /* without the final end */
    size_t len;
    uint32_t size; /* nonzero: the body's size field says this instead (a malformed size) */
};

static const uint8_t invalid_add[] = {0x6a};              /* i32.add with nothing: type mismatch */
static const uint8_t malformed_op[] = {0x41, 0x01, 0xff}; /* an opcode that does not exist */
static const uint8_t data_drop[] = {0xfc, 0x09, 0x00};    /* data.drop 0 */

/* The module, with body_at[i] set to the offset of body i's first byte (its locals). */
static struct buf module(const struct change *ch, size_t nch, bool data, size_t *body_at)
{
    struct buf m = {0}, s = {0};
    put_head_funcs(&m, BODIES);
    put_u32(&s, BODIES);
    size_t sec_start = 0;
    for (uint32_t i = 0; i < BODIES; i++) {
        struct buf body = {0};
        const struct change *c = NULL;
        for (size_t k = 0; k < nch; k++)
            if (ch[k].body == i)
                c = &ch[k];
        put_byte(&body, 0); /* no locals */
        if (c) {
            put(&body, c->code, c->len);
        } else {
            for (int k = 0; k < 60; k++) {
                static const uint8_t one[] = {0x41, 0x01, 0x1a};
                put(&body, one, sizeof one);
            }
        }
        put_byte(&body, 0x0b);
        put_u32(&s, c && c->size ? c->size : (uint32_t)body.n);
        body_at[i] = s.n; /* relative to the section's contents for now */
        put(&s, body.p, body.n);
        free(body.p);
    }
    put_byte(&m, 10);
    put_u32(&m, (uint32_t)s.n);
    sec_start = m.n;
    put(&m, s.p, s.n);
    for (uint32_t i = 0; i < BODIES; i++)
        body_at[i] += sec_start;
    if (data) { /* one passive segment, no data count section */
        static const uint8_t seg[] = {0x01, 0x01, 0x00};
        s.n = 0;
        put(&s, seg, sizeof seg);
        put_section(&m, 11, &s);
    }
    free(s.p);
    return m;
}

static wdec_status decode_with(const struct buf *b, uint32_t threads, struct wdec_pool *pool,
                               struct wdec_error *err)
{
    struct wdec_options opt = {.threads = threads, .pool = pool};
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(b->p, b->n, &opt, NULL, NULL, &m, err);
    wdec_module_free(m);
    return st;
}

static wdec_status decode(const struct buf *b, uint32_t threads, struct wdec_error *err)
{
    return decode_with(b, threads, NULL, err);
}

static void same(wdec_status st2, const struct wdec_error *e2, wdec_status st,
                 const struct wdec_error *err, uint32_t threads, bool pool)
{
    cr_assert_eq(st2, st, "%u threads%s: status %d, one thread %d", threads, pool ? " (pool)" : "",
                 st2, st);
    if (st) {
        cr_assert_eq(e2->offset, err->offset, "%u threads%s: offset %zu, one thread %zu", threads,
                     pool ? " (pool)" : "", e2->offset, err->offset);
        cr_assert_str_eq(e2->message, err->message);
    }
}

/* Decodes b on 1 thread and on 2, 3, 8 and 64, started for the decode or kept in a pool,
 * several times each (which thread takes which body varies from run to run): all must agree on
 * status, offset and message. Returns the one-thread status, its error in *err. */
static wdec_status agree(const struct buf *b, struct wdec_error *err)
{
    wdec_status st = decode(b, 1, err);
    static const uint32_t threads[] = {2, 3, 8, 64};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct wdec_pool *pool = wdec_pool_new(threads[t]);
        cr_assert_not_null(pool);
        cr_assert_eq(wdec_pool_threads(pool), threads[t]);
        for (int run = 0; run < 4; run++) {
            struct wdec_error e2;
            wdec_status st2 = decode(b, threads[t], &e2);
            same(st2, &e2, st, err, threads[t], false);
            st2 = decode_with(b, 1, pool, &e2);
            same(st2, &e2, st, err, threads[t], true);
        }
        wdec_pool_free(pool);
    }
    return st;
}

static size_t at[BODIES];

/* The module with changes ch[0..n) (and a data section if `data`): every way of decoding it must
 * give status `want`, at `delta` bytes from body `body`'s first byte. */
static void expect(const struct change *ch, size_t n, bool data, wdec_status want, uint32_t body,
                   long delta)
{
    struct buf b = module(ch, n, data, at);
    struct wdec_error err;
    wdec_status st = agree(&b, &err);
    cr_assert_eq(st, want, "status %d (%s), expected %d", st, err.message, want);
    size_t off = (size_t)((long)at[body] + delta);
    cr_assert_eq(err.offset, off, "offset %zu, expected %zu (body %u %+ld)", err.offset, off, body,
                 delta);
    free(b.p);
}

Test(threads, valid_module)
{
    struct buf b = module(NULL, 0, false, at);
    struct wdec_error err;
    cr_assert_eq(agree(&b, &err), WDEC_OK);
    free(b.p);
}

Test(threads, first_invalid_body_wins)
{
    const struct change ch[] = {
        {1700, invalid_add, 1, 0}, {350, invalid_add, 1, 0}, {1999, invalid_add, 1, 0}};
    expect(ch, 3, false, WDEC_ERR_TYPE_MISMATCH, 350, 1); /* body 350's add */
}

Test(threads, malformed_wins_over_earlier_invalid)
{
    const struct change ch[] = {
        {100, invalid_add, 1, 0}, {1500, malformed_op, 3, 0}, {1800, malformed_op, 3, 0}};
    expect(ch, 3, false, WDEC_ERR_ILLEGAL_OPCODE, 1500, 3); /* body 1500's bad opcode */
}

Test(threads, first_malformed_body_wins)
{
    const struct change ch[] = {{1900, malformed_op, 3, 0}, {20, malformed_op, 3, 0}};
    expect(ch, 2, false, WDEC_ERR_ILLEGAL_OPCODE, 20, 3);
}

Test(threads, malformed_size_wins_over_earlier_invalid)
{
    /* Body 1200's size (a 5-byte LEB128) is more than the bytes left: the one-thread loop stops
     * there, after finding body 300 invalid. */
    const struct change ch[] = {{300, invalid_add, 1, 0}, {1200, NULL, 0, 0x7fffffff}};
    expect(ch, 2, false, WDEC_ERR_LENGTH_OUT_OF_BOUNDS, 1200, -5); /* body 1200's size */
}

Test(threads, malformed_body_wins_over_later_malformed_size)
{
    const struct change ch[] = {{600, malformed_op, 3, 0}, {1200, NULL, 0, 0x7fffffff}};
    expect(ch, 2, false, WDEC_ERR_ILLEGAL_OPCODE, 600, 3);
}

Test(threads, first_data_use_is_reported)
{
    /* data.drop with no data count section, in two bodies: the module is malformed ("data count
     * section required"), at the first of them. */
    const struct change ch[] = {{1600, data_drop, 3, 0}, {900, data_drop, 3, 0}};
    expect(ch, 2, true, WDEC_ERR_DATA_COUNT_REQUIRED, 900, 1);
}

/* The sections after the code section are decoded while the bodies are still being validated:
 * an error there comes after every body in the module, so a malformed body wins over it, and it
 * wins over an invalid body (the one-thread loop keeps that aside until the module's end). */
static struct buf module_bad_data(const struct change *ch, size_t nch)
{
    struct buf b = module(ch, nch, true, at);
    cr_assert_eq(b.p[b.n - 2], 0x01, "the data segment's flags");
    b.p[b.n - 2] = 0x03; /* no such kind of segment */
    return b;
}

Test(threads, later_section_wins_over_invalid_body)
{
    const struct change ch[] = {{700, invalid_add, 1, 0}};
    struct buf b = module_bad_data(ch, 1);
    struct wdec_error err;
    cr_assert_eq(agree(&b, &err), WDEC_ERR_DATA_KIND, "%s", err.message);
    cr_assert_eq(err.offset, b.n - 2);
    free(b.p);
}

Test(threads, malformed_body_wins_over_later_section)
{
    const struct change ch[] = {{700, invalid_add, 1, 0}, {1500, malformed_op, 3, 0}};
    struct buf b = module_bad_data(ch, 2);
    struct wdec_error err;
    cr_assert_eq(agree(&b, &err), WDEC_ERR_ILLEGAL_OPCODE, "%s", err.message);
    cr_assert_eq(err.offset, at[1500] + 3);
    free(b.p);
}

static uint32_t begun;
static bool in_order = true;

static wdec_status on_begin(void *ctx, const struct wdec_func_info *fn)
{
    (void)ctx;
    if (fn->func_index != begun)
        in_order = false;
    begun++;
    return WDEC_OK;
}

Test(threads, a_visitor_keeps_one_thread_and_order)
{
    struct buf b = module(NULL, 0, false, at);
    struct wdec_visitor v = {.func_begin = on_begin};
    struct wdec_options opt = {.threads = 8};
    struct wdec_module *m = NULL;
    cr_assert_eq(wdec_module_decode(b.p, b.n, &opt, &v, NULL, &m, NULL), WDEC_OK);
    cr_assert_eq(begun, BODIES);
    cr_assert(in_order, "func_begin out of body order");
    wdec_module_free(m);
    free(b.p);
}

/* Batches are a quarter of each thread's share of the code not yet placed, 4 KB at least. The
 * section holds 368,000 bytes after its count: 182-byte bodies with 2-byte sizes (the bodies with
 * errors are padded with nops to the same size). With 64 threads asked for, 22 are used (16 KB
 * of code each at least) and the batches take 4,181, 4,134 and 4,086 bytes: bodies 22, 45 and
 * 68 end the first three. With 8 threads they take 11,500, 11,136 and 10,783 bytes: bodies 63,
 * 125 and 185 end them. Threads that take those batches at once reach their ends at about the
 * same time, so that each often finds an error, and the earliest must still be the one
 * reported. */
Test(threads, errors_at_the_ends_of_batches)
{
    static const uint32_t ends[] = {185, 125, 63, 68, 45, 22};
    uint8_t inv[180], bad[180];
    memset(inv, 0x01, sizeof inv); /* nop */
    memset(bad, 0x01, sizeof bad);
    inv[0] = invalid_add[0];
    memcpy(bad, malformed_op, sizeof malformed_op);
    struct change ch[6];
    for (size_t k = 0; k < 6; k++)
        ch[k] = (struct change){ends[k], inv, sizeof inv, 0};
    expect(ch, 6, false, WDEC_ERR_TYPE_MISMATCH, 22, 1);
    for (size_t k = 0; k < 6; k++)
        ch[k] = (struct change){ends[k], bad, sizeof bad, 0};
    expect(ch, 6, false, WDEC_ERR_ILLEGAL_OPCODE, 22, 3);
}

/* The code section says it is half as long as its bodies are: they are read on to the module's
 * end (as the reference interpreter reads them) and the section's size is then found wrong. The
 * threads' batches are counted from the declared size, so there are more bodies than those
 * batches were meant for. */
Test(threads, bodies_past_the_section_end)
{
    struct buf b = module(NULL, 0, false, at);
    /* The section's size: a 3-byte LEB128 (~360 KB) just before the body count (2 bytes) and
     * body 0's size (2 bytes). */
    size_t size_at = at[0] - 2 - 2 - 3;
    cr_assert_eq(b.p[size_at - 1], 10, "the code section's id");
    uint32_t size =
        (b.p[size_at] & 0x7fu) | (b.p[size_at + 1] & 0x7fu) << 7 | (uint32_t)b.p[size_at + 2] << 14;
    cr_assert_eq(size_at + 3 + size, b.n, "the code section ends the module");
    size /= 2;
    b.p[size_at] = (uint8_t)(0x80 | (size & 0x7f));
    b.p[size_at + 1] = (uint8_t)(0x80 | ((size >> 7) & 0x7f));
    b.p[size_at + 2] = (uint8_t)(size >> 14);
    struct wdec_error err;
    cr_assert_eq(agree(&b, &err), WDEC_ERR_SECTION_SIZE, "%s", err.message);
    cr_assert_eq(err.offset, size_at + 3, "offset %zu, the section's contents at %zu", err.offset,
                 size_at + 3);
    free(b.p);
}

/* Two decodes at once with one pool: one of them finds it busy and starts threads of its own;
 * both still give the one-thread verdict. */
struct both {
    const struct buf *b;
    struct wdec_pool *pool;
    wdec_status st[8];
    struct wdec_error err[8];
};

static void *decode_8(void *arg)
{
    struct both *x = arg;
    for (int i = 0; i < 8; i++)
        x->st[i] = decode_with(x->b, 2, x->pool, &x->err[i]);
    return NULL;
}

Test(threads, two_decodes_share_a_pool)
{
    const struct change ch[] = {{1500, invalid_add, 1, 0}, {700, invalid_add, 1, 0}};
    struct buf b = module(ch, 2, false, at);
    struct wdec_error err;
    wdec_status st = decode(&b, 1, &err);
    cr_assert_eq(st, WDEC_ERR_TYPE_MISMATCH);
    struct wdec_pool *pool = wdec_pool_new(3);
    cr_assert_not_null(pool);
    struct both x[2] = {{.b = &b, .pool = pool}, {.b = &b, .pool = pool}};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, decode_8, &x[1]), 0);
    decode_8(&x[0]);
    pthread_join(t, NULL);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 8; i++)
            same(x[k].st[i], &x[k].err[i], st, &err, 3, true);
    wdec_pool_free(pool);
    free(b.p);
}

/* A pool's decodes back to back (its threads may still spin from the last job), after pauses
 * longer than that spin (they sleep, and must be woken), and between decodes too small to use
 * the pool: every one must come back (a job lost or taken twice would hang) with the one-thread
 * verdict (a hang fails at the timeout). Pools of 2 (spinning where there are 2 CPUs), 3 and 64
 * threads (64: most of them take no part in a job of this size, 23 batches). */
Test(threads, a_pool_serves_decodes_back_to_back_and_after_pauses, .timeout = 60)
{
    const struct change ch[] = {{1500, invalid_add, 1, 0}};
    struct buf valid = module(NULL, 0, false, at), invalid = module(ch, 1, false, at);
    struct buf small = {0}; /* one body: below the size that goes to threads */
    put_head_funcs(&small, 1);
    static const uint8_t code[] = {0x01, 0x02, 0x00, 0x0b}; /* 1 body of 2 bytes: no locals, end */
    struct buf sec = {0};
    put(&sec, code, sizeof code);
    put_section(&small, 10, &sec);
    free(sec.p);
    struct wdec_error e_valid, e_invalid, e_small;
    wdec_status st_valid = decode(&valid, 1, &e_valid);
    wdec_status st_invalid = decode(&invalid, 1, &e_invalid);
    cr_assert_eq(st_valid, WDEC_OK);
    cr_assert_eq(st_invalid, WDEC_ERR_TYPE_MISMATCH);
    cr_assert_eq(decode(&small, 1, &e_small), WDEC_OK);
    static const uint32_t threads[] = {2, 3, 64};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct wdec_pool *pool = wdec_pool_new(threads[t]);
        cr_assert_not_null(pool);
        for (int i = 0; i < 24; i++) {
            struct wdec_error e2;
            bool bad = i % 2;
            wdec_status st2 = decode_with(bad ? &invalid : &valid, 1, pool, &e2);
            same(st2, &e2, bad ? st_invalid : st_valid, bad ? &e_invalid : &e_valid, threads[t],
                 true);
            if (i % 3 == 1) {
                struct timespec pause = {0, 400000}; /* 400 us */
                nanosleep(&pause, NULL);
            } else if (i % 3 == 2) {
                cr_assert_eq(decode_with(&small, 1, pool, &e2), WDEC_OK);
            }
        }
        wdec_pool_free(pool);
    }
    free(valid.p);
    free(invalid.p);
    free(small.p);
}

/* The CPUs a plain validation should use: those of this process's affinity mask, 1 to 64. */
Test(threads, cpus_are_the_affinity_mask)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof set, &set), 0);
    int n = CPU_COUNT(&set);
    cr_assert_eq(wdec_cpus(), (uint32_t)(n > 64 ? 64 : n), "wdec_cpus() %u, mask %d", wdec_cpus(),
                 n);
}

Test(threads, pool_sizes)
{
    cr_assert_null(wdec_pool_new(0));
    struct wdec_pool *one = wdec_pool_new(1); /* no threads: the caller's scratch only */
    cr_assert_not_null(one);
    cr_assert_eq(wdec_pool_threads(one), 1);
    cr_assert_eq(wdec_pool_threads(NULL), 1);
    wdec_pool_free(one);
    wdec_pool_free(NULL);
}

/* BODIES functions of one type, [param] -> [], each body `i64.const 0; call 0` 30 times: valid
 * with an i64 param, a type mismatch at body 0's first call with an i32 one. */
static struct buf calls_module(uint8_t param)
{
    const uint8_t type[] = {0x60, 0x01, param, 0x00};
    struct buf m = {0}, s = {0};
    put_head_funcs_of(&m, BODIES, type, sizeof type);
    put_u32(&s, BODIES);
    for (uint32_t i = 0; i < BODIES; i++) {
        static const uint8_t call[] = {0x42, 0x00, 0x10, 0x00}; /* i64.const 0; call 0 */
        put_u32(&s, 1 + 30 * sizeof call + 1);
        put_byte(&s, 0); /* no locals */
        for (int k = 0; k < 30; k++)
            put(&s, call, sizeof call);
        put_byte(&s, 0x0b);
    }
    put_section(&m, 10, &s);
    free(s.p);
    return m;
}

/* A pool keeps its decodes' scratch memory (wdec_pool_new()), but nothing of one module may carry
 * over to the next: two modules that differ only in the type of the function every body calls,
 * decoded one after the other through pools of 1, 2 and 3 threads, each get their own verdict.
 * (The call signatures that the plain validator keeps in its scratch are those of one module;
 * the next module's struct is often allocated where the last one's was, so signatures kept with
 * the scratch would be taken for its own and the i32 module accepted.) */
Test(threads, a_pool_keeps_no_module_s_verdict)
{
    struct buf ok = calls_module(0x7e), bad = calls_module(0x7f);
    struct wdec_error e_ok, e_bad;
    cr_assert_eq(decode(&ok, 1, &e_ok), WDEC_OK);
    cr_assert_eq(decode(&bad, 1, &e_bad), WDEC_ERR_TYPE_MISMATCH, "%s", e_bad.message);
    static const uint32_t threads[] = {1, 2, 3};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct wdec_pool *pool = wdec_pool_new(threads[t]);
        cr_assert_not_null(pool);
        for (int i = 0; i < 8; i++) {
            bool b = i % 2;
            struct wdec_error e2;
            wdec_status st2 = decode_with(b ? &bad : &ok, 1, pool, &e2);
            same(st2, &e2, b ? WDEC_ERR_TYPE_MISMATCH : WDEC_OK, b ? &e_bad : &e_ok, threads[t],
                 true);
        }
        wdec_pool_free(pool);
    }
    free(ok.p);
    free(bad.p);
}
