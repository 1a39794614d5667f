;; SPDX-License-Identifier: Apache-2.0
;; Imports a WASI function: without WASI support the runtime reports an unknown import.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (func (export "_start")))
