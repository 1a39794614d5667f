/* SPDX-License-Identifier: Apache-2.0 */
/* The generated form table and its lookups (mnemonic names, form descriptions). */
#include "forms.h"

#include "x64/cpu.h"
#include "x64/encode.h"

#include <string.h>

/* The table itself (after the headers that define its macros). */
/* clang-format off */
#include "gen/forms.inc"
/* clang-format on */

bool x64_mnemonic_lookup(const char *name, size_t len, enum x64_mnemonic *out)
{
    if (name == NULL || out == NULL)
        return false;
    size_t lo = 0, hi = x64__mnemonic_lookup_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = x64__mnemonic_lookup[mid].name;
        int c = strncmp(k, name, len);
        if (c == 0 && k[len] != '\0')
            c = 1;
        if (c == 0) {
            *out = (enum x64_mnemonic)x64__mnemonic_lookup[mid].mnemonic;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

const char *x64_mnemonic_name(enum x64_mnemonic mn)
{
    if ((unsigned)mn >= X64_MN_COUNT)
        return "?";
    return x64__mnemonic_names[mn];
}

const char *x64_form_name(enum x64_form form)
{
    if ((unsigned)form >= X64_FORM_COUNT)
        return "?";
    return x64__forms[form].name;
}

bool x64_form_describe(enum x64_form form, struct x64_form_desc *out)
{
    if ((unsigned)form >= X64_FORM_COUNT || out == NULL)
        return false;
    const struct x64_form_info *f = &x64__forms[form];
    memset(out, 0, sizeof *out);
    out->name = f->name;
    out->mnemonic = (enum x64_mnemonic)f->mnemonic;
    out->kind = (enum x64_enc_kind)f->kind;
    out->feature = (enum x64_feature)f->feature;
    out->nops = f->nops;
    for (unsigned i = 0; i < 4; i++) {
        out->ops[i] = i < f->nops ? (enum x64_opclass)f->ops[i] : X64_OC_NONE;
        out->opmask[i] = (f->deco[i] & 1u) != 0;
        out->zeroing[i] = (f->deco[i] & 2u) != 0;
    }
    out->sign_extended_imm8 = (f->flags & X64__F_SX) != 0;
    return true;
}

size_t x64_mnemonic_forms(enum x64_mnemonic mn, const uint16_t **out_forms)
{
    if ((unsigned)mn >= X64_MN_COUNT) {
        if (out_forms != NULL)
            *out_forms = NULL;
        return 0;
    }
    if (out_forms != NULL)
        *out_forms = &x64__mn_forms[x64__mn_first[mn]];
    return (size_t)(x64__mn_first[mn + 1] - x64__mn_first[mn]);
}
