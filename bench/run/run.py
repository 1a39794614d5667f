#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run time of bench/programs under kiln, V8 Liftoff, V8 TurboFan and native gcc -O2.

Each program is a reactor module exporting run(n); every runner is timed as a whole process
at the working n and at n = 0, and the difference of the two medians is the run time, so
process start, compile and instantiation drop out the same way for every runner. The time is
the child's CPU time (user + sys, from getrusage), which a busy shared machine disturbs far less
than wall-clock time; --wall uses wall-clock time instead. Runners are interleaved within each
repetition so that drift hits all of them alike.
Results must agree with native's for every runner; a failing kiln is reported, not fatal.

  bench/run/run.py --kiln BUILD/kiln [--runs 3] [--only nbody,...] [--json out.json]
  bench/run/run.py --kiln BUILD/kiln --check     (ctest bench_run_check: results only, small n)
"""
import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
PROGRAMS_DIR = os.path.join(BENCH, "programs")
WORK = os.path.join(BENCH, ".work", "run")

# name, n (about 0.3 s natively on the reference machine), held-out, n for --check
PROGRAMS = [
    ("nbody", 3000000, False, 30000),
    ("fannkuch", 10, False, 8),
    ("mandelbrot", 1200, False, 120),
    ("matmul", 1000, False, 10),
    ("hashmap", 1000, False, 10),
    ("quicksort", 15, False, 1),
    ("heldout_sha256", 1500, True, 15),
    ("heldout_interp", 2000000, True, 20000),
]

WASM_CC = ["clang-14", "--target=wasm32-wasi", "-O2", "-mexec-model=reactor",
           "-Wl,--strip-debug"]
NATIVE_CC = ["gcc", "-O2"]


def build(name, work=WORK):
    """Builds NAME.wasm and the native NAME from bench/programs into `work`."""
    os.makedirs(work, exist_ok=True)
    src = os.path.join(PROGRAMS_DIR, name + ".c")
    hdr = os.path.join(PROGRAMS_DIR, "bench_kernel.h")
    main = os.path.join(PROGRAMS_DIR, "native_main.c")
    wasm = os.path.join(work, name + ".wasm")
    exe = os.path.join(work, name)
    newest = max(os.path.getmtime(p) for p in (src, hdr, main))
    if not os.path.exists(wasm) or os.path.getmtime(wasm) < newest:
        subprocess.run(WASM_CC + ["-o", wasm, src], check=True)
    if not os.path.exists(exe) or os.path.getmtime(exe) < newest:
        subprocess.run(NATIVE_CC + ["-o", exe, src, main, "-lm"], check=True)
    return wasm, exe


def runners(kiln):
    v8 = os.path.join(HERE, "v8_run.js")
    r = {"native": lambda wasm, exe, n: [exe, str(n)]}
    if kiln:
        r["kiln"] = lambda wasm, exe, n: [kiln, "run", "--invoke", "run", wasm, str(n)]
    r["liftoff"] = lambda wasm, exe, n: ["node", "--liftoff-only", v8, wasm, str(n)]
    r["turbofan"] = lambda wasm, exe, n: ["node", "--no-liftoff", v8, wasm, str(n)]
    return r


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(argv, timeout, wall=False):
    """Runs argv; returns (seconds, stdout) or (None, why it failed)."""
    clock = time.perf_counter if wall else child_cpu
    t0 = clock()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout after %d s" % timeout
    except OSError as e:
        return None, "cannot run %s: %s" % (argv[0], e.strerror)
    dt = clock() - t0
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip() or "no output").splitlines()[0]
        return None, "exit %d: %s" % (p.returncode, msg)
    return dt, p.stdout.strip()


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def check_report(results):
    """--check: one line per program and runner; exit status 1 on any failure or mismatch."""
    ok = True
    for name, row in results.items():
        for r, msg in row["failed"].items():
            ok = False
            print("%s n=%d: %s FAILED: %s" % (name, row["n"], r, msg))
        for r, same in row["agree"].items():
            ok &= same
            print("%s n=%d: %s %s %s" % (name, row["n"], r, row["output"][r],
                                         "ok" if same else "DIFFERS from native %r" %
                                         row["output"].get("native")))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kiln", help="path to the kiln binary (omit to run the peers only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="comma-separated program names")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--wall", action="store_true", help="time wall-clock instead of CPU time")
    ap.add_argument("--work", default=WORK, help="where to build the programs (%(default)s)")
    ap.add_argument("--runners", help="comma-separated subset of native,kiln,liftoff,turbofan")
    ap.add_argument("--check", action="store_true",
                    help="only check that every runner agrees with native, at a small n")
    args = ap.parse_args()
    for tool in ("clang-14", "gcc", "node"):
        if not shutil.which(tool):
            sys.exit("run.py: %s not found" % tool)
    kiln = os.path.abspath(args.kiln) if args.kiln else None
    progs = [(name, check_n if args.check else n, held)
             for name, n, held, check_n in PROGRAMS
             if not args.only or name in args.only.split(",")]
    if args.check:
        args.runs = 1
    rs = runners(kiln)
    if args.runners:
        rs = {k: v for k, v in rs.items() if k in args.runners.split(",") or k == "native"}
    names = list(rs)
    results = {}
    for name, n, held in progs:
        wasm, exe = build(name, args.work)
        t_n = {r: [] for r in names}
        t_0 = {r: [] for r in names}
        out = {}
        failed = {}
        for _ in range(args.runs):
            for r in names:
                if r in failed:
                    continue
                for nn, bucket in ((n, t_n),) if args.check else ((n, t_n), (0, t_0)):
                    dt, text = timed(rs[r](wasm, exe, nn), args.timeout, args.wall)
                    if dt is None:
                        failed[r] = text
                        break
                    bucket[r].append(dt)
                    if nn == n:
                        out[r] = text
        row = {"n": n, "heldout": held, "seconds": {}, "output": out, "failed": failed}
        for r in names:
            if r not in failed and t_0[r]:
                row["seconds"][r] = max(statistics.median(t_n[r]) - statistics.median(t_0[r]),
                                        1e-6)
        ref = out.get("native")
        row["agree"] = {r: (out.get(r) == ref) for r in out}
        results[name] = row

    if args.check:
        return check_report(results)

    # --- Report ---
    cols = names
    print("run time in seconds (%s): median of %d process runs at n, minus median at n=0" %
          ("wall-clock" if args.wall else "CPU user+sys", args.runs))
    print("%-16s %8s" % ("program", "n") + "".join("%11s" % c for c in cols) +
          "".join("%16s" % ("%s/native" % c) for c in cols if c != "native") +
          ("%14s" % "kiln/liftoff" if "kiln" in cols else ""))
    for name, row in results.items():
        s = row["seconds"]
        line = "%-16s %8d" % (name + ("*" if row["heldout"] else ""), row["n"])
        for c in cols:
            line += "%11.3f" % s[c] if c in s else "%11s" % "FAILED"
        for c in cols:
            if c != "native":
                line += ("%16.2f" % (s[c] / s["native"])) if c in s and "native" in s \
                    else "%16s" % "-"
        if "kiln" in cols:
            line += ("%14.2f" % (s["kiln"] / s["liftoff"])) if "kiln" in s and "liftoff" in s \
                else "%14s" % "-"
        print(line)
    summary = {}
    for label, sel in (("all", lambda r: True), ("tuning", lambda r: not r["heldout"]),
                       ("held-out", lambda r: r["heldout"])):
        rows = [r for r in results.values() if sel(r)]
        if not rows:
            continue
        g = {}
        for c in cols:
            if c != "native":
                g[c + "/native"] = geomean([r["seconds"][c] / r["seconds"]["native"]
                                            for r in rows if c in r["seconds"]])
        if "kiln" in cols:
            g["kiln/liftoff"] = geomean([r["seconds"]["kiln"] / r["seconds"]["liftoff"]
                                         for r in rows
                                         if "kiln" in r["seconds"] and "liftoff" in r["seconds"]])
        summary[label] = g
        print("geomean %-9s " % label + "  ".join(
            "%s %s" % (k, "%.2f" % v if v else "-") for k, v in g.items()))
    print("* held-out: not looked at while tuning the compiler")
    bad = []
    for name, row in results.items():
        for r, msg in row["failed"].items():
            print("%s: %s FAILED: %s" % (name, r, msg))
        for r, ok in row["agree"].items():
            if not ok:
                bad.append(name)
                print("%s: %s printed %r, native %r: RESULTS DISAGREE" %
                      (name, r, row["output"][r], row["output"].get("native")))
    if not bad:
        print("results: every runner that ran printed the same result as native")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": args.runs, "clock": "wall" if args.wall else "cpu", "programs": results, "geomean": summary}, f, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
