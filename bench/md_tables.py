#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown tables for docs/BENCHMARKS.md from one bench/run_all.sh result set, so the figures
in the document are copied by a program, not by hand.

  bench/md_tables.py bench/.work/results/<stamp>.txt
(reads <stamp>.txt for bench_asm and callgrind, <stamp>.run.json and <stamp>.compile.json)
"""
import json
import os
import re
import sys


def asm_tables(log):
    speed = dict(re.findall(r"^(\w+)\s+([0-9.]+) M instructions/s", log, re.M))
    ir = dict(re.findall(r"^(\w+)\s+([0-9.]+) Ir per emitted instruction", log, re.M))
    names = {"kiln_typed": "kiln typed emitters", "kiln_generic": "kiln generic (`x64_emit`)",
             "asmjit": "AsmJit `x86::Assembler`", "xbyak": "Xbyak"}
    target = {"kiln_typed": ">= 10", "kiln_generic": ">= 1.5"}
    out = []
    if speed:
        a = float(speed["asmjit"])
        out += ["| backend | M instructions/s | / AsmJit | target |", "| --- | ---: | ---: | --- |"]
        for k, v in speed.items():
            r = float(v) / a
            out.append("| %s | %s | %s | %s |" % (names.get(k, k), v,
                                                  ("**%.2f**" % r) if k in target else
                                                  ("1" if k == "asmjit" else "%.2f" % r),
                                                  target.get(k, "")))
        out.append("")
    if ir:
        a = float(ir["asmjit"])
        out += ["| backend | Ir per instruction | AsmJit Ir / backend Ir |",
                "| --- | ---: | ---: |"]
        for k, v in ir.items():
            out.append("| %s | %s | %.2f |" % (names.get(k, k).split(" (")[0], v, a / float(v)))
        out.append("")
    return out


def run_table(d):
    cols = ["native", "kiln", "liftoff", "turbofan"]
    out = ["| program | native | kiln | Liftoff | TurboFan | kiln/native | Liftoff/native | "
           "TurboFan/native | kiln/Liftoff |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in d["programs"].items():
        s = row["seconds"]
        cells = ["%.3f" % s[c] if c in s else "FAILED" for c in cols]
        rat = ["%.2f" % (s[c] / s["native"]) if c in s else "-" for c in cols[1:]]
        kl = "%.2f" % (s["kiln"] / s["liftoff"]) if "kiln" in s and "liftoff" in s else "-"
        out.append("| %s | %s | %s | %s |" % (name, " | ".join(cells), " | ".join(rat), kl))
    labels = {"all": "**geomean, all %d**", "tuning": "geomean, %d tuning",
              "held-out": "geomean, %d held-out"}
    counts = {"all": len(d["programs"]),
              "tuning": sum(not r["heldout"] for r in d["programs"].values()),
              "held-out": sum(r["heldout"] for r in d["programs"].values())}
    for k, g in d["geomean"].items():
        f = lambda key: ("%.2f" % g[key]) if g.get(key) else "-"
        kl = f("kiln/liftoff")
        if k == "all" and kl != "-":
            kl = "**%s**" % kl
        out.append("| %s | | | | | %s | %s | %s | %s |" % (
            labels[k] % counts[k], f("kiln/native"), f("liftoff/native"), f("turbofan/native"),
            kl))
    return out + [""]


def compile_tables(d):
    names = {"yosys": "yosys.core.wasm", "esbuild": "esbuild.wasm", "sql.js": "sql-wasm.wasm"}
    out = ["| module | size | Liftoff CPU | Liftoff MB/s | kiln CPU | kiln MB/s | kiln / Liftoff |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for k, r in d.items():
        if k.startswith("_"):
            continue
        lo = r["liftoff"].get("median_cpu_ms")
        km = r["kiln"].get("median_cpu_ms") if "failed" not in r["kiln"] else None
        f = lambda v, fmt: fmt % v if v is not None else "FAILED"
        rat = f(r.get("ratio"), "%.2f")
        out.append("| %s | %.2f MB | %s | %s | %s | %s | %s |" % (
            names.get(k, k), r["bytes"] / 1e6, f(lo, "%.0f ms"), f(r.get("liftoff_mb_s"), "%.1f"),
            f(km, "%.0f ms"), f(r.get("kiln_mb_s"), "%.1f"),
            ("**%s**" % rat) if k == "yosys" else rat))
    out.append("")
    cs = d.get("_code_size")
    if cs:
        out += ["| module | code section | kiln bytes | kiln / wasm byte | Liftoff bytes | "
                "Liftoff / wasm byte |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for k, r in cs.items():
            c, kb, lb = r["code_section_bytes"], r["kiln_code_bytes"], r["liftoff_code_bytes"]
            out.append("| %s | {:,} | %s | %s | %s | %s |".format(c) % (
                names.get(k, k.replace(".wasm", "")), "{:,}".format(int(kb)) if kb else "-",
                "%.2f" % (kb / c) if kb else "-", "{:,}".format(int(lb)) if lb else "-",
                "%.2f" % (lb / c) if lb else "-"))
        out.append("")
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    txt = sys.argv[1]
    stem = txt[:-4] if txt.endswith(".txt") else txt
    with open(txt) as f:
        log = f.read()
    print("\n".join(asm_tables(log)))
    if os.path.exists(stem + ".run.json"):
        with open(stem + ".run.json") as f:
            print("\n".join(run_table(json.load(f))))
    if os.path.exists(stem + ".compile.json"):
        with open(stem + ".compile.json") as f:
            print("\n".join(compile_tables(json.load(f))))


if __name__ == "__main__":
    main()
