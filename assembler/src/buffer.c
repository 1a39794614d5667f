/* SPDX-License-Identifier: Apache-2.0 */
/* Bytes and the sticky status: growth, raw data, the single error entry point, the listing
 * hook. Labels, the constant pool and the finishing pass live in labels.c. */
#include "x64/buffer.h"

#include "buf_priv.h"
#include "x64/encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest instruction is 15 bytes; the inline emitters need this much room at `len`. */
#define SLACK       16u
#define DEFAULT_CAP 16384u /* a typical JIT function fits without regrowing */
/* rel32 displacements must reach across the whole buffer. */
#define MAX_CODE ((size_t)1 << 30)

static const char *const status_text[] = {
#define X64_STATUS_TEXT_(name, msg) msg,
    X64_STATUS_LIST(X64_STATUS_TEXT_)
#undef X64_STATUS_TEXT_
};

const char *x64_status_str(enum x64_status s)
{
    if ((unsigned)s >= X64_STATUS_COUNT)
        return "unknown status";
    return status_text[s];
}

bool x64__grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

enum x64_status x64_buf_init(struct x64_buf *b, size_t initial_cap)
{
    if (b == NULL)
        return X64_ERR_INVALID_ARGUMENT;
    memset(b, 0, sizeof *b);
    size_t cap = initial_cap < DEFAULT_CAP ? DEFAULT_CAP : initial_cap;
    b->priv = calloc(1, sizeof *b->priv);
    b->data = malloc(cap);
    if (b->priv == NULL || b->data == NULL) {
        free(b->data);
        free(b->priv);
        b->data = NULL;
        b->priv = NULL;
        b->status = X64_ERR_NO_MEMORY;
        return b->status;
    }
    b->cap = cap;
    b->limit = cap - SLACK;
    b->status = X64_OK;
    /* Label id 0 is the "no label" value returned on error. */
    if (!x64__grow_array((void **)&b->priv->lb.labels, &b->priv->lb.cap_labels, 64,
                         sizeof(size_t))) {
        x64_buf_free(b);
        b->status = X64_ERR_NO_MEMORY;
        return b->status;
    }
    /* Room for the first jumps, so that the inline jump path needs no growth check call. */
    if (!x64__grow_array((void **)&b->priv->lb.fx, &b->priv->lb.cap_fx, 64,
                         sizeof *b->priv->lb.fx)) {
        x64_buf_free(b);
        b->status = X64_ERR_NO_MEMORY;
        return b->status;
    }
    b->priv->lb.labels[0] = X64__UNBOUND;
    b->priv->lb.nlabels = 1;
    return X64_OK;
}

void x64_buf_free(struct x64_buf *b)
{
    if (b == NULL)
        return;
    if (b->priv != NULL) {
        free(b->priv->lb.labels);
        free(b->priv->lb.fx);
        free(b->priv->al);
        free(b->priv->pool);
        free(b->priv->pe);
        free(b->priv->relocs);
        free(b->priv->listed);
        free(b->priv);
    }
    free(b->data);
    memset(b, 0, sizeof *b);
}

enum x64_status x64_buf_fail(struct x64_buf *b, enum x64_status s, const char *fmt, ...)
{
    if (b == NULL)
        return s;
    if (b->status != X64_OK || s == X64_OK)
        return b->status;
    b->status = s;
    b->limit = 0;
    if (b->priv != NULL) {
        char *msg = b->priv->error;
        size_t cap = sizeof b->priv->error;
        if (fmt != NULL) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(msg, cap, fmt, ap);
            va_end(ap);
        } else {
            snprintf(msg, cap, "%s", x64_status_str(s));
        }
    }
    return s;
}

const char *x64_buf_error(const struct x64_buf *b)
{
    if (b == NULL)
        return "invalid argument";
    if (b->status == X64_OK)
        return "";
    if (b->priv == NULL || b->priv->error[0] == '\0')
        return x64_status_str(b->status);
    return b->priv->error;
}

static bool grow_to(struct x64_buf *b, size_t need)
{
    if (need > MAX_CODE) {
        x64_buf_fail(b, X64_ERR_TOO_LARGE, "code larger than %zu bytes", (size_t)MAX_CODE);
        return false;
    }
    size_t cap = b->cap ? b->cap : DEFAULT_CAP;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL) {
        x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
        return false;
    }
    b->data = p;
    b->cap = cap;
    b->limit = cap - SLACK;
    return true;
}

uint8_t *x64__slow(struct x64_buf *b)
{
    if (b->status != X64_OK)
        return NULL;
    if (b->priv == NULL || b->data == NULL) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "buffer not initialised");
        return NULL;
    }
    if (b->priv->finished) {
        x64_buf_fail(b, X64_ERR_FINISHED, "emit after x64_buf_finish()");
        return NULL;
    }
    if (b->len >= b->limit && !grow_to(b, b->len + 2 * SLACK))
        return NULL;
    return b->data + b->len;
}

bool x64_buf_reserve(struct x64_buf *b, size_t n)
{
    if (b == NULL || x64__slow(b) == NULL)
        return false;
    if (b->cap - b->len < n + SLACK)
        return grow_to(b, b->len + n + SLACK);
    return true;
}

void x64_bytes(struct x64_buf *b, const void *data, size_t n)
{
    if (n == 0 || !x64_buf_reserve(b, n))
        return;
    if (data == NULL) {
        x64_buf_fail(b, X64_ERR_INVALID_ARGUMENT, "x64_bytes: NULL data");
        return;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void x64_data8(struct x64_buf *b, uint8_t v)
{
    x64_bytes(b, &v, 1);
}

void x64_data16(struct x64_buf *b, uint16_t v)
{
    uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    x64_bytes(b, t, 2);
}

void x64_data32(struct x64_buf *b, uint32_t v)
{
    uint8_t t[4];
    for (unsigned i = 0; i < 4; i++)
        t[i] = (uint8_t)(v >> (8 * i));
    x64_bytes(b, t, 4);
}

void x64_data64(struct x64_buf *b, uint64_t v)
{
    uint8_t t[8];
    for (unsigned i = 0; i < 8; i++)
        t[i] = (uint8_t)(v >> (8 * i));
    x64_bytes(b, t, 8);
}

void x64_buf_set_shrink_jumps(struct x64_buf *b, bool on)
{
    if (b != NULL && b->priv != NULL)
        b->priv->shrink = on;
}

bool x64_buf_is_finished(const struct x64_buf *b)
{
    return b != NULL && b->priv != NULL && b->priv->finished && b->status == X64_OK;
}

void x64_buf_set_listing(struct x64_buf *b, x64_listing_fn fn, void *ctx)
{
    if (b == NULL)
        return;
    b->listing = fn;
    b->listing_ctx = ctx;
}

void x64__listing(struct x64_buf *b, enum x64_form form, const struct x64_operand *ops,
                  unsigned nops, size_t start)
{
    if (b->listing == NULL || b->status != X64_OK || b->len <= start)
        return;
    struct x64_buf_priv *pv = b->priv;
    if (pv != NULL && pv->shrink && !pv->finished) {
        /* Shrinking moves code: x64_buf_finish() reports it with the final offsets. */
        if (!x64__grow_array((void **)&pv->listed, &pv->cap_listed, pv->nlisted + 1,
                             sizeof *pv->listed)) {
            x64_buf_fail(b, X64_ERR_NO_MEMORY, NULL);
            return;
        }
        struct x64_listed *e = &pv->listed[pv->nlisted++];
        e->form = form;
        e->nops = nops < 4 ? nops : 4;
        e->start = start;
        e->end = b->len;
        if (e->nops > 0)
            memcpy(e->ops, ops, e->nops * sizeof *ops);
        return;
    }
    b->listing(b->listing_ctx, b, form, ops, nops, start, b->len);
}

/* --- NOPs --- */

/* Recommended multi-byte NOPs (SDM vol. 2B, NOP; 10 and 11 bytes as GNU as pads). */
static const uint8_t nop_table[11][11] = {
    {0x90},
    {0x66, 0x90},
    {0x0F, 0x1F, 0x00},
    {0x0F, 0x1F, 0x40, 0x00},
    {0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
    {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
};

void x64__nop_bytes(uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n > 11 ? 11 : n;
        memcpy(p, nop_table[k - 1], k);
        p += k;
        n -= k;
    }
}

void x64_nop_n(struct x64_buf *b, size_t n)
{
    if (n == 0 || !x64_buf_reserve(b, n))
        return;
    x64__nop_bytes(b->data + b->len, n);
    b->len += n;
}
