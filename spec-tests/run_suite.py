#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs `kiln wast` over every core non-SIMD .wast of the suite (one process per file, so a crash
# costs one file) and writes a Markdown report: totals, a row per file, and each failing file's
# failures grouped by cause, for the people fixing compiler/ and runtime/.
# usage: run_suite.py --kiln build/kiln [--spec-dir DIR] [--out FILE.md] [--jobs 2] [--timeout S]
#                     [--kiln-arg=--spill-all] [FILE.wast ...]
import argparse
import concurrent.futures
import datetime
import glob
import os
import re
import signal
import subprocess
import sys

SUMMARY = re.compile(r"^(.*): (\d+) passed, (\d+) failed, (\d+) skipped$")
FAILED = re.compile(r"^  (.*?):(\d+): (\S+) failed: (.*)$")
PASSED = re.compile(r"^  (.*?):(\d+): (\S+) (passed|skipped)")
ACTION = re.compile(r'^(invoke|get) "(.*?)": (.*)$')


def cause_of(kind, why):
    """A short key that failures with the same cause share, and the function involved."""
    func = None
    m = ACTION.match(why)
    if m:
        func, why = m.group(2), m.group(3)
    if why.startswith("expected (") and ", got trap" in why:
        key = "unexpected trap " + why.split(", got trap ", 1)[1]
    elif why.startswith("expected (") or why.startswith("expected no trap"):
        key = "wrong result" if "got trap" not in why else why.split(", ", 1)[1]
    elif why.startswith("expected trap"):
        exp = why.split('"')[1]
        got = why.split(", got ", 1)[1]
        key = f'expected trap "{exp}", got ' + ("a different trap " + got[5:] if
                                                 got.startswith("trap ") else "a return")
    elif why.startswith("no module") or why.startswith("no current module") or \
            (why.startswith("register") and "no module" in why):
        key = "no module to use: an earlier module command failed"
    else:
        # Module-level failures: keep the statuses and texts, drop offsets and numbers.
        key = re.sub(r"0x[0-9a-f]+|\b\d+\b", "N", why)
        key = re.sub(r"/tmp/kiln-wast-\w+/", "", key)
        key = re.sub(r"[\w-]+\.N\.wasm", "X.wasm", key)
    return f"{kind}: {key}", func


def run_one(kiln, extra, wast, timeout):
    name = os.path.basename(wast)
    try:
        p = subprocess.run([kiln, "wast", "-v"] + extra + [wast], capture_output=True, text=True,
                           errors="replace", timeout=timeout)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode("utf-8", "replace") if isinstance(e.stdout, bytes) else \
            (e.stdout or "")
        rc = "timeout"
    res = {"name": name, "passed": 0, "failed": 0, "skipped": 0, "failures": [],
           "crash": None, "last": None, "stderr": ""}
    done = False
    for line in out.splitlines():
        m = SUMMARY.match(line)
        if m and m.group(1) == wast:
            res["passed"], res["failed"], res["skipped"] = map(int, m.group(2, 3, 4))
            done = True
            continue
        m = FAILED.match(line)
        if m:
            res["failures"].append((int(m.group(2)), m.group(3), m.group(4)))
            res["last"] = int(m.group(2))
            continue
        m = PASSED.match(line)
        if m:
            res["last"] = int(m.group(2))
    if not done:
        if rc == "timeout":
            res["crash"] = f"timed out after {timeout} s"
        elif isinstance(rc, int) and rc < 0:
            res["crash"] = f"killed by {signal.Signals(-rc).name}"
        else:
            res["crash"] = f"exited {rc} without a summary"
        res["passed"] = sum(1 for line in out.splitlines() if PASSED.match(line) and
                            line.rstrip().endswith("passed"))
        res["failed"] = len(res["failures"])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--spec-dir", default=os.path.join(here, "..", "..", "shared",
                                                       "wasm-testsuite"))
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--kiln-arg", action="append", default=[],
                    help="extra argument for `kiln wast`, e.g. --kiln-arg=--spill-all")
    ap.add_argument("files", nargs="*", help="only these .wast base names")
    args = ap.parse_args()

    wasts = sorted(w for w in glob.glob(os.path.join(args.spec_dir, "*.wast"))
                   if not os.path.basename(w).startswith("simd_"))
    if args.files:
        wasts = [w for w in wasts if os.path.basename(w) in args.files]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda w: run_one(args.kiln, args.kiln_arg, w, args.timeout), wasts))

    tp = sum(r["passed"] for r in results)
    tf = sum(r["failed"] for r in results)
    ts = sum(r["skipped"] for r in results)
    crashed = [r for r in results if r["crash"]]
    clean = [r for r in results if not r["crash"] and r["failed"] == 0]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Spec suite failures (written by spec-tests/run_suite.py)",
        "",
        f"Run at {now}: `{' '.join(sys.argv)}`",
        "",
        f"**{tp} passed, {tf} failed, {ts} skipped** over {len(results)} core non-SIMD files; "
        f"{len(clean)} files fully pass, {len(crashed)} crashed or timed out (their commands "
        "after the crash are not counted).",
        "",
        "| file | passed | failed | skipped | note |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        note = ""
        if r["crash"]:
            note = f"**{r['crash']}** after line {r['last']}"
        lines.append(f"| {r['name']} | {r['passed']} | {r['failed']} | {r['skipped']} | {note} |")
    lines.append("")
    for r in results:
        if not r["failures"] and not r["crash"]:
            continue
        lines.append(f"## {r['name']}: {r['failed']} failed" +
                     (f", {r['crash']} after line {r['last']}" if r["crash"] else ""))
        groups = {}
        for line, kind, why in r["failures"]:
            key, func = cause_of(kind, why)
            g = groups.setdefault(key, {"lines": [], "funcs": [], "example": why})
            g["lines"].append(line)
            if func and func not in g["funcs"]:
                g["funcs"].append(func)
        for key, g in sorted(groups.items(), key=lambda kv: -len(kv[1]["lines"])):
            shown = ", ".join(map(str, g["lines"][:12])) + (" ..." if len(g["lines"]) > 12
                                                            else "")
            lines.append(f"- {len(g['lines'])} x {key} (lines {shown})")
            if g["funcs"]:
                fs = ", ".join(f"`{f}`" for f in g["funcs"][:15])
                lines.append(f"  - functions: {fs}" + (" ..." if len(g["funcs"]) > 15 else ""))
            lines.append(f"  - e.g. `{g['example'][:300]}`")
        lines.append("")
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            f.write(text)
        os.replace(args.out + ".tmp", args.out)
    print(f"{tp} passed, {tf} failed, {ts} skipped; {len(clean)}/{len(results)} files clean, "
          f"{len(crashed)} crashed")
    return 0 if tf == 0 and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
