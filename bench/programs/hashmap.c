/* SPDX-License-Identifier: Apache-2.0 */
/* Open-addressing hash map (linear probing, u32 keys) with inserts, lookups and deletions
 * (backward-shift): multiplicative hashing, unpredictable branches, cache misses. */
#include "bench_kernel.h"

#define CAP   (1u << 16)
#define EMPTY 0u

static uint32_t keys[CAP];
static uint32_t vals[CAP];

static uint32_t hash(uint32_t k)
{
    k ^= k >> 16;
    k *= 0x7feb352dU;
    k ^= k >> 15;
    k *= 0x846ca68bU;
    k ^= k >> 16;
    return k & (CAP - 1);
}

static void put(uint32_t k, uint32_t v)
{
    uint32_t i = hash(k);
    while (keys[i] != EMPTY && keys[i] != k)
        i = (i + 1) & (CAP - 1);
    keys[i] = k;
    vals[i] = v;
}

static uint32_t get(uint32_t k, int *found)
{
    uint32_t i = hash(k);
    while (keys[i] != EMPTY) {
        if (keys[i] == k) {
            *found = 1;
            return vals[i];
        }
        i = (i + 1) & (CAP - 1);
    }
    *found = 0;
    return 0;
}

static void del(uint32_t k)
{
    uint32_t i = hash(k);
    while (keys[i] != EMPTY && keys[i] != k)
        i = (i + 1) & (CAP - 1);
    if (keys[i] == EMPTY)
        return;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    uint32_t j = i;
    for (;;) {
        keys[i] = EMPTY;
        for (;;) {
            j = (j + 1) & (CAP - 1);
            if (keys[j] == EMPTY)
                return;
            uint32_t h = hash(keys[j]);
            if ((i <= j) ? (i < h && h <= j) : (i < h || h <= j))
                continue;
            break;
        }
        keys[i] = keys[j];
        vals[i] = vals[j];
        i = j;
    }
}

int32_t run(int32_t n)
{
    for (uint32_t i = 0; i < CAP; i++)
        keys[i] = EMPTY;
    uint32_t x = 12345, acc = 0;
    for (int32_t round = 0; round < n; round++) {
        for (int i = 0; i < 20000; i++) {
            x = x * 1664525u + 1013904223u;
            uint32_t k = (x >> 8) % 40000u + 1u; /* live set stays below 40000 of 65536 */
            switch (x & 3u) {
            case 0:
            case 1:
                put(k, x);
                break;
            case 2: {
                int found;
                uint32_t v = get(k, &found);
                acc = acc * 31u + (found ? v : 7u);
                break;
            }
            default:
                del(k);
                break;
            }
        }
    }
    return (int32_t)(acc & 0x7fffffff);
}
