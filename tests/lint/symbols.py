#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.symbols: every global symbol a layer's static library defines carries that layer's
# prefix (STYLE.md section 3), so layers cannot collide and `nm` shows who owns what.
# usage: symbols.py NM LIB=PATH ...   (LIB is assembler, frontend, compiler, runtime, spec_runner)
import subprocess
import sys

PREFIXES = {
    "assembler": ("x64_", "X64_"),
    "frontend": ("wdec_", "WDEC_"),
    "compiler": ("cg_", "CG_"),
    "runtime": ("rt_", "RT_", "kiln_", "KILN_"),
    "spec_runner": ("spec_", "SPEC_"),
}


def main():
    nm = sys.argv[1]
    errors = []
    checked = 0
    for arg in sys.argv[2:]:
        lib, _, path = arg.partition("=")
        prefixes = PREFIXES[lib]
        out = subprocess.run([nm, "-g", "--defined-only", path], check=True,
                             capture_output=True, text=True).stdout
        member = "?"
        for line in out.splitlines():
            if line.endswith(":"):
                member = line[:-1]
                continue
            parts = line.split()
            if len(parts) != 3:
                continue
            name = parts[2]
            checked += 1
            # Names starting with "__" belong to the toolchain (sanitizer and coverage hooks).
            if name.startswith("__") or name.startswith(prefixes):
                continue
            errors.append(f"{lib}: {member}: global symbol '{name}' lacks the prefix "
                          f"{' or '.join(p for p in prefixes if p.islower())}")
    for e in errors:
        print(e)
    print(f"lint.symbols: {checked} global symbols in {len(sys.argv) - 2} libraries, "
          f"{len(errors)} without their layer's prefix")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
