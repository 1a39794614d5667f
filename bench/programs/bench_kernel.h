/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point every bench/programs kernel defines: `run(n)` does n units of work and
 * returns a checksum in 0..2^31-1, so every runner (kiln, V8, native) prints the same decimal. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT __attribute__((export_name("run"), visibility("default")))
#else
#define BENCH_EXPORT
#endif

BENCH_EXPORT int32_t run(int32_t n);

#endif
