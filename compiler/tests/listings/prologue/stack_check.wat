;; Every prologue checks the stack limit: rsp - frame compared with vmctx->stack_limit
;; ([r15+0x10]); below it, a forward jump to the "call stack exhausted" stub (kind 10) after the
;; body. The frame size prints as the placeholder 0x12345670 (the bytes show the real one).
;; expect: prologue:\n(.*\n){2}.*mov\s+r11,rsp\n.*sub\s+r11,0x12345670\n.*cmp\s+r11,QWORD PTR \[r15\+0x10\]\n.*jb\s+\S+\n.*mov\s+rsp,r11
;; expect: ret\n(.*\n)*.*mov\s+esi,0xa\n(.*\n)*.*call\s+QWORD PTR \[r15\+0x40\]
(module (func (export "f") (result i32) (i32.const 42)))
