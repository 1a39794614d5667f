;; SPDX-License-Identifier: Apache-2.0
;; test_runtime_lifetime: funcrefs only in its own, unexported table: freed at once.
(module
  (type $v (func (result i32)))
  (table 2 funcref)
  (func $a (result i32) (i32.const 5))
  (elem (i32.const 0) $a)
  (func (export "run") (result i32) (call_indirect (type $v) (i32.const 0))))
