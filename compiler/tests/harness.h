/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal instantiation for the compiler's own execution tests: compile a .wat (via wabt's
 * wat2wasm), seal the blob, build a vmctx with a guard-page memory, one table, globals, simple
 * helpers, and call exports through the entry trampolines. Not the runtime: just enough. */
#ifndef CG_TEST_HARNESS_H
#define CG_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cg_global_cell;

struct harness;

/* Compiles `wat` (text format) with cg_options.spill_all = `spill_all`. Returns NULL and
 * prints why on failure. */
struct harness *h_load(const char *wat, bool spill_all);
/* Same from binary bytes. */
struct harness *h_load_wasm(const uint8_t *bytes, size_t size, bool spill_all);
void h_free(struct harness *h);
/* Calls export `name` with slots (args in, results out; at least 16 entries). Returns 0 or the
 * enum cg_trap it trapped with. */
int h_call(struct harness *h, const char *name, uint64_t *slots);
/* Global `idx`'s storage (read or write it between calls). */
struct cg_global_cell *h_global(struct harness *h, uint32_t idx);
/* Memory 0's bytes and current size (0 bytes when the module has no memory). */
const uint8_t *h_memory(const struct harness *h, size_t *out_size);
/* Compile statistics of the loaded module. */
size_t h_code_size(const struct harness *h);
/* Reads wat2wasm output of a file; returns malloc'd bytes or NULL. */
uint8_t *h_wat2wasm(const char *wat, size_t *out_size);

#endif
