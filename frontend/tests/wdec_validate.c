/* SPDX-License-Identifier: Apache-2.0 */
/* Test driver for the spec check: validates each file named on stdin (one path a line) with the
 * frontend alone and prints `PATH<TAB>ok` or `PATH<TAB>OFFSET<TAB>MESSAGE`, so thousands of
 * modules are judged by one process without linking the other layers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>

static unsigned char *slurp(const char *path, size_t *out_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out_size = n > 0 ? (size_t)n : 0;
    return buf;
}

int main(void)
{
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        size_t size;
        unsigned char *bytes = slurp(line, &size);
        if (!bytes) {
            printf("%s\t0\tcannot read file\n", line);
            continue;
        }
        struct wdec_module *m = NULL;
        struct wdec_error err;
        struct wdec_options opt = {.features = WDEC_FEATURES_WASM2};
        wdec_status st = wdec_module_decode(bytes, size, &opt, NULL, NULL, &m, &err);
        if (st == WDEC_OK)
            printf("%s\tok\n", line);
        else
            printf("%s\t%zu\t%s\n", line, err.offset, err.message);
        wdec_module_free(m);
        free(bytes);
        fflush(stdout);
    }
    return 0;
}
