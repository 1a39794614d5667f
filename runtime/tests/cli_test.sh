#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Behaviour of `kiln run`, `kiln compile` and `kiln validate` as a user sees it: output, stderr
# and exit status.
# usage: cli_test.sh KILN SOURCE_DIR WASM_DIR
KILN=$1
SRC=$2
WASM=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

# check NAME EXPECTED_RC EXPECTED_STDOUT EXPECTED_STDERR_SUBSTRING -- ARGS...
check() {
    name=$1 rc_want=$2 out_want=$3 err_want=$4
    shift 5
    "$KILN" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    if [ "$rc" != "$rc_want" ]; then
        echo "FAIL $name: exit $rc, expected $rc_want (stderr: $(cat "$TMP/err"))"
        failures=$((failures + 1))
    elif [ "$out_want" != "*" ] && [ "$out" != "$out_want" ]; then
        echo "FAIL $name: stdout '$out', expected '$out_want'"
        failures=$((failures + 1))
    elif [ -n "$err_want" ] && ! grep -qF -- "$err_want" "$TMP/err"; then
        echo "FAIL $name: stderr '$(cat "$TMP/err")' lacks '$err_want'"
        failures=$((failures + 1))
    else
        echo "ok   $name"
    fi
}

NL='
'
check readme_fib 0 "832040" "" -- run --invoke fib "$SRC/examples/fib.wasm" 30
check fib_iter 0 "2880067194370816120" "" -- run --invoke fib_iter "$SRC/examples/fib.wasm" 90
check phi 0 "1.618033988749895" "" -- run --invoke=phi "$SRC/examples/fib.wasm" 40
check spill_all 0 "832040" "" -- run --spill-all --invoke fib "$SRC/examples/fib.wasm" 30

# kiln validate: silent on a valid module whatever the thread count; usage errors exit 2.
check validate 0 "" "" -- validate "$SRC/examples/fib.wasm"
check validate_threads1 0 "" "" -- validate --threads 1 "$SRC/examples/fib.wasm"
check validate_threads64 0 "" "" -- validate --threads 64 "$SRC/examples/fib.wasm"
check validate_threads0 2 "" "--threads needs a number from 1 to 64 (got '0')" -- \
    validate --threads 0 "$SRC/examples/fib.wasm"
check validate_threads_junk 2 "" "(got '2x')" -- validate --threads 2x "$SRC/examples/fib.wasm"
check validate_threads_missing 2 "" "--threads needs a number" -- validate --threads
check validate_no_file 1 "" "cannot read" -- validate "$TMP/missing.wasm"

# Files of 1 MB or more are read another way (cli/read_file.c: memory of their own, huge pages
# asked for): fib.wasm with a 1.2 MB custom section after it must validate and run as fib.wasm
# does, and the same section cut short must be refused at the section's size.
octal() { printf "\\$(printf '%03o' "$1")"; }
big_custom() { # custom section "x" of $1 zero bytes, its size as a 5-byte LEB128
    v=$(($1 + 2))
    octal 0
    octal $(((v & 127) | 128)); octal $((((v >> 7) & 127) | 128))
    octal $((((v >> 14) & 127) | 128)); octal $((((v >> 21) & 127) | 128)); octal $((v >> 28))
    printf '\001x'
    head -c "$1" /dev/zero
}
{ cat "$SRC/examples/fib.wasm"; big_custom 1200000; } >"$TMP/big.wasm"
check validate_big 0 "" "" -- validate "$TMP/big.wasm"
check run_big 0 "832040" "" -- run --invoke fib "$TMP/big.wasm" 30
fib_size=$(wc -c <"$SRC/examples/fib.wasm")
head -c $((fib_size + 1100000)) "$TMP/big.wasm" >"$TMP/big_cut.wasm"
check validate_big_cut 1 "" "big_cut.wasm:$((fib_size + 1)): " -- validate "$TMP/big_cut.wasm"

V="$WASM/cli_values.wasm"
check i32_neg 0 "-5" "" -- run --invoke echo_i32 "$V" -5
check i32_unsigned 0 "-1" "" -- run --invoke echo_i32 "$V" 4294967295
check i32_hex 0 "16" "" -- run --invoke echo_i32 "$V" 0x10
check i32_range 2 "" "not a valid i32" -- run --invoke echo_i32 "$V" 4294967296
check i64_min 0 "-9223372036854775808" "" -- run --invoke echo_i64 "$V" -9223372036854775808
check f32_short 0 "0.1" "" -- run --invoke echo_f32 "$V" 0.1
check f32_int 0 "3" "" -- run --invoke echo_f32 "$V" 3
check f32_nan 0 "NaN" "" -- run --invoke echo_f32 "$V" nan
check f64_big 0 "1000000000000000000000" "" -- run --invoke echo_f64 "$V" 1e21
check f64_small 0 "0.000001" "" -- run --invoke echo_f64 "$V" 1e-6
check f64_negzero 0 "-0" "" -- run --invoke echo_f64 "$V" -0
check f64_inf 0 "-inf" "" -- run --invoke echo_f64 "$V" -inf
check two_results 0 "2.5${NL}7" "" -- run --invoke pair "$V" 7 2.5
check no_results 0 "" "" -- run --invoke none "$V"
check funcref_result 0 "<null funcref>" "" -- run --invoke null "$V"
check bad_arg 2 "" "argument 1 ('abc') is not a valid i32" -- run --invoke fib "$SRC/examples/fib.wasm" abc
check arg_count 2 "" "takes 1 argument (i32), got 0" -- run --invoke fib "$SRC/examples/fib.wasm"
check no_export 1 "" "no exported function 'nope'" -- run --invoke nope "$SRC/examples/fib.wasm"

T="$WASM/traps.wasm"
check trap_unreachable 1 "" "trap: unreachable" -- run --invoke unreachable "$T"
check trap_div 1 "" "trap: integer divide by zero" -- run --invoke div "$T" 1 0
check trap_oob 1 "" "trap: out of bounds memory access" -- run --invoke load "$T" -1
check trap_stack 1 "" "trap: call stack exhausted" -- run --invoke recurse "$T" 0
# With an unlimited stack, recursion must still trap (bounded budget), not exhaust memory.
if (ulimit -s unlimited) 2>/dev/null; then
    (
        ulimit -s unlimited
        before=$failures
        check trap_stack_unlimited 1 "" "trap: call stack exhausted" -- run --invoke recurse "$T" 0
        [ "$failures" = "$before" ]
    ) || failures=$((failures + 1))
fi

check reactor 0 "7" "" -- run --invoke get "$WASM/cli_reactor.wasm"
check command_start 1 "" "trap: unreachable" -- run "$WASM/cli_command.wasm"
check no_start 0 "" "" -- run "$V"
check wasi_import 1 "" "unknown import: \"wasi_snapshot_preview1\" \"proc_exit\"" -- run "$WASM/cli_wasi.wasm"
check wasi_note 1 "" "WASI is not supported yet" -- run "$WASM/cli_wasi.wasm"
check missing_file 1 "" "cannot read '$TMP/none.wasm'" -- run --invoke f "$TMP/none.wasm"
check not_wasm 1 "" "magic header not detected" -- run --invoke fib "$SRC/examples/fib.wat"
check no_file 2 "" "no FILE.wasm given" -- run
check bad_option 2 "" "unknown option '--bogus'" -- run --bogus x.wasm

check compile 0 "*" "" -- compile "$SRC/examples/fib.wasm"
grep -q "^functions: 3$" "$TMP/out" || { echo "FAIL compile: no 'functions: 3'"; failures=$((failures + 1)); }
grep -q "^throughput: .* MB/s$" "$TMP/out" || { echo "FAIL compile: no throughput"; failures=$((failures + 1)); }
check compile_listing 0 "*" "" -- compile "$SRC/examples/fib.wasm" --print-code
grep -q "^func\[0\]" "$TMP/out" || { echo "FAIL compile_listing: no func[0]"; failures=$((failures + 1)); }
grep -q "^  wasm 0x" "$TMP/out" || { echo "FAIL compile_listing: no wasm offsets"; failures=$((failures + 1)); }
grep -q "^    000000: 55  *push   rbp$" "$TMP/out" || { echo "FAIL compile_listing: no Intel-syntax prologue line"; failures=$((failures + 1)); }
grep -Eq "^    [0-9a-f]{6}: .*add    eax," "$TMP/out" || { echo "FAIL compile_listing: no i32.add as Intel text"; failures=$((failures + 1)); }
check compile_bad 1 "" "magic header not detected" -- compile "$SRC/examples/fib.wat"

if [ "$failures" != 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all passed"
