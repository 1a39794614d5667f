;; SPDX-License-Identifier: Apache-2.0
;; A command whose `_start` traps, to show `kiln run FILE` calls it.
(module (func (export "_start") (unreachable)))
