;; Constants fold into immediates, and constant operations fold at compile time: `i32.const
;; 1000` becomes the imm32 of `add`, `2 + 3` is computed by the compiler and lands as the imm8
;; of `imul`; no register is loaded with a constant.
;; expect: add\s+eax,0x3e8
;; expect: imul\s+eax,eax,0x5
;; expect-not: mov\s+\w+,0x3e8
(module (func (export "f") (param i32) (result i32)
  (i32.mul (i32.add (local.get 0) (i32.const 1000)) (i32.add (i32.const 2) (i32.const 3)))))
