#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the held-out corpus assembler/tests/data/heldout.txt: real-world instructions taken from
# the binaries installed on this machine, written exactly as `objdump -d -M intel` prints them,
# with their original bytes. Nothing here comes from kiln's table: the test that reads the corpus
# (test_assembler_heldout) feeds each text through x64_asm_text() and checks that our bytes decode
# (Zydis) to the same instruction as the original bytes.
#
# Usage: assembler/tools/make_heldout.sh [OUT]     (default: assembler/tests/data/heldout.txt)
# Needs: objdump (binutils), cc, libzydis-dev. Takes a few minutes (one objdump per file).
#
# --- Sources ---
# Every distinct x86-64 ELF file under /usr/bin and /usr/lib/x86_64-linux-gnu/*.so* smaller than
# 5 MB (the size limit only bounds the run time), taken in sorted order.
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
#      branches and interrupt returns (iret), x87/SIMD state management (fxsave, fxrstor; SDM
#      vol. 1, 5.4), operands naming a control or debug register (mov crN/drN; SDM vol. 1,
#      5.20 system instructions), a segment register other than in mov/push/pop (SDM vol. 1,
#      5.1.1; a mov that loads cs is #UD and out too), or an MMX register, and memory
#      operands with a 32-bit address size (67 prefix, `[eax]`, `[eip+d]`: issue 3's addressing
#      forms are the 64-bit ones); except the
#      instructions issue 3 names explicitly: cpuid, rdtsc, rdtscp, hlt, int3, ud2, pause,
#      lfence, mfence, sfence, and the segment register instructions lfs, lgs, lss (SDM vol. 1,
#      5.1.12).
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

# The scope rule and the sampling live in heldout_classify.c (shared with make_opmap.sh).
cc -O2 -o "$WORK/classify" "$ROOT/assembler/tools/heldout_classify.c" -lZydis

# Distinct ELF x86-64 files, sorted, under the size limit (one process, not a few per file).
cat > "$WORK/elf_files.c" <<'EOF'
/* Reads paths; prints the real path of each x86-64 ELF file smaller than argv[1] bytes. */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    long long max = argc > 1 ? atoll(argv[1]) : 5000000;
    char path[PATH_MAX], real[PATH_MAX];
    while (fgets(path, sizeof path, stdin)) {
        path[strcspn(path, "\n")] = 0;
        struct stat st;
        if (realpath(path, real) == NULL || stat(real, &st) != 0 || !S_ISREG(st.st_mode) ||
            st.st_size >= max)
            continue;
        unsigned char h[20];
        FILE *f = fopen(real, "rb");
        if (f == NULL)
            continue;
        size_t n = fread(h, 1, sizeof h, f);
        fclose(f);
        /* \x7fELF, 64-bit, little-endian, version 1; e_machine 0x3e = x86-64 */
        if (n == sizeof h && !memcmp(h, "\x7f" "ELF\x02\x01\x01", 7) && h[18] == 0x3e &&
            h[19] == 0)
            puts(real);
    }
    return 0;
}
EOF
cc -O2 -o "$WORK/elf_files" "$WORK/elf_files.c"
for f in /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so*; do
    echo "$f"
done | "$WORK/elf_files" "$MAX_SIZE" | LC_ALL=C sort -u > "$WORK/files.txt"
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
    "$WORK/classify" "$FREQ_N" "$SHAPE_CAP" "$SEED" > "$WORK/body.txt"

{
    echo "# GENERATED by assembler/tools/make_heldout.sh from the binaries of $(. /etc/os-release; echo "$PRETTY_NAME") ($(objdump --version | head -1)); see the script for the scope rule."
    echo "# binaries: $(wc -l < "$WORK/files.txt"); freq sample: $FREQ_N; breadth cap per shape: $SHAPE_CAP; seed: $SEED"
    echo "# stratum <TAB> address <TAB> original bytes <TAB> objdump -d -M intel text"
    cat "$WORK/body.txt"
} > "$OUT"
echo "make_heldout: wrote $(grep -vc '^#' "$OUT") lines to $OUT" >&2
