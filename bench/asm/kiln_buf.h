/* SPDX-License-Identifier: Apache-2.0 */
/* Buffer setup and teardown shared by bench/asm's kiln backends (typed, cursor, generic): one
 * buffer per emit call, finished at the end, its bytes copied out when they fit. */
#ifndef BENCH_ASM_KILN_BUF_H
#define BENCH_ASM_KILN_BUF_H

#include "x64/x64.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Initialises `b`; on failure says why (prefixed by the backend's `name`) and returns false. */
static inline bool kiln_buf_open(struct x64_buf *b, const char *name)
{
    if (x64_buf_init(b, 0) == X64_OK)
        return true;
    fprintf(stderr, "%s: %s\n", name, x64_buf_error(b));
    x64_buf_free(b);
    return false;
}

/* Finishes `b`, copies its code to `out` (NULL: size only) when it fits in `cap`, frees `b`.
 * Returns the code size, 0 on an error (reported) or when the code does not fit. */
static inline size_t kiln_buf_close(struct x64_buf *b, const char *name, uint8_t *out, size_t cap)
{
    size_t size = 0;
    if (x64_buf_finish(b) != X64_OK) {
        fprintf(stderr, "%s: %s\n", name, x64_buf_error(b));
    } else if (out == NULL || b->len <= cap) {
        size = b->len;
        if (out != NULL)
            memcpy(out, b->data, b->len);
    }
    x64_buf_free(b);
    return size;
}

#endif /* BENCH_ASM_KILN_BUF_H */
