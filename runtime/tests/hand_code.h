/* SPDX-License-Identifier: Apache-2.0 */
/* Test support: a few bytes of hand-written x86-64 mapped RX and registered as a module's code,
 * so the trap machinery (fault handler, unwinding) can be tested without the compiler. */
#ifndef RT_TEST_HAND_CODE_H
#define RT_TEST_HAND_CODE_H

#include "runtime_impl.h"

#include <stddef.h>
#include <stdint.h>

struct hand_code {
    uint8_t *code;
    size_t map_size;
    kiln_module *fake_module; /* carries code_base and an empty trap-site table */
};

/* Maps `bytes` RW, copies, seals RX and registers the region; aborts the test on failure. */
void hand_code_load(struct hand_code *hc, const uint8_t *bytes, size_t size);
void hand_code_unload(struct hand_code *hc);

#endif
