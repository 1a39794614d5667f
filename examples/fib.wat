;; SPDX-License-Identifier: Apache-2.0
;; The bundled example for `kiln run`: recursive and iterative Fibonacci.
;;   build/kiln run --invoke fib examples/fib.wasm 30        prints 832040
;;   build/kiln run --invoke fib_iter examples/fib.wasm 90   prints 2880067194370816120
;; examples/fib.wasm is committed; rebuild it with `wat2wasm examples/fib.wat -o examples/fib.wasm`.
(module
  ;; fib(n) = n for n < 2, else fib(n-1) + fib(n-2); exponential on purpose: it exercises calls.
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Linear time, 64-bit: fib_iter(90) still fits in an i64.
  (func (export "fib_iter") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; The golden ratio estimated from fib_iter: shows a float result.
  (func (export "phi") (param $n i32) (result f64)
    (f64.div
      (f64.convert_i64_s (call 1 (i32.add (local.get $n) (i32.const 1))))
      (f64.convert_i64_s (call 1 (local.get $n)))))
)
