#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Golden listings (ctest compiler.listings, label `golden`): each listings/<op>/<case>.wat is
# converted with wat2wasm and compiled by `kiln compile --print-code`; the listing (everything
# before the `functions:` summary) must equal <case>.expected. Each .wat also states its codegen
# claim as `;; expect: REGEX` / `;; expect-not: REGEX` lines, checked against the listing in every
# mode, so re-blessing cannot quietly drop what the case is there to show.
# Rebless after a codegen change (then review the diff like code and commit it):
#   KILN_BLESS=1 ctest --test-dir build -L golden      or      check_listings.py --bless ...
# usage: check_listings.py --kiln KILN --wat2wasm WAT2WASM [--bless] LISTINGS_DIR
import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile


def listing(kiln, wat2wasm, wat, tmp):
    wasm = os.path.join(tmp, "case.wasm")
    subprocess.run([wat2wasm, wat, "-o", wasm], check=True)
    out = subprocess.run([kiln, "compile", "--print-code", wasm], check=True,
                         capture_output=True, text=True).stdout
    lines = []
    for line in out.splitlines():
        if line.startswith("functions:"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n"


def claims(wat):
    with open(wat, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^;; (expect|expect-not): (.*)$", line.rstrip("\n"))
            if m:
                yield m.group(1), m.group(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--wat2wasm", required=True)
    ap.add_argument("--bless", action="store_true")
    ap.add_argument("dir")
    args = ap.parse_args()
    bless = args.bless or os.environ.get("KILN_BLESS") == "1"
    cases = sorted(os.path.join(root, name) for root, _, names in os.walk(args.dir)
                   for name in names if name.endswith(".wat"))
    if not cases:
        print(f"no .wat cases under {args.dir}")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for wat in cases:
            rel = os.path.relpath(wat, args.dir)
            text = listing(args.kiln, args.wat2wasm, wat, tmp)
            problems = []
            n = 0
            for kind, pattern in claims(wat):
                n += 1
                found = re.search(pattern, text, re.MULTILINE) is not None
                if found != (kind == "expect"):
                    problems.append(f"{kind} {pattern!r} " +
                                    ("not found" if kind == "expect" else "found"))
            if n == 0:
                problems.append("no `;; expect:` claim: say what this case shows")
            expected_path = wat[:-4] + ".expected"
            if bless:
                with open(expected_path, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                try:
                    with open(expected_path, encoding="utf-8") as f:
                        expected = f.read()
                except FileNotFoundError:
                    expected = None
                    problems.append(f"{os.path.relpath(expected_path, args.dir)} is missing "
                                    f"(KILN_BLESS=1 writes it)")
                if expected is not None and expected != text:
                    diff = difflib.unified_diff(expected.splitlines(), text.splitlines(),
                                                "expected", "kiln", lineterm="")
                    problems.append("listing differs (if the codegen change is intended: "
                                    "KILN_BLESS=1 ctest -L golden, review, commit):\n" +
                                    "\n".join(diff))
            if problems:
                failed += 1
                print(f"FAIL {rel}")
                for p in problems:
                    print("  " + p)
                if any(p.startswith("expect") for p in problems):
                    print(text)
            else:
                print(f"ok   {rel} ({n} claims){' (blessed)' if bless else ''}")
    print(f"{len(cases)} listings, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
