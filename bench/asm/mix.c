/* SPDX-License-Identifier: Apache-2.0 */
/* Operand picks for the bench/asm mix: a fixed xorshift seed, so every backend and every run
 * sees the same registers, immediates and displacements. */
#include "mix.h"

static uint32_t next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static uint8_t gp_not(uint32_t *s, unsigned avoid1, unsigned avoid2)
{
    for (;;) {
        unsigned r = next(s) & 15u;
        if (r != avoid1 && r != avoid2)
            return (uint8_t)r;
    }
}

static int32_t wide(uint32_t *s)
{
    for (;;) {
        int32_t v = (int32_t)next(s) >> (next(s) & 15u);
        if (v < -128 || v > 127)
            return v;
    }
}

void mix_make_picks(struct mix_pick *picks)
{
    uint32_t s = 0x9e3779b9u;
    for (size_t i = 0; i < MIX_PICKS; i++) {
        struct mix_pick *p = &picks[i];
        p->a = gp_not(&s, 4, 4);
        p->b = gp_not(&s, 4, 4);
        p->c = gp_not(&s, 4, 0);
        p->d = gp_not(&s, 4, 4);
        p->base = (uint8_t)(next(&s) & 15u);
        p->base5 = (uint8_t)(next(&s) & 15u);
        p->index = gp_not(&s, 4, 4);
        p->xa = (uint8_t)(next(&s) & 15u);
        p->xb = (uint8_t)(next(&s) & 15u);
        p->xc = (uint8_t)(next(&s) & 15u);
        p->sh = (uint8_t)(2u + next(&s) % 30u);
        p->imm8 = (int8_t)(next(&s) & 0xffu);
        p->disp8 = (i % 4 == 0) ? 0 : (int8_t)(next(&s) & 0xffu);
        p->imm32 = wide(&s);
        p->disp32 = wide(&s);
    }
}
