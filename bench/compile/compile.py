#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compile speed and code size of kiln next to V8 Liftoff on large real modules (from npm).

Compile speed: `kiln compile FILE` and V8 with `--liftoff-only --no-wasm-lazy-compilation
--single-threaded` timing `new WebAssembly.Module(bytes)` in-process (v8_compile.js). The
primary figure is CPU time, because the shared machine makes wall-clock time meaningless: V8's
in-process CPU time around the compile call; kiln's own `cpu time:` line if it prints one, else
the whole kiln process's CPU time (file read and exit included, so kiln is the one penalised).
Wall-clock figures are printed too. MB/s is always file bytes / 1e6 over the median time.
Code size (--code-size): machine-code bytes per byte of the code section, kiln from `kiln
compile`, Liftoff by summing `Instructions (size = N)` of `--print-wasm-code` (that listing is
huge, so only modules below --liftoff-size-limit get a Liftoff figure).

  bench/compile/compile.py --kiln BUILD/kiln [--runs 5] [--code-size] [--json out.json]
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
NM = os.path.join(BENCH, "node_modules")
MODULES = [
    ("yosys", os.path.join(NM, "@yowasp/yosys/gen/yosys.core.wasm")),
    ("esbuild", os.path.join(NM, "esbuild-wasm/esbuild.wasm")),
    ("sql.js", os.path.join(NM, "sql.js/dist/sql-wasm.wasm")),
]
V8_FLAGS = ["--liftoff-only", "--no-wasm-lazy-compilation", "--single-threaded"]


def uleb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def code_section_size(path):
    """Bytes of the code section's payload (section id 10)."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, pos = uleb(buf, pos + 1)
        if sid == 10:
            return size
        pos += size
    return 0


def uses_simd(path):
    """True/False from wabt's validator with SIMD disabled; None if wasm-validate is missing."""
    try:
        p = subprocess.run(["wasm-validate", "--disable-simd", path], capture_output=True,
                           text=True, timeout=600)
    except FileNotFoundError:
        return None
    return p.returncode != 0


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


NUM = r"([0-9][0-9,]*(?:\.[0-9]+)?)"


def parse_kiln_compile(text):
    """Pulls the figures out of `kiln compile`'s summary lines (`functions: N`, ...)."""
    def grab(pattern):
        m = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        return float(m.group(1).replace(",", "")) if m else None
    return {
        "functions": grab(r"^functions:[ \t]*" + NUM),
        "wasm_bytes": grab(r"^wasm bytes:[ \t]*" + NUM),
        "code_bytes": grab(r"^machine[ -]code bytes:[ \t]*" + NUM),
        "ms": grab(r"^time:[ \t]*" + NUM + r"[ \t]*ms\b"),
        "cpu_ms": grab(r"^cpu time:[ \t]*" + NUM + r"[ \t]*ms\b"),
        "mb_per_s": grab(r"^throughput:[ \t]*" + NUM + r"[ \t]*MB/s"),
    }


def run_kiln(kiln, path, runs):
    out = []
    for _ in range(runs):
        c0, t0 = child_cpu(), time.perf_counter()
        try:
            p = subprocess.run([kiln, "compile", path], capture_output=True, text=True,
                               timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            return {"failed": str(e)}
        wall, cpu = time.perf_counter() - t0, child_cpu() - c0
        if p.returncode != 0:
            msg = (p.stderr.strip() or p.stdout.strip() or "no output").splitlines()[0]
            return {"failed": "exit %d: %s" % (p.returncode, msg)}
        fig = parse_kiln_compile(p.stdout + "\n" + p.stderr)
        fig.update(process_wall_ms=wall * 1e3, process_cpu_ms=cpu * 1e3, text=p.stdout.strip())
        out.append(fig)
    res = {"runs": out, "text": out[-1]["text"]}
    for k in ("ms", "cpu_ms", "process_wall_ms", "process_cpu_ms"):
        vals = [r[k] for r in out if r.get(k)]
        res["median_" + k] = statistics.median(vals) if vals else None
    res["code_bytes"] = out[-1].get("code_bytes")
    res["functions"] = out[-1].get("functions")
    if res["median_cpu_ms"] is not None:
        res["cpu_source"] = "kiln's own cpu time"
    else:
        res["median_cpu_ms"] = res["median_process_cpu_ms"]
        res["cpu_source"] = "whole kiln process (read + decode + compile + exit)"
    if res["median_ms"] is None:
        res["failed"] = "could not read a time from: %r" % res["text"][:200]
    return res


def run_v8(path, runs):
    p = subprocess.run(["node"] + V8_FLAGS + [os.path.join(HERE, "v8_compile.js"), path,
                                              str(runs)],
                       capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        return {"failed": (p.stderr.strip() or "node failed").splitlines()[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def liftoff_code_bytes(path):
    """Sum of Liftoff instruction bytes over every function, from --print-wasm-code."""
    loader = "new WebAssembly.Module(require('fs').readFileSync(process.argv[1]))"
    p = subprocess.Popen(["node"] + V8_FLAGS + ["--print-wasm-code", "-e", loader, path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    compiler, total, funcs = None, 0, 0
    for line in p.stdout:
        if line.startswith("compiler: "):
            compiler = line.split()[1]
        elif line.startswith("Instructions (size = ") and compiler == "Liftoff":
            total += int(re.match(r"Instructions \(size = (\d+)", line).group(1))
            funcs += 1
    p.wait()
    return (total, funcs) if p.returncode == 0 and funcs else (None, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kiln", help="path to the kiln binary (omit for V8 only)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", help="comma-separated module names: yosys,esbuild,sql.js")
    ap.add_argument("--code-size", action="store_true", help="also measure code size")
    ap.add_argument("--extra", nargs="*", default=[], help="more .wasm files (code size only)")
    ap.add_argument("--liftoff-size-limit", type=int, default=2_000_000,
                    help="largest module (bytes) whose Liftoff listing is parsed")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    mods = [m for m in MODULES if not args.only or m[0] in args.only.split(",")]
    missing = [p for _, p in mods if not os.path.exists(p)]
    if missing:
        sys.exit("compile.py: %s missing; run `npm ci` in bench/ (bench/run_all.sh does)" %
                 missing[0])
    kiln = os.path.abspath(args.kiln) if args.kiln else None
    results = {}
    print("compile speed (CPU time): MB = 1e6 bytes of the whole .wasm file; median of %d runs"
          % args.runs)
    print("%-8s %10s %6s %12s %12s %12s %12s %9s" % ("module", "bytes", "SIMD", "liftoff ms",
                                                     "liftoff MB/s", "kiln ms", "kiln MB/s",
                                                     "kiln/lo"))
    for name, path in mods:
        size = os.path.getsize(path)
        row = {"path": os.path.relpath(path, BENCH), "bytes": size, "simd": uses_simd(path),
               "code_section_bytes": code_section_size(path)}
        row["liftoff"] = run_v8(path, args.runs)
        row["kiln"] = run_kiln(kiln, path, args.runs) if kiln else {"failed": "no --kiln given"}
        lo = row["liftoff"].get("median_cpu_ms")
        km = row["kiln"].get("median_cpu_ms") if "failed" not in row["kiln"] else None
        lo_mbs = size / 1e6 / (lo / 1e3) if lo else None
        k_mbs = size / 1e6 / (km / 1e3) if km else None
        row["liftoff_mb_s"], row["kiln_mb_s"] = lo_mbs, k_mbs
        row["ratio"] = k_mbs / lo_mbs if k_mbs and lo_mbs else None
        fmt = lambda v, f: (f % v) if v is not None else "FAILED"
        print("%-8s %10d %6s %12s %12s %12s %12s %9s" % (
            name, size, {True: "yes", False: "no", None: "?"}[row["simd"]], fmt(lo, "%.1f"),
            fmt(lo_mbs, "%.2f"), fmt(km, "%.1f"), fmt(k_mbs, "%.2f"),
            fmt(row["ratio"], "%.2f")))
        results[name] = row
    for name, row in results.items():
        if "failed" in row["kiln"]:
            print("%s: kiln FAILED: %s" % (name, row["kiln"]["failed"]))
        else:
            k = row["kiln"]
            print("%s: kiln CPU from %s; wall: own %.1f ms, process %.1f ms; kiln says: %s" % (
                name, k["cpu_source"], k["median_ms"], k["median_process_wall_ms"],
                " | ".join(k["text"].splitlines()[-5:])))
        if "failed" in row["liftoff"]:
            print("%s: V8 FAILED: %s" % (name, row["liftoff"]["failed"]))
        else:
            print("%s: liftoff wall %.1f ms (%.2f MB/s); all CPU ms %s" % (
                name, row["liftoff"]["median_wall_ms"], row["liftoff"]["mb_per_s_wall"],
                row["liftoff"]["cpu_ms"]))

    if args.code_size:
        print("\ncode size: machine-code bytes per code-section byte")
        print("%-22s %12s %12s %10s %12s %10s" % ("module", "code sect.", "kiln bytes",
                                               "kiln/B", "liftoff B", "liftoff/B"))
        targets = [(n, p) for n, p in mods] + [(os.path.basename(p), p) for p in args.extra]
        sizes = {}
        for name, path in targets:
            cs = code_section_size(path)
            kb = None
            if kiln:
                r = results.get(name, {}).get("kiln") or run_kiln(kiln, path, 1)
                kb = r.get("code_bytes") if "failed" not in r else None
            lb = None
            if os.path.getsize(path) <= args.liftoff_size_limit:
                lb, _ = liftoff_code_bytes(path)
            sizes[name] = {"code_section_bytes": cs, "kiln_code_bytes": kb,
                           "liftoff_code_bytes": lb}
            fmt = lambda v, f: (f % v) if v is not None else "-"
            print("%-22s %12d %12s %10s %12s %10s" % (
                name, cs, fmt(kb, "%d"), fmt(kb / cs if kb else None, "%.2f"), fmt(lb, "%d"),
                fmt(lb / cs if lb else None, "%.2f")))
        print("liftoff '-': listing not parsed for modules over %d bytes (--liftoff-size-limit)"
              % args.liftoff_size_limit)
        results["_code_size"] = sizes
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
