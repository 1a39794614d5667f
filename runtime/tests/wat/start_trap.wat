;; SPDX-License-Identifier: Apache-2.0
;; A start function that traps: instantiation fails with the trap.
(module (func $s (unreachable)) (start $s))
