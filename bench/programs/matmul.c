/* SPDX-License-Identifier: Apache-2.0 */
/* Dense 128x128 f64 matrix multiply repeated n times: strided loads, multiply-add chains. */
#include "bench_kernel.h"

#define N 128

static double a[N][N], b[N][N], c[N][N];

int32_t run(int32_t n)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 17) * 0.25;
            b[i][j] = (double)((i * 5 + j * 11) % 13) * 0.5;
        }
    double sum = 0;
    for (int32_t rep = 0; rep < n; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                c[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i][k];
                for (int j = 0; j < N; j++)
                    c[i][j] += aik * b[k][j];
            }
        sum += c[rep % N][(rep * 3) % N];
        a[rep % N][rep % N] += 1.0; /* keep repetitions from being hoisted */
    }
    /* All products are exact multiples of 1/8 far below 2^53: exact in every runner. */
    return (int32_t)((uint64_t)(int64_t)(sum * 8.0) & 0x7fffffff);
}
