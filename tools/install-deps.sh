#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, from Debian 12's packages, what kiln needs to build and test (and, with --bench,
# to run the benchmarks). Installs only what is missing; safe to run again.
set -euo pipefail

pkgs=(cmake make gcc g++ clang-14 clang-format-14 python3 pkg-config git binutils llvm-14
      libcriterion-dev wabt libzydis-dev libjson-c-dev libclang-rt-14-dev)
if [[ ${1:-} == --bench ]]; then
    pkgs+=(libasmjit-dev libxbyak-dev nodejs npm wasi-libc libclang-rt-14-dev-wasm32 lld-14
           valgrind)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may have node from elsewhere; only ask apt for it when no node is on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs/}")
    missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]:-}"
((${#missing[@]})) || { echo "install-deps: everything is installed"; exit 0; }

SUDO=()
if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
    SUDO=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
