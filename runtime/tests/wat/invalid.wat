;; SPDX-License-Identifier: Apache-2.0
;; Well-formed but invalid: the body returns i64 where i32 is declared (wat2wasm --no-check).
(module (func (result i32) (i64.const 1)))
