/* SPDX-License-Identifier: Apache-2.0 */
/* Private to spec-tests/: the in-memory form of a wast2json script (commands, actions, values
 * and expectations), and the pieces runner.c puts together: the JSON reader, value parsing and
 * matching, the `spectest` host module and wast2json. */
#ifndef SPEC_INTERNAL_H
#define SPEC_INTERNAL_H

#include "rt/runtime.h"
#include "spec/runner.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lets -Wformat check printf-like helpers (and keeps clang's -Wformat-nonliteral quiet). */
#if defined(__GNUC__)
#define SPEC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SPEC_PRINTF(fmt, args)
#endif

/* --- Values --- */

enum spec_valtype {
    SPEC_T_I32,
    SPEC_T_I64,
    SPEC_T_F32,
    SPEC_T_F64,
    SPEC_T_FUNCREF,
    SPEC_T_EXTERNREF,
};

/* What an expected value accepts. Arguments are always SPEC_X_BITS, SPEC_X_NULL or SPEC_X_REF. */
enum spec_expect {
    SPEC_X_BITS,           /* exactly `bits` (floats compared bit for bit) */
    SPEC_X_NAN_CANONICAL,  /* nan:canonical: sign free, payload = only the quiet bit */
    SPEC_X_NAN_ARITHMETIC, /* nan:arithmetic: sign free, quiet bit set, payload free */
    SPEC_X_NULL,           /* ref.null */
    SPEC_X_REF,            /* externref: host reference number `bits` */
    SPEC_X_REF_ANY,        /* any non-null reference of the type (`(ref.func)`, no value) */
};

struct spec_value {
    enum spec_valtype type;
    enum spec_expect expect;
    uint64_t bits; /* i32/f32 in the low 32 bits; the host reference number for SPEC_X_REF */
};

/* One expected result: `nalt` alternatives (1 normally, more for `either`). */
struct spec_result {
    struct spec_value *alts;
    size_t nalt;
};

/* Parses a value as wast2json writes it: type "i32" etc. and value text (decimal bits for
 * numbers, "nan:canonical"/"nan:arithmetic" only if `expected`, "null" or a decimal host number
 * for references; `value` NULL means "any non-null reference"). Returns false with a message. */
/* A NUL-terminated malloc'd copy of s[0..len), or NULL when out of memory (skip and patch lists).
 */
char *spec_dup_range(const char *s, size_t len);

bool spec_value_parse(const char *type, const char *value, bool expected,
                      struct spec_value *out_value, char *err, size_t err_size);

/* The kiln value for an argument. Host reference N is the pointer value N + 1 (never NULL). */
kiln_val spec_value_to_kiln(const struct spec_value *value);

/* Whether `actual` satisfies `expected` (types included). */
bool spec_value_matches(const struct spec_value *expected, const kiln_val *actual);

/* Human text: "i32:42", "f32:1.5 (0x3fc00000)", "f64:nan:canonical", "externref:3", ... */
void spec_value_format(const struct spec_value *value, char *out, size_t out_size);
void spec_kiln_val_format(const kiln_val *value, char *out, size_t out_size);
const char *spec_valtype_name(enum spec_valtype type);

/* --- Script --- */

enum spec_cmd_kind {
    SPEC_CMD_MODULE,
    SPEC_CMD_REGISTER,
    SPEC_CMD_ACTION,
    SPEC_CMD_ASSERT_RETURN,
    SPEC_CMD_ASSERT_TRAP,
    SPEC_CMD_ASSERT_EXHAUSTION,
    SPEC_CMD_ASSERT_INVALID,
    SPEC_CMD_ASSERT_MALFORMED,
    SPEC_CMD_ASSERT_UNLINKABLE,
    SPEC_CMD_ASSERT_UNINSTANTIABLE,
};

/* Byte strings from the script: export names may hold any byte, NUL included. */
struct spec_bytes {
    char *data; /* NUL-terminated copy, for printing */
    size_t len;
};

struct spec_action {
    bool is_get;             /* "get" a global, else "invoke" a function */
    char *module;            /* "$name" of a named module; NULL for the current one */
    struct spec_bytes field; /* export name */
    struct spec_value *args; /* invoke only */
    size_t nargs;
};

struct spec_command {
    enum spec_cmd_kind kind;
    uint32_t line;
    char *name;           /* module: its "$name"; register: the instance's "$name"; or NULL */
    struct spec_bytes as; /* register: the import module name */
    char *filename;       /* module and assert_* on modules: path next to the JSON file */
    bool text_module;     /* module_type "text": a .wat file wast2json did not convert */
    char *text;           /* assert_*: the expected message */
    bool has_action;
    struct spec_action action;
    struct spec_result *expected; /* assert_return */
    size_t nexpected;
    char *error; /* set when the command could not be read: it then fails with this text */
};

struct spec_script {
    char *source_filename; /* the .wast path recorded by wast2json */
    struct spec_command *commands;
    size_t ncommands;
};

/* Reads a wast2json script. Module file names are made relative to the JSON file's folder, as
 * wabt's spectest-interp does. SPEC_ERR_IO, SPEC_ERR_JSON (with what and where in `err`) or
 * SPEC_ERR_OUT_OF_MEMORY. */
spec_status spec_script_read(const char *json_path, struct spec_script *out_script, char *err,
                             size_t err_size);
void spec_script_free(struct spec_script *script);
const char *spec_cmd_kind_name(enum spec_cmd_kind kind);

/* --- The `spectest` host module --- */

/* Defines under "spectest" in `linker`: print, print_i32, print_i64, print_f32, print_f64,
 * print_i32_f32, print_f64_f64 (no results), global_i32/i64 (666), global_f32/f64 (666.6),
 * table (10..20 funcref) and memory (1..2 pages), as the reference interpreter's spectest.ml.
 * `verbose` makes the print functions print their arguments. */
kiln_status spec_spectest_define(kiln_engine *engine, kiln_linker *linker, bool *verbose);

/* --- wast2json --- */

/* Converts `wast_path` into a fresh temporary folder; on success `out_dir` holds that folder
 * and `out_json` the JSON script in it. wast2json's own diagnostics go to stderr. With `text`
 * non-NULL, that text is written into the folder under the script's base name and converted
 * instead of the file (a patched copy; see spec_patch_apply). */
spec_status spec_wast2json(const char *wast2json, const char *wast_path, const uint8_t *text,
                           size_t text_size, const char *const *features, size_t nfeatures,
                           char *out_dir, size_t dir_size, char *out_json, size_t json_size);
/* Removes a folder made by spec_wast2json and everything in it (one level deep). */
void spec_remove_temp_dir(const char *dir);

/* --- Patch list --- */

/* How many patches name `file` (a .wast base name). */
size_t spec_patch_list_count(const struct spec_patch_list *list, const char *file);
/* Applies the patches of `file` to its `text`: each named line must equal the entry's original
 * exactly (SPEC_ERR_PATCH_LIST otherwise, message in `err`) and is replaced by the entry's new
 * line, so line numbers do not move. Prints one `DISPLAY:LINE: patched ...` line per patch to
 * stdout. The caller frees `*out_text`. */
spec_status spec_patch_apply(const struct spec_patch_list *list, const char *file,
                             const char *display, const uint8_t *text, size_t size,
                             uint8_t **out_text, size_t *out_size, char *err, size_t err_size);

/* Reads a whole file; the caller frees `*out_data`. SPEC_ERR_IO or SPEC_ERR_OUT_OF_MEMORY. */
spec_status spec_read_file(const char *path, uint8_t **out_data, size_t *out_size);

#endif
