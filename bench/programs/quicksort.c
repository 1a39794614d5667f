/* SPDX-License-Identifier: Apache-2.0 */
/* Quicksort (median of three, insertion sort below 16) of 200k pseudo-random i32, n times:
 * compares, swaps, recursion. */
#include "bench_kernel.h"

#define LEN 200000

static int32_t data[LEN];

static void insertion(int32_t *a, int lo, int hi)
{
    for (int i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(int32_t *a, int i, int j)
{
    int32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void qsort_rec(int32_t *a, int lo, int hi)
{
    while (hi - lo > 16) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap(a, mid, lo);
        if (a[hi] < a[lo])
            swap(a, hi, lo);
        if (a[hi] < a[mid])
            swap(a, hi, mid);
        int32_t pivot = a[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap(a, i, j);
                i++;
                j--;
            }
        }
        /* Recurse into the smaller half, loop on the larger: stack depth stays O(log n). */
        if (j - lo < hi - i) {
            qsort_rec(a, lo, j);
            lo = i;
        } else {
            qsort_rec(a, i, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

int32_t run(int32_t n)
{
    uint32_t x = 2463534242u, acc = 0;
    for (int32_t rep = 0; rep < n; rep++) {
        for (int i = 0; i < LEN; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data[i] = (int32_t)x;
        }
        qsort_rec(data, 0, LEN - 1);
        for (int i = 0; i < LEN; i += 997)
            acc = acc * 33u + (uint32_t)data[i];
        for (int i = 1; i < LEN; i++)
            if (data[i - 1] > data[i])
                return -1; /* not sorted: every runner must agree on this too */
    }
    return (int32_t)(acc & 0x7fffffff);
}
