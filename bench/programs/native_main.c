/* SPDX-License-Identifier: Apache-2.0 */
/* Native driver for bench/programs: `prog N` calls run(N) once and prints its checksum, the same
 * line `kiln run --invoke run prog.wasm N` prints, so bench/run compares the two directly. */
#include "bench_kernel.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    int32_t n = (int32_t)strtol(argv[1], NULL, 10);
    printf("%d\n", (int)run(n));
    return 0;
}
