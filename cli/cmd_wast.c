/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln wast`: runs WebAssembly spec scripts through the spec runner (spec-tests/) and prints
 * a line per file and the totals; exits 0 only when no command failed. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef KILN_HAVE_SPEC_RUNNER
#include "spec/runner.h"

#include <inttypes.h>

static void usage(FILE *to)
{
    fprintf(to,
            "usage: kiln wast [OPTIONS] FILE.wast|FILE.json ...\n"
            "\n"
            "Runs spec scripts (a .wast is converted with wabt's wast2json first) and counts\n"
            "their commands. Prints `FILE: N passed, M failed, K skipped` per file, a line per\n"
            "failed command, and the totals last; exits 0 only if nothing failed.\n"
            "\n"
            "options:\n"
            "  --enable-FEATURE   passed on to wast2json (e.g. --enable-tail-call)\n"
            "  --skip-list FILE   skip list to use (default: %s)\n"
            "  --no-skip-list     skip nothing\n"
            "  --patch-list FILE  lines to replace before conversion (default: %s)\n"
            "  --no-patch-list    convert the .wast files unchanged\n"
            "  --wast2json PROG   the wast2json to run (default: wast2json from PATH)\n"
            "  --spill-all        compile with every value spilled to the stack\n"
            "  --keep-temp        keep wast2json's output folder\n"
            "  -v, --verbose      also print passed and skipped commands\n",
            KILN_SPEC_SKIP_LIST, KILN_SPEC_PATCH_LIST);
}

int kiln_cmd_wast(int argc, char **argv)
{
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    const char *skip_path = KILN_SPEC_SKIP_LIST;
    bool use_skips = true;
    const char *patch_path = KILN_SPEC_PATCH_LIST;
    bool use_patches = true;
    struct spec_patch_list *patches = NULL;
    const char **features = calloc((size_t)argc + 1, sizeof *features);
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfeatures = 0;
    size_t nfiles = 0;
    int rc = 2;
    struct spec_skip_list *skips = NULL;
    if (!features || !files) {
        fprintf(stderr, "kiln wast: error: out of memory\n");
        goto done;
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            rc = 0;
            goto done;
        } else if (!strncmp(a, "--enable-", 9) && a[9]) {
            features[nfeatures++] = a + 9;
        } else if (!strcmp(a, "--skip-list") && i + 1 < argc) {
            skip_path = argv[++i];
        } else if (!strcmp(a, "--no-skip-list")) {
            use_skips = false;
        } else if (!strcmp(a, "--patch-list") && i + 1 < argc) {
            patch_path = argv[++i];
        } else if (!strcmp(a, "--no-patch-list")) {
            use_patches = false;
        } else if (!strcmp(a, "--wast2json") && i + 1 < argc) {
            opt.wast2json = argv[++i];
        } else if (!strcmp(a, "--spill-all")) {
            opt.spill_all = true;
        } else if (!strcmp(a, "--keep-temp")) {
            opt.keep_temp = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            opt.verbose = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "kiln wast: error: unknown option '%s'\n", a);
            usage(stderr);
            goto done;
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0) {
        usage(stderr);
        goto done;
    }

    char err[512] = "";
    spec_status s = use_skips ? spec_skip_list_load(skip_path, &skips, err, sizeof err)
                              : spec_skip_list_empty(&skips);
    if (s) {
        fprintf(stderr, "kiln wast: error: %s\n", err[0] ? err : spec_status_text(s));
        goto done;
    }
    if (use_patches && (s = spec_patch_list_load(patch_path, &patches, err, sizeof err))) {
        fprintf(stderr, "kiln wast: error: %s\n", err[0] ? err : spec_status_text(s));
        goto done;
    }
    opt.patches = patches;
    opt.features = features;
    opt.nfeatures = nfeatures;
    opt.skips = skips;

    struct spec_totals totals = {0, 0, 0};
    size_t broken = 0; /* files that could not be run at all */
    for (size_t i = 0; i < nfiles; i++)
        if (spec_run_file(&opt, files[i], &totals) != SPEC_OK)
            broken++;
    printf("%" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n", totals.passed,
           totals.failed, totals.skipped);
    if (broken)
        fprintf(stderr, "kiln wast: error: %zu file(s) could not be run\n", broken);
    rc = totals.failed || broken ? 1 : 0;

done:
    spec_skip_list_free(skips);
    spec_patch_list_free(patches);
    free(features);
    free(files);
    return rc;
}

#else

int kiln_cmd_wast(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln wast: error: not built (needs json-c, Debian libjson-c-dev, and a "
                    "runtime that implements rt/runtime.h)\n");
    return 2;
}

#endif
