/* SPDX-License-Identifier: Apache-2.0 */
/* Executable memory: finished code is copied into pages mapped read-write, relocated, and then
 * sealed read-execute with mprotect. No page is ever writable and executable at once. */
#ifndef X64_CODE_MEMORY_H
#define X64_CODE_MEMORY_H

#include "x64/buffer.h"

#include <stddef.h>
#include <stdint.h>

/* Sealed code. `addr` is the first byte of the buffer's code; `size` its length. */
struct x64_code {
    void *addr;
    size_t size;
    size_t map_size; /* bytes mapped (whole pages) */
};

/* Finishes `b` if needed, copies its bytes into fresh RW pages, adds the base address to every
 * absolute label slot (x64_buf_relocs()), then makes the pages RX. On success fills `out`.
 * Returns the buffer's status, X64_ERR_INVALID_ARGUMENT, or X64_ERR_OS (mmap/mprotect failed;
 * nothing stays mapped). The buffer is unchanged and can be freed independently. */
enum x64_status x64_code_seal(struct x64_buf *b, struct x64_code *out);

/* Seals `size` bytes of finished, position-independent code (no absolute relocations) the
 * same way. Returns X64_OK, X64_ERR_INVALID_ARGUMENT or X64_ERR_OS. */
enum x64_status x64_code_seal_bytes(const void *bytes, size_t size, struct x64_code *out);

/* --- Code space: write code where it will run, then seal it in place --- */

/* A reservation of address space that code is written into directly and then sealed RX in
 * place, so large code is never copied and its pages are faulted in only once. Bytes
 * [addr, addr + writable) are RW; the rest of the reservation is PROT_NONE. Never W+X: sealing
 * turns the written part RX and unmaps the rest. Fields are read-only for the user. */
struct x64_code_space {
    uint8_t *addr; /* NULL when empty */
    size_t reserved;
    size_t writable;
};

/* Reserves at least `max_size` bytes of address space (nothing is committed yet). `hint` is
 * the size the code is expected to reach: from a few MiB on, the space asks the kernel for
 * transparent huge pages (fewer page faults while writing, fewer iTLB misses when running).
 * Returns X64_OK, X64_ERR_INVALID_ARGUMENT or X64_ERR_OS (then `s` is zeroed). */
enum x64_status x64_code_space_reserve(struct x64_code_space *s, size_t max_size, size_t hint);

/* Makes the first `size` bytes writable, growing in large steps. If `size` exceeds the
 * reservation, the written bytes move to a larger one: `addr` may change, so re-read it.
 * Returns X64_OK, X64_ERR_INVALID_ARGUMENT, X64_ERR_TOO_LARGE or X64_ERR_OS (the space and
 * its bytes are unchanged on error). */
enum x64_status x64_code_space_ensure(struct x64_code_space *s, size_t size);

/* Seals the first `size` bytes (<= writable) RX in place and releases the rest of the
 * reservation. On success `out` owns the mapping (free it with x64_code_free()) and `s` is
 * zeroed. Returns X64_OK, X64_ERR_INVALID_ARGUMENT or X64_ERR_OS (`s` unchanged). */
enum x64_status x64_code_space_seal(struct x64_code_space *s, size_t size, struct x64_code *out);

/* Unmaps the whole reservation; safe on a zeroed struct. Leaves it zeroed. */
void x64_code_space_free(struct x64_code_space *s);

/* Unmaps sealed code; safe on a zeroed struct. Leaves it zeroed. */
void x64_code_free(struct x64_code *c);

/* The address of `offset` bytes into the sealed code (e.g. a label's offset). */
static inline void *x64_code_at(const struct x64_code *c, size_t offset)
{
    return (uint8_t *)c->addr + offset;
}

/* Calls sealed code at `fn` as a SysV function taking up to 6 integer/pointer arguments
 * (rdi, rsi, rdx, rcx, r8, r9) and up to 8 double arguments (xmm0-7). Unused slots may be
 * NULL (passed as zeros). x64_code_call_int returns rax, x64_code_call_f64 returns xmm0. */
uint64_t x64_code_call_int(const void *fn, const uint64_t *int_args, size_t n_int,
                           const double *xmm_args, size_t n_xmm);
double x64_code_call_f64(const void *fn, const uint64_t *int_args, size_t n_int,
                         const double *xmm_args, size_t n_xmm);

#endif /* X64_CODE_MEMORY_H */
