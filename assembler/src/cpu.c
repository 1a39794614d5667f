/* SPDX-License-Identifier: Apache-2.0 */
/* CPUID-based feature detection. AVX and AVX-512 also need the OS to save their state, which
 * XGETBV reports (SDM vol. 1, 14.3 and 15.2). */
#include "x64/cpu.h"

#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>

static const char *const feature_names[] = {
#define X64_FEATURE_NAME_(up, low) #low,
    X64_FEATURE_LIST(X64_FEATURE_NAME_)
#undef X64_FEATURE_NAME_
};

const char *x64_feature_name(enum x64_feature f)
{
    if ((unsigned)f >= X64_FEATURE_COUNT)
        return "?";
    return feature_names[f];
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t detect(void)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    uint64_t m = 1ull << X64_FEATURE_BASE;
#define SET(cond, f)                                                                               \
    do {                                                                                           \
        if (cond)                                                                                  \
            m |= 1ull << X64_FEATURE_##f;                                                          \
    } while (0)
    unsigned max = (unsigned)__get_cpuid_max(0, NULL);
    if (max >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
        SET(d & (1u << 15), CMOV);
        SET(d & (1u << 8), CX8);
        SET(d & (1u << 25), SSE);
        SET(d & (1u << 26), SSE2);
        SET(c & (1u << 0), SSE3);
        SET(c & (1u << 9), SSSE3);
        SET(c & (1u << 19), SSE41);
        SET(c & (1u << 20), SSE42);
        SET(c & (1u << 23), POPCNT);
        SET(c & (1u << 13), CX16);
        SET(c & (1u << 22), MOVBE);
        SET(c & (1u << 25), AES);
        SET(c & (1u << 1), PCLMUL);
        SET(c & (1u << 30), RDRAND);
        bool osxsave = (c & (1u << 27)) != 0;
        uint64_t xcr0 = osxsave ? xgetbv0() : 0;
        bool avx_os = (xcr0 & 6u) == 6u;
        bool avx512_os = avx_os && (xcr0 & 0xE0u) == 0xE0u;
        SET(avx_os && (c & (1u << 28)), AVX);
        SET(avx_os && (c & (1u << 12)), FMA);
        SET(avx_os && (c & (1u << 29)), F16C);
        if (max >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
            SET(b & (1u << 3), BMI1);
            SET(b & (1u << 8), BMI2);
            SET(b & (1u << 19), ADX);
            SET(b & (1u << 29), SHA);
            SET(b & (1u << 18), RDSEED);
            SET(avx_os && (b & (1u << 5)), AVX2);
            SET(avx512_os && (b & (1u << 16)), AVX512F);
            SET(avx512_os && (b & (1u << 17)), AVX512DQ);
            SET(avx512_os && (b & (1u << 28)), AVX512CD);
            SET(avx512_os && (b & (1u << 30)), AVX512BW);
            SET(avx512_os && (b & (1u << 31)), AVX512VL);
        }
    }
    if (__get_cpuid(0x80000001u, &a, &b, &c, &d)) {
        SET(c & (1u << 5), LZCNT);
        SET(d & (1u << 27), RDTSCP);
    }
#undef SET
    return m | 1ull << 63; /* bit 63: detected */
}

bool x64_cpu_has(enum x64_feature f)
{
    /* Racing threads compute the same value; relaxed atomics make the cache well-defined. */
    static _Atomic uint64_t cache;
    uint64_t m = cache;
    if (m == 0) {
        m = detect();
        cache = m;
    }
    return (unsigned)f < X64_FEATURE_COUNT && (m >> f & 1u) != 0;
}
