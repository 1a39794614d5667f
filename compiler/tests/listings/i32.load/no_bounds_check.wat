;; 32-bit memory accesses have no bounds check: the guard region faults instead. The load is one
;; instruction addressing [r14 (memory base) + index + offset]; nothing compares the index with
;; the memory size, and a constant address folds into the displacement.
;; expect: wasm 0x[0-9a-f]+: i32.load\n\s+\S+: [0-9a-f ]+mov\s+r11d,DWORD PTR \[rbp\+0x10\]\n\s+\S+: [0-9a-f ]+mov\s+eax,DWORD PTR \[r14\+r11\*1\+0x10\]\n  wasm
;; expect: wasm 0x[0-9a-f]+: i32.load8_u\n\s+\S+: [0-9a-f ]+movzx\s+ecx,BYTE PTR \[r14\+0x7\]\n  wasm
;; expect-not: \[r15\+0x8\]|\bcmp\s+(eax|r11d|ecx)
(module (memory 1) (func (export "f") (param i32) (result i32)
  (i32.add (i32.load offset=16 (local.get 0)) (i32.load8_u (i32.const 7)))))
