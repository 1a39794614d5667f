/* SPDX-License-Identifier: Apache-2.0 */
/* The typed-emitter dispatch that tools/gen_golden_typed.py generates at build time, so that
 * test_golden.c can call each form's x64_<form>() and x64c_<form>() with a golden case's
 * operands. */
#ifndef X64_TESTS_GOLDEN_TYPED_H
#define X64_TESTS_GOLDEN_TYPED_H

#include "x64/x64.h"

#include <stdbool.h>

/* Calls the typed emitter of `form` with `ops` (table order, fixed operands included).
 * Returns false when the form has no typed emitter. */
bool golden_typed_emit(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops);

/* The same through the form's cursor emitter x64c_<form>(c, ...). */
bool golden_cursor_emit(struct x64_cur *c, enum x64_form form, const struct x64_operand *ops);

/* How many forms have a typed emitter. */
unsigned golden_typed_count(void);

#endif /* X64_TESTS_GOLDEN_TYPED_H */
