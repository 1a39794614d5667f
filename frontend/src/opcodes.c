/* SPDX-License-Identifier: Apache-2.0 */
/* Names and static facts generated from opcodes.def and the status list, so that no second list
 * of opcodes or messages exists anywhere. */
#include <stddef.h>
#include <wdec/module.h>
#include <wdec/status.h>

const char *wdec_status_text(wdec_status status)
{
    static const char *const texts[] = {
#define WDEC_STATUS_TEXT(name, text) text,
        WDEC_STATUS_LIST(WDEC_STATUS_TEXT)
#undef WDEC_STATUS_TEXT
    };
    if ((unsigned)status >= sizeof texts / sizeof texts[0])
        return "unknown status";
    return texts[status];
}

const struct wdec_opcode_info *wdec_opcode_info(enum wdec_opcode op)
{
    switch (op) {
#define WDEC_OPCODE(id, text, prefix, code, imm, in1, in2, out, group, feature)                    \
    case WDEC_OP_##id: {                                                                           \
        static const struct wdec_opcode_info info_##id = {                                         \
            text, prefix, code, WDEC_IMM_##imm, WDEC_GROUP_##group, WDEC_FEATURE_##feature};       \
        return &info_##id;                                                                         \
    }
#include <wdec/opcodes.def>
#undef WDEC_OPCODE
    }
    return NULL;
}

const char *wdec_opcode_name(enum wdec_opcode op)
{
    const struct wdec_opcode_info *info = wdec_opcode_info(op);
    return info ? info->name : "<unknown>";
}

const char *wdec_valtype_name(uint8_t type)
{
    switch (type) {
    case WDEC_I32:
        return "i32";
    case WDEC_I64:
        return "i64";
    case WDEC_F32:
        return "f32";
    case WDEC_F64:
        return "f64";
    case WDEC_V128:
        return "v128";
    case WDEC_FUNCREF:
        return "funcref";
    case WDEC_EXTERNREF:
        return "externref";
    default:
        return "<bad type>";
    }
}
