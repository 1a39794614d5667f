/* SPDX-License-Identifier: Apache-2.0 */
/* Values of spec scripts: parsing wast2json's text forms (numbers as decimal bit patterns, NaN
 * classes, references), turning arguments into kiln values and matching results the way the
 * reference interpreter does (floats bit for bit, NaNs by class). */
#include "spec_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Parsing --- */

static const struct {
    const char *name;
    enum spec_valtype type;
} type_names[] = {
    {"i32", SPEC_T_I32}, {"i64", SPEC_T_I64},         {"f32", SPEC_T_F32},
    {"f64", SPEC_T_F64}, {"funcref", SPEC_T_FUNCREF}, {"externref", SPEC_T_EXTERNREF},
};

const char *spec_valtype_name(enum spec_valtype type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return "?";
}

/* wast2json writes integers and float bit patterns as unsigned decimal; a leading '-' is
 * accepted too (two's complement), as hand-written JSON may use it. */
static bool parse_uint(const char *text, uint64_t max, uint64_t *out)
{
    const char *p = text;
    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        uint64_t digit = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (negative) {
        /* -N must fit the signed range: N <= (max >> 1) + 1. */
        if (v > (max >> 1) + 1)
            return false;
        v = (0 - v) & max;
    } else if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool spec_value_parse(const char *type, const char *value, bool expected,
                      struct spec_value *out_value, char *err, size_t err_size)
{
    struct spec_value v = {0};
    bool found = false;
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (!strcmp(type, type_names[i].name)) {
            v.type = type_names[i].type;
            found = true;
        }
    }
    if (!found) {
        snprintf(err, err_size, "unsupported value type \"%s\"", type);
        return false;
    }
    v.expect = SPEC_X_BITS;
    switch (v.type) {
    case SPEC_T_I32:
    case SPEC_T_I64:
    case SPEC_T_F32:
    case SPEC_T_F64: {
        bool wide = v.type == SPEC_T_I64 || v.type == SPEC_T_F64;
        bool is_float = v.type == SPEC_T_F32 || v.type == SPEC_T_F64;
        if (!value) {
            snprintf(err, err_size, "%s value without \"value\"", type);
            return false;
        }
        if (is_float && expected && !strcmp(value, "nan:canonical")) {
            v.expect = SPEC_X_NAN_CANONICAL;
        } else if (is_float && expected && !strcmp(value, "nan:arithmetic")) {
            v.expect = SPEC_X_NAN_ARITHMETIC;
        } else if (!parse_uint(value, wide ? UINT64_MAX : UINT32_MAX, &v.bits)) {
            snprintf(err, err_size, "bad %s literal \"%s\"", type, value);
            return false;
        }
        break;
    }
    case SPEC_T_FUNCREF:
    case SPEC_T_EXTERNREF:
        if (!value) {
            if (!expected) {
                snprintf(err, err_size, "%s argument without \"value\"", type);
                return false;
            }
            v.expect = SPEC_X_REF_ANY;
        } else if (!strcmp(value, "null")) {
            v.expect = SPEC_X_NULL;
        } else if (v.type == SPEC_T_EXTERNREF && parse_uint(value, UINT32_MAX, &v.bits)) {
            v.expect = SPEC_X_REF;
        } else if (v.type == SPEC_T_FUNCREF && expected) {
            /* wabt: a funcref expectation other than null only asks for some function. */
            v.expect = SPEC_X_REF_ANY;
        } else {
            snprintf(err, err_size, "bad %s literal \"%s\"", type, value);
            return false;
        }
        break;
    }
    *out_value = v;
    return true;
}

/* --- To kiln and back --- */

static void *host_ref(uint64_t number)
{
    return (void *)(uintptr_t)(number + 1);
}

kiln_val spec_value_to_kiln(const struct spec_value *value)
{
    kiln_val k;
    memset(&k, 0, sizeof k);
    switch (value->type) {
    case SPEC_T_I32:
        k.type = KILN_I32;
        k.i32 = (int32_t)(uint32_t)value->bits;
        break;
    case SPEC_T_I64:
        k.type = KILN_I64;
        k.i64 = (int64_t)value->bits;
        break;
    case SPEC_T_F32:
        k.type = KILN_F32;
        k.f32 = (uint32_t)value->bits;
        break;
    case SPEC_T_F64:
        k.type = KILN_F64;
        k.f64 = value->bits;
        break;
    case SPEC_T_FUNCREF:
        /* Only ref.null funcref can be written as an argument in a script. */
        k.type = KILN_FUNCREF;
        k.ref = NULL;
        break;
    case SPEC_T_EXTERNREF:
        k.type = KILN_EXTERNREF;
        k.ref = value->expect == SPEC_X_REF ? host_ref(value->bits) : NULL;
        break;
    }
    return k;
}

static bool type_matches(enum spec_valtype t, kiln_valtype k)
{
    switch (t) {
    case SPEC_T_I32:
        return k == KILN_I32;
    case SPEC_T_I64:
        return k == KILN_I64;
    case SPEC_T_F32:
        return k == KILN_F32;
    case SPEC_T_F64:
        return k == KILN_F64;
    case SPEC_T_FUNCREF:
        return k == KILN_FUNCREF;
    case SPEC_T_EXTERNREF:
        return k == KILN_EXTERNREF;
    }
    return false;
}

bool spec_value_matches(const struct spec_value *expected, const kiln_val *actual)
{
    if (!type_matches(expected->type, actual->type))
        return false;
    uint64_t bits;
    uint64_t quiet;
    uint64_t exp_mask; /* exponent and quiet bit: all set in every arithmetic NaN */
    switch (expected->type) {
    case SPEC_T_I32:
        return (uint32_t)actual->i32 == (uint32_t)expected->bits;
    case SPEC_T_I64:
        return (uint64_t)actual->i64 == expected->bits;
    case SPEC_T_F32:
        bits = actual->f32;
        quiet = UINT64_C(0x00400000);
        exp_mask = UINT64_C(0x7fc00000);
        break;
    case SPEC_T_F64:
        bits = actual->f64;
        quiet = UINT64_C(0x0008000000000000);
        exp_mask = UINT64_C(0x7ff8000000000000);
        break;
    case SPEC_T_FUNCREF:
    case SPEC_T_EXTERNREF:
        switch (expected->expect) {
        case SPEC_X_NULL:
            return actual->ref == NULL;
        case SPEC_X_REF_ANY:
            return actual->ref != NULL;
        case SPEC_X_REF:
            return actual->ref == host_ref(expected->bits);
        default:
            return false;
        }
    default:
        return false;
    }
    /* Spec 4.3.3: a canonical NaN has only the quiet bit in its payload, an arithmetic NaN has
     * the quiet bit set; the sign is free in both. */
    uint64_t sign = expected->type == SPEC_T_F32 ? UINT64_C(0x80000000) : UINT64_C(1) << 63;
    switch (expected->expect) {
    case SPEC_X_BITS:
        return bits == expected->bits;
    case SPEC_X_NAN_CANONICAL:
        return (bits & ~sign) == (exp_mask | quiet);
    case SPEC_X_NAN_ARITHMETIC:
        return (bits & exp_mask) == exp_mask;
    default:
        return false;
    }
}

/* --- Formatting --- */

static void format_float(bool is_f32, uint64_t bits, char *out, size_t out_size)
{
    double d;
    if (is_f32) {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof f);
        d = f;
        snprintf(out, out_size, "f32:%.9g (0x%08" PRIx32 ")", d, b32);
    } else {
        memcpy(&d, &bits, sizeof d);
        snprintf(out, out_size, "f64:%.17g (0x%016" PRIx64 ")", d, bits);
    }
}

void spec_value_format(const struct spec_value *value, char *out, size_t out_size)
{
    const char *t = spec_valtype_name(value->type);
    switch (value->expect) {
    case SPEC_X_NAN_CANONICAL:
        snprintf(out, out_size, "%s:nan:canonical", t);
        return;
    case SPEC_X_NAN_ARITHMETIC:
        snprintf(out, out_size, "%s:nan:arithmetic", t);
        return;
    case SPEC_X_NULL:
        snprintf(out, out_size, "%s:null", t);
        return;
    case SPEC_X_REF_ANY:
        snprintf(out, out_size, "%s:non-null", t);
        return;
    case SPEC_X_REF:
        snprintf(out, out_size, "%s:%" PRIu64, t, value->bits);
        return;
    case SPEC_X_BITS:
        break;
    }
    switch (value->type) {
    case SPEC_T_I32:
        snprintf(out, out_size, "i32:%" PRIu32 " (%" PRId32 ")", (uint32_t)value->bits,
                 (int32_t)(uint32_t)value->bits);
        break;
    case SPEC_T_I64:
        snprintf(out, out_size, "i64:%" PRIu64 " (%" PRId64 ")", value->bits, (int64_t)value->bits);
        break;
    case SPEC_T_F32:
    case SPEC_T_F64:
        format_float(value->type == SPEC_T_F32, value->bits, out, out_size);
        break;
    default:
        snprintf(out, out_size, "%s:?", t);
        break;
    }
}

void spec_kiln_val_format(const kiln_val *value, char *out, size_t out_size)
{
    switch (value->type) {
    case KILN_I32:
        snprintf(out, out_size, "i32:%" PRIu32 " (%" PRId32 ")", (uint32_t)value->i32, value->i32);
        break;
    case KILN_I64:
        snprintf(out, out_size, "i64:%" PRIu64 " (%" PRId64 ")", (uint64_t)value->i64, value->i64);
        break;
    case KILN_F32:
        format_float(true, value->f32, out, out_size);
        break;
    case KILN_F64:
        format_float(false, value->f64, out, out_size);
        break;
    case KILN_FUNCREF:
        if (value->ref)
            snprintf(out, out_size, "funcref:%p", value->ref);
        else
            snprintf(out, out_size, "funcref:null");
        break;
    case KILN_EXTERNREF:
        if (value->ref)
            snprintf(out, out_size, "externref:%" PRIuPTR, (uintptr_t)value->ref - 1);
        else
            snprintf(out, out_size, "externref:null");
        break;
    default:
        snprintf(out, out_size, "type%d:?", (int)value->type);
        break;
    }
}
