/* SPDX-License-Identifier: Apache-2.0 */
/* `kiln run [--invoke NAME] FILE.wasm [ARGS...]`: instantiate a module and call one export with
 * arguments parsed by its parameter types, printing each result on its own line as wasmtime
 * does; or, without --invoke, call `_start` if the module exports it. A trap prints
 * `trap: MESSAGE` to stderr and exits 1. Uses only the runtime's public API. */
#include "cli.h"
#include "rt/runtime.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to, "usage: kiln run [--invoke NAME] [--spill-all] FILE.wasm [ARGS...]\n"
                "\n"
                "Instantiates FILE.wasm (calling `_initialize` first if it is exported) and calls\n"
                "the export NAME with ARGS parsed by its parameter types (i32/i64: decimal or 0x\n"
                "hex; f32/f64: decimal, hex float, inf, nan), printing each result on a line.\n"
                "Without --invoke, calls `_start` if exported. A trap prints `trap: MESSAGE` and\n"
                "exits 1.\n"
                "  --spill-all   compile with every value in a stack slot (second tier)\n");
}

/* --- Arguments --- */

static bool parse_int(const char *s, bool is64, uint64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (!*p || *p == '-' || *p == '+' || *p == ' ')
        return false;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        if (!*p)
            return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long mag = strtoull(p, &end, base);
    if (errno || *end || end == p)
        return false;
    uint64_t max_unsigned = is64 ? UINT64_MAX : UINT32_MAX;
    uint64_t max_neg = is64 ? (uint64_t)1 << 63 : (uint64_t)1 << 31;
    if (neg ? mag > max_neg : mag > max_unsigned)
        return false;
    *out = neg ? (uint64_t)0 - mag : mag; /* two's complement wrap is the Wasm meaning */
    return true;
}

static bool parse_arg(const char *s, kiln_valtype type, kiln_val *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    char *end = NULL;
    uint64_t bits;
    switch (type) {
    case KILN_I32:
        if (!parse_int(s, false, &bits))
            return false;
        out->i32 = (int32_t)(uint32_t)bits;
        return true;
    case KILN_I64:
        if (!parse_int(s, true, &bits))
            return false;
        out->i64 = (int64_t)bits;
        return true;
    case KILN_F32: {
        errno = 0;
        float f = strtof(s, &end);
        if (end == s || *end)
            return false;
        memcpy(&out->f32, &f, sizeof f);
        return true;
    }
    case KILN_F64: {
        double d = strtod(s, &end);
        if (end == s || *end)
            return false;
        memcpy(&out->f64, &d, sizeof d);
        return true;
    }
    case KILN_FUNCREF:
    case KILN_EXTERNREF:
        if (strcmp(s, "null") != 0)
            return false;
        out->ref = NULL;
        return true;
    default:
        return false;
    }
}

/* --- Results, printed as wasmtime prints them (Rust's Display) --- */

/* Rust's Display for floats: the shortest decimal that reads back as the same value, written
 * out positionally (no exponent); "NaN", "inf", "-inf", "-0". */
static void format_float(double v, bool is_f32, char *out, size_t out_size)
{
    if (isnan(v)) {
        snprintf(out, out_size, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, out_size, "%sinf", v < 0 ? "-" : "");
        return;
    }
    char sci[64];
    int max_digits = is_f32 ? 9 : 17;
    for (int p = 1; p <= max_digits; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, v);
        if (is_f32 ? strtof(sci, NULL) == (float)v : strtod(sci, NULL) == v)
            break;
    }
    /* sci is [-]d[.ddd]e[+-]XX: collect digits and the exponent. */
    const char *p = sci;
    bool neg = signbit(v) != 0;
    if (*p == '-')
        p++;
    char digits[40];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    char *o = out;
    char *end = out + out_size - 1;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o < end)                                                                               \
            *o++ = (c);                                                                            \
    } while (0)
    if (neg)
        PUT('-');
    if (digits[0] == '0') {
        PUT('0');
    } else if (exp >= 0) {
        for (int i = 0; i <= exp || i < (int)nd; i++) {
            if (i == exp + 1)
                PUT('.');
            PUT(i < (int)nd ? digits[i] : '0');
        }
    } else {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -exp - 1; i++)
            PUT('0');
        for (size_t i = 0; i < nd; i++)
            PUT(digits[i]);
    }
#undef PUT
    *o = '\0';
}

static void print_result(kiln_val v)
{
    char buf[512];
    switch (v.type) {
    case KILN_I32:
        printf("%" PRId32 "\n", v.i32);
        break;
    case KILN_I64:
        printf("%" PRId64 "\n", v.i64);
        break;
    case KILN_F32: {
        float f;
        memcpy(&f, &v.f32, sizeof f);
        format_float(f, true, buf, sizeof buf);
        printf("%s\n", buf);
        break;
    }
    case KILN_F64: {
        double d;
        memcpy(&d, &v.f64, sizeof d);
        format_float(d, false, buf, sizeof buf);
        printf("%s\n", buf);
        break;
    }
    case KILN_FUNCREF:
        printf(v.ref ? "<funcref>\n" : "<null funcref>\n");
        break;
    case KILN_EXTERNREF:
        printf(v.ref ? "<externref>\n" : "<null externref>\n");
        break;
    default:
        printf("<v128>\n");
        break;
    }
}

/* --- Calls --- */

/* Calls `func` with `args`; prints results, or the trap. Returns the exit status. */
static int call_and_print(kiln_func *func, const kiln_val *args, size_t nargs, bool print)
{
    size_t nresults = kiln_func_result_count(func);
    kiln_val *results = calloc(nresults ? nresults : 1, sizeof *results);
    if (!results) {
        fprintf(stderr, "kiln run: error: out of memory\n");
        return 1;
    }
    struct kiln_error err;
    kiln_status st = kiln_func_call(func, args, nargs, results, nresults, &err);
    int rc = 0;
    if (st == KILN_TRAPPED) {
        fflush(stdout);
        fprintf(stderr, "trap: %s\n", err.message);
        rc = 1;
    } else if (st != KILN_OK) {
        fprintf(stderr, "kiln run: error: %s\n", err.message);
        rc = 1;
    } else if (print) {
        for (size_t i = 0; i < nresults; i++)
            print_result(results[i]);
    }
    free(results);
    return rc;
}

static int run_module(const char *path, const char *invoke, bool spill_all, char **args, int nargs)
{
    size_t size = 0;
    uint8_t *bytes = cli_read_file(path, &size);
    if (!bytes) {
        fprintf(stderr, "kiln run: error: cannot read '%s': %s\n", path, strerror(errno));
        return 1;
    }
    int rc = 1;
    struct kiln_config config;
    kiln_config_init(&config);
    config.spill_all = spill_all;
    kiln_engine *engine = kiln_engine_new(&config);
    kiln_module *module = NULL;
    kiln_linker *linker = NULL;
    kiln_instance *instance = NULL;
    kiln_val *vals = NULL;
    struct kiln_error err;
    if (!engine) {
        fprintf(stderr, "kiln run: error: cannot create the engine\n");
        goto done;
    }
    if (kiln_module_new(engine, bytes, size, &module, &err) != KILN_OK) {
        fprintf(stderr, "kiln run: error: %s: %s\n", path, err.message);
        goto done;
    }
    linker = kiln_linker_new(engine);
    if (!linker) {
        fprintf(stderr, "kiln run: error: out of memory\n");
        goto done;
    }
    kiln_status st = kiln_linker_instantiate(linker, module, &instance, &err);
    if (st == KILN_TRAPPED) {
        fprintf(stderr, "trap: %s\n", err.message);
        goto done;
    }
    if (st != KILN_OK) {
        fprintf(stderr, "kiln run: error: %s: %s\n", path, err.message);
        if (st == KILN_ERR_UNKNOWN_IMPORT && strstr(err.message, "\"wasi_"))
            fprintf(stderr, "kiln run: note: WASI is not supported yet\n");
        goto done;
    }

    kiln_func *init = kiln_instance_func(instance, "_initialize");
    if (invoke && !strcmp(invoke, "_initialize"))
        init = NULL; /* called once, as the invoked export */
    if (init && (rc = call_and_print(init, NULL, 0, false)) != 0)
        goto done;
    rc = 1;

    if (!invoke) {
        kiln_func *start = kiln_instance_func(instance, "_start");
        rc = start ? call_and_print(start, NULL, 0, false) : 0;
        goto done;
    }
    kiln_func *func = kiln_instance_func(instance, invoke);
    if (!func) {
        fprintf(stderr, "kiln run: error: %s has no exported function '%s'\n", path, invoke);
        goto done;
    }
    size_t nparams = kiln_func_param_count(func);
    if ((size_t)nargs != nparams) {
        fprintf(stderr, "kiln run: error: '%s' takes %zu argument%s (", invoke, nparams,
                nparams == 1 ? "" : "s");
        for (size_t i = 0; i < nparams; i++)
            fprintf(stderr, "%s%s", i ? ", " : "",
                    kiln_valtype_name(kiln_func_param_type(func, i)));
        fprintf(stderr, "), got %d\n", nargs);
        rc = 2;
        goto done;
    }
    vals = calloc(nparams ? nparams : 1, sizeof *vals);
    if (!vals) {
        fprintf(stderr, "kiln run: error: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < nparams; i++) {
        kiln_valtype t = kiln_func_param_type(func, i);
        if (!parse_arg(args[i], t, &vals[i])) {
            fprintf(stderr, "kiln run: error: argument %zu ('%s') is not a valid %s\n", i + 1,
                    args[i], kiln_valtype_name(t));
            rc = 2;
            goto done;
        }
    }
    rc = call_and_print(func, vals, nparams, true);

done:
    free(vals);
    kiln_instance_free(instance);
    kiln_linker_free(linker);
    kiln_module_free(module);
    kiln_engine_free(engine);
    cli_free_file(bytes);
    return rc;
}

int kiln_cmd_run(int argc, char **argv)
{
    const char *invoke = NULL;
    bool spill_all = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--invoke")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "kiln run: error: --invoke needs a function name\n");
                return 2;
            }
            invoke = argv[++i];
        } else if (!strncmp(a, "--invoke=", 9)) {
            invoke = a + 9;
        } else if (!strcmp(a, "--spill-all")) {
            spill_all = true;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "kiln run: error: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "kiln run: error: no FILE.wasm given\n");
        usage(stderr);
        return 2;
    }
    if (invoke && !*invoke) {
        fprintf(stderr, "kiln run: error: --invoke needs a function name\n");
        return 2;
    }
    const char *path = argv[i++];
    return run_module(path, invoke, spill_all, argv + i, argc - i);
}
