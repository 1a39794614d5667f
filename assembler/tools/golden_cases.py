#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Builds assembler/tests/data/golden.txt: for every form of tables/x64.isa, a spread of operand
# cases written as Intel-syntax text, assembled by GNU as and read back with objdump. The bytes
# come from GNU as, never from our table; the table only says which operands to try.
"""Golden-case generator for kiln's x86-64 assembler (see tools/make_golden.sh)."""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# --- Registers -------------------------------------------------------------------------------

GPR64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
GPR32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] + \
    ["r%dd" % i for i in range(8, 16)]
GPR16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] + ["r%dw" % i for i in range(8, 16)]
GPR8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"] + ["r%db" % i for i in range(8, 16)]
HIGH8 = ["ah", "ch", "dh", "bh"]
GPR = {1: GPR8, 2: GPR16, 4: GPR32, 8: GPR64}
SIZE_PTR = {1: "byte ptr ", 2: "word ptr ", 4: "dword ptr ", 6: "fword ptr ", 8: "qword ptr ",
            10: "tbyte ptr ", 16: "xmmword ptr ", 32: "ymmword ptr ", 0: ""}
SEGS = ["es", "cs", "ss", "ds", "fs", "gs"]


def reg_name(kind, size, n):
    if kind == "gpr":
        return GPR[size][n]
    return "%s%d" % (kind, n)


# --- Operand classes -------------------------------------------------------------------------
SREGS = ["es", "cs", "ss", "ds", "fs", "gs"]

# Concrete classes of tables/x64.isa (after `a/b` alternatives are split): what one operand
# position accepts.

class Slot:
    def __init__(self, cls, size):
        self.cls = cls
        self.reg = None      # (kind, size): kind in gpr/xmm/ymm
        self.mem = None      # access size in bytes (0 = unsized)
        self.vsib = None     # (index kind, size)
        self.imm = None      # size in bytes
        self.rel = None      # size in bytes
        self.moffs = None    # access size
        self.fixed = None    # register name or "1"
        self.sreg = None     # segment register names this position takes
        self.high8 = cls == "r8"
        if cls in ("r8", "r16", "r32", "r64"):
            self.reg = ("gpr", size)
        elif cls in ("xmm", "ymm"):
            self.reg = (cls, size)
        elif cls in ("al", "ax", "eax", "rax", "cl", "dx", "xmm0", "1", "fs", "gs"):
            self.fixed = cls
        elif cls in ("sreg", "sregw"):
            self.sreg = SREGS if cls == "sreg" else [s for s in SREGS if s != "cs"]
        elif re.fullmatch(r"m\d*", cls):
            self.mem = size
        elif cls.startswith("moffs"):
            self.moffs = size
        elif cls.startswith("vm"):
            self.vsib = ("xmm" if cls.endswith("x") else "ymm", size)
        elif cls.startswith("imm"):
            self.imm = size
        elif cls.startswith("rel"):
            self.rel = size
        else:
            raise ValueError("operand class %r has no golden cases yet" % cls)


# --- Forms -----------------------------------------------------------------------------------

class Form:
    """One concrete form, as gen_tables.py names and numbers it."""

    def __init__(self, name, mnemonic, f, cc, classes):
        r = f.row
        self.name = name
        self.mnemonic = mnemonic
        self.operands = list(f.ops)
        self.slots = [Slot(c, classes[c][2]) for c in f.ops]
        self.enc = r.enc
        self.line = r.lineno
        self.legacy_rexw = r.kind == "legacy" and r.rexw
        seq = list(r.opc)
        if r.cc:
            seq[-1] += cc
        self.op = {"vex": r.kind != "legacy", "map": r.vex[0] if r.vex else 0, "seq": seq,
                   "digit": r.digit, "plusr": r.opreg, "pfx": list(r.pfx),
                   "rexw": bool(r.rexw) and r.kind == "legacy"}


def concrete_forms(G, rows):
    """(name, form, mnemonic, cc) in form-enum order; the naming rule of gen_tables.main()."""
    if hasattr(G, "concrete_forms"):
        return G.concrete_forms(G.expand(rows))
    out = []
    names = set()
    for f in G.expand(rows):
        r = f.row
        mns = G.cc_mnemonics(r.mnemonic) if r.cc else [r.mnemonic]
        for cc, mn in enumerate(mns):
            base = G.typed_name(mn, f.ops)
            name = base
            if name in names:
                name = base + "_" + r.enc.lower()
                k = 2
                while name in names:
                    name = "%s_%s%d" % (base, r.enc.lower(), k)
                    k += 1
            names.add(name)
            out.append((name, f, mn, cc if r.cc else None))
    return out


def load_forms(isa_path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen_tables as G
    rows = []
    with open(isa_path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                rows.append(G.parse_line(line, lineno))
    return [Form(n, mn, f, cc, G.CLASSES) for n, f, mn, cc in concrete_forms(G, rows)]


LEGACY_PREFIXES = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3}


def matches_form(op, code):
    """Whether bytes `code` use the opcode of the form (prefixes, REX and fields ignored).
    Only used to drop cases where GNU as picked another, equivalent encoding."""
    i = 0
    seq = op["seq"]
    if not op["vex"] and len(seq) == 1 and seq[0] in LEGACY_PREFIXES:
        return len(code) == 1 and code[0] == seq[0]  # lock / rep alone
    while i < len(code) and code[i] in LEGACY_PREFIXES:
        i += 1
    # a prefix byte the table writes as the first opcode byte (jecxz: 67 E3) is a prefix here
    lead = []
    while len(seq) > 1 and seq[0] in LEGACY_PREFIXES:
        lead.append(seq[0])
        seq = seq[1:]
    # the form's mandatory/size prefixes and REX.W are part of the form (GNU as encodes
    # `push 0x1234` as 68 id, `xchg rax, rax` as 90)
    if any(p not in code[:i] for p in op["pfx"] + lead):
        return False
    if op["rexw"] and not (i < len(code) and 0x48 <= code[i] <= 0x4F):
        return False
    if op["vex"]:
        if i + 2 >= len(code) or code[i] not in (0xC4, 0xC5):
            return False
        if code[i] == 0xC5:
            mp, i = 1, i + 2
        else:
            mp, i = code[i + 1] & 0x1F, i + 3
        if mp != op["map"] or i >= len(code) or code[i] != seq[-1]:
            return False
        i += 1
    else:
        if i < len(code) and 0x40 <= code[i] <= 0x4F:
            i += 1
        if i + len(seq) > len(code):
            return False
        for k, b in enumerate(seq):
            c = code[i + k]
            if op["plusr"] and k == len(seq) - 1:
                if c & 0xF8 != b & 0xF8:
                    return False
            elif c != b:
                return False
        i += len(seq)
    if op["digit"] is not None:
        if i >= len(code) or (code[i] >> 3) & 7 != op["digit"]:
            return False
    return True


# --- Cases -----------------------------------------------------------------------------------
# A case is a list of operand values: ("reg", name) | ("mem", size, seg, base, index, scale,
# disp) | ("imm", value) | ("rel", disp) | ("moffs", size, addr).

MEM_CORNERS = [
    # [base] for every base, mod 00/01/10: RSP/R12 need a SIB, RBP/R13 need disp8 0
    (None, "rax", None, 1, 0), (None, "rcx", None, 1, 0x12), (None, "rdx", None, 1, -0x80),
    (None, "rbx", None, 1, 0x7F), (None, "rsp", None, 1, 0), (None, "rbp", None, 1, 0),
    (None, "rsi", None, 1, 0x80), (None, "rdi", None, 1, -0x81), (None, "r8", None, 1, 0x12345678),
    (None, "r9", None, 1, -0x80000000), (None, "r10", None, 1, 0x7FFFFFFF),
    (None, "r11", None, 1, 8), (None, "r12", None, 1, 0), (None, "r13", None, 1, 0),
    (None, "r14", None, 1, 0x100), (None, "r15", None, 1, -8), (None, "rsp", None, 1, 0x40),
    (None, "r12", None, 1, 0x1000), (None, "rbp", None, 1, -0x1000), (None, "r13", None, 1, 0x10),
    # [base + index*scale + disp] with every index and every scale
    (None, "rax", "rcx", 1, 0), (None, "rcx", "rdx", 2, 0x10), (None, "rdx", "rbx", 4, -0x10),
    (None, "rbx", "rbp", 8, 0x1000), (None, "rsp", "rsi", 1, 0), (None, "rbp", "rdi", 2, 0),
    (None, "rsi", "r8", 4, 0x7F), (None, "rdi", "r9", 8, 0x80), (None, "r8", "r10", 1, -1),
    (None, "r9", "r11", 2, 0x12345678), (None, "r12", "r12", 4, 0), (None, "r13", "r13", 8, 0),
    (None, "r14", "r14", 1, 0x20), (None, "r15", "r15", 2, -0x20), (None, "r10", "rax", 4, 0),
    # [index*scale + disp32] (no base), [disp32] absolute, [rip + disp32]
    (None, None, "rax", 1, 0), (None, None, "rcx", 4, 0x100), (None, None, "r15", 8, -0x10),
    (None, None, "rbp", 2, 0x12345678), (None, None, None, 1, 0x1000),
    (None, None, None, 1, -0x10), (None, "rip", None, 1, 0x100), (None, "rip", None, 1, -0x20),
    (None, "rip", None, 1, 0),
    # segment overrides
    ("fs", "rax", None, 1, 8), ("gs", "r12", "rdx", 2, 0x1000), ("fs", None, None, 1, 0x28),
    ("gs", "rip", None, 1, 0x40),
]

VSIB_CORNERS = [
    # (base, index number, scale, disp)
    ("rax", 1, 4, 8), ("rcx", 2, 1, 0), ("rdx", 3, 2, 0x7F), ("rbx", 4, 8, -0x80),
    ("rsp", 5, 4, 0), ("rbp", 6, 4, 0), ("rsi", 7, 1, 0x1000), ("rdi", 8, 2, -0x1000),
    ("r8", 9, 4, 0x12345678), ("r9", 10, 8, 0), ("r10", 11, 1, 0x10), ("r11", 12, 2, 0),
    ("r12", 13, 4, 0), ("r13", 14, 8, 0), ("r14", 15, 1, -8), ("r15", 0, 2, 0x40),
    (None, 1, 4, 0x100), (None, 9, 8, -0x10),
]


def imm_values(size, vector):
    if size == 1:
        return [0, 1, 0x7F, 0x80, 0xFF] if vector else [0, 1, 0x7F, -0x80, -1]
    if size == 2:
        return [0x1234, 0x7FFF, -0x8000, 0x80, -0x1234]
    if size == 4:
        return [0x12345678, -0x12345678, 0x7FFFFFFF, -0x80000000, 0x80, -0x81]
    return [0x123456789ABCDEF0, -0x123456789, 0x7FFFFFFFFFFFFFFF, -0x8000000000000000,
            0x100000000]


def rel_values(size):
    if size == 1:
        return [-2, -0x80, 0x7F, 0x10, 0]
    return [0x1000, -0x1000, 0x12345, -0x200, 0x80]


def build_cases(form):
    """Every register number in every register position (others distinct from it), the high
    byte registers, every addressing corner for a memory operand, every VSIB corner, every
    immediate / displacement / moffs value. Duplicates removed, order kept."""
    slots = form.slots
    vector = any(s.reg and s.reg[0] != "gpr" for s in slots) or any(s.vsib for s in slots)
    regslots = [i for i, s in enumerate(slots) if s.reg]
    vsib_slot = next((i for i, s in enumerate(slots) if s.vsib), None)

    def default(i, s):
        if s.fixed:
            return ("imm", 1) if s.fixed == "1" else ("reg", s.fixed)
        if s.reg:
            return ("reg", reg_name(s.reg[0], s.reg[1], (1, 2, 3, 6, 7)[regslots.index(i) % 5]))
        if s.mem is not None:
            return ("mem", s.mem, None, "rbx", "rcx", 4, 0x10)
        if s.vsib:
            return ("vsib", s.vsib[1], None, "rax", s.vsib[0], 4, 4, 8)
        if s.imm:
            return ("imm", imm_values(s.imm, vector)[1 if s.imm > 1 else 2])
        if s.rel:
            return ("rel", rel_values(s.rel)[0])
        if s.moffs:
            return ("moffs", s.moffs, 0x1122334455667788)
        if s.sreg:
            return ("reg", "ds")
        raise ValueError(form.name)

    def make(overrides):
        return [overrides[i] if i in overrides else default(i, s) for i, s in enumerate(slots)]

    def spread(taken, skip=None):
        """Register operands other than `skip` get numbers not in `taken` (gathers need
        distinct destination, index and mask registers)."""
        ov = {}
        first = min(taken) if taken else 0
        for k, i in enumerate(regslots):
            if i == skip:
                continue
            m = (first + 5 + 3 * k) % 16
            while m in taken:
                m = (m + 1) % 16
            taken.add(m)
            ov[i] = ("reg", reg_name(slots[i].reg[0], slots[i].reg[1], m))
        return ov

    cases = []
    for pos in regslots:
        s = slots[pos]
        for n in range(16):
            taken = {n}
            ov = spread(taken, skip=pos)
            if vsib_slot is not None:
                idx = next(m for m in range(16) if m not in taken)
                vs = slots[vsib_slot].vsib
                ov[vsib_slot] = ("vsib", vs[1], None, "rax", vs[0], idx, 4, 8)
            ov[pos] = ("reg", reg_name(s.reg[0], s.reg[1], n))
            cases.append(make(ov))
        if s.high8:
            for h in HIGH8:
                ov = {}
                for k, i in enumerate(regslots):
                    if i != pos:
                        ov[i] = ("reg", reg_name(slots[i].reg[0], slots[i].reg[1], k % 4))
                ov[pos] = ("reg", h)
                cases.append(make(ov))
    for i, s in enumerate(slots):
        if s.mem is not None:
            for (seg, b, x, sc, d) in MEM_CORNERS:
                cases.append(make({i: ("mem", s.mem, seg, b, x, sc, d)}))
        if s.vsib:
            for (b, n, sc, d) in VSIB_CORNERS:
                ov = spread({n})
                ov[i] = ("vsib", s.vsib[1], None, b, s.vsib[0], n, sc, d)
                cases.append(make(ov))
        if s.imm:
            for v in imm_values(s.imm, vector):
                cases.append(make({i: ("imm", v)}))
        if s.rel:
            for v in rel_values(s.rel):
                cases.append(make({i: ("rel", v)}))
        if s.moffs:
            for a in (0x1122334455667788, 0x10, 0xFFFFFFFFFFFFFFF0):
                cases.append(make({i: ("moffs", s.moffs, a)}))
        if s.sreg:
            for name in s.sreg:
                cases.append(make({i: ("reg", name)}))
    if not cases:
        cases.append(make({}))
    seen = set()
    out = []
    for c in cases:
        k = repr(c)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


# --- Text ---------------------------------------------------------------------------------

def hexs(v):
    return ("-0x%x" % -v) if v < 0 else ("0x%x" % v)


def mem_text(seg, base, index, scale, disp, size):
    p = SIZE_PTR[size] if size is not None else ""
    seg_s = (seg + ":") if seg else ""
    if base is None and index is None:
        return "%s%s[%s]" % (p, seg_s, hexs(disp))
    parts = []
    if base:
        parts.append(base)
    if index:
        parts.append("%s*%d" % (index, scale))
    s = "+".join(parts)
    if disp:
        s += ("-0x%x" % -disp) if disp < 0 else ("+0x%x" % disp)
    return "%s%s[%s]" % (p, seg_s, s)


def case_text(form, ops):
    """Intel-syntax source for GNU as. `{load}`/`{store}` pin the direction of reg-reg forms
    that have both (GNU as would otherwise pick one, or swap operands for a 2-byte VEX)."""
    mn = form.mnemonic
    mem_size_override = None
    if any(o[0] == "moffs" for o in ops) or (mn == "mov" and any(
            s.imm == 8 for s in form.slots)):
        mn = "movabs"
    if mn == "mov" and any(s.sreg for s in form.slots):
        # GNU as drops the 66 of `mov sreg, r16` and the REX.W of the r64 forms (16 bits move
        # either way); the table writes them, as the SDM and llvm-mc do
        if form.legacy_rexw:
            mn = "rex.w mov"
        elif 0x66 in form.op["pfx"] and form.op["seq"][-1] == 0x8E:
            mn = "data16 mov"
    if mn == "retf":
        mn = "retfd"  # a bare retf makes GNU as warn about the operand size
    if mn in ("jmp", "call") and any(s.mem == 10 for s in form.slots):
        # GNU as takes the m16:64 far pointer only as an FWORD with an explicit REX.W
        mn = "rex.w " + mn
        mem_size_override = 6
    if (mn == "movq" and form.legacy_rexw and form.op["seq"][-1] in (0x6E, 0x7E)
            and any(o[0] == "mem" for o in ops)):
        # GNU as spells 66 REX.W 0F 6E/7E with memory only as movd plus an explicit REX.W
        mn = "rex.w movd"
        mem_size_override = 4
    parts = []
    for o in ops:
        if o[0] == "reg":
            parts.append(o[1])
        elif o[0] == "imm":
            parts.append(hexs(o[1]) if o[1] != 1 or not form.slots else str(o[1]))
        elif o[0] == "mem":
            sz = mem_size_override if mem_size_override is not None else o[1]
            parts.append(mem_text(o[2], o[3], o[4], o[5], o[6], sz))
        elif o[0] == "vsib":
            parts.append(mem_text(o[2], o[3], "%s%d" % (o[4], o[5]), o[6], o[7], None))
        elif o[0] == "rel":
            parts.append(None)  # filled in by the caller: relative to the end label
        elif o[0] == "moffs":
            parts.append("%s[0x%x]" % (SIZE_PTR[o[1]], o[2]))
    enc = form.enc.upper()
    pre = ""
    if all(o[0] == "reg" for o in ops) and len(ops) >= 2:
        ri = enc.find("R")
        mi = enc.find("M")
        if ri >= 0 and mi >= 0:
            pre = "{load} " if ri < mi else "{store} "
    return pre, mn, parts


def case_machine(form, ops):
    """Operands for test_golden.c, space-separated, in table order (fixed operands included):
    R<reg> | M<size>,<seg>,<base>,<index>,<scale>,<disp> | I<imm> | D<rel disp> |
    O<size>,<address>. `-` = none; VSIB memory names a vector index register."""
    toks = []
    for o in ops:
        if o[0] == "reg":
            toks.append("R" + o[1])
        elif o[0] == "imm":
            toks.append("I%d" % o[1])
        elif o[0] == "mem":
            toks.append("M%d,%s,%s,%s,%d,%d" % (o[1], o[2] or "-", o[3] or "-", o[4] or "-",
                                                o[5], o[6]))
        elif o[0] == "vsib":
            toks.append("M%d,%s,%s,%s%d,%d,%d" % (o[1], o[2] or "-", o[3] or "-", o[4], o[5],
                                                  o[6], o[7]))
        elif o[0] == "rel":
            toks.append("D%d" % o[1])
        elif o[0] == "moffs":
            toks.append("O%d,%d" % (o[1], o[2]))
    return " ".join(toks) if toks else "-"


# --- Running GNU as, nm, objcopy and objdump --------------------------------------------------

def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def assemble(cases, workdir, tools, log):
    """cases: list of (form, ops). Assembles them all in one file, one global label per case;
    drops (and logs) cases GNU as rejects or warns about, then reads each case's bytes between
    its label and the next. Returns {index: (bytes, [objdump lines])}."""
    texts = {}
    for idx, (form, ops) in enumerate(cases):
        pre, mn, parts = case_text(form, ops)
        for k, o in enumerate(ops):
            if o[0] == "rel":
                parts[k] = ".Le%d%+d" % (idx, o[1])
        texts[idx] = pre + (mn + " " + ", ".join(parts)).strip()
    live = list(range(len(cases)))
    src = os.path.join(workdir, "golden.s")
    obj = os.path.join(workdir, "golden.o")
    for _attempt in range(10):
        lines = [".intel_syntax noprefix", ".text"]
        lineof = {}
        for idx in live:
            lines.append("c%d:" % idx)
            lines.append(texts[idx])
            lineof[len(lines)] = idx
            lines.append(".Le%d:" % idx)
        lines.append("cend:")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        p = run(tools["as"] + ["--64", "-o", obj, src])
        bad = set()
        for m in re.finditer(r":(\d+): (Error|Warning): (.*)", p.stderr):
            ln = int(m.group(1))
            if ln in lineof and lineof[ln] not in bad:
                bad.add(lineof[ln])
                log.write("drop (GNU as %s): %s | %s | %s\n" % (
                    m.group(2).lower(), cases[lineof[ln]][0].name, texts[lineof[ln]],
                    m.group(3)))
        if p.returncode == 0 and not bad:
            break
        if not bad:
            sys.stderr.write(p.stderr[:4000])
            raise SystemExit("make_golden: GNU as failed on no case line")
        live = [i for i in live if i not in bad]
    else:
        raise SystemExit("make_golden: GNU as still failing after 10 rounds")
    addr = {}
    for line in run(tools["nm"] + ["-n", obj]).stdout.splitlines():
        m = re.match(r"^([0-9a-f]+) t (c\d+|cend)$", line)
        if m:
            addr[m.group(2)] = int(m.group(1), 16)
    binf = os.path.join(workdir, "golden.bin")
    p = run(tools["objcopy"] + ["-O", "binary", "--only-section=.text", obj, binf])
    if p.returncode != 0:
        raise SystemExit("make_golden: objcopy failed: " + p.stderr)
    with open(binf, "rb") as f:
        text = f.read()
    d = run(tools["objdump"] + ["-d", "-M", "intel", "--insn-width=16", "-w", obj]).stdout
    dis = []
    for line in d.splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\t[0-9a-f ]+\t(.*)$", line)
        if m:
            dis.append((int(m.group(1), 16), re.sub(r"\s+", " ", m.group(2).split("#")[0]).strip()))
    starts = sorted((addr["c%d" % i], i) for i in live)
    result = {}
    j = 0
    for k, (a, i) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else addr["cend"]
        lines_ = []
        while j < len(dis) and dis[j][0] < end:
            if dis[j][0] >= a:
                lines_.append(dis[j][1])
            j += 1
        result[i] = (text[a:end], lines_, texts[i])
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--table", required=True, help="tables/x64.isa")
    ap.add_argument("--out", required=True, help="golden.txt to write")
    ap.add_argument("--log", default=None, help="where to list dropped cases")
    ap.add_argument("--as", dest="as_cmd", default="as")
    ap.add_argument("--objdump", default="objdump")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--objcopy", default="objcopy")
    ap.add_argument("--only", default=None, help="regex: only forms whose name matches")
    args = ap.parse_args()
    forms = load_forms(args.table)
    if args.only:
        forms = [f for f in forms if re.search(args.only, f.name)]
    cases = []
    for f in forms:
        for ops in build_cases(f):
            cases.append((f, ops))
    tools = {"as": [args.as_cmd], "objdump": [args.objdump], "nm": [args.nm],
             "objcopy": [args.objcopy]}
    log = open(args.log or os.devnull, "w")
    with tempfile.TemporaryDirectory() as wd:
        res = assemble(cases, wd, tools, log)
    out = []
    per_form = {}
    dropped = len(cases) - len(res)
    for idx, (form, ops) in enumerate(cases):
        if idx not in res:
            continue
        code, dis, src = res[idx]
        if not code or not matches_form(form.op, code):
            log.write("drop (GNU as chose another form): %s | %s | %s\n" %
                      (form.name, src, code.hex(" ")))
            dropped += 1
            continue
        if any("(bad)" in x for x in dis):
            log.write("drop (objdump: bad): %s | %s\n" % (form.name, src))
            dropped += 1
            continue
        per_form[form.name] = per_form.get(form.name, 0) + 1
        out.append("%s\t%s\t%s" % (form.name, case_machine(form, ops), code.hex(" ")))
    missing = [f.name for f in forms if f.name not in per_form]
    for m in missing:
        log.write("form without cases: %s\n" % m)
    with open(args.out, "w") as f:
        f.write("# GENERATED by assembler/tools/make_golden.sh from tables/x64.isa: the bytes come "
                "from GNU as, never from our table.\n"
                "# form<TAB>operands<TAB>bytes\n"
                "# operands (table order, fixed ones included): R<reg> | "
                "M<size>,<seg>,<base>,<index>,<scale>,<disp> | I<imm> | D<rel from insn end> | "
                "O<size>,<moffs address>\n")
        for line in out:
            f.write(line + "\n")
    sys.stderr.write("make_golden: %d forms, %d cases, %d forms without cases, %d cases dropped "
                     "(see the log)\n" % (len(forms), len(out), len(missing), dropped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
