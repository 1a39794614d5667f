;; SPDX-License-Identifier: Apache-2.0
;; An active data segment past the end of memory: instantiation traps, the first segment stays.
(module
  (import "env" "mem" (memory 1))
  (data (i32.const 0) "ok")
  (data (i32.const 65535) "xx")
)
