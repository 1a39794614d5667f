/* SPDX-License-Identifier: Apache-2.0 */
/* Function bodies validated by several threads at once (wdec_options.threads), for a plain
 * validation: no visitor, so nothing has to happen in body order. Bodies only read the module,
 * and each thread has its own scratch, so they need no locks; the threads take runs of bodies
 * ("batches") from a shared counter. The calling thread first reads where each body is (a chain
 * of sizes, one cache miss after another unless prefetched: 1-2 ms of yosys's ~28 on 2 threads)
 * and publishes each batch once its bodies are placed, so the other threads validate meanwhile;
 * then it decodes the sections after the code section, then it validates too. The verdict and
 * the error are those of the one-thread loop in code_section(): the first malformed body in
 * module order wins, else the first invalid one.
 * POSIX threads, clocks and C11 atomics: this file is what ties the frontend to them (Linux
 * here). */
#define _GNU_SOURCE /* sched_getaffinity(), CPU_COUNT() (Linux), clock_gettime(), sysconf() */
#include "internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Bytes of code per batch: a quarter of each thread's share of the code not yet placed, within
 * these bounds, so that batches shrink toward the end and the threads finish close together
 * ("guided" scheduling). yosys (30 MB) on 2 threads ran 1-9% faster with 256 KB batches than with
 * 16 KB ones (6 of 6 interleaved rounds; docs/BENCHMARKS.md). */
#define BATCH_MIN 4096u
#define BATCH_MAX 262144u
/* While placing bodies, the lines this far apart in the next 4 KB are asked for ahead (yosys on
 * 2 threads: +4.4% against none, 9 of 10 rounds of ab.py --threads 2; 4 lines 2 KB apart gave
 * +2.7%, 6 of 10). */
#define PLACE_AHEAD_LINES 8
#define PLACE_AHEAD_STEP  512
/* No more threads than one per this much code. */
#define THREAD_MIN_BYTES 16384u
/* Less code than this stays on the calling thread: starting a thread costs tens of microseconds,
 * about what validating 32 KB takes. */
#define PAR_MIN_BYTES 131072u

/* A body's error and its index in the code section; index UINT32_MAX when none. */
struct found {
    uint32_t index;
    struct wdec_error err;
};

struct par {
    const struct wdec_module *m;
    uint32_t first_func;   /* function index of body 0 */
    uint32_t *batch_start; /* body index where batch b starts, and [b + 1] where it ends */
    /* Batches 0..ready-1 are placed (batch_start[0..ready] written before ready, with release
     * order); batch_count is their final number once all are placed, UINT32_MAX before. */
    atomic_uint ready;
    atomic_uint batch_count;
    atomic_uint next_batch;
    /* Lowest body index with a malformed (or out-of-memory) error so far, and with an invalid
     * one: later bodies need no full validation then, or no decoding at all. */
    atomic_uint stop_at;
    atomic_uint invalid_at;
};

struct worker {
    struct par *par;
    struct wdec_scratch scratch;
    struct found hard;    /* malformed or out of memory: stops the module */
    struct found invalid; /* validation error: reported unless something is malformed */
};

static void lower_to(atomic_uint *a, uint32_t v)
{
    unsigned cur = atomic_load_explicit(a, memory_order_relaxed);
    while (v < cur && !atomic_compare_exchange_weak_explicit(a, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed)) {
    }
}

static const struct wdec_visitor no_visitor;

/* One body, as code_section() takes it: validated, or only decoded once an earlier body is known
 * to be invalid (then only a malformed byte can still matter). */
static void one_body(struct worker *w, uint32_t i)
{
    struct par *p = w->par;
    uint32_t fi = p->first_func + i;
    struct wdec_error err;
    memset(&err, 0, sizeof err);
    wdec_status st;
    if (atomic_load_explicit(&p->invalid_at, memory_order_relaxed) < i) {
        st = wdec_body_scan(p->m, &w->scratch, fi, &err);
    } else {
        st = wdec_body_decode(p->m, &w->scratch, fi, &no_visitor, NULL, &err);
        if (st && wdec_status_is_invalid(st)) {
            /* This worker's first: invalid_at <= i from here on, so its later bodies (higher
             * indices) take the branch above. */
            w->invalid.index = i;
            w->invalid.err = err;
            lower_to(&p->invalid_at, i);
            memset(&err, 0, sizeof err);
            st = wdec_body_scan(p->m, &w->scratch, fi, &err);
        }
    }
    if (st) { /* this worker's first and last: stop_at <= i makes work() take no more bodies */
        w->hard.index = i;
        w->hard.err = err;
        lower_to(&p->stop_at, i);
    }
}

/* A spin-wait hint to the CPU. */
static inline void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits until batch b is placed: true then, false if there is no batch b. The calling thread
 * places batches far faster than they are validated (yosys's 28 MB of code in 1-2 ms, against
 * ~0.6 GB/s), so a wait is short: spun, then yielded in case the placing thread shares this CPU. */
static bool batch_wait(struct par *p, uint32_t b)
{
    for (unsigned spins = 0;; spins++) {
        if (b < atomic_load_explicit(&p->ready, memory_order_acquire))
            return true;
        if (b >= atomic_load_explicit(&p->batch_count, memory_order_acquire))
            return false;
        if (spins < 1024)
            cpu_pause();
        else
            sched_yield();
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct par *p = w->par;
    for (;;) {
        uint32_t b = atomic_fetch_add_explicit(&p->next_batch, 1, memory_order_relaxed);
        if (!batch_wait(p, b))
            break;
        for (uint32_t i = p->batch_start[b]; i < p->batch_start[b + 1]; i++) {
            /* Nothing after a malformed body can change the verdict. */
            if (atomic_load_explicit(&p->stop_at, memory_order_relaxed) < i)
                break;
            one_body(w, i);
        }
    }
    return NULL;
}

/* --- A pool of threads kept across decodes (wdec_pool_new()) ---
 * Threads started for one decode begin on the caller's CPU and reach another only when the
 * scheduler moves them, often after a module of sql.js's size is done; kept threads wait on the
 * CPU they last ran on. One decode uses the pool at a time; another one meanwhile starts threads
 * of its own.
 * Waking a thread that sleeps costs the waker a system call and the sleeper tens to hundreds of
 * microseconds before it runs (on this VM, sql.js on 2 threads: setting the job up and waking
 * the thread took 6-43 us, and the woken thread took its first batch 58-212 us after the
 * parallel part's start), against ~1.2 ms for all of sql.js's bodies. So a pool thread spins for
 * POOL_SPIN_US after each job before it sleeps, and a decode that comes meanwhile starts it without
 * a wake-up; and the caller of a decode, done with its own share, spins as long for the pool's
 * threads to finish before it sleeps (guided batches end within microseconds of each other, yet the
 * caller slept and was woken 50-150 us later in 3 of 20 traced decodes). docs/BENCHMARKS.md,
 * session 10. Only a pool with a CPU for each of its threads and the caller spins (a spinning
 * thread would hold a CPU that a working one needs), and only a thread that took part in the last
 * job. */

/* How long a spinning thread spins (pause, the clock read every 64 rounds) before it sleeps. */
#define POOL_SPIN_US 200u

struct wdec_pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    uint32_t count; /* threads of the pool (the caller of a decode works too) */
    pthread_t *tids;
    /* The job's number times 64 plus the number of pool threads that take part in it (fewer
     * than 64): one word, so that a thread which takes no part reads the count of the job it
     * saw, not of the next one. Stored (sequentially consistent) once job and running are set. */
    atomic_ullong ticket;
    struct worker *job;  /* the job's workers: job[1 + k] for pool thread k */
    atomic_uint running; /* pool threads in the job not done yet */
    uint32_t sleepers;   /* pool threads asleep on `go` (under mu) */
    atomic_bool waiter;  /* the caller of the job sleeps on `done`, or is about to */
    atomic_bool busy, quit;
    bool spin;          /* a CPU for each thread and the caller when the pool was made */
    uint32_t job_count; /* pool threads in the job (while busy) */
    /* Scratch memory kept between decodes (wdec_scratch_keep()): each pool thread's, handed to
     * the job's worker before the job starts and taken back before the pool is free again; and
     * that of the caller of a decode (wdec_pool_scratch_take()), for one decode at a time. */
    struct wdec_scratch *kept; /* kept[k]: pool thread k's */
    struct wdec_scratch caller;
    atomic_bool caller_taken;
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A spin of POOL_SPIN_US at most (none when not `on`): `while (cond && spin_on(&s))`. */
struct spin {
    uint64_t t0;
    unsigned rounds;
    bool on;
};

static struct spin spin_begin(bool on)
{
    return (struct spin){on ? now_us() : 0, 0, on};
}

/* One round more (a pause; the clock read every 64): false once the time is up. */
static bool spin_on(struct spin *s)
{
    if (!s->on)
        return false;
    cpu_pause();
    return ++s->rounds % 64 != 0 || now_us() - s->t0 < POOL_SPIN_US;
}

/* A pool thread's wait for a job other than `seen` (or for quit): spun (when `spin`), then
 * asleep on `go`. pool_start() sets the ticket before it reads sleepers under mu, and a thread
 * counts itself in sleepers before it reads the ticket under mu: one of the two sees the other's
 * write, so no job is slept through. */
static unsigned long long next_job(struct wdec_pool *pool, unsigned long long seen, bool spin)
{
    unsigned long long t;
    struct spin s = spin_begin(spin);
    do {
        t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
        if (t != seen || atomic_load_explicit(&pool->quit, memory_order_relaxed))
            return t;
    } while (spin_on(&s));
    pthread_mutex_lock(&pool->mu);
    pool->sleepers++; /* under mu */
    while ((t = atomic_load(&pool->ticket)) == seen && !atomic_load(&pool->quit))
        pthread_cond_wait(&pool->go, &pool->mu);
    pool->sleepers--;
    pthread_mutex_unlock(&pool->mu);
    return t;
}

_Static_assert(WDEC_MAX_THREADS <= 64,
               "a pool's threads but the caller's fit in a ticket's 6 bits");

struct pool_thread {
    struct wdec_pool *pool;
    uint32_t k;
};

static void *pool_main(void *arg)
{
    struct pool_thread pt = *(struct pool_thread *)arg;
    free(arg);
    struct wdec_pool *pool = pt.pool;
    unsigned long long seen = 0;
    for (bool took_part = false;;) {
        seen = next_job(pool, seen, took_part && pool->spin);
        if (atomic_load_explicit(&pool->quit, memory_order_relaxed))
            break;
        took_part = pt.k < seen % 64;
        if (!took_part)
            continue;
        work(&pool->job[1 + pt.k]);
        /* The last one wakes the caller if it sleeps: it sets waiter before it reads running,
         * this thread lowers running before it reads waiter (both sequentially consistent), so
         * at least one of the two sees the other's write. */
        if (atomic_fetch_sub(&pool->running, 1) == 1 && atomic_load(&pool->waiter)) {
            pthread_mutex_lock(&pool->mu);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->mu);
        }
    }
    return NULL;
}

void wdec_pool_free(struct wdec_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    atomic_store(&pool->quit, true);
    pthread_cond_broadcast(&pool->go);
    pthread_mutex_unlock(&pool->mu);
    for (uint32_t k = 0; k < pool->count; k++)
        pthread_join(pool->tids[k], NULL);
    for (uint32_t k = 0; k < pool->count; k++)
        wdec_scratch_free(&pool->kept[k]);
    wdec_scratch_free(&pool->caller);
    pthread_cond_destroy(&pool->go);
    pthread_cond_destroy(&pool->done);
    pthread_mutex_destroy(&pool->mu);
    free(pool->kept);
    free(pool->tids);
    free(pool);
}

struct wdec_pool *wdec_pool_new(uint32_t threads)
{
    if (threads < 1)
        return NULL;
    if (threads > WDEC_MAX_THREADS)
        threads = WDEC_MAX_THREADS;
    struct wdec_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    atomic_init(&pool->ticket, 0);
    atomic_init(&pool->running, 0);
    atomic_init(&pool->waiter, false);
    atomic_init(&pool->busy, false);
    atomic_init(&pool->quit, false);
    atomic_init(&pool->caller_taken, false);
    /* Room for `threads`, one more than the pool's own threads, so that a pool of one (with none
     * of its own) has its arrays too. */
    pool->tids = calloc(threads, sizeof *pool->tids);
    pool->kept = calloc(threads, sizeof *pool->kept);
    if (!pool->tids || !pool->kept || pthread_mutex_init(&pool->mu, NULL) != 0) {
        free(pool->kept);
        free(pool->tids);
        free(pool);
        return NULL;
    }
    pthread_cond_init(&pool->go, NULL);
    pthread_cond_init(&pool->done, NULL);
    pool->spin = wdec_cpus() >= threads; /* set before the threads start, which read it */
    for (uint32_t k = 0; k < threads - 1; k++) {
        struct pool_thread *pt = malloc(sizeof *pt);
        if (!pt)
            break;
        *pt = (struct pool_thread){pool, k};
        if (pthread_create(&pool->tids[k], NULL, pool_main, pt) != 0) {
            free(pt);
            break;
        }
        pool->count++;
    }
    if (pool->count == 0 && threads > 1) { /* none started: not the pool that was asked for */
        wdec_pool_free(pool);
        return NULL;
    }
    return pool;
}

/* Moves scratch *from to *to, leaving *from empty. */
static void scratch_move(struct wdec_scratch *to, struct wdec_scratch *from)
{
    *to = *from;
    memset(from, 0, sizeof *from);
}

bool wdec_pool_scratch_take(struct wdec_pool *pool, struct wdec_scratch *s)
{
    bool taken = false;
    if (!atomic_compare_exchange_strong(&pool->caller_taken, &taken, true))
        return false;
    scratch_move(s, &pool->caller);
    return true;
}

void wdec_pool_scratch_give(struct wdec_pool *pool, struct wdec_scratch *s)
{
    wdec_scratch_keep(s);
    scratch_move(&pool->caller, s);
    atomic_store_explicit(&pool->caller_taken, false, memory_order_release);
}

uint32_t wdec_pool_threads(const struct wdec_pool *pool)
{
    return pool ? pool->count + 1 : 1;
}

uint32_t wdec_cpus(void)
{
    cpu_set_t set;
    long cpus = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = CPU_COUNT(&set);
    if (cpus < 1)
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > WDEC_MAX_THREADS ? WDEC_MAX_THREADS : (uint32_t)cpus;
}

/* Sets the pool's threads to work on ws[1..n) and returns true, if the pool is free; false (nothing
 * started) if it is not. pool_wait() then waits for them. */
static bool pool_start(struct wdec_pool *pool, struct worker *ws, uint32_t n)
{
    bool idle = false;
    if (!atomic_compare_exchange_strong(&pool->busy, &idle, true))
        return false;
    uint32_t job_count = n - 1 < pool->count ? n - 1 : pool->count;
    pool->job = ws;
    pool->job_count = job_count;
    for (uint32_t k = 0; k < job_count; k++) /* each thread's kept scratch to its worker */
        scratch_move(&ws[1 + k].scratch, &pool->kept[k]);
    atomic_store_explicit(&pool->running, job_count, memory_order_relaxed);
    /* Spinning threads take the job from here. */
    unsigned long long t = atomic_load_explicit(&pool->ticket, memory_order_relaxed);
    atomic_store(&pool->ticket, (t / 64 + 1) * 64 + job_count);
    pthread_mutex_lock(&pool->mu);
    if (pool->sleepers) /* a system call: only for threads that sleep */
        pthread_cond_broadcast(&pool->go);
    pthread_mutex_unlock(&pool->mu);
    return true;
}

/* Waits for the pool's threads to finish the job; the pool stays busy (pool_release()). */
static void pool_wait(struct wdec_pool *pool)
{
    struct spin s = spin_begin(pool->spin);
    while (atomic_load_explicit(&pool->running, memory_order_acquire) && spin_on(&s)) {
    }
    if (atomic_load(&pool->running)) {
        pthread_mutex_lock(&pool->mu);
        atomic_store(&pool->waiter, true);
        while (atomic_load(&pool->running))
            pthread_cond_wait(&pool->done, &pool->mu);
        atomic_store(&pool->waiter, false);
        pthread_mutex_unlock(&pool->mu);
    }
}

/* After pool_wait(): takes back the scratch of each pool thread's worker, kept for the next job,
 * and frees the pool for the next decode. */
static void pool_release(struct wdec_pool *pool)
{
    for (uint32_t k = 0; k < pool->job_count; k++) {
        wdec_scratch_keep(&pool->job[1 + k].scratch);
        scratch_move(&pool->kept[k], &pool->job[1 + k].scratch);
    }
    pool->job = NULL;
    pool->job_count = 0;
    atomic_store_explicit(&pool->busy, false, memory_order_release);
}

uint32_t wdec_code_par_threads(uint32_t want, uint64_t code_bytes)
{
    uint64_t batches = code_bytes / THREAD_MIN_BYTES;
    if (want <= 1 || code_bytes < PAR_MIN_BYTES)
        return 1;
    if (want > WDEC_MAX_THREADS)
        want = WDEC_MAX_THREADS;
    return batches < want ? (uint32_t)batches : want;
}

/* The calling thread's first part: bodies placed one by one, each run of `batch` bytes or more
 * (see BATCH_MIN) published as a batch; at most `cap` batches, the last one taking the rest.
 * Stops early once a body is known to be malformed (nothing after it can change the verdict).
 * *st is body_place()'s status. */
static void place_batches(struct par *p, struct wdec_module *m, struct rd *r, uint32_t n,
                          uint64_t code_bytes, uint32_t threads, uint32_t cap, wdec_status *st)
{
    uint32_t nb = 0, i = 0;
    uint64_t acc = 0, batch = 0, placed = 0;
    *st = WDEC_OK;
    for (; i < n; i++) {
        if (acc >= batch && nb < cap) { /* body i starts batch nb; batches 0..nb-1 are whole */
            p->batch_start[nb] = i;
            if (nb) {
                atomic_store_explicit(&p->ready, nb, memory_order_release);
                if (atomic_load_explicit(&p->stop_at, memory_order_relaxed) < i) {
                    /* batch_start[nb] is published, and may be being read: not written again */
                    atomic_store_explicit(&p->batch_count, nb, memory_order_release);
                    return;
                }
            }
            nb++;
            acc = 0;
            batch = (code_bytes > placed ? code_bytes - placed : 0) / ((uint64_t)threads * 4);
            batch = batch < BATCH_MIN ? BATCH_MIN : batch > BATCH_MAX ? BATCH_MAX : batch;
        }
        /* Where the next bodies' sizes are is known only once each size is read: one cache miss
         * (and often a TLB miss) after another. Most bodies are small, so the next sizes are
         * usually in the next few KB: asking for those lines early overlaps the misses. A
         * prefetch never faults; the address is formed as an integer since it may lie past the
         * module's end. */
        for (uintptr_t k = 1; k <= PLACE_AHEAD_LINES; k++)
            __builtin_prefetch((const void *)((uintptr_t)r->p + PLACE_AHEAD_STEP * k));
        if ((*st = body_place(r, m, i)) != WDEC_OK)
            break;
        uint32_t size = m->funcs[p->first_func + i].body_size;
        acc += size;
        placed += size;
    }
    p->batch_start[nb] = i;
    atomic_store_explicit(&p->ready, nb, memory_order_release);
    atomic_store_explicit(&p->batch_count, nb, memory_order_release);
}

struct wdec_par {
    struct par p;
    struct worker *ws;
    uint32_t started;       /* threads taking part, the calling one included */
    struct wdec_pool *pool; /* when the pool's threads took part; else tids */
    pthread_t *tids;
};

static void par_free(struct wdec_par *par)
{
    free(par->p.batch_start);
    free(par->ws);
    free(par->tids);
    free(par);
}

wdec_status wdec_code_par_begin(struct wdec_module *m, struct rd *r, uint32_t n,
                                uint64_t code_bytes, uint32_t threads, struct wdec_pool *pool,
                                struct wdec_scratch *s0, struct wdec_par **out)
{
    /* Batches of whole bodies, at least BATCH_MIN bytes each but the last: at most
     * code_bytes / BATCH_MIN + 1 of them, and the last one takes the rest if bodies run past the
     * section (body_place() checks against the module's end). */
    uint64_t cap = code_bytes / BATCH_MIN + 1;
    cap = cap < n ? cap : n;
    *out = NULL;
    struct wdec_par *par = calloc(1, sizeof *par);
    if (par) {
        par->p.batch_start = malloc(((size_t)cap + 1) * sizeof *par->p.batch_start);
        par->ws = calloc(threads, sizeof *par->ws);
    }
    if (!par || !par->p.batch_start || !par->ws) {
        if (par)
            par_free(par);
        return wdec_fail(r->err, WDEC_ERR_OUT_OF_MEMORY, rd_off(r), NULL);
    }
    struct par *p = &par->p;
    struct worker *ws = par->ws;
    p->m = m;
    p->first_func = m->func_import_count;
    atomic_init(&p->ready, 0);
    atomic_init(&p->batch_count, UINT32_MAX);
    atomic_init(&p->next_batch, 0);
    atomic_init(&p->stop_at, UINT32_MAX);
    atomic_init(&p->invalid_at, UINT32_MAX);
    for (uint32_t t = 0; t < threads; t++) {
        ws[t].par = p;
        ws[t].hard.index = UINT32_MAX;
        ws[t].invalid.index = UINT32_MAX;
    }
    /* The calling thread is worker 0 with the module's own scratch; the others are the pool's,
     * or start here. A thread that cannot be started leaves its share to those that did. */
    ws[0].scratch = *s0;
    memset(s0, 0, sizeof *s0);
    par->started = threads;
    if (pool && pool_start(pool, ws, threads)) {
        par->pool = pool;
    } else {
        par->started = 1;
        par->tids = calloc(threads, sizeof *par->tids); /* none: the calling thread does it all */
        for (uint32_t t = 1; par->tids && t < threads; t++) {
            if (pthread_create(&par->tids[t], NULL, work, &ws[t]) != 0)
                break;
            par->started++;
        }
    }
    *out = par;
    wdec_status st;
    place_batches(p, m, r, n, code_bytes, threads, (uint32_t)cap, &st);
    return st;
}

wdec_status wdec_code_par_end(struct wdec_par *par, wdec_status st, struct wdec_error *err,
                              struct wdec_scratch *s0, struct wdec_error *invalid)
{
    struct worker *ws = par->ws;
    work(&ws[0]);
    if (par->pool) {
        pool_wait(par->pool);
    } else {
        for (uint32_t t = 1; t < par->started; t++)
            pthread_join(par->tids[t], NULL);
    }
    *s0 = ws[0].scratch; /* s0 was left empty by wdec_code_par_begin() */

    /* The first error in module order, as one thread would have found it; and the first use of
     * a data index (judged later by wdec_data_use_check()). */
    const struct found *hard = NULL, *inv = NULL;
    for (uint32_t t = 0; t < par->started; t++) {
        if (ws[t].hard.index != UINT32_MAX && (!hard || ws[t].hard.index < hard->index))
            hard = &ws[t].hard;
        if (ws[t].invalid.index != UINT32_MAX && (!inv || ws[t].invalid.index < inv->index))
            inv = &ws[t].invalid;
        const struct wdec_scratch *s = &ws[t].scratch;
        if (t > 0 && s->data_use && (!s0->data_use || s->data_use_offset < s0->data_use_offset)) {
            s0->data_use = true;
            s0->data_use_index = s->data_use_index;
            s0->data_use_offset = s->data_use_offset;
        }
    }
    if (hard) {
        *err = hard->err;
        st = hard->err.status;
    } else if (!st && inv) {
        *invalid = inv->err;
    }
    if (par->pool) {
        pool_release(par->pool); /* the scratch of its threads' workers back to the pool */
    } else {
        for (uint32_t t = 1; t < par->started; t++)
            wdec_scratch_free(&ws[t].scratch);
    }
    par_free(par);
    return st;
}
