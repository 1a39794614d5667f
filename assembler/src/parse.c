/* SPDX-License-Identifier: Apache-2.0 */
/* Intel-syntax text in: a small hand-written lexer and operand parser for the text GNU
 * `objdump -d -M intel` prints, mapped onto the checked generic path. The parser knows syntax
 * (registers, sizes, addressing, objdump's spellings); which operand combinations exist is the
 * form table's business, so a wrong combination gets the generic path's own message. */
#include "x64/parse.h"

#include "x64/format.h"
#include "x64/generic.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- Errors --- */

struct pctx {
    const char *p;   /* cursor */
    const char *end; /* end of the meaningful text (comments cut) */
    char *why;
    size_t why_len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static enum x64_status
fail(struct pctx *c, enum x64_status s, const char *fmt, ...)
{
    if (c->why != NULL && c->why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, c->why_len, fmt, ap);
        va_end(ap);
    }
    return s;
}

#define SYNTAX X64_ERR_SYNTAX

/* --- Lexer --- */

enum tok_kind { T_END, T_IDENT, T_NUM, T_PUNCT };

struct tok {
    enum tok_kind kind;
    const char *s;
    size_t n;
};

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int hex_val(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static char lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static void skip_space(struct pctx *c)
{
    while (c->p < c->end && is_space(*c->p))
        c->p++;
}

static struct tok peek(struct pctx *c)
{
    skip_space(c);
    struct tok t = {T_END, c->p, 0};
    if (c->p >= c->end)
        return t;
    const char *q = c->p;
    if (is_alpha(*q)) {
        while (q < c->end && (is_alpha(*q) || is_digit(*q)))
            q++;
        t.kind = T_IDENT;
    } else if (is_digit(*q)) {
        while (q < c->end && (is_alpha(*q) || is_digit(*q)))
            q++;
        t.kind = T_NUM;
    } else {
        q++;
        t.kind = T_PUNCT;
    }
    t.n = (size_t)(q - c->p);
    return t;
}

static struct tok take(struct pctx *c)
{
    struct tok t = peek(c);
    c->p = t.s + t.n;
    return t;
}

static bool tok_is(struct tok t, const char *word)
{
    size_t n = strlen(word);
    if (t.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(t.s[i]) != word[i])
            return false;
    return true;
}

static bool punct_is(struct tok t, char ch)
{
    return t.kind == T_PUNCT && t.s[0] == ch;
}

/* A token quoted for a message (at most 40 characters). */
#define TOKF(t) (int)((t).n > 40 ? 40 : (t).n), (t).s

/* A number token: 0x hex, or decimal; `hex` also reads the digits as hex (branch targets,
 * which objdump prints without 0x). Returns false on a malformed or too long number. */
struct number {
    uint64_t dec; /* value read as written (0x.. hex, else decimal) */
    uint64_t hex; /* value with bare digits read as hex */
    bool dec_ok, hex_ok;
    bool prefixed; /* had 0x */
    bool overflow; /* well-formed but too large either way */
};

static bool parse_number(struct tok t, struct number *out)
{
    memset(out, 0, sizeof *out);
    const char *s = t.s;
    size_t n = t.n;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        out->prefixed = true;
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return false;
    uint64_t h = 0, d = 0;
    bool hex_ok = true, dec_ok = !out->prefixed;
    for (size_t i = 0; i < n; i++) {
        int v = hex_val(s[i]);
        if (v < 0)
            return false;
        if (h >> 60)
            hex_ok = false;
        h = (h << 4) | (uint64_t)v;
        if (v > 9 || d > (UINT64_MAX - (uint64_t)v) / 10)
            dec_ok = false;
        else
            d = d * 10 + (uint64_t)v;
    }
    out->hex = h;
    out->hex_ok = hex_ok;
    out->dec = out->prefixed ? h : d;
    out->dec_ok = out->prefixed ? hex_ok : dec_ok;
    out->overflow = !out->dec_ok && !out->hex_ok;
    return out->dec_ok || out->hex_ok;
}

/* --- Registers --- */

enum {
    R_GPR,
    R_XMM,
    R_YMM,
    R_ZMM,
    R_K,
    R_SEG,
    R_RIP,
    R_RIZ,
    R_OTHER, /* known to objdump, not to this assembler (x87, MMX, control, ...) */
};

struct reg {
    int cls;
    unsigned size; /* bytes */
    unsigned num;
};

static const char *const gpr64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const gpr32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const gpr16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const gpr8[8] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
static const char *const high8[4] = {"ah", "ch", "dh", "bh"};
static const char *const segs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

/* Reads a decimal register number 0..max from s[0..n). */
static bool reg_number(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (n == 0 || n > 2)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (n == 2 && s[0] == '0')
        return false;
    *out = v;
    return v <= max;
}

static bool lookup_reg(struct tok t, struct reg *out)
{
    char w[8];
    if (t.kind != T_IDENT || t.n >= sizeof w)
        return false;
    for (size_t i = 0; i < t.n; i++)
        w[i] = lower(t.s[i]);
    w[t.n] = '\0';
    size_t n = t.n;
    for (unsigned i = 0; i < 16; i++)
        if (!strcmp(w, gpr64[i])) {
            *out = (struct reg){R_GPR, 8, i};
            return true;
        }
    for (unsigned i = 0; i < 8; i++) {
        if (!strcmp(w, gpr32[i])) {
            *out = (struct reg){R_GPR, 4, i};
            return true;
        }
        if (!strcmp(w, gpr16[i])) {
            *out = (struct reg){R_GPR, 2, i};
            return true;
        }
        if (!strcmp(w, gpr8[i])) {
            *out = (struct reg){R_GPR, 1, i};
            return true;
        }
    }
    for (unsigned i = 0; i < 4; i++)
        if (!strcmp(w, high8[i])) {
            *out = (struct reg){R_GPR, 1, X64_AH + i};
            return true;
        }
    for (unsigned i = 0; i < 6; i++)
        if (!strcmp(w, segs[i])) {
            *out = (struct reg){R_SEG, 2, i + 1};
            return true;
        }
    unsigned v;
    /* r8..r15 with a width suffix: d, w, b (objdump) or l (Intel's r8l). */
    if (w[0] == 'r' && n >= 3) {
        char suf = w[n - 1];
        unsigned size = suf == 'd' ? 4 : suf == 'w' ? 2 : (suf == 'b' || suf == 'l') ? 1 : 0;
        if (size && reg_number(w + 1, n - 2, 15, &v) && v >= 8) {
            *out = (struct reg){R_GPR, size, v};
            return true;
        }
    }
    if (!strncmp(w, "xmm", 3) && reg_number(w + 3, n - 3, 31, &v)) {
        *out = (struct reg){R_XMM, 16, v};
        return true;
    }
    if (!strncmp(w, "ymm", 3) && reg_number(w + 3, n - 3, 31, &v)) {
        *out = (struct reg){R_YMM, 32, v};
        return true;
    }
    if (!strncmp(w, "zmm", 3) && reg_number(w + 3, n - 3, 31, &v)) {
        *out = (struct reg){R_ZMM, 64, v};
        return true;
    }
    if (w[0] == 'k' && reg_number(w + 1, n - 1, 7, &v)) {
        *out = (struct reg){R_K, 8, v};
        return true;
    }
    if (!strcmp(w, "rip")) {
        *out = (struct reg){R_RIP, 8, 0};
        return true;
    }
    if (!strcmp(w, "riz") || !strcmp(w, "eiz")) {
        *out = (struct reg){R_RIZ, !strcmp(w, "riz") ? 8u : 4u, 0};
        return true;
    }
    if (!strcmp(w, "eip") || !strcmp(w, "st") ||
        (!strncmp(w, "mm", 2) && reg_number(w + 2, n - 2, 7, &v)) ||
        (!strncmp(w, "cr", 2) && reg_number(w + 2, n - 2, 15, &v)) ||
        (!strncmp(w, "db", 2) && reg_number(w + 2, n - 2, 15, &v)) ||
        (!strncmp(w, "bnd", 3) && reg_number(w + 3, n - 3, 3, &v)) ||
        (!strncmp(w, "tmm", 3) && reg_number(w + 3, n - 3, 7, &v))) {
        *out = (struct reg){R_OTHER, 0, 0};
        return true;
    }
    return false;
}

/* --- Operands --- */

static const struct {
    const char *word;
    unsigned size;
} size_words[] = {
    {"byte", 1},   {"word", 2},   {"dword", 4},    {"fword", 6},    {"qword", 8},
    {"tbyte", 10}, {"oword", 16}, {"xmmword", 16}, {"ymmword", 32}, {"zmmword", 64},
};

/* What the parser learned about an operand beyond struct x64_operand. */
struct opinfo {
    struct tok tok; /* the number's token */
    bool is_number; /* a bare number (immediate or branch target) */
    struct number num;
    bool negative; /* written with a leading '-' */
    bool explicit_size;
    unsigned vsib_width; /* index register width of a VSIB operand, else 0 */
};

/* Parses `{k1}`, `{z}` after a register or `{1toN}` after memory. */
static enum x64_status parse_decorations(struct pctx *c, struct x64_operand *op)
{
    while (punct_is(peek(c), '{')) {
        take(c);
        struct tok t = take(c);
        struct reg r;
        if (t.kind == T_IDENT && lookup_reg(t, &r) && r.cls == R_K && op->kind == X64_OP_REG) {
            if (r.num == 0)
                return fail(c, SYNTAX, "k0 cannot be used as a write mask");
            op->mask = (uint8_t)r.num;
        } else if (tok_is(t, "z") && op->kind == X64_OP_REG) {
            op->zero = 1;
        } else if (t.kind == T_NUM && op->kind == X64_OP_MEM && t.n > 3 && t.s[0] == '1' &&
                   lower(t.s[1]) == 't' && lower(t.s[2]) == 'o') {
            unsigned v = 0;
            if (!reg_number(t.s + 3, t.n - 3, 32, &v) || v < 2)
                return fail(c, SYNTAX, "bad broadcast '{%.*s}'", TOKF(t));
            op->bcst = (uint8_t)v;
        } else {
            return fail(c, SYNTAX, "unsupported decoration '{%.*s}'", TOKF(t));
        }
        if (!punct_is(take(c), '}'))
            return fail(c, SYNTAX, "missing '}' after decoration");
    }
    return X64_OK;
}

/* Parses `[base+index*scale+disp]` (the '[' already taken) into `m`. Terms are joined by
 * '+' or '-': a register (the first unscaled one is the base), `reg*scale` or `scale*reg` (the
 * index; a vector register makes it VSIB), or a number (summed into the displacement). */
static enum x64_status parse_mem_body(struct pctx *c, struct x64_mem *m, unsigned *vsib_width)
{
    bool have_base = false, have_index = false, rip = false;
    uint64_t disp = 0;
    for (bool first = true;; first = false) {
        struct tok t = peek(c);
        bool neg = false;
        if (punct_is(t, ']') && !first) {
            take(c);
            break;
        }
        if (t.kind == T_END)
            return fail(c, SYNTAX, "missing ']'");
        if (punct_is(t, '+') || punct_is(t, '-')) {
            neg = punct_is(t, '-');
            take(c);
        } else if (!first) {
            return fail(c, SYNTAX, "expected '+', '-' or ']' in memory operand, got '%.*s'",
                        TOKF(t));
        }
        t = take(c);
        struct reg r;
        unsigned scale = 0; /* 0: not scaled */
        struct number num;
        if (t.kind == T_NUM) {
            if (!parse_number(t, &num) || !num.dec_ok)
                return fail(c, SYNTAX, "bad number '%.*s'", TOKF(t));
            if (!punct_is(peek(c), '*')) {
                disp = neg ? disp - num.dec : disp + num.dec;
                continue;
            }
            take(c); /* scale*reg */
            scale = num.dec <= 8 ? (unsigned)num.dec : 3;
            t = take(c);
            if (!lookup_reg(t, &r))
                return fail(c, SYNTAX, "expected an index register after '*'");
        } else if (t.kind == T_IDENT && lookup_reg(t, &r)) {
            if (punct_is(peek(c), '*')) {
                take(c);
                struct tok st = take(c);
                if (st.kind != T_NUM || !parse_number(st, &num) || !num.dec_ok)
                    return fail(c, X64_ERR_BAD_MEMORY, "scale must be 1, 2, 4 or 8");
                scale = num.dec <= 8 ? (unsigned)num.dec : 3;
            }
        } else if (t.kind == T_END) {
            return fail(c, SYNTAX, "missing ']'");
        } else {
            return fail(c, SYNTAX, "unexpected '%.*s' in memory operand", TOKF(t));
        }
        if (neg)
            return fail(c, X64_ERR_BAD_MEMORY, "a register cannot be subtracted");
        if (scale != 0 && scale != 1 && scale != 2 && scale != 4 && scale != 8)
            return fail(c, X64_ERR_BAD_MEMORY, "scale must be 1, 2, 4 or 8");
        if (r.cls == R_RIP) {
            if (scale || have_base || have_index)
                return fail(c, X64_ERR_BAD_MEMORY, "rip cannot be combined with other registers");
            rip = have_base = true;
            continue;
        }
        if (rip)
            return fail(c, X64_ERR_BAD_MEMORY, "rip cannot be combined with other registers");
        if (r.cls == R_GPR && r.size != 8)
            return fail(c, X64_ERR_BAD_MEMORY,
                        "only 64-bit address registers are supported, not '%.*s'", TOKF(t));
        if (r.cls == R_GPR && r.num >= 16)
            return fail(c, X64_ERR_BAD_MEMORY, "'%.*s' cannot address memory", TOKF(t));
        if (scale == 0 && !have_base && r.cls == R_GPR) {
            m->base = (uint8_t)r.num;
            have_base = true;
            continue;
        }
        if (have_index)
            return fail(c, X64_ERR_BAD_MEMORY, "too many registers in memory operand");
        have_index = true;
        m->scale = (uint8_t)(scale ? scale : 1);
        if (r.cls == R_RIZ) {
            m->index = X64_NOREG; /* objdump's name for "SIB byte, no index" */
            continue;
        }
        if (r.cls == R_GPR && r.num == X64_RSP)
            return fail(c, X64_ERR_BAD_MEMORY, "rsp cannot be an index register");
        if (r.cls != R_GPR && r.cls != R_XMM && r.cls != R_YMM && r.cls != R_ZMM)
            return fail(c, X64_ERR_BAD_MEMORY, "'%.*s' cannot be an index register", TOKF(t));
        m->index = (uint8_t)r.num;
        if (r.cls != R_GPR)
            *vsib_width = r.size;
    }
    /* The displacement is 32 bits, sign-extended; objdump prints rip+0xffffffff.... */
    int64_t sd = (int64_t)disp;
    if (sd < INT32_MIN || sd > INT32_MAX)
        return fail(c, X64_ERR_BAD_MEMORY, "displacement does not fit in 32 bits");
    m->disp = (int32_t)sd;
    if (rip)
        m->flags = X64_MEM_RIP;
    if (m->index == X64_NOREG)
        m->scale = 1;
    return X64_OK;
}

/* An identifier made only of hex digits (and not a register, checked first). */
static bool is_hex_word(struct tok t)
{
    if (t.kind != T_IDENT || t.n == 0)
        return false;
    for (size_t i = 0; i < t.n; i++)
        if (hex_val(t.s[i]) < 0)
            return false;
    return true;
}

static enum x64_status parse_operand(struct pctx *c, struct x64_operand *op, struct opinfo *info)
{
    memset(info, 0, sizeof *info);
    *op = x64_op_imm(0);
    unsigned size = 0;
    struct tok t = peek(c);
    /* SIZE PTR (objdump also prints SIZE BCST for an EVEX broadcast). */
    if (t.kind == T_IDENT) {
        for (size_t i = 0; i < sizeof size_words / sizeof size_words[0]; i++) {
            if (!tok_is(t, size_words[i].word))
                continue;
            take(c);
            struct tok p2 = take(c);
            if (!tok_is(p2, "ptr") && !tok_is(p2, "bcst"))
                return fail(c, SYNTAX, "expected PTR after '%.*s'", TOKF(t));
            size = size_words[i].size;
            info->explicit_size = true;
            if (tok_is(p2, "bcst"))
                op->bcst = 1; /* resolved to {1toN} by the caller's vector size */
            break;
        }
        t = peek(c);
    }
    struct x64_mem m = x64_mem_abs(0);
    bool is_mem = false;
    struct reg r;
    if (t.kind == T_IDENT && lookup_reg(t, &r)) {
        take(c);
        if (r.cls == R_SEG && punct_is(peek(c), ':')) {
            /* seg:[...] or seg:absolute */
            take(c);
            m.segment = (uint8_t)r.num;
            t = peek(c);
            if (punct_is(t, '[')) {
                take(c);
                enum x64_status s = parse_mem_body(c, &m, &info->vsib_width);
                if (s)
                    return s;
            } else if (t.kind == T_NUM || punct_is(t, '-')) {
                bool neg = punct_is(t, '-');
                if (neg)
                    take(c);
                t = take(c);
                struct number num;
                if (!parse_number(t, &num) || !num.dec_ok)
                    return fail(c, SYNTAX, "bad address '%.*s'", TOKF(t));
                uint64_t a = neg ? (uint64_t)0 - num.dec : num.dec;
                int64_t sa = (int64_t)a;
                /* objdump writes every absolute address as `ds:0x...`: that ds is its
                 * spelling of "no base", not a 3E prefix (which it shows as ds:[...]). */
                if (r.num == X64_SEG_DS)
                    r.num = X64_SEG_NONE;
                if (sa < INT32_MIN || sa > INT32_MAX) {
                    /* Only the mov accumulator forms (movabs) take a 64-bit address. */
                    m = x64_mem_moffs(a);
                    m.segment = (uint8_t)r.num;
                } else {
                    m.disp = (int32_t)sa;
                    m.segment = (uint8_t)r.num;
                }
            } else {
                return fail(c, SYNTAX, "expected '[' or an address after '%s:'", segs[r.num - 1]);
            }
            is_mem = true;
        } else {
            if (size)
                return fail(c, SYNTAX, "a size (PTR) cannot apply to register '%.*s'", TOKF(t));
            switch (r.cls) {
            case R_GPR:
                *op = x64_op_reg(X64_RC_GPR, r.size, r.num);
                break;
            case R_XMM:
                *op = x64_op_xmm(r.num);
                break;
            case R_YMM:
                *op = x64_op_ymm(r.num);
                break;
            case R_ZMM:
                *op = x64_op_zmm(r.num);
                break;
            case R_K:
                *op = x64_op_k(r.num);
                break;
            case R_SEG:
                *op = x64_op_sreg((enum x64_sreg)(r.num - 1)); /* r.num is enum x64_seg */
                break;
            default:
                return fail(c, X64_ERR_INVALID_REGISTER, "register '%.*s' is not supported",
                            TOKF(t));
            }
            return parse_decorations(c, op);
        }
    } else if (punct_is(t, '[')) {
        take(c);
        enum x64_status s = parse_mem_body(c, &m, &info->vsib_width);
        if (s)
            return s;
        is_mem = true;
    } else if (t.kind == T_NUM || is_hex_word(t) || punct_is(t, '-') || punct_is(t, '+')) {
        /* A hex word (`fe8a`) is objdump's bare-hex branch target. */
        bool neg = punct_is(t, '-');
        if (t.kind == T_PUNCT)
            take(c);
        t = take(c);
        if ((t.kind != T_NUM && !is_hex_word(t)) || !parse_number(t, &info->num))
            return fail(c, info->num.overflow ? X64_ERR_IMM_RANGE : SYNTAX,
                        info->num.overflow ? "number '%.*s' does not fit in 64 bits"
                                           : "bad number '%.*s'",
                        TOKF(t));
        if (size)
            return fail(c, SYNTAX, "a size (PTR) needs a memory operand");
        if (!info->num.dec_ok && (neg || info->num.prefixed))
            return fail(c, X64_ERR_IMM_RANGE, "number '%.*s' does not fit in 64 bits", TOKF(t));
        info->is_number = true;
        info->tok = t;
        info->negative = neg;
        uint64_t v = info->num.dec;
        *op = x64_op_imm((int64_t)(neg ? (uint64_t)0 - v : v));
        return X64_OK;
    } else if (t.kind == T_END) {
        return fail(c, SYNTAX, "missing operand");
    } else {
        return fail(c, SYNTAX, "unexpected '%.*s' in operand", TOKF(t));
    }
    if (!is_mem)
        return fail(c, SYNTAX, "bad operand");
    uint8_t bc = op->bcst;
    *op = x64_op_mem(size, m);
    op->bcst = bc;
    return parse_decorations(c, op);
}

/* --- Prefix words --- */

struct prefix_word {
    const char *word;
    uint8_t byte;
};

static const struct prefix_word prefix_words[] = {
    {"lock", 0xF0},    {"rep", 0xF3},      {"repz", 0xF3},     {"repe", 0xF3}, {"repnz", 0xF2},
    {"repne", 0xF2},   {"data16", 0x66},   {"addr32", 0x67},   {"cs", 0x2E},   {"ds", 0x3E},
    {"es", 0x26},      {"ss", 0x36},       {"fs", 0x64},       {"gs", 0x65},   {"bnd", 0xF2},
    {"notrack", 0x3E}, {"xacquire", 0xF2}, {"xrelease", 0xF3},
};

/* `rex`, `rex.W`, `rex.WRXB`, ... -> 0x40..0x4F; 0 if `t` is not a REX word. */
static uint8_t rex_word(struct tok t)
{
    if (t.kind != T_IDENT || t.n < 3 || lower(t.s[0]) != 'r' || lower(t.s[1]) != 'e' ||
        lower(t.s[2]) != 'x')
        return 0;
    if (t.n == 3)
        return 0x40;
    if (t.s[3] != '.' || t.n == 4)
        return 0;
    unsigned bits = 0;
    for (size_t i = 4; i < t.n; i++) {
        unsigned bit;
        switch (t.s[i]) {
        case 'W':
        case 'w':
            bit = 8;
            break;
        case 'R':
        case 'r':
            bit = 4;
            break;
        case 'X':
        case 'x':
            bit = 2;
            break;
        case 'B':
        case 'b':
            bit = 1;
            break;
        default:
            return 0;
        }
        if (bits & bit)
            return 0;
        bits |= bit;
    }
    return (uint8_t)(0x40u | bits);
}

/* --- String instructions: objdump spells `stos QWORD PTR es:[rdi],rax` for stosq --- */

static const char *const string_ops[] = {"movs", "cmps", "stos", "lods", "scas", "ins", "outs"};

static bool is_string_base(struct tok t)
{
    for (size_t i = 0; i < sizeof string_ops / sizeof string_ops[0]; i++)
        if (tok_is(t, string_ops[i]))
            return true;
    return false;
}

/* The operand size of a string op's explicit operands (memory size or accumulator), checking
 * that memory operands address [rsi]/[rdi]. A segment override other than the default one on
 * a [rsi] source becomes a raw prefix byte. */
static enum x64_status string_size(struct pctx *c, struct x64_asm_insn *in, bool port,
                                   unsigned *out_size)
{
    unsigned size = 0;
    for (unsigned i = 0; i < in->nops; i++) {
        const struct x64_operand *o = &in->ops[i];
        unsigned s = o->size;
        if (o->kind == X64_OP_MEM) {
            const struct x64_mem *m = &o->u.mem;
            bool rdi = m->base == X64_RDI, rsi = m->base == X64_RSI;
            if ((!rdi && !rsi) || m->index != X64_NOREG || m->disp != 0 || m->flags)
                return fail(c, X64_ERR_INVALID_OPERANDS,
                            "string instruction operands must be [rsi] or [rdi]");
            if (rdi && m->segment != 0 && m->segment != X64_SEG_ES)
                return fail(c, X64_ERR_INVALID_OPERANDS, "es:[rdi] cannot be overridden");
            if (rsi && m->segment != 0 && m->segment != X64_SEG_DS) {
                if (in->nraw >= X64_ASM_MAX_PREFIXES)
                    return fail(c, SYNTAX, "too many prefixes");
                in->raw_prefix[in->nraw++] =
                    (uint8_t) "\x26\x2e\x36\x3e\x64\x65"[(m->segment - 1u) % 6u];
            }
        } else if (o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && o->u.reg == X64_RAX &&
                   !port) {
            /* the accumulator: al/ax/eax/rax */
        } else if (o->kind == X64_OP_REG && o->rclass == X64_RC_GPR && o->u.reg == X64_RDX &&
                   o->size == 2 && port) {
            continue; /* ins/outs: the port in dx says nothing of the size */
        } else {
            return fail(c, X64_ERR_INVALID_OPERANDS, "bad operand for a string instruction");
        }
        if (s == 0)
            continue;
        if (size != 0 && s != size)
            return fail(c, X64_ERR_INVALID_OPERANDS, "string operands differ in size");
        size = s;
    }
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return fail(c, X64_ERR_SIZE_MISSING, "string instruction needs an operand size");
    *out_size = size;
    return X64_OK;
}

/* --- Mnemonics objdump spells with an immediate folded in --- */

/* cmp<pred>{ps,pd,ss,sd} and vcmp<pred>..., pclmul<q><q>dq and vpclmul...: the underlying
 * mnemonic and the immediate. */
static bool lookup_alias(const char *name, size_t n, enum x64_mnemonic *out, int *out_imm)
{
    char base[24];
    bool vex = n > 0 && name[0] == 'v';
    const char *p = name + (vex ? 1 : 0);
    size_t pn = n - (vex ? 1u : 0u);
    if (pn > 5 && !strncmp(p, "cmp", 3)) {
        const char *suffix = p + pn - 2;
        if (strncmp(suffix, "ps", 2) && strncmp(suffix, "pd", 2) && strncmp(suffix, "ss", 2) &&
            strncmp(suffix, "sd", 2))
            return false;
        for (unsigned imm = 0; imm < 32; imm++) {
            const char *pred = x64__cmp_predicate(imm, vex);
            if (pred != NULL && strlen(pred) == pn - 5 && !strncmp(p + 3, pred, pn - 5)) {
                snprintf(base, sizeof base, "%scmp%.2s", vex ? "v" : "", suffix);
                *out_imm = (int)imm;
                return x64_mnemonic_lookup(base, strlen(base), out);
            }
        }
        return false;
    }
    if (pn == 12 && !strncmp(p, "pclmul", 6) && !strncmp(p + 10, "dq", 2)) {
        static const unsigned imms[] = {0x00, 0x01, 0x10, 0x11};
        for (unsigned k = 0; k < 4; k++)
            if (!strncmp(p + 6, x64__pclmul_name(imms[k]), 4)) {
                snprintf(base, sizeof base, "%spclmulqdq", vex ? "v" : "");
                *out_imm = (int)imms[k];
                return x64_mnemonic_lookup(base, strlen(base), out);
            }
    }
    return false;
}

/* --- Helpers over the form table --- */

static bool mnemonic_has_class(enum x64_mnemonic mn, enum x64_opclass cls)
{
    const uint16_t *forms;
    size_t n = x64_mnemonic_forms(mn, &forms);
    for (size_t i = 0; i < n; i++) {
        struct x64_form_desc d;
        if (!x64_form_describe((enum x64_form)forms[i], &d))
            continue;
        for (unsigned k = 0; k < d.nops; k++)
            if (d.ops[k] == cls)
                return true;
    }
    return false;
}

/* Immediates printed unsigned at the destination's width (`add eax,0xffffff80`) become the
 * signed value they encode, so the generic path can pick the sign-extended imm8 form. */
static void normalize_imms(struct x64_asm_insn *in, const struct opinfo *info)
{
    if (in->nops < 2)
        return;
    const struct x64_operand *dst = &in->ops[0];
    unsigned bits;
    if ((dst->kind == X64_OP_REG && dst->rclass == X64_RC_GPR) || dst->kind == X64_OP_MEM)
        bits = 8u * dst->size;
    else
        return;
    if (bits != 8 && bits != 16 && bits != 32)
        return;
    for (unsigned i = 1; i < in->nops; i++) {
        struct x64_operand *o = &in->ops[i];
        if (o->kind != X64_OP_IMM || info[i].negative)
            continue;
        uint64_t v = (uint64_t)o->u.imm;
        if (v >= ((uint64_t)1 << (bits - 1)) && v < ((uint64_t)1 << bits))
            o->u.imm = (int64_t)v - ((int64_t)1 << bits);
    }
}

/* --- The line parser --- */

enum x64_status x64_asm_parse(const char *text, size_t len, struct x64_asm_insn *out, char *why,
                              size_t why_len)
{
    struct pctx c = {text, text, why, why_len};
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (out == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (text == NULL) {
        if (len != 0)
            return fail(&c, X64_ERR_INVALID_ARGUMENT, "no text");
        out->empty = true;
        return X64_OK;
    }
    /* Comments and objdump annotations end the meaningful text. */
    size_t cut = 0;
    while (cut < len && text[cut] != '#' && text[cut] != ';' && text[cut] != '<' &&
           text[cut] != '\0')
        cut++;
    c.end = text + cut;

    /* An objdump address column: `  401000:` (then maybe a raw-bytes column). */
    skip_space(&c);
    {
        const char *q = c.p;
        uint64_t a = 0;
        size_t digits = 0;
        while (q < c.end && hex_val(*q) >= 0 && digits <= 16) {
            a = (a << 4) | (uint64_t)hex_val(*q);
            q++;
            digits++;
        }
        if (digits > 0 && digits <= 16 && q < c.end && *q == ':' &&
            (q + 1 == c.end || is_space(q[1]))) {
            out->has_address = true;
            out->address = a;
            c.p = q + 1;
            /* A raw-bytes column: hex pairs separated by spaces, ended by a tab. */
            const char *r = c.p;
            while (r < c.end && (*r == ' ' || *r == '\t') && *r != '\t')
                r++;
            if (r < c.end && *r == '\t')
                r++;
            const char *s = r;
            size_t pairs = 0;
            while (s + 1 < c.end && hex_val(s[0]) >= 0 && hex_val(s[1]) >= 0 &&
                   (s + 2 == c.end || s[2] == ' ' || s[2] == '\t')) {
                pairs++;
                s += 2;
                while (s < c.end && *s == ' ')
                    s++;
            }
            if (pairs > 0 && (s == c.end || *s == '\t'))
                c.p = s;
        }
    }

    /* Prefix words, then the mnemonic. */
    struct tok t;
    uint8_t seen[X64_ASM_MAX_PREFIXES];
    unsigned nseen = 0;
    for (;;) {
        t = take(&c);
        if (t.kind == T_END) {
            if (nseen == 0 && !out->has_address) {
                out->empty = true;
                return X64_OK;
            }
            if (nseen == 0) {
                out->empty = true;
                return X64_OK;
            }
            /* Prefixes alone (objdump prints a lone `rep` or `rex.W` it could not attach). */
            memcpy(out->raw_prefix, seen, nseen);
            out->nraw = nseen;
            out->empty = false;
            out->nops = 0;
            out->mnemonic = X64_MN_COUNT;
            return X64_OK;
        }
        if (t.kind != T_IDENT)
            return fail(&c, SYNTAX, "expected a mnemonic, got '%.*s'", TOKF(t));
        uint8_t byte = rex_word(t);
        for (size_t i = 0; !byte && i < sizeof prefix_words / sizeof prefix_words[0]; i++)
            if (tok_is(t, prefix_words[i].word))
                byte = prefix_words[i].byte;
        /* `ds` etc. followed by ':' would be an operand, but no mnemonic starts like that. */
        if (!byte)
            break;
        if (nseen >= X64_ASM_MAX_PREFIXES)
            return fail(&c, SYNTAX, "too many prefixes");
        /* lock and rep may still go through x64_emit_prefixed (decided below). */
        seen[nseen++] = byte;
    }
    struct tok mtok = t;
    bool is_string = is_string_base(mtok);
    bool movabs = tok_is(mtok, "movabs");
    enum x64_mnemonic mn = X64_MN_COUNT;
    int extra_imm = -1; /* an immediate the mnemonic spells (cmpltps: 1) */
    if (!is_string) {
        char name[24] = "";
        if (mtok.n >= sizeof name)
            return fail(&c, X64_ERR_UNKNOWN_MNEMONIC, "unknown mnemonic '%.*s'", TOKF(mtok));
        for (size_t i = 0; i < mtok.n; i++)
            name[i] = lower(mtok.s[i]);
        if (!x64_mnemonic_lookup(name, mtok.n, &mn) && !lookup_alias(name, mtok.n, &mn, &extra_imm))
            return fail(&c, X64_ERR_UNKNOWN_MNEMONIC, "unknown mnemonic '%.*s'", TOKF(mtok));
    }

    /* Operands. */
    struct opinfo info[4];
    memset(info, 0, sizeof info);
    if (peek(&c).kind != T_END) {
        for (;;) {
            if (out->nops >= 4)
                return fail(&c, X64_ERR_INVALID_OPERANDS, "too many operands");
            enum x64_status s = parse_operand(&c, &out->ops[out->nops], &info[out->nops]);
            if (s)
                return s;
            out->nops++;
            t = take(&c);
            if (t.kind == T_END)
                break;
            if (!punct_is(t, ','))
                return fail(&c, SYNTAX, "expected ',' between operands, got '%.*s'", TOKF(t));
        }
    }

    /* Prefix bytes: lock and rep on string ops go through x64_emit_prefixed; the rest raw. */
    for (unsigned i = 0; i < nseen; i++) {
        uint8_t byte = seen[i];
        bool prefixed = false;
        if (out->prefix == 0 && byte == 0xF0 && !is_string)
            prefixed = true;
        if (out->prefix == 0 && (byte == 0xF3 || byte == 0xF2) && is_string)
            prefixed = true;
        if (prefixed)
            out->prefix = byte == 0xF0 ? X64_PFX_LOCK : byte == 0xF3 ? X64_PFX_REP : X64_PFX_REPNE;
        else
            out->raw_prefix[out->nraw++] = byte;
    }

    if (is_string) {
        unsigned size = 0;
        if (out->nops == 0)
            return fail(&c, X64_ERR_SIZE_MISSING,
                        "'%.*s' needs its operands (or use the b/w/d/q form)", TOKF(mtok));
        bool port = tok_is(mtok, "ins") || tok_is(mtok, "outs");
        enum x64_status s = string_size(&c, out, port, &size);
        if (s)
            return s;
        char name[8];
        size_t bn = mtok.n;
        memcpy(name, mtok.s, bn);
        for (size_t i = 0; i < bn; i++)
            name[i] = lower(name[i]);
        name[bn] = size == 1 ? 'b' : size == 2 ? 'w' : size == 4 ? 'd' : 'q';
        if (!x64_mnemonic_lookup(name, bn + 1, &mn))
            return fail(&c, X64_ERR_UNKNOWN_MNEMONIC, "unknown mnemonic '%.*s'", (int)(bn + 1),
                        name);
        out->nops = 0;
        out->mnemonic = mn;
        return X64_OK;
    }
    /* objdump spells xlatb with its implicit operand: `xlat BYTE PTR ds:[rbx]`. */
    if (tok_is(mtok, "xlat") && out->nops == 1 && out->ops[0].kind == X64_OP_MEM) {
        const struct x64_mem *m = &out->ops[0].u.mem;
        if (m->base != X64_RBX || m->index != X64_NOREG || m->disp != 0 || m->flags ||
            (out->ops[0].size != 0 && out->ops[0].size != 1))
            return fail(&c, X64_ERR_INVALID_OPERANDS, "xlat's operand is BYTE PTR [rbx]");
        if (m->segment != 0 && m->segment != X64_SEG_DS) {
            if (out->nraw >= X64_ASM_MAX_PREFIXES)
                return fail(&c, SYNTAX, "too many prefixes");
            out->raw_prefix[out->nraw++] =
                (uint8_t) "\x26\x2e\x36\x3e\x64\x65"[(m->segment - 1u) % 6u];
        }
        if (!x64_mnemonic_lookup("xlatb", 5, &mn))
            return fail(&c, X64_ERR_UNKNOWN_MNEMONIC, "unknown mnemonic 'xlatb'");
        out->nops = 0;
    }
    /* objdump's `rex.W jmp FWORD PTR [m]` is the m16:64 far pointer: the table's m80 form
     * (REX.W FF /5 or /3), whose REX the encoder derives, so the REX word goes. */
    if ((mn == X64_MN_JMP || mn == X64_MN_CALL) && out->nops == 1 &&
        out->ops[0].kind == X64_OP_MEM && out->ops[0].size == 6) {
        for (unsigned i = 0; i < out->nraw; i++)
            if ((out->raw_prefix[i] & 0xF8u) == 0x48) {
                out->ops[0].size = 10;
                memmove(&out->raw_prefix[i], &out->raw_prefix[i + 1], out->nraw - i - 1u);
                out->nraw--;
                break;
            }
    }
    out->mnemonic = mn;
    out->movabs = movabs;
    for (unsigned i = 0; i < out->nops; i++)
        if (info[i].vsib_width)
            out->vsib_width = info[i].vsib_width;
    if (extra_imm >= 0) {
        if (out->nops >= 4)
            return fail(&c, X64_ERR_INVALID_OPERANDS, "too many operands");
        out->ops[out->nops++] = x64_op_imm(extra_imm);
    }

    /* A branch to an absolute address. */
    if (out->nops == 1 && info[0].is_number &&
        (mnemonic_has_class(mn, X64_OC_REL8) || mnemonic_has_class(mn, X64_OC_REL32))) {
        const struct number *num = &info[0].num;
        if (info[0].negative)
            return fail(&c, SYNTAX, "a branch target is an address, not a negative number");
        if (num->prefixed ? !num->dec_ok : !num->hex_ok)
            return fail(&c, X64_ERR_IMM_RANGE, "branch target does not fit in 64 bits");
        out->branch = true;
        out->target = num->prefixed ? num->dec : num->hex;
        return X64_OK;
    }
    for (unsigned i = 0; i < out->nops; i++)
        if (info[i].is_number && !info[i].num.dec_ok)
            return fail(&c, SYNTAX, "'%.*s' is not a number (hex needs 0x)", TOKF(info[i].tok));
    /* objdump's `DWORD BCST [rax]`: the broadcast count follows from the vector width. */
    unsigned vec = 0;
    for (unsigned i = 0; i < out->nops; i++)
        if (out->ops[i].kind == X64_OP_REG && out->ops[i].rclass != X64_RC_GPR &&
            out->ops[i].rclass != X64_RC_K && out->ops[i].size > vec)
            vec = out->ops[i].size;
    for (unsigned i = 0; i < out->nops; i++) {
        struct x64_operand *o = &out->ops[i];
        if (o->kind != X64_OP_MEM || o->bcst != 1)
            continue;
        if (vec == 0 || o->size == 0 || vec / o->size < 2)
            return fail(&c, X64_ERR_INVALID_OPERANDS, "cannot size the broadcast");
        o->bcst = (uint8_t)(vec / o->size);
    }
    normalize_imms(out, info);
    return X64_OK;
}

/* --- Encoding a parsed line --- */

/* Emits `in` (without raw prefixes) into `b`; `form` forces a form when not X64_FORM_COUNT. */
static void emit_parsed(struct x64_buf *b, const struct x64_asm_insn *in, enum x64_form form,
                        const struct x64_operand *ops)
{
    if (form != X64_FORM_COUNT)
        x64_emit_form(b, form, ops);
    else if (in->prefix)
        x64_emit_prefixed(b, in->prefix, in->mnemonic, ops, in->nops);
    else
        x64_emit(b, in->mnemonic, ops, in->nops);
}

/* The length of `form` with `ops`, measured by emitting it into a scratch buffer (0 on error,
 * with the message in why). */
static size_t form_length(const struct x64_asm_insn *in, enum x64_form form,
                          const struct x64_operand *ops, char *why, size_t why_len)
{
    struct x64_buf s;
    size_t n = 0;
    if (x64_buf_init(&s, 64) != X64_OK)
        return 0;
    emit_parsed(&s, in, form, ops);
    if (s.status == X64_OK)
        n = s.len;
    else if (why != NULL)
        snprintf(why, why_len, "%s", x64_buf_error(&s));
    x64_buf_free(&s);
    return n;
}

/* Picks the form for a branch to in->target from `address`: the first rel form (table
 * order, rel8 before rel32) whose displacement fits. */
static enum x64_status pick_branch(const struct x64_asm_insn *in, uint64_t address,
                                   enum x64_form *out_form, struct x64_operand *out_op, char *why,
                                   size_t why_len)
{
    const uint16_t *forms;
    size_t n = x64_mnemonic_forms(in->mnemonic, &forms);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        struct x64_form_desc d;
        if (!x64_form_describe((enum x64_form)forms[i], &d) || d.nops != 1 ||
            (d.ops[0] != X64_OC_REL8 && d.ops[0] != X64_OC_REL32))
            continue;
        any = true;
        struct x64_operand op = x64_op_imm(0);
        size_t len = form_length(in, (enum x64_form)forms[i], &op, why, why_len);
        if (len == 0)
            continue;
        uint64_t next = address + in->nraw + len;
        int64_t rel = (int64_t)(in->target - next);
        bool fits = d.ops[0] == X64_OC_REL8 ? (rel >= -128 && rel <= 127)
                                            : (rel >= INT32_MIN && rel <= INT32_MAX);
        if (!fits)
            continue;
        *out_form = (enum x64_form)forms[i];
        *out_op = x64_op_imm(rel);
        return X64_OK;
    }
    if (why != NULL)
        snprintf(why, why_len, "%s", any ? "branch target out of range" : "not a branch");
    return any ? X64_ERR_JUMP_RANGE : X64_ERR_INVALID_OPERANDS;
}

/* For movabs: the mov form with a 64-bit immediate or a 64-bit absolute address. */
static enum x64_status pick_movabs(struct x64_asm_insn *in, enum x64_form *out_form, char *why,
                                   size_t why_len)
{
    if (in->nops != 2)
        return X64_ERR_INVALID_OPERANDS;
    /* A 64-bit address written as seg:addr is parsed as [disp32] when it fits: movabs wants
     * the moffs encoding regardless. */
    for (unsigned i = 0; i < 2; i++) {
        struct x64_operand *o = &in->ops[i];
        if (o->kind == X64_OP_MEM && !(o->u.mem.flags & X64_MEM_MOFFS)) {
            const struct x64_mem *m = &o->u.mem;
            if (m->base != X64_NOREG || m->index != X64_NOREG || m->flags)
                return X64_ERR_INVALID_OPERANDS;
            struct x64_mem mo = x64_mem_moffs((uint64_t)(int64_t)m->disp);
            mo.segment = m->segment;
            o->u.mem = mo;
        }
    }
    const uint16_t *forms;
    size_t n = x64_mnemonic_forms(in->mnemonic, &forms);
    for (size_t i = 0; i < n; i++) {
        struct x64_form_desc d;
        if (!x64_form_describe((enum x64_form)forms[i], &d) || d.nops != 2)
            continue;
        bool wide = false;
        for (unsigned k = 0; k < 2; k++)
            wide |= d.ops[k] == X64_OC_IMM64 ||
                    (d.ops[k] >= X64_OC_MOFFS8 && d.ops[k] <= X64_OC_MOFFS64);
        if (!wide)
            continue;
        /* Let the matcher judge this one form. */
        struct x64_buf s;
        if (x64_buf_init(&s, 64) != X64_OK)
            return X64_ERR_NO_MEMORY;
        x64_emit_form(&s, (enum x64_form)forms[i], in->ops);
        enum x64_status st = s.status;
        x64_buf_free(&s);
        if (st == X64_OK) {
            *out_form = (enum x64_form)forms[i];
            return X64_OK;
        }
    }
    if (why != NULL)
        snprintf(why, why_len, "no movabs form takes these operands");
    return X64_ERR_INVALID_OPERANDS;
}

/* A gather: the form whose VSIB class has the index width written (vm32x/vm32y/...), since
 * struct x64_mem holds only the index number. The memory size printed is the element's, so
 * the operand goes to the matcher unsized. */
static enum x64_status pick_vsib(const struct x64_asm_insn *in, enum x64_form *out_form,
                                 struct x64_operand *ops, char *why, size_t why_len)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (ops[i].kind == X64_OP_MEM && ops[i].u.mem.index != X64_NOREG)
            ops[i].size = 0;
    const uint16_t *forms;
    size_t n = x64_mnemonic_forms(in->mnemonic, &forms);
    for (size_t i = 0; i < n; i++) {
        struct x64_form_desc d;
        if (!x64_form_describe((enum x64_form)forms[i], &d) || d.nops != in->nops)
            continue;
        bool width_ok = false;
        for (unsigned k = 0; k < d.nops; k++) {
            enum x64_opclass oc = d.ops[k];
            unsigned w = (oc == X64_OC_VM32X || oc == X64_OC_VM64X)   ? 16
                         : (oc == X64_OC_VM32Y || oc == X64_OC_VM64Y) ? 32
                         : (oc == X64_OC_VM32Z || oc == X64_OC_VM64Z) ? 64
                                                                      : 0;
            if (w != 0)
                width_ok = w == in->vsib_width;
        }
        if (!width_ok)
            continue;
        struct x64_buf s;
        if (x64_buf_init(&s, 64) != X64_OK)
            return X64_ERR_NO_MEMORY;
        x64_emit_form(&s, (enum x64_form)forms[i], ops);
        enum x64_status st = s.status;
        x64_buf_free(&s);
        if (st == X64_OK) {
            *out_form = (enum x64_form)forms[i];
            return X64_OK;
        }
    }
    snprintf(why, why_len, "no form of '%s' takes a VSIB operand with a %u-byte index",
             x64_mnemonic_name(in->mnemonic), in->vsib_width);
    return X64_ERR_INVALID_OPERANDS;
}

enum x64_status x64_asm_text(struct x64_buf *b, const char *text, size_t len, uint64_t address)
{
    if (b == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    if (b->status != X64_OK)
        return b->status;
    struct x64_asm_insn in;
    char why[160];
    enum x64_status s = x64_asm_parse(text, len, &in, why, sizeof why);
    if (s != X64_OK)
        return x64_buf_fail(b, s, "%s", why[0] ? why : x64_status_str(s));
    if (in.empty)
        return X64_OK;
    if (in.has_address)
        address = in.address;

    enum x64_form form = X64_FORM_COUNT;
    struct x64_operand ops[4];
    memcpy(ops, in.ops, sizeof ops);
    why[0] = '\0';
    if (in.mnemonic == X64_MN_COUNT) {
        /* Prefixes only. */
        x64_bytes(b, in.raw_prefix, in.nraw);
        return b->status;
    }
    if (in.branch) {
        s = pick_branch(&in, address, &form, &ops[0], why, sizeof why);
        if (s != X64_OK)
            return x64_buf_fail(b, s, "%s", why);
    } else if (in.vsib_width) {
        s = pick_vsib(&in, &form, ops, why, sizeof why);
        if (s != X64_OK)
            return x64_buf_fail(b, s, "%s", why);
    } else if (in.movabs) {
        s = pick_movabs(&in, &form, why, sizeof why);
        if (s != X64_OK)
            return x64_buf_fail(b, s, "%s", why[0] ? why : "invalid movabs operands");
        memcpy(ops, in.ops, sizeof ops);
    }
    if (in.nraw == 0) {
        emit_parsed(b, &in, form, ops);
        return b->status;
    }
    /* Raw prefixes first: assemble into a scratch buffer so that a failure adds nothing. */
    struct x64_buf tmp;
    s = x64_buf_init(&tmp, 64);
    if (s != X64_OK)
        return x64_buf_fail(b, s, NULL);
    emit_parsed(&tmp, &in, form, ops);
    if (tmp.status != X64_OK) {
        s = x64_buf_fail(b, tmp.status, "%s", x64_buf_error(&tmp));
        x64_buf_free(&tmp);
        return s;
    }
    uint8_t all[32];
    if (in.nraw + tmp.len > sizeof all) {
        x64_buf_free(&tmp);
        return x64_buf_fail(b, X64_ERR_INVALID_OPERANDS, "instruction longer than 15 bytes");
    }
    /* Raw prefixes go first, in the order written. A REX word there is usually ignored (a REX
     * only counts right before the opcode, SDM vol. 2, 2.2.1), as it was in the original:
     * objdump prints `rex.WXB` as a word when it thinks the instruction did not use those
     * bits. One exception: W on push/pop is "unused" to objdump yet overrides a data16 (66),
     * so `data16 rex.WXB pop r10` (66 4b 5a) is a 64-bit pop. A W written last goes into our
     * own REX (replacing the word), where it changes nothing objdump would have shown. */
    size_t nraw = in.nraw;
    if (nraw > 0 && (in.raw_prefix[nraw - 1] & 0xF8u) == 0x48 && tmp.len > 1 &&
        (tmp.data[0] & 0xF0u) == 0x40) {
        tmp.data[0] |= 0x08u;
        nraw--;
    }
    memcpy(all, in.raw_prefix, nraw);
    memcpy(all + nraw, tmp.data, tmp.len);
    size_t total = nraw + tmp.len;
    x64_buf_free(&tmp);
    if (total > 15)
        return x64_buf_fail(b, X64_ERR_INVALID_OPERANDS, "instruction longer than 15 bytes");
    x64_bytes(b, all, total);
    return b->status;
}
