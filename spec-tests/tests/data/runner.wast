;; SPDX-License-Identifier: Apache-2.0
;; Fixture for test_spec_runner: one command of each kind, two of them wrong on purpose
;; (lines marked FAILS), and one skipped by the test's skip list (marked SKIPPED).
(module $A
  (import "spectest" "print_i32" (func $print (param i32)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "two") (result i64 f64) (i64.const -1) (f64.const -0))
  (func $run (export "run") (call $run))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "print") (call $print (i32.const 42)))
  (global (export "g") i32 (i32.const 7))
)
(register "A" $A)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4)) ;; FAILS
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow") ;; FAILS
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "two") (i64.const -1) (f64.const -0))
(assert_return (get "g") (i32.const 7))
(assert_return (invoke $A "ext" (ref.extern 1)) (ref.extern 1))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(invoke "print")
(assert_exhaustion (invoke "run") "call stack exhausted")
(assert_return (invoke "add" (i32.const 2) (i32.const 2)) (i32.const 4))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
(assert_malformed (module quote "(func") "unexpected token")
(assert_unlinkable (module (import "A" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "A" "g" (func))) "incompatible import type")
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
(module (import "A" "g" (global i32)) (import "spectest" "memory" (memory 1)))
(assert_return (invoke $A "add" (i32.const 5) (i32.const 5)) (i32.const 11)) ;; SKIPPED
;; select.wast:324 as meant: wast2json 1.0.32 writes `(select (result))` as untyped select 0x1b.
(assert_invalid
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\0a\01\08\00\01\01\41\01\1c\00\0b")
  "invalid result arity")
