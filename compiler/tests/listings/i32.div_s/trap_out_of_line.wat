;; Trap paths are out of line: the checks for zero and INT_MIN / -1 jump forward to stubs placed
;; after the function's `ret` (kind 2 = divide by zero, 3 = overflow), so the straight-line path
;; falls through to `idiv`.
;; expect: test\s+r11d,r11d\n\s+\S+: [0-9a-f ]+je\s+\S+
;; expect: cdq\n\s+\S+: [0-9a-f ]+idiv\s+r11d
;; expect: ret\n(.*\n)*.*mov\s+esi,0x2\n(.*\n)*.*call\s+QWORD PTR \[r15\+0x40\]
;; expect: ret\n(.*\n)*.*mov\s+esi,0x3\n
(module (func (export "f") (param i32 i32) (result i32)
  (i32.div_s (local.get 0) (local.get 1))))
