/* SPDX-License-Identifier: Apache-2.0 */
/* Module-level sections and their validation rules: types, imports, functions/code, tables,
 * memories, globals and constant expressions, exports, start, element and data segments in every
 * mode, the data count, custom and name sections, and the decoded module's queries. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "wasm_build.h"

#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>
#include <wdec/module.h>

static struct wdec_module *decode_ok(const struct wb *b)
{
    struct wdec_module *m = NULL;
    struct wdec_error err;
    wdec_status st = wdec_module_decode(b->buf, b->n, NULL, NULL, NULL, &m, &err);
    cr_assert_eq(st, WDEC_OK, "decode failed: %s at %zu", err.message, err.offset);
    return m;
}

static const uint8_t no_locals[] = {0x00};
static const uint8_t i32[] = {WDEC_I32};

Test(wdec_sections, types_and_functions)
{
    struct wb b;
    wb_init(&b);
    static const uint8_t params[] = {WDEC_I32, WDEC_F64};
    static const uint8_t results[] = {WDEC_I64, WDEC_EXTERNREF};
    wb_one_type(&b, params, 2, results, 2);
    wb_funcs(&b, 1);
    static const uint8_t code[] = {0x42, 0x00, 0xd0, 0x6f, 0x0b};
    wb_code(&b, no_locals, 1, code, sizeof code);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->type_count, 1);
    const struct wdec_func_type *ft = wdec_module_func_type(m, 0);
    cr_assert_not_null(ft);
    cr_assert_eq(ft->param_count, 2);
    cr_assert_eq(ft->params[1], WDEC_F64);
    cr_assert_eq(ft->results[1], WDEC_EXTERNREF);
    cr_assert_eq(m->func_count, 1);
    cr_assert_eq(m->funcs[0].body_size, 1 + sizeof code);
    cr_assert_eq(m->funcs[0].body_offset, b.n - (1 + sizeof code));
    cr_assert_null(wdec_module_func_type(m, 1));
    cr_assert_null(m->func_names, "no name section, no names array");
    /* One of each per function and per data segment: the sizes module.h promises (LP64). */
    cr_assert_eq(sizeof(struct wdec_func), 16);
    cr_assert_eq(sizeof(struct wdec_const_expr), 32);
    cr_assert_null(wdec_module_func_name(m, 0));
    wdec_module_free(m);
}

/* Byte offsets in struct wdec_func are 32 bits wide, so a module of 2^32 bytes or more is refused
 * before a byte of it is read. The test reserves 4 GiB of address space without committing it and
 * makes only the first page readable: a decoder that read further would crash the test. */
Test(wdec_sections, module_of_4_gib_is_refused_unread)
{
    const size_t size = (size_t)UINT32_MAX + 1;
    uint8_t *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        cr_skip_test("cannot reserve 4 GiB of address space");
    cr_assert_eq(mprotect(p, 4096, PROT_READ | PROT_WRITE), 0);
    memcpy(p, "\0asm\1\0\0\0", 8);
    struct wdec_module *m = NULL;
    struct wdec_error err;
    cr_assert_eq(wdec_module_decode(p, size, NULL, NULL, NULL, &m, &err), WDEC_ERR_IMPL_LIMIT);
    cr_assert_null(m);
    cr_assert_eq(err.offset, 0);
    /* One byte less is read as usual: zeros after the header are a custom section whose name
     * runs past its (empty) contents, found in the first page. */
    cr_assert_eq(wdec_module_decode(p, size - 1, NULL, NULL, NULL, &m, &err),
                 WDEC_ERR_UNEXPECTED_END_SECTION);
    cr_assert_lt(err.offset, 4096);
    munmap(p, size);
}

Test(wdec_sections, malformed_types)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t bad_form[] = {0x01, 0x61, 0x00, 0x00};
    wb_init(&b);
    wb_section(&b, 1, bad_form, sizeof bad_form);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_FUNC_TYPE);
    static const uint8_t bad_valtype[] = {0x01, 0x60, 0x01, 0x40, 0x00};
    wb_init(&b);
    wb_section(&b, 1, bad_valtype, sizeof bad_valtype);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_VALUE_TYPE);
}

Test(wdec_sections, function_and_code_counts)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 2);
    static const uint8_t code[] = {0x0b};
    wb_code(&b, no_locals, 1, code, 1); /* one body for two functions */
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_FUNC_CODE_MISMATCH);
    cr_assert_str_eq(err.message, "function and code section have inconsistent lengths");

    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1); /* and no code section at all */
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_FUNC_CODE_MISMATCH);

    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    static const uint8_t unknown_type[] = {0x01, 0x05};
    wb_section(&b, 3, unknown_type, sizeof unknown_type);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNKNOWN_TYPE);
}

Test(wdec_sections, imports_fill_index_spaces_first)
{
    struct wb b;
    wb_init(&b);
    wb_one_type(&b, i32, 1, NULL, 0);
    wb_sec_begin(&b, 2);
    wb_u32(&b, 4);
    wb_name(&b, "env");
    wb_name(&b, "f");
    wb_byte(&b, 0x00);
    wb_u32(&b, 0);
    wb_name(&b, "env");
    wb_name(&b, "t");
    wb_byte(&b, 0x01);
    wb_byte(&b, 0x70);
    wb_byte(&b, 0x01);
    wb_u32(&b, 1);
    wb_u32(&b, 10);
    wb_name(&b, "env");
    wb_name(&b, "m");
    wb_byte(&b, 0x02);
    wb_byte(&b, 0x00);
    wb_u32(&b, 1);
    wb_name(&b, "env");
    wb_name(&b, "g");
    wb_byte(&b, 0x03);
    wb_byte(&b, WDEC_I64);
    wb_byte(&b, 0x01);
    wb_sec_end(&b);
    wb_funcs(&b, 1);
    static const uint8_t code[] = {0x0b};
    wb_code(&b, no_locals, 1, code, 1);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->import_count, 4);
    cr_assert_eq(m->func_count, 2);
    cr_assert_eq(m->func_import_count, 1);
    cr_assert(m->funcs[0].imported);
    cr_assert_not(m->funcs[1].imported);
    cr_assert_eq(m->table_count, 1);
    cr_assert_eq(m->tables[0].type.limits.max, 10);
    cr_assert(m->tables[0].type.limits.has_max);
    cr_assert_eq(m->memory_count, 1);
    cr_assert_eq(m->global_import_count, 1);
    cr_assert(m->globals[0].type.is_mutable);
    cr_assert_str_eq(m->imports[3].name.str, "g");
    cr_assert_eq(m->imports[3].kind, WDEC_EXTERN_GLOBAL);
    wdec_module_free(m);
}

Test(wdec_sections, import_errors)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_sec_begin(&b, 2);
    wb_u32(&b, 1);
    wb_name(&b, "a");
    wb_name(&b, "b");
    wb_byte(&b, 0x05);
    wb_sec_end(&b);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_IMPORT_KIND);

    wb_init(&b);
    wb_sec_begin(&b, 2);
    wb_u32(&b, 1);
    wb_name(&b, "a");
    wb_name(&b, "b");
    wb_byte(&b, 0x03);
    wb_byte(&b, WDEC_I32);
    wb_byte(&b, 0x02); /* mutability 2 */
    wb_sec_end(&b);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_MUTABILITY);
}

Test(wdec_sections, memory_limits)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t too_big[] = {0x01, 0x00, 0x81, 0x80, 0x04}; /* 65537 pages */
    wb_init(&b);
    wb_section(&b, 5, too_big, sizeof too_big);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_MEMORY_SIZE);
    static const uint8_t min_gt_max[] = {0x01, 0x01, 0x02, 0x01};
    wb_init(&b);
    wb_section(&b, 5, min_gt_max, sizeof min_gt_max);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_LIMITS);
    static const uint8_t two[] = {0x02, 0x00, 0x00, 0x00, 0x00};
    wb_init(&b);
    wb_section(&b, 5, two, sizeof two);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_MULTIPLE_MEMORIES);
    static const uint8_t flags2[] = {0x01, 0x02, 0x00};
    wb_init(&b);
    wb_section(&b, 5, flags2, sizeof flags2);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_INT_TOO_LARGE);
    static const uint8_t ok[] = {0x01, 0x01, 0x00, 0x80, 0x80, 0x04}; /* max 65536 */
    wb_init(&b);
    wb_section(&b, 5, ok, sizeof ok);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(wdec_module_memory_type(m, 0)->limits.max, 65536);
    wdec_module_free(m);
}

Test(wdec_sections, tables_allow_several_and_check_limits)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t two[] = {0x02, 0x70, 0x00, 0x00, 0x6f, 0x01, 0x01, 0x02};
    wb_init(&b);
    wb_section(&b, 4, two, sizeof two);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->table_count, 2);
    cr_assert_eq(wdec_module_table_type(m, 1)->elem_type, WDEC_EXTERNREF);
    wdec_module_free(m);
    static const uint8_t bad_ref[] = {0x01, 0x7f, 0x00, 0x00};
    wb_init(&b);
    wb_section(&b, 4, bad_ref, sizeof bad_ref);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_REF_TYPE);
    static const uint8_t min_gt_max[] = {0x01, 0x70, 0x01, 0x03, 0x02};
    wb_init(&b);
    wb_section(&b, 4, min_gt_max, sizeof min_gt_max);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_LIMITS);
}

/* A module with one imported immutable i32 global "g" and one global of the given type,
 * mutability and init expression bytes (including the final end). */
static wdec_status global_with(uint8_t type, bool mut, const uint8_t *init, size_t n,
                               struct wdec_module **out, struct wdec_error *err)
{
    static struct wb b;
    wb_init(&b);
    wb_sec_begin(&b, 2);
    wb_u32(&b, 2);
    wb_name(&b, "env");
    wb_name(&b, "g");
    wb_byte(&b, 0x03);
    wb_byte(&b, WDEC_I32);
    wb_byte(&b, 0x00);
    wb_name(&b, "env");
    wb_name(&b, "gm");
    wb_byte(&b, 0x03);
    wb_byte(&b, WDEC_I32);
    wb_byte(&b, 0x01);
    wb_sec_end(&b);
    wb_sec_begin(&b, 6);
    wb_u32(&b, 1);
    wb_byte(&b, type);
    wb_byte(&b, mut ? 1 : 0);
    wb_bytes(&b, init, n);
    wb_sec_end(&b);
    *out = NULL;
    return wdec_module_decode(b.buf, b.n, NULL, NULL, NULL, out, err);
}

Test(wdec_sections, globals_and_const_exprs)
{
    struct wdec_module *m;
    struct wdec_error err;
    static const uint8_t f64c[] = {0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b};
    cr_assert_eq(global_with(WDEC_F64, true, f64c, sizeof f64c, &m, &err), WDEC_OK);
    cr_assert_eq(m->global_count, 3);
    cr_assert_eq(m->globals[2].init.kind, WDEC_CONST_F64);
    cr_assert_eq(m->globals[2].init.value.f64_bits, 0x3ff0000000000000ull);
    cr_assert(m->globals[2].type.is_mutable);
    wdec_module_free(m);

    static const uint8_t get_import[] = {0x23, 0x00, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, get_import, 3, &m, &err), WDEC_OK);
    cr_assert_eq(m->globals[2].init.kind, WDEC_CONST_GLOBAL_GET);
    cr_assert_eq(m->globals[2].init.value.index, 0);
    wdec_module_free(m);

    static const uint8_t get_mutable[] = {0x23, 0x01, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, get_mutable, 3, &m, &err), WDEC_ERR_CONST_EXPR);
    static const uint8_t get_self[] = {0x23, 0x02, 0x0b}; /* not imported: out of scope */
    cr_assert_eq(global_with(WDEC_I32, false, get_self, 3, &m, &err), WDEC_ERR_UNKNOWN_GLOBAL);
    cr_assert_str_eq(err.message, "unknown global 2");
    static const uint8_t wrong_type[] = {0x42, 0x00, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, wrong_type, 3, &m, &err), WDEC_ERR_TYPE_MISMATCH);
    static const uint8_t two_values[] = {0x41, 0x00, 0x41, 0x00, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, two_values, 5, &m, &err), WDEC_ERR_TYPE_MISMATCH);
    static const uint8_t empty[] = {0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, empty, 1, &m, &err), WDEC_ERR_TYPE_MISMATCH);
    static const uint8_t add[] = {0x41, 0x00, 0x41, 0x00, 0x6a, 0x0b}; /* extended-const only */
    cr_assert_eq(global_with(WDEC_I32, false, add, sizeof add, &m, &err), WDEC_ERR_CONST_EXPR);
    static const uint8_t nop[] = {0x01, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, nop, 2, &m, &err), WDEC_ERR_CONST_EXPR);
    static const uint8_t illegal[] = {0xff, 0x0b};
    cr_assert_eq(global_with(WDEC_I32, false, illegal, 2, &m, &err), WDEC_ERR_ILLEGAL_OPCODE);
    static const uint8_t null_ext[] = {0xd0, 0x6f, 0x0b};
    cr_assert_eq(global_with(WDEC_EXTERNREF, false, null_ext, 3, &m, &err), WDEC_OK);
    cr_assert_eq(m->globals[2].init.kind, WDEC_CONST_REF_NULL);
    wdec_module_free(m);
    static const uint8_t no_end[] = {0x41, 0x00};
    cr_assert_eq(global_with(WDEC_I32, false, no_end, 2, &m, &err),
                 WDEC_ERR_UNEXPECTED_END_SECTION);
}

Test(wdec_sections, exports)
{
    struct wb b;
    struct wdec_error err;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_memory(&b);
    wb_sec_begin(&b, 7);
    wb_u32(&b, 2);
    wb_name(&b, "run");
    wb_byte(&b, 0x00);
    wb_u32(&b, 0);
    wb_name(&b, "mem");
    wb_byte(&b, 0x02);
    wb_u32(&b, 0);
    wb_sec_end(&b);
    static const uint8_t code[] = {0x0b};
    wb_code(&b, no_locals, 1, code, 1);
    struct wdec_module *m = decode_ok(&b);
    const struct wdec_export *e = wdec_module_find_export(m, "mem", 3);
    cr_assert_not_null(e);
    cr_assert_eq(e->kind, WDEC_EXTERN_MEMORY);
    cr_assert_null(wdec_module_find_export(m, "me", 2));
    cr_assert(m->funcs[0].declared, "an exported function may be ref.func'd");
    wdec_module_free(m);

    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_sec_begin(&b, 7);
    wb_u32(&b, 2);
    wb_name(&b, "a");
    wb_byte(&b, 0x00);
    wb_u32(&b, 0);
    wb_name(&b, "a");
    wb_byte(&b, 0x00);
    wb_u32(&b, 0);
    wb_sec_end(&b);
    wb_code(&b, no_locals, 1, code, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_DUPLICATE_EXPORT);

    wb_init(&b);
    wb_sec_begin(&b, 7);
    wb_u32(&b, 1);
    wb_name(&b, "g");
    wb_byte(&b, 0x03);
    wb_u32(&b, 7);
    wb_sec_end(&b);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNKNOWN_GLOBAL);
    cr_assert_str_eq(err.message, "unknown global 7");
}

Test(wdec_sections, start_function)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t code[] = {0x0b};
    static const uint8_t start0[] = {0x00};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_section(&b, 8, start0, 1);
    wb_code(&b, no_locals, 1, code, 1);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->start_func, 0);
    wdec_module_free(m);

    wb_init(&b);
    wb_one_type(&b, i32, 1, NULL, 0);
    wb_funcs(&b, 1);
    wb_section(&b, 8, start0, 1);
    wb_code(&b, no_locals, 1, code, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_START);

    static const uint8_t start5[] = {0x05};
    wb_init(&b);
    wb_section(&b, 8, start5, 1);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNKNOWN_FUNC);
}

/* Type, 2 functions, a funcref table, the given element section contents, and bodies. */
static wdec_status with_elems(const uint8_t *elems, size_t n, struct wdec_module **out,
                              struct wdec_error *err)
{
    static struct wb b;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 2);
    static const uint8_t tab[] = {0x02, 0x70, 0x00, 0x01, 0x6f, 0x00, 0x01};
    wb_section(&b, 4, tab, sizeof tab);
    wb_section(&b, 9, elems, n);
    wb_sec_begin(&b, 10);
    wb_u32(&b, 2);
    for (int i = 0; i < 2; i++) {
        wb_u32(&b, 2);
        wb_byte(&b, 0);
        wb_byte(&b, 0x0b);
    }
    wb_sec_end(&b);
    *out = NULL;
    return wdec_module_decode(b.buf, b.n, NULL, NULL, NULL, out, err);
}

Test(wdec_sections, element_segments_all_modes)
{
    struct wdec_module *m;
    struct wdec_error err;
    static const uint8_t all[] = {
        8,    0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,       /* 0: active table 0, func indices */
        0x01, 0x00, 0x01, 0x01,                         /* 1: passive, elemkind, indices */
        0x02, 0x00, 0x41, 0x01, 0x0b, 0x00, 0x01, 0x00, /* 2: active explicit table */
        0x03, 0x00, 0x01, 0x01,                         /* 3: declarative */
        0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b, /* 4: active, expressions */
        0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b,             /* 5: passive, expressions */
        0x06, 0x01, 0x41, 0x00, 0x0b, 0x6f, 0x01, 0xd0, 0x6f, 0x0b, /* 6: table 1 externref */
        0x07, 0x70, 0x01, 0xd2, 0x01, 0x0b,                         /* 7: declarative expressions */
    };
    cr_assert_eq(with_elems(all, sizeof all, &m, &err), WDEC_OK, "%s at %zu", err.message,
                 err.offset);
    cr_assert_eq(m->elem_count, 8);
    cr_assert_eq(m->elems[0].mode, WDEC_SEGMENT_ACTIVE);
    cr_assert_eq(m->elems[1].mode, WDEC_SEGMENT_PASSIVE);
    cr_assert_eq(m->elems[3].mode, WDEC_SEGMENT_DECLARATIVE);
    cr_assert_eq(m->elems[6].table_index, 1);
    cr_assert_eq(m->elems[6].elem_type, WDEC_EXTERNREF);
    /* Plain function indices stay indices; expressions are decoded. */
    cr_assert_null(m->elems[0].items);
    cr_assert_not_null(m->elems[0].func_indices);
    cr_assert_eq(m->elems[0].count, 1);
    cr_assert_eq(m->elems[0].func_indices[0], 0);
    cr_assert_eq(m->elems[1].func_indices[0], 1);
    cr_assert_eq(m->elems[3].func_indices[0], 1);
    cr_assert_null(m->elems[4].func_indices);
    cr_assert_eq(m->elems[4].items[0].kind, WDEC_CONST_REF_FUNC);
    cr_assert_eq(m->elems[4].items[0].value.index, 0);
    cr_assert_eq(m->elems[5].items[0].kind, WDEC_CONST_REF_NULL);
    cr_assert_eq(m->elems[2].offset.value.i32, 1);
    cr_assert(m->funcs[0].declared && m->funcs[1].declared);
    wdec_module_free(m);

    static const uint8_t wrong_table_type[] = {1, 0x06, 0x01, 0x41, 0x00, 0x0b, 0x70, 0x00};
    cr_assert_eq(with_elems(wrong_table_type, sizeof wrong_table_type, &m, &err),
                 WDEC_ERR_TYPE_MISMATCH);
    static const uint8_t unknown_table[] = {1, 0x02, 0x05, 0x41, 0x00, 0x0b, 0x00, 0x00};
    cr_assert_eq(with_elems(unknown_table, sizeof unknown_table, &m, &err), WDEC_ERR_UNKNOWN_TABLE);
    static const uint8_t unknown_func[] = {1, 0x01, 0x00, 0x01, 0x09};
    cr_assert_eq(with_elems(unknown_func, sizeof unknown_func, &m, &err), WDEC_ERR_UNKNOWN_FUNC);
    static const uint8_t bad_kind[] = {1, 0x08};
    cr_assert_eq(with_elems(bad_kind, sizeof bad_kind, &m, &err), WDEC_ERR_ELEM_KIND);
    static const uint8_t i64_offset[] = {1, 0x00, 0x42, 0x00, 0x0b, 0x00};
    cr_assert_eq(with_elems(i64_offset, sizeof i64_offset, &m, &err), WDEC_ERR_TYPE_MISMATCH);
}

Test(wdec_sections, data_segments_and_data_count)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t count2[] = {0x02};
    static const uint8_t datas[] = {
        2,    0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i', /* active, memory 0 */
        0x01, 0x03, 'a',  'b',  'c',                  /* passive */
    };
    wb_init(&b);
    wb_memory(&b);
    wb_section(&b, 12, count2, 1);
    wb_section(&b, 11, datas, sizeof datas);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->data_segment_count, 2);
    cr_assert(m->has_data_count);
    cr_assert_eq(m->datas[0].offset.value.i32, 8);
    cr_assert_eq(m->datas[0].size, 2);
    cr_assert_eq(memcmp(m->datas[0].bytes, "hi", 2), 0);
    cr_assert_eq(m->datas[1].mode, WDEC_SEGMENT_PASSIVE);
    wdec_module_free(m);

    static const uint8_t count3[] = {0x03};
    wb_init(&b);
    wb_memory(&b);
    wb_section(&b, 12, count3, 1);
    wb_section(&b, 11, datas, sizeof datas);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_DATA_COUNT_MISMATCH);

    wb_init(&b); /* active segment with no memory */
    wb_section(&b, 11, datas, sizeof datas);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNKNOWN_MEMORY);

    static const uint8_t bad_flag[] = {1, 0x03};
    wb_init(&b);
    wb_section(&b, 11, bad_flag, sizeof bad_flag);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_DATA_KIND);
}

/* One active data segment at `i32.const <leb> end`, then `pad` bytes of a custom section: with
 * 16 bytes or more after the offset, the inline path decodes it, otherwise wdec_const_expr(). */
static wdec_status one_data_offset(const uint8_t *leb, size_t n, size_t pad,
                                   struct wdec_const_expr *out, struct wdec_error *err)
{
    struct wb b;
    wb_init(&b);
    wb_memory(&b);
    wb_sec_begin(&b, 11);
    wb_byte(&b, 1);
    wb_byte(&b, 0x00);
    wb_byte(&b, 0x41);
    wb_bytes(&b, leb, n);
    wb_byte(&b, 0x0b);
    wb_byte(&b, 0); /* no bytes */
    wb_sec_end(&b);
    if (pad) {
        wb_sec_begin(&b, 0);
        wb_name(&b, "pad");
        static const uint8_t zeros[64] = {0};
        wb_bytes(&b, zeros, pad);
        wb_sec_end(&b);
    }
    struct wdec_module *m = NULL;
    wdec_status st = wdec_module_decode(b.buf, b.n, NULL, NULL, NULL, &m, err);
    if (st == WDEC_OK)
        *out = m->datas[0].offset;
    wdec_module_free(m);
    return st;
}

Test(wdec_sections, data_offsets_inline_and_general)
{
    static const struct {
        uint8_t leb[6];
        uint8_t n;
        wdec_status st;
        int32_t value;
    } cases[] = {
        {{0x00}, 1, WDEC_OK, 0},
        {{0x7f}, 1, WDEC_OK, -1},
        {{0x3f}, 1, WDEC_OK, 63},
        {{0x40}, 1, WDEC_OK, -64},
        {{0x80, 0x01}, 2, WDEC_OK, 128},
        {{0xff, 0x7f}, 2, WDEC_OK, -1},
        {{0x80, 0x80, 0x80, 0x01}, 4, WDEC_OK, 1 << 21},
        {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, WDEC_OK, 0},
        {{0xff, 0xff, 0xff, 0xff, 0x07}, 5, WDEC_OK, INT32_MAX},
        {{0x80, 0x80, 0x80, 0x80, 0x78}, 5, WDEC_OK, INT32_MIN},
        {{0xff, 0xff, 0xff, 0xff, 0x7f}, 5, WDEC_OK, -1},
        {{0x80, 0x80, 0x80, 0x80, 0x08}, 5, WDEC_ERR_INT_TOO_LARGE, 0},
        {{0xff, 0xff, 0xff, 0xff, 0x77}, 5, WDEC_ERR_INT_TOO_LARGE, 0},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, WDEC_ERR_INT_TOO_LONG, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct wdec_const_expr a, b;
        struct wdec_error ea, eb;
        wdec_status sa = one_data_offset(cases[i].leb, cases[i].n, 40, &a, &ea);
        wdec_status sb = one_data_offset(cases[i].leb, cases[i].n, 0, &b, &eb);
        cr_expect_eq(sa, cases[i].st, "case %zu: \"%s\"", i, sa ? ea.message : "ok");
        cr_expect_eq(sb, cases[i].st, "case %zu (last bytes): \"%s\"", i, sb ? eb.message : "ok");
        if (sa == WDEC_OK && sb == WDEC_OK) {
            cr_expect_eq(a.kind, WDEC_CONST_I32);
            cr_expect_eq(a.type, WDEC_I32);
            cr_expect_eq(a.value.i32, cases[i].value, "case %zu: %d", i, a.value.i32);
            cr_expect_eq(b.value.i32, cases[i].value, "case %zu (last bytes): %d", i, b.value.i32);
            cr_expect_eq(a.offset, b.offset);
            cr_expect_eq(a.code_size, (size_t)cases[i].n + 2);
            cr_expect_eq(b.code_size, (size_t)cases[i].n + 2);
        } else if (sa && sa == sb) {
            cr_expect_eq(ea.offset, eb.offset, "case %zu: at %zu and %zu", i, ea.offset, eb.offset);
        }
    }
}

Test(wdec_sections, data_drop_needs_data_count)
{
    struct wb b;
    struct wdec_error err;
    static const uint8_t code[] = {0xfc, 0x09, 0x00, 0x0b}; /* data.drop 0 */
    static const uint8_t passive[] = {1, 0x01, 0x00};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_memory(&b);
    wb_code(&b, no_locals, 1, code, sizeof code);
    wb_section(&b, 11, passive, sizeof passive);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_DATA_COUNT_REQUIRED);
    cr_assert_str_eq(err.message, "data count section required");

    static const uint8_t one[] = {0x01};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_memory(&b);
    wb_section(&b, 12, one, 1);
    wb_code(&b, no_locals, 1, code, sizeof code);
    wb_section(&b, 11, passive, sizeof passive);
    cr_assert_eq(wb_decode(&b, &err), WDEC_OK);

    static const uint8_t drop5[] = {0xfc, 0x09, 0x05, 0x0b};
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_funcs(&b, 1);
    wb_section(&b, 12, one, 1);
    wb_code(&b, no_locals, 1, drop5, sizeof drop5);
    wb_section(&b, 11, passive, sizeof passive);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNKNOWN_DATA);
    cr_assert_str_eq(err.message, "unknown data segment 5");
}

Test(wdec_sections, custom_and_name_sections)
{
    struct wb b;
    wb_init(&b);
    wb_one_type(&b, i32, 1, NULL, 0);
    wb_funcs(&b, 1);
    static const uint8_t locals[] = {0x01, 0x01, WDEC_I64};
    static const uint8_t code[] = {0x0b};
    wb_code(&b, locals, sizeof locals, code, 1);
    wb_sec_begin(&b, 0);
    wb_name(&b, "name");
    wb_byte(&b, 0); /* module name */
    wb_u32(&b, 4);
    wb_name(&b, "mod");
    wb_byte(&b, 1); /* function names */
    wb_u32(&b, 7);
    wb_u32(&b, 1);
    wb_u32(&b, 0);
    wb_name(&b, "main");
    wb_byte(&b, 2); /* local names */
    wb_u32(&b, 9);
    wb_u32(&b, 1);
    wb_u32(&b, 0);
    wb_u32(&b, 2);
    wb_u32(&b, 0);
    wb_name(&b, "x");
    wb_u32(&b, 1);
    wb_name(&b, "y");
    wb_sec_end(&b);
    wb_sec_begin(&b, 0);
    wb_name(&b, "extra");
    wb_bytes(&b, "\x01\x02\x03", 3);
    wb_sec_end(&b);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->custom_count, 2);
    const struct wdec_custom *c = wdec_module_find_custom(m, "extra", 5);
    cr_assert_not_null(c);
    cr_assert_eq(c->size, 3);
    cr_assert_eq(c->bytes[2], 3);
    cr_assert_not_null(m->module_name.str);
    cr_assert_str_eq(m->module_name.str, "mod");
    cr_assert_not_null(wdec_module_func_name(m, 0));
    cr_assert_not_null(wdec_module_local_name(m, 0, 1));
    cr_assert_not_null(wdec_module_local_name(m, 0, 0));
    cr_assert_str_eq(wdec_module_func_name(m, 0)->str, "main");
    cr_assert_str_eq(wdec_module_local_name(m, 0, 1)->str, "y");
    cr_assert_str_eq(wdec_module_local_name(m, 0, 0)->str, "x");
    cr_assert_null(wdec_module_local_name(m, 0, 2));
    wdec_module_free(m);

    /* A broken name section is ignored, not an error. */
    wb_init(&b);
    wb_sec_begin(&b, 0);
    wb_name(&b, "name");
    wb_byte(&b, 1);
    wb_u32(&b, 50); /* subsection longer than what follows */
    wb_byte(&b, 0);
    wb_sec_end(&b);
    struct wdec_error err;
    cr_assert_eq(wb_decode(&b, &err), WDEC_OK);

    wb_init(&b); /* custom section whose name runs past its size */
    wb_byte(&b, 0);
    wb_byte(&b, 1);
    wb_byte(&b, 4);
    wb_bytes(&b, "name", 4);
    cr_assert_eq(wb_decode(&b, &err), WDEC_ERR_UNEXPECTED_END_SECTION);
}

/* Function names live in their own array, made when the name section first names a function and
 * as long as the function index space is then; names of functions not declared yet are dropped
 * and a later name section adds to (or replaces) what an earlier one gave. */
Test(wdec_sections, function_names_apart_from_functions)
{
    struct wb b;
    wb_init(&b);
    wb_one_type(&b, NULL, 0, NULL, 0);
    wb_sec_begin(&b, 2);
    wb_u32(&b, 1);
    wb_name(&b, "env");
    wb_name(&b, "f");
    wb_byte(&b, 0x00);
    wb_u32(&b, 0);
    wb_sec_end(&b);
    /* Before the function section: function 1 is not known yet. */
    wb_sec_begin(&b, 0);
    wb_name(&b, "name");
    wb_byte(&b, 1);
    wb_u32(&b, 13);
    wb_u32(&b, 2);
    wb_u32(&b, 0);
    wb_name(&b, "imp");
    wb_u32(&b, 1);
    wb_name(&b, "early");
    wb_sec_end(&b);
    wb_funcs(&b, 2);
    static const uint8_t code[] = {0x0b};
    wb_sec_begin(&b, 10);
    wb_u32(&b, 2);
    for (int i = 0; i < 2; i++) {
        wb_u32(&b, 2);
        wb_byte(&b, 0x00);
        wb_byte(&b, code[0]);
    }
    wb_sec_end(&b);
    wb_sec_begin(&b, 0);
    wb_name(&b, "name");
    wb_byte(&b, 1);
    wb_u32(&b, 6);
    wb_u32(&b, 1);
    wb_u32(&b, 2);
    wb_name(&b, "two");
    wb_sec_end(&b);
    struct wdec_module *m = decode_ok(&b);
    cr_assert_eq(m->func_count, 3);
    cr_assert_eq(m->func_name_count, 3);
    cr_assert_str_eq(wdec_module_func_name(m, 0)->str, "imp");
    cr_assert_null(wdec_module_func_name(m, 1), "named before it was declared");
    cr_assert_str_eq(wdec_module_func_name(m, 2)->str, "two");
    cr_assert_eq(wdec_module_func_name(m, 2)->len, 3);
    cr_assert_null(wdec_module_func_name(m, 3));
    cr_assert_eq(m->funcs[0].body_size, 0);
    cr_assert_eq(m->funcs[2].body_size, 2);
    cr_assert_eq(m->bytes[m->funcs[2].body_offset + 1], 0x0b);
    wdec_module_free(m);
}
