#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Frontend-only spec check: converts every top-level core .wast of the spec suite with wast2json,
# then asks the validator about every binary module: `module` commands (and the modules of
# assert_return/assert_trap/... scripts) must be accepted; assert_malformed and assert_invalid
# binary modules must be refused with the spec's text as a prefix of our message.
# SIMD files included (the validator is asked for all of WebAssembly 2.0).
# Usage: spec_check.py VALIDATOR SPEC_DIR WORK_DIR [--skip-prefix=PREFIX] [--kiln]
# VALIDATOR is the batch driver wdec_validate, or with --kiln the `kiln` binary, run as
# `kiln validate FILE` once per module (exit 0 silent, or exit 1 with `error: FILE:OFFSET: MSG`).
import json, os, subprocess, sys, glob

def main():
    validator, spec_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
    skip = [a.split('=', 1)[1] for a in sys.argv[4:] if a.startswith('--skip-prefix=')]
    os.makedirs(work, exist_ok=True)
    skip_lines = {}
    skip_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'spec_skip.txt')
    for line in open(skip_file):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        key, _, reason = line.partition(' ')
        if not reason.strip():
            print('spec_skip.txt: a skip needs a reason: %s' % line)
            return 1
        skip_lines[key] = reason.strip()
    wasts = sorted(glob.glob(os.path.join(spec_dir, '*.wast')))
    if not wasts:
        print('no .wast files under %s' % spec_dir)
        return 1
    expect = {}  # path -> (kind, text, where)
    skipped_files = []
    skipped_cmds = []
    for w in wasts:
        base = os.path.basename(w)[:-5]
        if any(base.startswith(p) for p in skip):
            skipped_files.append(base)
            continue
        out = os.path.join(work, base + '.json')
        r = subprocess.run(['wast2json', '--enable-all', w, '-o', out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print('wast2json failed on %s: %s' % (w, r.stderr.strip()))
            return 1
        with open(out) as f:
            cmds = json.load(f)['commands']
        for c in cmds:
            fn = c.get('filename')
            if not fn or not fn.endswith('.wasm'):
                continue
            t = c['type']
            path = os.path.join(work, fn)
            where = '%s.wast:%d' % (base, c['line'])
            if where in skip_lines:
                skipped_cmds.append(where)
                continue
            if t == 'module':
                expect[path] = ('valid', None, where)
            elif t in ('assert_malformed', 'assert_invalid'):
                if c.get('module_type', 'binary') != 'binary':
                    continue
                expect[path] = (t, c['text'], where)
            elif t in ('assert_unlinkable', 'assert_uninstantiable'):
                expect[path] = ('valid', None, where)
    paths = sorted(expect)
    got = {}
    if '--kiln' in sys.argv[4:]:
        # One `kiln validate` process per module, a few at a time (under ASan each start-up
        # costs tens of milliseconds and there are ~3,500 modules).
        from concurrent.futures import ThreadPoolExecutor
        def run_one(p):
            return subprocess.run([validator, 'validate', p], capture_output=True, text=True)
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            results = list(pool.map(run_one, paths))
        for p, r in zip(paths, results):
            if r.returncode == 0 and not r.stdout and not r.stderr:
                got[p] = ['ok']
                continue
            prefix = 'error: %s:' % p
            line = r.stderr.strip()
            if r.returncode == 1 and line.startswith(prefix) and not r.stdout:
                off, _, msg = line[len(prefix):].partition(': ')
                got[p] = [off, msg]
            else:
                got[p] = ['bad-cli-output', 'exit %d: %s' % (r.returncode, line[-200:])]
    else:
        r = subprocess.run([validator], input='\n'.join(paths) + '\n', capture_output=True,
                           text=True)
        if r.returncode != 0:
            print('validator exited with %d (crash?)\n%s' % (r.returncode, r.stderr[-2000:]))
            return 1
        for line in r.stdout.splitlines():
            parts = line.split('\t')
            got[parts[0]] = parts[1:]
    counts = {'valid': [0, 0], 'assert_malformed': [0, 0], 'assert_invalid': [0, 0]}
    failures = []
    for p in paths:
        kind, text, where = expect[p]
        res = got.get(p)
        counts[kind][1] += 1
        if res is None:
            failures.append('%s: no answer (crash?)' % where)
            continue
        if kind == 'valid':
            ok = res[0] == 'ok'
            msg = 'expected valid, got: %s' % ' '.join(res)
        else:
            ok = res[0] != 'ok' and len(res) >= 2 and res[1].startswith(text)
            msg = 'expected "%s", got: %s' % (text, ' '.join(res))
        if ok:
            counts[kind][0] += 1
        else:
            failures.append('%s (%s): %s' % (where, os.path.basename(p), msg))
    for f in failures:
        print('FAIL', f)
    for k, (a, b) in counts.items():
        print('%-17s %5d / %5d' % (k, a, b))
    if skipped_files:
        print('skipped files (--skip-prefix): %d' % len(skipped_files))
    if skipped_cmds:
        print('skipped commands (spec_skip.txt): %d' % len(skipped_cmds))
    total_ok = sum(a for a, b in counts.values())
    total = sum(b for a, b in counts.values())
    print('total            %5d / %5d judged right' % (total_ok, total))
    return 0 if not failures else 1

if __name__ == '__main__':
    sys.exit(main())
