;; SPDX-License-Identifier: Apache-2.0
;; test_runtime_lifetime: writes its own funcrefs into an imported table (element segment at
;; instantiation, table.set at run time) and reads the holder's own function back through it.
(module
  (type $v (func (result i32)))
  (import "holder" "t" (table 4 funcref))
  (func $f42 (result i32) (i32.const 42))
  (func $f43 (result i32) (i32.const 43))
  (elem (i32.const 0) $f42)
  (elem declare func $f43)
  (func (export "set1") (table.set 0 (i32.const 1) (ref.func $f43)))
  (func (export "f43") (result i32) (i32.const 43))
  (func (export "call") (param i32) (result i32) (call_indirect (type $v) (local.get 0))))
