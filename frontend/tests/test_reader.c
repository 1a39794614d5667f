/* SPDX-License-Identifier: Apache-2.0 */
/* The binary format's lowest layer: header, section framing, LEB128 limits and UTF-8 names, each
 * refused with the spec suite's wording and the offending byte's offset. */
#include "wasm_build.h"

#include <criterion/criterion.h>
#include <string.h>
#include <wdec/module.h>

static wdec_status decode_raw(const uint8_t *p, size_t n, struct wdec_error *err)
{
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(p, n, NULL, NULL, NULL, &m, err);
    wdec_module_free(m);
    return st;
}

Test(wdec_reader, empty_module_is_valid)
{
    static const uint8_t m[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    struct wdec_error err;
    cr_assert_eq(decode_raw(m, sizeof m, &err), WDEC_OK);
}

Test(wdec_reader, header_errors)
{
    struct wdec_error err;
    cr_assert_eq(decode_raw((const uint8_t *)"", 0, &err), WDEC_ERR_UNEXPECTED_END);
    cr_assert_str_eq(err.message, "unexpected end");
    static const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};
    cr_assert_eq(decode_raw(bad_magic, sizeof bad_magic, &err), WDEC_ERR_MAGIC);
    cr_assert_str_eq(err.message, "magic header not detected");
    static const uint8_t bad_version[] = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
    cr_assert_eq(decode_raw(bad_version, sizeof bad_version, &err), WDEC_ERR_VERSION);
    cr_assert_eq(err.offset, 4);
    static const uint8_t short_version[] = {0x00, 0x61, 0x73, 0x6d, 0x01};
    cr_assert_eq(decode_raw(short_version, sizeof short_version, &err), WDEC_ERR_UNEXPECTED_END);
}

Test(wdec_reader, section_id_and_order)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_byte(&b, 0x0d); /* tag section: exceptions, not 2.0 */
    wb_byte(&b, 0x00);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_SECTION_ID);
    cr_assert_eq(err.offset, 8);

    static const uint8_t empty_vec[] = {0x00};
    wb_init(&b);
    wb_section(&b, 3, empty_vec, 1); /* function section */
    wb_section(&b, 1, empty_vec, 1); /* type section after it */
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_JUNK_AFTER_LAST);

    wb_init(&b);
    wb_section(&b, 1, empty_vec, 1);
    wb_section(&b, 1, empty_vec, 1); /* duplicate */
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_JUNK_AFTER_LAST);

    /* Data count (12) goes between element (9) and code (10). */
    static const uint8_t zero_count[] = {0x00};
    wb_init(&b);
    wb_section(&b, 12, zero_count, 1);
    wb_section(&b, 10, empty_vec, 1);
    wb_section(&b, 11, empty_vec, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_OK);
    wb_init(&b);
    wb_section(&b, 10, empty_vec, 1);
    wb_section(&b, 12, zero_count, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_JUNK_AFTER_LAST);
}

Test(wdec_reader, section_size_mismatch_and_bounds)
{
    struct wdec_error err;
    /* Type section that says 2 bytes but holds 1 count + an empty vector = 1 byte. */
    static const uint8_t shorter[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00,
                                      0x00, 0x00, 0x01, 0x02, 0x00, 0x00};
    cr_assert_eq(decode_raw(shorter, sizeof shorter, &err), WDEC_ERR_SECTION_SIZE);
    /* Section size past the end of the module. */
    static const uint8_t past[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00,
                                   0x00, 0x00, 0x01, 0x10, 0x00};
    cr_assert_eq(decode_raw(past, sizeof past, &err), WDEC_ERR_LENGTH_OUT_OF_BOUNDS);
    cr_assert_eq(err.offset, 9);
    /* Count of one type and nothing after it. */
    static const uint8_t cut[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01};
    cr_assert_eq(decode_raw(cut, sizeof cut, &err), WDEC_ERR_UNEXPECTED_END_SECTION);
    cr_assert(strncmp(err.message, "unexpected end", 14) == 0);
}

/* Memory section with one memory whose minimum is encoded as `leb`. */
static wdec_status memory_min(const uint8_t *leb, size_t n, struct wdec_error *err)
{
    struct wb b;
    wb_init(&b);
    wb_sec_begin(&b, 5);
    wb_byte(&b, 1);
    wb_byte(&b, 0); /* flags: no max */
    wb_bytes(&b, leb, n);
    wb_sec_end(&b);
    return wb_decode(&b, err);
}

Test(wdec_reader, unsigned_leb128)
{
    struct wdec_error err;
    static const uint8_t padded[] = {0x81, 0x80, 0x80, 0x80, 0x00}; /* 1, 5 bytes: fine */
    cr_assert_eq(memory_min(padded, sizeof padded, &err), WDEC_OK);
    static const uint8_t too_long[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x00};
    cr_assert_eq(memory_min(too_long, sizeof too_long, &err), WDEC_ERR_INT_TOO_LONG);
    cr_assert_str_eq(err.message, "integer representation too long");
    static const uint8_t unused_bits[] = {0x82, 0x80, 0x80, 0x80, 0x70};
    cr_assert_eq(memory_min(unused_bits, sizeof unused_bits, &err), WDEC_ERR_INT_TOO_LARGE);
    cr_assert_eq(err.offset, 8 + 1 + 5 + 2 + 4); /* the fifth LEB byte */
    static const uint8_t truncated[] = {0x82, 0x80};
    cr_assert_eq(memory_min(truncated, sizeof truncated, &err), WDEC_ERR_UNEXPECTED_END_SECTION);
}

/* One i32 global initialised by the i32.const immediate `leb` (or i64 when `wide`). */
static wdec_status global_const(bool wide, const uint8_t *leb, size_t n, struct wdec_error *err)
{
    struct wb b;
    wb_init(&b);
    wb_sec_begin(&b, 6);
    wb_byte(&b, 1);
    wb_byte(&b, wide ? 0x7e : 0x7f);
    wb_byte(&b, 0);
    wb_byte(&b, wide ? 0x42 : 0x41);
    wb_bytes(&b, leb, n);
    wb_byte(&b, 0x0b);
    wb_sec_end(&b);
    return wb_decode(&b, err);
}

Test(wdec_reader, signed_leb128)
{
    struct wdec_error err;
    static const uint8_t minus_one_padded[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    cr_assert_eq(global_const(false, minus_one_padded, 5, &err), WDEC_OK);
    static const uint8_t unset[] = {0xff, 0xff, 0xff, 0xff, 0x0f}; /* sign bits not copied */
    cr_assert_eq(global_const(false, unset, 5, &err), WDEC_ERR_INT_TOO_LARGE);
    static const uint8_t s32_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    cr_assert_eq(global_const(false, s32_long, 6, &err), WDEC_ERR_INT_TOO_LONG);
    static const uint8_t i64_ok[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    cr_assert_eq(global_const(true, i64_ok, 10, &err), WDEC_OK);
    static const uint8_t i64_bad[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e};
    cr_assert_eq(global_const(true, i64_bad, 10, &err), WDEC_ERR_INT_TOO_LARGE);
    static const uint8_t i64_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x00};
    cr_assert_eq(global_const(true, i64_long, 11, &err), WDEC_ERR_INT_TOO_LONG);
}

/* A custom section whose name is the given bytes. */
static wdec_status custom_named(const uint8_t *name, size_t n, struct wdec_error *err)
{
    struct wb b;
    wb_init(&b);
    wb_sec_begin(&b, 0);
    wb_u32(&b, (uint32_t)n);
    wb_bytes(&b, name, n);
    wb_byte(&b, 0x42); /* payload */
    wb_sec_end(&b);
    return wb_decode(&b, err);
}

Test(wdec_reader, utf8_names)
{
    struct wdec_error err;
    static const uint8_t ascii[] = "abc";
    cr_assert_eq(custom_named(ascii, 3, &err), WDEC_OK);
    static const uint8_t euro[] = {0xe2, 0x82, 0xac};
    cr_assert_eq(custom_named(euro, 3, &err), WDEC_OK);
    static const uint8_t max[] = {0xf4, 0x8f, 0xbf, 0xbf}; /* U+10FFFF */
    cr_assert_eq(custom_named(max, 4, &err), WDEC_OK);
    static const uint8_t overlong[] = {0xc0, 0x80};
    cr_assert_eq(custom_named(overlong, 2, &err), WDEC_ERR_UTF8);
    cr_assert_str_eq(err.message, "malformed UTF-8 encoding");
    static const uint8_t surrogate[] = {0xed, 0xa0, 0x80};
    cr_assert_eq(custom_named(surrogate, 3, &err), WDEC_ERR_UTF8);
    static const uint8_t too_big[] = {0xf4, 0x90, 0x80, 0x80};
    cr_assert_eq(custom_named(too_big, 4, &err), WDEC_ERR_UTF8);
    static const uint8_t cut[] = {0xe2, 0x82};
    cr_assert_eq(custom_named(cut, 2, &err), WDEC_ERR_UTF8);
    static const uint8_t lone_cont[] = {0x80};
    cr_assert_eq(custom_named(lone_cont, 1, &err), WDEC_ERR_UTF8);
}

Test(wdec_reader, first_error_wins_and_arguments)
{
    struct wdec_error err;
    struct wdec_module *m = (struct wdec_module *)&err; /* must be overwritten with NULL */
    cr_assert_eq(wdec_module_decode(NULL, 4, NULL, NULL, NULL, &m, &err),
                 WDEC_ERR_INVALID_ARGUMENT);
    cr_assert_null(m);
    static const uint8_t mod[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    cr_assert_eq(wdec_module_decode(mod, sizeof mod, NULL, NULL, NULL, NULL, &err),
                 WDEC_ERR_INVALID_ARGUMENT);
    struct wdec_options opt = {.features = WDEC_FEATURE_TAIL_CALL}; /* reserved, not built */
    cr_assert_eq(wdec_module_decode(mod, sizeof mod, &opt, NULL, NULL, &m, &err),
                 WDEC_ERR_UNSUPPORTED);
    cr_assert_str_eq(wdec_status_text(WDEC_ERR_TYPE_MISMATCH), "type mismatch");
    cr_assert_str_eq(wdec_status_text((wdec_status)9999), "unknown status");
}
