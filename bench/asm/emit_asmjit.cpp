// SPDX-License-Identifier: Apache-2.0
// The bench/asm mix through AsmJit's x86::Assembler (libasmjit-dev), the reference peer: one
// CodeHolder per call, labels created per block, as a JIT would use it.
#include "mix.h"

#include <asmjit/x86.h>
#include <cstdio>
#include <cstring>

using namespace asmjit;

namespace
{

class ErrorPrinter : public ErrorHandler
{
  public:
    bool failed = false;
    void handleError(Error err, const char *message, BaseEmitter *) override
    {
        (void)err;
        failed = true;
        std::fprintf(stderr, "asmjit: %s\n", message);
    }
};

} // namespace

extern "C" size_t mix_emit_asmjit(const struct mix_pick *picks, size_t nblocks, uint8_t *out,
                                  size_t cap)
{
    ErrorPrinter eh;
    CodeHolder code;
    code.init(Environment(Arch::kX64));
    code.setErrorHandler(&eh);
    x86::Assembler a(&code);
    Label fn = a.newLabel();
    a.bind(fn);
    for (size_t i = 0; i < nblocks; i++) {
        const struct mix_pick &p = picks[i % MIX_PICKS];
        x86::Gp a64 = x86::gpq(p.a), b64 = x86::gpq(p.b), c64 = x86::gpq(p.c), d64 = x86::gpq(p.d);
        x86::Gp a32 = x86::gpd(p.a), b32 = x86::gpd(p.b), c32 = x86::gpd(p.c), d32 = x86::gpd(p.d);
        x86::Gp c8 = x86::gpb(p.c);
        x86::Gp base = x86::gpq(p.base), base5 = x86::gpq(p.base5), index = x86::gpq(p.index);
        x86::Xmm xa = x86::xmm(p.xa), xb = x86::xmm(p.xb), xc = x86::xmm(p.xc);
        Label top = a.newLabel(), fwd = a.newLabel();
        a.bind(top);
        a.mov(a64, b64);
        a.mov(c32, p.imm32);
        a.add(a64, c64);
        a.sub(b32, p.imm8);
        a.and_(c32, p.imm32);
        a.xor_(a32, d32);
        a.cmp(b64, d64);
        a.mov(d32, x86::dword_ptr(base, index, 2, p.disp32));
        a.mov(x86::qword_ptr(base, p.disp32), a64);
        a.movzx(c32, x86::byte_ptr(base, index, 0, p.disp8));
        a.lea(a64, x86::ptr(base, index, 3, p.disp8));
        a.imul(b32, c32);
        a.imul(d64, a64, p.imm32);
        a.shl(c32, p.sh);
        a.sar(a64, x86::cl);
        a.cmp(a32, b32);
        a.setl(c8);
        a.lea(d64, x86::ptr(base5, p.disp8));
        a.movzx(c32, c8);
        a.test(d32, d32);
        a.jz(fwd);
        a.push(a64);
        a.pop(b64);
        a.call(fn);
        a.movsd(xa, x86::qword_ptr(base, p.disp32));
        a.addsd(xa, xb);
        a.mulsd(xb, xc);
        a.cvtsi2sd(xc, a32);
        a.ucomisd(xa, xb);
        a.movsd(x86::qword_ptr(base5, p.disp8), xc);
        a.cvttsd2si(b64, xa);
        a.movq(xa, a64);
#if MIX_AVX
        a.vaddsd(xa, xb, xc);
        a.vmulsd(xc, xa, xb);
        a.vxorps(xb, xb, xb);
#endif
        a.jne(top);
        a.jmp(fwd);
        a.bind(fwd);
    }
    if (eh.failed)
        return 0;
    code.flatten();
    code.resolveUnresolvedLinks();
    const CodeBuffer &buf = code.textSection()->buffer();
    size_t size = buf.size();
    if (out) {
        if (size > cap)
            return 0;
        std::memcpy(out, buf.data(), size);
    }
    return size;
}
