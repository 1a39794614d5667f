#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates assembler/tests/data/golden.txt: for every form of tables/x64.isa a spread of
# operand cases (every register number in every register position, every ModRM/SIB/disp corner,
# RIP-relative, absolute, fs/gs, every immediate size and edge value) is written as Intel-syntax
# text, assembled by GNU as, cut into cases with nm/objcopy and checked with objdump. The bytes
# come from GNU as, never from our table. Review the diff like code, then commit golden.txt.
#
# usage: assembler/tools/make_golden.sh [--only REGEX]   (needs python3 and GNU binutils)
# Cases GNU as rejects, or encodes with another form (e.g. `add rax, imm32` as the short
# accumulator form), are dropped and listed in $GOLDEN_LOG (default: a temp file it prints).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
log=${GOLDEN_LOG:-${TMPDIR:-/tmp}/kiln-golden.log}
for tool in as objdump nm objcopy python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "make_golden: $tool not found" >&2; exit 1; }
done
python3 "$here/golden_cases.py" --table "$root/tables/x64.isa" \
    --out "$root/tests/data/golden.txt" --log "$log" "$@"
echo "make_golden: wrote $root/tests/data/golden.txt (dropped cases: $log)" >&2
