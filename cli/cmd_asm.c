/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln asm`: assembles Intel-syntax lines (as `objdump -d -M intel` prints them) from stdin
 * through the assembler's text parser and prints each line's encoding as hex bytes, so the
 * assembler can be checked against any other tool from the shell. */
#include "cli.h"
#include "x64/buffer.h"
#include "x64/parse.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void asm_usage(FILE *to)
{
    fprintf(
        to,
        "usage: kiln asm [--address ADDR] [--keep-going | --stop] < LINES\n"
        "\n"
        "Reads one x86-64 instruction per line on stdin, in the Intel syntax that\n"
        "`objdump -d -M intel` prints (e.g. `vpaddd ymm1,ymm2,YMMWORD PTR [rax+rcx*4+0x20]`,\n"
        "`mov rax,QWORD PTR fs:0x28`, `lock cmpxchg QWORD PTR [rdi],rsi`), and prints for each\n"
        "line its encoding as lowercase hex bytes separated by spaces (`48 01 d8`), or\n"
        "`error: <why>`. Blank and comment-only lines (`#`) print an empty line.\n"
        "\n"
        "Branch targets (`jmp 0x401020`, or objdump's bare hex `jmp 401020`) are absolute:\n"
        "the first line sits at ADDR (default 0) and each line follows the previous one's\n"
        "bytes. A line may start with objdump's address column (`  401000:`), which sets\n"
        "the address of that line; a raw-bytes column after it is skipped.\n"
        "\n"
        "Exit status: 0 when every line assembled, 1 when at least one line printed an\n"
        "error (all lines are still processed), 2 on a usage error.\n"
        "  --stop        stop at the first error instead of going on.\n"
        "  --keep-going  go on after errors (the default).\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (s == NULL || *s == '\0')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == NULL || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

int kiln_cmd_asm(int argc, char **argv)
{
    bool stop = false;
    uint64_t address = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            asm_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--stop")) {
            stop = true;
        } else if (!strcmp(argv[i], "--keep-going")) {
            stop = false;
        } else if (!strcmp(argv[i], "--address") && i + 1 < argc) {
            if (!parse_u64(argv[++i], &address)) {
                fprintf(stderr, "kiln asm: error: bad address '%s'\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "kiln asm: error: unknown option '%s'\n", argv[i]);
            asm_usage(stderr);
            return 2;
        }
    }
    int status = 0;
    char *line = NULL;
    size_t cap = 0, len = 0;
    /* Lines are read by hand (getline is POSIX; the CLI sticks to C11). */
    for (;;) {
        int ch;
        len = 0;
        while ((ch = getchar()) != EOF && ch != '\n') {
            if (len + 2 > cap) {
                size_t ncap = cap ? cap * 2 : 256;
                char *p = realloc(line, ncap);
                if (p == NULL) {
                    fprintf(stderr, "kiln asm: error: out of memory\n");
                    free(line);
                    return 1;
                }
                line = p;
                cap = ncap;
            }
            line[len++] = (char)ch;
        }
        if (ch == EOF && len == 0)
            break;
        struct x64_buf b;
        if (x64_buf_init(&b, 64) != X64_OK) {
            fprintf(stderr, "kiln asm: error: out of memory\n");
            free(line);
            return 1;
        }
        enum x64_status s = x64_asm_text(&b, line, len, address);
        if (s == X64_OK) {
            for (size_t i = 0; i < b.len; i++)
                printf(i ? " %02x" : "%02x", b.data[i]);
            printf("\n");
            /* A line with an address column restarts the count there. */
            struct x64_asm_insn in;
            if (x64_asm_parse(line, len, &in, NULL, 0) == X64_OK && in.has_address)
                address = in.address;
            address += b.len;
        } else {
            printf("error: %s\n", x64_buf_error(&b));
            status = 1;
        }
        x64_buf_free(&b);
        fflush(stdout);
        if (status != 0 && stop)
            break;
        if (ch == EOF)
            break;
    }
    free(line);
    return status;
}
