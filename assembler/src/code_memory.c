/* SPDX-License-Identifier: Apache-2.0 */
/* The assembler's only mmap/mprotect: finished code goes into fresh RW pages, gets its
 * absolute label slots relocated, and is sealed RX. No page is ever writable and executable. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */

#include "x64/code_memory.h"

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
