/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the `kiln` command line. Each gets argv starting at its own name and returns
 * the process exit status: 0 success, 1 the input was refused (or the program trapped),
 * 2 a usage error. */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#include <stddef.h>
#include <stdint.h>

int kiln_cmd_run(int argc, char **argv);
int kiln_cmd_compile(int argc, char **argv);
int kiln_cmd_validate(int argc, char **argv);
int kiln_cmd_wast(int argc, char **argv);
int kiln_cmd_asm(int argc, char **argv);

/* Reads the whole file at `path` into memory the caller gives back with cli_free_file() and
 * stores its size in `*out_size`; NULL with errno set when the file cannot be opened or read. */
uint8_t *cli_read_file(const char *path, size_t *out_size);
void cli_free_file(uint8_t *bytes);

#endif
