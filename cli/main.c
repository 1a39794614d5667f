/* SPDX-License-Identifier: Apache-2.0 */
/* The `kiln` command line: one subcommand per file (cmd_*.c), dispatched from here. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", kiln_cmd_run,
     "run FILE.wasm, or call one export: run [--invoke NAME] FILE.wasm [ARGS...]"},
    {"compile", kiln_cmd_compile, "compile every function: compile FILE.wasm [--print-code]"},
    {"validate", kiln_cmd_validate, "decode and validate: validate FILE.wasm"},
    {"wast", kiln_cmd_wast, "run spec scripts: wast [--enable-FEATURE] FILE.wast|FILE.json ..."},
    {"asm", kiln_cmd_asm, "assemble Intel-syntax lines from stdin to hex bytes"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: kiln COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n`kiln COMMAND --help` describes one command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kiln: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
