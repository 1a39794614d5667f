/* SPDX-License-Identifier: Apache-2.0 */
/* Parses tests/data/golden.txt. The operand tokens are documented in the file's header and in
 * tools/golden_cases.py: R<reg> | M<size>,<seg>,<base>,<index>,<scale>,<disp> | I<imm> |
 * D<rel> | O<size>,<address>. */
#include "golden_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *golden_path(void)
{
    return KILN_SOURCE_DIR "/assembler/tests/data/golden.txt";
}

void golden_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[k++] = ' ';
        out[k++] = digits[p[i] >> 4];
        out[k++] = digits[p[i] & 15];
    }
    out[k] = '\0';
}

/* --- Registers --- */

static const char *const gpr_names[4][16] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
     "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
     "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
     "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
     "r14", "r15"},
};

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

bool golden_reg(const char *name, size_t len, struct x64_operand *out)
{
    static const char *const high8[4] = {"ah", "ch", "dh", "bh"};
    for (unsigned s = 0; s < 4; s++)
        for (unsigned n = 0; n < 16; n++)
            if (name_is(name, len, gpr_names[s][n])) {
                *out = x64_op_reg(X64_RC_GPR, 1u << s, n);
                return true;
            }
    for (unsigned n = 0; n < 4; n++)
        if (name_is(name, len, high8[n])) {
            *out = x64_op_reg(X64_RC_GPR, 1, X64_AH + n);
            return true;
        }
    static const char *const sregs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned n = 0; n < 6; n++)
        if (name_is(name, len, sregs[n])) {
            *out = x64_op_sreg((enum x64_sreg)n);
            return true;
        }
    if (len >= 4 && len <= 5 && (memcmp(name, "xmm", 3) == 0 || memcmp(name, "ymm", 3) == 0)) {
        unsigned n = 0;
        for (size_t i = 3; i < len; i++) {
            if (name[i] < '0' || name[i] > '9')
                return false;
            n = n * 10u + (unsigned)(name[i] - '0');
        }
        if (n > 15)
            return false;
        *out = name[0] == 'x' ? x64_op_xmm(n) : x64_op_ymm(n);
        return true;
    }
    return false;
}

/* --- Operands --- */

static bool parse_int(const char *s, size_t len, int64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    if (buf[0] == '-') {
        long long v = strtoll(buf, &end, 10);
        *out = (int64_t)v;
    } else {
        unsigned long long v = strtoull(buf, &end, 10);
        *out = (int64_t)v;
    }
    return *end == '\0';
}

/* Splits `s` (length len) at commas into at most `max` fields. */
static size_t split_commas(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == ',') {
            if (n == max)
                return max + 1;
            f[n] = s + start;
            fl[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

static bool parse_mem(const char *s, size_t len, struct x64_operand *out)
{
    static const char *const segs[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    const char *f[6];
    size_t fl[6];
    if (split_commas(s, len, f, fl, 6) != 6)
        return false;
    int64_t size, scale, disp;
    if (!parse_int(f[0], fl[0], &size) || !parse_int(f[4], fl[4], &scale) ||
        !parse_int(f[5], fl[5], &disp))
        return false;
    struct x64_mem m = x64_mem_abs((int32_t)disp);
    m.scale = (uint8_t)scale;
    if (!name_is(f[1], fl[1], "-")) {
        unsigned k = 0;
        while (k < 6 && !name_is(f[1], fl[1], segs[k]))
            k++;
        if (k == 6)
            return false;
        m.segment = (uint8_t)(X64_SEG_ES + k);
    }
    struct x64_operand r;
    if (name_is(f[2], fl[2], "rip")) {
        m.flags = X64_MEM_RIP;
    } else if (!name_is(f[2], fl[2], "-")) {
        if (!golden_reg(f[2], fl[2], &r) || r.rclass != X64_RC_GPR || r.size != 8)
            return false;
        m.base = (uint8_t)r.u.reg;
    }
    if (!name_is(f[3], fl[3], "-")) {
        if (!golden_reg(f[3], fl[3], &r) || (r.rclass == X64_RC_GPR && r.size != 8))
            return false;
        m.index = (uint8_t)r.u.reg; /* VSIB: the vector register number */
    }
    *out = x64_op_mem((unsigned)size, m);
    return true;
}

static bool parse_operand(const char *s, size_t len, struct x64_operand *out, bool *rel)
{
    int64_t v;
    *rel = false;
    if (len < 2)
        return false;
    switch (s[0]) {
    case 'R':
        return golden_reg(s + 1, len - 1, out);
    case 'I':
    case 'D':
        if (!parse_int(s + 1, len - 1, &v))
            return false;
        *out = x64_op_imm(v);
        *rel = s[0] == 'D';
        return true;
    case 'M':
        return parse_mem(s + 1, len - 1, out);
    case 'O': {
        const char *f[2];
        size_t fl[2];
        int64_t size, addr;
        if (split_commas(s + 1, len - 1, f, fl, 2) != 2 || !parse_int(f[0], fl[0], &size) ||
            !parse_int(f[1], fl[1], &addr))
            return false;
        *out = x64_op_mem((unsigned)size, x64_mem_moffs((uint64_t)addr));
        return true;
    }
    default:
        return false;
    }
}

/* --- File --- */

static int cmp_name(const void *a, const void *b)
{
    const enum x64_form *x = a, *y = b;
    return strcmp(x64_form_name(*x), x64_form_name(*y));
}

static enum x64_form *sorted_forms(void)
{
    enum x64_form *v = malloc(sizeof *v * (X64_FORM_COUNT + 1u));
    if (v == NULL)
        return NULL;
    for (unsigned i = 0; i < X64_FORM_COUNT; i++)
        v[i] = (enum x64_form)i;
    qsort(v, X64_FORM_COUNT, sizeof *v, cmp_name);
    return v;
}

static enum x64_form find_form(const enum x64_form *sorted, const char *name)
{
    size_t lo = 0, hi = X64_FORM_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(x64_form_name(sorted[mid]), name);
        if (c == 0)
            return sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return X64_FORM_COUNT;
}

static bool fail(struct golden_set *set, unsigned line, const char *what)
{
    snprintf(set->error, sizeof set->error, "golden.txt:%u: %s", line, what);
    return false;
}

static bool parse_line(struct golden_set *set, const enum x64_form *sorted, char *line,
                       unsigned lineno, struct golden_case *c)
{
    char *field[3];
    unsigned nf = 0;
    field[nf++] = line;
    for (char *p = line; *p && nf < 3; p++) {
        if (*p == '\t') {
            *p = '\0';
            field[nf++] = p + 1;
        }
    }
    if (nf != 3)
        return fail(set, lineno, "expected 3 tab-separated fields");
    memset(c, 0, sizeof *c);
    c->line = lineno;
    c->form_name = field[0];
    c->form = find_form(sorted, field[0]);
    c->text = field[1];
    /* operands */
    const char *s = field[1];
    if (strcmp(s, "-") != 0) {
        while (*s) {
            size_t len = strcspn(s, " ");
            if (c->nops == 4)
                return fail(set, lineno, "more than 4 operands");
            if (!parse_operand(s, len, &c->ops[c->nops], &c->rel[c->nops]))
                return fail(set, lineno, "bad operand token");
            c->nops++;
            s += len;
            while (*s == ' ')
                s++;
        }
    }
    /* bytes */
    s = field[2];
    while (*s) {
        unsigned hi, lo;
        char h = s[0], l = s[1];
        if (h == '\0' || l == '\0' || c->nbytes == 16)
            return fail(set, lineno, "bad byte string");
        hi = (unsigned)(h <= '9' ? h - '0' : h - 'a' + 10);
        lo = (unsigned)(l <= '9' ? l - '0' : l - 'a' + 10);
        if (hi > 15 || lo > 15)
            return fail(set, lineno, "bad hex digit");
        c->bytes[c->nbytes++] = (uint8_t)(hi << 4 | lo);
        s += 2;
        while (*s == ' ')
            s++;
    }
    if (c->nbytes == 0)
        return fail(set, lineno, "no bytes");
    return true;
}

bool golden_load(const char *path, struct golden_set *set)
{
    memset(set, 0, sizeof *set);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(set->error, sizeof set->error, "cannot open %s", path);
        return false;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    set->data = malloc((size_t)(size > 0 ? size : 0) + 1u);
    if (set->data == NULL || size < 0 || fread(set->data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        snprintf(set->error, sizeof set->error, "cannot read %s", path);
        return false;
    }
    fclose(f);
    set->data[size] = '\0';
    size_t lines = 0;
    for (long i = 0; i < size; i++)
        lines += set->data[i] == '\n';
    set->cases = calloc(lines + 1u, sizeof *set->cases);
    enum x64_form *sorted = sorted_forms();
    if (set->cases == NULL || sorted == NULL) {
        free(sorted);
        snprintf(set->error, sizeof set->error, "out of memory");
        return false;
    }
    char *p = set->data;
    unsigned lineno = 0;
    bool ok = true;
    while (*p && ok) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (*p != '#' && *p != '\0')
            ok = parse_line(set, sorted, p, lineno, &set->cases[set->count++]);
        p = nl ? nl + 1 : p + strlen(p);
    }
    free(sorted);
    return ok;
}

void golden_free(struct golden_set *set)
{
    free(set->data);
    free(set->cases);
    memset(set, 0, sizeof *set);
}
