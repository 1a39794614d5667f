#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.skiplist: every line of spec-tests/skip.txt is blank, a comment, or `FILE:LINE  reason`
# / `FILE:*  reason` naming a .wast of the suite; a skip without a reason fails, and so does any
# skip of a non-SIMD file (issue 5: the skip list of the core non-SIMD files is empty).
# With PATCHES_TXT, also checks spec-tests/patches.txt: each entry is `FILE:LINE  reason`,
# `- ORIGINAL`, `+ REPLACEMENT`, and (with SPEC_DIR) ORIGINAL is exactly line LINE of FILE.
# usage: skiplist.py SKIP_TXT [SPEC_DIR [PATCHES_TXT]]
import os
import re
import sys

ENTRY = re.compile(r"^(\S+\.wast):(\*|[1-9][0-9]*)\s+(\S.*)$")
PATCH = re.compile(r"^(\S+\.wast):([1-9][0-9]*)\s+(\S.*)$")


def check_skips(path, spec_dir, errors):
    entries = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = ENTRY.match(line)
            if not m:
                errors.append(f"{path}:{lineno}: expected `FILE.wast:LINE  reason` or "
                              f"`FILE.wast:*  reason`, got: {line}")
                continue
            entries += 1
            if not m.group(1).startswith("simd_"):
                errors.append(f"{path}:{lineno}: {m.group(1)} is a non-SIMD core file; issue 5 "
                              f"allows no skips there (fix the failure, or patch a converter "
                              f"defect in patches.txt)")
            if spec_dir and os.path.isdir(spec_dir) and \
                    not os.path.isfile(os.path.join(spec_dir, m.group(1))):
                errors.append(f"{path}:{lineno}: {m.group(1)} is not in {spec_dir}")
    return entries


def check_patches(path, spec_dir, errors):
    entries = 0
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = PATCH.match(line)
        if not m:
            errors.append(f"{path}:{i}: expected `FILE.wast:LINE  reason`, got: {line}")
            continue
        old = lines[i] if i < len(lines) else ""
        new = lines[i + 1] if i + 1 < len(lines) else ""
        if not old.startswith("- ") or not new.startswith("+ "):
            errors.append(f"{path}:{i}: an entry is followed by `- ORIGINAL` and `+ REPLACEMENT`")
            i += 2
            continue
        entries += 1
        if spec_dir and os.path.isdir(spec_dir):
            wast = os.path.join(spec_dir, m.group(1))
            if not os.path.isfile(wast):
                errors.append(f"{path}:{i}: {m.group(1)} is not in {spec_dir}")
            else:
                with open(wast, encoding="utf-8") as w:
                    src = w.read().split("\n")
                n = int(m.group(2))
                if n > len(src) or src[n - 1] != old[2:]:
                    errors.append(f"{path}:{i}: line {n} of {m.group(1)} is not `{old[2:]}`: "
                                  f"the patch no longer applies")
        i += 2
    return entries


def main():
    path = sys.argv[1]
    spec_dir = sys.argv[2] if len(sys.argv) > 2 else None
    patches = sys.argv[3] if len(sys.argv) > 3 else None
    errors = []
    entries = check_skips(path, spec_dir, errors)
    npatches = check_patches(patches, spec_dir, errors) if patches else 0
    for e in errors:
        print(e)
    print(f"lint.skiplist: {entries} skip entries, {npatches} patch(es), {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
