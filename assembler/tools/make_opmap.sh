#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the opcode-map corpus assembler/tests/data/opmap.txt: a sweep of the x86-64 opcode
# maps, decoded by GNU objdump, so that the held-out test (test_assembler_heldout) checks kiln
# against every instruction the maps hold, not only those real binaries happen to use. Nothing
# here comes from kiln's table: the bytes are enumerated, objdump names them, and the same scope
# rule as the held-out corpus (heldout_classify.c, spelled out in make_heldout.sh) keeps the
# instructions issue 3 covers.
#
# Usage: assembler/tools/make_opmap.sh [OUT]      (default: assembler/tests/data/opmap.txt)
# Needs: python3, binutils (objdump, as, nm, objcopy), cc, libzydis-dev. Takes about a minute.
#
# --- What is enumerated ---
# legacy: prefixes {none, 66, F2, F3} x REX {none, REX.W} x maps {1-byte, 0F, 0F 38, 0F 3A} x
#         256 opcodes x ModRM {register form, [rbx] form} x reg field 0..7
# VEX:    3-byte C4 x maps {0F, 0F38, 0F3A} x W {0, 1} x L {128, 256} x pp {none, 66, F3, F2}
#         x 256 opcodes x the same 16 ModRM bytes
# Each candidate is followed by 8 immediate bytes and sits in its own 64-byte slot padded with
# int3, so objdump resynchronises at every slot; only the instruction that starts a slot is
# kept. Registers other than the ones these bytes name (REX.R/X/B, VEX.vvvv) are the golden
# tests' job; this sweep is about which instruction forms exist.
#
# Every in-scope (mnemonic, operand shape) keeps up to SHAPE_CAP distinct texts (stratum
# `opmap`), with a fixed seed so that a rerun writes the same file. The bytes on each line are
# GNU as's encoding of objdump's text (see below), the reference the test decodes with Zydis.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/assembler/tests/data/opmap.txt}"
SHAPE_CAP="${SHAPE_CAP:-2}"
SEED="${SEED:-20261124}"
SLOT=64

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cc -O2 -o "$WORK/classify" "$ROOT/assembler/tools/heldout_classify.c" -lZydis

python3 - "$WORK/sweep.bin" "$SLOT" <<'EOF'
import sys

out, slot = sys.argv[1], int(sys.argv[2])
modrms = [0xC1 | (r << 3) for r in range(8)] + [0x03 | (r << 3) for r in range(8)]
imm = bytes([0x11] * 8)
cands = []
for pfx in (b"", b"\x66", b"\xf2", b"\xf3"):
    for rex in (b"", b"\x48"):
        for esc in (b"", b"\x0f", b"\x0f\x38", b"\x0f\x3a"):
            for op in range(256):
                for m in modrms:
                    cands.append(pfx + rex + esc + bytes([op, m]) + imm)
for mmmmm in (1, 2, 3):
    for w in (0, 1):
        for l in (0, 1):
            for pp in range(4):
                # R, X, B inverted = 1 (no extension); vvvv = ~2 (register 2).
                p1 = 0xE0 | mmmmm
                p2 = (w << 7) | ((~2 & 15) << 3) | (l << 2) | pp
                for op in range(256):
                    for m in modrms:
                        cands.append(bytes([0xC4, p1, p2, op, m]) + imm)
with open(out, "wb") as f:
    for c in cands:
        f.write(c + bytes([0xCC] * (slot - len(c))))
print(f"make_opmap: {len(cands)} candidates", file=sys.stderr)
EOF

# The instruction at the start of each slot: address, bytes, text (annotations cut).
objdump -D -b binary -m i386:x86-64 -M intel --insn-width=15 "$WORK/sweep.bin" |
    python3 -c '
import re, sys
slot = int(sys.argv[1])
line_re = re.compile(r"^ *([0-9a-f]+):\t([^\t]*)\t(.*)$")
for line in sys.stdin:
    m = line_re.match(line)
    if not m or int(m.group(1), 16) % slot:
        continue
    text = re.sub(r" *<[^>]*>$", "", re.sub(r" *#.*$", "", m.group(3).rstrip())).rstrip()
    if text and "(bad)" not in text:
        print(f"{m.group(1)}\t{m.group(2).rstrip()}\t{text}")
' "$SLOT" > "$WORK/decoded.txt"
echo "make_opmap: objdump decoded $(wc -l < "$WORK/decoded.txt") slot starts" >&2

# Distinct texts only (the classifier samples per shape), then the scope rule.
LC_ALL=C sort -t $'\t' -k3,3 -u "$WORK/decoded.txt" | LC_ALL=C sort |
    "$WORK/classify" 0 "$SHAPE_CAP" "$SEED" opmap > "$WORK/classified.txt"

# The reference bytes are GNU as's for objdump's text, not the swept bytes: several byte
# patterns print the same text (the hint nops 0F 18..0F 1F, ignored prefixes), and the test
# asks that kiln encodes a text to what an independent assembler reads it as. Texts GNU as
# refuses (objdump-only spellings such as `vmovss ymm1,xmm2,xmm3` for VEX.L=1, or a rep
# prefix on a nop) are dropped; how many is printed.
python3 - "$WORK" <<'PYEOF'
import re, subprocess, sys

work = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/classified.txt") if not l.startswith("#")]
header = [l for l in open(f"{work}/classified.txt") if l.startswith("#")]

def assemble(items):
    with open(f"{work}/ref.s", "w") as f:
        f.write(".intel_syntax noprefix\n.text\n")
        for i, r in enumerate(items):
            f.write(f"c{i}:\n{r[3]}\n")
        f.write(f"c{len(items)}:\n")
    p = subprocess.run(["as", "--64", "-o", f"{work}/ref.o", f"{work}/ref.s"],
                       capture_output=True, text=True)
    bad = {int(m.group(1)) for m in re.finditer(r"ref\.s:(\d+): Error", p.stderr)}
    return p.returncode, bad

code, bad = assemble(rows)
# Line 2 + 2*i + 2 of ref.s holds item i (1-based line numbers; labels on the odd lines).
kept = [r for i, r in enumerate(rows) if (2 * i + 4) not in bad]
code, bad = assemble(kept)
if code != 0 or bad:
    sys.exit("make_opmap: GNU as still refuses lines after filtering")
subprocess.run(["objcopy", "-O", "binary", "-j", ".text", f"{work}/ref.o", f"{work}/ref.bin"],
               check=True)
text = open(f"{work}/ref.bin", "rb").read()
addr = {}
for line in subprocess.run(["nm", f"{work}/ref.o"], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    a, _, name = line.split()
    if re.fullmatch(r"c\d+", name):
        addr[int(name[1:])] = int(a, 16)
# GNU as's bytes must read back (objdump) as the same text, or the reference is not one: a
# few prefix spellings (`data16 rex.W push imm`) come back as something else.
back = {}
dis = subprocess.run(["objdump", "-d", "-M", "intel", "--insn-width=15", f"{work}/ref.o"],
                     capture_output=True, text=True, check=True).stdout
for m in re.finditer(r"^ *([0-9a-f]+):\t[^\t]*\t(.*)$", dis, re.M):
    back[int(m.group(1), 16)] = " ".join(re.sub(r" *<[^>]*>$", "", m.group(2)).split())
branch = re.compile(r"(^|\s)(j[a-z]+|call|loop[a-z]*|xbegin)\s+0x[0-9a-f]+$")
unread = 0
with open(f"{work}/body.txt", "w") as out:
    out.writelines(header)
    for i, r in enumerate(kept):
        code = text[addr[i]:addr[i + 1]]
        if not 0 < len(code) <= 15:
            sys.exit(f"make_opmap: GNU as wrote {len(code)} bytes for {r[3]!r}")
        # A relative branch to an absolute target is only meaningful at its own address,
        # which the object file does not have: keep the swept bytes (the test decodes both
        # at the line's address).
        if branch.search(r[3]):
            ref = r[2]
        elif back.get(addr[i]) == " ".join(r[3].split()):
            ref = code.hex(" ")
        else:
            unread += 1
            continue
        out.write(f"{r[0]}\t{r[1]}\t{ref}\t{r[3]}\n")
print(f"make_opmap: GNU as refused {len(rows) - len(kept)} of {len(rows)} texts; "
      f"{unread} more did not read back as the same text", file=sys.stderr)
PYEOF

{
    echo "# GENERATED by assembler/tools/make_opmap.sh: an opcode-map sweep decoded by $(objdump --version | head -1); see the script for what is enumerated and make_heldout.sh for the scope rule."
    echo "# breadth cap per shape: $SHAPE_CAP; seed: $SEED"
    echo "# stratum <TAB> address <TAB> GNU as bytes for the text <TAB> objdump -D -M intel text"
    cat "$WORK/body.txt"
} > "$OUT"
echo "make_opmap: wrote $(grep -vc '^#' "$OUT") lines to $OUT" >&2
