/* SPDX-License-Identifier: Apache-2.0 */
/* Validation-only throughput of the frontend: decode + validate a whole module (all-NULL
 * visitor) RUNS times and report the median and best MB/s in process CPU time, which stays
 * meaningful on a loaded machine, on one thread. With `--threads N` the bodies are validated on N
 * threads, kept in a pool across runs (wdec_pool_new(), as node keeps V8's worker threads), and
 * the time is wall-clock time: what a user waits for. Either way the decodes go through a pool
 * (of one thread without --threads), which keeps the decoder's scratch memory from one run to
 * the next, as a client that validates many modules would have it; `--fresh` decodes without
 * one, each run allocating and freeing its scratch (docs/BENCHMARKS.md, frontend, session 11).
 * Each module is decoded once untimed first, which also checks that it is valid: v8_validate.js
 * does the same with WebAssembly.validate(), so neither side's figures include a first run's
 * cold caches and page faults (the first decode of sql.js runs at about half the speed of the
 * third and later ones, the second at ~3/4).
 * Prints one line per module: `kiln FILE BYTES best median`.
 * Usage: bench_validate [--fresh] [--threads N] RUNS FILE.wasm... */
#define _POSIX_C_SOURCE 200809L
#include "bench_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>

int main(int argc, char **argv)
{
    int threads = 0; /* 0: one thread, CPU time */
    bool fresh = false;
    if (argc >= 2 && !strcmp(argv[1], "--fresh")) {
        fresh = true;
        argc--;
        argv++;
    }
    if (argc >= 3 && !strcmp(argv[1], "--threads")) {
        threads = atoi(argv[2]);
        if (threads < 1 || threads > 64) {
            fprintf(stderr, "error: --threads needs a number from 1 to 64\n");
            return 2;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: bench_validate [--fresh] [--threads N] RUNS FILE.wasm...\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    if (runs < 1 || runs > 1000)
        runs = 5;
    double (*now)(void) = threads ? wall_seconds : cpu_seconds;
    struct wdec_pool *pool = NULL;
    if (!fresh) {
        pool = wdec_pool_new(threads > 1 ? (uint32_t)threads : 1);
        if (!pool) {
            fprintf(stderr, "error: no pool of %d threads\n", threads > 1 ? threads : 1);
            return 1;
        }
    } else if (threads > 1) {
        fprintf(stderr, "error: --fresh decodes on one thread, without a pool\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "error: %s: cannot open\n", argv[i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        unsigned char *bytes = malloc((size_t)n);
        if (!bytes || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "error: %s: cannot read\n", argv[i]);
            return 1;
        }
        fclose(f);
        double *t = malloc(sizeof(double) * (size_t)runs);
        for (int r = -1; r < runs; r++) { /* run -1: the untimed first decode */
            struct wdec_module *m = NULL;
            struct wdec_error err;
            double t0 = now();
            struct wdec_options opt = {.features = WDEC_FEATURES_WASM2, /* as kiln validate */
                                       .pool = pool};
            wdec_status st = wdec_module_decode(bytes, (size_t)n, &opt, NULL, NULL, &m, &err);
            if (r >= 0)
                t[r] = now() - t0;
            wdec_module_free(m);
            if (st != WDEC_OK) {
                fprintf(stderr, "error: %s:%zu: %s\n", argv[i], err.offset, err.message);
                return 1;
            }
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        double mb = (double)n / 1e6;
        printf("kiln %s %ld %.1f %.1f\n", argv[i], n, mb / t[0], mb / t[runs / 2]);
        free(t);
        free(bytes);
    }
    wdec_pool_free(pool);
    return 0;
}
