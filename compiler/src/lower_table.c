/* SPDX-License-Identifier: Apache-2.0 */
/* Reference and table instructions: ref.null/is_null/func inline, table.size inline, the rest
 * through the runtime helpers in the vmctx (which trap themselves on bad indices). */
#include "cg_internal.h"

void cg_lower_ref_func(struct cg_ctx *c, uint32_t func_index)
{
    enum x64_gpr r = (enum x64_gpr)cg_alloc_gp(c);
    x64_mov_r64_m64(c->b, r, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_FUNCREFS));
    x64_mov_r64_m64(c->b, r, x64_mem_b(r, 8 * (int32_t)func_index));
    cg_push_reg(c, WDEC_FUNCREF, r);
}

void cg_lower_ref_is_null(struct cg_ctx *c)
{
    struct cg_val v = cg_pop(c);
    if (v.loc == CG_LOC_CONST) {
        cg_push_const(c, WDEC_I32, v.imm == 0);
        return;
    }
    if (v.loc == CG_LOC_REG) {
        x64_test_r64_r64(c->b, (enum x64_gpr)v.reg, (enum x64_gpr)v.reg);
        cg_release(c, &v);
    } else {
        x64_cmp_m64_imm8(
            c->b, v.loc == CG_LOC_LOCAL ? cg_local_mem(c, v.local) : cg_slot_mem(c, v.local), 0);
    }
    cg_push_flags(c, X64_CC_E);
}

void cg_lower_table_size(struct cg_ctx *c, uint32_t table)
{
    enum x64_gpr r = (enum x64_gpr)cg_alloc_gp(c);
    x64_mov_r64_m64(c->b, r, x64_mem_b(CG_REG_VMCTX, CG_VMCTX_TABLES));
    x64_mov_r64_m64(c->b, r, x64_mem_b(r, 8 * (int32_t)table));
    x64_mov_r32_m32(c->b, r, x64_mem_b(r, 8));
    cg_push_reg(c, WDEC_I32, r);
}
