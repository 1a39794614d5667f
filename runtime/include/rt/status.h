/* SPDX-License-Identifier: Apache-2.0 */
/* Statuses and trap kinds of kiln's embedding API, each written once as an X-macro list so the
 * enum and its message table cannot drift apart. Trap texts are the spec suite's own words, so a
 * spec runner can compare them with `assert_trap` texts. */
#ifndef RT_STATUS_H
#define RT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* clang-format off */
#define KILN_STATUS_LIST(X)                                                          \
    X(KILN_OK,                      "ok")                                            \
    X(KILN_TRAPPED,                 "trapped")                                       \
    X(KILN_ERR_INVALID_ARGUMENT,    "invalid argument")                              \
    X(KILN_ERR_OUT_OF_MEMORY,       "out of memory")                                 \
    X(KILN_ERR_MALFORMED,           "malformed module")                              \
    X(KILN_ERR_INVALID,             "invalid module")                                \
    X(KILN_ERR_COMPILE,             "compilation failed")                            \
    X(KILN_ERR_UNKNOWN_IMPORT,      "unknown import")                                \
    X(KILN_ERR_INCOMPATIBLE_IMPORT, "incompatible import type")                      \
    X(KILN_ERR_NOT_FOUND,           "not found")                                     \
    X(KILN_ERR_TYPE_MISMATCH,       "type mismatch")                                 \
    X(KILN_ERR_IMMUTABLE,           "global is immutable")                           \
    X(KILN_ERR_LIMIT,               "limit exceeded")                                \
    X(KILN_ERR_UNSUPPORTED,         "unsupported")                                   \
    X(KILN_ERR_OS,                  "operating system error")

/* Trap kinds; the text is exactly what the spec suite's assert_trap / assert_exhaustion say. */
#define KILN_TRAP_LIST(X)                                                            \
    X(KILN_TRAP_NONE,                 "no trap")                                     \
    X(KILN_TRAP_UNREACHABLE,          "unreachable")                                 \
    X(KILN_TRAP_INT_DIV_ZERO,         "integer divide by zero")                      \
    X(KILN_TRAP_INT_OVERFLOW,         "integer overflow")                            \
    X(KILN_TRAP_INVALID_CONVERSION,   "invalid conversion to integer")               \
    X(KILN_TRAP_MEMORY_OOB,           "out of bounds memory access")                 \
    X(KILN_TRAP_TABLE_OOB,            "out of bounds table access")                  \
    X(KILN_TRAP_UNDEFINED_ELEMENT,    "undefined element")                           \
    X(KILN_TRAP_UNINITIALIZED_ELEMENT,"uninitialized element")                       \
    X(KILN_TRAP_INDIRECT_TYPE,        "indirect call type mismatch")                 \
    X(KILN_TRAP_STACK_EXHAUSTED,      "call stack exhausted")                        \
    X(KILN_TRAP_NULL_REFERENCE,       "null reference")                              \
    X(KILN_TRAP_HOST,                 "host function trapped")                       \
    X(KILN_TRAP_UNKNOWN,              "unknown trap")
/* clang-format on */

#define KILN_ENUM_ENTRY_(name, text) name,
typedef enum kiln_status { KILN_STATUS_LIST(KILN_ENUM_ENTRY_) } kiln_status;
typedef enum kiln_trap { KILN_TRAP_LIST(KILN_ENUM_ENTRY_) KILN_TRAP_COUNT_ } kiln_trap;
#undef KILN_ENUM_ENTRY_

/* Static text of a status ("unknown import") or a trap kind ("integer divide by zero"); never
 * NULL, "?" for values outside the lists. */
const char *kiln_status_text(kiln_status status);
const char *kiln_trap_text(kiln_trap trap);

#ifdef __cplusplus
}
#endif

#endif
