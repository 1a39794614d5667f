/* SPDX-License-Identifier: Apache-2.0 */
/* Runs wabt's wast2json on a .wast script into a temporary folder, and removes that folder
 * afterwards. The one place in spec-tests/ that needs POSIX (processes, temp folders). */
#define _POSIX_C_SOURCE 200809L

#include "spec_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Writes `text` to `<dir>/<base>` and points `*path` (a buffer of `size`) at it. */
static spec_status write_copy(const char *dir, const char *base, const uint8_t *text,
                              size_t text_size, char *path, size_t size)
{
    if ((size_t)snprintf(path, size, "%s/%s", dir, base) >= size)
        return SPEC_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "wb");
    if (!f)
        return SPEC_ERR_IO;
    bool ok = fwrite(text, 1, text_size, f) == text_size;
    ok = fclose(f) == 0 && ok;
    return ok ? SPEC_OK : SPEC_ERR_IO;
}

spec_status spec_wast2json(const char *wast2json, const char *wast_path, const uint8_t *text,
                           size_t text_size, const char *const *features, size_t nfeatures,
                           char *out_dir, size_t dir_size, char *out_json, size_t json_size)
{
    if (!wast2json)
        wast2json = "wast2json";
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(out_dir, dir_size, "%s/kiln-wast-XXXXXX", tmp) >= dir_size)
        return SPEC_ERR_INVALID_ARGUMENT;
    if (!mkdtemp(out_dir)) {
        fprintf(stderr, "kiln wast: error: cannot make a folder in %s: %s\n", tmp, strerror(errno));
        return SPEC_ERR_IO;
    }

    /* <dir>/<name without .wast>.json, so module files get wast2json's usual names. */
    const char *base = base_name(wast_path);
    size_t stem = strlen(base);
    if (stem > 5 && !strcmp(base + stem - 5, ".wast"))
        stem -= 5;
    if ((size_t)snprintf(out_json, json_size, "%s/%.*s.json", out_dir, (int)stem, base) >=
        json_size) {
        spec_remove_temp_dir(out_dir);
        return SPEC_ERR_INVALID_ARGUMENT;
    }
    /* A patched copy goes next to the JSON under the script's own name, so wast2json records
     * the same base name (skip list) and the same line numbers. */
    char copy_path[4096];
    if (text) {
        spec_status cs = write_copy(out_dir, base, text, text_size, copy_path, sizeof copy_path);
        if (cs) {
            spec_remove_temp_dir(out_dir);
            return cs;
        }
        wast_path = copy_path;
    }

    size_t argc = 0;
    char **argv = calloc(nfeatures + 5, sizeof *argv);
    char **feature_args = calloc(nfeatures + 1, sizeof *feature_args);
    if (!argv || !feature_args) {
        free(argv);
        free(feature_args);
        spec_remove_temp_dir(out_dir);
        return SPEC_ERR_OUT_OF_MEMORY;
    }
    spec_status status = SPEC_OK;
    argv[argc++] = (char *)wast2json;
    for (size_t i = 0; i < nfeatures; i++) {
        size_t len = strlen(features[i]) + sizeof "--enable-";
        feature_args[i] = malloc(len);
        if (!feature_args[i]) {
            status = SPEC_ERR_OUT_OF_MEMORY;
            goto done;
        }
        snprintf(feature_args[i], len, "--enable-%s", features[i]);
        argv[argc++] = feature_args[i];
    }
    argv[argc++] = (char *)wast_path;
    argv[argc++] = "-o";
    argv[argc++] = out_json;
    argv[argc] = NULL;

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "kiln wast: error: fork: %s\n", strerror(errno));
        status = SPEC_ERR_WAST2JSON;
        goto done;
    }
    if (pid == 0) {
        execvp(wast2json, argv);
        fprintf(stderr, "kiln wast: error: cannot run %s: %s (install wabt)\n", wast2json,
                strerror(errno));
        _exit(127);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            status = SPEC_ERR_WAST2JSON;
            goto done;
        }
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        status = SPEC_ERR_WAST2JSON;

done:
    for (size_t i = 0; i < nfeatures; i++)
        free(feature_args[i]);
    free(feature_args);
    free(argv);
    if (status)
        spec_remove_temp_dir(out_dir);
    return status;
}

void spec_remove_temp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
            char *path = malloc(len);
            if (!path)
                continue;
            snprintf(path, len, "%s/%s", dir, e->d_name);
            unlink(path);
            free(path);
        }
        closedir(d);
    }
    rmdir(dir);
}
