/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a whole module file, shared by the subcommands that take FILE.wasm. A large regular
 * file is read into memory mapped for it with transparent huge pages asked for (madvise, Linux):
 * in this VM a 4 KB page fault costs ~15 us, so reading yosys.core.wasm (30.8 MB, 7,500 faults)
 * into malloc'd memory took ~115 ms, more than validating it, and ~20 ms this way
 * (docs/BENCHMARKS.md, frontend, session 8). Anything else (pipes, small files, a file that
 * changes size while read) is read into a growing malloc'd buffer. */
#define _DEFAULT_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes before the ones a caller sees: how the buffer is given back. */
#define HEAD 64
/* From this size on a regular file gets memory of its own. */
#define MAPPED_FROM (1u << 20)

struct head {
    size_t map_len; /* 0: malloc'd */
};

/* Reads up to `want` bytes; the count read, or -1 with errno set. */
static ssize_t read_all(int fd, uint8_t *to, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t n = read(fd, to + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* The file of `size` bytes (by fstat) in memory of its own; NULL with errno EAGAIN when it did
 * not hold `size` bytes when read (the caller then reads it the other way), or another errno. */
static uint8_t *read_mapped(int fd, size_t size, size_t *out_size)
{
    size_t len = HEAD + size + 1; /* one byte more, to see a file that grew */
    uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    (void)madvise(base, len, MADV_HUGEPAGE); /* a hint: without it, 4 KB pages */
    ssize_t got = read_all(fd, base + HEAD, size + 1);
    if (got != (ssize_t)size) {
        int e = got < 0 ? errno : EAGAIN;
        munmap(base, len);
        errno = e;
        return NULL;
    }
    ((struct head *)(void *)base)->map_len = len;
    *out_size = size;
    return base + HEAD;
}

static uint8_t *read_growing(int fd, size_t *out_size)
{
    size_t cap = 1 << 16, size = 0;
    uint8_t *base = malloc(HEAD + cap);
    if (!base) {
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        ssize_t got = read_all(fd, base + HEAD + size, cap - size);
        if (got < 0) {
            int e = errno;
            free(base);
            errno = e;
            return NULL;
        }
        size += (size_t)got;
        if (size < cap)
            break;
        uint8_t *grown = cap > (SIZE_MAX - HEAD) / 2 ? NULL : realloc(base, HEAD + cap * 2);
        if (!grown) {
            free(base);
            errno = ENOMEM;
            return NULL;
        }
        base = grown;
        cap *= 2;
    }
    ((struct head *)(void *)base)->map_len = 0;
    *out_size = size;
    return base + HEAD;
}

uint8_t *cli_read_file(const char *path, size_t *out_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    uint8_t *bytes = NULL;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)MAPPED_FROM &&
        (uint64_t)st.st_size < SIZE_MAX / 2) {
        bytes = read_mapped(fd, (size_t)st.st_size, out_size);
        if (!bytes && errno == EAGAIN && lseek(fd, 0, SEEK_SET) == 0)
            bytes = read_growing(fd, out_size);
    } else {
        bytes = read_growing(fd, out_size);
    }
    int e = errno;
    close(fd);
    errno = e;
    return bytes;
}

void cli_free_file(uint8_t *bytes)
{
    if (!bytes)
        return;
    uint8_t *base = bytes - HEAD;
    size_t map_len = ((struct head *)(void *)base)->map_len;
    if (map_len)
        munmap(base, map_len);
    else
        free(base);
}
