;; SPDX-License-Identifier: Apache-2.0
;; Values for `kiln run` printing and argument parsing (runtime/tests/cli_test.sh).
(module
  (func (export "echo_i32") (param i32) (result i32) (local.get 0))
  (func (export "echo_i64") (param i64) (result i64) (local.get 0))
  (func (export "echo_f32") (param f32) (result f32) (local.get 0))
  (func (export "echo_f64") (param f64) (result f64) (local.get 0))
  (func (export "pair") (param i32 f64) (result f64 i32) (local.get 1) (local.get 0))
  (func (export "none"))
  (func (export "null") (result funcref) (ref.null func))
)
