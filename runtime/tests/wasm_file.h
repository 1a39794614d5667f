/* SPDX-License-Identifier: Apache-2.0 */
/* Test support: the .wasm files the runtime tests build from wat/ (runtime/tests/CMakeLists.txt,
 * target runtime_test_wasm), read and compiled into a module. */
#ifndef RT_TEST_WASM_FILE_H
#define RT_TEST_WASM_FILE_H

#include "rt/runtime.h"

#include <stddef.h>
#include <stdint.h>

/* The bytes of wasm/NAME.wasm in the build tree (malloc'd; the caller frees them). Fails the
 * test when the file cannot be read. */
uint8_t *rt_test_read_wasm(const char *name, size_t *out_size);

/* wasm/NAME.wasm compiled in `engine`; fails the test with kiln's message when it is refused. */
kiln_module *rt_test_load_module(kiln_engine *engine, const char *name);

#endif
