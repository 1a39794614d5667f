/* SPDX-License-Identifier: Apache-2.0 */
/* Message tables for the compiler's status list and the trap list (both X-macros, written once
 * in the public headers). */
#include "cg/compile.h"
#include "cg/vmctx.h"

const char *cg_status_message(cg_status status)
{
    switch (status) {
#define CG_STATUS_CASE_(name, text)                                                                \
    case name:                                                                                     \
        return text;
        CG_STATUS_LIST(CG_STATUS_CASE_)
#undef CG_STATUS_CASE_
    }
    return "unknown status";
}

const char *cg_trap_message(enum cg_trap trap)
{
    switch (trap) {
#define CG_TRAP_CASE_(name, text)                                                                  \
    case name:                                                                                     \
        return text;
        CG_TRAP_LIST(CG_TRAP_CASE_)
#undef CG_TRAP_CASE_
    case CG_TRAP_COUNT_:
        break;
    }
    return "unknown trap";
}
