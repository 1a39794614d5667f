/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a whole module file, shared by the subcommands that take FILE.wasm. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *cli_read_file(const char *path, size_t *out_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, size = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        errno = ENOMEM;
    while (buf) {
        size_t got = fread(buf + size, 1, cap - size, f);
        size += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                fclose(f);
                errno = e;
                return NULL;
            }
            break;
        }
        if (size == cap) {
            uint8_t *grown = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        *out_size = size;
    return buf;
}
