/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX (Linux x86-64) side of the runtime: mmap reservations and mprotect for linear memory,
 * the thread's stack bounds, sigaction/sigaltstack for fault signals, and sigsetjmp/siglongjmp
 * for the way out of a trap. The only file with feature macros (STYLE.md, section 11). */
#define _GNU_SOURCE 1 /* REG_RIP, pthread_getattr_np, MAP_NORESERVE */

#include "os.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* --- Address space --- */

size_t rt_os_page_size(void)
{
    static size_t page;
    if (!page) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

void *rt_os_reserve(size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool rt_os_commit(void *addr, size_t size)
{
    return size == 0 || mprotect(addr, size, PROT_READ | PROT_WRITE) == 0;
}

bool rt_os_decommit(void *addr, size_t size)
{
    if (size == 0)
        return true;
    /* A fresh PROT_NONE mapping over the range drops the pages in one call. */
    void *p =
        mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return p != MAP_FAILED;
}

void rt_os_release(void *addr, size_t size)
{
    if (addr)
        munmap(addr, size);
}

/* --- Time --- */

double rt_os_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- Native stack --- */

bool rt_os_stack_bounds(uintptr_t *out_low, uintptr_t *out_high)
{
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return false;
    void *addr = NULL;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || !addr || !size)
        return false;
    *out_low = (uintptr_t)addr;
    *out_high = (uintptr_t)addr + size;
    return true;
}

/* --- Guarded calls --- */

/* One recovery point per guarded call, linked innermost first, on the C stack. */
struct guard {
    sigjmp_buf buf;
    struct guard *prev;
    volatile int kind;
};

static _Thread_local struct guard *current_guard;

int rt_os_guarded_call(void (*fn)(void *arg), void *arg)
{
    struct guard g;
    g.prev = current_guard;
    g.kind = 0;
    /* savemask = 0: no sigprocmask syscall per call. The fault handlers use SA_NODEFER and an
     * empty sa_mask, so jumping out of one leaves no signal blocked. */
    if (sigsetjmp(g.buf, 0) == 0) {
        current_guard = &g;
        fn(arg);
        current_guard = g.prev;
        return 0;
    }
    current_guard = g.prev;
    return g.kind;
}

_Noreturn void rt_os_unwind(int kind)
{
    struct guard *g = current_guard;
    if (!g)
        abort(); /* an internal invariant: traps are only raised under a guarded call */
    g->kind = kind;
    siglongjmp(g->buf, 1);
}

bool rt_os_in_guarded_call(void)
{
    return current_guard != NULL;
}

/* --- Fault signals --- */

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NUM_FAULT_SIGNALS (sizeof fault_signals / sizeof fault_signals[0])
static struct sigaction previous_actions[NUM_FAULT_SIGNALS];
static rt_fault_classifier classifier;
static bool handlers_installed;

static int signal_slot(int signo)
{
    for (size_t i = 0; i < NUM_FAULT_SIGNALS; i++)
        if (fault_signals[i] == signo)
            return (int)i;
    return -1;
}

static int portable_signo(int signo)
{
    switch (signo) {
    case SIGSEGV:
        return RT_SIG_SEGV;
    case SIGBUS:
        return RT_SIG_BUS;
    case SIGFPE:
        return RT_SIG_FPE;
    default:
        return RT_SIG_ILL;
    }
}

/* Hands a fault that is not ours to whoever handled it before us. For the default action we
 * restore it and return: the faulting instruction runs again and the process dies with the
 * signal (and a core), exactly as it would have without us. */
static void chain(int signo, siginfo_t *info, void *ucontext)
{
    int slot = signal_slot(signo);
    struct sigaction *prev = slot >= 0 ? &previous_actions[slot] : NULL;
    if (prev && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
        prev->sa_sigaction(signo, info, ucontext);
        return;
    }
    if (prev && prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(signo);
        return;
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(signo, &dfl, NULL);
    if (info->si_code <= 0) /* sent by kill/raise: it will not recur by itself */
        raise(signo);
}

static void on_fault(int signo, siginfo_t *info, void *ucontext)
{
    struct guard *g = current_guard;
    if (g && classifier) {
        ucontext_t *uc = ucontext;
        uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
        uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
        int kind = classifier(portable_signo(signo), pc, (uintptr_t)info->si_addr, sp);
        if (kind > 0) {
            g->kind = kind;
            siglongjmp(g->buf, 1);
        }
    }
    chain(signo, info, ucontext);
}

#define ALTSTACK_SIZE (64u * 1024u)

bool rt_os_ensure_altstack(void)
{
    static _Thread_local bool done;
    if (done)
        return true;
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) && old.ss_size >= 16384) {
        done = true; /* someone (ASan, the embedder) already gave this thread one */
        return true;
    }
    /* Leaked on purpose: it must outlive every signal this thread can take. */
    void *mem = malloc(ALTSTACK_SIZE);
    if (!mem)
        return false;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = mem;
    ss.ss_size = ALTSTACK_SIZE;
    if (sigaltstack(&ss, NULL) != 0) {
        free(mem);
        return false;
    }
    done = true;
    return true;
}

bool rt_os_install_fault_handlers(rt_fault_classifier classify)
{
    if (!rt_os_ensure_altstack())
        return false;
    if (handlers_installed)
        return true;
    classifier = classify;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NUM_FAULT_SIGNALS; i++) {
        if (sigaction(fault_signals[i], &sa, &previous_actions[i]) != 0)
            return false;
    }
    handlers_installed = true;
    return true;
}
