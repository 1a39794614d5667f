/* SPDX-License-Identifier: Apache-2.0 */
/* Entry point: hands the code generator's visitor to the frontend for every defined function,
 * then adds import thunks, entry trampolines and trap stubs, and returns one blob + metadata. */
#include "cg/compile.h"

#include "cg_internal.h"
#include "visitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

wdec_status cg_fail(struct cg_ctx *c, cg_status s, const char *msg)
{
    if (c->err->status == CG_OK) {
        c->err->status = s;
        c->err->func_index = c->func_index;
        snprintf(c->err->message, sizeof c->err->message, "%s", msg ? msg : cg_status_message(s));
    }
    return WDEC_ERR_CLIENT;
}

static double now_seconds(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t label_off(const struct x64_buf *b, struct x64_label l)
{
    size_t off = 0;
    x64_label_offset(b, l, &off);
    return (uint32_t)off;
}

static int site_cmp(const void *a, const void *b)
{
    const struct cg_trap_site *x = a, *y = b;
    return (x->code_offset > y->code_offset) - (x->code_offset < y->code_offset);
}

cg_status cg_compile_module(const struct wdec_module *module, const struct cg_options *options,
                            struct cg_code *out, struct cg_error *err)
{
    struct cg_error local_err;
    if (!err)
        err = &local_err;
    memset(err, 0, sizeof *err);
    err->func_index = UINT32_MAX;
    if (!module || !out) {
        err->status = CG_ERR_INVALID_ARGUMENT;
        snprintf(err->message, sizeof err->message, "module and out must not be NULL");
        return err->status;
    }
    memset(out, 0, sizeof *out);
    double t0 = now_seconds();
    struct cg_options defaults = {0};
    if (!options)
        options = &defaults;

    struct x64_buf buf;
    struct cg_ctx c;
    memset(&c, 0, sizeof c);
    c.mod = module;
    c.spill_all = options->spill_all;
    c.listing = options->listing;
    c.b = &buf;
    c.err = err;
    c.func_index = UINT32_MAX;

    size_t body_bytes = 0;
    for (uint32_t i = module->func_import_count; i < module->func_count; i++)
        body_bytes += module->funcs[i].body_size;
    struct x64_label *end_labels = NULL;
    uint32_t *entry_offsets = NULL, *thunk_offsets = NULL;
    struct x64_label *type_labels = NULL;
    struct cg_func_code *funcs = NULL;
    if (x64_buf_init(&buf, body_bytes * 6 + 4096) != X64_OK) {
        cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory (code buffer)");
        goto fail;
    }
    uint32_t nfuncs = module->func_count, nimports = module->func_import_count;
    uint32_t ndefined = nfuncs - nimports;
    c.func_labels = calloc(nfuncs + 1, sizeof *c.func_labels);
    end_labels = calloc(ndefined + 1, sizeof *end_labels);
    type_labels = calloc(module->type_count + 1, sizeof *type_labels);
    entry_offsets = calloc(module->type_count + 1, sizeof *entry_offsets);
    thunk_offsets = calloc(nimports + 1, sizeof *thunk_offsets);
    funcs = calloc(ndefined + 1, sizeof *funcs);
    if (!c.func_labels || !end_labels || !type_labels || !entry_offsets || !thunk_offsets ||
        !funcs || !cg_stack_reserve(&c, 256)) {
        cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < nfuncs; i++)
        c.func_labels[i] = x64_label_new(&buf);
    for (unsigned k = 0; k < CG_TRAP_COUNT_; k++)
        c.trap_labels[k] = x64_label_new(&buf);

    struct wdec_visitor visitor;
    cg_visitor_init(&visitor, options->listing && options->listing->op);
    for (uint32_t i = nimports; i < nfuncs; i++) {
        struct wdec_error werr;
        memset(&werr, 0, sizeof werr);
        c.func_index = i;
        x64_align(&buf, 16);
        wdec_status s = wdec_func_decode(module, i, &visitor, &c, &werr);
        if (s != WDEC_OK) {
            if (err->status == CG_OK) {
                err->status = s == WDEC_ERR_OUT_OF_MEMORY ? CG_ERR_OUT_OF_MEMORY : CG_ERR_DECODE;
                err->func_index = i;
                err->wasm_offset = werr.offset;
                snprintf(err->message, sizeof err->message, "%s", werr.message);
            }
            goto fail;
        }
        if (err->status != CG_OK)
            goto fail;
        end_labels[i - nimports] = x64_label_new(&buf);
        x64_label_bind(&buf, end_labels[i - nimports]);
    }
    c.func_index = UINT32_MAX;
    for (uint32_t i = 0; i < nimports; i++) {
        x64_align(&buf, 16);
        x64_label_bind(&buf, c.func_labels[i]);
        cg_emit_import_thunk(&c, i);
    }
    for (uint32_t t = 0; t < module->type_count; t++) {
        x64_align(&buf, 16);
        type_labels[t] = x64_label_new(&buf);
        x64_label_bind(&buf, type_labels[t]);
        cg_emit_entry_trampoline(&c, &module->types[t]);
    }
    cg_emit_trap_stubs(&c);
    if (x64_buf_finish(&buf) != X64_OK) {
        cg_fail(&c, CG_ERR_ASSEMBLER, x64_buf_error(&buf));
        goto fail;
    }
    size_t nrelocs = 0;
    x64_buf_relocs(&buf, &nrelocs);
    if (nrelocs != 0) {
        cg_fail(&c, CG_ERR_ASSEMBLER, "code blob is not position independent");
        goto fail;
    }

    out->bytes = malloc(buf.len ? buf.len : 1);
    if (!out->bytes) {
        cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory (code copy)");
        goto fail;
    }
    memcpy(out->bytes, buf.data, buf.len);
    out->size = buf.len;
    out->num_imported_funcs = nimports;
    out->num_funcs = ndefined;
    for (uint32_t i = 0; i < ndefined; i++) {
        uint32_t start = label_off(&buf, c.func_labels[nimports + i]);
        funcs[i].code_offset = start;
        funcs[i].code_size = label_off(&buf, end_labels[i]) - start;
        funcs[i].wasm_offset = module->funcs[nimports + i].body_offset;
        funcs[i].wasm_size = (uint32_t)module->funcs[nimports + i].body_size;
    }
    out->funcs = funcs;
    out->num_types = module->type_count;
    for (uint32_t t = 0; t < module->type_count; t++)
        entry_offsets[t] = label_off(&buf, type_labels[t]);
    out->entry_offsets = entry_offsets;
    for (uint32_t i = 0; i < nimports; i++)
        thunk_offsets[i] = label_off(&buf, c.func_labels[i]);
    out->import_thunk_offsets = thunk_offsets;
    qsort(c.sites, c.nsites, sizeof *c.sites, site_cmp);
    out->trap_sites = c.sites;
    out->num_trap_sites = c.nsites;
    c.sites = NULL;
    out->wasm_code_bytes = body_bytes;

    x64_buf_free(&buf);
    free(c.func_labels);
    free(end_labels);
    free(type_labels);
    free(c.stack);
    free(c.ctrl);
    out->compile_seconds = now_seconds() - t0;
    return CG_OK;

fail:
    x64_buf_free(&buf);
    free(c.func_labels);
    free(end_labels);
    free(type_labels);
    free(entry_offsets);
    free(thunk_offsets);
    free(funcs);
    free(c.stack);
    free(c.ctrl);
    free(c.sites);
    free(out->bytes);
    memset(out, 0, sizeof *out);
    return err->status != CG_OK ? err->status : CG_ERR_ASSEMBLER;
}

void cg_code_free(struct cg_code *code)
{
    if (!code)
        return;
    free(code->bytes);
    free(code->funcs);
    free(code->entry_offsets);
    free(code->import_thunk_offsets);
    free(code->trap_sites);
    memset(code, 0, sizeof *code);
}
