/* SPDX-License-Identifier: Apache-2.0 */
/* The compiler's implementation of the frontend visitor (visitor.c). */
#ifndef CG_VISITOR_H
#define CG_VISITOR_H

#include <stdbool.h>
#include <wdec/visitor.h>

/* Fills `v` with the code generator's callbacks; `listing` enables instr_begin. The callbacks
 * expect a `struct cg_ctx *` as their ctx. */
void cg_visitor_init(struct wdec_visitor *v, bool listing);

#endif /* CG_VISITOR_H */
