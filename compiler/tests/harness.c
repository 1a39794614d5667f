/* SPDX-License-Identifier: Apache-2.0 */
/* See harness.h. POSIX is needed here (mmap for the guard-page memory, signals, temp files). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "harness.h"

#include "cg/compile.h"
#include "cg/vmctx.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wdec/module.h>
#include <x64/buffer.h>
#include <x64/code_memory.h>

struct harness {
    struct cg_vmctx vm; /* first */
    struct wdec_module *mod;
    uint8_t *bytes;
    struct cg_code code;
    struct x64_code sealed;
    uint8_t *reservation;
    size_t res_size;
    uint32_t mem_pages, mem_max;
    struct cg_global_cell *cells;
    struct cg_global_cell **globals;
    struct cg_table table0;
    struct cg_table *tables[1];
    uint32_t *type_ids;
    struct cg_funcref *funcref_store;
    struct cg_funcref **funcrefs;
    bool *dropped_elem, *dropped_data;
};

static sigjmp_buf *cur_jb;

static void trap_fn(struct cg_vmctx *vm, uint32_t kind, uint32_t detail)
{
    (void)vm;
    (void)detail;
    siglongjmp(*cur_jb, (int)kind);
}

/* The running harness's memory reservation: only faults inside it are Wasm's out-of-bounds
 * accesses; any other fault is a real crash and must stay one (the fuzzers rely on it). */
static uint8_t *cur_res;
static size_t cur_res_size;

static void segv_handler(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    uint8_t *addr = info->si_addr;
    if (cur_jb && addr >= cur_res && addr < cur_res + cur_res_size)
        siglongjmp(*cur_jb, CG_TRAP_MEMORY_OOB);
    signal(sig, SIG_DFL); /* returning re-runs the faulting instruction: default action */
}

static struct harness *H(struct cg_vmctx *vm)
{
    return (struct harness *)vm;
}

static uint32_t mem_grow(struct cg_vmctx *vm, uint32_t delta)
{
    struct harness *h = H(vm);
    uint32_t old = h->mem_pages;
    if ((uint64_t)old + delta > h->mem_max || (uint64_t)old + delta > 65536)
        return UINT32_MAX;
    if (delta) {
        mprotect(h->reservation, (size_t)(old + delta) * 65536, PROT_READ | PROT_WRITE);
        h->mem_pages = old + delta;
        vm->mem_size = (uint64_t)h->mem_pages * 65536;
    }
    return old;
}

static void mem_fill(struct cg_vmctx *vm, uint32_t d, uint32_t val, uint32_t n)
{
    if ((uint64_t)d + n > vm->mem_size)
        trap_fn(vm, CG_TRAP_MEMORY_OOB, 0);
    memset(vm->mem_base + d, (int)val, n);
}

static void mem_copy(struct cg_vmctx *vm, uint32_t d, uint32_t s, uint32_t n)
{
    if ((uint64_t)d + n > vm->mem_size || (uint64_t)s + n > vm->mem_size)
        trap_fn(vm, CG_TRAP_MEMORY_OOB, 0);
    memmove(vm->mem_base + d, vm->mem_base + s, n);
}

static void mem_init(struct cg_vmctx *vm, uint32_t seg, uint32_t d, uint32_t s, uint32_t n)
{
    struct harness *h = H(vm);
    const struct wdec_data *ds = &h->mod->datas[seg];
    size_t size = h->dropped_data[seg] ? 0 : ds->size;
    if ((uint64_t)s + n > size || (uint64_t)d + n > vm->mem_size)
        trap_fn(vm, CG_TRAP_MEMORY_OOB, 0);
    memcpy(vm->mem_base + d, ds->bytes + s, n);
}

static void data_drop(struct cg_vmctx *vm, uint32_t seg)
{
    H(vm)->dropped_data[seg] = true;
}

static void *tbl_get(struct cg_vmctx *vm, uint32_t t, uint32_t i)
{
    if (i >= vm->tables[t]->size)
        trap_fn(vm, CG_TRAP_TABLE_OOB, 0);
    return vm->tables[t]->elems[i];
}

static void tbl_set(struct cg_vmctx *vm, uint32_t t, uint32_t i, void *v)
{
    if (i >= vm->tables[t]->size)
        trap_fn(vm, CG_TRAP_TABLE_OOB, 0);
    vm->tables[t]->elems[i] = v;
}

static uint32_t tbl_grow(struct cg_vmctx *vm, uint32_t t, void *init, uint32_t delta)
{
    struct cg_table *tb = vm->tables[t];
    uint32_t old = tb->size;
    if ((uint64_t)old + delta > tb->max)
        return UINT32_MAX;
    void **e = realloc(tb->elems, ((size_t)old + delta + 1) * sizeof *e);
    if (!e)
        return UINT32_MAX;
    for (uint32_t i = old; i < old + delta; i++)
        e[i] = init;
    tb->elems = e;
    tb->size = old + delta;
    return old;
}

static void tbl_fill(struct cg_vmctx *vm, uint32_t t, uint32_t d, void *v, uint32_t n)
{
    struct cg_table *tb = vm->tables[t];
    if ((uint64_t)d + n > tb->size)
        trap_fn(vm, CG_TRAP_TABLE_OOB, 0);
    for (uint32_t i = 0; i < n; i++)
        tb->elems[d + i] = v;
}

static void tbl_copy(struct cg_vmctx *vm, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                     uint32_t n)
{
    struct cg_table *a = vm->tables[dt], *b = vm->tables[st];
    if ((uint64_t)d + n > a->size || (uint64_t)s + n > b->size)
        trap_fn(vm, CG_TRAP_TABLE_OOB, 0);
    memmove(a->elems + d, b->elems + s, n * sizeof(void *));
}

static void *elem_item(struct harness *h, const struct wdec_elem *es, uint32_t k)
{
    if (es->func_indices)
        return h->funcrefs[es->func_indices[k]];
    const struct wdec_const_expr *e = &es->items[k];
    if (e->kind == WDEC_CONST_REF_FUNC)
        return h->funcrefs[e->value.index];
    return NULL;
}

static void tbl_init(struct cg_vmctx *vm, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                     uint32_t n)
{
    struct harness *h = H(vm);
    const struct wdec_elem *es = &h->mod->elems[seg];
    uint32_t count = h->dropped_elem[seg] ? 0 : es->count;
    struct cg_table *tb = vm->tables[t];
    if ((uint64_t)s + n > count || (uint64_t)d + n > tb->size)
        trap_fn(vm, CG_TRAP_TABLE_OOB, 0);
    for (uint32_t i = 0; i < n; i++)
        tb->elems[d + i] = elem_item(h, es, s + i);
}

static void elem_drop(struct cg_vmctx *vm, uint32_t seg)
{
    H(vm)->dropped_elem[seg] = true;
}

/* --- Memory reservations, reused ---
 * Mapping and unmapping an 8 GiB reservation took about 3 ms here (a loop of 20, with or without
 * ASan), twice per differential-fuzzer input. Freed reservations are kept (at most two),
 * emptied with MADV_DONTNEED (zero pages on next touch) and made PROT_NONE again. */
static uint8_t *pool[2];
static unsigned npool;

static uint8_t *reservation_get(size_t size)
{
    if (npool)
        return pool[--npool];
    return mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

static void reservation_put(uint8_t *p, size_t size)
{
    if (npool < sizeof pool / sizeof pool[0] && mprotect(p, size, PROT_NONE) == 0 &&
        madvise(p, size, MADV_DONTNEED) == 0) {
        pool[npool++] = p;
        return;
    }
    munmap(p, size);
}

uint8_t *h_wat2wasm(const char *wat, size_t *out_size)
{
    char in[] = "/tmp/cgtest_XXXXXX";
    int fd = mkstemp(in);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(wat, f);
    fclose(f);
    char outp[64], cmd[256];
    snprintf(outp, sizeof outp, "%s.wasm", in);
    snprintf(cmd, sizeof cmd, "wat2wasm %s -o %s", in, outp);
    int rc = system(cmd);
    unlink(in);
    if (rc != 0)
        return NULL;
    f = fopen(outp, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    unlink(outp);
    *out_size = (size_t)n;
    return b;
}

static uint64_t const_value(struct harness *h, const struct wdec_const_expr *e)
{
    switch (e->kind) {
    case WDEC_CONST_I32:
        return (uint32_t)e->value.i32;
    case WDEC_CONST_I64:
        return (uint64_t)e->value.i64;
    case WDEC_CONST_F32:
        return e->value.f32_bits;
    case WDEC_CONST_F64:
        return e->value.f64_bits;
    case WDEC_CONST_REF_FUNC:
        return (uint64_t)(uintptr_t)h->funcrefs[e->value.index];
    case WDEC_CONST_GLOBAL_GET:
        return h->cells[e->value.index].u.i64;
    default:
        return 0;
    }
}

struct harness *h_load_wasm(const uint8_t *bytes, size_t size, bool spill_all)
{
    struct harness *h = calloc(1, sizeof *h);
    h->bytes = malloc(size);
    memcpy(h->bytes, bytes, size);
    struct wdec_options opt = {.defer_bodies = true};
    struct wdec_error werr;
    if (wdec_module_decode(h->bytes, size, &opt, NULL, NULL, &h->mod, &werr) != WDEC_OK) {
        fprintf(stderr, "decode: %s\n", werr.message);
        goto fail;
    }
    struct wdec_module *m = h->mod;
    struct cg_options o = {spill_all, NULL};
    struct cg_error err;
    if (cg_compile_module(m, &o, &h->code, &err) != CG_OK) {
        fprintf(stderr, "compile: %s (func %u)\n", err.message, err.func_index);
        goto fail;
    }
    struct x64_buf b;
    x64_buf_init(&b, h->code.size + 64);
    x64_bytes(&b, h->code.bytes, h->code.size);
    if (x64_code_seal(&b, &h->sealed) != X64_OK) {
        x64_buf_free(&b);
        goto fail;
    }
    x64_buf_free(&b);

    /* Memory: reserve the full guard region, enable the initial pages. */
    h->res_size = (size_t)CG_MEMORY_RESERVATION;
    h->reservation = reservation_get(h->res_size);
    if (h->reservation == MAP_FAILED)
        goto fail;
    h->vm.mem_base = h->reservation;
    if (m->memory_count) {
        h->mem_max =
            m->memories[0].type.limits.has_max ? (uint32_t)m->memories[0].type.limits.max : 65536;
        h->mem_pages = 0;
        mem_grow(&h->vm, (uint32_t)m->memories[0].type.limits.min);
    }
    /* Types: canonical id = first structurally equal type. */
    h->type_ids = calloc(m->type_count + 1, sizeof *h->type_ids);
    for (uint32_t i = 0; i < m->type_count; i++) {
        h->type_ids[i] = i;
        for (uint32_t j = 0; j < i; j++) {
            const struct wdec_func_type *a = &m->types[i], *t = &m->types[j];
            if (a->param_count == t->param_count && a->result_count == t->result_count &&
                (!a->param_count || !memcmp(a->params, t->params, a->param_count)) &&
                (!a->result_count || !memcmp(a->results, t->results, a->result_count))) {
                h->type_ids[i] = j;
                break;
            }
        }
    }
    h->funcref_store = calloc(m->func_count + 1, sizeof *h->funcref_store);
    h->funcrefs = calloc(m->func_count + 1, sizeof *h->funcrefs);
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        struct cg_funcref *f = &h->funcref_store[i];
        f->code = (uint8_t *)h->sealed.addr + h->code.funcs[i - m->func_import_count].code_offset;
        f->vmctx = &h->vm;
        f->type_id = h->type_ids[m->funcs[i].type_index];
        h->funcrefs[i] = f;
    }
    h->cells = calloc(m->global_count + 1, sizeof *h->cells);
    h->globals = calloc(m->global_count + 1, sizeof *h->globals);
    for (uint32_t i = 0; i < m->global_count; i++) {
        h->cells[i].u.i64 = const_value(h, &m->globals[i].init);
        h->globals[i] = &h->cells[i];
    }
    /* Table 0 only. */
    if (m->table_count) {
        h->table0.size = (uint32_t)m->tables[0].type.limits.min;
        h->table0.max =
            m->tables[0].type.limits.has_max ? (uint32_t)m->tables[0].type.limits.max : 10000000;
        h->table0.elems = calloc((size_t)h->table0.size + 1, sizeof(void *));
    }
    h->tables[0] = &h->table0;
    h->dropped_elem = calloc(m->elem_count + 1, 1);
    h->dropped_data = calloc(m->data_segment_count + 1, 1);
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const struct wdec_elem *e = &m->elems[i];
        if (e->mode == WDEC_SEGMENT_ACTIVE) {
            uint32_t off = (uint32_t)const_value(h, &e->offset);
            for (uint32_t k = 0; k < e->count && off + k < h->table0.size; k++)
                h->table0.elems[off + k] = elem_item(h, e, k);
        }
        if (e->mode != WDEC_SEGMENT_PASSIVE)
            h->dropped_elem[i] = true;
    }
    for (uint32_t i = 0; i < m->data_segment_count; i++) {
        const struct wdec_data *d = &m->datas[i];
        if (d->mode == WDEC_SEGMENT_ACTIVE) {
            uint32_t off = (uint32_t)const_value(h, &d->offset);
            memcpy(h->vm.mem_base + off, d->bytes, d->size);
            h->dropped_data[i] = true;
        }
    }
    h->vm.globals = h->globals;
    h->vm.tables = h->tables;
    h->vm.type_ids = h->type_ids;
    h->vm.funcrefs = h->funcrefs;
    h->vm.trap = trap_fn;
    h->vm.memory_grow = mem_grow;
    h->vm.memory_fill = mem_fill;
    h->vm.memory_copy = mem_copy;
    h->vm.memory_init = mem_init;
    h->vm.data_drop = data_drop;
    h->vm.table_get = tbl_get;
    h->vm.table_set = tbl_set;
    h->vm.table_grow = tbl_grow;
    h->vm.table_fill = tbl_fill;
    h->vm.table_copy = tbl_copy;
    h->vm.table_init = tbl_init;
    h->vm.elem_drop = elem_drop;
    return h;
fail:
    h_free(h);
    return NULL;
}

struct harness *h_load(const char *wat, bool spill_all)
{
    size_t n = 0;
    uint8_t *b = h_wat2wasm(wat, &n);
    if (!b) {
        fprintf(stderr, "wat2wasm failed\n");
        return NULL;
    }
    struct harness *h = h_load_wasm(b, n, spill_all);
    free(b);
    return h;
}

void h_free(struct harness *h)
{
    if (!h)
        return;
    x64_code_free(&h->sealed);
    cg_code_free(&h->code);
    if (h->reservation && h->reservation != MAP_FAILED)
        reservation_put(h->reservation, h->res_size);
    wdec_module_free(h->mod);
    free(h->bytes);
    free(h->cells);
    free(h->globals);
    free(h->table0.elems);
    free(h->type_ids);
    free(h->funcref_store);
    free(h->funcrefs);
    free(h->dropped_elem);
    free(h->dropped_data);
    free(h);
}

struct cg_global_cell *h_global(struct harness *h, uint32_t idx)
{
    return h->globals[idx];
}

const uint8_t *h_memory(const struct harness *h, size_t *out_size)
{
    *out_size = h->mod->memory_count ? (size_t)h->mem_pages * 65536 : 0;
    return h->vm.mem_base;
}

size_t h_code_size(const struct harness *h)
{
    return h->code.size;
}

typedef void (*entry_fn)(struct cg_vmctx *, void *, uint64_t *);

static entry_fn as_entry(void *p)
{
    entry_fn f;
    memcpy(&f, &p, sizeof f);
    return f;
}

int h_call(struct harness *h, const char *name, uint64_t *slots)
{
    const struct wdec_export *e = wdec_module_find_export(h->mod, name, strlen(name));
    if (!e || e->kind != WDEC_EXTERN_FUNC)
        return -1;
    uint32_t fi = e->index;
    uint32_t ti = h->mod->funcs[fi].type_index;
    void *entry = (uint8_t *)h->sealed.addr + h->code.entry_offsets[ti];
    void *code = h->funcrefs[fi]->code;
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa, old_segv, old_bus;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER | SA_SIGINFO;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    char here;
    h->vm.stack_limit = (uintptr_t)&here - 256 * 1024;
    sigjmp_buf jb;
    sigjmp_buf *saved = cur_jb;
    uint8_t *saved_res = cur_res;
    size_t saved_res_size = cur_res_size;
    cur_jb = &jb;
    cur_res = h->reservation;
    cur_res_size = h->res_size;
    int kind = sigsetjmp(jb, 1);
    if (kind == 0)
        as_entry(entry)(&h->vm, code, slots);
    cur_jb = saved;
    cur_res = saved_res;
    cur_res_size = saved_res_size;
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return kind;
}
