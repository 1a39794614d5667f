/* SPDX-License-Identifier: Apache-2.0 */
/* Mandelbrot set on an n x n grid: a float loop with compares and a data-dependent exit;
 * the checksum is the total iteration count. */
#include "bench_kernel.h"

int32_t run(int32_t n)
{
    uint32_t total = 0;
    for (int32_t py = 0; py < n; py++) {
        double ci = 2.0 * py / n - 1.0;
        for (int32_t px = 0; px < n; px++) {
            double cr = 2.0 * px / n - 1.5;
            double zr = 0, zi = 0, tr = 0, ti = 0;
            int it = 0;
            while (it < 200 && tr + ti <= 4.0) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
                it++;
            }
            total += (uint32_t)it;
        }
    }
    return (int32_t)(total & 0x7fffffff);
}
