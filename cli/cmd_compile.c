/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln compile`: placeholder until its layer provides it. */
#include "cli.h"

#include <stdio.h>

int kiln_cmd_compile(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln compile: error: not built yet\n");
    return 2;
}
