/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln wast`: placeholder until its layer provides it. */
#include "cli.h"

#include <stdio.h>

int kiln_cmd_wast(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kiln wast: error: not built yet\n");
    return 2;
}
