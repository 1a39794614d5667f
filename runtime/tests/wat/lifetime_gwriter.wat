;; SPDX-License-Identifier: Apache-2.0
;; test_runtime_lifetime: stores its own funcref into an imported global (a direct store from
;; generated code, which no runtime hook sees).
(module
  (import "holder" "g" (global (mut funcref)))
  (func $f44 (result i32) (i32.const 44))
  (elem declare func $f44)
  (func (export "setg") (global.set 0 (ref.func $f44))))
