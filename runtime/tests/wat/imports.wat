;; SPDX-License-Identifier: Apache-2.0
;; Imports of every kind from "env", used through exports; a start function that counts.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "mem" (memory 1))
  (import "env" "counter" (global $counter (mut i32)))
  (import "env" "tab" (table 2 funcref))
  (func $start (global.set $counter (i32.add (global.get $counter) (i32.const 1))))
  (start $start)
  (func (export "add3") (param i32 i32 i32) (result i32)
    (call $add (call $add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "call_tab") (param i32 i32 i32) (result i32)
    (call_indirect (param i32 i32) (result i32) (local.get 0) (local.get 1) (local.get 2)))
  (elem (i32.const 1) $add)
  (export "add" (func $add))
)
