/* SPDX-License-Identifier: Apache-2.0 */
/* Message tables for kiln_status and kiln_trap, generated from the lists in rt/status.h. */
#include "rt/status.h"

#include <stddef.h>

#define TEXT_ENTRY(name, text) [name] = text,
static const char *const status_texts[] = {KILN_STATUS_LIST(TEXT_ENTRY)};
static const char *const trap_texts[] = {KILN_TRAP_LIST(TEXT_ENTRY)};
#undef TEXT_ENTRY

const char *kiln_status_text(kiln_status status)
{
    if ((size_t)status >= sizeof status_texts / sizeof status_texts[0])
        return "?";
    return status_texts[status];
}

const char *kiln_trap_text(kiln_trap trap)
{
    if ((size_t)trap >= sizeof trap_texts / sizeof trap_texts[0])
        return "?";
    return trap_texts[trap];
}
