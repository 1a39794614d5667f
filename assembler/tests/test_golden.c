/* SPDX-License-Identifier: Apache-2.0 */
/* Golden test: every case of tests/data/golden.txt (bytes from GNU as, never from our table)
 * is encoded through kiln's generic path (x64_emit_form and x64_emit) and through the typed
 * emitter of its form, and must give the same bytes. Every form of the table must have at
 * least one golden case. Regenerate the data with assembler/tools/make_golden.sh. */
#include "golden_cases.h"
#include "golden_typed.h"
#include "x64/x64.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTS 40

static struct golden_set set;
static bool loaded;

static void load(void)
{
    loaded = golden_load(golden_path(), &set);
}

static void unload(void)
{
    golden_free(&set);
}

/* Encodes one case with `how` (0 = x64_emit_form, 1 = x64_emit, 2 = typed emitter, 3 = cursor
 * emitter).
 * Returns the status; *out_len and out receive the bytes. */
static enum x64_status encode(const struct golden_case *c, int how, uint8_t *out, size_t *out_len,
                              char *why, size_t why_len)
{
    struct x64_buf b;
    *out_len = 0;
    why[0] = '\0';
    if (x64_buf_init(&b, 64) != X64_OK)
        return X64_ERR_NO_MEMORY;
    if (how == 0) {
        x64_emit_form(&b, c->form, c->ops);
    } else if (how == 1) {
        struct x64_form_desc d;
        x64_form_describe(c->form, &d);
        x64_emit(&b, d.mnemonic, c->ops, c->nops);
    } else if (how == 2 && !golden_typed_emit(&b, c->form, c->ops)) {
        x64_buf_free(&b);
        return X64_ERR_UNKNOWN_MNEMONIC; /* no typed emitter for this form */
    } else if (how == 3) {
        struct x64_cur cur = x64_cur_open(&b);
        bool typed = golden_cursor_emit(&cur, c->form, c->ops);
        x64_cur_close(&cur);
        if (!typed) {
            x64_buf_free(&b);
            return X64_ERR_UNKNOWN_MNEMONIC;
        }
    }
    enum x64_status s = b.status;
    if (s == X64_OK) {
        memcpy(out, b.data, b.len < 32 ? b.len : 32);
        *out_len = b.len;
    } else {
        snprintf(why, why_len, "%s", x64_buf_error(&b));
    }
    x64_buf_free(&b);
    return s;
}

static void report(const struct golden_case *c, const char *path, enum x64_status s,
                   const char *why, const uint8_t *got, size_t got_len)
{
    char want[64], have[100];
    golden_hex(c->bytes, c->nbytes, want);
    if (s != X64_OK) {
        fprintf(stderr, "golden.txt:%u %s [%s] `%s`: %s refused: %s (%s)\n", c->line, c->form_name,
                want, c->text, path, x64_status_str(s), why);
        return;
    }
    golden_hex(got, got_len < 32 ? got_len : 32, have);
    fprintf(stderr, "golden.txt:%u %s `%s`: %s gives [%s], GNU as [%s]\n", c->line, c->form_name,
            c->text, path, have, want);
}

TestSuite(x64_golden, .init = load, .fini = unload, .timeout = 300);

Test(x64_golden, every_case_through_x64_emit_form)
{
    cr_assert(loaded, "%s", set.error);
    size_t diffs = 0, refused = 0, unknown = 0, bad_nops = 0;
    unsigned reports = 0;
    bool *seen = calloc(X64_FORM_COUNT, sizeof *seen);
    cr_assert_not_null(seen);
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (c->form == X64_FORM_COUNT) {
            if (unknown++ < MAX_REPORTS)
                fprintf(stderr, "golden.txt:%u: form %s is not in the table\n", c->line,
                        c->form_name);
            continue;
        }
        seen[c->form] = true;
        struct x64_form_desc d;
        cr_assert(x64_form_describe(c->form, &d));
        if (d.nops != c->nops) {
            if (bad_nops++ < MAX_REPORTS)
                fprintf(stderr, "golden.txt:%u: %s takes %u operands, the line has %u\n", c->line,
                        c->form_name, d.nops, c->nops);
            continue;
        }
        uint8_t got[32];
        size_t len;
        char why[256];
        enum x64_status s = encode(c, 0, got, &len, why, sizeof why);
        if (s != X64_OK)
            refused++;
        else if (len != c->nbytes || memcmp(got, c->bytes, len) != 0)
            diffs++;
        else
            continue;
        if (reports++ < MAX_REPORTS)
            report(c, "x64_emit_form", s, why, got, len);
    }
    size_t forms = 0;
    for (unsigned f = 0; f < X64_FORM_COUNT; f++)
        forms += seen[f];
    free(seen);
    fprintf(stderr,
            "golden (x64_emit_form): %zu forms of %u, %zu cases: %zu differences, %zu refused, "
            "%zu unknown forms, %zu operand-count mismatches\n",
            forms, (unsigned)X64_FORM_COUNT, set.count, diffs, refused, unknown, bad_nops);
    cr_expect_eq(unknown, 0, "golden lines name forms the table does not have");
    cr_expect_eq(bad_nops, 0, "golden lines disagree with the operand count of their form");
    cr_expect_eq(refused, 0, "x64_emit_form refused %zu valid golden cases", refused);
    cr_expect_eq(diffs, 0, "x64_emit_form differs from GNU as in %zu cases", diffs);
}

Test(x64_golden, every_form_has_a_golden_case)
{
    cr_assert(loaded, "%s", set.error);
    bool *seen = calloc(X64_FORM_COUNT, sizeof *seen);
    cr_assert_not_null(seen);
    for (size_t i = 0; i < set.count; i++)
        if (set.cases[i].form != X64_FORM_COUNT)
            seen[set.cases[i].form] = true;
    size_t missing = 0;
    for (unsigned f = 0; f < X64_FORM_COUNT; f++) {
        if (!seen[f] && missing++ < 100)
            fprintf(stderr, "form %s has no golden case (run tools/make_golden.sh)\n",
                    x64_form_name((enum x64_form)f));
    }
    free(seen);
    fprintf(stderr, "golden coverage: %u forms, %zu without a case\n", (unsigned)X64_FORM_COUNT,
            missing);
    cr_expect_eq(missing, 0, "%zu forms of the table have no golden case", missing);
}

/* x64_emit picks the first acceptable form of the mnemonic (GNU as's choice). Where that is
 * the case's own form the bytes must match; where another form wins (a shorter or preferred
 * encoding of the same operands, e.g. reg-reg `mov` as 89 rather than 8B) the case is only
 * counted. */
Test(x64_golden, every_case_through_x64_emit)
{
    cr_assert(loaded, "%s", set.error);
    size_t checked = 0, other = 0, diffs = 0, refused = 0;
    unsigned reports = 0;
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (c->form == X64_FORM_COUNT)
            continue;
        struct x64_form_desc d;
        x64_form_describe(c->form, &d);
        enum x64_form chosen;
        char why[256];
        enum x64_status s = x64_select_form(d.mnemonic, c->ops, c->nops, &chosen, why, sizeof why);
        uint8_t got[32];
        size_t len = 0;
        if (s == X64_OK && chosen != c->form) {
            other++;
            continue;
        }
        if (s == X64_OK)
            s = encode(c, 1, got, &len, why, sizeof why);
        checked++;
        if (s != X64_OK)
            refused++;
        else if (len != c->nbytes || memcmp(got, c->bytes, len) != 0)
            diffs++;
        else
            continue;
        if (reports++ < MAX_REPORTS)
            report(c, "x64_emit", s, why, got, len);
    }
    fprintf(stderr,
            "golden (x64_emit): %zu cases checked, %zu pick another form of the mnemonic: %zu "
            "differences, %zu refused\n",
            checked, other, diffs, refused);
    cr_expect_eq(refused, 0, "x64_emit refused %zu valid golden cases", refused);
    cr_expect_eq(diffs, 0, "x64_emit differs from GNU as in %zu cases", diffs);
}

/* The same cases through one buffer, twice: x64_emit() remembers the form it chose per
 * mnemonic and operand types in a per-thread memo (shared by every buffer, so the test above
 * already ran warm from its second case on), so here most cases are served from the memo
 * (written by cases with other registers, displacements and immediates) and the memo's sets
 * overflow and evict. Every case must still give GNU as's bytes. */
Test(x64_golden, every_case_through_x64_emit_with_a_warm_memo)
{
    cr_assert(loaded, "%s", set.error);
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
    size_t checked = 0, diffs = 0, refused = 0;
    unsigned reports = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < set.count; i++) {
            const struct golden_case *c = &set.cases[i];
            if (c->form == X64_FORM_COUNT)
                continue;
            struct x64_form_desc d;
            x64_form_describe(c->form, &d);
            enum x64_form chosen;
            if (x64_select_form(d.mnemonic, c->ops, c->nops, &chosen, NULL, 0) != X64_OK ||
                chosen != c->form)
                continue;
            size_t start = b.len;
            x64_emit(&b, d.mnemonic, c->ops, c->nops);
            checked++;
            size_t len = b.len - start;
            const uint8_t *got = b.data + start;
            if (b.status != X64_OK) {
                refused++;
                if (reports++ < MAX_REPORTS)
                    report(c, "x64_emit (warm memo)", b.status, x64_buf_error(&b), NULL, 0);
                x64_buf_free(&b);
                cr_assert_eq(x64_buf_init(&b, 0), X64_OK);
                continue;
            }
            if (len == c->nbytes && memcmp(got, c->bytes, len) == 0)
                continue;
            diffs++;
            if (reports++ < MAX_REPORTS)
                report(c, "x64_emit (warm memo)", X64_OK, "", got, len);
        }
    }
    x64_buf_free(&b);
    fprintf(stderr,
            "golden (x64_emit, one buffer, 2 passes): %zu emits: %zu differences, "
            "%zu refused\n",
            checked, diffs, refused);
    cr_expect_eq(refused, 0, "x64_emit refused %zu valid golden cases", refused);
    cr_expect_eq(diffs, 0, "x64_emit with a warm memo differs from GNU as in %zu cases", diffs);
}

/* Every case with a typed emitter through `how` (2 or 3), one buffer per case. */
static void check_typed(int how, const char *path)
{
    cr_assert(loaded, "%s", set.error);
    size_t checked = 0, untyped = 0, diffs = 0, refused = 0;
    unsigned reports = 0;
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (c->form == X64_FORM_COUNT)
            continue;
        uint8_t got[32];
        size_t len;
        char why[256];
        enum x64_status s = encode(c, how, got, &len, why, sizeof why);
        if (s == X64_ERR_UNKNOWN_MNEMONIC) {
            untyped++;
            continue;
        }
        checked++;
        if (s != X64_OK)
            refused++;
        else if (len != c->nbytes || memcmp(got, c->bytes, len) != 0)
            diffs++;
        else
            continue;
        if (reports++ < MAX_REPORTS)
            report(c, path, s, why, got, len);
    }
    fprintf(stderr,
            "golden (%ss, %u forms): %zu cases checked, %zu without a typed emitter: "
            "%zu differences, %zu refused\n",
            path, golden_typed_count(), checked, untyped, diffs, refused);
    cr_expect_gt(checked, 100000, "only %zu cases checked", checked);
    cr_expect_eq(refused, 0, "%ss refused %zu valid golden cases", path, refused);
    cr_expect_eq(diffs, 0, "%ss differ from GNU as in %zu cases", path, diffs);
}

Test(x64_golden, every_case_through_the_typed_emitter)
{
    check_typed(2, "typed emitter");
}

Test(x64_golden, every_case_through_the_cursor_emitter)
{
    check_typed(3, "cursor emitter");
}

/* Every typed case through one cursor into one buffer that starts at 16 bytes: the cursor
 * reaches its limit and the buffer grows again and again under it; the code must be the golden
 * bytes end to end. */
Test(x64_golden, every_case_through_one_cursor_growing_the_buffer)
{
    cr_assert(loaded, "%s", set.error);
    bool *typed = calloc(set.count, sizeof *typed);
    cr_assert_not_null(typed);
    struct x64_buf b;
    cr_assert_eq(x64_buf_init(&b, 16), X64_OK);
    size_t total = 0, ncases = 0;
    struct x64_cur cur = x64_cur_open(&b);
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (c->form != X64_FORM_COUNT && golden_cursor_emit(&cur, c->form, c->ops)) {
            typed[i] = true;
            total += c->nbytes;
            ncases++;
        }
    }
    x64_cur_close(&cur);
    cr_assert_eq(b.status, X64_OK, "%s", x64_buf_error(&b));
    cr_assert_gt(ncases, 100000, "only %zu cases", ncases);
    cr_assert_eq(b.len, total, "%zu bytes for %zu cases, want %zu", b.len, ncases, total);
    size_t at = 0, diffs = 0;
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (!typed[i])
            continue;
        if (memcmp(b.data + at, c->bytes, c->nbytes) != 0 && diffs++ < MAX_REPORTS)
            report(c, "one cursor", X64_OK, "", b.data + at, c->nbytes);
        at += c->nbytes;
    }
    cr_expect_eq(diffs, 0, "one cursor differs from GNU as in %zu cases", diffs);
    x64_buf_free(&b);
    free(typed);
}
