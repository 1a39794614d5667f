#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.layering: every #include in a layer folder stays inside what STYLE.md section 1 allows
# (runtime -> compiler -> assembler, compiler/runtime -> frontend, spec-tests -> runtime only),
# and no relative include climbs out of its layer folder.
# usage: layering.py SOURCE_DIR
import os
import re
import sys

from common import tracked_files

# Header folders each layer publishes, by include prefix.
PREFIXES = {"x64": "assembler", "wdec": "frontend", "cg": "compiler", "rt": "runtime",
            "spec": "spec-tests"}
# Which layers' headers each layer folder may include (its own included).
ALLOWED = {
    "assembler": {"assembler"},
    "frontend": {"frontend"},
    "compiler": {"compiler", "assembler", "frontend"},
    "runtime": {"runtime", "compiler", "frontend", "assembler"},
    "spec-tests": {"spec-tests", "runtime"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def main():
    root = os.path.abspath(sys.argv[1])
    files = tracked_files(root, (".c", ".h", ".inc", ".def"))
    errors = []
    for name in files:
        layer = name.split("/", 1)[0]
        if layer not in ALLOWED:
            continue
        with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(2)
                first = target.split("/", 1)[0]
                if "/" in target and first in PREFIXES:
                    owner = PREFIXES[first]
                    if owner not in ALLOWED[layer]:
                        errors.append(f"{name}:{lineno}: {layer}/ must not include {target} "
                                      f"({owner}/'s header)")
                if m.group(1) == '"' and ".." in target.split("/"):
                    resolved = os.path.normpath(os.path.join(os.path.dirname(name), target))
                    if resolved.split("/", 1)[0] != layer:
                        errors.append(f"{name}:{lineno}: relative include {target} leaves "
                                      f"{layer}/ (use the other layer's public header)")
    for e in errors:
        print(e)
    print(f"lint.layering: {len(files)} files, {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
