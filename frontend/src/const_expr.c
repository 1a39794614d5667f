/* SPDX-License-Identifier: Apache-2.0 */
/* Constant expressions (global inits, segment offsets, element items), decoded into a form the
 * runtime evaluates without a second decoder. WebAssembly 2.0 allows exactly one constant
 * instruction; global.get may only read an imported immutable global. */
#include "internal.h"

#include <string.h>

/* Opcodes that are instructions but not constant: "constant expression required" rather than
 * "illegal opcode". */
static bool is_known_opcode(uint8_t op)
{
    switch ((unsigned)op) {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    case (prefix) == 0 && WDEC_FEATURE_##feature == 0 ? (code):                                    \
        0x100 + (code) + ((prefix) << 8) :
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
    case 0xfc:
        return true;
    default:
        return false;
    }
}

wdec_status wdec_const_expr(struct rd *r, struct wdec_module *m, uint8_t type,
                            struct wdec_const_expr *out)
{
    /* The common case first: `i32.const n end` (segment offsets; a module may have 10^5). */
    if (type == WDEC_I32 && rd_left(r) >= 2 && r->p[0] == 0x41) {
        struct rd q = *r;
        q.p++;
        uint64_t v;
        /* Well-formed and in bounds, or the general loop below decodes it (and its error). */
        if (leb_signed_fast(&q, 32, &v) && q.p < q.end && *q.p == 0x0b) {
            out->kind = WDEC_CONST_I32;
            out->type = WDEC_I32;
            memset(&out->value, 0, sizeof out->value);
            out->value.i32 = (int32_t)(uint32_t)v;
            out->offset = (uint32_t)rd_off(r);
            out->code_size = (uint32_t)(q.p + 1 - r->p);
            r->p = q.p + 1;
            return WDEC_OK;
        }
    }
    memset(out, 0, sizeof *out);
    out->offset = (uint32_t)rd_off(r);
    uint32_t count = 0;
    uint8_t got = 0;
    for (;;) {
        size_t at = rd_off(r);
        uint8_t op;
        WDEC_TRY(rd_byte(r, &op));
        if (op == 0x0b)
            break;
        count++;
        switch (op) {
        case 0x41:
            WDEC_TRY(rd_s32(r, &out->value.i32));
            out->kind = WDEC_CONST_I32;
            got = WDEC_I32;
            break;
        case 0x42:
            WDEC_TRY(rd_s64(r, &out->value.i64));
            out->kind = WDEC_CONST_I64;
            got = WDEC_I64;
            break;
        case 0x43: {
            const uint8_t *b;
            WDEC_TRY(rd_fixed(r, 4, &b));
            out->value.f32_bits =
                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            out->kind = WDEC_CONST_F32;
            got = WDEC_F32;
            break;
        }
        case 0x44: {
            const uint8_t *b;
            WDEC_TRY(rd_fixed(r, 8, &b));
            uint64_t bits = 0;
            for (int i = 7; i >= 0; i--)
                bits = bits << 8 | b[i];
            out->value.f64_bits = bits;
            out->kind = WDEC_CONST_F64;
            got = WDEC_F64;
            break;
        }
        case 0x23: { /* global.get */
            uint32_t idx;
            WDEC_TRY(rd_u32(r, &idx));
            /* Only imported globals are in scope for constant expressions (2.0, 3.4.10). */
            if (idx >= m->global_import_count)
                return wdec_fail(r->err, WDEC_ERR_UNKNOWN_GLOBAL, at, "%u", idx);
            if (m->globals[idx].type.is_mutable)
                return wdec_fail(r->err, WDEC_ERR_CONST_EXPR, at, NULL);
            out->kind = WDEC_CONST_GLOBAL_GET;
            out->value.index = idx;
            got = m->globals[idx].type.type;
            break;
        }
        case 0xd0: { /* ref.null */
            uint8_t t = 0;
            WDEC_TRY(rd_byte(r, &t));
            if (!is_reftype(t))
                return wdec_fail(r->err, WDEC_ERR_REF_TYPE, rd_off(r) - 1, NULL);
            out->kind = WDEC_CONST_REF_NULL;
            out->value.ref_type = t;
            got = t;
            break;
        }
        case 0xd2: { /* ref.func */
            uint32_t idx;
            WDEC_TRY(rd_u32(r, &idx));
            if (idx >= m->func_count)
                return wdec_fail(r->err, WDEC_ERR_UNKNOWN_FUNC, at, "%u", idx);
            /* Mentioned outside a function body: declared for ref.func in bodies. */
            m->funcs[idx].declared = true;
            out->kind = WDEC_CONST_REF_FUNC;
            out->value.index = idx;
            got = WDEC_FUNCREF;
            break;
        }
        case 0xfd: { /* SIMD: v128.const is the one constant among them */
            if (!(m->features & WDEC_FEATURE_SIMD))
                return wdec_fail(r->err, WDEC_ERR_UNSUPPORTED, at, "(SIMD)");
            uint32_t sub;
            WDEC_TRY(rd_u32(r, &sub));
            if (sub != 0x0c) {
                if (sub > 0xff || !wdec_opcode_info((enum wdec_opcode)(0xfd << 16 | sub)))
                    return wdec_fail(r->err, WDEC_ERR_ILLEGAL_OPCODE, at, "0xfd %u", sub);
                return wdec_fail(r->err, WDEC_ERR_CONST_EXPR, at, NULL);
            }
            const uint8_t *b;
            WDEC_TRY(rd_fixed(r, 16, &b));
            memcpy(out->value.v128, b, 16);
            out->kind = WDEC_CONST_V128;
            got = WDEC_V128;
            break;
        }
        default:
            if (!is_known_opcode(op))
                return wdec_fail(r->err, WDEC_ERR_ILLEGAL_OPCODE, at, "0x%02x", op);
            return wdec_fail(r->err, WDEC_ERR_CONST_EXPR, at, NULL);
        }
    }
    out->code_size = (uint32_t)(rd_off(r) - out->offset);
    out->type = type;
    if (count != 1 || got != type)
        return wdec_fail(r->err, WDEC_ERR_TYPE_MISMATCH, out->offset, NULL);
    return WDEC_OK;
}
