/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded reads: LEB128 with every overlong and overflow case the spec suite checks, lengths and
 * UTF-8. The slow paths live here; internal.h inlines the one-byte cases. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

wdec_status wdec_fail(struct wdec_error *err, wdec_status status, size_t offset, const char *fmt,
                      ...)
{
    if (!err || err->status != WDEC_OK)
        return status;
    err->status = status;
    err->offset = offset;
    const char *text = wdec_status_text(status);
    size_t n = strlen(text);
    if (n >= sizeof err->message)
        n = sizeof err->message - 1;
    memcpy(err->message, text, n);
    err->message[n] = '\0';
    if (fmt && n + 1 < sizeof err->message) {
        err->message[n] = ' ';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message + n + 1, sizeof err->message - n - 1, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* LEB128 as the reference interpreter reads it (binary format, 5.2.2): an N-bit value takes at
 * most ceil(N/7) bytes ("integer representation too long" past that), and the unused bits of the
 * last byte must be zero, or for signed values copies of the sign bit ("integer too large"). */
static wdec_status read_leb(struct rd *r, unsigned bits, bool is_signed, uint64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    *out = 0;
    for (;;) {
        if (shift >= bits)
            return wdec_fail(r->err, WDEC_ERR_INT_TOO_LONG, rd_off(r), NULL);
        if (r->p >= r->end)
            return wdec_rd_eos(r);
        uint8_t b = *r->p++;
        unsigned left = bits - shift; /* value bits still to come */
        if (left < 7) {
            if (!is_signed) {
                if ((b & 0x7f) >= (1u << left))
                    return wdec_fail(r->err, WDEC_ERR_INT_TOO_LARGE, rd_off(r) - 1, NULL);
            } else {
                unsigned mask = (0xffu << (left - 1)) & 0x7fu;
                if ((b & mask) != 0 && (b & mask) != mask)
                    return wdec_fail(r->err, WDEC_ERR_INT_TOO_LARGE, rd_off(r) - 1, NULL);
            }
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (is_signed && shift < 64 && (b & 0x40))
                result |= ~(uint64_t)0 << shift;
            *out = result;
            return WDEC_OK;
        }
    }
}

wdec_status wdec_rd_u32_slow(struct rd *r, uint32_t *out)
{
    *out = 0;
    uint64_t v;
    WDEC_TRY(read_leb(r, 32, false, &v));
    *out = (uint32_t)v;
    return WDEC_OK;
}

wdec_status wdec_rd_s32_slow(struct rd *r, int32_t *out)
{
    *out = 0;
    uint64_t v;
    WDEC_TRY(read_leb(r, 32, true, &v));
    *out = (int32_t)(uint32_t)v;
    return WDEC_OK;
}

wdec_status wdec_rd_leb(struct rd *r, unsigned bits, bool is_signed, uint64_t *out)
{
    return read_leb(r, bits, is_signed, out);
}

wdec_status wdec_rd_s64_slow(struct rd *r, int64_t *out)
{
    *out = 0;
    uint64_t v;
    WDEC_TRY(read_leb(r, 64, true, &v));
    *out = (int64_t)v;
    return WDEC_OK;
}

/* UTF-8 as Unicode 3.9 table 3-7 has it: the second byte's range depends on the first. */
bool wdec_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint8_t lo = 0x80, hi = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            if (b == 0xe0)
                lo = 0xa0;
            else if (b == 0xed)
                hi = 0x9f; /* no surrogates */
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            if (b == 0xf0)
                lo = 0x90;
            else if (b == 0xf4)
                hi = 0x8f; /* nothing past U+10FFFF */
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += n + 1;
    }
    return true;
}
