#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the held-out corpus assembler/tests/data/heldout.txt: real-world instructions taken from
# the binaries installed on this machine, written exactly as `objdump -d -M intel` prints them,
# with their original bytes. Nothing here comes from kiln's table: the test that reads the corpus
# (test_assembler_heldout) feeds each text through x64_asm_text() and checks that our bytes decode
# (Zydis) to the same instruction as the original bytes.
#
# Usage: assembler/tools/make_heldout.sh [OUT]     (default: assembler/tests/data/heldout.txt)
# Needs: objdump (binutils), cc, libzydis-dev, python3. Takes a few minutes (one objdump per file).
#
# --- Sources ---
# Every distinct x86-64 ELF file under /usr/bin and /usr/lib/x86_64-linux-gnu/*.so* smaller than
# 5 MB (the size limit only bounds the run time, about ten minutes), taken in sorted order.
#
# --- Scope rule (decided by what an instruction IS, never by whether kiln encodes it) ---
# The original bytes are decoded with Zydis, and the instruction is kept when:
#   1. Zydis decodes exactly the bytes objdump printed (else: data or an undecodable `(bad)`);
#   2. its ISA extension is one issue 3 covers: BASE, LONGMODE (general purpose), SSE, SSE2, SSE3,
#      SSSE3, SSE4 (4.1, 4.2, POPCNT, CRC32), AVX, AVX2, AVX2GATHER, FMA, F16C, BMI1, BMI2,
#      LZCNT, ADOX_ADCX, AES, AVXAES, PCLMULQDQ, SHA, MOVBE, PAUSE, RDTSCP.
#      So x87, MMX, 3DNow!, AVX-512 (EVEX and its VEX k-mask ops), XOP/FMA4, CET (endbr64), RTM,
#      XSAVE, RDRAND/RDSEED, CLFLUSH and every other extension are out;
#   3. it is not a system or I/O instruction: Zydis categories SYSTEM, IO, IOSTRINGOP, INTERRUPT,
#      SYSCALL, SYSRET, SEGOP, X87_ALU, FCMOV, MMX, DECIMAL, XSAVE, XSAVEOPT are out, as are far
#      branches, operands naming a segment register (mov sreg) or an MMX register, and memory
#      operands with a 32-bit address size (67 prefix, `[eax]`, `[eip+d]`: issue 3's addressing
#      forms are the 64-bit ones); except the
#      instructions issue 3 names explicitly: cpuid, rdtsc, rdtscp, hlt, int3, ud2, pause,
#      lfence, mfence, sfence.
# Lines keep objdump's own text; only its trailing annotations (`<symbol+off>` after a branch
# target, `# addr <symbol>` after a RIP-relative operand) are cut, since they are comments.
#
# --- Sampling (fixed seed, so a rerun on the same machine writes the same file) ---
#   freq     FREQ_N instructions drawn uniformly from the whole in-scope stream (weights the corpus
#            the way real code is weighted: mostly mov, lea, call, jcc);
#   breadth  up to SHAPE_CAP distinct texts per (mnemonic, operand shape), where the shape names
#            each operand's kind (register class, memory size, immediate), so rare forms and
#            every extension in scope are represented.
# Line format:  stratum <TAB> address (hex) <TAB> original bytes <TAB> objdump text
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/assembler/tests/data/heldout.txt}"
FREQ_N="${FREQ_N:-6000}"
SHAPE_CAP="${SHAPE_CAP:-3}"
MAX_SIZE="${MAX_SIZE:-5000000}"
SEED="${SEED:-20261124}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/classify.c" <<'EOF'
/* Reads `address \t bytes \t text` lines, keeps the in-scope ones (see make_heldout.sh), and
 * prints `zydis-mnemonic \t address \t bytes \t text`. */
#include <Zydis/Zydis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ext_in_scope(ZydisISAExt e)
{
    switch (e) {
    case ZYDIS_ISA_EXT_BASE: case ZYDIS_ISA_EXT_LONGMODE: case ZYDIS_ISA_EXT_SSE:
    case ZYDIS_ISA_EXT_SSE2: case ZYDIS_ISA_EXT_SSE3: case ZYDIS_ISA_EXT_SSSE3:
    case ZYDIS_ISA_EXT_SSE4: case ZYDIS_ISA_EXT_AVX: case ZYDIS_ISA_EXT_AVX2:
    case ZYDIS_ISA_EXT_AVX2GATHER: case ZYDIS_ISA_EXT_FMA: case ZYDIS_ISA_EXT_F16C:
    case ZYDIS_ISA_EXT_BMI1: case ZYDIS_ISA_EXT_BMI2: case ZYDIS_ISA_EXT_LZCNT:
    case ZYDIS_ISA_EXT_ADOX_ADCX: case ZYDIS_ISA_EXT_AES: case ZYDIS_ISA_EXT_AVXAES:
    case ZYDIS_ISA_EXT_PCLMULQDQ: case ZYDIS_ISA_EXT_SHA: case ZYDIS_ISA_EXT_MOVBE:
    case ZYDIS_ISA_EXT_PAUSE: case ZYDIS_ISA_EXT_RDTSCP:
        return 1;
    default:
        return 0;
    }
}

static int category_out(ZydisInstructionCategory c)
{
    switch (c) {
    case ZYDIS_CATEGORY_SYSTEM: case ZYDIS_CATEGORY_IO: case ZYDIS_CATEGORY_IOSTRINGOP:
    case ZYDIS_CATEGORY_INTERRUPT: case ZYDIS_CATEGORY_SYSCALL: case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_SEGOP: case ZYDIS_CATEGORY_X87_ALU: case ZYDIS_CATEGORY_FCMOV:
    case ZYDIS_CATEGORY_MMX: case ZYDIS_CATEGORY_DECIMAL: case ZYDIS_CATEGORY_XSAVE:
    case ZYDIS_CATEGORY_XSAVEOPT:
        return 1;
    default:
        return 0;
    }
}

static int named_in_issue(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_CPUID: case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_RDTSCP:
    case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_UD2:
    case ZYDIS_MNEMONIC_PAUSE: case ZYDIS_MNEMONIC_LFENCE: case ZYDIS_MNEMONIC_MFENCE:
    case ZYDIS_MNEMONIC_SFENCE:
        return 1;
    default:
        return 0;
    }
}

int main(void)
{
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        unsigned char buf[16];
        size_t n = 0;
        for (char *p = t1 + 1; p < t2 && n < sizeof buf;) {
            char *end;
            unsigned long v = strtoul(p, &end, 16);
            if (end == p)
                break;
            buf[n++] = (unsigned char)v;
            p = end;
        }
        ZydisDecodedInstruction in;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, buf, n, &in, ops)) || in.length != n)
            continue;
        int keep = ext_in_scope(in.meta.isa_ext) &&
                   (!category_out(in.meta.category) || named_in_issue(in.mnemonic)) &&
                   in.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR;
        for (unsigned i = 0; keep && i < in.operand_count; i++) {
            if (ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
                continue;
            ZydisRegisterClass rc = ZydisRegisterGetClass(ops[i].reg.value);
            if (rc == ZYDIS_REGCLASS_MMX || rc == ZYDIS_REGCLASS_SEGMENT)
                keep = 0;
        }
        for (unsigned i = 0; keep && i < in.operand_count; i++)
            if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && in.address_width == 32)
                keep = 0;
        if (keep)
            printf("%s\t%s", ZydisMnemonicGetString(in.mnemonic), line);
    }
    return 0;
}
EOF
cc -O2 -o "$WORK/classify" "$WORK/classify.c" -lZydis

# Distinct ELF x86-64 files, sorted, under the size limit.
for f in /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so*; do
    [ -f "$f" ] && readlink -f "$f"
done | sort -u | while IFS= read -r f; do
    [ "$(stat -c %s "$f")" -lt "$MAX_SIZE" ] || continue
    head -c 20 "$f" | od -An -tx1 | tr -d ' \n' | grep -q '^7f454c46020101' || continue
    # e_machine (bytes 18-19) = 0x3e, x86-64
    [ "$(head -c 20 "$f" | tail -c 2 | od -An -tx1 | tr -d ' \n')" = "3e00" ] || continue
    echo "$f"
done > "$WORK/files.txt"
echo "make_heldout: $(wc -l < "$WORK/files.txt") binaries" >&2

# One instruction per line: address, bytes, text (annotations cut).
while IFS= read -r f; do
    objdump -d -M intel --insn-width=15 "$f" 2>/dev/null || true
done < "$WORK/files.txt" |
    awk -F'\t' '/^ *[0-9a-f]+:\t/ && NF >= 3 {
        addr = $1; sub(/^ */, "", addr); sub(/:$/, "", addr)
        bytes = $2; sub(/ +$/, "", bytes)
        text = $3; sub(/ *#.*$/, "", text); sub(/ *<[^>]*>$/, "", text); sub(/ +$/, "", text)
        if (text != "") print addr "\t" bytes "\t" text
    }' |
    "$WORK/classify" |
    python3 -c '
import random, re, sys
from functools import lru_cache
freq_n, cap, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
PREFIXES = {"lock", "rep", "repz", "repnz", "repe", "repne", "data16", "addr32", "cs", "ds", "es",
            "ss", "fs", "gs", "bnd", "notrack", "xacquire", "xrelease"}
REGS = [(k, re.compile(rx)) for k, rx in [
    ("r64", r"r(ax|bx|cx|dx|si|di|sp|bp|8|9|1[0-5])"), ("r32", r"e(ax|bx|cx|dx|si|di|sp|bp)|r(8|9|1[0-5])d"),
    ("r16", r"(ax|bx|cx|dx|si|di|sp|bp)|r(8|9|1[0-5])w"), ("r8", r"[abcd][lh]|(si|di|sp|bp)l|r(8|9|1[0-5])b"),
    ("xmm", r"xmm\d+"), ("ymm", r"ymm\d+"), ("imm", r"(0x)?[0-9a-f]+")]]
PTR = re.compile(r"(\w+) PTR")

@lru_cache(maxsize=1 << 16)
def kind(op):
    m = PTR.match(op)
    if m:
        return "m" + m.group(1).lower()
    if "[" in op or ":" in op:
        return "m"
    for k, rx in REGS:
        if rx.fullmatch(op):
            return k
    return op

def shape(text):
    words = text.split()
    i = 0
    while i < len(words) - 1 and (words[i] in PREFIXES or words[i].startswith("rex")):
        i += 1
    ops = " ".join(words[i + 1:])
    return " ".join(words[:i + 1]) + " " + ",".join(kind(o) for o in ops.split(",") if o)

reservoir, seen = [], 0
shapes, shape_seen = {}, {}     # shape -> reservoir of distinct texts; -> distinct texts seen
for line in sys.stdin:
    zmn, addr, raw, text = line.rstrip("\n").split("\t", 3)
    item = (addr, raw, text)
    seen += 1
    if len(reservoir) < freq_n:
        reservoir.append(item)
    else:
        j = rng.randrange(seen)
        if j < freq_n:
            reservoir[j] = item
    key = shape(text)
    lst = shapes.setdefault(key, [])
    if any(t == text for _, _, t in lst):
        continue
    n = shape_seen[key] = shape_seen.get(key, 0) + 1
    if len(lst) < cap:
        lst.append(item)
    else:
        j = rng.randrange(n)
        if j < cap:
            lst[j] = item
print("# in-scope instructions seen: %d; shapes: %d" % (seen, len(shapes)))
for a, r, t in reservoir:
    print("freq\t%s\t%s\t%s" % (a, r, t))
for key in sorted(shapes):
    for a, r, t in shapes[key]:
        print("breadth\t%s\t%s\t%s" % (a, r, t))
' "$FREQ_N" "$SHAPE_CAP" "$SEED" > "$WORK/body.txt"

{
    echo "# GENERATED by assembler/tools/make_heldout.sh from the binaries of $(. /etc/os-release; echo "$PRETTY_NAME") ($(objdump --version | head -1)); see the script for the scope rule."
    echo "# binaries: $(wc -l < "$WORK/files.txt"); freq sample: $FREQ_N; breadth cap per shape: $SHAPE_CAP; seed: $SEED"
    echo "# stratum <TAB> address <TAB> original bytes <TAB> objdump -d -M intel text"
    cat "$WORK/body.txt"
} > "$OUT"
echo "make_heldout: wrote $(grep -vc '^#' "$OUT") lines to $OUT" >&2
