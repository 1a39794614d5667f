/* SPDX-License-Identifier: Apache-2.0 */
/* Timing helpers shared by bench/validate's programs: process CPU time (POSIX
 * CLOCK_PROCESS_CPUTIME_ID), wall-clock time and a qsort comparison for medians. */
#ifndef BENCH_VALIDATE_BENCH_TIME_H
#define BENCH_VALIDATE_BENCH_TIME_H

#include <time.h>

static inline double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock time (CLOCK_MONOTONIC), for runs on several threads. */
static inline double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif /* BENCH_VALIDATE_BENCH_TIME_H */
