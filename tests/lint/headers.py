#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# lint.headers: every public header (LAYER/include/**.h) compiles on its own, twice in one
# translation unit (so its include guard works), with the project's warnings as errors.
# usage: headers.py CC SOURCE_DIR WORK_DIR
import os
import subprocess
import sys

from common import tracked_files

FLAGS = ["-std=c11", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow",
         "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wvla", "-Wformat=2", "-Wundef",
         "-Werror"]


def main():
    cc, root, work = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    os.makedirs(work, exist_ok=True)
    headers = [h for h in tracked_files(root, (".h",)) if "/include/" in h]
    include_dirs = sorted({os.path.join(root, h.split("/include/", 1)[0], "include")
                           for h in headers})
    failed = []
    for h in headers:
        rel = h.split("/include/", 1)[1]
        tu = os.path.join(work, rel.replace("/", "_") + ".c")
        with open(tu, "w") as f:
            f.write(f'#include "{rel}"\n#include "{rel}"\n')
        cmd = [cc] + FLAGS + [f"-I{d}" for d in include_dirs] + [tu]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            failed.append(h)
            print(f"{h} does not compile alone:\n{r.stderr}")
    print(f"lint.headers: {len(headers)} public headers, {len(failed)} do not compile alone")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
