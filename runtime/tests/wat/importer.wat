;; SPDX-License-Identifier: Apache-2.0
;; Imports exporter.wat's exports (registered as "ex") and uses them.
(module
  (import "ex" "double" (func $double (param i32) (result i32)))
  (import "ex" "g" (global $g (mut i64)))
  (import "ex" "m" (memory 1))
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func (export "g") (result i64) (global.get $g))
  (func (export "set_g") (param i64) (global.set $g (local.get 0)))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
