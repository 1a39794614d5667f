/* SPDX-License-Identifier: Apache-2.0 */
/* Which x86-64 registers generated code reserves, and why; the rest are allocatable.
 * See docs/DESIGN-compiler.md for the calling convention these serve. */
#ifndef CG_REGS_X64_H
#define CG_REGS_X64_H

#include <x64/operands.h>

/* vmctx of the running instance: globals, tables, helpers and traps hang off it. Callee-saved
 * under SysV, so runtime helpers keep it for us. */
#define CG_REG_VMCTX X64_R15
/* vmctx->mem_base cached: every load/store is [r14 + index + offset]. Callee-saved too. */
#define CG_REG_MEM X64_R14
/* Scratch registers, live only inside one lowering (memory-to-memory moves, addresses, table
 * lookups). Never hold a value-stack entry. */
#define CG_REG_SCRATCH  X64_R11
#define CG_REG_SCRATCH2 X64_R10
/* Float scratch registers, same rule. */
#define CG_XMM_SCRATCH  15u
#define CG_XMM_SCRATCH2 14u

/* Allocatable gp registers, in allocation order: callee-saved ones last would matter only for
 * SysV; our internal convention clobbers everything on calls anyway. */
#define CG_GP_ALLOCATABLE                                                                          \
    {                                                                                              \
        X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R12, X64_R13     \
    }
#define CG_NUM_GP_ALLOCATABLE 10
/* xmm0..xmm13 are allocatable. */
#define CG_NUM_XMM_ALLOCATABLE 14

#endif /* CG_REGS_X64_H */
