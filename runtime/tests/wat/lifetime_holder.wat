;; SPDX-License-Identifier: Apache-2.0
;; test_runtime_lifetime: holds funcrefs of other instances (its table and global) and calls
;; through them after those instances were freed.
(module
  (type $v (func (result i32)))
  (table $t (export "t") 4 funcref)
  (global $g (export "g") (mut funcref) (ref.null func))
  (func $seven (result i32) (i32.const 7))
  (elem (i32.const 2) $seven)
  (func (export "call") (param i32) (result i32) (call_indirect (type $v) (local.get 0)))
  (func (export "call_g") (result i32)
    (table.set $t (i32.const 3) (global.get $g))
    (call_indirect (type $v) (i32.const 3))))
