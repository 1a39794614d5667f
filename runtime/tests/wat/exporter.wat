;; SPDX-License-Identifier: Apache-2.0
;; Exports a function, a mutable global, a table holding a funcref and a memory with data.
(module
  (func $double (export "double") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
  (global (export "g") (mut i64) (i64.const -7))
  (table (export "t") 2 funcref)
  (elem (i32.const 0) $double)
  (memory (export "m") 1)
  (data (i32.const 16) "kiln")
  (func (export "bump") (global.set 0 (i64.add (global.get 0) (i64.const 1))))
)
