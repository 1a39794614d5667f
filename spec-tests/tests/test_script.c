/* SPDX-License-Identifier: Apache-2.0 */
/* The spec runner's readers: a wast2json script (every command kind, names with NUL bytes,
 * `either` results, commands it cannot take failing alone) and the skip list's format. */
#include "spec_internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static const char script_json[] =
    "{\"source_filename\": \"/x/demo.wast\",\n"
    " \"commands\": [\n"
    "  {\"type\": \"module\", \"line\": 1, \"name\": \"$M\", \"filename\": \"demo.0.wasm\"},\n"
    "  {\"type\": \"register\", \"line\": 2, \"name\": \"$M\", \"as\": \"m\"},\n"
    "  {\"type\": \"assert_return\", \"line\": 3, \"action\": {\"type\": \"invoke\", "
    "\"module\": \"$M\", \"field\": \"a\\u0000b\", \"args\": [{\"type\": \"i32\", \"value\": "
    "\"7\"}, {\"type\": \"externref\", \"value\": \"null\"}]}, \"expected\": [{\"type\": "
    "\"f32\", \"value\": \"nan:canonical\"}, {\"type\": \"either\", \"values\": [{\"type\": "
    "\"i32\", \"value\": \"1\"}, {\"type\": \"i32\", \"value\": \"2\"}]}]},\n"
    "  {\"type\": \"assert_trap\", \"line\": 4, \"action\": {\"type\": \"get\", \"field\": "
    "\"g\"}, \"text\": \"unreachable\", \"expected\": []},\n"
    "  {\"type\": \"assert_malformed\", \"line\": 5, \"filename\": \"demo.1.wat\", \"text\": "
    "\"unexpected token\", \"module_type\": \"text\"},\n"
    "  {\"type\": \"assert_return\", \"line\": 6, \"action\": {\"type\": \"invoke\", "
    "\"field\": \"v\", \"args\": [{\"type\": \"v128\", \"lane_type\": \"i32\", \"value\": "
    "[\"0\", \"0\", \"0\", \"0\"]}]}, \"expected\": []},\n"
    "  {\"type\": \"assert_invalid\", \"line\": 7, \"filename\": \"demo.2.wasm\", \"text\": "
    "\"type mismatch\", \"module_type\": \"binary\"}\n"
    " ]}\n";

Test(spec_script, reads_every_command_kind)
{
    const char *path = KILN_BINARY_DIR "/test_spec_script.json";
    write_file(path, script_json);
    struct spec_script s;
    char err[256];
    cr_assert_eq(spec_script_read(path, &s, err, sizeof err), SPEC_OK, "%s", err);
    cr_assert_str_eq(s.source_filename, "/x/demo.wast");
    cr_assert_eq(s.ncommands, 7);

    const struct spec_command *c = &s.commands[0];
    cr_assert_eq(c->kind, SPEC_CMD_MODULE);
    cr_assert_str_eq(c->name, "$M");
    cr_assert_str_eq(c->filename, KILN_BINARY_DIR "/demo.0.wasm", "next to the JSON file");
    cr_assert_not(c->text_module);

    c = &s.commands[1];
    cr_assert_eq(c->kind, SPEC_CMD_REGISTER);
    cr_assert_eq(c->as.len, 1);
    cr_assert_str_eq(c->as.data, "m");

    c = &s.commands[2];
    cr_assert_eq(c->kind, SPEC_CMD_ASSERT_RETURN);
    cr_assert_eq(c->line, 3);
    cr_assert_str_eq(c->action.module, "$M");
    cr_assert_eq(c->action.field.len, 3, "the NUL byte is part of the name");
    cr_assert_eq(memcmp(c->action.field.data, "a\0b", 3), 0);
    cr_assert_eq(c->action.nargs, 2);
    cr_assert_eq(c->action.args[0].bits, 7);
    cr_assert_eq(c->action.args[1].expect, SPEC_X_NULL);
    cr_assert_eq(c->nexpected, 2);
    cr_assert_eq(c->expected[0].nalt, 1);
    cr_assert_eq(c->expected[0].alts[0].expect, SPEC_X_NAN_CANONICAL);
    cr_assert_eq(c->expected[1].nalt, 2, "either lists its alternatives");
    cr_assert_eq(c->expected[1].alts[1].bits, 2);

    c = &s.commands[3];
    cr_assert_eq(c->kind, SPEC_CMD_ASSERT_TRAP);
    cr_assert(c->action.is_get);
    cr_assert_null(c->action.module);
    cr_assert_str_eq(c->text, "unreachable");

    c = &s.commands[4];
    cr_assert_eq(c->kind, SPEC_CMD_ASSERT_MALFORMED);
    cr_assert(c->text_module);

    c = &s.commands[5];
    cr_assert_not_null(c->error, "a v128 argument fails this command only");
    cr_assert_null(s.commands[6].error);
    cr_assert_eq(s.commands[6].kind, SPEC_CMD_ASSERT_INVALID);
    spec_script_free(&s);
}

Test(spec_script, broken_json_is_an_error_with_a_position)
{
    const char *path = KILN_BINARY_DIR "/test_spec_broken.json";
    write_file(path, "{\"commands\": [ {\"type\": \"module\", ");
    struct spec_script s;
    char err[256];
    cr_assert_eq(spec_script_read(path, &s, err, sizeof err), SPEC_ERR_JSON);
    cr_assert(strstr(err, "JSON error") != NULL, "%s", err);
    cr_assert_eq(spec_script_read(KILN_BINARY_DIR "/no-such.json", &s, err, sizeof err),
                 SPEC_ERR_IO);
}

Test(spec_skip_list, entries_need_a_reason)
{
    const char *path = KILN_BINARY_DIR "/test_spec_skip.txt";
    write_file(path, "# comment\n\nsimd_a.wast:*  SIMD is out of scope\n"
                     "i32.wast:12\tcompiler bug #7  \n");
    struct spec_skip_list *list = NULL;
    char err[256] = "";
    cr_assert_eq(spec_skip_list_load(path, &list, err, sizeof err), SPEC_OK, "%s", err);
    cr_assert_str_eq(spec_skip_list_find(list, "simd_a.wast", 99), "SIMD is out of scope");
    cr_assert_str_eq(spec_skip_list_find(list, "i32.wast", 12), "compiler bug #7");
    cr_assert_null(spec_skip_list_find(list, "i32.wast", 13));
    cr_assert_null(spec_skip_list_find(list, "i64.wast", 12));
    spec_skip_list_free(list);

    write_file(path, "ok.wast:1  fine\ni32.wast:12\n");
    cr_assert_eq(spec_skip_list_load(path, &list, err, sizeof err), SPEC_ERR_SKIP_LIST);
    cr_assert(strstr(err, ":2:") != NULL, "the message names the line: %s", err);
    cr_assert(strstr(err, "reason") != NULL, "%s", err);

    write_file(path, "i32.wast:x  reason\n");
    cr_assert_eq(spec_skip_list_load(path, &list, err, sizeof err), SPEC_ERR_SKIP_LIST);
    write_file(path, "i32.wast  reason\n");
    cr_assert_eq(spec_skip_list_load(path, &list, err, sizeof err), SPEC_ERR_SKIP_LIST);
}

Test(spec_skip_list, the_repository_list_is_well_formed)
{
    struct spec_skip_list *list = NULL;
    char err[256] = "";
    cr_assert_eq(
        spec_skip_list_load(KILN_SOURCE_DIR "/spec-tests/skip.txt", &list, err, sizeof err),
        SPEC_OK, "%s", err);
    cr_assert_not_null(spec_skip_list_find(list, "simd_address.wast", 1));
    cr_assert_null(spec_skip_list_find(list, "i32.wast", 37), "no core file is skipped");
    spec_skip_list_free(list);
}
