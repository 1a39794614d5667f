/* SPDX-License-Identifier: Apache-2.0 */
/* The held-out corpora's scope rule and sampling (make_heldout.sh, make_opmap.sh; the rule is
 * spelled out in make_heldout.sh). Reads `address \t bytes \t text` lines on stdin, keeps the
 * in-scope ones and prints `stratum \t address \t bytes \t text` lines: a uniform sample
 * (stratum `freq`) and up to CAP distinct texts per operand shape (stratum BREADTH_NAME).
 *   heldout_classify FREQ_N CAP SEED [BREADTH_NAME]      (defaults 6000 3 1 breadth)
 * Test-corpus tooling only: needs libzydis-dev. */
#include <Zydis/Zydis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ext_in_scope(ZydisISAExt e)
{
    switch (e) {
    case ZYDIS_ISA_EXT_BASE:
    case ZYDIS_ISA_EXT_LONGMODE:
    case ZYDIS_ISA_EXT_SSE:
    case ZYDIS_ISA_EXT_SSE2:
    case ZYDIS_ISA_EXT_SSE3:
    case ZYDIS_ISA_EXT_SSSE3:
    case ZYDIS_ISA_EXT_SSE4:
    case ZYDIS_ISA_EXT_AVX:
    case ZYDIS_ISA_EXT_AVX2:
    case ZYDIS_ISA_EXT_AVX2GATHER:
    case ZYDIS_ISA_EXT_FMA:
    case ZYDIS_ISA_EXT_F16C:
    case ZYDIS_ISA_EXT_BMI1:
    case ZYDIS_ISA_EXT_BMI2:
    case ZYDIS_ISA_EXT_LZCNT:
    case ZYDIS_ISA_EXT_ADOX_ADCX:
    case ZYDIS_ISA_EXT_AES:
    case ZYDIS_ISA_EXT_AVXAES:
    case ZYDIS_ISA_EXT_PCLMULQDQ:
    case ZYDIS_ISA_EXT_SHA:
    case ZYDIS_ISA_EXT_MOVBE:
    case ZYDIS_ISA_EXT_PAUSE:
    case ZYDIS_ISA_EXT_RDTSCP:
        return 1;
    default:
        return 0;
    }
}

static int category_out(ZydisInstructionCategory c)
{
    switch (c) {
    case ZYDIS_CATEGORY_SYSTEM:
    case ZYDIS_CATEGORY_IO:
    case ZYDIS_CATEGORY_IOSTRINGOP:
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_SEGOP:
    case ZYDIS_CATEGORY_X87_ALU:
    case ZYDIS_CATEGORY_FCMOV:
    case ZYDIS_CATEGORY_MMX:
    case ZYDIS_CATEGORY_DECIMAL:
    case ZYDIS_CATEGORY_XSAVE:
    case ZYDIS_CATEGORY_XSAVEOPT:
        return 1;
    default:
        return 0;
    }
}

static int named_in_issue(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_CPUID:
    case ZYDIS_MNEMONIC_RDTSC:
    case ZYDIS_MNEMONIC_RDTSCP:
    case ZYDIS_MNEMONIC_HLT:
    case ZYDIS_MNEMONIC_INT3:
    case ZYDIS_MNEMONIC_UD2:
    case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_LFENCE:
    case ZYDIS_MNEMONIC_MFENCE:
    case ZYDIS_MNEMONIC_SFENCE:
    case ZYDIS_MNEMONIC_LFS: /* segment register instructions (SDM vol. 1, 5.1.12) */
    case ZYDIS_MNEMONIC_LGS:
    case ZYDIS_MNEMONIC_LSS:
        return 1;
    default:
        return 0;
    }
}

/* x87/SIMD state management (SDM vol. 1, 5.4) and interrupt returns (far transfers that
 * reload CS, like the far branches excluded below). */
static int state_or_far(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_FXSAVE:
    case ZYDIS_MNEMONIC_FXSAVE64:
    case ZYDIS_MNEMONIC_FXRSTOR:
    case ZYDIS_MNEMONIC_FXRSTOR64:
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ:
        return 1;
    default:
        return 0;
    }
}

/* --- Sampling: a uniform reservoir over the stream, and per shape a reservoir of distinct
 * texts (the shape: prefix words and mnemonic as objdump prints them, then each operand's
 * kind: register class, `m<size>` for memory, `imm`). Deterministic xorshift64. --- */

static unsigned long long rng_state;

static unsigned long long rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int is_prefix_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "lock", "rep", "repz", "repnz", "repe", "repne", "data16",  "addr32",   "cs",
        "ds",   "es",  "ss",   "fs",    "gs",   "bnd",   "notrack", "xacquire", "xrelease"};
    if (n >= 3 && !strncmp(w, "rex", 3))
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && !strncmp(w, words[i], n))
            return 1;
    return 0;
}

static int reg_in(const char *op, size_t n, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == n && !strncmp(op, *names, n))
            return 1;
    return 0;
}

/* The kind of one operand as text (op[0..n), trimmed). */
static void kind(const char *op, size_t n, char *out, size_t cap)
{
    static const char *const r64[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8",
                                      "r9",  "r10", "r11", "r12", "r13", "r14", "r15", 0};
    static const char *const r32[] = {"eax",  "ebx",  "ecx",  "edx",  "esi",  "edi",
                                      "esp",  "ebp",  "r8d",  "r9d",  "r10d", "r11d",
                                      "r12d", "r13d", "r14d", "r15d", 0};
    static const char *const r16[] = {"ax",   "bx",   "cx",   "dx",   "si",   "di",
                                      "sp",   "bp",   "r8w",  "r9w",  "r10w", "r11w",
                                      "r12w", "r13w", "r14w", "r15w", 0};
    static const char *const r8[] = {"al",   "bl",   "cl",   "dl",   "ah",   "bh",   "ch",
                                     "dh",   "sil",  "dil",  "spl",  "bpl",  "r8b",  "r9b",
                                     "r10b", "r11b", "r12b", "r13b", "r14b", "r15b", 0};
    const char *ptr = NULL;
    for (size_t i = 0; i + 4 <= n; i++)
        if (!strncmp(op + i, " PTR", 4) || !strncmp(op + i, " BCST", 5)) {
            ptr = op + i;
            break;
        }
    if (ptr != NULL) {
        snprintf(out, cap, "m");
        for (size_t i = 0; op + i < ptr && i + 2 < cap; i++)
            out[i + 1] = (char)(op[i] >= 'A' && op[i] <= 'Z' ? op[i] - 'A' + 'a' : op[i]),
                    out[i + 2] = 0;
        return;
    }
    if (memchr(op, '[', n) || memchr(op, ':', n)) {
        snprintf(out, cap, "m");
        return;
    }
    if (reg_in(op, n, r64))
        snprintf(out, cap, "r64");
    else if (reg_in(op, n, r32))
        snprintf(out, cap, "r32");
    else if (reg_in(op, n, r16))
        snprintf(out, cap, "r16");
    else if (reg_in(op, n, r8))
        snprintf(out, cap, "r8");
    else if (n > 3 && !strncmp(op, "xmm", 3))
        snprintf(out, cap, "xmm");
    else if (n > 3 && !strncmp(op, "ymm", 3))
        snprintf(out, cap, "ymm");
    else if (strspn(op, "0123456789abcdefx") == n)
        snprintf(out, cap, "imm");
    else
        snprintf(out, cap, "%.*s", (int)n, op);
}

static void shape_of(const char *text, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    const char *p = text;
    int mnemonic_done = 0;
    while (*p && !mnemonic_done) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        mnemonic_done = !is_prefix_word(p, n) || p[n] == 0;
        len += (size_t)snprintf(out + len, cap - len, "%s%.*s", len ? " " : "", (int)n, p);
        p += n;
        if (len >= cap)
            return;
    }
    while (*p == ' ')
        p++;
    int first = 1;
    while (*p && len + 1 < cap) {
        size_t n = strcspn(p, ",");
        char k[64];
        kind(p, n, k, sizeof k);
        len += (size_t)snprintf(out + len, cap - len, "%s%s", first ? " " : ",", k);
        first = 0;
        p += n;
        if (*p == ',')
            p++;
    }
}

struct shape {
    char *key;
    char **items;
    unsigned n;
    unsigned long long distinct;
};

#define TABLE_SIZE (1u << 16)
static struct shape table[TABLE_SIZE];
static unsigned nshapes;

static struct shape *shape_slot(const char *key)
{
    unsigned long long h = 1469598103934665603ull;
    for (const char *q = key; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ull;
    for (unsigned i = (unsigned)(h & (TABLE_SIZE - 1));; i = (i + 1) & (TABLE_SIZE - 1)) {
        if (table[i].key == NULL) {
            if (nshapes + 1 >= TABLE_SIZE) {
                fprintf(stderr, "classify: too many shapes\n");
                exit(1);
            }
            nshapes++;
            table[i].key = strdup(key);
            return &table[i];
        }
        if (!strcmp(table[i].key, key))
            return &table[i];
    }
}

static int by_key(const void *a, const void *b)
{
    const struct shape *x = *(const struct shape *const *)a, *y = *(const struct shape *const *)b;
    return strcmp(x->key, y->key);
}

/* The text column of an `addr \t bytes \t text` item. */
static const char *text_of(const char *item)
{
    const char *t = strchr(item, '\t');
    t = t ? strchr(t + 1, '\t') : NULL;
    return t ? t + 1 : item;
}

int main(int argc, char **argv)
{
    unsigned long freq_n = argc > 1 ? strtoul(argv[1], NULL, 10) : 6000;
    unsigned cap = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) * 2654435761ull + 1 : 1;
    const char *breadth_name = argc > 4 ? argv[4] : "breadth";
    char **reservoir = calloc(freq_n ? freq_n : 1, sizeof *reservoir);
    unsigned long long seen = 0;
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        unsigned char buf[16];
        size_t n = 0;
        for (char *p = t1 + 1; p < t2 && n < sizeof buf;) {
            char *end;
            unsigned long v = strtoul(p, &end, 16);
            if (end == p)
                break;
            buf[n++] = (unsigned char)v;
            p = end;
        }
        ZydisDecodedInstruction in;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, buf, n, &in, ops)) || in.length != n)
            continue;
        int keep = ext_in_scope(in.meta.isa_ext) && !state_or_far(in.mnemonic) &&
                   (!category_out(in.meta.category) || named_in_issue(in.mnemonic)) &&
                   in.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR;
        for (unsigned i = 0; keep && i < in.operand_count; i++) {
            if (ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
                continue;
            ZydisRegisterClass rc = ZydisRegisterGetClass(ops[i].reg.value);
            /* Segment registers: only in the general-purpose data moves mov/push/pop (SDM
             * vol. 1, 5.1.1) and lfs/lgs/lss (5.1.12), and not a load of cs, which is #UD
             * (SDM vol. 2, MOV). */
            ZydisMnemonic mn = in.mnemonic;
            int sreg_move =
                rc == ZYDIS_REGCLASS_SEGMENT &&
                (mn == ZYDIS_MNEMONIC_PUSH || mn == ZYDIS_MNEMONIC_POP ||
                 mn == ZYDIS_MNEMONIC_LFS || mn == ZYDIS_MNEMONIC_LGS || mn == ZYDIS_MNEMONIC_LSS ||
                 (mn == ZYDIS_MNEMONIC_MOV && !(i == 0 && ops[i].reg.value == ZYDIS_REGISTER_CS)));
            if (rc == ZYDIS_REGCLASS_MMX || (rc == ZYDIS_REGCLASS_SEGMENT && !sreg_move) ||
                rc == ZYDIS_REGCLASS_CONTROL || rc == ZYDIS_REGCLASS_DEBUG)
                keep = 0;
        }
        for (unsigned i = 0; keep && i < in.operand_count; i++)
            if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && in.address_width == 32)
                keep = 0;
        if (!keep)
            continue;
        line[strcspn(line, "\n")] = 0;
        seen++;
        if (seen <= freq_n)
            reservoir[seen - 1] = strdup(line);
        else {
            unsigned long long j = rnd() % seen;
            if (j < freq_n) {
                free(reservoir[j]);
                reservoir[j] = strdup(line);
            }
        }
        char key[256];
        shape_of(text_of(line), key, sizeof key);
        struct shape *sh = shape_slot(key);
        if (sh->items == NULL)
            sh->items = calloc(cap ? cap : 1, sizeof *sh->items);
        int dup = 0;
        for (unsigned k = 0; k < sh->n && !dup; k++)
            dup = !strcmp(text_of(sh->items[k]), text_of(line));
        if (dup)
            continue;
        sh->distinct++;
        if (sh->n < cap)
            sh->items[sh->n++] = strdup(line);
        else {
            unsigned long long j = rnd() % sh->distinct;
            if (j < cap) {
                free(sh->items[j]);
                sh->items[j] = strdup(line);
            }
        }
    }
    printf("# in-scope instructions seen: %llu; shapes: %u\n", seen, nshapes);
    for (unsigned long i = 0; i < freq_n && i < seen; i++)
        printf("freq\t%s\n", reservoir[i]);
    struct shape **all = calloc(nshapes ? nshapes : 1, sizeof *all);
    unsigned m = 0;
    for (unsigned i = 0; i < TABLE_SIZE; i++)
        if (table[i].key)
            all[m++] = &table[i];
    qsort(all, m, sizeof *all, by_key);
    for (unsigned i = 0; i < m; i++)
        for (unsigned k = 0; k < all[i]->n; k++)
            printf("%s\t%s\n", breadth_name, all[i]->items[k]);
    return 0;
}
