;; A comparison consumed by select becomes `cmp` + `cmov` (unsigned: `cmovae` picks the false
;; operand), no branch and no `setcc`.
;; expect: cmp\s+eax,DWORD PTR \[rbp\+0x18\]\n  wasm 0x[0-9a-f]+: select\n.*\n\s+\S+: [0-9a-f ]+cmovae\s+rax,QWORD PTR \[rbp\+0x28\]
;; expect-not: set[a-z]+\s
(module (func (export "f") (param i32 i32 i64 i64) (result i64)
  (select (local.get 2) (local.get 3) (i32.lt_u (local.get 0) (local.get 1)))))
