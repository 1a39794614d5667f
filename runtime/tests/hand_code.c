/* SPDX-License-Identifier: Apache-2.0 */
/* Test support for hand-written machine code: RW pages, then RX (never both). */
#define _DEFAULT_SOURCE 1

#include "hand_code.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void hand_code_load(struct hand_code *hc, const uint8_t *bytes, size_t size)
{
    hc->map_size = 4096;
    void *p = mmap(NULL, hc->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(p != MAP_FAILED);
    memcpy(p, bytes, size);
    cr_assert(mprotect(p, hc->map_size, PROT_READ | PROT_EXEC) == 0);
    hc->code = p;
    hc->fake_module = calloc(1, sizeof *hc->fake_module);
    cr_assert(hc->fake_module);
    hc->fake_module->code_base = hc->code;
    hc->fake_module->code_size = size;
    cr_assert(rt_code_register(hc->fake_module, (uintptr_t)hc->code, size));
}

void hand_code_unload(struct hand_code *hc)
{
    rt_code_unregister(hc->fake_module);
    free(hc->fake_module);
    munmap(hc->code, hc->map_size);
}
