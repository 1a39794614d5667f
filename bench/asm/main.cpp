// SPDX-License-Identifier: Apache-2.0
// bench_asm: emit speed of kiln's typed emitters and generic checked path next to AsmJit and
// Xbyak, in one process and one run (ratios mean more than absolute figures on a shared
// machine). First checks that every backend produced the same bytes, then times them
// interleaved (thread CPU time, samples of >= 20 ms) and prints the median M instructions/s of
// each and the ratios to AsmJit.
//   bench_asm [--blocks N] [--runs R] [--only BACKEND] [--check]
// `--check` stops after the byte comparison (the ctest bench_asm_check).
// One emit call is one "function": a fresh buffer, 50 blocks (~8 KB of code) by default; with
// --blocks 2000 (~340 KB per buffer) allocation and page faults dominate every backend.
// `--only` emits once with one backend and skips the check: the callgrind variant
// (bench/asm/callgrind.sh) counts instructions inside `mix_emit_<backend>` that way.
#include "mix.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace
{

struct Backend {
    const char *name;
    mix_emit_fn fn;
};

const Backend k_backends[] = {
#ifdef BENCH_HAVE_KILN
    {"kiln_cursor", mix_emit_kiln_cursor},
    {"kiln_typed", mix_emit_kiln_typed},
    {"kiln_generic", mix_emit_kiln_generic},
#endif
#ifdef BENCH_HAVE_ASMJIT
    {"asmjit", mix_emit_asmjit},
#endif
#ifdef BENCH_HAVE_XBYAK
    {"xbyak", mix_emit_xbyak},
#endif
};
const size_t k_nbackends = sizeof(k_backends) / sizeof(k_backends[0]);

// Thread CPU time, not wall-clock: the machine is shared, and time spent preempted would
// otherwise land on whichever backend happened to be running.
double now_s()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int usage()
{
    std::fprintf(stderr,
                 "usage: bench_asm [--blocks N] [--runs R] [--only BACKEND] [--check]\nbackends:");
    for (const Backend &b : k_backends)
        std::fprintf(stderr, " %s", b.name);
    std::fprintf(stderr, "\n");
    return 2;
}

// Byte-for-byte comparison against the reference; reports the first difference.
bool same_bytes(const char *name, const std::vector<uint8_t> &got, const char *ref_name,
                const std::vector<uint8_t> &ref)
{
    if (got == ref)
        return true;
    size_t n = std::min(got.size(), ref.size()), at = 0;
    while (at < n && got[at] == ref[at])
        at++;
    std::printf("MISMATCH %s vs %s: sizes %zu vs %zu, first difference at byte %zu:\n", name,
                ref_name, got.size(), ref.size(), at);
    size_t from = at >= 8 ? at - 8 : 0;
    std::printf("  %-12s", name);
    for (size_t i = from; i < std::min(got.size(), at + 16); i++)
        std::printf(" %02x", got[i]);
    std::printf("\n  %-12s", ref_name);
    for (size_t i = from; i < std::min(ref.size(), at + 16); i++)
        std::printf(" %02x", ref[i]);
    std::printf("\n");
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    size_t blocks = 50; // ~1,800 instructions, ~8 KB: a mid-sized Wasm function
    int runs = 11;
    const char *only = nullptr;
    bool check_only = false;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--blocks" && i + 1 < argc)
            blocks = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--runs" && i + 1 < argc)
            runs = std::atoi(argv[++i]);
        else if (arg == "--only" && i + 1 < argc)
            only = argv[++i];
        else if (arg == "--check")
            check_only = true;
        else
            return usage();
    }
    if (blocks == 0 || runs < 1 || k_nbackends == 0)
        return usage();

    std::vector<mix_pick> picks(MIX_PICKS);
    mix_make_picks(picks.data());
    const double insns = double(blocks) * MIX_INSNS_PER_BLOCK;

    if (only) {
        for (const Backend &b : k_backends)
            if (std::strcmp(b.name, only) == 0) {
                size_t size = 0;
                for (int r = 0; r < runs; r++)
                    size = b.fn(picks.data(), blocks, nullptr, 0);
                std::printf("%s: %zu blocks, %.0f instructions, %zu bytes, %d run(s)\n", b.name,
                            blocks, insns, size, runs);
                return size ? 0 : 1;
            }
        return usage();
    }

    // --- Check: all backends must produce the same bytes, over every pick (>= 1024 blocks) ---
    const size_t check_blocks = std::max<size_t>(blocks, MIX_PICKS);
    const size_t cap = 64 + check_blocks * 256;
    std::vector<std::vector<uint8_t>> code(k_nbackends);
    bool all_same = true;
    for (size_t k = 0; k < k_nbackends; k++) {
        code[k].resize(cap);
        size_t size = k_backends[k].fn(picks.data(), check_blocks, code[k].data(), cap);
        if (size == 0) {
            std::printf("%s: FAILED to emit the mix\n", k_backends[k].name);
            return 1;
        }
        code[k].resize(size);
    }
    size_t ref = k_nbackends - 1;
    for (size_t k = 0; k < k_nbackends; k++)
        if (std::strcmp(k_backends[k].name, "asmjit") == 0)
            ref = k;
    for (size_t k = 0; k < k_nbackends; k++)
        if (k != ref)
            all_same &= same_bytes(k_backends[k].name, code[k], k_backends[ref].name, code[ref]);
    std::printf("check: %zu blocks x %d instructions, %zu bytes: %s\n", check_blocks,
                MIX_INSNS_PER_BLOCK, code[ref].size(),
                all_same ? "all backends emit identical bytes" : "BYTES DIFFER (see above)");
    std::printf("timed: %zu blocks x %d instructions = %.0f instructions per emit call\n", blocks,
                MIX_INSNS_PER_BLOCK, insns);

    if (check_only || !all_same)
        return all_same ? 0 : 1;

    // --- Timing: interleaved, each sample long enough (>= 20 ms) to be read reliably ---
    std::vector<int> reps(k_nbackends, 1);
    for (size_t k = 0; k < k_nbackends; k++) {
        for (;;) {
            double t0 = now_s();
            for (int r = 0; r < reps[k]; r++)
                k_backends[k].fn(picks.data(), blocks, nullptr, 0);
            if (now_s() - t0 >= 0.02 || reps[k] >= (1 << 20))
                break;
            reps[k] *= 2;
        }
    }
    std::vector<std::vector<double>> mips(k_nbackends);
    for (int r = 0; r < runs; r++)
        for (size_t k = 0; k < k_nbackends; k++) {
            double t0 = now_s();
            for (int i = 0; i < reps[k]; i++)
                k_backends[k].fn(picks.data(), blocks, nullptr, 0);
            double dt = now_s() - t0;
            mips[k].push_back(insns * reps[k] / dt / 1e6);
        }
    std::vector<double> med(k_nbackends);
    for (size_t k = 0; k < k_nbackends; k++) {
        med[k] = median(mips[k]);
        auto mm = std::minmax_element(mips[k].begin(), mips[k].end());
        std::printf("%-13s %9.1f M instructions/s  (median of %d; min %.1f, max %.1f)\n",
                    k_backends[k].name, med[k], runs, *mm.first, *mm.second);
    }
    for (size_t k = 0; k < k_nbackends; k++)
        if (k != ref)
            std::printf("ratio %s/%s = %.2f\n", k_backends[k].name, k_backends[ref].name,
                        med[k] / med[ref]);
    return all_same ? 0 : 1;
}
