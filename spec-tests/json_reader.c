/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the JSON script wast2json writes (json-c does the JSON; this file knows the spec
 * script's shape) into `struct spec_script`, so the runner never touches JSON. */
#include "spec_internal.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    char *err;
    size_t err_size;
    uint32_t line; /* of the command being read, for messages */
    const char *dir;
    size_t dir_len;
};

SPEC_PRINTF(2, 3) static spec_status reader_fail(struct reader *r, const char *fmt, ...)
{
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (r->line)
        snprintf(r->err, r->err_size, "command at line %u: %s", r->line, detail);
    else
        snprintf(r->err, r->err_size, "%s", detail);
    return SPEC_ERR_JSON;
}

#define TRY(e)                                                                                     \
    do {                                                                                           \
        spec_status s_ = (e);                                                                      \
        if (s_)                                                                                    \
            return s_;                                                                             \
    } while (0)

static char *dup_bytes(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* --- Field access --- */

static json_object *field(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

static spec_status get_string(struct reader *r, json_object *obj, const char *key, bool required,
                              struct spec_bytes *out)
{
    json_object *v = field(obj, key);
    out->data = NULL;
    out->len = 0;
    if (!v) {
        if (required)
            return reader_fail(r, "missing \"%s\"", key);
        return SPEC_OK;
    }
    if (!json_object_is_type(v, json_type_string))
        return reader_fail(r, "\"%s\" is not a string", key);
    int len = json_object_get_string_len(v);
    out->data = dup_bytes(json_object_get_string(v), (size_t)len);
    if (!out->data)
        return SPEC_ERR_OUT_OF_MEMORY;
    out->len = (size_t)len;
    return SPEC_OK;
}

static spec_status get_cstring(struct reader *r, json_object *obj, const char *key, bool required,
                               char **out)
{
    struct spec_bytes b;
    TRY(get_string(r, obj, key, required, &b));
    *out = b.data;
    return SPEC_OK;
}

/* --- Values --- */

static spec_status read_value(struct reader *r, json_object *obj, bool expected,
                              struct spec_value *out)
{
    if (!json_object_is_type(obj, json_type_object))
        return reader_fail(r, "value is not an object");
    json_object *type = field(obj, "type");
    json_object *value = field(obj, "value");
    if (!type || !json_object_is_type(type, json_type_string))
        return reader_fail(r, "value without a \"type\"");
    if (value && !json_object_is_type(value, json_type_string))
        return reader_fail(r, "\"value\" is not a string (SIMD lanes are not supported)");
    char msg[120];
    if (!spec_value_parse(json_object_get_string(type),
                          value ? json_object_get_string(value) : NULL, expected, out, msg,
                          sizeof msg))
        return reader_fail(r, "%s", msg);
    return SPEC_OK;
}

static spec_status read_args(struct reader *r, json_object *arr, struct spec_value **out,
                             size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    if (!arr)
        return SPEC_OK;
    if (!json_object_is_type(arr, json_type_array))
        return reader_fail(r, "\"args\" is not an array");
    size_t n = json_object_array_length(arr);
    if (n == 0)
        return SPEC_OK;
    struct spec_value *vals = calloc(n, sizeof *vals);
    if (!vals)
        return SPEC_ERR_OUT_OF_MEMORY;
    *out = vals;
    *out_n = n;
    for (size_t i = 0; i < n; i++)
        TRY(read_value(r, json_object_array_get_idx(arr, i), false, &vals[i]));
    return SPEC_OK;
}

/* An expected result is a value, or {"type": "either", "values": [...]} listing alternatives. */
static spec_status read_result(struct reader *r, json_object *obj, struct spec_result *out)
{
    json_object *type = field(obj, "type");
    json_object *values = field(obj, "values");
    if (type && json_object_is_type(type, json_type_string) &&
        !strcmp(json_object_get_string(type), "either")) {
        if (!values || !json_object_is_type(values, json_type_array))
            return reader_fail(r, "\"either\" without \"values\"");
        size_t n = json_object_array_length(values);
        if (n == 0)
            return reader_fail(r, "\"either\" with no alternatives");
        out->alts = calloc(n, sizeof *out->alts);
        if (!out->alts)
            return SPEC_ERR_OUT_OF_MEMORY;
        out->nalt = n;
        for (size_t i = 0; i < n; i++)
            TRY(read_value(r, json_object_array_get_idx(values, i), true, &out->alts[i]));
        return SPEC_OK;
    }
    out->alts = calloc(1, sizeof *out->alts);
    if (!out->alts)
        return SPEC_ERR_OUT_OF_MEMORY;
    out->nalt = 1;
    return read_value(r, obj, true, &out->alts[0]);
}

static spec_status read_action(struct reader *r, json_object *obj, struct spec_action *out)
{
    if (!obj || !json_object_is_type(obj, json_type_object))
        return reader_fail(r, "missing \"action\"");
    char *type = NULL;
    TRY(get_cstring(r, obj, "type", true, &type));
    if (!strcmp(type, "invoke")) {
        out->is_get = false;
    } else if (!strcmp(type, "get")) {
        out->is_get = true;
    } else {
        spec_status s = reader_fail(r, "unknown action \"%s\"", type);
        free(type);
        return s;
    }
    free(type);
    TRY(get_cstring(r, obj, "module", false, &out->module));
    TRY(get_string(r, obj, "field", true, &out->field));
    if (!out->is_get)
        TRY(read_args(r, field(obj, "args"), &out->args, &out->nargs));
    return SPEC_OK;
}

/* --- Commands --- */

static const struct {
    const char *name;
    enum spec_cmd_kind kind;
} kinds[] = {
    {"module", SPEC_CMD_MODULE},
    {"register", SPEC_CMD_REGISTER},
    {"action", SPEC_CMD_ACTION},
    {"assert_return", SPEC_CMD_ASSERT_RETURN},
    {"assert_trap", SPEC_CMD_ASSERT_TRAP},
    {"assert_exhaustion", SPEC_CMD_ASSERT_EXHAUSTION},
    {"assert_invalid", SPEC_CMD_ASSERT_INVALID},
    {"assert_malformed", SPEC_CMD_ASSERT_MALFORMED},
    {"assert_unlinkable", SPEC_CMD_ASSERT_UNLINKABLE},
    {"assert_uninstantiable", SPEC_CMD_ASSERT_UNINSTANTIABLE},
};

const char *spec_cmd_kind_name(enum spec_cmd_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return "?";
}

static spec_status read_filename(struct reader *r, json_object *obj, struct spec_command *cmd)
{
    struct spec_bytes name;
    TRY(get_string(r, obj, "filename", true, &name));
    /* Relative to the JSON file's folder, as spectest-interp's CreateModulePath. */
    size_t len = r->dir_len + 1 + name.len;
    cmd->filename = malloc(len + 1);
    if (!cmd->filename) {
        free(name.data);
        return SPEC_ERR_OUT_OF_MEMORY;
    }
    if (r->dir_len)
        snprintf(cmd->filename, len + 1, "%.*s/%s", (int)r->dir_len, r->dir, name.data);
    else
        snprintf(cmd->filename, len + 1, "%s", name.data);
    free(name.data);

    char *module_type = NULL;
    TRY(get_cstring(r, obj, "module_type", false, &module_type));
    cmd->text_module = module_type && !strcmp(module_type, "text");
    free(module_type);
    return SPEC_OK;
}

static spec_status read_command(struct reader *r, json_object *obj, struct spec_command *cmd)
{
    if (!json_object_is_type(obj, json_type_object))
        return reader_fail(r, "command is not an object");
    json_object *line = field(obj, "line");
    r->line = 0;
    if (line && json_object_is_type(line, json_type_int))
        r->line = (uint32_t)json_object_get_int64(line);
    cmd->line = r->line;

    char *type = NULL;
    TRY(get_cstring(r, obj, "type", true, &type));
    bool known = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!strcmp(type, kinds[i].name)) {
            cmd->kind = kinds[i].kind;
            known = true;
        }
    }
    if (!known) {
        spec_status s = reader_fail(r, "unknown command type \"%s\"", type);
        free(type);
        return s;
    }
    free(type);

    switch (cmd->kind) {
    case SPEC_CMD_MODULE:
        TRY(get_cstring(r, obj, "name", false, &cmd->name));
        TRY(read_filename(r, obj, cmd));
        break;
    case SPEC_CMD_REGISTER:
        TRY(get_cstring(r, obj, "name", false, &cmd->name));
        TRY(get_string(r, obj, "as", true, &cmd->as));
        break;
    case SPEC_CMD_ACTION:
        cmd->has_action = true;
        TRY(read_action(r, field(obj, "action"), &cmd->action));
        break;
    case SPEC_CMD_ASSERT_RETURN: {
        cmd->has_action = true;
        TRY(read_action(r, field(obj, "action"), &cmd->action));
        json_object *exp = field(obj, "expected");
        if (!exp || !json_object_is_type(exp, json_type_array))
            return reader_fail(r, "assert_return without \"expected\"");
        size_t n = json_object_array_length(exp);
        if (n) {
            cmd->expected = calloc(n, sizeof *cmd->expected);
            if (!cmd->expected)
                return SPEC_ERR_OUT_OF_MEMORY;
            cmd->nexpected = n;
            for (size_t i = 0; i < n; i++)
                TRY(read_result(r, json_object_array_get_idx(exp, i), &cmd->expected[i]));
        }
        break;
    }
    case SPEC_CMD_ASSERT_TRAP:
    case SPEC_CMD_ASSERT_EXHAUSTION:
        cmd->has_action = true;
        TRY(read_action(r, field(obj, "action"), &cmd->action));
        TRY(get_cstring(r, obj, "text", true, &cmd->text));
        break;
    case SPEC_CMD_ASSERT_INVALID:
    case SPEC_CMD_ASSERT_MALFORMED:
    case SPEC_CMD_ASSERT_UNLINKABLE:
    case SPEC_CMD_ASSERT_UNINSTANTIABLE:
        TRY(read_filename(r, obj, cmd));
        TRY(get_cstring(r, obj, "text", true, &cmd->text));
        break;
    }
    return SPEC_OK;
}

spec_status spec_read_file(const char *path, uint8_t **out_data, size_t *out_size)
{
    *out_data = NULL;
    *out_size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return SPEC_ERR_IO;
    size_t cap = 1 << 16;
    size_t size = 0;
    uint8_t *data = malloc(cap);
    if (!data) {
        fclose(f);
        return SPEC_ERR_OUT_OF_MEMORY;
    }
    for (;;) {
        if (size == cap) {
            uint8_t *bigger = realloc(data, cap * 2);
            if (!bigger) {
                free(data);
                fclose(f);
                return SPEC_ERR_OUT_OF_MEMORY;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(data);
        return SPEC_ERR_IO;
    }
    *out_data = data;
    *out_size = size;
    return SPEC_OK;
}

spec_status spec_script_read(const char *json_path, struct spec_script *out_script, char *err,
                             size_t err_size)
{
    memset(out_script, 0, sizeof *out_script);
    snprintf(err, err_size, "%s", "");
    uint8_t *data = NULL;
    size_t size = 0;
    spec_status s = spec_read_file(json_path, &data, &size);
    if (s) {
        snprintf(err, err_size, "cannot read %s", json_path);
        return s;
    }
    if (size > INT32_MAX) {
        free(data);
        snprintf(err, err_size, "%s is too large", json_path);
        return SPEC_ERR_JSON;
    }

    json_tokener *tok = json_tokener_new();
    if (!tok) {
        free(data);
        return SPEC_ERR_OUT_OF_MEMORY;
    }
    json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t where = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    free(data);
    if (!root || jerr != json_tokener_success) {
        snprintf(err, err_size, "%s: JSON error at byte %zu: %s", json_path, where,
                 json_tokener_error_desc(jerr));
        json_object_put(root);
        return SPEC_ERR_JSON;
    }

    const char *slash = strrchr(json_path, '/');
    struct reader r = {
        .err = err,
        .err_size = err_size,
        .dir = json_path,
        .dir_len = slash ? (size_t)(slash - json_path) : 0,
    };
    json_object *commands = NULL;
    if (!json_object_is_type(root, json_type_object)) {
        s = reader_fail(&r, "top level is not an object");
        goto fail;
    }
    s = get_cstring(&r, root, "source_filename", false, &out_script->source_filename);
    if (s)
        goto fail;
    commands = field(root, "commands");
    if (!commands || !json_object_is_type(commands, json_type_array)) {
        s = reader_fail(&r, "no \"commands\" array");
        goto fail;
    }
    size_t n = json_object_array_length(commands);
    if (n) {
        out_script->commands = calloc(n, sizeof *out_script->commands);
        if (!out_script->commands) {
            s = SPEC_ERR_OUT_OF_MEMORY;
            goto fail;
        }
    }
    out_script->ncommands = n;
    for (size_t i = 0; i < n; i++) {
        /* A command this reader cannot take (a v128 value, an unknown kind) fails alone: it is
         * counted as failed, or skipped when skip.txt says so, and the script goes on. */
        struct spec_command *cmd = &out_script->commands[i];
        s = read_command(&r, json_object_array_get_idx(commands, i), cmd);
        if (s == SPEC_ERR_JSON) {
            cmd->error = dup_bytes(err, strlen(err));
            snprintf(err, err_size, "%s", "");
            if (!cmd->error) {
                s = SPEC_ERR_OUT_OF_MEMORY;
                goto fail;
            }
        } else if (s) {
            goto fail;
        }
    }
    json_object_put(root);
    return SPEC_OK;

fail:
    if (s == SPEC_ERR_OUT_OF_MEMORY)
        snprintf(err, err_size, "out of memory reading %s", json_path);
    json_object_put(root);
    spec_script_free(out_script);
    return s;
}

static void free_action(struct spec_action *a)
{
    free(a->module);
    free(a->field.data);
    free(a->args);
}

void spec_script_free(struct spec_script *script)
{
    if (!script)
        return;
    for (size_t i = 0; i < script->ncommands; i++) {
        struct spec_command *c = &script->commands[i];
        free(c->name);
        free(c->as.data);
        free(c->filename);
        free(c->text);
        free(c->error);
        free_action(&c->action);
        for (size_t j = 0; j < c->nexpected; j++)
            free(c->expected[j].alts);
        free(c->expected);
    }
    free(script->commands);
    free(script->source_filename);
    memset(script, 0, sizeof *script);
}
