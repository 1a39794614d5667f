/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzer: any module the frontend accepts must compile, in both configurations, without a
 * crash, a leak or an error other than a resource limit. Inputs that do not decode are fine. */
#include "cg/compile.h"

#include <stdint.h>
#include <stdlib.h>
#include <wdec/module.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wdec_options opt = {.defer_bodies = true};
    struct wdec_module *m = NULL;
    if (wdec_module_decode(data, size, &opt, NULL, NULL, &m, NULL) != WDEC_OK)
        return 0;
    for (int mode = 0; mode < 2; mode++) {
        struct cg_options o = {mode == 1, NULL};
        struct cg_code code;
        struct cg_error err;
        cg_status s = cg_compile_module(m, &o, &code, &err);
        /* Bodies were not validated by the deferred decode: CG_ERR_DECODE is a valid answer. */
        if (s != CG_OK && s != CG_ERR_DECODE && s != CG_ERR_LIMIT && s != CG_ERR_OUT_OF_MEMORY)
            abort();
        if (s == CG_OK && code.num_funcs != m->func_count - m->func_import_count)
            abort();
        cg_code_free(&code);
    }
    wdec_module_free(m);
    return 0;
}
