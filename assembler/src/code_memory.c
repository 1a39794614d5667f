/* SPDX-License-Identifier: Apache-2.0 */
/* The assembler's only mmap/mprotect: finished code goes into fresh RW pages, gets its
 * absolute label slots relocated, and is sealed RX. No page is ever writable and executable. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */

#include "x64/code_memory.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Maps RW, copies, adds `base` to each 8-byte slot in relocs, then seals RX. */
static enum x64_status seal(const uint8_t *bytes, size_t len, const size_t *rel, size_t nrel,
                            struct x64_code *out)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t ps = page > 0 ? (size_t)page : 4096u;
    size_t size = len ? len : 1;
    size_t map_size = (size + ps - 1) / ps * ps;
    void *mem = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return X64_ERR_OS;
    if (len > 0)
        memcpy(mem, bytes, len);
    uint64_t base = (uint64_t)(uintptr_t)mem;
    for (size_t i = 0; i < nrel; i++) {
        uint8_t *p = (uint8_t *)mem + rel[i];
        uint64_t v = 0;
        for (unsigned k = 0; k < 8; k++)
            v |= (uint64_t)p[k] << (8 * k);
        v += base;
        for (unsigned k = 0; k < 8; k++)
            p[k] = (uint8_t)(v >> (8 * k));
    }
    if (mprotect(mem, map_size, PROT_READ | PROT_EXEC) != 0) {
        munmap(mem, map_size);
        return X64_ERR_OS;
    }
    out->addr = mem;
    out->size = len;
    out->map_size = map_size;
    return X64_OK;
}

enum x64_status x64_code_seal(struct x64_buf *b, struct x64_code *out)
{
    if (b == NULL || out == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    enum x64_status s = x64_buf_finish(b);
    if (s != X64_OK)
        return s;
    size_t nrel = 0;
    const size_t *rel = x64_buf_relocs(b, &nrel);
    return seal(b->data, b->len, rel, nrel, out);
}

enum x64_status x64_code_seal_bytes(const void *bytes, size_t size, struct x64_code *out)
{
    if (out == NULL || (bytes == NULL && size > 0))
        return X64_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    return seal(bytes, size, NULL, 0, out);
}

/* --- Code space --- */

#define HUGE_PAGE       ((size_t)2 << 20)
#define HUGE_HINT_BYTES ((size_t)4 << 20) /* from here on, huge pages pay for their rounding */
#define MIN_STEP        ((size_t)64 << 10)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels answer EINVAL, which we ignore */
#endif

static size_t page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096u;
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* Huge pages only pay off when the space is huge-page aligned and grows in whole huge pages. */
static size_t space_granule(const struct x64_code_space *s)
{
    return s->reserved >= HUGE_HINT_BYTES && ((uintptr_t)s->addr & (HUGE_PAGE - 1)) == 0
               ? HUGE_PAGE
               : page_size();
}

enum x64_status x64_code_space_reserve(struct x64_code_space *s, size_t max_size, size_t hint)
{
    if (s == NULL || max_size == 0 || max_size > ((size_t)1 << 40))
        return X64_ERR_INVALID_ARGUMENT;
    memset(s, 0, sizeof *s);
    bool huge = hint >= HUGE_HINT_BYTES;
    size_t size = round_up(max_size < hint ? hint : max_size, huge ? HUGE_PAGE : page_size());
    /* PROT_NONE + MAP_NORESERVE: address space only; pages are committed by _ensure. For huge
     * pages, map one extra huge page and trim the ends so the start is 2 MiB aligned. */
    size_t map = huge ? size + HUGE_PAGE : size;
    void *mem = mmap(NULL, map, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return X64_ERR_OS;
    uint8_t *addr = mem;
    if (huge) {
        uint8_t *aligned = (uint8_t *)round_up((uintptr_t)mem, HUGE_PAGE);
        if (aligned > addr)
            munmap(addr, (size_t)(aligned - addr));
        size_t tail = (size_t)(addr + map - (aligned + size));
        if (tail > 0)
            munmap(aligned + size, tail);
        addr = aligned;
        /* Advice only: without THP the space still works with small pages. */
        (void)madvise(addr, size, MADV_HUGEPAGE);
    }
    s->addr = addr;
    s->reserved = size;
    return X64_OK;
}

/* Moves the written bytes to a reservation of at least `need` bytes. */
static enum x64_status space_move(struct x64_code_space *s, size_t need)
{
    struct x64_code_space n;
    size_t want = s->reserved * 2 > need ? s->reserved * 2 : need;
    enum x64_status st = x64_code_space_reserve(&n, want, want);
    if (st != X64_OK)
        return st;
    st = x64_code_space_ensure(&n, s->writable > 0 ? s->writable : 1);
    if (st != X64_OK) {
        x64_code_space_free(&n);
        return st;
    }
    memcpy(n.addr, s->addr, s->writable);
    x64_code_space_free(s);
    *s = n;
    return X64_OK;
}

enum x64_status x64_code_space_ensure(struct x64_code_space *s, size_t size)
{
    if (s == NULL || s->addr == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    if (size <= s->writable)
        return X64_OK;
    if (size > ((size_t)1 << 40))
        return X64_ERR_TOO_LARGE;
    if (size > s->reserved) {
        enum x64_status st = space_move(s, size);
        if (st != X64_OK)
            return st;
        if (size <= s->writable)
            return X64_OK;
    }
    size_t want = s->writable * 2;
    if (want < size)
        want = size;
    if (want < MIN_STEP)
        want = MIN_STEP;
    want = round_up(want, space_granule(s));
    if (want > s->reserved)
        want = s->reserved;
    uint8_t *from = s->addr + s->writable;
    size_t n = want - s->writable;
    if (mprotect(from, n, PROT_READ | PROT_WRITE) != 0)
        return X64_ERR_OS;
    /* Fault the new pages in with one call instead of one trap per page (several times
     * cheaper under virtualisation). Advice only: an old kernel refuses it harmlessly. */
    (void)madvise(from, n, MADV_POPULATE_WRITE);
    s->writable = want;
    return X64_OK;
}

enum x64_status x64_code_space_seal(struct x64_code_space *s, size_t size, struct x64_code *out)
{
    if (s == NULL || out == NULL || s->addr == NULL || size > s->writable)
        return X64_ERR_INVALID_ARGUMENT;
    size_t map_size = round_up(size ? size : 1, page_size());
    if (map_size > s->writable) {
        /* Nothing written yet (size 0): seal one committed page. */
        enum x64_status st = x64_code_space_ensure(s, map_size);
        if (st != X64_OK)
            return st;
    }
    if (mprotect(s->addr, map_size, PROT_READ | PROT_EXEC) != 0)
        return X64_ERR_OS;
    if (s->reserved > map_size)
        munmap(s->addr + map_size, s->reserved - map_size);
    memset(out, 0, sizeof *out);
    out->addr = s->addr;
    out->size = size;
    out->map_size = map_size;
    memset(s, 0, sizeof *s);
    return X64_OK;
}

void x64_code_space_free(struct x64_code_space *s)
{
    if (s == NULL)
        return;
    if (s->addr != NULL)
        munmap(s->addr, s->reserved);
    memset(s, 0, sizeof *s);
}

void x64_code_free(struct x64_code *c)
{
    if (c == NULL)
        return;
    if (c->addr != NULL)
        munmap(c->addr, c->map_size);
    memset(c, 0, sizeof *c);
}

/* SysV: integer arguments in rdi..r9, doubles in xmm0..7. Passing all 6 + 8 is harmless for a
 * callee that reads fewer: every one travels in a register and the caller cleans up. */
typedef uint64_t (*fn_int)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, double,
                           double, double, double, double, double, double, double);
typedef double (*fn_f64)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, double, double,
                         double, double, double, double, double, double);

static void load_args(uint64_t ia[6], double xa[8], const uint64_t *int_args, size_t n_int,
                      const double *xmm_args, size_t n_xmm)
{
    for (size_t i = 0; i < 6; i++)
        ia[i] = (int_args != NULL && i < n_int) ? int_args[i] : 0;
    for (size_t i = 0; i < 8; i++)
        xa[i] = (xmm_args != NULL && i < n_xmm) ? xmm_args[i] : 0.0;
}

uint64_t x64_code_call_int(const void *fn, const uint64_t *int_args, size_t n_int,
                           const double *xmm_args, size_t n_xmm)
{
    uint64_t ia[6];
    double xa[8];
    load_args(ia, xa, int_args, n_int, xmm_args, n_xmm);
    /* Object pointer -> function pointer through uintptr_t (ISO C has no direct cast). */
    fn_int f = (fn_int)(uintptr_t)fn;
    return f(ia[0], ia[1], ia[2], ia[3], ia[4], ia[5], xa[0], xa[1], xa[2], xa[3], xa[4], xa[5],
             xa[6], xa[7]);
}

double x64_code_call_f64(const void *fn, const uint64_t *int_args, size_t n_int,
                         const double *xmm_args, size_t n_xmm)
{
    uint64_t ia[6];
    double xa[8];
    load_args(ia, xa, int_args, n_int, xmm_args, n_xmm);
    fn_f64 f = (fn_f64)(uintptr_t)fn;
    return f(ia[0], ia[1], ia[2], ia[3], ia[4], ia[5], xa[0], xa[1], xa[2], xa[3], xa[4], xa[5],
             xa[6], xa[7]);
}
