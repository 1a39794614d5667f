/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln compile FILE.wasm [--print-code] [--spill-all]`: decode, validate and compile every
 * function, then print the figures (functions, wasm bytes, machine-code bytes, time, MB/s), and
 * with --print-code each function's machine code grouped by the wasm offset of the instruction
 * it came from. Drives the frontend and compiler directly: the listing hook is theirs. */
#include "cg/compile.h"
#include "cli.h"
#include "wdec/module.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *to)
{
    fprintf(to, "usage: kiln compile FILE.wasm [--print-code] [--spill-all]\n"
                "\n"
                "Compiles every function and prints the number of functions, wasm bytes,\n"
                "machine-code bytes, time and throughput.\n"
                "  --print-code  print each function's machine code by wasm instruction offset\n"
                "  --spill-all   compile with every value in a stack slot (second tier)\n");
}

static double seconds_now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- Listing: record (function, wasm offset, code offset) while compiling, print after --- */

struct mark {
    uint32_t func_index;
    uint32_t code_offset;
    size_t wasm_offset;
};

/* One instruction as the assembler's formatter printed it while the compiler emitted it. */
struct insn_line {
    uint32_t func_index;
    uint32_t code_offset;
    char *text;
};

struct listing {
    struct mark *marks;
    size_t count, cap;
    struct insn_line *insns;
    size_t insn_count, insn_cap;
    bool oom;
};

static void add_mark(struct listing *l, uint32_t func_index, size_t wasm_offset,
                     uint32_t code_offset)
{
    if (l->oom)
        return;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        struct mark *grown = realloc(l->marks, cap * sizeof *grown);
        if (!grown) {
            l->oom = true;
            return;
        }
        l->marks = grown;
        l->cap = cap;
    }
    l->marks[l->count++] = (struct mark){func_index, code_offset, wasm_offset};
}

static void on_op(void *ctx, uint32_t func_index, size_t wasm_offset, uint32_t code_offset)
{
    add_mark(ctx, func_index, wasm_offset, code_offset);
}

static void on_insn(void *ctx, uint32_t func_index, uint32_t code_offset, const char *text)
{
    struct listing *l = ctx;
    if (l->oom)
        return;
    if (l->insn_count == l->insn_cap) {
        size_t cap = l->insn_cap ? l->insn_cap * 2 : 1024;
        struct insn_line *grown = realloc(l->insns, cap * sizeof *grown);
        if (!grown) {
            l->oom = true;
            return;
        }
        l->insns = grown;
        l->insn_cap = cap;
    }
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (!copy) {
        l->oom = true;
        return;
    }
    memcpy(copy, text, n);
    l->insns[l->insn_count++] = (struct insn_line){func_index, code_offset, copy};
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->insn_count; i++)
        free(l->insns[i].text);
    free(l->insns);
    free(l->marks);
}

/* Machine code as hex, 16 bytes a line: for code the formatter did not describe (trap stubs
 * and anything after the last instruction line of a range). */
static void print_bytes(const uint8_t *code, uint32_t from, uint32_t to)
{
    for (uint32_t at = from; at < to; at += 16) {
        printf("    %06x:", (unsigned)at);
        for (uint32_t k = at; k < to && k < at + 16; k++)
            printf(" %02x", code[k]);
        printf("\n");
    }
}

/* The code in [from, to) of function `index`: one line per instruction (offset, bytes, Intel
 * syntax) where the compiler reported instruction text, hex for the rest. `*cursor` walks the
 * instruction lines, which come in code order. */
static void print_range(const uint8_t *code, const struct listing *l, size_t *cursor,
                        uint32_t index, uint32_t from, uint32_t to)
{
    size_t i = *cursor;
    while (i < l->insn_count &&
           (l->insns[i].func_index < index ||
            (l->insns[i].func_index == index && l->insns[i].code_offset < from)))
        i++;
    uint32_t at = from;
    for (; i < l->insn_count && l->insns[i].func_index == index && l->insns[i].code_offset < to;
         i++) {
        uint32_t start = l->insns[i].code_offset;
        uint32_t next = to;
        if (i + 1 < l->insn_count && l->insns[i + 1].func_index == index &&
            l->insns[i + 1].code_offset < to)
            next = l->insns[i + 1].code_offset;
        if (start > at)
            print_bytes(code, at, start);
        char hex[3 * 15 + 1] = "";
        size_t h = 0;
        for (uint32_t k = start; k < next && k < start + 15; k++)
            h += (size_t)snprintf(hex + h, sizeof hex - h, "%s%02x", h ? " " : "", code[k]);
        printf("    %06x: %-30s %s\n", (unsigned)start, hex, l->insns[i].text);
        at = next;
    }
    if (at < to)
        print_bytes(code, at, to);
    *cursor = i;
}

/* Name of the wasm instruction at `offset` (its opcode byte, and the LEB128 sub-opcode after a
 * 0xFC/0xFD prefix). */
static const char *op_name_at(const struct wdec_module *wmod, size_t offset)
{
    if (offset >= wmod->size)
        return "?";
    uint32_t prefix = wmod->bytes[offset], code = prefix;
    if (prefix == 0xFC || prefix == 0xFD) {
        code = 0;
        for (size_t i = offset + 1, shift = 0; i < wmod->size && shift < 35; i++, shift += 7) {
            code |= (uint32_t)(wmod->bytes[i] & 0x7F) << shift;
            if (!(wmod->bytes[i] & 0x80))
                break;
        }
    } else {
        prefix = 0;
    }
    return wdec_opcode_name((enum wdec_opcode)((prefix << 16) | code));
}

static void print_code(const struct wdec_module *wmod, const struct cg_code *code,
                       const struct listing *l)
{
    size_t m = 0, cursor = 0;
    for (uint32_t i = 0; i < code->num_funcs; i++) {
        const struct cg_func_code *fc = &code->funcs[i];
        uint32_t index = code->num_imported_funcs + i;
        const struct wdec_name *name = wdec_module_func_name(wmod, index);
        printf("func[%u]%s%.*s: %u bytes of code at 0x%x, wasm body at 0x%zx\n", (unsigned)index,
               name ? " " : "", name ? (int)name->len : 0, name ? name->str : "",
               (unsigned)fc->code_size, (unsigned)fc->code_offset, fc->wasm_offset);
        uint32_t end = fc->code_offset + fc->code_size;
        uint32_t at = fc->code_offset;
        while (m < l->count && l->marks[m].func_index < index)
            m++;
        if (m < l->count && l->marks[m].func_index == index && l->marks[m].code_offset > at) {
            printf("  prologue:\n");
            print_range(code->bytes, l, &cursor, index, at, l->marks[m].code_offset);
        }
        for (; m < l->count && l->marks[m].func_index == index; m++) {
            uint32_t from = l->marks[m].code_offset;
            uint32_t to = m + 1 < l->count && l->marks[m + 1].func_index == index
                              ? l->marks[m + 1].code_offset
                              : end;
            if (to <= from)
                continue; /* no code of its own (folded into a later instruction) */
            printf("  wasm 0x%zx: %s\n", l->marks[m].wasm_offset,
                   op_name_at(wmod, l->marks[m].wasm_offset));
            print_range(code->bytes, l, &cursor, index, from, to);
        }
    }
}

int kiln_cmd_compile(int argc, char **argv)
{
    const char *path = NULL;
    bool print = false, spill_all = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--print-code")) {
            print = true;
        } else if (!strcmp(argv[i], "--spill-all")) {
            spill_all = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "kiln compile: error: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (path) {
            fprintf(stderr, "kiln compile: error: more than one FILE.wasm given\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "kiln compile: error: no FILE.wasm given\n");
        usage(stderr);
        return 2;
    }
    size_t size = 0;
    uint8_t *bytes = cli_read_file(path, &size);
    if (!bytes) {
        fprintf(stderr, "kiln compile: error: cannot read '%s': %s\n", path, strerror(errno));
        return 1;
    }

    int rc = 1;
    struct wdec_module *wmod = NULL;
    struct cg_code code;
    memset(&code, 0, sizeof code);
    struct listing l = {0};
    struct cg_listing hook = {.func = NULL, .op = on_op, .ctx = &l, .insn = on_insn};
    struct cg_options opts = {.spill_all = spill_all, .listing = print ? &hook : NULL};

    double start = seconds_now();
    clock_t cpu_start = clock();
    struct wdec_options wopts = {.features = 0, .defer_bodies = true};
    struct wdec_error werr = {0};
    if (wdec_module_decode(bytes, size, &wopts, NULL, NULL, &wmod, &werr) != WDEC_OK) {
        fprintf(stderr, "kiln compile: error: %s: %s (at byte %zu)\n", path, werr.message,
                werr.offset);
        goto done;
    }
    struct cg_error cerr = {0};
    cg_status cst = cg_compile_module(wmod, &opts, &code, &cerr);
    double seconds = seconds_now() - start;
    double cpu_seconds = (double)(clock() - cpu_start) / CLOCKS_PER_SEC;
    if (cst != CG_OK) {
        if (cst == CG_ERR_DECODE)
            fprintf(stderr, "kiln compile: error: %s: %s (at byte %zu)\n", path, cerr.message,
                    cerr.wasm_offset);
        else
            fprintf(stderr, "kiln compile: error: %s: %s (function %u): %s\n", path,
                    cg_status_message(cst), (unsigned)cerr.func_index, cerr.message);
        goto done;
    }
    if (print) {
        if (l.oom) {
            fprintf(stderr, "kiln compile: error: out of memory for the listing\n");
            goto done;
        }
        print_code(wmod, &code, &l);
    }
    double ms = seconds * 1e3;
    printf("functions: %u\n", (unsigned)code.num_funcs);
    printf("wasm bytes: %zu (function bodies: %zu)\n", size, code.wasm_code_bytes);
    printf("machine code bytes: %zu (%.2f per wasm body byte)\n", code.size,
           code.wasm_code_bytes ? (double)code.size / (double)code.wasm_code_bytes : 0.0);
    printf("time: %.3f ms\n", ms);
    /* Process CPU time of the same region: wall time lies on a loaded machine. */
    printf("cpu time: %.3f ms\n", cpu_seconds * 1e3);
    printf("throughput: %.1f MB/s\n", seconds > 0 ? (double)size / seconds / 1e6 : 0.0);
    rc = 0;

done:
    listing_free(&l);
    cg_code_free(&code);
    wdec_module_free(wmod);
    cli_free_file(bytes);
    return rc;
}
