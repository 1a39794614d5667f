/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln validate [--threads N] FILE.wasm`: decode and validate a module with the frontend alone,
 * its function bodies on N threads (default: one per CPU this process may run on). Silent with
 * exit 0 when valid; `error: FILE:OFFSET: MESSAGE` and exit 1 otherwise (the message is the spec
 * suite's wording); exit 2 for a usage error. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wdec/module.h>

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: kiln validate [--threads N] FILE.wasm\n"
        "Decodes and validates a WebAssembly 2.0 binary module (SIMD included). Prints nothing\n"
        "and exits 0 when it is valid; otherwise prints `error: FILE:OFFSET: MESSAGE` and\n"
        "exits 1. The function bodies are validated on N threads at once (1 to 64; default:\n"
        "one per CPU this process may run on); the verdict and the error do not depend on N.\n");
}

int kiln_cmd_validate(int argc, char **argv)
{
    const char *path = NULL;
    uint32_t threads = wdec_cpus(); /* more threads than CPUs only slow it down */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--threads")) {
            char *end = NULL;
            long n = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *argv[i + 1] == '\0' || *end != '\0' || n < 1 || n > 64) {
                fprintf(stderr,
                        "kiln validate: error: --threads needs a number from 1 to 64%s%s%s\n",
                        i + 1 < argc ? " (got '" : "", i + 1 < argc ? argv[i + 1] : "",
                        i + 1 < argc ? "')" : "");
                usage(stderr);
                return 2;
            }
            threads = (uint32_t)n;
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "kiln validate: error: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (path) {
            fprintf(stderr, "kiln validate: error: more than one file given\n");
            usage(stderr);
            return 2;
        }
        path = argv[i];
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    size_t size = 0;
    errno = 0;
    uint8_t *bytes = cli_read_file(path, &size);
    if (!bytes) {
        fprintf(stderr, "error: %s: cannot read: %s\n", path, strerror(errno ? errno : EIO));
        return 1;
    }
    struct wdec_module *m = NULL;
    struct wdec_error err;
    struct wdec_options opt = {.features = WDEC_FEATURES_WASM2, /* SIMD included */
                               .threads = threads};
    wdec_status st = wdec_module_decode(bytes, size, &opt, NULL, NULL, &m, &err);
    wdec_module_free(m);
    cli_free_file(bytes);
    if (st != WDEC_OK) {
        fprintf(stderr, "error: %s:%zu: %s\n", path, err.offset, err.message);
        return 1;
    }
    return 0;
}
