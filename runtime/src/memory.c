/* SPDX-License-Identifier: Apache-2.0 */
/* Linear memory: one fixed reservation per memory (a guard region before it, then 8 GiB + 64 KiB
 * from the base, all PROT_NONE) so generated code needs no bounds check for a 32-bit index plus
 * a 32-bit offset; memory.grow only changes protections, the base never moves. Also the bulk
 * memory helpers generated code calls through the vmctx. */
#include "os.h"
#include "runtime_impl.h"

#include <stdlib.h>
#include <string.h>

/* Inaccessible bytes below the base: catches negative-offset bugs in helpers and code. */
#define GUARD_BEFORE  ((size_t)64 << 10)
#define MAX_PAGES     65536u /* 4 GiB of 64 KiB pages, the Wasm 32-bit maximum */
#define PAGE_BYTES(n) ((size_t)(n)*KILN_PAGE_SIZE)

/* --- Live reservations, for the fault handler --- */

/* Same discipline as the code regions: updated outside Wasm code only, read by the handler. */
struct reservation {
    uintptr_t start, end;
};
static struct reservation *reservations;
static size_t reservation_count, reservation_cap;

static bool reservation_add(uintptr_t start, size_t size)
{
    if (reservation_count == reservation_cap) {
        size_t cap = reservation_cap ? reservation_cap * 2 : 16;
        struct reservation *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return false;
        if (reservation_count)
            memcpy(grown, reservations, reservation_count * sizeof *grown);
        struct reservation *old = reservations;
        reservations = grown;
        reservation_cap = cap;
        free(old);
    }
    reservations[reservation_count++] = (struct reservation){start, start + size};
    return true;
}

static void reservation_remove(uintptr_t start)
{
    for (size_t i = 0; i < reservation_count; i++) {
        if (reservations[i].start == start) {
            reservations[i] = reservations[--reservation_count];
            return;
        }
    }
}

bool rt_memory_owns_address(uintptr_t addr)
{
    for (size_t i = 0; i < reservation_count; i++)
        if (addr >= reservations[i].start && addr < reservations[i].end)
            return true;
    return false;
}

/* --- Memories --- */

kiln_status rt_memory_create(struct kiln_limits limits, kiln_memory **out_memory)
{
    *out_memory = NULL;
    if (limits.min > MAX_PAGES || (limits.has_max && limits.max < limits.min))
        return KILN_ERR_LIMIT;
    if (!limits.has_max || limits.max > MAX_PAGES) {
        limits.max = MAX_PAGES;
    }
    kiln_memory *m = calloc(1, sizeof *m);
    if (!m)
        return KILN_ERR_OUT_OF_MEMORY;
    m->refcount = 1;
    m->limits = limits;
    m->reservation_size = GUARD_BEFORE + (size_t)CG_MEMORY_RESERVATION;
    m->reservation = rt_os_reserve(m->reservation_size);
    if (!m->reservation) {
        free(m);
        return KILN_ERR_OS;
    }
    m->base = m->reservation + GUARD_BEFORE;
    if (!rt_os_commit(m->base, PAGE_BYTES(limits.min)) ||
        !reservation_add((uintptr_t)m->reservation, m->reservation_size)) {
        rt_os_release(m->reservation, m->reservation_size);
        free(m);
        return KILN_ERR_OS;
    }
    m->pages = limits.min;
    *out_memory = m;
    return KILN_OK;
}

kiln_status kiln_memory_new(kiln_engine *engine, struct kiln_limits limits,
                            kiln_memory **out_memory)
{
    if (!out_memory)
        return KILN_ERR_INVALID_ARGUMENT;
    *out_memory = NULL;
    if (!engine)
        return KILN_ERR_INVALID_ARGUMENT;
    return rt_memory_create(limits, out_memory);
}

void rt_memory_retain(kiln_memory *memory)
{
    memory->refcount++;
}

void kiln_memory_free(kiln_memory *memory)
{
    if (!memory || --memory->refcount > 0)
        return;
    reservation_remove((uintptr_t)memory->reservation);
    rt_os_release(memory->reservation, memory->reservation_size);
    free(memory->users);
    free(memory);
}

uint8_t *kiln_memory_data(kiln_memory *memory)
{
    return memory ? memory->base : NULL;
}

size_t kiln_memory_size(const kiln_memory *memory)
{
    return memory ? PAGE_BYTES(memory->pages) : 0;
}

uint64_t kiln_memory_pages(const kiln_memory *memory)
{
    return memory ? memory->pages : 0;
}

struct kiln_limits kiln_memory_limits(const kiln_memory *memory)
{
    struct kiln_limits l = {0, 0, false};
    if (memory)
        l = memory->limits;
    return l;
}

uint64_t rt_memory_grow(kiln_memory *memory, uint64_t delta)
{
    uint64_t old = memory->pages;
    if (delta == 0)
        return old;
    if (delta > memory->limits.max || old + delta > memory->limits.max)
        return UINT64_MAX;
    if (!rt_os_commit(memory->base + PAGE_BYTES(old), PAGE_BYTES(delta)))
        return UINT64_MAX;
    memory->pages = old + delta;
    for (size_t i = 0; i < memory->user_count; i++)
        memory->users[i]->mem_size = PAGE_BYTES(memory->pages);
    return old;
}

kiln_status kiln_memory_grow(kiln_memory *memory, uint64_t delta_pages, uint64_t *out_old_pages)
{
    if (!memory)
        return KILN_ERR_INVALID_ARGUMENT;
    uint64_t old = rt_memory_grow(memory, delta_pages);
    if (old == UINT64_MAX)
        return KILN_ERR_LIMIT;
    if (out_old_pages)
        *out_old_pages = old;
    return KILN_OK;
}

bool rt_memory_add_user(kiln_memory *memory, struct cg_vmctx *vmctx)
{
    if (memory->user_count == memory->user_cap) {
        size_t cap = memory->user_cap ? memory->user_cap * 2 : 4;
        struct cg_vmctx **grown = realloc(memory->users, cap * sizeof *grown);
        if (!grown)
            return false;
        memory->users = grown;
        memory->user_cap = cap;
    }
    memory->users[memory->user_count++] = vmctx;
    vmctx->mem_base = memory->base;
    vmctx->mem_size = PAGE_BYTES(memory->pages);
    return true;
}

void rt_memory_remove_user(kiln_memory *memory, struct cg_vmctx *vmctx)
{
    for (size_t i = 0; i < memory->user_count; i++) {
        if (memory->users[i] == vmctx) {
            memory->users[i] = memory->users[--memory->user_count];
            return;
        }
    }
}

/* --- Helpers called by generated code (cg/vmctx.h); operands are raw unsigned i32s --- */

static bool in_bounds(uint64_t offset, uint64_t len, uint64_t size)
{
    return offset <= size && len <= size - offset;
}

static uint32_t helper_memory_grow(struct cg_vmctx *vmctx, uint32_t delta_pages)
{
    kiln_memory *memory = rt_instance_of(vmctx)->memory;
    if (!memory)
        return UINT32_MAX;
    uint64_t old = rt_memory_grow(memory, delta_pages);
    return old == UINT64_MAX ? UINT32_MAX : (uint32_t)old;
}

static void helper_memory_fill(struct cg_vmctx *vmctx, uint32_t dst, uint32_t value, uint32_t len)
{
    if (!in_bounds(dst, len, vmctx->mem_size))
        rt_trap_raise(KILN_TRAP_MEMORY_OOB, UINT32_MAX);
    memset(vmctx->mem_base + dst, (int)(value & 0xFF), len);
}

static void helper_memory_copy(struct cg_vmctx *vmctx, uint32_t dst, uint32_t src, uint32_t len)
{
    if (!in_bounds(dst, len, vmctx->mem_size) || !in_bounds(src, len, vmctx->mem_size))
        rt_trap_raise(KILN_TRAP_MEMORY_OOB, UINT32_MAX);
    memmove(vmctx->mem_base + dst, vmctx->mem_base + src, len);
}

static void helper_memory_init(struct cg_vmctx *vmctx, uint32_t data_idx, uint32_t dst,
                               uint32_t src, uint32_t len)
{
    kiln_instance *inst = rt_instance_of(vmctx);
    const struct wdec_data *seg = &inst->module->wmod->datas[data_idx];
    size_t seg_size = inst->data_dropped[data_idx] ? 0 : seg->size;
    if (!in_bounds(src, len, seg_size) || !in_bounds(dst, len, vmctx->mem_size))
        rt_trap_raise(KILN_TRAP_MEMORY_OOB, UINT32_MAX);
    if (len)
        memcpy(vmctx->mem_base + dst, seg->bytes + src, len);
}

static void helper_data_drop(struct cg_vmctx *vmctx, uint32_t data_idx)
{
    rt_instance_of(vmctx)->data_dropped[data_idx] = true;
}

void rt_vmctx_init_helpers(struct cg_vmctx *vmctx)
{
    vmctx->trap = rt_trap_from_code;
    vmctx->memory_grow = helper_memory_grow;
    vmctx->memory_fill = helper_memory_fill;
    vmctx->memory_copy = helper_memory_copy;
    vmctx->memory_init = helper_memory_init;
    vmctx->data_drop = helper_data_drop;
    rt_vmctx_init_table_helpers(vmctx);
}
