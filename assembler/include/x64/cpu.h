/* SPDX-License-Identifier: Apache-2.0 */
/* Host CPU feature detection (CPUID plus XGETBV for OS-enabled vector state), so a caller can
 * ask whether a form's feature may be emitted on this machine. */
#ifndef X64_CPU_H
#define X64_CPU_H

#include <stdbool.h>

/* Every feature a table row may name in its cpuid column (lower-case name = column text). */
#define X64_FEATURE_LIST(X)                                                                        \
    X(BASE, base)                                                                                  \
    X(CMOV, cmov)                                                                                  \
    X(CX8, cx8)                                                                                    \
    X(CX16, cx16)                                                                                  \
    X(RDTSCP, rdtscp)                                                                              \
    X(SSE, sse)                                                                                    \
    X(SSE2, sse2)                                                                                  \
    X(SSE3, sse3)                                                                                  \
    X(SSSE3, ssse3)                                                                                \
    X(SSE41, sse41)                                                                                \
    X(SSE42, sse42)                                                                                \
    X(POPCNT, popcnt)                                                                              \
    X(LZCNT, lzcnt)                                                                                \
    X(BMI1, bmi1)                                                                                  \
    X(BMI2, bmi2)                                                                                  \
    X(ADX, adx)                                                                                    \
    X(MOVBE, movbe)                                                                                \
    X(AES, aes)                                                                                    \
    X(PCLMUL, pclmul)                                                                              \
    X(SHA, sha)                                                                                    \
    X(AVX, avx)                                                                                    \
    X(AVX2, avx2)                                                                                  \
    X(FMA, fma)                                                                                    \
    X(F16C, f16c)                                                                                  \
    X(AVX512F, avx512f)                                                                            \
    X(AVX512BW, avx512bw)                                                                          \
    X(AVX512DQ, avx512dq)                                                                          \
    X(AVX512VL, avx512vl)                                                                          \
    X(AVX512CD, avx512cd)                                                                          \
    X(RDRAND, rdrand)                                                                              \
    X(RDSEED, rdseed)

enum x64_feature {
#define X64_FEATURE_ENUM_(up, low) X64_FEATURE_##up,
    X64_FEATURE_LIST(X64_FEATURE_ENUM_)
#undef X64_FEATURE_ENUM_
        X64_FEATURE_COUNT
};

/* Whether this CPU (and OS, for AVX/AVX-512 state) supports `f`. Detected once, thread-safe. */
bool x64_cpu_has(enum x64_feature f);

/* The feature's table name ("sse41"), or "?" when out of range. */
const char *x64_feature_name(enum x64_feature f);

#endif /* X64_CPU_H */
