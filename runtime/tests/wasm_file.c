/* SPDX-License-Identifier: Apache-2.0 */
#include "wasm_file.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define WASM_DIR KILN_BINARY_DIR "/runtime/tests/wasm/"

uint8_t *rt_test_read_wasm(const char *name, size_t *out_size)
{
    char path[512];
    snprintf(path, sizeof path, WASM_DIR "%s.wasm", name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_geq(n, 0, "cannot size %s", path);
    uint8_t *bytes = malloc((size_t)n + 1);
    cr_assert(bytes);
    cr_assert_eq(fread(bytes, 1, (size_t)n, f), (size_t)n, "cannot read %s", path);
    fclose(f);
    *out_size = (size_t)n;
    return bytes;
}

kiln_module *rt_test_load_module(kiln_engine *engine, const char *name)
{
    size_t size;
    uint8_t *bytes = rt_test_read_wasm(name, &size);
    kiln_module *m = NULL;
    struct kiln_error err;
    kiln_status st = kiln_module_new(engine, bytes, size, &m, &err);
    free(bytes); /* the module keeps its own copy */
    cr_assert_eq(st, KILN_OK, "%s: %s", name, err.message);
    return m;
}
