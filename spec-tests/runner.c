/* SPDX-License-Identifier: Apache-2.0 */
/* The command loop of `kiln wast`: executes each command of a wast2json script through kiln's
 * public embedding API only (rt/runtime.h), the way the reference interpreter's run.ml judges
 * it: messages match when the expected text is a prefix of kiln's. */
#include "spec_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_STATUS_TEXT_(name, text) text,
static const char *const status_texts[] = {SPEC_STATUS_LIST(SPEC_STATUS_TEXT_)};
#undef SPEC_STATUS_TEXT_

const char *spec_status_text(spec_status status)
{
    if ((size_t)status < sizeof status_texts / sizeof status_texts[0])
        return status_texts[status];
    return "?";
}

struct named_instance {
    char *name;
    kiln_instance *instance;
};

struct run {
    const struct spec_options *opt;
    const char *display;   /* the path as given, for output */
    const char *skip_file; /* base name of the .wast, for skip.txt */
    kiln_engine *engine;
    kiln_linker *linker;
    bool verbose;
    kiln_instance **instances; /* every instance made, freed at the end */
    size_t ninstances;
    size_t cap_instances;
    struct named_instance *named;
    size_t nnamed;
    size_t cap_named;
    kiln_instance *current;
    uint64_t passed;
    uint64_t failed;
    uint64_t skipped;
    char why[2048]; /* why the current command failed */
};

SPEC_PRINTF(2, 3) static bool failf(struct run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->why, sizeof run->why, fmt, ap);
    va_end(ap);
    return false;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* --- Instances --- */

static bool keep_instance(struct run *run, kiln_instance *inst)
{
    if (run->ninstances == run->cap_instances) {
        size_t cap = run->cap_instances ? run->cap_instances * 2 : 16;
        kiln_instance **bigger = realloc(run->instances, cap * sizeof *bigger);
        if (!bigger)
            return false;
        run->instances = bigger;
        run->cap_instances = cap;
    }
    run->instances[run->ninstances++] = inst;
    return true;
}

static bool name_instance(struct run *run, const char *name, kiln_instance *inst)
{
    for (size_t i = 0; i < run->nnamed; i++) {
        if (!strcmp(run->named[i].name, name)) {
            run->named[i].instance = inst;
            return true;
        }
    }
    if (run->nnamed == run->cap_named) {
        size_t cap = run->cap_named ? run->cap_named * 2 : 8;
        struct named_instance *bigger = realloc(run->named, cap * sizeof *bigger);
        if (!bigger)
            return false;
        run->named = bigger;
        run->cap_named = cap;
    }
    size_t len = strlen(name) + 1;
    char *copy = malloc(len);
    if (!copy)
        return false;
    memcpy(copy, name, len);
    run->named[run->nnamed].name = copy;
    run->named[run->nnamed].instance = inst;
    run->nnamed++;
    return true;
}

/* The instance an action or register names: `$name`, or the most recent module. */
static kiln_instance *find_instance(struct run *run, const char *name)
{
    if (!name)
        return run->current;
    for (size_t i = 0; i < run->nnamed; i++)
        if (!strcmp(run->named[i].name, name))
            return run->named[i].instance;
    return NULL;
}

/* --- Modules --- */

/* The expected text is a prefix of what kiln reports, as in the reference interpreter. */
static bool message_matches(const char *expected, const struct kiln_error *e)
{
    size_t n = strlen(expected);
    if (!strncmp(e->message, expected, n))
        return true;
    return e->text && !strncmp(e->text, expected, n);
}

static const char *error_message(const struct kiln_error *e)
{
    if (e->message[0])
        return e->message;
    return e->text ? e->text : kiln_status_text(e->status);
}

static void clear_error(struct kiln_error *e)
{
    memset(e, 0, sizeof *e);
}

/* Reads and compiles a binary module. On failure `run->why` says what happened unless the
 * failure came from kiln (then `err` holds it and `*kiln_failed` is set). */
static kiln_module *compile_file(struct run *run, const char *path, struct kiln_error *err,
                                 bool *kiln_failed)
{
    *kiln_failed = false;
    clear_error(err);
    uint8_t *bytes = NULL;
    size_t size = 0;
    spec_status s = spec_read_file(path, &bytes, &size);
    if (s) {
        failf(run, "cannot read %s: %s", path, spec_status_text(s));
        return NULL;
    }
    kiln_module *module = NULL;
    kiln_status ks = kiln_module_new(run->engine, bytes, size, &module, err);
    free(bytes);
    if (ks) {
        *kiln_failed = true;
        if (!err->status)
            err->status = ks;
        return NULL;
    }
    return module;
}

static bool cmd_module(struct run *run, const struct spec_command *cmd)
{
    run->current = NULL; /* later commands must not silently use an older module */
    if (cmd->text_module)
        return failf(run, "text module %s: kiln reads binary modules only", cmd->filename);
    struct kiln_error err;
    bool kiln_failed;
    kiln_module *module = compile_file(run, cmd->filename, &err, &kiln_failed);
    if (!module) {
        if (kiln_failed)
            return failf(run, "expected the module to compile, got %s: %s",
                         kiln_status_text(err.status), error_message(&err));
        return false;
    }
    kiln_instance *inst = NULL;
    clear_error(&err);
    kiln_status ks = kiln_linker_instantiate(run->linker, module, &inst, &err);
    kiln_module_free(module); /* the instance keeps its module alive */
    if (ks)
        return failf(run, "expected the module to instantiate, got %s: %s", kiln_status_text(ks),
                     error_message(&err));
    if (!keep_instance(run, inst)) {
        kiln_instance_free(inst);
        return failf(run, "out of memory");
    }
    if (cmd->name && !name_instance(run, cmd->name, inst))
        return failf(run, "out of memory");
    run->current = inst;
    return true;
}

static bool cmd_register(struct run *run, const struct spec_command *cmd)
{
    kiln_instance *inst = find_instance(run, cmd->name);
    if (!inst)
        return failf(run, "register \"%s\": no module %s", cmd->as.data,
                     cmd->name ? cmd->name : "instantiated");
    kiln_status ks = kiln_linker_define_instance(run->linker, cmd->as.data, cmd->as.len, inst);
    if (ks)
        return failf(run, "register \"%s\": %s", cmd->as.data, kiln_status_text(ks));
    return true;
}

/* assert_invalid / assert_malformed: the module must be refused with the expected status
 * and text. */
static bool cmd_refused(struct run *run, const struct spec_command *cmd, kiln_status want)
{
    const char *what = want == KILN_ERR_INVALID ? "invalid" : "malformed";
    if (cmd->text_module) {
        if (want == KILN_ERR_MALFORMED) {
            /* wast2json leaves a quoted text module as .wat text, unparsed; wabt's
             * spectest-interp then asks its text parser. kiln has no text format, so the
             * command passes when wast2json produced no binary for it. */
            uint8_t *bytes = NULL;
            size_t size = 0;
            if (spec_read_file(cmd->filename, &bytes, &size))
                return failf(run, "cannot read %s", cmd->filename);
            bool binary = size >= 4 && !memcmp(bytes, "\0asm", 4);
            free(bytes);
            if (binary)
                return failf(run, "expected no binary for a malformed text module, got %s",
                             cmd->filename);
            return true;
        }
        return failf(run, "text module %s: kiln reads binary modules only", cmd->filename);
    }
    struct kiln_error err;
    bool kiln_failed;
    kiln_module *module = compile_file(run, cmd->filename, &err, &kiln_failed);
    if (module) {
        kiln_module_free(module);
        return failf(run, "expected %s \"%s\", got a module that compiles", what, cmd->text);
    }
    if (!kiln_failed)
        return false;
    if (err.status != want || !message_matches(cmd->text, &err))
        return failf(run, "expected %s \"%s\", got %s: %s", what, cmd->text,
                     kiln_status_text(err.status), error_message(&err));
    return true;
}

/* assert_unlinkable / assert_uninstantiable: the module compiles, instantiation fails. */
static bool cmd_not_instantiated(struct run *run, const struct spec_command *cmd, bool link)
{
    const char *what = link ? "unlinkable" : "uninstantiable";
    if (cmd->text_module)
        return failf(run, "text module %s: kiln reads binary modules only", cmd->filename);
    struct kiln_error err;
    bool kiln_failed;
    kiln_module *module = compile_file(run, cmd->filename, &err, &kiln_failed);
    if (!module) {
        if (kiln_failed)
            return failf(run, "expected %s \"%s\", got a module that does not compile: %s: %s",
                         what, cmd->text, kiln_status_text(err.status), error_message(&err));
        return false;
    }
    kiln_instance *inst = NULL;
    clear_error(&err);
    kiln_status ks = kiln_linker_instantiate(run->linker, module, &inst, &err);
    kiln_module_free(module);
    if (ks == KILN_OK) {
        /* Keep it: its start function may have run, and its memory may be shared. */
        if (!keep_instance(run, inst))
            kiln_instance_free(inst);
        return failf(run, "expected %s \"%s\", got an instance", what, cmd->text);
    }
    bool kind_ok = link ? (ks == KILN_ERR_UNKNOWN_IMPORT || ks == KILN_ERR_INCOMPATIBLE_IMPORT)
                        : ks == KILN_TRAPPED;
    if (!err.status)
        err.status = ks;
    if (!kind_ok || !message_matches(cmd->text, &err))
        return failf(run, "expected %s \"%s\", got %s: %s", what, cmd->text, kiln_status_text(ks),
                     error_message(&err));
    return true;
}

/* --- Actions --- */

enum action_outcome {
    ACTION_RETURNED,
    ACTION_TRAPPED,
    ACTION_FAILED, /* could not be run, or kiln returned an error: `run->why` says which */
};

struct action_result {
    kiln_val *values;
    size_t count;
    struct kiln_error err;
};

static enum action_outcome run_action(struct run *run, const struct spec_action *a,
                                      struct action_result *out)
{
    memset(out, 0, sizeof *out);
    kiln_instance *inst = find_instance(run, a->module);
    if (!inst) {
        if (a->module)
            failf(run, "no module %s", a->module);
        else
            failf(run, "no current module (the last module command failed)");
        return ACTION_FAILED;
    }
    kiln_extern ext;
    kiln_status ks = kiln_instance_export(inst, a->field.data, a->field.len, &ext);
    if (ks) {
        failf(run, "no such export: %s", kiln_status_text(ks));
        return ACTION_FAILED;
    }

    if (a->is_get) {
        if (ext.kind != KILN_EXTERN_GLOBAL) {
            failf(run, "the export is not a global");
            return ACTION_FAILED;
        }
        out->values = malloc(sizeof *out->values);
        if (!out->values) {
            failf(run, "out of memory");
            return ACTION_FAILED;
        }
        out->values[0] = kiln_global_get(ext.global);
        out->count = 1;
        return ACTION_RETURNED;
    }

    if (ext.kind != KILN_EXTERN_FUNC) {
        failf(run, "the export is not a function");
        return ACTION_FAILED;
    }
    size_t nparams = kiln_func_param_count(ext.func);
    if (nparams != a->nargs) {
        failf(run, "the function takes %zu arguments, the script passes %zu", nparams, a->nargs);
        return ACTION_FAILED;
    }
    size_t nresults = kiln_func_result_count(ext.func);
    kiln_val *args = calloc(a->nargs ? a->nargs : 1, sizeof *args);
    out->values = calloc(nresults ? nresults : 1, sizeof *out->values);
    if (!args || !out->values) {
        free(args);
        failf(run, "out of memory");
        return ACTION_FAILED;
    }
    for (size_t i = 0; i < a->nargs; i++)
        args[i] = spec_value_to_kiln(&a->args[i]);
    out->count = nresults;
    ks = kiln_func_call(ext.func, args, a->nargs, out->values, nresults, &out->err);
    free(args);
    if (ks == KILN_TRAPPED) {
        if (!out->err.status)
            out->err.status = ks;
        return ACTION_TRAPPED;
    }
    if (ks) {
        failf(run, "kiln_func_call: %s: %s", kiln_status_text(ks), error_message(&out->err));
        return ACTION_FAILED;
    }
    return ACTION_RETURNED;
}

static void format_results(const struct action_result *r, char *out, size_t out_size)
{
    size_t used = (size_t)snprintf(out, out_size, "(");
    for (size_t i = 0; i < r->count && used < out_size; i++) {
        char v[96];
        spec_kiln_val_format(&r->values[i], v, sizeof v);
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", i ? " " : "", v);
    }
    if (used < out_size)
        snprintf(out + used, out_size - used, ")");
}

static void format_expected(const struct spec_command *cmd, char *out, size_t out_size)
{
    size_t used = (size_t)snprintf(out, out_size, "(");
    for (size_t i = 0; i < cmd->nexpected && used < out_size; i++) {
        const struct spec_result *r = &cmd->expected[i];
        if (i)
            used += (size_t)snprintf(out + used, out_size - used, " ");
        for (size_t j = 0; j < r->nalt && used < out_size; j++) {
            char v[96];
            spec_value_format(&r->alts[j], v, sizeof v);
            used += (size_t)snprintf(out + used, out_size - used, "%s%s", j ? "|" : "", v);
        }
    }
    if (used < out_size)
        snprintf(out + used, out_size - used, ")");
}

static bool cmd_action(struct run *run, const struct spec_command *cmd)
{
    struct action_result r;
    enum action_outcome o = run_action(run, &cmd->action, &r);
    bool ok = o == ACTION_RETURNED;
    if (o == ACTION_TRAPPED)
        failf(run, "expected no trap, got trap \"%s\"", error_message(&r.err));
    free(r.values);
    return ok;
}

static bool cmd_assert_return(struct run *run, const struct spec_command *cmd)
{
    struct action_result r;
    enum action_outcome o = run_action(run, &cmd->action, &r);
    char want[512];
    char got[512];
    bool ok = false;
    format_expected(cmd, want, sizeof want);
    if (o == ACTION_TRAPPED) {
        failf(run, "expected %s, got trap \"%s\"", want, error_message(&r.err));
    } else if (o == ACTION_RETURNED) {
        ok = r.count == cmd->nexpected;
        for (size_t i = 0; ok && i < r.count; i++) {
            bool any = false;
            for (size_t j = 0; j < cmd->expected[i].nalt; j++)
                any = any || spec_value_matches(&cmd->expected[i].alts[j], &r.values[i]);
            ok = any;
        }
        if (!ok) {
            format_results(&r, got, sizeof got);
            failf(run, "expected %s, got %s", want, got);
        }
    }
    free(r.values);
    return ok;
}

static bool cmd_assert_trap(struct run *run, const struct spec_command *cmd)
{
    struct action_result r;
    enum action_outcome o = run_action(run, &cmd->action, &r);
    bool ok = false;
    if (o == ACTION_TRAPPED) {
        /* assert_exhaustion's text is "call stack exhausted", the text of that trap kind. */
        ok = message_matches(cmd->text, &r.err);
        if (!ok)
            failf(run, "expected trap \"%s\", got trap \"%s\"", cmd->text, error_message(&r.err));
    } else if (o == ACTION_RETURNED) {
        char got[512];
        format_results(&r, got, sizeof got);
        failf(run, "expected trap \"%s\", got %s", cmd->text, got);
    }
    free(r.values);
    return ok;
}

/* --- The loop --- */

/* Export names may hold any byte (names.wast); print quotes, backslashes and bytes outside
 * printable ASCII as \xNN so a failure stays one line. */
static void escape_name(const struct spec_bytes *name, char *out, size_t out_size)
{
    size_t used = 0;
    for (size_t i = 0; i < name->len && used + 5 < out_size; i++) {
        unsigned char c = (unsigned char)name->data[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[used++] = (char)c;
        else
            used += (size_t)snprintf(out + used, out_size - used, "\\x%02x", c);
    }
    out[used] = '\0';
}

static bool run_command(struct run *run, const struct spec_command *cmd)
{
    run->why[0] = '\0';
    if (cmd->error)
        return failf(run, "cannot read the command: %s", cmd->error);
    switch (cmd->kind) {
    case SPEC_CMD_MODULE:
        return cmd_module(run, cmd);
    case SPEC_CMD_REGISTER:
        return cmd_register(run, cmd);
    case SPEC_CMD_ACTION:
        return cmd_action(run, cmd);
    case SPEC_CMD_ASSERT_RETURN:
        return cmd_assert_return(run, cmd);
    case SPEC_CMD_ASSERT_TRAP:
    case SPEC_CMD_ASSERT_EXHAUSTION:
        return cmd_assert_trap(run, cmd);
    case SPEC_CMD_ASSERT_INVALID:
        return cmd_refused(run, cmd, KILN_ERR_INVALID);
    case SPEC_CMD_ASSERT_MALFORMED:
        return cmd_refused(run, cmd, KILN_ERR_MALFORMED);
    case SPEC_CMD_ASSERT_UNLINKABLE:
        return cmd_not_instantiated(run, cmd, true);
    case SPEC_CMD_ASSERT_UNINSTANTIABLE:
        return cmd_not_instantiated(run, cmd, false);
    }
    return failf(run, "unknown command");
}

static void run_script(struct run *run, const struct spec_script *script)
{
    for (size_t i = 0; i < script->ncommands; i++) {
        const struct spec_command *cmd = &script->commands[i];
        const char *reason = spec_skip_list_find(run->opt->skips, run->skip_file, cmd->line);
        if (reason) {
            run->skipped++;
            if (run->verbose)
                printf("  %s:%u: %s skipped: %s\n", run->display, cmd->line,
                       spec_cmd_kind_name(cmd->kind), reason);
            continue;
        }
        if (run_command(run, cmd)) {
            run->passed++;
            if (run->verbose)
                printf("  %s:%u: %s passed\n", run->display, cmd->line,
                       spec_cmd_kind_name(cmd->kind));
        } else {
            run->failed++;
            if (cmd->has_action && !cmd->error) {
                char field[256];
                escape_name(&cmd->action.field, field, sizeof field);
                printf("  %s:%u: %s failed: %s \"%s\": %s\n", run->display, cmd->line,
                       spec_cmd_kind_name(cmd->kind), cmd->action.is_get ? "get" : "invoke", field,
                       run->why);
            } else
                printf("  %s:%u: %s failed: %s\n", run->display, cmd->line,
                       spec_cmd_kind_name(cmd->kind), run->why);
        }
        fflush(stdout);
    }
}

static void run_cleanup(struct run *run)
{
    for (size_t i = 0; i < run->ninstances; i++)
        kiln_instance_free(run->instances[i]);
    free(run->instances);
    for (size_t i = 0; i < run->nnamed; i++)
        free(run->named[i].name);
    free(run->named);
    kiln_linker_free(run->linker);
    kiln_engine_free(run->engine);
}

spec_status spec_run_file(const struct spec_options *options, const char *path,
                          struct spec_totals *totals)
{
    if (!options || !path || !totals)
        return SPEC_ERR_INVALID_ARGUMENT;
    char dir[4096] = "";
    char json[4096];
    const char *json_path = path;
    spec_status s;
    if (ends_with(path, ".wast")) {
        uint8_t *patched = NULL;
        size_t patched_size = 0;
        if (spec_patch_list_count(options->patches, base_name(path))) {
            uint8_t *text = NULL;
            size_t size = 0;
            char err[1024] = "";
            s = spec_read_file(path, &text, &size);
            if (!s)
                s = spec_patch_apply(options->patches, base_name(path), path, text, size, &patched,
                                     &patched_size, err, sizeof err);
            free(text);
            if (s) {
                fprintf(stderr, "kiln wast: error: %s\n", err[0] ? err : spec_status_text(s));
                return s;
            }
        }
        s = spec_wast2json(options->wast2json, path, patched, patched_size, options->features,
                           options->nfeatures, dir, sizeof dir, json, sizeof json);
        free(patched);
        if (s) {
            fprintf(stderr, "kiln wast: error: %s: %s\n", path, spec_status_text(s));
            return s;
        }
        json_path = json;
        if (options->keep_temp)
            printf("%s: converted into %s\n", path, dir);
    }

    struct spec_script script;
    char err[512];
    s = spec_script_read(json_path, &script, err, sizeof err);
    if (s) {
        fprintf(stderr, "kiln wast: error: %s: %s\n", path, err);
        if (dir[0] && !options->keep_temp)
            spec_remove_temp_dir(dir);
        return s;
    }

    struct run run;
    memset(&run, 0, sizeof run);
    run.opt = options;
    run.display = path;
    run.verbose = options->verbose;
    run.skip_file = base_name(script.source_filename ? script.source_filename : path);
    struct kiln_config config;
    kiln_config_init(&config);
    config.spill_all = options->spill_all;
    run.engine = kiln_engine_new(&config);
    run.linker = run.engine ? kiln_linker_new(run.engine) : NULL;
    if (!run.engine || !run.linker ||
        spec_spectest_define(run.engine, run.linker, &run.verbose) != KILN_OK) {
        fprintf(stderr, "kiln wast: error: %s: cannot set up the engine and spectest module\n",
                path);
        run_cleanup(&run);
        spec_script_free(&script);
        if (dir[0] && !options->keep_temp)
            spec_remove_temp_dir(dir);
        return SPEC_ERR_ENGINE;
    }

    run_script(&run, &script);
    printf("%s: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n", path, run.passed,
           run.failed, run.skipped);
    fflush(stdout);
    totals->passed += run.passed;
    totals->failed += run.failed;
    totals->skipped += run.skipped;

    run_cleanup(&run);
    spec_script_free(&script);
    if (dir[0] && !options->keep_temp)
        spec_remove_temp_dir(dir);
    return SPEC_OK;
}
