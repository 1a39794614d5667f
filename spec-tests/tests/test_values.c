/* SPDX-License-Identifier: Apache-2.0 */
/* Value parsing and matching of the spec runner: decimal bit patterns, NaN classes (spec
 * 4.3.3: canonical = only the quiet bit, arithmetic = quiet bit set, sign free) and references. */
#include "spec_internal.h"

#include <criterion/criterion.h>
#include <string.h>

static struct spec_value parse_ok(const char *type, const char *value, bool expected)
{
    struct spec_value v;
    char err[128] = "";
    cr_assert(spec_value_parse(type, value, expected, &v, err, sizeof err), "%s %s: %s", type,
              value ? value : "(none)", err);
    return v;
}

static bool parse_fails(const char *type, const char *value, bool expected)
{
    struct spec_value v;
    char err[128] = "";
    bool ok = spec_value_parse(type, value, expected, &v, err, sizeof err);
    if (!ok)
        cr_assert(err[0] != '\0', "a failed parse explains itself");
    return !ok;
}

static kiln_val f32_bits(uint32_t bits)
{
    kiln_val k;
    memset(&k, 0, sizeof k);
    k.type = KILN_F32;
    k.f32 = bits;
    return k;
}

static kiln_val f64_bits(uint64_t bits)
{
    kiln_val k;
    memset(&k, 0, sizeof k);
    k.type = KILN_F64;
    k.f64 = bits;
    return k;
}

Test(spec_values, integers_are_unsigned_decimal_bits)
{
    struct spec_value v = parse_ok("i32", "4294967295", false);
    cr_assert_eq(v.type, SPEC_T_I32);
    cr_assert_eq(v.bits, 0xffffffffu);
    kiln_val k = spec_value_to_kiln(&v);
    cr_assert_eq(k.type, KILN_I32);
    cr_assert_eq(k.i32, -1);

    v = parse_ok("i64", "18446744073709551615", false);
    cr_assert_eq(v.bits, UINT64_MAX);
    v = parse_ok("i32", "-1", false);
    cr_assert_eq(v.bits, 0xffffffffu);
    v = parse_ok("i64", "-9223372036854775808", false);
    cr_assert_eq(v.bits, UINT64_C(0x8000000000000000));
}

Test(spec_values, out_of_range_and_junk_are_refused)
{
    cr_assert(parse_fails("i32", "4294967296", false));
    cr_assert(parse_fails("i64", "18446744073709551616", false));
    cr_assert(parse_fails("i32", "-2147483649", false));
    cr_assert(parse_fails("i32", "12a", false));
    cr_assert(parse_fails("i32", "", false));
    cr_assert(parse_fails("v128", "0", false));
    cr_assert(parse_fails("f32", "nan:canonical", false), "NaN classes are not arguments");
    cr_assert(parse_fails("externref", NULL, false), "an argument needs a value");
}

Test(spec_values, floats_compare_bit_for_bit)
{
    struct spec_value v = parse_ok("f32", "2143289344", true); /* 0x7fc00000 */
    kiln_val k = f32_bits(0x7fc00000);
    cr_assert(spec_value_matches(&v, &k));
    k = f32_bits(0xffc00000);
    cr_assert_not(spec_value_matches(&v, &k), "the sign of an exact NaN matters");

    v = parse_ok("f32", "2147483648", true); /* -0.0 */
    k = f32_bits(0);
    cr_assert_not(spec_value_matches(&v, &k), "-0 is not +0");
    k = f32_bits(0x80000000);
    cr_assert(spec_value_matches(&v, &k));

    k = f64_bits(0x80000000);
    cr_assert_not(spec_value_matches(&v, &k), "an f64 never matches an f32 expectation");
}

Test(spec_values, canonical_nan)
{
    struct spec_value v = parse_ok("f32", "nan:canonical", true);
    cr_assert_eq(v.expect, SPEC_X_NAN_CANONICAL);
    kiln_val k = f32_bits(0x7fc00000);
    cr_assert(spec_value_matches(&v, &k));
    k = f32_bits(0xffc00000);
    cr_assert(spec_value_matches(&v, &k), "sign is free");
    k = f32_bits(0x7fc00001);
    cr_assert_not(spec_value_matches(&v, &k), "payload must be only the quiet bit");
    k = f32_bits(0x7f800000);
    cr_assert_not(spec_value_matches(&v, &k), "infinity is no NaN");

    v = parse_ok("f64", "nan:canonical", true);
    k = f64_bits(UINT64_C(0xfff8000000000000));
    cr_assert(spec_value_matches(&v, &k));
    k = f64_bits(UINT64_C(0x7ff8000000000001));
    cr_assert_not(spec_value_matches(&v, &k));
}

Test(spec_values, arithmetic_nan)
{
    struct spec_value v = parse_ok("f32", "nan:arithmetic", true);
    kiln_val k = f32_bits(0x7fc00000);
    cr_assert(spec_value_matches(&v, &k));
    k = f32_bits(0xffe00001);
    cr_assert(spec_value_matches(&v, &k), "any payload with the quiet bit, either sign");
    k = f32_bits(0x7f800001);
    cr_assert_not(spec_value_matches(&v, &k), "a signalling NaN is not arithmetic");

    v = parse_ok("f64", "nan:arithmetic", true);
    k = f64_bits(UINT64_C(0x7ffc000000000000));
    cr_assert(spec_value_matches(&v, &k));
    k = f64_bits(UINT64_C(0x7ff4000000000000));
    cr_assert_not(spec_value_matches(&v, &k));
}

Test(spec_values, references)
{
    struct spec_value v = parse_ok("externref", "0", false);
    kiln_val k = spec_value_to_kiln(&v);
    cr_assert_eq(k.type, KILN_EXTERNREF);
    cr_assert_not_null(k.ref, "host reference 0 is not ref.null");
    cr_assert(spec_value_matches(&v, &k), "a host reference comes back as itself");

    struct spec_value other = parse_ok("externref", "1", true);
    cr_assert_not(spec_value_matches(&other, &k));

    struct spec_value null = parse_ok("externref", "null", true);
    cr_assert_not(spec_value_matches(&null, &k));
    k.ref = NULL;
    cr_assert(spec_value_matches(&null, &k));

    struct spec_value fnull = parse_ok("funcref", "null", true);
    cr_assert_not(spec_value_matches(&fnull, &k), "an externref null is no funcref null");
    k.type = KILN_FUNCREF;
    cr_assert(spec_value_matches(&fnull, &k));

    struct spec_value any = parse_ok("funcref", NULL, true);
    cr_assert_eq(any.expect, SPEC_X_REF_ANY);
    cr_assert_not(spec_value_matches(&any, &k), "null is not some function");
    k.ref = &k;
    cr_assert(spec_value_matches(&any, &k));
}

Test(spec_values, formats_name_type_and_value)
{
    char text[96];
    struct spec_value v = parse_ok("i32", "4294967295", true);
    spec_value_format(&v, text, sizeof text);
    cr_assert_str_eq(text, "i32:4294967295 (-1)");
    v = parse_ok("f64", "nan:arithmetic", true);
    spec_value_format(&v, text, sizeof text);
    cr_assert_str_eq(text, "f64:nan:arithmetic");
    kiln_val k = f32_bits(0x3fc00000);
    spec_kiln_val_format(&k, text, sizeof text);
    cr_assert_str_eq(text, "f32:1.5 (0x3fc00000)");
}
