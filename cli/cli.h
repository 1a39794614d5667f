/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the `kiln` command line. Each gets argv starting at its own name and returns
 * the process exit status: 0 success, 1 the input was refused (or the program trapped),
 * 2 a usage error. */
#ifndef KILN_CLI_H
#define KILN_CLI_H

int kiln_cmd_run(int argc, char **argv);
int kiln_cmd_compile(int argc, char **argv);
int kiln_cmd_validate(int argc, char **argv);
int kiln_cmd_wast(int argc, char **argv);
int kiln_cmd_asm(int argc, char **argv);

#endif
