/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln asm`: placeholder until its layer provides it. */
#include "cli.h"

#include <stdio.h>

int kiln_cmd_asm(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln asm: error: not built yet\n");
    return 2;
}
