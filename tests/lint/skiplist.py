#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.skiplist: every line of spec-tests/skip.txt is blank, a comment, or `FILE:LINE  reason`
# / `FILE:*  reason` naming a .wast of the suite; a skip without a reason fails.
# usage: skiplist.py SKIP_TXT [SPEC_DIR]
import os
import re
import sys

ENTRY = re.compile(r"^(\S+\.wast):(\*|[1-9][0-9]*)\s+(\S.*)$")


def main():
    path = sys.argv[1]
    spec_dir = sys.argv[2] if len(sys.argv) > 2 else None
    errors = []
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
            if spec_dir and os.path.isdir(spec_dir) and \
                    not os.path.isfile(os.path.join(spec_dir, m.group(1))):
                errors.append(f"{path}:{lineno}: {m.group(1)} is not in {spec_dir}")
    for e in errors:
        print(e)
    print(f"lint.skiplist: {entries} entries, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
