;; A comparison consumed by br_if stays in EFLAGS: `cmp` then `jl` straight to the label, no
;; `setcc`/`test` in between.
;; expect: wasm 0x[0-9a-f]+: i32.lt_s\n.*\n\s+\S+: [0-9a-f ]+cmp\s+eax,DWORD PTR \[rbp\+0x18\]\n  wasm 0x[0-9a-f]+: br_if\n\s+\S+: [0-9a-f ]+jl\s+\S+
;; expect-not: set[a-z]+\s
(module (func (export "f") (param i32 i32) (result i32)
  (block (local.get 0) (local.get 1) (i32.lt_s) (br_if 0) (return (i32.const 1)))
  (i32.const 2)))
