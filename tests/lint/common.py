# SPDX-License-Identifier: Apache-2.0
# Shared by the lint.* ctests: which files the repository tracks, and which of them are
# generated (linguist-generated in .gitattributes, or a GENERATED banner on the first line).
import os
import subprocess
import sys

SKIP = 77  # ctest SKIP_RETURN_CODE: the check cannot run here (no git checkout, no tool)


def tracked_files(root, suffixes):
    """Tracked files under `root` ending in one of `suffixes`, as paths relative to `root`."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        print("not a git checkout (or no git): check skipped")
        sys.exit(SKIP)
    names = [n for n in out.decode("utf-8", "replace").split("\0") if n]
    return sorted(n for n in names if n.endswith(tuple(suffixes))
                  and os.path.isfile(os.path.join(root, n)))


def generated_files(root, names):
    """The subset of `names` that is generated and so exempt from style checks."""
    gen = set()
    if names:
        out = subprocess.run(["git", "-C", root, "check-attr", "-z", "linguist-generated",
                              "--"] + list(names), check=True, capture_output=True).stdout
        parts = out.decode("utf-8", "replace").split("\0")
        for i in range(0, len(parts) - 2, 3):
            if parts[i + 2] in ("set", "true"):
                gen.add(parts[i])
    for n in names:
        try:
            with open(os.path.join(root, n), encoding="utf-8", errors="replace") as f:
                if "GENERATED" in f.readline():
                    gen.add(n)
        except OSError:
            pass
    return gen
