/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzer: the input picks forms and operands (any register of the operand's class, any
 * addressing form, any immediate) and builds them through the checked generic path
 * (x64_emit_form). An accepted instruction must decode with Zydis to the same length, mnemonic
 * and operands; a refused one must leave the buffer untouched. Replayed by ctest from
 * fuzz/corpus/x64_roundtrip/ (label fuzz-smoke); with KILN_FUZZ=ON it is a libFuzzer binary. */
#include "x64/x64.h"
#include "zydis_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct reader {
    const uint8_t *p;
    size_t n, pos;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint64_t b = r->pos < r->n ? r->p[r->pos] : 0;
        r->pos++;
        v |= b << (8 * i);
    }
    return v;
}

static int32_t disp_of(struct reader *r)
{
    switch (take(r, 1) & 3u) {
    case 0:
        return 0;
    case 1:
        return (int8_t)take(r, 1);
    default:
        return (int32_t)(uint32_t)take(r, 4);
    }
}

static struct x64_mem mem_of(struct reader *r, bool vsib)
{
    unsigned sel = (unsigned)take(r, 1);
    struct x64_mem m;
    unsigned scale = 1u << ((sel >> 4) & 3u);
    if (!vsib && (sel & 7u) == 0) {
        m = x64_mem_rip(disp_of(r));
    } else if (!vsib && (sel & 7u) == 1) {
        m = x64_mem_abs(disp_of(r));
    } else {
        unsigned base = (unsigned)take(r, 1) & 31u; /* 16..31: no base */
        unsigned index = (unsigned)take(r, 1) & 31u;
        if (!vsib && (index > 15 || index == X64_RSP))
            index = X64_NOREG; /* no index */
        else if (vsib)
            index &= 15u;
        m = x64_mem_bis((enum x64_gpr)(base > 15 ? X64_NOREG : base), (enum x64_gpr)index, scale,
                        disp_of(r));
        if (m.index == X64_NOREG)
            m.scale = 1;
    }
    switch ((sel >> 6) & 3u) {
    case 1:
        m.segment = X64_SEG_FS;
        break;
    case 2:
        m.segment = X64_SEG_GS;
        break;
    default:
        break;
    }
    return m;
}

static unsigned mem_size(enum x64_opclass oc)
{
    static const unsigned sizes[] = {0, 1, 2, 4, 8, 6, 10, 16, 32, 64};
    if (oc >= X64_OC_M && oc <= X64_OC_M512)
        return sizes[oc - X64_OC_M];
    if (oc >= X64_OC_VM32X && oc <= X64_OC_VM32Z)
        return 4;
    return 8; /* VM64* */
}

/* One operand of class `oc` from the input. */
static struct x64_operand operand_of(struct reader *r, enum x64_opclass oc, bool sx)
{
    unsigned v = (unsigned)take(r, 1);
    switch (oc) {
    case X64_OC_R8:
        return x64_op_r8((enum x64_gpr)(v % 20u < 16u ? v % 20u : X64_AH + v % 20u - 16u));
    case X64_OC_R16:
        return x64_op_r16((enum x64_gpr)(v & 15u));
    case X64_OC_R32:
        return x64_op_r32((enum x64_gpr)(v & 15u));
    case X64_OC_R64:
        return x64_op_r64((enum x64_gpr)(v & 15u));
    case X64_OC_XMM:
        return x64_op_xmm(v & 15u);
    case X64_OC_YMM:
        return x64_op_ymm(v & 15u);
    case X64_OC_ZMM:
        return x64_op_zmm(v & 31u);
    case X64_OC_K:
        return x64_op_k(v & 7u);
    case X64_OC_AL:
        return x64_op_r8(X64_RAX);
    case X64_OC_AX:
        return x64_op_r16(X64_RAX);
    case X64_OC_EAX:
        return x64_op_r32(X64_RAX);
    case X64_OC_RAX:
        return x64_op_r64(X64_RAX);
    case X64_OC_CL:
        return x64_op_r8(X64_RCX);
    case X64_OC_DX:
        return x64_op_r16(X64_RDX);
    case X64_OC_XMM0:
        return x64_op_xmm(0);
    case X64_OC_SREG:
        return x64_op_sreg((enum x64_sreg)(v % 6u));
    case X64_OC_SREGW: /* cs cannot be loaded: pick from the other five */
        return x64_op_sreg((enum x64_sreg)(v % 5u == X64_SREG_CS ? X64_SREG_GS : v % 5u));
    case X64_OC_FS:
        return x64_op_sreg(X64_SREG_FS);
    case X64_OC_GS:
        return x64_op_sreg(X64_SREG_GS);
    case X64_OC_ONE:
        return x64_op_imm(1);
    case X64_OC_IMM8:
        return x64_op_imm(sx || (v & 1u) ? (int64_t)(int8_t)take(r, 1) : (int64_t)take(r, 1));
    case X64_OC_IMM16:
        return x64_op_imm((v & 1u) ? (int64_t)(int16_t)take(r, 2) : (int64_t)take(r, 2));
    case X64_OC_IMM32:
        return x64_op_imm((int64_t)(int32_t)take(r, 4));
    case X64_OC_IMM64:
        return x64_op_imm((int64_t)take(r, 8));
    case X64_OC_REL8:
        return x64_op_imm((int8_t)take(r, 1));
    case X64_OC_REL32:
        return x64_op_imm((int32_t)take(r, 4));
    case X64_OC_MOFFS8:
    case X64_OC_MOFFS16:
    case X64_OC_MOFFS32:
    case X64_OC_MOFFS64: {
        unsigned size = 1u << (oc - X64_OC_MOFFS8);
        return x64_op_mem(size, x64_mem_moffs(take(r, 8)));
    }
    default: {
        bool vsib = oc >= X64_OC_VM32X && oc <= X64_OC_VM64Z;
        struct x64_mem m = mem_of(r, vsib);
        /* sometimes leave the size out, as a caller may when the form fixes it */
        return x64_op_mem((v & 7u) == 0 ? 0u : mem_size(oc), m);
    }
    }
}

/* Counts for a quick look at what the input reaches (printed with KILN_FUZZ_STATS set). */
static size_t n_accepted, n_refused;

static void print_stats(void)
{
    fprintf(stderr, "fuzz_x64_roundtrip: %zu instructions checked with Zydis, %zu refused\n",
            n_accepted, n_refused);
}

/* The bytes of `b` (up to 16) as hex. */
static void hex_of(const struct x64_buf *b, char out[64])
{
    out[0] = 0;
    for (size_t i = 0; i < b->len && i < 16; i++)
        snprintf(out + 3 * i, 64 - 3 * i, "%02x ", b->data[i]);
}

/* Prints `what` and the bytes of `b` and aborts. */
static void fail_bytes(const char *what, const struct x64_buf *b)
{
    char hex[64];
    hex_of(b, hex);
    fprintf(stderr, "%s [%s]\n", what, hex);
    abort();
}

/* The same operands through x64_emit (form chosen by the mnemonic, through the per-thread memos
 * that earlier instructions of this run have warmed) against the full matcher
 * (x64_select_form, then x64_emit_form of its choice): both refuse, or both write the same
 * bytes, which decode to the chosen form's mnemonic and these operands. A memo entry that
 * accepts values the full matcher refuses, or picks another form for them, fails here. */
static void check_mnemonic_path(const struct x64_form_desc *d, const struct x64_operand *ops)
{
    enum x64_form chosen;
    bool selected = x64_select_form(d->mnemonic, ops, d->nops, &chosen, NULL, 0) == X64_OK;
    struct x64_buf b, want;
    if (x64_buf_init(&b, 64) != X64_OK)
        return;
    if (x64_buf_init(&want, 64) != X64_OK) {
        x64_buf_free(&b);
        return;
    }
    x64_emit(&b, d->mnemonic, ops, d->nops);
    if (selected)
        x64_emit_form(&want, chosen, ops);
    char msg[400];
    if (b.status != X64_OK) {
        /* refused (by the matcher, or at encoding: ah with a REX-only register): nothing written,
         * and the full matcher's form refuses too */
        if (b.len != 0) {
            snprintf(msg, sizeof msg, "x64_emit %s: refused (%.200s) but wrote bytes",
                     x64_mnemonic_name(d->mnemonic), x64_buf_error(&b));
            fail_bytes(msg, &b);
        }
        if (selected && want.status == X64_OK) {
            snprintf(msg, sizeof msg,
                     "x64_emit %s: refused (%.200s), the full matcher's form writes",
                     x64_mnemonic_name(d->mnemonic), x64_buf_error(&b));
            fail_bytes(msg, &want);
        }
    } else {
        struct x64_form_desc cd;
        char why[256];
        if (!selected || want.status != X64_OK) {
            snprintf(msg, sizeof msg, "x64_emit %s: accepted, the full matcher refuses",
                     x64_mnemonic_name(d->mnemonic));
            fail_bytes(msg, &b);
        }
        if (!x64_form_describe(chosen, &cd))
            abort();
        snprintf(msg, sizeof msg, "x64_emit %s", x64_mnemonic_name(d->mnemonic));
        if (b.len != want.len || memcmp(b.data, want.data, b.len) != 0) {
            char got[64];
            hex_of(&b, got);
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
                     " (form %s): wrote [%s], x64_emit_form wrote", cd.name, got);
            fail_bytes(msg, &want);
        }
        if (b.len == 0 || b.len > 15 || !zydis_check(b.data, b.len, chosen, ops, why, sizeof why)) {
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (form %s): %s", cd.name,
                     b.len == 0 || b.len > 15 ? "bad length" : why);
            fail_bytes(msg, &b);
        }
    }
    x64_buf_free(&want);
    x64_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool stats;
    if (!stats) {
        stats = true;
        if (getenv("KILN_FUZZ_STATS") != NULL)
            atexit(print_stats);
    }
    struct reader r = {data, size, 0};
    while (r.pos < r.n) {
        enum x64_form form = (enum x64_form)(take(&r, 2) % X64_FORM_COUNT);
        struct x64_form_desc d;
        if (!x64_form_describe(form, &d))
            abort();
        struct x64_operand ops[4];
        for (unsigned i = 0; i < d.nops; i++)
            ops[i] = operand_of(&r, d.ops[i], d.sign_extended_imm8);
        struct x64_buf b;
        if (x64_buf_init(&b, 64) != X64_OK)
            return 0;
        x64_emit_form(&b, form, ops);
        if (b.status != X64_OK) {
            n_refused++;
            /* refused: transactional, nothing written */
            if (b.len != 0) {
                fprintf(stderr, "%s: refused but wrote %zu bytes\n", d.name, b.len);
                abort();
            }
        } else {
            char why[256];
            n_accepted++;
            if (b.len == 0 || b.len > 15 ||
                !zydis_check(b.data, b.len, form, ops, why, sizeof why)) {
                char hex[64] = "";
                for (size_t i = 0; i < b.len && i < 16; i++)
                    snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", b.data[i]);
                fprintf(stderr, "%s [%s]: %s\n", d.name, hex,
                        b.len == 0 || b.len > 15 ? "bad length" : why);
                abort();
            }
        }
        x64_buf_free(&b);
        check_mnemonic_path(&d, ops);
    }
    return 0;
}
