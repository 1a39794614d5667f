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
#include <x64/code_memory.h>
#include <x64/format.h>

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

/* Listing hook: one formatted line per instruction for cg_listing.insn. */
static void listing_hook(void *ctx, const struct x64_buf *b, enum x64_form form,
                         const struct x64_operand *ops, unsigned nops, size_t start, size_t end)
{
    struct cg_ctx *c = ctx;
    char text[192];
    uint64_t at = c->func_base + start;
    x64_format_insn(form, ops, nops, b->data + start, end - start, at, 0, text, sizeof text);
    c->listing->insn(c->listing->ctx, c->func_index, (uint32_t)at, text);
}

/* The module blob: function buffers are appended here as they finish. It lives in a code
 * space (the assembler's code memory, RW until the runtime seals it RX in place), so the
 * machine code is written once, where it will run, and its pages are faulted in only once. */
struct blob {
    struct x64_code_space *space;
    size_t len;
};

static bool blob_append(struct blob *bl, const uint8_t *p, size_t n, size_t align)
{
    size_t start = (bl->len + align - 1) & ~(align - 1);
    if (start + n > bl->space->writable && x64_code_space_ensure(bl->space, start + n) != X64_OK)
        return false;
    uint8_t *data = bl->space->addr;
    /* int3 padding between functions. */
    memset(data + bl->len, 0xCC, start - bl->len);
    memcpy(data + start, p, n);
    bl->len = start + n;
    return true;
}

static size_t aligned(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

/* Finishes `b` and appends it to the blob; its code starts at blob offset `base`. */
static bool flush_buf(struct cg_ctx *c, struct x64_buf *b, struct blob *bl)
{
    if (x64_buf_finish(b) != X64_OK) {
        cg_fail(c, CG_ERR_ASSEMBLER, x64_buf_error(b));
        return false;
    }
    size_t nrelocs = 0;
    x64_buf_relocs(b, &nrelocs);
    if (nrelocs != 0) {
        cg_fail(c, CG_ERR_ASSEMBLER, "code is not position independent");
        return false;
    }
    if (!blob_append(bl, b->data, b->len, 16)) {
        cg_fail(c, CG_ERR_OUT_OF_MEMORY, "out of memory (code blob)");
        return false;
    }
    return true;
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
    memset(&buf, 0, sizeof buf);
    struct blob bl = {NULL, 0};
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
    uint32_t nfuncs = module->func_count, nimports = module->func_import_count;
    uint32_t ndefined = nfuncs - nimports;
    uint32_t *func_offsets = calloc(nfuncs + 1, sizeof *func_offsets);
    uint32_t *entry_offsets = calloc(module->type_count + 1, sizeof *entry_offsets);
    struct cg_func_code *funcs = calloc(ndefined + 1, sizeof *funcs);
    c.sites_cap = body_bytes / 8 + 64; /* about one memory access per 8 body bytes */
    c.sites = malloc(c.sites_cap * sizeof *c.sites);
    bl.space = calloc(1, sizeof *bl.space);
    /* Expect about 2 code bytes per body byte; reserve address space for 4 (more moves it). */
    size_t expect = body_bytes * 2 + 4096 + 160 * ((size_t)nimports + module->type_count);
    if (bl.space && x64_code_space_reserve(bl.space, expect * 2, expect) != X64_OK) {
        free(bl.space);
        bl.space = NULL;
    }
    if (!func_offsets || !entry_offsets || !funcs || !bl.space || !c.sites ||
        !cg_stack_reserve(&c, 256)) {
        cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory");
        goto fail;
    }

    struct wdec_visitor visitor;
    cg_visitor_init(&visitor, options->listing && options->listing->op);
    for (uint32_t i = nimports; i < nfuncs; i++) {
        const struct wdec_func *fn = &module->funcs[i];
        if (x64_buf_init(&buf, (size_t)fn->body_size * 3 + 1024) != X64_OK) {
            cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory (code buffer)");
            goto fail;
        }
        if (options->listing && options->listing->insn)
            x64_buf_set_listing(&buf, listing_hook, &c);
        c.func_index = i;
        c.func_base = aligned(bl.len, 16);
        memset(c.trap_labels, 0, sizeof c.trap_labels);
        struct wdec_error werr;
        memset(&werr, 0, sizeof werr);
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
        if (err->status != CG_OK || !flush_buf(&c, &buf, &bl))
            goto fail;
        func_offsets[i] = (uint32_t)c.func_base;
        funcs[i - nimports].code_offset = (uint32_t)c.func_base;
        funcs[i - nimports].code_size = (uint32_t)(bl.len - c.func_base);
        funcs[i - nimports].wasm_offset = fn->body_offset;
        funcs[i - nimports].wasm_size = fn->body_size;
        x64_buf_free(&buf);
    }
    c.func_index = UINT32_MAX;

    /* Import thunks and entry trampolines: one buffer, labels give their offsets. */
    if (x64_buf_init(&buf, 256 + 96 * (size_t)nimports + 160 * (size_t)module->type_count) !=
        X64_OK) {
        cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory (code buffer)");
        goto fail;
    }
    {
        struct x64_label *labels =
            calloc((size_t)nimports + module->type_count + 1, sizeof *labels);
        if (!labels) {
            cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory");
            goto fail;
        }
        for (uint32_t i = 0; i < nimports; i++) {
            x64_align(&buf, 16);
            labels[i] = x64_label_new(&buf);
            x64_label_bind(&buf, labels[i]);
            cg_emit_import_thunk(&c, i);
        }
        for (uint32_t t = 0; t < module->type_count; t++) {
            x64_align(&buf, 16);
            labels[nimports + t] = x64_label_new(&buf);
            x64_label_bind(&buf, labels[nimports + t]);
            cg_emit_entry_trampoline(&c, &module->types[t]);
        }
        size_t base = aligned(bl.len, 16);
        if (!flush_buf(&c, &buf, &bl)) {
            free(labels);
            goto fail;
        }
        for (uint32_t i = 0; i < nimports; i++)
            func_offsets[i] = (uint32_t)(base + label_off(&buf, labels[i]));
        for (uint32_t t = 0; t < module->type_count; t++)
            entry_offsets[t] = (uint32_t)(base + label_off(&buf, labels[nimports + t]));
        free(labels);
    }
    x64_buf_free(&buf);
    if (bl.len > INT32_MAX) {
        cg_fail(&c, CG_ERR_LIMIT, "code blob larger than 2 GiB");
        goto fail;
    }

    /* Direct calls: rel32 from the end of the call to the callee. */
    for (size_t k = 0; k < c.ncalls; k++) {
        const struct cg_call_fixup *f = &c.calls[k];
        int32_t rel = (int32_t)((int64_t)func_offsets[f->callee] - (int64_t)(f->pos + 4));
        memcpy(bl.space->addr + f->pos, &rel, 4);
    }

    out->bytes = bl.space->addr;
    out->space = bl.space;
    out->size = bl.len;
    out->num_imported_funcs = nimports;
    out->num_funcs = ndefined;
    out->funcs = funcs;
    out->num_types = module->type_count;
    out->entry_offsets = entry_offsets;
    if (nimports) {
        out->import_thunk_offsets = malloc(nimports * sizeof(uint32_t));
        if (!out->import_thunk_offsets) {
            out->bytes = NULL;
            cg_fail(&c, CG_ERR_OUT_OF_MEMORY, "out of memory");
            goto fail;
        }
        memcpy(out->import_thunk_offsets, func_offsets, nimports * sizeof(uint32_t));
    }
    out->trap_sites = c.sites; /* emitted in code order: already sorted */
    out->num_trap_sites = c.nsites;
    out->wasm_code_bytes = body_bytes;
    free(func_offsets);
    free(c.calls);
    free(c.stack);
    free(c.ctrl);
    free(c.lcache);
    out->compile_seconds = now_seconds() - t0;
    return CG_OK;

fail:
    x64_buf_free(&buf);
    if (bl.space)
        x64_code_space_free(bl.space);
    free(bl.space);
    free(func_offsets);
    free(entry_offsets);
    free(funcs);
    free(c.calls);
    free(c.stack);
    free(c.ctrl);
    free(c.lcache);
    free(c.sites);
    memset(out, 0, sizeof *out);
    return err->status != CG_OK ? err->status : CG_ERR_ASSEMBLER;
}

void cg_code_free(struct cg_code *code)
{
    if (!code)
        return;
    if (code->space)
        x64_code_space_free(code->space);
    free(code->space);
    free(code->funcs);
    free(code->entry_offsets);
    free(code->import_thunk_offsets);
    free(code->trap_sites);
    memset(code, 0, sizeof *code);
}
