/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln run`: placeholder until its layer provides it. */
#include "cli.h"

#include <stdio.h>

int kiln_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln run: error: not built yet\n");
    return 2;
}
