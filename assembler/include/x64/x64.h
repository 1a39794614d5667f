/* SPDX-License-Identifier: Apache-2.0 */
/* kiln's x86-64 run-time assembler: include this one header to get everything. */
#ifndef X64_X64_H
#define X64_X64_H

#include "x64/buffer.h"
#include "x64/code_memory.h"
#include "x64/cpu.h"
#include "x64/encode.h"
#include "x64/gen/emit.h"
#include "x64/gen/emit_cur.h"
#include "x64/gen/mnemonics.h"
#include "x64/generic.h"
#include "x64/operands.h"

#endif /* X64_X64_H */
