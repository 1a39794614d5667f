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

/* Criterion runs these tests in parallel processes (--jobs 2), so every file a test writes has
 * a name of its own (`tag`): a shared file can be truncated by one test while another reads it. */
static struct spec_skip_list *fixture_skips(const char *tag)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_spec_runner_skip_%s.txt", KILN_BINARY_DIR, tag);
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
    struct spec_skip_list *skips = fixture_skips("counts");
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
    cr_assert_eq(
        spec_wast2json(NULL, FIXTURE, NULL, 0, NULL, 0, dir, sizeof dir, json, sizeof json),
        SPEC_OK);
    struct spec_skip_list *skips = fixture_skips("spill_all");
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

/* --- Patch list: a converter defect replaced by the intended module, before conversion --- */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A test's own fixture files (see fixture_skips()): test_spec_patch/TAG/arity.wast and
 * test_spec_patch/TAG/patches.txt in the build directory. */
struct patch_paths {
    char wast[512], list[512];
};

static struct patch_paths patch_paths(const char *tag)
{
    struct patch_paths p;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/test_spec_patch/%s", KILN_BINARY_DIR, tag);
    cr_assert_eq(system(cmd), 0);
    snprintf(p.wast, sizeof p.wast, "%s/test_spec_patch/%s/arity.wast", KILN_BINARY_DIR, tag);
    snprintf(p.list, sizeof p.list, "%s/test_spec_patch/%s/patches.txt", KILN_BINARY_DIR, tag);
    return p;
}

/* Line 3 is select.wast's case: wast2json writes `select (result)` as untyped 0x1b. */
static void write_patch_fixture(const struct patch_paths *p, const char *original_line)
{
    write_text(p->wast, "(module (func (export \"f\") (result i32) (i32.const 7)))\n"
                        "(assert_invalid\n"
                        "  (module (func $arity-0 (select (result) (nop) (nop) "
                        "(i32.const 1))))\n"
                        "  \"invalid result arity\")\n"
                        "(assert_return (invoke \"f\") (i32.const 7))\n");
    char list[1024];
    snprintf(list, sizeof list,
             "# a comment\n\narity.wast:3  wast2json drops the empty (result)\n- %s\n"
             "+   (module binary \"\\00asm\" \"\\01\\00\\00\\00\" \"\\01\\04\\01\\60\\00\\00\" "
             "\"\\03\\02\\01\\00\" \"\\0a\\0a\\01\\08\\00\\01\\01\\41\\01\\1c\\00\\0b\")\n",
             original_line);
    write_text(p->list, list);
}

Test(spec_runner, patched_line_runs_the_intended_module, .init = cr_redirect_stdout)
{
    struct patch_paths pp = patch_paths("patched");
    write_patch_fixture(&pp,
                        "  (module (func $arity-0 (select (result) (nop) (nop) (i32.const 1))))");
    struct spec_patch_list *patches = NULL;
    char err[256] = "";
    cr_assert_eq(spec_patch_list_load(pp.list, &patches, err, sizeof err), SPEC_OK, "%s", err);
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    struct spec_totals unpatched = {0, 0, 0};
    cr_assert_eq(spec_run_file(&opt, pp.wast, &unpatched), SPEC_OK);
    opt.patches = patches;
    struct spec_totals patched = {0, 0, 0};
    cr_assert_eq(spec_run_file(&opt, pp.wast, &patched), SPEC_OK);
    fflush(stdout);
    char *out = read_all(cr_get_redirected_stdout());
    /* Unpatched, wast2json's 0x1b module fails with "type mismatch", not the expected text. */
    cr_expect_eq(unpatched.failed, 1, "%s", out);
    cr_expect(strstr(out, "arity.wast:3: assert_invalid failed") != NULL, "%s", out);
    cr_expect_eq(patched.passed, 3, "%s", out);
    cr_expect_eq(patched.failed + patched.skipped, 0, "%s", out);
    cr_expect(strstr(out, "arity.wast:3: patched before conversion (spec-tests/patches.txt): "
                          "wast2json drops the empty (result)") != NULL,
              "every run says what was patched:\n%s", out);
    free(out);
    spec_patch_list_free(patches);
}

Test(spec_runner, a_patch_that_no_longer_applies_stops_the_file, .init = cr_redirect_stderr)
{
    struct patch_paths pp = patch_paths("stale");
    write_patch_fixture(&pp, "  (module (func $arity-0 (select (result) (nop) (i32.const 1))))");
    struct spec_patch_list *patches = NULL;
    char err[256] = "";
    cr_assert_eq(spec_patch_list_load(pp.list, &patches, err, sizeof err), SPEC_OK, "%s", err);
    struct spec_options opt;
    memset(&opt, 0, sizeof opt);
    opt.patches = patches;
    struct spec_totals totals = {0, 0, 0};
    cr_expect_eq(spec_run_file(&opt, pp.wast, &totals), SPEC_ERR_PATCH_LIST);
    cr_expect_eq(totals.passed + totals.failed + totals.skipped, 0);
    spec_patch_list_free(patches);
}

Test(spec_runner, malformed_patch_lists_are_refused)
{
    struct patch_paths pp = patch_paths("malformed");
    const char *bad[] = {
        "arity.wast:3\n- a\n+ b\n",        /* no reason */
        "arity.wast:*  why\n- a\n+ b\n",   /* a patch names one line */
        "arity.wast:3  why\n+ b\n- a\n",   /* order */
        "arity.wast:3  why\n- a\n",        /* no replacement */
        "  arity.wast:3  why\n- a\n+ b\n", /* indented header */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(pp.list, bad[i]);
        struct spec_patch_list *patches = NULL;
        char err[256] = "";
        cr_expect_eq(spec_patch_list_load(pp.list, &patches, err, sizeof err), SPEC_ERR_PATCH_LIST,
                     "case %zu", i);
        cr_expect(strstr(err, "patches.txt:") != NULL, "case %zu: %s", i, err);
        cr_expect_null(patches);
    }
}
