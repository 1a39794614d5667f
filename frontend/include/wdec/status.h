/* SPDX-License-Identifier: Apache-2.0 */
/* The frontend's one status list. The messages are the spec suite's own words (the `text` of
 * assert_malformed / assert_invalid), so spec tests compare them directly (STYLE.md, section 4). */
#ifndef WDEC_STATUS_H
#define WDEC_STATUS_H

#include <stddef.h>

/* clang-format off */
#define WDEC_STATUS_LIST(X)                                                                        \
    X(WDEC_OK,                         "ok")                                                       \
    /* API misuse and resources */                                                                 \
    X(WDEC_ERR_INVALID_ARGUMENT,       "invalid argument")                                         \
    X(WDEC_ERR_OUT_OF_MEMORY,          "out of memory")                                            \
    X(WDEC_ERR_CLIENT,                 "stopped by the visitor")                                   \
    X(WDEC_ERR_UNSUPPORTED,            "unsupported feature")                                      \
    X(WDEC_ERR_IMPL_LIMIT,             "implementation limit exceeded")                            \
    /* Malformed: the bytes are not a module (assert_malformed) */                                 \
    X(WDEC_ERR_UNEXPECTED_END,         "unexpected end")                                           \
    X(WDEC_ERR_UNEXPECTED_END_SECTION, "unexpected end of section or function")                    \
    X(WDEC_ERR_LENGTH_OUT_OF_BOUNDS,   "length out of bounds")                                     \
    X(WDEC_ERR_INT_TOO_LONG,           "integer representation too long")                          \
    X(WDEC_ERR_INT_TOO_LARGE,          "integer too large")                                        \
    X(WDEC_ERR_MAGIC,                  "magic header not detected")                                \
    X(WDEC_ERR_VERSION,                "unknown binary version")                                   \
    X(WDEC_ERR_SECTION_ID,             "malformed section id")                                     \
    X(WDEC_ERR_SECTION_SIZE,           "section size mismatch")                                    \
    X(WDEC_ERR_JUNK_AFTER_LAST,        "unexpected content after last section")                    \
    X(WDEC_ERR_UTF8,                   "malformed UTF-8 encoding")                                 \
    X(WDEC_ERR_IMPORT_KIND,            "malformed import kind")                                    \
    X(WDEC_ERR_EXPORT_KIND,            "malformed export kind")                                    \
    X(WDEC_ERR_MUTABILITY,             "malformed mutability")                                     \
    X(WDEC_ERR_REF_TYPE,               "malformed reference type")                                 \
    X(WDEC_ERR_VALUE_TYPE,             "malformed value type")                                     \
    X(WDEC_ERR_LIMITS_FLAGS,           "malformed limits flags")                                   \
    X(WDEC_ERR_ELEM_KIND,              "malformed elements segment kind")                          \
    X(WDEC_ERR_DATA_KIND,              "malformed data segment kind")                              \
    X(WDEC_ERR_ZERO_BYTE,              "zero byte expected")                                       \
    X(WDEC_ERR_TOO_MANY_LOCALS,        "too many locals")                                          \
    X(WDEC_ERR_FUNC_CODE_MISMATCH,     "function and code section have inconsistent lengths")     \
    X(WDEC_ERR_DATA_COUNT_MISMATCH,    "data count and data section have inconsistent lengths")   \
    X(WDEC_ERR_DATA_COUNT_REQUIRED,    "data count section required")                              \
    X(WDEC_ERR_ILLEGAL_OPCODE,         "illegal opcode")                                           \
    X(WDEC_ERR_END_EXPECTED,           "END opcode expected")                                      \
    X(WDEC_ERR_FUNC_TYPE,              "malformed function type")                                  \
    /* Invalid: well-formed but refused by validation (assert_invalid) */                          \
    X(WDEC_ERR_TYPE_MISMATCH,          "type mismatch")                                            \
    X(WDEC_ERR_UNKNOWN_TYPE,           "unknown type")                                             \
    X(WDEC_ERR_UNKNOWN_FUNC,           "unknown function")                                         \
    X(WDEC_ERR_UNKNOWN_TABLE,          "unknown table")                                            \
    X(WDEC_ERR_UNKNOWN_MEMORY,         "unknown memory")                                           \
    X(WDEC_ERR_UNKNOWN_GLOBAL,         "unknown global")                                           \
    X(WDEC_ERR_UNKNOWN_LOCAL,          "unknown local")                                            \
    X(WDEC_ERR_UNKNOWN_LABEL,          "unknown label")                                            \
    X(WDEC_ERR_UNKNOWN_ELEM,           "unknown elem segment")                                     \
    X(WDEC_ERR_UNKNOWN_DATA,           "unknown data segment")                                     \
    X(WDEC_ERR_ALIGNMENT,              "alignment must not be larger than natural")                \
    X(WDEC_ERR_INVALID_LANE,           "invalid lane index")                                       \
    X(WDEC_ERR_CONST_EXPR,             "constant expression required")                             \
    X(WDEC_ERR_DUPLICATE_EXPORT,       "duplicate export name")                                    \
    X(WDEC_ERR_GLOBAL_IMMUTABLE,       "global is immutable")                                      \
    X(WDEC_ERR_RESULT_ARITY,           "invalid result arity")                                     \
    X(WDEC_ERR_MEMORY_SIZE,            "memory size must be at most 65536 pages (4GiB)")           \
    X(WDEC_ERR_TABLE_SIZE,             "table size must be at most 2^32-1")                        \
    X(WDEC_ERR_MULTIPLE_MEMORIES,      "multiple memories")                                        \
    X(WDEC_ERR_LIMITS,                 "size minimum must not be greater than maximum")            \
    X(WDEC_ERR_START,                  "start function")                                           \
    X(WDEC_ERR_UNDECLARED_FUNC_REF,    "undeclared function reference")
/* clang-format on */

typedef enum wdec_status {
#define WDEC_STATUS_ENUM(name, text) name,
    WDEC_STATUS_LIST(WDEC_STATUS_ENUM)
#undef WDEC_STATUS_ENUM
        WDEC_STATUS_COUNT
} wdec_status;

/* Where a decode failed. The first error wins: later failures never overwrite it.
 * `message` starts with the status text (the spec wording) and may add detail after it, e.g.
 * "unknown global 3". `offset` is the byte offset in the module of the offending byte. */
struct wdec_error {
    wdec_status status;
    size_t offset;
    char message[160];
};

/* The spec text of a status ("type mismatch"); never NULL, "unknown status" when out of range. */
const char *wdec_status_text(wdec_status status);

/* Propagate a non-OK status to the caller; nothing else. */
#define WDEC_TRY(e)                                                                                \
    do {                                                                                           \
        wdec_status s_ = (e);                                                                      \
        if (s_)                                                                                    \
            return s_;                                                                             \
    } while (0)

#endif
