/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln validate`: placeholder until its layer provides it. */
#include "cli.h"

#include <stdio.h>

int kiln_cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln validate: error: not built yet\n");
    return 2;
}
