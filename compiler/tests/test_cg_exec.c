/* SPDX-License-Identifier: Apache-2.0 */
/* Execution tests: small modules compiled and run in both compiler configurations (normal and
 * spill_all); each call's results (or trap) are checked against the expected values, so the two
 * configurations are also compared with each other. */
#include "cg/compile.h"
#include "cg/vmctx.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wdec/module.h>

/* Call tables leave `trap` implicit (0 = no trap). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <string.h>

struct call {
    const char *name;
    int nargs;
    uint64_t args[6];
    int nres;
    uint64_t res[4];
    int trap; /* enum cg_trap, 0 = none */
};

#define F32(x) ((uint64_t)f32_bits(x))
#define F64(x) f64_bits(x)

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static void run_calls(const char *wat, const struct call *calls, size_t n)
{
    for (int mode = 0; mode < 2; mode++) {
        struct harness *h = h_load(wat, mode == 1);
        cr_assert(h, "module failed to load (spill_all=%d)", mode);
        for (size_t i = 0; i < n; i++) {
            const struct call *k = &calls[i];
            uint64_t slots[16] = {0};
            memcpy(slots, k->args, sizeof(uint64_t) * (size_t)k->nargs);
            int trap = h_call(h, k->name, slots);
            cr_expect_eq(trap, k->trap, "%s #%zu (spill_all=%d): trap %d, expected %d", k->name, i,
                         mode, trap, k->trap);
            if (trap || k->trap)
                continue;
            for (int r = 0; r < k->nres; r++)
                cr_expect_eq(slots[r], k->res[r],
                             "%s #%zu result %d (spill_all=%d): got 0x%llx, expected 0x%llx",
                             k->name, i, r, mode, (unsigned long long)slots[r],
                             (unsigned long long)k->res[r]);
        }
        h_free(h);
    }
}

#define RUN(wat, ...)                                                                              \
    do {                                                                                           \
        const struct call calls_[] = {__VA_ARGS__};                                                \
        run_calls(wat, calls_, sizeof calls_ / sizeof calls_[0]);                                  \
    } while (0)

Test(cg_exec, int_arith)
{
    RUN("(module"
        " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
        " (func (export \"sub\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub)"
        " (func (export \"mulc\") (param i32) (result i32) local.get 0 i32.const 1000 i32.mul)"
        " (func (export \"add64\") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)"
        " (func (export \"big\") (param i64) (result i64) local.get 0 i64.const 0x123456789 "
        "i64.xor)"
        " (func (export \"shl\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shl)"
        " (func (export \"rotr64\") (param i64 i64) (result i64) local.get 0 local.get 1 "
        "i64.rotr)"
        " (func (export \"shrs\") (param i32) (result i32) local.get 0 i32.const 33 i32.shr_s)"
        " (func (export \"clz\") (param i32) (result i32) local.get 0 i32.clz)"
        " (func (export \"ctz64\") (param i64) (result i64) local.get 0 i64.ctz)"
        " (func (export \"popcnt\") (param i64) (result i64) local.get 0 i64.popcnt)"
        " (func (export \"fold\") (result i32) i32.const 7 i32.const 5 i32.sub i32.const 3 i32.mul)"
        " (func (export \"ext8\") (param i32) (result i32) local.get 0 i32.extend8_s)"
        " (func (export \"ext32\") (param i64) (result i64) local.get 0 i64.extend32_s)"
        " (func (export \"wrap\") (param i64) (result i32) local.get 0 i32.wrap_i64)"
        " (func (export \"exts\") (param i32) (result i64) local.get 0 i64.extend_i32_s)"
        " (func (export \"extu\") (param i32) (result i64) local.get 0 i64.extend_i32_u))",
        {"add", 2, {5, 7}, 1, {12}}, {"add", 2, {0xFFFFFFFF, 1}, 1, {0}},
        {"sub", 2, {5, 7}, 1, {0xFFFFFFFE}}, {"mulc", 1, {3}, 1, {3000}},
        {"add64", 2, {1ull << 40, 5}, 1, {(1ull << 40) + 5}}, {"big", 1, {0}, 1, {0x123456789ull}},
        {"shl", 2, {1, 33}, 1, {2}}, {"rotr64", 2, {1, 1}, 1, {1ull << 63}},
        {"shrs", 1, {0x80000000}, 1, {0xC0000000}}, {"clz", 1, {0}, 1, {32}},
        {"clz", 1, {1}, 1, {31}}, {"ctz64", 1, {0}, 1, {64}}, {"ctz64", 1, {1ull << 40}, 1, {40}},
        {"popcnt", 1, {~0ull}, 1, {64}}, {"fold", 0, {0}, 1, {6}},
        {"ext8", 1, {0x80}, 1, {0xFFFFFF80}},
        {"ext32", 1, {0x80000000}, 1, {0xFFFFFFFF80000000ull}},
        {"wrap", 1, {0x1234567887654321ull}, 1, {0x87654321}},
        {"exts", 1, {0xFFFFFFFF}, 1, {~0ull}}, {"extu", 1, {0xFFFFFFFF}, 1, {0xFFFFFFFF}});
}

Test(cg_exec, div_rem_traps)
{
    RUN("(module"
        " (func (export \"divs\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)"
        " (func (export \"rems\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_s)"
        " (func (export \"divu64\") (param i64 i64) (result i64) local.get 0 local.get 1 "
        "i64.div_u)"
        " (func (export \"divs64\") (param i64 i64) (result i64) local.get 0 local.get 1 "
        "i64.div_s)"
        " (func (export \"remu\") (param i32) (result i32) local.get 0 i32.const 7 i32.rem_u))",
        {"divs", 2, {7, (uint32_t)-2}, 1, {(uint32_t)-3}},
        {"divs", 2, {1, 0}, 0, {0}, CG_TRAP_INT_DIV_ZERO},
        {"divs", 2, {0x80000000, 0xFFFFFFFF}, 0, {0}, CG_TRAP_INT_OVERFLOW},
        {"rems", 2, {0x80000000, 0xFFFFFFFF}, 1, {0}},
        {"rems", 2, {(uint32_t)-7, 2}, 1, {(uint32_t)-1}},
        {"divu64", 2, {~0ull, 2}, 1, {~0ull >> 1}},
        {"divs64", 2, {1ull << 63, ~0ull}, 0, {0}, CG_TRAP_INT_OVERFLOW},
        {"remu", 1, {23}, 1, {2}});
}

Test(cg_exec, control_flow)
{
    RUN("(module"
        " (func (export \"fac\") (param i64) (result i64) (local i64)"
        "  i64.const 1 local.set 1"
        "  (block (loop"
        "   local.get 0 i64.eqz br_if 1"
        "   local.get 1 local.get 0 i64.mul local.set 1"
        "   local.get 0 i64.const 1 i64.sub local.set 0 br 0))"
        "  local.get 1)"
        " (func (export \"max\") (param i32 i32) (result i32)"
        "  (if (result i32) (i32.gt_s (local.get 0) (local.get 1))"
        "   (then local.get 0) (else local.get 1)))"
        " (func (export \"sel\") (param i32 i32 i32) (result i32)"
        "  local.get 0 local.get 1 local.get 2 i32.const 5 i32.lt_u select)"
        " (func (export \"brt\") (param i32) (result i32)"
        "  (block (block (block (block local.get 0 br_table 0 1 2 3) i32.const 10 return)"
        "  i32.const 11 return) i32.const 12 return) i32.const 13)"
        " (func (export \"brv\") (param i32) (result i32)"
        "  (block (result i32) i32.const 1 local.get 0 br_if 0 drop i32.const 2))"
        " (func (export \"multi\") (param i32) (result i32 i32)"
        "  (block (result i32 i32) local.get 0 i32.const 1 i32.add local.get 0 br 0))"
        " (func (export \"swap\") (param i32 i32) (result i32 i32) local.get 1 local.get 0)"
        " (func (export \"callswap\") (result i32 i32) i32.const 3 i32.const 4 call 6)"
        " (func (export \"loopparam\") (result i32) (local i32)"
        "  i32.const 0 (loop (param i32) (result i32) i32.const 1 i32.add local.tee 0"
        "  local.get 0 i32.const 10 i32.lt_u br_if 0))"
        " (func (export \"unr\") unreachable))",
        {"fac", 1, {10}, 1, {3628800}}, {"max", 2, {3, (uint32_t)-4}, 1, {3}},
        {"max", 2, {3, 9}, 1, {9}}, {"sel", 3, {1, 2, 4}, 1, {1}}, {"sel", 3, {1, 2, 5}, 1, {2}},
        {"brt", 1, {0}, 1, {10}}, {"brt", 1, {2}, 1, {12}}, {"brt", 1, {99}, 1, {13}},
        {"brv", 1, {0}, 1, {2}}, {"brv", 1, {1}, 1, {1}}, {"multi", 1, {5}, 2, {6, 5}},
        {"swap", 2, {1, 2}, 2, {2, 1}}, {"callswap", 0, {0}, 2, {4, 3}},
        {"loopparam", 0, {0}, 1, {10}}, {"unr", 0, {0}, 0, {0}, CG_TRAP_UNREACHABLE});
}

Test(cg_exec, floats)
{
    RUN("(module"
        " (func (export \"add\") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)"
        " (func (export \"min\") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)"
        " (func (export \"max\") (param f64 f64) (result f64) local.get 0 local.get 1 f64.max)"
        " (func (export \"neg\") (param f32) (result f32) local.get 0 f32.neg)"
        " (func (export \"abs\") (param f64) (result f64) local.get 0 f64.abs)"
        " (func (export \"cs\") (param f32 f32) (result f32) local.get 0 local.get 1 f32.copysign)"
        " (func (export \"near\") (param f64) (result f64) local.get 0 f64.nearest)"
        " (func (export \"floor\") (param f32) (result f32) local.get 0 f32.floor)"
        " (func (export \"lt\") (param f64 f64) (result i32) local.get 0 local.get 1 f64.lt)"
        " (func (export \"eq\") (param f32 f32) (result i32) local.get 0 local.get 1 f32.eq)"
        " (func (export \"ne\") (param f32 f32) (result i32) local.get 0 local.get 1 f32.ne)"
        " (func (export \"kadd\") (param f32) (result f32) local.get 0 f32.const 1.5 f32.add)"
        " (func (export \"demote\") (param f64) (result f32) local.get 0 f32.demote_f64))",
        {"add", 2, {F64(1.5), F64(2.25)}, 1, {F64(3.75)}},
        {"min", 2, {F32(0.0f), F32(-0.0f)}, 1, {F32(-0.0f)}},
        {"max", 2, {F64(-0.0), F64(0.0)}, 1, {F64(0.0)}},
        {"min", 2, {F32(3.0f), F32(-2.0f)}, 1, {F32(-2.0f)}},
        {"neg", 1, {0x7FC00001}, 1, {0xFFC00001}}, {"abs", 1, {F64(-3.0)}, 1, {F64(3.0)}},
        {"cs", 2, {F32(2.0f), F32(-1.0f)}, 1, {F32(-2.0f)}}, {"near", 1, {F64(2.5)}, 1, {F64(2.0)}},
        {"near", 1, {F64(-3.5)}, 1, {F64(-4.0)}}, {"floor", 1, {F32(-1.5f)}, 1, {F32(-2.0f)}},
        {"lt", 2, {F64(1), F64(2)}, 1, {1}}, {"lt", 2, {F64(2), F64(1)}, 1, {0}},
        {"eq", 2, {0x7FC00000, 0x7FC00000}, 1, {0}}, {"ne", 2, {0x7FC00000, 0x7FC00000}, 1, {1}},
        {"eq", 2, {F32(1), F32(1)}, 1, {1}}, {"kadd", 1, {F32(1.0f)}, 1, {F32(2.5f)}},
        {"demote", 1, {F64(0.5)}, 1, {F32(0.5f)}});
}

Test(cg_exec, conversions)
{
    RUN("(module"
        " (func (export \"t32s\") (param f64) (result i32) local.get 0 i32.trunc_f64_s)"
        " (func (export \"t32u\") (param f32) (result i32) local.get 0 i32.trunc_f32_u)"
        " (func (export \"t64u\") (param f64) (result i64) local.get 0 i64.trunc_f64_u)"
        " (func (export \"s32s\") (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s)"
        " (func (export \"s64u\") (param f64) (result i64) local.get 0 i64.trunc_sat_f64_u)"
        " (func (export \"c64u\") (param i64) (result f64) local.get 0 f64.convert_i64_u)"
        " (func (export \"c32u\") (param i32) (result f32) local.get 0 f32.convert_i32_u)"
        " (func (export \"ri\") (param f64) (result i64) local.get 0 i64.reinterpret_f64))",
        {"t32s", 1, {F64(-2147483648.9)}, 1, {0x80000000}},
        {"t32s", 1, {F64(2147483648.0)}, 0, {0}, CG_TRAP_INT_OVERFLOW},
        {"t32s", 1, {0x7FF8000000000000ull}, 0, {0}, CG_TRAP_INVALID_CONVERSION},
        {"t32u", 1, {F32(4294967040.0f)}, 1, {4294967040u}},
        {"t32u", 1, {F32(-1.0f)}, 0, {0}, CG_TRAP_INT_OVERFLOW},
        {"t64u", 1, {F64(18446744073709549568.0)}, 1, {18446744073709549568ull}},
        {"s32s", 1, {F32(1e10f)}, 1, {0x7FFFFFFF}}, {"s32s", 1, {0x7FC00000}, 1, {0}},
        {"s64u", 1, {F64(-5.0)}, 1, {0}}, {"s64u", 1, {F64(1e30)}, 1, {~0ull}},
        {"c64u", 1, {~0ull}, 1, {F64(18446744073709551616.0)}},
        {"c32u", 1, {0xFFFFFFFF}, 1, {F32(4294967296.0f)}},
        {"ri", 1, {F64(1.0)}, 1, {0x3FF0000000000000ull}});
}

Test(cg_exec, memory)
{
    RUN("(module (memory 1 3)"
        " (data (i32.const 16) \"\\01\\02\\03\\04\\05\\06\\07\\08\")"
        " (func (export \"ld\") (param i32) (result i32) local.get 0 i32.load offset=16)"
        " (func (export \"ld8s\") (param i32) (result i64) local.get 0 i64.load8_s)"
        " (func (export \"st\") (param i32 i64) local.get 0 local.get 1 i64.store offset=8)"
        " (func (export \"ld64\") (param i32) (result i64) local.get 0 i64.load offset=8)"
        " (func (export \"st16\") (param i32) local.get 0 i32.const 0xABCD i32.store16)"
        " (func (export \"ldk\") (result i32) i32.const 0 i32.load16_u)"
        " (func (export \"fst\") (param i32 f64) local.get 0 local.get 1 f64.store)"
        " (func (export \"fld\") (param i32) (result f64) local.get 0 f64.load)"
        " (func (export \"big\") (param i32) (result i32) local.get 0 i32.load offset=4294967295)"
        " (func (export \"size\") (result i32) memory.size)"
        " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)"
        " (func (export \"fill\") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 "
        "memory.fill)"
        " (func (export \"copy\") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 "
        "memory.copy))",
        {"ld", 1, {0}, 1, {0x04030201}}, {"ld", 1, {4}, 1, {0x08070605}},
        {"ld8s", 1, {0xFFFF}, 1, {0}}, {"st", 2, {100, 0x1122334455667788ull}, 0, {0}},
        {"ld64", 1, {100}, 1, {0x1122334455667788ull}}, {"st16", 1, {0}, 0, {0}},
        {"ldk", 0, {0}, 1, {0xABCD}}, {"fst", 2, {200, F64(2.5)}, 0, {0}},
        {"fld", 1, {200}, 1, {F64(2.5)}}, {"ld", 1, {65536 - 16 - 3}, 0, {0}, CG_TRAP_MEMORY_OOB},
        {"ld", 1, {0xFFFFFFFF}, 0, {0}, CG_TRAP_MEMORY_OOB},
        {"big", 1, {1}, 0, {0}, CG_TRAP_MEMORY_OOB}, {"size", 0, {0}, 1, {1}},
        {"grow", 1, {1}, 1, {1}}, {"size", 0, {0}, 1, {2}}, {"grow", 1, {5}, 1, {0xFFFFFFFF}},
        {"ld", 1, {65536}, 1, {0}}, {"fill", 3, {300, 0xAB, 4}, 0, {0}},
        {"ld", 1, {300 - 16}, 1, {0xABABABAB}}, {"copy", 3, {400, 300, 4}, 0, {0}},
        {"ld", 1, {400 - 16}, 1, {0xABABABAB}},
        {"fill", 3, {0x20000, 0, 1}, 0, {0}, CG_TRAP_MEMORY_OOB});
}

Test(cg_exec, calls_tables_globals)
{
    RUN("(module"
        " (type $ii (func (param i32) (result i32)))"
        " (table 4 funcref) (elem (i32.const 0) $inc $dbl)"
        " (elem declare func $f) (global $g (mut i32) (i32.const 7)) (global $h (mut f64) "
        "(f64.const 1.5))"
        " (func $inc (type $ii) local.get 0 i32.const 1 i32.add)"
        " (func $dbl (type $ii) local.get 0 i32.const 2 i32.mul)"
        " (func $f (param f64) (result f64) local.get 0)"
        " (func (export \"ci\") (param i32 i32) (result i32) local.get 1 local.get 0 "
        "call_indirect (type $ii))"
        " (func (export \"cibad\") (param i32) (result f64) f64.const 1 local.get 0 "
        "call_indirect (param f64) (result f64))"
        " (func (export \"gg\") (result i32) global.get $g)"
        " (func (export \"gs\") (param i32) local.get 0 global.set $g)"
        " (func (export \"gf\") (result f64) global.get $h f64.const 2 f64.mul)"
        " (func (export \"ts\") (result i32) table.size 0)"
        " (func (export \"tg\") (param i32) (result i32) local.get 0 table.get 0 ref.is_null)"
        " (func (export \"tgrow\") (result i32) ref.null func i32.const 2 table.grow 0)"
        " (func (export \"rf\") (result i32) i32.const 3 ref.func $f table.set 0 "
        "f64.const 4 i32.const 3 call_indirect (param f64) (result f64) f64.const 4 f64.eq)"
        " (func $rec (export \"rec\") (param i32) (result i32) local.get 0 i32.const 1 "
        "i32.add call $rec)"
        " (func (export \"many\") (param i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 "
        "i32 i32 i32 i32) local.get 0 local.get 11 i32.add))",
        {"ci", 2, {0, 5}, 1, {6}}, {"ci", 2, {1, 5}, 1, {10}},
        {"ci", 2, {2, 5}, 0, {0}, CG_TRAP_UNINITIALIZED_ELEMENT},
        {"ci", 2, {4, 5}, 0, {0}, CG_TRAP_UNDEFINED_ELEMENT},
        {"cibad", 1, {0}, 0, {0}, CG_TRAP_INDIRECT_TYPE_MISMATCH}, {"gg", 0, {0}, 1, {7}},
        {"gs", 1, {42}, 0, {0}}, {"gg", 0, {0}, 1, {42}}, {"gf", 0, {0}, 1, {F64(3.0)}},
        {"ts", 0, {0}, 1, {4}}, {"tg", 1, {0}, 1, {0}}, {"tg", 1, {3}, 1, {1}},
        {"tg", 1, {9}, 0, {0}, CG_TRAP_TABLE_OOB}, {"tgrow", 0, {0}, 1, {4}},
        {"ts", 0, {0}, 1, {6}}, {"rf", 0, {0}, 1, {1}},
        {"rec", 1, {0}, 0, {0}, CG_TRAP_STACK_EXHAUSTED}, {"many", 1, {9}, 1, {9}});
}

/* --- Register cache and loop homes: nested loops, ifs, br_table and calls inside loops,
 * more live float locals than registers. Expected values come from C references. --- */

static uint64_t mix_ref(uint32_t n)
{
    uint64_t acc = 1;
    double f = 0.5;
    uint32_t i = 0;
    do {
        uint32_t j = 0;
        do {
            acc = acc * 31 + (uint64_t)(i ^ j);
            if (j & 1)
                f += (double)(int32_t)j;
            else
                f -= (double)(int32_t)i;
            switch (j % 3) {
            case 1:
                acc ^= 3;
                break;
            case 2:
                acc += 7;
                break;
            default:
                break;
            }
            j++;
        } while (j < i + 2);
        i++;
    } while (i < n);
    return acc + (uint64_t)(int64_t)f;
}

static uint64_t pressure_ref(uint32_t n)
{
    double l[16];
    for (int k = 0; k < 16; k++)
        l[k] = k;
    for (uint32_t i = 0; i < n; i++)
        for (int k = 0; k < 16; k++)
            l[k] = l[k] * 0.5 + (double)(k + 1) + l[(k + 1) % 16] * 0.25;
    double s = 0;
    for (int k = 0; k < 16; k++)
        s += l[k];
    uint64_t u;
    memcpy(&u, &s, 8);
    return u;
}

static const char *const cache_wat =
    "(module (global $g (mut i32) (i32.const 0))"
    " (func $bump (param i32) (result i32) global.get $g local.get 0 i32.add global.set $g"
    "  i32.const 5)"
    " (func (export \"mix\") (param $n i32) (result i64)"
    "  (local $i i32) (local $j i32) (local $acc i64) (local $f f64)"
    "  i32.const 0 local.set $i i64.const 1 local.set $acc f64.const 0.5 local.set $f"
    "  (loop $outer"
    "   i32.const 0 local.set $j"
    "   (loop $inner"
    "    local.get $acc i64.const 31 i64.mul local.get $i local.get $j i32.xor"
    "    i64.extend_i32_u i64.add local.set $acc"
    "    (if (i32.and (local.get $j) (i32.const 1))"
    "     (then local.get $f local.get $j f64.convert_i32_s f64.add local.set $f)"
    "     (else local.get $f local.get $i f64.convert_i32_s f64.sub local.set $f))"
    "    (block $b0 (block $b1 (block $b2"
    "      local.get $j i32.const 3 i32.rem_u br_table $b0 $b1 $b2)"
    "     local.get $acc i64.const 7 i64.add local.set $acc br $b0)"
    "     local.get $acc i64.const 3 i64.xor local.set $acc)"
    "    local.get $j i32.const 1 i32.add local.tee $j"
    "    local.get $i i32.const 2 i32.add i32.lt_u br_if $inner)"
    "   local.get $i i32.const 1 i32.add local.tee $i"
    "   local.get $n i32.lt_u br_if $outer)"
    "  local.get $acc local.get $f i64.trunc_sat_f64_s i64.add)"
    " (func (export \"calls\") (param $n i32) (result i32) (local $i i32) (local $s i32)"
    "  (loop $l local.get $s local.get $i call $bump i32.add local.get $i i32.mul local.set $s"
    "   local.get $i i32.const 1 i32.add local.tee $i local.get $n i32.lt_u br_if $l)"
    "  local.get $s global.get $g i32.add)"
    " (func (export \"pressure\") (param $n i32) (result i64)"
    "  (local $i i32) (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)"
    "  (local $s f64)"
    "%s"
    "  (loop $l"
    "%s"
    "   local.get $i i32.const 1 i32.add local.tee $i local.get $n i32.lt_u br_if $l)"
    "%s"
    "  local.get $s i64.reinterpret_f64))";

static uint32_t calls_ref(uint32_t n)
{
    uint32_t g = 0, s = 0, i = 0;
    do {
        g += i;
        s = (s + 5) * i;
        i++;
    } while (i < n);
    return s + g;
}

Test(cg_exec, register_cache_and_loop_homes)
{
    /* pressure: locals 2..17 are l[0..15]. */
    static char init[2048], body[8192], sum[2048], wat[16384];
    size_t a = 0, bo = 0, su = 0;
    for (int k = 0; k < 16; k++) {
        a += (size_t)snprintf(init + a, sizeof init - a, " f64.const %d local.set %d", k, k + 2);
        bo += (size_t)snprintf(body + bo, sizeof body - bo,
                               " local.get %d f64.const 0.5 f64.mul f64.const %d f64.add"
                               " local.get %d f64.const 0.25 f64.mul f64.add local.set %d",
                               k + 2, k + 1, (k + 1) % 16 + 2, k + 2);
        su += (size_t)snprintf(sum + su, sizeof sum - su,
                               " local.get $s local.get %d f64.add local.set $s", k + 2);
    }
    /* cache_wat is our own constant format with three %s slots. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(wat, sizeof wat, cache_wat, init, body, sum);
#pragma GCC diagnostic pop
    RUN(wat, {"mix", 1, {1}, 1, {mix_ref(1)}}, {"mix", 1, {7}, 1, {mix_ref(7)}},
        {"mix", 1, {40}, 1, {mix_ref(40)}}, {"calls", 1, {10}, 1, {calls_ref(10)}},
        {"pressure", 1, {1}, 1, {pressure_ref(1)}}, {"pressure", 1, {50}, 1, {pressure_ref(50)}});
}

/* --- Listing callbacks (kiln compile --print-code) --- */

struct listing_log {
    int funcs, ops, insns;
    bool saw_add, saw_ret;
    uint32_t last_offset;
    bool monotonic;
};

static void on_func(void *ctx, uint32_t func_index, uint32_t code_offset)
{
    struct listing_log *l = ctx;
    (void)func_index;
    (void)code_offset;
    l->funcs++;
}

static void on_op(void *ctx, uint32_t func_index, size_t wasm_offset, uint32_t code_offset)
{
    struct listing_log *l = ctx;
    (void)func_index;
    (void)wasm_offset;
    if (code_offset < l->last_offset)
        l->monotonic = false;
    l->last_offset = code_offset;
    l->ops++;
}

static void on_insn(void *ctx, uint32_t func_index, uint32_t code_offset, const char *text)
{
    struct listing_log *l = ctx;
    (void)func_index;
    (void)code_offset;
    l->insns++;
    if (strstr(text, "add"))
        l->saw_add = true;
    if (strstr(text, "ret"))
        l->saw_ret = true;
}

Test(cg_listing, callbacks_report_functions_ops_and_instructions)
{
    size_t n = 0;
    uint8_t *bytes = h_wat2wasm("(module (func (param i32 i32) (result i32) local.get 0 "
                                "local.get 1 i32.add) (func nop))",
                                &n);
    cr_assert(bytes);
    struct wdec_options opt = {.defer_bodies = true};
    struct wdec_module *m = NULL;
    cr_assert_eq(wdec_module_decode(bytes, n, &opt, NULL, NULL, &m, NULL), WDEC_OK);
    struct listing_log log = {0, 0, 0, false, false, 0, true};
    struct cg_listing listing = {on_func, on_op, &log, on_insn};
    struct cg_options o = {false, &listing};
    struct cg_code code;
    cr_assert_eq(cg_compile_module(m, &o, &code, NULL), CG_OK);
    cr_expect_eq(log.funcs, 2);
    /* local.get, local.get, i32.add, end; nop, end */
    cr_expect_eq(log.ops, 6, "ops: %d", log.ops);
    cr_expect(log.insns > 10);
    cr_expect(log.saw_add);
    cr_expect(log.saw_ret);
    cr_expect(log.monotonic);
    cr_expect_eq(code.num_funcs, 2);
    cr_expect(code.wasm_code_bytes > 0);
    cg_code_free(&code);
    wdec_module_free(m);
    free(bytes);
}

/* global.set of a 64-bit constant beyond imm32 built the constant in r11, which held the
 * global's cell address (found by fuzz_cg_differential). */
Test(cg_exec, global_set_wide_constants)
{
    static const struct call calls[] = {
        {"i", 0, {0}, 1, {0x123456789abcdef0ull}},
        {"f", 0, {0}, 1, {0x7ff8000000000001ull}},
        {"small", 0, {0}, 1, {(uint64_t)-5}},
    };
    run_calls("(module (global $i (mut i64) (i64.const 0)) (global $f (mut f64) (f64.const 0))"
              " (func (export \"i\") (result i64) i64.const 0x123456789abcdef0 global.set $i"
              "  global.get $i)"
              " (func (export \"f\") (result f64) f64.const nan:0x8000000000001 global.set $f"
              "  global.get $f)"
              " (func (export \"small\") (result i64) i64.const -5 global.set $i global.get $i))",
              calls, sizeof calls / sizeof calls[0]);
}
