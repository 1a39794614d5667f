/* SPDX-License-Identifier: Apache-2.0 */
/* Round trip: every golden case is encoded by kiln (x64_emit_form) and decoded by Zydis, an
 * independent decoder; the instruction must come back with its length, mnemonic and operands.
 * Built when libzydis is found (KILN_ROUNDTRIP AUTO/ON). */
#include "golden_cases.h"
#include "x64/x64.h"
#include "zydis_check.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define MAX_REPORTS 40

Test(x64_roundtrip, every_golden_case_decodes_back_with_zydis, .timeout = 300)
{
    struct golden_set set;
    bool ok = golden_load(golden_path(), &set);
    cr_assert(ok, "%s", set.error);
    size_t checked = 0, failed = 0, refused = 0, failed_forms = 0;
    enum x64_form last_failed = X64_FORM_COUNT;
    for (size_t i = 0; i < set.count; i++) {
        const struct golden_case *c = &set.cases[i];
        if (c->form == X64_FORM_COUNT)
            continue;
        struct x64_buf b;
        cr_assert_eq(x64_buf_init(&b, 64), X64_OK);
        x64_emit_form(&b, c->form, c->ops);
        checked++;
        if (b.status != X64_OK) {
            if (refused++ < MAX_REPORTS)
                fprintf(stderr, "golden.txt:%u %s `%s`: refused: %s\n", c->line, c->form_name,
                        c->text, x64_buf_error(&b));
            x64_buf_free(&b);
            continue;
        }
        char why[256];
        if (!zydis_check(b.data, b.len, c->form, c->ops, why, sizeof why)) {
            /* The first failing case of each form, for up to MAX_REPORTS forms. */
            failed++;
            if (c->form != last_failed && failed_forms++ < MAX_REPORTS) {
                char hex[64];
                golden_hex(b.data, b.len < 16 ? b.len : 16, hex);
                fprintf(stderr, "golden.txt:%u %s `%s` [%s]: %s\n", c->line, c->form_name, c->text,
                        hex, why);
            }
            last_failed = c->form;
        }
        x64_buf_free(&b);
    }
    golden_free(&set);
    fprintf(stderr, "roundtrip (Zydis): %zu cases: %zu differ (in %zu forms), %zu refused\n",
            checked, failed, failed_forms, refused);
    cr_expect_eq(refused, 0);
    cr_expect_eq(failed, 0, "%zu golden cases do not decode back with Zydis", failed);
}
