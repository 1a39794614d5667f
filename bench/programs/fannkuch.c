/* SPDX-License-Identifier: Apache-2.0 */
/* fannkuch-redux (after the Benchmarks Game): byte permutations, tight integer loops and
 * data-dependent branches. n is the permutation length (10 is about a second natively). */
#include "bench_kernel.h"

int32_t run(int32_t n)
{
    int perm[16], perm1[16], count[16];
    if (n < 1)
        return 0;
    if (n > 12)
        n = 12;
    int max_flips = 0, checksum = 0, perm_count = 0, r = n;
    for (int i = 0; i < n; i++)
        perm1[i] = i;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++)
            perm[i] = perm1[i];
        int flips = 0;
        int k;
        while ((k = perm[0]) != 0) {
            int k2 = (k + 1) >> 1;
            for (int i = 0; i < k2; i++) {
                int t = perm[i];
                perm[i] = perm[k - i];
                perm[k - i] = t;
            }
            flips++;
        }
        if (flips > max_flips)
            max_flips = flips;
        checksum += (perm_count % 2 == 0) ? flips : -flips;
        for (;;) {
            if (r == n)
                return (int32_t)(((uint32_t)checksum * 100u + (uint32_t)max_flips) & 0x7fffffff);
            int p0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            count[r]--;
            if (count[r] > 0)
                break;
            r++;
        }
        perm_count++;
    }
}
