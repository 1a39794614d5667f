/* SPDX-License-Identifier: Apache-2.0 */
/* The runner end to end on tests/data/runner.wast: every command kind through wast2json and the
 * real runtime, with two commands wrong on purpose and one skipped, so the counts prove that
 * passes, failures and skips are each told apart. */
#include "spec_internal.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE KILN_SOURCE_DIR "/spec-tests/tests/data/runner.wast"

static struct spec_skip_list *fixture_skips(void)
{
    const char *path = KILN_BINARY_DIR "/test_spec_runner_skip.txt";
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("runner.wast:35  the fixture's skipped command\n", f);
    fclose(f);
    struct spec_skip_list *list = NULL;
    char err[256] = "";
    cr_assert_eq(spec_skip_list_load(path, &list, err, sizeof err), SPEC_OK, "%s", err);
    return list;
}

static char *read_all(FILE *f)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    size_t got;
    while ((got = fread(text + len, 1, cap - 1 - len, f)) > 0) {
        len += got;
        if (len == cap - 1) {
            cap *= 2;
            text = realloc(text, cap);
            cr_assert_not_null(text);
        }
    }
    text[len] = '\0';
    return text;
}

Test(spec_runner, counts_every_command_once, .init = cr_redirect_stdout)
{
    struct spec_skip_list *skips = fixture_skips();
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    opt.skips = skips;
    struct spec_totals totals = {0, 0, 0};
    cr_assert_eq(spec_run_file(&opt, FIXTURE, &totals), SPEC_OK);
    fflush(stdout);
    char *out = read_all(cr_get_redirected_stdout());

    cr_expect_eq(totals.failed, 2, "the two wrong commands:\n%s", out);
    cr_expect_eq(totals.skipped, 1, "%s", out);
    cr_expect_eq(totals.passed, 20, "%s", out);
    cr_expect(strstr(out, "runner.wast:17: assert_return failed: invoke \"add\": expected "
                          "(i32:4 (4)), got (i32:3 (3))") != NULL,
              "%s", out);
    cr_expect(strstr(out, "runner.wast:19: assert_trap failed") != NULL, "%s", out);
    cr_expect(strstr(out, "runner.wast: 20 passed, 2 failed, 1 skipped") != NULL, "%s", out);
    free(out);
    spec_skip_list_free(skips);
}

Test(spec_runner, spill_all_tier_and_json_input_agree, .init = cr_redirect_stdout)
{
    char dir[4096];
    char json[4096];
    cr_assert_eq(spec_wast2json(NULL, FIXTURE, NULL, 0, dir, sizeof dir, json, sizeof json),
                 SPEC_OK);
    struct spec_skip_list *skips = fixture_skips();
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    opt.skips = skips;
    opt.spill_all = true;
    struct spec_totals totals = {0, 0, 0};
    cr_assert_eq(spec_run_file(&opt, json, &totals), SPEC_OK);
    cr_expect_eq(totals.passed, 20);
    cr_expect_eq(totals.failed, 2);
    cr_expect_eq(totals.skipped, 1, "the skip list matches the .wast named inside the JSON");
    spec_remove_temp_dir(dir);
    spec_skip_list_free(skips);
}

Test(spec_runner, a_missing_script_is_an_error_not_a_count)
{
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    struct spec_totals totals = {0, 0, 0};
    cr_expect_neq(spec_run_file(&opt, KILN_BINARY_DIR "/no-such.json", &totals), SPEC_OK);
    cr_expect_eq(totals.passed + totals.failed + totals.skipped, 0);
}
