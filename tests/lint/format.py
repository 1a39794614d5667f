#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.format: clang-format (14, .clang-format at the root) finds nothing to change in any
# tracked .c/.h file except generated ones.
# usage: format.py CLANG_FORMAT SOURCE_DIR
import os
import subprocess
import sys

from common import generated_files, tracked_files


def main():
    clang_format, root = sys.argv[1], os.path.abspath(sys.argv[2])
    files = tracked_files(root, (".c", ".h"))
    gen = generated_files(root, files)
    files = [f for f in files if f not in gen]
    bad = []
    for i in range(0, len(files), 50):
        chunk = files[i:i + 50]
        r = subprocess.run([clang_format, "--dry-run", "-Werror"] + chunk, cwd=root,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stdout.write(r.stderr)
            for f in chunk:
                if f + ":" in r.stderr:
                    bad.append(f)
    for f in bad:
        print(f"needs clang-format: {f}")
    print(f"lint.format: {len(files)} files checked ({len(gen)} generated skipped), "
          f"{len(bad)} not formatted")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
