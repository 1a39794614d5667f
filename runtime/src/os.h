/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's only window on the operating system (implemented in os_posix.c, the one file
 * with POSIX feature macros): address-space reservations, page protections, the native stack's
 * bounds, fault signals and the jump back from a trap to the C code that entered Wasm. */
#ifndef RT_OS_H
#define RT_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Address space --- */

size_t rt_os_page_size(void);
/* Reserves `size` bytes of inaccessible address space (PROT_NONE, no swap reserved); NULL on
 * failure. */
void *rt_os_reserve(size_t size);
/* Makes [addr, addr+size) readable and writable (page aligned). */
bool rt_os_commit(void *addr, size_t size);
/* Makes [addr, addr+size) inaccessible again and gives its pages back (they read as zero when
 * committed again). */
bool rt_os_decommit(void *addr, size_t size);
void rt_os_release(void *addr, size_t size);

/* --- Time --- */

/* Monotonic seconds. */
double rt_os_now(void);

/* --- Native stack --- */

/* Lowest and highest address of the calling thread's stack; false if unknown. */
bool rt_os_stack_bounds(uintptr_t *out_low, uintptr_t *out_high);

/* --- Faults and traps --- */

/* Decides whether a fault belongs to Wasm: returns a trap kind (> 0) or 0 for "not ours". Runs
 * inside a signal handler: it must be async-signal-safe (no locks, no allocation). */
typedef int (*rt_fault_classifier)(int signo, uintptr_t pc, uintptr_t fault_addr, uintptr_t sp);

enum { RT_SIG_SEGV = 1, RT_SIG_BUS, RT_SIG_FPE, RT_SIG_ILL };

/* Installs the SIGSEGV/SIGBUS/SIGFPE/SIGILL handlers once per process (later calls do nothing),
 * remembering the handlers installed before so faults that are not ours go to them (ASan's, or
 * the default action). Also gives the calling thread an alternate signal stack. */
bool rt_os_install_fault_handlers(rt_fault_classifier classify);
/* Gives the calling thread an alternate signal stack if it has none (needed to handle a fault
 * on an exhausted stack). */
bool rt_os_ensure_altstack(void);

/* Calls fn(arg) with a recovery point. Returns 0 when fn returned normally, or the trap kind
 * passed to rt_os_unwind (or found by the classifier for a fault) when it unwound. Nests: the
 * innermost guarded call catches. */
int rt_os_guarded_call(void (*fn)(void *arg), void *arg);
/* Unwinds to the innermost guarded call, which returns `kind` (> 0). Requires one. */
_Noreturn void rt_os_unwind(int kind);
/* True while a guarded call is running on this thread. */
bool rt_os_in_guarded_call(void);

#endif
