;; SPDX-License-Identifier: Apache-2.0
;; An active element segment past the end of its table: instantiation traps.
(module
  (table 1 funcref)
  (func $f)
  (elem (i32.const 1) $f)
)
