// SPDX-License-Identifier: Apache-2.0
// The bench/asm mix through Xbyak (libxbyak-dev): one CodeGenerator over a caller-owned buffer
// (no mprotect per run), reset per call, labels per block.
#include "mix.h"

#include <cstdio>
#include <cstring>
#include <vector>
#include <xbyak/xbyak.h>

namespace
{

struct MixGen : Xbyak::CodeGenerator {
    MixGen(size_t size, void *mem) : Xbyak::CodeGenerator(size, mem)
    {
    }

    void emit(const struct mix_pick *picks, size_t nblocks)
    {
        using namespace Xbyak;
        Label fn;
        L(fn);
        for (size_t i = 0; i < nblocks; i++) {
            const struct mix_pick &p = picks[i % MIX_PICKS];
            Reg64 a64(p.a), b64(p.b), c64(p.c), d64(p.d);
            Reg32 a32(p.a), b32(p.b), c32(p.c), d32(p.d);
            Reg8 c8 = c32.cvt8();
            Reg64 base(p.base), base5(p.base5), index(p.index);
            Xmm xa(p.xa), xb(p.xb), xc(p.xc);
            Label top, fwd;
            L(top);
            mov(a64, b64);
            mov(c32, p.imm32);
            add(a64, c64);
            sub(b32, p.imm8);
            and_(c32, p.imm32);
            xor_(a32, d32);
            cmp(b64, d64);
            mov(d32, dword[base + index * 4 + p.disp32]);
            mov(qword[base + p.disp32], a64);
            movzx(c32, byte[base + index + p.disp8]);
            lea(a64, ptr[base + index * 8 + p.disp8]);
            imul(b32, c32);
            imul(d64, a64, p.imm32);
            shl(c32, p.sh);
            sar(a64, cl);
            cmp(a32, b32);
            setl(c8);
            lea(d64, ptr[base5 + p.disp8]);
            movzx(c32, c8);
            test(d32, d32);
            jz(fwd, T_NEAR);
            push(a64);
            pop(b64);
            call(fn);
            movsd(xa, qword[base + p.disp32]);
            addsd(xa, xb);
            mulsd(xb, xc);
            cvtsi2sd(xc, a32);
            ucomisd(xa, xb);
            movsd(qword[base5 + p.disp8], xc);
            cvttsd2si(b64, xa);
            movq(xa, a64);
#if MIX_AVX
            vaddsd(xa, xb, xc);
            vmulsd(xc, xa, xb);
            vxorps(xb, xb, xb);
#endif
            jne(top);
            jmp(fwd, T_NEAR);
            L(fwd);
        }
    }
};

std::vector<uint8_t> g_mem;

} // namespace

extern "C" size_t mix_emit_xbyak(const struct mix_pick *picks, size_t nblocks, uint8_t *out,
                                 size_t cap)
{
    size_t need = 64 + nblocks * 256; /* the longest block is well under 256 bytes */
    if (g_mem.size() < need)
        g_mem.resize(need);
    try {
        MixGen g(need, g_mem.data());
        g.emit(picks, nblocks);
        g.ready();
        size_t size = g.getSize();
        if (out) {
            if (size > cap)
                return 0;
            std::memcpy(out, g.getCode(), size);
        }
        return size;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "xbyak: %s\n", e.what());
        return 0;
    }
}
